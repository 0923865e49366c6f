/**
 * The state that must be shared when n8n runs several processes (the trigger's duplicate filter,
 * the action's rate gate) behind one interface, tested once against each place it is kept: this
 * process, and a real redis-server on 127.0.0.1.
 */
import Redis from 'ioredis';

import { LocalDeliveryClaims, RecentDeliveries, RedisDeliveryClaims, type DeliveryClaims } from '../../../../nodes/shared/state/delivery-claims';
import { closeRedisClients, KEY_PREFIX, redisClientFor, REDIS_CALL_TIMEOUT_MS, RedisUnavailableError } from '../../../../nodes/shared/state/redis';
import { LocalSendGate, RedisSendGate, rateGateRedisKey, type SendGate } from '../../../../nodes/shared/state/send-gates';
import { freePort } from '../../../helpers/free-port';
import { RedisServer, redisServerAvailable } from '../../../helpers/redis-server';

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

/** A second connection, as another n8n process would have. */
function anotherProcessClient(): Redis {
	const client = new Redis({ host: '127.0.0.1', port: server!.port, maxRetriesPerRequest: 0 });
	client.on('error', () => undefined);
	extraClients.push(client);
	return client;
}

interface Place {
	/** Two views of the same filter, as two webhook processes (or two requests in one process) see it. */
	claims(): [DeliveryClaims, DeliveryClaims];
	/** Two senders to one webhook: two executions (Redis) or two items of one execution (this process). */
	gates(): [SendGate, SendGate];
}

const places: Array<[string, () => Place]> = [
	[
		'kept in this process',
		() => {
			const recent = new RecentDeliveries();
			const gate = new LocalSendGate();
			return { claims: () => [new LocalDeliveryClaims(recent), new LocalDeliveryClaims(recent)], gates: () => [gate, gate] };
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
						const claimsOn = (client: Redis) => new RedisDeliveryClaims(client, scope, new LocalDeliveryClaims(new RecentDeliveries()), unreachable);
						const gateOn = (client: Redis) => new RedisSendGate(client, rateGateRedisKey(url), unreachable);
						const first = redisClientFor({ host: '127.0.0.1', port: server!.port });
						const second = anotherProcessClient();
						return { claims: () => [claimsOn(first), claimsOn(second)], gates: () => [gateOn(first), gateOn(second)] };
					},
				],
			] as Array<[string, () => Place]>)
		: []),
];

describe.each(places)('duplicate filter %s', (_name, place) => {
	it('lets the first delivery of a key through and filters the repeat, wherever it arrives', async () => {
		const [one, other] = place().claims();
		expect(await one.claim('message|T1|C1|1.000001|U1', 60_000)).toBe('new');
		expect(await other.claim('message|T1|C1|1.000001|U1', 60_000)).toBe('repeat');
		expect(await one.claim('message|T1|C1|1.000002|U1', 60_000)).toBe('new');
	});

	it('lets a delivery through again once it is released (n8n could not start the workflow)', async () => {
		const [one, other] = place().claims();
		expect(await one.claim('slash|T1|tr1', 60_000)).toBe('new');
		await one.release('slash|T1|tr1');
		expect(await other.claim('slash|T1|tr1', 60_000)).toBe('new');
	});

	it('forgets a key after its window', async () => {
		const [one, other] = place().claims();
		expect(await one.claim('post|T1|p1', 50)).toBe('new');
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(await other.claim('post|T1|p1', 50)).toBe('new');
	});

	it('lets exactly one of many simultaneous deliveries of one key through', async () => {
		const [one, other] = place().claims();
		const claims = await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? one : other).claim('message|T1|C1|9.000001|U1', 60_000)));
		expect(claims.filter((claim) => claim === 'new')).toHaveLength(1);
	});
});

