/**
 * One app's Socket Mode session against a stand-in for Slack's socket server on 127.0.0.1
 * (test/helpers/slack-socket-server.ts): hello, envelopes and their acknowledgements, Slack's
 * rotations, dead and dropped connections, apps.connections.open's refusals, link_disabled,
 * frames Slack never sends, and a stop that leaves nothing behind. Timings are shortened (pings
 * every 100 ms, waits from 50 ms), the logic is the one n8n runs.
 */
import { channel } from 'node:diagnostics_channel';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

import { SocketModeSession, type AckDecision, type SocketModeStopped } from '../../../../nodes/shared/socket-mode/connection';
import type { Envelope } from '../../../../nodes/shared/socket-mode/frames';
import type { SocketModeTimings } from '../../../../nodes/shared/socket-mode/reconnect';
import { FAST_SOCKET_MODE_TIMINGS as FAST_TIMINGS, percentile, SlackSocketServer } from '../../../helpers/slack-socket-server';
import { CLOCK_SLACK_MS } from '../../../helpers/clock';
import { sleep, waitFor } from '../../../helpers/wait-for';

const APP_TOKEN = 'xapp-1-A0STANDIN-1-not-real-0123456789abcdef';


interface Logged {
	level: 'debug' | 'info' | 'warn' | 'error';
	message: string;
}

function recordingLog(lines: Logged[]) {
	return {
		debug: (message: string) => lines.push({ level: 'debug', message }),
		info: (message: string) => lines.push({ level: 'info', message }),
		warn: (message: string) => lines.push({ level: 'warn', message }),
		error: (message: string) => lines.push({ level: 'error', message }),
	};
}


let server: SlackSocketServer;
let session: SocketModeSession | undefined;
let received: Envelope[];
let lines: Logged[];
let stopped: SocketModeStopped[];
let decide: (envelope: Envelope) => Promise<AckDecision>;

function startSession(options: { token?: string; timings?: Partial<SocketModeTimings>; debugReconnects?: boolean } = {}) {
	session = new SocketModeSession({
		appToken: options.token ?? APP_TOKEN,
		apiBaseUrl: new URL(server.apiBaseUrl),
		log: recordingLog(lines),
		timings: { ...FAST_TIMINGS, ...options.timings },
		debugReconnects: options.debugReconnects,
		onEnvelope: async (envelope) => {
			received.push(envelope);
			return await decide(envelope);
		},
		onStopped: (error) => stopped.push(error),
	});
	return session.start();
}

beforeEach(async () => {
	server = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
	received = [];
	lines = [];
	stopped = [];
	decide = async () => ({ acknowledge: true });
});

afterEach(async () => {
	await session?.stop();
	session = undefined;
	await server.stop();
});

const eventPayload = (n: number) => ({ type: 'event_callback', team_id: 'T0001', event_id: `Ev${n}`, event: { type: 'message', text: `hello ${n}` } });

