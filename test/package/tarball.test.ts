// What `npm publish` would publish, checked from `npm pack --dry-run --json` after a build: exactly the
// built package and the files npm's page and an installed copy read (README, CHANGELOG, LICENSE), its
// size, and that the links and images of the README and CHANGELOG resolve, in the tarball or in the
// repository. Then the packed tarball installed as npm installs it: its reuse entry point (index.ts)
// through `main`, its declarations through `types`. n8n itself loads the files listed under "n8n" in
// package.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, sep } from 'node:path';

import { headingAnchors, linksIn } from './markdown-links';
import { manifest, projectRoot } from './package-types';

const packageName = manifest.name;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
	const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
	return result.stdout;
}

interface PackResult {
	filename: string;
	size: number;
	unpackedSize: number;
	files: Array<{ path: string; size: number }>;
}

/**
 * Packed, the package is 133 kB today. n8n downloads and unpacks it on every install and update, so
 * the bound is three times that: room for more nodes, while any folder that should not ship fails it
 * (docs/ alone is about 800 kB of pictures; a coverage report or a stray node_modules far more).
 */
const MAX_PACKED_BYTES = 400_000;

/** The files npm adds whatever `files` says, and the ones `files` names besides dist/. */
const TOP_LEVEL_FILES = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];

/** Links into the repository point at its default branch. */
const DEFAULT_BRANCH = 'main';

/** Every path below `dir` (relative to the project, with forward slashes); folders too, which no filter below keeps. */
function pathsBelow(dir: string): string[] {
	return readdirSync(join(projectRoot, dir), { recursive: true, encoding: 'utf8' }).map((path) => `${dir}/${path.split(sep).join('/')}`);
}

/**
 * What the build makes of the sources: tsc (tsconfig.build.json: index.ts, credentials/, nodes/) a .js,
 * .d.ts and .js.map per TypeScript file; gulp (gulpfile.js) the icons and codex files beside them.
 */
function builtFiles(): string[] {
	const sources = ['index.ts', ...pathsBelow('credentials'), ...pathsBelow('nodes')];
	const compiled = sources
		.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))
		.flatMap((path) => ['.js', '.d.ts', '.js.map'].map((suffix) => `dist/${path.replace(/\.ts$/, suffix)}`));
	const assets = sources.filter((path) => /\.(png|svg)$/.test(path) || /^nodes\/.*\.node\.json$/.test(path)).map((path) => `dist/${path}`);
	return [...compiled, ...assets];
}

/** https://github.com/<owner>/<name>, from package.json's repository. */
function repositoryWebUrl(): string {
	const repository = manifest.repository as { url: string };
	const match = /github\.com[/:]([^/]+)\/([^/]+?)(\.git)?$/.exec(repository.url);
	if (!match) throw new Error(`package.json's repository is not a GitHub repository: ${repository.url}`);
	return `https://github.com/${match[1]}/${match[2]}`;
}

// Install scripts are off (.npmrc), so `npm pack` does not run `prepack`: build first, once for the file.
beforeAll(() => run('npm', ['run', '--silent', 'build'], projectRoot), 300_000);

/** `>=x.y.z` as [x, y, z]; anything else fails, to be compared by hand. */
function minimumNode(range: string | undefined): number[] {
	const match = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range ?? '');
	if (!match) throw new Error(`engines.node "${range}" is not of the form >=x.y.z: compare it by hand`);
	return match.slice(1).map(Number);
}

