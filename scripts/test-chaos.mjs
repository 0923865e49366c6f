#!/usr/bin/env node
// `npm run test:chaos`: n8n (DEFAULT_N8N_VERSION) in queue mode, as for `npm run test:queue`
// (PostgreSQL, Redis, main, two webhook processes, two workers), with the chaos suite's workflows
// (test/harness/fixtures/chaos.mjs); then test/chaos's fault cases, which send Slack's mixed load
// and ask this script, over a control server on 127.0.0.1, to kill and start processes and to
// restart Redis and PostgreSQL. Every process is stopped by its PID at the end. Prints the figures
// of each fault and `N passed, N failed`; exits non-zero when a case failed.
//
// Arguments go to jest (`npm run test:chaos -- -t 'worker'` runs one case after the calm one).
// CHAOS_SEED replays the routing of a run; CHAOS_FIGURES_FILE says where the figures' JSON goes;
// CHAOS_PACKAGE=<a packed .tgz> measures that package instead of this tree (another release, to
// compare figures); QUEUE_KEEP_FOLDER=1 keeps logs and user folders.
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CHAOS, CHAOS_WEBHOOK_PATHS, chaosCredentials, chaosWorkflows } from '../test/harness/fixtures/chaos.mjs';
import { DEFAULT_N8N_VERSION } from '../test/harness/n8n-runtime.mjs';
import { runJest } from '../test/harness/jest-run.mjs';
import { buildAndPack, freePort, waitForWebhook } from '../test/harness/n8n-instance.mjs';
import { startQueueCluster } from '../test/harness/queue/cluster.mjs';

const say = (message) => console.log(`[chaos] ${message}`);
const started = Date.now();
const version = process.env.QUEUE_N8N_VERSION ?? DEFAULT_N8N_VERSION;

let cluster;
let control;
let jest;
let passed = 0;
let failed = 0;
let stopping = false;
const stopAndExit = async (code) => {
	if (stopping) return;
	stopping = true;
	if (jest && jest.exitCode === null) jest.kill('SIGTERM');
	control?.close();
	await cluster?.stop();
	say(`done after ${Math.round((Date.now() - started) / 1000)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(code);
};
process.on('SIGINT', () => stopAndExit(130));
process.on('SIGTERM', () => stopAndExit(143));

/** A webhook process is ready when it has registered every trigger's webhook again, not at /healthz. */
async function startAndWaitForWebhooks(name) {
	await cluster.startProcess(name);
	const record = cluster.processes.find((candidate) => candidate.name === name);
	if (record.role !== 'webhook') return;
	for (const path of CHAOS_WEBHOOK_PATHS) await waitForWebhook(`http://127.0.0.1:${record.port}`, path);
}

/**
 * What the fault cases may ask, each answered once done: POST /stop/<process> (SIGTERM),
 * /kill/<process> (SIGKILL), /start/<process>, /restart-redis, /restart-postgres; GET /processes
 * (which n8n processes are running). Loopback only.
 */
const actions = {
	stop: (name) => cluster.stopProcess(name),
	kill: (name) => cluster.killProcess(name),
	start: (name) => startAndWaitForWebhooks(name),
	'restart-redis': () => cluster.restartRedis(),
	'restart-postgres': () => cluster.restartPostgres(),
};

function startControlServer() {
	const server = createServer(async (request, response) => {
		const [, action, name] = (request.url ?? '').split('/');
		const answer = (status, body) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		if (request.method === 'GET' && action === 'processes') {
			return answer(200, cluster.processes.map(({ name: processName, role, pid, child }) => ({ name: processName, role, pid, running: child.exitCode === null && child.signalCode === null })));
		}
		if (request.method !== 'POST' || !actions[action]) return answer(404, { error: `unknown action ${request.method} ${request.url}` });
		const begun = Date.now();
		try {
			await actions[action](name);
			answer(200, { ms: Date.now() - begun });
		} catch (error) {
			answer(500, { error: error.message });
		}
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

try {
	const tarball = process.env.CHAOS_PACKAGE ?? (say('building and packing the package'), buildAndPack());
	if (process.env.CHAOS_PACKAGE) say(`measuring the package ${tarball}`);
	const slackPort = await freePort();
	cluster = await startQueueCluster({
		version,
		tarball,
		credentials: ({ redisPort }) => chaosCredentials({ slackPort, redisPort }),
		workflows: chaosWorkflows(),
		say,
	});
	for (const origin of cluster.webhookOrigins) for (const path of CHAOS_WEBHOOK_PATHS) await waitForWebhook(origin, path);
	control = await startControlServer();
	say(`ready after ${Math.round((Date.now() - started) / 1000)} s; running test/chaos`);

	const resultsDir = process.env.TEST_RESULTS_DIR ?? mkdtempSync(join(tmpdir(), 'slack-webhooks-chaos-results-'));
	const resultsFile = join(resultsDir, `chaos-${version}.json`);
	const workers = cluster.processes.filter(({ role }) => role === 'worker');
	// jest runs beside this process, which serves the cases' control server meanwhile.
	const run = runJest({
		config: 'test/chaos/jest.config.js',
		resultsFile,
		env: {
			CHAOS_CONTROL_URL: `http://127.0.0.1:${control.address().port}`,
			CHAOS_FIXTURES: JSON.stringify(CHAOS),
			CHAOS_FIGURES_FILE: process.env.CHAOS_FIGURES_FILE ?? join(mkdtempSync(join(tmpdir(), 'slack-webhooks-chaos-figures-')), 'chaos-figures.json'),
			QUEUE_WEBHOOK_ORIGINS: JSON.stringify(cluster.webhookOrigins),
			QUEUE_SLACK_PORT: String(slackPort),
			QUEUE_POSTGRES: JSON.stringify(cluster.postgres),
			QUEUE_WORKER_LOGS: JSON.stringify(workers.map(({ name, logFile }) => ({ name, logFile }))),
		},
	});
	jest = run.child;
	const counts = await run.counts;
	({ passed, failed } = counts);
	if (counts.noResults) say('jest wrote no results');
} catch (error) {
	say(`could not run: ${error.stack ?? error.message}`);
	failed = Math.max(failed, 1);
}
await stopAndExit(failed > 0 ? 1 : 0);
