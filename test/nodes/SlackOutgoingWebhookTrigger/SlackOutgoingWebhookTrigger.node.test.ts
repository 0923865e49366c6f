import { HookContext } from 'n8n-core';
import { NodeHelpers, type IDataObject } from 'n8n-workflow';
import { createHmac } from 'node:crypto';

import { makeAdditionalData, makeNode, makeWorkflow, PACKAGE_NAME } from '../../helpers/n8n-harness';
import { TriggerHarness } from '../../helpers/n8n-webhook-harness';
import { serializeDeep } from '../../helpers/serialize';
import { seedOutgoingWebhookPost } from '../../helpers/slack-fixtures';
import { SlackOutgoingWebhookTrigger } from '../../../nodes/SlackOutgoingWebhookTrigger/SlackOutgoingWebhookTrigger.node';

const TOKEN = 'test-token-not-real';
const SIGNING_SECRET = 'test-signing-secret-not-real';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

const examplePost = seedOutgoingWebhookPost(TOKEN);

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
let uniqueTs = 1504640775;
/** Slack's example post with a fresh timestamp, so the duplicate filter does not interfere. */
const freshPost = (overrides: Record<string, string> = {}) => ({ ...examplePost, timestamp: `${++uniqueTs}.000005`, ...overrides });

let harness: TriggerHarness;
beforeAll(async () => {
	harness = await new TriggerHarness().start();
});
afterAll(async () => harness.stop());
beforeEach(() => {
	harness.calls.length = 0;
	harness.credentials = { slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: '', allowedTeamIds: '' } };
	harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'African or European?' };
});

const started = () => harness.calls.filter((call) => call.started !== undefined).length;
/** The item of the last call that started the workflow. */
const lastItem = () => harness.calls.filter((call) => call.started).at(-1)?.started?.[0]?.json as IDataObject;

