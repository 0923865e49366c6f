import type Redis from 'ioredis';
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { redactWebhookUrl } from '../redact';
import { LocalIncomingMessageClaims, recentIncomingMessagesFor, RedisIncomingMessageClaims, type IncomingMessageClaims } from './incoming-message-claims';
import { claimIncomingMessageKey } from './incoming-message-lease';
import { redisClientFor, type RedisCredential } from './redis';
import { RedisSendGate, rateGateRedisKey, startIntervalMsFor, type SendGate } from './send-gates';

/**
 * Where a node keeps the state it shares across n8n processes: the one place that reads a node's
 * "Share Through Redis" setting and its `redis` credential. undefined: kept in this process.
 * The credential is read only when sharing is on, for work that is about to use it: n8n decrypts
 * a credential on every read.
 */
async function redisClientOf(context: IExecuteFunctions | IWebhookFunctions, shareThroughRedis: unknown): Promise<Redis | undefined> {
	if (shareThroughRedis !== true) return undefined;
	return redisClientFor(await context.getCredentials<RedisCredential & Record<string, unknown>>('redis'));
}

/**
 * The action's rate gates: shared through Redis when the node says so, otherwise undefined (each
 * execution keeps its own, as the sender does by default).
 */
export async function sharedSendGatesFor(context: IExecuteFunctions): Promise<((webhookUrl: URL) => SendGate) | undefined> {
	const client = await redisClientOf(context, context.getNodeParameter('shareThroughRedis', 0, false));
	if (!client) return undefined;
	return (webhookUrl) =>
		new RedisSendGate(
			client,
			rateGateRedisKey(webhookUrl),
			(error) =>
				context.logger.warn(
					`Slack Incoming Webhook: ${error.message}; this execution paces its messages to ${redactWebhookUrl(webhookUrl.href)} on its own while Redis cannot be used`,
				),
			{ startIntervalMs: startIntervalMsFor(webhookUrl) },
		);
}

/** The trigger's duplicate filter, per workflow and trigger node: in this process, or in Redis when the node says so. */
async function incomingMessageClaimsFor(context: IWebhookFunctions): Promise<IncomingMessageClaims> {
	const node = context.getNode();
	const triggerKey = `${context.getWorkflow().id ?? ''}:${node.id ?? node.name}`;
	const inThisProcess = new LocalIncomingMessageClaims(recentIncomingMessagesFor(triggerKey));
	const client = await redisClientOf(context, context.getNodeParameter('shareThroughRedis', false));
	if (!client) return inThisProcess;
	return new RedisIncomingMessageClaims(client, triggerKey, inThisProcess, (error) => {
		// Once per cool-down of the process's Redis breaker, not once per request.
		if (error.startedCoolDown) {
			context.logger.warn(`Slack Outgoing Webhook Trigger: ${error.message}; the duplicate filter works in this process only until Redis answers again`);
		}
	});
}

/**
 * Claims an incoming message for this trigger node, before the workflow data is returned to n8n:
 * 'repeat' when a workflow already started for it within `windowMs`; 'inFlight' when another
 * request still holds it (answer so that Slack sends it again); 'new' when this request may start
 * it. A new claim is settled by what n8n answers. When n8n answers once it has created the
 * execution (`n8nAnswersOnReceived`, n8n 2.x), a 2xx means the execution exists and anything else
 * that it could not be created, and Slack's retry then gets through. Otherwise the answer comes
 * from the workflow (its last node, a Respond to Webhook node, an error it ended with), so the
 * execution existed whatever the status. When Slack gave up first and closed the connection, no
 * 'finish' comes, but n8n's answer still ends the response, and the claim's renewals read it there.
 */
export async function claimIncomingMessage(
	context: IWebhookFunctions,
	key: string,
	windowMs: number,
	n8nAnswersOnReceived: boolean,
): Promise<'new' | 'repeat' | 'inFlight'> {
	const claims = await incomingMessageClaimsFor(context);
	const outcome = await claimIncomingMessageKey(claims, key, { windowMs });
	if (outcome.state !== 'new') return outcome.state === 'started' ? 'repeat' : 'inFlight';
	const { held } = outcome;
	const response = context.getResponseObject();
	const outcomeOfAnswer = () => {
		if (!response.writableEnded) return undefined;
		return !n8nAnswersOnReceived || (response.statusCode >= 200 && response.statusCode < 300) ? 'started' : 'notStarted';
	};
	response.once('finish', () => void (outcomeOfAnswer() === 'notStarted' ? held.notStarted() : held.started()));
	held.settleWhen(outcomeOfAnswer);
	return 'new';
}
