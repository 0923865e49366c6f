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

/**
 * The `table` block. Source: Slack's Block Kit reference, "Table block"
 * (https://docs.slack.dev/reference/block-kit/blocks/table-block): `rows` at most 100, each row
 * at most 20 cells of type `raw_text` (plain text, shown as it is: no mrkdwn) or `rich_text`;
 * `column_settings` at most 20 entries of `{ align: left | center | right, is_wrapped }`, `null`
 * for a column left at its default (left, not wrapped). Usage info: a table goes in a message's
 * `attachments` (as a block of an attachment), and the message still needs top-level `text` or
 * `blocks`; so Slack shows the table below the message's text, where attachments go.
 *
 * Not on that page as stored here, taken from reports of Slack's answers (see each):
 * - one table per message: the page's usage notes as quoted in vercel/chat#194 ("Only one per
 *   message"); more are refused (netclaw-dev/netclaw#55: `invalid_attachments`).
 * - about 10,000 characters across all cells of one table: measured by vellum-ai/vellum-assistant#36219
 *   (over it Slack refuses the block); Slack's data table block documents the same 10,000.
 * - no per-cell length limit: slackapi/node-slack-sdk#2440 removed one from Slack's own types
 *   after cells of 3,000+ characters were accepted. A cell is cut by the package instead, so that a
 *   header and a row always fit one table (see the action's message/table.ts).
 * - a `raw_text` cell's text is at least 1 character (the data table block's `raw_text` schema,
 *   https://docs.slack.dev/reference/block-kit/blocks/data-table-block: `minLength: 1`); an empty
 *   cell is sent as one space.
 */
export const SLACK_TABLE = {
	maxRows: 100,
	maxCellsPerRow: 20,
	maxColumnSettings: 20,
	maxTablesPerMessage: 1,
	maxCharactersPerTable: 10_000,
	minCellTextLength: 1,
	alignments: ['left', 'center', 'right'],
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
	// A workflow trigger's refusals (SLACK_WORKFLOW_TRIGGER above). `parameter_validation_failed`
	// is the one Slack's webhook trigger guide names (a nested object; a value Slack cannot use as
	// the variable's type). `invalid_auth` is what @slack/webhook's WebhookTrigger tests play for a
	// trigger URL Slack does not know. Any other refusal of a trigger is explained by its status
	// (WORKFLOW_TRIGGER_REFUSED in SlackIncomingWebhook/workflow-trigger/errors.ts).
	parameter_validation_failed: {
		message: "Slack refused the workflow's variables",
		action: "Check that each variable the Slack workflow expects is sent, with its name exactly as in Workflow Builder (From a webhook → Set up variables), as plain text: a user, channel or email variable takes a Slack user ID, channel ID or email address.",
		retryCanHelp: false,
	},
	invalid_auth: {
		message: 'Slack does not know this workflow trigger URL',
		action: 'Copy the webhook URL again from Workflow Builder (the workflow\'s first step, From a webhook) into the credential; a deleted or re-created trigger has a new URL.',
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

/**
 * Slack Workflow Builder's webhook triggers: a workflow that starts "From a webhook" is given a URL
 * on Slack's hooks host, and every POST to it starts the workflow once with the body's values as
 * its variables. Sources:
 * - Slack's "Webhook triggers" guide (https://api.slack.com/automation/triggers/webhook; its source is
 *   github.com/slackapi/deno-slack-sdk docs/content/triggers/webhook-triggers.mdx), "Invoke the
 *   trigger": the example URL `https://hooks.slack.com/triggers/T123ABC456/.../...`; "All JSON objects
 *   sent in the POST request need to be flat. Nested JSON objects will return a
 *   `parameter_validation_failed` error"; a handled request answers `{"ok":true}`.
 * - Slack's @slack/webhook `WebhookTrigger` (github.com/slackapi/node-slack-sdk,
 *   packages/webhook/src/WebhookTrigger.ts and its README, "Trigger a Workflow Builder workflow"):
 *   the payload is "flattened, stringified JSON" (`{ [key: string]: string }`); the answer is
 *   `{ ok: boolean, error?: string }`, and its tests play `{"ok":false,"error":…}` both with a 4xx
 *   (401 `invalid_auth`) and with a 200, so an `ok: false` is a refusal whatever the status.
 * - Slack's help centre, "Build a workflow: Create a workflow that starts outside of Slack"
 *   (https://slack.com/help/articles/360041352714, the page WebhookTrigger names as its reference;
 *   no stored copy of it was found): Workflow Builder, start "From a webhook", set up variables,
 *   copy the URL. Workflows made with the earlier Workflow Builder have URLs under
 *   `/workflows/T…/A…/…/…` (no stored Slack page shows that shape; it is accepted so such
 *   URLs are recognised and hidden as secrets).
 * - The rate: Slack's rate limit page (https://api.slack.com/apis/rate-limits, HTTP-based APIs:
 *   "Slack will start returning a HTTP 429 Too Many Requests error … and a Retry-After header").
 *   None of the pages above states a figure for webhook triggers: 10 requests a minute per
 *   trigger is an assumption, kept low on purpose. The gate starts there and never goes faster on
 *   its own; a 429 with its Retry-After slows it further, so a stricter limit is learned.
 */
export const SLACK_WORKFLOW_TRIGGER = {
	/** First path segment of a 2023-and-later trigger URL, then the workspace's T… ID and two more segments. */
	triggerPathPrefix: 'triggers',
	/** First path segment of a legacy Workflow Builder URL: T…, A…, then two more segments. */
	legacyPathPrefix: 'workflows',
	requestsPerMinute: 10,
	/** The answer's field that says whether the workflow was started, and the one that names the error. */
	okField: 'ok',
	errorField: 'error',
} as const;

const TRIGGER_PATH = /^\/triggers\/T[A-Z0-9]+\/[^/]+\/[^/]+\/?$/;
const LEGACY_WORKFLOW_PATH = /^\/workflows\/T[A-Z0-9]+\/A[A-Z0-9]+\/[^/]+\/[^/]+\/?$/;

/**
 * Whether a URL's path has the shape of a workflow trigger. The host is not checked, as for
 * incoming webhooks: a proxy or a stand-in may serve the same paths.
 */
export function isWorkflowTriggerPath(pathname: string): boolean {
	return TRIGGER_PATH.test(pathname) || LEGACY_WORKFLOW_PATH.test(pathname);
}

/** The spacing between two starts of one workflow trigger at the rate above, in milliseconds. */
export const WORKFLOW_TRIGGER_INTERVAL_MS = 60_000 / SLACK_WORKFLOW_TRIGGER.requestsPerMinute;

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
 * acknowledged with its `envelope_id` within 3 seconds; an unacknowledged Events API envelope is
 * sent again with `retry_attempt` and `retry_reason`, a slash command or interaction never (its
 * user sees an error; docs/socket-mode.md, "What Slack sends again", has the sources); events spread over up to 10 connections of an app; `debug_reconnects=true` on
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