describe.each([1, 2, 3])("Slack Outgoing Webhook Trigger (type version %i) through n8n-core's WebhookContext", (typeVersion) => {
	beforeEach(() => {
		harness.typeVersion = typeVersion;
	});

	it("answers Slack's example form post exactly with the reply JSON and starts the workflow with every field but the token", async () => {
		const answer = await harness.post(form(examplePost), FORM);
		expect(answer).toEqual({ status: 200, body: '{"text":"African or European?"}', contentType: 'application/json; charset=utf-8' });
		expect(started()).toBe(1);
		const item = lastItem();
		const { token, ...withoutToken } = examplePost;
		expect(token).toBe(TOKEN);
		expect(item).toMatchObject(withoutToken);
		expect(item).not.toHaveProperty('token');
		expect(item).toMatchObject({
			text_without_trigger: 'What is the air-speed velocity of an unladen swallow?',
			args: ['What', 'is', 'the', 'air-speed', 'velocity', 'of', 'an', 'unladen', 'swallow?'],
			source: 'slack_outgoing_webhook',
			message_time: '2017-09-05T19:46:15.000Z',
		});
		expect(serializeDeep(harness.calls)).not.toContain(TOKEN);
	});

	describe('verification, before anything starts', () => {
		it.each([
			['a wrong token', { token: 'wrong-token' }],
			['a missing token', { token: '' }],
			['a token that is a prefix of the right one', { token: TOKEN.slice(0, -1) }],
		])('answers 401 with an empty body and starts nothing for %s', async (_name, override) => {
			const answer = await harness.post(form(freshPost(override)), FORM);
			expect(answer.status).toBe(401);
			expect(answer.body).toBe('');
			expect(started()).toBe(0);
		});

		it('answers 401 for a repeated token field', async () => {
			const answer = await harness.post(`${form(freshPost())}&token=${TOKEN}`, FORM);
			expect(answer.status).toBe(401);
			expect(started()).toBe(0);
		});

		it('accepts every configured token, for rotation', async () => {
			harness.credentials.slackWebhooksOutgoingApi.additionalTokens = 'test-token-next, test-token-other';
			expect((await harness.post(form(freshPost({ token: 'test-token-other' })), FORM)).status).toBe(200);
			expect((await harness.post(form(freshPost()), FORM)).status).toBe(200);
			expect(started()).toBe(2);
		});

		it('answers 415 and starts nothing for other content types', async () => {
			for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
				const answer = await harness.post(form(freshPost()), { 'content-type': contentType });
				expect(answer.status).toBe(415);
			}
			expect(started()).toBe(0);
		});

		it('answers 403 for a team that is not allowed', async () => {
			harness.credentials.slackWebhooksOutgoingApi.allowedTeamIds = 'T0002, T0003';
			expect((await harness.post(form(freshPost()), FORM)).status).toBe(403);
			expect((await harness.post(form(freshPost({ team_id: 'T0003' })), FORM)).status).toBe(200);
			expect(started()).toBe(1);
		});

		describe('with a signing secret (slash commands of a Slack app)', () => {
			const slash = () => form({ token: TOKEN, team_id: 'T0001', channel_id: 'C1', channel_name: 'test', user_id: 'U1', user_name: 'Steve', command: '/weather', text: 'Berlin "next week"', response_url: 'https://hooks.slack.com/commands/T0001/1/x', trigger_id: `${++uniqueTs}.1.abc` });
			const sign = (body: string, timestamp: number, secret = SIGNING_SECRET) => ({
				...FORM,
				'x-slack-request-timestamp': String(timestamp),
				'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
			});
			beforeEach(() => {
				harness.credentials.slackWebhooksOutgoingApi.signingSecret = SIGNING_SECRET;
				harness.parameters = { triggerWords: '/weather', respond: 'immediately', replyText: 'Looking it up', replyOptions: { responseType: 'ephemeral' } };
			});

			it('accepts a valid signature and outputs the slash command', async () => {
				const body = slash();
				const answer = await harness.post(body, sign(body, Math.floor(Date.now() / 1000)));
				expect(answer.status).toBe(200);
				expect(JSON.parse(answer.body)).toEqual({ text: 'Looking it up', response_type: 'ephemeral' });
				expect(lastItem()).toMatchObject({ source: 'slack_slash_command', command: '/weather', text_without_trigger: 'Berlin "next week"', args: ['Berlin', 'next week'] });
				expect(lastItem()).not.toHaveProperty('token');
			});

			it.each([
				['a signature made with another secret', (body: string) => sign(body, Math.floor(Date.now() / 1000), 'another-secret')],
				['a timestamp 6 minutes old', (body: string) => sign(body, Math.floor(Date.now() / 1000) - 360)],
				['a timestamp 6 minutes ahead (well past the window even if the request arrives late)', (body: string) => sign(body, Math.floor(Date.now() / 1000) + 360)],
				['no signature headers', () => FORM],
			])('answers 401 and starts nothing for %s', async (_name, headers) => {
				const body = slash();
				const answer = await harness.post(body, headers(body));
				expect(answer).toMatchObject({ status: 401, body: '' });
				expect(started()).toBe(0);
			});

			it('answers 401 when the body was changed after signing', async () => {
				const body = slash();
				const answer = await harness.post(body.replace('Berlin', 'Paris'), sign(body, Math.floor(Date.now() / 1000)));
				expect(answer.status).toBe(401);
				expect(serializeDeep(harness.calls)).not.toContain(SIGNING_SECRET);
			});
		});
	});

	describe('Channel and/or Trigger', () => {
		it('with trigger words only, starts for a match in any channel and not otherwise', async () => {
			expect((await harness.post(form(freshPost({ channel_id: 'C9', channel_name: 'random' })), FORM)).status).toBe(200);
			const miss = await harness.post(form(freshPost({ text: 'hello there', trigger_word: '' })), FORM);
			expect(miss).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(1);
		});

		it('with channels only, starts for any message in those channels, by name or ID', async () => {
			harness.parameters = { channels: '#test, C0000000002', respond: 'noReply' };
			await harness.post(form(freshPost({ text: 'no trigger word here', trigger_word: '' })), FORM);
			await harness.post(form(freshPost({ channel_id: 'C0000000002', channel_name: 'ops' })), FORM);
			await harness.post(form(freshPost({ channel_id: 'C0000000003', channel_name: 'random' })), FORM);
			expect(started()).toBe(2);
			// The sender's own trigger_word is kept.
			expect(lastItem()).toMatchObject({ channel_id: 'C0000000002', trigger_word: 'googlebot:' });
		});

		it('with both, a message must match both', async () => {
			harness.parameters = { channels: 'test', triggerWords: 'googlebot:', respond: 'noReply' };
			await harness.post(form(freshPost()), FORM);
			await harness.post(form(freshPost({ channel_id: 'C9', channel_name: 'random' })), FORM);
			await harness.post(form(freshPost({ text: 'just chatting' })), FORM);
			expect(started()).toBe(1);
		});

		it('with neither, starts nothing; activation is refused and says why', async () => {
			harness.parameters = { channels: '', triggerWords: '', respond: 'immediately', replyText: 'x' };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(answer).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(0);

			const node = makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, typeVersion, parameters: harness.parameters });
			const context = new HookContext(makeWorkflow(node), node, makeAdditionalData(node, harness.credentials), 'trigger', 'activate');
			const trigger = new SlackOutgoingWebhookTrigger();
			await expect(trigger.webhookMethods.default.checkExists.call(context)).rejects.toThrow(/needs trigger words/);
			await expect(trigger.webhookMethods.default.create.call(context)).rejects.toThrow(/needs trigger words/);
			// Version 3 also starts for a Slack app's buttons and shortcuts: the advice names that field too.
			const refusal = (await trigger.webhookMethods.default.create.call(context).catch((error: unknown) => error)) as { description?: string };
			expect(refusal.description).toMatch(typeVersion >= 3 ? /Channels, Trigger Words or both.*or Action IDs/ : /^Fill in Channels, Trigger Words, or both, then/);
		});

		it.each([
			['startsWith', 'deploy: web', 'web'],
			['startsWith', 'please deploy: web', undefined],
			['firstWord', 'deploy: web', 'web'],
			['firstWord', 'deploy:web', undefined],
			['anywhere', 'please deploy: web', 'please web'],
			['anywhere', 'redeploy: web', undefined],
		])('match mode %s on "%s" leaves: %s', async (matchMode, text, rest) => {
			harness.parameters = { triggerWords: 'deploy:', matchMode, respond: 'noReply' };
			await harness.post(form(freshPost({ text, trigger_word: '' })), FORM);
			expect(started()).toBe(rest === undefined ? 0 : 1);
			if (rest !== undefined) expect(lastItem()).toMatchObject({ trigger_word: 'deploy:', text_without_trigger: rest });
		});

		it('is case-insensitive unless asked otherwise', async () => {
			harness.parameters = { triggerWords: 'googlebot:', respond: 'noReply' };
			await harness.post(form(freshPost({ text: 'GoogleBot: hi' })), FORM);
			harness.parameters = { triggerWords: 'googlebot:', caseSensitive: true, respond: 'noReply' };
			await harness.post(form(freshPost({ text: 'GoogleBot: hi' })), FORM);
			expect(started()).toBe(1);
		});
	});

	describe('loop protection', () => {
		it.each([
			['slackbot', { user_name: 'slackbot' }],
			['USLACKBOT', { user_id: 'USLACKBOT' }],
			['a bot_id', { bot_id: 'B0000000001' }],
		])('ignores messages from %s by default', async (_name, override) => {
			const answer = await harness.post(form(freshPost(override)), FORM);
			expect(answer).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(0);
		});

		it('ignores listed users, by name or ID, and can let bots through', async () => {
			harness.parameters = { ...harness.parameters, options: { ignoreUsers: '@steve, U0000000007', ignoreBots: false } };
			await harness.post(form(freshPost()), FORM);
			await harness.post(form(freshPost({ user_name: 'ada', user_id: 'U0000000007' })), FORM);
			await harness.post(form(freshPost({ user_name: 'slackbot', user_id: 'USLACKBOT' })), FORM);
			expect(started()).toBe(1);
		});
	});

	describe('duplicate incoming messages', () => {
		it.each(['immediately', 'noReply'])(
			'lets Slack send a message again when n8n could not start its execution (%s)',
			async (respond) => {
				harness.parameters = { ...harness.parameters, respond };
				const message = form(freshPost());
				harness.failExecutionStart = true;
				try {
					expect((await harness.post(message, FORM)).status).toBe(500);
				} finally {
					harness.failExecutionStart = false;
				}
				// Slack's retry of the same message is not taken for a duplicate.
				expect((await harness.post(message, FORM)).status).toBe(200);
				expect(started()).toBe(1);
				expect((await harness.post(message, FORM)).body).toBe('');
				expect(started()).toBe(1);
			},
		);

		describe('when n8n is slower than Slack\'s 3 s and Slack sends the message again', () => {
			/** Holds n8n's creation of the executions until the test lets it finish. */
			let finishCreating: () => void = () => undefined;
			beforeEach(() => {
				harness.parameters = { ...harness.parameters, respond: 'noReply' };
				harness.executionCreated = new Promise((resolve) => (finishCreating = resolve));
			});
			afterEach(() => {
				finishCreating();
				harness.executionCreated = undefined;
				harness.failExecutionStart = false;
			});

			/** Slack's first delivery, abandoned (the connection closed) before n8n answers. */
			const abandonedPost = async (message: string) => {
				const giveUp = new AbortController();
				const answered = fetch(harness.url, { method: 'POST', body: message, headers: FORM, signal: giveUp.signal });
				while (!harness.waitingForExecution) await new Promise((resolve) => setTimeout(resolve, 10));
				const abandonedBefore = harness.abandoned;
				giveUp.abort();
				await expect(answered).rejects.toThrow();
				while (harness.abandoned === abandonedBefore) await new Promise((resolve) => setTimeout(resolve, 10));
			};
			/**
			 * Slack's retry, sent again as Slack does while the answer is a 503 (the first copy's outcome
			 * is read at its lease's next renewal, about a second later, which a busy machine may delay).
			 * Up to 30 tries, half a second apart: 15 s for a renewal due after one, inside jest's 30 s.
			 */
			const retryAsSlackDoes = async (message: string) => {
				for (let attempt = 1; ; attempt++) {
					const answer = await harness.post(message, FORM);
					if (answer.status !== 503 || attempt === 30) return answer;
					await new Promise((resolve) => setTimeout(resolve, 500));
				}
			};
			/** n8n finishes with the first delivery, answering nobody. */
			const n8nFinishes = async () => {
				finishCreating();
				harness.executionCreated = undefined;
				while (harness.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
			};

			it('lets the retry through when n8n then failed to create the execution', async () => {
				harness.failExecutionStart = true;
				const message = form(freshPost());
				await abandonedPost(message);
				await n8nFinishes();
				harness.failExecutionStart = false;
				// No 'finish' came for the closed connection: the claim learns n8n's 500 at its next renewal.
				expect((await retryAsSlackDoes(message)).status).toBe(200);
				expect(started()).toBe(1);
			});

			it('answers the retry as a repeat when n8n then created the execution', async () => {
				const message = form(freshPost());
				await abandonedPost(message);
				await n8nFinishes();
				expect(await retryAsSlackDoes(message)).toMatchObject({ status: 200, body: '' });
				expect(started()).toBe(1);
			});

			it('answers 503 to a retry while the first is still in flight past the wait, so Slack sends it again, and starts it once', async () => {
				const message = form(freshPost());
				const first = harness.post(message, FORM);
				while (!harness.waitingForExecution) await new Promise((resolve) => setTimeout(resolve, 10));
				expect(await harness.post(message, FORM)).toMatchObject({ status: 503, body: '' });
				finishCreating();
				expect((await first).status).toBe(200);
				harness.executionCreated = undefined;
				expect(await harness.post(message, FORM)).toMatchObject({ status: 200, body: '' });
				expect(started()).toBe(1);
			});
		});

		it('takes a message as started once the workflow answered, even with an error: When Last Node Finishes', async () => {
			harness.parameters = { ...harness.parameters, respond: 'lastNode' };
			harness.workflowAnswerStatus = 500;
			const message = form(freshPost());
			try {
				expect((await harness.post(message, FORM)).status).toBe(500);
			} finally {
				harness.workflowAnswerStatus = 200;
			}
			// The execution ran (and failed): Slack's retry must not run it again.
			expect(await harness.post(message, FORM)).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(1);
		});

		it('answers a repeat of the same message 200 empty and starts nothing', async () => {
			const post = form(freshPost());
			await harness.post(post, FORM);
			const repeat = await harness.post(post, FORM);
			expect(repeat).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(1);
		});

		it('starts again for the same message when the window is 0', async () => {
			harness.parameters = { ...harness.parameters, options: { duplicateWindow: 0 } };
			const post = form(freshPost());
			await harness.post(post, FORM);
			await harness.post(post, FORM);
			expect(started()).toBe(2);
		});
	});

	describe('Mattermost', () => {
		it('accepts its JSON posts, with millisecond timestamps, and fills trigger_word', async () => {
			harness.parameters = { triggerWords: '#build', matchMode: 'firstWord', respond: 'immediately', replyText: 'On it', replyOptions: { responseType: 'comment', username: 'builder' } };
			const answer = await harness.post(
				JSON.stringify({ token: TOKEN, team_id: 'tm1', team_domain: 'acme', channel_id: 'ch1', channel_name: 'town-square', timestamp: 1445532266000, user_id: 'u1', user_name: 'ada', post_id: 'p1', text: '#build web --fast', trigger_word: '', file_ids: '' }),
				JSON_TYPE,
			);
			expect(JSON.parse(answer.body)).toEqual({ text: 'On it', username: 'builder', response_type: 'comment' });
			expect(lastItem()).toMatchObject({ source: 'mattermost', trigger_word: '#build', text_without_trigger: 'web --fast', args: ['web', '--fast'], message_time: '2015-10-22T16:44:26.000Z', post_id: 'p1', file_ids: [] });
		});

		it('starts nothing for JSON of the wrong shape (version 1: 401; version 2: it matches nothing, 200)', async () => {
			const expected = typeVersion === 1 ? 401 : 200;
			expect((await harness.post('[1,2,3]', JSON_TYPE)).status).toBe(expected);
			expect((await harness.post('"text"', JSON_TYPE)).status).toBe(expected);
			expect(started()).toBe(0);
		});
	});

	describe('replies', () => {
		it('sends an empty body, never {"text": ""}, when the reply text is empty', async () => {
			harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: '' };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(answer).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(1);
		});

		it('sends the reply options Slack reads', async () => {
			harness.parameters = {
				triggerWords: 'googlebot:',
				respond: 'immediately',
				replyText: 'African or European?',
				replyOptions: { username: 'swallow-bot', iconEmoji: ':bird:', iconUrl: 'https://example.com/b.png', attachments: '[{"text":"Details"}]', responseType: 'in_channel' },
			};
			const answer = await harness.post(form(freshPost()), FORM);
			expect(JSON.parse(answer.body)).toEqual({
				text: 'African or European?',
				username: 'swallow-bot',
				icon_emoji: ':bird:',
				icon_url: 'https://example.com/b.png',
				attachments: [{ text: 'Details' }],
				response_type: 'in_channel',
			});
		});

		it("sees the request as $json in Reply Text expressions (n8n's webhook-time data)", async () => {
			harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: '=Hi {{ $json.body.user_name }}' };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(JSON.parse(answer.body)).toEqual({ text: 'Hi Steve' });
		});

		it('answers 200 without a reply, and still starts, when the Reply Text expression fails', async () => {
			harness.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: '={{ $json.missing.deeper }}' };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(answer).toMatchObject({ status: 200, body: '' });
			expect(started()).toBe(1);
		});

		it('No Reply answers 200 with an empty body and still starts the workflow', async () => {
			harness.parameters = { triggerWords: 'googlebot:', respond: 'noReply' };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(answer).toMatchObject({ status: 200, body: '' });
			expect(harness.calls.at(-1)?.result.webhookResponse).toBe('');
			expect(started()).toBe(1);
		});

		it('leaves the answer to n8n, so that it goes out only once the execution exists', async () => {
			const answer = await harness.post(form(freshPost()), FORM);
			expect(harness.calls.at(-1)?.result).toMatchObject({ webhookResponse: { text: 'African or European?' } });
			expect(harness.calls.at(-1)?.result.noWebhookResponse).toBeUndefined();
			expect(answer.body).toBe('{"text":"African or European?"}');
		});

		it.each(['lastNode', 'responseNode'])('%s leaves the answer to n8n and starts the workflow', async (respond) => {
			harness.parameters = { triggerWords: 'googlebot:', respond };
			const answer = await harness.post(form(freshPost()), FORM);
			expect(harness.calls.at(-1)?.result.noWebhookResponse).toBeUndefined();
			expect(answer.status).toBe(200);
			expect(started()).toBe(1);
		});
	});
});

