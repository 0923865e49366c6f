// What `npm run lint:cloud` reports, summed up per rule and per restricted name, so that docs/development.md's
// "n8n Cloud" section states the command's own figures. The summary sits in the page between two markers;
// `npm run docs:lint-cloud` writes it there, and `lint-cloud.test.ts` fails when the page and the command differ.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { projectRoot } from './package-types';

export const SUMMARY_START = '<!-- lint:cloud summary (npm run docs:lint-cloud writes it) -->';
export const SUMMARY_END = '<!-- /lint:cloud summary -->';

/** The files the cloud rules apply to (eslint.cloud.config.mjs), as `npm run lint:cloud` reaches them. */
const LINTED = ['credentials', 'nodes', 'package.json'];

interface EslintMessage {
	ruleId: string | null;
	message: string;
}

interface EslintFileResult {
	filePath: string;
	messages: EslintMessage[];
}

export interface CloudFinding {
	rule: string;
	/** The import or global a restriction names; empty for the dependencies rule. */
	name: string;
	file: string;
}

/** Runs ESLint with the cloud configuration, as `npm run lint:cloud` does, and returns every finding. */
export function runCloudLint(): CloudFinding[] {
	const eslint = join(projectRoot, 'node_modules', 'eslint', 'bin', 'eslint.js');
	// eslint-plugin-n8n-nodes-base turns on test-only behaviour when NODE_ENV is "test", which jest sets:
	// the command runs without it, as a user's shell runs it.
	const { NODE_ENV: _jest, ...env } = process.env;
	const result = spawnSync(process.execPath, [eslint, '-c', 'eslint.cloud.config.mjs', '-f', 'json', ...LINTED], { cwd: projectRoot, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	// ESLint exits 1 when it found errors, which it does here by design; 2 is a failure to run.
	if (result.status !== 0 && result.status !== 1) throw new Error(`eslint failed (exit ${result.status}): ${result.stderr}`);
	const files = JSON.parse(result.stdout) as EslintFileResult[];
	return files.flatMap((file) =>
		file.messages.map((message) => ({
			rule: message.ruleId ?? '(parse error)',
			name: restrictedName(message.message),
			file: file.filePath.slice(projectRoot.length + 1),
		})),
	);
}

function restrictedName(message: string): string {
	return /global '([^']+)'|Import of '([^']+)'/.exec(message)?.slice(1).find(Boolean) ?? '';
}

/** A Markdown table: one row per rule and name, with how many places and in how many files, most first. */
export function formatCloudSummary(findings: readonly CloudFinding[]): string {
	const rows = new Map<string, { rule: string; name: string; places: number; files: Set<string> }>();
	for (const finding of findings) {
		const key = `${finding.rule}\u0000${finding.name}`;
		const row = rows.get(key) ?? { rule: finding.rule, name: finding.name, places: 0, files: new Set<string>() };
		row.places += 1;
		row.files.add(finding.file);
		rows.set(key, row);
	}
	const sorted = [...rows.values()].sort((a, b) => a.rule.localeCompare(b.rule) || b.places - a.places || a.name.localeCompare(b.name));
	const fileCount = new Set(findings.map((finding) => finding.file)).size;
	return [
		`\`npm run lint:cloud\` reports **${findings.length} places in ${fileCount} files**:`,
		'',
		'| Rule (`@n8n/community-nodes/…`) | Import or global | Places | Files |',
		'| --- | --- | --- | --- |',
		...sorted.map((row) => `| \`${row.rule.replace('@n8n/community-nodes/', '')}\` | ${row.name ? `\`${row.name}\`` : '`dependencies` in package.json'} | ${row.places} | ${row.files.size} |`),
	].join('\n');
}

/** The page with the summary between its markers replaced. */
export function withSummary(page: string, summary: string): string {
	const start = page.indexOf(SUMMARY_START);
	const end = page.indexOf(SUMMARY_END);
	if (start < 0 || end < start) throw new Error(`docs/development.md has no ${SUMMARY_START} … ${SUMMARY_END} block`);
	return `${page.slice(0, start + SUMMARY_START.length)}\n${summary}\n${page.slice(end)}`;
}
