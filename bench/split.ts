/**
 * Benchmark 5: splitting 10 MB of hostile text (no line break, no space: every cut a last-resort
 * cut) into Slack messages, beside plain `text.slice` chunking, the least any splitter can cost.
 * Runs alone (`node .bench-build/bench/split.js` after `npx tsc -p tsconfig.bench.json`) and from
 * bench/run.mjs. In process, no network; each alphabet runs SPLIT_BENCH_RUNS times (median).
 */
import { writeFileSync } from 'node:fs';

import { splitText } from '../nodes/SlackIncomingWebhook/message/split';
import { SLACK_LIMITS } from '../nodes/shared/slack';

const TEXT_LENGTH = Number(process.env.SPLIT_BENCH_LENGTH ?? 10_000_000);
const RUNS = Number(process.env.SPLIT_BENCH_RUNS ?? 3);

/** Each repeated to TEXT_LENGTH code units (JavaScript string length: "10 MB" is 10 million of them). */
export const HOSTILE_ALPHABETS: ReadonlyArray<{ name: string; unit: string; lead?: string }> = [
	{ name: 'ASCII without spaces (base64)', unit: 'aB3+/x9Q' },
	{ name: 'minified JSON', unit: '{"id":17,"tags":["a","b"],"ok":true},' },
	{ name: 'backticks', unit: '`' },
	{ name: 'emoji with skin-tone modifiers', unit: '👍🏽' },
	{ name: 'ZWJ family sequences', unit: '👩‍👩‍👧‍👦' },
	{ name: 'combining marks (2 per letter)', unit: 'e\u0301\u0323' },
	{ name: 'flags (regional indicator pairs)', unit: '🇯🇵' },
	{ name: 'emoji codes without spaces', unit: ':thumbsup::skin-tone-2:' },
	{ name: 'mentions without spaces', unit: '<@U0123ABC>' },
	{ name: 'one letter under 10 MB of combining marks', lead: 'a', unit: '\u0301' },
];

export interface SplitRow {
	alphabet: string;
	megabytes: number;
	parts: number;
	seconds: number;
	megabytesPerSecond: number;
	sliceSeconds: number;
	ratioToSlice: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function secondsOf(run: () => unknown): number {
	const started = performance.now();
	run();
	return (performance.now() - started) / 1000;
}

/** The least possible: fixed-size slices, no regard for lines, words, graphemes or fences. */
function sliceChunks(text: string, size: number): string[] {
	const chunks: string[] = [];
	for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
	return chunks;
}

export function benchmarkSplit(): SplitRow[] {
	return HOSTILE_ALPHABETS.map(({ name, unit, lead = '' }) => {
		// Whole units only, so the text ends with a whole grapheme.
		const text = lead + unit.repeat(Math.floor((TEXT_LENGTH - lead.length) / unit.length));
		let parts = 0;
		const splitRuns: number[] = [];
		const sliceRuns: number[] = [];
		// One warm-up of each, then RUNS measured.
		for (let run = 0; run <= RUNS; run++) {
			const split = secondsOf(() => (parts = splitText(text, SLACK_LIMITS.maxTextLength).length));
			const slice = secondsOf(() => sliceChunks(text, SLACK_LIMITS.maxTextLength));
			if (run > 0) {
				splitRuns.push(split);
				sliceRuns.push(slice);
			}
		}
		const seconds = median(splitRuns);
		const sliceSeconds = median(sliceRuns);
		const megabytes = text.length / 1_000_000;
		return { alphabet: name, megabytes, parts, seconds, megabytesPerSecond: megabytes / seconds, sliceSeconds, ratioToSlice: seconds / sliceSeconds };
	});
}

/** The rows as a Markdown table, for a run on its own. */
export function splitTable(rows: SplitRow[]): string {
	const header = ['Text (10 MB)', 'Parts', 'Seconds', 'MB/s', '`text.slice` seconds', 'Time / slice time'];
	const cells = rows.map((row) => [row.alphabet, row.parts, row.seconds.toFixed(3), row.megabytesPerSecond.toFixed(0), row.sliceSeconds.toFixed(5), row.ratioToSlice.toFixed(0)]);
	return [header, header.map(() => '---'), ...cells].map((line) => `| ${line.join(' | ')} |`).join('\n');
}

if (require.main === module) {
	const rows = benchmarkSplit();
	if (process.env.BENCH_OUTPUT) writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify({ split: rows }, null, 2));
	console.log(splitTable(rows));
}
