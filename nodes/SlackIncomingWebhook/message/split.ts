import { EMOJI_NAME_CHARACTER, EMOJI_SKIN_TONE, SLACK_LIMITS } from '../../shared/slack';
import { FIELD_NAMES, MessageValidationError, type WebhookMessage } from '../../shared/sending/webhook-message';

/**
 * Splitting one message into consecutive messages that each fit Slack's limits.
 *
 * Which field goes on which part:
 * - Text is cut into parts of at most `maxTextLength` (JavaScript string length, UTF-16 code
 *   units: never less than Slack's count of characters, so a part that fits here fits Slack).
 * - Blocks are cut into runs of at most `maxBlocks`; a block is never cut.
 * - With blocks, Slack shows the blocks and uses Text only for the notification, so Text is not
 *   split: every part carries it, so each message's notification says what it is.
 * - Attachments go on the last part, below everything else, as they would appear in one message.
 * - Everything that says where and how a message appears (thread_ts, reply_broadcast, channel,
 *   username, icon_emoji, icon_url, mrkdwn, link_names, unfurl_*) goes on every part, so all parts
 *   land in the same place and look alike.
 */

export interface SplitLimits {
	maxTextLength: number;
	maxBlocks: number;
}

/** One part of a split text: the slice `[start, end)` of the original, and the text to send. */
export interface TextPart {
	start: number;
	end: number;
	text: string;
	/**
	 * Set when the part had to end where a cut should never fall: inside a Slack token longer than
	 * the limit, or inside one grapheme longer than a cut looks at (see {@link describeCut}).
	 */
	cutInside?: CutInside;
}

/** What a last-resort cut falls inside. */
export type CutInside = 'token' | 'grapheme';

const FENCE = '```';
/** Closing a code block at the end of a part costs at most this many characters ("\n```"). */
const FENCE_CLOSE_RESERVE = FENCE.length + 1;
const FENCE_REOPEN = `${FENCE}\n`;
/** Room for a reopened and a closed fence and still some text in every part. */
const MIN_SPLIT_LENGTH = 16;

/** A message's parts, and a sentence for each part that had to be cut where a cut should not fall. */
export interface MessageSplit {
	parts: WebhookMessage[];
	notes: string[];
}

/** Splits a message whose text or blocks exceed Slack's limits; a message that fits stays whole. */
export function splitMessage(message: WebhookMessage, limits: SplitLimits = SLACK_LIMITS): WebhookMessage[] {
	return planMessageSplit(message, limits).parts;
}

/** {@link splitMessage}, with the notes on parts cut inside a token or a grapheme (see {@link describeCut}). */
export function planMessageSplit(message: WebhookMessage, limits: SplitLimits = SLACK_LIMITS): MessageSplit {
	const { text, blocks, attachments, ...placement } = message;
	const textFits = text === undefined || text.length <= limits.maxTextLength;
	if (textFits && (blocks === undefined || blocks.length <= limits.maxBlocks)) return { parts: [message], notes: [] };
	if (blocks !== undefined) {
		if (!textFits) {
			throw new MessageValidationError(
				FIELD_NAMES.text,
				`Text is ${text.length} characters long; with blocks it is the notification text, which is not split, and Slack accepts at most ${limits.maxTextLength}`,
				'Shorten Text to a summary of the blocks, or send the long text without blocks.',
			);
		}
		const runs = chunk(blocks, limits.maxBlocks);
		const parts = runs.map((run, index) =>
			withoutUndefined({ ...placement, text, blocks: run, attachments: index === runs.length - 1 ? attachments : undefined }),
		);
		return { parts, notes: [] };
	}
	const texts = sentTextParts(text ?? '', limits.maxTextLength);
	return {
		parts: texts.map((part, index) =>
			withoutUndefined({ ...placement, text: part.text, attachments: index === texts.length - 1 ? attachments : undefined }),
		),
		notes: texts.flatMap((part, index) => (part.cutInside ? [describeCut(part, index + 1, texts.length, limits.maxTextLength)] : [])),
	};
}

/** The texts to send for `text`; parts with nothing visible in them are left out (Slack would refuse them). */
export function splitText(text: string, maxLength: number): string[] {
	return sentTextParts(text, maxLength).map((part) => part.text);
}

function sentTextParts(text: string, maxLength: number): TextPart[] {
	return planTextParts(text, maxLength).filter((part) => text.slice(part.start, part.end).trim() !== '');
}

