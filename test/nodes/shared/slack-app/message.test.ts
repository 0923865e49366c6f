import {
	incomingMessageKey,
	detectSource,
	isIgnoredSender,
	messageTimeIso,
	readPostedFields,
	readPostedToken,
} from '../../../../nodes/shared/slack-app/message';

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

	it('keys incoming messages by team, channel, timestamp and user (or the slash command or post ID)', () => {
		expect(incomingMessageKey({ team_id: 'T1', channel_id: 'C1', timestamp: '1.000001', user_id: 'U1' })).toBe('message|T1|C1|1.000001|U1');
		expect(incomingMessageKey({ team_id: 'T1', trigger_id: 'tr1' })).toBe('slash|T1|tr1');
		expect(incomingMessageKey({ team_id: 'T1', post_id: 'p1', timestamp: '1' })).toBe('post|T1|p1');
		expect(incomingMessageKey({ text: 'x' })).toBeUndefined();
	});
});
