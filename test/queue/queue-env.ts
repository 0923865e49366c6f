import { readFileSync } from 'node:fs';

import { postOnOwnConnection } from '../helpers/http-post';
import { unflattenExecutionData, type StoredRunData } from '../helpers/n8n-execution-data';
import { seedOutgoingWebhookPost } from '../helpers/slack-fixtures';

/** What the queue-mode suites get from scripts/test-queue.mjs: the processes it started. */
function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run the suite with npm run test:queue`);
	return value;
}

export const webhookOrigins = JSON.parse(requiredEnv('QUEUE_WEBHOOK_ORIGINS')) as string[];
export const slackPort = Number(requiredEnv('QUEUE_SLACK_PORT'));
export const gateRedisPort = Number(requiredEnv('QUEUE_GATE_REDIS_PORT'));
const postgresSettings = JSON.parse(requiredEnv('QUEUE_POSTGRES')) as Record<string, unknown>;
const workerLogFiles = JSON.parse(requiredEnv('QUEUE_WORKER_LOGS')) as string[];
/** The IDs of test/harness/fixtures/queue.mjs, passed on by scripts/test-queue.mjs. */
const fixtures = JSON.parse(requiredEnv('QUEUE_FIXTURES')) as {
	QUEUE: Record<
		| 'redisCredential'
		| 'gateRedisCredential'
		| 'dedupeWorkflow'
		| 'loadWorkflow'
		| 'burstWorkflow'
		| 'fallbackWorkflow'
		| 'slackAppEventsWorkflow'
		| 'slackAppButtonsWorkflow'
		| 'socketModeWorkflow'
		| 'socketModeLastNodeWorkflow',
		string
	>;
	REUSED_WORKFLOWS: Record<'immediate' | 'lastNode' | 'respondNode' | 'slackAppEvents', string>;
};
export const { QUEUE, REUSED_WORKFLOWS } = fixtures;

export const post = (origin: string, path: string, body: string, contentType: string) => postOnOwnConnection(`${origin}${path}`, body, { 'content-type': contentType });

/**
 * Sends again, as Slack does, while the answer is 503: the trigger gives that answer to a copy of a
 * message another webhook process is still starting (after waiting 2 s for it), and a busy machine
 * can take that long to create an execution. At most 10 tries, a second apart.
 */
export async function sendAsSlackDoes(send: () => Promise<{ status: number; body: string }>): Promise<{ status: number; body: string }> {
	for (let attempt = 1; ; attempt++) {
		const answer = await send();
		if (answer.status !== 503 || attempt === 10) return answer;
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	}
}

let uniqueTs = 0;
const runId = Math.floor(Date.now() / 1000);

/** Slack's documented outgoing webhook post, with a timestamp no other post of the run has. */
export function slackForm(token: string, fields: Record<string, string> = {}): Record<string, string> {
	return { ...seedOutgoingWebhookPost(token), timestamp: `${runId}.${String(++uniqueTs).padStart(6, '0')}`, trigger_word: '', ...fields };
}

export const postForm = (origin: string, path: string, form: Record<string, string>) =>
	post(origin, path, new URLSearchParams(form).toString(), 'application/x-www-form-urlencoded');

/** A Slack app's signed request (signedJson or signedInteraction of test/helpers/slack-app-fixtures), with any extra headers. */
export const postSigned = (origin: string, path: string, signed: { body: string; headers: Record<string, string> }, extraHeaders: Record<string, string> = {}) =>
	postOnOwnConnection(`${origin}${path}`, signed.body, { ...signed.headers, ...extraHeaders });

interface PgClient {
	connect(): Promise<void>;
	query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
	end(): Promise<void>;
}
const { Client } = require('pg') as { Client: new (settings: Record<string, unknown>) => PgClient };

/** Reads n8n's PostgreSQL database directly: what n8n recorded, not what its API chooses to show. */
export async function sql(text: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
	const client = new Client(postgresSettings);
	await client.connect();
	try {
		return (await client.query(text, values)).rows;
	} finally {
		await client.end();
	}
}

export async function executionsOf(workflowId: string): Promise<Array<{ id: string; status: string }>> {
	const rows = await sql('SELECT id, status FROM execution_entity WHERE "workflowId" = $1 ORDER BY id', [workflowId]);
	return rows.map((row) => ({ id: String(row.id), status: String(row.status) }));
}

/** The items a node put out in an execution, as n8n recorded them in PostgreSQL. */
export async function nodeOutput(executionId: string, nodeName: string): Promise<Array<Record<string, unknown>>> {
	const [row] = await sql('SELECT data FROM execution_data WHERE "executionId" = $1', [Number(executionId)]);
	if (!row) throw new Error(`execution ${executionId} has no stored data`);
	const { resultData } = unflattenExecutionData(String(row.data)) as StoredRunData;
	return (resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map(({ json }) => json);
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** Which worker logged that it started an execution: n8n's JobProcessor.processJob says so. */
export function workerThatRan(executionId: string): number | undefined {
	const index = workerLogFiles.findIndex((file) => readFileSync(file, 'utf8').includes(`Worker started execution ${executionId} `));
	return index === -1 ? undefined : index + 1;
}

export function workerLogs(): string {
	return workerLogFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
}
