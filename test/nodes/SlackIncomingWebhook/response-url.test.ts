/**
 * Answering a slash command later through its response URL: the checks on the URL (pure), and
 * the node run by n8n-core against a real HTTP server on 127.0.0.1 standing in for the response
 * URL (allowed through Allowed Response URL Hosts, as a test or Mattermost server would be).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { redactWebhookUrl } from '../../../nodes/shared/redact';
import { SLACK_LIMITS, SLACK_RESPONSE_URL, SLACK_WEBHOOK_ERRORS } from '../../../nodes/shared/slack';
import {
	describeDeliveryFailure,
	parseAllowedOrigins,
	RESPONSE_URL_GONE,
	responseUrlMessage,
	responseUrlDestination,
	type Destination,
} from '../../../nodes/shared/sending/destination';
import { AUTHENTICATION } from '../../../nodes/SlackIncomingWebhook/description';
import { ResponseUrlUses, reserveResponseUrlMessages } from '../../../nodes/shared/sending/response-url-uses';
import { runNode } from '../../helpers/n8n-harness';
import { RefusingProxy } from '../../helpers/refusing-proxy';
import { serializeDeep } from '../../helpers/serialize';
import { answer, SlackWebhookServer } from '../../helpers/slack-webhook-server';

const SECRET = 'resp-secret-not-real';
const slackUrl = (kind = 'commands') => `https://hooks.slack.com/${kind}/T0RESP000/1234567890/${SECRET}`;

describe('responseUrlDestination: which response URLs the node posts to', () => {
	it.each([
		['a slash command', slackUrl('commands')],
		['an interactive message', slackUrl('actions')],
		['a shortcut or modal', slackUrl('app')],
		['the explicit default port and upper-case host', `https://HOOKS.SLACK.COM:443/commands/T0RESP000/1/${SECRET}`],
		['surrounding white space', `  ${slackUrl()}\n`],
	])("accepts Slack's response URL of %s", (_case, url) => {
		expect(responseUrlDestination(url, [])).toEqual({ source: 'responseUrl', url: new URL(url.trim()).href, slack: true });
	});

	it.each([
		['plain http', `http://hooks.slack.com/commands/T0/1/${SECRET}`, /is not a Slack response URL/],
		['another port', `https://hooks.slack.com:8443/commands/T0/1/${SECRET}`, /is not a Slack response URL/],
		['an incoming webhook path', `https://hooks.slack.com/services/T0/B0/${SECRET}`, /is not a Slack response URL/],
		['a path that leaves /commands/ through ..', `https://hooks.slack.com/commands/../services/T0/B0/${SECRET}`, /is not a Slack response URL/],
		['an encoded path kind', `https://hooks.slack.com/%63ommands/T0/1/${SECRET}`, /is not a Slack response URL/],
		['a bare kind without the rest', 'https://hooks.slack.com/commands/', /is not a Slack response URL/],
		['a look-alike host', `https://hooks.slack.com.evil.example/commands/T0/1/${SECRET}`, /host is not allowed: https:\/\/hooks\.slack\.com\.evil\.example\/commands\/\*\*\*/],
		['a trailing-dot host', `https://hooks.slack.com./commands/T0/1/${SECRET}`, /host is not allowed/],
		['Slack in the path of another host', `https://evil.example/hooks.slack.com/commands/${SECRET}`, /host is not allowed: https:\/\/evil\.example\/\*\*\*/],
		['Slack as user info before another host', `https://hooks.slack.com@evil.example/commands/T0/1/${SECRET}`, /contains a user name or password/],
		['user info before Slack', `https://user:${SECRET}@hooks.slack.com/commands/T0/1/x`, /contains a user name or password/],
		['a javascript: URL', 'javascript:alert(1)', /host is not allowed/],
		['text that is no URL', `hooks.slack.com/commands/${SECRET}`, /is not a URL/],
		['an empty value', '', /has no response URL/],
		['a value that is not text', 42, /has no response URL/],
	])('refuses %s, without quoting the URL', (_case, url, message) => {
		let error: unknown;
		try {
			responseUrlDestination(url, []);
		} catch (caught) {
			error = caught;
		}
		expect(error).toMatchObject({ field: 'Response URL', message: expect.stringMatching(message) });
		expect(serializeDeep(error)).not.toContain(SECRET);
	});

	it('accepts any path on an allowed origin, and only on that origin (scheme, host and port)', () => {
		const allowed = parseAllowedOrigins('http://127.0.0.1:8065, chat.example.com');
		expect(responseUrlDestination(`http://127.0.0.1:8065/hooks/${SECRET}`, allowed)).toMatchObject({ slack: false });
		expect(responseUrlDestination(`https://chat.example.com/hooks/commands/${SECRET}`, allowed)).toMatchObject({ slack: false });
		expect(() => responseUrlDestination(`http://127.0.0.1:8066/hooks/${SECRET}`, allowed)).toThrow(/host is not allowed/);
		expect(() => responseUrlDestination(`https://127.0.0.1:8065/hooks/${SECRET}`, allowed)).toThrow(/host is not allowed/);
		expect(() => responseUrlDestination(`http://chat.example.com/hooks/${SECRET}`, allowed)).toThrow(/host is not allowed/);
		expect(() => responseUrlDestination(`https://chat.example.com:8443/hooks/${SECRET}`, allowed)).toThrow(/host is not allowed/);
		expect(() => responseUrlDestination(`https://user@chat.example.com/hooks/${SECRET}`, allowed)).toThrow(/user name or password/);
	});
});

