import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

import { SLACK_EVENTS_API } from '../shared/slack';
import { claimIncomingMessage } from '../shared/state/from-node';
import { incomingEventKey, eventItem, matchEvent, readEventsApiRequest, type EventRetry } from '../shared/slack-app/events';
import { interactionItem, interactionTeamId, matchInteraction, readInteractivityRequest } from '../shared/slack-app/interactivity';
import type { MatchSettings } from '../shared/slack-app/matching';
import { verificationKeysOf } from './credential-cache';
import { eventDuplicateWindowSeconds, ignoreRulesFrom, readActionIds, readEventKinds } from '../shared/trigger-parameters/read';
import { statusForUnstartedClaim } from './http-reply';
import { headerValue, signedRequestFrom, verifyRequestWithKeys, type BodyKind, type Verdict } from './verify';

/**
 * What a Slack app sends over HTTP besides slash commands (type version 3): Events API requests
 * (JSON, with a `type` of `url_verification` or `event_callback`) and interactivity (a form with a
 * `payload` field). Each is decided by the same filters as an outgoing webhook's message, before
 * the credential is read, then verified by the signing secret alone.
 */

export interface SlackAppWiring {
	/** Answers a request that starts nothing, with an empty body. */
	answer(status: number): IWebhookResponseData;
	matchSettings: MatchSettings;
	options: IDataObject;
	/** Whether n8n sends `webhookResponse` once it has created the execution (the "onReceived" response mode). */
	n8nAnswersOnReceived: boolean;
}

/** Handles a Slack app's request; undefined when the request is not one (a slash command, an outgoing webhook, Mattermost). */
export async function handleSlackAppRequest(
	context: IWebhookFunctions,
	kind: BodyKind,
	body: unknown,
	wiring: SlackAppWiring,
): Promise<IWebhookResponseData | undefined> {
	const request = context.getRequestObject();
	const ignore = ignoreRulesFrom(wiring.options);

	const eventsRequest = kind === 'json' ? readEventsApiRequest(body) : undefined;
	if (eventsRequest?.kind === 'urlVerification') {
		// Not filtered: Slack sends it when the Request URL is saved, and it starts nothing. It names
		// no team, so the team allow-list cannot apply; the signature proves it is the app's.
		const verdict = await verifySlackAppRequest(context, ANY_TEAM);
		if (!verdict.ok) return wiring.answer(verdict.status);
		writeText(context.getResponseObject(), eventsRequest.challenge);
		return { noWebhookResponse: true };
	}
	// Verify Before Filtering: a caller without the signing secret learns nothing from the answers,
	// at the price of a verification (and, without a kept one, a credential read) per request.
	const verifiesFirst = wiring.options.verifyBeforeFiltering === true;
	if (eventsRequest?.kind === 'other') return wiring.answer((verifiesFirst ? await refusal(context, envelopeTeamId(body)) : undefined) ?? 200);
	if (eventsRequest?.kind === 'event') {
		const { envelope, event } = eventsRequest;
		const refusedFirst = verifiesFirst ? await refusal(context, envelope.team_id) : undefined;
		if (refusedFirst) return wiring.answer(refusedFirst);
		const match = matchEvent(event, readEventKinds(context), wiring.matchSettings, ignore);
		if (!match) return wiring.answer(200);
		const refused = verifiesFirst ? undefined : await refusal(context, envelope.team_id);
		if (refused) return wiring.answer(refused);
		const key = incomingEventKey(envelope);
		const claim = key ? await claimEvent(context, key, wiring) : 'new';
		if (claim !== 'new') return wiring.answer(statusForUnstartedClaim(claim));
		return acknowledge(context, eventItem(envelope, event, match, readRetry(request.headers), new Date()), wiring);
	}

	const interactivityRequest = kind === 'form' ? readInteractivityRequest(body) : undefined;
	if (interactivityRequest === undefined) return undefined;
	if (interactivityRequest.kind === 'unreadable') return wiring.answer(400);
	const { payload } = interactivityRequest;
	const refusedFirst = verifiesFirst ? await refusal(context, interactionTeamId(payload)) : undefined;
	if (refusedFirst) return wiring.answer(refusedFirst);
	const match = matchInteraction(payload, readActionIds(context), wiring.matchSettings.channels);
	if (!match) return wiring.answer(200);
	const refused = verifiesFirst ? undefined : await refusal(context, interactionTeamId(payload));
	if (refused) return wiring.answer(refused);
	return acknowledge(context, interactionItem(payload, match, new Date()), wiring);
}

