/**
 * The table builder and splitter, pure: rows and columns at and around each of Slack's limits,
 * cell lengths, Unicode and mrkdwn characters. Every message is checked against the stand-in's
 * reading of Slack's rules (slackTableRefusal).
 *
 * The property tests' seed is in the describe's name: TABLE_SEED=<seed> replays a run.
 */
import fc from 'fast-check';

import {
	buildTable,
	codeBlockMessages,
	CUT_MARK,
	cutText,
	DEFAULT_CELL_FORMAT,
	groupRows,
	maxCellLengthFor,
	tableMessages,
	TableCellError,
	TableShapeError,
	type BuiltTable,
	type TableColumn,
} from '../../../../nodes/SlackIncomingWebhook/message/table';
import { SLACK_LIMITS, SLACK_TABLE } from '../../../../nodes/shared/slack';
import { slackTableRefusal } from '../../../helpers/slack-webhook-server';

function tableSeed(): number {
	const replay = process.env.TABLE_SEED;
	if (replay === undefined) return Math.floor(Math.random() * 2 ** 31);
	const seed = Number(replay);
	if (!Number.isSafeInteger(seed)) throw new Error(`TABLE_SEED must be an integer, not "${replay}"`);
	return seed;
}
const SEED = tableSeed();
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const settings = (offset: number, numRuns = 150) => ({ numRuns, seed: (SEED + offset) >>> 0 });

const columns = (count: number): TableColumn[] => Array.from({ length: count }, (_, n) => ({ header: `Col ${n}`, align: 'auto' }));
const rowsOf = (count: number, width: number) => Array.from({ length: count }, (_, row) => Array.from({ length: width }, (_, column) => `r${row}c${column}`));

type Block = { rows: Array<Array<{ text: string }>> };
/** The tables' data rows (header rows left out), in order, as texts. */
function dataRows(messages: ReturnType<typeof tableMessages>): string[][] {
	return messages.flatMap((message) =>
		(message.attachments as Array<{ blocks?: Block[] }>).flatMap((attachment) => (attachment.blocks ?? []).flatMap((block) => block.rows.slice(1).map((row) => row.map((cell) => cell.text)))),
	);
}
function tables(messages: ReturnType<typeof tableMessages>): Block[] {
	return messages.flatMap((message) => (message.attachments as Array<{ blocks?: Block[] }>).flatMap((attachment) => attachment.blocks ?? []));
}
/** What the builder's empty cell is sent as. */
const sent = (cell: string) => (cell === '' ? ' ' : cell);

