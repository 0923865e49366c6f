import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { formatCloudSummary, runCloudLint, withSummary } from './lint-cloud';
import { projectRoot } from './package-types';

const page = join(projectRoot, 'docs', 'development.md');

describe("docs/development.md's n8n Cloud figures", () => {
	// ESLint with type information over the whole package: seconds on a quiet machine, more on a busy one.
	jest.setTimeout(180_000);

	it(process.env.UPDATE_LINT_CLOUD ? 'are written from npm run lint:cloud' : 'are what npm run lint:cloud reports (npm run docs:lint-cloud writes them)', () => {
		const current = readFileSync(page, 'utf8');
		const expected = withSummary(current, formatCloudSummary(runCloudLint()));
		if (process.env.UPDATE_LINT_CLOUD) writeFileSync(page, expected);
		else expect(current).toBe(expected);
	});

	it('counts places, files and names per rule', () => {
		const summary = formatCloudSummary([
			{ rule: '@n8n/community-nodes/no-restricted-globals', name: 'setTimeout', file: 'nodes/a.ts' },
			{ rule: '@n8n/community-nodes/no-restricted-globals', name: 'setTimeout', file: 'nodes/b.ts' },
			{ rule: '@n8n/community-nodes/no-restricted-globals', name: 'setTimeout', file: 'nodes/b.ts' },
			{ rule: '@n8n/community-nodes/no-restricted-imports', name: 'undici', file: 'nodes/a.ts' },
			{ rule: '@n8n/community-nodes/no-runtime-dependencies', name: '', file: 'package.json' },
		]);
		expect(summary).toContain('**5 places in 3 files**');
		expect(summary).toContain('| `no-restricted-globals` | `setTimeout` | 3 | 2 |');
		expect(summary).toContain('| `no-restricted-imports` | `undici` | 1 | 1 |');
		expect(summary).toContain('| `no-runtime-dependencies` | `dependencies` in package.json | 1 | 1 |');
	});
});
