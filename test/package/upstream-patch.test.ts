// docs/n8n-upstream/static-webhook-isolate-skip.patch is a unified diff against the build n8n ships
// in its npm package (n8n's tarball has `dist/` and no TypeScript sources). It must still apply to
// every tested n8n 2.x, as bench/patched-n8n.mjs applies it. The runtimes are the ones
// test/harness/n8n-runtime.mjs installs: `.ci/run` installs them before `npm test`; elsewhere a version
// not installed yet is skipped with a message (REQUIRE_N8N_RUNTIMES=1 makes that a failure).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const PATCH = join(__dirname, '..', '..', 'docs', 'n8n-upstream', 'static-webhook-isolate-skip.patch');
// The tested 2.x (TESTED_N8N_VERSIONS in test/harness/n8n-runtime.mjs), which CI installs, and the
// previous one, checked where it is installed.
const TESTED_2X = ['2.41.1'];
const PATCHED_VERSIONS = [...TESTED_2X, '2.40.7'];
const NODE_VERSION = '24.21.0';

/** Where test/harness/n8n-runtime.mjs (cacheRoot, ensureN8n) installs n8n `version`. */
function installedN8n(version: string): string | undefined {
	const cache = process.env.N8N_RUNTIME_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-slack-webhooks');
	const dir = join(cache, `n8n-${version}-node-${NODE_VERSION}`);
	return existsSync(join(dir, '.complete')) ? join(dir, 'node_modules', 'n8n') : undefined;
}

describe('the upstream patch', () => {
	it('is a unified diff git can read', () => {
		const stat = spawnSync('git', ['apply', '--numstat', PATCH], { encoding: 'utf8' });
		expect(stat.stderr).toBe('');
		expect(stat.stdout.trim().split('\n').map((line) => line.split('\t')[2])).toEqual(['dist/webhooks/live-webhooks.js', 'dist/credentials-helper.js']);
	});

	for (const version of PATCHED_VERSIONS) {
		const n8nDir = installedN8n(version);
		if (!n8nDir && !(process.env.REQUIRE_N8N_RUNTIMES && TESTED_2X.includes(version))) {
			it.skip(`applies to n8n ${version} (not installed: node test/harness/n8n-runtime.mjs ${version})`, () => undefined);
			continue;
		}
		it(`applies to n8n ${version}`, () => {
			expect(n8nDir).toBeDefined();
			const check = spawnSync('git', ['apply', '--check', PATCH], { cwd: n8nDir, encoding: 'utf8' });
			expect(check.stderr).toBe('');
			expect(check.status).toBe(0);
		});
	}
});
