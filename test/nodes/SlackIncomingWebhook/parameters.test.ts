import { containsExpression } from '../../../nodes/SlackIncomingWebhook/parameters';

describe('containsExpression', () => {
	it('finds n8n expressions at any depth', () => {
		expect(containsExpression('={{ $json.text }}')).toBe(true);
		expect(containsExpression({ thread: { threadTs: '={{ $json.ts }}' } })).toBe(true);
		expect(containsExpression([{ a: 1 }, { b: ['=x'] }])).toBe(true);
		expect(containsExpression({ text: 'plain = text', n: 1, on: true })).toBe(false);
		expect(containsExpression(undefined)).toBe(false);
	});
});
