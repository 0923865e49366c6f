import type { Dispatcher } from 'undici';

import { redactWebhookUrl, scrubSecrets } from '../redact';
import { parseRetryAfterMs } from './retry-after';
import { initialRateGateState } from '../state/rate-gate';
import { LocalSendGate, startIntervalMsFor, type SendGate } from '../state/send-gates';
import { SLACK_WEBHOOK_ERRORS, SLACK_WEBHOOK_OK } from '../slack';
import { postJson, type TransportError } from './transport';

export interface DeliveryPolicy {
	/** Per attempt. */
	timeoutMs: number;
	/** Retries after a connection failure (and after a possible post, when allowed). 429s do not count. */
	maxRetries: number;
	/** Total time one message may wait for Slack's rate limit before it is reported failed. */
	maxRateLimitWaitMs: number;
	/** Send again after a 5xx, a timeout or a reset once the message was sent: may post it twice. */
	retryWhenMaybePosted: boolean;
	/**
	 * The target answers `{"ok":…,"error":…}` (a Slack workflow trigger): `ok: false` is a refusal
	 * even with a 2xx. Off for incoming webhooks, whose Slack-compatible hosts answer what they like.
	 */
	okFieldDecides?: boolean;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
	timeoutMs: 10_000,
	maxRetries: 3,
	maxRateLimitWaitMs: 120_000,
	retryWhenMaybePosted: false,
};

export interface DeliveryResult {
	ok: true;
	status: number;
	/** Slack's answer, `ok` from Slack; other targets answer their own text or JSON. */
	response: string;
	attempts: number;
	waitedMs: number;
	/** Where the webhook's pace was kept, when Redis was asked to share it. */
	rateGate?: string;
}

export type DeliveryErrorCode =
	| 'SLACK_ERROR'
	| 'HTTP_ERROR'
	| 'RATE_LIMIT_WAIT_EXCEEDED'
	| 'CONNECTION_FAILED'
	| 'MAY_HAVE_BEEN_POSTED'
	| 'INVALID_URL';

/** A message that was not delivered, with everything a person needs and no part of the URL's secret. */
export class WebhookDeliveryError extends Error {
	constructor(
		readonly code: DeliveryErrorCode,
		message: string,
		readonly details: {
			description: string;
			status?: number;
			slackError?: string;
			retryCanHelp: boolean;
			mayHaveBeenPosted: boolean;
			attempts: number;
			waitedMs: number;
			webhook: string;
		},
	) {
		super(message);
		this.name = 'WebhookDeliveryError';
	}
}

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
	random(): number;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
	random: () => Math.random(),
};

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** The gate of each webhook: by default kept in the sender, so one execution's items share it. */
export type SendGateFactory = (webhookUrl: URL) => SendGate;

const gateInThisExecution: SendGateFactory = (webhookUrl) => new LocalSendGate(initialRateGateState(startIntervalMsFor(webhookUrl)));

/**
 * Delivers messages to webhooks: retries what is safe to retry, waits out rate limits, never
 * drops a message silently. One instance serves one execution, so all its items share the
 * connection pool and each webhook's rate gate (which may itself be shared through Redis).
 */
export class WebhookSender {
	private readonly gates = new Map<string, SendGate>();

	constructor(
		private readonly dispatcher: Dispatcher,
		private readonly userAgent = 'n8n-nodes-slack-webhooks',
		private readonly clock: Clock = systemClock,
		private readonly createGate: SendGateFactory = gateInThisExecution,
	) {}

