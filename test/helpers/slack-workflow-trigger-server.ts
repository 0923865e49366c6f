/**
 * Slack Workflow Builder's webhook triggers, played by the incoming-webhook stand-in on 127.0.0.1
 * (SlackWebhookServer) with a script that answers as Slack's pages say a trigger does. Sources,
 * also in SLACK_WORKFLOW_TRIGGER (nodes/shared/slack.ts):
 * - Slack's "Webhook triggers" guide (https://api.slack.com/automation/triggers/webhook, "Invoke
 *   the trigger"): the trigger takes a POST of flat JSON, answers `{"ok":true}`, and answers a
 *   nested object with `parameter_validation_failed`.
 * - @slack/webhook's WebhookTrigger and its tests (slackapi/node-slack-sdk, packages/webhook):
 *   values are strings; a refusal is `{"ok":false,"error":…}` (401 `invalid_auth` for a trigger
 *   Slack does not know).
 * - Slack's rate limit page (https://api.slack.com/apis/rate-limits, HTTP-based APIs): past the
 *   limit, 429 with Retry-After in whole seconds. The limit played is the package's assumed
 *   10 starts a minute per trigger (no Slack page states it).
 * A missing required variable is answered like a nested one (400 `parameter_validation_failed`):
 * Slack's pages say a missing variable is an error but not its string.
 * Only a POST starts the workflow; any other method is answered 405 and starts nothing.
 */
import { SLACK_WORKFLOW_TRIGGER } from '../../nodes/shared/slack';
import { tokenBucket, type Behaviour, type ReceivedRequest, type Script, type SlackWebhookServer } from './slack-webhook-server';

/** A trigger URL's path with obviously fake IDs, in the shape Slack's guide shows. */
export const TRIGGER_PATH = '/triggers/TTEST0000/1234567890123/test-trigger-secret-0000';
/** The earlier Workflow Builder's shape: T…, A…, then two segments. */
export const LEGACY_WORKFLOW_PATH = '/workflows/TTEST0000/ATEST0000/123456789012345678/test-workflow-secret-0000';

export const triggerAnswer = {
	ok: (): Behaviour => ({ reply: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } }),
	refused: (status: number, error: string): Behaviour => ({ reply: status, body: JSON.stringify({ ok: false, error }), headers: { 'content-type': 'application/json' } }),
	rateLimited: (retryAfter: string): Behaviour => ({
		reply: 429,
		body: '{"ok":false,"error":"ratelimited"}',
		headers: { 'content-type': 'application/json', 'retry-after': retryAfter },
	}),
};

export interface WorkflowTriggerOptions {
	/** Variables the Slack workflow requires. */
	required?: readonly string[];
	/** Starts allowed a minute, with bursts of `burst`; undefined: no limit. */
	perMinute?: number;
	burst?: number;
}

/** The starts the trigger accepted: each one a run of the Slack workflow. */
export function startsOf(server: SlackWebhookServer): ReceivedRequest[] {
	return server.posted.filter((request) => request.method === 'POST');
}

/** A trigger that validates as Slack does and (with `perMinute`) limits as Slack does. */
export function workflowTrigger(options: WorkflowTriggerOptions = {}): { script: Script; rateLimited: () => number } {
	const allow = options.perMinute === undefined ? () => true : tokenBucket(options.perMinute / 60, options.burst ?? 1);
	let rateLimited = 0;
	const script: Script = (request) => {
		if (request.method !== 'POST') return { reply: 405 };
		if (!isTriggerPath(request.path)) return triggerAnswer.refused(401, 'invalid_auth');
		if (!allow()) {
			rateLimited++;
			return triggerAnswer.rateLimited('6');
		}
		const body = request.json;
		const flatStrings = body !== undefined && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');
		const complete = (options.required ?? []).every((name) => body !== undefined && typeof body[name] === 'string');
		if (!flatStrings || !complete) return triggerAnswer.refused(400, 'parameter_validation_failed');
		return triggerAnswer.ok();
	};
	return { script, rateLimited: () => rateLimited };
}

function isTriggerPath(path: string): boolean {
	const [kind] = path.split('/').filter(Boolean);
	return kind === SLACK_WORKFLOW_TRIGGER.triggerPathPrefix || kind === SLACK_WORKFLOW_TRIGGER.legacyPathPrefix;
}
