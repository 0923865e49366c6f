/**
 * The nodes' "Share ... Through Redis" settings, run by n8n-core against a real redis-server on
 * 127.0.0.1: the Redis credential (n8n's own `redis` type) is read only when the setting is on and
 * a request is about to start an execution; what another process claimed in Redis is seen here;
 * the rate gate lives in Redis under a hash; and when Redis is unreachable the trigger still
 * starts the workflow and says so in n8n's log, without the password.
 */
import { n8nLogFile, readN8nLog, restoreLogSettings } from '../../../helpers/n8n-debug-log';

import Redis from 'ioredis';

import { LocalIncomingMessageClaims, RecentIncomingMessages, RedisIncomingMessageClaims } from '../../../../nodes/shared/state/incoming-message-claims';
import { incomingMessageKey } from '../../../../nodes/shared/slack-app/message';
import { closeRedisClients, KEY_PREFIX } from '../../../../nodes/shared/state/redis';
import { rateGateRedisKey } from '../../../../nodes/shared/state/send-gates';
import { CLOCK_SLACK_MS } from '../../../helpers/clock';
import { refusedPort } from '../../../helpers/free-port';
import { runNode } from '../../../helpers/n8n-harness';
import { TriggerHarness, triggerNodeId } from '../../../helpers/n8n-webhook-harness';
import { RedisServer, redisServerAvailable } from '../../../helpers/redis-server';
import { seedOutgoingWebhookPost } from '../../../helpers/slack-fixtures';
import { answer, SlackWebhookServer } from '../../../helpers/slack-webhook-server';

const available = redisServerAvailable();
if (!available.ok) console.warn(available.why);
const redisDescribe = available.ok ? describe : describe.skip;

const TOKEN = 'test-token-not-real';
const REDIS_PASSWORD = 'redis-settings-password-not-real';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
let uniqueTs = 0;
const freshPost = (text = 'googlebot: which swallow?') => ({ ...seedOutgoingWebhookPost(TOKEN), timestamp: `${++uniqueTs}.000009`, text });
/** The trigger's key scope in the harness: workflow ID and node ID, as the node builds it. */
/** The trigger's duplicate-filter scope in the harness: its workflow ID and node ID. */
const HARNESS_SCOPE = `test-workflow:${triggerNodeId(2)}`;

let redis: RedisServer;
let client: Redis;
const harness = new TriggerHarness();
const slack = new SlackWebhookServer();

beforeAll(async () => {
	await harness.start();
	await slack.start();
	if (!available.ok) return;
	redis = await new RedisServer().start();
	client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 0 });
});

afterAll(async () => {
	await harness.stop();
	await slack.stop();
	await closeRedisClients();
	client?.disconnect();
	await redis?.stop();
	restoreLogSettings();
});

beforeEach(() => {
	harness.calls.length = 0;
	harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' };
	harness.credentials = { slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: '', allowedTeamIds: '' } };
	slack.reset();
});

const started = () => harness.calls.filter((call) => call.started !== undefined).length;
const redisCredential = (port: number, password = '') => ({ host: '127.0.0.1', port, database: 0, user: '', password, ssl: false });

