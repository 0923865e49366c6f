import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { buildConnector, EnvHttpProxyAgent, Pool, ping, WebSocket, type Dispatcher } from 'undici';

import { SLACK_SOCKET_MODE } from '../slack';
import { acknowledgement, MAX_ENVELOPE_CHARACTERS, MAX_FRAME_BYTES, printable, readFrame, type Envelope } from './frames';
import { openConnectionUrl } from './open-connection';
import { DEFAULT_TIMINGS, reconnectDelayMs, type SocketModeTimings } from './reconnect';

/**
 * One app's Socket Mode session: a WebSocket to Slack (two while Slack rotates them), kept open
 * until stop(). It asks apps.connections.open for each connection's single-use URL, waits for
 * `hello`, hands every envelope to `onEnvelope` and sends the acknowledgement that decides,
 * opens the next connection before the old one goes when Slack says `warning` or
 * `refresh_requested`, notices a dead connection by its silence, and after a failure waits
 * (reconnect.ts) before it asks again. A refused token or `link_disabled` ends it: no retry can
 * help, and `onFatal` says what to do.
 *
 * Built on undici's WebSocket, which the package already has: a dispatcher per connection that
 * honours HTTP(S)_PROXY and NO_PROXY and hands over its socket, so a dead peer's socket can be
 * destroyed (undici's close() waits for the peer's answer without a limit), and undici's
 * diagnostics channels for the pings and pongs it answers and receives.
 */

export interface SocketModeLog {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export type AckDecision = { acknowledge: true; payload?: object } | { acknowledge: false };

/** Why a session ended for good: the token was refused, or Socket Mode was turned off. */
export class SocketModeStopped extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly cause: 'tokenRefused' | 'linkDisabled',
	) {
		super(message);
		this.name = 'SocketModeStopped';
	}
}

export type StartOutcome =
	| { kind: 'connected' }
	/** Slack accepted the token (apps.connections.open gave a URL); its `hello` has not come yet. */
	| { kind: 'connecting' }
	/** Slack could not be reached or refused for now; the session keeps trying. */
	| { kind: 'retrying'; reason: string }
	| { kind: 'stopped'; error: SocketModeStopped };

export interface SocketModeSessionOptions {
	appToken: string;
	apiBaseUrl: URL;
	onEnvelope(envelope: Envelope, receivedAt: number): Promise<AckDecision>;
	/** The session ended for good (also when a start or tryNow settles with it). */
	onStopped(error: SocketModeStopped): void;
	/** A connection said `hello`: which app Slack says it belongs to, and how many connections Slack counts for it. */
	onHello?(hello: { appId: string | null; numConnections: number | null }): void;
	log: SocketModeLog;
	timings?: Partial<SocketModeTimings>;
	/** Asks Slack to rotate connections every few seconds (tests). */
	debugReconnects?: boolean;
	random?: () => number;
}

type LinkState = 'opening' | 'live' | 'retiring' | 'closed';

interface Link {
	readonly id: number;
	readonly ws: WebSocket;
	readonly dispatcher: Dispatcher;
	socket?: Socket;
	state: LinkState;
	helloAt?: number;
	/** Envelopes that arrived on this connection and are still being decided. */
	deciding: number;
	timers: Set<NodeJS.Timeout>;
	/** The ping waiting for a sign of life; cleared by any frame. */
	pongWait?: { timer: NodeJS.Timeout };
	/** Retired, and its grace is over: closed once its envelopes are decided. */
	closeDue: boolean;
	closed: Promise<void>;
}

let nextLinkId = 1;