/** The status to refuse the request with, or undefined when it is verified. */
async function refusal(context: IWebhookFunctions, teamId: unknown): Promise<number | undefined> {
	const verdict = await verifySlackAppRequest(context, teamId);
	return verdict.ok ? undefined : verdict.status;
}

function envelopeTeamId(body: unknown): unknown {
	return typeof body === 'object' && body !== null ? (body as IDataObject).team_id : undefined;
}

/** The missing-secret warning is a settings mistake, not news per request: once a minute at most. */
const MISSING_SECRET_WARNING_INTERVAL_MS = 60_000;
let lastMissingSecretWarning = -Infinity;
function shouldWarnNow(now = Date.now()): boolean {
	if (now - lastMissingSecretWarning < MISSING_SECRET_WARNING_INTERVAL_MS) return false;
	lastMissingSecretWarning = now;
	return true;
}

/** Stands for the team of a request that names none (the Request URL check). */
const ANY_TEAM = Symbol('any team');

/**
 * A Slack app signs every request, and its verification token is deprecated: the signing secret
 * alone decides, and a credential without one refuses Slack-app requests (tokens on the same
 * credential are for outgoing webhooks and do not apply).
 */
async function verifySlackAppRequest(context: IWebhookFunctions, teamId: unknown): Promise<Verdict> {
	const checksTeam = teamId !== ANY_TEAM;
	const request = context.getRequestObject();
	const keys = await verificationKeysOf(context);
	if (!keys.signingKey) {
		if (shouldWarnNow()) context.logger.warn(
			'Slack Outgoing Webhook Trigger refused a Slack app request (Events API or interactivity): the credential has no Signing Secret. Copy it from the Slack app\'s Basic Information page into the credential.',
		);
		return { ok: false, status: 401, reason: 'no signing secret' };
	}
	const verdict = verifyRequestWithKeys(signedRequestFrom(request, undefined, teamId), {
		...keys,
		tokenDigests: [],
		allowedTeamIds: checksTeam ? keys.allowedTeamIds : [],
	});
	if (!verdict.ok) context.logger.debug(`Slack Outgoing Webhook Trigger refused a Slack app request: ${verdict.reason}`);
	return verdict;
}

/**
 * A retry of an event that started a workflow starts nothing (eventDuplicateWindowSeconds). Only
 * an authentic event is recorded (the signature was checked).
 */
async function claimEvent(context: IWebhookFunctions, key: string, wiring: SlackAppWiring): Promise<'new' | 'repeat' | 'inFlight'> {
	const windowSeconds = eventDuplicateWindowSeconds(wiring.options);
	if (windowSeconds <= 0) return 'new';
	return await claimIncomingMessage(context, key, windowSeconds * 1000, wiring.n8nAnswersOnReceived);
}

/**
 * Slack reads nothing in the answer to an event or a click: an empty 200, sent by n8n once the
 * execution exists. When Respond waits for the workflow (meant for slash commands), that would be
 * too late for Slack's 3 seconds, so the node answers at once itself.
 */
function acknowledge(context: IWebhookFunctions, item: Record<string, unknown>, wiring: SlackAppWiring): IWebhookResponseData {
	const workflowData = [context.helpers.returnJsonArray([item as IDataObject])];
	if (wiring.n8nAnswersOnReceived) return { workflowData, webhookResponse: '' };
	const response = context.getResponseObject();
	if (!response.headersSent) {
		response.writeHead(200, { 'content-length': 0 });
		response.end();
	}
	return { workflowData, noWebhookResponse: true };
}

function readRetry(headers: IncomingHttpHeaders): EventRetry {
	const num = headerValue(headers[SLACK_EVENTS_API.retryNumHeader]);
	return {
		num: num !== undefined && /^\d{1,3}$/.test(num) ? Number(num) : 0,
		reason: headerValue(headers[SLACK_EVENTS_API.retryReasonHeader])?.slice(0, 100) ?? null,
	};
}

/** Slack's documented answer to the Request URL check: the challenge, as plain text. */
function writeText(response: ServerResponse, text: string): void {
	if (response.headersSent) return;
	response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
	response.end(text);
}
