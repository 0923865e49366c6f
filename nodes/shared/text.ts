/** Lists a user types into one field: tokens, team IDs, channels, trigger words, user names. */

/** Entries separated by commas or new lines, trimmed, empty ones and repeats dropped. */
export function splitList(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return [...new Set(value.split(/[\n,]/).map((entry) => entry.trim()).filter(Boolean))];
}
