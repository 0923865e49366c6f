/**
 * What the suites need to play a slash command answered late through its response URL (the
 * LATE_REPLY workflows of test/harness/fixtures/e2e.mjs), and to look for the URL in what n8n stored.
 */
import { seedOutgoingWebhookPost, slackSignatureHeaders } from '../helpers/slack-fixtures';
import { post } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

/** The IDs test/harness/fixtures/e2e.mjs gives the LATE_REPLY workflows. */
export const LATE_REPLY = {
	allowed: { workflowId: 'e2eLateReply0001', webhookId: 'e2e-late-reply' },
	refused: { workflowId: 'e2eLateRefused01', webhookId: 'e2e-late-refused' },
	/** docs/examples/slash-command-late-reply.json, with the trigger's webhook ID it ships with. */
	docsExample: { workflowId: 'e2eDocsExample01', webhookId: '5b8e1f0a-7c2d-4e3f-8a9b-0c1d2e3f4a51' },
	acknowledgement: 'Working on it…',
};

let commandNumber = Math.floor(Date.now() / 1000);

/** A slash command as Slack posts it, whose response URL points at the fake Slack server. */
export function slashCommandAnsweredAt(slackPort: number) {
	const id = String(++commandNumber);
	const responseUrl = `http://127.0.0.1:${slackPort}/commands/T0001/${id}/${E2E.responseUrlSecret}`;
	const { team_id, team_domain, channel_id, channel_name, user_id, user_name } = seedOutgoingWebhookPost(E2E.token);
	const body = new URLSearchParams({
		token: E2E.token,
		team_id,
		team_domain,
		channel_id,
		channel_name,
		user_id,
		user_name,
		command: '/report',
		text: 'weekly sales',
		response_url: responseUrl,
		trigger_id: `${id}.1.e2e`,
	}).toString();
	return { body, responseUrl, responsePath: new URL(responseUrl).pathname };
}

/** Posts a slash command to a trigger, signed as the Slack app of the `signed` credential. */
export const sendSigned = (webhookId: string, body: string) =>
	post(`/webhook/${webhookId}/slack`, body, { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body, E2E.signingSecret) });

/**
 * n8n stores an execution as flatted JSON: an array whose strings are each stored once. Returns
 * the stored strings that contain `part`, so the response URL leaking into an error message or
 * description would show up as a string of its own beside the URL itself.
 */
export function storedStringsHolding(flattedData: string, part: string): string[] {
	const values = JSON.parse(flattedData) as unknown[];
	return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.includes(part)))];
}
