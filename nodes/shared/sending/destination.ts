/**
 * Where a message goes: a webhook URL pasted into a credential, one Slack handed over through
 * Add to Slack, or a slash command's or a click's response URL, which comes with each item (or
 * with the command itself, for a Socket Mode trigger's late reply), needs no credential, and is
 * checked before anything is sent to it. Reading a destination from the action's credentials is
 * the action's own (SlackIncomingWebhook/delivery/credential-destination.ts).
 */
import { redactWebhookUrl } from '../redact';
import { SLACK_RESPONSE_URL, SLACK_WEBHOOK_ERRORS } from '../slack';
import { MessageValidationError, type WebhookMessage } from './webhook-message';

/**
 * A pasted URL, or one Slack handed over through Add to Slack: then the channel it is bound to is
 * known, and the fix for a dead webhook is to connect again. Or a response URL from the item:
 * `slack` tells one on Slack's host (5 uses, 30 minutes, also when the user listed the host as
 * allowed) from one on another host the user allowed. `url` never has a fragment. Delivery
 * keys its order and its learned rate pace by `url`, so each command's response URL is a queue
 * and a pace of its own: a 429 on one command's URL never slows another's, and with at most five
 * messages per URL a pace learned there cannot hold anything up for long.
 */
export type Destination =
	| { source: 'url'; url: string }
	| { source: 'oauth'; url: string; channel: { name: string | null; id: string | null } }
	| { source: 'responseUrl'; url: string; slack: boolean }
	/** A Slack Workflow Builder webhook trigger (SLACK_WORKFLOW_TRIGGER): each POST starts the workflow. */
	| { source: 'workflowTrigger'; url: string };

/** Added to Slack's errors that a new webhook fixes, when the webhook came from Add to Slack. */
export const RECONNECT_FOR_NEW_WEBHOOK =
	'With Add to Slack, open the credential and click Connect (or Reconnect) again: Slack creates a new webhook for the channel you pick.';

/** Display names of the response URL parameters, as errors name them. */
export const RESPONSE_URL_FIELDS = {
	url: 'Response URL',
	responseType: 'Response Type',
	allowedHosts: 'Allowed Response URL Hosts',
} as const;

const SLACK_RESPONSE_URL_SHAPES = SLACK_RESPONSE_URL.pathPrefixes.map((prefix) => `https://${SLACK_RESPONSE_URL.hosts[0]}/${prefix}/…`).join(', ');

/** The form Allowed Response URL Hosts takes, as errors and the parameter's description state it. */
export const ALLOWED_HOSTS_FORM =
	'Write one origin per entry, separated by commas or new lines: a host name with an optional port, such as chat.example.com or chat.example.com:8065, or http://host:port for plain HTTP. Wildcards such as *.example.com are not supported: list each host.';

/** A host name's labels (letters, digits, hyphens, and the underscores container names use), or an IPv6 literal. */
const HOST_NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$|^\[[0-9a-f:.]+\]$/;

/**
 * Reads Allowed Response URL Hosts (`host`, `host:port`, or `http://host:port` for plain HTTP;
 * separated by commas or new lines) into origins such as `https://chat.example.com` and
 * `http://127.0.0.1:8065`. Without a scheme an entry means https. An entry that can never match
 * a URL's origin (a wildcard, two hosts joined by `;`, a path, user info) is refused, naming it,
 * rather than left to make every item fail with "not allowed".
 */
export function parseAllowedOrigins(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(/[,\n]/)
		.map((entry) => entry.trim())
		.filter(Boolean)
		.map((entry) => {
			const candidate = entry.includes('://') ? entry : `https://${entry}`;
			const parsed = URL.canParse(candidate) ? new URL(candidate) : undefined;
			const bare = parsed && parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
			if (!parsed || !bare || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !HOST_NAME.test(parsed.hostname)) {
				throw new MessageValidationError(RESPONSE_URL_FIELDS.allowedHosts, `"${entry}" in Allowed Response URL Hosts is not a host`, ALLOWED_HOSTS_FORM);
			}
			return parsed.origin;
		});
}

/**
 * The response URL an item names, if the node may post to it: Slack's own (https, its host, the
 * default port, a path of a response URL kind), or any URL on an origin the user allowed. A URL
 * with a user name or password is never accepted: Slack sends none, so one there was crafted.
 * Errors never quote the URL, which is a bearer secret: they show it redacted.
 */
