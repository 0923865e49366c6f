// Credentials and workflows the end-to-end suite imports into n8n with its CLI. The secrets in
// secrets.json are made up for the suite and look nothing like real ones.
import SCHEDULED_REPORT_EXAMPLE from '../../docs/examples/scheduled-report.json' with { type: 'json' };
import E2E from './secrets.json' with { type: 'json' };
import LATE_REPLY_EXAMPLE from '../../docs/examples/slash-command-late-reply.json' with { type: 'json' };

export { E2E };

export const credentialIds = {
	incoming: 'e2eIncomingHook1',
	outgoing: 'e2eOutgoingHook1',
	signed: 'e2eSignedHook001',
	signingSecretOnly: 'e2eSigningOnly01',
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

/** The report suite's workflows, each started by a Webhook node at /webhook/<path>. */
export const REPORT_WORKFLOWS = {
	example: { id: 'e2eReportExample', path: 'e2e-report-example' },
	rows: { id: 'e2eReportRows001', path: 'e2e-report-rows' },
};

/**
 * docs/examples/scheduled-report.json as it is, but started by a Webhook node (under the Schedule
 * Trigger's name, so its connections hold) and posting to the suite's Slack.
 */
function scheduledReportExampleBehindWebhook() {
	const { id, path } = REPORT_WORKFLOWS.example;
	const nodes = SCHEDULED_REPORT_EXAMPLE.nodes.map((node) => {
		if (node.type === 'n8n-nodes-base.scheduleTrigger') return { ...webhookNode(`${path}-webhook`, path), name: node.name, position: node.position };
		if (node.type === ACTION) return { ...node, credentials: { slackWebhooksIncomingUrlApi: { id: credentialIds.incoming, name: 'E2E incoming webhook' } } };
		return node;
	});
	return workflow(id, 'E2E report: the scheduled-report example, started by a webhook', nodes, SCHEDULED_REPORT_EXAMPLE.connections);
}

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

/** Slack's authorize and access URLs, pointed at the suite's OAuth server. */
const oauthEndpoints = (oauthPort) => ({
	authUrl: `http://127.0.0.1:${oauthPort}/oauth/v2/authorize`,
	accessTokenUrl: `http://127.0.0.1:${oauthPort}/api/oauth.v2.access`,
});

/**
 * The same URLs as n8n credential overwrites (CREDENTIALS_OVERWRITE_DATA): n8n 2.41 ignores stored
 * values of the OAuth fields a credential type declares hidden (CredentialsHelper.
 * applyDefaultsAndOverwrites drops OAUTH_PINNED_FIELDS) and applies overwrites after that.
 */
export const oauthCredentialOverwrites = (oauthPort) => JSON.stringify({ slackWebhooksIncomingOAuth2Api: oauthEndpoints(oauthPort) });

export function buildCredentials({ slackPort, tlsPort, oauthPort }) {
	return [
		// Slack's authorize and access URLs are fixed in the credential type; here they point to the
		// suite's OAuth server (stored, as n8n 2.40 and 1.x read them, and as overwrites for 2.41).
		// Like a user's, these credentials start unconnected.
		...Object.values(OAUTH_APPS).map(({ clientId, credentialId }) => ({
			id: credentialId,
			name: `E2E Add to Slack: ${clientId}`,
			type: 'slackWebhooksIncomingOAuth2Api',
			data: { clientId, clientSecret: E2E.oauthClientSecret, ...oauthEndpoints(oauthPort) },
		})),
		...Object.entries(failingWebhookUrls({ slackPort, tlsPort })).map(([kind, webhookUrl]) => ({
			id: failureCredentialId(kind),
			name: `E2E failing webhook: ${kind}`,
			type: 'slackWebhooksIncomingUrlApi',
			data: { webhookUrl },
		})),
		{
			id: credentialIds.incoming,
			name: 'E2E incoming webhook',
			type: 'slackWebhooksIncomingUrlApi',
			data: { webhookUrl: `http://127.0.0.1:${slackPort}/services/${E2E.webhookSecretPath}` },
		},
		{
			id: credentialIds.outgoing,
			name: 'E2E outgoing webhook',
			type: 'slackWebhooksOutgoingApi',
			data: { token: E2E.token, additionalTokens: '', signingSecret: '', allowedTeamIds: '' },
		},
		{
			id: credentialIds.signed,
			name: 'E2E slash command (signed)',
			type: 'slackWebhooksOutgoingApi',
			data: { token: E2E.token, additionalTokens: '', signingSecret: E2E.signingSecret, allowedTeamIds: '' },
		},
		{
			// A Slack app verified by its signing secret alone: no verification token.
			id: credentialIds.signingSecretOnly,
			name: 'E2E Slack app (signing secret only)',
			type: 'slackWebhooksOutgoingApi',
			data: { token: '', additionalTokens: '', signingSecret: E2E.signingSecret, allowedTeamIds: '' },
		},
	];
}

const TRIGGER = 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger';
const ACTION = 'n8n-nodes-slack-webhooks.slackIncomingWebhook';

/**
 * The trigger's type versions under test: 2 is what a new node gets; workflows saved with 1 must
 * keep working as they did. Version 1 copies of the trigger workflows have IDs ending in "v1" and
 * webhook IDs ending in "-v1".
 */
export const TRIGGER_TYPE_VERSIONS = [2, 1];
export const versionedWorkflowId = (id, typeVersion) => (typeVersion === 2 ? id : `${id.slice(0, 14)}v${typeVersion}`);
export const versionedWebhookId = (webhookId, typeVersion) => (typeVersion === 2 ? webhookId : `${webhookId}-v${typeVersion}`);

export const trigger = (webhookId, parameters, credentialId = credentialIds.outgoing, typeVersion = 2) => ({
	id: `${webhookId}-trigger`,
	name: 'Slack Outgoing Webhook Trigger',
	type: TRIGGER,
	typeVersion,
	position: [0, 0],
	webhookId,
	parameters,
	credentials: { slackWebhooksOutgoingApi: { id: credentialId, name: 'E2E' } },
});

const ACTION_CREDENTIALS = {
	webhookUrl: (credentialId) => ({ slackWebhooksIncomingUrlApi: { id: credentialId, name: 'E2E incoming webhook' } }),
	oAuth2: (credentialId) => ({ slackWebhooksIncomingOAuth2Api: { id: credentialId, name: 'E2E Add to Slack' } }),
	// Response URL (Slash Command): the URL comes with the item, no credential.
	none: () => undefined,
};

export const action = (id, parameters, credentialId = credentialIds.incoming) => ({
	id,
	name: 'Slack Incoming Webhook',
	type: ACTION,
	typeVersion: 1,
	position: [400, 0],
	parameters,
	credentials: ACTION_CREDENTIALS[parameters.authentication ?? 'webhookUrl'](credentialId),
});

/**
 * Slash commands whose answer comes late, through the response URL: the trigger acknowledges at
 * once, a Wait node stands for a slow step, then the action posts to the command's response_url
 * (the fake Slack server, allowed by Allowed Response URL Hosts). The second leaves that option
 * empty, so the fake server's URL is refused as Slack's defaults say.
 */
export const LATE_REPLY = {
	allowed: { workflowId: 'e2eLateReply0001', webhookId: 'e2e-late-reply', command: '/report' },
	refused: { workflowId: 'e2eLateRefused01', webhookId: 'e2e-late-refused', command: '/report' },
	acknowledgement: 'Working on it…',
	waitSeconds: 3,
};

/**
 * The README's example workflow as a user imports it, given what a user adds before activating:
 * the trigger's credential, and (only because the suite's Slack is on 127.0.0.1) that host.
 */
export const DOCS_EXAMPLE = { workflowId: 'e2eDocsExample01', webhookId: LATE_REPLY_EXAMPLE.nodes[0].webhookId };

const docsExampleWorkflow = (slackPort) => ({
	...workflow(DOCS_EXAMPLE.workflowId, `E2E docs example: ${LATE_REPLY_EXAMPLE.name}`, []),
	nodes: LATE_REPLY_EXAMPLE.nodes.map((node) => {
		if (node.type === TRIGGER) return { ...node, credentials: { slackWebhooksOutgoingApi: { id: credentialIds.signed, name: 'E2E' } } };
		if (node.type === ACTION) return { ...node, parameters: { ...node.parameters, options: { allowedResponseUrlHosts: `http://127.0.0.1:${slackPort}` } } };
		return node;
	}),
	connections: LATE_REPLY_EXAMPLE.connections,
});

const lateReplyWorkflow = ({ workflowId, webhookId, command }, allowedResponseUrlHosts) =>
	workflow(
		workflowId,
		`E2E late reply through the response URL (${allowedResponseUrlHosts ? 'allowed host' : 'host not allowed'})`,
		[
			trigger(webhookId, { triggerWords: command, respond: 'immediately', replyText: LATE_REPLY.acknowledgement, replyOptions: { responseType: 'ephemeral' } }, credentialIds.signed),
			{
				id: `${webhookId}-wait`,
				name: 'Slow Step',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				position: [200, 0],
				webhookId: `${webhookId}-wait`,
				parameters: { resume: 'timeInterval', amount: LATE_REPLY.waitSeconds, unit: 'seconds' },
			},
			action(`${webhookId}-answer`, {
				authentication: 'none',
				responseType: 'in_channel',
				replaceOriginal: true,
				text: '=Report for {{ $json.text }}, as {{ $json.user_name }} asked',
				options: { allowedResponseUrlHosts, timeout: 5, maxRetries: 0 },
			}),
		],
		chain('Slack Outgoing Webhook Trigger', 'Slow Step', 'Slack Incoming Webhook'),
	);

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

/** One item per entry of the posted array at `field`. */
const splitOutNode = (id, field) => ({
	id,
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [200, 0],
	parameters: { fieldToSplitOut: field, options: {} },
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

/** The trigger's own workflows: their workflow ID and webhook ID at type version 2. */
const TRIGGER_FIXTURES = {
	immediate: ['e2eImmediate0001', 'e2e-immediate'],
	lastNode: ['e2eLastNode00001', 'e2e-last-node'],
	respondNode: ['e2eRespondNode01', 'e2e-respond-node'],
	mattermost: ['e2eMattermost001', 'e2e-mattermost'],
	signed: ['e2eSignedSlash01', 'e2e-signed'],
	signingSecretOnly: ['e2eSigningOnly01', 'e2e-signing-only'],
};

/** { typeVersion: { fixture: { workflowId, webhookId } } }, for the suite (passed on by scripts/e2e.mjs). */
export function triggerFixtureIds() {
	return Object.fromEntries(
		TRIGGER_TYPE_VERSIONS.map((typeVersion) => [
			typeVersion,
			Object.fromEntries(
				Object.entries(TRIGGER_FIXTURES).map(([name, [workflowId, webhookId]]) => [
					name,
					{ workflowId: versionedWorkflowId(workflowId, typeVersion), webhookId: versionedWebhookId(webhookId, typeVersion) },
				]),
			),
		]),
	);
}

/** The trigger's own workflows, for one type version. */
function triggerWorkflows(typeVersion) {
	const ids = triggerFixtureIds()[typeVersion];
	const id = (name) => ids[name].workflowId;
	const path = (name) => ids[name].webhookId;
	return [
		workflow(id('immediate'), 'E2E trigger: immediate reply', [
			trigger(path('immediate'), { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' }, credentialIds.outgoing, typeVersion),
		]),
		workflow(
			id('lastNode'),
			'E2E trigger: reply from the last node',
			[
				trigger(path('lastNode'), { triggerWords: 'deploy', matchMode: 'firstWord', respond: 'lastNode' }, credentialIds.outgoing, typeVersion),
				setNode('e2e-set', { text: '=Deploying {{ $json.args[0] }}', username: 'deploy-bot', internal_note: 'must not reach Slack' }),
				{ id: 'e2e-noop', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} },
			],
			chain('Slack Outgoing Webhook Trigger', 'Set Reply', 'Done'),
		),
		workflow(
			id('respondNode'),
			'E2E trigger: Respond to Webhook node',
			[
				trigger(path('respondNode'), { triggerWords: 'status', respond: 'responseNode' }, credentialIds.outgoing, typeVersion),
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
		workflow(id('mattermost'), 'E2E trigger: Mattermost', [
			trigger(path('mattermost'), { channels: 'town-square', respond: 'immediately', replyText: '=Heard {{ $json.body?.user_name ?? "you" }}', replyOptions: { responseType: 'comment' } }, credentialIds.outgoing, typeVersion),
		]),
		workflow(
			id('signed'),
			'E2E trigger: signed slash command',
			[trigger(path('signed'), { triggerWords: '/weather', respond: 'immediately', replyText: 'Checking the sky', replyOptions: { responseType: 'ephemeral' } }, credentialIds.signed, typeVersion)],
		),
		workflow(
			id('signingSecretOnly'),
			'E2E trigger: Slack app verified by its signing secret alone',
			[trigger(path('signingSecretOnly'), { triggerWords: '/weather', respond: 'immediately', replyText: 'Signed, so sealed' }, credentialIds.signingSecretOnly, typeVersion)],
		),
	].map((flow) => (typeVersion === 2 ? flow : { ...flow, name: `${flow.name} (type version ${typeVersion})` }));
}

/** Each workflow's webhook path is /webhook/<webhookId>/slack (or the Webhook node's path). */
export function buildWorkflows({ slackPort }) {
	return [
		...TRIGGER_TYPE_VERSIONS.flatMap(triggerWorkflows),
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
				splitOutNode('e2e-action-split', 'body.messages'),
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
		scheduledReportExampleBehindWebhook(),
		workflow(
			REPORT_WORKFLOWS.rows.id,
			'E2E report: one report of the rows posted',
			[
				webhookNode('e2e-report-rows-webhook', REPORT_WORKFLOWS.rows.path),
				splitOutNode('e2e-report-rows-split', 'body.rows'),
				action('e2e-report-rows-send', {
					send: 'report',
					reportHeader: 'Rows report',
					text: '={{ $json.line }}',
					reportFooter: '=End of {{ $input.all().length }} rows',
					options: { timeout: 5, maxRateLimitWait: 30, maxRetries: 0 },
				}),
			],
			chain('Webhook', 'Split Out', 'Slack Incoming Webhook'),
		),
		lateReplyWorkflow(LATE_REPLY.allowed, `http://127.0.0.1:${slackPort}`),
		lateReplyWorkflow(LATE_REPLY.refused, ''),
		docsExampleWorkflow(slackPort),
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

/** The path of every webhook the workflows register, to wait for once n8n has started. */
export function webhookPaths(workflows) {
	return workflows.flatMap(({ nodes }) =>
		nodes.flatMap((node) => {
			if (node.type === TRIGGER) return [`/webhook/${node.webhookId}/slack`];
			if (node.type === 'n8n-nodes-base.webhook') return [`/webhook/${node.parameters.path}`];
			return [];
		}),
	);
}
