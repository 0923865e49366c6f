/**
 * Slack sends a message again when it gets no 200 in time. Keys of messages that started a
 * workflow are kept for a while, per trigger node, in this n8n process only (a second process or
 * a restart does not see them).
 */
export class RecentDeliveries {
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

const byTrigger = new Map<string, RecentDeliveries>();

export function recentDeliveriesFor(triggerKey: string): RecentDeliveries {
	let recent = byTrigger.get(triggerKey);
	if (!recent) {
		recent = new RecentDeliveries();
		byTrigger.set(triggerKey, recent);
	}
	return recent;
}
