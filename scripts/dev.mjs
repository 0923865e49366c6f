#!/usr/bin/env node
// `npm run dev`: builds the package, installs it into an isolated n8n user folder as a community
// package, and starts a real n8n on its embedded SQLite database, with the settings
// docs/performance.md recommends for a busy trigger (FAST_TRIGGER_SETTINGS).
//
// Options: --port <5678> (or N8N_PORT), --n8n-version <DEFAULT_N8N_VERSION> (or N8N_VERSION), --fresh (new user folder)
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { ensureN8n, DEFAULT_N8N_VERSION } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, FAST_TRIGGER_SETTINGS, n8nEnvironment, PROJECT_DIR, startN8nWithPackage, stopN8n, waitForHealthy } from '../test/harness/n8n-instance.mjs';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: process.env.N8N_PORT ?? '5678' },
		'n8n-version': { type: 'string', default: process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION },
		fresh: { type: 'boolean', default: false },
	},
});
const port = Number(values.port);
const version = values['n8n-version'];
const say = (message) => console.log(`[dev] ${message}`);

say('building and packing the package');
const tarball = buildAndPack();

say(`making sure n8n ${version} is installed (the first time this takes about 5 minutes)`);
const runtime = ensureN8n(version);

const userFolder = join(PROJECT_DIR, '.dev', `n8n-${version}`);
if (values.fresh) rmSync(userFolder, { recursive: true, force: true });
if (!existsSync(userFolder)) mkdirSync(userFolder, { recursive: true });

const env = n8nEnvironment({ userFolder, port, brokerPort: port + 1, extra: FAST_TRIGGER_SETTINGS });
say(`installing the packed package as a community package; starting n8n ${version} (Node ${runtime.nodeVersion}); user folder ${userFolder}`);
// n8n stopped before it has finished starting (its first start runs database migrations) fails in
// its own shutdown (Start.stopProcess: "There was an error shutting down n8n", a stack trace from
// removeAllQueuedWorkflowActivations, whose manager is not set up yet). So n8n gets its own process
// group, out of reach of the terminal's Ctrl-C, and is stopped only once it has started.
const child = startN8nWithPackage({ runtime, env, userFolder, tarball, ownProcessGroup: true });
const started = waitForHealthy(port, child);
// Whatever ends this script, n8n does not outlive it.
process.on('exit', () => child.exitCode === null && child.kill('SIGKILL'));

let stopping = false;
const stop = async (code = 0) => {
	if (stopping) return;
	stopping = true;
	if (child.exitCode === null) {
		say('stopping n8n (once it has finished starting)');
		await started.catch(() => undefined);
		await stopN8n(child);
	}
	process.exit(code);
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
child.on('exit', (code) => {
	if (!stopping) {
		say(`n8n exited (${code})`);
		process.exit(code ?? 1);
	}
});

try {
	await started;
} catch (error) {
	say(error.message);
	await stop(1);
}
say(`n8n is ready: http://localhost:${port}  (search "Slack" in the nodes panel; Ctrl-C stops)`);
