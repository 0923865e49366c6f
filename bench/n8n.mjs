// Benchmarks 3 and 4, against a real n8n (the end-to-end runtime) with the packed package
// installed as a community package. Loopback only; every case is bounded in requests and time.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseQuery } from 'node:querystring';

import { Pool } from 'undici';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import { patchedRuntime } from './patched-n8n.mjs';
import {
	FAST_TRIGGER_SETTINGS,
	freePort,
	loopbackOnlySettings,
	n8nEnvironment,
	packPackage,
	startN8nWithPackage,
	stopN8n,
	waitForHealthy,
	waitForWebhook,
} from '../test/harness/n8n-instance.mjs';

export const TOKEN = 'bench-token-not-real';
const REQUESTS = { 1: Number(process.env.BENCH_TRIGGER_REQUESTS_1 ?? 300), 32: Number(process.env.BENCH_TRIGGER_REQUESTS_32 ?? 1_500) };
const CASE_TIME_LIMIT_MS = Number(process.env.BENCH_CASE_SECONDS ?? 12) * 1000;
/** Each contestant is warmed up with this many requests, or for this long, whichever ends first. */
const WARM_UP = { requests: 50, ms: 3_000 };
export const TRIGGER_REQUESTS_NOTE = `${REQUESTS[1]} requests with 1 client and ${REQUESTS[32]} with 32, or ${CASE_TIME_LIMIT_MS / 1000} s, whichever ends first, after a warm-up of ${WARM_UP.requests} requests or ${WARM_UP.ms / 1000} s`;
/**
 * Benchmark 3 runs with n8n as it comes, with the settings docs/performance.md recommends, with n8n's
 * compile cache for isolates on top of them (as n8n's own benchmark profiles pair them), with n8n's
 * defaults on an n8n patched as docs/n8n-upstream proposes, and on the tested n8n 1.x with its
 * defaults: each in a fresh n8n. `version` is DEFAULT_N8N_VERSION unless given; `cases` limits a
 * block to the cases it is there for (the patch and n8n 1.x are about the webhook phase, which cases
 * a and b show), and type version 1 is measured where it still matters, the first two blocks.
 * "compile cache" alone runs only when asked for. BENCH_TRIGGER_SETTINGS=<name>,<name> runs only those.
 */
const COMPILE_CACHE = { N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true' };
const WEBHOOK_PHASE_CASES = ['a', 'b'];
const ALL_TRIGGER_BENCH_SETTINGS = [
	{ settings: 'n8n defaults', env: {}, version1: true },
	{ settings: 'recommended', env: FAST_TRIGGER_SETTINGS, version1: true },
	{ settings: 'compile cache', env: COMPILE_CACHE, onlyWhenAsked: true },
	{ settings: 'compile cache + lazy', env: { ...COMPILE_CACHE, ...FAST_TRIGGER_SETTINGS } },
	{ settings: 'n8n defaults, n8n patched', env: {}, patched: true, cases: WEBHOOK_PHASE_CASES },
	{ settings: 'n8n 1.123.81 defaults', env: {}, version: '1.123.81', cases: WEBHOOK_PHASE_CASES },
];
/** BENCH_TRIGGER_SETTINGS="n8n defaults,recommended" runs only those blocks. */
const SETTINGS_WANTED = process.env.BENCH_TRIGGER_SETTINGS?.split(',').map((name) => name.trim());
export const TRIGGER_BENCH_SETTINGS = ALL_TRIGGER_BENCH_SETTINGS.filter(({ settings, onlyWhenAsked }) => (SETTINGS_WANTED ? SETTINGS_WANTED.includes(settings) : !onlyWhenAsked));
/** BENCH_TRIGGER_CASES=f,g measures only those cases (by letter) in every block that has them. */
const CASES_WANTED = process.env.BENCH_TRIGGER_CASES?.split(',').map((letter) => letter.trim());
/** BENCH_TRIGGER_SKIP_VERSION_1=1 leaves out the type version 1 contestant (the slowest to measure). */
const SKIP_VERSION_1 = Boolean(process.env.BENCH_TRIGGER_SKIP_VERSION_1);
const MEMORY_ITEMS = Number(process.env.BENCH_MEMORY_ITEMS ?? 10_000);


const node = (id, name, type, typeVersion, position, parameters, extra = {}) => ({ id, name, type, typeVersion, position, parameters, ...extra });
export const ourTrigger = (webhookId, parameters, typeVersion = 2) =>
	node(`${webhookId}-t`, 'Trigger', 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger', typeVersion, [0, 0], parameters, {
		webhookId,
		credentials: { slackWebhooksOutgoingApi: { id: 'benchOutgoing001', name: 'Bench' } },
	});
