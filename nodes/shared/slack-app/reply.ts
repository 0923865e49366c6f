import { REPLY_FIELDS, RESPONSE_TYPES } from '../slack';

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
