import { DEFAULT_DELIVERY_POLICY, WebhookDeliveryError, WebhookSender, type DeliveryPolicy } from '../../../../nodes/shared/sending/sender';
import { SLACK_WEBHOOK_ERRORS } from '../../../../nodes/shared/slack';
import { RATE_GATE } from '../../../../nodes/shared/state/rate-gate';
import { createWebhookDispatcher } from '../../../../nodes/shared/sending/transport';
import { virtualClock } from '../../../helpers/clock';
import { freePort, refusedPort } from '../../../helpers/free-port';
import { serializeDeep } from '../../../helpers/serialize';
import { answer, SLACK_ERROR_STATUS, SlackWebhookServer, tokenBucket } from '../../../helpers/slack-webhook-server';

const SECRET_PATH = 'TTEST0000/BTEST0000/test-secret-path-0000';
const fast: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, timeoutMs: 2_000, maxRateLimitWaitMs: 10_000 };

let server: SlackWebhookServer;
let sender: WebhookSender;
let dispatcher: ReturnType<typeof createWebhookDispatcher>;

beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => {
	server.reset();
	dispatcher = createWebhookDispatcher();
	sender = new WebhookSender(dispatcher);
});
afterEach(async () => dispatcher.close());

async function deliveryError(promise: Promise<unknown>): Promise<WebhookDeliveryError> {
	const error = await promise.then(
		() => undefined,
		(reason: unknown) => reason,
	);
	expect(error).toBeInstanceOf(WebhookDeliveryError);
	return error as WebhookDeliveryError;
}

function expectNoSecret(error: WebhookDeliveryError) {
	const everything = serializeDeep(error);
	expect(everything).not.toContain(SECRET_PATH);
	expect(everything).not.toContain('test-secret-path');
}

