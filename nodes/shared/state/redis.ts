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

/**
 * Longest a Redis call may take, connecting included, before the caller decides without Redis.
 * The trigger must answer Slack within SLACK_RESPONSE_URL.replyTimeoutSeconds (3 s) with n8n's
 * own work on top; Redis answers in a millisecond when it is well.
 */
export const REDIS_CALL_TIMEOUT_MS = 500;
/** How long a process stops asking a Redis that failed or did not answer before it tries again. */
export const REDIS_COOL_DOWN_MS = 30_000;
/** ioredis's own limit for a first TCP connection; callers stop waiting long before, at REDIS_CALL_TIMEOUT_MS. */
const REDIS_CONNECT_TIMEOUT_MS = 5_000;

export class RedisUnavailableError extends Error {
	/** True for the failure that started a cool-down: the one worth a line in the log. */
	readonly startedCoolDown: boolean;

	constructor(what: string, cause?: unknown, options: { startedCoolDown?: boolean; coolingDown?: boolean } = {}) {
		// Only the error code of the cause (ECONNREFUSED, WRONGPASS, ...) is kept: whatever a future
		// client puts in its messages, no setting can reach a log line through this error.
		const code = cause instanceof Error && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
		const reason = options.coolingDown
			? `not asked for ${REDIS_COOL_DOWN_MS / 1000} s after a failure`
			: cause === undefined
				? 'no answer in time'
				: (code ?? describeCause(cause));
		super(`Redis could not be used for ${what} (${reason})`);
		this.name = 'RedisUnavailableError';
		this.startedCoolDown = options.startedCoolDown ?? false;
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
			// A call made while the connection is being set up waits in ioredis's queue, bounded
			// by the caller's deadline; the breaker keeps that queue from growing.
			enableOfflineQueue: true,
			retryStrategy: (times) => Math.min(times * 200, 2_000),
			lazyConnect: false,
		});
		// Without a listener, ioredis prints every connection error to the console. Callers see
		// failures as rejected calls and log them with n8n's logger.
		client.on('error', () => undefined);
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
 * A breaker per client, that is per process and credential: after a failure or a call past its
 * deadline, calls fail at once for REDIS_COOL_DOWN_MS (callers then decide in this process), then
 * Redis is asked again. Without it, every trigger request would wait out the deadline of a
 * stalled Redis, and Slack gives up after 3 s.
 */
const coolingDownUntil = new WeakMap<Redis, number>();

/**
 * Runs one Redis call with a deadline of REDIS_CALL_TIMEOUT_MS, whatever state the connection is
 * in (a call made while connecting waits in ioredis's queue), or fails it at once while the
 * client's breaker cools down. Nothing is left behind per call: one timer, cleared.
 */
export async function redisCall<T>(client: Redis, what: string, call: (client: Redis) => Promise<T>, now: () => number = Date.now): Promise<T> {
	const until = coolingDownUntil.get(client);
	if (until !== undefined && now() < until) throw new RedisUnavailableError(what, undefined, { coolingDown: true });
	try {
		const result = await withDeadline(call(client), REDIS_CALL_TIMEOUT_MS, what);
		coolingDownUntil.delete(client);
		return result;
	} catch (error) {
		coolingDownUntil.set(client, now() + REDIS_COOL_DOWN_MS);
		throw startedCoolDown(what, error);
	}
}

/** The failure that opened the breaker; a missed deadline has no cause to name. */
function startedCoolDown(what: string, error: unknown): RedisUnavailableError {
	return new RedisUnavailableError(what, error instanceof RedisUnavailableError ? undefined : error, { startedCoolDown: true });
}

/** A call in progress keeps its answer to itself once the deadline has passed. */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		// A process whose event loop was busy past the deadline runs its timers before it reads the
		// answer that came meanwhile: let it read (setImmediate runs after), or a healthy Redis on a
		// loaded worker would open the breaker.
		timer = setTimeout(() => setImmediate(() => reject(new RedisUnavailableError(what))), timeoutMs);
	});
	// A late rejection of `work` must not surface as an unhandled rejection.
	work.catch(() => undefined);
	try {
		return await Promise.race([work, deadline]);
	} finally {
		clearTimeout(timer);
	}
}
