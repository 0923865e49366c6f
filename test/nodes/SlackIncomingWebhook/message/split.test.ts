import fc from 'fast-check';

import { MessageValidationError } from '../../../../nodes/shared/sending/webhook-message';
import { planMessageSplit, planTextParts, splitMessage, splitText, type TextPart } from '../../../../nodes/SlackIncomingWebhook/message/split';
import { SLACK_LIMITS } from '../../../../nodes/shared/slack';

const FENCE = '```';

/**
 * What every split must hold: the parts' slices cover the text exactly once and in order, every
 * part fits, and each part is its slice with at most a reopened fence before it and a closed one
 * after it. Returns the parts for further checks.
 */
function expectWholeAndWithin(text: string, maxLength: number): TextPart[] {
	const parts = planTextParts(text, maxLength);
	expect(parts.map((part) => text.slice(part.start, part.end)).join('')).toBe(text);
	parts.forEach((part, index) => {
		expect(part.start).toBe(index === 0 ? 0 : parts[index - 1].end);
		expect(part.end).toBeGreaterThan(part.start);
		expect(part.text.length).toBeLessThanOrEqual(maxLength);
		const slice = text.slice(part.start, part.end);
		const before = part.text.indexOf(slice);
		expect(before === 0 || part.text.slice(0, before) === `${FENCE}\n`).toBe(true);
		expect(['', FENCE, `\n${FENCE}`]).toContain(part.text.slice(before + slice.length));
	});
	return parts;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const fenceCount = (text: string) => text.split(FENCE).length - 1;

describe('planTextParts and splitText', () => {
	it('keeps a text of exactly the limit whole, and splits one character more', () => {
		const lines = (count: number) => Array.from({ length: count }, (_, n) => `line ${String(n).padStart(3, '0')}`).join('\n');
		// 8 characters a line plus the line break: 40 lines are 359 characters.
		const text = lines(40);
		expect(splitText(text, text.length)).toEqual([text]);
		const parts = splitText(`${text}!`, text.length);
		expect(parts).toHaveLength(2);
		expect(parts.join('')).toBe(`${text}!`);
	});

	it('cuts after the last line break that fits, so a part can be exactly the limit long', () => {
		// Lines of 9 characters with their line break: 4 lines fill 36 exactly.
		const text = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff'].join('\n');
		const parts = expectWholeAndWithin(text, 36);
		expect(parts.map((part) => part.text)).toEqual(['aaaaaaaa\nbbbbbbbb\ncccccccc\ndddddddd\n', 'eeeeeeee\nffffffff']);
		expect(parts[0].text).toHaveLength(36);
	});

	it('sends every line exactly once, in order, never cut, when lines fit the limit', () => {
		const lines = Array.from({ length: 500 }, (_, n) => `${n}: ${'x'.repeat(n % 37)}`);
		const parts = splitText(lines.join('\n'), 120);
		const received = parts.flatMap((part) => part.replace(/\n$/, '').split('\n'));
		expect(received).toEqual(lines);
		expect(Math.max(...parts.map((part) => part.length))).toBeLessThanOrEqual(120);
	});

	it('cuts a line longer than the limit at a space, never inside a word', () => {
		const words = Array.from({ length: 60 }, (_, n) => `word${n}`);
		const parts = expectWholeAndWithin(words.join(' '), 40);
		for (const part of parts) {
			for (const word of part.text.trim().split(' ')) expect(words).toContain(word);
		}
		expect(parts.slice(0, -1).every((part) => part.text.endsWith(' '))).toBe(true);
	});

	it('cuts a word longer than the limit only as a last resort, at a character boundary', () => {
		const word = 'x'.repeat(100);
		const parts = expectWholeAndWithin(`short ${word} tail`, 40);
		expect(parts.map((part) => part.text)).toEqual(['short ', 'x'.repeat(40), 'x'.repeat(40), `${'x'.repeat(20)} tail`]);
	});

	it('never cuts an emoji (a surrogate pair) in half', () => {
		// 25 emoji of two UTF-16 code units each: 50 units, an odd limit of 17 would land mid-pair.
		const text = '😀'.repeat(25);
		const parts = expectWholeAndWithin(text, 17);
		for (const part of parts) {
			expect(isLowSurrogate(part.text.charCodeAt(0))).toBe(false);
			expect(isHighSurrogate(part.text.charCodeAt(part.text.length - 1))).toBe(false);
			expect(part.text.length % 2).toBe(0);
		}
	});

	it('keeps a character with its accents and an emoji with its modifiers together', () => {
		const family = '👩‍👩‍👧‍👦'; // 11 code units joined by zero-width joiners
		const accented = 'e\u0301'; // e and a combining acute accent
		const thumbs = '👍🏽'; // an emoji and a skin tone
		const text = `${accented.repeat(9)}${family}${thumbs.repeat(5)}${'日本語'.repeat(6)}`;
		const parts = expectWholeAndWithin(text, 19);
		const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
		const received = parts.flatMap((part) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(part.text)].map((s) => s.segment));
		expect(received).toEqual(graphemes);
	});

	it('cuts one grapheme longer than the limit at a code point boundary', () => {
		// A letter with 30 combining marks is one grapheme of 31 code units.
		const text = `a${'\u0301'.repeat(30)}`;
		const parts = expectWholeAndWithin(text, 16);
		expect(parts.map((part) => part.text.length)).toEqual([16, 15]);
	});

	it('closes a ``` code block at the end of a part and opens it again in the next', () => {
		const code = Array.from({ length: 12 }, (_, n) => `const v${n} = ${n};`).join('\n');
		const text = `Before\n${FENCE}\n${code}\n${FENCE}\nAfter`;
		const parts = expectWholeAndWithin(text, 60);
		expect(parts.length).toBeGreaterThan(2);
		for (const part of parts) expect(fenceCount(part.text) % 2).toBe(0);
		expect(parts[0].text.endsWith(FENCE)).toBe(true);
		expect(parts[1].text.startsWith(`${FENCE}\n`)).toBe(true);
		expect(parts[parts.length - 1].text.endsWith('After')).toBe(true);
		// The code lines arrive whole, once, in order.
		const received = parts.flatMap((part) => part.text.split('\n')).filter((line) => line.startsWith('const'));
		expect(received).toEqual(code.split('\n'));
	});

	it('leaves room for the closing fence when a part ends inside a code block', () => {
		// Without room for the closing fence the first part would be the opening fence and two lines: exactly 30.
		const line = `${'a'.repeat(12)}\n`;
		const text = `${FENCE}\n${line.repeat(4)}${FENCE}`;
		const parts = expectWholeAndWithin(text, 30);
		expect(parts[0].text).toBe(`${FENCE}\n${line}${FENCE}`);
		expect(parts[1].text.startsWith(`${FENCE}\n${line}`)).toBe(true);
		expect(splitText(text, 30).every((part) => fenceCount(part) === 2)).toBe(true);
	});

	it('does not cut a ``` apart when it has to cut inside a word', () => {
		const text = `${'x'.repeat(15)}${FENCE}${'y'.repeat(20)}`;
		const parts = expectWholeAndWithin(text, 16);
		expect(parts[0].text).toBe('x'.repeat(15));
	});

	it('leaves out a part with nothing visible in it, which Slack would refuse', () => {
		const text = `${'a'.repeat(20)}\n${'\n'.repeat(40)}${'b'.repeat(10)}`;
		const sent = splitText(text, 20);
		expect(sent.every((part) => part.trim() !== '')).toBe(true);
		expect(sent.join('').replace(/\n/g, '')).toBe(`${'a'.repeat(20)}${'b'.repeat(10)}`);
	});

	it('holds for any text: whole, in order, within the limit, balanced fences', () => {
		const piece = fc.constantFrom('word', 'longerword', ' ', '\n', FENCE, '😀', 'e\u0301', '👍🏽', '日本', 'x'.repeat(30), '\t');
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 120 }), fc.integer({ min: 16, max: 70 }), (pieces, maxLength) => {
				const text = pieces.join('');
				const parts = expectWholeAndWithin(text, maxLength);
				for (const part of parts) {
					expect(isLowSurrogate(part.text.charCodeAt(0))).toBe(false);
					expect(isHighSurrogate(part.text.charCodeAt(part.text.length - 1))).toBe(false);
				}
				// A part that opens a code block the text had open closes it, except the last.
				parts.slice(0, -1).forEach((part) => expect(fenceCount(part.text) % 2).toBe(0));
			}),
			{ numRuns: 500, seed: 15 },
		);
	});

	it("splits a report several times Slack's limit into parts of at most 40,000 characters", () => {
		const lines = Array.from({ length: 6000 }, (_, n) => `• row ${n}: ${'value '.repeat(n % 7)}`.trimEnd());
		const parts = splitText(lines.join('\n'), SLACK_LIMITS.maxTextLength);
		expect(parts.length).toBeGreaterThan(1);
		expect(parts.every((part) => part.length <= SLACK_LIMITS.maxTextLength)).toBe(true);
		expect(parts.flatMap((part) => part.replace(/\n$/, '').split('\n'))).toEqual(lines);
	});
});

