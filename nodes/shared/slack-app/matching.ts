import { isIgnoredSender, messageTimeIso, stringField, type IgnoreRules, type MessageSource, type PostedFields } from './message';

/**
 * Slack's "Channel and/or Trigger" rule: with no channel, trigger words are required; with both,
 * a message must match both. Pure functions: no n8n here.
 */

export type MatchMode = 'startsWith' | 'firstWord' | 'anywhere';

export interface MatchSettings {
	/** Channel names (with or without #) or IDs; empty means any channel. */
	channels: readonly string[];
	triggerWords: readonly string[];
	mode: MatchMode;
	caseSensitive: boolean;
}

export interface TriggerMatch {
	/** The configured word that matched. */
	word: string;
	/** The text after the trigger word, trimmed. */
	rest: string;
}

/** Why a configuration cannot work, or undefined when it can. */
export function describeMatchSettingsProblem(settings: MatchSettings): string | undefined {
	if (settings.channels.length === 0 && settings.triggerWords.length === 0) {
		return 'Set at least one channel or one trigger word: as in Slack, a trigger that listens to every channel needs trigger words';
	}
	return undefined;
}

export function channelMatches(channels: readonly string[], channelId: string, channelName: string): boolean {
	if (channels.length === 0) return true;
	const name = channelName.replace(/^#/, '').toLowerCase();
	return channels.some((channel) => {
		const wanted = channel.trim();
		if (wanted === '') return false;
		if (wanted === channelId) return true;
		return wanted.replace(/^#/, '').toLowerCase() === name && name !== '';
	});
}

/**
 * `startsWith` is Slack's rule (the text begins with the word, `googlebot:` matches
 * `googlebot: what…`); `firstWord` is Mattermost's (the first word equals it); `anywhere` finds it
 * as a whole word anywhere in the text.
 */
export function matchTriggerWord(
	text: string,
	words: readonly string[],
	mode: MatchMode,
	caseSensitive: boolean,
): TriggerMatch | undefined {
	const fold = (value: string) => (caseSensitive ? value : value.toLowerCase());
	const trimmed = text.trimStart();
	const haystack = fold(trimmed);
	for (const word of words) {
		if (word === '') continue;
		const needle = fold(word);
		if (mode === 'startsWith' && haystack.startsWith(needle)) {
			return { word, rest: trimmed.slice(word.length).trim() };
		}
		if (mode === 'firstWord') {
			const firstWord = haystack.split(/\s+/, 1)[0];
			if (firstWord === needle) return { word, rest: trimmed.slice(word.length).trim() };
		}
		if (mode === 'anywhere') {
			const at = findWholeWord(haystack, needle);
			if (at !== -1) {
				return { word, rest: `${trimmed.slice(0, at)} ${trimmed.slice(at + word.length)}`.replace(/\s+/g, ' ').trim() };
			}
		}
	}
	return undefined;
}

function findWholeWord(haystack: string, needle: string): number {
	for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
		const before = at === 0 ? '' : haystack[at - 1];
		const after = haystack[at + needle.length] ?? '';
		if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return at;
	}
	return -1;
}

/**
 * Splits on white space, keeping quoted strings whole: `deploy "web app" 'v1 2'` ->
 * ['deploy', 'web app', 'v1 2']. Slack turns typed quotes into “curly” ones, so those count too.
 */
export function splitArgs(text: string): string[] {
	const args: string[] = [];
	const pattern = /"([^"]*)"|“([^”]*)”|'([^']*)'|‘([^’]*)’|(\S+)/g;
	for (const match of text.matchAll(pattern)) {
		const value = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5] ?? '';
		args.push(value);
	}
	return args;
}

export interface MessageMatch {
	/** The sender's trigger word, or the configured one that matched when the sender sent none. */
	triggerWord: string;
	textWithoutTrigger: string;
}

/**
 * Whether a posted message is one this trigger starts the workflow for: not from an ignored
 * sender, in a listened-to channel, with a trigger word. Needs no secret, so it can run before the
 * credential is read. Slash commands match trigger words against the command, as Slack does.
 */
export function matchMessage(
	fields: PostedFields,
	source: MessageSource,
	settings: MatchSettings,
	ignore: IgnoreRules,
): MessageMatch | undefined {
	if (describeMatchSettingsProblem(settings)) return undefined;
	if (isIgnoredSender(fields, ignore)) return undefined;
	if (!channelMatches(settings.channels, stringField(fields, 'channel_id'), stringField(fields, 'channel_name'))) return undefined;

	const text = stringField(fields, 'text');
	const isSlashCommand = source === 'slack_slash_command';
	let triggerWord = stringField(fields, 'trigger_word');
	let textWithoutTrigger = text.trim();
	if (settings.triggerWords.length > 0) {
		const match = isSlashCommand
			? matchTriggerWord(stringField(fields, 'command'), settings.triggerWords, 'firstWord', settings.caseSensitive)
			: matchTriggerWord(text, settings.triggerWords, settings.mode, settings.caseSensitive);
		if (!match) return undefined;
		if (triggerWord === '') triggerWord = match.word;
		if (!isSlashCommand) textWithoutTrigger = match.rest;
	}
	return { triggerWord, textWithoutTrigger };
}

/**
 * The item the workflow starts with for a posted message or a slash command: every posted field
 * but the token, what the match found, and when. Slash commands have no trigger word of their own.
 */
export function postedMessageItem(fields: PostedFields, source: MessageSource, match: MessageMatch, receivedAt: Date): Record<string, unknown> {
	return {
		...fields,
		...(source !== 'slack_slash_command' ? { trigger_word: match.triggerWord } : {}),
		text_without_trigger: match.textWithoutTrigger,
		args: splitArgs(match.textWithoutTrigger),
		source,
		message_time: messageTimeIso(fields.timestamp),
		received_at: receivedAt.toISOString(),
	};
}
