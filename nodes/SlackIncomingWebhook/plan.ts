/**
 * The action's parameters read into plans: where each item's message goes, the message itself
 * (built, checked and split into parts), and how it is delivered. Nothing here sends anything.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INode } from 'n8n-workflow';

import { AUTHENTICATION, LONG_MESSAGES, REPORT_FORMAT, SEND_MODE } from './description';
import { toCredentialError } from './errors';
import { createParameterReader } from './parameters';
import { parseAllowedOrigins, responseUrlMessage, responseUrlDestination, type Destination } from '../shared/sending/destination';
import { authenticationFromValue, destinationFromOAuthTokenData, destinationFromUrlCredential } from './delivery/credential-destination';
import type { ResponseUrlReservation } from '../shared/sending/response-url-uses';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../shared/sending/sender';
import { attachmentsFromFields, buildWebhookMessage, type AttachmentFieldsInput, type MessageInput } from './message/build';
import { FIELD_NAMES, MessageValidationError, type WebhookMessage } from '../shared/sending/webhook-message';
import { SLACK_TABLE } from '../shared/slack';
import { planTableReport, readReportFormat, type TableInput } from './table-plan';
import { buildReportText, messageFor, reportOf, type Send } from './message/report';
import { planMessageSplit, type MessageSplit } from './message/split';

export type ParameterReader = ReturnType<typeof createParameterReader>;

/** One message per item, or one report of every item ("All Items as One Report"). */
export function readSends(read: ParameterReader, itemCount: number): Send[] {
	return read<string>('send', 0, SEND_MODE.messagePerItem) === SEND_MODE.report
		? [reportOf(itemCount)]
		: Array.from({ length: itemCount }, (_, itemIndex) => messageFor(itemIndex));
}

/**
 * Where each item's message goes. A credential's URL is the same for every item (n8n resolves a
 * node's credentials once per run); a response URL is each item's own, since items may come from
 * different commands.
 */
export async function readDestinationChooser(context: IExecuteFunctions, read: ParameterReader): Promise<(itemIndex: number) => Destination> {
	const value = context.getNodeParameter('authentication', 0, AUTHENTICATION.webhookUrl.value);
	const authentication = authenticationFromValue(value);
	if (!authentication) {
		throw new NodeOperationError(context.getNode(), `Unknown authentication "${String(value)}" (field "authentication")`);
	}
	if (authentication === 'responseUrl') {
		return (itemIndex) =>
			responseUrlDestination(
				read<unknown>('responseUrl', itemIndex, ''),
				parseAllowedOrigins(read<IDataObject>('options', itemIndex, {}).allowedResponseUrlHosts),
			);
	}
	const credential = await context.getCredentials<IDataObject>(AUTHENTICATION[authentication].credentialType);
	if (authentication === 'webhookUrl') {
		const destination = destinationFromUrlCredential(credential);
		return () => destination;
	}
	try {
		const destination = destinationFromOAuthTokenData(credential.oauthTokenData);
		return () => destination;
	} catch (error) {
		throw toCredentialError(context.getNode(), error);
	}
}

function readResponseUrlOptions(read: ParameterReader, itemIndex: number) {
	return {
		responseType: read<unknown>('responseType', itemIndex, 'ephemeral'),
		replaceOriginal: read<boolean>('replaceOriginal', itemIndex, false),
		deleteOriginal: read<boolean>('deleteOriginal', itemIndex, false),
	};
}

/** Says which parts had to be cut inside a Slack token or a character (see `describeCut`), when any did. */
export function splitNotesFields(message: PlannedMessage | undefined): IDataObject {
	return message && message.splitNotes.length > 0 ? { splitNotes: message.splitNotes } : {};
}

/** Names the channel in each output item when the credential knows it, as OAuth2 ones do. */
export function channelFields(destination: Destination): IDataObject {
	return destination.source === 'oauth' ? { channel: destination.channel.name, channelId: destination.channel.id } : {};
}

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

export interface PlannedMessage {
	destination: Destination;
	parts: object[];
	splitNotes: string[];
	policy: DeliveryPolicy;
	ordered: boolean;
	concurrency: number;
}

