/**
 * The POST Data of Slack's legacy outgoing webhook reference (seed 000, "POST Data"), field for
 * field, with the token each suite uses.
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
