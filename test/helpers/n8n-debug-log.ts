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

/** The log so far, once winston's file transport has written what it was given. */
export async function readN8nLog(): Promise<string> {
	await new Promise((resolve) => setTimeout(resolve, 300));
	return existsSync(n8nLogFile) ? readFileSync(n8nLogFile, 'utf8') : '';
}
