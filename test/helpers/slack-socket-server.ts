/**
 * Plays Slack's side of Socket Mode on 127.0.0.1, unkind where Slack is: `POST
 * /api/apps.connections.open` (an app-level token buys a single-use WebSocket URL, rate-limited as
 * Slack's Tier 1) and the WebSocket server behind it, which says `hello` (with the app and how many
 * connections Slack counts for it), spreads envelopes over the app's open connections, takes
 * acknowledgements (each recorded with its time and payload), and sends again only Events API
 * envelopes, with `retry_attempt` and `retry_reason`; a slash command or a click that got no
 * acknowledgement within 3 s is never sent again (the user saw an error). It keeps delivering on a
 * connection it warned until it closes it, refuses an 11th connection of an app with
 * `too_many_websockets`, can do what Slack does to a client (`warning`, `refresh_requested`,
 * `link_disabled`) and what a network does (drop a connection without a close frame, go silent and
 * stop answering pings), answer apps.connections.open with `ratelimited`, `invalid_auth`, a
 * bot-token refusal or a reset connection, and send frames Slack never sends.
 *
 * Sources, cited beside each behaviour below:
 * - SOCKET_MODE: https://api.slack.com/apis/socket-mode ("Using Socket Mode": up to 10 open
 *   connections per app, envelopes spread over them, acknowledge each `envelope_id`).
 * - SOCKET_IMPLEMENT: https://api.slack.com/apis/connections/socket-implement (`hello` with
 *   `num_connections` and `connection_info.app_id`; `disconnect` with `warning` about 10 s before
 *   Slack closes the connection and `refresh_requested` when it wants a new one, still delivering
 *   until it closes; `retry_attempt`/`retry_reason` on resent Events API envelopes).
 * - OPEN_METHOD: https://api.slack.com/methods/apps.connections.open ("Rate limits: Tier 1") and
 *   https://api.slack.com/docs/rate-limits (Tier 1: 1+ per minute, "a small amount of burst
 *   behavior is tolerated"; 429 with Retry-After).
 * - EVENTS_RETRIES: https://api.slack.com/apis/connections/events-api#retries (an event is sent
 *   again up to 3 times when not acknowledged).
 * - NO_RESEND: https://api.slack.com/interactivity/slash-commands#responding_basic_receipt and
 *   https://api.slack.com/interactivity/handling#acknowledgment_response (a command or an
 *   interaction not acknowledged within 3 s shows the user an error; nothing is sent again).
 * - TOO_MANY: observed in Slack's client issues: slackapi/bolt-js#2225 and #2238,
 *   slackapi/node-slack-sdk#1654 (`{"type":"disconnect","reason":"too_many_websockets"}` when an
 *   app has more than 10 connections, also on a connection not yet past its handshake).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

import { DEFAULT_TIMINGS } from '../../nodes/shared/socket-mode/reconnect';

export type OpenAnswer = 'ok' | 'ratelimited' | 'invalid_auth' | 'not_allowed_token_type' | 'token_revoked' | 'reset' | 'server_error';

export interface Ack {
	envelopeId: string;
	/** performance.now() when the acknowledgement arrived. */
	at: number;
	/** From this delivery of the envelope to its acknowledgement. */
	latencyMs: number;
	payload: unknown;
	connectionId: number;
}

export interface SentEnvelope {
	envelopeId: string;
	type: string;
	payload: Record<string, unknown>;
	acceptsResponsePayload: boolean;
	/** Every delivery, the first included: connection and time. */
	deliveries: { connectionId: number; at: number; retryAttempt: number }[];
	acks: Ack[];
	appId: string;
	/** Slack stops after the first delivery and three retries; a command or a click after the first delivery. */
	gaveUp: boolean;
}

export interface SocketConnection {
	id: number;
	ws: WebSocket;
	openedAt: number;
	/** Slack sent `disconnect` (`warning`, `refresh_requested`): it still delivers on it until it closes it. */
	leaving: boolean;
	/** The app this connection belongs to. */
	appId: string;
	/** Refused with `too_many_websockets`: never said hello, gets no envelope. */
	refused?: boolean;
	/** Neither answers pings nor sends anything (a connection dead without a close). */
	silent: boolean;
	closed: boolean;
	/** performance.now() when the WebSocket closed (either side). */
	closedAt?: number;
	url: URL;
}

