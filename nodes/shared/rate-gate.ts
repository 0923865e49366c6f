/**
 * Paces the messages sent to one webhook. It starts unpaced (most batches stay far below Slack's
 * limit) and learns the allowed rate from Slack's 429 answers: after one, every sender to that
 * webhook waits as Retry-After says, then sends at the rate Slack let through since the last
 * pause, and speeds up slowly while Slack accepts everything.
 */
export class RateGate {
	private blockedUntil = 0;
	/** Learned spacing between sends; 0 while unpaced. */
	private intervalMs = 0;
	private nextSlotAt = 0;
	/** Start of the stretch whose deliveries measure the allowed rate: the last resume, at most a window ago. */
	private measuringSince: number | undefined;
	private lastSpedUpAt = 0;
	private readonly deliveries: number[] = [];

	private static readonly WINDOW_MS = 10_000;
	private static readonly SPEED_UP_EVERY_MS = 1_000;
	private static readonly SPEED_UP_FACTOR = 0.95;

	/** Reserves the next send slot and says how long to wait for it. */
	reserve(now: number): number {
		const start = Math.max(now, this.blockedUntil, this.nextSlotAt);
		this.nextSlotAt = start + this.intervalMs;
		return start - now;
	}

	/** How long a sender arriving now would wait, without reserving anything. */
	delayAt(now: number): number {
		return Math.max(0, this.blockedUntil - now, this.nextSlotAt - now);
	}

	recordDelivered(now: number): void {
		this.measuringSince ??= now;
		this.deliveries.push(now);
		this.forgetBefore(now - RateGate.WINDOW_MS);
		if (this.intervalMs > 0 && now - this.lastSpedUpAt >= RateGate.SPEED_UP_EVERY_MS) {
			this.intervalMs *= RateGate.SPEED_UP_FACTOR;
			this.lastSpedUpAt = now;
		}
	}

	recordRateLimited(now: number, retryAfterMs: number): void {
		this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
		const since = Math.max(this.measuringSince ?? now, now - RateGate.WINDOW_MS);
		const delivered = this.deliveries.filter((at) => at >= since).length;
		if (delivered > 0) {
			// Slack let `delivered` through from `since` until it asked for this pause: that is the
			// rate it allows, pause included.
			this.intervalMs = (this.blockedUntil - since) / delivered;
		}
		this.nextSlotAt = Math.max(this.nextSlotAt, this.blockedUntil);
		this.measuringSince = this.blockedUntil;
		this.lastSpedUpAt = this.blockedUntil;
	}

	/** Messages per second the gate paces to, or undefined while unpaced. */
	get pacedRatePerSecond(): number | undefined {
		return this.intervalMs > 0 ? 1000 / this.intervalMs : undefined;
	}

	private forgetBefore(cutoff: number): void {
		while (this.deliveries.length > 0 && this.deliveries[0] < cutoff) this.deliveries.shift();
	}
}
