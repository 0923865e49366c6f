/**
 * The parameters both triggers show, by the same names, values, defaults and words: what starts a
 * workflow (channels, trigger words, Slack app events and clicks), the reply, and the options that
 * filter senders and repeats. When each is shown is the node's own choice (the HTTP trigger shows
 * the Slack app ones from its type version 3 on), so none carries a version condition here.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_DUPLICATE_WINDOW_SECONDS } from './read';

export const channelsProperty: INodeProperties = {
	displayName: 'Channels',
	name: 'channels',
	type: 'string',
	default: '',
	placeholder: '#deploys, C2147483705',
	description: 'Channels to listen to, by name (with or without #) or ID, separated by commas. Empty: any channel, and then Trigger Words are required.',
};

export const channelIdNoticeProperty: INodeProperties = {
	displayName: 'Slack app events and button clicks carry channel IDs (such as C2147483705), not names: list channels by ID for them',
	name: 'channelIdNotice',
	type: 'notice',
	default: '',
};

export const triggerWordsProperty: INodeProperties = {
	displayName: 'Trigger Words',
	name: 'triggerWords',
	type: 'string',
	default: '',
	placeholder: 'googlebot:, deploy',
	description: 'Words a message must start with, separated by commas. For slash commands they match the command (such as /deploy).',
	hint: 'With Channels set as well, a message must match both.',
};

export const matchModeProperty: INodeProperties = {
	displayName: 'Match Mode',
	name: 'matchMode',
	type: 'options',
	default: 'startsWith',
	options: [
		{ name: 'Starts With (Slack)', value: 'startsWith', description: 'The text begins with the trigger word' },
		{ name: 'First Word Is Exactly (Mattermost)', value: 'firstWord', description: 'The first word of the text equals the trigger word' },
		{ name: 'Anywhere', value: 'anywhere', description: 'The trigger word appears as a whole word anywhere in the text' },
	],
};

export const caseSensitiveProperty: INodeProperties = {
	displayName: 'Case Sensitive',
	name: 'caseSensitive',
	type: 'boolean',
	default: false,
	description: 'Whether trigger words must match upper and lower case exactly',
};

export const eventKindsProperty: INodeProperties = {
	displayName: 'Events to Accept',
	name: 'eventKinds',
	type: 'options',
	default: 'both',
	options: [
		{ name: 'Messages and Mentions of the App', value: 'both', description: 'Message events (message.channels, .groups, .im, .mpim) and app_mention events' },
		{ name: 'Messages', value: 'messages', description: 'Message events, filtered by Channels and Trigger Words' },
		{ name: 'Mentions of the App', value: 'mentions', description: 'App_mention events; the leading mention is set aside before Trigger Words are matched' },
	],
	description: "Which of a Slack app's Events API events start the workflow. A mention arrives as both a message and a mention when the app subscribes to both.",
};

export const actionIdsProperty: INodeProperties = {
	displayName: 'Action and Callback IDs',
	name: 'actionIds',
	type: 'string',
	default: '',
	placeholder: 'approve, reject',
	description: 'Button and menu action_id values, and shortcut callback_id values, that start the workflow, separated by commas. Empty: no click or shortcut starts it.',
	hint: 'Channels applies to clicks too, where the payload has a channel.',
};

export const respondProperty: INodeProperties = {
	displayName: 'Respond',
	name: 'respond',
	type: 'options',
	default: 'immediately',
	options: [
		{ name: 'Immediately', value: 'immediately', description: 'With the reply set below, as soon as the message is accepted' },
		{ name: 'When Last Node Finishes', value: 'lastNode', description: "With the last node's first item, as a Slack reply" },
		{ name: 'Using Respond to Webhook Node', value: 'responseNode', description: 'With what a Respond to Webhook node (version 1) sends' },
		{ name: 'No Reply', value: 'noReply', description: 'An empty 200 answer; Slack posts nothing' },
	],
};

export const replyTextProperty: INodeProperties = {
	displayName: 'Reply Text',
	name: 'replyText',
	type: 'string',
	typeOptions: { rows: 2 },
	default: '',
	placeholder: 'African or European?',
	description: 'What Slack posts back into the channel; empty posts nothing',
	hint: 'A slash command that takes longer than 3 seconds: acknowledge here (such as "Working on it…"), then post the answer with a Slack Incoming Webhook node set to Response URL (Slash Command or Button).',
	displayOptions: { show: { respond: ['immediately'] } },
};

export const replyOptionsProperty: INodeProperties = {
	displayName: 'Reply Options',
	name: 'replyOptions',
	type: 'collection',
	placeholder: 'Add Reply Option',
	default: {},
	displayOptions: { show: { respond: ['immediately'] } },
	options: [
		{
			displayName: 'Attachments (JSON)',
			name: 'attachments',
			type: 'json',
			default: '[]',
			description: 'A JSON array of message attachments',
		},
		{
			displayName: 'Icon Emoji',
			name: 'iconEmoji',
			type: 'string',
			default: '',
			placeholder: ':robot_face:',
		},
		{
			displayName: 'Icon URL',
			name: 'iconUrl',
			type: 'string',
			default: '',
			placeholder: 'https://example.com/bot.png',
		},
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			default: '',
			options: [
				{ name: 'Default', value: '' },
				{ name: 'In Channel (Slash Command)', value: 'in_channel', description: 'Everyone in the channel sees the reply' },
				{ name: 'Ephemeral (Slash Command)', value: 'ephemeral', description: 'Only the user who typed the command sees it' },
				{ name: 'Comment (Mattermost)', value: 'comment', description: 'The reply goes into the thread of the message' },
			],
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: 'Report Bot',
			description: 'Name to post the reply as, instead of the integration\'s',
		},
	],
};

export const duplicateWindowOption: INodeProperties = {
	displayName: 'Duplicate Window (Seconds)',
	name: 'duplicateWindow',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: DEFAULT_DUPLICATE_WINDOW_SECONDS,
	description: 'A message delivered again within this time (Slack retries when it gets no 200) starts nothing; 0 turns this off. A Slack app event is recognised by its event_id for at least 10 minutes, the span of Slack\'s retries.',
};

export const ignoreBotsOption: INodeProperties = {
	displayName: 'Ignore Bot Messages',
	name: 'ignoreBots',
	type: 'boolean',
	default: true,
	description: 'Whether to ignore messages from slackbot and other bots, so a reply cannot trigger the workflow again',
};

export const ignoreUsersOption: INodeProperties = {
	displayName: 'Ignore Users',
	name: 'ignoreUsers',
	type: 'string',
	default: '',
	placeholder: 'deploy-bot, U2147483697',
	description: 'User names or IDs whose messages are ignored, separated by commas',
};
