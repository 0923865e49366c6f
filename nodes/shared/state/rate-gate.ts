/**
 * Paces the messages sent to one webhook. It starts unpaced (most batches stay far below Slack's
 * limit); a gate shared by many senders then lets only a few messages be in flight at once, so a
 * crowd of executions starting together cannot flood a webhook before anyone has heard back.
 * From the first 429 on, every sender waits as Retry-After says, then sends at the rate
 * Slack let through, pause included (with nothing let through yet, one message per pause). A 429
 * refusing the first send after a pause only lengthens the pause: no send was paced yet. While
 * Slack accepts everything the pace rises by a tenth every second (the first estimate can be
 * low), but never again to a pace that has drawn a 429: that pace is remembered as a ceiling. A
 * 429 at a faster pace sends the gate back to the last pace Slack accepted for a whole second;
 * later tries go halfway to the ceiling, and stop once the accepted pace is within a few percent
 * of it. A 429 at a pace Slack had accepted slows it by 15%, or at once to the rate Slack let
 * through since the last pause when that is slower.
 *
 * The arithmetic is pure functions on a plain, serializable state. This file is the reference;
 * rate-gate.lua.ts runs the same arithmetic inside Redis, and both are tested against one table
 * of cases (test/nodes/shared/state/rate-gate-cases.ts).
 */
export interface RateGateState {
	/** No send before this: the end of the last pause Slack asked for. */
	blockedUntil: number;
	/** Learned spacing between sends; 0 while unpaced. */
	intervalMs: number;
	/** The largest spacing that drew a 429 while paced: the pace never comes this close again. 0 = none. */
	ceilingIntervalMs: number;
	/** The last spacing Slack accepted for a whole second. 0 = none yet. */
	goodIntervalMs: number;
	nextSlotAt: number;
	/** When the last sender was let through to post: sends are spaced from it at the current pace. */
	lastPostAt: number;
	/** Start of the stretch whose deliveries measure the allowed rate. */
	measuringSince: number;
	/** Deliveries since measuringSince (scaled down, not dropped, when the stretch grows past a window). */
	delivered: number;
	/**
	 * When the current pace first spaces two sends (slots reserved before it changed go first):
	 * deliveries from then on show whether Slack accepts it.
	 */
	paceSince: number;
	/** Sends let out while unpaced whose answer has not come back yet: they count against the in-flight limit. */
	unanswered: number;
}

export const RATE_GATE = {
	WINDOW_MS: 10_000,
	SPEED_UP_EVERY_MS: 1_000,
	SPEED_UP_FACTOR: 1 / 1.1,
	SLOW_DOWN_FACTOR: 1 / 0.85,
	/** Close enough to a pace that drew a 429: no more tries to go faster. */
	CEILING_MARGIN: 1.05,
	/** How soon a sender held back while earlier sends await their answers asks again. */
	AWAIT_ANSWERS_MS: 20,
	/**
	 * How much slower than the measured rate the gate paces: sends arrive with the network's
	 * jitter, and one that arrives a little early at a strict limit draws a 429.
	 */
	PACE_MARGIN: 1.02,
	/**
	 * A later 429 whose pause ends less than this after the one already known is the same pause
	 * (the answers of messages already in flight): Retry-After comes in whole seconds.
	 */
	SAME_PAUSE_MS: 250,
	/**
	 * A sender let through at most this late is on schedule (a timer fires a little late): the
	 * next is spaced from when it was due, so the delays do not add up. Never more than the slack
	 * PACE_MARGIN leaves in one interval (onScheduleMs): a post later than that, counted as on
	 * time, would bring the next one closer than the measured rate, which a strict limit answers
	 * with 429 (two workers, each a few tens of milliseconds late, did so once a second).
	 */
	ON_SCHEDULE_MS: 50,
	/**
	 * The spacing assumed when Slack answers 429 before it has accepted anything and its pause is
	 * shorter: Retry-After is the best hint of the rate then, but one of 0 must still pace.
	 */
	MIN_FIRST_INTERVAL_MS: 100,
} as const;

/**
 * The state before the first send: unpaced, or with `startIntervalMs` paced at a documented rate
 * from the first send on. That pace is also its ceiling, so the gate never speeds up beyond it by
 * itself; a 429 still slows it.
 */
