import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { SLACK_OAUTH } from '../nodes/shared/slack';

/**
 * "Add to Slack": n8n runs Slack's OAuth flow, the user picks a channel in Slack, and Slack's
 * access response carries an incoming webhook URL for that channel. n8n keeps the whole response,
 * encrypted, in the credential's oauthTokenData; the node posts to its `incoming_webhook.url`.
 */
export class SlackIncomingWebhookOAuth2Api implements ICredentialType {
	name = 'slackWebhooksIncomingOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Slack Incoming Webhook OAuth2 API';

	icon = {
		light: 'file:../nodes/SlackIncomingWebhook/slackWebhook.svg',
		dark: 'file:../nodes/SlackIncomingWebhook/slackWebhook.dark.svg',
	} as const;

	documentationUrl = 'https://api.slack.com/messaging/webhooks#incoming_webhooks_programmatic';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: SLACK_OAUTH.authorizeUrl },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: SLACK_OAUTH.accessUrl },
		// Only the webhook: the token Slack grants with it can do nothing else, so a leak of it costs little.
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: SLACK_OAUTH.incomingWebhookScope },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		// Slack's oauth.v2.access takes the client ID and secret in the form body.
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName:
				'Create a Slack app with Incoming Webhooks turned on, add the OAuth Redirect URL above to its Redirect URLs, and copy its Client ID and Client Secret here. Then click Connect and pick the channel to post to. Each connection gives one webhook for one channel.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
	];
}
