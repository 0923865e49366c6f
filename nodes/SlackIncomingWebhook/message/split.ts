import { SLACK_LIMITS } from '../../shared/slack';
import { FIELD_NAMES, MessageValidationError, type WebhookMessage } from './build';

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
}

const FENCE = '```';
/** Closing a code block at the end of a part costs at most this many characters ("\n```"). */
const FENCE_CLOSE_RESERVE = FENCE.length + 1;
const FENCE_REOPEN = `${FENCE}\n`;
/** Room for a reopened and a closed fence and still some text in every part. */
const MIN_SPLIT_LENGTH = 16;

/** Splits a message whose text or blocks exceed Slack's limits; a message that fits stays whole. */
export function splitMessage(message: WebhookMessage, limits: SplitLimits = SLACK_LIMITS): WebhookMessage[] {
	const { text, blocks, attachments, ...placement } = message;
	const textFits = text === undefined || text.length <= limits.maxTextLength;
	if (textFits && (blocks === undefined || blocks.length <= limits.maxBlocks)) return [message];
	if (blocks !== undefined) {
		if (!textFits) {
			throw new MessageValidationError(
				FIELD_NAMES.text,
				`Text is ${text.length} characters long; with blocks it is the notification text, which is not split, and Slack accepts at most ${limits.maxTextLength}`,
				'Shorten Text to a summary of the blocks, or send the long text without blocks.',
			);
		}
		const runs = chunk(blocks, limits.maxBlocks);
		return runs.map((run, index) =>
			withoutUndefined({ ...placement, text, blocks: run, attachments: index === runs.length - 1 ? attachments : undefined }),
		);
	}
	const texts = splitText(text ?? '', limits.maxTextLength);
	return texts.map((part, index) =>
		withoutUndefined({ ...placement, text: part, attachments: index === texts.length - 1 ? attachments : undefined }),
	);
}

/** The texts to send for `text`; parts with nothing visible in them are left out (Slack would refuse them). */
export function splitText(text: string, maxLength: number): string[] {
	return planTextParts(text, maxLength)
		.filter((part) => text.slice(part.start, part.end).trim() !== '')
		.map((part) => part.text);
}

/**
 * Cuts `text` into consecutive slices that cover it exactly, each sent within `maxLength`.
 * Where a cut falls inside a ``` code block, the part closes it and the next part opens it again,
 * so both render as code.
 *
 * A cut goes, by preference: after the last line break that fits; else after the last space or
 * tab that fits (a line longer than the limit); else, for a single word longer than the limit,
 * after the last whole grapheme (a letter with its accents, an emoji with its modifiers) that
 * fits, or the last whole code point when one grapheme alone is longer than the limit. Cutting
 * inside a word is the last resort; cutting inside a UTF-16 surrogate pair never happens.
 */
export function planTextParts(text: string, maxLength: number): TextPart[] {
	if (maxLength < MIN_SPLIT_LENGTH) throw new RangeError(`maxLength must be at least ${MIN_SPLIT_LENGTH}`);
	const parts: TextPart[] = [];
	let start = 0;
	let inFence = false;
	while (start < text.length) {
		const prefix = inFence ? FENCE_REOPEN : '';
		const rest = text.length - start;
		// The last part needs no closing fence of its own: the text closes its code block itself (or not).
		if (prefix.length + rest <= maxLength) {
			parts.push({ start, end: text.length, text: prefix + text.slice(start) });
			break;
		}
		let end = findCut(text, start, maxLength - prefix.length);
		let endsInFence = togglesFence(text.slice(start, end), inFence);
		if (endsInFence) {
			end = findCut(text, start, maxLength - prefix.length - FENCE_CLOSE_RESERVE);
			endsInFence = togglesFence(text.slice(start, end), inFence);
		}
		const slice = text.slice(start, end);
		const suffix = endsInFence ? (slice.endsWith('\n') ? FENCE : `\n${FENCE}`) : '';
		parts.push({ start, end, text: prefix + slice + suffix });
		start = end;
		inFence = endsInFence;
	}
	return parts;
}

/** Where the part that starts at `start` and may hold `budget` characters of the text ends. */
function findCut(text: string, start: number, budget: number): number {
	const limit = start + budget;
	const window = text.slice(start, limit);
	const lineBreak = window.lastIndexOf('\n');
	if (lineBreak !== -1) return start + lineBreak + 1;
	const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
	if (space !== -1) return start + space + 1;
	return keepFenceWhole(text, start, lastGraphemeBoundary(text, start, limit));
}

/** The last grapheme boundary in `(start, limit]`; the last code point boundary when there is none. */
function lastGraphemeBoundary(text: string, start: number, limit: number): number {
	let boundary = start;
	// The segment that crosses `limit` decides where it ends, so look one grapheme past the window.
	for (const { index } of graphemes.segment(text.slice(start, Math.min(text.length, limit + GRAPHEME_LOOKAHEAD)))) {
		if (start + index > limit) break;
		boundary = start + index;
	}
	if (boundary > start) return boundary;
	const high = text.charCodeAt(limit - 1);
	return high >= 0xd800 && high <= 0xdbff ? limit - 1 : limit;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Longer than any grapheme a person writes (a family emoji with skin tones is 11 code units). */
const GRAPHEME_LOOKAHEAD = 64;

/** A hard cut inside a run of backticks would break a ``` apart: cut before the run instead. */
function keepFenceWhole(text: string, start: number, cut: number): number {
	let runStart = cut;
	while (runStart > start && text[runStart - 1] === '`') runStart--;
	return text[cut] === '`' && runStart > start ? runStart : cut;
}

/** Whether the text is inside a ``` code block after `slice`, given whether it was before. */
function togglesFence(slice: string, inFence: boolean): boolean {
	return slice.split(FENCE).length % 2 === 0 ? !inFence : inFence;
}

function chunk<T>(values: T[], size: number): T[][] {
	const runs: T[][] = [];
	for (let index = 0; index < values.length; index += size) runs.push(values.slice(index, index + size));
	return runs.length > 0 ? runs : [[]];
}

function withoutUndefined(message: WebhookMessage): WebhookMessage {
	return Object.fromEntries(Object.entries(message).filter(([, value]) => value !== undefined)) as WebhookMessage;
}
