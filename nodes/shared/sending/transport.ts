import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

import { errorCode } from '../error-code';

/**
 * One HTTP POST of a JSON body over a shared keep-alive pool, reporting whether the request had
 * left this process when something failed: that decides whether Slack may already have posted it.
 */

export interface WebhookResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	/** The connection ended before the whole body arrived; the status is still Slack's answer. */
	truncated: boolean;
}

/**
 * `not_sent`: the request never fully left this process, so Slack cannot have posted it.
 * `maybe_sent`: the request was sent and no answer came (reset, timeout): it may be posted.
 */
export type TransportFailure = 'not_sent' | 'maybe_sent';

export class TransportError extends Error {
	constructor(
		readonly failure: TransportFailure,
		/** A stable code: a system error code (ECONNREFUSED, ...), undici's, or TIMEOUT. */
		readonly code: string,
		message: string,
		/** Whether sending again can work at all (a DNS or TLS certificate error will not). */
		readonly transient: boolean,
	) {
		super(message);
		this.name = 'TransportError';
	}
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Errors that say nothing about the request having reached the server. */
const TRANSIENT_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ENETDOWN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_CLOSED',
	'TIMEOUT',
]);

export interface WebhookDispatcherOptions {
	/** Connections per origin; `undefined` means as many as requests in flight. */
	connectionsPerOrigin?: number;
}

/**
 * A keep-alive pool per origin that honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY, as other n8n
 * HTTP traffic does.
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions = {}): Dispatcher {
	return new EnvHttpProxyAgent({
		connections: options.connectionsPerOrigin ?? null,
		keepAliveTimeout: 4_000,
		keepAliveMaxTimeout: 30_000,
	});
}

export function postJson(
	dispatcher: Dispatcher,
	url: URL,
	body: string,
	timeoutMs: number,
	userAgent: string,
): Promise<WebhookResponse> {
	return new Promise((resolve, reject) => {
		let settled = false;
		let requestSent = false;
		let abortRequest: ((reason: Error) => void) | undefined;
		let response: Omit<WebhookResponse, 'body' | 'truncated'> | undefined;
		const chunks: Buffer[] = [];
		let receivedBytes = 0;

		const settle = (finish: () => void) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			finish();
		};
		const fail = (error: unknown) =>
			settle(() => {
				if (response) {
					// The status line arrived: that is Slack's answer, even if the body was cut short.
					resolve({ ...response, body: Buffer.concat(chunks).toString('utf8'), truncated: true });
				} else {
					reject(toTransportError(error, requestSent));
				}
			});

		const timer = setTimeout(() => {
			const timeout = Object.assign(new Error(`No answer within ${timeoutMs} ms`), { code: 'TIMEOUT' });
			fail(timeout);
			abortRequest?.(timeout);
		}, timeoutMs);

		// onRequestSent is part of undici's classic handler interface, called once the whole request
		// is written to the socket; its typings only list onBodySent.
		const handler: Dispatcher.DispatchHandler & { onRequestSent(): void } = {
			onConnect(abort) {
				abortRequest = abort as (reason: Error) => void;
				if (settled) abortRequest(new Error('Timed out before the request started'));
			},
			onRequestSent() {
				requestSent = true;
			},
			onHeaders(statusCode, rawHeaders) {
				response = { status: statusCode, headers: parseRawHeaders(rawHeaders as unknown as Buffer[]) };
				return true;
			},
			onData(chunk) {
				if (receivedBytes < MAX_RESPONSE_BYTES) {
					chunks.push(chunk);
					receivedBytes += chunk.length;
				}
				return true;
			},
			onComplete() {
				settle(() => {
					if (!response) {
						reject(new TransportError('maybe_sent', 'NO_RESPONSE', 'The server closed without an answer', true));
						return;
					}
					resolve({ ...response, body: Buffer.concat(chunks).toString('utf8'), truncated: false });
				});
			},
			onError(error) {
				fail(error);
			},
		};

		try {
			dispatcher.dispatch(
				{
					origin: url.origin,
					path: `${url.pathname}${url.search}`,
					method: 'POST',
					headers: {
						'content-type': 'application/json; charset=utf-8',
						'user-agent': userAgent,
					},
					body,
				},
				handler,
			);
		} catch (error) {
			fail(error);
		}
	});
}

function toTransportError(error: unknown, requestSent: boolean): TransportError {
	const code = errorCode(error) ?? 'UNKNOWN';
	const failure: TransportFailure = requestSent ? 'maybe_sent' : 'not_sent';
	const described = describeTransportFailure(code, requestSent);
	return new TransportError(failure, code, described, TRANSIENT_CODES.has(code));
}

/** Messages are written here, not copied from the error, which may quote the URL. */
function describeTransportFailure(code: string, requestSent: boolean): string {
	const when = requestSent ? 'after the message was sent' : 'before the message was sent';
	switch (code) {
		case 'TIMEOUT':
			return `No answer from the webhook in time (${when})`;
		case 'ECONNREFUSED':
			return 'The webhook host refused the connection';
		case 'ENOTFOUND':
			return 'The webhook host name could not be resolved (DNS)';
		case 'EAI_AGAIN':
			return 'The webhook host name could not be resolved right now (DNS)';
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
		case 'UND_ERR_CLOSED':
			return `The connection to the webhook host was closed ${when}`;
		case 'UND_ERR_CONNECT_TIMEOUT':
		case 'ETIMEDOUT':
			return 'Connecting to the webhook host timed out';
		default:
			if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) {
				return `The webhook host's TLS certificate was not accepted (${code})`;
			}
			return `The request to the webhook failed (${code}) ${when}`;
	}
}

function parseRawHeaders(raw: Buffer[] | string[] | null): Record<string, string> {
	const headers: Record<string, string> = {};
	if (!raw) return headers;
	for (let i = 0; i + 1 < raw.length; i += 2) {
		headers[raw[i].toString().toLowerCase()] = raw[i + 1].toString();
	}
	return headers;
}
