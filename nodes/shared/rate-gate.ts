/**
 * Paces the messages sent to one webhook. It starts unpaced (most batches stay far below Slack's
 * limit) and learns the allowed rate from Slack's 429 answers: after the first, every sender to
 * that webhook waits as Retry-After says, then sends at the rate Slack let through, pause
 * included. Retry-After comes in whole seconds and a burst allowance hides the true rate, so that
 * first estimate is low: while Slack accepts everything the pace rises by a tenth every second,
 * and each later 429 takes it back to 85% of the pace that caused it.
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
	private static readonly SPEED_UP_FACTOR = 1 / 1.1;
	private static readonly SLOW_DOWN_FACTOR = 1 / 0.85;

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
		// Messages already in flight when Slack asked for a pause come back 429 too: one event, one adjustment.
		const alreadyPaused = now < this.blockedUntil;
		this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
		if (alreadyPaused) return;
		const since = Math.max(this.measuringSince ?? now, now - RateGate.WINDOW_MS);
		const delivered = this.deliveries.filter((at) => at >= since).length;
		if (this.intervalMs > 0) {
			this.intervalMs *= RateGate.SLOW_DOWN_FACTOR;
		} else if (delivered > 0) {
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
