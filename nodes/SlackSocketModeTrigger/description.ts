import type { INodeProperties } from 'n8n-workflow';

import { allowedResponseUrlHostsProperty } from '../shared/sending/properties';
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
import { START_WAIT_MS } from './listener';

/**
 * The Socket Mode trigger's parameters: the filters and the reply both triggers show (the Slack
 * Outgoing Webhook Trigger from its type version 3 on), by the same names, values, defaults and
 * words, without what only a Request URL needs (the URL, signatures, Respond to Webhook, Redis for
 * several webhook processes).
 */

const setupNotice: INodeProperties = {
	displayName:
		"No URL to paste: this trigger connects to Slack itself (Socket Mode), so n8n needs no public address. In the Slack app's settings turn on Socket Mode, create an app-level token with connections:write for the credential, and subscribe to events, interactivity and slash commands; Slack asks for no Request URL.",
	name: 'socketModeSetupNotice',
	type: 'notice',
	default: '',
};

const respondChoices = ['immediately', 'lastNode', 'noReply'];

/** Respond with the HTTP trigger's choices that a Socket Mode acknowledgement can carry (no Respond to Webhook node). */
const respond: INodeProperties = {
	...respondProperty,
	options: (respondProperty.options ?? []).filter((option) => 'value' in option && respondChoices.includes(String(option.value))).map((option) =>
		'value' in option && option.value === 'noReply' ? { ...option, description: 'An empty acknowledgement; Slack posts nothing' } : option,
	),
};

const respondNotice: INodeProperties = {
	displayName: `Slack reads a reply only for slash commands: Respond applies to them. Events and clicks are acknowledged when the execution has finished, or after ${START_WAIT_MS} ms at most. To answer an event, use a Slack Incoming Webhook node with Thread TS set to {{ $json.ts }} or n8n's Slack node; to answer a click, a Slack Incoming Webhook node set to Response URL with {{ $json.response_url }}.`,
	name: 'socketModeRespondNotice',
	type: 'notice',
	default: '',
};

const lastNodeNotice: INodeProperties = {
	displayName:
		"The reply is the first item of the last node: its text, username, icon_emoji, icon_url, attachments, blocks, response_type and thread_ts fields. Slack waits about 3 seconds for it: when the workflow takes longer, the command is acknowledged without it and the reply is posted to the command's response URL instead, so the user sees no timeout error.",
	name: 'socketModeLastNodeNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { respond: ['lastNode'] } },
};

/** The Slack Incoming Webhook's option, for the reply a slow command gets through its response URL. */
const allowedResponseUrlHosts: INodeProperties = {
	...allowedResponseUrlHostsProperty,
	description:
		"Hosts besides Slack's whose response URLs a late reply (When Last Node Finishes) may be posted to, separated by commas or new lines: a host, host:port, or http://host:port for plain HTTP. No wildcards.",
	hint: 'Slack sends its own response URLs; list a host only for a Slack-compatible server you run.',
};

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			...duplicateWindowOption,
			description:
				"An event, command or click Slack sends again within this time (it does when it saw no acknowledgement) starts nothing; 0 turns this off. An event is recognised by its event_id for at least 10 minutes, the span of Slack's retries.",
		},
		ignoreBotsOption,
		ignoreUsersOption,
		allowedResponseUrlHosts,
	],
};

export const socketModeTriggerProperties: INodeProperties[] = [
	setupNotice,
	channelsProperty,
	channelIdNoticeProperty,
	triggerWordsProperty,
	matchModeProperty,
	caseSensitiveProperty,
	eventKindsProperty,
	actionIdsProperty,
	respond,
	respondNotice,
	lastNodeNotice,
	replyTextProperty,
	replyOptionsProperty,
	options,
];
