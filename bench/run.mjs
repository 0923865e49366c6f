#!/usr/bin/env node
// `npm run bench`: every benchmark side by side with what users would use instead, measured in the
// same run, printed as tables of ratios (and written to bench/results/latest.json).
// Loopback only; each benchmark is bounded in messages and time.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import { buildPackage, FAST_TRIGGER_SETTINGS, PROJECT_DIR } from '../test/harness/n8n-instance.mjs';
import { benchmarkMemory, benchmarkTrigger, TRIGGER_REQUESTS_NOTE as REQUESTS_NOTE } from './n8n.mjs';

const results = join(PROJECT_DIR, 'bench', 'results');
mkdirSync(results, { recursive: true });
const say = (message) => console.log(`[bench] ${message}`);
const run = (command, args, env = {}) => {
	const result = spawnSync(command, args, { cwd: PROJECT_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
};

const fixed = (value, digits = 2) => Number(value).toFixed(digits);
const table = (headers, rows) =>
	[`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const triggerTable = (trigger) =>
	table(
		['Settings', 'Case', 'Clients', 'Contestant', 'Requests/s', 'p50 ms', 'p99 ms', 'Ratio to Webhook build', 'Ratio to Webhook alone', 'Ratio to the limit', 'Non-200'],
		trigger.map((row) => [
			row.settings, row.case, row.concurrency, row.contestant, fixed(row.perSecond, 1), fixed(row.p50, 1), fixed(row.p99, 1),
			fixed(row.ratioToWebhookBuild), row.ratioToFloor === undefined ? '' : fixed(row.ratioToFloor), fixed(row.ratioToLimit, 4), row.failures,
		]),
	);

// The n8n benchmarks install `npm pack` output, which is dist/ as built: build it first.
say('building the package and compiling the benchmarks');
buildPackage();
run('npx', ['tsc', '-p', 'tsconfig.bench.json']);
// n8n's HTTP Request node comes from the n8n runtime (installed once into ~/.cache).
const runtime = ensureN8n(DEFAULT_N8N_VERSION);

const machine = `${cpus().length} cores (${cpus()[0]?.model?.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
say(`machine: ${machine}`);
// BENCH_ONLY_TRIGGER=1: benchmark 3 alone (with BENCH_TRIGGER_SETTINGS to pick its blocks), into bench/results/trigger.md.
if (process.env.BENCH_ONLY_TRIGGER) {
	const trigger = await benchmarkTrigger(say);
	const report = `Machine: ${machine}. ${REQUESTS_NOTE}.\n\n${triggerTable(trigger)}\n`;
	writeFileSync(join(results, 'trigger.md'), report);
	writeFileSync(join(results, 'trigger.json'), JSON.stringify({ machine, trigger }, null, 2));
	console.log(`\n${report}`);
	process.exit(0);
}
say('1 and 2: delivery, in process, through n8n-core (about 5 minutes)');
if (process.env.BENCH_SKIP_DELIVERY) say('(skipped: BENCH_SKIP_DELIVERY, using the last results)');
const deliveryFile = join(results, 'delivery.json');
if (!process.env.BENCH_SKIP_DELIVERY) {
	run(process.execPath, [join(PROJECT_DIR, '.bench-build', 'bench', 'main.js')], {
		BENCH_OUTPUT: deliveryFile,
		BENCH_N8N_NODE_MODULES: runtime.nodeModules,
	});
}
const { delivery, rateLimited, sharedPace = [] } = JSON.parse(readFileSync(deliveryFile, 'utf8'));

// BENCH_SKIP_DELIVERY / BENCH_SKIP_TRIGGER reuse the last results of those parts (to re-run one part).
const previous = existsSync(join(results, 'latest.json')) ? JSON.parse(readFileSync(join(results, 'latest.json'), 'utf8')) : {};
say('3: the trigger in a real n8n, beside the Webhook-node build and a bare Node server, in each block of settings (about 35 minutes)');
const trigger = process.env.BENCH_SKIP_TRIGGER && previous.trigger ? previous.trigger : await benchmarkTrigger(say);

say(`4: n8n's memory while a workflow sends many messages, this node beside the HTTP Request node`);
const { SlackWebhookServer } = createRequire(import.meta.url)('../.bench-build/test/helpers/slack-webhook-server.js');
const slackServer = await new SlackWebhookServer().start();
const memory = await benchmarkMemory(say, slackServer.url).finally(() => slackServer.stop());

say('5: splitting 10 MB of text without spaces, beside plain text.slice chunking (about a minute)');
const splitFile = join(results, 'split.json');
run(process.execPath, [join(PROJECT_DIR, '.bench-build', 'bench', 'split.js')], { BENCH_OUTPUT: splitFile });
const { split } = JSON.parse(readFileSync(splitFile, 'utf8'));

say('6: 10,000 items as a table report, beside the text report of the same items (seconds)');
const tableFile = join(results, 'table.json');
run(process.execPath, [join(PROJECT_DIR, '.bench-build', 'bench', 'table.js')], { BENCH_OUTPUT: tableFile });
const { table: tableReport } = JSON.parse(readFileSync(tableFile, 'utf8'));

const report = [
	`Machine: ${machine}. Command: \`npm run bench\`.`,
	'',
	'**1. Delivery overhead** (Slack-compatible server on 127.0.0.1 answering `ok`; median of 3 runs after a warm-up; ratio to raw undici at the same concurrency):',
	'',
	table(
		['Server latency', 'Concurrency', 'Contestant', 'Messages/s', 'Ratio to raw undici', 'Delivered'],
		delivery.map((row) => [`${row.latencyMs} ms`, row.concurrency, row.contestant, fixed(row.messagesPerSecond, 0), fixed(row.ratioToRawUndici), row.delivered]),
	),
	'',
	'**2. Rate-limited delivery** (server token bucket 20 messages/s, burst 10, `429` with `Retry-After: 1` beyond it; least possible time = (N − burst) / rate):',
	'',
	table(
		['Contestant', 'Delivered', 'Lost', 'Duplicated', '429 answers', 'Seconds', 'Time / least time', 'In order'],
		rateLimited.map((row) => [row.contestant, row.delivered, row.lost, row.duplicated, row.answered429, fixed(row.seconds, 1), fixed(row.ratioToLeastTime), row.inOrder ? 'yes' : 'no']),
	),
	'',
	'**2b. One pace shared by concurrent executions** (server allowing exactly 1 message/s, burst 1, `429` with `Retry-After: 1` beyond it; the same messages in all, split among the executions; least possible time = N − 1 s):',
	'',
	table(
		['Executions', 'Gate', 'Delivered', 'Lost', 'Duplicated', '429 answers', 'Paced locally', 'Seconds', 'Time / least time'],
		sharedPace.map((row) => [row.executions, row.gate, row.delivered, row.lost, row.duplicated, row.answered429, row.pacedLocally, fixed(row.seconds, 1), fixed(row.ratioToLeastTime)]),
	),
	'',
	`**3. The trigger in a real n8n ${DEFAULT_N8N_VERSION}** (n8n 1.x where the settings say so), in blocks of settings, each in a fresh n8n: n8n's defaults; the recommended ones (\`${Object.entries(FAST_TRIGGER_SETTINGS).map(([name, value]) => `${name}=${value}`).join(' ')}\`); those with n8n's compile cache; n8n's defaults on an n8n patched as docs/n8n-upstream proposes. Form posts as Slack sends them, signed JSON for the Events API cases, and for the Socket Mode cases (f, g) envelopes through a stand-in for Slack's socket server (requests are envelopes, latency is the acknowledgement's; the limit is a bare WebSocket client outside n8n, and Non-200 counts envelopes sent again); the load client runs on the same machine; up to ${REQUESTS_NOTE}:`,
	'',
	triggerTable(trigger),
	'',
	`**4. Memory**: n8n's resident memory while one workflow execution sends ${memory[0]?.items ?? 0} messages (Webhook, Split Out, sender; a fresh n8n for each):`,
	'',
	table(
		['Sender', 'Baseline MiB', 'Peak MiB', 'Growth MiB', 'Seconds'],
		memory.map((row) => [row.contestant, fixed(row.baselineMiB, 0), fixed(row.peakMiB, 0), fixed(row.growthMiB, 0), fixed(row.seconds, 1)]),
	),
	'',
	`Growth ratio, this node to the HTTP Request node: ${fixed(memory[0].growthMiB / memory[1].growthMiB)}.`,
	'',
	"**5. Splitting a long message** (10 MB without a line break or a space, so every cut is a last-resort cut, into Slack's 40,000-character parts; median of 3 after a warm-up; beside `text.slice` chunking, the least possible, which ignores words, graphemes, tokens and fences; alone: `npx tsc -p tsconfig.bench.json && node .bench-build/bench/split.js`):",
	'',
	table(
		['Text (10 MB)', 'Parts', 'Seconds', 'MB/s', '`text.slice` seconds', 'Time / slice time'],
		split.map((row) => [row.alphabet, row.parts, fixed(row.seconds, 3), fixed(row.megabytesPerSecond, 0), fixed(row.sliceSeconds, 5), fixed(row.ratioToSlice, 0)]),
	),
	'',
	'**6. A report as a table** (10,000 items, 5 columns, built and split into messages, median of 5 after a warm-up; beside the text report of the same items; alone: `npx tsc -p tsconfig.bench.json && node .bench-build/bench/table.js`):',
	'',
	table(
		['Report of 10,000 items', 'Messages', 'Seconds', 'Time / text report time'],
		tableReport.map((row) => [row.case, row.messages, fixed(row.seconds, 3), fixed(row.ratioToText, 1)]),
	),
].join('\n');

writeFileSync(join(results, 'latest.md'), `${report}\n`);
writeFileSync(join(results, 'latest.json'), JSON.stringify({ machine, delivery, rateLimited, sharedPace, trigger, memory, split, table: tableReport }, null, 2));
console.log(`\n${report}\n`);
say('written to bench/results/latest.md and latest.json');
