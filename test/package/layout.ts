// The package's rooms (docs/development.md, "Layout"): a node's folder holds its node file, its
// description and what only that node does; what two nodes use lives in a room under nodes/shared/.
// These functions find the imports that break that shape, so that the rule holds as the package grows.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

import * as ts from 'typescript';

/** A source file's path from the project root, with forward slashes, and the specifiers it imports. */
export interface SourceImports {
	path: string;
	specifiers: string[];
}

export interface LayoutViolation {
	file: string;
	imports: string;
	rule: string;
}

/** `nodes/<Node>/…` → `<Node>`; `nodes/shared/…` → `shared`; anything else → undefined. */
export function roomOf(path: string): string | undefined {
	const match = /^nodes\/([^/]+)\//.exec(path);
	return match?.[1];
}

/** Where a relative specifier points from `fromPath`, as a path from the project root; undefined for a package import. */
export function resolveSpecifier(fromPath: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	return posix.normalize(posix.join(posix.dirname(fromPath), specifier));
}

/**
 * Every import that crosses between node folders: a node's file importing from another node's
 * folder, or a shared room importing from any node's folder (shared code that depends on one node
 * would carry that node's changes into the others unseen).
 */
export function layoutViolations(sources: readonly SourceImports[]): LayoutViolation[] {
	const violations: LayoutViolation[] = [];
	for (const source of sources) {
		const from = roomOf(source.path);
		if (from === undefined) continue;
		for (const specifier of source.specifiers) {
			const target = resolveSpecifier(source.path, specifier);
			const to = target === undefined ? undefined : roomOf(`${target}/`);
			if (to === undefined || to === 'shared' || to === from) continue;
			violations.push({
				file: source.path,
				imports: specifier,
				rule: from === 'shared' ? `nodes/shared/ imports nothing from a node's folder (${to})` : `${from} imports nothing from another node's folder (${to}): move what both use into a room under nodes/shared/`,
			});
		}
	}
	return violations;
}

/** The static and dynamic imports and requires of a TypeScript source, as TypeScript itself reads them. */
export function importSpecifiers(sourceText: string): string[] {
	return ts.preProcessFile(sourceText, true, true).importedFiles.map((file) => file.fileName);
}

/** Every .ts file under `dir`, with its imports. */
export function readSources(projectRoot: string, dir: string): SourceImports[] {
	const sources: SourceImports[] = [];
	const walk = (folder: string): void => {
		for (const entry of readdirSync(folder, { withFileTypes: true })) {
			const full = join(folder, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name.endsWith('.ts')) sources.push({ path: relative(projectRoot, full).split(sep).join('/'), specifiers: importSpecifiers(readFileSync(full, 'utf8')) });
		}
	};
	walk(join(projectRoot, dir));
	return sources;
}
