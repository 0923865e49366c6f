/**
 * The state that must be shared when n8n runs several processes (the trigger's duplicate filter,
 * the action's rate gate) behind one interface, tested once against each place it is kept: this
 * process, and a real redis-server on 127.0.0.1.
 */
import Redis from 'ioredis';

import { LocalIncomingMessageClaims, RecentIncomingMessages, RedisIncomingMessageClaims, type IncomingMessageClaims } from '../../../../nodes/shared/state/incoming-message-claims';
import { closeRedisClients, KEY_PREFIX, redisCall, redisClientFor, REDIS_CALL_TIMEOUT_MS, REDIS_COOL_DOWN_MS, RedisUnavailableError } from '../../../../nodes/shared/state/redis';
import { LocalSendGate, RedisSendGate, rateGateRedisKey, startIntervalMsFor, type SendGate } from '../../../../nodes/shared/state/send-gates';
import { initialRateGateState, RATE_GATE } from '../../../../nodes/shared/state/rate-gate';
import { WORKFLOW_TRIGGER_INTERVAL_MS } from '../../../../nodes/shared/slack';
import { CLOCK_SLACK_MS } from '../../../helpers/clock';
import { refusedPort } from '../../../helpers/free-port';
import { RedisServer, redisServerAvailable } from '../../../helpers/redis-server';
import { StalledServer } from '../../../helpers/stalled-server';

const available = redisServerAvailable();
if (!available.ok) console.warn(available.why);
const redisDescribe = available.ok ? describe : describe.skip;

const WEBHOOK = new URL('http://127.0.0.1:9/services/TTEST0000/BTEST0000/shared-state-secret-0000');
const PASSWORD = 'shared-state-test-password';

let server: RedisServer | undefined;
const extraClients: Redis[] = [];
let keyspace = 0;

beforeAll(async () => {
	if (available.ok) server = await new RedisServer().start();
});

afterAll(async () => {
	await closeRedisClients();
	for (const client of extraClients) client.disconnect();
	await server?.stop();
});

// A fresh client (and breaker) per test: one slow call in a busy moment must not cool down the
// next tests' Redis, and no reconnecting client of an earlier test is counted in a later one's handles.
beforeEach(async () => closeRedisClients());

/** A second connection, as another n8n process would have. */
function anotherProcessClient(): Redis {
	const client = new Redis({ host: '127.0.0.1', port: server!.port, maxRetriesPerRequest: 0 });
	client.on('error', () => undefined);
	extraClients.push(client);
	return client;
}

interface Place {
	/** Two views of the same filter, as two webhook processes (or two requests in one process) see it. */
	claims(): [IncomingMessageClaims, IncomingMessageClaims];
	/** Two senders to one webhook: two executions (Redis) or two items of one execution (this process). */
	gates(): [SendGate, SendGate];
}

const places: Array<[string, () => Place]> = [
	[
		'kept in this process',
		() => {
			const recent = new RecentIncomingMessages();
			const gate = new LocalSendGate();
			return { claims: () => [new LocalIncomingMessageClaims(recent), new LocalIncomingMessageClaims(recent)], gates: () => [gate, gate] };
		},
	],
	...(available.ok
		? ([
				[
					'kept in Redis',
					() => {
						const scope = `workflow-${++keyspace}:trigger`;
						const url = new URL(`${WEBHOOK.href}-${keyspace}`);
						const unreachable = () => {
							throw new Error('Redis was reachable: no fallback expected');
						};
						const claimsOn = (client: Redis) => new RedisIncomingMessageClaims(client, scope, new LocalIncomingMessageClaims(new RecentIncomingMessages()), unreachable);
						// At the time each step is given, as the gate kept in this process: the waits are exact.
						const gateOn = (client: Redis) => new RedisSendGate(client, rateGateRedisKey(url), unreachable, { timeFrom: 'caller' });
						const first = redisClientFor({ host: '127.0.0.1', port: server!.port });
						const second = anotherProcessClient();
						return { claims: () => [claimsOn(first), claimsOn(second)], gates: () => [gateOn(first), gateOn(second)] };
					},
				],
			] as Array<[string, () => Place]>)
		: []),
];

