/**
 * A Slack app's requests to the trigger (type version 3) in a real n8n, signed with the app's
 * signing secret: the Request URL check, a matching and a filtered message, a retried event, and a
 * button click answered through its response URL on the suite's Slack (an allowed host). The two
 * Slack-app examples of docs/examples were imported with n8n's CLI as a user would import them;
 * the approval example's scheduled half runs as the editor's "Execute workflow" runs it.
 */
import { appMentionEvent, blockActions, eventCallback, messageEvent, signedInteraction, signedJson, urlVerification } from '../helpers/slack-app-fixtures';
import { eventually, executionCount, finishedExecutionStatus, n8nVersion, newestExecutionAfter, post, requiredEnv, runManuallyFrom, useSuiteSlack } from './n8n-api';
import { storedStringsHolding } from './late-reply';
import { splitList } from '../../nodes/shared/text';
import E2E from '../harness/fixtures/secrets.json';
import APPROVAL_EXAMPLE from '../../docs/examples/slack-app-approval-buttons.json';

/** The IDs test/harness/fixtures/e2e.mjs gives the Slack-app workflows (SLACK_APP there), passed on by scripts/e2e.mjs. */
const SLACK_APP = JSON.parse(requiredEnv('E2E_SLACK_APP')) as Record<'events' | 'buttons' | 'keywordBot' | 'approval', { workflowId: string; webhookId: string }>;

/** What the approval example itself says: the trigger its report starts from, and the Action IDs its "Button Clicked" listens for. */
const APPROVAL = {
	scheduleTrigger: nodeOfType('n8n-nodes-base.scheduleTrigger').name,
	actionIds: splitList((nodeOfType('n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger').parameters as { actionIds?: string }).actionIds),
};
function nodeOfType(type: string) {
	const node = APPROVAL_EXAMPLE.nodes.find((candidate) => candidate.type === type);
	if (!node) throw new Error(`the approval example has no ${type} node`);
	return node;
}

interface Button {
	type: string;
	action_id: string;
	value: string;
	text: { text: string };
}
/** The buttons of a message's `actions` blocks, each with its block's ID, as Slack sends them back on a click. */
const buttonsOf = (blocks: unknown) =>
	(blocks as { type: string; block_id: string; elements: Button[] }[])
		.filter((block) => block.type === 'actions')
		.flatMap((block) => block.elements.filter((element) => element.type === 'button').map((button) => ({ ...button, block_id: block.block_id })));

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

	it("the approval example's scheduled half, run as the editor runs it, posts the report once with buttons its own trigger listens for; a click on each replaces it", async () => {
		const executionId = await runManuallyFrom(SLACK_APP.approval.workflowId, APPROVAL.scheduleTrigger);
		expect(await finishedExecutionStatus(executionId)).toBe('success');
		expect(slack.received.map(({ path }) => path)).toEqual([slack.webhookPath]);
		const report = slack.received[0].json as { text: string; blocks: unknown };
		const buttons = buttonsOf(report.blocks);
		expect(buttons.map(({ action_id }) => action_id).sort()).toEqual([...APPROVAL.actionIds].sort());
		// Both buttons decide on this report: its day, as its text shows it, is in their value.
		const reportDay = /\d{4}-\d{2}-\d{2}/.exec(report.text)?.[0];
		expect(reportDay).toBeDefined();
		for (const { value } of buttons) expect(value).toBe(buttons[0].value);
		expect(buttons[0].value).toContain(reportDay);

		for (const button of buttons) {
			const responseUrl = responseUrlAt(`approval-${button.action_id}`);
			const action = { action_id: button.action_id, block_id: button.block_id, type: 'button', value: button.value };
			const clickOnAnyMessage = blockActions({ response_url: responseUrl, actions: [action] });
			const click: Record<string, unknown> = { ...clickOnAnyMessage, message: { ...(clickOnAnyMessage.message as object), text: report.text, blocks: report.blocks } };
			const clicker = (click.user as { id: string }).id;
			expect(await sendClick(SLACK_APP.approval.webhookId, click)).toEqual({ status: 200, body: '' });
			const answer = await eventually(async () => slack.received.find(({ path }) => path === new URL(responseUrl).pathname));
			expect(answer.json).toEqual({ text: expect.stringContaining(`by <@${clicker}> (${button.value})`), response_type: 'in_channel', replace_original: true });
			expect(answer.json?.text).toContain(button.text.text);
		}
	});
});
