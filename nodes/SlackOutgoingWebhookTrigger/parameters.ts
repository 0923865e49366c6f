/**
 * The trigger's parameters read where n8n calls it: the channel and trigger-word rules, the check
 * that refuses to activate a trigger that could never start, and the reply sent at once.
 */
import { NodeOperationError, type IDataObject, type IHookFunctions, type ITriggerFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { SLACK_EVENTS_API } from '../shared/slack';
import { splitList } from '../shared/text';
import { credentialIdOf, verifiedCredentials } from './credential-cache';
import { describeMatchSettingsProblem, type MatchMode, type MatchSettings } from './matching';
import type { EventKinds } from './events';
import type { IgnoreRules } from './message';
import { shapeReply, type SlackReply } from './reply';
import { describeVerificationProblem, verificationKeysFrom, verificationSettingsFrom } from './verify';

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

export async function assertUsableSettings(context: IHookFunctions): Promise<void> {
	const problem = describeMatchSettingsProblem(readMatchSettings(context));
	if (problem && !listensToSlackApp(context)) {
		throw new NodeOperationError(context.getNode(), problem, {
			description: context.getNode().typeVersion >= 3 ? FILL_IN_SLACK_APP_FILTERS : 'Fill in Channels, Trigger Words, or both, then activate the workflow again.',
		});
	}
	const settings = verificationSettingsFrom(await context.getCredentials('slackWebhooksOutgoingApi'));
	// Activation reads the credential as it is now: requests use that from here on, so an edited
	// token takes effect at once when the workflow is activated again.
	verifiedCredentials.remember(credentialIdOf(context), verificationKeysFrom(settings));
	const credentialProblem = describeVerificationProblem(settings);
	if (credentialProblem) {
		throw new NodeOperationError(context.getNode(), credentialProblem, {
			description: "Copy the token from the integration's settings page, or a Slack app's Signing Secret from Basic Information, into the Slack Outgoing Webhook API credential, then activate the workflow again.",
		});
	}
}

/** Version 3 also starts for buttons and shortcuts, which need no channel or trigger word. */
function listensToSlackApp(context: IHookFunctions): boolean {
	return context.getNode().typeVersion >= 3 && readActionIds(context).length > 0;
}

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
