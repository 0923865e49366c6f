/**
 * Benchmarks 1 and 2: delivery through this package's node (run by n8n-core) side by side with
 * what users would use instead, against a Slack-compatible server on 127.0.0.1, in one run.
 * Bounded: N messages per contestant (BENCH_MESSAGES, default 2,000), loopback only.
 */
import { IncomingWebhook } from '@slack/webhook';
import { createRequire } from 'node:module';
import { Pool } from 'undici';

import { registerNodeType, runNode } from '../test/helpers/n8n-harness';
import { SlackWebhookServer } from '../test/helpers/slack-webhook-server';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2_000);
const RATE_LIMITED_MESSAGES = Number(process.env.BENCH_RATE_LIMITED_MESSAGES ?? 300);
const CONCURRENCY = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HTTP_REQUEST = 'n8n-nodes-base.httpRequest';

export interface DeliveryRow {
	contestant: string;
	latencyMs: number;
	concurrency: string;
	messagesPerSecond: number;
	ratioToRawUndici: number;
	delivered: number;
}

export interface RateLimitedRow {
	contestant: string;
	delivered: number;
	lost: number;
	duplicated: number;
	answered429: number;
	seconds: number;
	ratioToLeastTime: number;
	inOrder: boolean;
}

/** n8n-nodes-base comes from the n8n runtime that the end-to-end suite installs. */
export function loadHttpRequestNode(nodeModules: string): void {
	const require = createRequire(`${nodeModules}/`);
	const { HttpRequest } = require('n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node.js');
	registerNodeType(HTTP_REQUEST, new HttpRequest());
}

const items = (count: number) => Array.from({ length: count }, (_, n) => ({ json: { n } }));

async function seconds(run: () => Promise<unknown>): Promise<number> {
	const started = performance.now();
	await run();
	return (performance.now() - started) / 1000;
}

const ourNode = (url: string, count: number, ordered: boolean) =>
	runNode({
		parameters: { text: '={{ String($json.n) }}', options: { orderedDelivery: ordered, concurrency: CONCURRENCY, maxRateLimitWait: 600 } },
		credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: url } },
		items: items(count),
	}).then((result) => {
		if (result.error) throw new Error(`node failed: ${result.error.message}`);
	});

const httpRequestNode = (url: string, count: number, settings: { retryOnFail?: boolean; maxTries?: number; waitBetweenTries?: number } = {}) =>
	runNode({
		type: HTTP_REQUEST,
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url,
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ text: String($json.n) }) }}',
			options: {},
		},
		items: items(count),
		settings,
		// Retry On Fail acts only when the node fails; with Continue On Fail it would never retry.
		continueOnFail: !settings.retryOnFail,
	});

async function rawUndici(url: string, count: number, concurrency: number): Promise<void> {
	const target = new URL(url);
	const pool = new Pool(target.origin, { connections: concurrency });
	let next = 0;
	const worker = async () => {
		for (let n = next++; n < count; n = next++) {
			const response = await pool.request({
				path: target.pathname,
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ text: String(n) }),
			});
			await response.body.text();
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	await pool.close();
}

