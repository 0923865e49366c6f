/**
 * The links n8n shows in a node's panel (its codex file's documentation URLs) must land on a
 * heading of the README, where the package documents itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REPOSITORY = 'https://github.com/n8n-nodes-slack-webhooks/n8n-nodes-slack-webhooks';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

const readmeAnchors = new Set(
	readFileSync(join(ROOT, 'README.md'), 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => anchorOf(line.replace(/^#+ /, ''))),
);

const codexFiles = readdirSync(join(ROOT, 'nodes'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.node.json'));

function linksOf(file: string): string[] {
	const text = readFileSync(join(ROOT, 'nodes', file), 'utf8');
	return [...text.matchAll(/"url":\s*"([^"]+)"/g)].map((match) => match[1]).filter((url) => url.startsWith(`${REPOSITORY}#`));
}

describe('codex documentation links', () => {
	it('finds the codex files and links into the README', () => {
		expect(codexFiles).toHaveLength(2);
		for (const file of codexFiles) expect(linksOf(file).length).toBeGreaterThan(0);
	});

	it.each(codexFiles)('%s links only to README headings that exist', (file) => {
		for (const url of linksOf(file)) expect(readmeAnchors).toContain(url.slice(url.indexOf('#') + 1));
	});

	it('computes anchors as GitHub does', () => {
		expect(anchorOf('Slack Incoming Webhook OAuth2 API (Add to Slack)')).toBe('slack-incoming-webhook-oauth2-api-add-to-slack');
		expect(anchorOf('Checks, before any workflow starts')).toBe('checks-before-any-workflow-starts');
	});
});
