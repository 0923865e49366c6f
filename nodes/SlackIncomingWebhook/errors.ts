/**
 * Every error the action can meet, and how each becomes what n8n shows: a NodeOperationError for
 * bad input (naming the item and the field), a NodeApiError for a message Slack did not take, and
 * the output item that stands for either under Continue On Fail. The error classes live beside
 * the code that throws them; they are reachable from here.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions, type INode, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

import { describeDeliveryFailure, type Destination } from '../shared/sending/destination';
import { CredentialSetupError } from './delivery/credential-destination';
import { describePostedParts, PartDeliveryError } from './delivery/parts';
import { WebhookDeliveryError } from '../shared/sending/sender';
import { TransportError } from '../shared/sending/transport';
import { MessageValidationError } from '../shared/sending/webhook-message';
import type { Send } from './message/report';
import { describeWorkflowTriggerFailure } from './workflow-trigger/errors';

export { CredentialSetupError, MessageValidationError, PartDeliveryError, TransportError, WebhookDeliveryError };

/** A credential that cannot give a webhook URL fails the run, with the hint that says what to do. */
export function toCredentialError(node: INode, error: unknown): NodeOperationError {
	const hint = error instanceof CredentialSetupError ? error.hint : undefined;
	return new NodeOperationError(node, error as Error, { description: hint });
}

export function toInputError(context: IExecuteFunctions, error: unknown, send: Send): NodeOperationError {
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

export function toDeliveryError(
	context: IExecuteFunctions,
	failure: unknown,
	send: Send,
	laterResults: ReadonlyArray<unknown>,
	destination: Destination,
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
	const described =
		destination.source === 'workflowTrigger'
			? describeWorkflowTriggerFailure(error)
			: { message: error.message, description: describeDeliveryFailure(destination, error.details) };
	return new NodeApiError(
		context.getNode(),
		{ code: error.code, slackError: error.details.slackError ?? null, status: error.details.status ?? null } as JsonObject,
		{
			message: `${described.message} (${label}${partLabel})`,
			description: `${described.description}${partsNote}${notSentNote}`,
			httpCode: error.details.status ? String(error.details.status) : undefined,
			itemIndex,
		},
	);
}

export function errorItem(error: NodeApiError | NodeOperationError, send: Send, failure?: unknown, extra: IDataObject = {}): INodeExecutionData {
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
