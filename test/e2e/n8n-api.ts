import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import E2E from '../harness/fixtures/secrets.json';
import { postOnOwnConnection } from '../helpers/http-post';
import { eventually, N8nRest, type ExecutionSummary } from '../helpers/n8n-rest';

/** What the end-to-end suites need from the n8n that scripts/e2e.mjs started: its URL and REST API. */

export function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run the suite with npm run test:e2e`);
	return value;
}

export const n8nUrl = requiredEnv('E2E_N8N_URL');
export const n8nVersion = requiredEnv('E2E_N8N_VERSION');
const cookie = requiredEnv('E2E_N8N_COOKIE');

/** A POST to the n8n under test, on a connection of its own. */
export function post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	return postOnOwnConnection(`${n8nUrl}${path}`, body, headers);
}

const api = new N8nRest(n8nUrl, cookie);

export { eventually, type ExecutionSummary };

/** A GET to n8n's REST API as the owner the suite set up. */
export const rest = <T>(path: string): Promise<T> => api.get<T>(path);
export const executionsOf = (workflowId: string) => api.executionsOf(workflowId);
export const executionCount = (workflowId: string) => api.executionCount(workflowId);
export const executionData = (id: string) => api.executionData(id);
export const newestExecutionAfter = (workflowId: string, before: number) => api.newestExecutionAfter(workflowId, before);

/**
 * Turns a workflow on as the editor's switch does (POST /rest/workflows/:id/activate with its
 * versionId, on n8n 1.x and 2.x), and returns n8n's answer: on 1.x a failed activation is a 4xx
 * whose message says why.
 */
export async function activateWorkflow(workflowId: string): Promise<{ status: number; body: string }> {
	const { data } = await rest<{ data: { versionId: string } }>(`/rest/workflows/${workflowId}`);
	return await api.call('POST', `/rest/workflows/${workflowId}/activate`, { versionId: data.versionId });
}

export const deactivateWorkflow = (workflowId: string) => api.call('POST', `/rest/workflows/${workflowId}/deactivate`, {});

/**
 * Everything n8n logged at debug level: its log file, which n8n rotates at 16 MB (n8n.log,
 * n8n1.log, ...), and what it printed on the console.
 */
export function n8nLogs(): string {
	const logFile = requiredEnv('E2E_N8N_LOG_FILE');
	const stem = basename(logFile, '.log');
	const isLog = new RegExp(`^${stem}\\d*\\.log$|^${stem}\\.stdout\\.log$`);
	const files = readdirSync(dirname(logFile)).filter((name) => isLog.test(name));
	if (!files.includes(basename(logFile))) throw new Error(`n8n wrote no log at ${logFile}`);
	return files.map((name) => readFileSync(join(dirname(logFile), name), 'utf8')).join('\n');
}

/** Runs n8n's own CLI against the suite's user folder (import:workflow, export:credentials, ...). */
export function n8nCli(args: string[]): void {
	const cli = JSON.parse(requiredEnv('E2E_N8N_CLI')) as { node: string; n8n: string; nodeBin: string; env: Record<string, string> };
	// Without jest's NODE_ENV=test: under it, n8n's CLI commands exit 0 and do nothing.
	const { NODE_ENV: _jest, ...env } = process.env;
	const result = spawnSync(cli.node, [cli.n8n, ...args], { env: { ...env, ...cli.env, PATH: `${cli.nodeBin}:${env.PATH}` }, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`n8n ${args[0]} failed (exit ${result.status}): ${`${result.stdout}\n${result.stderr}`.trim().slice(-500)}`);
}

/**
 * The stand-in for Slack that the suite's incoming webhook credential points to (on
 * E2E_SLACK_PORT, at the credential's secret path), started for the file and reset before each test.
 */
export function useSuiteSlack(): SlackWebhookServer {
	const slack = new SlackWebhookServer();
	slack.webhookPath = `/services/${E2E.webhookSecretPath}`;
	beforeAll(async () => {
		await slack.start(Number(requiredEnv('E2E_SLACK_PORT')));
	});
	afterAll(async () => slack.stop());
	beforeEach(() => slack.reset());
	return slack;
}

/**
 * Runs a workflow as the editor's "Execute workflow" button does, from the trigger named, and
 * returns the execution's ID: POST /rest/workflows/:id/run (WorkflowsController.runManually). A
 * Schedule Trigger run this way fires at once (its manualTriggerFunction). n8n 2.x reads the
 * workflow from its database and takes only the trigger to start from (ManualRunDto); n8n 1.x runs
 * the workflow the editor sends along with it (`workflowData`). n8n's CLI `execute --id` cannot
 * stand in: it starts only from a Manual or an Execute Workflow Trigger (findCliWorkflowStart).
 */
export async function runManuallyFrom(workflowId: string, triggerName: string): Promise<string> {
	const path = `/rest/workflows/${workflowId}/run`;
	const triggerToStartFrom = { name: triggerName };
	const sendsWorkflow = Number(n8nVersion.split('.')[0]) < 2;
	const body = sendsWorkflow ? { workflowData: (await rest<{ data: Record<string, unknown> }>(`/rest/workflows/${workflowId}`)).data, triggerToStartFrom } : { triggerToStartFrom };
	const response = await post(path, JSON.stringify(body), { 'content-type': 'application/json', cookie });
	if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.body.slice(0, 300)}`);
	const { data } = JSON.parse(response.body) as { data: { executionId?: string } };
	// { waitingForWebhook: true } instead means n8n waits for a test call of the trigger's webhook.
	if (!data.executionId) throw new Error(`${path} started no execution: ${response.body.slice(0, 300)}`);
	return data.executionId;
}

/** Waits until the execution has finished, and returns its status (success, error, crashed, canceled). */
export async function finishedExecutionStatus(id: string): Promise<string> {
	return eventually(async () => {
		const { data } = await rest<{ data: { status: string } }>(`/rest/executions/${id}`);
		return ['new', 'running', 'waiting'].includes(data.status) ? undefined : data.status;
	});
}
