import { createHmac } from 'node:crypto';

/**
 * The example of Slack's "Outgoing webhooks" reference (legacy custom integrations), POST Data,
 * field for field, with the token each suite uses.
 */
export function seedOutgoingWebhookPost(token: string): Record<string, string> {
	return {
		token,
		team_id: 'T0001',
		team_domain: 'example',
		channel_id: 'C2147483705',
		channel_name: 'test',
		thread_ts: '1504640714.003543',
		timestamp: '1504640775.000005',
		user_id: 'U2147483697',
		user_name: 'Steve',
		text: 'googlebot: What is the air-speed velocity of an unladen swallow?',
		trigger_word: 'googlebot:',
	};
}

/**
 * The headers a Slack app signs its requests with: `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` under the signing secret.
 */
export function slackSignatureHeaders(body: string, signingSecret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
	return {
		'x-slack-request-timestamp': String(timestamp),
		'x-slack-signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
	};
}