export interface SlackSocketServerOptions {
	/** App-level tokens the server knows; any other gets invalid_auth. Each belongs to `appId` unless `tokenApps` names another. */
	appTokens: string[];
	appId?: string;
	/** Token → app, for tokens of another app than `appId` (two apps on one stand-in). */
	tokenApps?: Record<string, string>;
	/** apps.connections.open's Tier 1 limit per app: `burst` calls at once, then one per `refillMs` (default: 20, then one a minute). */
	openRateLimit?: { burst: number; refillMs?: number };
	/** Connections of the app that Slack counts besides this stand-in's (another n8n, a development instance). */
	otherConnections?: number;
	/** Slack's acknowledgement timeout; an envelope not acknowledged within it is sent again. */
	ackTimeoutMs?: number;
	/** Slack sends a ping this often (0: never). */
	serverPingIntervalMs?: number;
	/** How long apps.connections.open takes to answer, as over a real network. */
	openLatencyMs?: number;
}

export const SOCKET_PATHS = { open: '/api/apps.connections.open', link: '/link/' } as const;

/** SOCKET_MODE: an app may hold up to 10 connections at once; TOO_MANY: the next is refused. */
export const MAX_CONNECTIONS_PER_APP = 10;
/** SOCKET_IMPLEMENT: Slack closes a connection about 10 s after `warning`, about 5 s after `refresh_requested`. */
export const SLACK_ROTATION_GRACE_MS = { warning: 10_000, refresh_requested: 5_000 } as const;
/** OPEN_METHOD: Tier 1 is "1+ per minute" with a small burst; the burst's size is not published. */
export const TIER_1 = { burst: 20, refillMs: 60_000 } as const;

/** The session's waits shortened for tests: pings every 100 ms, a dead connection noticed within 250 ms, waits from 25 ms. */
export const FAST_SOCKET_MODE_TIMINGS = {
	pingIntervalMs: 100,
	pongTimeoutMs: 150,
	helloTimeoutMs: 2_000,
	openTimeoutMs: 2_000,
	reconnectBaseMs: 50,
	reconnectMaxMs: 400,
	stableAfterMs: 2_000,
	closeTimeoutMs: 300,
	drainTimeoutMs: 3_000,
	retireGraceMs: 2_000,
	joinRetryGapMs: 1_000,
};

/**
 * FAST_SOCKET_MODE_TIMINGS for tests that are not about a dead connection: a pong may take as long
 * as the package allows in production (5 s), so that a pong read late on a loaded machine (the
 * fast 150 ms do not survive a busy two-core machine) never ends a healthy connection mid-test and
 * adds reconnect warnings the test did not expect.
 */
export const STEADY_SOCKET_MODE_TIMINGS = { ...FAST_SOCKET_MODE_TIMINGS, pongTimeoutMs: DEFAULT_TIMINGS.pongTimeoutMs };

export class SlackSocketServer {
	readonly connections: SocketConnection[] = [];
	readonly envelopes = new Map<string, SentEnvelope>();
	readonly openRequests: { at: number; token: string | undefined; answer: OpenAnswer }[] = [];
	/** Answers for the next apps.connections.open requests, in order; then 'ok'. */
	readonly nextOpenAnswers: OpenAnswer[] = [];
	/** Frames clients sent that were not acknowledgements of a known envelope. */
	readonly strayFrames: string[] = [];
	/** Times an envelope found no open connection of the app and had to wait for one. */
	noConnectionWaits = 0;
	/** Set by linkDisabled(): every new connection gets `link_disabled` at once. */
	socketModeOff = false;
	private server: Server | undefined;
	private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
	private readonly tickets = new Set<string>();
	private nextConnectionId = 1;
	private nextEnvelope = 1;
	private roundRobin = 0;
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly ackTimeoutMs: number;
	private readonly ackWaiters = new Map<string, (ack: Ack) => void>();
	/** Per app: apps.connections.open calls left in the burst, and when the last one came back. */
	private readonly openBuckets = new Map<string, { tokens: number; refilledAt: number }>();
	/** Connections Slack counts for the app besides this stand-in's; tests may change it. */
	otherConnections: number;
	/** Connections refused with `too_many_websockets`. */
	tooManyRefusals = 0;
	/**
	 * Refuse the 11th connection after its `hello` rather than before (both observed in Slack's
	 * client issues: before it in slackapi/bolt-js#2021's log, "connecting:handshaking"; a client
	 * that reconnects at once after hello makes the storm of slackapi/bolt-js#2225).
	 */
	tooManyAfterHello = false;
	/** Called once the stand-in has answered a client's ping (a test may stall the event loop there). */
	afterPong: ((connection: SocketConnection) => void) | undefined;

