/**
 * Webhook URLs carry their secret in the path, so anything that reaches an error, an output item
 * or a log line goes through here first.
 */

/** `https://hooks.slack.com/services/T0/B0/xyz` -> `https://hooks.slack.com/services/***` */
export function redactWebhookUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const firstSegment = parsed.pathname.split('/').filter(Boolean)[0];
		const path = firstSegment ? `/${firstSegment}/***` : '/***';
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