const setReply = (id) =>
	node(id, 'Set Reply', 'n8n-nodes-base.set', 3.4, [200, 0], {
		assignments: { assignments: [{ id: `${id}-a`, name: 'text', value: 'African or European?', type: 'string' }] },
		options: {},
	});
const noOp = (id) => node(id, 'Done', 'n8n-nodes-base.noOp', 1, [400, 0], {});
const webhook = (id, path, responseMode) =>
	node(id, 'Webhook', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path, responseMode, options: {} }, { webhookId: path });
const ifMatches = (id) =>
	node(id, 'If Token And Trigger Word', 'n8n-nodes-base.if', 2.2, [200, 0], {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [
				{ id: `${id}-1`, leftValue: '={{ $json.body.token }}', rightValue: TOKEN, operator: { type: 'string', operation: 'equals' } },
				{ id: `${id}-2`, leftValue: '={{ $json.body.text }}', rightValue: 'googlebot:', operator: { type: 'string', operation: 'startsWith' } },
			],
			combinator: 'and',
		},
		options: {},
	});
const respond = (id, name, parameters, position) => node(id, name, 'n8n-nodes-base.respondToWebhook', 1.1, position, parameters);
const links = (pairs) => {
	const connections = {};
	for (const [from, to, output = 0] of pairs) {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push({ node: to, type: 'main', index: 0 });
	}
	return connections;
};
export const workflow = (id, name, nodes, connections = {}) => ({ id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} });

export function triggerWorkflows() {
	const immediate = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' };
	return [
		workflow('benchOurImmediat', 'Bench: this trigger, immediate reply', [ourTrigger('bench-our-immediate', immediate)]),
		workflow('benchOurVerify01', 'Bench: this trigger, Verify Before Filtering, immediate reply', [
			ourTrigger('bench-our-verify-first', { ...immediate, options: { verifyBeforeFiltering: true } }),
		]),
		// The floor: n8n's Webhook node with no checks at all, answering as soon as the execution exists.
		workflow('benchWebhookOnly', "Bench: n8n's Webhook alone, answering immediately", [webhook('bench-wh-only', 'bench-webhook-only', 'onReceived')]),
		workflow('benchOurImmedV01', 'Bench: this trigger (type version 1), immediate reply', [ourTrigger('bench-our-immediate-v1', immediate, 1)]),
		workflow(
			'benchOurLastNode',
			'Bench: this trigger, reply from the last of 3 nodes',
			[ourTrigger('bench-our-last', { triggerWords: 'googlebot:', respond: 'lastNode' }), setReply('bench-our-set'), noOp('bench-our-noop')],
			links([['Trigger', 'Set Reply'], ['Set Reply', 'Done']]),
		),
		workflow(
			'benchWebhookIf01',
			"Bench: n8n's Webhook, IF, Respond to Webhook",
			[
				webhook('bench-wh-if', 'bench-webhook-if', 'responseNode'),
				ifMatches('bench-wh-if-if'),
				respond('bench-wh-if-yes', 'Reply', { respondWith: 'json', responseBody: '={"text": "African or European?"}', options: {} }, [400, -100]),
				respond('bench-wh-if-no', 'No Reply', { respondWith: 'noData', options: {} }, [400, 100]),
			],
			links([['Webhook', 'If Token And Trigger Word'], ['If Token And Trigger Word', 'Reply', 0], ['If Token And Trigger Word', 'No Reply', 1]]),
		),
		...slackAppEventWorkflows(),
		workflow(
			'benchWebhookLast',
			"Bench: n8n's Webhook, IF, Set (last node answers)",
			[webhook('bench-wh-last', 'bench-webhook-last', 'lastNode'), ifMatches('bench-wh-last-if'), setReply('bench-wh-last-set')],
			links([['Webhook', 'If Token And Trigger Word'], ['If Token And Trigger Word', 'Set Reply', 0]]),
		),
	];
}

