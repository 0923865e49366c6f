/**
 * A slash command whose answer takes longer than Slack's 3 seconds, in a real n8n: the trigger
 * acknowledges at once, a Wait node stands for the slow step, and the action posts the answer to
 * the command's response_url, here the fake Slack server on 127.0.0.1 (allowed in the workflow's
 * Allowed Response URL Hosts). A second workflow, without that option, must refuse the same URL.
 */
import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import { LATE_REPLY, sendSigned, slashCommandAnsweredAt, storedStringsHolding } from './late-reply';
import { eventually, executionsOf, n8nVersion, newestExecutionAfter, requiredEnv } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

let slack: SlackWebhookServer;
beforeAll(async () => {
	slack = new SlackWebhookServer();
	await slack.start(Number(requiredEnv('E2E_SLACK_PORT')));
});
afterAll(async () => slack.stop());
beforeEach(() => slack.reset());

/** The newest execution of a workflow once it has finished with `status`. */
const finished = (workflowId: string, before: number, status: string) =>
	eventually(async () => {
		const newest = await newestExecutionAfter(workflowId, before);
		return newest.status === status ? newest : undefined;
	});

describe(`n8n ${n8nVersion}: answering a slash command later through its response URL`, () => {
	it('acknowledges at once, then posts the answer to the response URL after the slow step, as set', async () => {
		const before = (await executionsOf(LATE_REPLY.allowed.workflowId)).length;
		const { body, responseUrl, responsePath } = slashCommandAnsweredAt(slack.port);
		const reply = await sendSigned(LATE_REPLY.allowed.webhookId, body);

		// The acknowledgement came back while the workflow was still in its slow step: nothing had
		// reached the response URL yet.
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toEqual({ text: LATE_REPLY.acknowledgement, response_type: 'ephemeral' });
		expect(slack.received).toEqual([]);

		const answer = await eventually(async () => slack.posted[0]);
		expect(answer.path).toBe(responsePath);
		expect(answer.json).toEqual({ text: 'Report for weekly sales, as Steve asked', response_type: 'in_channel', replace_original: true });

		const execution = await finished(LATE_REPLY.allowed.workflowId, before, 'success');
		expect(slack.received).toHaveLength(1);
		// The URL is stored once, as the trigger's output field Slack sent; nothing the action wrote repeats it.
		expect(storedStringsHolding(execution.data, E2E.responseUrlSecret)).toEqual([responseUrl]);
	});

	it("runs the late-reply example workflow: acknowledgement, a 10-second slow step, the answer in the channel", async () => {
		const { body, responsePath } = slashCommandAnsweredAt(slack.port);
		const reply = await sendSigned(LATE_REPLY.docsExample.webhookId, body);
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toEqual({ text: LATE_REPLY.acknowledgement, response_type: 'ephemeral' });
		expect(slack.received).toEqual([]);

		const answer = await eventually(async () => slack.posted[0], 45_000);
		expect(answer.path).toBe(responsePath);
		expect(answer.json).toEqual({ text: 'Report for *weekly sales*, as <@U2147483697> asked: all figures are in.', response_type: 'in_channel', replace_original: false });
	});

	it('refuses a response URL on a host not allowed, sends nothing, and names the item and field', async () => {
		const before = (await executionsOf(LATE_REPLY.refused.workflowId)).length;
		const { body, responseUrl } = slashCommandAnsweredAt(slack.port);
		const reply = await sendSigned(LATE_REPLY.refused.webhookId, body);
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toEqual({ text: LATE_REPLY.acknowledgement, response_type: 'ephemeral' });

		const failed = await finished(LATE_REPLY.refused.workflowId, before, 'error');
		const refusal = `The response URL's host is not allowed: http://127.0.0.1:${slack.port}/commands/*** (item 0, field "Response URL")`;
		expect(storedStringsHolding(failed.data, refusal)).not.toEqual([]);
		expect(storedStringsHolding(failed.data, 'Options → Allowed Response URL Hosts')).not.toEqual([]);
		expect(storedStringsHolding(failed.data, E2E.responseUrlSecret)).toEqual([responseUrl]);
		expect(slack.received).toEqual([]);
	});
});
