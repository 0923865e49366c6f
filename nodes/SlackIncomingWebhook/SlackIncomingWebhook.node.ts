import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { createParameterReader } from '../shared/parameters';
import { SLACK_WEBHOOK_ERRORS } from '../shared/slack';
import { DEFAULT_DELIVERY_POLICY, WebhookDeliveryError, WebhookSender, type DeliveryPolicy } from '../shared/delivery';
import { runPerKey, type KeyedJob } from '../shared/per-key-queue';
import { sharedSendGatesFor } from '../shared/shared-rate-gate';
import { createWebhookDispatcher } from '../shared/transport';
import { testIncomingWebhook } from '../shared/webhook-test';
import { authenticationProperty, messageProperties, shareThroughRedisProperty } from './description';
import {
	attachmentsFromFields,
	buildWebhookMessage,
	MessageValidationError,
	type AttachmentFieldsInput,
	type MessageInput,
	type WebhookMessage,
} from './payload';
import {
	AUTHENTICATION,
	CredentialSetupError,
	isAuthentication,
	RECONNECT_FOR_NEW_WEBHOOK,
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
		properties: [authenticationProperty, ...messageProperties, shareThroughRedisProperty],
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
		const target = await readWebhookTarget(this);
		const webhookUrl = target.url;
		const continueOnFail = this.continueOnFail();

		// Every message is checked before any is sent, so bad input never leaves a batch half-posted.
		const messages: Array<{ message: WebhookMessage; policy: DeliveryPolicy; ordered: boolean; concurrency: number } | undefined> = [];
		const output: INodeExecutionData[] = new Array(items.length);
		const read = createParameterReader(this);
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const options = read<IDataObject>('options', itemIndex, {});
				messages.push({
					message: buildWebhookMessage(readMessageInput(read, itemIndex)),
					policy: readDeliveryPolicy(options),
					ordered: options.orderedDelivery !== false,
					concurrency: Number(options.concurrency ?? 5),
				});
			} catch (error) {
				const nodeError = toInputError(this, error, itemIndex);
				if (!continueOnFail) throw nodeError;
				messages.push(undefined);
				output[itemIndex] = errorItem(nodeError, itemIndex);
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
							key: webhookUrl,
							run: async () => ({ ...(await sender.deliver(webhookUrl, entry.message, entry.policy)) }),
						}
					: undefined,
			);
			const results = await runPerKey(jobs, ordered ? 1 : (first?.concurrency ?? 5), !continueOnFail);

			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				const result = results[itemIndex];
				if (!result) continue;
				if (result.status === 'fulfilled') {
					output[itemIndex] = { json: { ...result.value, ...channelFields(target) }, pairedItem: { item: itemIndex } };
					continue;
				}
				const nodeError = toDeliveryError(this, result.reason, itemIndex, results, target);
				if (!continueOnFail) throw nodeError;
				output[itemIndex] = errorItem(nodeError, itemIndex, result.reason, channelFields(target));
			}
		} finally {
			await dispatcher.close();
		}
		return [output.filter((item) => item !== undefined)];
	}
}

/** The credential is the same for every item: n8n resolves a node's credentials once per run. */
async function readWebhookTarget(context: IExecuteFunctions): Promise<WebhookTarget> {
	const authentication = context.getNodeParameter('authentication', 0, AUTHENTICATION.webhookUrl.value);
	if (!isAuthentication(authentication)) {
		throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(authentication)}" (field "authentication")`);
	}
	const { credentialType } = AUTHENTICATION[authentication];
	const credential = await context.getCredentials<IDataObject>(credentialType);
	if (authentication === 'webhookUrl') return webhookTargetFromUrlCredential(credential);
	try {
		return webhookTargetFromOAuthTokenData(credential.oauthTokenData);
	} catch (error) {
		const hint = error instanceof CredentialSetupError ? error.hint : undefined;
		throw new NodeOperationError(context.getNode(), error as Error, { description: hint });
	}
}

/** Names the channel in each output item when the credential knows it, as OAuth2 ones do. */
function channelFields(target: WebhookTarget): IDataObject {
	return target.source === 'oauth' ? { channel: target.channel.name, channelId: target.channel.id } : {};
}

function readMessageInput(read: ReturnType<typeof createParameterReader>, itemIndex: number): MessageInput {
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

function toInputError(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof MessageValidationError) {
		return new NodeOperationError(context.getNode(), `${error.message} (item ${itemIndex}, field "${error.field}")`, {
			itemIndex,
			description: error.hint,
		});
	}
	if (error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

function toDeliveryError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	results: ReadonlyArray<unknown>,
	target: WebhookTarget,
): NodeApiError | NodeOperationError {
	if (!(error instanceof WebhookDeliveryError)) {
		return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
	}
	let notSent = 0;
	for (let index = itemIndex + 1; index < results.length; index++) if (results[index] === undefined) notSent++;
	const notSentNote = notSent > 0 ? ` ${notSent} later item(s) were not sent, to keep the order.` : '';
	const slackError = error.details.slackError ? SLACK_WEBHOOK_ERRORS[error.details.slackError] : undefined;
	const reconnectNote = target.source === 'oauth' && slackError?.newWebhookHelps ? ` ${RECONNECT_FOR_NEW_WEBHOOK}` : '';
	return new NodeApiError(
		context.getNode(),
		{ code: error.code, slackError: error.details.slackError ?? null, status: error.details.status ?? null } as JsonObject,
		{
			message: `${error.message} (item ${itemIndex})`,
			description: `${error.details.description}${reconnectNote}${notSentNote}`,
			httpCode: error.details.status ? String(error.details.status) : undefined,
			itemIndex,
		},
	);
}

function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number, cause?: unknown, extra: IDataObject = {}): INodeExecutionData {
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
			...extra,
		},
		pairedItem: { item: itemIndex },
	};
}
