/**
 * The node and credential types this package declares, loaded from the files package.json's "n8n"
 * section names, the way n8n loads them (n8n-core's DirectoryLoader: the class named like the file,
 * `SlackIncomingWebhook.node.js` → `SlackIncomingWebhook`), but from the TypeScript sources beside the
 * built paths, so that no build is needed.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { ICredentialType, INodeType, IVersionedNodeType } from 'n8n-workflow';

export const projectRoot = join(__dirname, '..', '..');

export interface PackageManifest {
	name: string;
	version: string;
	n8n: { nodes: string[]; credentials: string[] };
	[field: string]: unknown;
}

export const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as PackageManifest;

/** `dist/nodes/X/X.node.js` → the absolute path of `nodes/X/X.node.ts`. */
export function sourceOf(distPath: string): string {
	return join(projectRoot, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function instanceOf<T>(distPath: string): T {
	const [className] = basename(distPath).split('.');
	const exported = require(sourceOf(distPath)) as Record<string, new () => T>;
	const declared = exported[className];
	if (typeof declared !== 'function') throw new Error(`${distPath}: its source exports no class ${className}, which is the class n8n loads from it`);
	return new declared();
}

export function loadNodeTypes(): Array<INodeType | IVersionedNodeType> {
	return manifest.n8n.nodes.map((path) => instanceOf<INodeType | IVersionedNodeType>(path));
}

export function loadCredentialTypes(): ICredentialType[] {
	return manifest.n8n.credentials.map((path) => instanceOf<ICredentialType>(path));
}