describe('splitMessage', () => {
	const blocks = (count: number) => Array.from({ length: count }, (_, n) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${n}` } }));
	const placement = { thread_ts: '1504640714.003543', reply_broadcast: true, username: 'report-bot', icon_emoji: ':bar_chart:', channel: 'C0123456789', mrkdwn: true, unfurl_links: false };

	it('returns a message that fits as it is', () => {
		const message = { text: 'short', blocks: blocks(SLACK_LIMITS.maxBlocks), ...placement };
		expect(splitMessage(message)).toEqual([message]);
		expect(splitMessage(message)[0]).toBe(message);
	});

	it('sends more than 50 blocks as messages of at most 50, never cutting a block, with the text and placement on each and attachments on the last', () => {
		const all = blocks(120);
		const attachments = [{ text: 'details', color: '#36a64f' }];
		const parts = splitMessage({ text: 'Nightly report', blocks: all, attachments, ...placement });
		expect(parts.map((part) => part.blocks?.length)).toEqual([50, 50, 20]);
		expect(parts.flatMap((part) => part.blocks)).toEqual(all);
		expect(parts.map((part) => part.attachments)).toEqual([undefined, undefined, attachments]);
		for (const part of parts) expect(part).toMatchObject({ text: 'Nightly report', ...placement });
	});

	it('splits long text, with placement on every part and attachments on the last', () => {
		const text = Array.from({ length: 30 }, (_, n) => `line ${n}`).join('\n');
		const attachments = [{ text: 'details' }];
		const parts = splitMessage({ text, attachments, ...placement }, { maxTextLength: 50, maxBlocks: 50 });
		expect(parts.length).toBeGreaterThan(3);
		expect(parts.map((part) => part.text).join('')).toBe(text);
		expect(parts.map((part) => part.attachments)).toEqual([...Array(parts.length - 1).fill(undefined), attachments]);
		for (const part of parts) expect(part).toMatchObject(placement);
		expect(Object.keys(parts[0])).not.toContain('attachments');
	});

	it('refuses text over the limit beside blocks: it is the notification text, not shown, so not split', () => {
		const run = () => splitMessage({ text: 'x'.repeat(60), blocks: blocks(2) }, { maxTextLength: 50, maxBlocks: 50 });
		expect(run).toThrow(MessageValidationError);
		expect(run).toThrow(/notification text/);
	});
});

/** The grapheme boundaries of `text`, as the whole text is segmented (the test's own segmenter, not the splitter's). */
function graphemeBoundaries(text: string): Set<number> {
	const boundaries = new Set<number>([text.length]);
	for (const { index } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) boundaries.add(index);
	return boundaries;
}

/** Slack mrkdwn tokens that render as one thing: a cut inside one shows Slack's raw syntax instead. */
const TOKENS = {
	'a user mention': '<@U0123ABC>',
	'a channel link': '<#C0123|general>',
	'a special mention': '<!here>',
	'a user group mention': '<!subteam^S0123ABC|@oncall>',
	'a date with spaces in its fallback': '<!date^1392734382^{date_short} at {time}|Feb 18, 2014 at 6:39 AM>',
	'a link with spaces in its label': '<https://tickets.example.com/T-1|Open the ticket>',
	'an emoji code': ':thumbsup:',
	'an emoji code with a skin tone': ':thumbsup::skin-tone-2:',
};

describe('Slack tokens and combining marks', () => {
	const MAX = 40;

	it.each(Object.entries(TOKENS))('never cuts %s, wherever the limit falls in it, with or without spaces around', (_, token) => {
		const MAX = 80; // room for the longest of these tokens
		for (let into = 1; into < token.length; into++) {
			const word = 'x'.repeat(MAX - into);
			const words = `${'ab '.repeat(Math.floor((MAX - into) / 3))}${'c'.repeat((MAX - into) % 3)}`;
			for (const before of [word, words]) {
				const text = `${before}${token}${'y'.repeat(30)}`;
				const parts = expectWholeAndWithin(text, MAX);
				expect(parts.some((part) => text.slice(part.start, part.end).includes(token))).toBe(true);
			}
			// Without spaces, the cut goes right before the token.
			expect(planTextParts(`${word}${token}`, MAX)[0].end).toBe(word.length);
		}
	});

	it('cuts an over-long line before a link whose label has spaces, not inside the label', () => {
		const link = TOKENS['a link with spaces in its label'];
		// The last space within the first 60 characters is in the label.
		const text = `Import failed, see ${link} for why`;
		const parts = expectWholeAndWithin(text, 60);
		expect(parts.map((part) => text.slice(part.start, part.end))).toEqual(['Import failed, see ', `${link} for why`]);
	});

	it('keeps a space and the combining mark after it together', () => {
		// A combining mark after a space is one grapheme with it (how an accent is shown on its own).
		const text = `${'a'.repeat(30)} \u0301${'b'.repeat(20)}`;
		const parts = expectWholeAndWithin(text, MAX);
		for (const part of parts) expect(/^\p{M}/u.test(text.slice(part.start, part.end))).toBe(false);
		expect(parts[0].end).toBe(30);
	});

	it('cuts a token longer than the limit, since nothing else can hold it, and keeps the text whole', () => {
		const token = `<https://example.com/report|${'a long label '.repeat(8)}>`;
		const text = `Intro ${token} after`;
		const parts = expectWholeAndWithin(text, MAX);
		// The token starts a part of its own, then goes on in the next ones, each saying it is cut.
		expect(parts[0].end).toBe('Intro '.length);
		expect(parts.length).toBeGreaterThan(3);
		const tokenEnd = 'Intro '.length + token.length;
		expect(parts.map((part) => part.cutInside)).toEqual(parts.map((part) => (part.end > 'Intro '.length && part.end < tokenEnd ? 'token' : undefined)));
	});

	it('names each part cut inside a token or a character in the notes of the split, and only those', () => {
		const token = `<https://example.com/report|${'a long label '.repeat(8)}>`;
		const { parts, notes } = planMessageSplit({ text: `Intro ${token} after` }, { maxTextLength: MAX, maxBlocks: 50 });
		expect(parts.length).toBeGreaterThan(3);
		expect(notes.length).toBe(parts.length - 2);
		notes.forEach((note, index) =>
			expect(note).toMatch(new RegExp(`^Part ${index + 2} of ${parts.length} ends at character \\d+ of the text, inside a Slack link, mention or emoji code longer than the 40-character limit`)),
		);
		const marks = planMessageSplit({ text: `a${'\u0301'.repeat(500)}` }, { maxTextLength: 100, maxBlocks: 50 });
		expect(marks.notes[0]).toBe('Part 1 of 6 ends at character 100 of the text, inside one very long character (a letter under a long run of combining marks or joiners); it is cut between code points.');
		expect(planMessageSplit({ text: `${'word '.repeat(20)}${TOKENS['a link with spaces in its label']}` }, { maxTextLength: 80, maxBlocks: 50 }).notes).toEqual([]);
	});

	it('holds for any text of tokens, words, emoji and marks: whole, in order, no token or grapheme cut', () => {
		const tokens = Object.values(TOKENS);
		const piece = fc.constantFrom(...tokens, 'word', 'longerword', ' ', '\n', FENCE, '😀', 'e\u0301', ' \u0301', '👍🏽', '👩‍👩‍👧‍👦', '🇯🇵', '<', '>', 'x'.repeat(30), '\t');
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 120 }), fc.integer({ min: 16, max: 90 }), (pieces, maxLength) => {
				const text = pieces.join('');
				const parts = expectWholeAndWithin(text, maxLength);
				const boundaries = graphemeBoundaries(text);
				let offset = 0;
				const spans = pieces.flatMap((piece) => {
					const span = { start: offset, end: (offset += piece.length) };
					// A part holds at least maxLength minus a reopened and a closed fence of its own text.
					return tokens.includes(piece) && piece.length <= maxLength - 8 ? [span] : [];
				});
				for (const { end } of parts.slice(0, -1)) {
					expect(boundaries.has(end)).toBe(true);
					expect(spans.filter((span) => span.start < end && end < span.end)).toEqual([]);
				}
			}),
			{ numRuns: 500, seed: 29 },
		);
	});
});

