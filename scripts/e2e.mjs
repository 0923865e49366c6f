#!/usr/bin/env node
// `npm run test:e2e`: for each tested n8n version, installs the packed package into a fresh n8n
// user folder as a community package, imports the suite's credentials and workflows with n8n's
// CLI, activates them, starts n8n, runs test/e2e against it over HTTP, and always stops it.
//
// E2E_N8N_VERSIONS=2.41.1 limits the matrix (comma-separated). The load test (10,000 requests,
// about 15 minutes on 2 cores) runs against E2E_LOAD_VERSIONS only, the current line by default;
// E2E_LOAD_REQUESTS changes its count for a quick local run. E2E_SUITES=n8n,oauth runs only those
// files (test/e2e/<name>.e2e.test.ts) while working on them. n8n runs with the settings
// docs/performance.md recommends for a busy trigger (FAST_TRIGGER_SETTINGS); E2E_N8N_DEFAULTS=1 runs it as it comes.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activatedAtStart, buildCredentials, buildWorkflows, FAILURE_KINDS, failureWorkflowId, OAUTH_APPS, oauthCredentialOverwrites, REPORT_WORKFLOWS, SLACK_APP, SOCKET_MODE, triggerFixtureIds, webhookPaths } from '../test/harness/fixtures/e2e.mjs';
import { DEFAULT_N8N_VERSION, ensureN8n, TESTED_N8N_VERSIONS } from '../test/harness/n8n-runtime.mjs';
import {
	buildAndPack,
	FAST_TRIGGER_SETTINGS,
	freePort,
	loopbackOnlySettings,
	n8nEnvironment,
	PROJECT_DIR,
	setUpOwner,
	startN8nWithPackage,
	stopN8n,
	waitForHealthy,
	waitForWebhook,
} from '../test/harness/n8n-instance.mjs';

const versions = (process.env.E2E_N8N_VERSIONS ?? TESTED_N8N_VERSIONS.join(',')).split(',').map((v) => v.trim()).filter(Boolean);
const loadVersions = (process.env.E2E_LOAD_VERSIONS ?? DEFAULT_N8N_VERSION).split(',').map((v) => v.trim());
const say = (message) => console.log(`[e2e] ${message}`);

async function runAgainst(version, tarball) {
	const started = Date.now();
	say(`n8n ${version}: preparing (the runtime is installed once and cached)`);
	const runtime = ensureN8n(version);
	const userFolder = mkdtempSync(join(tmpdir(), `slack-webhooks-e2e-${version}-`));
	const [port, brokerPort, slackPort, tlsPort, oauthPort, socketPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
	const logFile = join(userFolder, 'n8n.log');
	const env = n8nEnvironment({
		userFolder,
		port,
		brokerPort,
		extra: { ...loopbackOnlySettings(version), ...(process.env.E2E_N8N_DEFAULTS ? {} : FAST_TRIGGER_SETTINGS), N8N_LOG_LEVEL: 'debug', N8N_LOG_OUTPUT: 'console,file', N8N_LOG_FILE_LOCATION: logFile, CREDENTIALS_OVERWRITE_DATA: oauthCredentialOverwrites(oauthPort, socketPort) },
	});
	let child;
	try {
		const workflows = buildWorkflows({ slackPort });
		const credentials = buildCredentials({ slackPort, tlsPort, oauthPort, socketPort });
		say(`n8n ${version}: installing the package, importing credentials and workflows with n8n's CLI, starting on port ${port}`);
		const output = createWriteStream(join(userFolder, 'n8n.stdout.log'));
		child = startN8nWithPackage({ runtime, env, userFolder, tarball, credentials, workflows, activate: activatedAtStart, stdio: 'pipe' });
		child.stdout.pipe(output);
		child.stderr.pipe(output);
		await waitForHealthy(port, child);
		for (const path of webhookPaths(workflows)) await waitForWebhook(`http://127.0.0.1:${port}`, path);
		const cookie = await setUpOwner(port);
		say(`n8n ${version}: ready after ${Math.round((Date.now() - started) / 1000)} s; running the suite`);

		// TEST_RESULTS_DIR (set by .ci/run) collects jest's JSON results for CI's summary line.
		const resultsFile = process.env.TEST_RESULTS_DIR ? ['--json', `--outputFile=${join(process.env.TEST_RESULTS_DIR, `e2e-${version}.json`)}`] : [];
		// One argument each: jest takes every word after --testPathIgnorePatterns as a pattern.
		const skipLoad = loadVersions.includes(version) ? [] : ['--testPathIgnorePatterns=load\\.e2e'];
		const onlySuites = process.env.E2E_SUITES ? [`--testPathPattern=/(${process.env.E2E_SUITES.split(',').map((name) => name.trim()).join('|')})\\.e2e\\.test\\.ts$`] : [];
		const result = spawnSync('npx', ['jest', '-c', 'test/e2e/jest.config.js', ...skipLoad, ...resultsFile, ...onlySuites], {
			cwd: PROJECT_DIR,
			stdio: 'inherit',
			env: {
				...process.env,
				E2E_N8N_VERSION: version,
				E2E_N8N_URL: `http://127.0.0.1:${port}`,
				E2E_N8N_COOKIE: cookie,
				E2E_SLACK_PORT: String(slackPort),
				E2E_TLS_PORT: String(tlsPort),
				E2E_OAUTH_PORT: String(oauthPort),
				E2E_OAUTH_APPS: JSON.stringify(OAUTH_APPS),
				E2E_TRIGGER_FIXTURES: JSON.stringify(triggerFixtureIds()),
				E2E_REPORT_WORKFLOWS: JSON.stringify(REPORT_WORKFLOWS),
				E2E_SLACK_APP: JSON.stringify(SLACK_APP),
				E2E_SOCKET_PORT: String(socketPort),
				E2E_SOCKET_MODE: JSON.stringify(SOCKET_MODE),
				// The oauth suite reads a credential back with n8n's own CLI (export:credentials).
				E2E_N8N_CLI: JSON.stringify({ node: runtime.node, n8n: runtime.n8nBin, nodeBin: runtime.nodeBin, env: { N8N_USER_FOLDER: userFolder, DB_TYPE: 'sqlite', N8N_LOG_OUTPUT: 'console', ...loopbackOnlySettings(version) } }),
				E2E_N8N_PID: String(child.pid),
				E2E_FAILURE_WORKFLOWS: JSON.stringify(Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, failureWorkflowId(kind)]))),
				E2E_N8N_LOG_FILE: logFile,
				E2E_N8N_USER_FOLDER: userFolder,
			},
		});
		return result.status === 0;
	} finally {
		await stopN8n(child);
		if (process.env.E2E_KEEP_USER_FOLDER) say(`n8n ${version}: user folder kept at ${userFolder}`);
		else rmSync(userFolder, { recursive: true, force: true });
		say(`n8n ${version}: stopped after ${Math.round((Date.now() - started) / 1000)} s`);
	}
}

say('building and packing the package');
const tarball = buildAndPack();
const failed = [];
for (const version of versions) {
	if (!(await runAgainst(version, tarball))) failed.push(version);
}
if (failed.length > 0) {
	say(`failed against n8n ${failed.join(', ')}`);
	process.exit(1);
}
say(`passed against n8n ${versions.join(', ')}`);
