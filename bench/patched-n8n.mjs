// n8n with docs/n8n-upstream/static-webhook-isolate-skip.patch applied to its build, for
// benchmark 3: a copy of the runtime's node_modules made of hard links (no space, and every
// package resolves inside the copy, as n8n's module loader needs), to which `git apply` applies the
// patch file itself, so the benchmark measures exactly the proposed change. git apply replaces
// each file it changes (unlink, then write), so the installed runtime is untouched.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cacheRoot } from '../test/harness/n8n-runtime.mjs';

export const UPSTREAM_PATCH = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'n8n-upstream', 'static-webhook-isolate-skip.patch');

export function patchedRuntime(runtime) {
	// Keyed by the patch's content too: a changed patch gets a copy of its own.
	const patchId = createHash('sha256').update(readFileSync(UPSTREAM_PATCH)).digest('hex').slice(0, 12);
	const dir = join(cacheRoot(), `n8n-${runtime.n8nVersion}-upstream-patch-${patchId}`);
	const marker = join(dir, '.complete');
	if (!existsSync(marker)) {
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		const copied = spawnSync('cp', ['-al', runtime.nodeModules, join(dir, 'node_modules')], { stdio: 'inherit' });
		if (copied.status !== 0) throw new Error('could not copy the n8n runtime as hard links');
		const applied = spawnSync('git', ['apply', UPSTREAM_PATCH], { cwd: join(dir, 'node_modules', 'n8n'), stdio: 'inherit' });
		if (applied.status !== 0) throw new Error(`the upstream patch does not apply to n8n ${runtime.n8nVersion}`);
		writeFileSync(marker, new Date().toISOString());
	}
	return { ...runtime, n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), nodeModules: join(dir, 'node_modules') };
}
