/** The end-to-end suite: run by scripts/e2e.mjs against a real n8n it has started. */
module.exports = {
	rootDir: '../..',
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	testTimeout: 60_000,
	maxWorkers: 1,
	testSequencer: '<rootDir>/test/e2e/sequencer.js',
};
