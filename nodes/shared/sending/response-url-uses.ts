/**
 * How many of the messages Slack allows per response URL (SLACK_RESPONSE_URL.maxUses within
 * lifetimeMinutes of the command) are already taken, as far as this n8n process can see: every
 * run of the node in the process (several nodes of one workflow, later executions, executions
 * running at the same time) shares one count per response URL. Executions in other processes
 * (queue-mode workers) and answers sent by anything else are not seen; Slack's used_url answer
 * covers those.
 *
 * A run reserves an item's parts before it sends anything, so an answer that cannot fit is
 * refused whole; when the item is done, only the parts sent (or that may have been posted)
 * stay counted and the rest go back.
 */
import { redactWebhookUrl } from '../redact';
import { SLACK_LIMITS, SLACK_RESPONSE_URL, SLACK_WEBHOOK_ERRORS } from '../slack';
import { FIELD_NAMES, MessageValidationError } from './webhook-message';
import { RESPONSE_URL_FIELDS } from './destination';

/** Releases what a reservation did not send; only its first call counts. */
export interface ResponseUrlReservation {
	settle(sent: number): void;
}

const NOTHING_RESERVED: ResponseUrlReservation = { settle: () => undefined };

interface Uses {
	sent: number;
	reserved: number;
	/** When this process first reserved a message for the URL: the command was earlier still. */
	firstUsedAt: number;
}

/**
 * The key one response URL is counted under: the URL a server receives, whatever way it was
 * written. The fragment is never sent; URL parsing already lower-cases the host, drops the
 * default port and resolves `.` and `..`; runs of slashes count as one, as the check that a URL
 * is Slack's reads the path.
 */
export function canonicalResponseUrl(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname.replace(/\/{2,}/g, '/')}${parsed.search}`;
}

export class ResponseUrlUses {
	private readonly uses = new Map<string, Uses>();

	constructor(
		private readonly now: () => number = Date.now,
		/** Bounds the memory a flood of distinct URLs can take; the oldest are forgotten first. */
		private readonly maxUrls = 10_000,
	) {}

	/**
	 * Takes `parts` of a Slack response URL's messages for one item, or refuses the item before
	 * anything of it is sent, saying how many messages it needs and how many are left.
	 */
	reserve(url: string, parts: number): ResponseUrlReservation {
		const now = this.now();
		this.forgetExpired(now);
		const key = canonicalResponseUrl(url);
		const uses = this.uses.get(key) ?? { sent: 0, reserved: 0, firstUsedAt: now };
		const left = Math.max(0, SLACK_RESPONSE_URL.maxUses - uses.sent - uses.reserved);
		if (parts > left) throw tooManyMessages(url, parts, left);
		uses.reserved += parts;
		this.uses.set(key, uses);
		let settled = false;
		return {
			settle: (sent) => {
				if (settled) return;
				settled = true;
				uses.reserved -= parts;
				uses.sent += Math.min(parts, Math.max(0, sent));
			},
		};
	}

	/** Messages left for a URL (for tests and diagnostics). */
	left(url: string): number {
		const uses = this.uses.get(canonicalResponseUrl(url));
		return uses ? Math.max(0, SLACK_RESPONSE_URL.maxUses - uses.sent - uses.reserved) : SLACK_RESPONSE_URL.maxUses;
	}

	/**
	 * Slack refuses a response URL lifetimeMinutes after its command, which came before this
	 * process first used it: past that, its count is of no use. The map keeps insertion order,
	 * which is the order of first use, so only its front needs looking at.
	 */
	private forgetExpired(now: number): void {
		const lifetimeMs = SLACK_RESPONSE_URL.lifetimeMinutes * 60_000;
		for (const [key, uses] of this.uses) {
			const overFull = this.uses.size > this.maxUrls;
			const expired = now - uses.firstUsedAt > lifetimeMs;
			// A count with messages in flight is kept until they settle, unless memory runs over.
			if (!overFull && (!expired || uses.reserved > 0)) return;
			this.uses.delete(key);
		}
	}
}

function tooManyMessages(url: string, parts: number, left: number): MessageValidationError {
	const shown = redactWebhookUrl(url);
	const counted = `the response URL ${shown} has ${left} of Slack's ${SLACK_RESPONSE_URL.maxUses} left (counting what this n8n process sent to it)`;
	if (parts === 1) {
		return new MessageValidationError(
			RESPONSE_URL_FIELDS.url,
			`This answer needs 1 message but ${counted}`,
			`Nothing of this item was sent. ${SLACK_WEBHOOK_ERRORS.used_url.action}`,
		);
	}
	const fits = left === 0 ? 'No answer fits any more' : `Shorten it to fit in ${left} message${left === 1 ? '' : 's'} (${(SLACK_LIMITS.maxTextLength * left).toLocaleString('en-US')} characters of text)`;
	return new MessageValidationError(
		FIELD_NAMES.text,
		`This answer is too long for the response URL: it needs ${parts} messages (at most ${SLACK_LIMITS.maxTextLength.toLocaleString('en-US')} characters of text or ${SLACK_LIMITS.maxBlocks} blocks each) but ${counted}`,
		`Nothing of this item was sent. ${fits}, or send it as a message to an incoming webhook instead (Authentication → Webhook URL) and answer the command with a short note.`,
	);
}

/**
 * The count of every run in this process. Only Slack's response URLs are counted: a host the user
 * allowed (Mattermost, a test server) sets its own rules.
 */
export const responseUrlUses = new ResponseUrlUses();

export function reserveResponseUrlMessages(destination: { source: string; url: string; slack?: boolean }, parts: number, uses = responseUrlUses): ResponseUrlReservation {
	if (destination.source !== 'responseUrl' || destination.slack !== true) return NOTHING_RESERVED;
	return uses.reserve(destination.url, parts);
}
