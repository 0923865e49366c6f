import type { ICredentialTestFunctions, INodeExecutionData } from 'n8n-workflow';

import { SlackIncomingWebhook } from '../../../nodes/SlackIncomingWebhook/SlackIncomingWebhook.node';
import { runNode } from '../../helpers/n8n-harness';
import { serializeDeep } from '../../helpers/serialize';
import { answer, SlackWebhookServer } from '../../helpers/slack-webhook-server';

let server: SlackWebhookServer;
beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const SECRET = 'test-secret-path-0000';
const credentials = () => ({ slackWebhooksIncomingUrlApi: { webhookUrl: server.url } });
const items = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n } }));
/** No test here is about timeouts: a generous one, so a machine busy for a second or two cannot fail a message. */
const fastOptions = { timeout: 10, maxRateLimitWait: 20 };

function expectNoSecret(value: unknown) {
	expect(serializeDeep(value)).not.toContain(SECRET);
}

describe('Slack Incoming Webhook node, run by n8n-core', () => {
	it('posts one message per item, resolving expressions per item, and outputs the delivery', async () => {
		const { output, error } = await runNode({
			parameters: { text: '=Report {{ $json.n }}', options: fastOptions },
			credentials: credentials(),
			items: items(3),
		});
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => request.json)).toEqual([{ text: 'Report 0' }, { text: 'Report 1' }, { text: 'Report 2' }]);
		expect(output).toEqual([0, 1, 2].map((n) => ({
			json: { ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0, parts: 1 },
			pairedItem: { item: n },
		})));
	});

	it('sends blocks, attachments from the fields, a thread reply and the legacy overrides as Slack expects', async () => {
		const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Hi*' } }];
		await runNode({
			parameters: {
				text: 'Fallback',
				blocksJson: JSON.stringify({ blocks }),
				attachmentsInput: 'fields',
				attachments: {
					attachment: [{ color: '#36a64f', title: 'Build', fields: { field: [{ title: 'Status', value: 'green', short: true }] }, ts: 0 }],
				},
				thread: { threadTs: '={{ $json.ts }}', replyBroadcast: true },
				overrides: { channel: 'C8UJ12P4P', username: 'ghost-bot', iconEmoji: ':ghost:', iconUrl: 'https://example.com/g.png' },
				formatting: { mrkdwn: false, unfurlLinks: false },
				options: fastOptions,
			},
			credentials: credentials(),
			items: [{ json: { ts: '1504640714.003540' } }],
		});
		expect(server.posted[0].json).toEqual({
			text: 'Fallback',
			blocks,
			attachments: [{ color: '#36a64f', title: 'Build', fields: [{ title: 'Status', value: 'green', short: true }] }],
			mrkdwn: false,
			unfurl_links: false,
			thread_ts: '1504640714.003540',
			reply_broadcast: true,
			channel: 'C8UJ12P4P',
			username: 'ghost-bot',
			icon_emoji: ':ghost:',
			icon_url: 'https://example.com/g.png',
		});
		// The exact digits, as a string: not 1504640714.00354.
		expect(server.posted[0].rawBody).toContain('"thread_ts":"1504640714.003540"');
	});

	it('evaluates expressions inside collections per item, and constant parameters once', async () => {
		await runNode({
			parameters: { text: 'same text', thread: { threadTs: '={{ $json.ts }}' }, overrides: { username: 'constant-bot' }, options: fastOptions },
			credentials: credentials(),
			items: [{ json: { ts: '1504640714.000001' } }, { json: { ts: '1504640714.000002' } }],
		});
		expect(server.posted.map((request) => request.json)).toEqual([
			{ text: 'same text', thread_ts: '1504640714.000001', username: 'constant-bot' },
			{ text: 'same text', thread_ts: '1504640714.000002', username: 'constant-bot' },
		]);
	});

	it('sends attachments given as JSON', async () => {
		await runNode({
			parameters: { attachmentsInput: 'json', attachmentsJson: '[{"text": "Attachment here", "color": "#36a64f"}]', options: fastOptions },
			credentials: credentials(),
		});
		expect(server.posted[0].json).toEqual({ attachments: [{ text: 'Attachment here', color: '#36a64f' }] });
	});

	it('checks every item before sending any, and names the item and the field', async () => {
		const { output, error } = await runNode({
			parameters: { text: 'x', blocksJson: '={{ $json.n === 2 ? "[{broken" : "" }}', options: fastOptions },
			credentials: credentials(),
			items: items(4),
		});
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(/^Blocks is not valid JSON: .* \(item 2, field "Blocks"\)$/);
		expect(server.received).toHaveLength(0);
	});

	it('with continueOnFail, outputs the bad item as an error and sends the others', async () => {
		const { output, error } = await runNode({
			parameters: { text: '={{ $json.n === 1 ? "" : "ok " + $json.n }}', options: fastOptions },
			credentials: credentials(),
			items: items(3),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output?.map((item) => item.json.ok)).toEqual([true, false, true]);
		expect(output?.[1].json.error).toMatch(/Nothing to send.*\(item 1, field "Text"\)/);
		expect(output?.[1].pairedItem).toEqual({ item: 1 });
		expect(server.posted.map((request) => request.json?.text)).toEqual(['ok 0', 'ok 2']);
	});

	it('turns a Slack error into a NodeApiError a person understands, with the URL redacted', async () => {
		server.respondWith(() => answer.slackError(410, 'channel_is_archived'));
		const { error, run } = await runNode({ parameters: { text: 'x', options: fastOptions }, credentials: credentials() });
		expect(error?.message).toBe('The channel this webhook posts to is archived (Slack: channel_is_archived) (item 0)');
		expect(error?.description).toMatch(/Unarchive the channel/);
		expect(error?.description).not.toMatch(/Add to Slack/);
		expect(error?.description).toContain(`http://127.0.0.1:${server.port}/services/***`);
		expect((error as unknown as { httpCode: string }).httpCode).toBe('410');
		expectNoSecret(error);
		expectNoSecret(run.data);
	});

	it('without continueOnFail, stops at the first failure and sends nothing after it, to keep the order', async () => {
		server.respondWith(({ index }) => (index === 1 ? answer.slackError(400, 'invalid_payload') : answer.ok()));
		const { error } = await runNode({ parameters: { text: '={{ $json.n }}', options: fastOptions }, credentials: credentials(), items: items(5) });
		expect(error?.message).toMatch(/\(item 1\)$/);
		expect(error?.description).toContain('3 later item(s) were not sent, to keep the order.');
		expect(server.received.map((request) => request.json?.text)).toEqual(['0', '1']);
	});

	it('with continueOnFail, reports an undelivered message as an error item and goes on', async () => {
		server.respondWith(({ index }) => (index === 1 ? { reply: 500 } : answer.ok()));
		const { output } = await runNode({
			parameters: { text: '={{ $json.n }}', options: fastOptions },
			credentials: credentials(),
			items: items(3),
			continueOnFail: true,
		});
		expect(output?.[1].json).toMatchObject({ ok: false, code: 'MAY_HAVE_BEEN_POSTED', status: 500, mayHaveBeenPosted: true, attempts: 1 });
		expect(output?.[2].json.ok).toBe(true);
		expectNoSecret(output);
	});

	it('delivers 40 items through 429s, in order, none lost or duplicated', async () => {
		// One request in six answered 429, whatever the pace: the storms come by construction.
		server.respondWith((request) => (request.index % 6 === 2 ? answer.rateLimited('0.05') : answer.ok()));
		const { output, error } = await runNode({ parameters: { text: '={{ $json.n }}', options: fastOptions }, credentials: credentials(), items: items(40) });
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => Number(request.json?.text))).toEqual(Array.from({ length: 40 }, (_, n) => n));
		expect(server.received.length).toBeGreaterThan(40);
		expect(output).toHaveLength(40);
	});

	it('with Ordered Delivery off, sends several at once and still delivers each exactly once', async () => {
		server.respondWith(() => ({ reply: 200, body: 'ok', delayMs: 30 }));
		const { output } = await runNode({
			parameters: { text: '={{ $json.n }}', options: { ...fastOptions, orderedDelivery: false, concurrency: 8 } },
			credentials: credentials(),
			items: items(32),
		});
		const texts = server.posted.map((request) => Number(request.json?.text)).sort((a, b) => a - b);
		expect(texts).toEqual(Array.from({ length: 32 }, (_, n) => n));
		expect(output?.map((item) => item.pairedItem)).toEqual(Array.from({ length: 32 }, (_, n) => ({ item: n })));
		// Several in flight: the server held a request's answer (30 ms) while another arrived, which
		// one request at a time cannot do. Counted by the server, not read from clocks: a busy machine
		// only holds each answer longer.
		expect(server.mostAwaitingAnswer).toBeGreaterThan(1);
	});
});

describe('credential test', () => {
	const test = (webhookUrl: string) =>
		new SlackIncomingWebhook().methods.credentialTest.slackIncomingWebhookTest.call({} as ICredentialTestFunctions, {
			id: '1',
			name: 'Test',
			type: 'slackWebhooksIncomingUrlApi',
			data: { webhookUrl },
		});

	it('reports a live hook as valid without posting a message', async () => {
		server.respondWith((request) => (request.json && Object.keys(request.json).length === 0 ? answer.slackError(400, 'no_text') : answer.ok()));
		expect(await test(server.url)).toEqual({ status: 'OK', message: 'Webhook is valid' });
		expect(server.received[0].json).toEqual({});
		expect(server.posted).toHaveLength(0);
	});

	it('says what is wrong with a revoked hook, without the URL', async () => {
		server.respondWith(() => answer.slackError(404, 'no_service'));
		const result = await test(server.url);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/disabled, removed or invalid \(Slack: no_service\)/);
		expect(result.message).not.toContain(SECRET);
	});

	it('refuses a URL that is not http(s)', async () => {
		expect((await test('hooks.slack.com/services/x')).status).toBe('Error');
	});
});