let uniqueTs = 1_700_000_000;
const formPost = (matching) =>
	new URLSearchParams({
		token: TOKEN,
		team_id: 'T0001',
		team_domain: 'example',
		channel_id: 'C2147483705',
		channel_name: 'test',
		timestamp: `${++uniqueTs}.000001`,
		user_id: 'U2147483697',
		user_name: 'Steve',
		text: matching ? 'googlebot: What is the air-speed velocity of an unladen swallow?' : 'just chatting',
		trigger_word: matching ? 'googlebot:' : '',
	}).toString();

/**
 * Benchmark 3's Events API case: this trigger (type version 3, filters before the signature check)
 * against n8n's Webhook + IF + Respond to Webhook, which starts an execution for every event.
 */
const SIGNING_SECRET = 'bench-signing-secret-not-real';
const eventMatches = (id) =>
	node(id, 'If Channel And Trigger Word', 'n8n-nodes-base.if', 2.2, [200, 0], {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [
				{ id: `${id}-1`, leftValue: '={{ $json.body.event.channel }}', rightValue: 'C2147483705', operator: { type: 'string', operation: 'equals' } },
				{ id: `${id}-2`, leftValue: '={{ $json.body.event.text }}', rightValue: 'googlebot:', operator: { type: 'string', operation: 'startsWith' } },
			],
			combinator: 'and',
		},
		options: {},
	});
function slackAppEventWorkflows() {
	return [
		workflow('benchOurEvents01', 'Bench: this trigger (type version 3), Events API', [
			{ ...ourTrigger('bench-our-events', { channels: 'C2147483705', triggerWords: 'googlebot:', respond: 'noReply' }, 3), credentials: { slackWebhooksOutgoingApi: { id: 'benchSlackApp001', name: 'Bench app' } } },
		]),
		workflow(
			'benchWebhookEvt1',
			"Bench: n8n's Webhook, IF, Respond to Webhook (Events API)",
			[
				webhook('bench-wh-evt', 'bench-webhook-events', 'responseNode'),
				eventMatches('bench-wh-evt-if'),
				respond('bench-wh-evt-yes', 'Acknowledge', { respondWith: 'noData', options: {} }, [400, -100]),
				respond('bench-wh-evt-no', 'Ignore', { respondWith: 'noData', options: {} }, [400, 100]),
			],
			links([['Webhook', 'If Channel And Trigger Word'], ['If Channel And Trigger Word', 'Acknowledge', 0], ['If Channel And Trigger Word', 'Ignore', 1]]),
		),
	];
}
let eventNumber = 0;
/** A signed Events API request of eventBody. */
/** An Events API body: a message in #test with the trigger word, or one without; each a new event_id. */
const eventBody = (matching) => {
	const ts = `${++uniqueTs}.000001`;
	return {
		token: 'bench-app-token',
		team_id: 'T0001',
		api_app_id: 'A0BENCH01',
		type: 'event_callback',
		event_id: `EvBench${++eventNumber}`,
		event_time: uniqueTs,
		event: { type: 'message', channel: 'C2147483705', channel_type: 'channel', user: 'U2147483697', text: matching ? 'googlebot: What is the air-speed velocity?' : 'just chatting', ts },
	};
};
export const signedEvent = (matching) => () => {
	const body = JSON.stringify(eventBody(matching));
	const timestamp = String(Math.floor(Date.now() / 1000));
	const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
	return { headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature }, body };
};

/**
 * `concurrency` clients send `count` form posts as fast as answers come back; latencies in ms.
 * With several origins (webhook processes behind a load balancer), client i uses origin i mod n.
 */
