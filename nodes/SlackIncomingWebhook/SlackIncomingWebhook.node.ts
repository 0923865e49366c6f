import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { createParameterReader } from '../shared/parameters';
import { DEFAULT_DELIVERY_POLICY, WebhookDeliveryError, WebhookSender, type DeliveryPolicy } from '../shared/delivery';
import { runPerKey, type KeyedJob } from '../shared/per-key-queue';
import { sharedSendGatesFor } from '../shared/state/from-node';
import { createWebhookDispatcher } from '../shared/transport';
import { testIncomingWebhook } from '../shared/webhook-test';
import { authenticationProperty, LONG_MESSAGES, messageProperties, responseUrlProperties, SEND_MODE, shareThroughRedisProperty } from './description';
import { deliverInParts, describePostedParts, PartDeliveryError } from './parts';
import {
	attachmentsFromFields,
	buildWebhookMessage,
	MessageValidationError,
	type AttachmentFieldsInput,
	type MessageInput,
	type WebhookMessage,
} from './payload';
import { buildReportText, messageFor, reportOf, type Send } from './report';
import { splitMessage } from './split';
import {
	AUTHENTICATION,
	authenticationFromValue,
	createResponseUrlUseCounter,
	CredentialSetupError,
	describeDeliveryFailure,
	parseAllowedOrigins,
	responseUrlMessage,
	responseUrlTarget,
	webhookTargetFromOAuthTokenData,
	webhookTargetFromUrlCredential,
	type WebhookTarget,
} from './target';

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
				name: 'slackIncomingWebhookApi',
				required: true,
				testedBy: 'slackIncomingWebhookTest',
				displayOptions: { show: { authentication: [AUTHENTICATION.webhookUrl.value] } },
			},
			{
				name: 'slackIncomingWebhookOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: [AUTHENTICATION.oAuth2.value] } },
			},
			// n8n's own Redis credential type (n8n-nodes-base), so a queue-mode setup reuses the Redis
			// credential it has. n8n's community rules want a package's own credentials only: kept
			// visible here, and the README says why (Queue mode).
			// eslint-disable-next-line @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
			{ name: 'redis', required: true, displayOptions: { show: { shareThroughRedis: [true] } } },
		],
		properties: [authenticationProperty, ...responseUrlProperties, ...messageProperties, shareThroughRedisProperty],
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
		const targetOf = await readTargetChooser(this, read);
		const countResponseUrlUse = createResponseUrlUseCounter();
		const continueOnFail = this.continueOnFail();
		const sends = read<string>('send', 0, SEND_MODE.messagePerItem) === SEND_MODE.report ? [reportOf(items.length)] : items.map((_, itemIndex) => messageFor(itemIndex));

		// Every message is checked before any is sent, so bad input never leaves a batch half-posted.
		const messages: Array<PlannedMessage | undefined> = [];
		const output: INodeExecutionData[] = new Array(sends.length);
		for (const [sendIndex, send] of sends.entries()) {
			try {
				const target = targetOf(send.itemIndex);
				const planned = planMessage(read, send, target, this.getNode());
				// Each part is one of the few answers a response URL takes.
				for (let part = 0; part < planned.parts.length; part++) countResponseUrlUse(target);
				messages.push(planned);
			} catch (error) {
				const nodeError = toInputError(this, error, send);
				if (!continueOnFail) throw nodeError;
				messages.push(undefined);
				output[sendIndex] = errorItem(nodeError, send);
			}
		}

		const first = messages.find((entry) => entry !== undefined);
		const ordered = first?.ordered ?? true;
		const sharedGates = await sharedSendGatesFor(this);
		const dispatcher = createWebhookDispatcher();
		const sender = new WebhookSender(dispatcher, USER_AGENT, undefined, sharedGates);
		try {
			const jobs: Array<KeyedJob<IDataObject> | undefined> = messages.map((entry) =>
				entry
					? {
							key: entry.target.url,
							// The parts of one message must not be interleaved with other messages to this webhook.
							exclusive: entry.parts.length > 1,
							run: async () => ({ ...(await deliverInParts(entry.parts, async (part) => await sender.deliver(entry.target.url, part, entry.policy))) }),
						}
					: undefined,
			);
			const results = await runPerKey(jobs, ordered ? 1 : (first?.concurrency ?? 5), !continueOnFail);

			for (const [sendIndex, send] of sends.entries()) {
				const result = results[sendIndex];
				const target = messages[sendIndex]?.target;
				if (!result || !target) continue;
				if (result.status === 'fulfilled') {
					output[sendIndex] = { json: { ...result.value, ...send.outputFields, ...channelFields(target) }, pairedItem: send.pairedItem };
					continue;
				}
				const nodeError = toDeliveryError(this, result.reason, send, results.slice(sendIndex + 1), target);
				if (!continueOnFail) throw nodeError;
				output[sendIndex] = errorItem(nodeError, send, result.reason, channelFields(target));
			}
		} finally {
			await dispatcher.close();
		}
		return [output.filter((item) => item !== undefined)];
	}
}

