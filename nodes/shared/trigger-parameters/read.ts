/**
 * The parameters both triggers show, read where n8n calls them: the channel and trigger-word
 * rules, the Slack app filters, the ignore rules and duplicate window, and the reply sent at once.
 */
import type { IDataObject, IHookFunctions, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { SLACK_EVENTS_API } from '../slack';
import { splitList } from '../text';
import type { MatchMode, MatchSettings } from '../slack-app/matching';
import type { EventKinds } from '../slack-app/events';
import type { IgnoreRules } from '../slack-app/message';
import { shapeReply, type SlackReply } from '../slack-app/reply';

/** The Duplicate Window option's default: a message Slack sends again within 5 minutes starts nothing. */
export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 300;

/** The Duplicate Window option in seconds, its default when unset; 0 turns the duplicate filter off. */
export function duplicateWindowSeconds(options: IDataObject): number {
	return typeof options.duplicateWindow === 'number' ? options.duplicateWindow : DEFAULT_DUPLICATE_WINDOW_SECONDS;
}

/**
 * Slack retries an event it got no 2xx for, with the same `event_id`, over about 6 minutes: an
 * event is remembered at least that long, whatever the Duplicate Window, unless the filter is off.
 */
export function eventDuplicateWindowSeconds(options: IDataObject): number {
	const configured = duplicateWindowSeconds(options);
	return configured <= 0 ? 0 : Math.max(configured, SLACK_EVENTS_RETRY_SPAN_SECONDS);
}

/** The last retry plus margin: Slack retries immediately, after 1 minute and after 5 minutes. */
const SLACK_EVENTS_RETRY_SPAN_SECONDS = SLACK_EVENTS_API.retryScheduleSeconds.reduce<number>((sum, seconds) => sum + seconds, 0) + 240;

/** Ignore Bot Messages (on unless turned off) and Ignore Users, from the Options collection. */
export function ignoreRulesFrom(options: IDataObject): IgnoreRules {
	return { ignoreBots: options.ignoreBots !== false, ignoredUsers: splitList(options.ignoreUsers) };
}

/** The contexts n8n calls the triggers of this package in: each reads the same parameters. */
export type ParameterContext = IWebhookFunctions | IHookFunctions | ITriggerFunctions;

/** Events to Accept (type version 3): which of a Slack app's events start the workflow. */
export function readEventKinds(context: ParameterContext): EventKinds {
	return context.getNodeParameter('eventKinds', 'both') as EventKinds;
}

/** Action and Callback IDs (type version 3): the clicks and shortcuts that start the workflow. */
export function readActionIds(context: ParameterContext): string[] {
	return splitList(context.getNodeParameter('actionIds', ''));
}

export function readMatchSettings(context: ParameterContext): MatchSettings {
	return {
		channels: splitList(context.getNodeParameter('channels', '')),
		triggerWords: splitList(context.getNodeParameter('triggerWords', '')),
		mode: context.getNodeParameter('matchMode', 'startsWith') as MatchMode,
		caseSensitive: context.getNodeParameter('caseSensitive', false) as boolean,
	};
}

/** What to do about a trigger that listens to a Slack app and could never start. */
export const FILL_IN_SLACK_APP_FILTERS =
	"Fill in Channels, Trigger Words or both for messages, or Action IDs for a Slack app's buttons and shortcuts, then activate the workflow again.";

/**
 * Reply Text and its options are read when the request arrives. An expression that fails there
 * (n8n 1.x gives webhook-time expressions no $json) must not turn into a 500, which Slack would
 * answer by sending the message again: the reply is left out and the reason logged.
 */
export function immediateReply(context: IWebhookFunctions | ITriggerFunctions, nodeLabel = 'Slack Outgoing Webhook Trigger'): SlackReply | undefined {
	let text: unknown;
	let options: IDataObject;
	try {
		text = context.getNodeParameter('replyText', '');
		options = context.getNodeParameter('replyOptions', {}) as IDataObject;
	} catch (error) {
		context.logger.warn(`${nodeLabel}: the reply could not be built, so none is sent: ${(error as Error).message}`);
		return undefined;
	}
	return shapeReply({
		text,
		username: options.username,
		icon_emoji: options.iconEmoji,
		icon_url: options.iconUrl,
		attachments: parseAttachments(context, options.attachments, nodeLabel),
		response_type: options.responseType,
	});
}

function parseAttachments(context: IWebhookFunctions | ITriggerFunctions, value: unknown, nodeLabel: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value);
	} catch {
		// An unreadable attachments field must not cost the user the reply text.
		context.logger.warn(`${nodeLabel}: Reply Options > Attachments is not valid JSON; replying without attachments`);
		return undefined;
	}
}
