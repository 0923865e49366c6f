import { FIELD_NAMES, MessageValidationError, type WebhookMessage } from '../../shared/sending/webhook-message';
import { EMOJI_CODE_PATTERN, SLACK_LIMITS, SLACK_TS_PATTERN } from '../../shared/slack';

/** What a user can put into one message, as read from the node's parameters. */
export interface MessageInput {
	text?: string;
	/** Block Kit JSON: a bare array or `{ "blocks": [...] }`, as text or already parsed. */
	blocks?: unknown;
	/** Attachments JSON: a bare array or `{ "attachments": [...] }`, as text or already parsed. */
	attachments?: unknown;
	mrkdwn?: boolean;
	linkNames?: boolean;
	unfurlLinks?: boolean;
	unfurlMedia?: boolean;
	threadTs?: unknown;
	replyBroadcast?: boolean;
	channel?: string;
	username?: string;
	iconEmoji?: string;
	iconUrl?: string;
}

/**
 * Builds the webhook body from one item's input, or says which field is wrong and why. With
 * `allowOverLimit`, text and blocks beyond Slack's limits pass: the caller splits the message.
 */
export function buildWebhookMessage(input: MessageInput, { allowOverLimit = false } = {}): WebhookMessage {
	const message: WebhookMessage = {};

	const text = input.text ?? '';
	if (!allowOverLimit && text.length > SLACK_LIMITS.maxTextLength) {
		throw new MessageValidationError(
			FIELD_NAMES.text,
			`Text is ${text.length} characters long; Slack accepts at most ${SLACK_LIMITS.maxTextLength}`,
			'Set Options → Long Messages to Split to send it as several messages, or move the long part into a file.',
		);
	}
	if (text.trim() !== '') message.text = text;

	const blocks = parseJsonArray(input.blocks, 'blocks', FIELD_NAMES.blocks);
	if (blocks !== undefined) {
		if (!allowOverLimit && blocks.length > SLACK_LIMITS.maxBlocks) {
			throw new MessageValidationError(
				FIELD_NAMES.blocks,
				`The message has ${blocks.length} blocks; Slack accepts at most ${SLACK_LIMITS.maxBlocks}`,
				'Set Options → Long Messages to Split to send them as several messages.',
			);
		}
		if (blocks.length > 0) message.blocks = blocks;
	}

	const attachments = parseJsonArray(input.attachments, 'attachments', FIELD_NAMES.attachments);
	if (attachments !== undefined) {
		if (attachments.length > SLACK_LIMITS.maxAttachments) {
			throw new MessageValidationError(
				FIELD_NAMES.attachments,
				`The message has ${attachments.length} attachments; Slack accepts at most ${SLACK_LIMITS.maxAttachments}`,
				'Send the attachments in several messages.',
			);
		}
		if (attachments.length > 0) message.attachments = attachments;
	}

	if (message.text === undefined && message.blocks === undefined && message.attachments === undefined) {
		throw new MessageValidationError(
			FIELD_NAMES.text,
			'Nothing to send: Text is empty and there are no blocks or attachments',
			'Set Text, or add Blocks or Attachments.',
		);
	}

	if (input.mrkdwn !== undefined) message.mrkdwn = input.mrkdwn;
	if (input.linkNames !== undefined) message.link_names = input.linkNames;
	if (input.unfurlLinks !== undefined) message.unfurl_links = input.unfurlLinks;
	if (input.unfurlMedia !== undefined) message.unfurl_media = input.unfurlMedia;

	const threadTs = normalizeThreadTs(input.threadTs);
	if (threadTs !== undefined) {
		message.thread_ts = threadTs;
		if (input.replyBroadcast !== undefined) message.reply_broadcast = input.replyBroadcast;
	}

	const channel = input.channel?.trim();
	if (channel) message.channel = channel;
	const username = input.username?.trim();
	if (username) message.username = username;

	const iconEmoji = input.iconEmoji?.trim();
	if (iconEmoji) {
		if (!EMOJI_CODE_PATTERN.test(iconEmoji)) {
			throw new MessageValidationError(
				FIELD_NAMES.iconEmoji,
				`Icon Emoji "${truncate(iconEmoji)}" is not an emoji code of the form :name:`,
				'Write it with colons, for example :robot_face:.',
			);
		}
		message.icon_emoji = iconEmoji;
	}

	const iconUrl = input.iconUrl?.trim();
	if (iconUrl) {
		if (!isHttpUrl(iconUrl)) {
			throw new MessageValidationError(
				FIELD_NAMES.iconUrl,
				`Icon URL "${truncate(iconUrl)}" is not an http(s) URL`,
				'Use the full address of a public image, for example https://example.com/bot.png.',
			);
		}
		message.icon_url = iconUrl;
	}

	return message;
}

