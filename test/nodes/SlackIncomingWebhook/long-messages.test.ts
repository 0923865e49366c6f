import type { INodeExecutionData } from 'n8n-workflow';

import { splitText } from '../../../nodes/SlackIncomingWebhook/message/split';
import { SLACK_LIMITS } from '../../../nodes/shared/slack';
import { runNode } from '../../helpers/n8n-harness';
import { serializeDeep } from '../../helpers/serialize';
import { answer, SlackWebhookServer } from '../../helpers/slack-webhook-server';

let server: SlackWebhookServer;
beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const credentials = () => ({ slackWebhooksIncomingUrlApi: { webhookUrl: server.url } });
/** No test here is about timeouts: a generous one, so a machine busy for a second or two cannot fail a message. */
const fastOptions = { timeout: 10, maxRateLimitWait: 20 };
const postedTexts = () => server.posted.map((request) => String(request.json?.text));

/** Rows of a nightly report: `count` items, each a line of about 50 characters. */
const rows = (count: number): INodeExecutionData[] => Array.from({ length: count }, (_, n) => ({ json: { n, name: `customer-${n}`, total: (n * 37) % 1000 } }));
const rowLine = (n: number) => `• customer-${n}: ${(n * 37) % 1000} orders ${'.'.repeat(20)}`;

/** Lines of 30 characters (with the line break) `prefix 000000 ---`, a little over `times` Slack's limit: `times` + 1 parts. */
const longText = (prefix: string, times: number) =>
	Array.from({ length: Math.ceil((times * SLACK_LIMITS.maxTextLength) / 30) + 1 }, (_, n) => `${prefix} ${String(n).padStart(6, '0')} `.padEnd(29, '-')).join('\n');