	async deliver(webhookUrl: string, message: object, policy: DeliveryPolicy): Promise<DeliveryResult> {
		const webhook = redactWebhookUrl(webhookUrl);
		const url = parseWebhookUrl(webhookUrl, webhook);
		const gate = this.gateFor(url);
		const body = JSON.stringify(message);

		let attempts = 0;
		let retries = 0;
		let waitedMs = 0;
		let rateLimitWaitMs = 0;
		let consecutiveRateLimits = 0;

		const fail = (
			code: DeliveryErrorCode,
			text: string,
			details: { description: string; status?: number; slackError?: string; retryCanHelp: boolean; mayHaveBeenPosted: boolean },
		) =>
			// Bodies and lower-level errors can quote the URL: scrub it from everything a person sees.
			new WebhookDeliveryError(code, scrubSecrets(text, [webhookUrl]), {
				...details,
				description: scrubSecrets(details.description, [webhookUrl]),
				slackError: details.slackError && scrubSecrets(details.slackError, [webhookUrl]),
				attempts,
				waitedMs,
				webhook,
			});

		const rateLimitWaitExceeded = (waitMs: number, status?: number) => {
			const acceptsAgainAt = new Date(this.clock.now() + waitMs).toISOString();
			return fail('RATE_LIMIT_WAIT_EXCEEDED', `Slack is rate-limiting this webhook for ${Math.ceil(waitMs / 1000)} s more (${webhook})`, {
				description: `The message was not posted. The webhook accepts messages again at ${acceptsAgainAt}; waiting for that would exceed Max Rate Limit Wait (${Math.round(policy.maxRateLimitWaitMs / 1000)} s). Raise it, or send fewer messages at once.`,
				status,
				retryCanHelp: true,
				mayHaveBeenPosted: false,
			});
		};
		let lastStatus: number | undefined;
		// Every wait, whatever set it (a 429 of this item, another sender, an earlier execution),
		// is held against Max Rate Limit Wait before sleeping: past it, the item fails now.
		const waitForRateLimit = async (ms: number) => {
			if (rateLimitWaitMs + ms > policy.maxRateLimitWaitMs) throw rateLimitWaitExceeded(ms, lastStatus);
			if (ms <= 0) return;
			await this.clock.sleep(ms);
			waitedMs += ms;
			rateLimitWaitMs += ms;
		};

		for (;;) {
			const reservation = await gate.reserve(this.clock.now(), policy.maxRateLimitWaitMs - rateLimitWaitMs);
			await waitForRateLimit(reservation.delayMs);
			if (!reservation.reserved) continue;
			// A pause learned by any sender while this one slept, or a slower pace, holds it too.
			for (let holdMs = await gate.holdBeforePosting(this.clock.now()); holdMs > 0; holdMs = await gate.holdBeforePosting(this.clock.now())) {
				await waitForRateLimit(holdMs);
			}

			attempts++;
			const outcome = await postJson(this.dispatcher, url, body, policy.timeoutMs, this.userAgent).then(
				(response) => ({ response }),
				(error: TransportError) => ({ error }),
			);
			if ('error' in outcome) {
				const { error } = outcome;
				await gate.recordUnanswered(this.clock.now());
				const mayHaveBeenPosted = error.failure === 'maybe_sent';
				const retryAllowed = error.transient && (!mayHaveBeenPosted || policy.retryWhenMaybePosted);
				if (retryAllowed && retries < policy.maxRetries) {
					waitedMs += await this.backoff(++retries);
					continue;
				}
				throw fail(mayHaveBeenPosted ? 'MAY_HAVE_BEEN_POSTED' : 'CONNECTION_FAILED', `${error.message} (${webhook})`, {
					description: mayHaveBeenPosted
						? 'The message may have been posted: check the channel before sending it again. Turn on "Retry When the Message May Have Been Posted" to retry such failures automatically.'
						: error.transient
							? `Gave up after ${attempts} attempts. Check that the webhook host is reachable from n8n.`
							: 'Check the webhook URL in the credential, and any proxy settings (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).',
					retryCanHelp: error.transient,
					mayHaveBeenPosted,
				});
			}
			const { response } = outcome;
			const { status } = response;
			if (status >= 200 && status < 300 && !(policy.okFieldDecides && refusedInJson(response.body))) {
				await gate.recordDelivered(this.clock.now());
				const where = gate.where === undefined ? {} : { rateGate: gate.where };
				// The answer goes into the output item: a server that echoes the URL must not put it there.
				return { ok: true, status, response: scrubSecrets(response.body.trim(), [webhookUrl]) || SLACK_WEBHOOK_OK, attempts, waitedMs, ...where };
			}

			if (status === 429) {
				consecutiveRateLimits++;
				lastStatus = status;
				const now = this.clock.now();
				const retryAfterMs =
					parseRetryAfterMs(response.headers, response.body, now) ??
					Math.min(BACKOFF_MAX_MS, DEFAULT_RATE_LIMIT_WAIT_MS * 2 ** (consecutiveRateLimits - 1));
				await gate.recordRateLimited(now, retryAfterMs);
				continue;
			}
			consecutiveRateLimits = 0;
			// An answer that says nothing about the rate frees the starting place the send held.
			await gate.recordUnanswered(this.clock.now());

			if (status >= 500) {
				if (policy.retryWhenMaybePosted && retries < policy.maxRetries) {
					waitedMs += await this.backoff(++retries);
					continue;
				}
				throw fail('MAY_HAVE_BEEN_POSTED', `The webhook host answered ${status}; the message may have been posted (${webhook})`, {
					description: 'Slack had a problem on its side. The message may have been posted: check the channel before sending it again. Turn on "Retry When the Message May Have Been Posted" to retry such failures automatically.',
					status,
					retryCanHelp: true,
					mayHaveBeenPosted: true,
				});
			}

			const slackError = slackErrorString(response.body);
			const known = slackError ? SLACK_WEBHOOK_ERRORS[slackError] : undefined;
			if (known) {
				throw fail('SLACK_ERROR', `${known.message} (Slack: ${slackError})`, {
					description: `${known.action}${known.retryCanHelp ? '' : ' Sending the same message again will not help.'} Webhook: ${webhook}`,
					status,
					slackError,
					retryCanHelp: known.retryCanHelp,
					mayHaveBeenPosted: false,
				});
			}
			throw fail('HTTP_ERROR', `The webhook answered ${status}${slackError ? `: ${slackError}` : ''} (${webhook})`, {
				description: describeHttpStatus(status),
				status,
				slackError,
				retryCanHelp: false,
				mayHaveBeenPosted: false,
			});
		}
	}

