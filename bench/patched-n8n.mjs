// n8n 2.40.7 with docs/n8n-upstream/static-webhook-isolate-skip.patch applied to its build, for
// benchmark 3: a copy of the runtime's node_modules made of hard links (no space, and every
// package resolves inside the copy, as n8n's module loader needs), in which the two changed files
// are replaced by edited ones. The installed runtime is untouched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { cacheRoot } from '../test/harness/n8n-runtime.mjs';

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
		mkdirSync(dir, { recursive: true });
		const copied = spawnSync('cp', ['-al', runtime.nodeModules, join(dir, 'node_modules')], { stdio: 'inherit' });
		if (copied.status !== 0) throw new Error('could not copy the n8n runtime as hard links');
		const n8nDir = join(dir, 'node_modules', 'n8n');
		for (const { file, from, to } of EDITS) {
			const path = join(n8nDir, file);
			const source = readFileSync(path, 'utf8');
			if (source.split(from).length !== 2) throw new Error(`${file} of n8n ${runtime.n8nVersion} does not read as the patch expects`);
			// A new file, not a write through the hard link into the installed runtime.
			rmSync(path);
			writeFileSync(path, source.replace(from, to));
		}
		writeFileSync(marker, new Date().toISOString());
	}
	return { ...runtime, n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), nodeModules: join(dir, 'node_modules') };
}