export function initialRateGateState(startIntervalMs = 0): RateGateState {
	return {
		blockedUntil: 0,
		intervalMs: startIntervalMs,
		ceilingIntervalMs: startIntervalMs,
		goodIntervalMs: 0,
		nextSlotAt: 0,
		lastPostAt: 0,
		measuringSince: 0,
		delivered: 0,
		paceSince: 0,
		unanswered: 0,
	};
}

export interface Reservation {
	/** How long to wait: for the reserved slot, or (not reserved) before asking again. */
	delayMs: number;
	/** False when nothing was reserved: the wait is past `maxWaitMs`, or too many sends await their answer. */
	reserved: boolean;
}

/**
 * Reserves the next send slot, unless it lies more than `maxWaitMs` away: a slot nobody will use
 * must not push everyone else back. While unpaced, at most `unpacedInFlight` sends await an answer.
 */
export function reserveSlot(
	state: RateGateState,
	now: number,
	maxWaitMs: number,
	unpacedInFlight: number,
): { state: RateGateState; reservation: Reservation } {
	if (state.intervalMs === 0 && now >= state.blockedUntil) {
		if (state.unanswered >= unpacedInFlight) {
			return { state, reservation: { delayMs: RATE_GATE.AWAIT_ANSWERS_MS, reserved: false } };
		}
		return { state: { ...state, unanswered: state.unanswered + 1 }, reservation: { delayMs: 0, reserved: true } };
	}
	const start = Math.max(now, state.blockedUntil, state.nextSlotAt);
	const delayMs = start - now;
	if (delayMs > maxWaitMs) return { state, reservation: { delayMs, reserved: false } };
	return { state: { ...state, nextSlotAt: start + state.intervalMs }, reservation: { delayMs, reserved: true } };
}

/**
 * The last check before a send: how long the sender must still hold, or 0 to post now (the post
 * is then recorded). A pause learned after it reserved stops it too, and so does a pace slowed
 * since: slots reserved earlier were spaced at the old pace, posts are spaced at the current one.
 */
export function holdBeforePosting(state: RateGateState, now: number): { state: RateGateState; holdMs: number } {
	const dueAt = Math.max(state.blockedUntil, state.lastPostAt + state.intervalMs);
	if (now < dueAt) return { state, holdMs: dueAt - now };
	return { state: { ...state, lastPostAt: now - dueAt <= onScheduleMs(state.intervalMs) ? dueAt : now }, holdMs: 0 };
}

/** How late a post may be and still count as on time: within the margin the pace leaves. */
export function onScheduleMs(intervalMs: number): number {
	return Math.min(RATE_GATE.ON_SCHEDULE_MS, (intervalMs * (RATE_GATE.PACE_MARGIN - 1)) / RATE_GATE.PACE_MARGIN);
}

function measured(state: RateGateState, now: number): Pick<RateGateState, 'measuringSince' | 'delivered'> {
	if (state.delivered === 0) return { measuringSince: now, delivered: 0 };
	const elapsed = now - state.measuringSince;
	if (elapsed <= RATE_GATE.WINDOW_MS) return { measuringSince: state.measuringSince, delivered: state.delivered };
	// Keep the measured rate, over the last half window only.
	const kept = RATE_GATE.WINDOW_MS / 2;
	return { measuringSince: now - kept, delivered: (state.delivered * kept) / elapsed };
}

/**
 * Slack let `delivered` through from `measuringSince` until it asked for a pause lasting until
 * `blockedUntil`: that is the rate it allows, pause included, paced a little slower. 0 when it
 * let nothing through.
 */
function measuredIntervalMs(state: RateGateState, now: number, blockedUntil: number): number {
	const { measuringSince, delivered } = measured(state, now);
	return delivered > 0 ? Math.max(1, ((blockedUntil - measuringSince) / delivered) * RATE_GATE.PACE_MARGIN) : 0;
}

/** The next pace to try after a second without a 429: a tenth faster, at most halfway to the ceiling. */
function fasterInterval(intervalMs: number, ceilingIntervalMs: number): number {
	if (ceilingIntervalMs === 0) return intervalMs * RATE_GATE.SPEED_UP_FACTOR;
	if (intervalMs <= ceilingIntervalMs * RATE_GATE.CEILING_MARGIN) return intervalMs;
	return Math.max(intervalMs * RATE_GATE.SPEED_UP_FACTOR, (intervalMs + ceilingIntervalMs) / 2);
}