describe('which requests read the credential', () => {
	const reads = () => harness.credentialReads.length;
	beforeEach(() => {
		harness.credentialReads.length = 0;
	});

	describe('type version 2: the checks that need no secret come first', () => {
		beforeEach(() => {
			harness.typeVersion = 2;
		});

		it.each([
			['no trigger word', { text: 'just chatting', trigger_word: '' }],
			['another channel', { channel_id: 'C9', channel_name: 'random' }],
			['a bot', { bot_id: 'B0000000001' }],
		])('filters a message with %s without reading the credential, whatever its token', async (_name, override) => {
			harness.parameters = { channels: 'test', triggerWords: 'googlebot:', respond: 'immediately', replyText: 'x' };
			for (const token of [TOKEN, 'wrong-token', '']) {
				const answer = await harness.post(form(freshPost({ ...override, token })), FORM);
				expect(answer).toEqual({ status: 200, body: '', contentType: null });
			}
			expect(reads()).toBe(0);
			expect(started()).toBe(0);
		});

		it('refuses a content type before anything else', async () => {
			expect((await harness.post(form(freshPost()), { 'content-type': 'text/plain' })).status).toBe(415);
			expect(reads()).toBe(0);
		});

		it('reads the credential for a matching message, and answers 401 to a wrong token', async () => {
			expect((await harness.post(form(freshPost({ token: 'wrong-token' })), FORM)).status).toBe(401);
			expect(harness.credentialReads).toEqual(['slackWebhooksOutgoingApi']);
			expect((await harness.post(form(freshPost()), FORM)).status).toBe(200);
			expect(started()).toBe(1);
		});

		it('answers 403 to a matching message from a team not allowed, and 200 to a filtered one', async () => {
			harness.credentials.slackWebhooksOutgoingApi.allowedTeamIds = 'T0002';
			expect((await harness.post(form(freshPost()), FORM)).status).toBe(403);
			expect((await harness.post(form(freshPost({ text: 'just chatting' })), FORM)).status).toBe(200);
			expect(started()).toBe(0);
		});
	});

	it('type version 1 verifies every request and refuses a wrong token even when nothing would match', async () => {
		harness.typeVersion = 1;
		const answer = await harness.post(form(freshPost({ text: 'just chatting', token: 'wrong-token' })), FORM);
		expect(answer.status).toBe(401);
		expect(reads()).toBe(1);
		expect((await harness.post(form(freshPost({ text: 'just chatting' })), FORM)).status).toBe(200);
		expect(started()).toBe(0);
	});

	describe('type version 2 with Verify Before Filtering', () => {
		beforeEach(() => {
			harness.typeVersion = 2;
			harness.parameters = { channels: 'test', triggerWords: 'googlebot:', respond: 'immediately', replyText: 'x', options: { verifyBeforeFiltering: true } };
		});

		it.each([
			['no trigger word', { text: 'just chatting', trigger_word: '' }],
			['another channel', { channel_id: 'C9', channel_name: 'random' }],
			['a bot', { bot_id: 'B0000000001' }],
		])('answers 401 to a message with %s and a wrong or missing token, as to a matching one, having read the credential', async (_name, override) => {
			for (const token of ['wrong-token', '']) {
				expect(await harness.post(form(freshPost({ ...override, token })), FORM)).toEqual({ status: 401, body: '', contentType: null });
				expect(await harness.post(form(freshPost({ token })), FORM)).toEqual({ status: 401, body: '', contentType: null });
			}
			expect(harness.credentialReads).toEqual(['slackWebhooksOutgoingApi']);
			expect(started()).toBe(0);
		});

		it('answers a filtered message with the right token with the empty 200, and starts nothing', async () => {
			expect(await harness.post(form(freshPost({ text: 'just chatting', trigger_word: '' })), FORM)).toEqual({ status: 200, body: '', contentType: null });
			expect(reads()).toBe(1);
			expect(started()).toBe(0);
		});

		it('answers 403 to a filtered message from a team not allowed', async () => {
			harness.credentials.slackWebhooksOutgoingApi.allowedTeamIds = 'T0002';
			expect((await harness.post(form(freshPost({ text: 'just chatting', trigger_word: '' })), FORM)).status).toBe(403);
			expect(started()).toBe(0);
		});

		it('starts the workflow for a verified matching message, as without the option', async () => {
			expect(await harness.post(form(freshPost()), FORM)).toMatchObject({ status: 200, body: '{"text":"x"}' });
			expect(started()).toBe(1);
		});

		it('is offered on type version 2 only (version 1 always verifies first)', () => {
			const options = new SlackOutgoingWebhookTrigger().description.properties.find((property) => property.name === 'options')!;
			const option = (options.options as Array<{ name: string; default: unknown; displayOptions?: unknown }>).find((entry) => entry.name === 'verifyBeforeFiltering')!;
			expect(option.default).toBe(false);
			const node = (typeVersion: number) => makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, typeVersion, parameters: {} });
			const shown = (typeVersion: number) => NodeHelpers.displayParameter({}, option as never, node(typeVersion), new SlackOutgoingWebhookTrigger().description);
			expect([shown(1), shown(2)]).toEqual([false, true]);
		});
	});
});

