import type { ServerResponse } from 'node:http';

import { REPLY_FIELDS, RESPONSE_TYPES } from '../shared/slack';

/**
 * The body Slack posts back into the channel. Only Slack's reply fields go out, so a workflow's
 * data never leaks into the channel by accident; an empty reply is no body at all, because Slack
 * ignores `{"text": ""}` and an n8n default message would be posted.
 */
export type SlackReply = Partial<Record<(typeof REPLY_FIELDS)[number], unknown>>;

export function shapeReply(source: unknown): SlackReply | undefined {
	if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
	const input = source as Record<string, unknown>;
	const reply: SlackReply = {};
	for (const field of REPLY_FIELDS) {
		const value = input[field];
		if (value === undefined || value === null || value === '') continue;
		if (field === 'attachments' || field === 'blocks') {
			if (Array.isArray(value) && value.length > 0) reply[field] = value;
			continue;
		}
		if (field === 'response_type') {
			if (RESPONSE_TYPES.includes(value as (typeof RESPONSE_TYPES)[number])) reply.response_type = value;
			continue;
		}
		if (typeof value === 'string' || typeof value === 'number') reply[field] = String(value);
	}
	const text = typeof reply.text === 'string' ? reply.text.trim() : '';
	if (text === '' && reply.attachments === undefined && reply.blocks === undefined) return undefined;
	return reply;
}

export function writeReply(response: ServerResponse, status: number, reply?: SlackReply): void {
	if (response.headersSent) return;
	if (reply) {
		const body = JSON.stringify(reply);
		response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
		response.end(body);
	} else {
		response.writeHead(status, { 'content-length': 0 });
		response.end();
	}
}

/**
 * In "When Last Node Finishes" mode n8n answers with the last node's first item, through
 * Express's `res.json`. This request's `res.json` is replaced so that only Slack's reply fields go
 * out, and an empty reply is an empty body.
 */
export function shapeLastNodeResponse(response: ServerResponse): void {
	const express = response as ServerResponse & { json?: (body: unknown) => unknown };
	if (typeof express.json !== 'function') return;
	express.json = (body: unknown) => {
		writeReply(response, response.statusCode >= 400 ? response.statusCode : 200, shapeReply(body));
		return response;
	};
}

/**
 * The answer to a message the duplicate filter did not let start: a repeat of one that started is
 * answered as received (200, empty), so Slack stops sending it. One that another request still
 * holds may yet fail to start, so it is not answered as received: a 503 makes Slack send it again
 * later ("Non-200 responses will be retried", Slack's outgoing webhooks page; the Events API
 * retries too), when the other request's outcome is known.
 */
export function statusForUnstartedClaim(claim: 'repeat' | 'inFlight'): number {
	return claim === 'repeat' ? 200 : 503;
}

/** The part of n8n's run record the last node's reply is read from. */
export interface FinishedRun {
	data?: { resultData?: { lastNodeExecuted?: string; runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json?: unknown }> | null> } }>> } };
}

/**
 * "When Last Node Finishes": the first item of the last node that ran, as n8n's own
 * `firstEntryJson` answer takes it; undefined when the run has no output there (n8n in queue mode
 * does not bring a trigger's run data back to the main process).
 */
export function lastNodeFirstJson(run: FinishedRun | undefined): unknown {
	const resultData = run?.data?.resultData;
	const last = resultData?.lastNodeExecuted;
	if (!last) return undefined;
	return resultData?.runData?.[last]?.at(-1)?.data?.main?.[0]?.[0]?.json;
}