describe.each(places)('rate gate %s', (_name, place) => {
	it('does not pace until Slack first answers 429', async () => {
		const [one, other] = place().gates();
		for (let t = 0; t < 20; t++) {
			expect(await (t % 2 ? one : other).reserve(t)).toBe(0);
			await one.recordDelivered(t);
		}
	});

	it('holds every sender until Retry-After has passed', async () => {
		const [one, other] = place().gates();
		await one.recordRateLimited(1_000, 2_000);
		expect(await other.reserve(1_000)).toBe(2_000);
		expect(await other.delayAt(2_500)).toBeGreaterThanOrEqual(500);
	});

	it('learns the rate Slack let through and gives simultaneous senders distinct, spaced slots', async () => {
		const [one, other] = place().gates();
		// 10 messages pass in the first 100 ms, then Slack asks for a 1 s pause: 10 per 1.1 s.
		for (let t = 0; t < 100; t += 10) await (t % 20 ? one : other).recordDelivered(t);
		await one.recordRateLimited(100, 1_000);
		const delays = await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? one : other).reserve(100)));
		const sorted = [...delays].sort((a, b) => a - b);
		expect(sorted[0]).toBe(1_000);
		for (let n = 1; n < sorted.length; n++) expect(sorted[n] - sorted[n - 1]).toBeCloseTo(110, 5);
	});
});

redisDescribe('rate gate in Redis', () => {
	it('keys the state by a hash of the webhook URL and stores no part of it', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: server!.port });
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), () => undefined);
		await gate.recordDelivered(Date.now());
		const keys = await client.keys(`${KEY_PREFIX}*`);
		const values = await Promise.all(keys.map((key) => client.get(key)));
		expect(keys).toContain(rateGateRedisKey(WEBHOOK));
		expect(JSON.stringify({ keys, values })).not.toMatch(/shared-state-secret|TTEST0000|127\.0\.0\.1/);
	});

	it('carries on in this process from the last pace it saw when Redis goes away, and says so once', async () => {
		const own = await new RedisServer().start();
		const client = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: 0, commandTimeout: REDIS_CALL_TIMEOUT_MS });
		client.on('error', () => undefined);
		const warnings: RedisUnavailableError[] = [];
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), (error) => warnings.push(error));
		try {
			for (let t = 0; t < 100; t += 10) await gate.recordDelivered(t);
			await gate.recordRateLimited(100, 1_000);
			expect(gate.where).toBe('shared (Redis)');
			await own.stop();

			const first = await gate.reserve(100);
			const second = await gate.reserve(100);
			expect([first, second]).toEqual([1_000, expect.closeTo(1_110, 5)]);
			await gate.recordDelivered(1_100);
			expect(gate.where).toBe('local (Redis unreachable)');
			expect(warnings).toHaveLength(1);
			expect(warnings[0]).toBeInstanceOf(RedisUnavailableError);
		} finally {
			client.disconnect();
			await own.stop();
		}
	});
});

describe('Redis unreachable', () => {
	it('a claim falls back to this process: the delivery starts, its repeat in this process does not', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: await freePort(), password: PASSWORD });
		const warnings: string[] = [];
		const claims = new RedisDeliveryClaims(client, 'workflow:trigger', new LocalDeliveryClaims(new RecentDeliveries()), (error) => warnings.push(error.message));
		expect(await claims.claim('message|T1|C1|1.000001|U1', 60_000)).toBe('new');
		expect(await claims.claim('message|T1|C1|1.000001|U1', 60_000)).toBe('repeat');
		expect(warnings).toHaveLength(2);
		expect(warnings.join('\n')).toMatch(/Redis could not be used for the duplicate filter/);
		expect(warnings.join('\n')).not.toContain(PASSWORD);
	});

	it('a gate that never reached Redis paces in this process from the start', async () => {
		const client = redisClientFor({ host: '127.0.0.1', port: await freePort(), password: PASSWORD });
		const warnings: string[] = [];
		const gate = new RedisSendGate(client, rateGateRedisKey(WEBHOOK), (error) => warnings.push(error.message));
		expect(await gate.reserve(0)).toBe(0);
		await gate.recordRateLimited(0, 1_000);
		expect(await gate.reserve(0)).toBe(1_000);
		expect(gate.where).toBe('local (Redis unreachable)');
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).not.toContain(PASSWORD);
	});
});
