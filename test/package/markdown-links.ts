/**
 * The links and images of a Markdown file, and the anchors its headings get, as far as the package's
 * README and CHANGELOG use Markdown: inline links and images, reference links with their definitions,
 * `<img src>`, and `<https://…>` autolinks; nothing inside code.
 */

export interface MarkdownLink {
	target: string;
	image: boolean;
	line: number;
}

export interface MarkdownLinks {
	links: MarkdownLink[];
	/** References used (`[text][label]`) with no `[label]: url` definition: rendered as plain text. */
	undefinedReferences: string[];
}

/** The file with code blocks and code spans blanked out, lines kept in place. */
function withoutCode(markdown: string): string[] {
	let fenced = false;
	return markdown.split('\n').map((line) => {
		if (/^\s*(```|~~~)/.test(line)) {
			fenced = !fenced;
			return '';
		}
		return fenced ? '' : line.replace(/`[^`]*`/g, '');
	});
}

const normalLabel = (label: string) => label.trim().toLowerCase().replace(/\s+/g, ' ');

export function linksIn(markdown: string): MarkdownLinks {
	const lines = withoutCode(markdown);
	const definitions = new Map<string, string>();
	const definitionLine = /^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+["'(].*)?$/;
	for (const line of lines) {
		const match = definitionLine.exec(line);
		if (match) definitions.set(normalLabel(match[1]), match[2]);
	}
	const links: MarkdownLink[] = [];
	const undefinedReferences: string[] = [];
	lines.forEach((line, index) => {
		if (definitionLine.test(line)) return;
		const at = index + 1;
		for (const match of line.matchAll(/(!?)\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^)]*)?\)/g)) {
			links.push({ target: match[3], image: match[1] === '!', line: at });
		}
		for (const match of line.matchAll(/(!?)\[((?:[^\]\\]|\\.)*)\]\[([^\]]*)\]/g)) {
			const label = normalLabel(match[3] || match[2]);
			const target = definitions.get(label);
			if (target === undefined) undefinedReferences.push(`${label} (line ${at})`);
			else links.push({ target, image: match[1] === '!', line: at });
		}
		for (const match of line.matchAll(/<img\s[^>]*src=["']([^"']+)["']/gi)) links.push({ target: match[1], image: true, line: at });
		for (const match of line.matchAll(/<(https?:\/\/[^>\s]+)>/g)) links.push({ target: match[1], image: false, line: at });
	});
	return { links, undefinedReferences };
}

/**
 * The anchors GitHub (and npm) give the file's headings: lower case, punctuation dropped, spaces as
 * hyphens, `-1`, `-2` … after a repeated one.
 */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
		const heading = fenced ? null : /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const text = heading[1]
			.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
			.replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
			.replace(/<[^>]+>/g, '');
		const slug = text
			.toLowerCase()
			.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return anchors;
}
