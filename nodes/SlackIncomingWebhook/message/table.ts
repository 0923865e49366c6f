import { SLACK_LIMITS, SLACK_TABLE } from '../../shared/slack';
import type { WebhookMessage } from '../../shared/sending/webhook-message';

/**
 * "All Items as One Report" as a table: every item a row, under a header row, in Slack `table`
 * blocks or as plain text in a code block. Pure: the node reads the parameters and items
 * (table-report.ts), this builds the cells and the consecutive messages.
 *
 * The cost is linear in items × columns: every cell is formatted once and measured once; the
 * splitter walks the rows once.
 */

export type ColumnAlignment = 'auto' | 'left' | 'center' | 'right';
export type SlackAlignment = (typeof SLACK_TABLE.alignments)[number];

export interface TableColumn {
	/** The header row's text for this column. */
	header: string;
	align: ColumnAlignment;
}

export interface CellFormat {
	/** Fixed decimal places for numbers; undefined leaves them as JavaScript writes them. */
	decimalPlaces?: number;
	thousandsSeparators: boolean;
	/** How dates (Date values and ISO 8601 date-times) are written. */
	dates: 'asIs' | 'date' | 'dateTime';
	/** The IANA time zone dates are written in (the workflow's). */
	timeZone: string;
	/** `cut`: one line per cell, cut at `maxCellLength`; `wrap`: Slack wraps long cells onto more lines. */
	longText: 'wrap' | 'cut';
	maxCellLength: number;
}

export const DEFAULT_CELL_FORMAT: CellFormat = { thousandsSeparators: false, dates: 'asIs', timeZone: 'UTC', longText: 'wrap', maxCellLength: 40 };

/** What marks a cut cell, so a reader sees that text is missing. */
export const CUT_MARK = '…';

/** A cell value that cannot be written as text; `row` counts data rows from 0 (the item's index). */
export class TableCellError extends Error {
	constructor(
		readonly row: number,
		readonly column: number,
		message: string,
	) {
		super(message);
		this.name = 'TableCellError';
	}
}

/** A table whose columns Slack would refuse; nothing of it is sent. */
export class TableShapeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TableShapeError';
	}
}

export interface BuiltTable {
	header: string[];
	/** The data rows' cells, formatted and cut; an empty cell is ''. */
	rows: string[][];
	align: SlackAlignment[];
	wrapped: boolean;
	/** How many cells were cut. */
	cutCells: number;
}

/**
 * The longest a cell may be: half the table's character budget shared by its columns, so a header
 * row and any one data row always fit one table together (a row is never dropped or refused).
 */
export function maxCellLengthFor(columnCount: number, format: Pick<CellFormat, 'longText' | 'maxCellLength'> = DEFAULT_CELL_FORMAT): number {
	const slackCap = Math.floor(SLACK_TABLE.maxCharactersPerTable / (2 * Math.max(1, columnCount)));
	return format.longText === 'cut' ? Math.max(2, Math.min(slackCap, format.maxCellLength)) : slackCap;
}

/** Checks the columns against Slack's table and builds the header and every row's cells. */
export function buildTable(columns: readonly TableColumn[], values: ReadonlyArray<readonly unknown[]>, format: CellFormat = DEFAULT_CELL_FORMAT): BuiltTable {
	if (columns.length === 0) throw new TableShapeError('The table has no columns');
	if (columns.length > SLACK_TABLE.maxCellsPerRow) {
		throw new TableShapeError(`The table has ${columns.length} columns; a Slack table holds at most ${SLACK_TABLE.maxCellsPerRow}`);
	}
	const maxLength = maxCellLengthFor(columns.length, format);
	const writeCell = cellWriter(format);
	let cutCells = 0;
	const fit = (text: string) => {
		if (text.length <= maxLength) return text;
		cutCells++;
		return cutText(text, maxLength);
	};
	const numeric = columns.map(() => true);
	const rows = values.map((row, rowIndex) =>
		columns.map((_, column) => {
			const value = row[column];
			if (isEmpty(value)) return '';
			if (!isNumeric(value)) numeric[column] = false;
			const text = writeCell(value);
			if (text === undefined) throw new TableCellError(rowIndex, column, unwritable(value));
			return fit(text);
		}),
	);
	return {
		header: columns.map((column) => fit(column.header)),
		rows,
		align: columns.map((column, index) => (column.align === 'auto' ? (numeric[index] && rows.length > 0 ? 'right' : 'left') : column.align)),
		wrapped: format.longText === 'wrap',
		cutCells,
	};
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

const NUMERIC_TEXT = /^[-+]?\d[\d,]*(\.\d+)?%?$/;

/** Numbers, and text that reads as one (`1,234.50`, `12%`): what a column is right-aligned for. */
function isNumeric(value: unknown): boolean {
	return typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && NUMERIC_TEXT.test(value.trim()));
}

