import { createHash } from 'node:crypto';

import { SLACK_SOCKET_MODE } from '../slack';
import { SocketModeSession, type AckDecision, type SocketModeLog, type SocketModeStopped, type StartOutcome } from './connection';
import { printable, type Envelope } from './frames';
import type { SocketModeTimings } from './reconnect';

/**
 * One Socket Mode session per Slack app in an n8n process, shared by every trigger that listens
 * to the app: active workflows and the editor's "Listen for test event" alike. Slack spreads an
 * app's envelopes over all of its open connections, so a connection per trigger (or per token:
 * an app may have several app-level tokens) would make each trigger miss the envelopes that went
 * to the others. A session starts per token, since only Slack's `hello` names the app; a second
 * token's session that turns out to be of the same app hands its triggers to the first and
 * closes. Every envelope goes to every listener; each filters for itself; the envelope is
 * acknowledged once, when all have decided.
 */

export type ListenerVerdict =
	| { kind: 'ignored' }
	/** `reply`: the acknowledgement's payload, for a slash command answered at once. */
	| { kind: 'started'; reply?: object }
	/** n8n could not start the workflow. */
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

/**
 * The most a trigger's activation waits for Slack: the first apps.connections.open answer of a
 * new session (so that a refused token fails the activation), never a WebSocket. A trigger that
 * joins a session Slack already answered returns at once.
 */
export const ACTIVATION_WAIT_MS = 1_000;

/**
 * After Slack ended a session for good (Socket Mode off, token refused), n8n activates the
 * workflow again and again (its emitError handling). Such an activation waits for the WebSocket's
 * outcome (this long at most), so that it fails again and n8n's own backoff grows, instead of
 * succeeding on the token and failing a moment later in a loop.
 */
export const ACTIVATION_WAIT_AFTER_STOP_MS = 5_000;
/** Token keys whose last session Slack ended for good; cleared by a connection that says hello. */
const endedByToken = new Set<string>();

interface SharedSession {
	session: SocketModeSession;
	/** Every listener, with whether its activation is done: one still joining learns the session's fate from listenToApp. */
	listeners: Map<SocketModeListener, { joined: boolean }>;
	/** The token keys that lead here (a second token of the same app, once merged). */
	tokenKeys: Set<string>;
	/** Set from the first `hello`. */
	appKey?: string;
	/** Another session of the same app took this one's listeners: follow it. */
	mergedInto?: SharedSession;
	warnedOfOtherInstallations: boolean;
	log: SocketModeLog;
	/** The session's first outcome: connected, still trying, or stopped. */
	started: Promise<StartOutcome>;
}

const byToken = new Map<string, SharedSession>();
const byApp = new Map<string, SharedSession>();

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
	return [...liveSessions()].reduce((sum, shared) => sum + shared.session.connectionCount, 0);
}

function liveSessions(): Set<SharedSession> {
	return new Set(byToken.values());
}

function current(shared: SharedSession): SharedSession {
	let at = shared;
	while (at.mergedInto) at = at.mergedInto;
	return at;
}

/**
 * Adds a listener to the app's session, starting it when this is the first. Returns at once when
 * Slack already answered for the session, else at its first answer (ACTIVATION_WAIT_MS at most);
 * throws SocketModeStopped when Slack refused the token or Socket Mode is off by then: the
 * trigger's activation fails with what to do. Later, the listener hears it through onStopped.
 */
export async function listenToApp(appToken: string, apiBaseUrl: URL, listener: SocketModeListener): Promise<SocketModeSubscription> {
	const key = tokenKey(appToken, apiBaseUrl);
	const found = byToken.get(key);
	let shared = found && current(found);
	const joinsRunningSession = shared !== undefined;
	if (!shared) {
		shared = startSession(key, appToken, apiBaseUrl, listener.log);
		byToken.set(key, shared);
	}
	const membership = { joined: false };
	shared.listeners.set(listener, membership);
	if (joinsRunningSession) shared.session.nudge();
	// Every trigger of the app (n8n activates them again together): each fails again, or connects.
	const endedBefore = endedByToken.has(key);
	const waited = deferredAfter(endedBefore ? ACTIVATION_WAIT_AFTER_STOP_MS : ACTIVATION_WAIT_MS);
	const answer = endedBefore ? shared.started : shared.session.whenAnswered();
	const outcome = (await Promise.race([answer, waited.promise])) ?? { kind: 'retrying', reason: 'Slack has not answered yet' };
	waited.cancel();
	const joined = current(shared);
	if (outcome.kind === 'stopped') {
		joined.listeners.delete(listener);
		forget(joined);
		throw outcome.error;
	}
	membership.joined = true;
	let closed = false;
	return {
		outcome,
		close: async () => {
			if (closed) return;
			closed = true;
			const now = current(joined);
			now.listeners.delete(listener);
			if (now.listeners.size > 0) return;
			// A trigger that starts listening meanwhile gets a session of its own.
			forget(now);
			await now.session.stop();
		},
	};
}

