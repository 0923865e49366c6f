import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import Redis from 'ioredis';

import { freePort } from './free-port';

/**
 * A real redis-server on 127.0.0.1, started by PID and stopped by PID. Debian's `redis-server`
 * package provides it; `.ci/run` installs it. Where it is missing, `redisServerAvailable()` says so
 * and the Redis variants of the tests are skipped with that message.
 */
export function redisServerAvailable(): { ok: true } | { ok: false; why: string } {
	const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
	if (probe.status === 0) return { ok: true };
	return { ok: false, why: 'redis-server is not installed: the Redis variants are skipped (apt-get install redis-server, or `node test/harness/queue/redis.mjs --install` as root)' };
}

export class RedisServer {
	private child: ChildProcess | undefined;
	port = 0;

	/**
	 * Starts on `port`, or on a free one: a port freePort() let go may be taken by another test file
	 * before redis-server binds it, so a server that did not get its port is tried again on another.
	 */
	async start(port?: number): Promise<this> {
		for (let attempt = 1; ; attempt++) {
			this.port = port ?? (await freePort());
			this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
				stdio: 'ignore',
			});
			try {
				await waitForPort(this.port, this.child);
				return this;
			} catch (error) {
				await this.stop();
				if (port !== undefined || attempt === 3 || !(error instanceof PortTakenError)) throw error;
			}
		}
	}

	/** Stops the server (SIGKILL: as if its host had gone away) and waits until it has exited. */
	async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill(signal);
		await exited;
	}
}

class PortTakenError extends Error {}

/**
 * Asks the server for PONG until it answers, with the same client library the nodes use, and makes
 * sure the server that answers is this one: another file's redis-server may hold the port.
 */
async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
	const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
	client.on('error', () => undefined);
	const deadline = Date.now() + timeoutMs;
	const answeringPid = async () => Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
	try {
		for (;;) {
			if (child.exitCode !== null) throw new PortTakenError(`redis-server exited (${child.exitCode}) before it listened on ${port}`);
			if (await client.ping().then(() => true, () => false)) {
				if ((await answeringPid()) !== child.pid) throw new PortTakenError(`another redis-server answers on ${port}`);
				return;
			}
			if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	} finally {
		client.disconnect();
	}
}