/** An ISO 8601 date-time, as n8n writes dates into JSON (`2024-05-01T08:30:00.000Z`). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function unwritable(value: unknown): string {
	return `a cell holds ${Array.isArray(value) ? 'a list' : 'an object'}, which a table cell cannot show; pick one of its fields (such as customer.name) or write it with an expression`;
}

/** Formats one value as the cell's text (undefined for one a cell cannot show); the formatters are made once per table. */
function cellWriter(format: CellFormat): (value: unknown) => string | undefined {
	const numbers =
		format.decimalPlaces !== undefined || format.thousandsSeparators
			? new Intl.NumberFormat('en-US', {
					useGrouping: format.thousandsSeparators,
					minimumFractionDigits: format.decimalPlaces ?? 0,
					maximumFractionDigits: format.decimalPlaces ?? 20,
				})
			: undefined;
	const dates = format.dates === 'asIs' ? undefined : dateWriter(format.dates, format.timeZone);
	return (value) => {
		if (typeof value === 'string') return dates && ISO_DATE_TIME.test(value) ? dates(new Date(value)) : value;
		if (typeof value === 'number') return numbers && Number.isFinite(value) ? numbers.format(value) : String(value);
		if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
		if (value instanceof Date) return dates ? dates(value) : value.toISOString();
		return undefined;
	};
}

/**
 * `2024-05-01` or `2024-05-01 08:30` in the time zone, whatever the runtime's locale. The zone's
 * offset is asked of Intl once per quarter hour of time (offsets change only on such boundaries),
 * since formatToParts for every cell would cost most of a large table's build.
 */
