import type Redis from 'ioredis';

import { hashKey, KEY_PREFIX, redisCall, type RedisUnavailableError } from './redis';

/**
 * Slack sends a message again when it gets no 200 in time. Keys of messages that started a
 * workflow are kept for a while, per trigger node: in this n8n process (RecentIncomingMessages; a
 * second process or a restart does not see them), or in Redis, shared by every webhook process.
 */
export class RecentIncomingMessages {
	private readonly seenAt = new Map<string, number>();

	constructor(private readonly maxEntries = 10_000) {}

	/** True if `key` was recorded within `windowMs`; otherwise records it and returns false. */
	checkAndRecord(key: string, now: number, windowMs: number): boolean {
		const previous = this.seenAt.get(key);
		if (previous !== undefined && now - previous <= windowMs) return true;
		this.seenAt.delete(key);
		this.seenAt.set(key, now);
		this.evict(now, windowMs);
		return false;
	}

	/** Lets the next delivery of `key` through: n8n could not start the workflow for this one. */
	forget(key: string): void {
		this.seenAt.delete(key);
	}

	get size(): number {
		return this.seenAt.size;
	}

	private evict(now: number, windowMs: number): void {
		// Insertion order is time order, so the oldest entries come first.
		for (const [key, at] of this.seenAt) {
			if (now - at <= windowMs && this.seenAt.size <= this.maxEntries) break;
			this.seenAt.delete(key);
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

export type Claim = 'new' | 'repeat';

/** The duplicate filter as the trigger uses it: one implementation per place the keys are kept. */
export interface IncomingMessageClaims {
	/** 'new' when this call is the first for `key` within `windowMs`; the key is then held for that long. */
	claim(key: string, windowMs: number): Promise<Claim>;
	/** Lets the next delivery of `key` through: n8n could not start the workflow for this one. */
	release(key: string): Promise<void>;
}

export class LocalIncomingMessageClaims implements IncomingMessageClaims {
	constructor(
		private readonly recent: RecentIncomingMessages,
		private readonly now: () => number = Date.now,
	) {}

	async claim(key: string, windowMs: number): Promise<Claim> {
		return this.recent.checkAndRecord(key, this.now(), windowMs) ? 'repeat' : 'new';
	}

	async release(key: string): Promise<void> {
		this.recent.forget(key);
	}
}

/**
 * Keys in Redis, claimed with one `SET key 1 NX PX window`: of two webhook processes that get the
 * same delivery at once, exactly one sets the key. When Redis fails or cools down after a failure
 * (redis.ts), the claim is decided in this process at once: a duplicate is better than a lost
 * command, and a late answer is a lost command to Slack.
 */
export class RedisIncomingMessageClaims implements IncomingMessageClaims {
	constructor(
		private readonly client: Redis,
		/** The trigger node the keys belong to. */
		private readonly scope: string,
		private readonly inThisProcess: IncomingMessageClaims,
		private readonly onUnreachable: (error: RedisUnavailableError) => void,
	) {}

	async claim(key: string, windowMs: number): Promise<Claim> {
		try {
			const set = await redisCall(this.client, 'the duplicate filter', (client) => client.set(this.redisKey(key), '1', 'PX', windowMs, 'NX'));
			return set === 'OK' ? 'new' : 'repeat';
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
			return await this.inThisProcess.claim(key, windowMs);
		}
	}

	async release(key: string): Promise<void> {
		await this.inThisProcess.release(key);
		try {
			await redisCall(this.client, 'the duplicate filter', (client) => client.del(this.redisKey(key)));
		} catch (error) {
			this.onUnreachable(error as RedisUnavailableError);
		}
	}

	/**
	 * Hashed: the key names a team, a channel and a user. The prefix keeps its old word, so webhook
	 * processes of an older release share the claims while a cluster is upgraded.
	 */
	private redisKey(key: string): string {
		return `${KEY_PREFIX}delivery:${hashKey(this.scope, key)}`;
	}
}
