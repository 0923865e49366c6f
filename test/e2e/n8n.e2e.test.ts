/**
 * Runs against a real n8n started by scripts/e2e.mjs, with this package installed from its
 * `npm pack` output as a community package, and the workflows of test/harness/fixtures/e2e.mjs imported with
 * n8n's CLI and activated. Everything is driven over HTTP on 127.0.0.1.
 */
import { createHmac } from 'node:crypto';

import { seedOutgoingWebhookPost } from '../helpers/slack-fixtures';
import { answer } from '../helpers/slack-webhook-server';
import { eventually, executionData, executionsOf, n8nVersion, post, requiredEnv, rest, useSuiteSlack } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

const version = n8nVersion;
/** The trigger's type versions under test, and each one's workflow and webhook IDs (test/harness/fixtures/e2e.mjs). */
const TRIGGER_FIXTURES = JSON.parse(requiredEnv('E2E_TRIGGER_FIXTURES')) as Record<string, Record<string, { workflowId: string; webhookId: string }>>;
const TRIGGER_TYPE_VERSIONS = Object.keys(TRIGGER_FIXTURES).map(Number).sort((a, b) => b - a);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const slack = useSuiteSlack();

const examplePost = seedOutgoingWebhookPost(E2E.token);
let uniqueTs = Math.floor(Date.now() / 1000);
const fresh = (overrides: Record<string, string> = {}) => ({ ...examplePost, timestamp: `${++uniqueTs}.000001`, ...overrides });

const postForm = (webhookId: string, fields: Record<string, string>) => post(`/webhook/${webhookId}/slack`, new URLSearchParams(fields).toString(), FORM);

/** n8n saves an execution after it finishes; give it time, then check the count did not move. */
async function expectNoNewExecution(workflowId: string, before: number) {
	await new Promise((resolve) => setTimeout(resolve, 1_500));
	expect((await executionsOf(workflowId)).length).toBe(before);
}

