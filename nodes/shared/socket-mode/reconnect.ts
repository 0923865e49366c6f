/**
 * How long a Socket Mode connection waits before it asks Slack for a new one, and how it tells a
 * dead connection. Pure: the connection supplies the clock and the random numbers.
 */

export interface SocketModeTimings {
	/** A ping is sent this often; Slack answers it with a pong. */
	pingIntervalMs: number;
	/** No frame of any kind (message, ping, pong) this long after a ping: the connection is dead. */
	pongTimeoutMs: number;
	/** From asking Slack for a URL to its `hello`. */
	helloTimeoutMs: number;
	/** One apps.connections.open request. */
	openTimeoutMs: number;
	/** The first wait after a failure; it doubles with each failure in a row, up to reconnectMaxMs. */
	reconnectBaseMs: number;
	reconnectMaxMs: number;
	/** A connection that stayed up this long was a good one: the next failure starts the waits again from the first. */
	stableAfterMs: number;
	/** How long a closing connection may take to answer the close frame before its socket is destroyed. */
	closeTimeoutMs: number;
	/** How long envelopes still being decided may hold a closing connection (a retired one, or all at stop()). */
	drainTimeoutMs: number;
	/**
	 * How long a connection Slack asked to replace (`warning`, `refresh_requested`) is still read
	 * when Slack does not close it itself: Slack closes it about 10 s after `warning` and may deliver
	 * on it until then.
	 */
	retireGraceMs: number;
	/** A trigger activated while the session waits brings the next try forward, at most once in this long. */
	joinRetryGapMs: number;
}

/**
 * A dead connection is noticed within pingIntervalMs + pongTimeoutMs (15 s) of its last frame;
 * a failed connection is tried again after 0.5 to 1 s, then 1 to 2 s, … up to 30 to 60 s.
 */
export const DEFAULT_TIMINGS: SocketModeTimings = {
	pingIntervalMs: 10_000,
	pongTimeoutMs: 5_000,
	helloTimeoutMs: 15_000,
	openTimeoutMs: 10_000,
	reconnectBaseMs: 1_000,
	reconnectMaxMs: 60_000,
	stableAfterMs: 30_000,
	closeTimeoutMs: 2_000,
	drainTimeoutMs: 3_000,
	retireGraceMs: 15_000,
	joinRetryGapMs: 10_000,
};

/**
 * "Equal jitter": half the ceiling for sure, the other half at random. Never less than half, so
 * a peer that fails at once cannot make a tight loop; random, so many n8n processes that lost
 * Slack together do not all ask again at the same instant. A rate limit's Retry-After is a floor.
 */
export function reconnectDelayMs(failuresInARow: number, random: number, timings: Pick<SocketModeTimings, 'reconnectBaseMs' | 'reconnectMaxMs'>, retryAfterMs = 0): number {
	const exponent = Math.min(Math.max(failuresInARow - 1, 0), 30);
	const ceiling = Math.min(timings.reconnectMaxMs, timings.reconnectBaseMs * 2 ** exponent);
	return Math.max(Math.round(ceiling / 2 + (random * ceiling) / 2), retryAfterMs);
}