/**
 * Where each item's message goes. A credential's URL is the same for every item (n8n resolves a
 * node's credentials once per run); a response URL is each item's own, since items may come from
 * different commands.
 */
async function readTargetChooser(context: IExecuteFunctions, read: ParameterReader): Promise<(itemIndex: number) => WebhookTarget> {
	const value = context.getNodeParameter('authentication', 0, AUTHENTICATION.webhookUrl.value);
	const authentication = authenticationFromValue(value);
	if (!authentication) {
		throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(value)}" (field "authentication")`);
	}
	if (authentication === 'responseUrl') {
		return (itemIndex) =>
			responseUrlTarget(
				read<unknown>('responseUrl', itemIndex, ''),
				parseAllowedOrigins(read<IDataObject>('options', itemIndex, {}).allowedResponseUrlHosts),
			);
	}
	const credential = await context.getCredentials<IDataObject>(AUTHENTICATION[authentication].credentialType);
	if (authentication === 'webhookUrl') {
		const target = webhookTargetFromUrlCredential(credential);
		return () => target;
	}
	try {
		const target = webhookTargetFromOAuthTokenData(credential.oauthTokenData);
		return () => target;
	} catch (error) {
		const hint = error instanceof CredentialSetupError ? error.hint : undefined;
		throw new NodeOperationError(context.getNode(), error as Error, { description: hint });
	}
}

function readResponseUrlOptions(read: ParameterReader, itemIndex: number) {
	return {
		responseType: read<unknown>('responseType', itemIndex, 'ephemeral'),
		replaceOriginal: read<boolean>('replaceOriginal', itemIndex, false),
		deleteOriginal: read<boolean>('deleteOriginal', itemIndex, false),
	};
}

/** Names the channel in each output item when the credential knows it, as OAuth2 ones do. */
function channelFields(target: WebhookTarget): IDataObject {
	return target.source === 'oauth' ? { channel: target.channel.name, channelId: target.channel.id } : {};
}

type ParameterReader = ReturnType<typeof createParameterReader>;

function readMessageInput(read: ParameterReader, itemIndex: number): MessageInput {
	const thread = read<IDataObject>('thread', itemIndex, {});
	const overrides = read<IDataObject>('overrides', itemIndex, {});
	const formatting = read<IDataObject>('formatting', itemIndex, {});
	const attachmentsInput = read<string>('attachmentsInput', itemIndex, 'none');

	let attachments: unknown;
	if (attachmentsInput === 'json') {
		attachments = read<unknown>('attachmentsJson', itemIndex, '');
	} else if (attachmentsInput === 'fields') {
		const entries = read<AttachmentFieldsInput[]>('attachments.attachment', itemIndex, []);
		attachments = attachmentsFromFields(entries.map((entry) => ({ ...entry, ts: entry.ts === 0 ? undefined : entry.ts })));
	}

	return {
		text: String(read<unknown>('text', itemIndex, '') ?? ''),
		blocks: read<unknown>('blocksJson', itemIndex, ''),
		attachments,
		mrkdwn: formatting.mrkdwn as boolean | undefined,
		linkNames: formatting.linkNames as boolean | undefined,
		unfurlLinks: formatting.unfurlLinks as boolean | undefined,
		unfurlMedia: formatting.unfurlMedia as boolean | undefined,
		threadTs: thread.threadTs,
		replyBroadcast: thread.replyBroadcast as boolean | undefined,
		channel: overrides.channel as string | undefined,
		username: overrides.username as string | undefined,
		iconEmoji: overrides.iconEmoji as string | undefined,
		iconUrl: overrides.iconUrl as string | undefined,
	};
}

interface PlannedMessage {
	target: WebhookTarget;
	parts: object[];
	policy: DeliveryPolicy;
	ordered: boolean;
	concurrency: number;
}

function planMessage(read: ParameterReader, send: Send, target: WebhookTarget, node: INode): PlannedMessage {
	const options = read<IDataObject>('options', send.itemIndex, {});
	const split = options.longMessages !== LONG_MESSAGES.fail;
	const buildParts = (): WebhookMessage[] => {
		const input = readMessageInput(read, send.itemIndex);
		const message = buildWebhookMessage(send.reportOf === undefined ? input : { ...input, text: readReportText(read, send.reportOf, node), blocks: undefined, attachments: undefined }, {
			allowOverLimit: split,
		});
		return split ? splitMessage(message) : [message];
	};
	return {
		target,
		parts: target.source === 'responseUrl' ? responseUrlParts(readResponseUrlOptions(read, send.itemIndex), buildParts) : buildParts(),
		policy: readDeliveryPolicy(options),
		ordered: options.orderedDelivery !== false,
		concurrency: Number(options.concurrency ?? 5),
	};
}

