/**
 * Runs last, against the n8n every other suite has used: drives the action through each network
 * failure (malformed URL, unknown host, untrusted TLS certificate, timeout) and the trigger through
 * a stale signature, then searches n8n's debug log and every file n8n keeps (its SQLite database
 * with the stored executions among them) for the webhook URL's secret path, the token and the
 * signing secret, and for those "Add to Slack" stored. A slash command's response URL is searched
 * for in the log and in what the action stored; n8n keeps it in the trigger's stored output, as
 * Slack sent it, like any field of an item.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import { startUntrustedTlsServer, type UntrustedTlsServer } from '../helpers/tls-server';
import { LATE_REPLY, sendSigned, slashCommandAnsweredAt, storedStringsHolding } from './late-reply';
import { eventually, n8nLogs, newestExecutionAfter, post, requiredEnv } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

/** Each failing credential's workflow, from test/harness/fixtures/e2e.mjs (passed on by scripts/e2e.mjs). */
const FAILURE_WORKFLOWS = JSON.parse(requiredEnv('E2E_FAILURE_WORKFLOWS')) as Record<string, string>;
const SECRETS = [
	E2E.webhookSecretPath,
	'e2e-secret-path-not-real',
	E2E.token,
	E2E.signingSecret,
	// "Add to Slack" (oauth.e2e): the app's client secret, and the token and webhook URL Slack gave.
	E2E.oauthClientSecret,
	E2E.oauthAccessToken,
	'e2e-oauth-secret-path-not-real',
	// Socket Mode (socket-mode.e2e): the app-level token.
	E2E.socketModeAppToken,
];

let slack: SlackWebhookServer;
let tls: UntrustedTlsServer;
beforeAll(async () => {
	slack = new SlackWebhookServer();
	slack.webhookPath = `/services/${E2E.webhookSecretPath}`;
	slack.respondWith(() => ({ stall: true }));
	await slack.start(Number(requiredEnv('E2E_SLACK_PORT')));
	tls = await startUntrustedTlsServer(Number(requiredEnv('E2E_TLS_PORT')));
});
afterAll(async () => {
	await slack.stop();
	await tls.stop();
});

const EXPECTED_ERRORS: Record<string, string> = {
	malformed: 'The webhook URL in the credential is not an http(s) URL',
	unknownHost: 'The webhook host name could not be resolved (DNS)',
	untrustedTls: "The webhook host's TLS certificate was not accepted",
	timeout: 'No answer from the webhook in time (after the message was sent)',
};

describe('secrets in the real n8n', () => {
	it.each(Object.keys(FAILURE_WORKFLOWS))('the action fails on %s with a clear error and no secret in the stored execution', async (kind) => {
		const reply = await post(`/webhook/e2e-fail-${kind}`, '{}', { 'content-type': 'application/json' });
		expect(reply.status).toBe(500);
		for (const secret of SECRETS) expect(reply.body).not.toContain(secret);
		const failed = await newestExecutionAfter(FAILURE_WORKFLOWS[kind], 0);
		expect(failed.status).toBe('error');
		expect(failed.data).toContain(EXPECTED_ERRORS[kind]);
		for (const secret of SECRETS) expect(failed.data).not.toContain(secret);
	});

	it('the trigger refuses a stale signature with 401 and an empty body', async () => {
		const body = new URLSearchParams({ token: E2E.token, team_id: 'T0001', channel_id: 'C1', user_id: 'U1', user_name: 'Steve', command: '/weather', text: 'Berlin', trigger_id: `${Date.now()}.1.stale` }).toString();
		const timestamp = String(Math.floor(Date.now() / 1000) - 6 * 60);
		const signature = `v0=${createHmac('sha256', E2E.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
		const reply = await post('/webhook/e2e-signed/slack', body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature });
		expect(reply).toEqual({ status: 401, body: '' });
	});

	it('a late answer whose response URL times out fails with a clear error that does not repeat the URL', async () => {
		const { body, responseUrl } = slashCommandAnsweredAt(slack.port);
		const reply = await sendSigned(LATE_REPLY.allowed.webhookId, body);
		expect(reply.status).toBe(200);
		expect(reply.body).not.toContain(E2E.responseUrlSecret);
		const failed = await eventually(async () => {
			const newest = await newestExecutionAfter(LATE_REPLY.allowed.workflowId, 0);
			return newest.status === 'error' ? newest : undefined;
		}, 40_000);
		expect(storedStringsHolding(failed.data, 'No answer from the webhook in time')).not.toEqual([]);
		expect(storedStringsHolding(failed.data, E2E.responseUrlSecret)).toEqual([responseUrl]);
	});

	it("leaves no secret in n8n's debug log, the response URL included", () => {
		const log = n8nLogs();
		// The log is the real one: it holds the failures just provoked.
		expect(log).toContain(EXPECTED_ERRORS.unknownHost);
		for (const secret of [...SECRETS, E2E.responseUrlSecret]) expect(log).not.toContain(secret);
	});

	it('saw n8n try no host name but the unresolvable one the action test uses (loopback only)', () => {
		const log = n8nLogs();
		const lookups = [...log.matchAll(/(?:ENOTFOUND|EAI_AGAIN) ([a-z0-9.-]+)/g)].map((match) => match[1]);
		expect(lookups.filter((host) => !/^n{64}\.example$/.test(host))).toEqual([]);
	});

	it('leaves no secret in any file n8n keeps: its database (stored executions, encrypted credentials) and the rest', () => {
		const n8nFolder = join(requiredEnv('E2E_N8N_USER_FOLDER'), '.n8n');
		const files = filesUnder(n8nFolder, (path) => !path.includes(`${join('nodes', 'node_modules')}`));
		const database = files.find((file) => file.endsWith('database.sqlite'));
		expect(database).toBeDefined();
		// Each file is read once. SQLite's rollback journal exists only while n8n writes (1.x), so
		// a file listed a moment ago may be gone: it is read if it is still there.
		const contents = files.flatMap((file) => {
			try {
				return [{ file, content: readFileSync(file) }];
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
				throw error;
			}
		});
		// The database (with its write-ahead log) holds what the suites did: the failures above are stored in it.
		expect(contents.some(({ content }) => content.includes(EXPECTED_ERRORS.untrustedTls))).toBe(true);
		for (const secret of SECRETS) {
			const leaks = contents.filter(({ content }) => content.includes(secret)).map(({ file }) => file);
			expect({ secret, leaks }).toEqual({ secret, leaks: [] });
		}
	});
});

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (!keep(path)) return [];
		return statSync(path).isDirectory() ? filesUnder(path, keep) : [path];
	});
}