/** A planned message holding its share of a Slack response URL's messages (nothing for other destinations). */
export interface ReservedMessage extends PlannedMessage {
	reservation: ResponseUrlReservation;
}

export function planMessage(read: ParameterReader, send: Send, destination: Destination, node: INode, table?: TableInput): PlannedMessage {
	const options = read<IDataObject>('options', send.itemIndex, {});
	const split = options.longMessages !== LONG_MESSAGES.fail;
	const buildParts = (): MessageSplit => {
		const input = readMessageInput(read, send.itemIndex);
		if (send.reportOf !== undefined && table && readReportFormat(read) !== REPORT_FORMAT.lines) {
			return { parts: tableParts(input, planTableReport(read, node, table, send.reportOf, readReportFrame(read)), split), notes: [] };
		}
		const message = buildWebhookMessage(send.reportOf === undefined ? input : { ...input, text: readReportText(read, send.reportOf, node), blocks: undefined, attachments: undefined }, {
			allowOverLimit: split,
		});
		return split ? planMessageSplit(message) : { parts: [message], notes: [] };
	};
	const { parts, notes } = destination.source === 'responseUrl' ? responseUrlParts(readResponseUrlOptions(read, send.itemIndex), buildParts) : buildParts();
	return {
		destination,
		parts,
		splitNotes: notes,
		policy: readDeliveryPolicy(options),
		ordered: options.orderedDelivery !== false,
		concurrency: Number(options.concurrency ?? 5),
	};
}

/**
 * A long answer to a response URL goes out in parts too. Only the first part may replace the
 * command's original message: a later one would replace the part before it.
 */
function responseUrlParts(options: ReturnType<typeof readResponseUrlOptions>, buildParts: () => MessageSplit): { parts: object[]; notes: string[] } {
	if (options.deleteOriginal) return { parts: [responseUrlMessage(options, () => ({}) as WebhookMessage)], notes: [] };
	const { parts, notes } = buildParts();
	return { parts: parts.map((part, index) => responseUrlMessage({ ...options, replaceOriginal: index === 0 && options.replaceOriginal }, () => part)), notes };
}

/**
 * A table report's messages, each with the thread, overrides and formatting every part carries
 * (checked as any message's are). With Long Messages set to Fail, a table that needs more than one
 * message is refused whole.
 */
function tableParts(input: MessageInput, messages: WebhookMessage[], split: boolean): WebhookMessage[] {
	if (!split && messages.length > 1) {
		throw new MessageValidationError(
			FIELD_NAMES.text,
			`The table needs ${messages.length} messages; with Long Messages set to Fail it must fit one (${SLACK_TABLE.maxRows - 1} rows, ${SLACK_TABLE.maxCharactersPerTable.toLocaleString('en-US')} characters)`,
			'Set Options → Long Messages to Split to send it as consecutive messages.',
		);
	}
	const placement = buildWebhookMessage({ ...input, text: messages[0].text, blocks: undefined, attachments: undefined });
	return messages.map((message) => ({ ...placement, ...message }));
}

function readReportFrame(read: ParameterReader): { header: string; footer: string } {
	return { header: String(read<unknown>('reportHeader', 0, '') ?? ''), footer: String(read<unknown>('reportFooter', 0, '') ?? '') };
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
	return buildReportText({ ...readReportFrame(read), lines });
}

export function readDeliveryPolicy(options: IDataObject): DeliveryPolicy {
	const seconds = (value: unknown, fallbackMs: number) =>
		typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value * 1000) : fallbackMs;
	return {
		timeoutMs: Math.max(1000, seconds(options.timeout, DEFAULT_DELIVERY_POLICY.timeoutMs)),
		maxRetries: typeof options.maxRetries === 'number' ? options.maxRetries : DEFAULT_DELIVERY_POLICY.maxRetries,
		maxRateLimitWaitMs: seconds(options.maxRateLimitWait, DEFAULT_DELIVERY_POLICY.maxRateLimitWaitMs),
		retryWhenMaybePosted: options.retryWhenMaybePosted === true,
	};
}
