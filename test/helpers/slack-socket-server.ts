/**
 * Plays Slack's side of Socket Mode on 127.0.0.1: `POST /api/apps.connections.open` (an app-level
 * token buys a single-use WebSocket URL) and the WebSocket server behind it, which says `hello`,
 * spreads envelopes over the app's open connections as Slack does, takes acknowledgements (each
 * recorded with its time and payload), and sends an envelope again, with `retry_attempt` and
 * `retry_reason`, when no acknowledgement came within the acknowledgement timeout (3 s, as
 * Slack's). It can do what Slack does to a client (rotate a connection with `warning` or
 * `refresh_requested`, `link_disabled`) and what a network does (drop a connection without a
 * close frame, go silent and stop answering pings), answer apps.connections.open with
 * `ratelimited`, `invalid_auth`, a bot-token refusal or a reset connection, and send frames Slack
 * never sends.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

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
	/** Slack stops after the first delivery and three retries. */
	gaveUp: boolean;
}

export interface SocketConnection {
	id: number;
	ws: WebSocket;
	openedAt: number;
	/** Slack sent `disconnect`: no new envelopes go to it. */
	leaving: boolean;
	/** Neither answers pings nor sends anything (a connection dead without a close). */
	silent: boolean;
	closed: boolean;
	/** performance.now() when the WebSocket closed (either side). */
	closedAt?: number;
	url: URL;
}

export interface SlackSocketServerOptions {
	/** App-level tokens the server knows; any other gets invalid_auth. */
	appTokens: string[];
	appId?: string;
	/** Slack's acknowledgement timeout; an envelope not acknowledged within it is sent again. */
	ackTimeoutMs?: number;
	/** Slack sends a ping this often (0: never). */
	serverPingIntervalMs?: number;
	/** How long apps.connections.open takes to answer, as over a real network. */
	openLatencyMs?: number;
}

export const SOCKET_PATHS = { open: '/api/apps.connections.open', link: '/link/' } as const;

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
};

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

	constructor(private readonly options: SlackSocketServerOptions) {
		this.ackTimeoutMs = options.ackTimeoutMs ?? 3_000;
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

	/** Sends an envelope to one of the open connections (round robin over those Slack is not retiring) and returns its ID. */
	send(type: string, payload: Record<string, unknown>, options: { acceptsResponsePayload?: boolean; envelopeId?: string } = {}): string {
		const envelopeId = options.envelopeId ?? `env-${String(this.nextEnvelope++).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
		const sent: SentEnvelope = {
			envelopeId,
			type,
			payload,
			acceptsResponsePayload: options.acceptsResponsePayload ?? type === 'slash_commands',
			deliveries: [],
			acks: [],
			gaveUp: false,
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

	/** Slack's rotation: `disconnect` with `warning` or `refresh_requested`, then the connection closed after `graceMs`. */
	rotate(connection: SocketConnection, reason: 'warning' | 'refresh_requested', graceMs: number): void {
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
		const candidates = this.live().filter((connection) => !connection.leaving && connection.ws.readyState === WebSocket.OPEN);
		const fallback = this.live().filter((connection) => connection.ws.readyState === WebSocket.OPEN);
		const pool = candidates.length > 0 ? candidates : fallback;
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
			if (retryAttempt >= 3) {
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
		const queued = this.nextOpenAnswers.shift();
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
				json(200, { ok: true, url: `ws://127.0.0.1:${(this.server!.address() as AddressInfo).port}${SOCKET_PATHS.link}?ticket=${ticket}&app_id=${this.options.appId ?? 'A0STANDIN'}` });
				return;
			}
			case 'ratelimited':
				json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
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
		const connection: SocketConnection = { id: this.nextConnectionId++, ws, openedAt: performance.now(), leaving: false, silent: false, closed: false, url };
		this.connections.push(connection);
		ws.on('ping', (data) => {
			if (!connection.silent) ws.pong(data);
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
		ws.send(
			JSON.stringify({
				type: 'hello',
				num_connections: this.live().length,
				debug_info: { host: `applink-stand-in-${connection.id}`, build_number: 1, approximate_connection_time: 18060 },
				connection_info: { app_id: this.options.appId ?? 'A0STANDIN' },
			}),
		);
	}

	private sendLinkDisabled(connection: SocketConnection): void {
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
