import { request, type Dispatcher } from 'undici';

import { errorCode } from '../error-code';
import { SLACK_APP_TOKEN_ERRORS, SLACK_SOCKET_MODE } from '../slack';

/**
 * apps.connections.open: the app-level token buys a single-use WebSocket URL. Its answers sorted
 * into the three things a caller does next: connect, give up (the token is wrong, and says how to
 * fix it), or try again later. No answer here ever quotes the token or the URL.
 */

export type OpenAnswer =
	| { kind: 'url'; url: string }
	| { kind: 'tokenRefused'; slackError: string; message: string; action: string }
	| { kind: 'tryAgain'; reason: string; retryAfterMs?: number };

const MAX_ANSWER_BYTES = 64 * 1024;

export async function openConnectionUrl(
	appToken: string,
	apiBaseUrl: URL,
	dispatcher: Dispatcher,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<OpenAnswer> {
	const tokenProblem = describeAppTokenProblem(appToken);
	if (tokenProblem) return tokenProblem;
	let status: number;
	let headers: Record<string, string | string[] | undefined>;
	let text: string;
	try {
		const response = await request(new URL(SLACK_SOCKET_MODE.openMethod, apiBaseUrl), {
			method: 'POST',
			dispatcher,
			headers: {
				authorization: `Bearer ${appToken}`,
				'content-type': 'application/x-www-form-urlencoded',
				'user-agent': 'n8n-nodes-slack-webhooks',
			},
			body: '',
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
			signal,
		});
		status = response.statusCode;
		headers = response.headers;
		text = await readLimited(response.body);
	} catch (error) {
		return { kind: 'tryAgain', reason: `Slack's API could not be reached (${errorCode(error) ?? 'network error'})` };
	}
	const answer = parseJson(text);
	const slackError = typeof answer?.error === 'string' ? answer.error.slice(0, 64) : '';
	if (status === 429 || slackError === SLACK_SOCKET_MODE.rateLimitedError) {
		return { kind: 'tryAgain', reason: 'Slack is rate-limiting apps.connections.open', retryAfterMs: retryAfterMs(headers['retry-after']) };
	}
	const known = SLACK_APP_TOKEN_ERRORS[slackError];
	if (known) return { kind: 'tokenRefused', slackError, ...known };
	if (answer?.ok === true && typeof answer.url === 'string' && /^wss?:\/\//i.test(answer.url)) return { kind: 'url', url: answer.url };
	return { kind: 'tryAgain', reason: `apps.connections.open answered ${status}${slackError ? ` (${slackError})` : ''} without a URL` };
}

/** A token that cannot be an app-level token is refused before anything is sent, saying which kind it is. */
export function describeAppTokenProblem(appToken: string): OpenAnswer | undefined {
	const token = appToken.trim();
	if (token === '') return { kind: 'tokenRefused', slackError: 'not_authed', ...SLACK_APP_TOKEN_ERRORS.not_authed };
	if (SLACK_SOCKET_MODE.otherTokenPrefixes.some((prefix) => token.startsWith(prefix))) {
		return { kind: 'tokenRefused', slackError: 'not_allowed_token_type', ...SLACK_APP_TOKEN_ERRORS.not_allowed_token_type };
	}
	return undefined;
}

/**
 * The Slack API the credential names: Slack's own, or, for tests, one on this machine (loopback).
 * Anything else is refused: the token would be sent there.
 */
export function apiBaseUrlFrom(value: unknown): URL {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : SLACK_SOCKET_MODE.apiBaseUrls[0];
	const url = URL.canParse(text) ? new URL(text.endsWith('/') ? text : `${text}/`) : undefined;
	const isSlack = url !== undefined && (SLACK_SOCKET_MODE.apiBaseUrls as readonly string[]).includes(url.href);
	const isLoopback = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
	if (!url || !(isSlack || isLoopback) || url.username || url.password || url.search || url.hash) {
		throw new Error(`The Slack API URL must be ${SLACK_SOCKET_MODE.apiBaseUrls.join(' or ')}`);
	}
	return url;
}

function parseJson(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (text === undefined || !/^\d{1,6}$/.test(text.trim())) return undefined;
	return Number(text.trim()) * 1000;
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of body) {
		bytes += chunk.length;
		if (bytes > MAX_ANSWER_BYTES) {
			body.destroy?.();
			break;
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}
