import { randomUUID } from 'node:crypto';

import type { IncomingMessageClaims } from './incoming-message-claims';

/**
 * How an incoming message is held while n8n creates its execution, and settled once n8n says.
 *
 * The lease is short and renewed by the request that holds it, so it outlives a slow n8n (a busy
 * database) but not a killed process: Slack's next retry of a message whose process died before
 * its execution existed is let through within INCOMING_MESSAGE_LEASE_MS, instead of being answered
 * as a repeat and lost.
 */

/** A killed holder's lease ends within this; a live one renews it every LEASE_RENEW_EVERY_MS. */
export const INCOMING_MESSAGE_LEASE_MS = 4_000;
/** Three renewals fit in a lease, so a holder whose event loop stalls for up to 3 s keeps it. */
const LEASE_RENEW_EVERY_MS = 1_000;
/**
 * How long a request that finds another request's lease waits for its outcome before it answers
 * "not now": inside Slack's 3 seconds, with room for n8n's own work on the request.
 */
export const IN_FLIGHT_WAIT_MS = 2_000;
const IN_FLIGHT_POLL_MS = 100;

export type ClaimOutcome =
	/** This request holds the message: it must start the workflow and settle the claim. */
	| { state: 'new'; held: HeldClaim }
	/** A workflow started for this message within the window: answer as received, start nothing. */
	| { state: 'started' }
	/**
	 * Another request still holds it after IN_FLIGHT_WAIT_MS: its execution may or may not come to
	 * exist, so this one must not be answered as received (Slack would never send it again).
	 */
	| { state: 'inFlight' };

export interface ClaimTiming {
	/** The Duplicate Window: how long a started message is remembered. */
	windowMs: number;
	leaseMs?: number;
	inFlightWaitMs?: number;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
	/** Runs `run` once after `ms`; returns what cancels it. */
	schedule?: (run: () => void, ms: number) => () => void;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An unref'd timer: a lease being renewed never keeps n8n's process alive on its own. */
function scheduleTimer(run: () => void, ms: number): () => void {
	const timer = setTimeout(run, ms);
	timer.unref();
	return () => clearTimeout(timer);
}

/**
 * Claims `key`. When another request holds it, waits for that one's outcome: started (a repeat),
 * released (this request takes over), or a lease that ran out because its process died.
 */
export async function claimIncomingMessageKey(claims: IncomingMessageClaims, key: string, timing: ClaimTiming): Promise<ClaimOutcome> {
	const { leaseMs = INCOMING_MESSAGE_LEASE_MS, inFlightWaitMs = IN_FLIGHT_WAIT_MS, now = Date.now, sleep = sleepFor, schedule = scheduleTimer } = timing;
	const holder = randomUUID();
	const giveUpAt = now() + inFlightWaitMs;
	for (;;) {
		const state = await claims.take(key, holder, leaseMs);
		if (state === 'new') return { state, held: new HeldClaim(claims, key, holder, { windowMs: timing.windowMs, leaseMs, now, schedule }) };
		if (state === 'started' || now() >= giveUpAt) return { state };
		await sleep(Math.min(IN_FLIGHT_POLL_MS, Math.max(0, giveUpAt - now())));
	}
}

interface HeldClaimTiming {
	windowMs: number;
	leaseMs: number;
	now: () => number;
	schedule: (run: () => void, ms: number) => () => void;
}

/**
 * A lease this request holds: renewed until it is settled, or until the Duplicate Window has
 * passed (after that the filter would forget the message anyway). One timer at a time, unref'd,
 * cancelled when settled: nothing is left behind per request.
 */
export class HeldClaim {
	private cancelRenewal: (() => void) | undefined;
	private settled = false;
	private readonly renewUntil: number;
	/** Asked at each renewal: the outcome when it can be read off the request by then. */
	private outcomeCheck: (() => 'started' | 'notStarted' | undefined) | undefined;

	constructor(
		private readonly claims: IncomingMessageClaims,
		private readonly key: string,
		private readonly holder: string,
		private readonly timing: HeldClaimTiming,
	) {
		this.renewUntil = timing.now() + timing.windowMs;
		this.scheduleRenewal();
	}

	/** Settles the claim at a renewal once `check` knows the outcome (for outcomes no event announces). */
	settleWhen(check: () => 'started' | 'notStarted' | undefined): void {
		this.outcomeCheck = check;
	}

	/** The execution exists: a retry within the window starts nothing. */
	async started(): Promise<void> {
		if (this.settle()) await this.claims.markStarted(this.key, this.timing.windowMs);
	}

	/** n8n could not create the execution: Slack's retry gets through. */
	async notStarted(): Promise<void> {
		if (this.settle()) await this.claims.release(this.key, this.holder);
	}

	get isSettled(): boolean {
		return this.settled;
	}

	private settle(): boolean {
		if (this.settled) return false;
		this.settled = true;
		this.cancelRenewal?.();
		return true;
	}

	private scheduleRenewal(): void {
		this.cancelRenewal = this.timing.schedule(() => void this.renew(), LEASE_RENEW_EVERY_MS);
	}

	private async renew(): Promise<void> {
		if (this.settled) return;
		const outcome = this.outcomeCheck?.();
		if (outcome === 'started') return await this.started();
		if (outcome === 'notStarted') return await this.notStarted();
		// Past the window, or the lease was lost (held by another request after this process stalled
		// longer than the lease): stop renewing, and the lease ends on its own. An outcome that comes
		// later is still recorded by started() or notStarted().
		if (this.timing.now() >= this.renewUntil || !(await this.claims.renew(this.key, this.holder, this.timing.leaseMs))) return;
		if (!this.settled) this.scheduleRenewal();
	}
}