export class SocketModeSession {
	private readonly timings: SocketModeTimings;
	private readonly random: () => number;
	private readonly links = new Set<Link>();
	private active: Link | undefined;
	/** The next connection while it is being asked for or waits for `hello`. */
	private opening: { abort: AbortController; link?: Link } | undefined;
	private reconnectTimer: NodeJS.Timeout | undefined;
	private failuresInARow = 0;
	/** performance.now() before which Slack asked not to be asked again (Retry-After). */
	private notBefore = 0;
	private stopping = false;
	private readonly httpDispatcher: Dispatcher = new EnvHttpProxyAgent();
	/** Envelope IDs being decided: a copy Slack sends meanwhile (on another connection) is not decided twice. */
	private readonly deciding = new Set<string>();
	private settleStart: ((outcome: StartOutcome) => void) | undefined;
	/** What the last answer was (a URL, a refusal, a wait), for triggers that join later; undefined before the first. */
	private answered: StartOutcome | undefined;
	private readonly answerWaiters: ((outcome: StartOutcome) => void)[] = [];
	/** performance.now() of the last apps.connections.open call. */
	private lastOpenAt = -Infinity;
	private readonly drainWaiters: (() => void)[] = [];
	private stopped: Promise<void> | undefined;
	private readonly ignoredFrames = new LogEvery(60_000);

	constructor(private readonly options: SocketModeSessionOptions) {
		this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
		this.random = options.random ?? Math.random;
	}

	/** Settles at the first outcome (connected, still trying, or stopped for good); the session goes on either way until stop(). */
	start(): Promise<StartOutcome> {
		const started = this.nextOutcome();
		this.openNext();
		return started;
	}

	/**
	 * Where the session stands for a trigger being activated: at once when Slack already answered
	 * apps.connections.open (connected, connecting, or waiting to try again); otherwise at its first
	 * answer. Never waits for a WebSocket.
	 */
	whenAnswered(): Promise<StartOutcome> {
		if (this.active) return Promise.resolve({ kind: 'connected' });
		if (this.answered) return Promise.resolve(this.answered);
		return new Promise((resolve) => this.answerWaiters.push(resolve));
	}

	/**
	 * A trigger is being activated while the session waits to try again: someone may just have
	 * fixed what failed, so the next try comes now, unless Slack asked for a wait (Retry-After) or
	 * the last try was less than joinRetryGapMs ago: ten workflows activated together make one call.
	 */
	nudge(): void {
		if (this.active || this.stopping || this.opening || !this.reconnectTimer) return;
		const now = performance.now();
		if (now < this.notBefore || now - this.lastOpenAt < this.timings.joinRetryGapMs) return;
		clearTimeout(this.reconnectTimer);
		this.reconnectTimer = undefined;
		this.openNext();
	}

	private announce(outcome: StartOutcome): void {
		this.answered = outcome;
		for (const waiter of this.answerWaiters.splice(0)) waiter(outcome);
	}

	private nextOutcome(): Promise<StartOutcome> {
		return new Promise<StartOutcome>((resolve) => {
			const earlier = this.settleStart;
			this.settleStart = (outcome) => {
				earlier?.(outcome);
				resolve(outcome);
			};
		});
	}

	/** Connections open or being opened, for tests and logs. */
	get connectionCount(): number {
		return this.links.size;
	}

	get isConnected(): boolean {
		return this.active !== undefined;
	}

	/** Connections that said hello and are not closed. */
	get openConnectionCount(): number {
		return [...this.links].filter((link) => link.state === 'live' || link.state === 'retiring').length;
	}

	/**
	 * Asks for no new connection, lets the envelopes being decided be acknowledged (drainTimeoutMs
	 * at most), then closes every connection (a close frame, then the socket after closeTimeoutMs)
	 * and leaves no timer behind.
	 */
	async stop(): Promise<void> {
		if (this.stopped) return await this.stopped;
		this.stopping = true;
		clearTimeout(this.reconnectTimer);
		this.reconnectTimer = undefined;
		this.opening?.abort.abort();
		this.opening = undefined;
		this.stopped = (async () => {
			await this.drained(this.timings.drainTimeoutMs);
			this.active = undefined;
			await Promise.all([...this.links].map(async (link) => await this.close(link)));
			await this.httpDispatcher.close().catch(() => undefined);
			this.resolveStart({ kind: 'retrying', reason: 'stopped before Slack answered' });
		})();
		return await this.stopped;
	}

