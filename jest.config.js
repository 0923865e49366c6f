/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// test/e2e and test/queue need running n8n processes: npm run test:e2e and test:queue start them.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/queue/'],
	testTimeout: 30_000,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
