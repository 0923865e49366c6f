// Packs this package, installs it into an n8n user folder the way n8n installs a community
// package, and starts and stops a real n8n process. Used by the scripts (dev, e2e, screenshots,
// queue mode), the queue topology in queue/ and the benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_NAME = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')).name;

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
	return result.stdout;
}

export function buildPackage() {
	run('npm', ['run', '--silent', 'build'], { cwd: PROJECT_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * `npm pack` of the built package: exactly what the registry would serve. Returns the tarball
 * path. Call buildPackage first: install scripts are off (.npmrc), so `prepack` does not build.
 */
export function packPackage() {
	const destination = mkdtempSync(join(tmpdir(), 'slack-webhooks-pack-'));
	const output = run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: PROJECT_DIR });
	const [{ filename }] = JSON.parse(output);
	return join(destination, filename);
}

/**
 * What n8n does for a community package (its CommunityPackagesService.downloadPackage): unpack
 * into <user folder>/.n8n/nodes/node_modules/<name>, drop dev and peer dependencies (n8n-workflow
 * comes from n8n itself), install the rest, and record it in nodes/package.json.
 */
export function installAsCommunityPackage(userFolder, tarball, runtime) {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const manifestPath = join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	const env = { ...process.env, PATH: `${runtime.nodeBin}:${process.env.PATH}` };
	run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'],
		{ cwd: packageDir, env },
	);
	const nodesManifest = join(nodesDir, 'package.json');
	writeFileSync(nodesManifest, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: manifest.version } }, null, 2));
	return packageDir;
}

/** Builds this package and packs it: the tarball every n8n started here installs. */
export function buildAndPack() {
	buildPackage();
	return packPackage();
}

/**
 * Turns imported workflows on: `publish:workflow` in n8n 2.x, `update:workflow --active` in 1.x
 * (for all at once unless only some of those imported are to be active).
 */
export function activateWorkflows(runtime, env, workflows, allImported = true) {
	if (Number(runtime.n8nVersion.split('.')[0]) >= 2) {
		for (const { id } of workflows) n8nCli(runtime, env, ['publish:workflow', `--id=${id}`]);
	} else if (allImported) {
		n8nCli(runtime, env, ['update:workflow', '--all', '--active=true']);
	} else {
		for (const { id } of workflows) n8nCli(runtime, env, ['update:workflow', `--id=${id}`, '--active=true']);
	}
}

/**
 * The steps every real n8n here starts with: the packed package installed into the user folder as
 * a community package, the credentials and workflows imported with n8n's CLI (the credentials'
 * file deleted once read) and activated (`activate`: all, none, or those a function picks); then `n8n start`. Returns
 * the process at once, so the caller can stop it whatever happens next; wait for it with
 * waitForHealthy.
 */
export function startN8nWithPackage({ runtime, env, userFolder, tarball, credentials = [], workflows = [], activate = true, stdio = 'inherit', ownProcessGroup = false }) {
	installAsCommunityPackage(userFolder, tarball, runtime);
	if (credentials.length > 0) {
		const credentialsFile = join(userFolder, 'credentials.json');
		writeFileSync(credentialsFile, JSON.stringify(credentials));
		n8nCli(runtime, env, ['import:credentials', `--input=${credentialsFile}`]);
		rmSync(credentialsFile);
	}
	if (workflows.length > 0) {
		const workflowsFile = join(userFolder, 'workflows.json');
		writeFileSync(workflowsFile, JSON.stringify(workflows));
		n8nCli(runtime, env, ['import:workflow', `--input=${workflowsFile}`]);
		// `activate`: true, false, or which workflows to activate (a test activates the others itself).
		const active = typeof activate === 'function' ? workflows.filter(activate) : activate ? workflows : [];
		if (active.length > 0) activateWorkflows(runtime, env, active, active.length === workflows.length);
	}
	return startN8n(runtime, env, { stdio, ownProcessGroup });
}

/**
 * Tests, benchmarks and screenshots reach loopback only, but n8n asks api.n8n.io for its list of
 * vetted community packages and (2.x) for its MCP server registry. These turn both off.
 */
export function loopbackOnlySettings(version) {
	return {
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		// n8n 1.x refuses module names it does not know, so this is set for 2.x only.
		...(Number(version.split('.')[0]) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
	};
}

/**
 * n8n settings for a busy trigger (docs/performance.md, "Settings for a busy trigger"). n8n 2.x builds a fresh
 * expression isolate for every scope that acquires one (ExpressionEvaluator.acquire); with lazy
 * acquisition it builds one only when an expression actually reaches the engine, which a request
 * the trigger filters out, or one that starts a workflow without expressions, never does.
 * n8n 1.x does not know the variable and ignores it.
 */
export const FAST_TRIGGER_SETTINGS = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };

