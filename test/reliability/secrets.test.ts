/**
 * Every failure path of both nodes, run through n8n-core with n8n's own logger writing at debug
 * level: the webhook URL's secret path, the tokens and the signing secret must appear nowhere in
 * the error n8n records (message, description, cause, stack), in output items, in HTTP answers,
 * or in the log. The real n8n's log and database are checked by the end-to-end suite.
 */
import { n8nLogFile, readN8nLog, restoreLogSettings } from '../helpers/n8n-debug-log';

import { createHmac } from 'node:crypto';

import { testIncomingWebhook } from '../../nodes/SlackIncomingWebhook/credential-test';
import { SLACK_WEBHOOK_ERRORS } from '../../nodes/shared/slack';
import { refusedPort as findRefusedPort } from '../helpers/free-port';
import { runNode } from '../helpers/n8n-harness';
import { TriggerHarness } from '../helpers/n8n-webhook-harness';
import { serializeDeep } from '../helpers/serialize';
import { seedOutgoingWebhookPost } from '../helpers/slack-fixtures';
import { answer, SLACK_ERROR_STATUS, SlackWebhookServer } from '../helpers/slack-webhook-server';
import { startUntrustedTlsServer, type UntrustedTlsServer } from '../helpers/tls-server';

/** Made-up secrets, each distinctive enough that any leak of it is found by a plain search. */
const SECRET_PATH = 'TLEAK0000/BLEAK0000/leak-check-secret-path';
const TOKEN = 'leak-check-token-not-real';
const SIGNING_SECRET = 'leak-check-signing-secret-not-real';
const OAUTH_CLIENT_SECRET = 'leak-check-client-secret-not-real';
const OAUTH_ACCESS_TOKEN = 'xoxb-leak-check-access-token-not-real';
const RESPONSE_URL_SECRET = 'leak-check-response-url-secret';
const SECRET_FRAGMENTS = [SECRET_PATH, 'TLEAK0000', 'BLEAK0000', 'leak-check-secret-path', TOKEN, SIGNING_SECRET, OAUTH_CLIENT_SECRET, OAUTH_ACCESS_TOKEN, RESPONSE_URL_SECRET];

function expectNoSecrets(what: string, value: unknown): void {
	const text = typeof value === 'string' ? value : (serializeDeep(value) ?? '');
	for (const fragment of SECRET_FRAGMENTS) {
		if (text.includes(fragment)) throw new Error(`${what} contains the secret "${fragment}"`);
	}
}

let slack: SlackWebhookServer;
let tls: UntrustedTlsServer;
let refusedPort: number;
let trigger: TriggerHarness;

beforeAll(async () => {
	slack = new SlackWebhookServer();
	slack.webhookPath = `/services/${SECRET_PATH}`;
	await slack.start();
	tls = await startUntrustedTlsServer();
	refusedPort = await findRefusedPort();
	trigger = await new TriggerHarness().start();
}, 30_000);
afterAll(async () => {
	await slack.stop();
	await tls.stop();
	await trigger.stop();
	restoreLogSettings();
});

/**
 * A host name with a 64-character label: the system resolver refuses it without sending a DNS
 * query (checked with strace), so "unknown host" is tested without leaving the machine.
 */
const UNRESOLVABLE_HOST = `${'n'.repeat(64)}.example`;

/**
 * Answers from a server that quotes the secret parts of the URL it was called on, one at a time
 * or together, as some servers' error pages do (`invalid hook id <last segment>`).
 */
