/**
 * Where the action posts when a credential says so: the URL credential holds the webhook URL
 * itself; the OAuth2 ("Add to Slack") credential holds Slack's access response, whose
 * `incoming_webhook` names the URL and the channel the user picked.
 */
import { SLACK_OAUTH } from '../../shared/slack';
import type { Destination } from '../../shared/sending/destination';
import { AUTHENTICATION } from '../description';

export type Authentication = keyof typeof AUTHENTICATION;

/** A credential that cannot give a webhook URL: the message says what is wrong, the hint what to do. */
export class CredentialSetupError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'CredentialSetupError';
	}
}

/** The choice a stored Authentication value stands for, if any. */
export function authenticationFromValue(value: unknown): Authentication | undefined {
	return (Object.keys(AUTHENTICATION) as Authentication[]).find((key) => AUTHENTICATION[key].value === value);
}

export function destinationFromUrlCredential(credential: { webhookUrl?: unknown }): Destination {
	return { source: 'url', url: typeof credential.webhookUrl === 'string' ? credential.webhookUrl : '' };
}

const RECONNECT = 'Open the credential, click Connect (or Reconnect) and pick the channel to post to in Slack.';

/** Reads the webhook from the token response n8n stored; never quotes the URL or the token. */
export function destinationFromOAuthTokenData(oauthTokenData: unknown): Destination {
	// Before Connect, n8n hands over {}: it gives OAuth2 credentials an oauthTokenData property
	// whose default is an empty object.
	const webhook = isObject(oauthTokenData) ? oauthTokenData.incoming_webhook : undefined;
	if (!isObject(oauthTokenData) || (webhook === undefined && typeof oauthTokenData.access_token !== 'string')) {
		throw new CredentialSetupError('The Slack Incoming Webhook OAuth2 credential is not connected to Slack yet', RECONNECT);
	}
	if (!isObject(webhook)) {
		const granted = typeof oauthTokenData.scope === 'string' && oauthTokenData.scope !== '' ? `"${oauthTokenData.scope}"` : 'no scope';
		throw new CredentialSetupError(
			`The Slack connection has no incoming webhook: Slack granted ${granted}, not "${SLACK_OAUTH.incomingWebhookScope}"`,
			`Slack returns a webhook URL only when the app is installed with the ${SLACK_OAUTH.incomingWebhookScope} scope. Turn on Incoming Webhooks in the Slack app's settings (api.slack.com/apps). ${RECONNECT}`,
		);
	}
	if (typeof webhook.url !== 'string' || !/^https?:\/\//i.test(webhook.url)) {
		throw new CredentialSetupError("The Slack connection's incoming webhook has no http(s) URL", RECONNECT);
	}
	return {
		source: 'oauth',
		url: webhook.url,
		channel: {
			name: typeof webhook.channel === 'string' ? webhook.channel : null,
			id: typeof webhook.channel_id === 'string' ? webhook.channel_id : null,
		},
	};
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
