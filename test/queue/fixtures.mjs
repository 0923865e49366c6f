// Credentials and workflows the queue-mode suite imports into n8n. The trigger workflows of the
// end-to-end suite are reused as they are; the rest turn the "Share ... Through Redis" settings on.
import { action, buildCredentials, buildWorkflows, chain, credentialIds, E2E, trigger, webhookNode, workflow } from '../e2e/fixtures.mjs';

export { E2E };

/** The end-to-end workflows case (a) runs through the webhook processes. */
export const REUSED_WORKFLOWS = { immediate: 'e2eImmediate0001', lastNode: 'e2eLastNode00001', respondNode: 'e2eRespondNode01' };

export const QUEUE = {
	redisCredential: 'queueRedisN8n001',
	/** A second Redis, for the action's gate only, that case (e) stops while messages are being sent. */
	gateRedisCredential: 'queueRedisGate01',
	dedupeWorkflow: 'queueDedupe00001',
	loadWorkflow: 'queueLoad0000001',
	burstWorkflow: 'queueBurst000001',
	fallbackWorkflow: 'queueBurstFall01',
};

/** The end-to-end trigger, with its duplicate filter in Redis. */
const sharedTrigger = (id, webhookId, triggerWords) => {
	const node = trigger(webhookId, { triggerWords, respond: 'immediately', replyText: 'ok', shareThroughRedis: true });
	node.credentials.redis = { id: QUEUE.redisCredential, name: "n8n's Redis" };
	return workflow(id, `Queue: trigger "${triggerWords}", duplicate filter in Redis`, [node]);
};

/** A Webhook that answers with every item the action returns, the messages split out of its body. */
const burstSender = (id, path, redisCredential) => {
	const send = action(`${path}-send`, { text: '={{ $json.text }}', shareThroughRedis: true, options: { maxRateLimitWait: 120 } });
	send.credentials.redis = { id: redisCredential, name: 'Redis' };
	const split = { id: `${path}-split`, name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.messages', options: {} } };
	return workflow(id, `Queue: messages from a webhook, rate gate in Redis (${path})`, [webhookNode(`${path}-webhook`, path), split, send], chain('Webhook', 'Split Out', 'Slack Incoming Webhook'));
};

export function queueCredentials({ slackPort, redisPort, gateRedisPort }) {
	const reused = buildCredentials({ slackPort, tlsPort: 0, oauthPort: 0 }).filter(({ id }) => id === credentialIds.outgoing || id === credentialIds.incoming);
	const redis = (id, name, port) => ({ id, name, type: 'redis', data: { host: '127.0.0.1', port, database: 0, user: '', password: '', ssl: false } });
	return [...reused, redis(QUEUE.redisCredential, "n8n's Redis", redisPort), redis(QUEUE.gateRedisCredential, 'Rate gate Redis', gateRedisPort)];
}

export function queueWorkflows() {
	return [
		// The reused trigger workflows post nowhere, so no Slack port is needed to build them.
		...buildWorkflows({ slackPort: 0 }).filter(({ id }) => Object.values(REUSED_WORKFLOWS).includes(id)),
		sharedTrigger(QUEUE.dedupeWorkflow, 'queue-dedupe', 'dup'),
		sharedTrigger(QUEUE.loadWorkflow, 'queue-load', 'load'),
		burstSender(QUEUE.burstWorkflow, 'queue-burst', QUEUE.redisCredential),
		burstSender(QUEUE.fallbackWorkflow, 'queue-burst-fallback', QUEUE.gateRedisCredential),
	];
}

/** The webhook paths the suite waits for on each webhook process before it starts. */
export const WEBHOOK_PATHS = [
	'/webhook/e2e-immediate/slack',
	'/webhook/e2e-last-node/slack',
	'/webhook/e2e-respond-node/slack',
	'/webhook/queue-dedupe/slack',
	'/webhook/queue-load/slack',
	'/webhook/queue-burst',
	'/webhook/queue-burst-fallback',
];
