import type { INodeProperties } from 'n8n-workflow';

import { allowedResponseUrlHostsProperty } from '../shared/sending/properties';
import { SLACK_LIMITS, SLACK_RESPONSE_URL, SLACK_TABLE, SLACK_WORKFLOW_TRIGGER } from '../shared/slack';

/**
 * The Authentication choices, by the value a workflow stores. The response URL's is `none`: n8n's
 * editor shows an `authentication` parameter in the panel only when one of its values is `none`
 * (its getMainAuthField); otherwise it folds the choice into the credential picker, where a choice
 * without a credential could be neither picked nor left.
 */
export const AUTHENTICATION = {
	webhookUrl: { value: 'webhookUrl', credentialType: 'slackWebhooksIncomingUrlApi' },
	oAuth2: { value: 'oAuth2', credentialType: 'slackWebhooksIncomingOAuth2Api' },
	responseUrl: { value: 'none', credentialType: undefined },
} as const;

const APP_WEBHOOK_HINT =
	'Only legacy incoming webhooks and Mattermost honour this; webhooks created by a Slack app ignore it and post as the app, to the channel chosen when the webhook was created.';

const attachmentFields: INodeProperties[] = [
	{ displayName: 'Color', name: 'color', type: 'color', default: '', description: 'Bar color on the left, such as #36a64f, good, warning or danger' },
	{ displayName: 'Pretext', name: 'pretext', type: 'string', default: '', description: 'Text shown above the attachment' },
	{ displayName: 'Author Name', name: 'authorName', type: 'string', default: '' },
	{ displayName: 'Author Link', name: 'authorLink', type: 'string', default: '', placeholder: 'https://example.com/people/ada' },
	{ displayName: 'Author Icon', name: 'authorIcon', type: 'string', default: '', placeholder: 'https://example.com/ada.png' },
	{ displayName: 'Title', name: 'title', type: 'string', default: '' },
	{ displayName: 'Title Link', name: 'titleLink', type: 'string', default: '', placeholder: 'https://example.com/report' },
	{ displayName: 'Text', name: 'text', type: 'string', typeOptions: { rows: 3 }, default: '' },
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Field',
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					{ displayName: 'Short', name: 'short', type: 'boolean', default: false, description: 'Whether the field is short enough to stand beside another one' },
				],
			},
		],
	},
	{ displayName: 'Image URL', name: 'imageUrl', type: 'string', default: '', placeholder: 'https://example.com/chart.png' },
	{ displayName: 'Thumbnail URL', name: 'thumbUrl', type: 'string', default: '', placeholder: 'https://example.com/thumb.png' },
	{ displayName: 'Footer', name: 'footer', type: 'string', default: '' },
	{ displayName: 'Footer Icon', name: 'footerIcon', type: 'string', default: '', placeholder: 'https://example.com/icon.png' },
	{ displayName: 'Timestamp', name: 'ts', type: 'number', default: 0, description: 'Unix time in seconds shown in the footer; 0 for none' },
];

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Webhook URL', value: 'webhookUrl', description: 'Paste a webhook URL from the Slack app settings, or a Slack-compatible one' },
		{
			name: 'OAuth2 (Add to Slack)',
			value: 'oAuth2',
			description: 'Connect through Slack and pick a channel; the webhook URL comes from Slack and is never shown',
		},
		{
			name: 'Response URL (Slash Command or Button)',
			value: AUTHENTICATION.responseUrl.value,
			description: "Answer a slash command later, or replace the message whose button was clicked, through the response URL Slack sent with it; needs no credential",
		},
	],
	default: 'webhookUrl',
};

/**
 * What one run of the node sends: a message per input item, one report of all of them, or (a
 * choice no workflow saved before it holds) a start of a Slack workflow per item.
 */
export const SEND_MODE = { messagePerItem: 'messagePerItem', report: 'report', workflowTrigger: 'workflowTrigger' } as const;

/** Where a Slack workflow's variables come from. */
export const WORKFLOW_VARIABLES_FROM = { parameters: 'parameters', itemFields: 'itemFields' } as const;

const workflowTriggerOnly = { displayOptions: { show: { send: [SEND_MODE.workflowTrigger] } } };

