import { createHash } from 'node:crypto';

import { SLACK_SOCKET_MODE } from '../slack';
import { SocketModeSession, type AckDecision, type SocketModeLog, type SocketModeStopped, type StartOutcome } from './connection';
import type { Envelope } from './frames';
import type { SocketModeTimings } from './reconnect';

/**
 * One Socket Mode session per app token in an n8n process, shared by every trigger that listens
 * with that token: active workflows and the editor's "Listen for test event" alike. Slack spreads
 * an app's envelopes over all of its open connections, so a connection per trigger would make
 * each trigger miss the envelopes that went to the others. Every envelope goes to every listener;
 * each filters for itself; the envelope is acknowledged once, when all have decided.
 */

export type ListenerVerdict =
	| { kind: 'ignored' }
	/** `reply`: the acknowledgement's payload, for a slash command answered at once. */
	| { kind: 'started'; reply?: object }
	/** n8n could not start the workflow: not acknowledged, so Slack sends the envelope again. */
	| { kind: 'notStarted' };

export interface SocketModeListener {
	/** Settles within Slack's time: each trigger bounds its own wait for n8n. */
	onEnvelope(envelope: Envelope, receivedAt: number): Promise<ListenerVerdict>;
	/** The session ended for good (token refused, Socket Mode turned off): the listener is dropped. */
	onStopped(error: SocketModeStopped): void;
	log: SocketModeLog;
}

export interface SocketModeSubscription {
	/** How the session was when this listener joined. */
	readonly outcome: StartOutcome;
	close(): Promise<void>;
}

/**
 * Slack waits 3 s for an acknowledgement; this leaves its way back and a busy event loop 300 ms.
 * Listeners that have not decided by then are taken as started: better than Slack's resend
 * reaching every listener again.
 */
export const ACK_DEADLINE_MS = SLACK_SOCKET_MODE.ackTimeoutSeconds * 1000 - 300;

interface SharedSession {
	session: SocketModeSession;
	/** Every listener, with whether its activation is done: one still joining learns the session's fate from listenToApp. */
	listeners: Map<SocketModeListener, { joined: boolean }>;
	started: Promise<StartOutcome>;
}

const sessions = new Map<string, SharedSession>();

/** What tests may change for sessions started after the call. */
export interface SocketModeTestSettings {
	timings?: Partial<SocketModeTimings>;
	debugReconnects?: boolean;
	random?: () => number;
}
let testSettings: SocketModeTestSettings = {};

export function configureSocketModeSessions(settings: SocketModeTestSettings): void {
	testSettings = settings;
}

/** Open and opening connections across every session of this process. */
export function socketModeConnectionCount(): number {
	return [...sessions.values()].reduce((sum, shared) => sum + shared.session.connectionCount, 0);
}

/**
 * Adds a listener to the app's session, starting it when this is the first. Throws
 * SocketModeStopped when Slack refused the token or Socket Mode is off: the trigger's
 * activation fails with what to do.
 */
export async function listenToApp(appToken: string, apiBaseUrl: URL, listener: SocketModeListener): Promise<SocketModeSubscription> {
	const key = sessionKey(appToken, apiBaseUrl);
	let shared = sessions.get(key);
	const joinsRunningSession = shared !== undefined;
	if (!shared) {
		shared = startSession(key, appToken, apiBaseUrl, listener.log);
		sessions.set(key, shared);
	}
	const membership = { joined: false };
	shared.listeners.set(listener, membership);
	let outcome = await shared.started;
	// Joining a session that waits to try again: try now, this activation's outcome is that try's.
	if (joinsRunningSession && outcome.kind !== 'stopped' && !shared.session.isConnected) outcome = await shared.session.tryNow();
	if (outcome.kind === 'stopped') {
		shared.listeners.delete(listener);
		if (sessions.get(key) === shared) sessions.delete(key);
		throw outcome.error;
	}
	membership.joined = true;
	const joined = shared;
	let closed = false;
	return {
		outcome,
		close: async () => {
			if (closed) return;
			closed = true;
			joined.listeners.delete(listener);
			if (joined.listeners.size > 0) return;
			// A trigger that starts listening meanwhile gets a session of its own.
			if (sessions.get(key) === joined) sessions.delete(key);
			await joined.session.stop();
		},
	};
}

function startSession(key: string, appToken: string, apiBaseUrl: URL, firstLog: SocketModeLog): SharedSession {
	const listeners = new Map<SocketModeListener, { joined: boolean }>();
	const log = logThroughListeners(listeners, firstLog);
	const session = new SocketModeSession({
		appToken,
		apiBaseUrl,
		log,
		...testSettings,
		onEnvelope: async (envelope, receivedAt) => await decideTogether([...listeners.keys()], envelope, receivedAt, log),
		onStopped: (error) => {
			if (sessions.get(key)?.session === session) sessions.delete(key);
			// A listener still joining hears it from its listenToApp (its activation fails).
			for (const [listener, { joined }] of [...listeners]) if (joined) listener.onStopped(error);
			for (const [listener, { joined }] of [...listeners]) if (joined) listeners.delete(listener);
		},
	});
	return { session, listeners, started: session.start() };
}

async function decideTogether(listeners: SocketModeListener[], envelope: Envelope, receivedAt: number, log: SocketModeLog): Promise<AckDecision> {
	const deadline = deferredAfter(ACK_DEADLINE_MS - (performance.now() - receivedAt));
	const verdicts = listeners.map((listener) =>
		listener.onEnvelope(envelope, receivedAt).catch((error: unknown): ListenerVerdict => {
			listener.log.error(`Slack Socket Mode Trigger could not handle an envelope: ${(error as Error).message}`);
			return { kind: 'notStarted' };
		}),
	);
	const decided = await Promise.race([Promise.all(verdicts), deadline.promise]);
	deadline.cancel();
	if (decided === undefined) {
		log.warn('Slack Socket Mode: acknowledged an envelope before every trigger had decided, to stay within Slack\'s 3 seconds');
		return { acknowledge: true };
	}
	if (decided.some((verdict) => verdict.kind === 'notStarted')) return { acknowledge: false };
	const reply = decided.find((verdict): verdict is { kind: 'started'; reply: object } => verdict.kind === 'started' && verdict.reply !== undefined)?.reply;
	return { acknowledge: true, ...(reply !== undefined && envelope.acceptsResponsePayload ? { payload: reply } : {}) };
}

function deferredAfter(ms: number): { promise: Promise<undefined>; cancel(): void } {
	let timer: NodeJS.Timeout | undefined;
	const promise = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), Math.max(ms, 0));
	});
	return { promise, cancel: () => clearTimeout(timer) };
}

/** The session's own lines go to the log of a trigger that listens now (they all write to n8n's log). */
function logThroughListeners(listeners: Map<SocketModeListener, unknown>, fallback: SocketModeLog): SocketModeLog {
	const current = () => listeners.keys().next().value?.log ?? fallback;
	return {
		debug: (message) => current().debug(message),
		info: (message) => current().info(message),
		warn: (message) => current().warn(message),
		error: (message) => current().error(message),
	};
}

/** Sessions are keyed by a digest: the token itself is kept only by the session that uses it. */
function sessionKey(appToken: string, apiBaseUrl: URL): string {
	return createHash('sha256').update(`${apiBaseUrl.href}\n${appToken.trim()}`).digest('hex');
}
