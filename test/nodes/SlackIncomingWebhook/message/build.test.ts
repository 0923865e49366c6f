import { attachmentsFromFields, buildWebhookMessage, normalizeThreadTs, parseJsonArray } from '../../../../nodes/SlackIncomingWebhook/message/build';
import { MessageValidationError } from '../../../../nodes/shared/sending/webhook-message';
import { SLACK_LIMITS } from '../../../../nodes/shared/slack';

function validationError(run: () => unknown): MessageValidationError {
	try {
		run();
	} catch (error) {
		if (error instanceof MessageValidationError) return error;
		throw error;
	}
	throw new Error('expected a MessageValidationError');
}

describe('buildWebhookMessage', () => {
	it('sends text alone as {"text": ...}', () => {
		expect(buildWebhookMessage({ text: 'Hello, world.' })).toEqual({ text: 'Hello, world.' });
	});

	it('accepts blocks as a bare array or as {"blocks": [...]}', () => {
		const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Hi' } }];
		expect(buildWebhookMessage({ blocks: JSON.stringify(blocks) })).toEqual({ blocks });
		expect(buildWebhookMessage({ blocks: JSON.stringify({ blocks }) })).toEqual({ blocks });
		expect(buildWebhookMessage({ blocks })).toEqual({ blocks });
	});

	it('accepts attachments as a bare array or as {"attachments": [...]}', () => {
		const attachments = [{ color: '#36a64f', text: 'Attachment here' }];
		expect(buildWebhookMessage({ attachments: JSON.stringify(attachments) })).toEqual({ attachments });
		expect(buildWebhookMessage({ attachments: { attachments } })).toEqual({ attachments });
	});

	it('maps every flag and override to the field Slack reads', () => {
		expect(
			buildWebhookMessage({
				text: 'x',
				mrkdwn: false,
				linkNames: true,
				unfurlLinks: false,
				unfurlMedia: false,
				threadTs: '1504640714.003543',
				replyBroadcast: true,
				channel: ' C8UJ12P4P ',
				username: 'ghost-bot',
				iconEmoji: ':ghost:',
				iconUrl: 'https://example.com/ghost.png',
			}),
		).toEqual({
			text: 'x',
			mrkdwn: false,
			link_names: true,
			unfurl_links: false,
			unfurl_media: false,
			thread_ts: '1504640714.003543',
			reply_broadcast: true,
			channel: 'C8UJ12P4P',
			username: 'ghost-bot',
			icon_emoji: ':ghost:',
			icon_url: 'https://example.com/ghost.png',
		});
	});

	it('leaves out empty overrides and sends reply_broadcast only with a thread', () => {
		expect(buildWebhookMessage({ text: 'x', channel: ' ', username: '', replyBroadcast: true })).toEqual({ text: 'x' });
	});

	it('refuses a message with nothing to send, naming the field', () => {
		const error = validationError(() => buildWebhookMessage({ text: '  ', blocks: '', attachments: '[]' }));
		expect(error.field).toBe('Text');
		expect(error.message).toMatch(/Nothing to send/);
	});

	it(`refuses text over ${SLACK_LIMITS.maxTextLength} characters and accepts exactly that many`, () => {
		expect(buildWebhookMessage({ text: 'a'.repeat(SLACK_LIMITS.maxTextLength) }).text).toHaveLength(SLACK_LIMITS.maxTextLength);
		const error = validationError(() => buildWebhookMessage({ text: 'a'.repeat(SLACK_LIMITS.maxTextLength + 1) }));
		expect(error.field).toBe('Text');
		expect(error.message).toContain('40001');
	});

	it(`refuses more than ${SLACK_LIMITS.maxBlocks} blocks`, () => {
		const block = { type: 'divider' };
		expect(buildWebhookMessage({ blocks: Array(SLACK_LIMITS.maxBlocks).fill(block) }).blocks).toHaveLength(50);
		const error = validationError(() => buildWebhookMessage({ blocks: Array(SLACK_LIMITS.maxBlocks + 1).fill(block) }));
		expect(error.field).toBe('Blocks');
		expect(error.message).toContain('51 blocks');
	});

	it(`refuses more than ${SLACK_LIMITS.maxAttachments} attachments`, () => {
		const attachment = { text: 'a' };
		expect(buildWebhookMessage({ attachments: Array(100).fill(attachment) }).attachments).toHaveLength(100);
		const error = validationError(() => buildWebhookMessage({ attachments: Array(101).fill(attachment) }));
		expect(error.field).toBe('Attachments');
		expect(error.message).toContain('101 attachments');
	});

	it('refuses blocks and attachments that are not JSON arrays of objects', () => {
		expect(validationError(() => buildWebhookMessage({ blocks: '[{"type": ' })).message).toMatch(/^Blocks is not valid JSON/);
		expect(validationError(() => buildWebhookMessage({ blocks: '{"type": "divider"}' })).message).toMatch(/must be a JSON array/);
		expect(validationError(() => buildWebhookMessage({ attachments: '"text"' })).field).toBe('Attachments');
		expect(validationError(() => buildWebhookMessage({ blocks: '[1, 2]' })).message).toMatch(/entry 0 is not a JSON object/);
	});

	it('refuses an icon_emoji not of the form :name:', () => {
		for (const bad of ['ghost', ':ghost', 'ghost:', ': ghost:', '::']) {
			expect(validationError(() => buildWebhookMessage({ text: 'x', iconEmoji: bad })).field).toBe('Icon Emoji');
		}
		for (const good of [':ghost:', ':+1:', ':wave::skin-tone-3:', ':man-woman-boy:']) {
			expect(buildWebhookMessage({ text: 'x', iconEmoji: good }).icon_emoji).toBe(good);
		}
	});

	it('refuses an icon_url that is not an http(s) URL', () => {
		expect(validationError(() => buildWebhookMessage({ text: 'x', iconUrl: 'ftp://example.com/a.png' })).field).toBe('Icon URL');
		expect(validationError(() => buildWebhookMessage({ text: 'x', iconUrl: 'not a url' })).field).toBe('Icon URL');
	});
});