	/** Settles when no envelope is being decided, or after `timeoutMs`. */
	private async drained(timeoutMs: number): Promise<void> {
		if (this.deciding.size === 0) return;
		let timer: NodeJS.Timeout | undefined;
		await new Promise<void>((resolve) => {
			timer = setTimeout(resolve, timeoutMs);
			this.drainWaiters.push(resolve);
		});
		clearTimeout(timer);
	}

	private openNext(): void {
		if (this.stopping || this.opening || this.reconnectTimer) return;
		this.lastOpenAt = performance.now();
		const abort = new AbortController();
		const opening: { abort: AbortController; link?: Link } = { abort };
		this.opening = opening;
		void openConnectionUrl(this.options.appToken, this.options.apiBaseUrl, this.httpDispatcher, this.timings.openTimeoutMs, abort.signal).then((answer) => {
			if (this.stopping || this.opening !== opening) return;
			if (answer.kind === 'tokenRefused') {
				this.end(new SocketModeStopped(`${answer.message} (Slack: ${answer.slackError})`, answer.action, 'tokenRefused'));
				return;
			}
			if (answer.kind === 'tryAgain') {
				this.opening = undefined;
				this.tryAgainLater(answer.reason, answer.retryAfterMs);
				return;
			}
			if (!this.active) this.announce({ kind: 'connecting' });
			try {
				opening.link = this.connect(answer.url);
			} catch {
				this.opening = undefined;
				this.tryAgainLater('Slack gave a connection URL that cannot be opened');
			}
		});
	}

	private connect(url: string): Link {
		const target = new URL(url);
		if (this.options.debugReconnects) target.searchParams.set(SLACK_SOCKET_MODE.debugReconnectsParameter, 'true');
		let captured: Socket | undefined;
		const dispatcher = socketModeDispatcher((socket) => (captured = socket));
		const ws = new WebSocket(target.href, { dispatcher });
		let closedResolve!: () => void;
		const link: Link = {
			id: nextLinkId++,
			ws,
			dispatcher,
			state: 'opening',
			deciding: 0,
			closeDue: false,
			timers: new Set(),
			closed: new Promise<void>((resolve) => (closedResolve = resolve)),
			get socket() {
				return captured;
			},
		};
		this.links.add(link);
		watchPingsAndPongs(link, () => this.heard(link));
		this.after(link, this.timings.helloTimeoutMs, () => {
			if (link.state === 'opening') this.terminate(link, `Slack sent no hello within ${this.timings.helloTimeoutMs / 1000} s`);
		});
		ws.addEventListener('open', () => this.onOpen(link));
		ws.addEventListener('message', (event) => this.onMessage(link, event.data));
		ws.addEventListener('error', () => undefined);
		ws.addEventListener('close', (event) => {
			this.onClosed(link, event.code);
			closedResolve();
		});
		return link;
	}

	private onOpen(link: Link): void {
		const every = this.timings.pingIntervalMs;
		const timer = setInterval(() => this.sendPing(link), every);
		link.timers.add(timer);
	}

	private sendPing(link: Link): void {
		if (link.state === 'closed') return;
		ping(link.ws);
		if (link.pongWait) return;
		const wait = {
			timer: this.after(link, this.timings.pongTimeoutMs, () => {
				// After a stalled event loop (a large execution), timers run before the socket is read:
				// Slack's pong may be waiting unread. Two turns of the loop read it, and the answer to a ping
				// the stall held back.
				setImmediate(() =>
					setImmediate(() => {
						if (link.pongWait !== wait) return;
						link.pongWait = undefined;
						this.terminate(link, `Slack did not answer a ping within ${this.timings.pongTimeoutMs / 1000} s`);
					}),
				);
			}),
		};
		link.pongWait = wait;
	}

	/** Any frame from Slack (message, ping, pong) shows the connection is alive. */
	private heard(link: Link): void {
		if (!link.pongWait) return;
		clearTimeout(link.pongWait.timer);
		link.timers.delete(link.pongWait.timer);
		link.pongWait = undefined;
	}

