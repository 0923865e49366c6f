import type { INodeProperties } from 'n8n-workflow';

import {
	actionIdsProperty,
	caseSensitiveProperty,
	channelIdNoticeProperty,
	channelsProperty,
	duplicateWindowOption,
	eventKindsProperty,
	ignoreBotsOption,
	ignoreUsersOption,
	matchModeProperty,
	replyOptionsProperty,
	replyTextProperty,
	respondProperty,
	triggerWordsProperty,
} from '../shared/trigger-parameters/properties';

/** Version 3 takes a Slack app's events and interactivity as well (slack-app.ts). */
const fromVersion3 = { '@version': [{ _cnd: { gte: 3 } }] };
const beforeVersion3 = { '@version': [{ _cnd: { lt: 3 } }] };

function shownFromVersion3(property: INodeProperties): INodeProperties {
	return { ...property, displayOptions: { show: fromVersion3 } };
}

const setupNoticeProperty: INodeProperties = {
	displayName:
		'Point a Slack outgoing webhook, a slash command or a Mattermost outgoing webhook at the URL above (the Production URL once the workflow is active).',
	name: 'setupNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: beforeVersion3 },
};

const slackAppSetupNoticeProperty: INodeProperties = {
	displayName:
		"Paste the Production URL above (once the workflow is active) into a Slack app's settings: Event Subscriptions > Request URL, Interactivity & Shortcuts > Request URL, and each Slash Command's Request URL; or into a legacy outgoing webhook or Mattermost. Slack app requests are verified by the credential's Signing Secret.",
	name: 'slackAppSetupNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: fromVersion3 },
};

const slackAppRespondNoticeProperty: INodeProperties = {
	displayName:
		"Slack reads no reply to an event or a click: those are always answered with an empty 200 as soon as the execution exists, and Respond applies to slash commands and outgoing webhooks. To answer an event, use a Slack Incoming Webhook node with Thread TS set to {{ $json.ts }} (for the webhook's own channel) or n8n's Slack node for other channels; to answer a click, a Slack Incoming Webhook node set to Response URL with {{ $json.response_url }}.",
	name: 'slackAppRespondNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: fromVersion3 },
};

const lastNodeNoticeProperty: INodeProperties = {
	displayName:
		'The reply is the first item of the last node: its text, username, icon_emoji, icon_url, attachments, blocks, response_type and thread_ts fields. Nothing else is sent. Slack waits about 3 seconds for it: for a slower slash command, respond Immediately with a short acknowledgement and post the answer later with a Slack Incoming Webhook node set to Response URL (Slash Command or Button).',
	name: 'lastNodeNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { respond: ['lastNode'] } },
};

const responseNodeNoticeProperty: INodeProperties = {
	displayName:
		'Add a Respond to Webhook node of version 1: newer versions only accept n8n\'s own Webhook node as the trigger.',
	name: 'responseNodeNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { respond: ['responseNode'] } },
};

export const verifyBeforeFilteringOption: INodeProperties = {
	displayName: 'Verify Before Filtering',
	name: 'verifyBeforeFiltering',
	type: 'boolean',
	default: false,
	description:
		'Whether to check the token or signature of every request before the channel, trigger-word and user filters. Off, a caller without the token can learn the filters: a message they let through gets 401, any other 200. On, such a caller gets 401 for everything, but every request the filters would have dropped is verified too (a credential read when none is kept from the last 30 seconds).',
	displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
};

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [duplicateWindowOption, ignoreBotsOption, ignoreUsersOption, verifyBeforeFilteringOption],
};

const shareThroughRedisProperty: INodeProperties = {
	displayName: 'Share Duplicate Filter Through Redis',
	name: 'shareThroughRedis',
	type: 'boolean',
	default: false,
	description: 'Whether to keep the keys of recent incoming messages in Redis, so that with several webhook processes (n8n queue mode) a message Slack sends again starts nothing',
	hint: 'Only needed when n8n runs more than one webhook process. Without it the filter is kept in each n8n process.',
};

export const triggerProperties: INodeProperties[] = [
	setupNoticeProperty,
	slackAppSetupNoticeProperty,
	channelsProperty,
	shownFromVersion3(channelIdNoticeProperty),
	triggerWordsProperty,
	matchModeProperty,
	caseSensitiveProperty,
	shownFromVersion3(eventKindsProperty),
	shownFromVersion3(actionIdsProperty),
	respondProperty,
	slackAppRespondNoticeProperty,
	lastNodeNoticeProperty,
	responseNodeNoticeProperty,
	replyTextProperty,
	replyOptionsProperty,
	optionsProperty,
	shareThroughRedisProperty,
];
