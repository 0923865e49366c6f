import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class SlackIncomingWebhookApi implements ICredentialType {
	name = 'slackWebhooksIncomingUrlApi';

	displayName = 'Slack Incoming Webhook API';

	icon = {
		light: 'file:../nodes/SlackIncomingWebhook/slackWebhook.svg',
		dark: 'file:../nodes/SlackIncomingWebhook/slackWebhook.dark.svg',
	} as const;

	documentationUrl = 'https://api.slack.com/messaging/webhooks';

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the URL's path is the secret
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://hooks.slack.com/services/…',
			description:
				'The incoming webhook URL from the Slack app settings (Incoming Webhooks), a Slack workflow trigger URL from Workflow Builder (https://hooks.slack.com/triggers/…, for Send → Start a Slack Workflow per Item), or a Slack-compatible one from Mattermost, Rocket.Chat or Discord (ending in /slack)',
			hint: 'The URL is a secret: anyone who has it can post to the channel or start the workflow.',
		},
	];
}
