import type Redis from 'ioredis';

import { initialRateGateState, RATE_GATE, RateGate, type RateGateState, type Reservation } from './rate-gate';
import { isWorkflowTriggerPath, WORKFLOW_TRIGGER_INTERVAL_MS } from '../slack';
import { RATE_GATE_FIELDS, RATE_GATE_LUA, type RateGateOperation } from './rate-gate.lua';
import { hashKey, KEY_PREFIX, redisCall, RedisUnavailableError } from './redis';

/**
 * The rate gate of one webhook as the sender uses it. Two implementations: the state in this
 * execution (as without Redis), or in Redis, shared by every worker and execution that sends to
 * the same webhook. Both apply the same arithmetic (rate-gate.ts, and its Lua twin in Redis).
 */
export interface SendGate {
	/** A slot no further than `maxWaitMs` away, or how long to wait before asking again. */
	reserve(now: number, maxWaitMs: number): Promise<Reservation>;
	/** How long a sender whose slot has come must still hold (a pause learned since it reserved). */
	holdBeforePosting(now: number): Promise<number>;
	recordDelivered(now: number): Promise<void>;
	recordRateLimited(now: number, retryAfterMs: number): Promise<void>;
	/** The send got no answer that Slack counted (connection failure, timeout). */
	recordUnanswered(now: number): Promise<void>;
	/** Where the pace of the last step was kept, for the output item: undefined for the plain in-process gate. */
	readonly where: string | undefined;
}

/**
 * The pace a webhook's gate starts at: a Slack workflow trigger at Slack's rate for triggers (a
 * little slower, as every learned pace is), anything else unpaced until Slack answers 429.
 */
export function startIntervalMsFor(webhookUrl: URL): number {
	return isWorkflowTriggerPath(webhookUrl.pathname) ? WORKFLOW_TRIGGER_INTERVAL_MS * RATE_GATE.PACE_MARGIN : 0;
}

export class LocalSendGate implements SendGate {
	readonly where: string | undefined;
	private readonly gate: RateGate;

	constructor(state?: RateGateState, where?: string) {
		this.gate = new RateGate(state);
		this.where = where;
	}

	async reserve(now: number, maxWaitMs: number): Promise<Reservation> {
		return this.gate.reserve(now, maxWaitMs);
	}

	/** A reservation as the shared gate makes it, for a step decided here while Redis cannot be used. */
	async reserveShared(now: number, maxWaitMs: number): Promise<Reservation> {
		return this.gate.reserve(now, maxWaitMs, SHARED_UNPACED_IN_FLIGHT);
	}

	async holdBeforePosting(now: number): Promise<number> {
		return this.gate.holdBeforePosting(now);
	}

	async recordDelivered(now: number): Promise<void> {
		this.gate.recordDelivered(now);
	}

	async recordRateLimited(now: number, retryAfterMs: number): Promise<void> {
		this.gate.recordRateLimited(now, retryAfterMs);
	}

	async recordUnanswered(): Promise<void> {
		this.gate.recordUnanswered();
	}

	get state(): RateGateState {
		return this.gate.snapshot;
	}
}

/** Kept a while after the last send: a later run to the same webhook starts from the learned pace. */
const STATE_TTL_MS = 10 * 60_000;
/** For a reservation with no limit of its own; Lua cannot read Infinity. */
const NO_LIMIT_MS = 1e15;

export interface RateGateAnswer {
	delayMs: number;
	reserved: boolean;
	/** Redis's time when it answered. */
	now: number;
	state: RateGateState;
}

type RunRateGate = (
	key: string,
	operation: RateGateOperation,
	now: string,
	argument: string,
	ttlMs: number,
	unpacedInFlight: string,
	startIntervalMs: string,
) => Promise<string[]>;

/**
 * Sends a shared gate lets out, before Slack has asked for any pause, that may await their answer
 * at once: the executions and workers sharing a webhook learn from these together. The default
 * Concurrency per Webhook; a gate in one execution is bounded by that setting already.
 */
export const SHARED_UNPACED_IN_FLIGHT = 5;

function rateGateScriptOn(client: Redis): RunRateGate {
	const commands = client as unknown as { slackWebhooksRateGate?: RunRateGate };
	if (!commands.slackWebhooksRateGate) {
		// defineCommand sends the script by its SHA (EVALSHA) and loads it once when Redis does not know it.
		client.defineCommand('slackWebhooksRateGate', { numberOfKeys: 1, lua: RATE_GATE_LUA });
	}
	return (...args) => commands.slackWebhooksRateGate!.call(client, ...args);
}

/**
 * Runs one rate-gate operation in Redis, atomically. `now` is for tests: without it Redis's own
 * clock decides.
 */