describe.each(places)('duplicate filter %s', (_name, place) => {
	const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

	it('lets the first delivery of a key through and filters the repeat once it started, wherever it arrives', async () => {
		const [one, other] = place().claims();
		expect(await one.take('message|T1|C1|1.000001|U1', 'first', 60_000)).toBe('new');
		await one.markStarted('message|T1|C1|1.000001|U1', 60_000);
		expect(await other.take('message|T1|C1|1.000001|U1', 'second', 60_000)).toBe('started');
		expect(await one.take('message|T1|C1|1.000002|U1', 'third', 60_000)).toBe('new');
	});

	it('tells a delivery whose first copy is still in flight that it is in flight, not started', async () => {
		const [one, other] = place().claims();
		expect(await one.take('event|T1|Ev1', 'first', 60_000)).toBe('new');
		expect(await other.take('event|T1|Ev1', 'second', 60_000)).toBe('inFlight');
	});

	it('lets a delivery through again once its holder releases it (n8n could not start the workflow)', async () => {
		const [one, other] = place().claims();
		expect(await one.take('slash|T1|tr1', 'first', 60_000)).toBe('new');
		await one.release('slash|T1|tr1', 'first');
		expect(await other.take('slash|T1|tr1', 'second', 60_000)).toBe('new');
	});

	it('lets only the holder renew or release a lease, and never releases a started key', async () => {
		const [one, other] = place().claims();
		expect(await one.take('post|T1|p2', 'first', 60_000)).toBe('new');
		expect(await other.renew('post|T1|p2', 'second', 60_000)).toBe(false);
		await other.release('post|T1|p2', 'second');
		expect(await other.take('post|T1|p2', 'second', 60_000)).toBe('inFlight');
		expect(await one.renew('post|T1|p2', 'first', 60_000)).toBe(true);
		await one.markStarted('post|T1|p2', 60_000);
		await one.release('post|T1|p2', 'first');
		expect(await other.take('post|T1|p2', 'second', 60_000)).toBe('started');
	});

	it('ends a lease nobody renews (its process died), and a renewed one lives on', async () => {
		const [one, other] = place().claims();
		expect(await one.take('post|T1|dead', 'killed', 2_000)).toBe('new');
		expect(await one.take('post|T1|alive', 'living', 2_000)).toBe('new');
		expect(await one.renew('post|T1|alive', 'living', 60_000)).toBe(true);
		// Past the first lease, however late the timer fires: only the renewed one still holds.
		await sleep(2_500);
		expect(await other.take('post|T1|dead', 'next', 60_000)).toBe('new');
		expect(await other.take('post|T1|alive', 'next', 60_000)).toBe('inFlight');
	});

	it('forgets a started key after its window', async () => {
		const [one, other] = place().claims();
		expect(await one.take('post|T1|p1', 'first', 60_000)).toBe('new');
		await one.markStarted('post|T1|p1', 50);
		await sleep(200);
		expect(await other.take('post|T1|p1', 'second', 60_000)).toBe('new');
	});

	it('lets exactly one of many simultaneous deliveries of one key through', async () => {
		const [one, other] = place().claims();
		const states = await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? one : other).take('message|T1|C1|9.000001|U1', `holder-${n}`, 60_000)));
		expect(states.filter((state) => state === 'new')).toHaveLength(1);
		expect(states.filter((state) => state === 'inFlight')).toHaveLength(39);
	});
});

describe.each(places)('rate gate %s', (_name, place) => {
	// Every step is given its time, in Redis too: each wait is the gate's own figure, not a
	// measurement that a busy machine or millisecond rounding could shift.
	const T = Date.UTC(2026, 0, 1);

	it('does not pace until Slack first answers 429', async () => {
		const [one, other] = place().gates();
		for (let n = 0; n < 20; n++) {
			expect(await (n % 2 ? one : other).reserve(T + n, Infinity)).toEqual({ delayMs: 0, reserved: true });
			await one.recordDelivered(T + n);
		}
	});

	it('holds every sender until Retry-After has passed, including one whose slot was reserved before the pause', async () => {
		const [one, other] = place().gates();
		await one.recordDelivered(T);
		await one.recordRateLimited(T, 1_000);
		const reserved = await other.reserve(T, Infinity);
		expect(reserved).toEqual({ delayMs: 1_000, reserved: true });
		// 100 ms later, Slack asks the first sender for a longer pause, before the reserved slot comes:
		// at its slot the sender is held until that pause ends.
		await one.recordRateLimited(T + 100, 3_000);
		expect(await other.holdBeforePosting(T + reserved.delayMs)).toBe(100 + 3_000 - 1_000);
	});

	it('gives simultaneous senders distinct slots, spaced by the learned rate', async () => {
		const [one, other] = place().gates();
		await one.recordDelivered(T);
		await one.recordRateLimited(T, 200);
		const delays = await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? one : other).reserve(T, Infinity)));
		const sorted = delays.map((entry) => entry.delayMs).sort((a, b) => a - b);
		// One delivery, then a 200 ms pause: the first slot when the pause ends, then one per
		// 200 ms or so (the pace learned from it, pause included), each slot its own.
		expect(sorted[0]).toBe(200);
		const spacing = sorted.slice(1).map((delay, n) => delay - sorted[n]);
		expect(spacing).toEqual(spacing.map(() => expect.closeTo(spacing[0], 6)));
		expect(spacing[0]).toBeGreaterThanOrEqual(200);
		expect(spacing[0]).toBeLessThanOrEqual(200 * RATE_GATE.PACE_MARGIN);
	});

	it('reserves nothing further away than the max wait, and pushes nobody back', async () => {
		const [one, other] = place().gates();
		await one.recordRateLimited(T, 3_600_000);
		expect(await other.reserve(T, 120_000)).toEqual({ delayMs: 3_600_000, reserved: false });
		expect(await other.reserve(T, Infinity)).toEqual({ delayMs: 3_600_000, reserved: true });
	});
});

