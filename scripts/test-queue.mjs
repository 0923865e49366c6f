#!/usr/bin/env node
// `npm run test:queue`: n8n (DEFAULT_N8N_VERSION) in queue mode (PostgreSQL, Redis, main, two webhook processes,
// two workers; see test/harness/queue/cluster.mjs) with the packed package installed in every process,
// then test/queue against the real processes, then everything stopped by PID. Prints
// `N passed, N failed` and exits non-zero when a test failed or the processes would not start.
//
// Arguments go to jest (`npm run test:queue -- -t '(f)'` runs one case).
// QUEUE_LOAD_REQUESTS sizes case (d) (default 10,000). QUEUE_KEEP_FOLDER=1 keeps logs and folders.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { QUEUE, queueCredentials, queueWorkflows, REUSED_WORKFLOWS, WEBHOOK_PATHS } from '../test/harness/fixtures/queue.mjs';
import { DEFAULT_N8N_VERSION } from '../test/harness/n8n-runtime.mjs';
import { runJest } from '../test/harness/jest-run.mjs';
import { buildAndPack, freePort, waitForWebhook } from '../test/harness/n8n-instance.mjs';
import { startQueueCluster } from '../test/harness/queue/cluster.mjs';

const say = (message) => console.log(`[queue] ${message}`);
const started = Date.now();
const version = process.env.QUEUE_N8N_VERSION ?? DEFAULT_N8N_VERSION;

let cluster;
let jest;
let stopping = false;
const stopAndExit = async (code) => {
	if (stopping) return;
	stopping = true;
	if (jest && jest.exitCode === null) jest.kill('SIGTERM');
	await cluster?.stop();
	say(`done after ${Math.round((Date.now() - started) / 1000)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(code);
};
let passed = 0;
let failed = 0;
process.on('SIGINT', () => stopAndExit(130));
process.on('SIGTERM', () => stopAndExit(143));

try {
	say('building and packing the package');
	const tarball = buildAndPack();
	const [slackPort, gateRedisPort, socketPort] = [await freePort(), await freePort(), await freePort()];
	cluster = await startQueueCluster({
		version,
		tarball,
		credentials: ({ redisPort }) => queueCredentials({ slackPort, redisPort, gateRedisPort, socketPort }),
		workflows: queueWorkflows(),
		say,
	});
	for (const origin of cluster.webhookOrigins) for (const path of WEBHOOK_PATHS) await waitForWebhook(origin, path);
	say(`ready after ${Math.round((Date.now() - started) / 1000)} s; running test/queue`);

	// TEST_RESULTS_DIR (set by .ci/run) collects jest's JSON results for CI's summary line.
	const resultsFile = join(process.env.TEST_RESULTS_DIR ?? mkdtempSync(join(tmpdir(), 'slack-webhooks-queue-results-')), `queue-${version}.json`);
	const workers = cluster.processes.filter(({ role }) => role === 'worker');
	const run = runJest({
		config: 'test/queue/jest.config.js',
		resultsFile,
		env: {
			QUEUE_N8N_VERSION: version,
			QUEUE_WEBHOOK_ORIGINS: JSON.stringify(cluster.webhookOrigins),
			QUEUE_MAIN_ORIGIN: cluster.mainOrigin,
			QUEUE_SLACK_PORT: String(slackPort),
			QUEUE_SOCKET_PORT: String(socketPort),
			QUEUE_GATE_REDIS_PORT: String(gateRedisPort),
			QUEUE_POSTGRES: JSON.stringify(cluster.postgres),
			QUEUE_WORKER_LOGS: JSON.stringify(workers.map(({ logFile }) => logFile)),
			QUEUE_MAIN_LOG: cluster.processes.find(({ role }) => role === 'start').logFile,
			QUEUE_FIXTURES: JSON.stringify({ QUEUE, REUSED_WORKFLOWS }),
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
