/**
 * The saved workflows an update is held to. Together they use every node type of the package at
 * every type version, and every credential type, with the setting whose state lives outside the
 * workflow (sharing through Redis) and an answer through a Slack response URL. Each case sends
 * what Slack would send and says how many executions a run starts; a run's result (the answers,
 * the executions' statuses, what reached Slack) must not change when the package is updated.
 * Over Socket Mode, Slack's envelope goes through the suite's stand-in for Slack's socket server,
 * and n8n's answer is the envelope's acknowledgement: status 200 and its payload.
 *
 * A node type, type version or credential type the packed package declares that no case uses
 * fails the suite (see `uncovered`): add a case here for it.
 */
import { postOnOwnConnection } from '../helpers/http-post';
import { blockActions, eventCallback, messageEvent, signedInteraction, signedJson, slashCommand } from '../helpers/slack-app-fixtures';
import { seedOutgoingWebhookPost } from '../helpers/slack-fixtures';
import type { SlackSocketServer } from '../helpers/slack-socket-server';
import E2E from '../harness/fixtures/secrets.json';
import type { PackedPackage } from './install-env';

export interface Reply {
	status: number;
	body: string;
}

interface CredentialRef {
	id: string;
	name: string;
}

/** The credentials the suite creates through n8n's REST API before it saves the workflows. */
export interface SuiteCredentials {
	incomingUrl: CredentialRef;
	addToSlack: CredentialRef;
	outgoingToken: CredentialRef;
	slackApp: CredentialRef;
	socketMode: CredentialRef;
	redis: CredentialRef;
}

export interface CaseContext {
	n8nUrl: string;
	/** The stand-in for Slack: incoming webhooks and response URLs. */
	slackPort: number;
	/** The stand-in for Slack's Socket Mode (apps.connections.open and its WebSocket server). */
	slackSocket?: SlackSocketServer;
	credentials: SuiteCredentials;
	packageName: string;
}

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, CredentialRef>;
}

export interface SavedWorkflow {
	name: string;
	active: false;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
}

interface NodesAndConnections {
	nodes: WorkflowNode[];
	connections?: Record<string, unknown>;
}

export interface SavedWorkflowCase {
	key: string;
	title: string;
	/** The executions one run starts (a retried event starts none). */
	executionsPerRun: number;
	nodes(context: CaseContext): NodesAndConnections;
	/** Sends what Slack (or a caller of a Webhook node) would send, once; the answers in order. */
	run(context: CaseContext): Promise<Reply[]>;
}

const TRIGGER_NAME = 'Slack Outgoing Webhook Trigger';
const SOCKET_TRIGGER_NAME = 'Slack Socket Mode Trigger';
/** The node type whose workflows listen on a connection to Slack rather than on a webhook. */
export const SOCKET_TRIGGER_TYPE = 'slackSocketModeTrigger';
const ACTION_NAME = 'Slack Incoming Webhook';
/** The thread the outgoing webhook post of Slack's reference example replies in. */
export const SEED_THREAD_TS = '1504640714.003543';

const trigger = (context: CaseContext, typeVersion: number, webhookId: string, credential: CredentialRef, parameters: Record<string, unknown>): WorkflowNode => ({
	name: TRIGGER_NAME,
	type: `${context.packageName}.slackOutgoingWebhookTrigger`,
	typeVersion,
	position: [0, 0],
	webhookId,
	parameters,
	credentials: { slackWebhooksOutgoingApi: credential },
});

const action = (context: CaseContext, parameters: Record<string, unknown>, credentials?: Record<string, CredentialRef>): WorkflowNode => ({
	name: ACTION_NAME,
	type: `${context.packageName}.slackIncomingWebhook`,
	typeVersion: 1,
	position: [300, 0],
	parameters,
	...(credentials ? { credentials } : {}),
});

const webhook = (path: string): WorkflowNode => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: path,
	parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
});

const socketTrigger = (context: CaseContext, parameters: Record<string, unknown>): WorkflowNode => ({
	name: SOCKET_TRIGGER_NAME,
	type: `${context.packageName}.${SOCKET_TRIGGER_TYPE}`,
	typeVersion: 1,
	position: [0, 0],
	parameters,
	credentials: { slackWebhooksSocketModeApi: context.credentials.socketMode },
});

