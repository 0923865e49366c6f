/**
 * One session per app token in the process, shared by every listening trigger: each sees every
 * envelope, the envelope is acknowledged once, after all have decided. Against the stand-in for
 * Slack's socket server on 127.0.0.1.
 */
import type { SocketModeStopped } from '../../../../nodes/shared/socket-mode/connection';
import type { Envelope } from '../../../../nodes/shared/socket-mode/frames';
import { ACK_DEADLINE_MS, configureSocketModeSessions, listenToApp, socketModeConnectionCount, type ListenerVerdict, type SocketModeListener, type SocketModeSubscription } from '../../../../nodes/shared/socket-mode/sessions';
import { FAST_SOCKET_MODE_TIMINGS, SlackSocketServer } from '../../../helpers/slack-socket-server';
import { sleep, waitFor } from '../../../helpers/wait-for';

const APP_TOKEN = 'xapp-1-A0STANDIN-2-not-real-0123456789abcdef';
const OTHER_APP_TOKEN = 'xapp-1-A0OTHER00-3-not-real-0123456789abcdef';


interface TestListener extends SocketModeListener {
	seen: Envelope[];
	stoppedWith: SocketModeStopped[];
	warnings: string[];
}

function listener(verdict: (envelope: Envelope) => Promise<ListenerVerdict> | ListenerVerdict): TestListener {
	const seen: Envelope[] = [];
	const stoppedWith: SocketModeStopped[] = [];
	const warnings: string[] = [];
	return {
		seen,
		stoppedWith,
		warnings,
		onEnvelope: async (envelope) => {
			seen.push(envelope);
			return await verdict(envelope);
		},
		onStopped: (error) => stoppedWith.push(error),
		log: { debug: () => undefined, info: () => undefined, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
	};
}

let server: SlackSocketServer;
const subscriptions: SocketModeSubscription[] = [];

beforeAll(() => configureSocketModeSessions({ timings: FAST_SOCKET_MODE_TIMINGS }));
afterAll(() => configureSocketModeSessions({}));
beforeEach(async () => {
	server = await new SlackSocketServer({ appTokens: [APP_TOKEN, OTHER_APP_TOKEN] }).start();
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

const event = (n: number) => ({ type: 'event_callback', team_id: 'T0001', event_id: `Ev${n}`, event: { type: 'message', text: 'hi' } });

it('shares one connection per token: two triggers see every envelope, which is acknowledged once', async () => {
	const first = listener(() => ({ kind: 'started' }));
	const second = listener(() => ({ kind: 'ignored' }));
	expect((await listen(APP_TOKEN, first)).outcome).toEqual({ kind: 'connected' });
	expect((await listen(APP_TOKEN, second)).outcome).toEqual({ kind: 'connected' });
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
	expect(socketModeConnectionCount()).toBe(2);
});

it("sends the first trigger's reply in the acknowledgement of a slash command, and none for an event", async () => {
	await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	await listen(APP_TOKEN, listener(() => ({ kind: 'started', reply: { text: 'On it' } })));
	const command = server.send('slash_commands', { command: '/deploy' });
	const eventId = server.send('events_api', event(4), { acceptsResponsePayload: false });
	await waitFor(() => server.envelopes.get(command)!.acks.length === 1 && server.envelopes.get(eventId)!.acks.length === 1, 'the acknowledgements');
	expect(server.envelopes.get(command)!.acks[0].payload).toEqual({ text: 'On it' });
	expect(server.envelopes.get(eventId)!.acks[0].payload).toBeUndefined();
});

it('does not acknowledge when one trigger could not start its workflow, so Slack sends it again to both', async () => {
	await server.stop();
	server = await new SlackSocketServer({ appTokens: [APP_TOKEN], ackTimeoutMs: 300 }).start();
	const steady = listener(() => ({ kind: 'started' }));
	let failures = 1;
	const failingOnce = listener(() => (failures-- > 0 ? { kind: 'notStarted' } : { kind: 'started' }));
	await listen(APP_TOKEN, steady);
	await listen(APP_TOKEN, failingOnce);
	const id = server.send('events_api', event(5));
	await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement of the resend');
	expect(server.envelopes.get(id)!.deliveries.map((delivery) => delivery.retryAttempt)).toEqual([0, 1]);
	expect(steady.seen).toHaveLength(2);
});

it(`acknowledges at ${ACK_DEADLINE_MS} ms when a trigger has not decided by then, to stay within Slack's 3 s`, async () => {
	const undecided = listener(() => new Promise<ListenerVerdict>(() => undefined));
	await listen(APP_TOKEN, undecided);
	const id = server.send('events_api', event(6));
	await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement', 10_000);
	expect(server.envelopes.get(id)!.acks[0].latencyMs).toBeGreaterThanOrEqual(ACK_DEADLINE_MS - 50);
	expect(undecided.warnings).toEqual([expect.stringContaining('acknowledged an envelope before every trigger had decided')]);
});

it('keeps the connection while a trigger still listens, and closes it when the last one stops', async () => {
	const a = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
	const b = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
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

it('tries at once when a trigger joins a session that waits to try again, and gives that trigger the outcome', async () => {
	configureSocketModeSessions({ timings: { ...FAST_SOCKET_MODE_TIMINGS, reconnectBaseMs: 20_000, reconnectMaxMs: 20_000 } });
	try {
		server.nextOpenAnswers.push('reset');
		const first = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
		expect(first.outcome).toMatchObject({ kind: 'retrying' });
		// Without the new trigger the next try would come 10 to 20 s later.
		const startedAt = performance.now();
		const second = await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })));
		expect(second.outcome).toEqual({ kind: 'connected' });
		expect(performance.now() - startedAt).toBeLessThan(10_000);
		expect(server.openRequests.map((request) => request.answer)).toEqual(['reset', 'ok']);
	} finally {
		configureSocketModeSessions({ timings: FAST_SOCKET_MODE_TIMINGS });
	}
});

it("keeps to a rate limit's Retry-After when a trigger joins meanwhile", async () => {
	server.nextOpenAnswers.push('ratelimited');
	expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toMatchObject({ kind: 'retrying' });
	expect((await listen(APP_TOKEN, listener(() => ({ kind: 'ignored' })))).outcome).toEqual({ kind: 'connected' });
	const [limited, next] = server.openRequests;
	expect(next.at - limited.at).toBeGreaterThanOrEqual(950);
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
	server.linkDisabled();
	await waitFor(() => a.stoppedWith.length === 1 && b.stoppedWith.length === 1, 'both triggers to hear of it');
	expect(a.stoppedWith[0].cause).toBe('linkDisabled');
	await sleep(300);
	expect(server.openRequests).toHaveLength(1);
	expect(socketModeConnectionCount()).toBe(0);
});