/** The parameters of "Start a Slack Workflow": shown for that choice alone. */
export const workflowTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Needs the Webhook URL credential holding a workflow trigger URL (https://hooks.slack.com/triggers/…), from Workflow Builder: the workflow\'s first step, From a webhook. Each item starts the workflow once.',
		name: 'workflowTriggerNotice',
		type: 'notice',
		default: '',
		...workflowTriggerOnly,
	},
	{
		displayName: 'Variables From',
		name: 'workflowVariablesFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Variables Below', value: WORKFLOW_VARIABLES_FROM.parameters, description: 'Name each variable the Slack workflow expects and give its value' },
			{
				name: 'All Fields of the Item',
				value: WORKFLOW_VARIABLES_FROM.itemFields,
				description: "Each top-level field of the item is a variable of the same name (shape the item with an Edit Fields node first)",
			},
		],
		default: 'parameters',
		description: 'Where the values of the Slack workflow\'s variables come from',
		...workflowTriggerOnly,
	},
	{
		displayName: 'Variables',
		name: 'workflowVariables',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Variable',
		displayOptions: { show: { send: [SEND_MODE.workflowTrigger], workflowVariablesFrom: [WORKFLOW_VARIABLES_FROM.parameters] } },
		description: `Sent as one flat JSON object of text values, as Slack requires (about ${SLACK_WORKFLOW_TRIGGER.requestsPerMinute} starts a minute per trigger)`,
		options: [
			{
				name: 'variable',
				displayName: 'Variable',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'signups',
						description: 'The variable\'s key exactly as in Workflow Builder (From a webhook → Set up variables)',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: '{{ $json.count }}',
						description: 'Numbers and true/false are sent as text; objects and lists are refused, naming the variable',
					},
				],
			},
		],
	},
];

const perItemOnly = { displayOptions: { show: { send: [SEND_MODE.messagePerItem] } } };
const reportOnly = { displayOptions: { show: { send: [SEND_MODE.report] } } };

/** Report Format: a report's items as text lines (as before it existed), or as a table. */
export const REPORT_FORMAT = { lines: 'lines', table: 'table', codeBlock: 'codeBlock' } as const;

/** Table Columns From: the columns chosen one by one, or every field of the first item. */
export const TABLE_COLUMNS_FROM = { chosen: 'chosen', firstItem: 'firstItem' } as const;

const tableOnly = { displayOptions: { show: { send: [SEND_MODE.report], reportFormat: [REPORT_FORMAT.table, REPORT_FORMAT.codeBlock] } } };

/** Options → Long Messages: what happens to text or blocks beyond Slack's limits. */
export const LONG_MESSAGES = { split: 'split', fail: 'fail' } as const;

const showForResponseUrl = { show: { authentication: [AUTHENTICATION.responseUrl.value] } };

/** Where and how a slash command's answer goes; shown only with the Response URL choice. */
const allowedResponseUrlHostsOption: INodeProperties = {
	...allowedResponseUrlHostsProperty,
	displayOptions: { show: { '/authentication': [AUTHENTICATION.responseUrl.value] } },
};

export const responseUrlProperties: INodeProperties[] = [
	{
		displayName: 'Response URL',
		name: 'responseUrl',
		type: 'string',
		default: '={{ $json.response_url }}',
		placeholder: 'https://hooks.slack.com/commands/T0123ABCD/1234567890123/AbCdEfGhIjKlMnOpQrStUvWx',
		description: "The slash command's response_url, which the Slack Outgoing Webhook Trigger passes on with each item",
		hint: `Slack accepts up to ${SLACK_RESPONSE_URL.maxUses} messages within ${SLACK_RESPONSE_URL.lifetimeMinutes} minutes of the command. Only Slack's response URLs are accepted, plus hosts in Options → Allowed Response URL Hosts.`,
		displayOptions: showForResponseUrl,
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'ephemeral',
		options: [
			{ name: 'Ephemeral (Only the User)', value: 'ephemeral', description: 'Only the user who ran the command sees the answer (Slack\'s default)' },
			{ name: 'In Channel', value: 'in_channel', description: 'Everyone in the channel sees the answer' },
		],
		description: 'Who sees the answer (response_type)',
		displayOptions: showForResponseUrl,
	},
	{
		displayName: 'Replace Original',
		name: 'replaceOriginal',
		type: 'boolean',
		default: false,
		description: 'Whether the answer replaces the message the command produced, such as the "Working on it…" acknowledgement, or the message whose button was clicked (replace_original)',
		hint: 'A replaced message keeps its visibility: an ephemeral acknowledgement stays visible only to the user. To answer everyone, leave this off and choose In Channel.',
		displayOptions: showForResponseUrl,
	},
	{
		displayName: 'Delete Original',
		name: 'deleteOriginal',
		type: 'boolean',
		default: false,
		description: 'Whether to delete the message the command produced instead of posting (delete_original); the message fields below are then not sent',
		displayOptions: showForResponseUrl,
	},
];