export async function runRateGateInRedis(
	client: Redis,
	key: string,
	operation: RateGateOperation,
	argument = 0,
	now?: number,
	unpacedInFlight = SHARED_UNPACED_IN_FLIGHT,
	startIntervalMs = 0,
): Promise<RateGateAnswer> {
	const run = rateGateScriptOn(client);
	const answer = await redisCall(client, 'the rate gate', () =>
		run(key, operation, now === undefined ? '' : String(now), String(Math.min(argument, NO_LIMIT_MS)), STATE_TTL_MS, String(Math.min(unpacedInFlight, NO_LIMIT_MS)), String(startIntervalMs)),
	);
	const numbers = answer.map(Number);
	const state = initialRateGateState();
	RATE_GATE_FIELDS.forEach((field, index) => (state[field] = numbers[3 + index]));
	return { delayMs: numbers[0], reserved: numbers[1] === 1, now: numbers[2], state };
}

export function rateGateRedisKey(webhookUrl: URL): string {
	return `${KEY_PREFIX}pace:${hashKey(webhookUrl.href)}`;
}

const SHARED = 'shared (Redis)';
const LOCAL = 'local (Redis unreachable)';

/**
 * The gate's state in Redis, under a hash of the webhook URL (never the URL). Each step is one
 * call of the Lua script. When Redis cannot be used (the breaker in redis.ts answers at once while
 * it cools down), the step is decided in this process from the last state Redis gave, and the
 * gate says so once through `onUnreachable`; the next step asks Redis again.
 */
export class RedisSendGate implements SendGate {
	private fallback: LocalSendGate | undefined;
	private lastSeen: RateGateState;
	private announced = false;
	private readonly startIntervalMs: number;
	private readonly timeFrom: 'redis' | 'caller';
	where: string = SHARED;

	/**
	 * `startIntervalMs`: the pace a webhook with no state in Redis yet starts at (initialRateGateState).
	 * `timeFrom: 'caller'` is for tests: each step then runs at the `now` it is given, as the gate
	 * kept in this process does, instead of at Redis's own time (which every process shares).
	 */
	constructor(
		private readonly client: Redis,
		private readonly key: string,
		private readonly onUnreachable: (error: RedisUnavailableError) => void,
		{ startIntervalMs = 0, timeFrom = 'redis' }: { startIntervalMs?: number; timeFrom?: 'redis' | 'caller' } = {},
	) {
		this.startIntervalMs = startIntervalMs;
		this.timeFrom = timeFrom;
		this.lastSeen = initialRateGateState(startIntervalMs);
	}

	async reserve(now: number, maxWaitMs: number): Promise<Reservation> {
		return await this.step(now, 'reserve', maxWaitMs, ({ delayMs, reserved }) => ({ delayMs, reserved }), (gate) => gate.reserveShared(now, maxWaitMs));
	}

	async holdBeforePosting(now: number): Promise<number> {
		return await this.step(now, 'hold', 0, (answer) => answer.delayMs, (gate) => gate.holdBeforePosting(now));
	}

	async recordDelivered(now: number): Promise<void> {
		await this.step(now, 'delivered', 0, () => undefined, (gate) => gate.recordDelivered(now));
	}

	async recordRateLimited(now: number, retryAfterMs: number): Promise<void> {
		await this.step(now, 'rateLimited', retryAfterMs, () => undefined, (gate) => gate.recordRateLimited(now, retryAfterMs));
	}

	async recordUnanswered(now: number): Promise<void> {
		await this.step(now, 'unanswered', 0, () => undefined, (gate) => gate.recordUnanswered());
	}

	private async step<T>(
		now: number,
		operation: RateGateOperation,
		argument: number,
		shared: (answer: RateGateAnswer) => T,
		locally: (gate: LocalSendGate) => Promise<T>,
	): Promise<T> {
		let answer: RateGateAnswer;
		try {
			answer = await runRateGateInRedis(this.client, this.key, operation, argument, this.timeFrom === 'caller' ? now : undefined, SHARED_UNPACED_IN_FLIGHT, this.startIntervalMs);
		} catch (error) {
			return await locally(this.fallBack(error));
		}
		// Kept in this process's time, for a step that has to be decided here later.
		this.lastSeen = shiftedState(answer.state, now - answer.now);
		this.fallback = undefined;
		this.where = SHARED;
		return shared(answer);
	}

	private fallBack(error: unknown): LocalSendGate {
		this.fallback ??= new LocalSendGate(this.lastSeen, LOCAL);
		this.where = LOCAL;
		if (!this.announced) {
			this.announced = true;
			this.onUnreachable(error instanceof RedisUnavailableError ? error : new RedisUnavailableError('the rate gate', error));
		}
		return this.fallback;
	}
}

const TIMES: ReadonlyArray<keyof RateGateState> = ['blockedUntil', 'nextSlotAt', 'measuringSince', 'paceSince'];

function shiftedState(state: RateGateState, byMs: number): RateGateState {
	const shifted = { ...state };
	for (const field of TIMES) if (shifted[field] !== 0) shifted[field] += byMs;
	return shifted;
}