export function afterDelivered(state: RateGateState, now: number): RateGateState {
	const { measuringSince, delivered } = measured(state, now);
	const next = { ...state, measuringSince, delivered: delivered + 1, unanswered: Math.max(0, state.unanswered - 1) };
	if (next.intervalMs > 0 && now >= next.blockedUntil && now - next.paceSince >= RATE_GATE.SPEED_UP_EVERY_MS) {
		next.goodIntervalMs = next.intervalMs;
		next.intervalMs = fasterInterval(next.intervalMs, next.ceilingIntervalMs);
		next.paceSince = Math.max(now, next.nextSlotAt) + next.intervalMs;
	}
	return next;
}

export function afterRateLimited(state: RateGateState, now: number, retryAfterMs: number): RateGateState {
	// Messages already in flight when Slack asked for a pause come back 429 too: one event, one
	// adjustment, and the pause stays as it was unless Slack asks for a clearly longer one.
	if (now < state.blockedUntil) {
		const longer = now + retryAfterMs > state.blockedUntil + RATE_GATE.SAME_PAUSE_MS;
		return longer ? { ...state, blockedUntil: now + retryAfterMs } : state;
	}
	const blockedUntil = Math.max(state.blockedUntil, now + retryAfterMs);
	let { intervalMs, ceilingIntervalMs, goodIntervalMs } = state;
	if (intervalMs > 0 && state.delivered === 0) {
		// Slack has accepted nothing since the last pause: the first send after it was refused, so
		// the pause was too short. No send was spaced at the pace yet, so the pace and its ceiling
		// stay (a storm of 429s in a row would otherwise ratchet both slower for good).
	} else if (intervalMs > 0) {
		ceilingIntervalMs = Math.max(ceilingIntervalMs, intervalMs);
		// Back to the last pace Slack accepted, if this 429 came from trying a faster one.
		if (goodIntervalMs > intervalMs) {
			intervalMs = goodIntervalMs;
		} else {
			// 15% slower, or as slow as what Slack let through since the last pause when that is
			// slower still: a limit far below the learned pace (a stricter target behind the same
			// URL, a pace learned in a burst) is then reached with one 429, not one per 15%.
			intervalMs = Math.max(intervalMs * RATE_GATE.SLOW_DOWN_FACTOR, measuredIntervalMs(state, now, blockedUntil));
			goodIntervalMs = 0;
		}
	} else {
		intervalMs =
			state.delivered > 0
				? measuredIntervalMs(state, now, blockedUntil)
				: Math.max(RATE_GATE.MIN_FIRST_INTERVAL_MS, blockedUntil - now) * RATE_GATE.PACE_MARGIN;
	}
	const nextSlotAt = Math.max(state.nextSlotAt, blockedUntil);
	return {
		...state,
		blockedUntil,
		intervalMs,
		ceilingIntervalMs,
		goodIntervalMs,
		nextSlotAt,
		measuringSince: blockedUntil,
		delivered: 0,
		paceSince: nextSlotAt + intervalMs,
		unanswered: 0,
	};
}

/** A send that got no answer Slack counted (refused connection, timeout): it no longer holds a starting place. */
export function afterUnanswered(state: RateGateState): RateGateState {
	return { ...state, unanswered: Math.max(0, state.unanswered - 1) };
}

/** Messages per second a state paces to, or undefined while unpaced. */
export function pacedRatePerSecond(state: RateGateState): number | undefined {
	return state.intervalMs > 0 ? 1000 / state.intervalMs : undefined;
}

/** The gate of one webhook, its state in this process. */
export class RateGate {
	constructor(private state: RateGateState = initialRateGateState()) {}

	reserve(now: number, maxWaitMs = Infinity, unpacedInFlight = Infinity): Reservation {
		const { state, reservation } = reserveSlot(this.state, now, maxWaitMs, unpacedInFlight);
		this.state = state;
		return reservation;
	}

	holdBeforePosting(now: number): number {
		const { state, holdMs } = holdBeforePosting(this.state, now);
		this.state = state;
		return holdMs;
	}

	recordDelivered(now: number): void {
		this.state = afterDelivered(this.state, now);
	}

	recordRateLimited(now: number, retryAfterMs: number): void {
		this.state = afterRateLimited(this.state, now, retryAfterMs);
	}

	recordUnanswered(): void {
		this.state = afterUnanswered(this.state);
	}

	get snapshot(): RateGateState {
		return { ...this.state };
	}

	get pacedRatePerSecond(): number | undefined {
		return pacedRatePerSecond(this.state);
	}
}
