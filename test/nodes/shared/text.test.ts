import { splitList } from '../../../nodes/shared/text';

describe('splitList', () => {
	it('reads lists separated by commas or new lines', () => {
		expect(splitList(' a, b\nc,,a ')).toEqual(['a', 'b', 'c']);
		expect(splitList(undefined)).toEqual([]);
	});
});
