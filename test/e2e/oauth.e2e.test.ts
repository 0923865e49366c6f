/**
 * "Add to Slack" in a real n8n: the suite's Slack OAuth server on 127.0.0.1 plays Slack's authorize
 * page and oauth.v2.access; n8n runs its own OAuth flow through its REST endpoints (the requests
 * the editor's Connect button makes: the auth URL, then the browser's redirects), stores Slack's
 * answer in the credential, and the node posts to the incoming webhook URL from it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../helpers/free-port';
import { N8nRest } from '../helpers/n8n-rest';
import { SLACK_OAUTH_PATHS, SlackOAuthServer } from '../helpers/slack-oauth-server';
import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import { executionsOf, n8nCli, n8nUrl, n8nVersion, newestExecutionAfter, post, requiredEnv } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

const ownerCookie = requiredEnv('E2E_N8N_COOKIE');
interface OAuthApp {
	clientId: string;
	credentialId: string;
	workflowId: string;
	path: string;
}
/** The apps, credentials and workflows of test/harness/fixtures/e2e.mjs (passed on by scripts/e2e.mjs). */
const OAUTH_APPS = JSON.parse(requiredEnv('E2E_OAUTH_APPS')) as { webhook: OAuthApp; noWebhook: OAuthApp };
const CHANNEL = { name: '#e2e-nightly-reports', id: 'CE2E00042' };
const SECRETS = [E2E.oauthClientSecret, E2E.oauthAccessToken, E2E.oauthWebhookSecretPath];

let slack: SlackWebhookServer;
let oauth: SlackOAuthServer;
beforeAll(async () => {
	slack = new SlackWebhookServer();
	slack.webhookPath = `/services/${E2E.oauthWebhookSecretPath}`;
	await slack.start(await freePort());
	const app = { clientSecret: E2E.oauthClientSecret, channel: CHANNEL, webhookUrl: slack.url, accessToken: E2E.oauthAccessToken };
	oauth = await new SlackOAuthServer({
		[OAUTH_APPS.webhook.clientId]: app,
		[OAUTH_APPS.noWebhook.clientId]: { ...app, grantScopes: 'chat:write' },
	}).start(Number(requiredEnv('E2E_OAUTH_PORT')));
});
afterAll(async () => {
	await oauth.stop();
	await slack.stop();
});

/** What the editor's Connect button and the browser do: n8n's auth URL, Slack's page, n8n's callback. */
async function connect(credentialId: string): Promise<{ authorizeUrl: URL; callbackPage: string }> {
	const { authorizeUrl, callbackStatus, callbackPage } = await new N8nRest(n8nUrl, ownerCookie).connectOAuth2(credentialId);
	expect(callbackStatus).toBe(200);
	return { authorizeUrl, callbackPage };
}

/** The credential as n8n keeps it, read with n8n's own CLI: encrypted, or decrypted with the instance key. */
function exportCredential(credentialId: string, decrypted: boolean): { data: unknown } {
	const folder = mkdtempSync(join(tmpdir(), 'slack-webhooks-export-'));
	try {
		const file = join(folder, 'credential.json');
		n8nCli(['export:credentials', `--id=${credentialId}`, `--output=${file}`, ...(decrypted ? ['--decrypted'] : [])]);
		const [credential] = JSON.parse(readFileSync(file, 'utf8')) as Array<{ data: unknown }>;
		return credential;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

const send = (path: string, text: string) => post(`/webhook/${path}`, JSON.stringify({ text }), { 'content-type': 'application/json' });

describe(`"Add to Slack" in n8n ${n8nVersion}`, () => {
	it('before Connect, the node says the credential is not connected and posts nothing', async () => {
		const before = (await executionsOf(OAUTH_APPS.webhook.workflowId)).length;
		const reply = await send(OAUTH_APPS.webhook.path, 'too early');
		expect(reply.status).toBe(500);
		const execution = await newestExecutionAfter(OAUTH_APPS.webhook.workflowId, before);
		expect(execution.status).toBe('error');
		expect(execution.data).toContain('The Slack Incoming Webhook OAuth2 credential is not connected to Slack yet');
		expect(slack.received).toHaveLength(0);
	});

	it("Connect runs n8n's OAuth flow against Slack's endpoints with the incoming-webhook scope", async () => {
		const { authorizeUrl, callbackPage } = await connect(OAUTH_APPS.webhook.credentialId);

		expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${oauth.origin}${SLACK_OAUTH_PATHS.authorize}`);
		expect(authorizeUrl.searchParams.get('client_id')).toBe(OAUTH_APPS.webhook.clientId);
		expect(authorizeUrl.searchParams.get('scope')).toBe('incoming-webhook');
		expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
		expect(authorizeUrl.searchParams.get('redirect_uri')).toMatch(/\/rest\/oauth2-credential\/callback$/);

		expect(callbackPage).toContain("postMessage('success'");
		const exchange = oauth.tokenRequests.at(-1)!;
		expect(exchange).toMatchObject({ clientId: OAUTH_APPS.webhook.clientId, clientSecretInBody: true, redirectUri: authorizeUrl.searchParams.get('redirect_uri') });
		expect(exchange.answer).toMatchObject({ ok: true, incoming_webhook: { url: slack.url } });
	});

	it("keeps Slack's whole answer in the credential, incoming_webhook included, and encrypted at rest", () => {
		const stored = exportCredential(OAUTH_APPS.webhook.credentialId, false);
		expect(typeof stored.data).toBe('string');
		for (const text of [...SECRETS, CHANNEL.name, 'incoming_webhook']) expect(stored.data).not.toContain(text);

		const { data } = exportCredential(OAUTH_APPS.webhook.credentialId, true) as { data: { oauthTokenData: Record<string, unknown> } };
		expect(data.oauthTokenData).toMatchObject({
			access_token: E2E.oauthAccessToken,
			scope: 'incoming-webhook',
			team: { id: 'TE2E00001', name: 'E2E Workspace' },
			incoming_webhook: { channel: CHANNEL.name, channel_id: CHANNEL.id, url: slack.url },
		});
	});

	it('the node posts to the webhook URL from the token response and names its channel', async () => {
		const reply = await send(OAUTH_APPS.webhook.path, 'Nightly report: 42 new sign-ups');
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toEqual([{ ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0, parts: 1, channel: CHANNEL.name, channelId: CHANNEL.id }]);
		expect(slack.posted.map((request) => [request.path, request.json])).toEqual([[slack.webhookPath, { text: 'Nightly report: 42 new sign-ups' }]]);
		for (const secret of SECRETS) expect(reply.body).not.toContain(secret);
	});

	it('a connection without the incoming-webhook scope fails with an error that says so and what to do', async () => {
		const { callbackPage } = await connect(OAUTH_APPS.noWebhook.credentialId);
		expect(callbackPage).toContain("postMessage('success'");
		const before = (await executionsOf(OAUTH_APPS.noWebhook.workflowId)).length;
		const postedBefore = slack.posted.length;

		const reply = await send(OAUTH_APPS.noWebhook.path, 'never posted');
		expect(reply.status).toBe(500);
		const execution = await newestExecutionAfter(OAUTH_APPS.noWebhook.workflowId, before);
		expect(execution.status).toBe('error');
		expect(execution.data).toContain('The Slack connection has no incoming webhook: Slack granted \\"chat:write\\", not \\"incoming-webhook\\"');
		expect(execution.data).toContain('Turn on Incoming Webhooks');
		for (const secret of SECRETS) expect(execution.data).not.toContain(secret);
		expect(slack.posted).toHaveLength(postedBefore);
	});
});