describe('normalizeThreadTs', () => {
	it('keeps a Slack timestamp exactly as given', () => {
		expect(normalizeThreadTs('1504640714.003543')).toBe('1504640714.003543');
		expect(normalizeThreadTs(' 1504640714.000100 ')).toBe('1504640714.000100');
	});

	it('restores trailing zeros lost when the value went through a number', () => {
		expect(normalizeThreadTs(1504640714.0001)).toBe('1504640714.000100');
		expect(normalizeThreadTs('1504640714.5')).toBe('1504640714.500000');
	});

	it('treats empty as no thread', () => {
		expect(normalizeThreadTs('')).toBeUndefined();
		expect(normalizeThreadTs(undefined)).toBeUndefined();
		expect(normalizeThreadTs('   ')).toBeUndefined();
	});

	it('refuses anything that is not a Slack timestamp', () => {
		for (const bad of ['yesterday', '1504640714', '1504640714.0035431', 'C0123.000001', '-1504640714.003543', {}]) {
			expect(validationError(() => normalizeThreadTs(bad)).field).toBe('Thread Timestamp');
		}
	});
});

describe('parseJsonArray', () => {
	it('treats empty input as none', () => {
		expect(parseJsonArray('', 'blocks', 'Blocks')).toBeUndefined();
		expect(parseJsonArray(undefined, 'blocks', 'Blocks')).toBeUndefined();
	});
});

describe('attachmentsFromFields', () => {
	it("maps the fields to Slack's attachment keys and leaves out empty ones", () => {
		expect(
			attachmentsFromFields([
				{
					color: '#36a64f',
					pretext: 'Pre',
					authorName: 'Ada',
					authorLink: 'https://example.com/ada',
					authorIcon: 'https://example.com/ada.png',
					title: 'Report',
					titleLink: 'https://example.com/report',
					text: 'Body',
					fields: { field: [{ title: 'Priority', value: 'High', short: true }, { title: '', value: '' }] },
					imageUrl: 'https://example.com/i.png',
					thumbUrl: 'https://example.com/t.png',
					footer: 'n8n',
					footerIcon: 'https://example.com/f.png',
					ts: 123456789,
				},
				{ title: 'Second', text: '' },
			]),
		).toEqual([
			{
				color: '#36a64f',
				pretext: 'Pre',
				author_name: 'Ada',
				author_link: 'https://example.com/ada',
				author_icon: 'https://example.com/ada.png',
				title: 'Report',
				title_link: 'https://example.com/report',
				text: 'Body',
				fields: [{ title: 'Priority', value: 'High', short: true }],
				image_url: 'https://example.com/i.png',
				thumb_url: 'https://example.com/t.png',
				footer: 'n8n',
				footer_icon: 'https://example.com/f.png',
				ts: 123456789,
			},
			{ title: 'Second' },
		]);
	});

	it('refuses a timestamp that is not Unix seconds', () => {
		expect(validationError(() => attachmentsFromFields([{ ts: 'noon' }])).message).toMatch(/Attachment 1: Timestamp/);
	});
});