	private onMessage(link: Link, data: unknown): void {
		this.heard(link);
		if (typeof data !== 'string') {
			this.ignored(`a binary frame`);
			return;
		}
		const frame = readFrame(data);
		switch (frame.kind) {
			case 'hello':
				this.onHello(link, frame.numConnections, frame.appId);
				return;
			case 'disconnect':
				this.onDisconnect(link, frame.reason);
				return;
			case 'ignored':
				this.ignored(frame.problem);
				return;
			case 'oversized':
				this.onOversized(link, frame);
				return;
			case 'envelope':
				this.onEnvelope(link, frame.envelope);
		}
	}

	private onHello(link: Link, numConnections: number | null, appId: string | null): void {
		if (link.state !== 'opening') return;
		link.state = 'live';
		link.helloAt = performance.now();
		if (this.opening?.link === link) this.opening = undefined;
		const previous = this.active;
		this.active = link;
		this.options.log.debug(`Slack Socket Mode: connected${numConnections !== null ? ` (${numConnections} connection${numConnections === 1 ? '' : 's'} of this app open at Slack)` : ''}`);
		// Failures count again from the first wait once a connection has proved itself.
		this.after(link, this.timings.stableAfterMs, () => (this.failuresInARow = 0));
		if (previous && previous !== link) this.retire(previous);
		this.resolveStart({ kind: 'connected' });
		this.options.onHello?.({ appId, numConnections });
	}

	/** Too large to read, but Slack's: acknowledged, so that Slack does not send it three more times, and reported. */
	private onOversized(link: Link, frame: { characters: number; envelopeId: string | null; type: string | null }): void {
		const what = frame.type ? `an envelope of type ${frame.type}` : 'a frame';
		const outcome = frame.envelopeId ? 'it is acknowledged so that Slack does not send it again, and starts no workflow' : 'it names no envelope_id and is ignored';
		this.options.log.error(`Slack Socket Mode: Slack sent ${what} of ${frame.characters} characters, over the ${MAX_ENVELOPE_CHARACTERS} this package reads; ${outcome}`);
		if (frame.envelopeId) this.acknowledge(link, frame.envelopeId);
	}

	private onDisconnect(link: Link, reason: string): void {
		const { warning, refreshRequested, linkDisabled, tooManyWebsockets } = SLACK_SOCKET_MODE.disconnectReasons;
		if (reason === linkDisabled) {
			this.end(
				new SocketModeStopped(
					'Socket Mode is turned off in the Slack app',
					"Turn Socket Mode on in the Slack app's settings (Settings > Socket Mode), then activate the workflow again.",
					'linkDisabled',
				),
			);
			return;
		}
		if (reason === warning || reason === refreshRequested) {
			this.options.log.debug(`Slack Socket Mode: Slack asked for a new connection (${reason}); opening it before the old one closes`);
			// The old connection keeps receiving until the next one has said hello (onHello retires it).
			if (link === this.active) this.openNext();
			return;
		}
		// too_many_websockets, or a reason this package does not know: asking again at once would meet
		// the same answer (observed in Slack's client issues: slackapi/bolt-js#2225, node-slack-sdk#1654).
		const why =
			reason === tooManyWebsockets
				? `Slack refused a connection: more than ${SLACK_SOCKET_MODE.maxConnectionsPerApp} are open for this Slack app (too_many_websockets). Check whether another n8n, or a development instance, is connected with the same Slack app`
				: `Slack ended a connection for a reason this package does not know ("${printable(reason)}")`;
		if (link.state === 'opening') {
			if (this.opening?.link === link) this.opening = undefined;
			void this.close(link);
		} else if (link !== this.active) {
			// A retiring connection: its replacement is already there.
			this.options.log.debug(`Slack Socket Mode: ${why} on a connection being replaced`);
			return;
		}
		// An active connection is still read until Slack closes it; the next one comes after the wait.
		this.tryAgainLater(why);
	}

