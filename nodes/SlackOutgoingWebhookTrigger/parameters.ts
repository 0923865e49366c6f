/**
 * The trigger's parameters read where n8n calls it: the channel and trigger-word rules, the check
 * that refuses to activate a trigger that could never start, and the reply sent at once.
 */
import { NodeOperationError, type IDataObject, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { splitList } from '../shared/text';
import { credentialIdOf, verifiedCredentials } from './credential-cache';
import { describeMatchSettingsProblem, type MatchMode, type MatchSettings } from './matching';
import { shapeReply, type SlackReply } from './reply';
import { describeVerificationProblem, verificationKeysFrom, verificationSettingsFrom } from './verify';

/** The Duplicate Window option's default: a message Slack sends again within 5 minutes starts nothing. */
export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 300;

/** The Duplicate Window option in seconds, its default when unset; 0 turns the duplicate filter off. */
export function duplicateWindowSeconds(options: IDataObject): number {
	return typeof options.duplicateWindow === 'number' ? options.duplicateWindow : DEFAULT_DUPLICATE_WINDOW_SECONDS;
}

export function readMatchSettings(context: IWebhookFunctions | IHookFunctions): MatchSettings {
	return {
		channels: splitList(context.getNodeParameter('channels', '')),
		triggerWords: splitList(context.getNodeParameter('triggerWords', '')),
		mode: context.getNodeParameter('matchMode', 'startsWith') as MatchMode,
		caseSensitive: context.getNodeParameter('caseSensitive', false) as boolean,
	};
}

export async function assertUsableSettings(context: IHookFunctions): Promise<void> {
	const problem = describeMatchSettingsProblem(readMatchSettings(context));
	if (problem && !listensToSlackApp(context)) {
		throw new NodeOperationError(context.getNode(), problem, {
			description:
				context.getNode().typeVersion >= 3
					? "Fill in Channels, Trigger Words or both for messages, or Action IDs for a Slack app's buttons and shortcuts, then activate the workflow again."
					: 'Fill in Channels, Trigger Words, or both, then activate the workflow again.',
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
	return context.getNode().typeVersion >= 3 && splitList(context.getNodeParameter('actionIds', '')).length > 0;
}

/**
 * Reply Text and its options are read when the request arrives. An expression that fails there
 * (n8n 1.x gives webhook-time expressions no $json) must not turn into a 500, which Slack would
 * answer by sending the message again: the reply is left out and the reason logged.
 */
export function immediateReply(context: IWebhookFunctions): SlackReply | undefined {
	let text: unknown;
	let options: IDataObject;
	try {
		text = context.getNodeParameter('replyText', '');
		options = context.getNodeParameter('replyOptions', {}) as IDataObject;
	} catch (error) {
		context.logger.warn(`Slack Outgoing Webhook Trigger: the reply could not be built, so none is sent: ${(error as Error).message}`);
		return undefined;
	}
	return shapeReply({
		text,
		username: options.username,
		icon_emoji: options.iconEmoji,
		icon_url: options.iconUrl,
		attachments: parseAttachments(context, options.attachments),
		response_type: options.responseType,
	});
}

function parseAttachments(context: IWebhookFunctions, value: unknown): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value);
	} catch {
		// An unreadable attachments field must not cost the user the reply text.
		context.logger.warn('Slack Outgoing Webhook Trigger: Reply Options > Attachments is not valid JSON; replying without attachments');
		return undefined;
	}
}