describe(`Slack table messages (seed ${SEED}: TABLE_SEED=${SEED} replays it)`, () => {
	it('any row count from 0 to 1,000 and column count from 1 to 20: every row once, in order, each message within Slack\'s rules, header repeated', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: SLACK_TABLE.maxCellsPerRow }), (rowCount, width) => {
				const table = buildTable(columns(width), rowsOf(rowCount, width));
				const messages = tableMessages(table, { header: '*Orders*', footer: 'End' });
				expect(dataRows(messages)).toEqual(rowsOf(rowCount, width));
				for (const message of messages) expect(slackTableRefusal(message as Record<string, unknown>)).toBeUndefined();
				for (const block of tables(messages)) expect(block.rows[0].map((cell) => cell.text)).toEqual(columns(width).map((column) => column.header));
				// 99 data rows to a table, fewer only where the character count fills it first.
				const perTable = Math.min(SLACK_TABLE.maxRows - 1, Math.floor((SLACK_TABLE.maxCharactersPerTable - 6 * width) / (width * `r${rowCount}c${width}`.length)));
				expect(messages.length).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(rowCount / (SLACK_TABLE.maxRows - 1))));
				expect(messages.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(rowCount / perTable)));
			}),
			settings(0),
		);
	});

	it.each([
		[1, 1],
		[SLACK_TABLE.maxRows - 2, 1],
		[SLACK_TABLE.maxRows - 1, 1],
		[SLACK_TABLE.maxRows, 2],
		[SLACK_TABLE.maxRows + 1, 2],
		[2 * (SLACK_TABLE.maxRows - 1), 2],
		[2 * (SLACK_TABLE.maxRows - 1) + 1, 3],
	])('%i rows make %i message(s): a table holds its header row and 99 data rows', (rowCount, expected) => {
		const messages = tableMessages(buildTable(columns(2), rowsOf(rowCount, 2)));
		expect(messages).toHaveLength(expected);
		expect(tables(messages).map((block) => block.rows.length)).toEqual(
			Array.from({ length: expected }, (_, n) => 1 + Math.min(SLACK_TABLE.maxRows - 1, rowCount - n * (SLACK_TABLE.maxRows - 1))),
		);
	});

	it('refuses more columns than a Slack table holds, and none; takes exactly 20', () => {
		expect(() => buildTable(columns(SLACK_TABLE.maxCellsPerRow + 1), [])).toThrow(new TableShapeError('The table has 21 columns; a Slack table holds at most 20'));
		expect(() => buildTable([], [])).toThrow(TableShapeError);
		const messages = tableMessages(buildTable(columns(SLACK_TABLE.maxCellsPerRow), rowsOf(3, SLACK_TABLE.maxCellsPerRow)));
		expect(slackTableRefusal(messages[0] as Record<string, unknown>)).toBeUndefined();
	});

	it('cells of any length and any Unicode: no row dropped, each table within the character count, a cut cell a prefix of its text ending in the mark, never splitting a grapheme', () => {
		const cell = fc.oneof(
			fc.string({ unit: 'grapheme', maxLength: 400 }),
			fc.string({ unit: 'binary', maxLength: 3000 }),
			fc.constantFrom('👨‍👩‍👧‍👦'.repeat(300), 'é'.repeat(2000), `a${'\u0301'.repeat(500)}`, '🇫🇷🇩🇪'.repeat(700), ''),
		);
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { maxLength: 40 }), (width, rows) => {
				const values = rows.map((row) => row.slice(0, width));
				const table = buildTable(columns(width), values);
				const messages = tableMessages(table);
				const received = dataRows(messages);
				expect(received).toHaveLength(values.length);
				for (const message of messages) expect(slackTableRefusal(message as Record<string, unknown>)).toBeUndefined();
				const max = maxCellLengthFor(width);
				received.forEach((row, r) =>
					row.forEach((text, c) => {
						const original = values[r][c];
						if (original.length <= max) {
							expect(text).toBe(sent(original));
						} else {
							expect(text.length).toBeLessThanOrEqual(max);
							expect(text.endsWith(CUT_MARK)).toBe(true);
							const kept = text.length - CUT_MARK.length;
							expect(original.startsWith(text.slice(0, kept))).toBe(true);
							// At a grapheme boundary, unless the first grapheme alone is longer than the cell.
							const segments = [...graphemes.segment(original)];
							const boundaries = new Set(segments.map((segment) => segment.index));
							expect(boundaries.has(kept) || segments[0].segment.length > kept).toBe(true);
						}
					}),
				);
			}),
			settings(1),
		);
	});

	it('sends mrkdwn and Slack token characters in raw_text exactly as they are (raw_text is not mrkdwn)', () => {
		const mrkdwn = fc.string({ unit: fc.constantFrom('*', '_', '~', '`', '<', '>', '&', '@', '#', '!', ':', '|', 'a', ' ', '\n'), minLength: 1, maxLength: 60 });
		fc.assert(
			fc.property(fc.array(mrkdwn, { minLength: 1, maxLength: 30 }), (texts) => {
				const messages = tableMessages(buildTable(columns(1), texts.map((text) => [text])));
				expect(dataRows(messages).map(([text]) => text)).toEqual(texts);
			}),
			settings(2),
		);
	});

	it('cuts at a grapheme boundary: an emoji family or a flag is never split', () => {
		expect(cutText('ab👨‍👩‍👧‍👦cd', 5)).toBe(`ab${CUT_MARK}`);
		expect(cutText('🇫🇷🇩🇪🇮🇹', 6)).toBe(`🇫🇷${CUT_MARK}`);
		expect(cutText('abcdef', 4)).toBe(`abc${CUT_MARK}`);
	});

	it('with Long Cell Text set to Cut, cells are at most Max Cell Length with the mark, and not wrapped', () => {
		const format = { ...DEFAULT_CELL_FORMAT, longText: 'cut' as const, maxCellLength: 10 };
		const table = buildTable(columns(1), [['short'], ['exactly 10'], ['eleven char']], format);
		expect(table.rows).toEqual([['short'], ['exactly 10'], [`eleven ch${CUT_MARK}`]]);
		expect(table.cutCells).toBe(1);
		expect(tables(tableMessages(table))[0]).toMatchObject({ column_settings: [{ align: 'left', is_wrapped: false }] });
	});

	it('formats numbers and dates as chosen, leaves empty cells empty, and right-aligns a column of numbers', () => {
		const format = { ...DEFAULT_CELL_FORMAT, decimalPlaces: 2, thousandsSeparators: true, dates: 'dateTime' as const, timeZone: 'Europe/Berlin' };
		const table = buildTable(
			[
				{ header: 'Region', align: 'auto' },
				{ header: 'Revenue', align: 'auto' },
				{ header: 'At', align: 'auto' },
				{ header: 'Ok', align: 'center' },
			],
			[
				['North', 1234567.891, '2024-05-01T08:30:00.000Z', true],
				['South', null, undefined, false],
				['', 12, new Date('2024-12-31T23:30:00Z'), ''],
			],
			format,
		);
		expect(table.rows).toEqual([
			['North', '1,234,567.89', '2024-05-01 10:30', 'true'],
			['South', '', '', 'false'],
			['', '12.00', '2025-01-01 00:30', ''],
		]);
		expect(table.align).toEqual(['left', 'right', 'left', 'center']);
		const message = tableMessages(table)[0];
		expect(slackTableRefusal(message as Record<string, unknown>)).toBeUndefined();
		expect(tables([message])[0].rows[3][0]).toEqual({ type: 'raw_text', text: ' ' });
	});

	it('writes any instant in any of several time zones as Intl does, across daylight-saving changes and quarter-hour offsets', () => {
		const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC', 'Pacific/Chatham'];
		const reference = (time: number, timeZone: string) => {
			const part: Record<string, string> = {};
			const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
			for (const { type, value } of format.formatToParts(time)) part[type] = value;
			return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
		};
		fc.assert(
			fc.property(fc.constantFrom(...zones), fc.array(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 0, 1) }), { minLength: 1, maxLength: 50 }), (timeZone, times) => {
				const table = buildTable(columns(1), times.map((time) => [new Date(time)]), { ...DEFAULT_CELL_FORMAT, dates: 'dateTime', timeZone });
				expect(table.rows.map(([cell]) => cell)).toEqual(times.map((time) => reference(time, timeZone)));
			}),
			settings(4, 300),
		);
		// The hour Berlin's clocks go forward: 01:59 UTC+1, then 03:00 UTC+2.
		const berlin = { ...DEFAULT_CELL_FORMAT, dates: 'dateTime' as const, timeZone: 'Europe/Berlin' };
		expect(buildTable(columns(1), [['2024-03-31T00:59:00Z'], ['2024-03-31T01:00:00Z']], berlin).rows).toEqual([['2024-03-31 01:59'], ['2024-03-31 03:00']]);
	});

	it('refuses an object or a list in a cell, naming its row and column', () => {
		expect(() => buildTable(columns(2), [['a', 'b'], ['c', { nested: true }]])).toThrow(expect.objectContaining({ name: 'TableCellError', row: 1, column: 1 }) as TableCellError);
		expect(() => buildTable(columns(1), [[[1, 2]]])).toThrow(/a cell holds a list/);
	});

	it("gives each message a text saying which rows it holds, after the report's header, and the footer after the last table", () => {
		const messages = tableMessages(buildTable(columns(1), rowsOf(250, 1)), { header: '*Sales*', footer: '_end_' });
		expect(messages.map((message) => message.text)).toEqual(['*Sales*\nRows 1-99 of 250', '*Sales*\nRows 100-198 of 250', '*Sales*\nRows 199-250 of 250']);
		expect(messages[2].attachments?.[1]).toEqual({ text: '_end_', fallback: '_end_', mrkdwn_in: ['text'] });
		expect(messages[0].attachments).toHaveLength(1);
		expect(tableMessages(buildTable(columns(1), rowsOf(1, 1)))[0].text).toBe('1 row');
		expect(tableMessages(buildTable(columns(1), rowsOf(1234, 1)))[1].text).toBe('Rows 100-198 of 1,234');
	});
});