function forget(shared: SharedSession): void {
	for (const key of shared.tokenKeys) if (byToken.get(key) === shared) byToken.delete(key);
	if (shared.appKey && byApp.get(shared.appKey) === shared) byApp.delete(shared.appKey);
}

function startSession(key: string, appToken: string, apiBaseUrl: URL, firstLog: SocketModeLog): SharedSession {
	const listeners = new Map<SocketModeListener, { joined: boolean }>();
	const holder = {} as { shared: SharedSession };
	const log = logThroughListeners(() => current(holder.shared).listeners, firstLog);
	const session = new SocketModeSession({
		appToken,
		apiBaseUrl,
		log,
		...testSettings,
		onEnvelope: async (envelope, receivedAt) => {
			const listening = [...current(holder.shared).listeners.keys()];
			// Nobody listens (the last trigger is leaving): Slack keeps an event for the next connection.
			if (listening.length === 0) return { acknowledge: false };
			return await decideTogether(listening, envelope, receivedAt, log);
		},
		onStopped: (error) => {
			const shared = current(holder.shared);
			if (shared !== holder.shared) return;
			for (const tokenKeyOfApp of shared.tokenKeys) endedByToken.add(tokenKeyOfApp);
			forget(shared);
			// A listener still joining hears it from its listenToApp (its activation fails).
			for (const [listener, { joined }] of [...shared.listeners]) if (joined) listener.onStopped(error);
			for (const [listener, { joined }] of [...shared.listeners]) if (joined) shared.listeners.delete(listener);
		},
		onHello: ({ appId, numConnections }) => onHello(holder.shared, apiBaseUrl, appId, numConnections),
	});
	holder.shared = { session, listeners, tokenKeys: new Set([key]), warnedOfOtherInstallations: false, log, started: session.start() };
	return holder.shared;
}

/**
 * Slack named the app: a session of another token of the same app takes this one's listeners,
 * and this one closes; and when Slack counts more connections than this process holds, another
 * installation is taking part of the app's envelopes.
 */
function onHello(shared: SharedSession, apiBaseUrl: URL, appId: string | null, numConnections: number | null): void {
	for (const key of shared.tokenKeys) endedByToken.delete(key);
	if (shared.mergedInto || appId === null) return;
	const appKey = `${apiBaseUrl.href}\n${appId}`;
	const other = byApp.get(appKey);
	if (other && other !== shared && !other.mergedInto) {
		mergeInto(shared, other, appId);
		return;
	}
	shared.appKey = appKey;
	byApp.set(appKey, shared);
	const held = shared.session.openConnectionCount;
	if (numConnections !== null && numConnections > held && !shared.warnedOfOtherInstallations) {
		shared.warnedOfOtherInstallations = true;
		shared.log.warn(otherInstallationsWarning(appId, numConnections, held));
	}
}

export function otherInstallationsWarning(appId: string, counted: number, held: number): string {
	return (
		`Slack Socket Mode: Slack counts ${counted} open connections for Slack app ${appId}, and this n8n holds ${held}: ` +
		'another n8n, or a development instance, is connected with the same Slack app, and Slack gives it part of the events, slash commands and clicks. ' +
		'Turn Socket Mode off there, or give each installation its own Slack app.'
	);
}

