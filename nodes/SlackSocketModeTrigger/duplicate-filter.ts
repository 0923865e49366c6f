import { LocalIncomingMessageClaims, recentIncomingMessagesFor } from '../shared/state/incoming-message-claims';
import { claimIncomingMessageKey, type HeldClaim } from '../shared/state/incoming-message-lease';

/**
 * The one place this node calls the package's duplicate filter (nodes/shared/state). Slack sends
 * an envelope again when it saw no acknowledgement; a delivery of an event, a command or a click
 * this trigger already started starts nothing. The first delivery holds the key on a short renewed
 * lease until the trigger knows what became of it; a delivery that meanwhile finds the lease waits
 * for that outcome (the filter's IN_FLIGHT_WAIT_MS) before it is decided.
 *
 * Kept in this process only: the Socket Mode connection lives in one n8n process (the leader of
 * several mains), and on n8n 2.40 and later each execution also carries a deduplication key that
 * n8n's database keeps unique across processes and restarts (see the node's emit).
 */

export type EnvelopeClaim =
	/** This delivery may start the workflow, and must settle the claim. */
	| { state: 'new'; started(): Promise<void>; notStarted(): Promise<void> }
	/** Another delivery of this key started the workflow within the window. */
	| { state: 'started' }
	/** Another delivery still holds it, its outcome unknown: not to be acknowledged as started. */
	| { state: 'inFlight' };

const NOT_FILTERED: EnvelopeClaim = { state: 'new', started: async () => undefined, notStarted: async () => undefined };

/** `scope` names the trigger (workflow and node, and whether it is the editor's test listener). */
export async function claimEnvelope(scope: string, key: string | undefined, windowMs: number): Promise<EnvelopeClaim> {
	if (key === undefined || windowMs <= 0) return NOT_FILTERED;
	const outcome = await claimIncomingMessageKey(new LocalIncomingMessageClaims(recentIncomingMessagesFor(scope)), key, { windowMs });
	if (outcome.state !== 'new') return { state: outcome.state };
	const held: HeldClaim = outcome.held;
	return { state: 'new', started: async () => await held.started(), notStarted: async () => await held.notStarted() };
}
