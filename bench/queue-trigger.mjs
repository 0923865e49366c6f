#!/usr/bin/env node
// The trigger's throughput in n8n queue mode (DEFAULT_N8N_VERSION) with one webhook process and with two, beside
// one n8n in regular mode (a single process, SQLite), all with the recommended setting
// (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true): first the single process, then one set of processes
// (test/harness/queue/cluster.mjs: PostgreSQL, Redis, main, two webhook processes, two workers), the
// same form posts sent to one webhook process only, then spread over both; filtered messages
// (no trigger word) and matching ones. Run: `node bench/queue-trigger.mjs` (about 15 minutes;
// not part of `npm run bench`).
//
// BENCH_QUEUE_REQUESTS (default 1,000 per case), BENCH_QUEUE_CLIENTS (default 32) and
// BENCH_CASE_SECONDS (default 30) size it.
import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, FAST_TRIGGER_SETTINGS, waitForWebhook } from '../test/harness/n8n-instance.mjs';
import { startQueueCluster } from '../test/harness/queue/cluster.mjs';
import { load, ourTrigger, TOKEN, withN8n, workflow } from './n8n.mjs';

const REQUESTS = Number(process.env.BENCH_QUEUE_REQUESTS ?? 1_000);
const CLIENTS = Number(process.env.BENCH_QUEUE_CLIENTS ?? 32);
const PATH = '/webhook/bench-queue/slack';
const say = (message) => console.log(`[bench:queue] ${message}`);
const CREDENTIALS = [{ id: 'benchOutgoing001', name: 'Bench', type: 'slackWebhooksOutgoingApi', data: { token: TOKEN } }];
const WORKFLOWS = [
	workflow('benchQueueTrig01', 'Bench: this trigger in queue mode', [ourTrigger('bench-queue', { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' })]),
];

const rows = [];
/** Filtered, then matching messages to `origins`; each row also says what one process answered. */
async function measure(setup, origins) {
	for (const [caseName, matching] of [['filtered', false], ['matching', true]]) {
		await load(origins, PATH, CLIENTS, 50, matching);
		const result = await load(origins, PATH, CLIENTS, REQUESTS, matching);
		const perProcess = result.perSecond / origins.length;
		rows.push(`| ${setup} | ${caseName} | ${CLIENTS} | ${result.requests} | ${result.perSecond.toFixed(1)} | ${perProcess.toFixed(1)} | ${result.p50.toFixed(0)} | ${result.p99.toFixed(0)} | ${result.failures} |`);
		say(`${setup}, ${caseName}: ${result.perSecond.toFixed(1)} requests/s (${perProcess.toFixed(1)} per webhook process), p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, ${result.failures} not 200`);
	}
}

const tarball = buildAndPack();
await withN8n(ensureN8n(DEFAULT_N8N_VERSION), tarball, WORKFLOWS, CREDENTIALS, [PATH], async (origin) => await measure('regular mode, one process (SQLite)', [origin]), FAST_TRIGGER_SETTINGS);

const cluster = await startQueueCluster({ version: DEFAULT_N8N_VERSION, tarball, credentials: CREDENTIALS, workflows: WORKFLOWS, say });
process.on('SIGINT', () => void cluster.stop().then(() => process.exit(130)));
try {
	for (const origin of cluster.webhookOrigins) await waitForWebhook(origin, PATH);
	await measure('queue mode, one webhook process', cluster.webhookOrigins.slice(0, 1));
	await measure('queue mode, two webhook processes', cluster.webhookOrigins);
} finally {
	await cluster.stop();
}
console.log(
	[
		'| Setup | Messages | Clients | Requests | Requests/s | Requests/s per webhook process | p50 ms | p99 ms | Non-200 |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
	].join('\n'),
);
