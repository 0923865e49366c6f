/**
 * "All Items as One Report" as a table, through n8n-core, against the stand-in for Slack that
 * refuses what Slack refuses of tables (slackTableRefusal in test/helpers/slack-webhook-server.ts):
 * every row arrives once and in order in tables within Slack's limits, bad input is refused
 * before anything is posted, naming the item and the column.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { SLACK_TABLE } from '../../../nodes/shared/slack';
import { runNode } from '../../helpers/n8n-harness';
import { SlackWebhookServer, slackTableRefusal } from '../../helpers/slack-webhook-server';

let server: SlackWebhookServer;
beforeAll(async () => {
	server = await new SlackWebhookServer().start();
});
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const credentials = () => ({ slackWebhooksIncomingUrlApi: { webhookUrl: server.url } });
const fastOptions = { timeout: 10, maxRateLimitWait: 20 };

const regions = (count: number): INodeExecutionData[] =>
	Array.from({ length: count }, (_, n) => ({ json: { region: `Region ${n}`, sales: { total: n * 1000.5 }, orders: n % 7, note: n % 3 === 0 ? '' : `*note* <${n}>` } }));

const table = {
	send: 'report',
	reportFormat: 'table',
	reportHeader: '*Sales by region*',
	reportFooter: 'Figures in EUR',
	tableColumns: {
		column: [
			{ value: 'region', header: 'Region', align: 'auto' },
			{ value: 'sales.total', header: 'Sales', align: 'auto' },
			{ value: '={{ $json.orders * 2 }}', header: 'Double Orders', align: 'center' },
			{ value: 'note', header: '', align: 'auto' },
		],
	},
	tableOptions: { decimalPlaces: 2, thousandsSeparators: true },
};

type Cell = { type: string; text: string };
type Table = { type: string; rows: Cell[][]; column_settings: Array<{ align: string; is_wrapped: boolean }> };
const postedTables = () => server.posted.map((request) => ((request.json?.attachments as Array<{ blocks?: Table[] }>)[0].blocks ?? [])[0]);

describe('All Items as One Report, Report Format: Table', () => {
	it('posts 250 items as three tables of at most 99 rows under a repeated header, in order, the footer after the last', async () => {
		const items = regions(250);
		const { output, error } = await runNode({
			parameters: { ...table, overrides: { username: 'report-bot' }, thread: { threadTs: '1504640714.003543' }, options: fastOptions },
			credentials: credentials(),
			items,
		});
		expect(error).toBeUndefined();
		expect(server.received).toHaveLength(3);
		expect(server.posted).toHaveLength(3);
		const tables = postedTables();
		for (const block of tables) {
			expect(block.type).toBe('table');
			expect(block.rows[0].map((cell) => cell.text)).toEqual(['Region', 'Sales', 'Double Orders', 'note']);
			expect(block.column_settings.map((setting) => setting.align)).toEqual(['left', 'right', 'center', 'left']);
		}
		const rows = tables.flatMap((block) => block.rows.slice(1).map((row) => row.map((cell) => cell.text)));
		expect(rows).toEqual(
			items.map(({ json }, n) => [
				`Region ${n}`,
				(n * 1000.5).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
				`${(n % 7) * 2}.00`,
				// raw_text shows mrkdwn as it is; an empty cell is one space.
				json.note === '' ? ' ' : `*note* <${n}>`,
			]),
		);
		expect(server.posted.map((request) => request.json?.text)).toEqual([
			'*Sales by region*\nRows 1-99 of 250',
			'*Sales by region*\nRows 100-198 of 250',
			'*Sales by region*\nRows 199-250 of 250',
		]);
		expect((server.posted[2].json?.attachments as unknown[])[1]).toEqual({ text: 'Figures in EUR', fallback: 'Figures in EUR', mrkdwn_in: ['text'] });
		for (const request of server.posted) expect(request.json).toMatchObject({ thread_ts: '1504640714.003543', username: 'report-bot' });
		expect(output).toEqual([{ json: { ok: true, status: 200, response: 'ok', attempts: 3, waitedMs: 0, parts: 3, items: 250 }, pairedItem: items.map((_, item) => ({ item })) }]);
	});

	it.each([1, 99, 100])('%i items arrive whole and in order', async (count) => {
		const items = regions(count);
		const { error } = await runNode({ parameters: { ...table, options: fastOptions }, credentials: credentials(), items });
		expect(error).toBeUndefined();
		expect(server.posted).toHaveLength(Math.ceil(count / (SLACK_TABLE.maxRows - 1)));
		expect(postedTables().flatMap((block) => block.rows.slice(1).map((row) => row[0].text))).toEqual(items.map(({ json }) => json.region));
	});

	it("takes all fields of the first item as columns, and refuses more columns than Slack's table holds before posting anything", async () => {
		const wide = (count: number) => [{ json: Object.fromEntries(Array.from({ length: count }, (_, n) => [`field${n}`, n])) }];
		const { error: fits } = await runNode({ parameters: { send: 'report', reportFormat: 'table', tableColumnsFrom: 'firstItem', options: fastOptions }, credentials: credentials(), items: wide(20) });
		expect(fits).toBeUndefined();
		expect(postedTables()[0].rows.map((row) => row.length)).toEqual([20, 20]);
		server.reset();
		const { error } = await runNode({ parameters: { send: 'report', reportFormat: 'table', tableColumnsFrom: 'firstItem', options: fastOptions }, credentials: credentials(), items: wide(21) });
		expect(error?.message).toBe('The table has 21 columns; a Slack table holds at most 20 (report of 1 items, field "Columns")');
		expect(server.received).toHaveLength(0);
	});

	it('refuses a column that names no field of any item, naming the column, and posts nothing', async () => {
		const { error } = await runNode({
			parameters: { ...table, tableColumns: { column: [{ value: 'region', header: 'Region' }, { value: 'revenu', header: 'Revenue' }] }, options: fastOptions },
			credentials: credentials(),
			items: regions(300),
		});
		expect(error?.message).toBe('Column "Revenue" names the field "revenu", which no item has (report of 300 items, field "Columns")');
		expect(server.received).toHaveLength(0);
	});

	it('refuses an object in a cell, naming the item and the column, and posts nothing of a table that needed several messages', async () => {
		const items = regions(300);
		items[217].json.sales = { total: { amount: 5 } };
		const { error } = await runNode({ parameters: { ...table, options: fastOptions }, credentials: credentials(), items });
		expect(error?.message).toMatch(/^Item 217, column "Sales": a cell holds an object, which a table cell cannot show/);
		expect((error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(217);
		expect(server.received).toHaveLength(0);
	});

	it('with Long Messages set to Fail, refuses a table that needs more than one message, and posts nothing', async () => {
		const { error } = await runNode({ parameters: { ...table, options: { ...fastOptions, longMessages: 'fail' } }, credentials: credentials(), items: regions(100) });
		expect(error?.message).toMatch(/^The table needs 2 messages; with Long Messages set to Fail it must fit one/);
		expect(server.received).toHaveLength(0);
	});

	it('cuts a cell too long for a table with a visible mark, and keeps its row', async () => {
		const items = regions(3);
		items[1].json.note = 'x'.repeat(20_000);
		const { error } = await runNode({ parameters: { ...table, options: fastOptions }, credentials: credentials(), items });
		expect(error).toBeUndefined();
		const rows = postedTables()[0].rows;
		expect(rows).toHaveLength(4);
		expect(rows[2][3].text).toBe(`${'x'.repeat(10_000 / (2 * 4) - 1)}…`);
	});
});

describe('All Items as One Report, Report Format: Plain-Text Table in a Code Block', () => {
	it('posts the table as aligned text in a code block, with no table block', async () => {
		const { error } = await runNode({
			parameters: { ...table, reportFormat: 'codeBlock', tableColumns: { column: [{ value: 'region', header: 'Region' }, { value: 'orders', header: 'Orders' }] }, options: fastOptions },
			credentials: credentials(),
			items: regions(3),
		});
		expect(error).toBeUndefined();
		expect(server.posted.map((request) => request.json)).toEqual([
			{ text: ['*Sales by region*', '3 rows', '```', 'Region    Orders', '--------  ------', 'Region 0    0.00', 'Region 1    1.00', 'Region 2    2.00', '```', 'Figures in EUR'].join('\n') },
		]);
	});
});

describe("the stand-in refuses tables as Slack does (what the node's tests rely on)", () => {
	const cells = (count: number) => Array.from({ length: count }, () => ({ type: 'raw_text', text: 'x' }));
	const message = (tables: object[]) => ({ text: 'report', attachments: tables.map((block) => ({ blocks: [block] })) });
	it.each([
		['101 rows', message([{ type: 'table', rows: Array.from({ length: 101 }, () => cells(1)) }])],
		['21 cells in a row', message([{ type: 'table', rows: [cells(21)] }])],
		['two tables in one message', message([{ type: 'table', rows: [cells(1)] }, { type: 'table', rows: [cells(1)] }])],
		['an empty raw_text', message([{ type: 'table', rows: [[{ type: 'raw_text', text: '' }]] }])],
		['more than 10,000 characters', message([{ type: 'table', rows: Array.from({ length: 11 }, () => [{ type: 'raw_text', text: 'x'.repeat(1000) }]) }])],
		['align "middle"', message([{ type: 'table', rows: [cells(1)], column_settings: [{ align: 'middle' }] }])],
		['no text', { attachments: [{ blocks: [{ type: 'table', rows: [cells(1)] }] }] }],
	])('%s', (_, body) => {
		expect(slackTableRefusal(body as Record<string, unknown>)).toMatchObject({ error: 'invalid_attachments' });
	});
	it('and takes 100 rows of 20 cells', () => {
		expect(slackTableRefusal(message([{ type: 'table', rows: Array.from({ length: 100 }, () => cells(20)) }]))).toBeUndefined();
	});
});
