/**
 * Scheduled reports in a real n8n: the example workflow of docs/examples imported with n8n's CLI,
 * the same workflow started by a webhook (a schedule cannot be waited for), and reports and
 * messages over Slack's limits received by the suite's Slack in order and within the limits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SLACK_LIMITS, SLACK_TABLE } from '../../nodes/shared/slack';
import { slackTableRefusal } from '../helpers/slack-webhook-server';
import { answer } from '../helpers/slack-webhook-server';
import { startsOf, workflowTrigger } from '../helpers/slack-workflow-trigger-server';
import { executionData, executionsOf, eventually, n8nCli, n8nVersion, post, requiredEnv, rest, useSuiteSlack } from './n8n-api';
import E2E from '../harness/fixtures/secrets.json';

/** The workflows of test/harness/fixtures/e2e.mjs (passed on by scripts/e2e.mjs). */
const REPORT_WORKFLOWS = JSON.parse(requiredEnv('E2E_REPORT_WORKFLOWS')) as Record<'example' | 'rows' | 'table' | 'tableExample' | 'workflowTrigger', { id: string; path: string }>;
const EXAMPLE_FILE = join(__dirname, '../../docs/examples/scheduled-report.json');
const example = JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8')) as { id: string; name: string; nodes: Array<{ type: string; parameters: Record<string, unknown> }> };
const JSON_BODY = { 'content-type': 'application/json' };

const slack = useSuiteSlack();

const postedTexts = () => slack.posted.map((request) => String(request.json?.text));

/** Every posted message fits Slack's limit, and together they are `lines`, whole and in order. */
function expectReport(lines: string[]) {
	const texts = postedTexts();
	for (const text of texts) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.maxTextLength);
	expect(texts.join('').split('\n')).toEqual(lines);
}

/** The lines the example's Code node makes, computed from its own code. */
function exampleLines(): string[] {
	const code = example.nodes.find((node) => node.type === 'n8n-nodes-base.code')!.parameters.jsCode as string;
	const rows = new Function(code)() as Array<{ json: { customer: string; city: string; orders: number; revenue: number } }>;
	return rows.map(({ json }) => `• ${json.customer} (${json.city}): ${json.orders} orders, ${json.revenue.toFixed(2)} EUR`);
}

