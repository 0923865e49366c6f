#!/usr/bin/env node
// `npm run screenshots`: opens the n8n editor in headless Chromium (Debian's `chromium` package,
// driven by playwright-core), with the three nodes on a canvas, and saves PNGs of the canvas, of
// each node's panel (the Socket Mode trigger's among them), of the Add to Slack credential, and of a split report in the editor's output
// (the example workflow of docs/examples run against a local stand-in for Slack) into docs/.
// Re-run it when a node's parameters change.
//
// Needs /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import {
	buildAndPack,
	freePort,
	loopbackOnlySettings,
	n8nEnvironment,
	PROJECT_DIR,
	startN8nWithPackage,
	stopN8n,
	waitForHealthy,
} from '../test/harness/n8n-instance.mjs';

const say = (message) => console.log(`[screenshots] ${message}`);
const docs = join(PROJECT_DIR, 'docs');
const OWNER = { email: 'owner@example.com', firstName: 'Docs', lastName: 'Owner', password: 'Docs-owner-password-1' };


const showcase = {
	id: 'docsShowcase0001',
	name: 'Slack webhooks: answer in the thread',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'docs-trigger',
			name: 'Slack Outgoing Webhook Trigger',
			type: 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'docs-trigger',
			parameters: { channels: '#deploys', triggerWords: 'deploy', respond: 'immediately', replyText: 'On it!', replyOptions: { responseType: 'in_channel' } },
			credentials: { slackWebhooksOutgoingApi: { id: 'docsOutgoing0001', name: 'Slack outgoing webhook' } },
		},
		{
			id: 'docs-socket-trigger',
			name: 'Slack Socket Mode Trigger',
			type: 'n8n-nodes-slack-webhooks.slackSocketModeTrigger',
			typeVersion: 1,
			position: [0, 220],
			parameters: { triggerWords: '/deploy', respond: 'immediately', replyText: 'On it!', replyOptions: { responseType: 'in_channel' } },
			credentials: { slackWebhooksSocketModeApi: { id: 'docsSocketMode01', name: 'Slack app (Socket Mode)' } },
		},
		{
			id: 'docs-action',
			name: 'Slack Incoming Webhook',
			type: 'n8n-nodes-slack-webhooks.slackIncomingWebhook',
			typeVersion: 1,
			position: [320, 0],
			parameters: {
				text: '=Deploying *{{ $json.args[0] }}* for {{ $json.user_name }}',
				thread: { threadTs: '={{ $json.thread_ts || $json.timestamp }}' },
				options: { orderedDelivery: true },
			},
			credentials: { slackWebhooksIncomingUrlApi: { id: 'docsIncoming0001', name: 'Slack incoming webhook' } },
		},
	],
	connections: {
		'Slack Outgoing Webhook Trigger': { main: [[{ node: 'Slack Incoming Webhook', type: 'main', index: 0 }]] },
		'Slack Socket Mode Trigger': { main: [[{ node: 'Slack Incoming Webhook', type: 'main', index: 0 }]] },
	},
	pinData: {},
};

/** Answers every post as Slack does, on 127.0.0.1: the report's parts are posted nowhere else. */
const slackStandIn = createServer((request, response) => {
	request.resume();
	request.on('end', () => response.end('ok'));
});
await new Promise((resolve) => slackStandIn.listen(0, '127.0.0.1', resolve));

/** docs/examples/scheduled-report.json, its Slack node given the stand-in's credential. */
const example = JSON.parse(readFileSync(join(docs, 'examples', 'scheduled-report.json'), 'utf8'));
for (const node of example.nodes) {
	if (node.type === 'n8n-nodes-slack-webhooks.slackIncomingWebhook') node.credentials = { slackWebhooksIncomingUrlApi: { id: 'docsReportHook01', name: 'Slack incoming webhook (reports)' } };
}

/** The late-reply example (docs/outgoing-webhook-trigger.md), as a user has it once the trigger's credential is picked. */
const lateReply = JSON.parse(readFileSync(join(docs, 'examples', 'slash-command-late-reply.json'), 'utf8'));
lateReply.nodes[0].credentials = { slackWebhooksOutgoingApi: { id: 'docsOutgoing0001', name: 'Slack outgoing webhook' } };