const segmentsOf = (path: string) => path.split('/').filter(Boolean);
const echoes: Array<[string, (path: string, port: number) => string]> = [
	['the last path segment', (path) => `invalid hook id ${segmentsOf(path).at(-1)}`],
	['the T… segment', (path) => `team ${segmentsOf(path)[1]} is not known here`],
	['the B… or command segment', (path) => `service ${segmentsOf(path)[2]} was removed`],
	['each segment in pieces', (path) => segmentsOf(path).slice(1).join(' and ')],
	['the whole URL URL-encoded', (path, port) => `see ${encodeURIComponent(`http://127.0.0.1:${port}${path}`)}`],
];
const echoFailures = (url: () => string): Array<[string, () => string, object]> => [
	...echoes.map(([what, says]): [string, () => string, object] => [`an error answer that quotes ${what}`, url, { says, reply: 400 }]),
	...echoes.map(([what, says]): [string, () => string, object] => [`an ok answer that quotes ${what}`, url, { says, reply: 200 }]),
];

const actionFailures: Array<[string, () => string, object?]> = [
	['a URL without a scheme', () => `hooks.slack.com/services/${SECRET_PATH}`],
	['a URL with a bad port', () => `https://hooks.slack.com:99999/services/${SECRET_PATH}`],
	['a URL that is not http(s)', () => `ftp://127.0.0.1/services/${SECRET_PATH}`],
	['an unknown host', () => `http://${UNRESOLVABLE_HOST}/services/${SECRET_PATH}`],
	['a refused connection', () => `http://127.0.0.1:${refusedPort}/services/${SECRET_PATH}`],
	['a TLS certificate that is not trusted', () => `https://127.0.0.1:${tls.port}/services/${SECRET_PATH}`],
	['a timeout', () => slack.url, { stall: true }],
	['an answer that quotes the URL', () => slack.url, { echo: true }],
	...echoFailures(() => slack.url),
	...Object.keys(SLACK_WEBHOOK_ERRORS).map((error): [string, () => string, object] => [`Slack's ${error}`, () => slack.url, { slackError: error }]),
];

/** The webhook URL pasted into the URL credential, or handed over by Slack in an Add to Slack token response. */
const credentialsFor = {
	webhookUrl: (url: string) => ({ slackWebhooksIncomingUrlApi: { webhookUrl: url } }),
	oAuth2: (url: string) => ({
		slackWebhooksIncomingOAuth2Api: {
			clientId: '1111.2222',
			clientSecret: OAUTH_CLIENT_SECRET,
			oauthTokenData: { ok: true, access_token: OAUTH_ACCESS_TOKEN, scope: 'incoming-webhook', incoming_webhook: { channel: '#leak-check', channel_id: 'C0LEAK', url } },
		},
	}),
};

describe.each(Object.keys(credentialsFor) as Array<keyof typeof credentialsFor>)('Slack Incoming Webhook (%s credential): no secret in errors, output items or the log', (authentication) => {
	it.each(actionFailures)('for %s', async (_name, webhookUrl, scenario = {}) => {
		slack.reset();
		const play = scenario as { stall?: boolean; echo?: boolean; slackError?: string; says?: (path: string, port: number) => string; reply?: number };
		if (play.stall) slack.respondWith(() => ({ stall: true }));
		else if (play.says) slack.respondWith((request) => ({ reply: play.reply!, body: play.says!(request.path, slack.port) }));
		else if (play.echo) slack.respondWith((request) => ({ reply: 400, body: `bad request to ${request.path} (http://127.0.0.1:${slack.port}${request.path})` }));
		else if (play.slackError) slack.respondWith(() => answer.slackError(SLACK_ERROR_STATUS[play.slackError!], play.slackError!));

		const credentials = credentialsFor[authentication](webhookUrl());
		// A short timeout only where the server stalls: elsewhere a busy machine must not turn an answer into a timeout.
		const parameters = { authentication, text: 'Secret check', options: { timeout: play.stall ? 1 : 10, maxRetries: 1 } };
		// The OAuth2 credential refuses a URL that is not http(s) before any item, for the whole run.
		const refusedUpFront = authentication === 'oAuth2' && !/^https?:\/\//.test(webhookUrl());

		// Without continueOnFail: the error n8n records for the node and the run.
		// An ok answer that quotes the URL succeeds: then its output item is what must stay clean.
		const succeeds = play.reply === 200 && !refusedUpFront;
		const failed = await runNode({ parameters, credentials });
		if (succeeds) expect(failed.output?.[0].json.ok).toBe(true);
		else expect(failed.error!.message).toMatch(refusedUpFront ? /incoming webhook has no http\(s\) URL/ : /\(item 0\)|webhook URL/);
		expectNoSecrets('the recorded error', failed.error);
		expectNoSecrets('the output', failed.output);
		expectNoSecrets('the run data', failed.run);

		// With continueOnFail: the error item.
		const continued = await runNode({ parameters, credentials, continueOnFail: true });
		if (refusedUpFront) expect(continued.error).toBeDefined();
		else expect(continued.output?.[0].json.ok).toBe(succeeds);
		expectNoSecrets('the error item', continued.output);
		expectNoSecrets('the error', continued.error);

		// The credential test reports the same problem, also without the secret (a 400 to its empty
		// message is how a live hook answers, so those count as valid).
		const tested = await testIncomingWebhook(webhookUrl(), 1_000);
		const answersLikeALiveHook = play.echo || play.says || ['no_text', 'invalid_payload'].includes(play.slackError ?? '');
		if (!answersLikeALiveHook) expect(tested.status).toBe('Error');
		expectNoSecrets('the credential test result', tested);
	});
});

describe('Slack Incoming Webhook (response URL): no response URL in errors, output items or the log', () => {
	const responsePath = `/commands/TLEAK0000/1111/${RESPONSE_URL_SECRET}`;
	const failures: Array<[string, () => string, object?]> = [
		['a host that is not allowed', () => `https://hooks.slack.com.evil.example${responsePath}`],
		['a user name and password in the URL', () => `https://${RESPONSE_URL_SECRET}:x@hooks.slack.com${responsePath}`],
		['a URL that is no URL', () => `hooks.slack.com${responsePath}`],
		['a refused connection', () => `http://127.0.0.1:${refusedPort}${responsePath}`],
		['a TLS certificate that is not trusted', () => `https://127.0.0.1:${tls.port}${responsePath}`],
		['a timeout', () => `http://127.0.0.1:${slack.port}${responsePath}`, { stall: true }],
		['an answer that quotes the URL', () => `http://127.0.0.1:${slack.port}${responsePath}`, { echo: true }],
		['a bare 404', () => `http://127.0.0.1:${slack.port}${responsePath}`, { notFound: true }],
		...echoFailures(() => `http://127.0.0.1:${slack.port}${responsePath}`),
		...['used_url', 'expired_url'].map((error): [string, () => string, object] => [`Slack's ${error}`, () => `http://127.0.0.1:${slack.port}${responsePath}`, { slackError: error }]),
	];

	it.each(failures)('for %s', async (_name, responseUrl, scenario = {}) => {
		slack.reset();
		const play = scenario as { stall?: boolean; echo?: boolean; notFound?: boolean; slackError?: string; says?: (path: string, port: number) => string; reply?: number };
		if (play.stall) slack.respondWith(() => ({ stall: true }));
		else if (play.says) slack.respondWith((request) => ({ reply: play.reply!, body: play.says!(request.path, slack.port) }));
		else if (play.echo) slack.respondWith((request) => ({ reply: 400, body: `bad request to ${request.path} (http://127.0.0.1:${slack.port}${request.path})` }));
		else if (play.notFound) slack.respondWith(() => ({ reply: 404, body: 'Not Found' }));
		else if (play.slackError) slack.respondWith(() => answer.slackError(404, play.slackError!));

		const allowed = `http://127.0.0.1:${slack.port}, 127.0.0.1:${tls.port}, http://127.0.0.1:${refusedPort}`;
		const parameters = { authentication: 'none', text: 'Secret check', options: { timeout: play.stall ? 1 : 10, maxRetries: 1, allowedResponseUrlHosts: allowed } };
		const items = [{ json: { response_url: responseUrl() } }];

		const succeeds = play.reply === 200;
		const failed = await runNode({ parameters, items });
		if (succeeds) expect(failed.output?.[0].json.ok).toBe(true);
		else expect(failed.error?.message).toMatch(/\(item 0(, field "Response URL")?\)$/);
		expectNoSecrets('the recorded error', failed.error);
		expectNoSecrets('the output', failed.output);
		expectNoSecrets('the run result', failed.run.data.resultData);

		const continued = await runNode({ parameters, items, continueOnFail: true });
		expect(continued.output?.[0].json.ok).toBe(succeeds);
		expectNoSecrets('the error item', continued.output);
	});
});

describe('Slack Outgoing Webhook Trigger: no secret in answers, output or the log', () => {
	const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
	let ts = 1_600_000_000;
	const post = (overrides: Record<string, string> = {}) => form({ ...seedOutgoingWebhookPost(TOKEN), timestamp: `${++ts}.000100`, ...overrides });
	const signed = (body: string, { secret = SIGNING_SECRET, age = 0 } = {}) => {
		const timestamp = String(Math.floor(Date.now() / 1000) - age);
		const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
		return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
	};

	beforeEach(() => {
		trigger.calls.length = 0;
		trigger.parameters = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'Reply' };
		trigger.credentials = { slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: SIGNING_SECRET, allowedTeamIds: 'T0001' } };
	});

	const cases: Array<[string, () => { body: string; headers: Record<string, string> }, number]> = [
		['a wrong token', () => { const body = post({ token: 'wrong-token' }); return { body, headers: signed(body) }; }, 401],
		['a missing token', () => { const body = post({ token: '' }); return { body, headers: signed(body) }; }, 401],
		['a bad signature', () => { const body = post(); return { body, headers: signed(body, { secret: 'another-secret' }) }; }, 401],
		['a stale timestamp', () => { const body = post(); return { body, headers: signed(body, { age: 6 * 60 }) }; }, 401],
		['a missing signature', () => ({ body: post(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 401],
		['a team that is not allowed', () => { const body = post({ team_id: 'T9999' }); return { body, headers: signed(body) }; }, 403],
		['a valid request (the token must not reach the output)', () => { const body = post(); return { body, headers: signed(body) }; }, 200],
	];

	it.each(cases)('for %s', async (_name, request, status) => {
		const { body, headers } = request();
		const response = await fetch(trigger.url, { method: 'POST', body, headers });
		const text = await response.text();
		expect(response.status).toBe(status);
		expectNoSecrets('the answer', `${text} ${JSON.stringify([...response.headers])}`);
		expectNoSecrets('what the node returned', trigger.calls);
		expect(trigger.calls.some((call) => call.started !== undefined)).toBe(status === 200);
	});

	// Last in the file: it reads what every test above made n8n log. It sends a wrong token and a
	// stale signature itself, so the lines it looks for are there when it runs alone too.
	it("n8n's debug log holds the lines n8n wrote during these tests, and none of the secrets", async () => {
		for (const [, request] of [cases[0], cases[3]]) {
			const { body, headers } = request();
			await fetch(trigger.url, { method: 'POST', body, headers });
		}
		const log = await readN8nLog(/signature stale/);
		// The capture works: the trigger logged its refusals here, and n8n-core its executions.
		expect(log).toContain('Slack Outgoing Webhook Trigger refused a request: wrong token');
		expect(log).toContain('signature stale');
		expectNoSecrets(`n8n's log (${n8nLogFile})`, log);
	});
});
