// What a packed tarball holds, read from the tarball itself: its name and version, the node types
// (with every type version) and the credential types n8n will load from it, and the same tarball
// under another version number, as the next release would be published.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_DIR } from './n8n-instance.mjs';

/**
 * Loads each file package.json's `n8n` section names, as n8n's loader does (DirectoryLoader.
 * loadClass: the class named like the file, SlackIncomingWebhook in SlackIncomingWebhook.node.js),
 * and reads its description: a node's type is `<package>.<name>`, its type
 * versions `description.version` (a number or a list), or the keys of `nodeVersions` for a node
 * made of one class per version (and whether n8n also offers it as an AI tool, `usableAsTool`); a
 * credential's type is its `name`.
 */
const DESCRIBE = `
const { basename, join } = require('node:path');
const root = process.argv[1];
const manifest = require(join(root, 'package.json'));
const instances = (files) => files.map((file) => new (require(join(root, file))[basename(file).split('.')[0]])());
const nodes = instances(manifest.n8n.nodes ?? []).map((node) => {
	const description = node.description ?? node.baseDescription;
	const versions = node.nodeVersions ? Object.keys(node.nodeVersions).map(Number) : [description.version].flat();
	return { type: manifest.name + '.' + description.name, displayName: description.displayName, versions: versions.sort((a, b) => a - b), usableAsTool: description.usableAsTool === true };
});
const credentials = instances(manifest.n8n.credentials ?? []).map((credential) => credential.name);
console.log(JSON.stringify({ name: manifest.name, version: manifest.version, nodes, credentials }));
`;

export function describePackedPackage(tarball) {
	const dir = mkdtempSync(join(tmpdir(), 'slack-webhooks-packed-'));
	try {
		execFileSync('tar', ['-xzf', tarball, '-C', dir]);
		// n8n-workflow is a peer dependency n8n provides; here, as in test/package, this project's copy.
		const output = execFileSync(process.execPath, ['-e', DESCRIBE, join(dir, 'package')], {
			encoding: 'utf8',
			env: { ...process.env, NODE_PATH: join(PROJECT_DIR, 'node_modules') },
		});
		return JSON.parse(output);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The next patch release of a version: 0.1.0 -> 0.1.1; a prerelease 0.2.0-beta.1 -> 0.2.0. */
export function nextPatchVersion(version) {
	const match = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(version);
	if (!match) throw new Error(`not a release version: ${version}`);
	const [, major, minor, patch, prerelease] = match;
	return prerelease ? `${major}.${minor}.${patch}` : `${major}.${minor}.${Number(patch) + 1}`;
}

/**
 * The same files packed again under another version, in a folder of its own: the repository's
 * package.json is never touched. Returns the new tarball's path; remove its folder when done.
 */
export function packWithVersion(tarball, version) {
	const dir = mkdtempSync(join(tmpdir(), `slack-webhooks-pack-${version}-`));
	execFileSync('tar', ['-xzf', tarball, '-C', dir]);
	const manifestPath = join(dir, 'package', 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
	writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
	// --ignore-scripts: the manifest's prepack builds from sources the tarball does not have.
	const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: join(dir, 'package'), encoding: 'utf8' }));
	return join(dir, filename);
}
