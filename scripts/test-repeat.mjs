#!/usr/bin/env node
// `npm run test:repeat -- <runs> [--suite unit|e2e|queue|install] [--with-load] [jest arguments...]`: runs
// one suite several times in a row, and reports each run's time and every failed test by name.
// Randomized tests put their seed in their names (FUZZ_SEED, FAULT_SEED), so a failure printed here
// can be replayed: `FUZZ_SEED=<seed> npx jest test/reliability/trigger-fuzz.test.ts`.
//
//   npm run test:repeat -- 10                                  npm test, ten times
//   npm run test:repeat -- 5 test/reliability/trigger-fuzz     one file, five times
//   npm run test:repeat -- 3 --with-load                       with a process keeping one core busy
//   npm run test:repeat -- 3 --suite e2e                       npm run test:e2e, three times
//
// --with-load starts one busy-looping process beside the runs (as another build or test on a shared
// machine would) and stops it by PID at the end. Exits non-zero when any run failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_DIR } from '../test/harness/n8n-instance.mjs';

const SUITES = {
	unit: (resultsDir, extra) => ['npm', ['test', '--', '--json', `--outputFile=${join(resultsDir, 'unit.json')}`, ...extra]],
	e2e: (_resultsDir, extra) => ['npm', ['run', 'test:e2e', ...(extra.length ? ['--', ...extra] : [])]],
	queue: (_resultsDir, extra) => ['npm', ['run', 'test:queue', ...(extra.length ? ['--', ...extra] : [])]],
	install: (_resultsDir, extra) => ['npm', ['run', 'test:install', ...(extra.length ? ['--', ...extra] : [])]],
};

function parseArguments(argv) {
	const [count, ...rest] = argv;
	const runs = Number(count);
	if (!Number.isInteger(runs) || runs < 1) {
		console.error('usage: npm run test:repeat -- <runs> [--suite unit|e2e|queue|install] [--with-load] [jest arguments...]');
		process.exit(2);
	}
	let suite = 'unit';
	let withLoad = false;
	const extra = [];
	for (let index = 0; index < rest.length; index++) {
		if (rest[index] === '--suite') suite = rest[++index];
		else if (rest[index] === '--with-load') withLoad = true;
		else extra.push(rest[index]);
	}
	if (!SUITES[suite]) {
		console.error(`unknown suite "${suite}": ${Object.keys(SUITES).join(', ')}`);
		process.exit(2);
	}
	return { runs, suite, withLoad, extra };
}

/** One core kept busy by a child that only loops; stopped by its PID. */
function startLoad() {
	const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
	console.log(`[repeat] load: a busy loop as pid ${child.pid}`);
	return child;
}

/** Every failed test in the jest result files of a run, by its full name (which carries its seed). */
function failuresIn(resultsDir) {
	const failures = [];
	for (const file of readdirSync(resultsDir).filter((name) => name.endsWith('.json'))) {
		let result;
		try {
			result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
		} catch {
			failures.push(`${file}: unreadable results`);
			continue;
		}
		for (const suite of result.testResults ?? []) {
			if (suite.status === 'failed' && (suite.assertionResults ?? []).every((test) => test.status !== 'failed')) {
				failures.push(`${suite.name.replace(`${PROJECT_DIR}/`, '')}: ${(suite.message ?? '').split('\n').find((line) => line.trim()) ?? 'failed to run'}`);
			}
			for (const test of suite.assertionResults ?? []) {
				if (test.status === 'failed') failures.push(`${suite.name.replace(`${PROJECT_DIR}/`, '')}: ${test.fullName}`);
			}
		}
	}
	return failures;
}

async function runOnce(suite, extra) {
	const resultsDir = mkdtempSync(join(tmpdir(), 'slack-webhooks-repeat-'));
	const [command, args] = SUITES[suite](resultsDir, extra);
	const started = Date.now();
	const child = spawn(command, args, { cwd: PROJECT_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TEST_RESULTS_DIR: resultsDir } });
	const code = await new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
	const failures = failuresIn(resultsDir);
	rmSync(resultsDir, { recursive: true, force: true });
	if (code !== 0 && failures.length === 0) failures.push(`${command} ${args.join(' ')} exited with ${code}`);
	return { seconds: (Date.now() - started) / 1000, failures };
}

const { runs, suite, withLoad, extra } = parseArguments(process.argv.slice(2));
const load = withLoad ? startLoad() : undefined;
const stopLoad = () => {
	if (load && load.exitCode === null && load.signalCode === null) process.kill(load.pid, 'SIGKILL');
};
process.on('exit', stopLoad);
process.on('SIGINT', () => process.exit(130));

const report = [];
for (let run = 1; run <= runs; run++) {
	console.log(`[repeat] run ${run} of ${runs}: ${suite}${extra.length ? ` ${extra.join(' ')}` : ''}${withLoad ? ', with load' : ''}`);
	const outcome = await runOnce(suite, extra);
	report.push(outcome);
	console.log(`[repeat] run ${run}: ${outcome.failures.length === 0 ? 'passed' : `${outcome.failures.length} failed`} in ${outcome.seconds.toFixed(0)} s`);
}
stopLoad();

console.log(`\n[repeat] ${suite}, ${runs} runs${withLoad ? ' with load' : ''}:`);
report.forEach(({ seconds, failures }, index) => {
	console.log(`  run ${index + 1}: ${failures.length === 0 ? 'passed' : 'FAILED'} (${seconds.toFixed(0)} s)`);
	for (const failure of failures) console.log(`    ${failure}`);
});
const failedRuns = report.filter(({ failures }) => failures.length > 0).length;
console.log(`[repeat] ${runs - failedRuns} of ${runs} runs passed`);
process.exit(failedRuns > 0 ? 1 : 0);
