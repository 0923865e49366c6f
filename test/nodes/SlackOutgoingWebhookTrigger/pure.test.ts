import { RecentDeliveries } from '../../../nodes/shared/state/delivery-claims';
import {
	channelMatches,
	describeMatchSettingsProblem,
	matchMessage,
	matchTriggerWord,
	splitArgs,
} from '../../../nodes/SlackOutgoingWebhookTrigger/matching';
import {
	deliveryKey,
	detectSource,
	isIgnoredSender,
	messageTimeIso,
	readPostedFields,
	readPostedToken,
} from '../../../nodes/SlackOutgoingWebhookTrigger/message';
import { shapeReply } from '../../../nodes/SlackOutgoingWebhookTrigger/reply';
import {
	checkSlackSignature,
	describeVerificationProblem,
	signSlackRequest,
	splitList,
	tokenMatches,
	verificationSettingsFrom,
	verifyRequest,
} from '../../../nodes/SlackOutgoingWebhookTrigger/verify';

describe('matchTriggerWord', () => {
	const seedText = 'googlebot: What is the air-speed velocity of an unladen swallow?';

	it("starts with (Slack's rule), returning the text after the word", () => {
		expect(matchTriggerWord(seedText, ['googlebot:'], 'startsWith', false)).toEqual({
			word: 'googlebot:',
			rest: 'What is the air-speed velocity of an unladen swallow?',
		});
		expect(matchTriggerWord('googlebotx hi', ['googlebot'], 'startsWith', false)?.word).toBe('googlebot');
		expect(matchTriggerWord('hey googlebot: hi', ['googlebot:'], 'startsWith', false)).toBeUndefined();
	});

	it("first word is exactly (Mattermost's rule)", () => {
		expect(matchTriggerWord('deploy web now', ['deploy'], 'firstWord', false)).toEqual({ word: 'deploy', rest: 'web now' });
		expect(matchTriggerWord('deployment done', ['deploy'], 'firstWord', false)).toBeUndefined();
	});

	it('anywhere, as a whole word', () => {
		expect(matchTriggerWord('please deploy web now', ['deploy'], 'anywhere', false)).toEqual({ word: 'deploy', rest: 'please web now' });
		expect(matchTriggerWord('redeployment', ['deploy'], 'anywhere', false)).toBeUndefined();
	});

	it('folds case unless asked not to', () => {
		expect(matchTriggerWord('GoogleBot: hi', ['googlebot:'], 'startsWith', false)?.rest).toBe('hi');
		expect(matchTriggerWord('GoogleBot: hi', ['googlebot:'], 'startsWith', true)).toBeUndefined();
	});

	it('tries every word and reports the one that matched', () => {
		expect(matchTriggerWord('!status web', ['!deploy', '!status'], 'startsWith', false)?.word).toBe('!status');
	});
});

describe('channel and/or trigger settings', () => {
	it('requires trigger words when no channel is set', () => {
		expect(describeMatchSettingsProblem({ channels: [], triggerWords: [], mode: 'startsWith', caseSensitive: false })).toMatch(/trigger words/);
		expect(describeMatchSettingsProblem({ channels: ['#test'], triggerWords: [], mode: 'startsWith', caseSensitive: false })).toBeUndefined();
		expect(describeMatchSettingsProblem({ channels: [], triggerWords: ['bot'], mode: 'startsWith', caseSensitive: false })).toBeUndefined();
	});

	it('matches channels by name with or without # and by ID', () => {
		expect(channelMatches([], 'C1', 'any')).toBe(true);
		expect(channelMatches(['#test'], 'C2147483705', 'test')).toBe(true);
		expect(channelMatches(['Test'], 'C2147483705', 'test')).toBe(true);
		expect(channelMatches(['C2147483705'], 'C2147483705', 'test')).toBe(true);
		expect(channelMatches(['#other', 'C0000000001'], 'C2147483705', 'test')).toBe(false);
	});
});

