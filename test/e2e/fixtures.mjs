// Credentials and workflows the end-to-end suite imports into n8n with its CLI. The secrets in
// secrets.json are made up for the suite and look nothing like real ones.
import E2E from './secrets.json' with { type: 'json' };

export { E2E };

export const credentialIds = {
	incoming: 'e2eIncomingHook1',
	outgoing: 'e2eOutgoingHook1',
	signed: 'e2eSignedHook001',
	oauth: 'e2eAddToSlack001',
	oauthNoWebhook: 'e2eAddToSlackBot',
};

/**
 * The "Add to Slack" apps the suite's Slack OAuth server knows (test/helpers/slack-oauth-server):
 * one installs with the incoming-webhook scope; the other is set up with chat:write only, so
 * Slack's answer has no incoming webhook.
 */
export const OAUTH_APPS = {
	webhook: { clientId: 'e2e-webhook-app', credentialId: credentialIds.oauth, workflowId: 'e2eAddToSlackWf1', path: 'e2e-oauth-action' },
	noWebhook: { clientId: 'e2e-bot-only-app', credentialId: credentialIds.oauthNoWebhook, workflowId: 'e2eAddToSlackWf2', path: 'e2e-oauth-no-webhook' },
};

/**
 * A host name with a 64-character label: the system resolver refuses it without sending a DNS
 * query, so "unknown host" is tested without leaving the machine.
 */
export const UNRESOLVABLE_HOST = `${'n'.repeat(64)}.example`;

/** Incoming webhook credentials that fail each way the network can, each with the secret path in its URL. */
export function failingWebhookUrls({ slackPort, tlsPort }) {
	return {
		malformed: `hooks.slack.com/services/${E2E.webhookSecretPath}`,
		unknownHost: `http://${UNRESOLVABLE_HOST}/services/${E2E.webhookSecretPath}`,
		untrustedTls: `https://127.0.0.1:${tlsPort}/services/${E2E.webhookSecretPath}`,
		timeout: `http://127.0.0.1:${slackPort}/services/${E2E.webhookSecretPath}/stall`,
	};
}

export function buildCredentials({ slackPort, tlsPort, oauthPort }) {
	return [
		// Slack's authorize and access URLs are fixed in the credential type; here they point to the
		// suite's OAuth server. Like a user's, these credentials start unconnected.
		...Object.values(OAUTH_APPS).map(({ clientId, credentialId }) => ({
			id: credentialId,
			name: `E2E Add to Slack: ${clientId}`,
			type: 'slackIncomingWebhookOAuth2Api',
			data: {
				clientId,
				clientSecret: E2E.oauthClientSecret,
				authUrl: `http://127.0.0.1:${oauthPort}/oauth/v2/authorize`,
				accessTokenUrl: `http://127.0.0.1:${oauthPort}/api/oauth.v2.access`,
			},
		})),
		...Object.entries(failingWebhookUrls({ slackPort, tlsPort })).map(([kind, webhookUrl]) => ({
			id: failureCredentialId(kind),
			name: `E2E failing webhook: ${kind}`,
			type: 'slackIncomingWebhookApi',
			data: { webhookUrl },
		})),
		{
			id: credentialIds.incoming,
			name: 'E2E incoming webhook',
			type: 'slackIncomingWebhookApi',
			data: { webhookUrl: `http://127.0.0.1:${slackPort}/services/${E2E.webhookSecretPath}` },
		},
		{
			id: credentialIds.outgoing,
			name: 'E2E outgoing webhook',
			type: 'slackOutgoingWebhookApi',
			data: { token: E2E.token, additionalTokens: '', signingSecret: '', allowedTeamIds: '' },
		},
		{
			id: credentialIds.signed,
			name: 'E2E slash command (signed)',
			type: 'slackOutgoingWebhookApi',
			data: { token: E2E.token, additionalTokens: '', signingSecret: E2E.signingSecret, allowedTeamIds: '' },
		},
	];
}

const TRIGGER = 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger';
const ACTION = 'n8n-nodes-slack-webhooks.slackIncomingWebhook';

export const trigger = (webhookId, parameters, credentialId = credentialIds.outgoing) => ({
	id: `${webhookId}-trigger`,
	name: 'Slack Outgoing Webhook Trigger',
	type: TRIGGER,
	typeVersion: 1,
	position: [0, 0],
	webhookId,
	parameters,
	credentials: { slackOutgoingWebhookApi: { id: credentialId, name: 'E2E' } },
});

export const action = (id, parameters, credentialId = credentialIds.incoming) => ({
	id,
	name: 'Slack Incoming Webhook',
	type: ACTION,
	typeVersion: 1,
	position: [400, 0],
	parameters,
	credentials:
		parameters.authentication === 'oAuth2'
			? { slackIncomingWebhookOAuth2Api: { id: credentialId, name: 'E2E Add to Slack' } }
			: { slackIncomingWebhookApi: { id: credentialId, name: 'E2E incoming webhook' } },
});

/** n8n credential and workflow IDs are 16 characters. */
const failureCredentialId = (kind) => `e2eFail${kind}`.padEnd(16, '0').slice(0, 16);
export const failureWorkflowId = (kind) => `e2eFailWf${kind}`.padEnd(16, '0').slice(0, 16);
export const FAILURE_KINDS = ['malformed', 'unknownHost', 'untrustedTls', 'timeout'];

export const webhookNode = (id, path) => ({
	id,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: path,
	parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
});

