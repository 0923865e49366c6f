import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { SLACK_SOCKET_MODE } from '../nodes/shared/slack';

/**
 * A Slack app's app-level token (`xapp-…`, scope connections:write), with which the Socket Mode
 * trigger opens its WebSocket to Slack. The Test button asks Slack for a connection URL
 * (apps.connections.open) and says what is wrong with the token when Slack refuses it.
 */
export class SlackSocketModeApi implements ICredentialType {
	name = 'slackWebhooksSocketModeApi';

	displayName = 'Slack Socket Mode API';

	icon = {
		light: 'file:../nodes/SlackSocketModeTrigger/slackSocketMode.svg',
		dark: 'file:../nodes/SlackSocketModeTrigger/slackSocketMode.dark.svg',
	} as const;

	documentationUrl = 'https://api.slack.com/apis/socket-mode';

	properties: INodeProperties[] = [
		{
			displayName:
				"In the Slack app's settings (api.slack.com/apps): Basic Information > App-Level Tokens > Generate Token and Scopes, with the connections:write scope, and paste the token here. Turn on Settings > Socket Mode too.",
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'App-Level Token',
			name: 'appToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'xapp-1-…',
			description: "The Slack app's app-level token with the connections:write scope; it starts with xapp-. A bot token (xoxb-) cannot open Socket Mode connections.",
		},
		{
			displayName: 'Allowed Team IDs',
			name: 'allowedTeamIds',
			type: 'string',
			default: '',
			placeholder: 'T0001, T0002',
			description: 'Workspaces whose events, commands and clicks may start the workflow, separated by commas; empty allows every workspace the app is installed in',
		},
		{
			// Slack's Web API, where apps.connections.open is. Not shown: the tests point it at a
			// stand-in on 127.0.0.1, and the node accepts only Slack's own API or one on this machine.
			displayName: 'Slack API URL',
			name: 'slackApiUrl',
			type: 'hidden',
			default: SLACK_SOCKET_MODE.apiBaseUrls[0],
		},
	];
}