describe('parseAllowedOrigins', () => {
	it('reads hosts, host:port and http:// entries, separated by commas or new lines, as origins', () => {
		expect(parseAllowedOrigins(' chat.example.com ,http://127.0.0.1:8065\nMM.Example.org:8443,, https://x.example:443 ')).toEqual([
			'https://chat.example.com',
			'http://127.0.0.1:8065',
			'https://mm.example.org:8443',
			'https://x.example',
		]);
		expect(parseAllowedOrigins('')).toEqual([]);
		expect(parseAllowedOrigins(undefined)).toEqual([]);
	});

	it.each(['chat.example.com/hooks', 'user@chat.example.com', 'ftp://chat.example.com', 'http://', 'chat.example.com?x=1', '*.example.com', 'https://*.example.com', 'a.com;b.com', 'a.com b.com', 'chat.example.com.'])(
		'refuses "%s", naming the entry, the field and the accepted form',
		(entry) => {
			expect(() => parseAllowedOrigins(`ok.example.com, ${entry}`)).toThrow(
				expect.objectContaining({
					field: 'Allowed Response URL Hosts',
					message: `"${entry}" in Allowed Response URL Hosts is not a host`,
					hint: expect.stringMatching(/separated by commas or new lines.*Wildcards such as \*\.example\.com are not supported/),
				}),
			);
		},
	);

	it('accepts IP addresses, IPv6 literals and container names with underscores', () => {
		expect(parseAllowedOrigins('10.0.0.2:8065, [::1]:8443, http://my_mattermost:8065')).toEqual(['https://10.0.0.2:8065', 'https://[::1]:8443', 'http://my_mattermost:8065']);
	});
});

