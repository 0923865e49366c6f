/**
 * Slack facts this package relies on, each stated once. Sources: Slack's incoming webhook guide
 * ("Handling errors"), the legacy incoming webhook notes (runtime customizations) and the legacy
 * outgoing webhook reference (POST data, responding).
 */

/** Limits Slack enforces on one message. */
export const SLACK_LIMITS = {
	/** Slack truncates longer text; the API rejects far longer payloads. */
	maxTextLength: 40_000,
	maxBlocks: 50,
	/** `too_many_attachments` beyond this. */
	maxAttachments: 100,
} as const;

/**
 * A slash command's `response_url`: where an answer goes after the 3-second reply. Sources:
 * Slack's "Legacy custom integrations" overview, Slash commands: "send up to 5 additional
 * response messages"; Slack's slash command guide, "Delayed responses and multiple responses": "respond
 * to a user's command up to 5 times within 30 minutes of the user's invocation". Its body is an
 * incoming webhook's message plus `response_type` (`in_channel`, or `ephemeral`, Slack's default),
 * `replace_original` and `delete_original` (Slack's "Modifying messages" guide, "Updating
 * messages using response_url").
 */
export const SLACK_RESPONSE_URL = {
	maxUses: 5,
	lifetimeMinutes: 30,
	/** How long Slack waits for the trigger's own HTTP reply (slash command guide: "within 3000ms"). */
	replyTimeoutSeconds: 3,
	/**
	 * Slack's host for response URLs, and the first path segment of each kind: `commands` for slash
	 * commands (the guide's example `https://hooks.slack.com/commands/1234/5678`), `actions` for
	 * interactive messages, `app` for shortcuts and modals (Slack's payload examples, such as
	 * `https://hooks.slack.com/app/T111/123/xyz`). Only https on the default port.
	 */
	hosts: ['hooks.slack.com'],
	pathPrefixes: ['commands', 'actions', 'app'],
	responseTypes: ['in_channel', 'ephemeral'],
} as const;

/** Slack documents about one message per second per webhook, with short bursts. */
export const SLACK_DOCUMENTED_RATE_PER_SECOND = 1;

export interface SlackWebhookErrorInfo {
	/** What happened, in a sentence a workflow builder understands. */
	message: string;
	/** What to do about it. */
	action: string;
	/** Whether sending the same message again later can succeed without changing anything. */
	retryCanHelp: boolean;
	/** Whether the way out is another webhook (with Add to Slack: connecting the credential again). */
	newWebhookHelps?: boolean;
}

