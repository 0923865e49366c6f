/**
 * How long Slack asks to wait after a 429: the Retry-After header (seconds, or an HTTP date), or
 * `retry_after` (seconds) in a JSON body. Undefined when neither says.
 */
export function parseRetryAfterMs(headers: Record<string, string>, body: string, now: number): number | undefined {
	const header = headers['retry-after']?.trim();
	if (header) {
		const seconds = Number(header);
		if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
		const date = Date.parse(header);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	if (body.trimStart().startsWith('{')) {
		try {
			const retryAfter = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
			const seconds = Number(retryAfter);
			if (retryAfter !== null && retryAfter !== '' && Number.isFinite(seconds) && seconds >= 0) {
				return Math.ceil(seconds * 1000);
			}
		} catch {
			// Not JSON after all: no hint in the body.
		}
	}
	return undefined;
}
