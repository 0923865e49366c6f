/**
 * Webhook URLs carry their secret in the path, so anything that reaches an error, an output item
 * or a log line goes through here first.
 */

/**
 * First path segments that name a kind of URL and never hold its secret: Slack's incoming
 * webhooks (`services`) and response URLs (`commands`, `actions`, `app`), Mattermost and
 * Rocket.Chat (`hooks`), Discord (`api`). Any other first segment may be the secret itself (a
 * response URL on a host the user allowed can have any shape), so it is hidden too.
 */
const PUBLIC_FIRST_SEGMENTS = new Set(['services', 'commands', 'actions', 'app', 'hooks', 'api']);

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
 * Removes each secret (and its URL-encoded and path-only forms) from a text. Errors from lower
 * layers (DNS, TLS, sockets) sometimes quote the URL or its path; this keeps them usable without
 * leaking it.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
	let scrubbed = text;
	for (const secret of secrets) {
		for (const form of secretForms(secret)) {
			scrubbed = scrubbed.split(form).join('***');
		}
	}
	return scrubbed;
}

function secretForms(secret: string): string[] {
	if (secret.length < 4) return [];
	const forms = new Set([secret, encodeURIComponent(secret)]);
	try {
		const parsed = new URL(secret);
		const pathAndQuery = `${parsed.pathname}${parsed.search}`;
		if (pathAndQuery.length > 1) forms.add(pathAndQuery);
	} catch {
		// Not a URL: the plain and encoded forms are enough.
	}
	// Longest first, so that a form containing another is removed whole.
	return [...forms].sort((a, b) => b.length - a.length);
}
