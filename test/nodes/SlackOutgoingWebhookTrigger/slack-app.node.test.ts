import Redis from 'ioredis';
import { HookContext } from 'n8n-core';
import type { IDataObject } from 'n8n-workflow';

import { makeAdditionalData, makeNode, makeWorkflow, PACKAGE_NAME } from '../../helpers/n8n-harness';
import { TriggerHarness, triggerNodeId } from '../../helpers/n8n-webhook-harness';
import { RedisServer, redisServerAvailable } from '../../helpers/redis-server';
import { serializeDeep } from '../../helpers/serialize';
import {
	APP_VERIFICATION_TOKEN,
	appMentionEvent,
	blockActions,
	eventCallback,
	globalShortcut,
	interactivityForm,
	FORM_TYPE,
	JSON_TYPE,
	messageEvent,
	messageShortcut,
	signedInteraction,
	signedJson,
	urlVerification,
} from '../../helpers/slack-app-fixtures';
import { SlackOutgoingWebhookTrigger } from '../../../nodes/SlackOutgoingWebhookTrigger/SlackOutgoingWebhookTrigger.node';
import { LocalIncomingMessageClaims, RecentIncomingMessages, RedisIncomingMessageClaims } from '../../../nodes/shared/state/incoming-message-claims';
import { incomingEventKey } from '../../../nodes/shared/slack-app/events';
import { closeRedisClients } from '../../../nodes/shared/state/redis';

const SIGNING_SECRET = 'test-signing-secret-not-real';
const OUTGOING_TOKEN = 'test-token-not-real';

let harness: TriggerHarness;
beforeAll(async () => {
	harness = await new TriggerHarness().start();
});
afterAll(async () => harness.stop());
beforeEach(() => {
	harness.calls.length = 0;
	harness.credentialReads.length = 0;
	harness.failExecutionStart = false;
	harness.typeVersion = 3;
	harness.credentials = { slackWebhooksOutgoingApi: { token: OUTGOING_TOKEN, additionalTokens: '', signingSecret: SIGNING_SECRET, allowedTeamIds: '' } };
	harness.parameters = { channels: 'C2147483705', triggerWords: 'deploy', respond: 'immediately', replyText: 'On it', actionIds: 'approve, reject, file_ticket, new_ticket' };
});

const started = () => harness.calls.filter((call) => call.started !== undefined).length;
const lastItem = () => harness.calls.filter((call) => call.started).at(-1)?.started?.[0]?.json as IDataObject;
const postEvent = async (body: Record<string, unknown>, extraHeaders: Record<string, string> = {}) => {
	const signed = signedJson(body, SIGNING_SECRET);
	return harness.post(signed.body, { ...signed.headers, ...extraHeaders });
};
const postInteraction = async (payload: Record<string, unknown>) => {
	const signed = signedInteraction(payload, SIGNING_SECRET);
	return harness.post(signed.body, signed.headers);
};

describe('type version 3: the Request URL check (url_verification)', () => {
	it('answers a signed check with its challenge as plain text, starts nothing, and is not filtered', async () => {
		harness.parameters = { channels: 'C9', triggerWords: 'never-typed', respond: 'immediately', replyText: 'On it' };
		const answer = await postEvent(urlVerification('challenge-value-123'));
		expect(answer).toEqual({ status: 200, body: 'challenge-value-123', contentType: 'text/plain; charset=utf-8' });
		expect(started()).toBe(0);
	});

	it('answers 401 to an unsigned, a badly signed and a stale check, with no challenge in the body', async () => {
		const body = JSON.stringify(urlVerification('challenge-value-123'));
		expect(await harness.post(body, JSON_TYPE)).toMatchObject({ status: 401, body: '' });
		const wrong = signedJson(urlVerification('challenge-value-123'), 'another-secret');
		expect(await harness.post(wrong.body, wrong.headers)).toMatchObject({ status: 401, body: '' });
		const stale = signedJson(urlVerification('challenge-value-123'), SIGNING_SECRET, Math.floor(Date.now() / 1000) - 6 * 60);
		expect(await harness.post(stale.body, stale.headers)).toMatchObject({ status: 401, body: '' });
		expect(started()).toBe(0);
	});

	it('answers the check with a team allow-list set too: the check names no team', async () => {
		harness.credentials = { slackWebhooksOutgoingApi: { ...harness.credentials.slackWebhooksOutgoingApi, allowedTeamIds: 'T0002' } };
		expect(await postEvent(urlVerification('challenge-value-456'))).toMatchObject({ status: 200, body: 'challenge-value-456' });
	});

	it('answers 401 when the credential has no signing secret, even with the right outgoing webhook token in the body', async () => {
		harness.credentials = { slackWebhooksOutgoingApi: { ...harness.credentials.slackWebhooksOutgoingApi, signingSecret: '' } };
		const answer = await postEvent({ ...urlVerification(), token: OUTGOING_TOKEN });
		expect(answer).toMatchObject({ status: 401, body: '' });
	});

	it('type version 2 keeps its old answer: an empty 200 (the check fails in Slack), starting nothing', async () => {
		harness.typeVersion = 2;
		expect(await postEvent(urlVerification())).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(0);
	});
});

