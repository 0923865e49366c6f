/**
 * Webhook URLs carry their secret in the path, so anything that reaches an error, an output item
 * or a log line goes through here first.
 */

/**
 * First path segments that name a kind of URL and never hold its secret: Slack's incoming
 * webhooks (`services`) and response URLs (`commands`, `actions`, `app`), Mattermost and
 * Rocket.Chat (`hooks`), Discord (`api`), Slack's workflow triggers (`triggers`, and `workflows`
 * for the earlier Workflow Builder's). Any other first segment may be the secret itself (a
 * response URL on a host the user allowed can have any shape), so it is hidden too.
 */
const PUBLIC_FIRST_SEGMENTS = new Set(['services', 'commands', 'actions', 'app', 'hooks', 'api', 'triggers', 'workflows']);

/**
 * `https://hooks.slack.com/services/T0/B0/xyz` -> `https://hooks.slack.com/services/***`,
 * `https://hooks.slack.com/commands/T0/1/xyz` -> `https://hooks.slack.com/commands/***`. A user
 * name or password in the URL is left out with the rest (URL.host does not include them).
 */
export function redactWebhookUrl(url: string): string {
	try {
		const parsed = new URL(url.trim());
		const firstSegment = parsed.pathname.split('/').filter(Boolean)[0];
		const path = firstSegment && PUBLIC_FIRST_SEGMENTS.has(firstSegment) ? `/${firstSegment}/***` : '/***';
		return `${parsed.protocol}//${parsed.host}${path}`;
	} catch {
		return '***';
	}
}

/**
 * Removes each secret from a text: whole, URL-encoded, its path, and (for a URL) each secret
 * segment of it on its own, so a server that answers `invalid hook id <last segment>` or names
 * the workspace's `T…` ID gives nothing away. Errors from lower layers (DNS, TLS, sockets) and
 * server answers pass through here before they reach an error, an output item or a log line.
 * Each form is one split/join over the text: the cost is the text's length times the number of
 * forms, which secretSegments bounds whatever the URL.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
	const forms = new Set<string>();
	for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
	let scrubbed = text;
	// Longest first, so that a form containing another is removed whole.
	for (const form of [...forms].sort((a, b) => b.length - a.length)) {
		if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join('***');
	}
	return scrubbed;
}

/** Shorter texts are too common to scrub without mangling ordinary words, and too short to be a secret. */
const MIN_SECRET_LENGTH = 4;
/**
 * A segment shorter than this is not scrubbed on its own (the whole URL and its path still are):
 * Slack's IDs (`T0123ABCD`, `B0123ABCD`) and tokens are longer, while short segments such as `v1`
 * or `hooks` are words an error text uses too.
 */
const MIN_SEGMENT_LENGTH = 6;
/** No real webhook or response URL has more; a crafted URL with thousands cannot slow scrubbing down. */
const MAX_SEGMENTS = 32;

function secretForms(secret: string): string[] {
	if (secret.length < MIN_SECRET_LENGTH) return [];
	const forms = new Set([secret, encodeURIComponent(secret)]);
	const parsed = URL.canParse(secret.trim()) ? new URL(secret.trim()) : undefined;
	if (parsed) {
		const pathAndQuery = `${parsed.pathname}${parsed.search}`;
		if (pathAndQuery.length > 1) forms.add(pathAndQuery);
		for (const segment of secretSegments(parsed)) {
			const decoded = decodeOrSelf(segment);
			forms.add(segment).add(decoded).add(encodeURIComponent(decoded));
		}
	}
	return [...forms];
}

/**
 * The parts of a URL that may be secret on their own: every path segment except the names of a
 * kind of URL (`services`, `commands`, `hooks`, …), and every query value, of at least
 * MIN_SEGMENT_LENGTH characters. For Slack's `/services/T…/B…/secret` and
 * `/commands/T…/<id>/token` that is each segment after the kind; for another host's URL, whose
 * shape is unknown, it is every segment long enough to be opaque.
 */
export function secretSegments(url: URL): string[] {
	const candidates = [...url.pathname.split('/'), ...[...url.searchParams.values()].map((value) => encodeURIComponent(value))];
	return candidates.filter((segment) => segment.length >= MIN_SEGMENT_LENGTH && !PUBLIC_FIRST_SEGMENTS.has(segment)).slice(0, MAX_SEGMENTS);
}

function decodeOrSelf(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}