describe('the verified credential, kept for a while', () => {
	const post = (fields: Record<string, string> = {}) => harness.post(form(freshPost(fields)), FORM);
	/** Activates the workflow as n8n does: its webhook methods run, with the credential as saved now. */
	const activate = async () => {
		const node = {
			...makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, typeVersion: 2, parameters: harness.parameters, credentials: harness.credentials }),
			credentials: { slackWebhooksOutgoingApi: { id: harness.credentialId, name: 'Test' } },
		};
		const context = new HookContext(makeWorkflow(node), node, makeAdditionalData(node, harness.credentials), 'trigger', 'activate');
		const trigger = new SlackOutgoingWebhookTrigger();
		if (!(await trigger.webhookMethods.default.checkExists.call(context))) await trigger.webhookMethods.default.create.call(context);
	};
	beforeEach(() => {
		harness.typeVersion = 2;
		harness.credentialReads.length = 0;
	});

	it('reads the credential once for many matching messages', async () => {
		for (let n = 0; n < 5; n++) expect((await post()).status).toBe(200);
		expect((await post({ token: 'wrong-token' })).status).toBe(401);
		expect(harness.credentialReads).toEqual(['slackWebhooksOutgoingApi']);
		expect(started()).toBe(5);
	});

	it('keeps using an edited credential\'s old token until the workflow is activated again, then only the new one', async () => {
		expect((await post()).status).toBe(200);
		harness.credentials.slackWebhooksOutgoingApi.token = 'test-token-rotated';
		// The documented price: within the lifetime, the token as it was read.
		expect((await post()).status).toBe(200);
		expect((await post({ token: 'test-token-rotated' })).status).toBe(401);
		await activate();
		expect((await post()).status).toBe(401);
		expect((await post({ token: 'test-token-rotated' })).status).toBe(200);
		expect(started()).toBe(3);
	});

	it('uses another saved credential at once', async () => {
		expect((await post()).status).toBe(200);
		harness.credentials = { slackWebhooksOutgoingApi: { token: 'test-token-other', additionalTokens: '', signingSecret: '', allowedTeamIds: '' } };
		expect((await post()).status).toBe(401);
		expect((await post({ token: 'test-token-other' })).status).toBe(200);
		expect(harness.credentialReads).toEqual(['slackWebhooksOutgoingApi', 'slackWebhooksOutgoingApi']);
	});

	it('keeps nothing from a read that failed', async () => {
		harness.credentials = {};
		expect((await post()).status).toBe(500);
		harness.credentials = { slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: '', allowedTeamIds: '' } };
		expect((await post()).status).toBe(200);
	});
});

