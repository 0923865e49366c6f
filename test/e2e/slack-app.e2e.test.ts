/**
 * A Slack app's requests to the trigger (type version 3) in a real n8n, signed with the app's
 * signing secret: the Request URL check, a matching and a filtered message, a retried event, and a
 * button click answered through its response URL on the suite's Slack (an allowed host). The two
 * Slack-app examples of docs/examples were imported with n8n's CLI as a user would import them.
 */
import { appMentionEvent, blockActions, eventCallback, messageEvent, signedInteraction, signedJson, urlVerification } from '../helpers/slack-app-fixtures';
import { eventually, executionCount, n8nVersion, newestExecutionAfter, post, useSuiteSlack } from './n8n-api';
import { storedStringsHolding } from './late-reply';
import E2E from '../harness/fixtures/secrets.json';

/** The IDs fixtures.mjs gives the Slack-app workflows (SLACK_APP there). */
const SLACK_APP = {
	events: { workflowId: 'e2eSlackAppEvent', webhookId: 'e2e-slack-app-events' },
	buttons: { workflowId: 'e2eSlackAppButtn', webhookId: 'e2e-slack-app-buttons' },
	keywordBot: { workflowId: 'slackAppKeyword1', webhookId: '2d7c4e9a-1f3b-4a8d-9c6e-5b0a7f1e3d21' },
	approval: { workflowId: 'slackAppApprove1', webhookId: '7f1b3d5e-9a2c-4e6f-8b0d-1c3e5a7b9d41' },
};

const slack = useSuiteSlack();
const urlOf = (webhookId: string) => `/webhook/${webhookId}/slack`;
const sendEvent = (webhookId: string, body: Record<string, unknown>, extraHeaders: Record<string, string> = {}) => {
	const signed = signedJson(body, E2E.signingSecret);
	return post(urlOf(webhookId), signed.body, { ...signed.headers, ...extraHeaders });
};
const sendClick = (webhookId: string, payload: Record<string, unknown>) => {
	const signed = signedInteraction(payload, E2E.signingSecret);
	return post(urlOf(webhookId), signed.body, signed.headers);
};
/** Time for an execution n8n should not have started to show up if it had. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
/** A response URL on the suite's Slack, with the made-up secret in its last segment. */
const responseUrlAt = (kind: string) => `http://127.0.0.1:${slack.port}/actions/T0001/${Date.now()}/${E2E.responseUrlSecret}-${kind}`;

describe(`n8n ${n8nVersion}: a Slack app's requests (trigger type version 3)`, () => {
	it("answers Slack's Request URL check with its challenge, and 401 to an unsigned one", async () => {
		const before = await executionCount(SLACK_APP.events.workflowId);
		expect(await sendEvent(SLACK_APP.events.webhookId, urlVerification('e2e-challenge-42'))).toEqual({ status: 200, body: 'e2e-challenge-42' });
		const unsigned = await post(urlOf(SLACK_APP.events.webhookId), JSON.stringify(urlVerification('e2e-challenge-43')), { 'content-type': 'application/json' });
		expect(unsigned.status).toBe(401);
		expect(unsigned.body).not.toContain('e2e-challenge-43');
		await settle();
		expect(await executionCount(SLACK_APP.events.workflowId)).toBe(before);
	});

	it('starts for a matching message with an empty 200, and not for a filtered one or an unsigned one', async () => {
		const before = await executionCount(SLACK_APP.events.workflowId);
		const event = messageEvent({ text: 'deploy web "blue green"' });
		expect(await sendEvent(SLACK_APP.events.webhookId, eventCallback(event, { event_id: `EvE2E${Date.now()}` }))).toEqual({ status: 200, body: '' });
		const execution = await newestExecutionAfter(SLACK_APP.events.workflowId, before);
		expect(storedStringsHolding(execution.data, 'blue green')).toContain('blue green');
		expect(storedStringsHolding(execution.data, 'slack_events_api')).toEqual(['slack_events_api']);

		expect(await sendEvent(SLACK_APP.events.webhookId, eventCallback(messageEvent({ channel: 'C9' })))).toEqual({ status: 200, body: '' });
		expect(await sendEvent(SLACK_APP.events.webhookId, eventCallback(messageEvent({ text: 'nothing to see' })))).toEqual({ status: 200, body: '' });
		const unsigned = await post(urlOf(SLACK_APP.events.webhookId), JSON.stringify(eventCallback(messageEvent())), { 'content-type': 'application/json' });
		expect(unsigned.status).toBe(401);
		await settle();
		expect(await executionCount(SLACK_APP.events.workflowId)).toBe(before + 1);
	});

	it("starts once for an event and Slack's retry of it", async () => {
		const before = await executionCount(SLACK_APP.events.workflowId);
		const envelope = eventCallback(messageEvent(), { event_id: `EvE2ERetry${Date.now()}` });
		expect((await sendEvent(SLACK_APP.events.webhookId, envelope)).status).toBe(200);
		expect((await sendEvent(SLACK_APP.events.webhookId, envelope, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
		await newestExecutionAfter(SLACK_APP.events.workflowId, before);
		await settle();
		expect(await executionCount(SLACK_APP.events.workflowId)).toBe(before + 1);
	});

	it('acknowledges a button click with an empty 200, then replaces the message through its response URL', async () => {
		const responseUrl = responseUrlAt('button');
		const reply = await sendClick(SLACK_APP.buttons.webhookId, blockActions({ response_url: responseUrl }));
		expect(reply).toEqual({ status: 200, body: '' });
		const answer = await eventually(async () => slack.received[0]);
		expect(answer.path).toBe(new URL(responseUrl).pathname);
		expect(answer.json).toEqual({ text: 'Approved by <@U2147483697> (report-42)', response_type: 'in_channel', replace_original: true });
	});

	it('the keyword-bot example answers a mention in its thread, through the incoming webhook', async () => {
		const mention = appMentionEvent({ text: '<@U0LAN0Z89> deploy api canary' });
		expect(await sendEvent(SLACK_APP.keywordBot.webhookId, eventCallback(mention))).toEqual({ status: 200, body: '' });
		const answer = await eventually(async () => slack.received[0]);
		expect(answer.path).toBe(slack.webhookPath);
		expect(answer.json).toMatchObject({ text: 'On it, <@U2147483697>: deploying *api* (canary).', thread_ts: mention.ts });
	});

	it("the approval example replaces the report when Reject is clicked, naming who clicked", async () => {
		const responseUrl = responseUrlAt('approval');
		const click = blockActions({ response_url: responseUrl, actions: [{ action_id: 'reject', block_id: 'decision', type: 'button', value: 'expenses-2026-11-30' }] });
		expect(await sendClick(SLACK_APP.approval.webhookId, click)).toEqual({ status: 200, body: '' });
		const answer = await eventually(async () => slack.received[0]);
		expect(answer.path).toBe(new URL(responseUrl).pathname);
		expect(answer.json).toEqual({ text: ':x: Rejected by <@U2147483697> (expenses-2026-11-30)', response_type: 'in_channel', replace_original: true });
	});
});