export const messageProperties: INodeProperties[] = [
	{
		displayName: 'Send',
		name: 'send',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'One Message per Item', value: SEND_MODE.messagePerItem, description: 'Each input item becomes a message of its own' },
			{
				name: 'All Items as One Report',
				value: SEND_MODE.report,
				description: 'One message for all input items: a line per item, with an optional header and footer',
			},
			{
				name: 'Start a Slack Workflow per Item',
				value: SEND_MODE.workflowTrigger,
				description: 'Each input item starts a Slack Workflow Builder workflow (From a webhook) with its variables; no message is built',
			},
		],
		default: 'messagePerItem',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'Nightly report: *42* new sign-ups',
		description: `Message text in Slack mrkdwn. Longer than ${SLACK_LIMITS.maxTextLength.toLocaleString('en-US')} characters, it is sent as several messages (Options → Long Messages). With blocks, Slack shows it in notifications.`,
		...perItemOnly,
	},
	{
		displayName: 'Report Header',
		name: 'reportHeader',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: '*Nightly sign-ups* for {{ $today.toFormat("yyyy-LL-dd") }}',
		description: 'First line(s) of the report; expressions are evaluated once, against the first item',
		...reportOnly,
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: '• {{ $json.name }}: {{ $json.count }}',
		description: `The report's line for each item, in Slack mrkdwn. A report longer than ${SLACK_LIMITS.maxTextLength.toLocaleString('en-US')} characters is sent as several messages (Options → Long Messages).`,
		hint: 'Evaluated once per item, for Report Format → Text Lines (a table takes its cells from Columns). Blocks and Attachments are per message, so they are not offered here.',
		...reportOnly,
	},
	{
		displayName: 'Report Format',
		name: 'reportFormat',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text Lines', value: REPORT_FORMAT.lines, description: "A line of text per item, from the report's Text" },
			{
				name: 'Table',
				value: REPORT_FORMAT.table,
				description: `A Slack table: a row per item under a header row; past ${SLACK_TABLE.maxRows - 1} rows, consecutive messages with the header repeated`,
			},
			{
				name: 'Plain-Text Table in a Code Block',
				value: REPORT_FORMAT.codeBlock,
				description: 'The same table as aligned text in a code block, for Slack-compatible servers that draw no table block (Mattermost, Rocket.Chat, Discord)',
			},
		],
		default: 'lines',
		...reportOnly,
	},
	{
		displayName: 'Table Columns From',
		name: 'tableColumnsFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Columns Below', value: TABLE_COLUMNS_FROM.chosen, description: 'Each column a field or an expression, with its header' },
			{ name: 'All Fields of the First Item', value: TABLE_COLUMNS_FROM.firstItem, description: "The first item's top-level fields, in their order, named by their keys" },
		],
		default: 'chosen',
		...tableOnly,
	},
	{
		displayName: 'Columns',
		name: 'tableColumns',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		placeholder: 'Add Column',
		description: `At most ${SLACK_TABLE.maxCellsPerRow} columns, as a Slack table holds`,
		displayOptions: { show: { send: [SEND_MODE.report], reportFormat: [REPORT_FORMAT.table, REPORT_FORMAT.codeBlock], tableColumnsFrom: [TABLE_COLUMNS_FROM.chosen] } },
		options: [
			{
				name: 'column',
				displayName: 'Column',
				values: [
					{
						displayName: 'Field or Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'revenue',
						description: 'A field name (customer.name for a nested one), or an expression evaluated for each item',
						hint: 'For example revenue, or {{ $json.revenue * 1.2 }}',
					},
					{ displayName: 'Header', name: 'header', type: 'string', default: '', placeholder: 'Revenue (EUR)', description: 'The column\'s header; empty: the field name' },
					{
						displayName: 'Alignment',
						name: 'align',
						type: 'options',
						options: [
							{ name: 'Automatic', value: 'auto', description: 'Right for a column of numbers, left otherwise' },
							{ name: 'Left', value: 'left' },
							{ name: 'Center', value: 'center' },
							{ name: 'Right', value: 'right' },
						],
						default: 'auto',
					},
				],
			},
		],
	},
	{
		displayName: 'Table Options',
		name: 'tableOptions',
		type: 'collection',
		placeholder: 'Add Table Option',
		default: {},
		...tableOnly,
		options: [
			{
				displayName: 'Dates',
				name: 'dateFormat',
				type: 'options',
				options: [
					{ name: 'As They Are', value: 'asIs' },
					{ name: 'Date (2024-05-01)', value: 'date' },
					{ name: 'Date and Time (2024-05-01 08:30)', value: 'dateTime' },
				],
				default: 'asIs',
				description: "How ISO 8601 date-times are written, in the workflow's time zone",
			},
			{
				displayName: 'Decimal Places',
				name: 'decimalPlaces',
				type: 'number',
				typeOptions: { minValue: -1, maxValue: 10 },
				default: -1,
				description: 'Decimal places every number is written with; -1 writes numbers as they are',
			},
			{
				displayName: 'Long Cell Text',
				name: 'longCellText',
				type: 'options',
				options: [
					{ name: 'Wrap', value: 'wrap', description: 'Slack shows a long cell on several lines' },
					{ name: 'Cut', value: 'cut', description: 'One line per cell, cut at Max Cell Length with …' },
				],
				default: 'wrap',
				description: `A cell over ${SLACK_TABLE.maxCharactersPerTable.toLocaleString('en-US')} ÷ (2 × columns) characters is cut with … either way, so a row always fits a table`,
			},
			{
				displayName: 'Max Cell Length',
				name: 'maxCellLength',
				type: 'number',
				typeOptions: { minValue: 2 },
				default: 40,
				description: 'With Long Cell Text set to Cut: the most characters a cell shows, … included',
			},
			{
				displayName: 'Thousands Separators',
				name: 'thousandsSeparators',
				type: 'boolean',
				default: false,
				description: 'Whether numbers are written with separators, as 1,234,567.5',
			},
		],
	},
	{
		displayName: 'Report Footer',
		name: 'reportFooter',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Sent by n8n at {{ $now.toFormat("HH:mm") }}',
		description: 'Last line(s) of the report; expressions are evaluated once, against the first item',
		...reportOnly,
	},
	{
		displayName: 'Blocks',
		name: 'blocksJson',
		type: 'json',
		...perItemOnly,
		// n8n's JSON editor marks an empty field as invalid JSON; an empty array means "no blocks".
		default: '[]',
		placeholder: '[{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]',
		description: `Block Kit blocks as a JSON array, or an object with a "blocks" array (as Block Kit Builder copies it); more than ${SLACK_LIMITS.maxBlocks} are sent as several messages`,
	},
	{
		displayName: 'Attachments',
		name: 'attachmentsInput',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		description: `Legacy secondary attachments, at most ${SLACK_LIMITS.maxAttachments}`,
		...perItemOnly,
	},
	{
		displayName: 'Attachments (JSON)',
		name: 'attachmentsJson',
		type: 'json',
		default: '[]',
		displayOptions: { show: { send: [SEND_MODE.messagePerItem], attachmentsInput: ['json'] } },
		description: 'A JSON array of attachments, or an object with an "attachments" array',
	},
	{
		displayName: 'Attachments',
		name: 'attachments',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Attachment',
		displayOptions: { show: { send: [SEND_MODE.messagePerItem], attachmentsInput: ['fields'] } },
		options: [{ name: 'attachment', displayName: 'Attachment', values: attachmentFields }],
	},
	{
		displayName: 'Reply in Thread',
		name: 'thread',
		type: 'collection',
		placeholder: 'Add Thread Option',
		default: {},
		options: [
			{
				displayName: 'Thread Timestamp',
				name: 'threadTs',
				type: 'string',
				default: '',
				placeholder: '1504640714.003543',
				description: "The parent message's ts; the message becomes a reply in its thread",
				hint: 'Pass it as text, for example {{ $json.thread_ts || $json.timestamp }} from the Slack Outgoing Webhook Trigger ({{ $json.thread_ts || $json.ts }} for a Slack app event); Slack does not return ts to incoming webhooks.',
			},
			{
				displayName: 'Also Send to Channel',
				name: 'replyBroadcast',
				type: 'boolean',
				default: false,
				description: 'Whether the reply is also shown in the channel (reply_broadcast)',
			},
		],
	},
	{
		displayName: 'Overrides (Legacy Webhooks and Mattermost)',
		name: 'overrides',
		type: 'collection',
		placeholder: 'Add Override',
		default: {},
		options: [
			{
				displayName: 'Channel',
				name: 'channel',
				type: 'string',
				default: '',
				placeholder: 'C0123456789',
				description: 'Channel ID (or #name, @user) to post to instead of the default channel',
				hint: APP_WEBHOOK_HINT,
			},
			{
				displayName: 'Icon Emoji',
				name: 'iconEmoji',
				type: 'string',
				default: '',
				placeholder: ':robot_face:',
				description: 'Emoji code to show as the sender icon',
				hint: APP_WEBHOOK_HINT,
			},
			{
				displayName: 'Icon URL',
				name: 'iconUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/bot.png',
				description: 'Image to show as the sender icon',
				hint: APP_WEBHOOK_HINT,
			},
			{
				displayName: 'Username',
				name: 'username',
				type: 'string',
				default: '',
				placeholder: 'Report Bot',
				description: 'Name to show as the sender',
				hint: APP_WEBHOOK_HINT,
			},
		],
	},
	{
		displayName: 'Formatting',
		name: 'formatting',
		type: 'collection',
		placeholder: 'Add Formatting Option',
		default: {},
		options: [
			{
				displayName: 'Link Names',
				name: 'linkNames',
				type: 'boolean',
				default: false,
				description: 'Whether @name and #channel in the text become mentions and links (link_names)',
			},
			{
				displayName: 'Markdown (Mrkdwn)',
				name: 'mrkdwn',
				type: 'boolean',
				default: true,
				description: 'Whether Slack formats *bold*, _italic_ and links in the text',
			},
			{
				displayName: 'Unfurl Links',
				name: 'unfurlLinks',
				type: 'boolean',
				default: true,
				description: 'Whether Slack shows previews of text links',
			},
			{
				displayName: 'Unfurl Media',
				name: 'unfurlMedia',
				type: 'boolean',
				default: true,
				description: 'Whether Slack shows previews of media links',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			allowedResponseUrlHostsOption,
			{
				displayName: 'Concurrency per Webhook',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description: 'With Ordered Delivery off: how many messages may be in flight to one webhook at once',
			},
			{
				displayName: 'Long Messages',
				name: 'longMessages',
				type: 'options',
				options: [
					{
						name: 'Split',
						value: LONG_MESSAGES.split,
						description: `Send text over ${SLACK_LIMITS.maxTextLength.toLocaleString('en-US')} characters or more than ${SLACK_LIMITS.maxBlocks} blocks as consecutive messages, each within Slack's limits`,
					},
					{ name: 'Fail', value: LONG_MESSAGES.fail, description: "Refuse a message over Slack's limits; nothing of it is sent" },
				],
				default: 'split',
				description: "What to do with a message over Slack's limits",
			},
			{
				displayName: 'Max Rate Limit Wait (Seconds)',
				name: 'maxRateLimitWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 120,
				description: 'How long one message may wait in total when Slack answers 429 (too many requests) before its item fails; the message is never dropped silently',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description: 'How often to retry when the connection fails before the message was sent; waits grow exponentially, with jitter',
			},
			{
				displayName: 'Ordered Delivery',
				name: 'orderedDelivery',
				type: 'boolean',
				default: true,
				description: 'Whether messages to the same webhook go out one at a time, in item order, so they appear in the channel in order. Off: several at once (faster, order not kept).',
			},
			{
				displayName: 'Retry When the Message May Have Been Posted',
				name: 'retryWhenMaybePosted',
				type: 'boolean',
				default: false,
				description: 'Whether to retry after a 5xx answer, a timeout or a reset once the message was sent',
				hint: 'Slack may already have posted such a message, so a retry can post it twice.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10,
				description: 'How long to wait for an answer to each attempt',
			},
		],
	},
];

export const shareThroughRedisProperty: INodeProperties = {
	displayName: 'Share Rate Limit Through Redis',
	name: 'shareThroughRedis',
	type: 'boolean',
	default: false,
	description: "Whether to keep each webhook's pace in Redis, so that every worker and execution sending to one webhook together stay within Slack's rate limit (n8n queue mode)",
	hint: 'Without it each execution paces its own messages only.',
};
