/**
 * One session per Slack app in the process, shared by every listening trigger: each sees every
 * envelope, the envelope is acknowledged once, after all have decided; two tokens of one app share
 * it. Activation never waits for a WebSocket, and triggers joining a session that waits make no
 * extra calls to apps.connections.open. Against the stand-in for Slack's socket server on 127.0.0.1.
 */
import type { SocketModeStopped } from '../../../../nodes/shared/socket-mode/connection';
import type { Envelope } from '../../../../nodes/shared/socket-mode/frames';
import {
	ACK_DEADLINE_MS,
	configureSocketModeSessions,
	listenToApp,
	socketModeConnectionCount,
	type ListenerVerdict,
	type SocketModeListener,
	type SocketModeSubscription,
} from '../../../../nodes/shared/socket-mode/sessions';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';

import { STEADY_SOCKET_MODE_TIMINGS, SlackSocketServer } from '../../../helpers/slack-socket-server';
import { sleep, waitFor } from '../../../helpers/wait-for';

const APP_TOKEN = 'xapp-1-A0STANDIN-2-not-real-0123456789abcdef';
/** A second app-level token of the same app (Basic Information > App-Level Tokens > Generate). */
const SECOND_TOKEN_SAME_APP = 'xapp-1-A0STANDIN-4-not-real-0123456789abcdef';
const OTHER_APP_TOKEN = 'xapp-1-A0OTHER00-3-not-real-0123456789abcdef';


interface TestListener extends SocketModeListener {
	seen: Envelope[];
	stoppedWith: SocketModeStopped[];
	warnings: string[];
	infos: string[];
}

