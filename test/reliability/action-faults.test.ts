/**
 * The Slack Incoming Webhook node, run by n8n-core, against a Slack-compatible server on
 * 127.0.0.1 that plays every fault it can meet on the way: resets before and after reading the
 * body, 500/502/503, 429 storms with Retry-After in seconds, as an HTTP date, in the body's
 * `retry_after` and with none, stalls past the timeout, truncated answers, and keep-alive
 * connections closed between requests. Each item must end delivered exactly once or reported
 * failed with a clear error; nothing is posted twice unless the user allowed it; nothing hangs.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runNode, type RunNodeResult } from '../helpers/n8n-harness';
import { seededRandom } from '../helpers/seeded-random';
import { answer, SlackWebhookServer, type Behaviour, type ReceivedRequest } from '../helpers/slack-webhook-server';

/** A failing run is replayed with FAULT_SEED=<the seed it printed>. */
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

/** What happens to an item's first attempt (later attempts are answered `ok`). */
type ItemFault =
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
const MAYBE_POSTED_FAULTS = new Set<ItemFault>(['resetAfterBody', 'resetAfterBodyPosted', 'status500', 'status502', 'status503', 'status500Posted', 'stall', 'stallPosted']);
const POSTED_ANYWAY = new Set<ItemFault>(['resetAfterBodyPosted', 'status500Posted', 'stallPosted']);

type StormStyle = 'seconds' | 'httpDate' | 'bodyRetryAfter' | 'none';

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

interface FaultPlan {
	faults: ItemFault[];
	/** Arrival numbers (requests in order of arrival) at which a 429 storm starts, with its style and length. */
	storms: Map<number, { style: StormStyle; length: number }>;
	/** Arrival numbers whose connection is reset before the body is read. */
	resetsOnArrival: Set<number>;
}

function planFaults(items: number, random: () => number): FaultPlan {
	const faults = Array.from({ length: items }, () => pickFault(random));
	const storms = new Map<number, { style: StormStyle; length: number }>();
	const styles: StormStyle[] = ['seconds', 'httpDate', 'bodyRetryAfter', 'none'];
	for (let storm = 0; storm < 8; storm++) {
		const style = styles[storm % styles.length];
		// Without Retry-After the wait doubles with each 429 in a row (1 s, 2 s, ...): keep those short.
		const length = style === 'none' ? 1 + Math.floor(random() * 2) : 2 + Math.floor(random() * 6);
		storms.set(Math.floor(random() * items), { style, length });
	}
	const resetsOnArrival = new Set(Array.from({ length: Math.ceil(items / 100) }, () => Math.floor(random() * items)));
	return { faults, storms, resetsOnArrival };
}

/** Scripts the server from the plan: storms by arrival, each item's fault on its first attempt. */
function playPlan(server: SlackWebhookServer, plan: FaultPlan): void {
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

function postedCounts(server: SlackWebhookServer): Map<string, number> {
	const counts = new Map<string, number>();
	for (const request of server.posted) {
		const text = String(request.json?.text ?? '');
		counts.set(text, (counts.get(text) ?? 0) + 1);
	}
	return counts;
}

const items = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n } }));

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

const FAILURE_CODES = new Set(['SLACK_ERROR', 'MAY_HAVE_BEEN_POSTED', 'HTTP_ERROR', 'RATE_LIMIT_WAIT_EXCEEDED', 'CONNECTION_FAILED']);

let server: SlackWebhookServer;
beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

function runThroughFaults(count: number, options: IDataObject) {
	return withinDeadline(
		runNode({
			parameters: {
				text: '=item-{{ $json.n }}',
				options: { timeout: 1, maxRetries: 3, maxRateLimitWait: 60, ...options },
			},
			credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: server.url } },
			items: items(count),
			continueOnFail: true,
		}),
		240_000,
	);
}