	private gateFor(url: URL): SendGate {
		const key = url.href;
		let gate = this.gates.get(key);
		if (!gate) {
			gate = this.createGate(url);
			this.gates.set(key, gate);
		}
		return gate;
	}

	/** Exponential backoff with full jitter. */
	private async backoff(retry: number): Promise<number> {
		const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
		const delay = Math.round(ceiling / 2 + (this.clock.random() * ceiling) / 2);
		await this.clock.sleep(delay);
		return delay;
	}
}

function parseWebhookUrl(webhookUrl: string, redacted: string): URL {
	let url: URL | undefined;
	try {
		url = new URL(webhookUrl.trim());
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw new WebhookDeliveryError('INVALID_URL', 'The webhook URL in the credential is not an http(s) URL', {
			description: 'Copy the webhook URL from the Slack app settings, for example https://hooks.slack.com/services/…',
			retryCanHelp: false,
			mayHaveBeenPosted: false,
			attempts: 0,
			waitedMs: 0,
			webhook: redacted,
		});
	}
	return url;
}

/** `{"ok":false,…}`: what Slack's JSON answers say when they refuse, whatever the status. */
function refusedInJson(body: string): boolean {
	try {
		const parsed = JSON.parse(body) as unknown;
		return typeof parsed === 'object' && parsed !== null && (parsed as { ok?: unknown }).ok === false;
	} catch {
		return false;
	}
}

/** Slack answers errors as a short plain-text code; Slack-compatible targets may answer JSON. */
export function slackErrorString(body: string): string | undefined {
	const trimmed = body.trim();
	if (trimmed === '') return undefined;
	if (/^[a-z_]{2,64}$/.test(trimmed)) return trimmed;
	if (trimmed.startsWith('{')) {
		try {
			const parsed = JSON.parse(trimmed) as { error?: unknown; message?: unknown; text?: unknown };
			const value = parsed.error ?? parsed.message ?? parsed.text;
			if (typeof value === 'string') return value.slice(0, 200);
		} catch {
			// Not JSON: fall through to the plain text.
		}
	}
	return trimmed.slice(0, 200);
}

function describeHttpStatus(status: number): string {
	if (status === 401 || status === 403) return 'The webhook refused the request. Check the webhook URL in the credential.';
	if (status === 404 || status === 410) return 'The webhook does not exist (any more). Create a new one and update the credential.';
	if (status === 413) return 'The message is too large for the webhook. Send less text, fewer blocks or attachments.';
	return 'The webhook did not accept the message. Sending the same message again will not help.';
}
