import {
	channelMatches,
	describeMatchSettingsProblem,
	matchMessage,
	matchTriggerWord,
	splitArgs,
} from '../../../../nodes/shared/slack-app/matching';

describe('matchTriggerWord', () => {
	const exampleText = 'googlebot: What is the air-speed velocity of an unladen swallow?';

	it("starts with (Slack's rule), returning the text after the word", () => {
		expect(matchTriggerWord(exampleText, ['googlebot:'], 'startsWith', false)).toEqual({
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
