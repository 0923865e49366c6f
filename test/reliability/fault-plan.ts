/**
 * The fault suite's plan and its player: a Slack-compatible server on 127.0.0.1 scripted, from a
 * seed, to play every fault the Slack Incoming Webhook node can meet on the way: resets before and
 * after reading the body, 500/502/503, 429 storms with Retry-After in seconds, as an HTTP date, in
 * the body's `retry_after` and with none, stalls past the timeout, truncated answers, and
 * keep-alive connections closed between requests. The suite's three files (action-faults*.test.ts)
 * each run one execution through it, so that jest runs them side by side: most of their time is
 * spent waiting, as the node paces itself after the storms.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runNode, type RunNodeResult } from '../helpers/n8n-harness';
import { answer, SlackWebhookServer, type Behaviour, type ReceivedRequest } from '../helpers/slack-webhook-server';

/** The generator every plan is drawn from, so that a failing run can be replayed (FAULT_SEED=...). */
export { seededRandom } from '../helpers/seeded-random';

/** FAULT_SEED=<seed> replays a plan; every file's test names its seed. */
export const SEED = Number(process.env.FAULT_SEED ?? 20261123);

/** What happens to an item's first attempt (later attempts are answered `ok`). */
export type ItemFault =
	| 'none'
	| 'closeAfterAnswer'
	| 'connectionCloseHeader'
	| 'truncatedOk'
	| 'resetAfterBody'
	| 'resetAfterBodyPosted'
	| 'status500'
	| 'status502'
	| 'status503'
	| 'status500Posted'
	| 'stall'
	| 'stallPosted'
	| 'slackError';

const FAULT_WEIGHTS: Array<[ItemFault, number]> = [
	['none', 66],
	['closeAfterAnswer', 5],
	['connectionCloseHeader', 3],
	['truncatedOk', 3],
	['resetAfterBody', 4],
	['resetAfterBodyPosted', 3],
	['status500', 2],
	['status502', 2],
	['status503', 2],
	['status500Posted', 2],
	['stall', 2],
	['stallPosted', 1],
	['slackError', 5],
];

/** Faults after which the message is posted at most once, and reported failed unless retried. */
export const MAYBE_POSTED_FAULTS = new Set<ItemFault>(['resetAfterBody', 'resetAfterBodyPosted', 'status500', 'status502', 'status503', 'status500Posted', 'stall', 'stallPosted']);
export const POSTED_ANYWAY = new Set<ItemFault>(['resetAfterBodyPosted', 'status500Posted', 'stallPosted']);

export type StormStyle = 'seconds' | 'httpDate' | 'bodyRetryAfter' | 'none';

function pickFault(random: () => number): ItemFault {
	let roll = random() * FAULT_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
	for (const [fault, weight] of FAULT_WEIGHTS) {
		roll -= weight;
		if (roll < 0) return fault;
	}
	return 'none';
}

function behaviourFor(fault: ItemFault): Behaviour {
	switch (fault) {
		case 'none':
			return answer.ok();
		case 'closeAfterAnswer':
			return { ...answer.ok(), closeAfter: true };
		case 'connectionCloseHeader':
			return { ...answer.ok(), headers: { connection: 'close' } };
		case 'truncatedOk':
			return { truncate: 100, body: 'o' };
		case 'resetAfterBody':
			return { resetAfterBody: true };
		case 'resetAfterBodyPosted':
			return { resetAfterBody: true, posted: true };
		case 'status500':
			return { reply: 500, body: 'internal_error' };
		case 'status502':
			return { reply: 502, body: '<html>Bad Gateway</html>' };
		case 'status503':
			return { reply: 503, body: 'service_unavailable' };
		case 'status500Posted':
			return { reply: 500, body: 'internal_error', posted: true };
		case 'stall':
			return { stall: true };
		case 'stallPosted':
			return { stall: true, posted: true };
		case 'slackError':
			return answer.slackError(400, 'invalid_payload');
	}
}

function stormAnswer(style: StormStyle): Behaviour {
	switch (style) {
		case 'seconds':
			return answer.rateLimited('0.3');
		case 'httpDate':
			return { reply: 429, body: 'rate_limited', headers: { 'retry-after': new Date(Date.now() + 1_000).toUTCString() } };
		case 'bodyRetryAfter':
			return { reply: 429, body: '{"ok":false,"error":"rate_limited","retry_after":0.2}', headers: { 'content-type': 'application/json' } };
		case 'none':
			return { reply: 429, body: 'rate_limited' };
	}
}

export interface FaultPlan {
	faults: ItemFault[];
	/** Arrival numbers (requests in order of arrival) at which a 429 storm starts, with its style and length. */
	storms: Map<number, { style: StormStyle; length: number }>;
	/** Arrival numbers whose connection is reset before the body is read. */
	resetsOnArrival: Set<number>;
}