/** Every error string Slack documents for incoming webhooks. */
export const SLACK_WEBHOOK_ERRORS: Readonly<Record<string, SlackWebhookErrorInfo>> = {
	action_prohibited: {
		message: 'A Slack admin has restricted posting through this webhook',
		action: 'Ask a workspace admin to lift the restriction; do not retry until then.',
		retryCanHelp: false,
	},
	channel_is_archived: {
		message: 'The channel this webhook posts to is archived',
		action: 'Unarchive the channel, or create a webhook for another channel and update the credential.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	invalid_payload: {
		message: 'Slack could not read the message (malformed JSON or an invalid field)',
		action: 'Check the blocks and attachments JSON against Block Kit and the text for unescaped characters.',
		retryCanHelp: false,
	},
	invalid_token: {
		message: 'The token in the webhook URL is expired, invalid or missing',
		action: 'Copy the webhook URL again from the Slack app settings into the credential.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	no_active_hooks: {
		message: 'This incoming webhook is disabled',
		action: 'Turn on Incoming Webhooks in the Slack app settings, or create a new webhook.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	no_service: {
		message: 'This incoming webhook is disabled, removed or invalid',
		action: 'Create a new webhook in the Slack app settings and put its URL in the credential.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	no_service_id: {
		message: 'The service ID in the webhook URL is invalid or missing',
		action: 'Check that the credential holds the whole webhook URL as Slack shows it.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	no_team: {
		message: 'The Slack workspace in the webhook URL is missing or invalid',
		action: 'Check that the credential holds the whole webhook URL as Slack shows it.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	no_text: {
		message: 'Slack received a message without text',
		action: 'Set Text, or add blocks or attachments that carry text.',
		retryCanHelp: false,
	},
	posting_to_general_channel_denied: {
		message: 'Posting to #general is restricted in this workspace and the webhook creator may not post there',
		action: 'Use a webhook for another channel, or ask an admin to allow the webhook creator to post in #general.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	team_disabled: {
		message: 'The Slack workspace is no longer active',
		action: 'Use a webhook from an active workspace.',
		retryCanHelp: false,
		newWebhookHelps: true,
	},
	too_many_attachments: {
		message: `The message has more than ${SLACK_LIMITS.maxAttachments} attachments`,
		action: `Send at most ${SLACK_LIMITS.maxAttachments} attachments per message.`,
		retryCanHelp: false,
	},
	user_not_found: {
		message: 'The user the message is addressed to does not exist or is invalid',
		action: 'Check the Channel override; the user must exist before the message can be sent.',
		retryCanHelp: false,
	},
	channel_not_found: {
		message: 'The channel the message is addressed to does not exist or is invalid',
		action: 'Check the Channel override (a channel ID such as C0123456789, or #name for legacy webhooks).',
		retryCanHelp: false,
	},
	// A response URL once it is spent (see SLACK_RESPONSE_URL for the 5 uses / 30 minutes rule).
	// The Slack pages quoted there state the rule but not the answer's wording;
	// these are the strings Slack's response URLs are known to answer (`expired_url`, `used_url`).
	// Because the wording is not documented, any other 404 or 410 from a response URL is
	// explained the same way (RESPONSE_URL_GONE in sending/destination.ts).
	expired_url: {
		message: `This response URL has expired: Slack accepts answers for ${SLACK_RESPONSE_URL.lifetimeMinutes} minutes after the command`,
		action: `Answer within ${SLACK_RESPONSE_URL.lifetimeMinutes} minutes of the command; for later messages use an incoming webhook.`,
		retryCanHelp: false,
	},
	used_url: {
		message: `This response URL is used up: Slack accepts at most ${SLACK_RESPONSE_URL.maxUses} answers per command`,
		action: `Send at most ${SLACK_RESPONSE_URL.maxUses} messages per command (put several lines into one message); for more use an incoming webhook.`,
		retryCanHelp: false,
	},
};

/** Slack's own reply on success. */
export const SLACK_WEBHOOK_OK = 'ok';

/**
 * Fields an outgoing webhook, a slash command or Mattermost posts. `token` is verified and never
 * passed on. Slack does not send message attachments in the post.
 */
export const OUTGOING_WEBHOOK_FIELDS = {
	slackOutgoingWebhook: [
		'team_id',
		'team_domain',
		'service_id',
		'channel_id',
		'channel_name',
		'thread_ts',
		'timestamp',
		'user_id',
		'user_name',
		'text',
		'trigger_word',
	],
	slashCommand: [
		'team_id',
		'team_domain',
		'enterprise_id',
		'enterprise_name',
		'channel_id',
		'channel_name',
		'user_id',
		'user_name',
		'command',
		'text',
		'response_url',
		'trigger_id',
		'api_app_id',
		'is_enterprise_install',
	],
	mattermost: [
		'team_id',
		'team_domain',
		'channel_id',
		'channel_name',
		'timestamp',
		'user_id',
		'user_name',
		'post_id',
		'text',
		'trigger_word',
		'file_ids',
	],
} as const;

/** Fields a reply to an outgoing webhook or slash command may carry; nothing else is sent back. */
export const REPLY_FIELDS = [
	'text',
	'username',
	'icon_emoji',
	'icon_url',
	'attachments',
	'blocks',
	'response_type',
	'thread_ts',
] as const;

/** `response_type` values: slash commands (in_channel, ephemeral) and Mattermost (comment). */
export const RESPONSE_TYPES = ['in_channel', 'ephemeral', 'comment'] as const;