/**
 * Slack timestamps look like numbers but are identifiers: `1504640714.003540` and
 * `1504640714.00354` are different strings to Slack. A value that went through a JS number loses
 * its trailing zeros, so up to six decimals are padded back; anything else must match exactly.
 */
export function normalizeThreadTs(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
	if (raw === undefined) {
		throw new MessageValidationError(FIELD_NAMES.threadTs, 'Thread Timestamp must be text, such as 1504640714.003543');
	}
	if (raw === '') return undefined;
	const padded = /^\d{9,11}\.\d{1,5}$/.test(raw) ? raw.replace(/\.(\d+)$/, (_m, d: string) => `.${d.padEnd(6, '0')}`) : raw;
	if (!SLACK_TS_PATTERN.test(padded)) {
		throw new MessageValidationError(
			FIELD_NAMES.threadTs,
			`Thread Timestamp "${truncate(raw)}" is not a Slack message timestamp`,
			"Use the parent message's ts, for example 1504640714.003543 (seconds, a dot, six digits).",
		);
	}
	return padded;
}

/** Accepts a bare array, `{ "<key>": [...] }`, or their JSON text; empty means "none". */
export function parseJsonArray(value: unknown, key: string, field: string): object[] | undefined {
	if (value === undefined || value === null) return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return undefined;
		const result = parseJson(value);
		if (!result.ok) {
			throw new MessageValidationError(
				field,
				`${field} is not valid JSON: ${result.reason}`,
				`Paste a JSON array, or an object with a "${key}" array, for example from Slack's Block Kit Builder.`,
			);
		}
		parsed = result.value;
	}
	if (isPlainObject(parsed) && key in parsed) parsed = parsed[key];
	if (!Array.isArray(parsed)) {
		throw new MessageValidationError(
			field,
			`${field} must be a JSON array or an object with a "${key}" array`,
			`Wrap the ${key} in [ ... ].`,
		);
	}
	const notObject = parsed.findIndex((entry) => !isPlainObject(entry));
	if (notObject !== -1) {
		throw new MessageValidationError(field, `${field}: entry ${notObject} is not a JSON object`);
	}
	return parsed as object[];
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, reason: (error as Error).message };
	}
}

export function isHttpUrl(value: string): boolean {
	try {
		const { protocol, host } = new URL(value);
		return (protocol === 'https:' || protocol === 'http:') && host !== '';
	} catch {
		return false;
	}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(value: string, max = 60): string {
	return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** One attachment as entered in the node's Attachments fields (camelCase parameter names). */
export interface AttachmentFieldsInput {
	color?: string;
	pretext?: string;
	authorName?: string;
	authorLink?: string;
	authorIcon?: string;
	title?: string;
	titleLink?: string;
	text?: string;
	fields?: { field?: Array<{ title?: string; value?: string; short?: boolean }> };
	imageUrl?: string;
	thumbUrl?: string;
	footer?: string;
	footerIcon?: string;
	ts?: string | number;
}

const ATTACHMENT_KEYS: ReadonlyArray<[keyof AttachmentFieldsInput, string]> = [
	['color', 'color'],
	['pretext', 'pretext'],
	['authorName', 'author_name'],
	['authorLink', 'author_link'],
	['authorIcon', 'author_icon'],
	['title', 'title'],
	['titleLink', 'title_link'],
	['text', 'text'],
	['imageUrl', 'image_url'],
	['thumbUrl', 'thumb_url'],
	['footer', 'footer'],
	['footerIcon', 'footer_icon'],
];

/** Turns the Attachments fields into Slack's attachment objects, leaving out what is empty. */
export function attachmentsFromFields(entries: AttachmentFieldsInput[]): object[] {
	return entries.map((entry, index) => {
		const attachment: Record<string, unknown> = {};
		for (const [from, to] of ATTACHMENT_KEYS) {
			const value = entry[from];
			if (typeof value === 'string' && value.trim() !== '') attachment[to] = value;
		}
		const fields = (entry.fields?.field ?? [])
			.filter((field) => (field.title ?? '') !== '' || (field.value ?? '') !== '')
			.map((field) => ({ title: field.title ?? '', value: field.value ?? '', short: field.short ?? false }));
		if (fields.length > 0) attachment.fields = fields;
		if (entry.ts !== undefined && entry.ts !== '') {
			const ts = Number(entry.ts);
			if (!Number.isInteger(ts) || ts < 0) {
				throw new MessageValidationError(
					FIELD_NAMES.attachments,
					`Attachment ${index + 1}: Timestamp "${truncate(String(entry.ts))}" is not a Unix time in seconds`,
				);
			}
			attachment.ts = ts;
		}
		return attachment;
	});
}
