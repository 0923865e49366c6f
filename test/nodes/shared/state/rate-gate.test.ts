/**
 * The rate gate's arithmetic, one table of cases (rate-gate-cases.ts) held against both versions:
 * the TypeScript reference that paces within one execution, and the Lua script that does the same
 * atomically inside a real redis-server on 127.0.0.1.
 */
import Redis from 'ioredis';

import { afterDelivered, afterRateLimited, afterUnanswered, holdBeforePosting, initialRateGateState, reserveSlot, type RateGateState } from '../../../../nodes/shared/state/rate-gate';
import { closeRedisClients, KEY_PREFIX } from '../../../../nodes/shared/state/redis';
import { runRateGateInRedis } from '../../../../nodes/shared/state/send-gates';
import { RedisServer, redisServerAvailable } from '../../../helpers/redis-server';
import { RATE_GATE_CASES, type RateGateStep } from './rate-gate-cases';

interface StepAnswer {
	delayMs: number;
	reserved: boolean;
	state: RateGateState;
}

function inTypeScript(state: RateGateState, step: RateGateStep): StepAnswer {
	const argument = step.argument ?? 0;
	switch (step.op) {
		case 'reserve': {
			const { state: next, reservation } = reserveSlot(state, step.at, step.argument ?? Infinity, step.inFlight ?? Infinity);
			return { ...reservation, state: next };
		}
		case 'hold': {
			const { state: next, holdMs } = holdBeforePosting(state, step.at);
			return { delayMs: holdMs, reserved: false, state: next };
		}
		case 'delivered':
			return { delayMs: 0, reserved: false, state: afterDelivered(state, step.at) };
		case 'rateLimited':
			return { delayMs: 0, reserved: false, state: afterRateLimited(state, step.at, argument) };
		case 'unanswered':
			return { delayMs: 0, reserved: false, state: afterUnanswered(state) };
	}
}

function expectStep(answer: StepAnswer, step: RateGateStep, where: string): void {
	const { delayMs, reserved, state } = step.expect ?? {};
	const context = `${where}: ${step.op} at ${step.at}`;
	if (delayMs !== undefined) expect({ context, delayMs: answer.delayMs }).toEqual({ context, delayMs: expect.closeTo(delayMs, 6) });
	if (reserved !== undefined) expect({ context, reserved: answer.reserved }).toEqual({ context, reserved });
	for (const [field, value] of Object.entries(state ?? {})) {
		expect({ context, field, value: answer.state[field as keyof RateGateState] }).toEqual({ context, field, value: expect.closeTo(value, 6) });
	}
}

describe.each(RATE_GATE_CASES.map((entry) => [entry.name, entry] as const))('rate gate arithmetic: %s', (_name, entry) => {
	it('in TypeScript (the in-process gate)', () => {
		let state = initialRateGateState();
		for (const step of entry.steps) {
			const answer = inTypeScript(state, step);
			expectStep(answer, step, 'TypeScript');
			state = answer.state;
		}
	});
});

const available = redisServerAvailable();
if (!available.ok) console.warn(available.why);
const redisDescribe = available.ok ? describe : describe.skip;

redisDescribe('the Lua twin in a real redis-server answers the same table, state and all', () => {
	let server: RedisServer;
	let client: Redis;
	let keyspace = 0;

	beforeAll(async () => {
		server = await new RedisServer().start();
		client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 0 });
	});

	afterAll(async () => {
		client.disconnect();
		await closeRedisClients();
		await server.stop();
	});

	it.each(RATE_GATE_CASES.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
		const key = `${KEY_PREFIX}pace:table-${++keyspace}`;
		let reference = initialRateGateState();
		for (const step of entry.steps) {
			const inRedis = await runRateGateInRedis(client, key, step.op, step.argument ?? Infinity, step.at, step.inFlight ?? Infinity);
			expectStep(inRedis, step, 'Lua');
			const inTs = inTypeScript(reference, step);
			for (const [field, value] of Object.entries(inTs.state)) {
				expect({ step: `${step.op} at ${step.at}`, field, value: inRedis.state[field as keyof RateGateState] }).toEqual({
					step: `${step.op} at ${step.at}`,
					field,
					value: expect.closeTo(value, 6),
				});
			}
			expect(inRedis.delayMs).toBeCloseTo(inTs.delayMs, 6);
			expect(inRedis.reserved).toBe(inTs.reserved);
			reference = inTs.state;
		}
	});

	it("takes the time from Redis's own clock when the caller gives none", async () => {
		const key = `${KEY_PREFIX}pace:clock-${++keyspace}`;
		const [seconds, micros] = await client.time();
		const redisNow = Number(seconds) * 1000 + Number(micros) / 1000;
		// A caller whose clock is an hour ahead changes nothing: its own time is not used.
		const answer = await runRateGateInRedis(client, key, 'rateLimited', 60_000);
		expect(answer.now).toBeGreaterThanOrEqual(redisNow);
		// Two calls in a row to a Redis on 127.0.0.1 (about a millisecond apart): 5 s is far beyond
		// any stall of a busy machine, and far short of the hour a caller's clock could be off.
		expect(answer.now).toBeLessThan(redisNow + 5_000);
		expect(answer.state.blockedUntil).toBeCloseTo(answer.now + 60_000, 3);
		// A pause of a minute: the next call, however late a busy machine makes it, is still inside it.
		const reserved = await runRateGateInRedis(client, key, 'reserve', Infinity);
		expect(reserved.delayMs).toBeGreaterThan(0);
		expect(reserved.delayMs).toBeLessThanOrEqual(60_000);
	});
});
