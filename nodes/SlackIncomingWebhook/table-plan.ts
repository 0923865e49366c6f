/**
 * "All Items as One Report" as a table: the Columns and Table Options read with the items into the
 * pure table builder (message/table.ts). Every cell is checked before anything is sent; an error
 * names the item and the column.
 */
import { NodeOperationError, type IDataObject, type INode, type INodeExecutionData } from 'n8n-workflow';

import { REPORT_FORMAT, TABLE_COLUMNS_FROM } from './description';
import { containsExpression } from './parameters';
import type { ParameterReader } from './plan';
import { buildTable, codeBlockMessages, tableMessages, TableCellError, TableShapeError, type CellFormat, type ColumnAlignment, type TableColumn } from './message/table';
import type { WebhookMessage } from '../shared/sending/webhook-message';

/** What the table needs beyond the parameters: the items, and the workflow's time zone for dates. */
export interface TableInput {
	items: readonly INodeExecutionData[];
	timeZone: string;
}

interface ColumnParameter {
	value?: unknown;
	header?: string;
	align?: ColumnAlignment;
}

/** How one column gets its cell from an item: a field's value, or the column's expression evaluated for it. */
type CellSource = { kind: 'field'; path: string } | { kind: 'expression'; index: number };

/** Whether the report is a table (of either kind) rather than text lines. */
export function readReportFormat(read: ParameterReader): string {
	return read<string>('reportFormat', 0, REPORT_FORMAT.lines);
}

/**
 * The report's messages as tables: the header and footer around them, the cells read from every
 * item. `report` gives the header and footer text (read with the first item).
 */
export function planTableReport(
	read: ParameterReader,
	node: INode,
	input: TableInput,
	itemCount: number,
	report: { header: string; footer: string },
): WebhookMessage[] {
	const format = readReportFormat(read);
	const { columns, sources } = readColumns(read, node, input.items);
	const values: unknown[][] = new Array(itemCount);
	const found = sources.map(() => false);
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const json = input.items[itemIndex]?.json ?? {};
		let evaluated: ColumnParameter[] | undefined;
		values[itemIndex] = sources.map((source, column) => {
			if (source.kind === 'expression') {
				evaluated ??= readColumnParameters(read, node, itemIndex);
				return evaluated[source.index]?.value;
			}
			const { present, value } = fieldValue(json, source.path);
			if (present) found[column] = true;
			return value;
		});
	}
	const missing = sources.findIndex((source, column) => source.kind === 'field' && !found[column] && itemCount > 0);
	if (missing !== -1) {
		const path = (sources[missing] as { path: string }).path;
		throw new NodeOperationError(node, `Column "${columns[missing].header}" names the field "${path}", which no item has (report of ${itemCount} items, field "Columns")`, {
			itemIndex: 0,
			description: 'Check the spelling against the input items (field names are case-sensitive), or use an expression such as {{ $json.total }}.',
		});
	}
	let table;
	try {
		table = buildTable(columns, values, readCellFormat(read, input.timeZone));
	} catch (error) {
		if (error instanceof TableCellError) {
			throw new NodeOperationError(node, `Item ${error.row}, column "${columns[error.column].header}": ${error.message}`, { itemIndex: error.row });
		}
		const message = error instanceof TableShapeError ? `${(error as Error).message} (report of ${itemCount} items, field "Columns")` : (error as Error).message;
		throw new NodeOperationError(node, message, { itemIndex: 0 });
	}
	return format === REPORT_FORMAT.codeBlock ? codeBlockMessages(table, report) : tableMessages(table, report);
}

function readColumnParameters(read: ParameterReader, node: INode, itemIndex: number): ColumnParameter[] {
	try {
		return read<ColumnParameter[]>('tableColumns.column', itemIndex, []);
	} catch (error) {
		throw new NodeOperationError(node, error as Error, { itemIndex });
	}
}

/** The columns and where each cell comes from; a column whose Field or Value holds an expression is evaluated per item. */
function readColumns(read: ParameterReader, node: INode, items: readonly INodeExecutionData[]): { columns: TableColumn[]; sources: CellSource[] } {
	if (read<string>('tableColumnsFrom', 0, TABLE_COLUMNS_FROM.chosen) === TABLE_COLUMNS_FROM.firstItem) {
		const keys = Object.keys(items[0]?.json ?? {});
		return { columns: keys.map((key) => ({ header: key, align: 'auto' })), sources: keys.map((path) => ({ kind: 'field', path: `${path}` })) };
	}
	const raw = ((node.parameters.tableColumns as IDataObject | undefined)?.column ?? []) as ColumnParameter[];
	const chosen = readColumnParameters(read, node, 0);
	const sources: CellSource[] = chosen.map((column, index) =>
		containsExpression(raw[index]?.value) ? { kind: 'expression', index } : { kind: 'field', path: String(column.value ?? '').trim() },
	);
	const columns = chosen.map((column, index) => {
		const source = sources[index];
		const header = String(column.header ?? '').trim() || (source.kind === 'field' ? source.path : `Column ${index + 1}`);
		return { header, align: column.align ?? 'auto' };
	});
	const unnamed = sources.findIndex((source) => source.kind === 'field' && source.path === '');
	if (unnamed !== -1) {
		throw new NodeOperationError(node, `Column ${unnamed + 1} names no field (report, field "Columns")`, {
			itemIndex: 0,
			description: 'Fill in its Field or Value with a field name or an expression, or remove the column.',
		});
	}
	return { columns, sources };
}

/** A top-level key first (keys may hold dots), then a dotted path into nested objects. */
function fieldValue(json: IDataObject, path: string): { present: boolean; value: unknown } {
	if (Object.prototype.hasOwnProperty.call(json, path)) return { present: true, value: json[path] };
	let current: unknown = json;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return { present: false, value: undefined };
		current = (current as Record<string, unknown>)[key];
	}
	return { present: true, value: current };
}

function readCellFormat(read: ParameterReader, timeZone: string): CellFormat {
	const options = read<IDataObject>('tableOptions', 0, {});
	const decimals = typeof options.decimalPlaces === 'number' && options.decimalPlaces >= 0 ? Math.floor(options.decimalPlaces) : undefined;
	return {
		decimalPlaces: decimals,
		thousandsSeparators: options.thousandsSeparators === true,
		dates: options.dateFormat === 'date' || options.dateFormat === 'dateTime' ? options.dateFormat : 'asIs',
		timeZone,
		longText: options.longCellText === 'cut' ? 'cut' : 'wrap',
		maxCellLength: typeof options.maxCellLength === 'number' ? options.maxCellLength : 40,
	};
}
