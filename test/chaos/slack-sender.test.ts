/**
 * The chaos suite's Slack-like sender against real HTTP servers on 127.0.0.1: what it counts as a
 * failure, when it sends again and with which headers, where it gives up, and that it closes a
 * connection it stopped waiting on. The schedule is scaled down here (300 ms to answer, retries
 * after 0, 100 and 200 ms); the suite uses Slack's 3 seconds.
 */
import { createServer, type Server } from 'node:http';

import { virtualClock } from '../helpers/clock';
import { freePort } from '../helpers/free-port';
import { SlackWebhookServer, type Behaviour } from '../helpers/slack-webhook-server';
import { deliverAsSlack, failureOf, postWithDeadline, nextRetryDelayMs, type FailureReason, type OutgoingMessage, type SlackRetryPolicy } from './slack-sender';

const POLICY: SlackRetryPolicy = { ackTimeoutMs: 300, retryDelaysMs: [0, 100, 200] };

/** A message whose attempts carry their retry number and reason as headers, as Slack's events do. */
const eventLike = (retried = true): OutgoingMessage => ({
	id: 'msg-test-1',
	kind: retried ? 'event' : 'slashCommand',
	retried,
	request: (retryNum: number, reason: FailureReason | undefined) => ({
		path: '/webhook/x/slack',
		body: `{"attempt":${retryNum}}`,
		headers: { 'content-type': 'application/json', ...(retryNum > 0 ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason ?? '' } : {}) },
	}),
});

describe('what Slack counts as a failure', () => {
	it.each([
		[{ status: 200 }, 'delivered'],
		[{ status: 204 }, 'delivered'],
		[{ status: 302 }, 'http_error'],
		[{ status: 500 }, 'http_error'],
		[{ status: 503 }, 'http_error'],
		[{ timedOut: true }, 'http_timeout'],
		[{ connectionError: true }, 'connection_failed'],
	])('%j: %s', (outcome, reason) => {
		expect(failureOf(outcome) ?? 'delivered').toBe(reason);
	});

	it('retries a failed message after each delay of the schedule, then gives up; never a message Slack does not retry', () => {
		expect([1, 2, 3, 4].map((failed) => nextRetryDelayMs({ retried: true }, failed, POLICY))).toEqual([0, 100, 200, undefined]);
		expect(nextRetryDelayMs({ retried: false }, 1, POLICY)).toBeUndefined();
	});
});

describe('sending as Slack does, to real servers', () => {
	const slack = new SlackWebhookServer();
	let origin: string;

	beforeAll(async () => {
		await slack.start();
		origin = `http://127.0.0.1:${slack.port}`;
	});
	afterAll(async () => {
		await slack.stop();
	});
	beforeEach(() => slack.reset());

	const answers = (...behaviours: Behaviour[]) => slack.respondWith(({ index }) => behaviours[Math.min(index, behaviours.length - 1)]);

	it('sends a message again after a 5xx and after a timeout, saying which retry it is and why, until a 2xx', async () => {
		answers({ reply: 503 }, { stall: true }, { reply: 200, body: '' });
		// The waits between attempts run on a clock only they move, so each gap is exactly the wait
		// the sender took (millisecond rounding and a busy machine cannot shift it); the requests
		// and Slack's 300 ms deadline on each stay real.
		const clock = virtualClock();
		const delivery = await deliverAsSlack(eventLike(), POLICY, () => origin, postWithDeadline, clock);
		expect(delivery.delivered).toBe(true);
		expect(delivery.attempts.map(({ status, failure }) => [status, failure])).toEqual([
			[503, 'http_error'],
			[undefined, 'http_timeout'],
			[200, undefined],
		]);
		expect(slack.received.map(({ headers }) => [headers['x-slack-retry-num'], headers['x-slack-retry-reason']])).toEqual([
			[undefined, undefined],
			['1', 'http_error'],
			['2', 'http_timeout'],
		]);
		// The schedule's waits, in order: at once after the first failure, 100 ms after the second.
		expect(clock.slept).toEqual([0, 100]);
		expect(delivery.attempts[1].sentAt - delivery.attempts[0].endedAt).toBe(0);
		expect(delivery.attempts[2].sentAt - delivery.attempts[1].endedAt).toBe(100);
	});

	it('gives up after the last retry of the schedule: four attempts, none delivered', async () => {
		answers({ reply: 500 });
		const delivery = await deliverAsSlack(eventLike(), POLICY, () => origin);
		expect(delivery.delivered).toBe(false);
		expect(delivery.attempts).toHaveLength(4);
		expect(slack.received).toHaveLength(4);
	});

	it('sends a slash command once, whatever the answer', async () => {
		answers({ reply: 500 });
		const delivery = await deliverAsSlack(eventLike(false), POLICY, () => origin);
		expect(delivery).toEqual(expect.objectContaining({ delivered: false, attempts: [expect.objectContaining({ status: 500, failure: 'http_error' })] }));
		expect(slack.received).toHaveLength(1);
	});

	it('tells a refused connection (nothing reached the server) from one reset after the request was sent, and retries both to the next origin', async () => {
		const refusing = `http://127.0.0.1:${await freePort()}`;
		answers({ resetAfterBody: true }, { reply: 200, body: '' });
		const origins = [refusing, origin, origin];
		const delivery = await deliverAsSlack(eventLike(), POLICY, () => origins.shift()!);
		expect(delivery.delivered).toBe(true);
		expect(delivery.attempts.map(({ origin: to, failure, reset }) => [to, failure, reset])).toEqual([
			[refusing, 'connection_failed', undefined],
			[origin, 'connection_failed', true],
			[origin, undefined, undefined],
		]);
	});
});

describe('a connection Slack stopped waiting on', () => {
	let server: Server;
	let closedAfterMs: Promise<number>;

	beforeAll(async () => {
		server = createServer();
		closedAfterMs = new Promise((resolve) => {
			server.on('request', (request) => {
				const arrivedAt = Date.now();
				// Never answered: only the client can end it.
				request.socket.on('close', () => resolve(Date.now() - arrivedAt));
				request.resume();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it('is closed by the sender at the deadline, so the server sees its client gone', async () => {
		const { port } = server.address() as { port: number };
		const delivery = await deliverAsSlack(eventLike(false), POLICY, () => `http://127.0.0.1:${port}`);
		expect(delivery.attempts.map(({ failure }) => failure)).toEqual(['http_timeout']);
		// The server never answers and has no timeout of its own this short (Node's is 300 s): the
		// close within jest's 30 s can only be the sender's.
		await expect(closedAfterMs).resolves.toEqual(expect.any(Number));
	});
});
