/** The chaos suite: run by scripts/test-chaos.mjs against the n8n processes it has started, and whose faults it plays. */
module.exports = {
	rootDir: '../..',
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/chaos'],
	testMatch: ['**/*.chaos.test.ts'],
	// One fault case: its load, the fault, Slack's last retries and the executions settling.
	testTimeout: 240_000,
	maxWorkers: 1,
};