function dateWriter(kind: 'date' | 'dateTime', timeZone: string): (date: Date) => string {
	const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
	const offsets = new Map<number, number>();
	const offsetAt = (time: number) => {
		const key = Math.floor(time / QUARTER_HOUR_MS);
		let offset = offsets.get(key);
		if (offset === undefined) {
			const part: Record<string, number> = {};
			for (const { type, value } of parts.formatToParts(time)) part[type] = Number(value);
			offset = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second) - Math.floor(time / 1000) * 1000;
			offsets.set(key, offset);
		}
		return offset;
	};
	const two = (value: number) => String(value).padStart(2, '0');
	return (date) => {
		const time = date.getTime();
		if (Number.isNaN(time)) return 'Invalid date';
		const local = new Date(time + offsetAt(time));
		const day = `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}`;
		return kind === 'date' ? day : `${day} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
	};
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** Whether a position starts a grapheme depends on the code point there and what comes before it. */
const GRAPHEME_LOOKAHEAD = 16;

/**
 * `text` cut to at most `maxLength` UTF-16 code units with the cut mark at its end, between
 * graphemes (an emoji with its modifiers, a letter with its accents stay whole). Only a cell that
 * is cut is segmented, and only the stretch before its cut.
 */
export function cutText(text: string, maxLength: number): string {
	const budget = maxLength - CUT_MARK.length;
	let end = 0;
	// A few code units past the budget, so the grapheme at each boundary is seen whole (a slice that
	// ended inside a surrogate pair would make its lone half a grapheme of its own).
	for (const { index } of graphemes.segment(text.slice(0, budget + GRAPHEME_LOOKAHEAD))) {
		if (index > budget) break;
		end = index;
	}
	// A single grapheme longer than the budget (a letter under many combining marks): cut between code points.
	if (end === 0) end = codePointBoundary(text, budget);
	return text.slice(0, end) + CUT_MARK;
}

function codePointBoundary(text: string, at: number): number {
	const high = text.charCodeAt(at - 1);
	return high >= 0xd800 && high <= 0xdbff ? at - 1 : at;
}

/** The rows `[start, end)` of one table. */
export interface RowRange {
	start: number;
	end: number;
}

export interface RowLimits {
	/** Data rows a table holds beside its header row. */
	maxRows: number;
	/** What a table's rows may cost together, the header row's cost included. */
	budget: number;
}

/**
 * Consecutive runs of rows, each within `maxRows` and, with the header's cost, within `budget`;
 * every row in exactly one run, in order. A row that alone does not fit beside the header gets
 * a run of its own (the table builder cuts cells so that this never happens for Slack's tables).
 */
export function groupRows(rowCosts: readonly number[], headerCost: number, { maxRows, budget }: RowLimits): RowRange[] {
	if (maxRows < 1) throw new RangeError('A table holds at least one data row');
	const ranges: RowRange[] = [];
	let start = 0;
	let cost = headerCost;
	for (let row = 0; row < rowCosts.length; row++) {
		if (row > start && (row - start >= maxRows || cost + rowCosts[row] > budget)) {
			ranges.push({ start, end: row });
			start = row;
			cost = headerCost;
		}
		cost += rowCosts[row];
	}
	if (rowCosts.length > start) ranges.push({ start, end: rowCosts.length });
	return ranges;
}

/** A cell's share of the table's character count: an empty cell is sent as one space. */
function cellCost(text: string): number {
	return Math.max(SLACK_TABLE.minCellTextLength, text.length);
}

function rowCost(cells: readonly string[]): number {
	let cost = 0;
	for (const cell of cells) cost += cellCost(cell);
	return cost;
}

/** The report around the table. */
export interface TableReportText {
	header?: string;
	footer?: string;
}

/** "Rows 100-198 of 1,234", or "1 row" / "12 rows" when one message holds them all. */
export function rowsLine(range: RowRange, total: number): string {
	const count = (n: number) => n.toLocaleString('en-US');
	if (range.start === 0 && range.end === total) return `${count(total)} row${total === 1 ? '' : 's'}`;
	return `Rows ${count(range.start + 1)}-${count(range.end)} of ${count(total)}`;
}

function present(text: string | undefined): text is string {
	return text !== undefined && text.trim() !== '';
}

/** Each message's `text`: the report's header and which rows it holds, what a notification shows. */
function summary(report: TableReportText, ranges: readonly RowRange[], total: number): string {
	const line = rowsLine({ start: ranges[0]?.start ?? 0, end: ranges[ranges.length - 1]?.end ?? 0 }, total);
	return present(report.header) ? `${report.header}\n${line}` : line;
}

function rawText(text: string): { type: 'raw_text'; text: string } {
	return { type: 'raw_text', text: text === '' ? ' ' : text };
}

/** One Slack `table` block of the header and the rows in `range`. */
export function tableBlock(table: BuiltTable, range: RowRange): object {
	const rows = [table.header.map(rawText)];
	for (let row = range.start; row < range.end; row++) rows.push(table.rows[row].map(rawText));
	return {
		type: 'table',
		column_settings: table.align.map((align) => ({ align, is_wrapped: table.wrapped })),
		rows,
	};
}

/**
 * The report as consecutive messages of Slack tables: each table its header row and at most
 * `maxRows - 1` data rows within the per-table character count, `maxTablesPerMessage` tables to a
 * message, each table in an attachment (where Slack takes tables). The footer follows the last
 * table in an attachment of its own.
 */
export function tableMessages(table: BuiltTable, report: TableReportText = {}, limits = SLACK_TABLE): WebhookMessage[] {
	const ranges = groupRows(
		table.rows.map(rowCost),
		rowCost(table.header),
		{ maxRows: limits.maxRows - 1, budget: limits.maxCharactersPerTable },
	);
	if (ranges.length === 0) ranges.push({ start: 0, end: 0 });
	const messages: WebhookMessage[] = [];
	for (let first = 0; first < ranges.length; first += limits.maxTablesPerMessage) {
		const own = ranges.slice(first, first + limits.maxTablesPerMessage);
		messages.push({ text: summary(report, own, table.rows.length), attachments: own.map((range) => ({ blocks: [tableBlock(table, range)] })) });
	}
	if (present(report.footer)) messages[messages.length - 1].attachments!.push(footerAttachment(report.footer));
	return messages;
}

function footerAttachment(footer: string): object {
	return { text: footer, fallback: footer, mrkdwn_in: ['text'] };
}

const FENCE = '```';
const COLUMN_GAP = '  ';
const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/** How many columns a text takes in a code block: its graphemes (a wide character may take two). */
function displayWidth(text: string): number {
	if (ASCII_PRINTABLE.test(text)) return text.length;
	let width = 0;
	for (const _ of graphemes.segment(text)) width++;
	return width;
}

/** A cell as one line of a code block: line breaks become spaces, and no run of backticks can close the block. */
function codeCell(text: string): string {
	return text.replace(/\r\n|[\r\n\t]/g, ' ').replace(/`(?=`)/g, '`\u200b');
}

