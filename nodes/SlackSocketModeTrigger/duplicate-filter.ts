import { LocalIncomingMessageClaims, recentIncomingMessagesFor } from '../shared/state/incoming-message-claims';

/**
 * The one place this node calls the package's duplicate filter (nodes/shared/state). Slack sends
 * an envelope again when it saw no acknowledgement; a delivery of an event, a command or a click
 * this trigger already started starts nothing.
 *
 * Kept in this process only: the Socket Mode connection lives in one n8n process (the leader of
 * several mains), and on n8n 2.40 and later each execution also carries a deduplication key that
 * n8n's database keeps unique across processes and restarts (see the node's emit).
 */

export interface EnvelopeClaim {
	/** Another delivery of this key already started the workflow within the window. */
	readonly isRepeat: boolean;
	/** n8n has the execution: the claim holds for the whole window. */
	confirm(): Promise<void>;
	/** n8n could not start the workflow: the next delivery gets through. */
	release(): Promise<void>;
}

const NOT_FILTERED: EnvelopeClaim = { isRepeat: false, confirm: async () => undefined, release: async () => undefined };

/** `scope` names the trigger (workflow and node, and whether it is the editor's test listener). */
export async function claimEnvelope(scope: string, key: string | undefined, windowMs: number): Promise<EnvelopeClaim> {
	if (key === undefined || windowMs <= 0) return NOT_FILTERED;
	const claims = new LocalIncomingMessageClaims(recentIncomingMessagesFor(scope));
	const isRepeat = (await claims.claim(key, windowMs)) === 'repeat';
	return {
		isRepeat,
		confirm: async () => undefined,
		release: async () => {
			if (!isRepeat) await claims.release(key);
		},
	};
}
