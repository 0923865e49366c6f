/**
 * The Slack Socket Mode API credential's Test button against the stand-in for Slack's
 * apps.connections.open on 127.0.0.1: each way a token can be wrong fails with what to fix, and
 * nothing it says quotes the token.
 */
import { testSocketModeCredential } from '../../../nodes/SlackSocketModeTrigger/credential-test';
import { freePort } from '../../helpers/free-port';
import { SlackSocketServer } from '../../helpers/slack-socket-server';

const APP_TOKEN = 'xapp-1-A0STANDIN-5-not-real-0123456789abcdef';
let slack: SlackSocketServer;

beforeAll(async () => {
	slack = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
});
afterAll(async () => slack.stop());

const test = async (data: Record<string, unknown>) => await testSocketModeCredential({ slackApiUrl: slack.apiBaseUrl, allowedTeamIds: '', ...data }, 2_000);

it('passes a token Slack accepts, and opens no connection', async () => {
	expect(await test({ appToken: APP_TOKEN })).toEqual({ status: 'OK', message: expect.stringContaining('Slack accepts the token') });
	expect(slack.connections).toHaveLength(0);
});

it.each([
	['a wrong token', { appToken: 'xapp-1-wrong-token-not-real' }, 'Slack does not accept this app-level token (Slack: invalid_auth). Copy the token again'],
	['a bot token', { appToken: 'xoxb-1-bot-token-not-real' }, 'This is not an app-level token'],
	['no token', { appToken: '' }, 'No app-level token was sent'],
])('fails for %s with what to fix', async (_what, data, message) => {
	const result = await test(data);
	expect(result).toEqual({ status: 'Error', message: expect.stringContaining(message) });
	expect(result.message).not.toContain(String(data.appToken) || '\u0000');
});

it('fails for a revoked token, saying to generate a new one', async () => {
	slack.nextOpenAnswers.push('token_revoked');
	expect(await test({ appToken: APP_TOKEN })).toEqual({ status: 'Error', message: expect.stringContaining('revoked (Slack: token_revoked). Generate a new one') });
});

it('says to try again when Slack rate-limits or cannot be reached', async () => {
	slack.nextOpenAnswers.push('ratelimited');
	expect(await test({ appToken: APP_TOKEN })).toEqual({ status: 'Error', message: 'Slack is rate-limiting apps.connections.open; try again in a moment' });
	const closed = await freePort();
	expect(await test({ appToken: APP_TOKEN, slackApiUrl: `http://127.0.0.1:${closed}/api/` })).toEqual({
		status: 'Error',
		message: "Slack's API could not be reached (ECONNREFUSED); try again in a moment",
	});
});

it('refuses an Allowed Team IDs entry that is not a team ID, and an API URL that is not Slack\'s', async () => {
	expect(await test({ appToken: APP_TOKEN, allowedTeamIds: 'T0001, general' })).toEqual({ status: 'Error', message: '"general" is not a Slack team ID (they look like T0001 or E0001)' });
	expect(await test({ appToken: APP_TOKEN, slackApiUrl: 'https://collector.example/api/' })).toMatchObject({ status: 'Error', message: expect.stringContaining('must be https://slack.com/api/') });
});
