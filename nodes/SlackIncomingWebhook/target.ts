/**
 * Where the node posts: the URL credential holds the webhook URL itself; the OAuth2 ("Add to
 * Slack") credential holds Slack's access response, whose `incoming_webhook` names the URL and
 * the channel the user picked.
 */
import { SLACK_OAUTH } from '../shared/slack';

export const AUTHENTICATION = {
	webhookUrl: { value: 'webhookUrl', credentialType: 'slackIncomingWebhookApi' },
	oAuth2: { value: 'oAuth2', credentialType: 'slackIncomingWebhookOAuth2Api' },
} as const;

export type Authentication = keyof typeof AUTHENTICATION;

/**
 * A pasted URL, or one Slack handed over through Add to Slack: then the channel it is bound to is
 * known, and the fix for a dead webhook is to connect again.
 */
export type WebhookTarget =
	| { source: 'url'; url: string }
	| { source: 'oauth'; url: string; channel: { name: string | null; id: string | null } };

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

export function isAuthentication(value: unknown): value is Authentication {
	return typeof value === 'string' && Object.hasOwn(AUTHENTICATION, value);
}

export function webhookTargetFromUrlCredential(credential: { webhookUrl?: unknown }): WebhookTarget {
	return { source: 'url', url: typeof credential.webhookUrl === 'string' ? credential.webhookUrl : '' };
}

const RECONNECT = 'Open the credential, click Connect (or Reconnect) and pick the channel to post to in Slack.';

/** Added to Slack's errors that a new webhook fixes, when the webhook came from Add to Slack. */
export const RECONNECT_FOR_NEW_WEBHOOK =
	'With Add to Slack, open the credential and click Connect (or Reconnect) again: Slack creates a new webhook for the channel you pick.';

/** Reads the webhook from the token response n8n stored; never quotes the URL or the token. */
export function webhookTargetFromOAuthTokenData(oauthTokenData: unknown): WebhookTarget {
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