describe('splitArgs', () => {
	it('splits on white space and keeps quoted strings whole', () => {
		expect(splitArgs('deploy "web app" \'v1 2\'  now')).toEqual(['deploy', 'web app', 'v1 2', 'now']);
		expect(splitArgs('say “hello there” ‘x y’')).toEqual(['say', 'hello there', 'x y']);
		expect(splitArgs('   ')).toEqual([]);
		expect(splitArgs('a "" b')).toEqual(['a', '', 'b']);
	});
});

describe('posted fields', () => {
	it('drops the token, keeps the first of repeated keys, and lists file_ids', () => {
		expect(readPostedFields({ token: 'x', text: ['one', 'two'], timestamp: 1, file_ids: 'f1, f2' })).toEqual({
			text: 'one',
			timestamp: '1',
			file_ids: ['f1', 'f2'],
		});
		expect(readPostedFields(['not', 'an', 'object'])).toEqual({});
		expect(readPostedToken({ token: ['a', 'b'] })).toBeUndefined();
	});

	it('tells the sources apart', () => {
		expect(detectSource({ command: '/deploy' }, false)).toBe('slack_slash_command');
		expect(detectSource({ post_id: 'p1' }, false)).toBe('mattermost');
		expect(detectSource({ text: 'x' }, true)).toBe('mattermost');
		expect(detectSource({ text: 'x' }, false)).toBe('slack_outgoing_webhook');
	});

	it('turns Slack seconds and Mattermost milliseconds into ISO 8601', () => {
		expect(messageTimeIso('1504640775.000005')).toBe('2017-09-05T19:46:15.000Z');
		expect(messageTimeIso('1445532266000')).toBe('2015-10-22T16:44:26.000Z');
		expect(messageTimeIso(undefined)).toBeNull();
		expect(messageTimeIso('soon')).toBeNull();
	});

	it('ignores bots and listed users', () => {
		const rules = { ignoreBots: true, ignoredUsers: ['@deploy-bot', 'U0000000009'] };
		expect(isIgnoredSender({ user_name: 'slackbot' }, rules)).toBe(true);
		expect(isIgnoredSender({ user_id: 'USLACKBOT' }, rules)).toBe(true);
		expect(isIgnoredSender({ user_name: 'x', bot_id: 'B1' }, rules)).toBe(true);
		expect(isIgnoredSender({ user_name: 'Deploy-Bot' }, rules)).toBe(true);
		expect(isIgnoredSender({ user_id: 'U0000000009' }, rules)).toBe(true);
		expect(isIgnoredSender({ user_name: 'Steve', user_id: 'U2147483697' }, rules)).toBe(false);
		expect(isIgnoredSender({ user_name: 'slackbot' }, { ignoreBots: false, ignoredUsers: [] })).toBe(false);
	});

	it('keys deliveries by team, channel, timestamp and user (or the slash command or post ID)', () => {
		expect(deliveryKey({ team_id: 'T1', channel_id: 'C1', timestamp: '1.000001', user_id: 'U1' })).toBe('message|T1|C1|1.000001|U1');
		expect(deliveryKey({ team_id: 'T1', trigger_id: 'tr1' })).toBe('slash|T1|tr1');
		expect(deliveryKey({ team_id: 'T1', post_id: 'p1', timestamp: '1' })).toBe('post|T1|p1');
		expect(deliveryKey({ text: 'x' })).toBeUndefined();
	});
});

describe('RecentDeliveries', () => {
	it('reports a repeat within the window and forgets it after', () => {
		const recent = new RecentDeliveries();
		expect(recent.checkAndRecord('a', 0, 1_000)).toBe(false);
		expect(recent.checkAndRecord('a', 500, 1_000)).toBe(true);
		expect(recent.checkAndRecord('a', 2_000, 1_000)).toBe(false);
	});

	it('stays bounded', () => {
		const recent = new RecentDeliveries(100);
		for (let n = 0; n < 1_000; n++) recent.checkAndRecord(String(n), n, 1_000_000);
		expect(recent.size).toBeLessThanOrEqual(100);
	});
});

