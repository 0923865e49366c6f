/**
 * A sender that treats a Request URL as Slack does. Each message is POSTed to one webhook process;
 * Slack waits 3 seconds for an answer (SLACK_EVENTS_API.ackTimeoutSeconds), then closes the
 * connection and counts the attempt as failed, as it does a refused or reset connection and a
 * non-2xx answer. A failed message Slack retries is sent again, to either webhook process (the
 * load balancer's choice), after the delays of its retry schedule; the first 2xx ends it.
 *
 * Which messages Slack sends again: Events API events, with `X-Slack-Retry-Num` and
 * `X-Slack-Retry-Reason` and a fresh signature (Slack's Events API guide, "Retries"); outgoing
 * webhook posts, for which Slack documents only that "Non-200 responses will be retried a
 * reasonable number of times" (the "Outgoing webhooks" reference, legacy custom integrations), so
 * they are sent again as they were, without headers; never slash commands (a slash command that is
 * not answered in time shows the user an error, and that is all).
 */
import { request as httpRequest } from 'node:http';

/** Slack's words for why it sends an event again (X-Slack-Retry-Reason). */
export type FailureReason = 'http_timeout' | 'connection_failed' | 'http_error';

export interface SlackRequest {
	path: string;
	body: string;
	headers: Record<string, string>;
}

/** One message as Slack would send it: the request of each attempt, and whether Slack retries it. */
export interface OutgoingMessage {
	id: string;
	kind: string;
	retried: boolean;
	/** The request of attempt `retryNum` (0: the first); `reason` is why the previous attempt failed. */
	request(retryNum: number, reason: FailureReason | undefined): SlackRequest;
}

export interface Attempt {
	retryNum: number;
	origin: string;
	sentAt: number;
	endedAt: number;
	/** The HTTP status, when an answer came within the acknowledgement timeout. */
	status?: number;
	/** Set when Slack counts the attempt as failed. */
	failure?: FailureReason;
	/** The connection broke after the request was sent (reset, not refused): the server had the request. */
	reset?: boolean;
}

export interface Delivery {
	id: string;
	kind: string;
	retried: boolean;
	attempts: Attempt[];
	/** Whether Slack considers the message delivered: one attempt got a 2xx in time. */
	delivered: boolean;
}

export interface SlackRetryPolicy {
	ackTimeoutMs: number;
	/** Delay before each retry, counted from the failure of the attempt before it. */
	retryDelaysMs: readonly number[];
}

export const isSuccess = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/** What Slack makes of one answer: nothing wrong, or the reason it gives when it sends the message again. */
export function failureOf(outcome: { status?: number; timedOut?: boolean; connectionError?: boolean }): FailureReason | undefined {
	if (outcome.timedOut) return 'http_timeout';
	if (outcome.connectionError || outcome.status === undefined) return 'connection_failed';
	return isSuccess(outcome.status) ? undefined : 'http_error';
}

/** The delay before the next attempt of a message whose attempts so far all failed, or undefined when Slack gives up. */
export function nextRetryDelayMs(message: Pick<OutgoingMessage, 'retried'>, failedAttempts: number, policy: SlackRetryPolicy): number | undefined {
	if (!message.retried) return undefined;
	return policy.retryDelaysMs[failedAttempts - 1];
}

export type Post = (url: string, request: SlackRequest, timeoutMs: number) => Promise<{ status?: number; timedOut?: boolean; connectionError?: boolean; reset?: boolean }>;

/**
 * One POST on its own connection, closed at the deadline as Slack does when it stops waiting.
 * Never rejects: a refused or broken connection is an outcome like any answer.
 */
export const postWithDeadline: Post = (url, { body, headers }, timeoutMs) =>
	new Promise((resolve) => {
		let settled = false;
		let sent = false;
		const settle = (outcome: Awaited<ReturnType<Post>>) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve(outcome);
		};
		const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false }, (response) => {
			response.resume();
			response.on('end', () => settle({ status: response.statusCode }));
			response.on('error', () => settle({ connectionError: true, reset: true }));
		});
		const timer = setTimeout(() => {
			settle({ timedOut: true });
			request.destroy();
		}, timeoutMs);
		request.on('finish', () => {
			sent = true;
		});
		// ECONNREFUSED before anything was sent; ECONNRESET or "socket hang up" after: the server had the request.
		request.on('error', () => settle({ connectionError: true, reset: sent }));
		request.end(body);
	});

/** Where the sender reads the time and waits between attempts; a test gives one it moves itself. */
export interface SenderClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

const realClock: SenderClock = {
	now: () => Date.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Sends one message as Slack would, to the origins `pickOrigin` chooses, until a 2xx or Slack gives up. */
export async function deliverAsSlack(
	message: OutgoingMessage,
	policy: SlackRetryPolicy,
	pickOrigin: () => string,
	post: Post = postWithDeadline,
	clock: SenderClock = realClock,
): Promise<Delivery> {
	const attempts: Attempt[] = [];
	let reason: FailureReason | undefined;
	for (;;) {
		const origin = pickOrigin();
		const request = message.request(attempts.length, reason);
		const sentAt = clock.now();
		const outcome = await post(`${origin}${request.path}`, request, policy.ackTimeoutMs);
		reason = failureOf(outcome);
		attempts.push({ retryNum: attempts.length, origin, sentAt, endedAt: clock.now(), status: outcome.status, failure: reason, reset: outcome.reset || undefined });
		if (!reason) return { id: message.id, kind: message.kind, retried: message.retried, attempts, delivered: true };
		const delay = nextRetryDelayMs(message, attempts.length, policy);
		if (delay === undefined) return { id: message.id, kind: message.kind, retried: message.retried, attempts, delivered: false };
		await clock.sleep(delay);
	}
}