describe.each([1, 2, 3])('type version %i: duplicates and verification', (typeVersion) => {
	const slash = (fields: Record<string, string> = {}) =>
		form({ team_id: 'T0001', channel_id: 'C1', channel_name: 'test', user_id: 'U1', user_name: 'Steve', command: '/weather', text: 'Berlin', trigger_id: `${++uniqueTs}.1.abc`, ...fields });
	const sign = (body: string, secret = SIGNING_SECRET, timestamp = Math.floor(Date.now() / 1000)) => ({
		...FORM,
		'x-slack-request-timestamp': String(timestamp),
		'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
	});
	beforeEach(() => {
		harness.typeVersion = typeVersion;
	});

	it('records a delivery only once it is authentic: a forged copy sent first does not silence the real one', async () => {
		const real = freshPost();
		expect((await harness.post(form({ ...real, token: 'forged-token' }), FORM)).status).toBe(401);
		expect((await harness.post(form(real), FORM)).status).toBe(200);
		expect(started()).toBe(1);
	});

	describe('a Slack app verified by its signing secret alone', () => {
		beforeEach(() => {
			harness.credentials.slackWebhooksOutgoingApi = { token: '', additionalTokens: '', signingSecret: SIGNING_SECRET, allowedTeamIds: '' };
			harness.parameters = { triggerWords: '/weather', respond: 'immediately', replyText: 'Looking it up' };
		});

		it('starts for a valid signature, with or without a token field', async () => {
			for (const body of [slash(), slash({ token: 'deprecated-verification-token' })]) {
				const answer = await harness.post(body, sign(body));
				expect(answer).toMatchObject({ status: 200, body: '{"text":"Looking it up"}' });
			}
			expect(started()).toBe(2);
			expect(lastItem()).not.toHaveProperty('token');
		});

		it.each([
			['no signature', (_body: string) => FORM],
			['a signature made with another secret', (body: string) => sign(body, 'another-secret')],
			['a timestamp 6 minutes old', (body: string) => sign(body, SIGNING_SECRET, Math.floor(Date.now() / 1000) - 360)],
		])('answers 401 and starts nothing for %s, whatever token the request carries', async (_name, headers) => {
			for (const body of [slash(), slash({ token: TOKEN })]) {
				const answer = await harness.post(body, headers(body));
				expect(answer).toMatchObject({ status: 401, body: '' });
			}
			expect(started()).toBe(0);
		});

		it('takes a pasted secret with a stray new line as the secret', async () => {
			harness.credentials.slackWebhooksOutgoingApi.signingSecret = `${SIGNING_SECRET}\n`;
			const body = slash();
			expect((await harness.post(body, sign(body))).status).toBe(200);
		});
	});

	describe('a credential with neither a token nor a signing secret', () => {
		beforeEach(() => {
			harness.credentials.slackWebhooksOutgoingApi = { token: '', additionalTokens: '', signingSecret: ' ', allowedTeamIds: '' };
		});

		it('answers 401 to a matching message and starts nothing', async () => {
			const answer = await harness.post(form(freshPost({ token: '' })), FORM);
			expect(answer).toMatchObject({ status: 401, body: '' });
			expect(started()).toBe(0);
		});

		it('is refused at activation and by the credential test, saying what to set', async () => {
			const node = makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, typeVersion, parameters: harness.parameters, credentials: harness.credentials });
			const context = new HookContext(makeWorkflow(node), node, makeAdditionalData(node, harness.credentials), 'trigger', 'activate');
			const trigger = new SlackOutgoingWebhookTrigger();
			await expect(trigger.webhookMethods.default.create.call(context)).rejects.toThrow('Set a Token or a Signing Secret in the credential');
			const test = trigger.methods.credentialTest.slackOutgoingWebhookTest;
			const data = harness.credentials.slackWebhooksOutgoingApi;
			await expect(test.call({} as never, { id: '1', name: 'c', type: 'slackWebhooksOutgoingApi', data })).resolves.toEqual({
				status: 'Error',
				message: expect.stringContaining('Set a Token or a Signing Secret'),
			});
			await expect(
				test.call({} as never, { id: '1', name: 'c', type: 'slackWebhooksOutgoingApi', data: { ...data, signingSecret: SIGNING_SECRET } }),
			).resolves.toMatchObject({ status: 'OK' });
		});
	});
});

