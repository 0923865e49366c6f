// n8n 2.40.7 with docs/n8n-upstream/static-webhook-isolate-skip.patch applied to its build, for
// benchmark 3: the n8n package is copied beside links to the runtime's other packages, and the
// two changed functions are edited in the copy's JavaScript. The installed runtime is untouched.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { cacheRoot } from '../scripts/n8n-runtime.mjs';

/** Each edit: the file in n8n's build, the text n8n 2.40.7 has, and what the patch makes of it. */
const EDITS = [
	{
		file: 'dist/webhooks/live-webhooks.js',
		// LiveWebhooks.webhookPhaseNeedsIsolate: no longer only n8n's own Webhook node.
		from: '        if (startNode.type !== n8n_workflow_1.WEBHOOK_NODE_TYPE)\n            return true;\n',
		to: '',
	},
	{
		file: 'dist/credentials-helper.js',
		// CredentialsHelper.applyDefaultsAndOverwrites: an isolate only for a credential with an expression.
		from: '        else {\n            const workflow = new n8n_workflow_1.Workflow({\n                nodes: [mockNode],',
		to: '        else if (!(0, n8n_workflow_1.nodeParametersAreStatic)({ parameters: decryptedData })) {\n            const workflow = new n8n_workflow_1.Workflow({\n                nodes: [mockNode],',
	},
];

export function patchedRuntime(runtime) {
	const dir = join(cacheRoot(), `n8n-${runtime.n8nVersion}-upstream-patch`);
	const marker = join(dir, '.complete');
	if (!existsSync(marker)) {
		rmSync(dir, { recursive: true, force: true });
		const nodeModules = join(dir, 'node_modules');
		mkdirSync(nodeModules, { recursive: true });
		for (const name of readdirSync(runtime.nodeModules)) {
			if (name !== 'n8n') symlinkSync(join(runtime.nodeModules, name), join(nodeModules, name));
		}
		const n8nDir = join(nodeModules, 'n8n');
		cpSync(join(runtime.nodeModules, 'n8n'), n8nDir, { recursive: true, verbatimSymlinks: true });
		for (const { file, from, to } of EDITS) {
			const path = join(n8nDir, file);
			const source = readFileSync(path, 'utf8');
			if (source.split(from).length !== 2) throw new Error(`${file} of n8n ${runtime.n8nVersion} does not read as the patch expects`);
			writeFileSync(path, source.replace(from, to));
		}
		writeFileSync(marker, new Date().toISOString());
	}
	return { ...runtime, n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), nodeModules: join(dir, 'node_modules') };
}