export async function load(origins, path, concurrency, count, matching, timeLimitMs = CASE_TIME_LIMIT_MS) {
	const targets = [origins].flat();
	const pools = targets.map((origin) => new Pool(origin, { connections: Math.ceil(concurrency / targets.length) }));
	const latencies = [];
	let next = 0;
	let failures = 0;
	const deadline = Date.now() + timeLimitMs;
	const started = performance.now();
	const worker = async (_, index) => {
		const pool = pools[index % pools.length];
		while (next < count && Date.now() < deadline) {
			next++;
			const sentAt = performance.now();
			// `matching` is a boolean for an outgoing webhook's form post, or a function that builds the request.
			const request = typeof matching === 'function' ? matching() : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formPost(matching) };
			const response = await pool.request({ path, method: 'POST', ...request });
			await response.body.text();
			if (response.statusCode !== 200) failures++;
			latencies.push(performance.now() - sentAt);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const seconds = (performance.now() - started) / 1000;
	await Promise.all(pools.map((pool) => pool.close()));
	latencies.sort((a, b) => a - b);
	const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
	return { requests: latencies.length, failures, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

/**
 * The Socket Mode cases' load: `concurrency` envelopes in flight through the stand-in for Slack's
 * socket server, each sent when one is acknowledged; latency from delivery to acknowledgement. An
 * envelope the stand-in had to send again, or that no acknowledgement reached within 10 s, counts as
 * a failure (Slack would have sent it again).
 */
export async function socketLoad(standIn, concurrency, count, matching, timeLimitMs = CASE_TIME_LIMIT_MS) {
	const latencies = [];
	let next = 0;
	let failures = 0;
	const deadline = Date.now() + timeLimitMs;
	const started = performance.now();
	const worker = async () => {
		while (next < count && Date.now() < deadline) {
			next++;
			const id = standIn.send('events_api', eventBody(matching));
			const ack = await standIn.waitForAck(id, 10_000);
			const sent = standIn.envelopes.get(id);
			if (!ack || sent.deliveries.length > 1) failures++;
			if (ack) latencies.push(ack.at - sent.deliveries[0].at);
			standIn.envelopes.delete(id);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
	return { requests: latencies.length, failures, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

/** The Socket Mode limit: a bare WebSocket client of a few lines, outside n8n (bench/socket-bare-client.mjs), in a process of its own. */
async function bareSocketClient(standIn, appToken) {
	const child = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'socket-bare-client.mjs'), standIn.apiBaseUrl, appToken], { stdio: ['ignore', 'pipe', 'inherit'] });
	await new Promise((resolve, reject) => {
		child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
		child.once('exit', (code) => reject(new Error(`the bare WebSocket client exited with ${code}`)));
	});
	return child;
}

/** The limit: a bare Node server that parses the form, checks token and trigger word, and answers. */
async function bareServer() {
	const server = createHttpServer((request, response) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => {
			const fields = parseQuery(Buffer.concat(chunks).toString('utf8'));
			const matches = fields.token === TOKEN && String(fields.text ?? '').startsWith('googlebot:');
			const body = matches ? JSON.stringify({ text: 'African or European?' }) : '';
			response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
			response.end(body);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return server;
}

export async function withN8n(runtime, tarball, workflows, credentials, webhookPaths, use, extraEnv = {}) {
	const userFolder = mkdtempSync(join(tmpdir(), 'slack-webhooks-bench-'));
	const [port, brokerPort] = [await freePort(), await freePort()];
	const env = n8nEnvironment({ userFolder, port, brokerPort, extra: { N8N_LOG_LEVEL: 'warn', ...loopbackOnlySettings(runtime.n8nVersion), ...extraEnv } });
	let child;
	// Ctrl-C (or a kill) during a benchmark stops this n8n too, rather than leaving it running.
	const stopOnSignal = async () => {
		await stopN8n(child);
		rmSync(userFolder, { recursive: true, force: true });
		process.exit(130);
	};
	process.once('SIGINT', stopOnSignal);
	process.once('SIGTERM', stopOnSignal);
	try {
		child = startN8nWithPackage({ runtime, env, userFolder, tarball, credentials, workflows, stdio: 'ignore' });
		await waitForHealthy(port, child);
		for (const path of webhookPaths) await waitForWebhook(`http://127.0.0.1:${port}`, path);
		return await use(`http://127.0.0.1:${port}`, child.pid);
	} finally {
		process.off('SIGINT', stopOnSignal);
		process.off('SIGTERM', stopOnSignal);
		await stopN8n(child);
		rmSync(userFolder, { recursive: true, force: true });
	}
}

export const TRIGGER_CREDENTIALS = [
	{ id: 'benchOutgoing001', name: 'Bench', type: 'slackWebhooksOutgoingApi', data: { token: TOKEN } },
	{ id: 'benchSlackApp001', name: 'Bench app', type: 'slackWebhooksOutgoingApi', data: { signingSecret: SIGNING_SECRET } },
];
const SOCKET_APP_TOKEN = 'xapp-1-ABENCH000-1-bench-not-real';
const BARE_CLIENT_APP_TOKEN = 'xapp-1-ABENCH000-2-bench-not-real';
/** The Socket Mode trigger's credential, its Slack API the benchmark's stand-in. */
const socketModeCredential = (apiBaseUrl) => ({ id: 'benchSocketMode1', name: 'Bench Socket Mode', type: 'slackWebhooksSocketModeApi', data: { appToken: SOCKET_APP_TOKEN, slackApiUrl: apiBaseUrl } });
const socketModeWorkflow = () =>
	workflow('benchOurSocket01', 'Bench: this Socket Mode trigger', [
		node('bench-our-socket', 'Trigger', 'n8n-nodes-slack-webhooks.slackSocketModeTrigger', 1, [0, 0], { channels: 'C2147483705', triggerWords: 'googlebot:', respond: 'noReply' }, {
			credentials: { slackWebhooksSocketModeApi: { id: 'benchSocketMode1', name: 'Bench Socket Mode' } },
		}),
	]);
/** The stand-in for Slack's socket server, from the test helpers bench/run.mjs compiles before it measures. */
const startSocketStandIn = (appToken) => {
	const { SlackSocketServer } = createRequire(import.meta.url)('../.bench-build/test/helpers/slack-socket-server.js');
	return new SlackSocketServer({ appTokens: [appToken] }).start();
};
export const TRIGGER_PATHS = {
	ours: '/webhook/bench-our-immediate/slack',
	oursVersion1: '/webhook/bench-our-immediate-v1/slack',
	oursVerifyFirst: '/webhook/bench-our-verify-first/slack',
	webhookOnly: '/webhook/bench-webhook-only',
	oursLastNode: '/webhook/bench-our-last/slack',
	webhookIf: '/webhook/bench-webhook-if',
	webhookLast: '/webhook/bench-webhook-last',
	oursEvents: '/webhook/bench-our-events/slack',
	webhookEvents: '/webhook/bench-webhook-events',
};

/** The least n8n allows: its Webhook node alone, no checks, answering once the execution exists. */
export const FLOOR_CONTESTANT = "n8n's Webhook node alone, answering immediately (the floor)";

export async function benchmarkTrigger(say) {
	const runtime = ensureN8n(DEFAULT_N8N_VERSION);
	const tarball = packPackage();
	const bare = await bareServer();
	const bareOrigin = `http://127.0.0.1:${bare.address().port}`;
	// Two apps: the n8n trigger's, and the bare client's (Slack spreads an app's envelopes over its connections).
	let socketStandIn;
	let bareStandIn;
	let bareSocket;
	const rows = [];
	try {
		socketStandIn = await startSocketStandIn(SOCKET_APP_TOKEN);
		bareStandIn = await startSocketStandIn(BARE_CLIENT_APP_TOKEN);
		bareSocket = await bareSocketClient(bareStandIn, BARE_CLIENT_APP_TOKEN);
		for (const { settings, env, patched, version, version1, cases: casesWanted } of TRIGGER_BENCH_SETTINGS) {
			const settingsRuntime = version ? ensureN8n(version) : runtime;
			// The Socket Mode cases only where the block measures more than the webhook phase.
			const withSocketMode = !casesWanted;
			const workflows = [...triggerWorkflows(), ...(withSocketMode ? [socketModeWorkflow()] : [])];
			const credentials = [...TRIGGER_CREDENTIALS, ...(withSocketMode ? [socketModeCredential(socketStandIn.apiBaseUrl)] : [])];
			await withN8n(patched ? patchedRuntime(settingsRuntime) : settingsRuntime, tarball, workflows, credentials, Object.values(TRIGGER_PATHS), async (origin) => {
				if (withSocketMode) await waitForSocketConnection(socketStandIn);
				const ours = ['this trigger', origin, TRIGGER_PATHS.ours];
				const oursVersion1 = SKIP_VERSION_1 || !version1 ? [] : [['this trigger, type version 1', origin, TRIGGER_PATHS.oursVersion1]];
				const oursVerifyFirst = ['this trigger, Verify Before Filtering', origin, TRIGGER_PATHS.oursVerifyFirst];
				const webhookIf = ["n8n's Webhook + IF + Respond to Webhook", origin, TRIGGER_PATHS.webhookIf];
				const floor = [FLOOR_CONTESTANT, origin, TRIGGER_PATHS.webhookOnly];
				const limit = ['bare Node server (the limit)', bareOrigin, '/'];
				const allCases = [
					['a. not matching (filtered)', false, [ours, oursVerifyFirst, ...oursVersion1, webhookIf, floor, limit]],
					['b. matching, immediate reply', true, [ours, ...oursVersion1, webhookIf, floor, limit]],
					['c. matching, reply from the last of 3 nodes', true, [
						['this trigger (Trigger, Set, NoOp)', origin, TRIGGER_PATHS.oursLastNode],
						["n8n's Webhook + IF + Set (last node)", origin, TRIGGER_PATHS.webhookLast],
						floor,
						limit,
					]],
					...slackAppEventCases(origin, floor, limit),
					...(withSocketMode ? socketModeCases(origin, socketStandIn, bareStandIn) : []),
				];
				const cases = allCases.filter(([caseName]) => (!casesWanted || casesWanted.includes(caseName[0])) && (!CASES_WANTED || CASES_WANTED.includes(caseName[0])));
				for (const [caseName, matching, contestants] of cases) {
					for (const concurrency of [1, 32]) {
						// Warm-up, then the measured run.
						const measured = [];
						for (const [contestant, target, path] of contestants) {
							// A stand-in for Slack's socket server is loaded with envelopes; an origin with HTTP requests.
							const run = (count, timeLimitMs) =>
								typeof target === 'string'
									? load(target, path, concurrency, count, typeof matching === 'object' ? matching.http : matching, timeLimitMs)
									: socketLoad(target, concurrency, count, matching.socket, timeLimitMs);
							await run(WARM_UP.requests, WARM_UP.ms);
							const result = await run(REQUESTS[concurrency]);
							measured.push({ settings, case: caseName, concurrency, contestant, ...result });
							say(`${settings}: ${caseName}, ${concurrency} client(s), ${contestant}: ${result.perSecond.toFixed(1)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`);
						}
						const webhookBuild = measured.find((row) => row.contestant.startsWith("n8n's Webhook +"));
						// The Socket Mode cases have no floor: n8n's Webhook node cannot listen on a socket.
						const floorRow = measured.find((row) => row.contestant === FLOOR_CONTESTANT);
						const bareRow = measured.at(-1);
						for (const row of measured) {
							rows.push({
								...row,
								ratioToWebhookBuild: row.perSecond / webhookBuild.perSecond,
								ratioToFloor: floorRow ? row.perSecond / floorRow.perSecond : undefined,
								ratioToLimit: row.perSecond / bareRow.perSecond,
							});
						}
					}
				}
			}, env);
		}
		return rows;
	} finally {
		bareSocket?.kill('SIGTERM');
		await socketStandIn?.stop();
		await bareStandIn?.stop();
		await new Promise((resolve) => bare.close(resolve));
	}
}

/** n8n activated the Socket Mode workflow at its start: it connects within a few seconds. */
async function waitForSocketConnection(standIn, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (!standIn.live().some((connection) => !connection.closed)) {
		if (Date.now() > deadline) throw new Error('the Socket Mode trigger did not connect to the stand-in');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/**
 * The Socket Mode cases: envelopes through the stand-in to this trigger in n8n, beside the same
 * event over HTTP to the trigger's type version 3 and to n8n's Webhook build, and the limit, a
 * bare WebSocket client outside n8n. Requests per second are envelopes per second for the socket
 * contestants; p50 and p99 their acknowledgement times.
 */
function socketModeCases(origin, socketStandIn, bareStandIn) {
	const contestants = [
		['this Socket Mode trigger', socketStandIn],
		['this trigger (type version 3), over HTTP', origin, TRIGGER_PATHS.oursEvents],
		["n8n's Webhook + IF + Respond to Webhook", origin, TRIGGER_PATHS.webhookEvents],
		['bare WebSocket client (the limit)', bareStandIn],
	];
	return [
		['f. Socket Mode envelope, not matching (filtered)', { socket: false, http: signedEvent(false) }, contestants],
		['g. Socket Mode envelope, matching', { socket: true, http: signedEvent(true) }, contestants],
	];
}

/** The Events API case: a filtered event and a matching one, signed; the limit reads the body and answers. */
function slackAppEventCases(origin, floor, limit) {
	const contestants = [
		['this trigger (type version 3)', origin, TRIGGER_PATHS.oursEvents],
		["n8n's Webhook + IF + Respond to Webhook", origin, TRIGGER_PATHS.webhookEvents],
		floor,
		limit,
	];
	return [
		['d. Events API event, not matching (filtered)', signedEvent(false), contestants],
		['e. Events API event, matching', signedEvent(true), contestants],
	];
}

function rssKiB(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** n8n's peak RSS while a workflow posts MEMORY_ITEMS messages, each contestant in a fresh n8n. */
export async function benchmarkMemory(say, slackServerUrl) {
	const runtime = ensureN8n(DEFAULT_N8N_VERSION);
	const tarball = packPackage();
	const credentials = [{ id: 'benchIncoming001', name: 'Bench', type: 'slackWebhooksIncomingUrlApi', data: { webhookUrl: slackServerUrl } }];
	const senders = [
		['this node (ordered)', node('mem-ours', 'Send', 'n8n-nodes-slack-webhooks.slackIncomingWebhook', 1, [400, 0], { text: '={{ $json.text }}', options: {} }, {
			credentials: { slackWebhooksIncomingUrlApi: { id: 'benchIncoming001', name: 'Bench' } },
		})],
		["n8n's HTTP Request node", node('mem-http', 'Send', 'n8n-nodes-base.httpRequest', 4.2, [400, 0], {
			method: 'POST', url: slackServerUrl, sendBody: true, contentType: 'json', specifyBody: 'json', jsonBody: '={{ JSON.stringify({ text: $json.text }) }}', options: {},
		})],
	];
	const rows = [];
	for (const [contestant, sender] of senders) {
		const flow = workflow('benchMemory00001', 'Bench: memory', [
			webhook('mem-webhook', 'bench-memory', 'lastNode'),
			node('mem-split', 'Split Out', 'n8n-nodes-base.splitOut', 1, [200, 0], { fieldToSplitOut: 'body.messages', options: {} }),
			sender,
		], links([['Webhook', 'Split Out'], ['Split Out', 'Send']]));
		const row = await withN8n(runtime, tarball, [flow], credentials, ['/webhook/bench-memory'], async (origin, pid) => {
			const baseline = rssKiB(pid);
			let peak = baseline;
			const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 50);
			const started = performance.now();
			const response = await fetch(`${origin}/webhook/bench-memory`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ messages: Array.from({ length: MEMORY_ITEMS }, (_, n) => ({ text: `message ${n}` })) }),
			});
			await response.text();
			const seconds = (performance.now() - started) / 1000;
			clearInterval(sampler);
			return { contestant, items: MEMORY_ITEMS, status: response.status, baselineMiB: baseline / 1024, peakMiB: peak / 1024, growthMiB: (peak - baseline) / 1024, seconds };
		}, { N8N_PAYLOAD_SIZE_MAX: '64' });
		say(`memory, ${contestant}: peak ${row.peakMiB.toFixed(0)} MiB (+${row.growthMiB.toFixed(0)} MiB over ${row.baselineMiB.toFixed(0)} MiB), ${row.seconds.toFixed(1)} s, HTTP ${row.status}`);
		rows.push(row);
	}
	return rows;
}
