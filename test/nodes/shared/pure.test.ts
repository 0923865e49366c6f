import { containsExpression } from '../../../nodes/shared/parameters';
import { runPerKey } from '../../../nodes/shared/per-key-queue';
import { redactWebhookUrl, scrubSecrets } from '../../../nodes/shared/redact';
import { parseRetryAfterMs } from '../../../nodes/shared/retry-after';

describe('redactWebhookUrl', () => {
	it('keeps scheme, host and first path segment only', () => {
		expect(redactWebhookUrl('https://hooks.slack.com/services/TTEST/BTEST/notreal')).toBe('https://hooks.slack.com/services/***');
		expect(redactWebhookUrl('https://chat.example.com/hooks/abc123')).toBe('https://chat.example.com/hooks/***');
		expect(redactWebhookUrl('https://discord.com/api/webhooks/1/tok/slack')).toBe('https://discord.com/api/***');
		expect(redactWebhookUrl('https://example.com')).toBe('https://example.com/***');
		expect(redactWebhookUrl('not a url with secret')).toBe('***');
	});
});

describe('scrubSecrets', () => {
	it('removes the secret, its encoded form and its path', () => {
		const url = 'https://hooks.example.com/services/T1/B2/s3cr3t value';
		const text = `failed ${url} / ${encodeURIComponent(url)} / GET /services/T1/B2/s3cr3t%20value`;
		const scrubbed = scrubSecrets(text, [url]);
		expect(scrubbed).not.toContain('s3cr3t');
		expect(scrubbed).toBe('failed *** / *** / GET ***');
	});
});

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

describe('runPerKey', () => {
	const deferred = () => {
		let resolve!: () => void;
		const promise = new Promise<void>((r) => (resolve = r));
		return { promise, resolve };
	};

	it('runs one job at a time per key, in order, keys in parallel', async () => {
		const log: string[] = [];
		let inFlight = 0;
		let maxInFlight = 0;
		const job = (key: string, n: number) => ({
			key,
			run: async () => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				log.push(`${key}${n}`);
				await new Promise((resolve) => setTimeout(resolve, 5));
				inFlight--;
				return n;
			},
		});
		const results = await runPerKey([job('a', 0), job('b', 0), job('a', 1), job('b', 1), job('a', 2)], 1, true);
		expect(results.map((r) => r?.status === 'fulfilled' && r.value)).toEqual([0, 0, 1, 1, 2]);
		expect(log.filter((entry) => entry.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
		expect(maxInFlight).toBe(2);
	});

	it('keeps up to N in flight per key', async () => {
		const gates = [deferred(), deferred(), deferred()];
		let started = 0;
		const running = runPerKey(
			gates.map((gate) => ({ key: 'a', run: async () => { started++; await gate.promise; } })),
			2,
			false,
		);
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(started).toBe(2);
		gates.forEach((gate) => gate.resolve());
		await running;
		expect(started).toBe(3);
	});

	it('runs an exclusive job alone on its key: the jobs before it finish first, the jobs after it wait', async () => {
		const events: string[] = [];
		const job = (name: string, exclusive = false) => ({
			key: 'a',
			exclusive,
			run: async () => {
				events.push(`start ${name}`);
				// Hand control around so that any job allowed to run alongside would start now.
				for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
				events.push(`end ${name}`);
			},
		});
		await runPerKey([job('1'), job('2'), job('X', true), job('3'), job('4')], 4, false);
		const at = (event: string) => events.indexOf(event);
		expect(at('start X')).toBeGreaterThan(Math.max(at('end 1'), at('end 2')));
		expect(at('end X')).toBe(at('start X') + 1);
		expect(Math.min(at('start 3'), at('start 4'))).toBeGreaterThan(at('end X'));
		// The others still share lanes: 1 and 2 both start before either ends.
		expect(at('start 2')).toBeLessThan(at('end 1'));
	});

	it('starts nothing after a failure on that key when asked to stop, and says so with undefined', async () => {
		const results = await runPerKey(
			[
				{ key: 'a', run: async () => 1 },
				{ key: 'a', run: async () => { throw new Error('boom'); } },
				{ key: 'a', run: async () => 3 },
				{ key: 'b', run: async () => 4 },
			],
			1,
			true,
		);
		expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
		expect(results[1]?.status).toBe('rejected');
		expect(results[2]).toBeUndefined();
		expect(results[3]).toEqual({ status: 'fulfilled', value: 4 });
	});
});

describe('containsExpression', () => {
	it('finds n8n expressions at any depth', () => {
		expect(containsExpression('={{ $json.text }}')).toBe(true);
		expect(containsExpression({ thread: { threadTs: '={{ $json.ts }}' } })).toBe(true);
		expect(containsExpression([{ a: 1 }, { b: ['=x'] }])).toBe(true);
		expect(containsExpression({ text: 'plain = text', n: 1, on: true })).toBe(false);
		expect(containsExpression(undefined)).toBe(false);
	});
});
