/**
 * The HTTP answer a request gets: Slack posts its body back into the channel (outgoing webhooks,
 * slash commands), so it carries only Slack's reply fields, shaped as the shared reply rules say.
 */
import type { ServerResponse } from 'node:http';

import { shapeReply, type SlackReply } from '../shared/slack-app/reply';

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