function listener(verdict: (envelope: Envelope) => Promise<ListenerVerdict> | ListenerVerdict): TestListener {
	const seen: Envelope[] = [];
	const stoppedWith: SocketModeStopped[] = [];
	const warnings: string[] = [];
	const infos: string[] = [];
	return {
		seen,
		stoppedWith,
		warnings,
		infos,
		onEnvelope: async (envelope) => {
			seen.push(envelope);
			return await verdict(envelope);
		},
		onStopped: (error) => stoppedWith.push(error),
		log: { debug: () => undefined, info: (message) => infos.push(message), warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
	};
}

let server: SlackSocketServer;
const subscriptions: SocketModeSubscription[] = [];

beforeAll(() => configureSocketModeSessions({ timings: STEADY_SOCKET_MODE_TIMINGS }));
afterAll(() => configureSocketModeSessions({}));
const serverOptions = { appTokens: [APP_TOKEN, SECOND_TOKEN_SAME_APP, OTHER_APP_TOKEN], appId: 'A0STANDIN', tokenApps: { [OTHER_APP_TOKEN]: 'A0OTHER00' } };
beforeEach(async () => {
	server = await new SlackSocketServer(serverOptions).start();
});
afterEach(async () => {
	for (const subscription of subscriptions.splice(0)) await subscription.close();
	await server.stop();
});

async function listen(token: string, testListener: TestListener): Promise<SocketModeSubscription> {
	const subscription = await listenToApp(token, new URL(server.apiBaseUrl), testListener);
	subscriptions.push(subscription);
	return subscription;
}

/** Activation no longer waits for hello: tests that send envelopes wait for the connection first. */
async function connected(appId = 'A0STANDIN'): Promise<void> {
	await waitFor(() => server.live().some((connection) => connection.appId === appId && !connection.refused && !connection.leaving), `a connection of ${appId}`);
}

const event = (n: number) => ({ type: 'event_callback', team_id: 'T0001', event_id: `Ev${n}`, event: { type: 'message', text: 'hi' } });

it('shares one connection per token: two triggers see every envelope, which is acknowledged once', async () => {
	const first = listener(() => ({ kind: 'started' }));
	const second = listener(() => ({ kind: 'ignored' }));
	expect(['connecting', 'connected']).toContain((await listen(APP_TOKEN, first)).outcome.kind);
	await connected();
	expect(['connecting', 'connected']).toContain((await listen(APP_TOKEN, second)).outcome.kind);
	expect(server.openRequests).toHaveLength(1);
	expect(socketModeConnectionCount()).toBe(1);
	const ids = [1, 2, 3].map((n) => server.send('events_api', event(n)));
	await waitFor(() => ids.every((id) => server.envelopes.get(id)!.acks.length === 1), 'the acknowledgements');
	expect(first.seen.map((envelope) => envelope.envelopeId)).toEqual(ids);
	expect(second.seen.map((envelope) => envelope.envelopeId)).toEqual(ids);
	await sleep(100);
	for (const id of ids) expect(server.envelopes.get(id)!.acks).toHaveLength(1);
});

it("a different token gets its own connection (another app's envelopes)", async () => {
	await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	await listen(OTHER_APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	await connected();
	await connected('A0OTHER00');
	expect(socketModeConnectionCount()).toBe(2);
});

it("sends the first trigger's reply in the acknowledgement of a slash command, and none for an event", async () => {
	await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	await listen(APP_TOKEN, listener(() => ({ kind: 'started', reply: { text: 'On it' } })));
	await connected();
	const command = server.send('slash_commands', { command: '/deploy' });
	const eventId = server.send('events_api', event(4), { acceptsResponsePayload: false });
	await waitFor(() => server.envelopes.get(command)!.acks.length === 1 && server.envelopes.get(eventId)!.acks.length === 1, 'the acknowledgements');
	expect(server.envelopes.get(command)!.acks[0].payload).toEqual({ text: 'On it' });
	expect(server.envelopes.get(eventId)!.acks[0].payload).toBeUndefined();
});

describe('when a trigger could not start its workflow', () => {
	it('leaves an event no trigger could start for Slack to send again (retry_attempt 1), and it starts then', async () => {
		await server.stop();
		server = await new SlackSocketServer({ ...serverOptions, ackTimeoutMs: 300 }).start();
		// Both fail on the first delivery; on Slack's resend one starts.
		let deliveries = 0;
		const failingOnce = listener(() => (++deliveries === 1 ? { kind: 'notStarted' } : { kind: 'started' }));
		const other = listener(() => (deliveries === 1 ? { kind: 'notStarted' } : { kind: 'ignored' }));
		await listen(APP_TOKEN, failingOnce);
		await listen(APP_TOKEN, other);
		await connected();
		const id = server.send('events_api', event(5));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement of the resend');
		expect(server.envelopes.get(id)!.deliveries.map((delivery) => delivery.retryAttempt)).toEqual([0, 1]);
		expect(failingOnce.warnings).toContain('Slack Socket Mode: no workflow could start for an event; it is not acknowledged, so Slack sends it again');
	});

	it('acknowledges an event another trigger started, and says which one misses it', async () => {
		const steady = listener(() => ({ kind: 'started' }));
		await listen(APP_TOKEN, steady);
		await listen(APP_TOKEN, listener(() => ({ kind: 'notStarted' })));
		await connected();
		const id = server.send('events_api', event(8));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		expect(server.envelopes.get(id)!.deliveries).toHaveLength(1);
		expect(steady.warnings).toEqual([expect.stringContaining('an event started a workflow but a workflow that wanted it could not start')]);
	});

	for (const [type, payload] of [
		['slash_commands', { command: '/deploy' }],
		['interactive', { type: 'block_actions', actions: [{ action_id: 'approve' }] }],
	] as const) {
		it(`acknowledges a ${type} envelope once, with the reply of the workflow that answered, although another could not start (Slack never sends it again)`, async () => {
			await listen(APP_TOKEN, listener(() => ({ kind: 'notStarted' })));
			await listen(APP_TOKEN, listener(() => ({ kind: 'started', reply: { text: 'On it' } })));
			await connected();
			const id = server.send(type, payload, { acceptsResponsePayload: true });
			await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
			expect(server.envelopes.get(id)!.acks[0].payload).toEqual({ text: 'On it' });
			await sleep(500);
			expect(server.envelopes.get(id)!.acks).toHaveLength(1);
		});

		it(`acknowledges a ${type} envelope no trigger could start, so that the user sees no error, and logs it as lost`, async () => {
			const failing = listener(() => ({ kind: 'notStarted' }));
			await listen(APP_TOKEN, failing);
			await connected();
			const id = server.send(type, payload);
			await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
			expect(server.envelopes.get(id)!.acks[0].latencyMs).toBeLessThan(3_000);
			expect(failing.warnings).toEqual([expect.stringMatching(/^Slack Socket Mode: no workflow could start for a (slash command|click or other interaction); it is acknowledged so that the user sees no error, and is lost/)]);
		});
	}
});

it(`acknowledges at ${ACK_DEADLINE_MS} ms when a trigger has not decided by then, to stay within Slack's 3 s`, async () => {
	const undecided = listener(() => new Promise<ListenerVerdict>(() => undefined));
	await listen(APP_TOKEN, undecided);
	await connected();
	const id = server.send('events_api', event(6));
	await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement', 10_000);
	expect(server.envelopes.get(id)!.acks[0].latencyMs).toBeGreaterThanOrEqual(ACK_DEADLINE_MS - 50);
	expect(undecided.warnings).toEqual([expect.stringContaining('acknowledged an envelope before every trigger had decided')]);
});

it('keeps the connection while a trigger still listens, and closes it when the last one stops', async () => {
	const a = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	const b = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	await connected();
	await a.close();
	expect(socketModeConnectionCount()).toBe(1);
	const id = server.send('events_api', event(7));
	await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
	await b.close();
	expect(socketModeConnectionCount()).toBe(0);
	await waitFor(() => server.live().length === 0, 'the stand-in to see the close');
	// A trigger that listens afterwards opens a new session.
	await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	expect(server.openRequests).toHaveLength(2);
});

describe('activation never waits on Slack, and makes no storm of calls', () => {
	it('brings the next try forward when a trigger joins a session that waits, at most once in joinRetryGapMs, without waiting for it', async () => {
		configureSocketModeSessions({ timings: { ...STEADY_SOCKET_MODE_TIMINGS, reconnectBaseMs: 20_000, reconnectMaxMs: 20_000, joinRetryGapMs: 500 } });
		try {
			server.nextOpenAnswers.push('reset');
			const first = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
			expect(first.outcome).toMatchObject({ kind: 'retrying' });
			// Within the gap, a joining trigger changes nothing: its outcome is the session's, at once.
			expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toMatchObject({ kind: 'retrying' });
			expect(server.openRequests).toHaveLength(1);
			await sleep(600);
			// Past it, one more trigger brings the try forward (without it: 10 to 20 s later).
			await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
			await connected();
			expect(server.openRequests.map((request) => request.answer)).toEqual(['reset', 'ok']);
		} finally {
			configureSocketModeSessions({ timings: STEADY_SOCKET_MODE_TIMINGS });
		}
	});

	it("keeps to a rate limit's Retry-After when a trigger joins meanwhile", async () => {
		server.nextOpenAnswers.push('ratelimited');
		expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toMatchObject({ kind: 'retrying' });
		expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toMatchObject({ kind: 'retrying' });
		await connected();
		const [limited, next] = server.openRequests;
		expect(next.at - limited.at).toBeGreaterThanOrEqual(950);
	});

	it('10 triggers on one app while Slack refuses (server errors): each activation returns at once, and the app makes one call per backoff step, not one per trigger', async () => {
		for (let i = 0; i < 200; i++) server.nextOpenAnswers.push('server_error');
		const outcomes = [];
		for (let i = 0; i < 10; i++) outcomes.push((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome.kind);
		expect(outcomes).toEqual(Array(10).fill('retrying'));
		// Every activation was answered from the first call's outcome: no second call was needed for any of them.
		expect(server.openRequests.length).toBeLessThanOrEqual(2);
		expect(socketModeConnectionCount()).toBe(0);
	});

	it("10 triggers on one app while Slack rate-limits: the app keeps to Tier 1's Retry-After, whatever the number of triggers", async () => {
		await server.stop();
		server = await new SlackSocketServer({ ...serverOptions, openRateLimit: { burst: 1, refillMs: 2_000 } }).start();
		// The one call of the burst goes to a connection Slack then drops: every later call meets the limit.
		await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
		await connected();
		server.dropTcp(server.live()[0]);
		for (let i = 0; i < 9; i++) await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
		await waitFor(() => server.live().length === 1, 'the next connection once the limit allows it', 10_000);
		const answers = server.openRequests.map((request) => request.answer);
		// The drop, one 429 at most (it names the wait), then the call Retry-After allowed.
		expect(answers.filter((answer) => answer === 'ratelimited').length).toBeLessThanOrEqual(1);
		expect(answers.at(-1)).toBe('ok');
	});

	it('returns the activation at once while the WebSocket host accepts TCP and never answers: 20 triggers, one call, none waits for hello', async () => {
		const blackhole = createServer(() => undefined);
		const sockets: Socket[] = [];
		blackhole.on('connection', (socket) => sockets.push(socket));
		await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
		const port = (blackhole.address() as AddressInfo).port;
		const api = createHttpServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t` })));
		await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
		let calls = 0;
		api.on('request', () => calls++);
		configureSocketModeSessions({ timings: { ...STEADY_SOCKET_MODE_TIMINGS, helloTimeoutMs: 60_000 } });
		try {
			const outcomes = [];
			for (let i = 0; i < 20; i++) {
				const subscription = await listenToApp(APP_TOKEN, new URL(`http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`), listener(() => ({ kind: 'ignored' })));
				subscriptions.push(subscription);
				outcomes.push(subscription.outcome.kind);
			}
			// The token was accepted; the WebSocket still hangs (its hello timeout is a minute away).
			expect(outcomes).toEqual(Array(20).fill('connecting'));
			await waitFor(() => sockets.length === 1, 'the WebSocket connection to the silent host');
			await sleep(200);
			expect(calls).toBe(1);
			expect(sockets).toHaveLength(1);
		} finally {
			for (const subscription of subscriptions.splice(0)) await subscription.close();
			configureSocketModeSessions({ timings: STEADY_SOCKET_MODE_TIMINGS });
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => blackhole.close(resolve));
			await new Promise((resolve) => api.close(resolve));
		}
	}, 30_000);
});

describe('one session per app', () => {
	it('two tokens of one app share one connection once hello names the app: every trigger of both sees every envelope', async () => {
		const viaFirst = listener(() => ({ kind: 'started' }));
		const viaSecond = listener(() => ({ kind: 'started' }));
		await listen(APP_TOKEN, viaFirst);
		await connected();
		await listen(SECOND_TOKEN_SAME_APP, viaSecond);
		await waitFor(() => socketModeConnectionCount() === 1 && server.live().length === 1, 'the second session to hand its trigger over and close');
		const ids = [1, 2, 3, 4, 5, 6].map((n) => server.send('events_api', event(100 + n)));
		await waitFor(() => ids.every((id) => server.envelopes.get(id)!.acks.length === 1), 'the acknowledgements');
		expect(viaFirst.seen.map((envelope) => envelope.envelopeId)).toEqual(ids);
		expect(viaSecond.seen.map((envelope) => envelope.envelopeId)).toEqual(ids);
		expect(viaFirst.infos).toContain(
			"Slack Socket Mode: two app-level tokens of Slack app A0STANDIN are in use in this n8n; their workflows now share one connection, since Slack spreads the app's envelopes over all of its connections",
		);
		// A trigger activated later with the second token joins the shared session.
		const later = listener(() => ({ kind: 'ignored' }));
		expect((await listen(SECOND_TOKEN_SAME_APP, later)).outcome).toEqual({ kind: 'connected' });
		expect(socketModeConnectionCount()).toBe(1);
	});

	it('warns once when Slack counts more connections for the app than this process holds (another installation)', async () => {
		server.otherConnections = 2;
		const first = listener(() => ({ kind: 'ignored' }));
		await listen(APP_TOKEN, first);
		await connected();
		server.rotate(server.live()[0], 'refresh_requested', 300);
		await waitFor(() => server.connections.length === 2 && server.live().length === 1, 'a rotation');
		await sleep(100);
		expect(first.warnings).toEqual([
			'Slack Socket Mode: Slack counts 3 open connections for Slack app A0STANDIN, and this n8n holds 1: another n8n, or a development instance, is connected with the same Slack app, and Slack gives it part of the events, slash commands and clicks. Turn Socket Mode off there, or give each installation its own Slack app.',
		]);
	});

	for (const afterHello of [false, true]) {
		it(`backs off with a warning that says what to check when Slack answers too_many_websockets ${afterHello ? 'after' : 'before'} hello, instead of asking again at once`, async () => {
			server.otherConnections = 10;
			server.tooManyAfterHello = afterHello;
			const first = listener(() => ({ kind: 'ignored' }));
			await listen(APP_TOKEN, first);
			await sleep(1_500);
			// FAST timings: waits of 25-50, 50-100, 100-200, then 200-400 ms: at most 10 calls in 1.5 s (asking again at once makes hundreds).
			expect(server.tooManyRefusals).toBeGreaterThanOrEqual(2);
			expect(server.openRequests.length).toBeLessThanOrEqual(10);
			expect(first.warnings).toContainEqual(
				expect.stringMatching(
					/^Slack Socket Mode: Slack refused a connection: more than 10 are open for this Slack app \(too_many_websockets\)\. Check whether another n8n, or a development instance, is connected with the same Slack app; trying again in \d+\.\d s$/,
				),
			);
			server.otherConnections = 0;
			await connected();
		});
	}
});

it('throws what to fix when Slack refuses the token, for every trigger waiting on it', async () => {
	const token = 'xapp-1-A0STANDIN-9-revoked-not-real';
	const results = await Promise.allSettled([
		listenToApp(token, new URL(server.apiBaseUrl), listener(() => ({ kind: 'ignored' }))),
		listenToApp(token, new URL(server.apiBaseUrl), listener(() => ({ kind: 'ignored' }))),
	]);
	for (const result of results) {
		expect(result).toMatchObject({ status: 'rejected', reason: { name: 'SocketModeStopped', message: expect.stringContaining('invalid_auth') } });
	}
	expect(server.openRequests).toHaveLength(1);
	expect(socketModeConnectionCount()).toBe(0);
});

it('tells every listening trigger when Socket Mode is turned off, and connects no more', async () => {
	const a = listener(() => ({ kind: 'ignored' }));
	const b = listener(() => ({ kind: 'ignored' }));
	await listen(APP_TOKEN, a);
	await listen(APP_TOKEN, b);
	await connected();
	server.linkDisabled();
	await waitFor(() => a.stoppedWith.length === 1 && b.stoppedWith.length === 1, 'both triggers to hear of it');
	expect(a.stoppedWith[0].cause).toBe('linkDisabled');
	await sleep(300);
	expect(server.openRequests).toHaveLength(1);
	expect(socketModeConnectionCount()).toBe(0);
	// n8n activates the workflow again at once: that activation waits for the WebSocket and fails, so
	// that n8n's own backoff grows (one call each), instead of a loop of activations that succeed.
	const again = await Promise.allSettled([1, 2, 3].map(async () => await listenToApp(APP_TOKEN, new URL(server.apiBaseUrl), listener(() => ({ kind: 'ignored' })))));
	expect(again).toEqual(Array(3).fill(expect.objectContaining({ status: 'rejected', reason: expect.objectContaining({ cause: 'linkDisabled' }) })));
	expect(server.openRequests).toHaveLength(2);
	// Socket Mode on again: the next activation succeeds, and the one after it returns at once again.
	server.socketModeOff = false;
	expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toEqual({ kind: 'connected' });
});