const setNode = (id, fields) => ({
	id,
	name: 'Set Reply',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	position: [200, 0],
	parameters: {
		assignments: {
			assignments: Object.entries(fields).map(([name, value], index) => ({ id: `${id}-${index}`, name, value, type: 'string' })),
		},
		options: {},
	},
});

export const chain = (...names) =>
	Object.fromEntries(names.slice(0, -1).map((name, index) => [name, { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] }]));

export const workflow = (id, name, nodes, connections = {}) => ({
	id,
	name,
	active: false,
	nodes,
	connections,
	settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
	pinData: {},
});

/** Each workflow's webhook path is /webhook/<webhookId>/slack (or the Webhook node's path). */
export function buildWorkflows() {
	return [
		workflow('e2eImmediate0001', 'E2E trigger: immediate reply', [
			trigger('e2e-immediate', { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' }),
		]),
		workflow(
			'e2eLastNode00001',
			'E2E trigger: reply from the last node',
			[
				trigger('e2e-last-node', { triggerWords: 'deploy', matchMode: 'firstWord', respond: 'lastNode' }),
				setNode('e2e-set', { text: '=Deploying {{ $json.args[0] }}', username: 'deploy-bot', internal_note: 'must not reach Slack' }),
				{ id: 'e2e-noop', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} },
			],
			chain('Slack Outgoing Webhook Trigger', 'Set Reply', 'Done'),
		),
		workflow(
			'e2eRespondNode01',
			'E2E trigger: Respond to Webhook node',
			[
				trigger('e2e-respond-node', { triggerWords: 'status', respond: 'responseNode' }),
				{
					id: 'e2e-respond',
					name: 'Respond to Webhook',
					type: 'n8n-nodes-base.respondToWebhook',
					typeVersion: 1,
					position: [200, 0],
					parameters: { respondWith: 'json', responseBody: '={{ { "text": "All systems go for " + $json.user_name } }}', options: {} },
				},
			],
			chain('Slack Outgoing Webhook Trigger', 'Respond to Webhook'),
		),
		workflow('e2eMattermost001', 'E2E trigger: Mattermost', [
			trigger('e2e-mattermost', { channels: 'town-square', respond: 'immediately', replyText: '=Heard {{ $json.body?.user_name ?? "you" }}', replyOptions: { responseType: 'comment' } }),
		]),
		workflow(
			'e2eSignedSlash01',
			'E2E trigger: signed slash command',
			[trigger('e2e-signed', { triggerWords: '/weather', respond: 'immediately', replyText: 'Checking the sky', replyOptions: { responseType: 'ephemeral' } }, credentialIds.signed)],
		),
		workflow(
			'e2eRoundTrip0001',
			'E2E round trip: trigger, then a threaded reply',
			[
				trigger('e2e-round-trip', { triggerWords: 'echo', respond: 'noReply' }),
				action('e2e-round-trip-action', {
					text: '={{ $json.text_without_trigger }}',
					thread: { threadTs: '={{ $json.thread_ts || $json.timestamp }}' },
				}),
			],
			chain('Slack Outgoing Webhook Trigger', 'Slack Incoming Webhook'),
		),
		workflow(
			'e2eAction000001',
			'E2E action: messages from a webhook',
			[
				webhookNode('e2e-action-webhook', 'e2e-action'),
				{
					id: 'e2e-action-split',
					name: 'Split Out',
					type: 'n8n-nodes-base.splitOut',
					typeVersion: 1,
					position: [200, 0],
					parameters: { fieldToSplitOut: 'body.messages', options: {} },
				},
				action('e2e-action-send', {
					text: '={{ $json.text ?? "" }}',
					blocksJson: '={{ $json.blocks ? JSON.stringify($json.blocks) : "" }}',
					attachmentsInput: 'json',
					attachmentsJson: '={{ $json.attachments ? JSON.stringify($json.attachments) : "" }}',
					thread: { threadTs: '={{ $json.thread_ts ?? "" }}' },
					overrides: { channel: '={{ $json.channel ?? "" }}', username: '={{ $json.username ?? "" }}', iconEmoji: '={{ $json.icon_emoji ?? "" }}' },
					options: { timeout: 5, maxRateLimitWait: 30 },
				}),
			],
			chain('Webhook', 'Split Out', 'Slack Incoming Webhook'),
		),
		// The load test's trigger: its executions are counted against the matching requests sent.
		workflow('e2eLoadTrigger01', 'E2E load: trigger', [trigger('e2e-load', { triggerWords: 'load', respond: 'immediately', replyText: 'ok' })]),
		// "Add to Slack": each posts through an OAuth2 credential the suite connects with n8n's OAuth flow.
		...Object.values(OAUTH_APPS).map(({ clientId, credentialId, workflowId, path }) =>
			workflow(
				workflowId,
				`E2E Add to Slack: ${clientId}`,
				[
					webhookNode(`${path}-webhook`, path),
					action(`${path}-send`, { authentication: 'oAuth2', text: '={{ $json.body.text }}', options: { timeout: 5, maxRetries: 0 } }, credentialId),
				],
				chain('Webhook', 'Slack Incoming Webhook'),
			),
		),
		// One workflow per failing credential: each run fails, and n8n stores and logs the failure.
		...FAILURE_KINDS.map((kind) =>
			workflow(
				failureWorkflowId(kind),
				`E2E action failure: ${kind}`,
				[webhookNode(`e2e-fail-${kind}-webhook`, `e2e-fail-${kind}`), action(`e2e-fail-${kind}-send`, { text: 'Secret check', options: { timeout: 1, maxRetries: 0 } }, failureCredentialId(kind))],
				chain('Webhook', 'Slack Incoming Webhook'),
			),
		),
	];
}
