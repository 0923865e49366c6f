/**
 * What the chaos cases get from scripts/test-chaos.mjs: the processes it started, the control
 * server that plays the faults, n8n's PostgreSQL, and the suite's workflows.
 */
import { readFileSync } from 'node:fs';

import { unflattenExecutionData, type StoredRunData } from '../helpers/n8n-execution-data';
import type { RecordedExecution } from './figures';
import { MESSAGE_ID_PATTERN, type ChaosTriggers } from './messages';

function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run the suite with npm run test:chaos`);
	return value;
}

export const webhookOrigins = JSON.parse(requiredEnv('QUEUE_WEBHOOK_ORIGINS')) as string[];
export const slackPort = Number(requiredEnv('QUEUE_SLACK_PORT'));
export const figuresFile = requiredEnv('CHAOS_FIGURES_FILE');
const controlUrl = requiredEnv('CHAOS_CONTROL_URL');
const postgresSettings = JSON.parse(requiredEnv('QUEUE_POSTGRES')) as Record<string, unknown>;
const workerLogs = JSON.parse(requiredEnv('QUEUE_WORKER_LOGS')) as Array<{ name: string; logFile: string }>;
/** test/harness/fixtures/chaos.mjs's CHAOS: each trigger's workflow, webhook and trigger word. */
export const CHAOS = JSON.parse(requiredEnv('CHAOS_FIXTURES')) as ChaosTriggers & Record<keyof ChaosTriggers, { workflowId: string; slowStepSeconds?: number }>;
const chaosWorkflowIds = Object.values(CHAOS).map(({ workflowId }) => workflowId);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks scripts/test-chaos.mjs to play a fault: `stop/webhook-1` (SIGTERM), `kill/webhook-1` (SIGKILL), `start/worker-1`, `restart-redis`, `restart-postgres`. */
export async function control(action: string): Promise<{ ms: number }> {
	const response = await fetch(`${controlUrl}/${action}`, { method: 'POST', signal: AbortSignal.timeout(300_000) });
	const body = (await response.json()) as { ms: number; error?: string };
	if (!response.ok) throw new Error(`${action}: ${body.error}`);
	return body;
}

export async function runningProcesses(): Promise<Array<{ name: string; role: string; running: boolean }>> {
	const response = await fetch(`${controlUrl}/processes`, { signal: AbortSignal.timeout(10_000) });
	return (await response.json()) as Array<{ name: string; role: string; running: boolean }>;
}

interface PgClient {
	connect(): Promise<void>;
	query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
	end(): Promise<void>;
	on(event: 'error', listener: (error: Error) => void): void;
}
const { Client } = require('pg') as { Client: new (settings: Record<string, unknown>) => PgClient };

/** A connection of the suite's own to n8n's database (PostgreSQL is restarted by one case: errors are not fatal to jest). */
export async function connect(): Promise<PgClient> {
	const client = new Client({ ...postgresSettings, connectionTimeoutMillis: 5_000 });
	client.on('error', () => undefined);
	await client.connect();
	return client;
}

/** One query on a fresh connection, tried again for up to 30 s while PostgreSQL comes back. */
export async function sql(text: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			const client = await connect();
			try {
				return (await client.query(text, values)).rows;
			} finally {
				await client.end().catch(() => undefined);
			}
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await sleep(1_000);
		}
	}
}

/** Every execution of the suite's workflows, with the message IDs its stored data holds. */
export async function recordedExecutions(): Promise<RecordedExecution[]> {
	const rows = await sql(
		'SELECT e.id, e.status, e."workflowId", d.data FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = ANY($1) ORDER BY e.id',
		[chaosWorkflowIds],
	);
	return rows.map((row) => ({
		id: String(row.id),
		status: String(row.status),
		workflowId: String(row.workflowId),
		messageIds: [...new Set(String(row.data ?? '').match(MESSAGE_ID_PATTERN) ?? [])],
		...outcomeOf(row.data),
	}));
}

/** The highest execution ID n8n has recorded so far (0 for none). */
export async function lastExecutionId(): Promise<number> {
	const [row] = await sql('SELECT COALESCE(MAX(id), 0) AS id FROM execution_entity');
	return Number(row.id);
}

/** The error an execution ended with, and the last node that ran, as n8n stored them. */
function outcomeOf(data: unknown): Pick<RecordedExecution, 'error' | 'lastNodeExecuted'> {
	if (typeof data !== 'string') return {};
	const { resultData } = unflattenExecutionData(data) as StoredRunData;
	return { error: resultData.error?.message, lastNodeExecuted: resultData.lastNodeExecuted };
}

/**
 * Waits until n8n has nothing more to record: no execution new or running for 2 s, or nothing
 * changed for 10 s (a killed worker's executions stay "running"), or 60 s at most.
 */
export async function settledExecutions(): Promise<RecordedExecution[]> {
	const deadline = Date.now() + 60_000;
	let previous = '';
	let unchangedSince = Date.now();
	for (;;) {
		const rows = await sql('SELECT id, status FROM execution_entity WHERE "workflowId" = ANY($1) ORDER BY id', [chaosWorkflowIds]);
		const now = Date.now();
		const signature = rows.map(({ id, status }) => `${String(id)}:${String(status)}`).join(',');
		if (signature !== previous) {
			previous = signature;
			unchangedSince = now;
		}
		const inProgress = rows.some(({ status }) => status === 'new' || status === 'running');
		if ((!inProgress && now - unchangedSince >= 2_000) || now - unchangedSince >= 10_000 || now > deadline) break;
		await sleep(1_000);
	}
	return await recordedExecutions();
}

/** The execution IDs a worker logged as started (n8n's JobProcessor.processJob: "Worker started execution <id>"). */
export function executionsStartedBy(worker: string): Set<string> {
	const log = workerLogs.find(({ name }) => name === worker);
	if (!log) throw new Error(`no worker named ${worker}`);
	return new Set([...readFileSync(log.logFile, 'utf8').matchAll(/Worker started execution (\d+)/g)].map(([, id]) => id));
}
