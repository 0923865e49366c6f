// Holds the node and credential types, as saved workflows use them, to test/package/contract.json: a
// change that would break a saved workflow fails with what to do instead; an addition fails until the
// file records it. `npm run contract:update` rewrites the file (UPDATE_CONTRACT=1), refusing breaking
// changes unless CONTRACT_ALLOW_BREAKING=1 is set as well, for a major version.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { formatContract, packageContract, type PackageContract } from './contract';
import { compareContracts, describeChanges, mergedAcrossVersions, UPDATE_COMMAND } from './contract-changes';
import { loadCredentialTypes, loadNodeTypes, manifest, projectRoot } from './package-types';

const CONTRACT_FILE = join(__dirname, 'contract.json');
const shownPath = relative(projectRoot, CONTRACT_FILE);

describe('the saved-workflow contract', () => {
	const current = packageContract(manifest.name, loadNodeTypes(), loadCredentialTypes());
	const savedText = existsSync(CONTRACT_FILE) ? readFileSync(CONTRACT_FILE, 'utf8') : undefined;
	const saved: PackageContract = savedText ? (JSON.parse(savedText) as PackageContract) : { nodeTypes: {}, credentialTypes: {} };

	if (process.env.UPDATE_CONTRACT) {
		it(`is written to ${shownPath}`, () => {
			const changes = compareContracts(saved, current);
			if (changes.some((change) => change.breaking) && !process.env.CONTRACT_ALLOW_BREAKING) {
				throw new Error(`Not written.\n\n${describeChanges(changes, shownPath)}`);
			}
			writeFileSync(CONTRACT_FILE, formatContract(current));
			console.log(changes.length > 0 ? `${shownPath} now records:\n${mergedAcrossVersions(changes).map((change) => `  - ${change.where}: ${change.what}`).join('\n')}` : `${shownPath}: nothing changed`);
		});
		return;
	}

	it('names every node and credential type package.json lists', () => {
		expect(Object.keys(current.nodeTypes)).toHaveLength(manifest.n8n.nodes.length);
		expect(Object.keys(current.credentialTypes)).toHaveLength(manifest.n8n.credentials.length);
	});

	it(`still holds in the sources: nothing a saved workflow uses has changed (${shownPath})`, () => {
		if (savedText === undefined) throw new Error(`${shownPath} is missing: ${UPDATE_COMMAND} writes it`);
		const changes = compareContracts(saved, current);
		if (changes.length > 0) throw new Error(describeChanges(changes, shownPath));
		// Equal in substance but not in text: edited by hand, or written by an older version of the command.
		if (savedText !== formatContract(current)) throw new Error(`${shownPath} is not in the form ${UPDATE_COMMAND} writes (equal in substance): run it`);
	});
});