/** Says where and why part `partNumber` (counting from 1) of `totalParts` was cut where a cut should not fall. */
function describeCut(part: TextPart, partNumber: number, totalParts: number, maxLength: number): string {
	const where = `Part ${partNumber} of ${totalParts} ends at character ${part.end} of the text`;
	if (part.cutInside === 'token') {
		return `${where}, inside a Slack link, mention or emoji code longer than the ${maxLength}-character limit; Slack shows its two halves as plain text.`;
	}
	return `${where}, inside one very long character (a letter under a long run of combining marks or joiners); it is cut between code points.`;
}

/**
 * Cuts `text` into consecutive slices that cover it exactly, each sent within `maxLength`.
 * Where a cut falls inside a ``` code block, the part closes it and the next part opens it again,
 * so both render as code.
 *
 * A cut goes, by preference: after the last line break that fits; else after the last space or
 * tab that fits (a line longer than the limit); else, for a single word longer than the limit,
 * after the last whole grapheme (a letter with its accents, an emoji with its modifiers) that
 * fits. A cut never falls inside a Slack token (`<@U…>`, `<#C…|name>`, `<!here>`, `<url|label>`,
 * `:emoji:`): it goes before the token instead, unless the token starts the part and alone is
 * longer than it (then the part says so, `cutInside: 'token'`). Only one grapheme longer than
 * {@link GRAPHEME_REACH} is cut between code points (`cutInside: 'grapheme'`). Cutting inside a
 * UTF-16 surrogate pair never happens.
 *
 * Linear in the length of the text: every cut searches its own part's window with plain string
 * search and hands Intl.Segmenter only a few hundred code units around the cut.
 */
export function planTextParts(text: string, maxLength: number): TextPart[] {
	if (maxLength < MIN_SPLIT_LENGTH) throw new RangeError(`maxLength must be at least ${MIN_SPLIT_LENGTH}`);
	const parts: TextPart[] = [];
	let start = 0;
	let inFence = false;
	// A token too long for one part, which the previous part was cut inside: its rest may be too.
	let cutToken: Span | undefined;
	while (start < text.length) {
		const prefix = inFence ? FENCE_REOPEN : '';
		const rest = text.length - start;
		// The last part needs no closing fence of its own: the text closes its code block itself (or not).
		if (prefix.length + rest <= maxLength) {
			parts.push({ start, end: text.length, text: prefix + text.slice(start) });
			break;
		}
		let cut = findCut(text, start, maxLength - prefix.length);
		let endsInFence = togglesFence(text, start, cut.end, inFence);
		if (endsInFence) {
			cut = findCut(text, start, maxLength - prefix.length - FENCE_CLOSE_RESERVE);
			endsInFence = togglesFence(text, start, cut.end, inFence);
		}
		const slice = text.slice(start, cut.end);
		const suffix = endsInFence ? (slice.endsWith('\n') ? FENCE : `\n${FENCE}`) : '';
		cutToken = cut.token ?? (cutToken && cut.end < cutToken.end ? cutToken : undefined);
		const cutInside = cut.inside ?? (cutToken && 'token');
		parts.push({ start, end: cut.end, text: prefix + slice + suffix, ...(cutInside && { cutInside }) });
		start = cut.end;
		inFence = endsInFence;
	}
	return parts;
}

/** Where a part ends, and, for a last-resort cut, what it falls inside. */
interface Cut {
	end: number;
	inside?: CutInside;
	/** The token a cut falls inside. */
	token?: Span;
}

/** The slice `[start, end)` of the text. */
interface Span {
	start: number;
	end: number;
}

/** Where the part that starts at `start` and may hold `budget` characters of the text ends. */
function findCut(text: string, start: number, budget: number): Cut {
	const limit = start + budget;
	// A slice of a string is a view in V8: searching it costs the window, never the whole text.
	const window = text.slice(start, limit);
	const lineBreak = window.lastIndexOf('\n');
	// A line break always ends a grapheme, and no token spans lines.
	if (lineBreak !== -1) return { end: start + lineBreak + 1 };
	const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
	const atSpace = space === -1 ? undefined : cutAtOrBefore(text, start, start + space + 1);
	if (atSpace && !atSpace.inside) return atSpace;
	// A long token that starts the part but ends within it: cut right after it.
	if (atSpace?.token && atSpace.token.end <= limit) {
		const afterToken = cutAtOrBefore(text, start, atSpace.token.end);
		if (afterToken && !afterToken.inside) return afterToken;
	}
	const hard = cutAtOrBefore(text, start, limit);
	if (hard && !hard.inside) return hard;
	return atSpace ?? hard ?? { end: codePointBoundary(text, limit), inside: 'grapheme' };
}

