/** The install suite: run by scripts/test-install.mjs against a fresh n8n it has started, once per n8n version. */
module.exports = {
	rootDir: '../..',
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/install'],
	testMatch: ['**/*.install.test.ts'],
	// An install or an update runs npm twice (pack, install) through the proxy: seconds, or a minute on a busy machine.
	testTimeout: 180_000,
	maxWorkers: 1,
};