function compareVersions(a: number[], b: number[]): number {
	return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

describe('the package as npm would publish it', () => {
	let packed: PackResult;

	beforeAll(() => {
		[packed] = JSON.parse(run('npm', ['pack', '--dry-run', '--json'], projectRoot)) as PackResult[];
	}, 60_000);

	it('holds exactly the built package, package.json, README, CHANGELOG and LICENSE', () => {
		const published = packed.files.map((file) => file.path).sort();
		const expected = [...builtFiles(), ...TOP_LEVEL_FILES].sort();
		const extra = published.filter((path) => !expected.includes(path));
		const missing = expected.filter((path) => !published.includes(path));
		// A file in dist/ that no source makes any more is left over from an earlier build: npm would publish it.
		expect({ extra, missing }).toEqual({ extra: [], missing: [] });
	});

	it('holds no tests, benchmarks, fixtures, scripts, docs, .dev, TypeScript sources or their maps', () => {
		const unwanted = packed.files
			.map((file) => file.path)
			.filter(
				(path) =>
					/(^|\/)(test|tests|__tests__|bench|fixtures|scripts|docs|coverage|node_modules|\.dev|\.ci)\//.test(path) ||
					/\.(test|spec)\./.test(path) ||
					(/\.ts$/.test(path) && !path.endsWith('.d.ts')) ||
					/\.(tgz|log)$|(^|\/)\.(npmrc|env|gitignore)$/.test(path) ||
					(path.endsWith('.map') && !path.startsWith('dist/')),
			);
		expect(unwanted).toEqual([]);
	});

	it(`is at most ${MAX_PACKED_BYTES.toLocaleString('en-US')} bytes packed`, () => {
		console.log(`npm pack: ${packed.files.length} files, ${packed.size.toLocaleString('en-US')} bytes packed, ${packed.unpackedSize.toLocaleString('en-US')} unpacked`);
		expect(packed.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
	});

	it('names its repository, home page, issue tracker and Node versions for npm and n8n to show', () => {
		const base = repositoryWebUrl();
		expect(manifest.homepage).toBe(`${base}#readme`);
		expect(manifest.bugs).toEqual({ url: `${base}/issues` });
		// The oldest Node the package may run on is the newest of its runtime dependencies' minimums.
		const own = minimumNode((manifest.engines as { node?: string } | undefined)?.node);
		for (const dependency of Object.keys(manifest.dependencies as Record<string, string>)) {
			const theirs = JSON.parse(readFileSync(join(projectRoot, 'node_modules', dependency, 'package.json'), 'utf8')) as { engines?: { node?: string } };
			const needed = minimumNode(theirs.engines?.node ?? '>=0.0.0');
			expect({ dependency, needs: theirs.engines?.node, covered: compareVersions(own, needed) >= 0 }).toEqual({ dependency, needs: theirs.engines?.node, covered: true });
		}
	});

	describe.each(['README.md', 'CHANGELOG.md'])('%s', (file) => {
		const markdown = readFileSync(join(projectRoot, file), 'utf8');
		const { links, undefinedReferences } = linksIn(markdown);
		const base = repositoryWebUrl();
		const [, owner, name] = /github\.com\/([^/]+)\/([^/]+)$/.exec(base) as RegExpExecArray;
		const blob = `${base}/blob/${DEFAULT_BRANCH}/`;
		const tree = `${base}/tree/${DEFAULT_BRANCH}/`;
		const raw = `https://raw.githubusercontent.com/${owner}/${name}/${DEFAULT_BRANCH}/`;
		const tracked = run('git', ['ls-files'], projectRoot).split('\n').filter(Boolean);

		it('uses no reference without a definition', () => {
			expect(undefinedReferences).toEqual([]);
		});

		it('links only to files in the tarball, or to the repository by absolute URL', () => {
			// npm's page and the installed package have no docs/: a relative link resolves only inside the tarball.
			// (npm's site rewrites some relative links to the repository, undocumented; the package does not rely on it.)
			const problems: string[] = [];
			const anchorMissing = (path: string, anchor: string) => anchor !== '' && !headingAnchors(readFileSync(join(projectRoot, path), 'utf8')).has(anchor);
			for (const { target, image, line } of links) {
				const [address, anchor = ''] = target.split('#');
				const where = `line ${line}: ${target}`;
				if (address === '') {
					if (anchorMissing(file, anchor)) problems.push(`${where}: no heading #${anchor} in ${file}`);
				} else if (!/^[a-z]+:/i.test(address)) {
					const inPackage = posix.normalize(address);
					if (!packed.files.some((published) => published.path === inPackage)) problems.push(`${where}: not in the tarball; link to ${image ? raw : blob}${inPackage}${anchor ? `#${anchor}` : ''} instead`);
					else if (anchorMissing(inPackage, anchor)) problems.push(`${where}: no heading #${anchor} in ${inPackage}`);
				} else if (address.startsWith(base) || address.startsWith(raw)) {
					const path = [blob, tree, raw].filter((prefix) => address.startsWith(prefix)).map((prefix) => address.slice(prefix.length))[0];
					if (path === undefined) problems.push(`${where}: not a ${DEFAULT_BRANCH} branch file address (${blob}…, ${tree}…, ${raw}…)`);
					else if (address.startsWith(tree) ? !tracked.some((trackedPath) => trackedPath.startsWith(`${path}/`)) : !tracked.includes(path)) problems.push(`${where}: ${path} is not tracked by git, so the repository will not have it`);
					else if (image && !address.startsWith(raw)) problems.push(`${where}: an image must be its raw file (${raw}${path}), not its page`);
					else if (path.endsWith('.md') && anchorMissing(path, anchor)) problems.push(`${where}: no heading #${anchor} in ${path}`);
				}
			}
			expect(problems).toEqual([]);
		});
	});
});

describe('the packed tarball, installed', () => {
	let scratch: string;
	let installed: string;

	beforeAll(() => {
		scratch = mkdtempSync(join(tmpdir(), 'slack-webhooks-tarball-'));
		const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], projectRoot)) as PackResult[];
		writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
		// n8n-workflow is a peer dependency that n8n provides; the dependencies come from npm's cache when it has them.
		run('npm', ['install', '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund', '--package-lock=false', '--loglevel=error', join(scratch, filename)], scratch);
		installed = join(scratch, 'node_modules', packageName);
	}, 600_000);

	afterAll(() => rmSync(scratch, { recursive: true, force: true }));

	it('can be required by its name', () => {
		// As in n8n, n8n-workflow comes from the host: here this project's copy.
		const script = `const exported = require(${JSON.stringify(packageName)}); console.log(JSON.stringify(Object.keys(exported).sort()));`;
		const output = run(process.execPath, ['-e', script], scratch, { ...process.env, NODE_PATH: join(projectRoot, 'node_modules') });
		expect(JSON.parse(output)).toEqual(
			expect.arrayContaining(['SlackIncomingWebhook', 'SlackOutgoingWebhookTrigger', 'SlackIncomingWebhookApi', 'SlackOutgoingWebhookApi', 'buildWebhookMessage']),
		);
	});

	it('declares its types in a file it ships', () => {
		const installedManifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { types?: string };
		expect(installedManifest.types).toBeDefined();
		const declarations = join(installed, installedManifest.types as string);
		expect(existsSync(declarations)).toBe(true);
		expect(readFileSync(declarations, 'utf8')).toContain('SlackOutgoingWebhookTrigger');
	});
});