describe('type version 3: Events API messages', () => {
	it('starts for a matching message with an empty 200, and outputs what a builder needs plus the event', async () => {
		const event = messageEvent({ text: 'deploy "web app" now', thread_ts: '1700000000.000001' });
		const envelope = eventCallback(event, { event_id: 'Ev0MATCH01', event_time: 1_700_000_123 });
		const answer = await postEvent(envelope);
		expect(answer).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(1);
		expect(lastItem()).toMatchObject({
			source: 'slack_events_api',
			event_type: 'message',
			team_id: 'T0001',
			api_app_id: 'A0F7XDUAZ',
			event_id: 'Ev0MATCH01',
			event_time: '2023-11-14T22:15:23.000Z',
			channel: 'C2147483705',
			channel_type: 'channel',
			user: 'U2147483697',
			text: 'deploy "web app" now',
			ts: event.ts,
			thread_ts: '1700000000.000001',
			trigger_word: 'deploy',
			text_without_trigger: '"web app" now',
			args: ['web app', 'now'],
			retry_num: 0,
			event,
		});
		expect(serializeDeep(harness.calls)).not.toContain(APP_VERIFICATION_TOKEN);
	});

	it.each([
		['another channel', messageEvent({ channel: 'C9' })],
		['no trigger word', messageEvent({ text: 'just chatting' })],
		['a channel given by name only (events carry IDs)', messageEvent({ channel: 'C9', channel_name: 'test' })],
		['an edit', messageEvent({ subtype: 'message_changed', text: undefined, message: { text: 'deploy web' } })],
		['a deletion', messageEvent({ subtype: 'message_deleted', text: undefined })],
		['a join', messageEvent({ subtype: 'channel_join', text: 'deploy <@U1> has joined' })],
		['a bot message', messageEvent({ subtype: 'bot_message', bot_id: 'B1', user: undefined })],
		['a message with a bot_id', messageEvent({ bot_id: 'B1' })],
		['an ignored user', messageEvent({ user: 'U0IGNORED' })],
		['an event type this trigger does not take', { type: 'reaction_added', user: 'U2147483697', reaction: 'thumbsup' }],
	])('answers 200 and starts nothing, without reading the credential, for %s', async (_name, event) => {
		harness.parameters.options = { ignoreUsers: 'U0IGNORED' };
		expect(await postEvent(eventCallback(event))).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(0);
		expect(harness.credentialReads).toEqual([]);
	});

	it('takes messages from private channels, DMs and group DMs, by ID', async () => {
		harness.parameters.channels = 'G024BE91L, D024BE91L, G0MPIM';
		for (const [channel, channelType] of [['G024BE91L', 'group'], ['D024BE91L', 'im'], ['G0MPIM', 'mpim']]) {
			await postEvent(eventCallback(messageEvent({ channel, channel_type: channelType })));
			expect(lastItem()).toMatchObject({ channel, channel_type: channelType });
		}
		expect(started()).toBe(3);
	});

	it('lets bot messages through when Ignore Bot Messages is off, but never edits or deletions', async () => {
		harness.parameters.options = { ignoreBots: false };
		await postEvent(eventCallback(messageEvent({ subtype: 'bot_message', bot_id: 'B1' })));
		await postEvent(eventCallback(messageEvent({ subtype: 'message_changed' })));
		expect(started()).toBe(1);
	});

	it('takes a thread broadcast and a file share: a person writing', async () => {
		await postEvent(eventCallback(messageEvent({ subtype: 'thread_broadcast' })));
		await postEvent(eventCallback(messageEvent({ subtype: 'file_share' })));
		expect(started()).toBe(2);
	});

	it('applies Match Mode and Case Sensitive as for outgoing webhooks', async () => {
		harness.parameters = { ...harness.parameters, matchMode: 'anywhere', caseSensitive: true };
		await postEvent(eventCallback(messageEvent({ text: 'please deploy web' })));
		await postEvent(eventCallback(messageEvent({ text: 'please Deploy web' })));
		expect(started()).toBe(1);
		expect(lastItem()).toMatchObject({ trigger_word: 'deploy', text_without_trigger: 'please web' });
	});

	it('answers 401 to an unsigned, a tampered and a stale matching event, and starts nothing', async () => {
		const envelope = eventCallback(messageEvent());
		expect((await harness.post(JSON.stringify(envelope), JSON_TYPE)).status).toBe(401);
		const signed = signedJson(envelope, SIGNING_SECRET);
		expect((await harness.post(signed.body.replace('deploy web now', 'deploy prod now'), signed.headers)).status).toBe(401);
		const stale = signedJson(eventCallback(messageEvent()), SIGNING_SECRET, Math.floor(Date.now() / 1000) - 6 * 60);
		expect((await harness.post(stale.body, stale.headers)).status).toBe(401);
		expect(started()).toBe(0);
	});

	it('refuses matching events when the credential has no signing secret, whatever token the event carries', async () => {
		harness.credentials = { slackWebhooksOutgoingApi: { ...harness.credentials.slackWebhooksOutgoingApi, signingSecret: '' } };
		expect((await postEvent(eventCallback(messageEvent(), { token: OUTGOING_TOKEN }))).status).toBe(401);
		expect(started()).toBe(0);
	});

	it('applies the team allow-list to the envelope team_id', async () => {
		harness.credentials = { slackWebhooksOutgoingApi: { ...harness.credentials.slackWebhooksOutgoingApi, allowedTeamIds: 'T0002' } };
		expect((await postEvent(eventCallback(messageEvent()))).status).toBe(403);
		expect((await postEvent(eventCallback(messageEvent(), { team_id: 'T0002' }))).status).toBe(200);
		expect(started()).toBe(1);
	});

	it('answers an empty 200 at once, and still starts, when Respond waits for the last node', async () => {
		harness.parameters.respond = 'lastNode';
		const answer = await postEvent(eventCallback(messageEvent()));
		expect(answer).toMatchObject({ status: 200, body: '' });
		expect(answer.contentType).toBeNull();
		expect(started()).toBe(1);
		expect(harness.calls.at(-1)?.result.noWebhookResponse).toBe(true);
	});
});