function mergeInto(from: SharedSession, into: SharedSession, appId: string): void {
	for (const [listener, membership] of from.listeners) into.listeners.set(listener, membership);
	from.listeners.clear();
	from.mergedInto = into;
	for (const key of from.tokenKeys) {
		into.tokenKeys.add(key);
		byToken.set(key, into);
	}
	into.log.info(
		`Slack Socket Mode: two app-level tokens of Slack app ${appId} are in use in this n8n; their workflows now share one connection, since Slack spreads the app's envelopes over all of its connections`,
	);
	void from.session.stop();
}

/**
 * How an envelope is acknowledged, from every listener's verdict. Slack sends an Events API
 * envelope again when it is not acknowledged, but never a slash command or a click: the user sees
 * an error instead (https://api.slack.com/interactivity/slash-commands, "Responding to commands";
 * https://api.slack.com/interactivity/handling, "Acknowledgment response"). So a command or a click
 * is always acknowledged, with the reply of the workflow that answered; an event is left for
 * Slack to send again only when no listener could start it.
 */
export function acknowledgementFor(envelope: Envelope, verdicts: readonly ListenerVerdict[]): AckDecision {
	const started = verdicts.some((verdict) => verdict.kind === 'started');
	const failed = verdicts.some((verdict) => verdict.kind === 'notStarted');
	if (failed && !started && envelope.type === SLACK_SOCKET_MODE.envelopeTypes.events) return { acknowledge: false };
	const reply = verdicts.find((verdict): verdict is { kind: 'started'; reply: object } => verdict.kind === 'started' && verdict.reply !== undefined)?.reply;
	return { acknowledge: true, ...(reply !== undefined && envelope.acceptsResponsePayload ? { payload: reply } : {}) };
}

/** What the log says when a listener could not start, by what became of the envelope. */
export function notStartedConsequence(envelope: Envelope, decision: AckDecision, anyStarted: boolean): string {
	const what = envelopeWords(envelope.type);
	if (!decision.acknowledge) return `Slack Socket Mode: no workflow could start for ${what}; it is not acknowledged, so Slack sends it again`;
	if (envelope.type === SLACK_SOCKET_MODE.envelopeTypes.events) {
		return `Slack Socket Mode: ${what} started a workflow but a workflow that wanted it could not start; it is acknowledged (Slack would send it to every workflow again), so that workflow misses it`;
	}
	return anyStarted
		? `Slack Socket Mode: ${what} started a workflow and is answered, but a workflow that wanted it could not start and misses it (Slack never sends ${what} again)`
		: `Slack Socket Mode: no workflow could start for ${what}; it is acknowledged so that the user sees no error, and is lost: Slack never sends ${what} again`;
}

function envelopeWords(type: string): string {
	if (type === SLACK_SOCKET_MODE.envelopeTypes.slashCommands) return 'a slash command';
	if (type === SLACK_SOCKET_MODE.envelopeTypes.interactive) return 'a click or other interaction';
	if (type === SLACK_SOCKET_MODE.envelopeTypes.events) return 'an event';
	return `an envelope of type ${printable(type)}`;
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
	const decision = acknowledgementFor(envelope, decided);
	if (decided.some((verdict) => verdict.kind === 'notStarted')) {
		const message = notStartedConsequence(envelope, decision, decided.some((verdict) => verdict.kind === 'started'));
		if (decision.acknowledge && !decided.some((verdict) => verdict.kind === 'started')) log.error(message);
		else log.warn(message);
	}
	return decision;
}

function deferredAfter(ms: number): { promise: Promise<undefined>; cancel(): void } {
	let timer: NodeJS.Timeout | undefined;
	const promise = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), Math.max(ms, 0));
	});
	return { promise, cancel: () => clearTimeout(timer) };
}

/** The session's own lines go to the log of a trigger that listens now (they all write to n8n's log). */
function logThroughListeners(listeners: () => Map<SocketModeListener, unknown>, fallback: SocketModeLog): SocketModeLog {
	const log = () => listeners().keys().next().value?.log ?? fallback;
	return {
		debug: (message) => log().debug(message),
		info: (message) => log().info(message),
		warn: (message) => log().warn(message),
		error: (message) => log().error(message),
	};
}

/** Sessions are found by a digest of the token: the token itself is kept only by the session that uses it. */
function tokenKey(appToken: string, apiBaseUrl: URL): string {
	return createHash('sha256').update(`${apiBaseUrl.href}\n${appToken.trim()}`).digest('hex');
}
