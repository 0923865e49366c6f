/**
 * The body Slack's incoming webhooks and response URLs read, and the error a message that cannot
 * be sent as it is gets, naming the parameter a user fills in. Building a body from the action's
 * parameters is the action's own (SlackIncomingWebhook/message/build.ts).
 */

/** The JSON body Slack's incoming webhook reads. */
export interface WebhookMessage {
	text?: string;
	blocks?: object[];
	attachments?: object[];
	mrkdwn?: boolean;
	link_names?: boolean;
	unfurl_links?: boolean;
	unfurl_media?: boolean;
	thread_ts?: string;
	reply_broadcast?: boolean;
	channel?: string;
	username?: string;
	icon_emoji?: string;
	icon_url?: string;
}

/** A message that cannot be sent as it is; `field` is the parameter's display name. */
export class MessageValidationError extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'MessageValidationError';
	}
}

export const FIELD_NAMES = {
	text: 'Text',
	blocks: 'Blocks',
	attachments: 'Attachments',
	threadTs: 'Thread Timestamp',
	channel: 'Channel',
	username: 'Username',
	iconEmoji: 'Icon Emoji',
	iconUrl: 'Icon URL',
} as const;