/** The approval-buttons example of docs/slack-apps.md, its trigger given the Slack-app credential. */
const approval = JSON.parse(readFileSync(join(docs, 'examples', 'slack-app-approval-buttons.json'), 'utf8'));
for (const node of approval.nodes) {
	if (node.type === 'n8n-nodes-slack-webhooks.slackOutgoingWebhookTrigger') node.credentials = { slackWebhooksOutgoingApi: { id: 'docsSlackApp0001', name: 'Slack app' } };
	if (node.type === 'n8n-nodes-slack-webhooks.slackIncomingWebhook' && node.parameters.authentication !== 'none') node.credentials = { slackWebhooksIncomingUrlApi: { id: 'docsIncoming0001', name: 'Slack incoming webhook' } };
}
/** The keyword-bot example, for its trigger's panel: events, channel IDs, no reply in the body. */
const keywordBot = JSON.parse(readFileSync(join(docs, 'examples', 'slack-app-keyword-bot.json'), 'utf8'));
keywordBot.nodes[0].credentials = { slackWebhooksOutgoingApi: { id: 'docsSlackApp0001', name: 'Slack app' } };
keywordBot.nodes[0].parameters.channels = 'C2147483705';
keywordBot.nodes[1].credentials = { slackWebhooksIncomingUrlApi: { id: 'docsIncoming0001', name: 'Slack incoming webhook' } };

/** The Socket Mode example of docs/socket-mode.md, its trigger given a Socket Mode credential (never activated here). */
const socketMode = JSON.parse(readFileSync(join(docs, 'examples', 'socket-mode-deploy-command.json'), 'utf8'));
socketMode.nodes[0].credentials = { slackWebhooksSocketModeApi: { id: 'docsSocketMode01', name: 'Slack app (Socket Mode)' } };

const credentials = [
	{ id: 'docsSocketMode01', name: 'Slack app (Socket Mode)', type: 'slackWebhooksSocketModeApi', data: { appToken: 'xapp-1-not-real-docs-token' } },
	{ id: 'docsSlackApp0001', name: 'Slack app', type: 'slackWebhooksOutgoingApi', data: { signingSecret: 'not-a-real-signing-secret' } },
	{ id: 'docsReportHook01', name: 'Slack incoming webhook (reports)', type: 'slackWebhooksIncomingUrlApi', data: { webhookUrl: `http://127.0.0.1:${slackStandIn.address().port}/services/docs-report` } },
	{ id: 'docsIncoming0001', name: 'Slack incoming webhook', type: 'slackWebhooksIncomingUrlApi', data: { webhookUrl: 'https://hooks.example.com/services/not-a-real-hook' } },
	{ id: 'docsOutgoing0001', name: 'Slack outgoing webhook', type: 'slackWebhooksOutgoingApi', data: { token: 'not-a-real-token' } },
	{ id: 'docsAddToSlack01', name: 'Add to Slack', type: 'slackWebhooksIncomingOAuth2Api', data: { clientId: '0000000000.0000000000', clientSecret: 'not-a-real-secret' } },
];

