/**
 * Load on the trigger in queue mode: QUEUE_LOAD_REQUESTS (default 10,000) requests over 50
 * connections, spread over both webhook processes, a mix of matching messages, messages that do
 * not match and wrong tokens, the duplicate filter in Redis. Every request gets its defined answer
 * (no 5xx), and PostgreSQL holds exactly one execution per matching request. Bounded by a count
 * and a deadline.
 */
import { Pool } from 'undici';

import E2E from '../harness/fixtures/secrets.json';
import { EXPECTED_LOAD_ANSWER as EXPECTED, loadKindOf as kindOf, type LoadKind as Kind } from '../helpers/trigger-load-mix';
import { eventually, executionsOf, QUEUE, slackForm, webhookOrigins } from './queue-env';

const REQUESTS = Number(process.env.QUEUE_LOAD_REQUESTS ?? 10_000);
const CONNECTIONS = 50;
/** Measured: 3 requests/s on 2 busy shared cores (all five n8n processes, PostgreSQL and the client on them). */
const DEADLINE_MS = 45 * 60_000;

it(`answers ${REQUESTS.toLocaleString('en')} requests over ${CONNECTIONS} connections spread over both webhook processes, one execution per matching request`, async () => {
	const before = (await executionsOf(QUEUE.loadWorkflow)).length;
	const pools = webhookOrigins.map((origin) => new Pool(origin, { connections: CONNECTIONS / webhookOrigins.length, pipelining: 1 }));
	const started = Date.now();
	const failures: string[] = [];
	const sent: Record<Kind, number> = { matching: 0, notMatching: 0, wrongToken: 0 };
	let next = 0;

	const client = async (clientIndex: number) => {
		const pool = pools[clientIndex % pools.length];
		for (let n = next++; n < REQUESTS; n = next++) {
			if (Date.now() - started > DEADLINE_MS) throw new Error(`the load did not finish within ${DEADLINE_MS / 60_000} minutes`);
			const kind = kindOf(n);
			sent[kind]++;
			const form = slackForm(kind === 'wrongToken' ? 'wrong-token' : E2E.token, { text: kind === 'notMatching' ? `chatter ${n}` : `load ${n}` });
			try {
				const response = await pool.request({
					path: '/webhook/queue-load/slack',
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams(form).toString(),
				});
				const body = await response.body.text();
				if (response.statusCode !== EXPECTED[kind].status || body !== EXPECTED[kind].body) failures.push(`request ${n} (${kind}): ${response.statusCode} ${body.slice(0, 100)}`);
			} catch (error) {
				failures.push(`request ${n} (${kind}): ${(error as Error).message}`);
			}
		}
	};
	try {
		await Promise.all(Array.from({ length: CONNECTIONS }, (_, index) => client(index)));
	} finally {
		await Promise.all(pools.map((pool) => pool.close()));
	}
	const seconds = (Date.now() - started) / 1000;

	const executions = await eventually(async () => {
		const recorded = (await executionsOf(QUEUE.loadWorkflow)).slice(before);
		return recorded.length >= sent.matching && recorded.every(({ status }) => status === 'success') ? recorded : undefined;
	}, 'every execution finished', 5 * 60_000).catch(async () => (await executionsOf(QUEUE.loadWorkflow)).slice(before));
	await new Promise((resolve) => setTimeout(resolve, 3_000));
	const recorded = (await executionsOf(QUEUE.loadWorkflow)).length - before;

	console.log(
		`[queue] (d) ${REQUESTS} requests (${sent.matching} matching, ${sent.notMatching} not matching, ${sent.wrongToken} wrong token) over ${CONNECTIONS} connections ` +
			`to ${webhookOrigins.length} webhook processes in ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(1)} requests/s); ${failures.length} failed; ` +
			`executions recorded ${recorded}, finished ${executions.filter(({ status }) => status === 'success').length}`,
	);
	expect(failures.slice(0, 10)).toEqual([]);
	expect(recorded).toBe(sent.matching);
	expect(executions.filter(({ status }) => status !== 'success')).toEqual([]);
}, DEADLINE_MS + 8 * 60_000);
