import type Redis from 'ioredis';

import { hashKey, KEY_PREFIX, redisCall, type RedisUnavailableError } from './redis';

/**
 * Slack sends a message again when it gets no 200 in time. The duplicate filter keeps, per trigger
 * node, the keys of incoming messages in one of two states:
 *
 * - in flight: a request holds the key on a short lease while n8n creates the execution. The
 *   holder renews the lease as long as it lives, so a process killed at that moment (a deploy, an
 *   out-of-memory kill) leaves a claim that ends within INCOMING_MESSAGE_LEASE_MS, and Slack's next
 *   retry gets through.
 * - started: n8n answered that the execution exists; the key is kept for the Duplicate Window, and
 *   a retry starts nothing.
 *
 * The keys live in this n8n process (a second process or a restart does not see them), or in
 * Redis, shared by every webhook process.
 */

/** What taking a key found. */
export type ClaimState =
	/** Nobody held it: the caller now holds the lease and must settle it (started or released). */
	| 'new'
	/** A workflow started for it within the window. */
	| 'started'
	/** Another request holds the lease: its outcome is not known yet. */
	| 'inFlight';

/** The duplicate filter as the trigger uses it: one implementation per place the keys are kept. */
export interface IncomingMessageClaims {
	/** Takes `key` for `holder` for `leaseMs` unless it is started or another holder's lease is live. */
	take(key: string, holder: string, leaseMs: number): Promise<ClaimState>;
	/** Extends `holder`'s lease; false when the key is no longer held by it. */
	renew(key: string, holder: string, leaseMs: number): Promise<boolean>;
	/** The workflow started: the key stays started for `windowMs`, whoever held it. */
	markStarted(key: string, windowMs: number): Promise<void>;
	/** n8n could not start the workflow: the next delivery of `key` gets through, if `holder` still held it. */
	release(key: string, holder: string): Promise<void>;
}

interface Entry {
	/** The holder of a lease; undefined once started. */
	holder: string | undefined;
	expiresAt: number;
}

/**
 * The keys of one trigger node in this process, bounded by time: a key lives for its lease or its
 * Duplicate Window and is dropped once expired, never earlier, so that a resend within the window
 * is always caught. Memory grows with the messages of one window (about 200 bytes each: 10,000
 * messages in a 10-minute window hold about 2 MB).
 */
export class RecentIncomingMessages {
	private readonly entries = new Map<string, Entry>();

	take(key: string, holder: string, now: number, leaseMs: number): ClaimState {
		const entry = this.live(key, now);
		if (entry) return entry.holder === undefined ? 'started' : 'inFlight';
		this.put(key, { holder, expiresAt: now + leaseMs }, now);
		return 'new';
	}

	renew(key: string, holder: string, now: number, leaseMs: number): boolean {
		const entry = this.live(key, now);
		if (entry?.holder !== holder) return false;
		entry.expiresAt = now + leaseMs;
		return true;
	}

	markStarted(key: string, now: number, windowMs: number): void {
		this.put(key, { holder: undefined, expiresAt: now + windowMs }, now);
	}

	release(key: string, holder: string, now: number): void {
		if (this.live(key, now)?.holder === holder) this.entries.delete(key);
	}

	get size(): number {
		return this.entries.size;
	}

	private live(key: string, now: number): Entry | undefined {
		const entry = this.entries.get(key);
		return entry && entry.expiresAt > now ? entry : undefined;
	}

	/** Re-inserted, so that insertion order stays close to expiry order for eviction. */
	private put(key: string, entry: Entry, now: number): void {
		this.entries.delete(key);
		this.entries.set(key, entry);
		this.evict(now);
	}

	/**
	 * Expired entries, oldest inserted first; stops at the first live one, so each call costs O(1)
	 * amortized. Windows differ (events, commands), so an expired entry may wait behind a live one
	 * for at most the longer window: memory stays bounded by time.
	 */
	private evict(now: number): void {
		for (const [key, entry] of this.entries) {
			if (entry.expiresAt > now) break;
			this.entries.delete(key);
		}
	}
}

const byTrigger = new Map<string, RecentIncomingMessages>();

export function recentIncomingMessagesFor(triggerKey: string): RecentIncomingMessages {
	let recent = byTrigger.get(triggerKey);
	if (!recent) {
		recent = new RecentIncomingMessages();
		byTrigger.set(triggerKey, recent);
	}
	return recent;
}

export class LocalIncomingMessageClaims implements IncomingMessageClaims {
	constructor(
		private readonly recent: RecentIncomingMessages,
		private readonly now: () => number = Date.now,
	) {}