say('building and packing the package');
const tarball = buildAndPack();
// SCREENSHOTS_N8N_VERSION takes the pictures in another installed n8n (the default is the current line).
const n8nVersion = process.env.SCREENSHOTS_N8N_VERSION ?? DEFAULT_N8N_VERSION;
const runtime = ensureN8n(n8nVersion);
const userFolder = mkdtempSync(join(tmpdir(), 'slack-webhooks-docs-'));
const [port, brokerPort] = [await freePort(), await freePort()];
const env = n8nEnvironment({ userFolder, port, brokerPort, extra: loopbackOnlySettings(n8nVersion) });
let child;
let browser;
try {
	child = startN8nWithPackage({ runtime, env, userFolder, tarball, credentials, workflows: [showcase, example, lateReply, approval, keywordBot, socketMode], activate: false, stdio: 'ignore' });
	await waitForHealthy(port, child);
	const base = `http://localhost:${port}`;

	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });

	say('setting up the owner account in the editor');
	await page.goto(`${base}/setup`);
	for (let attempt = 0; attempt < 60 && !(await page.locator('input[name="email"]').count()); attempt++) {
		await page.waitForTimeout(1_000);
		await page.goto(`${base}/setup`);
	}
	await page.fill('input[name="email"]', OWNER.email);
	await page.fill('input[name="firstName"]', OWNER.firstName);
	await page.fill('input[name="lastName"]', OWNER.lastName);
	await page.fill('input[name="password"]', OWNER.password);
	await page.locator('button[type="submit"], [data-test-id="form-submit-button"]').first().click();
	await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 30_000 });

	mkdirSync(docs, { recursive: true });
	say('opening the showcase workflow');
	await page.goto(`${base}/workflow/${showcase.id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await dismissOverlays(page);
	await page.waitForTimeout(1_500);
	await page.screenshot({ path: join(docs, 'canvas.png') });

	for (const [nodeName, file] of [
		['Slack Outgoing Webhook Trigger', 'trigger-panel.png'],
		['Slack Incoming Webhook', 'incoming-webhook-panel.png'],
	]) {
		say(`opening the panel of ${nodeName}`);
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
		await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1_000);
		await page.screenshot({ path: join(docs, file) });
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
	}

	say('opening the late-reply example and its Response URL panel');
	await page.goto(`${base}/workflow/${lateReply.id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await page.waitForTimeout(1_500);
	await page.screenshot({ path: join(docs, 'late-reply-canvas.png') });
	await page.locator('[data-test-id="canvas-node"][data-node-name="Answer in the Channel"]').dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1_000);
	await page.screenshot({ path: join(docs, 'response-url-panel.png') });
	await page.keyboard.press('Escape');

	say('opening the Slack-app examples and their trigger panels');
	for (const [flow, nodeName, canvasFile, panelFile] of [
		[approval, 'Button Clicked', 'slack-app-approval-canvas.png', 'slack-app-buttons-panel.png'],
		[keywordBot, 'Slack App Events', undefined, 'slack-app-events-panel.png'],
		[socketMode, 'Slack Socket Mode Trigger', undefined, 'socket-mode-panel.png'],
	]) {
		await page.goto(`${base}/workflow/${flow.id}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1_500);
		if (canvasFile) await page.screenshot({ path: join(docs, canvasFile) });
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
		await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1_000);
		await page.screenshot({ path: join(docs, panelFile) });
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
	}

	say('opening the Add to Slack credential');
	// Taller, so that the setup notice below the fields is in the picture.
	await page.setViewportSize({ width: 1440, height: 1150 });
	await page.goto(`${base}/home/credentials/docsAddToSlack01`);
	await page.locator('[data-test-id="editCredential-modal"]').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1_500);
	await page.screenshot({ path: join(docs, 'add-to-slack-credential.png') });
	await page.keyboard.press('Escape');

	say('running the scheduled-report example and opening its Slack node');
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto(`${base}/workflow/${example.id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await dismissOverlays(page);
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	await page.locator('[data-test-id="canvas-node"][data-node-name="Post Report to Slack"] [data-test-id="canvas-node-status-success"]').waitFor({ timeout: 120_000 });
	await page.locator('[data-test-id="canvas-node"][data-node-name="Post Report to Slack"]').dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 30_000 });
	// JSON shows every field of the report's one output item, parts and items included.
	// The panel's rightmost JSON switch is the output's (the input panel has one too).
	const ndv = page.locator('[data-test-id="ndv"]').first();
	await ndv.getByText('JSON', { exact: true }).last().click();
	await ndv.getByText('items').last().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1_000);
	await page.screenshot({ path: join(docs, 'report-output.png') });
	say(`saved docs/canvas.png, docs/trigger-panel.png, docs/incoming-webhook-panel.png, docs/late-reply-canvas.png, docs/response-url-panel.png, docs/add-to-slack-credential.png, docs/report-output.png, docs/slack-app-approval-canvas.png, docs/slack-app-buttons-panel.png, docs/slack-app-events-panel.png, docs/socket-mode-panel.png`);
} finally {
	await browser?.close();
	await stopN8n(child);
	slackStandIn.close();
	rmSync(userFolder, { recursive: true, force: true });
}

/** Closes first-run prompts (survey, tips) that would cover the canvas. */
async function dismissOverlays(page) {
	for (let round = 0; round < 3; round++) {
		const close = page.locator('.el-dialog__headerbtn, [data-test-id="personalization-form"] button, button:has-text("Get started"), button:has-text("Skip")');
		if (!(await close.count())) return;
		await close.first().click({ trial: false }).catch(() => undefined);
		await page.waitForTimeout(500);
	}
}
