// One jest run of a suite against processes a script has started: spawned (not spawnSync, so the
// script stays responsive to Ctrl-C and can serve what the suite asks of it meanwhile), its JSON
// results written where CI's summary line reads them, and its counts read back.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { PROJECT_DIR } from './n8n-instance.mjs';

/** Starts jest with `config`; `child` is there to stop it, `counts` resolves with its passed and failed tests once it exits. */
export function runJest({ config, resultsFile, env, args = process.argv.slice(2) }) {
	const child = spawn('npx', ['jest', '-c', config, '--json', `--outputFile=${resultsFile}`, ...args], { cwd: PROJECT_DIR, stdio: 'inherit', env: { ...process.env, ...env } });
	const counts = new Promise((resolve) => child.once('exit', resolve)).then(() => jestCounts(resultsFile));
	return { child, counts };
}

/** Jest's counts from its JSON results, or one failure when it wrote none. */
export function jestCounts(resultsFile) {
	try {
		const result = JSON.parse(readFileSync(resultsFile, 'utf8'));
		return { passed: result.numPassedTests, failed: result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0) };
	} catch {
		return { passed: 0, failed: 1, noResults: true };
	}
}