/** Slack's message timestamp: seconds, a dot, six digits of microseconds (as a string). */
export const SLACK_TS_PATTERN = /^\d{9,11}\.\d{6}$/;

/** A character of an emoji's name (`:name:`), as a regular expression. */
export const EMOJI_NAME_CHARACTER = "[a-z0-9_+'-]";
/** The skin tone that may follow an emoji code, as in `:wave::skin-tone-3:`. */
export const EMOJI_SKIN_TONE = ':skin-tone-[2-6]:';
/** `:name:` emoji codes, including skin tones such as `:wave::skin-tone-3:`. */
export const EMOJI_CODE_PATTERN = new RegExp(`^:${EMOJI_NAME_CHARACTER}+:(${EMOJI_SKIN_TONE})?$`, 'i');

/** User names Slack uses for its own bot; messages from bots are ignored to avoid reply loops. */
export const SLACKBOT = { userName: 'slackbot', userId: 'USLACKBOT' } as const;

/**
 * "Add to Slack": Slack's OAuth v2 endpoints, and the scope that makes its access response carry
 * an `incoming_webhook` (url, channel, channel_id, configuration_url) for the channel the user
 * picked. Source: Slack's incoming webhook guide, "Generating incoming webhook URLs
 * programmatically".
 */
export const SLACK_OAUTH = {
	authorizeUrl: 'https://slack.com/oauth/v2/authorize',
	accessUrl: 'https://slack.com/api/oauth.v2.access',
	incomingWebhookScope: 'incoming-webhook',
} as const;

/**
 * A Slack app's HTTP requests: the Events API and interactivity. Sources: Slack's Events API guide
 * ("Responding to the url_verification event", "Retries": a request not answered with a 2xx within
 * 3 seconds is sent again, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, up to 3 times,
 * over about 6 minutes), the `message` event's subtypes, the `app_mention` event, and the
 * interaction payload reference (`block_actions`, `message_action`, `shortcut`: a form post whose
 * `payload` field is JSON). Every request is signed with the app's signing secret (`v0`).
 */
export const SLACK_EVENTS_API = {
	/** The Request URL check: `{ token, challenge, type: 'url_verification' }`, answered with the challenge. */
	urlVerificationType: 'url_verification',
	/** The envelope of every event: `{ type: 'event_callback', team_id, api_app_id, event, event_id, event_time }`. */
	eventCallbackType: 'event_callback',
	messageEventType: 'message',
	appMentionEventType: 'app_mention',
	/** `event.channel_type` of a message, by the subscription that delivers it. */
	messageChannelTypes: { channel: 'message.channels', group: 'message.groups', im: 'message.im', mpim: 'message.mpim' },
	/**
	 * Message subtypes that are still a person writing. Every other subtype (message_changed,
	 * message_deleted, channel_join, bot_message, …) is not, and starts nothing.
	 */
	personSubtypes: ['thread_broadcast', 'file_share', 'me_message'],
	/** Written by a bot; started only when Ignore Bot Messages is off. */
	botSubtype: 'bot_message',
	retryNumHeader: 'x-slack-retry-num',
	retryReasonHeader: 'x-slack-retry-reason',
	/** Slack sends an event again when it gets no 2xx within this time. */
	ackTimeoutSeconds: 3,
	/** Slack's last retry comes about 5 minutes after the one before (after 1 minute, then 5). */
	retryScheduleSeconds: [0, 60, 300],
} as const;

export const SLACK_INTERACTIVITY = {
	/** The form field that holds the interaction payload's JSON. */
	payloadField: 'payload',
	/** Buttons, menus and other Block Kit elements. */
	blockActionsType: 'block_actions',
	/** A message shortcut (from a message's "More actions" menu). */
	messageShortcutType: 'message_action',
	/** A global shortcut (from the composer or the search bar): no channel, no response URL. */
	globalShortcutType: 'shortcut',
} as const;

