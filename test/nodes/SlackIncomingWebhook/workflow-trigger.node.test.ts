import type { ICredentialTestFunctions, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SlackIncomingWebhook } from '../../../nodes/SlackIncomingWebhook/SlackIncomingWebhook.node';
import { WORKFLOW_TRIGGER_INTERVAL_MS } from '../../../nodes/shared/slack';
import { runNode } from '../../helpers/n8n-harness';
import { serializeDeep } from '../../helpers/serialize';
import { SlackWebhookServer } from '../../helpers/slack-webhook-server';
import { LEGACY_WORKFLOW_PATH, startsOf, TRIGGER_PATH, triggerAnswer, workflowTrigger } from '../../helpers/slack-workflow-trigger-server';

let server: SlackWebhookServer;
beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => {
	server.reset();
	server.webhookPath = TRIGGER_PATH;
	server.respondWith(workflowTrigger({ required: ['signups'] }).script);
});

const SECRETS = ['test-trigger-secret-0000', 'test-workflow-secret-0000', '1234567890123'];
const credentials = () => ({ slackWebhooksIncomingUrlApi: { webhookUrl: server.url } });
const fastOptions = { timeout: 10, maxRateLimitWait: 30 };
const startWorkflow = (extra: Record<string, unknown> = {}) => ({
	send: 'workflowTrigger',
	workflowVariables: { variable: [{ name: 'signups', value: '={{ $json.count }}' }, { name: 'region', value: '={{ $json.region }}' }] },
	options: fastOptions,
	...extra,
});
const items = (...json: IDataObject[]): INodeExecutionData[] => json.map((entry) => ({ json: entry }));