describe('ResponseUrlUses: the messages a Slack response URL has left, in this process', () => {
	const uses = () => new ResponseUrlUses();
	const thrown = (run: () => unknown): unknown => {
		try {
			run();
		} catch (error) {
			return error;
		}
		throw new Error('expected a refusal');
	};

	it(`counts one URL however it is written: fragment, case of the host, default port, .. and doubled slashes`, () => {
		const count = uses();
		const spellings = [
			`${slackUrl()}#a`,
			slackUrl().replace('hooks.slack.com', 'HOOKS.Slack.com:443'),
			slackUrl().replace('/commands/', '/commands//'),
			slackUrl().replace('/1234567890/', '/other/../1234567890/'),
			`${slackUrl()}#e`,
		];
		for (const url of spellings) count.reserve(url, 1).settle(1);
		expect(count.left(slackUrl())).toBe(0);
		const error = thrown(() => count.reserve(`${slackUrl()}#f`, 1));
		expect(error).toMatchObject({ field: 'Response URL', message: expect.stringContaining(`needs 1 message but the response URL https://hooks.slack.com/commands/*** has 0 of Slack's ${SLACK_RESPONSE_URL.maxUses} left`) });
		expect(serializeDeep(error)).not.toContain(SECRET);
		expect(count.left(slackUrl('actions'))).toBe(SLACK_RESPONSE_URL.maxUses);
	});

	it('keeps counting only what was sent: a reservation settled with fewer parts gives the rest back, and settles once', () => {
		const count = uses();
		const reservation = count.reserve(slackUrl(), 4);
		expect(count.left(slackUrl())).toBe(1);
		reservation.settle(1);
		reservation.settle(0);
		expect(count.left(slackUrl())).toBe(4);
	});

	it('refuses an answer longer than the messages left, with the number of parts, the number left, and advice that fits', () => {
		const count = uses();
		count.reserve(slackUrl(), 3).settle(3);
		const error = thrown(() => count.reserve(slackUrl(), 7)) as { field: string; message: string; hint: string };
		expect(error.field).toBe('Text');
		expect(error.message).toMatch(/needs 7 messages .* has 2 of Slack's 5 left/);
		expect(error.hint).toMatch(/Nothing of this item was sent\. Shorten it to fit in 2 messages \(80,000 characters of text\), or send it as a message to an incoming webhook/);
		expect(count.left(slackUrl())).toBe(2);
	});

	it(`forgets a URL ${SLACK_RESPONSE_URL.lifetimeMinutes} minutes after its first use, when Slack refuses it anyway, and keeps at most the URLs it may`, () => {
		let now = 0;
		const count = new ResponseUrlUses(() => now, 2);
		count.reserve(slackUrl(), 5).settle(5);
		now = SLACK_RESPONSE_URL.lifetimeMinutes * 60_000 + 1;
		expect(() => count.reserve(slackUrl('actions'), 1).settle(1)).not.toThrow();
		expect(count.left(slackUrl())).toBe(SLACK_RESPONSE_URL.maxUses);
		count.reserve(slackUrl('app'), 1).settle(1);
		count.reserve(`${slackUrl()}-3`, 1).settle(1);
		count.reserve(`${slackUrl()}-4`, 1).settle(1);
		expect(count.left(slackUrl('actions'))).toBe(SLACK_RESPONSE_URL.maxUses);
	});

	it('counts only Slack response URLs: another allowed host sets its own rules, a webhook has none', () => {
		const count = uses();
		for (let use = 0; use < 10; use++) {
			reserveResponseUrlMessages({ source: 'responseUrl', url: `http://127.0.0.1:1/commands/${SECRET}`, slack: false }, 1, count).settle(1);
			reserveResponseUrlMessages({ source: 'url', url: `https://hooks.slack.com/services/T/B/${SECRET}` }, 1, count).settle(1);
		}
		expect(count.left(`http://127.0.0.1:1/commands/${SECRET}`)).toBe(SLACK_RESPONSE_URL.maxUses);
	});
});

describe('responseUrlMessage', () => {
	const build = () => ({ text: 'Done' });
	it("adds response_type (Slack's default ephemeral) and replace_original", () => {
		expect(responseUrlMessage({}, build)).toEqual({ text: 'Done', response_type: 'ephemeral', replace_original: false });
		expect(responseUrlMessage({ responseType: 'in_channel', replaceOriginal: true }, build)).toEqual({ text: 'Done', response_type: 'in_channel', replace_original: true });
	});
	it('sends only delete_original when deleting, without building the message', () => {
		expect(responseUrlMessage({ deleteOriginal: true }, () => { throw new Error('not built'); })).toEqual({ delete_original: true });
	});
	it('refuses a response type Slack does not know, naming the field', () => {
		expect(() => responseUrlMessage({ responseType: 'comment' }, build)).toThrow(expect.objectContaining({ field: 'Response Type' }));
	});
});

describe('Slack facts about spent response URLs', () => {
	it('the error table says what happened, the limit, and that retrying will not help', () => {
		expect(SLACK_WEBHOOK_ERRORS.expired_url).toMatchObject({ retryCanHelp: false, message: expect.stringContaining(`${SLACK_RESPONSE_URL.lifetimeMinutes} minutes`) });
		expect(SLACK_WEBHOOK_ERRORS.used_url).toMatchObject({ retryCanHelp: false, message: expect.stringContaining(`at most ${SLACK_RESPONSE_URL.maxUses}`) });
	});

	it('a 404 or 410 without a documented error means the response URL is spent; a webhook keeps the generic advice', () => {
		const responseUrl: Destination = { source: 'responseUrl', url: slackUrl(), slack: true };
		expect(describeDeliveryFailure(responseUrl, { description: 'Create a new one', status: 404, slackError: 'not_found' })).toBe(RESPONSE_URL_GONE);
		expect(describeDeliveryFailure(responseUrl, { description: 'Create a new one', status: 410 })).toBe(RESPONSE_URL_GONE);
		expect(describeDeliveryFailure(responseUrl, { description: 'Too large', status: 413 })).toBe('Too large');
		expect(describeDeliveryFailure({ source: 'url', url: 'x' }, { description: 'Create a new one', status: 404 })).toBe('Create a new one');
		expect(RESPONSE_URL_GONE).toMatch(/Retrying will not help/);
	});
});

describe('redactWebhookUrl on response URLs', () => {
	it("names Slack's response URL kind and hides the rest, user info included", () => {
		expect(redactWebhookUrl(slackUrl())).toBe('https://hooks.slack.com/commands/***');
		expect(redactWebhookUrl(slackUrl('actions'))).toBe('https://hooks.slack.com/actions/***');
		expect(redactWebhookUrl(`https://user:${SECRET}@hooks.slack.com/commands/x`)).toBe('https://hooks.slack.com/commands/***');
	});
	it('hides a first path segment that names no kind of URL: on an allowed host it may be the secret', () => {
		expect(redactWebhookUrl(`http://127.0.0.1:8065/${SECRET}/x`)).toBe('http://127.0.0.1:8065/***');
	});
});

describe('Slack Incoming Webhook node answering through response URLs, run by n8n-core', () => {
	let server: SlackWebhookServer;
	beforeAll(async () => {
		server = await new SlackWebhookServer().start();
	});
	afterAll(async () => server.stop());
	beforeEach(() => server.reset());

	const origin = () => `http://127.0.0.1:${server.port}`;
	const commandUrl = (command: string) => `${origin()}/commands/T0RESP000/${command}/${SECRET}`;
	const fromCommand = (command: string, text: string): INodeExecutionData => ({ json: { command: '/report', text, response_url: commandUrl(command) } });
	const parameters = (extra: Record<string, unknown> = {}) => ({
		authentication: AUTHENTICATION.responseUrl.value,
		text: '=Report for {{ $json.text }}',
		...extra,
		options: { allowedResponseUrlHosts: origin(), timeout: 10, maxRetries: 0, ...((extra.options as object) ?? {}) },
	});

	it("posts each item's answer to the item's own response URL ($json.response_url by default), in order per URL", async () => {
		const { output, error } = await runNode({
			parameters: parameters({ responseType: 'in_channel', replaceOriginal: true }),
			items: [fromCommand('1111', 'north'), fromCommand('2222', 'south'), fromCommand('1111', 'east')],
		});
		expect(error).toBeUndefined();
		const byPath = (command: string) => server.posted.filter((request) => request.path.includes(`/${command}/`)).map((request) => request.json);
		expect(byPath('1111')).toEqual([
			{ text: 'Report for north', response_type: 'in_channel', replace_original: true },
			{ text: 'Report for east', response_type: 'in_channel', replace_original: true },
		]);
		expect(byPath('2222')).toEqual([{ text: 'Report for south', response_type: 'in_channel', replace_original: true }]);
		expect(output).toEqual([0, 1, 2].map((item) => ({ json: { ok: true, status: 200, response: 'ok', attempts: 1, waitedMs: 0, parts: 1 }, pairedItem: { item } })));
		// The URL reached the node as input; the node's own output never carries it.
		expect(serializeDeep(output)).not.toContain(SECRET);
	});

	it('sends a long answer in parts: each with the response type, only the first replacing the original', async () => {
		const lines = Array.from({ length: 3_000 }, (_, line) => `line ${line} ${'x'.repeat(20)}`).join('\n');
		const { output, error } = await runNode({
			parameters: parameters({ text: '={{ $json.text }}', responseType: 'in_channel', replaceOriginal: true }),
			items: [fromCommand('6666', lines)],
		});
		expect(error).toBeUndefined();
		const posted = server.posted.map((request) => request.json as { text: string; response_type: string; replace_original: boolean });
		expect(posted.length).toBeGreaterThan(1);
		expect(posted.map((part) => [part.response_type, part.replace_original])).toEqual(posted.map((_, index) => ['in_channel', index === 0]));
		expect(posted.map((part) => part.text).join('')).toBe(lines);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: posted.length });
	});

	it(`counts every part of a long answer among the ${SLACK_RESPONSE_URL.maxUses} a Slack response URL takes, and sends none past them`, async () => {
		const text = 'y '.repeat((SLACK_LIMITS.maxTextLength * SLACK_RESPONSE_URL.maxUses) / 2 + 100);
		const { error } = await runNode({
			parameters: parameters({ text: '={{ $json.text }}', options: { allowedResponseUrlHosts: '' } }),
			items: [{ json: { text, response_url: `https://hooks.slack.com/commands/T0RESP000/7777/${SECRET}` } }],
		});
		expect(error?.message).toMatch(new RegExp(`needs ${SLACK_RESPONSE_URL.maxUses + 1} messages .* has ${SLACK_RESPONSE_URL.maxUses} of Slack's ${SLACK_RESPONSE_URL.maxUses} left .*\\(item 0, field "Text"\\)`));
		expect(server.received).toEqual([]);
		expect(serializeDeep(error)).not.toContain(SECRET);
	});

	it('deletes the original with delete_original alone, even with no text', async () => {
		const { error } = await runNode({ parameters: parameters({ text: '', deleteOriginal: true }), items: [fromCommand('3333', '')] });
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => request.json)).toEqual([{ delete_original: true }]);
	});

	it('refuses a response URL on a host not allowed before sending anything, naming the item and field', async () => {
		const { error } = await runNode({
			parameters: parameters({ options: { allowedResponseUrlHosts: '' } }),
			items: [fromCommand('4444', 'first'), fromCommand('5555', 'second')],
		});
		expect(server.received).toEqual([]);
		expect(error?.message).toBe(`The response URL's host is not allowed: ${origin()}/commands/*** (item 0, field "Response URL")`);
		expect(error?.description).toMatch(/Nothing was sent.*Allowed Response URL Hosts/);
		expect(serializeDeep(error)).not.toContain(SECRET);
	});

	it('with On Error → Continue, a bad item becomes an error item and the others are answered', async () => {
		const items = [fromCommand('6666', 'good'), { json: { text: 'no url' } }, { json: { text: 'evil', response_url: `https://evil.example/commands/${SECRET}` } }];
		const { output, error } = await runNode({ parameters: parameters(), items, continueOnFail: true });
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => request.json?.text)).toEqual(['Report for good']);
		expect(output?.map((item) => [item.json.ok, item.json.error, item.pairedItem])).toEqual([
			[true, undefined, { item: 0 }],
			[false, 'The item has no response URL (item 1, field "Response URL")', { item: 1 }],
			[false, 'The response URL\'s host is not allowed: https://evil.example/commands/*** (item 2, field "Response URL")', { item: 2 }],
		]);
		expect(serializeDeep(output)).not.toContain(SECRET);
	});

	it.each(['used_url', 'expired_url'])("turns Slack's %s into a plain message that says retrying will not help, sent once", async (slackError) => {
		server.respondWith(() => answer.slackError(404, slackError));
		const { output } = await runNode({ parameters: parameters({ options: { maxRetries: 3 } }), items: [fromCommand('7777', 'late')], continueOnFail: true });
		expect(server.received).toHaveLength(1);
		expect(output?.[0].json).toMatchObject({
			ok: false,
			error: `${SLACK_WEBHOOK_ERRORS[slackError].message} (Slack: ${slackError}) (item 0)`,
			description: expect.stringContaining('Sending the same message again will not help'),
			retryCanHelp: false,
			mayHaveBeenPosted: false,
		});
		expect(serializeDeep(output)).not.toContain(SECRET);
	});

	it('explains a bare 404 from a response URL as a spent URL, not as a webhook to recreate', async () => {
		server.respondWith(() => ({ reply: 404, body: 'Not Found' }));
		const { error } = await runNode({ parameters: parameters(), items: [fromCommand('8888', 'late')] });
		expect(error?.description).toBe(RESPONSE_URL_GONE);
		expect(serializeDeep(error)).not.toContain(SECRET);
	});

	it('does not send again after a failure that may have posted the answer, unless allowed', async () => {
		server.respondWith(() => ({ resetAfterBody: true, posted: true }));
		const { error } = await runNode({ parameters: parameters({ options: { maxRetries: 3 } }), items: [fromCommand('9999', 'once')] });
		expect(server.received).toHaveLength(1);
		expect(error?.message).toMatch(/\(item 0\)$/);
		expect(error?.description).toMatch(/may have been posted/);
		expect(serializeDeep(error)).not.toContain(SECRET);
	});
});

