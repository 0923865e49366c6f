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

	it('removes each secret segment on its own, raw, decoded and encoded, and leaves the names of URL kinds', () => {
		const webhook = 'https://hooks.slack.com/services/T0SEGMENT1/B0SEGMENT2/secret%2Fwith%20space';
		const response = 'https://chat.example.com/hooks/opaque-token-1?key=query-secret-1#fragment';
		const text = 'team T0SEGMENT1, hook B0SEGMENT2, id secret/with space or secret%2Fwith%20space; hooks opaque-token-1 key query-secret-1 services';
		expect(scrubSecrets(text, [webhook, response])).toBe('team ***, hook ***, id *** or ***; hooks *** key *** services');
	});

	it('leaves short segments, which are ordinary words rather than secrets, and looks at no more than 32 segments of a crafted URL', () => {
		expect(scrubSecrets('v1 failed', ['https://chat.example.com/v1/opaque-token-1'])).toBe('v1 failed');
		const crafted = `https://chat.example.com/${Array.from({ length: 5_000 }, (_, index) => `segment-${String(index).padStart(5, '0')}`).join('/')}`;
		expect(scrubSecrets('segment-00000 segment-00031 segment-00032', [crafted])).toBe('*** *** segment-00032');
	});
});

describe('Slack workflow trigger URLs', () => {
	const trigger = 'https://hooks.slack.com/triggers/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';
	const legacy = 'https://hooks.slack.com/workflows/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';

	it('shows the kind of URL and hides the rest, for both shapes', () => {
		expect(redactWebhookUrl(trigger)).toBe('https://hooks.slack.com/triggers/***');
		expect(redactWebhookUrl(legacy)).toBe('https://hooks.slack.com/workflows/***');
	});

	it('scrubs every ID and secret of both shapes, and leaves the words "triggers" and "workflows"', () => {
		const text = `T0TRIGGER1 8730526276610 3b5db98e71393238fb894ca0f461abd8 A0WORKFLOW 358904148826396352 Zx8aKPqLmNoPqRsTuVwXyZ12: Slack workflows and triggers`;
		expect(scrubSecrets(text, [trigger, legacy])).toBe('*** *** *** *** *** ***: Slack workflows and triggers');
	});
});