/**
 * A long answer to a response URL goes out in parts too. Only the first part may replace the
 * command's original message: a later one would replace the part before it.
 */
function responseUrlParts(options: ReturnType<typeof readResponseUrlOptions>, buildParts: () => WebhookMessage[]): object[] {
	if (options.deleteOriginal) return [responseUrlMessage(options, () => ({}) as WebhookMessage)];
	return buildParts().map((part, index) => responseUrlMessage({ ...options, replaceOriginal: index === 0 && options.replaceOriginal }, () => part));
}

function readReportText(read: ParameterReader, itemCount: number, node: INode): string {
	const lines: string[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			lines.push(String(read<unknown>('text', itemIndex, '') ?? ''));
		} catch (error) {
			// A line that cannot be read names its own item, not the report.
			throw new NodeOperationError(node, error as Error, { itemIndex });
		}
	}
	return buildReportText({
		header: String(read<unknown>('reportHeader', 0, '') ?? ''),
		lines,
		footer: String(read<unknown>('reportFooter', 0, '') ?? ''),
	});
}

function readDeliveryPolicy(options: IDataObject): DeliveryPolicy {
	const seconds = (value: unknown, fallbackMs: number) =>
		typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value * 1000) : fallbackMs;
	return {
		timeoutMs: Math.max(1000, seconds(options.timeout, DEFAULT_DELIVERY_POLICY.timeoutMs)),
		maxRetries: typeof options.maxRetries === 'number' ? options.maxRetries : DEFAULT_DELIVERY_POLICY.maxRetries,
		maxRateLimitWaitMs: seconds(options.maxRateLimitWait, DEFAULT_DELIVERY_POLICY.maxRateLimitWaitMs),
		retryWhenMaybePosted: options.retryWhenMaybePosted === true,
	};
}

function toInputError(context: IExecuteFunctions, error: unknown, send: Send): NodeOperationError {
	const { itemIndex, label } = send;
	if (error instanceof MessageValidationError) {
		return new NodeOperationError(context.getNode(), `${error.message} (${label}, field "${error.field}")`, {
			itemIndex,
			description: error.hint,
		});
	}
	if (error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

function toDeliveryError(
	context: IExecuteFunctions,
	failure: unknown,
	send: Send,
	laterResults: ReadonlyArray<unknown>,
	target: WebhookTarget,
): NodeApiError | NodeOperationError {
	const { itemIndex, label } = send;
	const error = failure instanceof PartDeliveryError ? failure.cause : failure;
	if (!(error instanceof WebhookDeliveryError)) {
		return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
	}
	// The results hold holes for what was never attempted, which filter() would skip.
	let notSent = 0;
	for (const result of laterResults) if (result === undefined) notSent++;
	const notSentNote = notSent > 0 ? ` ${notSent} later item(s) were not sent, to keep the order.` : '';
	const partsNote = failure instanceof PartDeliveryError && failure.totalParts > 1 ? ` ${describePostedParts(failure)}` : '';
	const partLabel = failure instanceof PartDeliveryError && failure.totalParts > 1 ? `, part ${failure.failedPart} of ${failure.totalParts}` : '';
	return new NodeApiError(
		context.getNode(),
		{ code: error.code, slackError: error.details.slackError ?? null, status: error.details.status ?? null } as JsonObject,
		{
			message: `${error.message} (${label}${partLabel})`,
			description: `${describeDeliveryFailure(target, error.details)}${partsNote}${notSentNote}`,
			httpCode: error.details.status ? String(error.details.status) : undefined,
			itemIndex,
		},
	);
}

function errorItem(error: NodeApiError | NodeOperationError, send: Send, failure?: unknown, extra: IDataObject = {}): INodeExecutionData {
	const cause = failure instanceof PartDeliveryError ? failure.cause : failure;
	const details = cause instanceof WebhookDeliveryError ? cause.details : undefined;
	return {
		json: {
			ok: false,
			error: error.message,
			description: error.description ?? null,
			...(details && {
				code: (cause as WebhookDeliveryError).code,
				status: details.status ?? null,
				slackError: details.slackError ?? null,
				retryCanHelp: details.retryCanHelp,
				mayHaveBeenPosted: details.mayHaveBeenPosted,
				attempts: details.attempts,
				waitedMs: details.waitedMs,
			}),
			...(failure instanceof PartDeliveryError && { parts: failure.totalParts, postedParts: failure.postedParts }),
			...send.outputFields,
			...extra,
		},
		pairedItem: send.pairedItem,
	};
}