describe(`1,000 items through scripted faults (seed ${SEED})`, () => {
	it('ends every item delivered exactly once or reported failed, and posts nothing twice', async () => {
		const plan = planFaults(1_000, seededRandom(SEED));
		playPlan(server, plan);
		const { output, error } = await runThroughFaults(1_000, { orderedDelivery: false, concurrency: 5 });
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1_000);

		const posted = postedCounts(server);
		const tally = { delivered: 0, failed: 0, resetOnArrival: 0 };
		output!.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			const text = `item-${index}`;
			const timesPosted = posted.get(text) ?? 0;
			const fault = plan.faults[index];
			if (item.json.ok === true) {
				tally.delivered++;
				expect(timesPosted).toBe(1);
				expect(fault === 'slackError' || MAYBE_POSTED_FAULTS.has(fault)).toBe(false);
				return;
			}
			tally.failed++;
			expect(item.json.ok).toBe(false);
			expect(item.json.error).toEqual(expect.stringContaining(`(item ${index})`));
			expect(typeof item.json.description).toBe('string');
			expect(FAILURE_CODES.has(String(item.json.code))).toBe(true);
			// A connection reset on arrival (before the server read the message) looks "maybe
			// posted" to the client whatever the item's planned fault: those are counted.
			const resetBeforeItsFault = () => tally.resetOnArrival++;
			if (item.json.code === 'MAY_HAVE_BEEN_POSTED') {
				expect(item.json.mayHaveBeenPosted).toBe(true);
				expect(timesPosted).toBeLessThanOrEqual(1);
				if (!MAYBE_POSTED_FAULTS.has(fault)) resetBeforeItsFault();
				else if (POSTED_ANYWAY.has(fault) && timesPosted === 0) resetBeforeItsFault();
				else expect(timesPosted).toBe(POSTED_ANYWAY.has(fault) ? 1 : 0);
			} else if (fault === 'slackError') {
				expect(item.json).toMatchObject({ code: 'SLACK_ERROR', slackError: 'invalid_payload', retryCanHelp: false });
				expect(timesPosted).toBe(0);
			} else {
				throw new Error(`item ${index} (${fault}) failed: ${String(item.json.error)}`);
			}
		});

		// Nothing posted twice, nothing posted that is not an item.
		for (const [text, times] of posted) {
			expect(text).toMatch(/^item-\d+$/);
			expect(times).toBe(1);
		}
		// Items not planned to fail failed only where their connection was one of those reset on arrival.
		expect(tally.resetOnArrival).toBeLessThanOrEqual(plan.resetsOnArrival.size);
		// The faults were met: storms answered 429, and the expected share of items failed.
		expect(server.received.filter((request) => request.json && server.posted.includes(request) === false).length).toBeGreaterThan(0);
		expect(tally.delivered).toBeGreaterThan(700);
		expect(tally.failed).toBeGreaterThan(50);
	}, 300_000);

	it('keeps the order of what it delivers when Ordered Delivery is on', async () => {
		const plan = planFaults(300, seededRandom(SEED + 1));
		playPlan(server, plan);
		const { output } = await runThroughFaults(300, {});
		expect(output).toHaveLength(300);
		const deliveredInOrder = output!.flatMap((item, index) => (item.json.ok === true ? [`item-${index}`] : []));
		const postedOnce = server.posted.map((request) => String(request.json?.text)).filter((text) => deliveredInOrder.includes(text));
		expect(postedOnce).toEqual(deliveredInOrder);
	}, 300_000);

	it('delivers every item whose fault is transient when "Retry When the Message May Have Been Posted" is on, at the price of duplicates it predicts', async () => {
		const plan = planFaults(300, seededRandom(SEED + 2));
		playPlan(server, plan);
		const { output } = await runThroughFaults(300, { orderedDelivery: false, concurrency: 5, retryWhenMaybePosted: true });
		const posted = postedCounts(server);
		output!.forEach((item, index) => {
			const fault = plan.faults[index];
			const timesPosted = posted.get(`item-${index}`) ?? 0;
			if (fault === 'slackError') {
				expect(item.json).toMatchObject({ ok: false, code: 'SLACK_ERROR' });
				expect(timesPosted).toBe(0);
				return;
			}
			expect(item.json.ok).toBe(true);
			// Only a Slack that posted and then failed to say so gets the message twice.
			expect(timesPosted).toBe(POSTED_ANYWAY.has(fault) ? 2 : 1);
		});
	}, 300_000);
});
