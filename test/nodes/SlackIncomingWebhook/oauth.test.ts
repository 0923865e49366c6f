/**
 * The action node with the "Add to Slack" credential, run by n8n-core: the credential holds the
 * token response n8n stored after Slack's OAuth flow, and the node posts to its incoming_webhook
 * URL on a real HTTP server. n8n's own OAuth flow is exercised end to end in test/e2e/oauth.
 */
import type { IDataObject } from 'n8n-workflow';

import { SlackIncomingWebhook } from '../../../nodes/SlackIncomingWebhook/SlackIncomingWebhook.node';
import { destinationFromOAuthTokenData } from '../../../nodes/SlackIncomingWebhook/delivery/credential-destination';
import { AUTHENTICATION } from '../../../nodes/SlackIncomingWebhook/description';
import { runNode } from '../../helpers/n8n-harness';
import { serializeDeep } from '../../helpers/serialize';
import { answer, SlackWebhookServer } from '../../helpers/slack-webhook-server';

let server: SlackWebhookServer;
beforeAll(async () => {
	server = new SlackWebhookServer();
	server.webhookPath = '/services/TOAUTH000/BOAUTH000/oauth-secret-path-not-real';
	await server.start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const ACCESS_TOKEN = 'xoxb-oauth-access-token-not-real';
const CLIENT_SECRET = 'oauth-client-secret-not-real';
const SECRETS = ['oauth-secret-path-not-real', ACCESS_TOKEN, CLIENT_SECRET];

/** Slack's oauth.v2.access answer with the incoming-webhook scope, as n8n stores it. */
const tokenResponse = (): IDataObject => ({
	ok: true,
	app_id: 'AOAUTH000',
	authed_user: { id: 'UOAUTH000' },
	scope: 'incoming-webhook',
	token_type: 'bot',
	access_token: ACCESS_TOKEN,
	bot_user_id: 'UOAUTHBOT',
	team: { id: 'TOAUTH000', name: 'Hatch Street' },
	enterprise: null,
	is_enterprise_install: false,
	incoming_webhook: {
		channel: '#nightly-reports',
		channel_id: 'C0OAUTH01',
		configuration_url: 'https://hatch-street.slack.com/services/BOAUTH000',
		url: server.url,
	},
});

const oauthCredential = (oauthTokenData?: IDataObject) => ({
	slackWebhooksIncomingOAuth2Api: { clientId: '1111.2222', clientSecret: CLIENT_SECRET, ...(oauthTokenData && { oauthTokenData }) },
});

const run = (oauthTokenData: IDataObject | undefined, extra: { continueOnFail?: boolean } = {}) =>
	runNode({
		parameters: { authentication: 'oAuth2', text: 'Nightly report', options: { timeout: 10, maxRetries: 0 } },
		credentials: oauthCredential(oauthTokenData),
		...extra,
	});

function expectNoSecret(value: unknown) {
	const text = serializeDeep(value);
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('Slack Incoming Webhook node with the OAuth2 (Add to Slack) credential', () => {
	it("posts to the token response's incoming webhook and names its channel in the output", async () => {
		const { output, error, run: result } = await run(tokenResponse());
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => request.json)).toEqual([{ text: 'Nightly report' }]);
		expect(output).toEqual([
			{
				json: { ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0, parts: 1, channel: '#nightly-reports', channelId: 'C0OAUTH01' },
				pairedItem: { item: 0 },
			},
		]);
		expectNoSecret(result.data);
	});

	it('says the credential is not connected when n8n holds no token response yet', async () => {
		const { error, output } = await run(undefined);
		expect(error?.message).toBe('The Slack Incoming Webhook OAuth2 credential is not connected to Slack yet');
		expect(error?.description).toMatch(/click Connect/);
		expect(output).toBeUndefined();
		expect(server.posted).toHaveLength(0);
	});

	it('says which scope Slack granted and what to do when the response has no incoming webhook', async () => {
		const withoutWebhook = tokenResponse();
		delete withoutWebhook.incoming_webhook;
		const { error, run: result } = await run({ ...withoutWebhook, scope: 'chat:write,channels:read' });
		expect(error?.message).toBe('The Slack connection has no incoming webhook: Slack granted "chat:write,channels:read", not "incoming-webhook"');
		expect(error?.description).toMatch(/Turn on Incoming Webhooks in the Slack app's settings .*click Connect/);
		expect(server.posted).toHaveLength(0);
		expectNoSecret(error);
		expectNoSecret(result.data);
	});

	it('fails before sending anything even with continueOnFail: no item can be delivered without a URL', async () => {
		const { error } = await run({ scope: 'incoming-webhook', incoming_webhook: { channel: '#x', url: 'ftp://example.com/x' } }, { continueOnFail: true });
		expect(error?.message).toBe("The Slack connection's incoming webhook has no http(s) URL");
		expect(server.posted).toHaveLength(0);
	});

	it('reports a Slack error with the channel, the URL redacted and neither token nor secret anywhere', async () => {
		server.respondWith(() => answer.slackError(404, 'no_service'));
		const { output, run: result } = await run(tokenResponse(), { continueOnFail: true });
		expect(output?.[0].json).toMatchObject({ ok: false, slackError: 'no_service', status: 404, channel: '#nightly-reports', channelId: 'C0OAUTH01' });
		expect(String(output?.[0].json.description)).toContain(`http://127.0.0.1:${server.port}/services/***`);
		// The way out of a dead webhook from Add to Slack is to connect again, not to copy a URL.
		expect(String(output?.[0].json.description)).toMatch(/With Add to Slack, open the credential and click Connect \(or Reconnect\) again/);
		expectNoSecret(output);
		expectNoSecret(result.data);
	});

	it('asks n8n for the OAuth2 credential, not the URL one, when OAuth2 is chosen', async () => {
		const { error } = await runNode({
			parameters: { authentication: 'oAuth2', text: 'x' },
			credentials: { slackWebhooksIncomingUrlApi: { webhookUrl: server.url } },
		});
		expect(error?.message).toBe('Node does not have any credentials set for "slackWebhooksIncomingOAuth2Api"');
		expect(server.posted).toHaveLength(0);
	});
});

describe('destinationFromOAuthTokenData', () => {
	it('reads the URL and the channel, and tolerates a missing channel name', () => {
		expect(destinationFromOAuthTokenData({ incoming_webhook: { url: 'https://hooks.slack.com/services/T/B/x', channel_id: 'C1' } })).toEqual({
			source: 'oauth',
			url: 'https://hooks.slack.com/services/T/B/x',
			channel: { name: null, id: 'C1' },
		});
	});

	it.each([
		['no token response', undefined, /not connected/],
		['an empty token response (n8n before Connect)', {}, /not connected/],
		['a token response that is a string', 'xoxb', /not connected/],
		['a token without incoming_webhook or scope', { access_token: 'x' }, /granted no scope, not "incoming-webhook"/],
		['an incoming_webhook without url', { incoming_webhook: { channel: '#a' } }, /no http\(s\) URL/],
		['an incoming_webhook url that is not http(s)', { incoming_webhook: { url: 'javascript:alert(1)' } }, /no http\(s\) URL/],
	])('refuses %s', (_case, data, message) => {
		expect(() => destinationFromOAuthTokenData(data)).toThrow(message);
	});

	it("the node's credential list matches the authentication table (a response URL needs none; Redis is a setting of its own)", () => {
		const credentials = new SlackIncomingWebhook().description.credentials?.filter((credential) => credential.name !== 'redis');
		expect(credentials?.map((credential) => [credential.name, credential.displayOptions?.show?.authentication])).toEqual(
			Object.values(AUTHENTICATION)
				.filter(({ credentialType }) => credentialType !== undefined)
				.map(({ value, credentialType }) => [credentialType, [value]]),
		);
	});
});