export function responseUrlDestination(value: unknown, allowedOrigins: readonly string[]): Destination {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') {
		throw new MessageValidationError(
			RESPONSE_URL_FIELDS.url,
			'The item has no response URL',
			'Slack sends response_url with each slash command: run this node after a Slack Outgoing Webhook Trigger that received a slash command, with Response URL set to {{ $json.response_url }}. Outgoing webhooks (trigger words) send none.',
		);
	}
	const url = URL.canParse(text) ? new URL(text) : undefined;
	if (!url) {
		throw new MessageValidationError(RESPONSE_URL_FIELDS.url, 'The response URL is not a URL', `A Slack response URL looks like ${SLACK_RESPONSE_URL_SHAPES}.`);
	}
	const shown = redactWebhookUrl(text);
	if (url.username || url.password) {
		throw new MessageValidationError(
			RESPONSE_URL_FIELDS.url,
			`The response URL ${shown} contains a user name or password`,
			'Slack never sends one; the URL did not come from Slack. Nothing was sent.',
		);
	}
	// The fragment never reaches the server: without it, `URL#a` and `URL#b` are one queue.
	url.hash = '';
	// Slack's limits follow Slack's host, also when the user listed it as allowed.
	const onSlackHost = (SLACK_RESPONSE_URL.hosts as readonly string[]).includes(url.hostname);
	if (allowedOrigins.includes(url.origin) || isSlackResponseUrl(url)) return { source: 'responseUrl', url: url.href, slack: onSlackHost };
	throw new MessageValidationError(
		RESPONSE_URL_FIELDS.url,
		onSlackHost ? `The response URL ${shown} is not a Slack response URL` : `The response URL's host is not allowed: ${shown}`,
		`Nothing was sent. The node posts to Slack's response URLs (${SLACK_RESPONSE_URL_SHAPES}) and to hosts listed in Options → Allowed Response URL Hosts (for Mattermost or another Slack-compatible server).`,
	);
}

function isSlackResponseUrl(url: URL): boolean {
	const [kind, ...rest] = url.pathname.split('/').filter(Boolean);
	return (
		url.protocol === 'https:' &&
		url.port === '' &&
		(SLACK_RESPONSE_URL.hosts as readonly string[]).includes(url.hostname) &&
		(SLACK_RESPONSE_URL.pathPrefixes as readonly string[]).includes(kind) &&
		rest.length > 0
	);
}

export interface ResponseUrlOptions {
	responseType?: unknown;
	replaceOriginal?: boolean;
	deleteOriginal?: boolean;
}

/**
 * The body for a response URL: the message with how Slack shows it (`response_type`,
 * `replace_original`), or, with Delete Original, only the request to delete the message the
 * command produced (the message fields are then not built, so they need no text).
 */
export function responseUrlMessage(options: ResponseUrlOptions, buildMessage: () => WebhookMessage): object {
	if (options.deleteOriginal === true) return { delete_original: true };
	const responseType = options.responseType ?? 'ephemeral';
	if (typeof responseType !== 'string' || !(SLACK_RESPONSE_URL.responseTypes as readonly string[]).includes(responseType)) {
		throw new MessageValidationError(
			RESPONSE_URL_FIELDS.responseType,
			`Response Type "${String(responseType)}" is not one Slack knows`,
			`Use ${SLACK_RESPONSE_URL.responseTypes.join(' or ')}.`,
		);
	}
	return { ...buildMessage(), response_type: responseType, replace_original: options.replaceOriginal === true };
}

/** Why a response URL answered 404 or 410 with no error Slack documents: it is spent or never was one. */
export const RESPONSE_URL_GONE = `The response URL no longer accepts messages: Slack takes at most ${SLACK_RESPONSE_URL.maxUses} answers within ${SLACK_RESPONSE_URL.lifetimeMinutes} minutes of the command. Retrying will not help; run the command again, or use an incoming webhook for later messages.`;

/**
 * What a delivery error's description adds for this kind of destination: with Add to Slack, that a new
 * connection fixes a dead webhook; for a response URL, that a 404 means the URL is spent (the
 * generic advice to create a new webhook does not apply).
 */
export function describeDeliveryFailure(destination: Destination, failure: { description: string; status?: number; slackError?: string }): string {
	const known = failure.slackError ? SLACK_WEBHOOK_ERRORS[failure.slackError] : undefined;
	if (destination.source === 'oauth' && known?.newWebhookHelps) return `${failure.description} ${RECONNECT_FOR_NEW_WEBHOOK}`;
	if (destination.source === 'responseUrl' && !known && (failure.status === 404 || failure.status === 410)) return RESPONSE_URL_GONE;
	return failure.description;
}
