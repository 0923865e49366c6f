/**
 * "Start a Slack Workflow per Item" planned: the trigger URL checked, the parameters that only a
 * message has refused when they are set, and each item's variables. Sends nothing.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { WORKFLOW_VARIABLES_FROM } from '../description';
import { readDeliveryPolicy, type ParameterReader, type PlannedMessage } from '../plan';
import type { Send } from '../message/report';
import type { Destination } from '../../shared/sending/destination';
import { MessageValidationError } from '../../shared/sending/webhook-message';
import { redactWebhookUrl } from '../../shared/redact';
import { isWorkflowTriggerPath } from '../../shared/slack';
import { variablesFromItem, variablesFromPairs } from './variables';

/** Display names of the parameters errors name. */
export const WORKFLOW_TRIGGER_FIELDS = { authentication: 'Authentication', webhookUrl: 'Webhook URL' } as const;

/** A message's parameters that a workflow start has no use for: set, they are refused, never dropped. */
const MESSAGE_ONLY_COLLECTIONS = [
	{ name: 'thread', displayName: 'Reply in Thread' },
	{ name: 'overrides', displayName: 'Overrides' },
	{ name: 'formatting', displayName: 'Formatting' },
] as const;

/** The credential's URL, if it is a workflow trigger's: then each POST starts the workflow. */
export function workflowTriggerDestination(destination: Destination): Destination {
	if (destination.source !== 'url') {
		throw new MessageValidationError(
			WORKFLOW_TRIGGER_FIELDS.authentication,
			destination.source === 'oauth'
				? 'Add to Slack gives an incoming webhook, not a workflow trigger'
				: 'A response URL answers a command; it cannot start a Slack workflow',
			'Choose Authentication → Webhook URL, with a credential holding the URL Workflow Builder shows for the workflow (From a webhook). Nothing was sent.',
		);
	}
	const url = URL.canParse(destination.url.trim()) ? new URL(destination.url.trim()) : undefined;
	if (!url || !isWorkflowTriggerPath(url.pathname)) {
		throw new MessageValidationError(
			WORKFLOW_TRIGGER_FIELDS.webhookUrl,
			`The credential's URL (${redactWebhookUrl(destination.url)}) is not a Slack workflow trigger URL`,
			'Workflow Builder gives URLs such as https://hooks.slack.com/triggers/T…/…/… (older workflows: https://hooks.slack.com/workflows/T…/A…/…/…). An incoming webhook (…/services/…) takes messages: choose Send → One Message per Item for it. Nothing was sent.',
		);
	}
	return { source: 'workflowTrigger', url: destination.url };
}

export function planWorkflowStart(read: ParameterReader, send: Send, destination: Destination, items: readonly INodeExecutionData[]): PlannedMessage {
	const { itemIndex } = send;
	const target = workflowTriggerDestination(destination);
	for (const { name, displayName } of MESSAGE_ONLY_COLLECTIONS) {
		if (Object.keys(read<IDataObject>(name, itemIndex, {})).length > 0) {
			throw new MessageValidationError(displayName, `${displayName} applies to messages; a Slack workflow start has no message`, `Remove ${displayName}, or use a step of the Slack workflow to post its message. Nothing was sent.`);
		}
	}
	const options = read<IDataObject>('options', itemIndex, {});
	if (options.longMessages !== undefined) {
		throw new MessageValidationError('Long Messages', 'Long Messages applies to messages; variables are never split', 'Remove Options → Long Messages. Nothing was sent.');
	}
	const variables =
		read<string>('workflowVariablesFrom', itemIndex, WORKFLOW_VARIABLES_FROM.parameters) === WORKFLOW_VARIABLES_FROM.itemFields
			? variablesFromItem(items[itemIndex]?.json ?? {})
			: variablesFromPairs(read<Array<{ name?: unknown; value?: unknown }>>('workflowVariables.variable', itemIndex, []));
	return {
		destination: target,
		parts: [variables],
		splitNotes: [],
		policy: { ...readDeliveryPolicy(options), okFieldDecides: true },
		ordered: options.orderedDelivery !== false,
		concurrency: Number(options.concurrency ?? 5),
	};
}
