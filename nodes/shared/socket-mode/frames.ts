import { SLACK_SOCKET_MODE } from '../slack';

/**
 * What Slack sends over a Socket Mode connection, read from one text frame: `hello`, a
 * `disconnect` with its reason, or an envelope to acknowledge. Anything else is described, never
 * quoted: a frame can carry a slash command's response URL, a bearer secret. Pure functions.
 */

export interface Envelope {
	envelopeId: string;
	/** `events_api`, `slash_commands`, `interactive`, or a type this package does not know. */
	type: string;
	payload: Record<string, unknown>;
	/** Whether Slack reads a payload in the acknowledgement (slash commands, some interactions). */
	acceptsResponsePayload: boolean;
	/** 0 for the first delivery; Slack counts up when it sends an envelope again. */
	retryAttempt: number;
	retryReason: string | null;
}

export type SocketFrame =
	| { kind: 'hello'; numConnections: number | null; appId: string | null }
	| { kind: 'disconnect'; reason: string }
	| { kind: 'envelope'; envelope: Envelope }
	/** Over MAX_ENVELOPE_CHARACTERS, not parsed: its ID and type, when they could be found, to acknowledge and report it. */
	| { kind: 'oversized'; characters: number; envelopeId: string | null; type: string | null }
	/** Not something to act on: not JSON, not an object, an unknown type, an envelope without its ID. */
	| { kind: 'ignored'; problem: string };

/**
 * Far above any envelope Slack sends (a message is at most 40,000 characters, a modal's view about
 * 250 KB): a larger frame is dropped unread, so a hostile or broken peer cannot make the process
 * parse megabytes of JSON. The connection itself refuses frames above MAX_FRAME_BYTES.
 */
export const MAX_ENVELOPE_CHARACTERS = 1024 * 1024;
/** undici closes a connection that sends a frame above this (maxPayloadSize), before buffering it all. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export function readFrame(text: string): SocketFrame {
	if (text.length > MAX_ENVELOPE_CHARACTERS) return oversized(text);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return { kind: 'ignored', problem: `a frame that is not JSON (${text.length} characters)` };
	}
	if (!isObject(parsed)) return { kind: 'ignored', problem: 'a JSON frame that is not an object' };
	const type = typeof parsed.type === 'string' ? parsed.type : '';
	if (type === SLACK_SOCKET_MODE.helloType) {
		const info = isObject(parsed.connection_info) ? parsed.connection_info : {};
		const appId = typeof info.app_id === 'string' && /^[A-Z0-9]{1,32}$/.test(info.app_id) ? info.app_id : null;
		return { kind: 'hello', numConnections: typeof parsed.num_connections === 'number' ? parsed.num_connections : null, appId };
	}
	if (type === SLACK_SOCKET_MODE.disconnectType) {
		return { kind: 'disconnect', reason: typeof parsed.reason === 'string' ? parsed.reason.slice(0, 64) : '' };
	}
	const envelopeId = parsed.envelope_id;
	if (typeof envelopeId !== 'string' || envelopeId === '' || envelopeId.length > 256) {
		return { kind: 'ignored', problem: `a frame of type "${printable(type)}" without an envelope_id` };
	}
	return {
		kind: 'envelope',
		envelope: {
			envelopeId,
			type,
			payload: isObject(parsed.payload) ? parsed.payload : {},
			acceptsResponsePayload: parsed.accepts_response_payload === true,
			retryAttempt: typeof parsed.retry_attempt === 'number' && Number.isInteger(parsed.retry_attempt) && parsed.retry_attempt >= 0 ? parsed.retry_attempt : 0,
			retryReason: typeof parsed.retry_reason === 'string' && parsed.retry_reason !== '' ? parsed.retry_reason.slice(0, 100) : null,
		},
	};
}

/**
 * An envelope too large to parse is still Slack's envelope: unacknowledged, Slack would send it
 * three more times. Its `envelope_id` and `type` are found without parsing: one linear scan each,
 * the first match (Slack writes them at the top level, before or after the payload).
 */
function oversized(text: string): SocketFrame {
	const envelopeId = /"envelope_id"\s*:\s*"([A-Za-z0-9_.:-]{1,256})"/.exec(text)?.[1] ?? null;
	const type = /"type"\s*:\s*"(events_api|slash_commands|interactive)"/.exec(text)?.[1] ?? null;
	return { kind: 'oversized', characters: text.length, envelopeId, type };
}

/** The acknowledgement Slack expects for an envelope: its ID, and for a slash command the reply. */
export function acknowledgement(envelopeId: string, payload?: object): string {
	return JSON.stringify(payload === undefined ? { envelope_id: envelopeId } : { envelope_id: envelopeId, payload });
}

/** A type name fit for a log line: short, and only the characters Slack's type names use. */
export function printable(type: string): string {
	return type.replace(/[^a-z0-9_.-]/gi, '?').slice(0, 40);
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