describe('Slack Outgoing Webhook Trigger, Share Duplicate Filter Through Redis', () => {
	it('reads no Redis credential while the setting is off', async () => {
		// The harness has no `redis` credential: reading one would fail the request with a 500.
		expect((await harness.post(form(freshPost()), FORM)).status).toBe(200);
		expect(started()).toBe(1);
	});

	it('reads no Redis credential for a request that starts nothing', async () => {
		harness.parameters = { ...harness.parameters, shareThroughRedis: true };
		expect(await harness.post(form(freshPost('just chatting')), FORM)).toMatchObject({ status: 200, body: '' });
		expect(await harness.post(form({ ...freshPost(), token: 'wrong-token' }), FORM)).toMatchObject({ status: 401 });
		expect(harness.calls.filter((call) => call.threw !== undefined)).toEqual([]);
	});

	redisDescribe('with Redis', () => {
		beforeEach(() => {
			harness.parameters = { ...harness.parameters, shareThroughRedis: true };
			harness.credentials = { ...harness.credentials, redis: redisCredential(redis.port) };
		});

		it('starts nothing for a delivery another webhook process already started, through Redis', async () => {
			const post = freshPost();
			const otherProcess = new RedisIncomingMessageClaims(client, HARNESS_SCOPE, new LocalIncomingMessageClaims(new RecentIncomingMessages()), () => undefined);
			expect(await otherProcess.take(incomingMessageKey(post)!, 'other-process', 60_000)).toBe('new');
			await otherProcess.markStarted(incomingMessageKey(post)!, 60_000);

			expect(await harness.post(form(post), FORM)).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(0);
			// A delivery nobody claimed starts the workflow, and is then claimed for every process.
			const next = freshPost();
			expect(await harness.post(form(next), FORM)).toMatchObject({ status: 200, body: '{"text":"African or European?"}' });
			expect(started()).toBe(1);
			expect(await otherProcess.take(incomingMessageKey(next)!, 'other-process', 60_000)).toBe('started');
		});

		it('answers 503 while another webhook process still holds the delivery, so Slack sends it again; the retry after it released starts it', async () => {
			const post = freshPost();
			const key = incomingMessageKey(post)!;
			const otherProcess = new RedisIncomingMessageClaims(client, HARNESS_SCOPE, new LocalIncomingMessageClaims(new RecentIncomingMessages()), () => undefined);
			expect(await otherProcess.take(key, 'other-process', 60_000)).toBe('new');
			expect(await harness.post(form(post), FORM)).toMatchObject({ status: 503, body: '' });
			expect(started()).toBe(0);
			// The other process's n8n could not create the execution.
			await otherProcess.release(key, 'other-process');
			expect((await harness.post(form(post), FORM)).status).toBe(200);
			expect(started()).toBe(1);
		});

		it('starts a delivery whose holder was killed before its execution existed, once the lease it stopped renewing ends', async () => {
			const post = freshPost();
			const otherProcess = new RedisIncomingMessageClaims(client, HARNESS_SCOPE, new LocalIncomingMessageClaims(new RecentIncomingMessages()), () => undefined);
			// Taken and never renewed nor settled, as by a process killed at that moment (a short lease here).
			expect(await otherProcess.take(incomingMessageKey(post)!, 'killed-process', 300)).toBe('new');
			expect(await harness.post(form(post), FORM)).toMatchObject({ status: 200, body: '{"text":"African or European?"}' });
			expect(started()).toBe(1);
			expect(await otherProcess.take(incomingMessageKey(post)!, 'other-process', 60_000)).toBe('started');
		});

		it('keeps hashed keys only: no team, channel or user in Redis', async () => {
			await harness.post(form(freshPost()), FORM);
			const keys = await client.keys(`${KEY_PREFIX}delivery:*`);
			expect(keys.length).toBeGreaterThan(0);
			expect(keys.join(' ')).not.toMatch(/T0001|C2147483705|U2147483697/);
		});

		it('when Redis is unreachable, still answers and starts the workflow, and logs a warning without the password', async () => {
			harness.credentials = { ...harness.credentials, redis: redisCredential(await refusedPort(), REDIS_PASSWORD) };
			const answered = await harness.post(form(freshPost()), FORM);
			expect(answered).toMatchObject({ status: 200, body: '{"text":"African or European?"}' });
			expect(started()).toBe(1);
			const warning = /Slack Outgoing Webhook Trigger: Redis could not be used for the duplicate filter/;
			const log = await readN8nLog(warning);
			expect(log).toMatch(warning);
			expect(log).not.toContain(REDIS_PASSWORD);
			expect(n8nLogFile).toBeTruthy();
		});
	});
});

redisDescribe('Slack Incoming Webhook, Share Rate Limit Through Redis', () => {
	it("holds a second execution's messages while Slack's pause, met by the first execution, lasts", async () => {
		let first = true;
		slack.respondWith(() => {
			if (!first) return answer.ok();
			first = false;
			return answer.rateLimited('2');
		});
		const run = (text: string) =>
			runNode({
				parameters: { text, shareThroughRedis: true, options: { timeout: 5, maxRateLimitWait: 20 } },
				credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: slack.url }, redis: redisCredential(redis.port) },
			});
		const firstRun = run('first');
		for (const deadline = Date.now() + 30_000; slack.received.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
		const secondRun = run('second');
		const [one, two] = await Promise.all([firstRun, secondRun]);

		const pausedAt = slack.received[0].at;
		const second = slack.received.find((request) => request.json?.text === 'second')!;
		// Without the shared gate the second execution would post at once, inside the pause. Node and
		// Redis read the same system clock; only the rounding of timers and Date.now() can take a
		// little off the pause, and a busy machine only makes it longer.
		expect(second.at).toBeGreaterThanOrEqual(pausedAt + 2_000 - CLOCK_SLACK_MS);
		expect([one.output?.[0].json, two.output?.[0].json]).toEqual([
			expect.objectContaining({ ok: true, rateGate: 'shared (Redis)' }),
			expect.objectContaining({ ok: true, rateGate: 'shared (Redis)' }),
		]);
		const stored = await client.hgetall(rateGateRedisKey(new URL(slack.url)));
		expect(Number(stored.blockedUntil)).toBeGreaterThan(0);
		expect(JSON.stringify(await client.keys('*'))).not.toContain('test-secret-path');
	});
});
