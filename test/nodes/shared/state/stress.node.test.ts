/**
 * The shared state under stress, through n8n's own execution machinery: many executions contending
 * for one webhook's pace in a real redis-server, a wait learned by an earlier execution, and a
 * Redis that accepts connections but never answers. Bounded in messages and time.
 */
import { readN8nLog, restoreLogSettings } from '../../../helpers/n8n-debug-log';

import { SLACK_RESPONSE_URL } from '../../../../nodes/shared/slack';
import { closeRedisClients } from '../../../../nodes/shared/state/redis';
import { runNode } from '../../../helpers/n8n-harness';
import { TriggerHarness } from '../../../helpers/n8n-webhook-harness';
import { RedisServer, redisServerAvailable } from '../../../helpers/redis-server';
import { seedOutgoingWebhookPost } from '../../../helpers/slack-fixtures';
import { answer, SlackWebhookServer } from '../../../helpers/slack-webhook-server';
import { StalledServer } from '../../../helpers/stalled-server';

const available = redisServerAvailable();
if (!available.ok) console.warn(available.why);
const redisDescribe = available.ok ? describe : describe.skip;

const redisCredential = (port: number) => ({ host: '127.0.0.1', port, database: 0, user: '', password: '', ssl: false });
/** Slack gives up on a trigger's answer after 3 s and sends the message again. */
const SLACK_REPLY_DEADLINE_MS = SLACK_RESPONSE_URL.replyTimeoutSeconds * 1000;

const slack = new SlackWebhookServer();
let redis: RedisServer | undefined;

beforeAll(async () => {
	await slack.start();
	if (available.ok) redis = await new RedisServer().start();
});

afterAll(async () => {
	await closeRedisClients();
	await slack.stop();
	await redis?.stop();
	restoreLogSettings();
});

beforeEach(() => slack.reset());

const send = (texts: string[], options: Record<string, unknown>, redisPort: number) =>
	runNode({
		parameters: { text: '={{ $json.text }}', shareThroughRedis: true, options: { timeout: 10, ...options } },
		credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: slack.url }, redis: redisCredential(redisPort) },
		items: texts.map((text) => ({ json: { text } })),
		continueOnFail: true,
	});

redisDescribe('contention: many executions share one webhook pace through Redis', () => {
	it('20 executions x concurrency 10 against a token bucket: nothing lost or duplicated, nothing paced locally, fewer 429s than executions', async () => {
		const EXECUTIONS = 20;
		const MESSAGES = 5;
		const RATE = 10;
		const BURST = 10;
		slack.limitTo(RATE, BURST);
		const runs = await Promise.all(
			Array.from({ length: EXECUTIONS }, (_, execution) =>
				send(
					Array.from({ length: MESSAGES }, (_, n) => `execution ${execution} message ${n}`),
					{ orderedDelivery: false, concurrency: 10, maxRateLimitWait: 300 },
					redis!.port,
				),
			),
		);
		// From the first message posted to the last: n8n's own start-up is not the gate's doing.
		const elapsedSeconds = (slack.received[slack.received.length - 1].at - slack.received[0].at) / 1000;

		const items = runs.flatMap((run) => run.output ?? []).map((item) => item.json);
		expect(runs.map((run) => run.error)).toEqual(runs.map(() => undefined));
		expect(items.filter((item) => item.ok !== true)).toEqual([]);
		expect(items.map((item) => item.rateGate).filter((where) => where !== 'shared (Redis)')).toEqual([]);
		const posted = slack.posted.map((request) => String(request.json?.text));
		expect(posted).toHaveLength(EXECUTIONS * MESSAGES);
		expect(new Set(posted).size).toBe(EXECUTIONS * MESSAGES);
		expect(slack.rateLimited).toBeLessThan(EXECUTIONS);
		// The least possible time: the burst at once, the rest at the bucket's rate. Measured at 1.1x
		// to 1.2x of it on 2 busy cores (9.99 to 10.91 s over 14 runs at load 8 to 18); the bound is
		// 2x, far from that, and still fails a gate that stops sharing its pace (each execution
		// learning it alone draws a 429 storm apiece). A busy machine cannot reach it: the run is
		// paced by the bucket's waits (9 s of sleeping), and load adds only the work per message,
		// which would have to grow to 90 ms for each of the 100 to double the time. The speed
		// figure is benchmark 2b's (bench/).
		const leastSeconds = (EXECUTIONS * MESSAGES - BURST) / RATE;
		expect(elapsedSeconds).toBeLessThan(leastSeconds * 2);
	}, 120_000);

	it('a wait learned by an earlier execution is held against Max Rate Limit Wait: the second execution fails at once, posting nothing', async () => {
		slack.respondWith(() => answer.rateLimited('3600'));
		const first = await send(['first'], { maxRateLimitWait: 120 }, redis!.port);
		const started = Date.now();
		const second = await send(['second'], { maxRateLimitWait: 120 }, redis!.port);
		const secondMs = Date.now() - started;

		for (const run of [first, second]) {
			expect(run.output?.[0].json).toMatchObject({
				error: expect.stringMatching(/rate-limiting this webhook for 3\d{3} s more/),
				code: 'RATE_LIMIT_WAIT_EXCEEDED',
			});
			expect(JSON.stringify(run.output?.[0].json)).toMatch(/The message was not posted\. The webhook accepts messages again at \d{4}-\d\d-\d\dT/);
		}
		expect(slack.received.map((request) => request.json?.text)).toEqual(['first']);
		// Before, the second execution slept for the hour. "At once" is a bound 100 times shorter
		// than that, and far above one execution that posts nothing (well under a second), however
		// busy the machine.
		expect(secondMs).toBeLessThan(36_000);
	}, 60_000);
});