describe(`Slack's ${SLACK_RESPONSE_URL.maxUses} messages per response URL, run by n8n-core`, () => {
	// Requests to Slack's host go through HTTPS_PROXY to a proxy on 127.0.0.1 that refuses every
	// tunnel: each message sent is seen there, and none leaves the machine or is posted.
	let proxy: RefusingProxy;
	const savedProxy = process.env.HTTPS_PROXY;
	beforeAll(async () => {
		proxy = await new RefusingProxy().start();
		process.env.HTTPS_PROXY = proxy.url;
	});
	afterAll(async () => {
		if (savedProxy === undefined) delete process.env.HTTPS_PROXY;
		else process.env.HTTPS_PROXY = savedProxy;
		await proxy.stop();
	});
	beforeEach(() => {
		proxy.tunnels.length = 0;
	});

	const commandUrl = (command: string) => `https://hooks.slack.com/commands/T0RESP000/${command}/${SECRET}`;
	/** Text that Slack takes in `parts` messages. */
	const textOfParts = (parts: number) => (parts === 1 ? 'short' : 'y '.repeat(((parts - 1) * SLACK_LIMITS.maxTextLength + 1000) / 2));
	const run = (items: INodeExecutionData[], options: object = {}) =>
		runNode({ parameters: { authentication: AUTHENTICATION.responseUrl.value, text: '={{ $json.text }}', options: { timeout: 10, maxRetries: 0, ...options } }, items, continueOnFail: true });

	it('with On Error → Continue, an item refused for want of messages uses none: items of 2, 2, 2 and 1 parts, the third is refused, the fourth goes', async () => {
		const { output } = await run([2, 2, 2, 1].map((parts) => ({ json: { text: textOfParts(parts), response_url: commandUrl('2221') } })));
		expect(output?.[2].json.error).toMatch(/needs 2 messages .* has 1 of Slack's 5 left .*\(item 2, field "Text"\)$/);
		expect(output?.[2].json.description).toMatch(/^Nothing of this item was sent\. Shorten it to fit in 1 message \(40,000 characters of text\)/);
		// The fourth was sent (and refused by the proxy), not refused as "message 7".
		expect(output?.[3].json).toMatchObject({ ok: false, mayHaveBeenPosted: false });
		expect(output?.[3].json.error).not.toMatch(/left|message 7/);
		expect(proxy.tunnels).toEqual(['hooks.slack.com:443', 'hooks.slack.com:443', 'hooks.slack.com:443']);
		expect(serializeDeep(output)).not.toContain(SECRET);
	});

	it('counts one response URL however its fragment reads: URL#a to URL#f, the sixth is refused', async () => {
		const { output } = await run(['a', 'b', 'c', 'd', 'e', 'f'].map((fragment) => ({ json: { text: 'hi', response_url: `${commandUrl('3333')}#${fragment}` } })));
		expect(proxy.tunnels).toHaveLength(SLACK_RESPONSE_URL.maxUses);
		expect(output?.[5].json.error).toMatch(/needs 1 message but the response URL https:\/\/hooks\.slack\.com\/commands\/\*\*\* has 0 of Slack's 5 left .*\(item 5, field "Response URL"\)$/);
	});

	it("applies Slack's limit when hooks.slack.com is listed as allowed: 250,000 characters need 7 messages of the 5 left, refused before sending", async () => {
		const { output } = await run([{ json: { text: 'y'.repeat(250_000), response_url: commandUrl('4444') } }], { allowedResponseUrlHosts: 'hooks.slack.com' });
		expect(proxy.tunnels).toEqual([]);
		expect(output?.[0].json.error).toMatch(/needs 7 messages .* has 5 of Slack's 5 left .*\(item 0, field "Text"\)$/);
		expect(output?.[0].json.description).toMatch(/Shorten it to fit in 5 messages \(200,000 characters of text\), or send it as a message to an incoming webhook instead/);
	});

	it('gives back the messages that were never sent: a later run to the same URL has all 5 again', async () => {
		const items = Array.from({ length: SLACK_RESPONSE_URL.maxUses }, () => ({ json: { text: 'hi', response_url: commandUrl('5555') } }));
		await run(items);
		const again = await run(items);
		expect(proxy.tunnels).toHaveLength(2 * SLACK_RESPONSE_URL.maxUses);
		expect(again.output?.map((item) => item.json.mayHaveBeenPosted)).toEqual(items.map(() => false));
	});
});
