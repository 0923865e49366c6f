import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class SlackOutgoingWebhookApi implements ICredentialType {
	name = 'slackWebhooksOutgoingApi';

	displayName = 'Slack Outgoing Webhook API';

	icon = {
		light: 'file:../nodes/SlackOutgoingWebhookTrigger/slackOutgoingWebhook.svg',
		dark: 'file:../nodes/SlackOutgoingWebhookTrigger/slackOutgoingWebhook.dark.svg',
	} as const;

	documentationUrl = 'https://api.slack.com/legacy/custom-integrations/outgoing-webhooks';

	properties: INodeProperties[] = [
		{
			displayName:
				'Fill in the Token (legacy outgoing webhooks, slash commands, Mattermost), the Signing Secret (a Slack app), or both: a request must then pass every check that is set.',
			name: 'verificationNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The token Slack shows on the outgoing webhook or slash command configuration page (Mattermost: the outgoing webhook or slash command token). Optional for a Slack app verified by its Signing Secret.',
		},
		{
			displayName: 'More Tokens',
			name: 'additionalTokens',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Further accepted tokens, separated by commas or new lines: to rotate a token without downtime, or to serve several integrations from one workflow',
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"For a Slack app (slash commands): the Signing Secret from the app's Basic Information page. When set, every request must carry a valid X-Slack-Signature, whatever token it sends. A Token, a Signing Secret or both are required.",
		},
		{
			displayName: 'Allowed Team IDs',
			name: 'allowedTeamIds',
			type: 'string',
			default: '',
			placeholder: 'T0001, T0002',
			description: 'Workspaces allowed to call this trigger, separated by commas; empty allows any workspace whose token is valid',
		},
	];
}
