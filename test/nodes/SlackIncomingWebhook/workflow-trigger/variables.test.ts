import { variablesFromItem, variablesFromPairs, variableText } from '../../../../nodes/SlackIncomingWebhook/workflow-trigger/variables';
import { MessageValidationError } from '../../../../nodes/shared/sending/webhook-message';
import { isWorkflowTriggerPath } from '../../../../nodes/shared/slack';

describe('a Slack workflow\'s variables', () => {
	it('writes numbers and booleans as text and keeps strings as they are', () => {
		expect(variablesFromItem({ count: 42, ratio: 0.5, ok: false, name: 'Ada', empty: '' })).toEqual({ count: '42', ratio: '0.5', ok: 'false', name: 'Ada', empty: '' });
	});

	it.each([
		[{ by: 'region' }, 'an object'],
		[[1, 2], 'a list'],
		[null, 'has no value'],
	])('refuses %j, naming the variable', (value, words) => {
		expect(() => variableText('detail', value, 'itemFields')).toThrow(MessageValidationError);
		expect(() => variableText('detail', value, 'itemFields')).toThrow(new RegExp(`item field "detail" (is )?${words}`));
	});

	it('takes named pairs in order and refuses an empty or repeated name', () => {
		expect(Object.entries(variablesFromPairs([{ name: ' b ', value: 1 }, { name: 'a', value: 'x' }]))).toEqual([['b', '1'], ['a', 'x']]);
		expect(() => variablesFromPairs([{ name: '', value: 'x' }])).toThrow('Variable 1 has no name');
		expect(() => variablesFromPairs([{ name: 'a', value: 'x' }, { name: 'a', value: 'y' }])).toThrow('The variable "a" is named twice');
	});
});

describe('the shapes of workflow trigger URLs', () => {
	it.each([
		['/triggers/T0123ABCD/8730526276610/3b5db98e71393238fb894ca0f461abd8', true],
		['/workflows/T0123ABCD/A0123ABCD/358904148826396352/Zx8aKPqLmNoPq', true],
		['/services/T0123ABCD/B0123ABCD/xyz', false],
		['/triggers/T0123ABCD/8730526276610', false],
		['/workflows/T0123ABCD/B0123ABCD/1/x', false],
		['/commands/T0123ABCD/1/x', false],
	])('%s is a trigger: %s', (path, expected) => {
		expect(isWorkflowTriggerPath(path)).toBe(expected);
	});
});