export function planFaults(items: number, random: () => number): FaultPlan {
	const faults = Array.from({ length: items }, () => pickFault(random));
	const storms = new Map<number, { style: StormStyle; length: number }>();
	const styles: StormStyle[] = ['seconds', 'httpDate', 'bodyRetryAfter', 'none'];
	// 8 storms in 1,000 items, never fewer than one of each style. Each storm slows the pace the
	// node learns for the rest of the run (the pace never rises back to one that drew a 429), so a
	// shorter run with as many storms would spend most of its time waiting.
	const stormCount = Math.max(styles.length, Math.round((items * 8) / 1_000));
	for (let storm = 0; storm < stormCount; storm++) {
		const style = styles[storm % styles.length];
		// Without Retry-After the wait doubles with each 429 in a row (1 s, 2 s, ...): keep those short.
		const length = style === 'none' ? 1 + Math.floor(random() * 2) : 2 + Math.floor(random() * 6);
		storms.set(Math.floor(random() * items), { style, length });
	}
	const resetsOnArrival = new Set(Array.from({ length: Math.ceil(items / 100) }, () => Math.floor(random() * items)));
	return { faults, storms, resetsOnArrival };
}

/** Scripts the server from the plan: storms by arrival, each item's fault on its first attempt. */
export function playPlan(server: SlackWebhookServer, plan: FaultPlan): void {
	const attemptsSeen = new Map<string, number>();
	let storm: { style: StormStyle; remaining: number } | undefined;
	server.resetOnArrival = (arrival) => plan.resetsOnArrival.has(arrival);
	server.respondWith((request: ReceivedRequest) => {
		const startingStorm = plan.storms.get(request.index);
		if (startingStorm) storm = { style: startingStorm.style, remaining: startingStorm.length };
		if (storm && storm.remaining > 0) {
			storm.remaining--;
			return stormAnswer(storm.style);
		}
		const text = String(request.json?.text ?? '');
		const attempt = (attemptsSeen.get(text) ?? 0) + 1;
		attemptsSeen.set(text, attempt);
		const index = Number(text.replace('item-', ''));
		return attempt === 1 ? behaviourFor(plan.faults[index]) : answer.ok();
	});
}

export function postedCounts(server: SlackWebhookServer): Map<string, number> {
	const counts = new Map<string, number>();
	for (const request of server.posted) {
		const text = String(request.json?.text ?? '');
		counts.set(text, (counts.get(text) ?? 0) + 1);
	}
	return counts;
}

export const items = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n } }));

/** Fails the test, rather than hanging it, if the execution does not finish in time. */
async function withinDeadline(run: Promise<RunNodeResult>, ms: number): Promise<RunNodeResult> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`the execution did not finish within ${ms / 1000} s`)), ms);
	});
	try {
		return await Promise.race([run, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

export const FAILURE_CODES = new Set(['SLACK_ERROR', 'MAY_HAVE_BEEN_POSTED', 'HTTP_ERROR', 'RATE_LIMIT_WAIT_EXCEEDED', 'CONNECTION_FAILED']);

/**
 * One execution of the node through the faults: every item's text names it, Continue On Fail is
 * on, and it must finish within FAULT_RUN_DEADLINE_MS. Its time is mostly the pace the node learns
 * from the storms (about 1 to 2.5 minutes on 2 busy cores); the deadline only catches a hang.
 */
export function runThroughFaults(server: SlackWebhookServer, count: number, options: IDataObject) {
	return withinDeadline(
		runNode({
			parameters: {
				text: '=item-{{ $json.n }}',
				// 3 s: the stalls must time out, but the server runs in this process, and an answer
				// that came while a busy machine held the process must not be taken for a stall.
				options: { timeout: 3, maxRetries: 3, maxRateLimitWait: 60, ...options },
			},
			credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: server.url } },
			items: items(count),
			continueOnFail: true,
		}),
		FAULT_RUN_DEADLINE_MS,
	);
}

export const FAULT_RUN_DEADLINE_MS = 10 * 60_000;
/** jest's own limit for a test of the suite: past the deadline, so the deadline's message is what a hang shows. */
export const FAULT_TEST_TIMEOUT_MS = FAULT_RUN_DEADLINE_MS + 60_000;

/** A fresh server for one file of the suite: started before its tests, stopped after. */
export function faultServer(): () => SlackWebhookServer {
	let server: SlackWebhookServer;
	beforeAll(async () => {
		server = await new SlackWebhookServer().start();
	});
	afterAll(async () => server.stop());
	beforeEach(() => server.reset());
	return () => server;
}