/**
 * Socket Mode: the app opens a WebSocket to Slack and receives its Events API payloads, slash
 * commands and interactivity through it, with no Request URL. Sources: Slack's "Using Socket Mode"
 * guide (apps.connections.open gives a single-use `wss://` URL; `hello` on connect; `disconnect`
 * with `warning` shortly before Slack closes a connection, `refresh_requested` when it asks for a
 * new one, `link_disabled` when Socket Mode was turned off in the app's settings; every envelope
 * acknowledged with its `envelope_id` within 3 seconds, or sent again with `retry_attempt` and
 * `retry_reason`; events spread over up to 10 connections of an app; `debug_reconnects=true` on
 * the URL makes Slack rotate connections every few seconds), the `apps.connections.open` method
 * reference (an app-level token, `xapp-…`, with the `connections:write` scope; Tier 1 rate limit,
 * about one call a minute with a small burst),
 * and the Web API's error strings ("Web API basics", Errors). Apps that use Socket Mode cannot be
 * listed in the Slack Marketplace.
 */
export const SLACK_SOCKET_MODE = {
	/** Slack's Web API; GovSlack's is the other one Slack runs. */
	apiBaseUrls: ['https://slack.com/api/', 'https://slack-gov.com/api/'],
	openMethod: 'apps.connections.open',
	appTokenPrefix: 'xapp-',
	/** Bot and user tokens, which apps.connections.open refuses (`not_allowed_token_type`). */
	otherTokenPrefixes: ['xoxb-', 'xoxp-', 'xoxe-', 'xoxa-'],
	requiredScope: 'connections:write',
	helloType: 'hello',
	disconnectType: 'disconnect',
	/** `too_many_websockets`: more than maxConnectionsPerApp (observed in Slack's client issues: slackapi/bolt-js#2225). */
	disconnectReasons: { warning: 'warning', refreshRequested: 'refresh_requested', linkDisabled: 'link_disabled', tooManyWebsockets: 'too_many_websockets' },
	envelopeTypes: { events: 'events_api', slashCommands: 'slash_commands', interactive: 'interactive' },
	ackTimeoutSeconds: 3,
	maxConnectionsPerApp: 10,
	debugReconnectsParameter: 'debug_reconnects',
	rateLimitedError: 'ratelimited',
} as const;

/**
 * apps.connections.open's answers that no retry can fix: the token is wrong, revoked, of the wrong
 * kind or without the scope. Each says what to do, in the words of Slack's app settings.
 */
export const SLACK_APP_TOKEN_ERRORS: Readonly<Record<string, { message: string; action: string }>> = {
	invalid_auth: {
		message: 'Slack does not accept this app-level token',
		action: "Copy the token again from the Slack app's Basic Information page, App-Level Tokens (it starts with xapp-).",
	},
	not_authed: {
		message: 'No app-level token was sent',
		action: "Paste the app-level token from the Slack app's Basic Information page into the credential.",
	},
	token_revoked: {
		message: 'This app-level token was revoked',
		action: "Generate a new one on the Slack app's Basic Information page, App-Level Tokens, with the connections:write scope.",
	},
	token_expired: {
		message: 'This app-level token has expired',
		action: "Generate a new one on the Slack app's Basic Information page, App-Level Tokens, with the connections:write scope.",
	},
	account_inactive: {
		message: 'The app or the workspace of this token is no longer active',
		action: 'Use a token of an app that is still installed in an active workspace.',
	},
	not_allowed_token_type: {
		message: 'This is not an app-level token (a bot or user token cannot open Socket Mode connections)',
		action: "Create an app-level token on the Slack app's Basic Information page, App-Level Tokens, with the connections:write scope: it starts with xapp-.",
	},
	missing_scope: {
		message: 'This app-level token lacks the connections:write scope',
		action: "Create an app-level token with the connections:write scope on the Slack app's Basic Information page.",
	},
	no_permission: {
		message: 'This token may not open Socket Mode connections',
		action: "Create an app-level token with the connections:write scope on the Slack app's Basic Information page.",
	},
	forbidden_team: {
		message: 'This workspace cannot use Socket Mode',
		action: 'Ask a Slack admin whether Socket Mode is allowed for the workspace.',
	},
};