/**
 * The last cut at or before `at` that ends a grapheme and keeps a token and a ``` whole, or, when
 * a token starting the part is longer than that, the cut inside it. Undefined when no grapheme
 * boundary after `start` is in reach.
 */
function cutAtOrBefore(text: string, start: number, at: number): Cut | undefined {
	const boundary = lastGraphemeBoundary(text, start, at);
	if (boundary === undefined) return undefined;
	const token = tokenAround(text, start, boundary);
	// A token starts with `<` or `:`, so the cut before it is a grapheme boundary and no ``` is cut.
	if (token && token.start > start) return { end: token.start };
	const end = keepFenceWhole(text, start, boundary);
	return token ? { end, inside: 'token', token } : { end };
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/**
 * How far before a cut graphemes are looked for. Far longer than any grapheme a person writes (a
 * family emoji with skin tones is 15 code units); one longer (a letter under hundreds of
 * combining marks) is cut between code points.
 */
const GRAPHEME_REACH = 192;
/** Whether a boundary is one depends on the code point after it only; a little more is harmless. */
const GRAPHEME_LOOKAHEAD = 16;

/**
 * The last grapheme boundary in `(start, at]` (`at` is before the end of the text), found by
 * segmenting only `GRAPHEME_REACH` code units before `at`. The segmenter takes the start of that
 * stretch for a boundary, which it may not be; every rule but one mends itself within one
 * grapheme (an emoji ZWJ sequence seen from its middle breaks once too early), so the first
 * boundary after that start is not trusted. The one that does not mend, pairs of regional
 * indicators (flags), is counted apart. `containing()` finds the grapheme at a position without
 * walking the others (iterating costs microseconds a grapheme).
 */
function lastGraphemeBoundary(text: string, start: number, at: number): number | undefined {
	const from = Math.max(start, at - GRAPHEME_REACH);
	const segments = graphemes.segment(text.slice(from, Math.min(text.length, at + GRAPHEME_LOOKAHEAD)));
	const boundary = segments.containing(at - from)?.index ?? 0;
	if (boundary === 0) return undefined;
	// `start` is a real boundary (the previous cut); any other start of the stretch may not be.
	if (from > start && (segments.containing(boundary - 1)?.index ?? 0) === 0) return undefined;
	const paired = keepRegionalIndicatorsPaired(text, start, from + boundary);
	return paired > start ? paired : undefined;
}

/** Two regional indicators make one flag: within a run of them, only an even count from its start is a boundary. */
function keepRegionalIndicatorsPaired(text: string, start: number, boundary: number): number {
	if (!isRegionalIndicatorAt(text, boundary) || !isRegionalIndicatorAt(text, boundary - 2)) return boundary;
	let runStart = boundary;
	while (runStart - 2 >= start && isRegionalIndicatorAt(text, runStart - 2)) runStart -= 2;
	return (boundary - runStart) % 4 === 0 ? boundary : boundary - 2;
}

/** U+1F1E6 to U+1F1FF, as UTF-16: the high surrogate D83C and a low one from DDE6 to DDFF. */
function isRegionalIndicatorAt(text: string, index: number): boolean {
	const low = text.charCodeAt(index + 1);
	return text.charCodeAt(index) === 0xd83c && low >= 0xdde6 && low <= 0xddff;
}

/** `at`, or one before when `at` would split a surrogate pair. */
function codePointBoundary(text: string, at: number): number {
	const high = text.charCodeAt(at - 1);
	return high >= 0xd800 && high <= 0xdbff ? at - 1 : at;
}

/** The Slack token that a cut at `cut` would fall inside, if one starts in `[start, cut)`. */
function tokenAround(text: string, start: number, cut: number): Span | undefined {
	return angleTokenAround(text, start, cut) ?? emojiCodeAround(text, start, cut);
}

/** The first `<`, `>` or line break: what ends the search for a `<…>` token's closing `>`. */
const ANGLE_TOKEN_STOP = /[<>\n]/g;

/**
 * A `<…>` token open before the cut and closed after it. Slack has `<` written as `&lt;` in
 * text, so a bare `<` opens a token (a link, a mention, a date). The search for its `>` stops at
 * the next `<` or line break; the next part's search starts after that `<`, so over the whole
 * text each character is searched a bounded number of times.
 */
function angleTokenAround(text: string, start: number, cut: number): Span | undefined {
	const before = text.slice(start, cut);
	const open = before.lastIndexOf('<');
	if (open === -1 || before.indexOf('>', open) !== -1 || before.indexOf('\n', open) !== -1) return undefined;
	ANGLE_TOKEN_STOP.lastIndex = cut;
	const stop = ANGLE_TOKEN_STOP.exec(text);
	return stop?.[0] === '>' ? { start: start + open, end: stop.index + 1 } : undefined;
}

/** Longer than any emoji name; a longer `:name:` is not taken for an emoji code. */
const EMOJI_NAME_REACH = 100;

/**
 * An `:emoji:` code (with its skin tone, if it has one) that spans the cut. Read left to right
 * from where the run of name characters and colons around the cut begins, as Slack reads
 * `:a::b:` as two codes; that run is read only when a colon is near the cut.
 */
function emojiCodeAround(text: string, start: number, cut: number): Span | undefined {
	const reach = EMOJI_NAME_REACH + 2 + SKIN_TONE_LENGTH;
	if (!text.slice(Math.max(start, cut - reach), cut).includes(':')) return undefined;
	let runStart = cut;
	while (runStart > Math.max(start, cut - EMOJI_RUN_REACH) && EMOJI_CODE_CHARACTER.test(text[runStart - 1])) runStart--;
	let runEnd = cut;
	while (runEnd < Math.min(text.length, cut + reach) && EMOJI_CODE_CHARACTER.test(text[runEnd])) runEnd++;
	for (const match of text.slice(runStart, runEnd).matchAll(EMOJI_CODES)) {
		const code = { start: runStart + match.index, end: runStart + match.index + match[0].length };
		if (code.start >= cut) return undefined;
		if (code.end > cut) return code;
	}
	return undefined;
}

const EMOJI_CODES = new RegExp(`:${EMOJI_NAME_CHARACTER}{1,${EMOJI_NAME_REACH}}:(?:${EMOJI_SKIN_TONE})?`, 'gi');
const EMOJI_CODE_CHARACTER = new RegExp(`^(?:${EMOJI_NAME_CHARACTER}|:)$`, 'i');
const SKIN_TONE_LENGTH = ':skin-tone-2:'.length;
/**
 * How far back a run of name characters and colons is read to tell which colons open codes. A
 * longer run (`:a:b:c:…`) is read from this far back, which may pair its colons differently.
 */
const EMOJI_RUN_REACH = 512;

/**
 * A hard cut inside a run of backticks would break a ``` apart: cut before the run instead. A
 * run that starts the part, or is longer than `GRAPHEME_REACH`, is cut where it is.
 */
function keepFenceWhole(text: string, start: number, cut: number): number {
	if (text.charCodeAt(cut) !== BACKTICK) return cut;
	const reach = Math.max(start, cut - GRAPHEME_REACH);
	let runStart = cut;
	while (runStart > reach && text.charCodeAt(runStart - 1) === BACKTICK) runStart--;
	return runStart > reach ? runStart : cut;
}

const BACKTICK = 0x60;
const NOT_BACKTICK = /[^`]/g;

/**
 * Whether the text is inside a ``` code block after `[start, end)`, given whether it was before.
 * A run of backticks holds a fence for every three, counted from its start, as Slack reads it.
 */
function togglesFence(text: string, start: number, end: number, inFence: boolean): boolean {
	let fences = 0;
	const slice = text.slice(start, end);
	for (let index = slice.indexOf(FENCE); index !== -1; index = slice.indexOf(FENCE, index)) {
		NOT_BACKTICK.lastIndex = index;
		const runEnd = NOT_BACKTICK.exec(slice)?.index ?? slice.length;
		fences += Math.floor((runEnd - index) / FENCE.length);
		index = runEnd;
	}
	return fences % 2 === 1 ? !inFence : inFence;
}

function chunk<T>(values: T[], size: number): T[][] {
	const runs: T[][] = [];
	for (let index = 0; index < values.length; index += size) runs.push(values.slice(index, index + size));
	return runs.length > 0 ? runs : [[]];
}

function withoutUndefined(message: WebhookMessage): WebhookMessage {
	return Object.fromEntries(Object.entries(message).filter(([, value]) => value !== undefined)) as WebhookMessage;
}
