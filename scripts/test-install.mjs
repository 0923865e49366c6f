#!/usr/bin/env node
// `npm run test:install`: for each tested n8n version, a fresh n8n with no package in it, started
// with the registry of test/harness/registry.mjs in front of registry.npmjs.org (an HTTPS proxy on
// 127.0.0.1 and a certificate authority made for the run), then test/install against it: the
// package installed, updated to the next patch version and uninstalled through n8n's Community
// Nodes REST calls. Everything started is stopped by PID, every folder removed.
//
// INSTALL_N8N_VERSIONS=2.41.1 limits the matrix (comma-separated); INSTALL_KEEP_USER_FOLDER=1 keeps
// each n8n's user folder (its log, n8n.log, included). Arguments go to jest.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { oauthCredentialOverwrites } from '../test/harness/fixtures/e2e.mjs';
import { ensureN8n, TESTED_N8N_VERSIONS } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, freePort, PROJECT_DIR } from '../test/harness/n8n-instance.mjs';
import { describePackedPackage, nextPatchVersion, packWithVersion } from '../test/harness/packed-package.mjs';
import { startFreshN8nWithRegistry } from '../test/harness/registry.mjs';

const versions = (process.env.INSTALL_N8N_VERSIONS ?? TESTED_N8N_VERSIONS.join(',')).split(',').map((v) => v.trim()).filter(Boolean);
const say = (message) => console.log(`[install] ${message}`);
const started = Date.now();
const seconds = (since) => Math.round((Date.now() - since) / 1000);

/** What is running now, so that Ctrl-C stops it: jest, and this run's n8n and registry (`stop`). */
let running = {};
let stopping = false;
async function stopRunning() {
	if (running.jest && running.jest.exitCode === null) running.jest.kill('SIGTERM');
	await running.stop?.();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, async () => {
		if (stopping) return;
		stopping = true;
		await stopRunning();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	});
}

/** Jest's counts from its JSON results, or one failure when it wrote none. */
function countResults(file) {
	try {
		const result = JSON.parse(readFileSync(file, 'utf8'));
		return { passed: result.numPassedTests, failed: result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0) };
	} catch {
		return { passed: 0, failed: 1 };
	}
}

async function runAgainst(version, tarball, packed) {
	const since = Date.now();
	say(`n8n ${version}: preparing (the runtime is installed once and cached)`);
	const runtime = ensureN8n(version);
	const resultsDir = process.env.TEST_RESULTS_DIR ?? mkdtempSync(join(tmpdir(), 'slack-webhooks-install-results-'));
	const resultsFile = join(resultsDir, `install-${version}.json`);
	try {
		const oauthPort = await freePort();
		const socketPort = await freePort();
		const instance = await startFreshN8nWithRegistry({
			runtime,
			tarball,
			// Slack's OAuth URLs for the Add to Slack credential and Slack's API for the Socket Mode one, as n8n 2.41 reads them (see test/harness/fixtures/e2e.mjs).
			extraEnv: { CREDENTIALS_OVERWRITE_DATA: oauthCredentialOverwrites(oauthPort, socketPort) },
			keepUserFolder: Boolean(process.env.INSTALL_KEEP_USER_FOLDER),
			running,
			say,
		});
		say(`n8n ${version}: ready after ${seconds(since)} s; running test/install`);

		// Not spawnSync: the registry answers npm from this process's event loop.
		running.jest = spawn('npx', ['jest', '-c', 'test/install/jest.config.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
			cwd: PROJECT_DIR,
			stdio: 'inherit',
			env: {
				...process.env,
				INSTALL_N8N_VERSION: version,
				INSTALL_N8N_URL: instance.url,
				INSTALL_N8N_COOKIE: instance.cookie,
				INSTALL_N8N_USER_FOLDER: instance.userFolder,
				INSTALL_REGISTRY: instance.registry.proxyUrl,
				INSTALL_OAUTH_PORT: String(oauthPort),
				INSTALL_SOCKET_PORT: String(socketPort),
				INSTALL_PACKAGE: JSON.stringify(packed),
			},
		});
		await new Promise((resolve) => running.jest.once('exit', resolve));
		return countResults(resultsFile);
	} catch (error) {
		say(`n8n ${version}: could not run: ${error.stack ?? error.message}`);
		return { passed: 0, failed: 1 };
	} finally {
		await stopRunning();
		running = {};
		if (!process.env.TEST_RESULTS_DIR) rmSync(resultsDir, { recursive: true, force: true });
		say(`n8n ${version}: done after ${seconds(since)} s`);
	}
}

say('building and packing the package, and the same files as the next patch version');
const tarball = buildAndPack();
const described = describePackedPackage(tarball);
const nextVersion = nextPatchVersion(described.version);
const nextTarball = packWithVersion(tarball, nextVersion);
const packed = { ...described, next: { version: nextVersion, tarball: nextTarball } };
const totals = { passed: 0, failed: 0 };
try {
	for (const version of versions) {
		const { passed, failed } = await runAgainst(version, tarball, packed);
		totals.passed += passed;
		totals.failed += failed;
		if (stopping) break;
	}
} finally {
	for (const file of [tarball, nextTarball]) rmSync(dirname(file), { recursive: true, force: true });
}
say(`done after ${seconds(started)} s against n8n ${versions.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
