const { join } = require('node:path');

/**
 * The unit and node tests (`npm test`). package.json names this file as its jest preset, so a bare
 * `npx jest <file>` from the project root runs with it too.
 * @type {import('jest').Config}
 */
module.exports = {
	rootDir: join(__dirname, '..'),
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// test/e2e, test/queue, test/install and the chaos cases need running n8n processes: npm run test:e2e, test:queue, test:install and test:chaos start them.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/queue/', '/test/install/', '\\.chaos\\.test\\.ts$'],
	testTimeout: 30_000,
	// Four workers on two cores: the fault suite's three files mostly wait on the pace the node
	// learns, so a fourth worker keeps the cores busy with the rest meanwhile.
	maxWorkers: 4,
	testSequencer: join(__dirname, 'sequencer.js'),
	transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: join(__dirname, 'tsconfig.jest.json') }] },
};
