#!/usr/bin/env node
// Slack's own Socket Mode client (@slack/socket-mode) beside this package's session
// (nodes/shared/socket-mode/connection.ts), on the cases that decided between them
// (docs/development.md, "Dependencies and why"): a rotation, link_disabled, apps.connections.open
// unreachable, what each logs of a payload, promise rejections nobody handles, and what each adds to
// an install. Against the stand-in for Slack's socket server on 127.0.0.1; bounded, about four minutes.
//
// `npx tsc -p tsconfig.bench.json && node bench/socket-mode-clients.mjs`. @slack/socket-mode is
// installed into a temporary folder (from the npm registry) and removed afterwards: it is not a
// dependency of the package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SLACK_CLIENT_VERSION = process.env.SLACK_SOCKET_MODE_VERSION ?? '3.1.0';
const APP_TOKEN = 'xapp-1-ACLIENTS0-1-not-real';
const SECRET_RESPONSE_URL = 'https://hooks.slack.com/commands/T0001/1/client-comparison-secret-not-real';
const requireBuilt = createRequire(new URL('../.bench-build/', import.meta.url));
const { SlackSocketServer } = requireBuilt('./test/helpers/slack-socket-server.js');
const { SocketModeSession } = requireBuilt('./nodes/shared/socket-mode/connection.js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Promise rejections nobody handled, while each client ran (n8n logs them; plain Node would exit). */
const unhandled = { slack: 0, ours: 0 };
let running = 'slack';
process.on('unhandledRejection', () => unhandled[running]++);
const say = (message) => console.log(`[clients] ${message}`);

const folder = mkdtempSync(join(tmpdir(), 'slack-socket-mode-client-'));
say(`installing @slack/socket-mode@${SLACK_CLIENT_VERSION} into ${folder}`);
execFileSync('npm', ['init', '-y'], { cwd: folder, stdio: 'ignore' });
execFileSync('npm', ['install', `@slack/socket-mode@${SLACK_CLIENT_VERSION}`, 'undici@7', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder, stdio: 'inherit' });
const installedPackages = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: folder, encoding: 'utf8' }).trim().split('\n').length - 1;
const installedMiB = Number(execFileSync('du', ['-sk', join(folder, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]) / 1024;
const { SocketModeClient } = createRequire(join(folder, 'package.json'))('@slack/socket-mode');

/** Starts a client against the stand-in; returns what it logged and how to stop it. */
async function startClient(kind, standIn) {
	const lines = [];
	const logger = {
		debug: (...parts) => lines.push(parts.join(' ')),
		info: (...parts) => lines.push(parts.join(' ')),
		warn: (...parts) => lines.push(parts.join(' ')),
		error: (...parts) => lines.push(parts.join(' ')),
		setLevel: () => undefined,
		getLevel: () => 'debug',
		setName: () => undefined,
	};
	if (kind === 'slack') {
		const client = new SocketModeClient({ appToken: APP_TOKEN, logger, clientOptions: { slackApiUrl: standIn.apiBaseUrl } });
		client.on('slack_event', async ({ ack }) => await ack().catch(() => undefined));
		client.on('error', () => undefined);
		await client.start().catch(() => undefined);
		return { lines, stop: async () => await client.disconnect().catch(() => undefined) };
	}
	const session = new SocketModeSession({
		appToken: APP_TOKEN,
		apiBaseUrl: new URL(standIn.apiBaseUrl),
		log: logger,
		onEnvelope: async () => ({ acknowledge: true }),
		onStopped: () => undefined,
	});
	await session.start();
	return { lines, stop: async () => await session.stop() };
}

async function withStandIn(run) {
	const standIn = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
	try {
		return await run(standIn);
	} finally {
		await standIn.stop();
	}
}

/** 100 envelopes while Slack rotates the connection (warning, closed 2 s later): how many waited for a connection or were sent again. */
const rotation = (kind) =>
	withStandIn(async (standIn) => {
		const client = await startClient(kind, standIn);
		const ids = [];
		for (let i = 0; i < 100; i++) {
			if (i === 10) standIn.rotate(standIn.live()[0], 'warning', 2_000);
			ids.push(standIn.send('events_api', { type: 'event_callback', event_id: `EvClient${i}`, event: { type: 'message', text: 'hi' } }));
			await sleep(50);
		}
		await sleep(12_000);
		const sent = ids.map((id) => standIn.envelopes.get(id));
		await client.stop();
		const late = sent.filter((envelope) => envelope.deliveries.length > 1 || envelope.acks.length === 0).length;
		return `${late} of 100 sent again or never acknowledged; ${standIn.noConnectionWaits} waits for a connection`;
	});

/** link_disabled: how many times the client asks apps.connections.open in the next 15 s. */
const linkDisabled = (kind) =>
	withStandIn(async (standIn) => {
		const client = await startClient(kind, standIn);
		const before = standIn.openRequests.length;
		standIn.linkDisabled();
		await sleep(15_000);
		await client.stop();
		return `${standIn.openRequests.length - before} apps.connections.open requests in 15 s`;
	});

/** apps.connections.open fails with a network error once while the client reconnects: is it connected 20 s later? */
const networkError = (kind) =>
	withStandIn(async (standIn) => {
		const client = await startClient(kind, standIn);
		standIn.nextOpenAnswers.push('reset');
		standIn.dropTcp(standIn.live()[0]);
		await sleep(20_000);
		const connected = standIn.live().length;
		await client.stop();
		return connected > 0 ? 'reconnected' : 'gave up: no connection 20 s later';
	});

/** A slash command's response URL (a bearer secret) in what the client logs? */
const logsPayload = (kind) =>
	withStandIn(async (standIn) => {
		const client = await startClient(kind, standIn);
		const id = standIn.send('slash_commands', { command: '/deploy', response_url: SECRET_RESPONSE_URL });
		await standIn.waitForAck(id, 5_000);
		await client.stop();
		return client.lines.some((line) => line.includes('client-comparison-secret')) ? 'logs the response URL' : 'no payload in the log';
	});

const CASES = [
	['warning, then the old connection closed', rotation],
	['link_disabled', linkDisabled],
	['apps.connections.open unreachable once', networkError],
	["a slash command's response URL", logsPayload],
];
const results = { slack: [], ours: [] };
const rows = [];
try {
	// One client after the other, with a pause between, so that what one leaves running cannot count for the other.
	for (const kind of ['slack', 'ours']) {
		running = kind;
		for (const [name, run] of CASES) {
			say(`${kind === 'slack' ? '@slack/socket-mode' : 'this package'}: ${name}…`);
			results[kind].push(await run(kind));
		}
		await sleep(20_000);
	}
	CASES.forEach(([name], index) => rows.push([name, results.slack[index], results.ours[index]]));
	rows.push(['unhandled promise rejections over all the cases', String(unhandled.slack), String(unhandled.ours)]);
	rows.push(['install', `${installedPackages} packages, ${installedMiB.toFixed(1)} MiB`, 'nothing (undici is a dependency already)']);
} finally {
	rmSync(folder, { recursive: true, force: true });
}
console.log(`\n| Case | @slack/socket-mode ${SLACK_CLIENT_VERSION} | This package's session |\n| --- | --- | --- |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
process.exit(0);