describe('shapeReply', () => {
	it("keeps Slack's reply fields only", () => {
		expect(shapeReply({ text: 'African or European?', username: 'bot', secret: 'x', json: { a: 1 }, response_type: 'ephemeral' })).toEqual({
			text: 'African or European?',
			username: 'bot',
			response_type: 'ephemeral',
		});
	});

	it('gives no reply for empty text without blocks or attachments', () => {
		expect(shapeReply({ text: '' })).toBeUndefined();
		expect(shapeReply({ text: '   ', username: 'bot' })).toBeUndefined();
		expect(shapeReply({ ok: true, status: 200 })).toBeUndefined();
		expect(shapeReply([{ text: 'x' }])).toBeUndefined();
		expect(shapeReply({ blocks: [{ type: 'divider' }] })).toEqual({ blocks: [{ type: 'divider' }] });
	});

	it('drops an unknown response_type and non-array attachments', () => {
		expect(shapeReply({ text: 'x', response_type: 'loud', attachments: 'nope' })).toEqual({ text: 'x' });
	});
});

describe('verification', () => {
	const settings = { tokens: ['test-token-a', 'test-token-b'], allowedTeamIds: [] };
	const base = { teamId: 'T0001', rawBody: 'a=b', signature: undefined, timestamp: undefined, nowSeconds: 1_700_000_000 };

	it('accepts any configured token, compared in full', () => {
		expect(tokenMatches('test-token-b', settings.tokens)).toBe(true);
		expect(tokenMatches('test-token-', settings.tokens)).toBe(false);
		expect(tokenMatches('', settings.tokens)).toBe(false);
		expect(tokenMatches(undefined, settings.tokens)).toBe(false);
		expect(tokenMatches('x', [''])).toBe(false);
	});

	it('answers 401 for a missing or wrong token and 403 for a team not allowed', () => {
		expect(verifyRequest({ ...base, token: undefined }, settings)).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest({ ...base, token: 'nope' }, settings)).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest({ ...base, token: 'test-token-a' }, { ...settings, allowedTeamIds: ['T0002'] })).toMatchObject({ ok: false, status: 403 });
		expect(verifyRequest({ ...base, token: 'test-token-a' }, { ...settings, allowedTeamIds: ['T0001'] })).toEqual({ ok: true });
	});

	it("checks Slack's v0 signature and its timestamp", () => {
		const secret = 'test-signing-secret';
		const timestamp = String(base.nowSeconds);
		// Slack's documented algorithm, computed independently here.
		const expected = `v0=${require('node:crypto').createHmac('sha256', secret).update(`v0:${timestamp}:a=b`).digest('hex')}`;
		expect(signSlackRequest(secret, timestamp, 'a=b')).toBe(expected);
		const signed = { ...base, signature: expected, timestamp };
		expect(checkSlackSignature(signed, secret)).toBe('valid');
		expect(checkSlackSignature({ ...signed, rawBody: 'a=c' }, secret)).toBe('mismatch');
		expect(checkSlackSignature({ ...signed, signature: 'v0=00' }, secret)).toBe('mismatch');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds + 301 }, secret)).toBe('stale');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds - 301 }, secret)).toBe('stale');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds + 300 }, secret)).toBe('valid');
		expect(checkSlackSignature({ ...signed, signature: undefined }, secret)).toBe('missing');
		expect(verifyRequest({ ...signed, token: 'test-token-a', signature: 'v0=bad' }, { ...settings, signingSecret: secret })).toMatchObject({ status: 401 });
	});

	it('reads lists separated by commas or new lines', () => {
		expect(splitList(' a, b\nc,,a ')).toEqual(['a', 'b', 'c']);
		expect(splitList(undefined)).toEqual([]);
	});
});

