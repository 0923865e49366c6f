import { parseRetryAfterMs } from '../../../../nodes/shared/sending/retry-after';

describe('parseRetryAfterMs', () => {
	const now = Date.parse('2026-01-01T00:00:00Z');
	it('reads seconds, fractions and HTTP dates from the header', () => {
		expect(parseRetryAfterMs({ 'retry-after': '30' }, '', now)).toBe(30_000);
		expect(parseRetryAfterMs({ 'retry-after': '0.25' }, '', now)).toBe(250);
		expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, '', now)).toBe(5_000);
		expect(parseRetryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, '', now)).toBe(0);
	});
	it("falls back to the body's retry_after", () => {
		expect(parseRetryAfterMs({}, '{"ok":false,"retry_after":2}', now)).toBe(2_000);
		expect(parseRetryAfterMs({}, '{"retry_after":"1.5"}', now)).toBe(1_500);
	});
	it('says nothing when neither does', () => {
		expect(parseRetryAfterMs({}, 'rate_limited', now)).toBeUndefined();
		expect(parseRetryAfterMs({ 'retry-after': 'soon' }, '{"retry_after":null}', now)).toBeUndefined();
		expect(parseRetryAfterMs({}, '{not json', now)).toBeUndefined();
	});
});