describe("the webhook's response mode and data", () => {
	const description = new SlackOutgoingWebhookTrigger().description.webhooks![0] as unknown as Record<string | symbol, unknown>;
	const resolvers = description[Symbol.for('n8n.webhookDescriptionResolvers')] as Record<string, { template: string; resolve: (parameters: IDataObject) => unknown }>;

	it.each(['immediately', 'lastNode', 'responseNode', 'noReply'])(
		'is the same from the native resolver and from the expression n8n evaluates, for %s',
		(respond) => {
			const node = makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, parameters: { respond, triggerWords: 'x' } });
			const workflow = makeWorkflow(node);
			const evaluated = workflow.expression.getSimpleParameterValue(node, description.responseMode as string, 'manual', {});
			expect(resolvers.responseMode.template).toBe(description.responseMode);
			expect(resolvers.responseMode.resolve(workflow.getNode(node.name)!.parameters as IDataObject)).toBe(evaluated);
			expect(evaluated).toBe({ immediately: 'onReceived', noReply: 'onReceived', lastNode: 'lastNode', responseNode: 'responseNode' }[respond]);

			const evaluatedData = workflow.expression.getSimpleParameterValue(node, description.responseData as string, 'manual', {});
			expect(resolvers.responseData.template).toBe(description.responseData);
			expect(resolvers.responseData.resolve(workflow.getNode(node.name)!.parameters as IDataObject)).toBe(evaluatedData);
			expect(evaluatedData).toBe(respond === 'lastNode' ? 'firstEntryJson' : '');
		},
	);
});
