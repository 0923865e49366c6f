/**
 * Load on the real n8n's trigger: 10,000 requests over 50 keep-alive connections, a mix of
 * matching messages, messages that do not match and requests with a wrong token. Every request
 * must get its defined answer, the executions n8n records must equal the matching requests, and
 * n8n's resident memory before and after is reported. Bounded: a fixed count, and a deadline.
 *
 * The client sends a request again after a 5xx, as Slack does when it gets no 200: n8n 2.x on
 * SQLite fails to create some executions under this load ("Timeout waiting for lock
 * SqliteWriteConnectionMutex") and then answers 500, and the message must still be delivered once.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

import { executionCount, n8nLogs, n8nUrl, n8nVersion as version, requiredEnv } from './n8n-api';
import { EXPECTED_LOAD_ANSWER as EXPECTED, loadKindOf as kindOf, type LoadKind as Kind } from '../helpers/trigger-load-mix';
import E2E from '../harness/fixtures/secrets.json';

const n8nPid = Number(requiredEnv('E2E_N8N_PID'));
const REQUESTS = Number(process.env.E2E_LOAD_REQUESTS ?? 10_000);
const CONNECTIONS = 50;
/** How often a request is sent again after a 5xx, and the pause before each time. */
const SLACK_RETRIES = 3;
const RETRY_PAUSE_MS = 1_000;
const DEADLINE_MS = 20 * 60_000;

const runId = Date.now();
function bodyFor(n: number, kind: Kind): string {
	return new URLSearchParams({
		token: kind === 'wrongToken' ? 'wrong-token' : E2E.token,
		team_id: 'T0001',
		team_domain: 'example',
		channel_id: 'C2147483705',
		channel_name: 'load',
		// A distinct timestamp per request: the duplicate filter must not hide any.
		timestamp: `${runId}.${String(n).padStart(6, '0')}`,
		user_id: 'U2147483697',
		user_name: 'Steve',
		text: kind === 'notMatching' ? `chatter ${n}` : `load ${n}`,
		trigger_word: '',
	}).toString();
}

function logTime(line: string): number {
	const timestamp = /"timestamp":"([^"]+)"/.exec(line)?.[1];
	return timestamp ? Date.parse(timestamp) : 0;
}

async function send(pool: Pool, n: number, kind: Kind): Promise<{ status: number; body: string }> {
	const response = await pool.request({
		path: '/webhook/e2e-load/slack',
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: bodyFor(n, kind),
	});
	return { status: response.statusCode, body: await response.body.text() };
}

/** n8n's resident memory now and at its peak, from the kernel (Linux). */
function memoryOfN8n(): { rssMiB: number; peakMiB: number } {
	const status = readFileSync(`/proc/${n8nPid}/status`, 'utf8');
	const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

it(`answers ${REQUESTS.toLocaleString('en')} mixed requests over ${CONNECTIONS} connections, and records one execution per matching request`, async () => {
	const workflowId = 'e2eLoadTrigger01';
	const executionsBefore = await executionCount(workflowId);
	const memoryBefore = memoryOfN8n();
	const pool = new Pool(n8nUrl, { connections: CONNECTIONS, pipelining: 1 });
	const started = Date.now();
	const failures: string[] = [];
	const sent: Record<Kind, number> = { matching: 0, notMatching: 0, wrongToken: 0 };
	let retried = 0;
	let next = 0;

	const client = async () => {
		for (let n = next++; n < REQUESTS; n = next++) {
			if (Date.now() - started > DEADLINE_MS) throw new Error(`the load did not finish within ${DEADLINE_MS / 60_000} minutes`);
			const kind = kindOf(n);
			sent[kind]++;
			try {
				let answer = await send(pool, n, kind);
				for (let retry = 1; retry <= SLACK_RETRIES && answer.status >= 500; retry++) {
					retried++;
					await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * retry));
					answer = await send(pool, n, kind);
				}
				if (answer.status !== EXPECTED[kind].status || answer.body !== EXPECTED[kind].body) {
					failures.push(`request ${n} (${kind}): ${answer.status} ${answer.body.slice(0, 100)}`);
				}
			} catch (error) {
				failures.push(`request ${n} (${kind}): ${(error as Error).message}`);
			}
		}
	};
	try {
		await Promise.all(Array.from({ length: CONNECTIONS }, client));
	} finally {
		await pool.close();
	}
	const seconds = (Date.now() - started) / 1000;

	// n8n saves an execution after it finishes: wait until the count stops short of or reaches the goal.
	const expectedExecutions = executionsBefore + sent.matching;
	let executionsAfter = await executionCount(workflowId);
	for (const waitUntil = Date.now() + 60_000; executionsAfter < expectedExecutions && Date.now() < waitUntil; ) {
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		executionsAfter = await executionCount(workflowId);
	}
	await new Promise((resolve) => setTimeout(resolve, 2_000));
	executionsAfter = await executionCount(workflowId);
	const memoryAfter = memoryOfN8n();

	console.log(
		`[load] n8n ${version}: ${REQUESTS} requests (${sent.matching} matching, ${sent.notMatching} not matching, ${sent.wrongToken} wrong token) ` +
			`over ${CONNECTIONS} connections in ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(0)} requests/s); ` +
			`${retried} sent again after a 5xx; ${failures.length} failed; executions recorded ${executionsAfter - executionsBefore}; ` +
			`n8n RSS ${memoryBefore.rssMiB} MiB before, ${memoryAfter.rssMiB} MiB after, peak ${memoryAfter.peakMiB} MiB`,
	);
	expect(failures.slice(0, 10)).toEqual([]);
	if (executionsAfter - executionsBefore !== sent.matching) {
		// Say what n8n said while the load ran, to tell a lost execution from a slow one.
		const problems = n8nLogs()
			.split('\n')
			.filter((line) => /"level":"(error|warn)"/.test(line) && logTime(line) >= started)
			.slice(0, 5);
		expect({ executionsRecorded: executionsAfter - executionsBefore, problems }).toEqual({ executionsRecorded: sent.matching, problems: [] });
	}
}, DEADLINE_MS + 120_000);