function padCell(text: string, width: number, textWidth: number, align: SlackAlignment): string {
	const room = width - textWidth;
	if (room <= 0) return text;
	if (align === 'right') return ' '.repeat(room) + text;
	if (align === 'center') return ' '.repeat(Math.floor(room / 2)) + text + ' '.repeat(room - Math.floor(room / 2));
	return text + ' '.repeat(room);
}

/**
 * The report as plain text in code blocks, for Slack-compatible servers that draw no table block
 * (Mattermost, Rocket.Chat, Discord's /slack): columns padded to one width across every message,
 * the header line repeated in each, every message's text within Slack's text limit.
 */
export function codeBlockMessages(table: BuiltTable, report: TableReportText = {}, maxTextLength: number = SLACK_LIMITS.maxTextLength): WebhookMessage[] {
	const header = table.header.map(codeCell);
	const rows = table.rows.map((cells) => cells.map(codeCell));
	const headerWidths = header.map(displayWidth);
	const rowWidths = rows.map((cells) => cells.map(displayWidth));
	const widths = headerWidths.slice();
	for (const cellWidths of rowWidths) for (let column = 0; column < widths.length; column++) widths[column] = Math.max(widths[column], cellWidths[column]);
	const line = (cells: string[], cellWidths: number[]) =>
		cells
			.map((cell, column) => padCell(cell, widths[column], cellWidths[column], table.align[column]))
			.join(COLUMN_GAP)
			.trimEnd();
	const headerLines = `${line(header, headerWidths)}\n${widths.map((width) => '-'.repeat(Math.max(1, width))).join(COLUMN_GAP)}`;
	const lines = rows.map((cells, row) => line(cells, rowWidths[row]));
	const footer = present(report.footer) ? `\n${report.footer}` : '';
	// The longest summary any message can have: the widest "Rows a-b of n" line.
	const summaryRoom = (present(report.header) ? report.header.length + 1 : 0) + rowsLine({ start: lines.length - 1, end: lines.length }, lines.length + 1).length * 2;
	const fixed = summaryRoom + 1 + FENCE.length + 1 + headerLines.length + 1 + FENCE.length + footer.length;
	if (fixed + 1 > maxTextLength) {
		throw new TableShapeError(`The report's header, footer and table header take ${fixed} characters; a message holds at most ${maxTextLength}`);
	}
	const ranges = groupRows(
		lines.map((text) => text.length + 1),
		fixed,
		{ maxRows: Number.MAX_SAFE_INTEGER, budget: maxTextLength },
	);
	if (ranges.length === 0) ranges.push({ start: 0, end: 0 });
	return ranges.map((range, index) => {
		const body = lines.slice(range.start, range.end);
		const block = [FENCE, headerLines, ...body, FENCE].join('\n');
		return { text: `${summary(report, [range], lines.length)}\n${block}${index === ranges.length - 1 ? footer : ''}` };
	});
}
