import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { createParameterReader } from './parameters';
import { channelFields, planMessage, readSends, readDestinationChooser, splitNotesFields, type ReservedMessage } from './plan';
import { WebhookSender } from '../shared/sending/sender';
import { runPerKey, type KeyedJob } from './delivery/queue';
import { sharedSendGatesFor } from '../shared/state/from-node';
import { createWebhookDispatcher } from '../shared/sending/transport';
import { testIncomingWebhook } from './credential-test';
import { AUTHENTICATION, authenticationProperty, messageProperties, responseUrlProperties, SEND_MODE, shareThroughRedisProperty, workflowTriggerProperties } from './description';
import { deliverInParts, partsSent } from './delivery/parts';
import { errorItem, toDeliveryError, toInputError } from './errors';
import type { Send } from './message/report';
import { reserveResponseUrlMessages } from '../shared/sending/response-url-uses';
import { planWorkflowStart } from './workflow-trigger/plan';

const USER_AGENT = 'n8n-nodes-slack-webhooks (+https://n8n.io)';

export class SlackIncomingWebhook implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack Incoming Webhook',
		name: 'slackIncomingWebhook',
		icon: { light: 'file:slackWebhook.svg', dark: 'file:slackWebhook.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: 'Send Message',
		description: 'Post messages to a Slack incoming webhook (or Mattermost, Rocket.Chat, Discord /slack)',
		defaults: { name: 'Slack Incoming Webhook' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The names are spelled out (they equal AUTHENTICATION's) because n8n's lint rules read them.
		credentials: [
			{
				name: 'slackWebhooksIncomingUrlApi',
				required: true,
				testedBy: 'slackIncomingWebhookTest',
				displayOptions: { show: { authentication: [AUTHENTICATION.webhookUrl.value] } },
			},
			{
				name: 'slackWebhooksIncomingOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: [AUTHENTICATION.oAuth2.value] } },
			},
			// n8n's own Redis credential type (n8n-nodes-base), so a queue-mode setup reuses the Redis
			// credential it has. n8n's community rules want a package's own credentials only: kept
			// visible here, and docs/queue-mode.md says why.
			// eslint-disable-next-line @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
			{ name: 'redis', required: true, displayOptions: { show: { shareThroughRedis: [true] } } },
		],
		// The workflow trigger's parameters right under Send, which shows them.
		properties: [authenticationProperty, ...responseUrlProperties, messageProperties[0], ...workflowTriggerProperties, ...messageProperties.slice(1), shareThroughRedisProperty],
	};

	methods = {
		credentialTest: {
			async slackIncomingWebhookTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return await testIncomingWebhook(String(credential.data?.webhookUrl ?? ''));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const read = createParameterReader(this);
		const destinationOf = await readDestinationChooser(this, read);
		const continueOnFail = this.continueOnFail();
		const sends = readSends(read, items.length);
		const startsWorkflows = read<string>('send', 0, SEND_MODE.messagePerItem) === SEND_MODE.workflowTrigger;

		// Every message is checked before any is sent, so bad input never leaves a batch half-posted.
		const messages: Array<ReservedMessage | undefined> = [];
		const output: INodeExecutionData[] = new Array(sends.length);
		try {
			for (const [sendIndex, send] of sends.entries()) {
				try {
					const destination = destinationOf(send.itemIndex);
					const planned = startsWorkflows
						? planWorkflowStart(read, send, destination, items)
						: planMessage(read, send, destination, this.getNode(), { items, timeZone: this.getTimezone() });
					// Each part is one of the few answers a Slack response URL takes: an answer that
					// does not fit in those left is refused whole, before anything is sent.
					messages.push({ ...planned, reservation: reserveResponseUrlMessages(destination, planned.parts.length) });
				} catch (error) {
					const nodeError = toInputError(this, error, send);
					if (!continueOnFail) throw nodeError;
					messages.push(undefined);
					output[sendIndex] = errorItem(nodeError, send);
				}
			}
			await deliverAll(this, sends, messages, output, continueOnFail);
		} finally {
			// What was never sent goes back to the response URL's count (a settled reservation stays).
			for (const message of messages) message?.reservation.settle(0);
		}
		return [output.filter((item) => item !== undefined)];
	}
}

/** Sends the planned messages and fills in their output items; what was not sent is settled by the caller. */
async function deliverAll(
	context: IExecuteFunctions,
	sends: readonly Send[],
	messages: ReadonlyArray<ReservedMessage | undefined>,
	output: INodeExecutionData[],
	continueOnFail: boolean,
): Promise<void> {
	const first = messages.find((entry) => entry !== undefined);
	const ordered = first?.ordered ?? true;
	const sharedGates = await sharedSendGatesFor(context);
	const dispatcher = createWebhookDispatcher();
	const sender = new WebhookSender(dispatcher, USER_AGENT, undefined, sharedGates);
	try {
		const jobs: Array<KeyedJob<IDataObject> | undefined> = messages.map((entry) =>
			entry
				? {
						key: entry.destination.url,
						// The parts of one message must not be interleaved with other messages to this webhook.
						exclusive: entry.parts.length > 1,
						run: async () => {
							const delivered = deliverInParts(entry.parts, async (part) => await sender.deliver(entry.destination.url, part, entry.policy));
							// A response URL keeps counting what reached Slack, and nothing else.
							void delivered.then(
								() => entry.reservation.settle(entry.parts.length),
								(failure: unknown) => entry.reservation.settle(partsSent(failure, entry.parts.length)),
							);
							return { ...(await delivered) };
						},
					}
				: undefined,
		);
		const results = await runPerKey(jobs, ordered ? 1 : (first?.concurrency ?? 5), !continueOnFail);

		for (const [sendIndex, send] of sends.entries()) {
			const result = results[sendIndex];
			const destination = messages[sendIndex]?.destination;
			if (!result || !destination) continue;
			if (result.status === 'fulfilled') {
				output[sendIndex] = {
					json: { ...result.value, ...send.outputFields, ...channelFields(destination), ...splitNotesFields(messages[sendIndex]) },
					pairedItem: send.pairedItem,
				};
				continue;
			}
			const nodeError = toDeliveryError(context, result.reason, send, results.slice(sendIndex + 1), destination);
			if (!continueOnFail) throw nodeError;
			output[sendIndex] = errorItem(nodeError, send, result.reason, { ...channelFields(destination), ...splitNotesFields(messages[sendIndex]) });
		}
	} finally {
		await dispatcher.close();
	}
}
