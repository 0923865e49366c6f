import { headingAnchors, linksIn } from './markdown-links';

describe('linksIn', () => {
	const markdown = [
		'# Title',
		'See [the docs](docs/a.md#part "A title") and ![a picture](docs/b.png).',
		'A [reference][docs/c.md] and a ![reference image][pic], <https://example.com/x>.',
		'<img src="docs/d.png" width="10">',
		'Not a link: `[code](e.md)`, nor [an undefined one][nowhere].',
		'```',
		'[in a block](f.md)',
		'```',
		'',
		'[docs/c.md]: https://example.com/c.md',
		'[PIC]: https://example.com/pic.png',
	].join('\n');
	const { links, undefinedReferences } = linksIn(markdown);

	it('finds inline links and images, reference links with their definitions, img tags and autolinks', () => {
		expect(links).toEqual([
			{ target: 'docs/a.md#part', image: false, line: 2 },
			{ target: 'docs/b.png', image: true, line: 2 },
			{ target: 'https://example.com/c.md', image: false, line: 3 },
			{ target: 'https://example.com/pic.png', image: true, line: 3 },
			{ target: 'https://example.com/x', image: false, line: 3 },
			{ target: 'docs/d.png', image: true, line: 4 },
		]);
	});

	it('reports a reference with no definition, which renders as plain text', () => {
		expect(undefinedReferences).toEqual(['nowhere (line 5)']);
	});
});

describe('headingAnchors', () => {
	it('makes the anchors GitHub makes', () => {
		const anchors = headingAnchors(
			[
				'# n8n Cloud',
				'## Saved workflows: what may change within a type version',
				'### Replies that take longer than 3 seconds',
				'## `npm run dev` and [links](x.md)',
				'## Options',
				'## Options',
				'```',
				'# not a heading',
				'```',
			].join('\n'),
		);
		expect([...anchors]).toEqual([
			'n8n-cloud',
			'saved-workflows-what-may-change-within-a-type-version',
			'replies-that-take-longer-than-3-seconds',
			'npm-run-dev-and-links',
			'options',
			'options-1',
		]);
	});
});
