#!/usr/bin/env node
// The trigger's throughput in n8n queue mode (DEFAULT_N8N_VERSION) with one webhook process and with two: one
// set of processes (test/harness/queue/cluster.mjs: PostgreSQL, Redis, main, two webhook processes, two
// workers), the same matching form posts sent first to one webhook process only, then spread over
// both. Run: `node bench/queue-trigger.mjs` (about 10 minutes; not part of `npm run bench`).
//
// BENCH_QUEUE_REQUESTS (default 1,000 per case) and BENCH_QUEUE_CLIENTS (default 32) size it.
import { DEFAULT_N8N_VERSION } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, waitForWebhook } from '../test/harness/n8n-instance.mjs';
import { startQueueCluster } from '../test/harness/queue/cluster.mjs';
import { load, ourTrigger, TOKEN, workflow } from './n8n.mjs';

const REQUESTS = Number(process.env.BENCH_QUEUE_REQUESTS ?? 1_000);
const CLIENTS = Number(process.env.BENCH_QUEUE_CLIENTS ?? 32);
const PATH = '/webhook/bench-queue/slack';
const say = (message) => console.log(`[bench:queue] ${message}`);

const cluster = await startQueueCluster({
	version: DEFAULT_N8N_VERSION,
	tarball: buildAndPack(),
	credentials: [{ id: 'benchOutgoing001', name: 'Bench', type: 'slackWebhooksOutgoingApi', data: { token: TOKEN } }],
	workflows: [workflow('benchQueueTrig01', 'Bench: this trigger in queue mode', [ourTrigger('bench-queue', { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' })])],
	say,
});
process.on('SIGINT', () => void cluster.stop().then(() => process.exit(130)));

const rows = [];
try {
	for (const origin of cluster.webhookOrigins) await waitForWebhook(origin, PATH);
	for (const [name, origins] of [
		['one webhook process', cluster.webhookOrigins.slice(0, 1)],
		['two webhook processes', cluster.webhookOrigins],
	]) {
		await load(origins, PATH, CLIENTS, 50, true);
		const result = await load(origins, PATH, CLIENTS, REQUESTS, true);
		rows.push(`| ${name} | ${CLIENTS} | ${result.requests} | ${result.perSecond.toFixed(1)} | ${result.p50.toFixed(0)} | ${result.p99.toFixed(0)} | ${result.failures} |`);
		say(`${name}: ${result.perSecond.toFixed(1)} requests/s, p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, ${result.failures} not 200`);
	}
} finally {
	await cluster.stop();
}
console.log(['| Webhook processes | Clients | Requests | Requests/s | p50 ms | p99 ms | Non-200 |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n'));