describe('stalled dependency: Redis accepts connections and never answers', () => {
	const stalled = new StalledServer();
	const harness = new TriggerHarness();
	const TOKEN = 'stress-token-not-real';
	let ts = 0;

	beforeAll(async () => {
		await stalled.start();
		await harness.start();
	});

	afterAll(async () => {
		await harness.stop();
		await stalled.stop();
	});

	it('the trigger answers every request inside Slack\'s 3 s and starts every execution; the action paces locally and says so', async () => {
		harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?', shareThroughRedis: true };
		harness.credentials = {
			slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: '', allowedTeamIds: '' },
			redis: redisCredential(stalled.port),
		};
		const REQUESTS = 12;
		const timings: number[] = [];
		for (let n = 0; n < REQUESTS; n++) {
			const form = new URLSearchParams({ ...seedOutgoingWebhookPost(TOKEN), timestamp: `${++ts}.000009`, text: `googlebot: question ${n}` }).toString();
			const started = Date.now();
			const reply = await harness.post(form, { 'content-type': 'application/x-www-form-urlencoded' });
			timings.push(Date.now() - started);
			expect(reply).toMatchObject({ status: 200, body: '{"text":"African or European?"}' });
		}
		expect(harness.calls.filter((call) => call.started !== undefined)).toHaveLength(REQUESTS);
		// A generous bound on the breaker's behaviour (500 ms for the first call, none after), not a speed figure.
		expect(timings.filter((ms) => ms >= SLACK_REPLY_DEADLINE_MS)).toEqual([]);
		const log = await readN8nLog(/Slack Outgoing Webhook Trigger: Redis could not be used for the duplicate filter/);
		expect(log.match(/Slack Outgoing Webhook Trigger: Redis could not be used for the duplicate filter/g)).toHaveLength(1);

		const action = await send(['one', 'two', 'three'], {}, stalled.port);
		expect(action.error).toBeUndefined();
		expect(action.output?.map((item) => item.json)).toEqual([
			expect.objectContaining({ ok: true, rateGate: 'local (Redis unreachable)' }),
			expect.objectContaining({ ok: true, rateGate: 'local (Redis unreachable)' }),
			expect.objectContaining({ ok: true, rateGate: 'local (Redis unreachable)' }),
		]);
		expect(slack.posted.map((request) => request.json?.text)).toEqual(['one', 'two', 'three']);
		const rateGateWarning = /Slack Incoming Webhook: Redis could not be used for the rate gate .*on its own while Redis cannot be used/;
		expect(await readN8nLog(rateGateWarning)).toMatch(rateGateWarning);
	}, 60_000);
});
