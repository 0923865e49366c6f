// The packed package, installed as npm installs it, exposes its reuse entry point (index.ts) through
// `main` and its declarations through `types`. n8n itself loads the files listed under "n8n" in
// package.json; `main` is for code that builds on the package.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const { name: packageName } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
	const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
	return result.stdout;
}

describe('the packed tarball', () => {
	let scratch: string;
	let installed: string;

	beforeAll(() => {
		scratch = mkdtempSync(join(tmpdir(), 'slack-webhooks-tarball-'));
		// Install scripts are off (.npmrc), so `npm pack` does not run `prepack`: build first.
		run('npm', ['run', '--silent', 'build'], root);
		const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], root)) as Array<{ filename: string }>;
		writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
		// n8n-workflow is a peer dependency that n8n provides; the dependencies come from npm's cache when it has them.
		run('npm', ['install', '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund', '--package-lock=false', '--loglevel=error', join(scratch, filename)], scratch);
		installed = join(scratch, 'node_modules', packageName);
	}, 600_000);

	afterAll(() => rmSync(scratch, { recursive: true, force: true }));

	it('can be required by its name', () => {
		// As in n8n, n8n-workflow comes from the host: here this project's copy.
		const script = `const exported = require(${JSON.stringify(packageName)}); console.log(JSON.stringify(Object.keys(exported).sort()));`;
		const output = run(process.execPath, ['-e', script], scratch, { ...process.env, NODE_PATH: join(root, 'node_modules') });
		expect(JSON.parse(output)).toEqual(
			expect.arrayContaining(['SlackIncomingWebhook', 'SlackOutgoingWebhookTrigger', 'SlackIncomingWebhookApi', 'SlackOutgoingWebhookApi', 'buildWebhookMessage']),
		);
	});

	it('declares its types in a file it ships', () => {
		const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { types?: string };
		expect(manifest.types).toBeDefined();
		const declarations = join(installed, manifest.types as string);
		expect(existsSync(declarations)).toBe(true);
		expect(readFileSync(declarations, 'utf8')).toContain('SlackOutgoingWebhookTrigger');
	});
});