describe('connecting and acknowledging', () => {
	it('says connected after hello, hands over each envelope once and acknowledges it with its envelope_id', async () => {
		expect(await startSession()).toEqual({ kind: 'connected' });
		expect(server.openRequests).toHaveLength(1);
		const id = server.send('events_api', eventPayload(1));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		expect(received).toHaveLength(1);
		expect(received[0]).toMatchObject({ envelopeId: id, type: 'events_api', retryAttempt: 0, payload: eventPayload(1) });
		expect(server.envelopes.get(id)!.acks[0].payload).toBeUndefined();
		expect(server.strayFrames).toEqual([]);
	});

	it("puts the decision's payload into the acknowledgement (a slash command's reply)", async () => {
		decide = async () => ({ acknowledge: true, payload: { text: 'On it' } });
		await startSession();
		const id = server.send('slash_commands', { command: '/deploy', text: 'web' });
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		expect(server.envelopes.get(id)!.acks[0].payload).toEqual({ text: 'On it' });
	});

	it('does not acknowledge an envelope decided "not acknowledged", so Slack sends it again with retry_attempt 1', async () => {
		let first = true;
		decide = async () => {
			const answer = first ? { acknowledge: false as const } : { acknowledge: true as const };
			first = false;
			return answer;
		};
		await server.stop();
		server = await new SlackSocketServer({ appTokens: [APP_TOKEN], ackTimeoutMs: 300 }).start();
		await startSession();
		const id = server.send('events_api', eventPayload(2));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement of the resend');
		expect(received.map((envelope) => envelope.retryAttempt)).toEqual([0, 1]);
		expect(received[1].retryReason).toBe('timeout');
	});

	it('decides a copy of an envelope that is still being decided only once', async () => {
		let release!: () => void;
		decide = () => new Promise((resolve) => (release = () => resolve({ acknowledge: true })));
		await startSession();
		const id = server.send('events_api', eventPayload(3));
		await waitFor(() => received.length === 1, 'the envelope');
		server.sendRaw(JSON.stringify({ envelope_id: id, type: 'events_api', payload: eventPayload(3), retry_attempt: 1, retry_reason: 'timeout' }));
		await sleep(100);
		release();
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		expect(received).toHaveLength(1);
	});
});

describe('frames Slack never sends', () => {
	it('ignores text that is not JSON, JSON that is not an object, a huge frame, binary, an unknown type and a missing envelope_id, with a log line, and stays connected', async () => {
		await startSession();
		const hostile = ['not json {', '[1,2,3]', 'x'.repeat(2 * 1024 * 1024), JSON.stringify({ type: 'events_api', payload: {} }), JSON.stringify({ type: 'no_such_type' })];
		for (const text of hostile) server.sendRaw(text);
		server.sendRaw(Buffer.from([0, 1, 2]));
		const id = server.send('events_api', eventPayload(4));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the envelope after them');
		expect(received.map((envelope) => envelope.envelopeId)).toEqual([id]);
		// One line a minute at most: the first says what it was, the next counts the rest.
		const warnings = lines.filter((line) => line.level === 'warn');
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toContain('ignored a frame that is not JSON');
		expect(server.connections).toHaveLength(1);
		expect(session!.isConnected).toBe(true);
	});

	it('hands an envelope of an unknown type over to be decided (and acknowledged), not dropped', async () => {
		await startSession();
		server.sendRaw(JSON.stringify({ envelope_id: 'env-unknown-type', type: 'something_new', payload: { a: 1 } }));
		await waitFor(() => received.length === 1, 'the envelope');
		expect(received[0]).toMatchObject({ envelopeId: 'env-unknown-type', type: 'something_new' });
	});

	it('drops a connection that sends a frame over 16 MiB and opens another, without crashing', async () => {
		await startSession();
		server.sendRaw('y'.repeat(17 * 1024 * 1024));
		await waitFor(() => server.connections.length === 2 && session!.isConnected, 'the next connection');
		const id = server.send('events_api', eventPayload(5));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the envelope on it');
	});
});

