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
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { oauthCredentialOverwrites } from '../test/harness/fixtures/e2e.mjs';
import { ensureN8n, TESTED_N8N_VERSIONS } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, freePort, loopbackOnlySettings, n8nEnvironment, PROJECT_DIR, setUpOwner, startN8n, stopN8n, waitForHealthy } from '../test/harness/n8n-instance.mjs';
import { describePackedPackage, nextPatchVersion, packWithVersion } from '../test/harness/packed-package.mjs';
import { startLocalRegistry } from '../test/harness/registry.mjs';

const versions = (process.env.INSTALL_N8N_VERSIONS ?? TESTED_N8N_VERSIONS.join(',')).split(',').map((v) => v.trim()).filter(Boolean);
const say = (message) => console.log(`[install] ${message}`);
const started = Date.now();
const seconds = (since) => Math.round((Date.now() - since) / 1000);

/** What is running now, so that Ctrl-C stops it: this run's n8n, jest and registry. */
const running = { n8n: undefined, jest: undefined, registry: undefined };
let stopping = false;
async function stopRunning() {
	if (running.jest && running.jest.exitCode === null) running.jest.kill('SIGTERM');
	await stopN8n(running.n8n);
	await running.registry?.stop();
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
	const userFolder = mkdtempSync(join(tmpdir(), `slack-webhooks-install-${version}-`));
	// Per n8n, so that npm asks the registry for every package rather than its cache.
	const npmCache = join(userFolder, 'npm-cache');
	const resultsFile = join(process.env.TEST_RESULTS_DIR ?? userFolder, `install-${version}.json`);
	try {
		running.registry = await startLocalRegistry();
		const published = running.registry.publish(tarball);
		say(`n8n ${version}: ${published.name}@${published.version} published to the test registry, proxy at ${running.registry.proxyUrl}`);
		const nodesFolder = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesFolder, { recursive: true });
		writeFileSync(join(nodesFolder, '.npmrc'), running.registry.npmrc({ npmCache }));

		const [port, brokerPort, oauthPort] = [await freePort(), await freePort(), await freePort()];
		const env = n8nEnvironment({
			userFolder,
			port,
			brokerPort,
			extra: {
				...loopbackOnlySettings(version),
				...running.registry.environment({ npmCache }),
				N8N_LOG_LEVEL: 'debug',
				N8N_LOG_OUTPUT: 'console',
				CREDENTIALS_OVERWRITE_DATA: oauthCredentialOverwrites(oauthPort),
			},
		});
		say(`n8n ${version}: starting a fresh n8n on port ${port} (its database is migrated on the way)`);
		running.n8n = startN8n(runtime, env, { stdio: 'pipe' });
		const log = createWriteStream(join(userFolder, 'n8n.log'));
		running.n8n.stdout.pipe(log);
		running.n8n.stderr.pipe(log);
		await waitForHealthy(port, running.n8n, 240_000, '/healthz/readiness');
		const cookie = await setUpOwner(port);
		say(`n8n ${version}: ready after ${seconds(since)} s; running test/install`);

		// Not spawnSync: the registry answers npm from this process's event loop.
		running.jest = spawn('npx', ['jest', '-c', 'test/install/jest.config.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
			cwd: PROJECT_DIR,
			stdio: 'inherit',
			env: {
				...process.env,
				INSTALL_N8N_VERSION: version,
				INSTALL_N8N_URL: `http://127.0.0.1:${port}`,
				INSTALL_N8N_COOKIE: cookie,
				INSTALL_N8N_USER_FOLDER: userFolder,
				INSTALL_REGISTRY: running.registry.proxyUrl,
				INSTALL_OAUTH_PORT: String(oauthPort),
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
		running.n8n = running.jest = running.registry = undefined;
		if (process.env.INSTALL_KEEP_USER_FOLDER) say(`n8n ${version}: user folder kept at ${userFolder}`);
		else rmSync(userFolder, { recursive: true, force: true });
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