export function n8nEnvironment({ userFolder, port, brokerPort, extra = {} }) {
	return {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		WEBHOOK_URL: `http://localhost:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		...extra,
	};
}

/** Runs an n8n CLI command (import:workflow, ...) against a user folder, with Node 24. */
export function n8nCli(runtime, env, args) {
	return run(runtime.node, [runtime.n8nBin, ...args], { env: { ...env, PATH: `${runtime.nodeBin}:${env.PATH}` } });
}

/** Starts `n8n start`, or another long-running n8n command (`webhook`, `worker`). */
export function startN8n(runtime, env, { stdio = 'inherit', command = 'start', ownProcessGroup = false } = {}) {
	return spawn(runtime.node, [runtime.n8nBin, command], {
		env: { ...env, PATH: `${runtime.nodeBin}:${env.PATH}` },
		stdio: ['ignore', stdio, stdio],
		// In its own process group, a terminal's Ctrl-C reaches only the script, which decides when
		// to stop n8n (see npm run dev).
		detached: ownProcessGroup,
	});
}

/**
 * Waits until n8n answers /healthz. That path answers while n8n still migrates a new database
 * (everything else then answers "n8n is starting up"); `/healthz/readiness` waits for the end of
 * the migrations and of the start-up, which a database the CLI has not prepared first needs.
 */
export async function waitForHealthy(port, child, timeoutMs = 180_000, path = '/healthz') {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`n8n exited with code ${child.exitCode} before it was ready`);
		try {
			const response = await fetch(`http://127.0.0.1:${port}${path}`);
			if (response.ok && (await response.json()).status === 'ok') return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolveWait) => setTimeout(resolveWait, 500));
	}
	throw new Error(`n8n did not answer ${path} within ${timeoutMs / 1000} s`);
}

export async function stopN8n(child, timeoutMs = 20_000) {
	// A process killed by a signal has no exit code, only a signal code; its 'exit' has been emitted.
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	await exited;
	clearTimeout(timer);
}

/**
 * Waits until n8n has registered a POST webhook: /healthz answers before workflows are activated.
 * A GET to a registered POST-only path says so in its 404; an unknown path says "not registered".
 */
export async function waitForWebhook(origin, path, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const response = await fetch(`${origin}${path}`).catch(() => undefined);
		const text = response ? await response.text() : '';
		if (text.includes('not registered for GET')) return;
		await new Promise((resolveWait) => setTimeout(resolveWait, 250));
	}
	throw new Error(`n8n did not register the webhook ${path} within ${timeoutMs / 1000} s`);
}

/** The owner account the suites set up in a fresh n8n (made up; only ever on 127.0.0.1). */
export const TEST_OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Test-owner-password-1' };

/**
 * Sets up n8n's owner account through its REST API and returns the session cookie. /healthz
 * answers before n8n has registered its REST routes, so this retries while they are missing.
 */
export async function setUpOwner(port, owner = TEST_OWNER, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const response = await fetch(`http://127.0.0.1:${port}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(owner),
		});
		if (response.ok) {
			const cookie = response.headers.get('set-cookie')?.split(';')[0];
			if (!cookie) throw new Error('owner setup set no cookie');
			return cookie;
		}
		if (response.status !== 404 || Date.now() > deadline) throw new Error(`owner setup answered ${response.status}`);
		await new Promise((resolveWait) => setTimeout(resolveWait, 500));
	}
}

/** Fails with a message naming the port and the option that moves it when `port` is taken on 127.0.0.1. */
export async function assertPortFree(port, what) {
	const server = createNetServer();
	const error = await new Promise((resolveListen) => {
		server.once('error', resolveListen);
		server.listen(port, '127.0.0.1', () => resolveListen(undefined));
	});
	if (error) throw new Error(`port ${port} (${what}) is in use on 127.0.0.1`);
	await new Promise((resolveClose) => server.close(resolveClose));
}

/** Every port freePort() has handed out in this process. */
const handedOut = new Set();

/**
 * A TCP port free on 127.0.0.1 right now, and never one this process was given before: the
 * scripts choose several ports (n8n's, its task broker's, the stand-ins') before anything binds
 * them, and the system may give a port it just took back twice in a row.
 */
export async function freePort() {
	for (;;) {
		const server = createNetServer();
		await new Promise((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
		const { port } = server.address();
		await new Promise((resolveClose) => server.close(resolveClose));
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}