	private onEnvelope(link: Link, envelope: Envelope): void {
		if (this.deciding.has(envelope.envelopeId)) return;
		this.deciding.add(envelope.envelopeId);
		link.deciding++;
		const receivedAt = performance.now();
		void this.options
			.onEnvelope(envelope, receivedAt)
			.catch((error: unknown): AckDecision => {
				this.options.log.error(`Slack Socket Mode: an envelope could not be decided, so it is not acknowledged and Slack sends it again: ${(error as Error).message}`);
				return { acknowledge: false };
			})
			.then((decision) => {
				this.deciding.delete(envelope.envelopeId);
				link.deciding--;
				if (decision.acknowledge) this.acknowledge(link, envelope.envelopeId, decision.payload);
				if (link.closeDue && link.deciding === 0) void this.close(link);
				if (this.deciding.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
			});
	}

	/** On the connection the envelope came on while it is open; otherwise on any open one (Slack takes an acknowledgement on any). */
	private acknowledge(arrivedOn: Link, envelopeId: string, payload?: object): void {
		const open = (link: Link | undefined) => link !== undefined && link.ws.readyState === WebSocket.OPEN;
		const target = [arrivedOn, this.active, ...this.links].find(open);
		if (!target) {
			this.options.log.debug('Slack Socket Mode: no connection was open to acknowledge an envelope; Slack sends it again');
			return;
		}
		target.ws.send(acknowledgement(envelopeId, payload));
	}

	/**
	 * The replaced connection is still read, and its envelopes acknowledged on it, until Slack closes
	 * it (about 10 s after `warning`): a close frame from this side would make undici drop every
	 * frame Slack still sends on it. After retireGraceMs it is closed from this side, once its
	 * envelopes are decided (drainTimeoutMs at most).
	 */
	private retire(link: Link): void {
		if (link.state === 'closed' || link.state === 'retiring') return;
		link.state = 'retiring';
		this.after(link, this.timings.retireGraceMs, () => {
			link.closeDue = true;
			if (link.deciding === 0) void this.close(link);
			else this.after(link, this.timings.drainTimeoutMs, () => void this.close(link));
		});
	}

	/** A close frame, and the socket destroyed if the peer does not answer it in time. */
	private async close(link: Link): Promise<void> {
		if (link.state !== 'closed') {
			if (link.ws.readyState === WebSocket.OPEN || link.ws.readyState === WebSocket.CONNECTING) link.ws.close(1000);
			this.after(link, this.timings.closeTimeoutMs, () => link.socket?.destroy());
		}
		await link.closed;
	}

	private terminate(link: Link, reason: string): void {
		if (link.state === 'closed') return;
		this.options.log.warn(`Slack Socket Mode: ${reason}; reconnecting`);
		if (link.socket) link.socket.destroy();
		else link.ws.close();
	}

	private onClosed(link: Link, code: number): void {
		const wasOpening = link.state === 'opening';
		link.state = 'closed';
		for (const timer of link.timers) clearTimeout(timer);
		link.timers.clear();
		link.pongWait = undefined;
		unwatchPingsAndPongs(link);
		this.links.delete(link);
		void link.dispatcher.destroy().catch(() => undefined);
		if (this.stopping) return;
		if (this.opening?.link === link) {
			this.opening = undefined;
			if (wasOpening) this.tryAgainLater(`the connection closed before Slack said hello (code ${code})`);
			return;
		}
		if (link !== this.active) return;
		this.active = undefined;
		// A rotation already under way brings the next connection.
		if (this.opening || this.reconnectTimer) return;
		this.tryAgainLater(`the connection closed (code ${code})`);
	}

	private tryAgainLater(reason: string, retryAfterMs?: number): void {
		if (this.stopping || this.reconnectTimer) return;
		this.failuresInARow++;
		const delayMs = reconnectDelayMs(this.failuresInARow, this.random(), this.timings, retryAfterMs);
		this.notBefore = performance.now() + (retryAfterMs ?? 0);
		this.options.log.warn(`Slack Socket Mode: ${reason}; trying again in ${(delayMs / 1000).toFixed(1)} s`);
		if (!this.active) this.resolveStart({ kind: 'retrying', reason });
		this.openNextAfter(delayMs);
	}

	/** The one timer that asks Slack for the next connection later; openNext() waits while it is set. */
	private openNextAfter(delayMs: number): void {
		this.reconnectTimer = setTimeout(() => {
			this.reconnectTimer = undefined;
			this.openNext();
		}, delayMs);
	}

	/** Ends the session for good and says why. */
	private end(error: SocketModeStopped): void {
		if (this.stopping) return;
		this.options.log.error(`Slack Socket Mode: ${error.message}. ${error.description}`);
		void this.stop();
		this.resolveStart({ kind: 'stopped', error });
		this.options.onStopped(error);
	}

	private resolveStart(outcome: StartOutcome): void {
		this.announce(outcome);
		const settle = this.settleStart;
		this.settleStart = undefined;
		settle?.(outcome);
	}

	private ignored(problem: string): void {
		const skipped = this.ignoredFrames.tick();
		if (skipped === undefined) return;
		this.options.log.warn(`Slack Socket Mode: ignored ${problem}${skipped > 0 ? ` (and ${skipped} other frames it could not read in the last minute)` : ''}`);
	}

	private after(link: Link, ms: number, run: () => void): NodeJS.Timeout {
		const timer = setTimeout(() => {
			link.timers.delete(timer);
			run();
		}, ms);
		link.timers.add(timer);
		return timer;
	}
}

/** One line a minute at most, with the number left out. */
class LogEvery {
	private lastAt = -Infinity;
	private skipped = 0;