describe('matchMessage: the decision that needs no secret', () => {
	const settings = { channels: [] as string[], triggerWords: ['googlebot:'], mode: 'startsWith' as const, caseSensitive: false };
	const keepAll = { ignoreBots: true, ignoredUsers: [] as string[] };
	const post = { channel_id: 'C1', channel_name: 'test', user_id: 'U1', user_name: 'steve', text: 'googlebot: hi there', trigger_word: '' };

	it('matches, filling the trigger word and the text after it', () => {
		expect(matchMessage(post, 'slack_outgoing_webhook', settings, keepAll)).toEqual({ triggerWord: 'googlebot:', textWithoutTrigger: 'hi there' });
	});

	it('keeps the trigger word the sender sent', () => {
		expect(matchMessage({ ...post, trigger_word: 'GoogleBot:' }, 'slack_outgoing_webhook', settings, keepAll)?.triggerWord).toBe('GoogleBot:');
	});

	it.each([
		['an unusable configuration', post, { ...settings, triggerWords: [] }, keepAll],
		['a bot', { ...post, bot_id: 'B1' }, settings, keepAll],
		['an ignored user', post, settings, { ignoreBots: true, ignoredUsers: ['@Steve'] }],
		['another channel', { ...post, channel_name: 'random' }, { ...settings, channels: ['test'] }, keepAll],
		['no trigger word', { ...post, text: 'hi' }, settings, keepAll],
	])('matches nothing for %s', (_name, fields, matchSettings, ignore) => {
		expect(matchMessage(fields, 'slack_outgoing_webhook', matchSettings, ignore)).toBeUndefined();
	});

	it('matches slash commands by their command, leaving the whole text', () => {
		const command = { ...post, command: '/Weather', text: 'Berlin' };
		expect(matchMessage(command, 'slack_slash_command', { ...settings, triggerWords: ['/weather'] }, keepAll)).toEqual({ triggerWord: '/weather', textWithoutTrigger: 'Berlin' });
		expect(matchMessage(command, 'slack_slash_command', { ...settings, triggerWords: ['/weath'] }, keepAll)).toBeUndefined();
	});
});

describe('what a credential must hold', () => {
	it('needs a token, a signing secret or both', () => {
		expect(describeVerificationProblem(verificationSettingsFrom({ token: '', signingSecret: '  ' }))).toMatch(/Set a Token or a Signing Secret/);
		expect(describeVerificationProblem(verificationSettingsFrom({ additionalTokens: 'a' }))).toBeUndefined();
		expect(describeVerificationProblem(verificationSettingsFrom({ signingSecret: 's' }))).toBeUndefined();
	});

	it('reads every token, the trimmed secret and the team list', () => {
		expect(verificationSettingsFrom({ token: 'a', additionalTokens: 'b,\nc', signingSecret: ' s\n', allowedTeamIds: 'T1, T2' })).toEqual({
			tokens: ['a', 'b', 'c'],
			signingSecret: 's',
			allowedTeamIds: ['T1', 'T2'],
		});
	});

	it('refuses every request when neither is set, and checks the signature alone when only a secret is', () => {
		const request = { token: 'x', teamId: 'T1', rawBody: 'a=1', signature: undefined, timestamp: undefined, nowSeconds: 1_700_000_000 };
		expect(verifyRequest(request, { tokens: [], allowedTeamIds: [] })).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest(request, { tokens: [], signingSecret: 's', allowedTeamIds: [] })).toMatchObject({ ok: false, reason: 'signature missing' });
		const timestamp = String(request.nowSeconds);
		const signed = { ...request, timestamp, signature: signSlackRequest('s', timestamp, request.rawBody) };
		expect(verifyRequest(signed, { tokens: [], signingSecret: 's', allowedTeamIds: [] })).toEqual({ ok: true });
		expect(verifyRequest(signed, { tokens: ['other'], signingSecret: 's', allowedTeamIds: [] })).toMatchObject({ ok: false, reason: 'wrong token' });
	});
});
