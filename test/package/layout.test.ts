import { layoutViolations, readSources, importSpecifiers } from './layout';
import { projectRoot } from './package-types';

describe('the layout of nodes/', () => {
	it("has no node's folder importing from another node's, and no shared room importing from a node's folder", () => {
		expect(layoutViolations(readSources(projectRoot, 'nodes'))).toEqual([]);
	});

	it('reads imports of every form TypeScript allows', () => {
		const source = [
			"import { a } from './a';",
			"import type { B } from '../B/b';",
			"export { c } from '../../shared/c';",
			"const d = require('../D/d');",
			"const e = await import('../E/e');",
			"import 'undici';",
		].join('\n');
		expect(importSpecifiers(source)).toEqual(['./a', '../B/b', '../../shared/c', '../D/d', '../E/e', 'undici']);
	});

	it('finds an import into another node, from a node folder at any depth and from a shared room', () => {
		const violations = layoutViolations([
			{ path: 'nodes/NodeA/NodeA.node.ts', specifiers: ['./own', '../shared/slack', 'n8n-workflow', '../NodeB/helper'] },
			{ path: 'nodes/NodeA/deep/inner.ts', specifiers: ['../../NodeB/delivery/sender', '../own', '../../shared/sending/sender'] },
			{ path: 'nodes/shared/sending/sender.ts', specifiers: ['../../NodeA/description', '../redact'] },
			{ path: 'credentials/Api.credentials.ts', specifiers: ['../nodes/shared/slack'] },
		]);
		expect(violations.map(({ file, imports }) => `${file} -> ${imports}`)).toEqual([
			'nodes/NodeA/NodeA.node.ts -> ../NodeB/helper',
			'nodes/NodeA/deep/inner.ts -> ../../NodeB/delivery/sender',
			'nodes/shared/sending/sender.ts -> ../../NodeA/description',
		]);
		expect(violations[0].rule).toMatch(/NodeA imports nothing from another node's folder \(NodeB\)/);
		expect(violations[2].rule).toMatch(/nodes\/shared\/ imports nothing from a node's folder \(NodeA\)/);
	});
});
