/**
 * Benchmark 6: 10,000 items of a report into Slack messages as tables (the table builder and the
 * splitter into consecutive table messages, and the plain-text table in code blocks), beside the
 * text report of the same items (one line per item, split at Slack's text limit). Pure, in
 * process, no network: what the node spends before the first message goes out. Runs alone
 * (`npx tsc -p tsconfig.bench.json && node .bench-build/bench/table.js`) and from bench/run.mjs;
 * each case TABLE_BENCH_RUNS times (median) after a warm-up.
 */
import { writeFileSync } from 'node:fs';

import { buildReportText } from '../nodes/SlackIncomingWebhook/message/report';
import { planMessageSplit } from '../nodes/SlackIncomingWebhook/message/split';
import { buildTable, codeBlockMessages, DEFAULT_CELL_FORMAT, tableMessages, type CellFormat, type TableColumn } from '../nodes/SlackIncomingWebhook/message/table';

const ITEMS = Number(process.env.TABLE_BENCH_ITEMS ?? 10_000);
const RUNS = Number(process.env.TABLE_BENCH_RUNS ?? 5);

export interface TableRow {
	case: string;
	items: number;
	messages: number;
	seconds: number;
	ratioToText: number;
}

const cities = ['Berlin', 'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'São Paulo 🇧🇷'];
const items = Array.from({ length: ITEMS }, (_, n) => ({
	customer: `Customer ${String(n + 1).padStart(5, '0')}`,
	city: cities[n % cities.length],
	orders: (n * 37) % 50,
	revenue: ((n * 7919) % 100000) / 100,
	updated: new Date(Date.UTC(2024, 4, 1, 7, n % 60)).toISOString(),
}));
const columns: TableColumn[] = ['Customer', 'City', 'Orders', 'Revenue', 'Updated'].map((header) => ({ header, align: 'auto' }));
const format: CellFormat = { ...DEFAULT_CELL_FORMAT, decimalPlaces: 2, thousandsSeparators: true, dates: 'dateTime', timeZone: 'Europe/Berlin' };
const report = { header: '*Orders per customer*', footer: 'Sent by n8n' };

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function measure(run: () => number): { seconds: number; messages: number } {
	let messages = 0;
	const runs: number[] = [];
	for (let index = 0; index <= RUNS; index++) {
		const started = performance.now();
		messages = run();
		if (index > 0) runs.push((performance.now() - started) / 1000);
	}
	return { seconds: median(runs), messages };
}

export function benchmarkTable(): TableRow[] {
	const values = () => items.map((item) => [item.customer, item.city, item.orders, item.revenue, item.updated]);
	const text = measure(() => {
		const lines = items.map((item) => `• ${item.customer} (${item.city}): ${item.orders} orders, ${item.revenue.toFixed(2)} EUR, ${item.updated}`);
		return planMessageSplit({ text: buildReportText({ ...report, lines }) }).parts.length;
	});
	const table = measure(() => tableMessages(buildTable(columns, values(), format), report).length);
	const code = measure(() => codeBlockMessages(buildTable(columns, values(), format), report).length);
	const row = (name: string, result: { seconds: number; messages: number }) => ({ case: name, items: ITEMS, messages: result.messages, seconds: result.seconds, ratioToText: result.seconds / text.seconds });
	return [row('Text lines (the report as it was)', text), row('Slack table blocks', table), row('Plain-text table in code blocks', code)];
}

export function tableBenchTable(rows: TableRow[]): string {
	const header = ['Report of 10,000 items, 5 columns', 'Messages', 'Seconds', 'Time / text report time'];
	const cells = rows.map((row) => [row.case, row.messages, row.seconds.toFixed(3), row.ratioToText.toFixed(1)]);
	return [header, header.map(() => '---'), ...cells].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

if (require.main === module) {
	const rows = benchmarkTable();
	if (process.env.BENCH_OUTPUT) writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify({ table: rows }, null, 2));
	console.log(tableBenchTable(rows));
}
