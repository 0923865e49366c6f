import { SLACK_EVENTS_API } from '../slack';
import { channelMatches, describeMatchSettingsProblem, matchTriggerWord, splitArgs, type MatchSettings } from './matching';
import { isIgnoredSender, messageTimeIso, type IgnoreRules } from './message';

/**
 * A Slack app's Events API requests: the Request URL check and the messages and mentions it is
 * subscribed to, decided with the same filters as an outgoing webhook's message. Pure functions:
 * no n8n here.
 */

/** Which events start the workflow, as chosen in the node. */
export type EventKinds = 'messages' | 'mentions' | 'both';

export type EventsApiRequest =
	| { kind: 'urlVerification'; challenge: string }
	| { kind: 'event'; envelope: EventEnvelope; event: SlackEvent }
	/** An Events API body this trigger has no use for (another envelope type, or no event object). */
	| { kind: 'other' };

export interface EventEnvelope {
	team_id?: unknown;
	api_app_id?: unknown;
	event_id?: unknown;
	event_time?: unknown;
	[field: string]: unknown;
}

export type SlackEvent = Record<string, unknown>;

/** An Events API body, told apart from a Mattermost JSON post by its `type`; undefined when it is not one. */
export function readEventsApiRequest(body: unknown): EventsApiRequest | undefined {
	if (!isObject(body)) return undefined;
	if (body.type === SLACK_EVENTS_API.urlVerificationType) {
		return { kind: 'urlVerification', challenge: typeof body.challenge === 'string' ? body.challenge : '' };
	}
	if (body.type !== SLACK_EVENTS_API.eventCallbackType) return undefined;
	if (!isObject(body.event)) return { kind: 'other' };
	const { token: _token, event, ...envelope } = body;
	return { kind: 'event', envelope, event };
}

export interface EventMatch {
	triggerWord: string;
	textWithoutTrigger: string;
	/** The app's own mention that opened an `app_mention` text, set aside before matching. */
	mention: string;
}

/**
 * Whether an event starts the workflow: an accepted kind, a person writing (or a bot, when bots
 * are not ignored), in a listened-to channel (events carry IDs only), with a trigger word: the
 * outgoing webhook's "Channel and/or Trigger" rule, for mentions of the app as well.
 */
export function matchEvent(event: SlackEvent, kinds: EventKinds, settings: MatchSettings, ignore: IgnoreRules): EventMatch | undefined {
	const type = event.type;
	const isMention = type === SLACK_EVENTS_API.appMentionEventType;
	if (isMention ? kinds === 'messages' : type !== SLACK_EVENTS_API.messageEventType || kinds === 'mentions') return undefined;
	if (!isPersonOrAllowedBot(event, ignore)) return undefined;
	if (describeMatchSettingsProblem(settings)) return undefined;
	if (!channelMatches(settings.channels, stringOf(event.channel), '')) return undefined;

	const { mention, text } = isMention ? splitLeadingMention(stringOf(event.text)) : { mention: '', text: stringOf(event.text) };
	if (settings.triggerWords.length === 0) return { triggerWord: '', textWithoutTrigger: text.trim(), mention };
	const match = matchTriggerWord(text, settings.triggerWords, settings.mode, settings.caseSensitive);
	return match ? { triggerWord: match.word, textWithoutTrigger: match.rest, mention } : undefined;
}

function isPersonOrAllowedBot(event: SlackEvent, ignore: IgnoreRules): boolean {
	const subtype = stringOf(event.subtype);
	const isBot = subtype === SLACK_EVENTS_API.botSubtype || stringOf(event.bot_id) !== '';
	if (subtype !== '' && subtype !== SLACK_EVENTS_API.botSubtype && !(SLACK_EVENTS_API.personSubtypes as readonly string[]).includes(subtype)) {
		return false;
	}
	// The outgoing webhook's sender rules, on the event's fields: bots by their bot_id, users by ID.
	return !isIgnoredSender({ user_id: stringOf(event.user), bot_id: isBot ? stringOf(event.bot_id) || subtype : '' }, ignore);
}

/** `<@U0LAN0Z89> deploy now` -> the mention and `deploy now`; `<@U0LAN0Z89|bot>` too. */
export function splitLeadingMention(text: string): { mention: string; text: string } {
	const found = /^\s*(<@[A-Z0-9]+(?:\|[^>]{0,80})?>)[\s:,]*/.exec(text);
	return found ? { mention: found[1], text: text.slice(found[0].length) } : { mention: '', text };
}

/** The duplicate filter's key: Slack's own ID of the event, the same on every retry. */
export function incomingEventKey(envelope: EventEnvelope): string | undefined {
	const eventId = stringOf(envelope.event_id);
	return eventId === '' ? undefined : `event|${stringOf(envelope.team_id)}|${eventId}`;
}

export interface EventRetry {
	/** Slack's `X-Slack-Retry-Num`: 1 for the first retry; 0 when this is the first delivery. */
	num: number;
	reason: string | null;
}

/** The item the workflow starts with: what a builder needs at the top, the event itself below. */
export function eventItem(envelope: EventEnvelope, event: SlackEvent, match: EventMatch, retry: EventRetry, receivedAt: Date): Record<string, unknown> {
	const eventTime = typeof envelope.event_time === 'number' ? messageTimeIso(String(envelope.event_time)) : null;
	return {
		source: 'slack_events_api',
		event_type: stringOf(event.type),
		team_id: stringOf(envelope.team_id),
		api_app_id: stringOf(envelope.api_app_id),
		event_id: stringOf(envelope.event_id),
		event_time: eventTime,
		channel: stringOf(event.channel),
		channel_type: stringOf(event.channel_type) || null,
		user: stringOf(event.user) || null,
		text: stringOf(event.text),
		ts: stringOf(event.ts),
		thread_ts: stringOf(event.thread_ts) || null,
		trigger_word: match.triggerWord,
		text_without_trigger: match.textWithoutTrigger,
		args: splitArgs(match.textWithoutTrigger),
		mention: match.mention || null,
		retry_num: retry.num,
		retry_reason: retry.reason,
		received_at: receivedAt.toISOString(),
		event,
	};
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOf(value: unknown): string {
	return typeof value === 'string' ? value : '';
}