redisDescribe('rate gate in Redis', () => {
	it('starts a workflow trigger at Slack\'s rate for triggers, shared by every sender, in Redis as in this process', async () => {
		const trigger = new URL('http://127.0.0.1:9/triggers/TTEST0000/1234567890123/shared-state-trigger-0000');
		const start = startIntervalMsFor(trigger);
		expect(start).toBeGreaterThanOrEqual(WORKFLOW_TRIGGER_INTERVAL_MS);
		expect(startIntervalMsFor(WEBHOOK)).toBe(0);
		const client = redisClientFor({ host: '127.0.0.1', port: server!.port });
		const now = Date.now();
		const places: SendGate[][] = [
			[new RedisSendGate(client, rateGateRedisKey(trigger), () => undefined, { startIntervalMs: start, timeFrom: 'caller' }), new RedisSendGate(client, rateGateRedisKey(trigger), () => undefined, { startIntervalMs: start, timeFrom: 'caller' })],
			[new LocalSendGate(initialRateGateState(start))],
		];
		for (const [first, second = first] of places) {
			expect(await first.reserve(now, Infinity)).toEqual({ delayMs: 0, reserved: true });
			// Another sender (another worker, with Redis) gets the next slot one interval later, not at once.
			expect((await second.reserve(now, Infinity)).delayMs).toBeGreaterThanOrEqual(start - CLOCK_SLACK_MS);
		}
	});

	it('keys the state by a hash of the webhook URL and stores no part of it', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: server!.port });
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), () => undefined);
		await gate.recordDelivered(Date.now());
		const keys = await client.keys(`${KEY_PREFIX}*`);
		const values = await Promise.all(keys.map(async (key) => ((await client.type(key)) === 'hash' ? await client.hgetall(key) : await client.get(key))));
		expect(keys).toContain(rateGateRedisKey(WEBHOOK));
		expect(JSON.stringify({ keys, values })).not.toMatch(/shared-state-secret|TTEST0000|127\.0\.0\.1/);
	});

	it('never falls back to this process while Redis is well, however many senders contend', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: server!.port });
		const url = new URL(`${WEBHOOK.href}-contention`);
		const warnings: RedisUnavailableError[] = [];
		// At one given time, so that distinct slots are distinct delays, however long the 200 calls take.
		const at = Date.UTC(2026, 0, 1);
		const gates = Array.from({ length: 200 }, () => new RedisSendGate(client, rateGateRedisKey(url), (error) => warnings.push(error), { timeFrom: 'caller' }));
		await gates[0].recordDelivered(at);
		await gates[0].recordRateLimited(at, 1_000);
		const reservations = await Promise.all(gates.map((gate) => gate.reserve(at, Infinity)));
		expect(warnings).toEqual([]);
		expect(gates.every((gate) => gate.where === 'shared (Redis)')).toBe(true);
		expect(reservations.every((entry) => entry.reserved)).toBe(true);
		// 200 distinct slots, one per learned interval.
		const slots = new Set(reservations.map((entry) => Math.round(entry.delayMs / 100)));
		expect(slots.size).toBe(200);
	});

	it('decides in this process from the last state Redis gave while Redis cannot be used, and says so once', async () => {
		const own = await new RedisServer().start();
		const client = redisClientFor({ host: '127.0.0.1', port: own.port, database: 1 });
		const warnings: RedisUnavailableError[] = [];
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), (error) => warnings.push(error), { timeFrom: 'caller' });
		const at = Date.UTC(2026, 0, 1);
		try {
			await gate.recordDelivered(at);
			await gate.recordRateLimited(at, 1_000);
			expect(gate.where).toBe('shared (Redis)');
			await own.stop();

			// Decided in this process at the same time: the pause Redis last gave, then its pace.
			const first = await gate.reserve(at, Infinity);
			const second = await gate.reserve(at, Infinity);
			expect(first.delayMs).toBe(1_000);
			expect(second.delayMs - first.delayMs).toBeGreaterThanOrEqual(1_000);
			await gate.recordDelivered(at + first.delayMs);
			expect(gate.where).toBe('local (Redis unreachable)');
			expect(warnings).toHaveLength(1);
			expect(warnings[0]).toBeInstanceOf(RedisUnavailableError);
		} finally {
			await own.stop();
		}
	});
});