describe(`n8n ${version} with the package installed as a community package`, () => {
	it('lists both nodes and the three credentials', async () => {
		const nodes = await rest<Array<{ name: string }>>('/types/nodes.json');
		const credentials = await rest<Array<{ name: string }>>('/types/credentials.json');
		const names = nodes.map((node) => node.name);
		expect(names).toEqual(expect.arrayContaining(['n8n-nodes-slack-webhooks.slackIncomingWebhook', 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger']));
		expect(credentials.map((credential) => credential.name)).toEqual(expect.arrayContaining(['slackWebhooksIncomingUrlApi', 'slackWebhooksIncomingOAuth2Api', 'slackWebhooksOutgoingApi']));
	});

	describe.each(TRIGGER_TYPE_VERSIONS)('Slack Outgoing Webhook Trigger, type version %s', (typeVersion) => {
		const fixture = TRIGGER_FIXTURES[typeVersion];
		const immediate = fixture.immediate;

		it("answers Slack's example form post with the reply and records an execution", async () => {
			const before = (await executionsOf(immediate.workflowId)).length;
			const reply = await postForm(immediate.webhookId, fresh());
			expect(reply).toEqual({ status: 200, body: '{"text":"African or European?"}' });
			await eventually(async () => ((await executionsOf(immediate.workflowId)).length === before + 1 ? true : undefined));
		});

		it('answers a wrong token with 401 and records no execution', async () => {
			const before = (await executionsOf(immediate.workflowId)).length;
			const reply = await postForm(immediate.webhookId, fresh({ token: 'wrong-token' }));
			expect(reply).toEqual({ status: 401, body: '' });
			await expectNoNewExecution(immediate.workflowId, before);
		});

		it('answers a message that does not match with 200 and an empty body, and records no execution', async () => {
			const before = (await executionsOf(immediate.workflowId)).length;
			const reply = await postForm(immediate.webhookId, fresh({ text: 'just chatting', trigger_word: '' }));
			expect(reply).toEqual({ status: 200, body: '' });
			await expectNoNewExecution(immediate.workflowId, before);
		});

		it(
			typeVersion === 1
				? 'refuses a wrong token with 401 even on a message that would not match (version 1 verifies first)'
				: 'answers a message that would not match with the same empty 200 whatever its token (version 2 filters first)',
			async () => {
				const reply = await postForm(immediate.webhookId, fresh({ text: 'just chatting', trigger_word: '', token: 'wrong-token' }));
				expect(reply).toEqual({ status: typeVersion === 1 ? 401 : 200, body: '' });
			},
		);

		it('answers 415 to a content type Slack does not send, and records no execution', async () => {
			const before = (await executionsOf(immediate.workflowId)).length;
			const reply = await post(`/webhook/${immediate.webhookId}/slack`, new URLSearchParams(fresh()).toString(), { 'content-type': 'text/plain' });
			expect(reply.status).toBe(415);
			await expectNoNewExecution(immediate.workflowId, before);
		});

		it("replies with the last node's first item, shaped: nothing but Slack's reply fields", async () => {
			const reply = await postForm(fixture.lastNode.webhookId, fresh({ text: 'deploy web now', trigger_word: '' }));
			expect(reply.status).toBe(200);
			expect(JSON.parse(reply.body)).toEqual({ text: 'Deploying web', username: 'deploy-bot' });
		});

		it('replies with what a Respond to Webhook node sends', async () => {
			const reply = await postForm(fixture.respondNode.webhookId, fresh({ text: 'status please', trigger_word: '' }));
			expect(reply.status).toBe(200);
			expect(JSON.parse(reply.body)).toEqual({ text: 'All systems go for Steve' });
		});

		it("accepts Mattermost's JSON post", async () => {
			const reply = await post(
				`/webhook/${fixture.mattermost.webhookId}/slack`,
				JSON.stringify({ token: E2E.token, team_id: 'tm1', team_domain: 'acme', channel_id: 'ch1', channel_name: 'town-square', timestamp: Date.now(), user_id: 'u1', user_name: 'ada', post_id: `p${++uniqueTs}`, text: 'hello', trigger_word: '', file_ids: '' }),
				{ 'content-type': 'application/json' },
			);
			expect(reply.status).toBe(200);
			// Reply Text expressions run when the request arrives: n8n 2.x gives them the request as
			// $json (body, headers, query); in n8n 1.x they fail, and the node sends no reply rather than a 500.
			if (Number(version.split('.')[0]) >= 2) expect(JSON.parse(reply.body)).toEqual({ text: 'Heard ada', response_type: 'comment' });
			else expect(reply.body).toBe('');
		});

		describe('slash commands signed by a Slack app', () => {
			const slash = (fields: Record<string, string> = { token: E2E.token }) =>
				new URLSearchParams({ team_id: 'T0001', team_domain: 'example', channel_id: 'C1', channel_name: 'test', user_id: 'U1', user_name: 'Steve', command: '/weather', text: 'Berlin', response_url: 'https://hooks.slack.com/commands/T0001/1/x', trigger_id: `${++uniqueTs}.1.e2e`, ...fields }).toString();
			const signed = (body: string, secret = E2E.signingSecret) => {
				const timestamp = String(Math.floor(Date.now() / 1000));
				return { ...FORM, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}` };
			};

			it('with a valid signature gets the reply and records an execution', async () => {
				const before = (await executionsOf(fixture.signed.workflowId)).length;
				const body = slash();
				const reply = await post(`/webhook/${fixture.signed.webhookId}/slack`, body, signed(body));
				expect(reply.status).toBe(200);
				expect(JSON.parse(reply.body)).toEqual({ text: 'Checking the sky', response_type: 'ephemeral' });
				await eventually(async () => ((await executionsOf(fixture.signed.workflowId)).length === before + 1 ? true : undefined));
			});

			it('with a bad signature gets 401 and records no execution', async () => {
				const before = (await executionsOf(fixture.signed.workflowId)).length;
				const body = slash();
				const reply = await post(`/webhook/${fixture.signed.webhookId}/slack`, body, signed(body, 'another-secret'));
				expect(reply).toEqual({ status: 401, body: '' });
				await expectNoNewExecution(fixture.signed.workflowId, before);
			});

			describe('with a credential that holds only the signing secret', () => {
				const only = fixture.signingSecretOnly;

				it('starts for a valid signature, with no token in the request', async () => {
					const before = (await executionsOf(only.workflowId)).length;
					const body = slash({});
					const reply = await post(`/webhook/${only.webhookId}/slack`, body, signed(body));
					expect(reply).toEqual({ status: 200, body: '{"text":"Signed, so sealed"}' });
					await eventually(async () => ((await executionsOf(only.workflowId)).length === before + 1 ? true : undefined));
				});

				it('answers 401 without a valid signature, whatever token the request carries, and records no execution', async () => {
					const before = (await executionsOf(only.workflowId)).length;
					const withToken = slash({ token: E2E.token });
					expect(await post(`/webhook/${only.webhookId}/slack`, withToken, FORM)).toEqual({ status: 401, body: '' });
					expect(await post(`/webhook/${only.webhookId}/slack`, withToken, signed(withToken, 'another-secret'))).toEqual({ status: 401, body: '' });
					await expectNoNewExecution(only.workflowId, before);
				});
			});
		});
	});

	describe('Slack Incoming Webhook', () => {
		const send = (messages: object[]) => post('/webhook/e2e-action', JSON.stringify({ messages }), { 'content-type': 'application/json' });

		it('posts text, blocks, attachments, a thread reply and the overrides as Slack expects, in order', async () => {
			const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Nightly report*' } }];
			const reply = await send([
				{ text: 'plain text' },
				{ text: 'with blocks', blocks },
				{ attachments: [{ color: '#36a64f', text: 'Attachment here' }] },
				{ text: 'in a thread', thread_ts: '1504640714.003540' },
				{ text: 'legacy overrides', channel: 'C8UJ12P4P', username: 'ghost-bot', icon_emoji: ':ghost:' },
			]);
			expect(reply.status).toBe(200);
			expect(JSON.parse(reply.body)).toEqual(Array(5).fill({ ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0, parts: 1 }));
			expect(slack.posted.map((request) => request.json)).toEqual([
				{ text: 'plain text' },
				{ text: 'with blocks', blocks },
				{ attachments: [{ color: '#36a64f', text: 'Attachment here' }] },
				{ text: 'in a thread', thread_ts: '1504640714.003540' },
				{ text: 'legacy overrides', channel: 'C8UJ12P4P', username: 'ghost-bot', icon_emoji: ':ghost:' },
			]);
			expect(slack.posted[3].rawBody).toContain('"thread_ts":"1504640714.003540"');
		});

		it('waits out 429s and delivers every message once, in order', async () => {
			slack.respondWith(({ index }) => (index < 2 ? answer.rateLimited('1') : answer.ok()));
			const reply = await send([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
			expect(reply.status).toBe(200);
			expect(slack.posted.map((request) => request.json?.text)).toEqual(['one', 'two', 'three']);
			expect(JSON.parse(reply.body)[0]).toMatchObject({ ok: true, attempts: 3 });
		});

		it('shows a Slack error in the execution as the node promises, with the URL redacted', async () => {
			slack.respondWith(() => answer.slackError(410, 'channel_is_archived'));
			const reply = await send([{ text: 'to an archived channel' }]);
			expect(reply.status).toBe(500);
			const [latest] = await eventually(async () => {
				const executions = await executionsOf('e2eAction000001');
				return executions.some((execution) => execution.status === 'error') ? executions.filter((execution) => execution.status === 'error') : undefined;
			});
			const data = await executionData(latest.id);
			expect(data).toContain('The channel this webhook posts to is archived (Slack: channel_is_archived) (item 0)');
			expect(data).toContain('Unarchive the channel');
			expect(data).toContain(`/services/***`);
			expect(data).not.toContain('e2e-secret-path');
		});
	});

	it('round trip: the trigger starts a workflow whose action replies in the thread', async () => {
		const reply = await postForm('e2e-round-trip', fresh({ text: 'echo hello from the thread', trigger_word: '' }));
		expect(reply).toEqual({ status: 200, body: '' });
		const message = await eventually(async () => slack.posted[0]);
		expect(message.json).toEqual({ text: 'hello from the thread', thread_ts: '1504640714.003543' });
	});
});
