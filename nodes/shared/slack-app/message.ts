import { SLACKBOT } from '../slack';

/**
 * The posted message, as sent by a Slack outgoing webhook, a slash command, or Mattermost
 * (form or JSON), normalised to one shape. Pure functions: no n8n here.
 */

export type MessageSource = 'slack_outgoing_webhook' | 'slack_slash_command' | 'mattermost';

/** Every posted field but the token, each as a string (file_ids as a list). */
export type PostedFields = Record<string, string | string[]>;

/** Form bodies may repeat a key; the first value counts, as in most form parsers. */
export function readPostedFields(body: unknown): PostedFields {
	const fields: PostedFields = {};
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return fields;
	for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
		if (key === 'token') continue;
		if (key === 'file_ids') {
			fields.file_ids = toList(raw);
			continue;
		}
		const value = Array.isArray(raw) ? raw[0] : raw;
		if (typeof value === 'string') fields[key] = value;
		else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
	}
	return fields;
}

/** The token as posted: a single string, or something that cannot match. */
export function readPostedToken(body: unknown): unknown {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
	const token = (body as Record<string, unknown>).token;
	// A repeated token is ambiguous: refuse rather than pick one.
	return Array.isArray(token) ? undefined : token;
}

export function detectSource(fields: PostedFields, isJson: boolean): MessageSource {
	if (typeof fields.command === 'string' && fields.command !== '') return 'slack_slash_command';
	if (isJson || 'post_id' in fields) return 'mattermost';
	return 'slack_outgoing_webhook';
}

/**
 * Slack sends `1504640775.000005` (seconds); Mattermost's JSON sends milliseconds. Anything
 * above 10^11 cannot be seconds (that is the year 5138), so it is taken as milliseconds.
 */
export function messageTimeIso(timestamp: string | string[] | undefined): string | null {
	if (typeof timestamp !== 'string' || !/^\d+(\.\d+)?$/.test(timestamp)) return null;
	const value = Number(timestamp);
	const ms = value > 1e11 ? value : value * 1000;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface IgnoreRules {
	ignoreBots: boolean;
	/** User names (with or without @) and user IDs. */
	ignoredUsers: readonly string[];
}

/** Replies from bots (this workflow's own among them) would otherwise trigger it again, in a loop. */
export function isIgnoredSender(fields: PostedFields, rules: IgnoreRules): boolean {
	const userName = stringField(fields, 'user_name').toLowerCase();
	const userId = stringField(fields, 'user_id');
	if (rules.ignoreBots) {
		if (userName === SLACKBOT.userName || userId === SLACKBOT.userId) return true;
		if (stringField(fields, 'bot_id') !== '') return true;
	}
	return rules.ignoredUsers.some((entry) => {
		const user = entry.replace(/^@/, '');
		return user.toLowerCase() === userName || user === userId;
	});
}

/** What makes an incoming message unique, for spotting Slack's retries of the same message. */
export function incomingMessageKey(fields: PostedFields): string | undefined {
	const parts = (...names: string[]) => names.map((name) => stringField(fields, name)).join('|');
	if (stringField(fields, 'trigger_id')) return `slash|${parts('team_id', 'trigger_id')}`;
	if (stringField(fields, 'post_id')) return `post|${parts('team_id', 'post_id')}`;
	if (stringField(fields, 'timestamp')) return `message|${parts('team_id', 'channel_id', 'timestamp', 'user_id')}`;
	return undefined;
}

export function stringField(fields: PostedFields, name: string): string {
	const value = fields[name];
	return typeof value === 'string' ? value : '';
}

function toList(raw: unknown): string[] {
	if (Array.isArray(raw)) return raw.filter((entry): entry is string => typeof entry === 'string' && entry !== '');
	if (typeof raw === 'string') return raw.split(',').map((entry) => entry.trim()).filter(Boolean);
	return [];
}

