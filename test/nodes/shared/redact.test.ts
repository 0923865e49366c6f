import { redactWebhookUrl, scrubSecrets } from '../../../nodes/shared/redact';

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
