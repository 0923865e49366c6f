import { createHash } from 'node:crypto';
import Redis from 'ioredis';

/** The fields of n8n's built-in Redis credential type (`redis`, from n8n-nodes-base). */
export interface RedisCredential {
	host?: unknown;
	port?: unknown;
	database?: unknown;
	user?: unknown;
	password?: unknown;
	ssl?: unknown;
	disableTlsVerification?: unknown;
}

/** Every key this package writes starts with this, so it cannot meet n8n's own (`bull:…`). */
export const KEY_PREFIX = 'n8n-nodes-slack-webhooks:';

/** Longest a single Redis call may take before the caller treats Redis as unreachable. */
export const REDIS_CALL_TIMEOUT_MS = 2_000;
/** The first connection of a process may take longer (TLS, a busy host); a refused one fails at once. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;

export class RedisUnavailableError extends Error {
	constructor(what: string, cause?: unknown) {
		// Only the error code of the cause (ECONNREFUSED, WRONGPASS, ...) is kept: whatever a future
		// client puts in its messages, no setting can reach a log line through this error.
		const code = cause instanceof Error && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
		const reason = cause === undefined ? 'no answer in time' : (code ?? describeCause(cause));
		super(`Redis could not be used for ${what} (${reason})`);
		this.name = 'RedisUnavailableError';
	}
}

function describeCause(cause: unknown): string {
	if (!(cause instanceof Error)) return 'error';
	// ioredis's own wording for the states that matter here; its messages carry no settings.
	return /timed out|timeout/i.test(cause.message) ? 'timed out' : /closed|not connected|writable/i.test(cause.message) ? 'not connected' : cause.name;
}

/** A hex SHA-256, for keys that must not carry what they are about (a webhook URL, say). */
export function hashKey(...parts: string[]): string {
	return createHash('sha256').update(parts.join('\n')).digest('hex');
}

function connectionSettings(credential: RedisCredential) {
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	const ssl = credential.ssl === true;
	return {
		host: text(credential.host) ?? 'localhost',
		port: Number(credential.port ?? 6379) || 6379,
		db: Number(credential.database ?? 0) || 0,
		username: text(credential.user),
		password: text(credential.password),
		tls: ssl ? { rejectUnauthorized: credential.disableTlsVerification !== true } : undefined,
	};
}

/**
 * One client per process per credential: n8n calls a node for every execution and every webhook
 * request, and a connection each time would cost a round trip and leave sockets behind. The cache
 * key is a hash of the settings, so the password is never a readable map key.
 */
const clients = new Map<string, Redis>();
const everReady = new WeakSet<Redis>();

export function redisClientFor(credential: RedisCredential): Redis {
	const settings = connectionSettings(credential);
	const cacheKey = hashKey(JSON.stringify(settings));
	let client = clients.get(cacheKey);
	if (!client) {
		client = new Redis({
			...settings,
			connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
			// Fail a call rather than retry it after a reconnect: callers have a fallback.
			maxRetriesPerRequest: 0,
			retryStrategy: (times) => Math.min(times * 200, 2_000),
			lazyConnect: false,
		});
		// Without a listener, ioredis prints every connection error to the console. Callers see
		// failures as rejected calls and log them with n8n's logger.
		client.on('error', () => undefined);
		client.once('ready', () => everReady.add(client!));
		clients.set(cacheKey, client);
	}
	return client;
}

/** Closes every cached client: for tests, and for a process that is about to exit. */
export async function closeRedisClients(): Promise<void> {
	const open = [...clients.values()];
	clients.clear();
	await Promise.all(
		open.map(async (client) => {
			// QUIT waits for an answer; a client that is not connected has nobody to answer it.
			if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
			else client.disconnect();
		}),
	);
}

/**
 * Runs one Redis call with a deadline of its own, whatever state the connection is in: the first
 * connection of a client gets REDIS_CONNECT_TIMEOUT_MS (or fails on its first error), every call
 * REDIS_CALL_TIMEOUT_MS. A client that was connected and lost Redis fails its calls at the call's
 * deadline, so nothing waits on a reconnect.
 */
export async function redisCall<T>(client: Redis, what: string, call: (client: Redis) => Promise<T>): Promise<T> {
	try {
		if (client.status !== 'ready' && !everReady.has(client)) await withDeadline(firstConnection(client), REDIS_CONNECT_TIMEOUT_MS, what);
		return await withDeadline(call(client), REDIS_CALL_TIMEOUT_MS, what);
	} catch (error) {
		throw error instanceof RedisUnavailableError ? error : new RedisUnavailableError(what, error);
	}
}

function firstConnection(client: Redis): Promise<void> {
	return new Promise((resolve, reject) => {
		const ready = () => {
			client.off('error', failed);
			resolve();
		};
		const failed = (error: Error) => {
			client.off('ready', ready);
			reject(error);
		};
		client.once('ready', ready);
		client.once('error', failed);
	});
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new RedisUnavailableError(what)), timeoutMs);
	});
	try {
		return await Promise.race([work, deadline]);
	} finally {
		clearTimeout(timer);
	}
}
