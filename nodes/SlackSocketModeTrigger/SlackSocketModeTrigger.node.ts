import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { SocketModeStopped } from '../shared/socket-mode/connection';
import { apiBaseUrlFrom } from '../shared/socket-mode/open-connection';
import { listenToApp } from '../shared/socket-mode/sessions';
import { splitList } from '../shared/text';
import { parseAllowedOrigins } from '../shared/sending/destination';
import { MessageValidationError } from '../shared/sending/webhook-message';
import { describeMatchSettingsProblem } from '../shared/slack-app/matching';
import {
	duplicateWindowSeconds,
	eventDuplicateWindowSeconds,
	FILL_IN_SLACK_APP_FILTERS,
	ignoreRulesFrom,
	readActionIds,
	readEventKinds,
	readMatchSettings,
} from '../shared/trigger-parameters/read';
import { testSocketModeCredential } from './credential-test';
import { socketModeTriggerProperties } from './description';
import { TriggerListener, type ListenerSettings, type RespondMode } from './listener';

export class SlackSocketModeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack Socket Mode Trigger',
		name: 'slackSocketModeTrigger',
		icon: { light: 'file:slackSocketMode.svg', dark: 'file:slackSocketMode.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["triggerWords"] || $parameter["channels"] || $parameter["actionIds"] }}',
		description: "Starts the workflow when a Slack app's event, slash command or button click arrives over Socket Mode: n8n needs no public URL",
		defaults: { name: 'Slack Socket Mode Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slackWebhooksSocketModeApi', required: true, testedBy: 'slackSocketModeTest' }],
		eventTriggerDescription: 'Waiting for Slack to send an event, a slash command or a click',
		activationMessage: 'Slack now sends this app\'s events, slash commands and clicks to this workflow over Socket Mode.',
		properties: socketModeTriggerProperties,
	};

	methods = {
		credentialTest: {
			async slackSocketModeTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await testSocketModeCredential(credential.data ?? {});
			},
		},
	};

	/**
	 * Joins the app's Socket Mode session in this n8n process (one per app token, shared with every
	 * other trigger on it) and leaves it when n8n closes the trigger. A token Slack refuses, or
	 * Socket Mode turned off, fails the activation with what to fix; Slack out of reach does not:
	 * the session keeps trying, and says so in n8n's log.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const credential = await this.getCredentials('slackWebhooksSocketModeApi');
		const settings = readListenerSettings(this, credential);
		let apiBaseUrl: URL;
		try {
			apiBaseUrl = apiBaseUrlFrom(credential.slackApiUrl);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		const listener = new TriggerListener(this, settings);
		try {
			const subscription = await listenToApp(typeof credential.appToken === 'string' ? credential.appToken : '', apiBaseUrl, listener);
			if (subscription.outcome.kind === 'retrying') {
				this.logger.warn(`Slack Socket Mode Trigger is active, but Slack cannot be reached yet (${subscription.outcome.reason}); it keeps trying`);
			}
			return { closeFunction: async () => await subscription.close() };
		} catch (error) {
			if (error instanceof SocketModeStopped) throw new NodeOperationError(this.getNode(), error.message, { description: error.description });
			throw new NodeOperationError(this.getNode(), error as Error);
		}
	}
}

function readListenerSettings(context: ITriggerFunctions, credential: IDataObject): ListenerSettings {
	const match = readMatchSettings(context);
	const actionIds = readActionIds(context);
	const problem = describeMatchSettingsProblem(match);
	if (problem && actionIds.length === 0) throw new NodeOperationError(context.getNode(), problem, { description: FILL_IN_SLACK_APP_FILTERS });
	const options = context.getNodeParameter('options', {}) as IDataObject;
	let allowedResponseOrigins: string[];
	try {
		allowedResponseOrigins = parseAllowedOrigins(options.allowedResponseUrlHosts);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, { description: error instanceof MessageValidationError ? error.hint : undefined });
	}
	return {
		filters: { match, eventKinds: readEventKinds(context), actionIds, ignore: ignoreRulesFrom(options) },
		allowedTeamIds: splitList(credential.allowedTeamIds),
		respond: context.getNodeParameter('respond', 'immediately') as RespondMode,
		duplicateWindowMs: duplicateWindowSeconds(options) * 1000,
		eventDuplicateWindowMs: eventDuplicateWindowSeconds(options) * 1000,
		allowedResponseOrigins,
	};
}