describe('cost on hostile input: graphemes are examined only near a cut', () => {
	const TEN_MB = 10_000_000;
	/** A few hundred code units around each of the few candidate cuts of a part; the old splitter segmented the whole 40,000. */
	const PER_PART = 2048;
	/** Each repeated to 10 MB: text without a line break or a space, where every cut is a last-resort cut. */
	const alphabets: Array<[string, string]> = [
		['ASCII without spaces (base64, minified JSON)', 'aB3+/x'],
		['backticks', '`'],
		['emoji with skin-tone modifiers', '👍🏽'],
		['ZWJ family sequences', '👩‍👩‍👧‍👦'],
		['combining marks', 'e\u0301\u0323'],
		['flags (regional indicator pairs)', '🇯🇵'],
	];

	/** Counts the code units the splitter hands to Intl.Segmenter, and stops it once they exceed `bound`. */
	function countSegmented(bound: number) {
		const segment = Intl.Segmenter.prototype.segment;
		const counter = { units: 0 };
		jest.spyOn(Intl.Segmenter.prototype, 'segment').mockImplementation(function (this: Intl.Segmenter, input: string) {
			counter.units += input.length;
			if (counter.units > bound) throw new Error(`segmented ${counter.units} code units, more than ${bound}`);
			return segment.call(this, input);
		});
		return counter;
	}
	afterEach(() => jest.restoreAllMocks());

	it.each(alphabets)('%s: at most 2,048 code units segmented per part, never a grapheme cut', (_, unit) => {
		const text = unit.repeat(Math.ceil(TEN_MB / unit.length));
		const maxParts = Math.ceil(text.length / (SLACK_LIMITS.maxTextLength - 8)) + 1;
		const counter = countSegmented(PER_PART * maxParts);
		const parts = planTextParts(text, SLACK_LIMITS.maxTextLength);
		expect(counter.units).toBeGreaterThan(0);
		expect(counter.units).toBeLessThanOrEqual(PER_PART * parts.length);
		expect(parts[parts.length - 1].end).toBe(text.length);
		parts.forEach((part, index) => {
			expect(part.start).toBe(index === 0 ? 0 : parts[index - 1].end);
			expect(part.text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxTextLength);
			// Every unit here is one grapheme (the backtick and the ASCII run are single characters).
			if (unit !== '`' && !unit.startsWith('a')) expect(part.end % unit.length).toBe(0);
		});
	});

	it('one letter with 10 MB of combining marks: cut between code points, at a bounded cost', () => {
		const text = `a${'\u0301'.repeat(TEN_MB)}`;
		const maxParts = Math.ceil(text.length / (SLACK_LIMITS.maxTextLength - 8)) + 1;
		const counter = countSegmented(PER_PART * maxParts);
		const parts = planTextParts(text, SLACK_LIMITS.maxTextLength);
		expect(counter.units).toBeLessThanOrEqual(PER_PART * parts.length);
		expect(parts.map((part) => text.slice(part.start, part.end)).join('')).toBe(text);
		expect(parts.slice(0, -1).every((part) => part.cutInside === 'grapheme')).toBe(true);
	});
});