describe('type version 3: app mentions', () => {
	it('sets the leading mention aside before matching trigger words, and keeps it in the output', async () => {
		await postEvent(eventCallback(appMentionEvent({ text: '<@U0LAN0Z89> deploy web' })));
		expect(started()).toBe(1);
		expect(lastItem()).toMatchObject({ event_type: 'app_mention', mention: '<@U0LAN0Z89>', trigger_word: 'deploy', text_without_trigger: 'web', text: '<@U0LAN0Z89> deploy web' });
	});

	it('takes messages, mentions or both, as chosen', async () => {
		harness.parameters.eventKinds = 'messages';
		await postEvent(eventCallback(appMentionEvent()));
		expect(started()).toBe(0);
		await postEvent(eventCallback(messageEvent()));
		expect(started()).toBe(1);
		harness.parameters.eventKinds = 'mentions';
		await postEvent(eventCallback(messageEvent()));
		expect(started()).toBe(1);
		await postEvent(eventCallback(appMentionEvent()));
		expect(started()).toBe(2);
	});
});

describe("type version 3: Slack's retries of an event", () => {
	it('starts once for an event and its retries (same event_id)', async () => {
		const envelope = eventCallback(messageEvent());
		expect((await postEvent(envelope)).status).toBe(200);
		expect((await postEvent(envelope, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
		expect((await postEvent(envelope, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
		expect(started()).toBe(1);
	});

	it('starts for the retry of an event n8n failed to start, and says it is a retry', async () => {
		const envelope = eventCallback(messageEvent());
		harness.failExecutionStart = true;
		expect((await postEvent(envelope)).status).toBe(500);
		harness.failExecutionStart = false;
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect((await postEvent(envelope, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' })).status).toBe(200);
		expect(started()).toBe(1);
		expect(lastItem()).toMatchObject({ retry_num: 1, retry_reason: 'http_error' });
	});

	it('a forged copy sent first does not silence the real event', async () => {
		const envelope = eventCallback(messageEvent());
		const forged = signedJson(envelope, 'not-the-secret');
		expect((await harness.post(forged.body, forged.headers)).status).toBe(401);
		expect((await postEvent(envelope)).status).toBe(200);
		expect(started()).toBe(1);
	});
});

describe('type version 3: interactivity', () => {
	it('starts for a listed button with an empty 200, and outputs the click plus the payload without its token', async () => {
		const payload = blockActions();
		const answer = await postInteraction(payload);
		expect(answer).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(1);
		const { token: _token, ...withoutToken } = payload;
		expect(lastItem()).toMatchObject({
			source: 'slack_interactivity',
			type: 'block_actions',
			action_id: 'approve',
			value: 'report-42',
			actions: [{ action_id: 'approve', block_id: 'decide', type: 'button', value: 'report-42' }],
			team_id: 'T0001',
			user: 'U2147483697',
			user_name: 'steve',
			channel: 'C2147483705',
			channel_name: 'test',
			ts: (payload.container as IDataObject).message_ts,
			response_url: payload.response_url,
			trigger_id: payload.trigger_id,
			payload: withoutToken,
		});
		expect(serializeDeep(harness.calls)).not.toContain(APP_VERIFICATION_TOKEN);
	});

	it("reads a menu's chosen option as the value", async () => {
		await postInteraction(blockActions({ actions: [{ action_id: 'reject', type: 'static_select', selected_option: { value: 'too-late' } }] }));
		expect(lastItem()).toMatchObject({ action_id: 'reject', value: 'too-late' });
	});

	it('starts for message and global shortcuts by callback_id', async () => {
		await postInteraction(messageShortcut());
		expect(lastItem()).toMatchObject({ type: 'message_action', callback_id: 'file_ticket', channel: 'C2147483705', response_url: expect.stringContaining('hooks.slack.com/app/') });
		await postInteraction(globalShortcut());
		expect(lastItem()).toMatchObject({ type: 'shortcut', callback_id: 'new_ticket', channel: null, response_url: null });
		expect(started()).toBe(2);
	});

	it.each([
		['an action_id not listed', blockActions({ actions: [{ action_id: 'other', type: 'button', value: 'x' }] })],
		['a click in another channel', blockActions({ channel: { id: 'C9', name: 'random' }, container: { type: 'message', channel_id: 'C9' } })],
		['a shortcut whose callback_id is not listed', messageShortcut({ callback_id: 'other' })],
		['a modal submission', { type: 'view_submission', team: { id: 'T0001' }, view: { callback_id: 'approve' } }],
	])('answers 200 and starts nothing, without reading the credential, for %s', async (_name, payload) => {
		expect(await postInteraction(payload)).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(0);
		expect(harness.credentialReads).toEqual([]);
	});

	it('starts no click at all when no action or callback ID is listed', async () => {
		harness.parameters.actionIds = '';
		expect((await postInteraction(blockActions())).status).toBe(200);
		expect(started()).toBe(0);
	});

	it('answers 401 to an unsigned or tampered click, 403 to a team not allowed, 400 to a payload that is not JSON', async () => {
		expect((await harness.post(interactivityForm(blockActions()), FORM_TYPE)).status).toBe(401);
		const signed = signedInteraction(blockActions(), SIGNING_SECRET);
		expect((await harness.post(signed.body.replace('report-42', 'report-43'), signed.headers)).status).toBe(401);
		harness.credentials = { slackWebhooksOutgoingApi: { ...harness.credentials.slackWebhooksOutgoingApi, allowedTeamIds: 'T0002' } };
		expect((await postInteraction(blockActions())).status).toBe(403);
		const garbage = 'payload=%7Bnot-json';
		expect((await harness.post(garbage, FORM_TYPE)).status).toBe(400);
		expect(started()).toBe(0);
	});

	it('type version 2 keeps its old answer to a click: an empty 200, starting nothing', async () => {
		harness.typeVersion = 2;
		harness.parameters.channels = '';
		harness.parameters.triggerWords = 'deploy';
		expect(await postInteraction(blockActions())).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(0);
	});
});

describe('type version 3: Verify Before Filtering', () => {
	beforeEach(() => {
		harness.parameters = { ...harness.parameters, options: { verifyBeforeFiltering: true } };
	});

	it('answers 401 to a filtered event or click that is not signed, so the answers do not tell the filters', async () => {
		const filteredEvent = JSON.stringify(eventCallback(messageEvent({ channel: 'C9', text: 'just chatting' })));
		expect(await harness.post(filteredEvent, JSON_TYPE)).toMatchObject({ status: 401, body: '' });
		const wrong = signedJson(eventCallback(messageEvent({ channel: 'C9' })), 'another-secret');
		expect(await harness.post(wrong.body, wrong.headers)).toMatchObject({ status: 401, body: '' });
		const unknownAction = signedInteraction(blockActions(), 'another-secret');
		expect((await harness.post(unknownAction.body, unknownAction.headers)).status).toBe(401);
		expect(harness.credentialReads.length).toBeGreaterThan(0);
		expect(started()).toBe(0);
	});

	it('still answers a signed filtered event with the empty 200, and starts a signed matching one', async () => {
		expect(await postEvent(eventCallback(messageEvent({ channel: 'C9' })))).toEqual({ status: 200, body: '', contentType: null });
		expect(started()).toBe(0);
		expect((await postEvent(eventCallback(messageEvent()))).status).toBe(200);
		expect(started()).toBe(1);
	});
});

describe('type version 3: activation', () => {
	const activate = async (parameters: IDataObject) => {
		const node = makeNode({ type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`, typeVersion: 3, parameters, credentials: harness.credentials });
		const context = new HookContext(makeWorkflow(node), node, makeAdditionalData(node, harness.credentials), 'trigger', 'activate');
		return new SlackOutgoingWebhookTrigger().webhookMethods.default.create.call(context);
	};

	it('accepts a trigger that only takes buttons (action IDs, no channel or trigger word)', async () => {
		await expect(activate({ channels: '', triggerWords: '', actionIds: 'approve' })).resolves.toBe(true);
	});

	it('refuses one with no channel, no trigger word and no action ID, saying why', async () => {
		await expect(activate({ channels: '', triggerWords: '', actionIds: '' })).rejects.toThrow(/needs trigger words/);
	});
});

const redisAvailable = redisServerAvailable();
(redisAvailable.ok ? describe : describe.skip)('type version 3: retries shared through Redis', () => {
	let redis: RedisServer;
	let client: Redis;
	beforeAll(async () => {
		redis = await new RedisServer().start();
		client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 0 });
	});
	afterAll(async () => {
		await closeRedisClients();
		client.disconnect();
		await redis.stop();
	});

	it('starts nothing for an event another webhook process already started (same event_id), and records a new one as started for every process', async () => {
		harness.parameters.shareThroughRedis = true;
		harness.credentials.redis = { host: '127.0.0.1', port: redis.port, database: 0, user: '', password: '', ssl: false };
		const otherProcess = new RedisIncomingMessageClaims(client, `test-workflow:${triggerNodeId(3)}`, new LocalIncomingMessageClaims(new RecentIncomingMessages()), () => undefined);
		const claimed = eventCallback(messageEvent());
		expect(await otherProcess.take(incomingEventKey(claimed)!, 'other-process', 60_000)).toBe('new');
		await otherProcess.markStarted(incomingEventKey(claimed)!, 60_000);
		expect(await postEvent(claimed, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).toMatchObject({ status: 200, body: '' });
		expect(started()).toBe(0);

		const fresh = eventCallback(messageEvent());
		expect((await postEvent(fresh)).status).toBe(200);
		expect(started()).toBe(1);
		expect(await otherProcess.take(incomingEventKey(fresh)!, 'other-process', 60_000)).toBe('started');
	});
});
