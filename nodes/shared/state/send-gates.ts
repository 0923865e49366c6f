import type Redis from 'ioredis';
import type { IExecuteFunctions } from 'n8n-workflow';

import {
	afterDelivered,
	afterRateLimited,
	delayAt,
	initialRateGateState,
	RateGate,
	reserveSlot,
	type RateGateState,
} from './rate-gate';
import { redactWebhookUrl } from '../redact';
import { hashKey, KEY_PREFIX, redisCall, redisClientFor, RedisUnavailableError, type RedisCredential } from './redis';

/**
 * The rate gate of one webhook as the sender uses it. Two implementations: the state in this
 * execution (as without Redis), or in Redis, shared by every worker and execution that sends to
 * the same webhook. Both apply the same pure arithmetic (rate-gate.ts).
 */
export interface SendGate {
	reserve(now: number): Promise<number>;
	delayAt(now: number): Promise<number>;
	recordDelivered(now: number): Promise<void>;
	recordRateLimited(now: number, retryAfterMs: number): Promise<void>;
	/** Where the pace is kept, for the output item: undefined for the plain in-process gate. */
	readonly where: string | undefined;
}

export class LocalSendGate implements SendGate {
	readonly where: string | undefined;
	private readonly gate: RateGate;

	constructor(state?: RateGateState, where?: string) {
		this.gate = new RateGate(state);
		this.where = where;
	}

	async reserve(now: number): Promise<number> {
		return this.gate.reserve(now);
	}

	async delayAt(now: number): Promise<number> {
		return this.gate.delayAt(now);
	}

	async recordDelivered(now: number): Promise<void> {
		this.gate.recordDelivered(now);
	}

	async recordRateLimited(now: number, retryAfterMs: number): Promise<void> {
		this.gate.recordRateLimited(now, retryAfterMs);
	}
}

/** Kept a while after the last send: a later run to the same webhook starts from the learned pace. */
const STATE_TTL_MS = 10 * 60_000;
const MAX_CAS_ATTEMPTS = 50;

/**
 * Compare-and-set in one step: writes ARGV[2] only if the key still holds ARGV[1] ('' = absent).
 * Every sender reads the state, applies the pure arithmetic, and writes it back through this; a
 * sender that lost the race gets the current value and applies its change again.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1, ARGV[2]}
end
return {0, current}
`;

type CompareAndSet = (key: string, expected: string, next: string, ttlMs: number) => Promise<[number, string]>;

function compareAndSetOn(client: Redis): CompareAndSet {
	const commands = client as unknown as { slackWebhooksCompareAndSet?: CompareAndSet };
	if (!commands.slackWebhooksCompareAndSet) {
		// defineCommand sends the script by its SHA (EVALSHA) and loads it once when Redis does not know it.
		client.defineCommand('slackWebhooksCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
	}
	return (key, expected, next, ttlMs) => commands.slackWebhooksCompareAndSet!.call(client, key, expected, next, ttlMs);
}

export function rateGateRedisKey(webhookUrl: URL): string {
	return `${KEY_PREFIX}rate-gate:${hashKey(webhookUrl.href)}`;
}

/**
 * The gate's state in Redis, under a hash of the webhook URL (never the URL). When Redis fails,
 * the gate carries on in this process from the last state it saw, for the rest of the execution,
 * and says so once through `onUnreachable`.
 */
export class RedisSendGate implements SendGate {
	private fallback: LocalSendGate | undefined;
	private lastSeen: RateGateState = initialRateGateState();
	private readonly compareAndSet: CompareAndSet;

	constructor(
		private readonly client: Redis,
		private readonly key: string,
		private readonly onUnreachable: (error: RedisUnavailableError) => void,
	) {
		this.compareAndSet = compareAndSetOn(client);
	}

	get where(): string {
		return this.fallback ? 'local (Redis unreachable)' : 'shared (Redis)';
	}

	async reserve(now: number): Promise<number> {
		return await this.change((state) => reserveSlot(state, now), (gate) => gate.reserve(now));
	}

	async delayAt(now: number): Promise<number> {
		if (this.fallback) return await this.fallback.delayAt(now);
		try {
			const raw = await redisCall(this.client, 'the rate gate', (client) => client.get(this.key));
			this.lastSeen = parseState(raw ?? '');
			return delayAt(this.lastSeen, now);
		} catch (error) {
			return await this.fallBack(error).delayAt(now);
		}
	}

	async recordDelivered(now: number): Promise<void> {
		await this.change((state) => ({ state: afterDelivered(state, now), delayMs: 0 }), (gate) => gate.recordDelivered(now));
	}

	async recordRateLimited(now: number, retryAfterMs: number): Promise<void> {
		await this.change(
			(state) => ({ state: afterRateLimited(state, now, retryAfterMs), delayMs: 0 }),
			(gate) => gate.recordRateLimited(now, retryAfterMs),
		);
	}

	private async change<T>(
		apply: (state: RateGateState) => { state: RateGateState; delayMs: number },
		locally: (gate: LocalSendGate) => Promise<T>,
	): Promise<number | T> {
		if (this.fallback) return await locally(this.fallback);
		try {
			let current = await redisCall(this.client, 'the rate gate', (client) => client.get(this.key).then((raw) => raw ?? ''));
			for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
				const { state, delayMs } = apply(parseState(current));
				const next = JSON.stringify(state);
				const [written, value] = await redisCall(this.client, 'the rate gate', () => this.compareAndSet(this.key, current, next, STATE_TTL_MS));
				if (written === 1) {
					this.lastSeen = state;
					return delayMs;
				}
				current = value;
			}
			throw new RedisUnavailableError('the rate gate', new Error('too much contention'));
		} catch (error) {
			return await locally(this.fallBack(error));
		}
	}

	private fallBack(error: unknown): LocalSendGate {
		if (!this.fallback) {
			this.fallback = new LocalSendGate(this.lastSeen, 'local (Redis unreachable)');
			this.onUnreachable(error instanceof RedisUnavailableError ? error : new RedisUnavailableError('the rate gate', error));
		}
		return this.fallback;
	}
}

function parseState(raw: string): RateGateState {
	if (raw === '') return initialRateGateState();
	try {
		return { ...initialRateGateState(), ...(JSON.parse(raw) as Partial<RateGateState>) };
	} catch {
		return initialRateGateState();
	}
}

/**
 * The action's rate gates: shared through Redis when the node says so, otherwise undefined (each
 * execution keeps its own, as the sender does by default).
 */
export async function sharedSendGatesFor(context: IExecuteFunctions): Promise<((webhookUrl: URL) => SendGate) | undefined> {
	if (context.getNodeParameter('shareThroughRedis', 0, false) !== true) return undefined;
	const client = redisClientFor(await context.getCredentials<RedisCredential & Record<string, unknown>>('redis'));
	return (webhookUrl) =>
		new RedisSendGate(client, rateGateRedisKey(webhookUrl), (error) =>
			context.logger.warn(
				`Slack Incoming Webhook: ${error.message}; this execution paces its messages to ${redactWebhookUrl(webhookUrl.href)} on its own from now on`,
			),
		);
}
