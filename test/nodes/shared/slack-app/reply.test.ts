import { shapeReply } from '../../../../nodes/shared/slack-app/reply';

describe('shapeReply', () => {
	it("keeps Slack's reply fields only", () => {
		expect(shapeReply({ text: 'African or European?', username: 'bot', secret: 'x', json: { a: 1 }, response_type: 'ephemeral' })).toEqual({
			text: 'African or European?',
			username: 'bot',
			response_type: 'ephemeral',
		});
	});

	it('gives no reply for empty text without blocks or attachments', () => {
		expect(shapeReply({ text: '' })).toBeUndefined();
		expect(shapeReply({ text: '   ', username: 'bot' })).toBeUndefined();
		expect(shapeReply({ ok: true, status: 200 })).toBeUndefined();
		expect(shapeReply([{ text: 'x' }])).toBeUndefined();
		expect(shapeReply({ blocks: [{ type: 'divider' }] })).toEqual({ blocks: [{ type: 'divider' }] });
	});

	it('drops an unknown response_type and non-array attachments', () => {
		expect(shapeReply({ text: 'x', response_type: 'loud', attachments: 'nope' })).toEqual({ text: 'x' });
	});
});