function expectNoSecret(value: unknown) {
	const text = serializeDeep(value);
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('Slack Incoming Webhook node starting a Slack workflow, run by n8n-core', () => {
	it('starts the workflow once per item, in order, with the variables as text, at Slack\'s rate for triggers', async () => {
		const { output, error } = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 42, region: 'EU' }, { count: 7, region: 'US' }) });
		expect(error).toBeUndefined();
		expect(startsOf(server).map((request) => request.json)).toEqual([
			{ signups: '42', region: 'EU' },
			{ signups: '7', region: 'US' },
		]);
		expect(output).toEqual([0, 1].map((n) => ({ json: expect.objectContaining({ ok: true, status: 200, response: '{"ok":true}', attempts: 1 }), pairedItem: { item: n } })));
		// The second start waits for the trigger's pace; without the gate's start pace it would follow at once.
		expect(startsOf(server)[1].at - startsOf(server)[0].at).toBeGreaterThanOrEqual(WORKFLOW_TRIGGER_INTERVAL_MS - 100);
	}, 30_000);

	it('sends every top-level field of the item with All Fields of the Item, to an older /workflows/ URL too', async () => {
		server.webhookPath = LEGACY_WORKFLOW_PATH;
		const { error } = await runNode({
			parameters: { send: 'workflowTrigger', workflowVariablesFrom: 'itemFields', options: fastOptions },
			credentials: credentials(),
			items: items({ signups: 3, ok: true, note: 'fine' }),
		});
		expect(error).toBeUndefined();
		expect(startsOf(server).map((request) => request.json)).toEqual([{ signups: '3', ok: 'true', note: 'fine' }]);
	});

	it('refuses a nested value before anything is sent, naming the item and the variable', async () => {
		const { error } = await runNode({
			parameters: { send: 'workflowTrigger', workflowVariablesFrom: 'itemFields', options: fastOptions },
			credentials: credentials(),
			items: items({ signups: 1 }, { signups: 2, detail: { by: 'region' } }),
		});
		expect(error?.message).toBe('The item field "detail" is an object; Slack workflow variables are text only (item 1, field "detail")');
		expect(server.received).toHaveLength(0);
	});

	it('gives each item its own error under Continue On Fail, and starts the others', async () => {
		const { output } = await runNode({
			parameters: startWorkflow(),
			credentials: credentials(),
			items: items({ count: [1, 2], region: 'EU' }, { count: 2, region: 'US' }),
			continueOnFail: true,
		});
		expect(output).toEqual([
			{ json: expect.objectContaining({ ok: false, error: 'The variable "signups" is a list; Slack workflow variables are text only (item 0, field "Variables")' }), pairedItem: { item: 0 } },
			{ json: expect.objectContaining({ ok: true }), pairedItem: { item: 1 } },
		]);
		expect(startsOf(server).map((request) => request.json)).toEqual([{ signups: '2', region: 'US' }]);
	});

	it.each([
		['a missing variable', 400, 'parameter_validation_failed', "Slack refused the workflow's variables (Slack: parameter_validation_failed)"],
		['an unknown trigger', 401, 'invalid_auth', 'Slack does not know this workflow trigger URL (Slack: invalid_auth)'],
		['a deleted workflow', 404, 'trigger_not_found', 'The Slack workflow was not started: Slack answered 404 (trigger_not_found) (http://127.0.0.1'],
		['a plan without webhook workflows', 403, 'not_allowed', 'The Slack workflow was not started: Slack answered 403 (not_allowed)'],
	])('turns %s into a plain error that says what to do, and does not retry it', async (_case, status, slackError, message) => {
		server.respondWith(() => triggerAnswer.refused(status, slackError));
		const { error } = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 1, region: 'EU' }) });
		expect(error?.message).toContain(message);
		expect(error?.description).toBeTruthy();
		expect(server.received).toHaveLength(1);
		expectNoSecret(error);
	});

	it('takes {"ok":false} with a 200 as a refusal, not a start', async () => {
		server.respondWith(() => ({ reply: 200, body: '{"ok":false,"error":"parameter_validation_failed"}' }));
		const { output } = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 1, region: 'EU' }), continueOnFail: true });
		expect(output?.[0].json).toMatchObject({ ok: false, slackError: 'parameter_validation_failed', mayHaveBeenPosted: false });
	});

	it('waits out a 429 for its Retry-After and then starts the workflow once', async () => {
		let answered = 0;
		server.respondWith((request) => (answered++ === 0 ? triggerAnswer.rateLimited('1') : workflowTrigger().script(request)));
		const { output, error } = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 5, region: 'EU' }) });
		expect(error).toBeUndefined();
		expect(startsOf(server)).toHaveLength(1);
		expect(output?.[0].json).toMatchObject({ ok: true, attempts: 2 });
		expect(output?.[0].json.waitedMs).toBeGreaterThanOrEqual(1000);
	}, 30_000);

	it('reports "may have started" and never sends again when the connection drops after the variables were sent', async () => {
		server.respondWith(() => ({ resetAfterBody: true, posted: true }));
		const { output } = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 1, region: 'EU' }), continueOnFail: true });
		expect(server.received).toHaveLength(1);
		expect(output?.[0].json).toMatchObject({ ok: false, code: 'MAY_HAVE_BEEN_POSTED', mayHaveBeenPosted: true, attempts: 1 });
		expect(String(output?.[0].json.error)).toMatch(/^The Slack workflow may have started: the connection failed after the variables were sent/);
		expect(String(output?.[0].json.description)).toContain("check the workflow's activity in Slack");
		expectNoSecret(output);
	});

	it('refuses an incoming webhook URL in this mode, and the parameters that only a message has', async () => {
		server.webhookPath = '/services/TTEST0000/BTEST0000/test-secret-path-0000';
		const wrongUrl = await runNode({ parameters: startWorkflow(), credentials: credentials(), items: items({ count: 1, region: 'EU' }) });
		expect(wrongUrl.error?.message).toBe("The credential's URL (http://127.0.0.1:" + server.port + '/services/***) is not a Slack workflow trigger URL (item 0, field "Webhook URL")');
		server.webhookPath = TRIGGER_PATH;
		const thread = await runNode({ parameters: startWorkflow({ thread: { threadTs: '1504640714.003543' } }), credentials: credentials(), items: items({ count: 1, region: 'EU' }) });
		expect(thread.error?.message).toContain('Reply in Thread applies to messages');
		expect(server.received).toHaveLength(0);
	});

	it('keeps a saved workflow\'s behaviour: One Message per Item to a trigger URL still posts the message body', async () => {
		server.respondWith(() => triggerAnswer.ok());
		const { error } = await runNode({ parameters: { text: 'hello', options: fastOptions }, credentials: credentials(), items: items({}) });
		expect(error).toBeUndefined();
		expect(startsOf(server).map((request) => request.json)).toEqual([{ text: 'hello' }]);
	});

	it('tests a trigger URL in the credential without starting the workflow, and says so', async () => {
		const node = new SlackIncomingWebhook();
		const result = await node.methods.credentialTest.slackIncomingWebhookTest.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'Trigger',
			type: 'slackWebhooksIncomingUrlApi',
			data: { webhookUrl: server.url },
		});
		expect(result.status).toBe('OK');
		expect(result.message).toContain('does not start the workflow');
		expect(server.received.map((request) => request.method)).toEqual(['HEAD']);
		expect(startsOf(server)).toHaveLength(0);
	});
});