describe('Redis unreachable', () => {
	it('a claim falls back to this process: the delivery starts, its repeat in this process does not', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: await refusedPort(), password: PASSWORD });
		const warnings: string[] = [];
		const claims = new RedisIncomingMessageClaims(client, 'workflow:trigger', new LocalIncomingMessageClaims(new RecentIncomingMessages()), (error) => warnings.push(error.message));
		expect(await claims.take('message|T1|C1|1.000001|U1', 'first', 60_000)).toBe('new');
		await claims.markStarted('message|T1|C1|1.000001|U1', 60_000);
		expect(await claims.take('message|T1|C1|1.000001|U1', 'second', 60_000)).toBe('started');
		expect(warnings).toHaveLength(3);
		expect(warnings.join('\n')).toMatch(/Redis could not be used for the duplicate filter/);
		expect(warnings.join('\n')).not.toContain(PASSWORD);
	});

	it('a gate that never reached Redis paces in this process from the start', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: await refusedPort(), password: PASSWORD });
		const warnings: string[] = [];
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), (error) => warnings.push(error.message));
		expect(await gate.reserve(0, Infinity)).toEqual({ delayMs: 0, reserved: true });
		await gate.recordRateLimited(0, 1_000);
		expect(await gate.reserve(0, Infinity)).toEqual({ delayMs: 1_000, reserved: true });
		expect(gate.where).toBe('local (Redis unreachable)');
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).not.toContain(PASSWORD);
	});
});

describe('Redis that accepts connections and never answers', () => {
	const stalled = new StalledServer();
	beforeAll(() => stalled.start());
	afterAll(() => stalled.stop());

	it('costs the first call its deadline, then answers at once for the cool-down, leaving no listener or timer behind per call', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: stalled.port });
		const failures: RedisUnavailableError[] = [];
		const claims = new RedisIncomingMessageClaims(client, 'workflow:trigger', new LocalIncomingMessageClaims(new RecentIncomingMessages()), (error) => failures.push(error));
		const started = Date.now();
		expect(await claims.take('message|T1|C1|1.000001|U1', 'first', 60_000)).toBe('new');
		expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_CALL_TIMEOUT_MS - CLOCK_SLACK_MS);
		// It waited out the deadline once (however late a busy machine ran the timer) ...
		expect(failures.map((failure) => [failure.startedCoolDown, failure.message])).toEqual([[true, expect.stringContaining('no answer in time')]]);

		const events = ['ready', 'error', 'connect', 'close', 'end'];
		const listeners = () => events.map((event) => client.listenerCount(event));
		const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
		const before = { listeners: listeners(), handles: handles() };
		for (let call = 0; call < 1_000; call++) await claims.take(`message|T1|C1|${call}.000001|U1`, `holder-${call}`, 60_000);
		// ... and the next 1,000 calls did not ask Redis at all: the breaker refused each at once.
		expect(failures.slice(1).filter((failure) => failure.startedCoolDown || !failure.message.includes('not asked for'))).toEqual([]);
		expect(failures).toHaveLength(1_001);
		expect({ listeners: listeners(), handles: handles() }).toEqual(before);
	});

	it('asks Redis again once the cool-down is over, each time with one deadline', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: stalled.port, database: 2 });
		let clock = Date.now();
		const now = () => clock;
		const ping = () => redisCall(client, 'a test', (redis) => redis.ping(), now);
		await expect(ping()).rejects.toMatchObject({ startedCoolDown: true, message: expect.stringContaining('no answer in time') });
		await expect(ping()).rejects.toMatchObject({ startedCoolDown: false, message: expect.stringContaining('not asked for 30 s') });
		clock += REDIS_COOL_DOWN_MS + 1;
		await expect(ping()).rejects.toMatchObject({ startedCoolDown: true });
		const events = ['ready', 'error', 'connect', 'close', 'end'];
		expect(events.map((event) => client.listenerCount(event))).toEqual(events.map((event) => (event === 'error' ? 1 : client.listenerCount(event))));
	});
});