	constructor(private readonly options: SlackSocketServerOptions) {
		this.ackTimeoutMs = options.ackTimeoutMs ?? 3_000;
		this.otherConnections = options.otherConnections ?? 0;
	}

	appOf(token: string): string {
		return this.options.tokenApps?.[token] ?? this.options.appId ?? 'A0STANDIN';
	}

	/** On a free port, or on `port` when the n8n under test was told it. */
	async start(port = 0): Promise<this> {
		this.server = createServer((request, response) => {
			void this.handleHttp(request, response).catch(() => response.writeHead(500).end());
		});
		this.server.on('upgrade', (request, socket, head) => this.handleUpgrade(request, socket, head));
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		if (this.options.serverPingIntervalMs) {
			const timer = setInterval(() => {
				for (const connection of this.live()) if (!connection.silent) connection.ws.ping();
			}, this.options.serverPingIntervalMs);
			this.timers.add(timer);
		}
		return this;
	}

	get origin(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	/** What a credential's Slack API URL is set to in tests. */
	get apiBaseUrl(): string {
		return `${this.origin}/api/`;
	}

	/** Connections that said hello and are not closed. */
	live(): SocketConnection[] {
		return this.connections.filter((connection) => !connection.closed);
	}

	/**
	 * Sends an envelope to one of the app's open connections, round robin, warned ones included
	 * (SOCKET_IMPLEMENT: Slack may deliver on a connection until it closes it), and returns its ID.
	 */
	send(type: string, payload: Record<string, unknown>, options: { acceptsResponsePayload?: boolean; envelopeId?: string; appId?: string } = {}): string {
		const envelopeId = options.envelopeId ?? `env-${String(this.nextEnvelope++).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
		const sent: SentEnvelope = {
			envelopeId,
			type,
			payload,
			acceptsResponsePayload: options.acceptsResponsePayload ?? type === 'slash_commands',
			deliveries: [],
			acks: [],
			gaveUp: false,
			appId: options.appId ?? this.options.appId ?? 'A0STANDIN',
		};
		this.envelopes.set(envelopeId, sent);
		this.deliver(sent, 0, null);
		return envelopeId;
	}

	/** Sends a frame as it is, to one connection (the newest when none is named). */
	sendRaw(text: string | Buffer, connection = this.live().at(-1)): void {
		if (!connection) throw new Error('no connection open');
		connection.ws.send(text);
	}

	/**
	 * Slack's rotation: `disconnect` with `warning` or `refresh_requested`; envelopes still go to the
	 * connection until Slack closes it `graceMs` later (SOCKET_IMPLEMENT: about 10 s after `warning`,
	 * about 5 s after `refresh_requested`, SLACK_ROTATION_GRACE_MS).
	 */
	rotate(connection: SocketConnection, reason: 'warning' | 'refresh_requested', graceMs: number = SLACK_ROTATION_GRACE_MS[reason]): void {
		connection.leaving = true;
		connection.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: `applink-stand-in-${connection.id}` } }));
		this.later(graceMs, () => this.closeConnection(connection, 1001));
	}

	/** Socket Mode turned off in the app's settings: `link_disabled` on every connection, now and later. */
	linkDisabled(): void {
		this.socketModeOff = true;
		for (const connection of this.live()) this.sendLinkDisabled(connection);
	}

	/** The TCP connection ends without a close frame. */
	dropTcp(connection: SocketConnection): void {
		connection.closed = true;
		(connection.ws as unknown as { _socket: Duplex })._socket.destroy();
	}

	/** The connection stays open but nothing comes back: no pong, no frame, no acknowledgement read. */
	goSilent(connection: SocketConnection): void {
		connection.silent = true;
		// Not even the close handshake, which the ws library would answer by itself.
		(connection.ws as unknown as { _socket: Duplex })._socket.pause();
	}

	closeConnection(connection: SocketConnection, code = 1000): void {
		if (connection.closed) return;
		connection.closed = true;
		connection.ws.close(code);
		this.later(1_000, () => connection.ws.terminate());
	}

	/** The envelope's first acknowledgement, or undefined when none came within `timeoutMs`. */
	waitForAck(envelopeId: string, timeoutMs: number): Promise<Ack | undefined> {
		const sent = this.envelopes.get(envelopeId);
		if (sent?.acks[0]) return Promise.resolve(sent.acks[0]);
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.ackWaiters.delete(envelopeId);
				resolve(undefined);
			}, timeoutMs);
			this.ackWaiters.set(envelopeId, (ack) => {
				clearTimeout(timer);
				this.ackWaiters.delete(envelopeId);
				resolve(ack);
			});
		});
	}

	/** Envelopes sent and not (yet) acknowledged. */
	unacknowledged(): SentEnvelope[] {
		return [...this.envelopes.values()].filter((sent) => sent.acks.length === 0);
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const client of this.wss.clients) client.terminate();
		this.wss.close();
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private deliver(sent: SentEnvelope, retryAttempt: number, retryReason: string | null): void {
		// SOCKET_IMPLEMENT: a warned connection is still a connection of the app until Slack closes it.
		const pool = this.live().filter((connection) => connection.appId === sent.appId && !connection.refused && connection.ws.readyState === WebSocket.OPEN);
		if (pool.length === 0) {
			this.noConnectionWaits++;
			// Slack holds envelopes while an app has no connection and tries again.
			this.later(200, () => this.deliver(sent, retryAttempt, retryReason));
			return;
		}
		const connection = pool[this.roundRobin++ % pool.length];
		sent.deliveries.push({ connectionId: connection.id, at: performance.now(), retryAttempt });
		if (!connection.silent) {
			connection.ws.send(
				JSON.stringify({
					envelope_id: sent.envelopeId,
					type: sent.type,
					payload: sent.payload,
					accepts_response_payload: sent.acceptsResponsePayload,
					...(sent.type === 'events_api' ? { retry_attempt: retryAttempt, retry_reason: retryReason ?? '' } : {}),
				}),
			);
		}
		this.later(this.ackTimeoutMs, () => {
			if (sent.acks.length > 0) return;
			// NO_RESEND: a command or a click not acknowledged in time is an error the user sees, never sent again.
			// EVENTS_RETRIES: an event is sent again, three times at most.
			if (sent.type !== 'events_api' || retryAttempt >= 3) {
				sent.gaveUp = true;
				return;
			}
			this.deliver(sent, retryAttempt + 1, 'timeout');
		});
	}

	private async handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
		for await (const _chunk of request) {
			// The body is empty; read it so the connection can be reused.
		}
		const url = new URL(request.url ?? '/', this.origin);
		if (this.options.openLatencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.openLatencyMs));
		if (request.method !== 'POST' || url.pathname !== SOCKET_PATHS.open) {
			response.writeHead(404).end();
			return;
		}
		const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
		const limited = token !== undefined && this.options.appTokens.includes(token) ? this.takeOpenToken(this.appOf(token)) : 0;
		const queued = limited > 0 ? 'ratelimited' : this.nextOpenAnswers.shift();
		const answer: OpenAnswer =
			queued ??
			(token === undefined
				? 'invalid_auth'
				: token.startsWith('xoxb-')
					? 'not_allowed_token_type'
					: this.options.appTokens.includes(token)
						? 'ok'
						: 'invalid_auth');
		this.openRequests.push({ at: performance.now(), token, answer });
		const json = (status: number, body: object, headers: Record<string, string> = {}) =>
			response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
		switch (answer) {
			case 'ok': {
				const ticket = randomBytes(16).toString('hex');
				this.tickets.add(ticket);
				json(200, { ok: true, url: `ws://127.0.0.1:${(this.server!.address() as AddressInfo).port}${SOCKET_PATHS.link}?ticket=${ticket}&app_id=${this.appOf(token ?? '')}` });
				return;
			}
			case 'ratelimited':
				// OPEN_METHOD: HTTP 429 with Retry-After in seconds.
				json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.max(1, Math.ceil(limited / 1000))) });
				return;
			case 'reset':
				request.socket.destroy();
				return;
			case 'server_error':
				response.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
				return;
			default:
				json(200, { ok: false, error: answer });
		}
	}

	/**
	 * OPEN_METHOD's Tier 1, per app: a burst, then one call per refill interval. 0 when the call
	 * may go ahead; otherwise the milliseconds until the next one may (the 429's Retry-After).
	 */
	private takeOpenToken(appId: string): number {
		const { burst, refillMs = TIER_1.refillMs } = this.options.openRateLimit ?? TIER_1;
		const now = performance.now();
		const bucket = this.openBuckets.get(appId) ?? { tokens: burst, refilledAt: now };
		const refills = Math.floor((now - bucket.refilledAt) / refillMs);
		if (refills > 0) {
			bucket.tokens = Math.min(burst, bucket.tokens + refills);
			bucket.refilledAt += refills * refillMs;
		}
		this.openBuckets.set(appId, bucket);
		if (bucket.tokens >= 1) {
			bucket.tokens--;
			return 0;
		}
		return bucket.refilledAt + refillMs - now;
	}

	private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = new URL(request.url ?? '/', this.origin);
		const ticket = url.searchParams.get('ticket') ?? '';
		// A URL from apps.connections.open is good for one connection.
		if (url.pathname !== SOCKET_PATHS.link || !this.tickets.delete(ticket)) {
			socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
			return;
		}
		this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, url));
	}

	private onConnection(ws: WebSocket, url: URL): void {
		const appId = url.searchParams.get('app_id') ?? this.options.appId ?? 'A0STANDIN';
		const connection: SocketConnection = { id: this.nextConnectionId++, ws, openedAt: performance.now(), leaving: false, silent: false, closed: false, url, appId };
		this.connections.push(connection);
		ws.on('ping', (data) => {
			if (connection.silent) return;
			ws.pong(data);
			this.afterPong?.(connection);
		});
		ws.on('message', (data, isBinary) => {
			if (connection.silent) return;
			this.onClientFrame(connection, isBinary ? '' : data.toString());
		});
		ws.on('close', () => {
			connection.closed = true;
			connection.closedAt = performance.now();
		});
		ws.on('error', () => (connection.closed = true));
		if (this.socketModeOff) {
			this.sendLinkDisabled(connection);
			return;
		}
		const counted = this.live().filter((open) => open.appId === appId && !open.refused).length + this.otherConnections;
		if (counted > MAX_CONNECTIONS_PER_APP) {
			if (this.tooManyAfterHello) ws.send(JSON.stringify({ type: 'hello', num_connections: counted, connection_info: { app_id: appId } }));
			// TOO_MANY: the connection past the app's 10 is told so and closed, before any hello.
			this.tooManyRefusals++;
			connection.refused = true;
			ws.send(JSON.stringify({ type: 'disconnect', reason: 'too_many_websockets', debug_info: { host: `applink-stand-in-${connection.id}` } }));
			this.later(100, () => this.closeConnection(connection, 1000));
			return;
		}
		// SOCKET_IMPLEMENT: hello names the app and counts its open connections, this one included.
		ws.send(
			JSON.stringify({
				type: 'hello',
				num_connections: counted,
				debug_info: { host: `applink-stand-in-${connection.id}`, build_number: 1, approximate_connection_time: 18060 },
				connection_info: { app_id: appId },
			}),
		);
	}

	private sendLinkDisabled(connection: SocketConnection): void {
		connection.leaving = true;
		connection.ws.send(JSON.stringify({ type: 'disconnect', reason: 'link_disabled', debug_info: { host: `applink-stand-in-${connection.id}` } }));
		this.later(100, () => this.closeConnection(connection, 1000));
	}

	private onClientFrame(connection: SocketConnection, text: string): void {
		let frame: { envelope_id?: unknown; payload?: unknown } | undefined;
		try {
			frame = JSON.parse(text) as typeof frame;
		} catch {
			frame = undefined;
		}
		const sent = typeof frame?.envelope_id === 'string' ? this.envelopes.get(frame.envelope_id) : undefined;
		if (!sent) {
			this.strayFrames.push(text.slice(0, 200));
			return;
		}
		const now = performance.now();
		const lastDelivery = sent.deliveries.at(-1)!;
		const ack = { envelopeId: sent.envelopeId, at: now, latencyMs: now - lastDelivery.at, payload: frame?.payload, connectionId: connection.id };
		sent.acks.push(ack);
		this.ackWaiters.get(sent.envelopeId)?.(ack);
	}

	private later(ms: number, run: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		this.timers.add(timer);
	}
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