describe("Slack's rotations", () => {
	for (const reason of ['warning', 'refresh_requested'] as const) {
		it(`opens the next connection before the old one goes on "${reason}"`, async () => {
			await server.stop();
			server = await new SlackSocketServer({ appTokens: [APP_TOKEN], openLatencyMs: 100 }).start();
			await startSession();
			const [old] = server.live();
			server.rotate(old, reason, 500);
			await waitFor(() => server.connections.length === 2 && session!.isConnected, 'the next connection');
			const next = server.connections[1];
			expect(server.openRequests).toHaveLength(2);
			await waitFor(() => old.closedAt !== undefined, 'the old connection to close');
			// The next one was open before the old one closed.
			expect(next.openedAt).toBeLessThan(old.closedAt!);
			expect(session!.connectionCount).toBe(1);
			expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
		});
	}

	for (const reason of ['warning', 'refresh_requested'] as const) {
		it(`reads and acknowledges on a connection warned with "${reason}" until Slack closes it: no slash command sent on it is lost`, async () => {
			await startSession();
			decide = async (envelope) => ({ acknowledge: true, payload: { text: `ok ${String(envelope.payload.text)}` } });
			const [old] = server.live();
			// Slack closes it 1.5 s after the disconnect (10 s and 5 s at Slack), and delivers on it until then.
			server.rotate(old, reason, 1_500);
			const ids: string[] = [];
			for (let i = 0; i < 30; i++) {
				ids.push(server.send('slash_commands', { command: '/deploy', text: String(i) }));
				await sleep(40);
			}
			await waitFor(() => old.closed, 'Slack to close the warned connection');
			const onOld = ids.filter((id) => server.envelopes.get(id)!.deliveries[0].connectionId === old.id);
			const afterNextHello = onOld.filter((id) => server.envelopes.get(id)!.deliveries[0].at > server.connections[1].openedAt);
			// Slack never sends a command again: each one must have been acknowledged where it came.
			await waitFor(() => ids.every((id) => server.envelopes.get(id)!.acks.length > 0 || server.envelopes.get(id)!.gaveUp), 'every command decided by Slack');
			expect(ids.filter((id) => server.envelopes.get(id)!.acks.length !== 1)).toEqual([]);
			expect(afterNextHello.length).toBeGreaterThan(0);
			expect(server.envelopes.get(onOld.at(-1)!)!.acks[0]).toMatchObject({ connectionId: old.id, payload: { text: expect.stringMatching(/^ok \d+$/) } });
		});
	}

	it('closes a warned connection itself after retireGraceMs when Slack does not, once its envelopes are decided', async () => {
		await startSession({ timings: { retireGraceMs: 300 } });
		const [old] = server.live();
		server.rotate(old, 'warning', 60_000);
		await waitFor(() => old.closed, 'the client to close the old connection', 5_000);
		expect(old.closedAt! - server.connections[1].openedAt).toBeGreaterThanOrEqual(250);
		expect(session!.connectionCount).toBe(1);
	});

	it('keeps up with debug_reconnects: asks Slack for it on the URL', async () => {
		await startSession({ debugReconnects: true });
		expect(server.connections[0].url.searchParams.get('debug_reconnects')).toBe('true');
	});

	// A new seed each run, named in the test's name: SOCKET_SEED=<seed> replays it.
	const rotationSeed = Number(process.env.SOCKET_SEED ?? Date.now() % 100_000);
	it(`loses and doubles nothing over 1,000 envelopes and 10 forced rotations (seed ${rotationSeed}: SOCKET_SEED=${rotationSeed} replays it)`, async () => {
		let state = rotationSeed;
		const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const decidedTimes = new Map<string, number>();
		decide = async (envelope) => {
			decidedTimes.set(envelope.envelopeId, (decidedTimes.get(envelope.envelopeId) ?? 0) + 1);
			// Some decisions take a while, as a trigger waiting for n8n does.
			if (random() < 0.2) await sleep(Math.floor(random() * 400));
			return { acknowledge: true };
		};
		await startSession();
		const ids: string[] = [];
		for (let rotation = 0; rotation < 10; rotation++) {
			for (let i = 0; i < 100; i++) {
				ids.push(server.send('events_api', eventPayload(rotation * 100 + i)));
				// Slack closes a connection about 10 s after its warning; here half a second to 1.5 s.
				if (i === 30) server.rotate(server.live().at(-1)!, rotation % 2 === 0 ? 'warning' : 'refresh_requested', 500 + Math.floor(random() * 1_000));
				if (i % 10 === 0) await sleep(Math.floor(random() * 20));
			}
			await waitFor(() => session!.isConnected && server.live().length === 1, `rotation ${rotation + 1} to finish`, 15_000);
		}
		await waitFor(() => ids.every((id) => server.envelopes.get(id)!.acks.length > 0), 'every acknowledgement', 20_000);
		const sent = ids.map((id) => server.envelopes.get(id)!);
		expect(sent.filter((envelope) => envelope.gaveUp)).toEqual([]);
		// Every envelope decided; one decided twice only when Slack sent it again after its connection closed unacknowledged.
		expect(ids.filter((id) => !decidedTimes.has(id))).toEqual([]);
		// The next connection was always open before the old one went: no envelope waited, none was sent again.
		expect(server.noConnectionWaits).toBe(0);
		const resent = sent.filter((envelope) => envelope.deliveries.length > 1).length;
		expect(resent).toBe(0);
		expect(ids.filter((id) => decidedTimes.get(id) !== 1)).toEqual([]);
		expect(server.connections).toHaveLength(11);
		const latencies = sent.map((envelope) => envelope.acks[0].latencyMs);
		console.log(
			`1,000 envelopes, 10 rotations: acknowledgement p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
		);
	});
});

describe('dead and dropped connections', () => {
	it('keeps a connection whose pong waited unread through a 6 s stall of the event loop right after a ping (a large execution)', async () => {
		await startSession({ timings: { pingIntervalMs: 1_000, pongTimeoutMs: 5_000 } });
		let stalled = false;
		server.afterPong = () => {
			if (stalled) return;
			stalled = true;
			// The pong is written; this process (n8n's event loop) is busy for 6 s before it reads it.
			const until = performance.now() + 6_000;
			while (performance.now() < until) {
				// A synchronous stall, as a large execution makes.
			}
		};
		await waitFor(() => stalled, 'a ping', 5_000);
		await sleep(1_500);
		expect(lines.filter((line) => line.message.includes('did not answer a ping'))).toEqual([]);
		expect(server.connections).toHaveLength(1);
		const id = server.send('events_api', eventPayload(60));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement on the same connection');
	}, 20_000);

	it('reconnects after the TCP connection drops without a close frame', async () => {
		await startSession();
		server.dropTcp(server.live()[0]);
		await waitFor(() => server.connections.length === 2 && session!.isConnected, 'the next connection');
		const id = server.send('events_api', eventPayload(6));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the envelope on it');
		expect(lines.some((line) => line.level === 'warn' && /connection closed \(code 1006\); trying again in/.test(line.message))).toBe(true);
	});

	it('notices a connection that stops answering pings within ping interval + pong timeout, and reconnects', async () => {
		await startSession();
		const [first] = server.live();
		const silentAt = performance.now();
		server.goSilent(first);
		await waitFor(() => server.connections.length === 2 && session!.isConnected, 'the next connection');
		const noticedAfterMs = server.connections[1].openedAt - silentAt;
		// Expected: 100 ms between pings + 150 ms without an answer, plus the first wait (25 to 50 ms) and the
		// reconnection, about 0.3 s. The bound is a third of the production 15 s, so a loaded machine's late
		// timers cannot reach it, while production timings (or no ping check at all) would.
		expect(noticedAfterMs).toBeLessThan(5_000);
		expect(lines.some((line) => line.message.includes('did not answer a ping'))).toBe(true);
	});

	it("sees Slack's own pings as signs of life (a connection that only receives pings is not dead)", async () => {
		await server.stop();
		server = await new SlackSocketServer({ appTokens: [APP_TOKEN], serverPingIntervalMs: 50 }).start();
		await startSession({ timings: { pingIntervalMs: 60_000 } });
		await sleep(400);
		expect(server.connections).toHaveLength(1);
	});
});

describe('an envelope over the size this package reads', () => {
	it('is acknowledged once (Slack would send it three more times) and reported at error level, starting nothing', async () => {
		await server.stop();
		server = await new SlackSocketServer({ appTokens: [APP_TOKEN], ackTimeoutMs: 500 }).start();
		await startSession();
		const id = server.send('events_api', { type: 'event_callback', event_id: 'EvHUGE', event: { type: 'message', text: 'x'.repeat(1_280 * 1024) } });
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		await sleep(800);
		expect(server.envelopes.get(id)!.deliveries).toHaveLength(1);
		expect(received).toEqual([]);
		expect(lines).toContainEqual({
			level: 'error',
			message: expect.stringMatching(/^Slack Socket Mode: Slack sent an envelope of type events_api of \d+ characters, over the 1048576 this package reads; it is acknowledged so that Slack does not send it again, and starts no workflow$/),
		});
	});
});

describe('apps.connections.open', () => {
	it('refuses a wrong token for good, saying what to fix, and asks no more', async () => {
		const outcome = await startSession({ token: 'xapp-1-wrong-token-not-real' });
		expect(outcome).toMatchObject({ kind: 'stopped', error: { cause: 'tokenRefused', message: 'Slack does not accept this app-level token (Slack: invalid_auth)' } });
		await sleep(200);
		expect(server.openRequests).toHaveLength(1);
		expect(JSON.stringify(lines)).not.toContain('wrong-token');
	});

	it('refuses a bot token before sending it anywhere', async () => {
		const outcome = await startSession({ token: 'xoxb-1-not-real' });
		expect(outcome).toMatchObject({ kind: 'stopped', error: { message: expect.stringContaining('not an app-level token') } });
		expect(server.openRequests).toHaveLength(0);
	});

	it('refuses a revoked token once the session ran, telling the listener', async () => {
		await startSession();
		server.nextOpenAnswers.push('token_revoked');
		server.dropTcp(server.live()[0]);
		await waitFor(() => stopped.length === 1, 'the session to stop');
		expect(stopped[0].message).toContain('revoked');
		await sleep(200);
		expect(server.openRequests).toHaveLength(2);
	});

	for (const answer of ['ratelimited', 'reset', 'server_error'] as const) {
		it(`keeps trying after "${answer}", waiting in between`, async () => {
			server.nextOpenAnswers.push(answer, answer);
			const outcome = await startSession();
			expect(outcome).toMatchObject({ kind: 'retrying' });
			await waitFor(() => session!.isConnected, 'the connection', 10_000);
			expect(server.openRequests.map((request) => request.answer)).toEqual([answer, answer, 'ok']);
			const gaps = server.openRequests.slice(1).map((request, i) => request.at - server.openRequests[i].at);
			if (answer === 'ratelimited') {
				// Retry-After: 1 is a floor.
				for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
			} else {
				// Half the first wait (50 ms) at least, then half of twice that; a timer may be read as firing
				// up to CLOCK_SLACK_MS early, and asking again at once would give gaps of about 1 ms.
				expect(gaps[0]).toBeGreaterThanOrEqual(25 - CLOCK_SLACK_MS);
				expect(gaps[1]).toBeGreaterThanOrEqual(50 - CLOCK_SLACK_MS);
			}
		});
	}

	it('never asks in a tight loop while Slack keeps failing', async () => {
		for (let i = 0; i < 100; i++) server.nextOpenAnswers.push('server_error');
		void startSession();
		await sleep(1_500);
		// 25-50, 50-100, 100-200, then 200-400 ms each: at most 9 requests in 1.5 s (a loaded machine only
		// makes fewer). At least 2 shows it keeps trying; the first two come within 50 ms of each other.
		expect(server.openRequests.length).toBeLessThanOrEqual(9);
		expect(server.openRequests.length).toBeGreaterThanOrEqual(2);
	});
});

describe('link_disabled', () => {
	it('stops for good when Socket Mode is turned off, tells the listener what to do, and reconnects no more', async () => {
		await startSession();
		server.linkDisabled();
		await waitFor(() => stopped.length === 1, 'the session to stop');
		expect(stopped[0]).toMatchObject({ cause: 'linkDisabled', message: 'Socket Mode is turned off in the Slack app' });
		expect(stopped[0].description).toContain('Settings > Socket Mode');
		await sleep(300);
		expect(server.openRequests).toHaveLength(1);
		expect(session!.connectionCount).toBe(0);
	});

	it('fails the start when the first connection gets link_disabled', async () => {
		server.socketModeOff = true;
		expect(await startSession()).toMatchObject({ kind: 'stopped', error: { cause: 'linkDisabled' } });
	});
});

describe('stop', () => {
	it('acknowledges the envelopes still being decided before it closes (deactivation drains)', async () => {
		let decided = false;
		decide = async () => {
			await sleep(400);
			decided = true;
			return { acknowledge: true, payload: { text: 'Deployed' } };
		};
		await startSession();
		const id = server.send('slash_commands', { command: '/deploy' });
		await waitFor(() => received.length === 1, 'the command');
		await session!.stop();
		session = undefined;
		expect(decided).toBe(true);
		expect(server.envelopes.get(id)!.acks.map((ack) => ack.payload)).toEqual([{ text: 'Deployed' }]);
	});

	it('goes through a CONNECT proxy on 127.0.0.1 (HTTP_PROXY) for apps.connections.open and the WebSocket, and its stop never hangs on a silent peer', async () => {
		const tunnels: string[] = [];
		const proxy = createHttpServer();
		const open = new Set<Socket>();
		proxy.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
			tunnels.push(request.url ?? '');
			const [host, port] = (request.url ?? '').split(':');
			const upstream = connect(Number(port), host, () => {
				client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				upstream.write(head);
				upstream.pipe(client);
				client.pipe(upstream);
			});
			for (const socket of [client, upstream]) {
				open.add(socket);
				socket.on('error', () => undefined);
				socket.on('close', () => open.delete(socket));
			}
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
		process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
		delete process.env.http_proxy;
		process.env.NO_PROXY = '';
		delete process.env.no_proxy;
		try {
			expect(await startSession()).toEqual({ kind: 'connected' });
			const target = new URL(server.origin).host;
			expect(tunnels).toEqual([target, target]);
			const id = server.send('events_api', eventPayload(70));
			await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement through the proxy');
			server.goSilent(server.live()[0]);
			const startedAt = performance.now();
			await session!.stop();
			session = undefined;
			// Close timeout 300 ms: the socket through the tunnel is destroyed, not waited on forever.
			expect(performance.now() - startedAt).toBeLessThan(300 + 5_000);
		} finally {
			for (const [name, value] of Object.entries(saved)) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
			for (const socket of open) socket.destroy();
			await new Promise((resolve) => proxy.close(resolve));
		}
	});

	it('closes with a close frame, stops every timer and leaves no handle or diagnostics subscription behind', async () => {
		// Counted without the stand-in: stopped before the baseline, and stopped again before the count.
		await server.stop();
		await sleep(100);
		const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').sort();
		const before = handles();
		server = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
		await startSession();
		const id = server.send('events_api', eventPayload(7));
		await waitFor(() => server.envelopes.get(id)!.acks.length === 1, 'the acknowledgement');
		server.rotate(server.live()[0], 'warning', 5_000);
		await waitFor(() => server.connections.length === 2 && session!.connectionCount === 1, 'a rotation');
		expect(channel('undici:websocket:pong').hasSubscribers).toBe(true);
		await session!.stop();
		session = undefined;
		await server.stop();
		// A timer that ends by itself within a second is not left behind; an interval or a socket would be.
		await waitFor(() => JSON.stringify(handles()) === JSON.stringify(before), 'the handles to be as before', 2_000).catch(() => undefined);
		expect(handles()).toEqual(before);
		expect(channel('undici:websocket:pong').hasSubscribers).toBe(false);
		expect(channel('undici:websocket:ping').hasSubscribers).toBe(false);
	});

	it('destroys the socket of a peer that never answers the close frame, after the close timeout', async () => {
		await startSession();
		server.goSilent(server.live()[0]);
		const startedAt = performance.now();
		await session!.stop();
		session = undefined;
		// Expected about 0.3 s (the close timeout). Without the destroy, undici waits for the peer without a
		// limit and the test meets jest's timeout; a bound of 10 s is out of a loaded machine's reach.
		expect(performance.now() - startedAt).toBeLessThan(10_000);
	});
});