describe('WebhookSender against a Slack-compatible server on 127.0.0.1', () => {
	it('posts the JSON body and reports Slack\'s "ok"', async () => {
		const result = await sender.deliver(server.url, { text: 'Hello, world.' }, fast);
		expect(result).toEqual({ ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0 });
		expect(server.posted).toHaveLength(1);
		expect(server.posted[0].json).toEqual({ text: 'Hello, world.' });
		expect(server.posted[0].headers['content-type']).toBe('application/json; charset=utf-8');
		expect(server.posted[0].path).toBe(server.webhookPath);
	});

	it.each(Object.keys(SLACK_WEBHOOK_ERRORS))('maps %s to a plain message, what to do, and no retry', async (slackError) => {
		const status = SLACK_ERROR_STATUS[slackError];
		server.respondWith(() => answer.slackError(status, slackError));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, fast));
		const info = SLACK_WEBHOOK_ERRORS[slackError];
		expect(error.code).toBe('SLACK_ERROR');
		expect(error.message).toBe(`${info.message} (Slack: ${slackError})`);
		expect(error.details).toMatchObject({
			status,
			slackError,
			retryCanHelp: false,
			mayHaveBeenPosted: false,
			attempts: 1,
			webhook: `http://127.0.0.1:${server.port}/services/***`,
		});
		expect(error.details.description).toContain(info.action);
		expect(server.received).toHaveLength(1);
		expectNoSecret(error);
	});

	it('reports an undocumented 4xx with its status and body, without retrying', async () => {
		server.respondWith(() => ({ reply: 400, body: 'Unable to parse the payload' }));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, fast));
		expect(error.code).toBe('HTTP_ERROR');
		expect(error.message).toContain('400: Unable to parse the payload');
		expect(server.received).toHaveLength(1);
	});

	// The rate-limit waits below run on a clock only the sender's sleeps move: each gap between two
	// sends is exactly the wait the sender chose, whatever the machine's load or the millisecond
	// rounding of timers. After a 429 the gate also keeps a pace RATE_GATE.PACE_MARGIN slower than
	// the pause, so a gap is the wait Slack asked for and at most that margin more.
	const onVirtualClock = (start = 0) => {
		const clock = virtualClock(start);
		sender = new WebhookSender(dispatcher, undefined, clock);
		const sentAt: number[] = [];
		const gaps = () => sentAt.slice(1).map((at, n) => at - sentAt[n]);
		return { clock, sentAt, gaps };
	};
	const expectWaitsOf = (gaps: number[], askedMs: number) => {
		for (const gap of gaps) {
			expect(gap).toBeGreaterThanOrEqual(askedMs);
			expect(gap).toBeLessThanOrEqual(Math.ceil(askedMs * RATE_GATE.PACE_MARGIN));
		}
	};

	it('waits as Retry-After (seconds) says, then delivers', async () => {
		const { clock, sentAt, gaps } = onVirtualClock();
		server.respondWith(({ index }) => (sentAt.push(clock.now()), index < 2 ? answer.rateLimited('0.2') : answer.ok()));
		const result = await sender.deliver(server.url, { text: 'x' }, fast);
		expect(result.attempts).toBe(3);
		expect(gaps()).toHaveLength(2);
		expectWaitsOf(gaps(), 200);
		expect(result.waitedMs).toBe(sentAt[2] - sentAt[0]);
		expect(server.posted).toHaveLength(1);
	});

	it('waits as an HTTP-date Retry-After says', async () => {
		// 250 ms past a whole second: the date 1.5 s later reads as the next whole second but one
		// (HTTP dates have whole-second resolution), 750 ms away.
		const { clock, sentAt, gaps } = onVirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
		server.respondWith(({ index }) => (sentAt.push(clock.now()), index === 0 ? { reply: 429, headers: { 'retry-after': new Date(clock.now() + 1_500).toUTCString() } } : answer.ok()));
		const result = await sender.deliver(server.url, { text: 'x' }, fast);
		expect(result.attempts).toBe(2);
		expectWaitsOf(gaps(), 750);
	});

	it("waits as the body's retry_after says when there is no header", async () => {
		const { clock, sentAt, gaps } = onVirtualClock();
		server.respondWith(({ index }) => (sentAt.push(clock.now()), index === 0 ? { reply: 429, body: '{"ok":false,"retry_after":0.3}' } : answer.ok()));
		await sender.deliver(server.url, { text: 'x' }, fast);
		expect(gaps()).toHaveLength(1);
		expectWaitsOf(gaps(), 300);
	});

	it('fails with a clear error, not a silent drop, when the rate-limit wait would pass the maximum', async () => {
		onVirtualClock();
		server.respondWith(() => answer.rateLimited('0.3'));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, { ...fast, maxRateLimitWaitMs: 700 }));
		expect(error.code).toBe('RATE_LIMIT_WAIT_EXCEEDED');
		expect(error.details.mayHaveBeenPosted).toBe(false);
		expect(error.details.retryCanHelp).toBe(true);
		expect(error.details.description).toMatch(/not posted/);
		// Each 429 asks for 0.3 s and refuses the first send after the pause: two pauses make 0.6 s,
		// a third would pass the 700 ms, so the item fails before sleeping it.
		expect(server.received.length).toBe(3);
		expect(error.details.waitedMs).toBeLessThanOrEqual(700);
		expectNoSecret(error);
	});

	it('does not retry a 5xx by default: the message may have been posted', async () => {
		server.respondWith(() => ({ reply: 500, body: 'internal_error' }));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, fast));
		expect(error.code).toBe('MAY_HAVE_BEEN_POSTED');
		expect(error.message).toContain('may have been posted');
		expect(error.details.mayHaveBeenPosted).toBe(true);
		expect(server.received).toHaveLength(1);
	});

	it('retries a 5xx when the user allows it', async () => {
		server.respondWith(({ index }) => (index < 2 ? { reply: 503 } : answer.ok()));
		const result = await sender.deliver(server.url, { text: 'x' }, { ...fast, retryWhenMaybePosted: true });
		expect(result.attempts).toBe(3);
	});

	it('does not retry a reset after the body was sent by default', async () => {
		server.respondWith(() => ({ resetAfterBody: true }));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, fast));
		expect(error.code).toBe('MAY_HAVE_BEEN_POSTED');
		expect(error.message).toMatch(/closed after the message was sent/);
		expect(server.received).toHaveLength(1);
		expectNoSecret(error);
	});

	it('retries a reset after the body was sent when the user allows it', async () => {
		server.respondWith(({ index }) => (index === 0 ? { resetAfterBody: true } : answer.ok()));
		const result = await sender.deliver(server.url, { text: 'x' }, { ...fast, retryWhenMaybePosted: true });
		expect(result.attempts).toBe(2);
	});

	it('times out a stalled answer and says the message may have been posted', async () => {
		server.respondWith(() => ({ stall: true }));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, { ...fast, timeoutMs: 300 }));
		expect(error.code).toBe('MAY_HAVE_BEEN_POSTED');
		expect(error.message).toMatch(/No answer from the webhook in time/);
		expect(server.received).toHaveLength(1);
	});

	it("takes a 200 whose body was cut short as posted: the status is Slack's answer", async () => {
		server.respondWith(() => ({ truncate: 100, body: 'o' }));
		const result = await sender.deliver(server.url, { text: 'x' }, fast);
		expect(result.status).toBe(200);
	});

	it('retries a refused connection with backoff, then delivers once the host is up', async () => {
		const port = await freePort();
		const late = new SlackWebhookServer();
		const url = `http://127.0.0.1:${port}${late.webhookPath}`;
		const delivered = sender.deliver(url, { text: 'late' }, { ...fast, maxRetries: 5 });
		await new Promise((resolve) => setTimeout(resolve, 150));
		await late.start(port);
		try {
			const result = await delivered;
			expect(result.attempts).toBeGreaterThan(1);
			expect(late.posted.map((request) => request.json)).toEqual([{ text: 'late' }]);
		} finally {
			await late.stop();
		}
	});

	it('gives up on a refused connection after the maximum retries, saying it was not sent', async () => {
		const url = `http://127.0.0.1:${await refusedPort()}/services/${SECRET_PATH}`;
		const error = await deliveryError(sender.deliver(url, { text: 'x' }, { ...fast, maxRetries: 2 }));
		expect(error.code).toBe('CONNECTION_FAILED');
		expect(error.details).toMatchObject({ attempts: 3, mayHaveBeenPosted: false, retryCanHelp: true });
		expectNoSecret(error);
	});

	it('refuses a URL that is not http(s) without sending anything', async () => {
		const error = await deliveryError(sender.deliver(`ftp://127.0.0.1/services/${SECRET_PATH}`, { text: 'x' }, fast));
		expect(error.code).toBe('INVALID_URL');
		expectNoSecret(error);
	});

	it('scrubs the URL from an answer that echoes it', async () => {
		server.respondWith((request) => ({ reply: 400, body: `bad request to ${request.path}` }));
		const error = await deliveryError(sender.deliver(server.url, { text: 'x' }, fast));
		expectNoSecret(error);
	});

	it('delivers every message exactly once through a 429 storm, in order, one at a time', async () => {
		const limit = tokenBucket(50, 3);
		server.respondWith(() => (limit() ? answer.ok() : answer.rateLimited('0.1')));
		for (let n = 0; n < 20; n++) await sender.deliver(server.url, { text: String(n) }, fast);
		expect(server.posted.map((request) => request.json?.text)).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
	});
});
