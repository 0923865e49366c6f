// The order `npm test` hands test files to its workers: the files that spend minutes (mostly
// waiting, in the fault suite) first, so that they run beside everything else instead of after it;
// then the rest, largest first. jest's own order needs timings from an earlier run, which a fresh
// clone does not have.
const Sequencer = require('@jest/test-sequencer').default;
const { statSync } = require('node:fs');

const LONGEST_FIRST = [
	'action-faults-maybe-posted.test.ts',
	'action-faults.test.ts',
	'action-faults-ordered.test.ts',
	'trigger-fuzz.test.ts',
	'trigger-fuzz-classes.test.ts',
	'tarball.test.ts',
	'lint-cloud.test.ts',
];
const rank = (path) => {
	const index = LONGEST_FIRST.findIndex((name) => path.endsWith(`/${name}`));
	return index === -1 ? LONGEST_FIRST.length : index;
};
const size = (path) => statSync(path).size;

module.exports = class UnitTestSequencer extends Sequencer {
	sort(tests) {
		return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || size(b.path) - size(a.path));
	}
};
