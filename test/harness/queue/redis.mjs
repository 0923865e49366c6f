// A redis-server for n8n's queue and the package's shared state: Debian's `redis-server`,
// installed with apt-get when missing and running as root (as CI does), started on a free
// loopback port without persistence, and stopped by its PID.
//
// `node test/harness/queue/redis.mjs --install` only makes sure redis-server is installed.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REDIS_INSTALL_HINT = 'Install it with: sudo apt-get update && sudo apt-get install -y redis-server (Debian, Ubuntu), or your system\'s package manager.';

const installed = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Makes sure redis-server is on PATH: installs Debian's package as root, else says how to. */
export function ensureRedisServer(say = console.log) {
	if (installed()) return;
	if (process.getuid?.() !== 0) throw new Error(`redis-server is not installed. ${REDIS_INSTALL_HINT}`);
	say('redis-server is missing: installing Debian\'s redis-server package');
	const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (apt(['update']).status !== 0 || apt(['install', '-y', 'redis-server']).status !== 0 || !installed()) {
		throw new Error(`Installing redis-server failed. ${REDIS_INSTALL_HINT}`);
	}
}

/** Spawns redis-server on 127.0.0.1:<port>, without persistence; wait for it with waitForPort. */
export function spawnRedis(port, { logFile } = {}) {
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
	if (logFile) args.push('--logfile', logFile);
	return spawn('redis-server', args, { stdio: 'ignore' });
}

export async function waitForPort(port, child, name, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it listened on ${port}`);
		const open = await new Promise((resolve) => {
			const socket = createConnection({ host: '127.0.0.1', port }, () => {
				socket.destroy();
				resolve(true);
			});
			socket.on('error', () => resolve(false));
		});
		if (open) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`${name} did not listen on ${port} within ${timeoutMs / 1000} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--install')) {
	ensureRedisServer();
	console.log('redis-server is installed');
}