describe(`scheduled reports in n8n ${n8nVersion}`, () => {
	it("imports docs/examples/scheduled-report.json with n8n's CLI, as it is", async () => {
		n8nCli(['import:workflow', `--input=${EXAMPLE_FILE}`]);
		const { data: workflows } = await rest<{ data: Array<{ id: string; name: string }> }>('/rest/workflows');
		const imported = workflows.find((workflow) => workflow.name === example.name);
		expect(imported?.id).toBe(example.id);
		const { data } = await rest<{ data: { nodes: Array<{ type: string; parameters: Record<string, unknown> }> } }>(`/rest/workflows/${imported!.id}`);
		expect(data.nodes.map((node) => node.type)).toEqual(['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.code', 'n8n-nodes-slack-webhooks.slackIncomingWebhook']);
		expect(data.nodes[2].parameters).toMatchObject({ send: 'report' });
	});

	it('the example, started by a webhook instead of its schedule, posts its 1,200 rows as one report in consecutive messages', async () => {
		const reply = await post(`/webhook/${REPORT_WORKFLOWS.example.path}`, '{}', JSON_BODY);
		expect(reply.status).toBe(200);
		const lines = postedTexts().join('').split('\n');
		const [header, footer] = [lines[0], lines[lines.length - 1]];
		expect(header).toMatch(/^\*Orders per customer\* on \d{4}-\d{2}-\d{2}$/);
		expect(footer).toMatch(/^Sent by n8n on \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
		expectReport([header, ...exampleLines(), footer]);
		expect(slack.posted.length).toBeGreaterThanOrEqual(2);
		for (const request of slack.posted) expect(request.json?.username).toBe('Nightly Report');
		expect(JSON.parse(reply.body)).toEqual([{ ok: true, status: 200, response: 'ok', attempts: slack.posted.length, waitedMs: 0, parts: slack.posted.length, items: 1200 }]);
	});

	const rows = Array.from({ length: 4000 }, (_, n) => `row ${String(n).padStart(4, '0')}: ${'*'.repeat(n % 40)}`);
	const sendRows = () => post(`/webhook/${REPORT_WORKFLOWS.rows.path}`, JSON.stringify({ rows: rows.map((line) => ({ line })) }), JSON_BODY);

	it("a report of 4,000 rows, several times Slack's limit, arrives whole and in order", async () => {
		const reply = await sendRows();
		expect(reply.status).toBe(200);
		expect(slack.posted.length).toBeGreaterThanOrEqual(3);
		expectReport(['Rows report', ...rows, 'End of 4000 rows']);
		expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ ok: true, parts: slack.posted.length, items: 4000 })]);
	});

	it('when a middle part fails, the execution says which parts were posted, and nothing after it is sent', async () => {
		slack.respondWith(({ index }) => (index === 2 ? answer.slackError(400, 'invalid_payload') : answer.ok()));
		const before = (await executionsOf(REPORT_WORKFLOWS.rows.id)).filter((execution) => execution.status === 'error').length;
		const reply = await sendRows();
		expect(reply.status).toBe(500);
		expect(slack.posted).toHaveLength(2);
		expect(slack.received).toHaveLength(3);
		const failed = await eventually(async () => {
			const errors = (await executionsOf(REPORT_WORKFLOWS.rows.id)).filter((execution) => execution.status === 'error');
			return errors.length > before ? errors.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b)) : undefined;
		});
		const data = await executionData(failed.id);
		expect(data).toMatch(/\(report of 4000 items, part 3 of \d+\)/);
		expect(data).toMatch(/The message was split into \d+ parts and part 3 failed\. Posted: parts 1-2\. Not posted: parts 3-\d+\./);
		expect(data).not.toContain(E2E.webhookSecretPath);
	});

	it('a message of 120 blocks becomes consecutive messages of at most 50, every block once, in order', async () => {
		const blocks = Array.from({ length: 120 }, (_, n) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${n}` } }));
		const reply = await post('/webhook/e2e-action', JSON.stringify({ messages: [{ text: 'Weekly digest', blocks }] }), JSON_BODY);
		expect(reply.status).toBe(200);
		expect(slack.posted.map((request) => (request.json?.blocks as unknown[]).length)).toEqual([50, 50, 20]);
		expect(slack.posted.flatMap((request) => request.json?.blocks as unknown[])).toEqual(blocks);
		expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ ok: true, parts: 3 })]);
	});
	type Table = { rows: Array<Array<{ text: string }>> };
	const postedTables = () => slack.posted.map((request) => ((request.json?.attachments as Array<{ blocks?: Table[] }>)[0].blocks ?? [])[0]);

	it.each([1, 100, 101, 2500])('a table report of %i rows arrives whole and in order, 99 rows a table under a repeated header', async (count) => {
		const rows = Array.from({ length: count }, (_, n) => ({ n, name: `name ${n} *${n % 5}*`, amount: n * 500 }));
		const reply = await post(`/webhook/${REPORT_WORKFLOWS.table.path}`, JSON.stringify({ rows }), JSON_BODY);
		expect(reply.status).toBe(200);
		const messages = Math.ceil(count / (SLACK_TABLE.maxRows - 1));
		expect(slack.received).toHaveLength(messages);
		expect(slack.posted).toHaveLength(messages);
		for (const request of slack.posted) expect(slackTableRefusal(request.json!)).toBeUndefined();
		const tables = postedTables();
		for (const table of tables) expect(table.rows[0].map((cell) => cell.text)).toEqual(['N', 'Name', 'Double']);
		expect(tables.flatMap((table) => table.rows.slice(1).map((row) => row.map((cell) => cell.text)))).toEqual(
			rows.map(({ n, name, amount }) => [n.toLocaleString('en-US'), name, (amount * 2).toLocaleString('en-US')]),
		);
		expect(slack.posted[messages - 1].json?.attachments).toContainEqual(expect.objectContaining({ text: `End of ${count} rows` }));
		expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ ok: true, parts: messages, items: count })]);
	}, 120_000);

	it('the table example, started by a webhook instead of its schedule, posts its five regions as one table', async () => {
		const reply = await post(`/webhook/${REPORT_WORKFLOWS.tableExample.path}`, '{}', JSON_BODY);
		expect(reply.status).toBe(200);
		expect(slack.posted).toHaveLength(1);
		expect(slackTableRefusal(slack.posted[0].json!)).toBeUndefined();
		expect(slack.posted[0].json?.text).toMatch(/^\*Sales by region\* on \d{4}-\d{2}-\d{2}\n5 rows$/);
		const [table] = postedTables();
		expect(table.rows.map((row) => row[0].text)).toEqual(['Region', 'North', 'South', 'East', 'West', 'Online']);
		expect(table.rows[5].slice(1, 4).map((cell) => cell.text)).toEqual(['2,871', '102,944.90', '35.86']);
	});
});

describe(`starting a Slack workflow in n8n ${n8nVersion}`, () => {
	const TRIGGER_EXAMPLE_FILE = join(__dirname, '../../docs/examples/workflow-trigger-report.json');

	it("imports docs/examples/workflow-trigger-report.json with n8n's CLI, as it is", async () => {
		const file = JSON.parse(readFileSync(TRIGGER_EXAMPLE_FILE, 'utf8')) as { id: string };
		n8nCli(['import:workflow', `--input=${TRIGGER_EXAMPLE_FILE}`]);
		const { data } = await rest<{ data: { nodes: Array<{ type: string; parameters: Record<string, unknown> }> } }>(`/rest/workflows/${file.id}`);
		expect(data.nodes[2].parameters).toMatchObject({ send: 'workflowTrigger' });
	});

	it('the example, started by a webhook, starts the Slack workflow once with its figures as text variables', async () => {
		slack.respondWith(workflowTrigger({ required: ['day', 'signups', 'revenue', 'top_region'] }).script);
		const reply = await post(`/webhook/${REPORT_WORKFLOWS.workflowTrigger.path}`, '{}', JSON_BODY);
		expect(reply.status).toBe(200);
		expect(startsOf(slack).map((request) => request.json)).toEqual([{ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), signups: '42', revenue: '1234.50 EUR', top_region: 'EU' }]);
		expect(startsOf(slack)[0].path).toBe(`/triggers/${E2E.workflowTriggerSecretPath}`);
		expect(JSON.parse(reply.body)).toEqual([expect.objectContaining({ ok: true, status: 200, response: '{"ok":true}', attempts: 1 })]);
	});

	it('a refusal from Slack fails the execution with the plain message, and the trigger URL stays hidden', async () => {
		slack.respondWith(() => ({ reply: 400, body: '{"ok":false,"error":"parameter_validation_failed"}' }));
		const before = (await executionsOf(REPORT_WORKFLOWS.workflowTrigger.id)).filter((execution) => execution.status === 'error').length;
		const reply = await post(`/webhook/${REPORT_WORKFLOWS.workflowTrigger.path}`, '{}', JSON_BODY);
		expect(reply.status).toBe(500);
		expect(slack.received).toHaveLength(1);
		const failed = await eventually(async () => {
			const errors = (await executionsOf(REPORT_WORKFLOWS.workflowTrigger.id)).filter((execution) => execution.status === 'error');
			return errors.length > before ? errors.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b)) : undefined;
		});
		const data = await executionData(failed.id);
		expect(data).toContain("Slack refused the workflow's variables");
		expect(data).not.toContain('e2e-trigger-secret-not-real');
	});
});
