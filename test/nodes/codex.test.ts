/**
 * The links n8n shows in a node's panel (its codex file's documentation URLs) must land on a
 * heading of the page they name: the README or one of the reference pages under docs/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const REPOSITORY = 'https://github.com/n8n-nodes-slack-webhooks/n8n-nodes-slack-webhooks';
/** A page of the repository as GitHub shows it: the README or a page under docs/, and a heading's anchor. */
const PAGE_LINK = new RegExp(`^${REPOSITORY.replace(/[.]/g, '\\.')}/blob/main/(README\\.md|docs/[\\w-]+\\.md)#([\\w-]+)$`);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function anchorsOf(page: string): Set<string> {
	return new Set(
		readFileSync(join(ROOT, page), 'utf8')
			.split('\n')
			.filter((line) => /^#{1,6} /.test(line))
			.map((line) => anchorOf(line.replace(/^#+ /, ''))),
	);
}

const codexFiles = readdirSync(join(ROOT, 'nodes'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.node.json'));

/** Every codex URL into this repository, whatever its form, so a link in another form fails below. */
function linksOf(file: string): string[] {
	const text = readFileSync(join(ROOT, 'nodes', file), 'utf8');
	return [...text.matchAll(/"url":\s*"([^"]+)"/g)].map((match) => match[1]).filter((url) => url.startsWith(REPOSITORY));
}

describe('codex documentation links', () => {
	it('finds the codex files and links into the documentation', () => {
		expect(codexFiles).toHaveLength(3);
		for (const file of codexFiles) expect(linksOf(file).length).toBeGreaterThan(0);
	});

	it.each(codexFiles)('%s links only to headings that exist in the page each link names', (file) => {
		for (const url of linksOf(file)) {
			const [, page, anchor] = url.match(PAGE_LINK) ?? [];
			expect({ url, page }).toEqual({ url, page: expect.any(String) });
			expect(existsSync(join(ROOT, page))).toBe(true);
			expect({ url, anchors: [...anchorsOf(page)] }).toEqual({ url, anchors: expect.arrayContaining([anchor]) });
		}
	});

	it('computes anchors as GitHub does', () => {
		expect(anchorOf('Slack Incoming Webhook OAuth2 API (Add to Slack)')).toBe('slack-incoming-webhook-oauth2-api-add-to-slack');
		expect(anchorOf('Checks, before any workflow starts')).toBe('checks-before-any-workflow-starts');
	});
});