const blocks = (count: number) => Array.from({ length: count }, (_, n) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${n}` } }));

describe('All Items as One Report', () => {
	it("posts a report several times Slack's limit whole and in order, as one output item paired with every input item", async () => {
		const items = rows(3000);
		const { output, error } = await runNode({
			parameters: {
				send: 'report',
				reportHeader: '=*Nightly orders* ({{ $input.all().length }} customers)',
				text: '=• {{ $json.name }}: {{ $json.total }} orders ....................',
				reportFooter: 'End of report',
				overrides: { username: 'report-bot' },
				thread: { threadTs: '1504640714.003543' },
				options: fastOptions,
			},
			credentials: credentials(),
			items,
		});
		expect(error).toBeUndefined();
		const expectedLines = ['*Nightly orders* (3000 customers)', ...items.map((_, n) => rowLine(n)), 'End of report'];
		const texts = postedTexts();
		expect(texts.length).toBeGreaterThanOrEqual(4);
		expect(texts.every((text) => text.length <= SLACK_LIMITS.maxTextLength)).toBe(true);
		expect(texts.join('').split('\n')).toEqual(expectedLines);
		// Every part is a reply in the same thread, from the same sender.
		for (const request of server.posted) expect(request.json).toMatchObject({ thread_ts: '1504640714.003543', username: 'report-bot' });
		expect(output).toHaveLength(1);
		expect(output?.[0].json).toEqual({ ok: true, status: 200, response: 'ok', attempts: texts.length, waitedMs: 0, parts: texts.length, items: 3000 });
		expect(output?.[0].pairedItem).toEqual(items.map((_, item) => ({ item })));
	});

	it('with Long Messages set to Fail, refuses a long report, names it, and sends nothing', async () => {
		const { error } = await runNode({
			parameters: { send: 'report', text: `=${'x'.repeat(20_000)}`, options: { ...fastOptions, longMessages: 'fail' } },
			credentials: credentials(),
			items: rows(3),
		});
		expect(error?.message).toBe('Text is 60002 characters long; Slack accepts at most 40000 (report of 3 items, field "Text")');
		expect(server.received).toHaveLength(0);
	});

	it('gives an item with empty Text its empty line, and leaves out an empty header and footer', async () => {
		const { output } = await runNode({
			parameters: { send: 'report', text: '={{ $json.n === 1 ? "" : "row " + $json.n }}', reportHeader: '', options: fastOptions },
			credentials: credentials(),
			items: rows(3),
		});
		expect(postedTexts()).toEqual(['row 0\n\nrow 2']);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: 1, items: 3 });
	});
});

describe('Long Messages: Split (the default)', () => {
	it('posts more than 50 blocks as consecutive messages of at most 50, every block once, in order', async () => {
		const all = blocks(120);
		const { output } = await runNode({
			parameters: { text: 'Weekly digest', blocksJson: JSON.stringify(all), attachmentsInput: 'json', attachmentsJson: '[{"text": "Sources"}]', options: fastOptions },
			credentials: credentials(),
		});
		expect(server.posted.map((request) => (request.json?.blocks as unknown[]).length)).toEqual([50, 50, 20]);
		expect(server.posted.flatMap((request) => request.json?.blocks as unknown[])).toEqual(all);
		expect(server.posted.map((request) => request.json?.text)).toEqual(['Weekly digest', 'Weekly digest', 'Weekly digest']);
		expect(server.posted.map((request) => request.json?.attachments)).toEqual([undefined, undefined, [{ text: 'Sources' }]]);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: 3, attempts: 3 });
	});

	it("never interleaves one item's parts with other items to the same webhook, with Ordered Delivery off too", async () => {
		server.respondWith(() => ({ reply: 200, body: 'ok', delayMs: 20 }));
		const texts = ['short 0', longText('long', 2), 'short 2', 'short 3', 'short 4'];
		const { output } = await runNode({
			parameters: { text: '={{ $json.text }}', options: { ...fastOptions, orderedDelivery: false, concurrency: 4 } },
			credentials: credentials(),
			items: texts.map((text) => ({ json: { text } })),
		});
		const received = postedTexts();
		const longParts = received.map((text, index) => (text.startsWith('long') ? index : -1)).filter((index) => index !== -1);
		expect(longParts.length).toBeGreaterThanOrEqual(3);
		expect(longParts).toEqual(Array.from({ length: longParts.length }, (_, k) => longParts[0] + k));
		expect(received.filter((text) => text.startsWith('long')).join('')).toBe(texts[1]);
		expect(output?.map((item) => item.json.parts)).toEqual([1, longParts.length, 1, 1, 1]);
	});

	it('keeps a link whole where the cut would fall in it, and says which part had to cut a link longer than the limit', async () => {
		const link = '<https://tickets.example.com/T-1|Open the ticket>';
		// One line of words: the last space within Slack's limit is inside the link's label.
		const words = `${'word '.repeat(Math.floor((SLACK_LIMITS.maxTextLength - 40) / 5))}${'x'.repeat((SLACK_LIMITS.maxTextLength - 40) % 5)}`;
		const linked = `${words}${link} and more after it`;
		const longLink = `<https://example.com/report|${'label '.repeat(7000)}>`;
		const overLong = `Intro ${longLink} after`;
		const { output, error } = await runNode({
			parameters: { text: '={{ $json.text }}', options: fastOptions },
			credentials: credentials(),
			items: [{ json: { text: linked } }, { json: { text: overLong } }],
		});
		expect(error).toBeUndefined();
		const posted = postedTexts();
		expect(posted).toEqual([words, `${link} and more after it`, 'Intro ', expect.any(String), expect.any(String)]);
		expect(posted.slice(2).join('')).toBe(overLong);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: 2 });
		expect(output?.[0].json.splitNotes).toBeUndefined();
		expect(output?.[1].json).toMatchObject({
			ok: true,
			parts: 3,
			splitNotes: [
				`Part 2 of 3 ends at character ${6 + posted[3].length} of the text, inside a Slack link, mention or emoji code longer than the 40000-character limit; Slack shows its two halves as plain text.`,
			],
		});
	});

	it('retries only the part that failed: the parts before it are never posted twice', async () => {
		// The second part's first two attempts are rate-limited; the node's own retry sends that part again.
		server.respondWith(({ index }) => (index === 1 || index === 2 ? answer.rateLimited('0.05') : answer.ok()));
		const text = longText('line', 2);
		const { output, error } = await runNode({ parameters: { text, options: fastOptions }, credentials: credentials() });
		expect(error).toBeUndefined();
		const received = server.received.map((request) => String(request.json?.text));
		const posted = postedTexts();
		expect(posted).toHaveLength(3);
		expect(posted.join('')).toBe(text);
		expect(received).toEqual([posted[0], posted[1], posted[1], posted[1], posted[2]]);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: 3, attempts: 5 });
	});

	it('says which parts were posted when a middle part fails, and sends nothing after it', async () => {
		server.respondWith(({ index }) => (index === 2 ? answer.slackError(400, 'invalid_payload') : answer.ok()));
		const { output, error } = await runNode({
			parameters: { text: '={{ $json.text }}', options: fastOptions },
			credentials: credentials(),
			items: [{ json: { text: longText('first', 4) } }, { json: { text: 'second item' } }],
		});
		expect(output).toBeUndefined();
		const parts = splitText(longText('first', 4), SLACK_LIMITS.maxTextLength).length;
		expect(error?.message).toBe(`Slack could not read the message (malformed JSON or an invalid field) (Slack: invalid_payload) (item 0, part 3 of ${parts})`);
		expect(error?.description).toContain(`The message was split into ${parts} parts and part 3 failed. Posted: parts 1-2. Not posted: parts 3-${parts}.`);
		expect(error?.description).toContain('1 later item(s) were not sent, to keep the order.');
		expect(server.posted).toHaveLength(2);
		expect(server.received).toHaveLength(3);
	});

	it('with continueOnFail, outputs the failed part and the posted parts in the error item, and goes on', async () => {
		server.respondWith(({ index }) => (index === 1 ? { reply: 503 } : answer.ok()));
		const { output } = await runNode({
			parameters: { text: '={{ $json.text }}', options: fastOptions },
			credentials: credentials(),
			items: [{ json: { text: longText('first', 2) } }, { json: { text: 'second item' } }],
			continueOnFail: true,
		});
		expect(splitText(longText('first', 2), SLACK_LIMITS.maxTextLength)).toHaveLength(3);
		expect(output?.[0].json).toMatchObject({ ok: false, code: 'MAY_HAVE_BEEN_POSTED', mayHaveBeenPosted: true, parts: 3, postedParts: 1 });
		expect(output?.[0].json.error).toMatch(/\(item 0, part 2 of 3\)$/);
		expect(output?.[0].json.description).toContain('Posted: part 1. Part 2 may have been posted. Not posted: part 3.');
		expect(output?.[1].json).toMatchObject({ ok: true, parts: 1 });
		expect(postedTexts().at(-1)).toBe('second item');
		expect(serializeDeep(output)).not.toContain('test-secret-path-0000');
	});
});