/** Sends an envelope through the stand-in for Slack's socket server; n8n's answer is its acknowledgement. */
async function overSocketMode(context: CaseContext, type: string, payload: Record<string, unknown>): Promise<Reply> {
	if (!context.slackSocket) throw new Error('the stand-in for Slack Socket Mode is not running');
	const ack = await context.slackSocket.waitForAck(context.slackSocket.send(type, payload), 10_000);
	return ack ? { status: 200, body: JSON.stringify(ack.payload ?? null) } : { status: 0, body: 'no acknowledgement within 10 s' };
}

const toAction = (from: string) => ({ [from]: { main: [[{ node: ACTION_NAME, type: 'main', index: 0 }]] } });

/** The workflow of a case, as the suite saves it through n8n's REST API. */
export function savedWorkflow(entry: SavedWorkflowCase, context: CaseContext): SavedWorkflow {
	const { nodes, connections = {} } = entry.nodes(context);
	// n8n 1.x stores `active` as sent (the editor sends false) and refuses a workflow without it.
	return { name: `Install suite: ${entry.title}`, active: false, nodes, connections, settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' } };
}

const triggerUrl = (context: CaseContext, webhookId: string) => `${context.n8nUrl}/webhook/${webhookId}/slack`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An outgoing webhook post of Slack's reference example with a timestamp of its own, so the duplicate filter takes it as new. */
let posts = 0;
const outgoingPost = (fields: Record<string, string> = {}) =>
	new URLSearchParams({ ...seedOutgoingWebhookPost(E2E.token), timestamp: `${1_800_000_000 + ++posts}.000001`, ...fields }).toString();

/** A Slack app's message event, the same each run but for its event_id (new, so it is not taken for a retry). */
const DEPLOY_EVENT = { channel: 'C2147483705', user: 'U2147483697', text: 'deploy api now', ts: '1700000000.000042', event_ts: '1700000000.000042' };

export const SAVED_WORKFLOW_CASES: SavedWorkflowCase[] = [
	{
		key: 'outgoing-webhook-v1',
		title: 'outgoing webhook, trigger type version 1, immediate reply',
		executionsPerRun: 1,
		nodes: (context) => ({
			nodes: [trigger(context, 1, 'install-outgoing-v1', context.credentials.outgoingToken, { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' })],
		}),
		run: async (context) => [await postOnOwnConnection(triggerUrl(context, 'install-outgoing-v1'), outgoingPost(), FORM)],
	},
	{
		key: 'outgoing-webhook-v2-thread-reply',
		title: 'outgoing webhook, trigger type version 2, the action answers in the thread (webhook URL credential)',
		executionsPerRun: 1,
		nodes: (context) => ({
			nodes: [
				trigger(context, 2, 'install-thread-reply', context.credentials.outgoingToken, { triggerWords: 'echo', respond: 'noReply' }),
				action(context, { text: '={{ $json.text_without_trigger }}', thread: { threadTs: '={{ $json.thread_ts || $json.timestamp }}' } }, { slackWebhooksIncomingUrlApi: context.credentials.incomingUrl }),
			],
			connections: toAction(TRIGGER_NAME),
		}),
		run: async (context) => [await postOnOwnConnection(triggerUrl(context, 'install-thread-reply'), outgoingPost({ text: 'echo hello from the thread', trigger_word: 'echo' }), FORM)],
	},
	{
		key: 'slack-app-event-v3-redis',
		title: "a Slack app's event and Slack's retry of it, trigger type version 3, duplicate filter and rate gate in Redis",
		executionsPerRun: 1,
		nodes: (context) => {
			const redis = { redis: context.credentials.redis };
			const events = trigger(context, 3, 'install-app-events', context.credentials.slackApp, { channels: DEPLOY_EVENT.channel, triggerWords: 'deploy', respond: 'noReply', shareThroughRedis: true });
			return {
				nodes: [
					{ ...events, credentials: { ...events.credentials, ...redis } },
					action(
						context,
						{ text: '=Deploying {{ $json.args[0] }} for <@{{ $json.user }}>', thread: { threadTs: '={{ $json.ts }}' }, shareThroughRedis: true },
						{ slackWebhooksIncomingUrlApi: context.credentials.incomingUrl, ...redis },
					),
				],
				connections: toAction(TRIGGER_NAME),
			};
		},
		run: async (context) => {
			const signed = signedJson(eventCallback(messageEvent(DEPLOY_EVENT)), E2E.signingSecret);
			const url = triggerUrl(context, 'install-app-events');
			const first = await postOnOwnConnection(url, signed.body, signed.headers);
			const retry = await postOnOwnConnection(url, signed.body, { ...signed.headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
			return [first, retry];
		},
	},
	{
		key: 'slack-app-button-v3-response-url',
		title: "a Slack app's button click, trigger type version 3, answered through its response URL",
		executionsPerRun: 1,
		nodes: (context) => ({
			nodes: [
				trigger(context, 3, 'install-app-buttons', context.credentials.slackApp, { actionIds: 'approve, reject', respond: 'immediately' }),
				action(context, {
					authentication: 'none',
					responseType: 'in_channel',
					replaceOriginal: true,
					text: '=Approved by <@{{ $json.user }}> ({{ $json.value }})',
					options: { allowedResponseUrlHosts: `http://127.0.0.1:${context.slackPort}`, timeout: 5, maxRetries: 0 },
				}),
			],
			connections: toAction(TRIGGER_NAME),
		}),
		run: async (context) => {
			// The same response URL every run: Slack takes up to five answers on one within 30 minutes.
			const responseUrl = `http://127.0.0.1:${context.slackPort}/actions/T0001/42/${E2E.responseUrlSecret}`;
			const signed = signedInteraction(blockActions({ response_url: responseUrl }), E2E.signingSecret);
			return [await postOnOwnConnection(triggerUrl(context, 'install-app-buttons'), signed.body, signed.headers)];
		},
	},
	{
		key: 'socket-mode-command-v1',
		title: 'a slash command over Socket Mode, trigger type version 1, answered in its acknowledgement and by the action',
		executionsPerRun: 1,
		nodes: (context) => ({
			nodes: [
				socketTrigger(context, { triggerWords: '/deploy', respond: 'immediately', replyText: 'On it.' }),
				action(context, { text: '=Deploying {{ $json.args[0] }} for <@{{ $json.user_id }}>' }, { slackWebhooksIncomingUrlApi: context.credentials.incomingUrl }),
			],
			connections: toAction(SOCKET_TRIGGER_NAME),
		}),
		// A fresh trigger_id each run, as each command Slack sends has one.
		run: async (context) => [await overSocketMode(context, 'slash_commands', slashCommand({ text: 'api now' }))],
	},
	{
		key: 'add-to-slack-oauth2',
		title: 'a Webhook node, then the action through an Add to Slack (OAuth2) credential',
		executionsPerRun: 1,
		nodes: (context) => ({
			nodes: [
				webhook('install-add-to-slack'),
				action(context, { authentication: 'oAuth2', text: '={{ $json.body.text }}', options: { timeout: 5, maxRetries: 0 } }, { slackWebhooksIncomingOAuth2Api: context.credentials.addToSlack }),
			],
			connections: toAction('Webhook'),
		}),
		run: async (context) => [await postOnOwnConnection(`${context.n8nUrl}/webhook/install-add-to-slack`, JSON.stringify({ text: 'Nightly report: 42 new sign-ups' }), { 'content-type': 'application/json' })],
	},
];

/**
 * What the package declares that no case uses (`<node type>@<type version>`, credential type
 * names), and what a case uses that the package no longer has. Read from the packed package
 * (package.json `n8n` and each description), not from a list kept here, so a new node, type
 * version or credential type fails until a case covers it.
 */
export function coverageGaps(cases: SavedWorkflowCase[], packed: PackedPackage, context: CaseContext): { uncovered: string[]; unknown: string[] } {
	const ours = cases.flatMap((entry) => entry.nodes(context).nodes).filter((node) => node.type.startsWith(`${packed.name}.`));
	const used = new Set(ours.map((node) => `${node.type}@${node.typeVersion}`));
	const usedCredentials = new Set(ours.flatMap((node) => Object.keys(node.credentials ?? {})));
	const declared = new Set(packed.nodes.flatMap(({ type, versions }) => versions.map((version) => `${type}@${version}`)));
	return {
		uncovered: [...[...declared].filter((typeVersion) => !used.has(typeVersion)), ...packed.credentials.filter((name) => !usedCredentials.has(name)).map((name) => `credential ${name}`)],
		unknown: [...used].filter((typeVersion) => !declared.has(typeVersion)),
	};
}