	constructor(private readonly intervalMs: number) {}

	/** The number of lines skipped since the last one when a line is due now; undefined when not. */
	tick(now = performance.now()): number | undefined {
		if (now - this.lastAt < this.intervalMs) {
			this.skipped++;
			return undefined;
		}
		const skipped = this.skipped;
		this.lastAt = now;
		this.skipped = 0;
		return skipped;
	}
}

/**
 * A dispatcher for one WebSocket: through the proxy the environment names (as the package's other
 * HTTP traffic), handing over the socket it connects, and refusing frames over MAX_FRAME_BYTES.
 */
class SocketModeDispatcher extends EnvHttpProxyAgent {
	get webSocketOptions(): { maxFragments: number; maxPayloadSize: number } {
		return { maxFragments: 1024, maxPayloadSize: MAX_FRAME_BYTES };
	}
}

type Connector = (options: object, callback: (error: Error | null, socket: Socket | null) => void) => void;

function socketModeDispatcher(onSocket: (socket: Socket) => void): Dispatcher {
	return new SocketModeDispatcher({
		factory: (origin: string | URL, options: object) => {
			const given = (options as { connect?: unknown }).connect;
			const connect = (typeof given === 'function' ? given : buildConnector((given ?? {}) as buildConnector.BuildOptions)) as Connector;
			return new Pool(origin, {
				...options,
				connect: (connectOptions: object, callback: (error: Error | null, socket: Socket | null) => void) =>
					connect(connectOptions, (error, socket) => {
						if (socket) onSocket(socket);
						callback(error, socket);
					}),
			} as Pool.Options);
		},
	} as EnvHttpProxyAgent.Options);
}

/**
 * undici answers Slack's pings itself and reports them, and the pongs to this package's pings,
 * only on process-wide diagnostics channels: subscribed while any connection is open.
 */
const pingChannel = channel('undici:websocket:ping');
const pongChannel = channel('undici:websocket:pong');
const heardBySocket = new WeakMap<object, () => void>();
let watchedLinks = 0;

function onPingOrPong(message: unknown): void {
	const websocket = (message as { websocket?: object } | undefined)?.websocket;
	if (websocket) heardBySocket.get(websocket)?.();
}

function watchPingsAndPongs(link: Link, heard: () => void): void {
	heardBySocket.set(link.ws, heard);
	if (watchedLinks++ === 0) {
		pingChannel.subscribe(onPingOrPong);
		pongChannel.subscribe(onPingOrPong);
	}
}

function unwatchPingsAndPongs(link: Link): void {
	if (!heardBySocket.delete(link.ws)) return;
	if (--watchedLinks === 0) {
		pingChannel.unsubscribe(onPingOrPong);
		pongChannel.unsubscribe(onPingOrPong);
	}
}