	async take(key: string, holder: string, leaseMs: number): Promise<ClaimState> {
		return this.recent.take(key, holder, this.now(), leaseMs);
	}

	async renew(key: string, holder: string, leaseMs: number): Promise<boolean> {
		return this.recent.renew(key, holder, this.now(), leaseMs);
	}

	async markStarted(key: string, windowMs: number): Promise<void> {
		this.recent.markStarted(key, this.now(), windowMs);
	}

	async release(key: string, holder: string): Promise<void> {
		this.recent.release(key, holder, this.now());
	}
}

/**
 * A held key's value is `lease:<holder>`; a started one's is `1`, the value every claim had before
 * leases, so processes of an older release read a started key as the claim they know during an
 * upgrade (and an older process's claim reads as started here).
 */
const LEASE_VALUE_PREFIX = 'lease:';
const STARTED_VALUE = '1';

/** Take, in one step: of two webhook processes that get the same message at once, exactly one gets 'new'. */
const TAKE_LUA = `
local value = redis.call('GET', KEYS[1])
if not value then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
	return 'new'
end
if string.sub(value, 1, ${LEASE_VALUE_PREFIX.length}) == '${LEASE_VALUE_PREFIX}' then return 'inFlight' end
return 'started'
`;
/** Renew or release only the caller's own lease: after it ended, the key may be another request's. */
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface ClaimCommands {
	slackWebhooksClaimTake(key: string, value: string, leaseMs: number): Promise<string>;
	slackWebhooksClaimRenew(key: string, value: string, leaseMs: number): Promise<number>;
	slackWebhooksClaimRelease(key: string, value: string): Promise<number>;
}

function claimCommandsOn(client: Redis): ClaimCommands {
	const commands = client as unknown as Partial<ClaimCommands>;
	if (!commands.slackWebhooksClaimTake) {
		// defineCommand sends each script by its SHA (EVALSHA) and loads it once when Redis does not know it.
		client.defineCommand('slackWebhooksClaimTake', { numberOfKeys: 1, lua: TAKE_LUA });
		client.defineCommand('slackWebhooksClaimRenew', { numberOfKeys: 1, lua: RENEW_LUA });
		client.defineCommand('slackWebhooksClaimRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
	}
	return commands as ClaimCommands;
}

/**
 * Keys in Redis, each step one script. When Redis fails or cools down after a failure (redis.ts),
 * the step is decided in this process at once: a duplicate is better than a lost command, and a
 * late answer is a lost command to Slack.
 */
export class RedisIncomingMessageClaims implements IncomingMessageClaims {
	constructor(
		private readonly client: Redis,
		/** The trigger node the keys belong to. */
		private readonly scope: string,
		private readonly inThisProcess: IncomingMessageClaims,
		private readonly onUnreachable: (error: RedisUnavailableError) => void,
	) {}

	async take(key: string, holder: string, leaseMs: number): Promise<ClaimState> {
		try {
			const state = await this.call((commands) => commands.slackWebhooksClaimTake(this.redisKey(key), LEASE_VALUE_PREFIX + holder, leaseMs));
			return state === 'new' || state === 'inFlight' ? state : 'started';
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
			return await this.inThisProcess.take(key, holder, leaseMs);
		}
	}

	async renew(key: string, holder: string, leaseMs: number): Promise<boolean> {
		const here = await this.inThisProcess.renew(key, holder, leaseMs);
		try {
			return (await this.call((commands) => commands.slackWebhooksClaimRenew(this.redisKey(key), LEASE_VALUE_PREFIX + holder, leaseMs))) === 1;
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
			return here;
		}
	}

	async markStarted(key: string, windowMs: number): Promise<void> {
		await this.inThisProcess.markStarted(key, windowMs);
		try {
			await redisCall(this.client, 'the duplicate filter', (client) => client.set(this.redisKey(key), STARTED_VALUE, 'PX', windowMs));
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
		}
	}

	async release(key: string, holder: string): Promise<void> {
		await this.inThisProcess.release(key, holder);
		try {
			await this.call((commands) => commands.slackWebhooksClaimRelease(this.redisKey(key), LEASE_VALUE_PREFIX + holder));
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
		}
	}

	private async call<T>(step: (commands: ClaimCommands) => Promise<T>): Promise<T> {
		return await redisCall(this.client, 'the duplicate filter', (client) => step(claimCommandsOn(client)));
	}

	/**
	 * Hashed: the key names a team, a channel and a user. The prefix keeps its old word, so webhook
	 * processes of an older release share the claims while a cluster is upgraded.
	 */
	private redisKey(key: string): string {
		return `${KEY_PREFIX}delivery:${hashKey(this.scope, key)}`;
	}
}
