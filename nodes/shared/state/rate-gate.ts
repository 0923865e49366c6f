/**
 * Paces the messages sent to one webhook. It starts unpaced (most batches stay far below Slack's
 * limit) and learns the allowed rate from Slack's 429 answers: after the first, every sender to
 * that webhook waits as Retry-After says, then sends at the rate Slack let through, pause
 * included. Retry-After comes in whole seconds and a burst allowance hides the true rate, so that
 * first estimate is low: while Slack accepts everything the pace rises by a tenth every second,
 * and each later 429 takes it back to 85% of the pace that caused it.
 *
 * The arithmetic is pure functions on a plain, serializable state, so the same code runs on a
 * state held in this process (RateGate) and on one held in Redis (shared-rate-gate.ts).
 */
export interface RateGateState {
	blockedUntil: number;
	/** Learned spacing between sends; 0 while unpaced. */
	intervalMs: number;
	nextSlotAt: number;
	/** Start of the stretch whose deliveries measure the allowed rate: the last resume, at most a window ago. */
	measuringSince: number | null;
	lastSpedUpAt: number;
	/** Delivery times within the last window, oldest first. */
	deliveries: number[];
}

const WINDOW_MS = 10_000;
const SPEED_UP_EVERY_MS = 1_000;
const SPEED_UP_FACTOR = 1 / 1.1;
const SLOW_DOWN_FACTOR = 1 / 0.85;

export function initialRateGateState(): RateGateState {
	return { blockedUntil: 0, intervalMs: 0, nextSlotAt: 0, measuringSince: null, lastSpedUpAt: 0, deliveries: [] };
}

/** Reserves the next send slot: the new state and how long to wait for the slot. */
export function reserveSlot(state: RateGateState, now: number): { state: RateGateState; delayMs: number } {
	const start = Math.max(now, state.blockedUntil, state.nextSlotAt);
	return { state: { ...state, nextSlotAt: start + state.intervalMs }, delayMs: start - now };
}

/** How long a sender arriving now would wait, without reserving anything. */
export function delayAt(state: RateGateState, now: number): number {
	return Math.max(0, state.blockedUntil - now, state.nextSlotAt - now);
}

export function afterDelivered(state: RateGateState, now: number): RateGateState {
	const next = { ...state, measuringSince: state.measuringSince ?? now, deliveries: [...state.deliveries, now].filter((at) => at >= now - WINDOW_MS) };
	if (next.intervalMs > 0 && now - next.lastSpedUpAt >= SPEED_UP_EVERY_MS) {
		next.intervalMs *= SPEED_UP_FACTOR;
		next.lastSpedUpAt = now;
	}
	return next;
}

export function afterRateLimited(state: RateGateState, now: number, retryAfterMs: number): RateGateState {
	// Messages already in flight when Slack asked for a pause come back 429 too: one event, one adjustment.
	const alreadyPaused = now < state.blockedUntil;
	const blockedUntil = Math.max(state.blockedUntil, now + retryAfterMs);
	if (alreadyPaused) return { ...state, blockedUntil };
	const since = Math.max(state.measuringSince ?? now, now - WINDOW_MS);
	const delivered = state.deliveries.filter((at) => at >= since).length;
	let intervalMs = state.intervalMs;
	if (intervalMs > 0) {
		intervalMs *= SLOW_DOWN_FACTOR;
	} else if (delivered > 0) {
		// Slack let `delivered` through from `since` until it asked for this pause: that is the
		// rate it allows, pause included.
		intervalMs = (blockedUntil - since) / delivered;
	}
	return {
		...state,
		blockedUntil,
		intervalMs,
		nextSlotAt: Math.max(state.nextSlotAt, blockedUntil),
		measuringSince: blockedUntil,
		lastSpedUpAt: blockedUntil,
	};
}

/** Messages per second a state paces to, or undefined while unpaced. */
export function pacedRatePerSecond(state: RateGateState): number | undefined {
	return state.intervalMs > 0 ? 1000 / state.intervalMs : undefined;
}

/** The gate of one webhook, its state in this process. */
export class RateGate {
	constructor(private state: RateGateState = initialRateGateState()) {}

	reserve(now: number): number {
		const { state, delayMs } = reserveSlot(this.state, now);
		this.state = state;
		return delayMs;
	}

	delayAt(now: number): number {
		return delayAt(this.state, now);
	}

	recordDelivered(now: number): void {
		this.state = afterDelivered(this.state, now);
	}

	recordRateLimited(now: number, retryAfterMs: number): void {
		this.state = afterRateLimited(this.state, now, retryAfterMs);
	}

	get pacedRatePerSecond(): number | undefined {
		return pacedRatePerSecond(this.state);
	}
}