describe(`groupRows (seed ${SEED}: TABLE_SEED=${SEED} replays it)`, () => {
	it('covers every row once, in order, each run within the row count and the budget', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 500 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 120 }), (costs, header, maxRows) => {
				const budget = header + 50;
				const ranges = groupRows(costs, header, { maxRows, budget });
				expect(ranges.flatMap((range) => Array.from({ length: range.end - range.start }, (_, k) => range.start + k))).toEqual(costs.map((_, index) => index));
				for (const range of ranges) {
					expect(range.end - range.start).toBeLessThanOrEqual(maxRows);
					expect(range.end).toBeGreaterThan(range.start);
					expect(header + costs.slice(range.start, range.end).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budget);
				}
				// Greedy: a run ends only where the next row would not fit.
				for (const [index, range] of ranges.slice(0, -1).entries()) {
					const fuller = header + costs.slice(range.start, range.end + 1).reduce((a, b) => a + b, 0);
					expect(range.end - range.start === maxRows || fuller > budget).toBe(true);
					expect(ranges[index + 1].start).toBe(range.end);
				}
			}),
			settings(3, 300),
		);
	});
});

describe('a plain-text table in a code block', () => {
	const table: BuiltTable = buildTable(
		[
			{ header: 'Region', align: 'auto' },
			{ header: 'Revenue', align: 'auto' },
		],
		[
			['North', 1200.5],
			['South-East', 87],
			['Code ```x```', 3],
		],
	);

	it('aligns the columns, right for numbers, and keeps a cell from closing the code block', () => {
		const [message] = codeBlockMessages(table, { header: '*Sales*', footer: 'end' });
		expect(message.text).toBe(
			['*Sales*', '3 rows', '```', 'Region            Revenue', '----------------  -------', 'North              1200.5', 'South-East             87', 'Code `\u200b`\u200b`x`\u200b`\u200b`        3', '```', 'end'].join('\n'),
		);
	});

	it('splits into messages within Slack\'s text limit, each with the header line, every row once in order', () => {
		const many = buildTable(columns(3), rowsOf(5000, 3));
		const messages = codeBlockMessages(many, { header: 'Report', footer: 'End' });
		expect(messages.length).toBeGreaterThan(1);
		const rows: string[] = [];
		for (const message of messages) {
			expect(message.text!.length).toBeLessThanOrEqual(SLACK_LIMITS.maxTextLength);
			const lines = message.text!.split('\n');
			const open = lines.indexOf('```');
			const close = lines.lastIndexOf('```');
			expect(lines[open + 1]).toMatch(/^Col 0 +Col 1 +Col 2$/);
			rows.push(...lines.slice(open + 3, close));
		}
		expect(rows).toEqual(rowsOf(5000, 3).map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(7) : cell)).join('  ')));
	});
});