describe('Long Messages: Fail keeps the limits', () => {
	it('refuses text over 40,000 characters and more than 50 blocks, naming item and field, and sends nothing', async () => {
		const tooLong = await runNode({
			parameters: { text: 'x'.repeat(SLACK_LIMITS.maxTextLength + 1), options: { ...fastOptions, longMessages: 'fail' } },
			credentials: credentials(),
		});
		expect(tooLong.error?.message).toBe('Text is 40001 characters long; Slack accepts at most 40000 (item 0, field "Text")');
		const tooMany = await runNode({
			parameters: { blocksJson: JSON.stringify(blocks(51)), options: { ...fastOptions, longMessages: 'fail' } },
			credentials: credentials(),
		});
		expect(tooMany.error?.message).toBe('The message has 51 blocks; Slack accepts at most 50 (item 0, field "Blocks")');
		expect(server.received).toHaveLength(0);
	});

	it('still sends a message of exactly the limits as one message', async () => {
		const { output } = await runNode({
			parameters: { text: 'y'.repeat(SLACK_LIMITS.maxTextLength), blocksJson: JSON.stringify(blocks(50)), options: { ...fastOptions, longMessages: 'fail' } },
			credentials: credentials(),
		});
		expect(server.posted).toHaveLength(1);
		expect(output?.[0].json).toMatchObject({ ok: true, parts: 1 });
	});
});