async function slackSdk(url: string, count: number, concurrency: number): Promise<{ failed: number }> {
	const webhook = new IncomingWebhook(url);
	let next = 0;
	let failed = 0;
	const worker = async () => {
		for (let n = next++; n < count; n = next++) {
			await webhook.send({ text: String(n) }).catch(() => failed++);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { failed };
}

export async function benchmarkDelivery(withHttpRequestNode: boolean): Promise<DeliveryRow[]> {
	const server = await new SlackWebhookServer().start();
	const rows: DeliveryRow[] = [];
	try {
		for (const latencyMs of [0, 20]) {
			// Each contestant runs once untimed (JIT, connection pools), then the median of RUNS timed runs counts.
			const measure = async (contestant: string, concurrency: string, count: number, run: () => Promise<unknown>) => {
				const timings: number[] = [];
				let delivered = 0;
				for (let round = 0; round <= RUNS; round++) {
					server.reset();
					server.respondWith(() => ({ reply: 200, body: 'ok', delayMs: latencyMs }));
					const elapsed = await seconds(run);
					if (round > 0) timings.push(elapsed);
					delivered = new Set(server.posted.map((r) => r.json?.text)).size;
				}
				const median = timings.sort((a, b) => a - b)[Math.floor(timings.length / 2)];
				return { contestant, latencyMs, concurrency, messagesPerSecond: count / median, ratioToRawUndici: 0, delivered };
			};
			// Fewer messages one at a time at 20 ms latency: 2,000 x 20 ms would be 40 s a run.
			const sequentialCount = latencyMs === 0 ? MESSAGES : Math.min(MESSAGES, 250);
			const group = async (concurrency: number, count: number, entries: Array<[string, () => Promise<unknown>]>) => {
				const raw = await measure('raw undici, keep-alive pool (the limit)', String(concurrency), count, () => rawUndici(server.url, count, concurrency));
				const measured = [raw];
				for (const [name, run] of entries) measured.push(await measure(name, String(concurrency), count, run));
				for (const row of measured) row.ratioToRawUndici = row.messagesPerSecond / raw.messagesPerSecond;
				rows.push(...measured);
			};
			await group(1, sequentialCount, [
				['this node, ordered (n8n-core)', () => ourNode(server.url, sequentialCount, true)],
				['@slack/webhook, one at a time', () => slackSdk(server.url, sequentialCount, 1)],
			]);
			await group(CONCURRENCY, MESSAGES, [
				[`this node, unordered (n8n-core)`, () => ourNode(server.url, MESSAGES, false)],
				[`@slack/webhook, ${CONCURRENCY} at a time`, () => slackSdk(server.url, MESSAGES, CONCURRENCY)],
			]);
			if (withHttpRequestNode) {
				const raw = rows.find((row) => row.latencyMs === latencyMs && row.concurrency === String(CONCURRENCY))!;
				const row = await measure("n8n's HTTP Request node (n8n-core; its own concurrency)", 'all items', MESSAGES, () => httpRequestNode(server.url, MESSAGES));
				row.ratioToRawUndici = row.messagesPerSecond / raw.messagesPerSecond;
				rows.push(row);
			}
		}
	} finally {
		await server.stop();
	}
	return rows;
}

/** A server that allows `rate` messages per second with bursts of `burst`, and answers 429 beyond. */
export async function benchmarkRateLimited(withHttpRequestNode: boolean, rate = 20, burst = 10): Promise<RateLimitedRow[]> {
	const server = await new SlackWebhookServer().start();
	const count = RATE_LIMITED_MESSAGES;
	const leastSeconds = (count - burst) / rate;
	const rows: RateLimitedRow[] = [];
	const measure = async (contestant: string, run: () => Promise<unknown>) => {
		server.reset();
		server.limitTo(rate, burst);
		const elapsed = await seconds(run);
		const texts = server.posted.map((request) => Number(request.json?.text));
		const unique = new Set(texts);
		rows.push({
			contestant,
			delivered: unique.size,
			lost: count - unique.size,
			duplicated: texts.length - unique.size,
			answered429: server.rateLimited,
			seconds: elapsed,
			ratioToLeastTime: elapsed / leastSeconds,
			inOrder: texts.every((value, index) => index === 0 || value > texts[index - 1]),
		});
	};
	try {
		await measure('this node, ordered', () => ourNode(server.url, count, true));
		await measure(`this node, unordered (${CONCURRENCY})`, () => ourNode(server.url, count, false));
		await measure('@slack/webhook, one at a time', () => slackSdk(server.url, count, 1));
		if (withHttpRequestNode) {
			await measure("HTTP Request node, Retry On Fail (5 tries, 1 s apart)", () =>
				httpRequestNode(server.url, count, { retryOnFail: true, maxTries: 5, waitBetweenTries: 1000 }),
			);
		}
	} finally {
		await server.stop();
	}
	return rows;
}

export interface SharedPaceRow {
	executions: number;
	gate: string;
	delivered: number;
	lost: number;
	duplicated: number;
	answered429: number;
	pacedLocally: number;
	seconds: number;
	ratioToLeastTime: number;
}

const SHARED_PACE_MESSAGES = Number(process.env.BENCH_SHARED_PACE_MESSAGES ?? 100);

/**
 * Benchmark 2b: one webhook that allows exactly 1 message per second (burst 1, 429 with
 * Retry-After: 1 beyond), SHARED_PACE_MESSAGES messages in all, sent by 1 execution (the
 * in-process gate) or split among 2 and 20 concurrent executions sharing the pace through a real
 * redis-server. Least possible time: (N - 1) s. About 6 minutes with the default 100 messages.
 */
export async function benchmarkSharedPace(executionCounts = [1, 2, 20]): Promise<SharedPaceRow[]> {
	const { RedisServer } = await import('../test/helpers/redis-server');
	const server = await new SlackWebhookServer().start();
	const redis = await new RedisServer().start();
	const rows: SharedPaceRow[] = [];
	try {
		for (const executions of executionCounts) {
			server.reset();
			server.limitTo(1, 1);
			const shared = executions > 1;
			// A webhook of its own per row: the pace learned by one row must not help the next.
			const url = `${server.url}?row=${executions}`;
			const perExecution = Math.ceil(SHARED_PACE_MESSAGES / executions);
			const runs: Array<Awaited<ReturnType<typeof runNode>>> = [];
			const elapsed = await seconds(async () => {
				runs.push(
					...(await Promise.all(
						Array.from({ length: executions }, (_, execution) =>
							runNode({
								parameters: { text: '={{ String($json.n) }}', shareThroughRedis: shared, options: { maxRateLimitWait: 900 } },
								credentials: {
									slackWebhooksIncomingUrlApi: { webhookUrl: url },
									...(shared && { redis: { host: '127.0.0.1', port: redis.port, database: 0, user: '', password: '', ssl: false } }),
								},
								items: items(perExecution).map((item) => ({ json: { n: execution * perExecution + item.json.n } })),
							}),
						),
					)),
				);
			});
			const texts = server.posted.map((request) => Number(request.json?.text));
			const unique = new Set(texts);
			const total = perExecution * executions;
			rows.push({
				executions,
				gate: shared ? 'shared (Redis)' : 'in-process',
				delivered: unique.size,
				lost: total - unique.size,
				duplicated: texts.length - unique.size,
				answered429: server.rateLimited,
				pacedLocally: runs.flatMap((run) => run.output ?? []).filter((item) => item.json.rateGate === 'local (Redis unreachable)').length,
				seconds: elapsed,
				ratioToLeastTime: elapsed / (total - 1),
			});
			console.log(`[bench] shared pace, ${executions} execution(s): ${JSON.stringify(rows[rows.length - 1])}`);
		}
	} finally {
		await server.stop();
		await redis.stop();
		const { closeRedisClients } = await import('../nodes/shared/state/redis');
		await closeRedisClients();
	}
	return rows;
}
