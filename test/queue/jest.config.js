/** The queue-mode suite: run by scripts/test-queue.mjs against the n8n processes it has started. */
module.exports = {
	rootDir: '../..',
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.test.ts'],
	testTimeout: 120_000,
	maxWorkers: 1,
};
