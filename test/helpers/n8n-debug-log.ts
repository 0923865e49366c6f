/**
 * Sends n8n's own logger (the Logger of @n8n/backend-common that nodes reach as `this.logger`)
 * to a file at debug level, so a test can read every line n8n would have written. Import this
 * before anything that loads n8n-core: n8n reads its logging settings once, on first use.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOG_SETTINGS = ['N8N_LOG_LEVEL', 'N8N_LOG_OUTPUT', 'N8N_LOG_FILE_LOCATION'] as const;
const previous = Object.fromEntries(LOG_SETTINGS.map((name) => [name, process.env[name]]));

export const n8nLogFile = join(mkdtempSync(join(tmpdir(), 'slack-webhooks-log-')), 'n8n.log');
process.env.N8N_LOG_LEVEL = 'debug';
process.env.N8N_LOG_OUTPUT = 'file';
process.env.N8N_LOG_FILE_LOCATION = n8nLogFile;

/** Puts the settings back for test files that run later in the same process. */
export function restoreLogSettings(): void {
	for (const name of LOG_SETTINGS) {
		if (previous[name] === undefined) delete process.env[name];
		else process.env[name] = previous[name];
	}
}

/**
 * The log once it holds `expected` (winston's file transport writes a moment after the call), or
 * as it is after 10 s, for the caller's expectation to show what is missing.
 */
export async function readN8nLog(expected: RegExp | string, timeoutMs = 10_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const log = existsSync(n8nLogFile) ? readFileSync(n8nLogFile, 'utf8') : '';
		const found = typeof expected === 'string' ? log.includes(expected) : expected.test(log);
		if (found || Date.now() >= deadline) return log;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
