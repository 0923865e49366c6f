/**
 * (h) The Slack Socket Mode Trigger in queue mode: the main process holds the app's connection (the
 * only one Slack sees; webhook processes and workers run no trigger), and the workers run the
 * executions. The cluster activated the workflows before this suite's stand-in for Slack ran, so
 * their session was still waiting to try again: they are turned off and on through the main
 * process's REST API, as the editor's switch does, once the stand-in listens.
 */
import { readFileSync } from 'node:fs';

import E2E from '../harness/fixtures/secrets.json';
import { blockActions, eventCallback, messageEvent, slashCommand } from '../helpers/slack-app-fixtures';
import { percentile, SlackSocketServer, type SentEnvelope } from '../helpers/slack-socket-server';
import { sleep, waitFor } from '../helpers/wait-for';
import { postOnOwnConnection } from '../helpers/http-post';
import { eventually, executionsOf, nodeOutput, QUEUE, workerThatRan } from './queue-env';

const mainOrigin = process.env.QUEUE_MAIN_ORIGIN!;
const socketPort = Number(process.env.QUEUE_SOCKET_PORT);
const mainLog = () => readFileSync(process.env.QUEUE_MAIN_LOG!, 'utf8');
const WORKFLOWS = [QUEUE.socketModeWorkflow, QUEUE.socketModeLastNodeWorkflow];

let slack: SlackSocketServer;
let cookie = '';
const latencies: number[] = [];

/** The owner's session on the main process: set up on the first run of the suite, logged into on the next. */
async function ownerCookie(): Promise<string> {
	const owner = { email: 'owner@example.com', firstName: 'Queue', lastName: 'Owner', password: 'Queue-owner-password-1' };
	for (const [path, body] of [
		['/rest/owner/setup', owner],
		['/rest/login', { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password }],
	] as const) {
		const response = await fetch(`${mainOrigin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const setCookie = response.headers.get('set-cookie')?.split(';')[0];
		if (response.ok && setCookie) return setCookie;
	}
	throw new Error('could not set up or log in as the owner of the main process');
}

async function restPost(path: string, body: object): Promise<{ status: number; body: string }> {
	return await postOnOwnConnection(`${mainOrigin}${path}`, JSON.stringify(body), { 'content-type': 'application/json', cookie });
}

async function turnOn(workflowId: string): Promise<void> {
	await restPost(`/rest/workflows/${workflowId}/deactivate`, {});
	const response = await fetch(`${mainOrigin}/rest/workflows/${workflowId}`, { headers: { cookie } });
	const { data } = (await response.json()) as { data: { versionId: string } };
	const answer = await restPost(`/rest/workflows/${workflowId}/activate`, { versionId: data.versionId });
	if (answer.status !== 200) throw new Error(`activating ${workflowId} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}

beforeAll(async () => {
	// Tier 1's burst raised: n8n itself activates a failed workflow again and again (the link_disabled case), each time a call.
	slack = new SlackSocketServer({ appTokens: [E2E.socketModeAppToken], serverPingIntervalMs: 5_000, openRateLimit: { burst: 200 } });
	await slack.start(socketPort);
	cookie = await ownerCookie();
	for (const workflowId of WORKFLOWS) await turnOn(workflowId);
}, 120_000);

afterAll(async () => {
	for (const workflowId of WORKFLOWS) await restPost(`/rest/workflows/${workflowId}/deactivate`, {});
	await slack.stop();
	if (latencies.length > 0) {
		console.log(`(h) acknowledgement of ${latencies.length} envelopes: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
	}
});

async function acknowledged(envelopeId: string): Promise<SentEnvelope> {
	const sent = slack.envelopes.get(envelopeId)!;
	await waitFor(() => sent.acks.length > 0, `the acknowledgement of ${envelopeId}`, 20_000);
	latencies.push(sent.acks[0].latencyMs);
	return sent;
}

describe('(h) Socket Mode in queue mode', () => {
	it('one connection, held by the main process, for both workflows on the app', async () => {
		// n8n 2.x activates through its publication outbox, a moment after the REST call answered.
		await waitFor(() => slack.live().length === 1, 'the connection', 60_000);
		await sleep(2_000);
		expect(slack.live()).toHaveLength(1);
	});

	it('every matching event starts one execution, run by a worker; filtered ones and a resend start none; each envelope acknowledged once', async () => {
		const before = (await executionsOf(QUEUE.socketModeWorkflow)).length;
		const matching = Array.from({ length: 20 }, (_, n) => eventCallback(messageEvent({ text: `deploy service-${n}` })));
		const ids = [
			...matching.map((envelope) => slack.send('events_api', envelope)),
			...Array.from({ length: 20 }, (_, n) => slack.send('events_api', eventCallback(messageEvent({ text: `chatter ${n}` })))),
			slack.send('events_api', matching[0]),
		];
		for (const id of ids) expect((await acknowledged(id)).acks).toHaveLength(1);
		const executions = await eventually(async () => {
			const all = (await executionsOf(QUEUE.socketModeWorkflow)).slice(before);
			return all.length >= matching.length && all.every(({ status }) => status === 'success') ? all : undefined;
		}, 'the executions');
		await sleep(3_000);
		expect((await executionsOf(QUEUE.socketModeWorkflow)).length - before).toBe(matching.length);
		for (const { id } of executions) expect(workerThatRan(id)).toEqual(expect.any(Number));
		const [item] = await nodeOutput(executions[0].id, 'Slack Socket Mode Trigger');
		expect(item).toMatchObject({ source: 'slack_events_api', received_via: 'socket_mode', trigger_word: 'deploy' });
	}, 120_000);

	it('a slash command answered Immediately and a click: the reply in the acknowledgement, the executions on workers', async () => {
		const before = (await executionsOf(QUEUE.socketModeWorkflow)).length;
		const command = await acknowledged(slack.send('slash_commands', slashCommand({ command: '/ship', text: 'api' })));
		expect(command.acks[0].payload).toEqual({ text: 'On it' });
		await acknowledged(slack.send('interactive', blockActions()));
		const executions = await eventually(async () => {
			const all = (await executionsOf(QUEUE.socketModeWorkflow)).slice(before);
			return all.length >= 2 && all.every(({ status }) => status === 'success') ? all : undefined;
		}, 'the executions');
		for (const { id } of executions) expect(workerThatRan(id)).toEqual(expect.any(Number));
	}, 60_000);

	it("When Last Node Finishes: n8n in queue mode brings no run data back to the main process, so the command gets an empty acknowledgement and the main process's log says why", async () => {
		const sent = await acknowledged(slack.send('slash_commands', slashCommand({ command: '/lastnode' })));
		expect(sent.acks[0].payload).toBeUndefined();
		await eventually(async () => (mainLog().includes("the last node's output did not reach this n8n process") ? true : undefined), 'the line in the log', 20_000);
	}, 60_000);
});
