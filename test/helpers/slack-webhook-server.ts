/**
 * A real HTTP server on 127.0.0.1 that answers as Slack's incoming webhooks do: `ok` with 200,
 * documented error strings with their statuses, 429 with Retry-After. Each request is answered by
 * a scripted behaviour, so tests can play any sequence of faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { SLACK_TABLE } from '../../nodes/shared/slack';

export interface ReceivedRequest {
	index: number;
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** Parsed JSON body, or undefined if it was not JSON. */
	json: Record<string, unknown> | undefined;
	/** When the server read the whole body (ms since epoch). */
	at: number;
}

/**
 * `posted: true` on a failing behaviour plays a Slack that posted the message and then failed to
 * say so: the message counts as posted although the client got no 2xx.
 */
export type Behaviour =
	| {
			reply: number;
			body?: string;
			headers?: Record<string, string>;
			delayMs?: number;
			posted?: boolean;
			/** Close the keep-alive connection right after answering, without telling the client first. */
			closeAfter?: boolean;
	  }
	/** Reads the whole body, then destroys the socket. */
	| { resetAfterBody: true; posted?: boolean }
	/** Reads the body and never answers. */
	| { stall: true; posted?: boolean }
	/** Announces a longer body than it sends, then closes (a 2xx counts as posted). */
	| { truncate: number; body: string; reply?: number };

export type Script = (request: ReceivedRequest) => Behaviour;

export const answer = {
	ok: (): Behaviour => ({ reply: 200, body: 'ok' }),
	slackError: (status: number, error: string): Behaviour => ({ reply: status, body: error }),
	rateLimited: (retryAfter: string): Behaviour => ({ reply: 429, body: 'rate_limited', headers: { 'retry-after': retryAfter } }),
};

/** Allows `rate` requests per second with bursts of `burst`, as Slack's limiter does. */
export function tokenBucket(rate: number, burst: number): () => boolean {
	let tokens = burst;
	let last = Date.now();
	return () => {
		const now = Date.now();
		tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
		last = now;
		if (tokens < 1) return false;
		tokens -= 1;
		return true;
	};
}

/** The HTTP status Slack uses for each documented error string. */
export const SLACK_ERROR_STATUS: Record<string, number> = {
	action_prohibited: 403,
	channel_is_archived: 410,
	invalid_payload: 400,
	invalid_token: 403,
	no_active_hooks: 410,
	no_service: 404,
	no_service_id: 400,
	no_team: 400,
	no_text: 400,
	posting_to_general_channel_denied: 403,
	team_disabled: 403,
	too_many_attachments: 400,
	user_not_found: 400,
	channel_not_found: 404,
	// A workflow trigger's refusals (slack-workflow-trigger-server.ts says where each comes from).
	parameter_validation_failed: 400,
	invalid_auth: 401,
	// A spent response URL: Slack documents the rule, not the status; 404 is played here.
	expired_url: 404,
	used_url: 404,
};

export class SlackWebhookServer {
	readonly received: ReceivedRequest[] = [];
	/** Requests whose body arrived and which were answered 2xx: the messages "posted". */
	readonly posted: ReceivedRequest[] = [];
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private script: Script = () => answer.ok();
	/** Requests destroyed on arrival, before their body was read: never posted. */
	resetOnArrival: (arrival: number) => boolean = () => false;
	arrivals = 0;
	/** Answers 429 given by the limit `limitTo` set. */
	rateLimited = 0;
	/** The most requests read and not yet answered at one moment: how many a client had in flight. */
	mostAwaitingAnswer = 0;
	private awaitingAnswer = 0;

	/** A URL shaped like Slack's, with obviously fake IDs. */
	webhookPath = '/services/TTEST0000/BTEST0000/test-secret-path-0000';

	async start(port = 0): Promise<this> {
		this.server = createServer((request, response) => this.handle(request, response));
		this.server.keepAliveTimeout = 5_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		// A port chosen earlier may have been taken meanwhile (by another test file's server, say): say so.
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', (error) => reject(new Error(`the test Slack server could not listen on 127.0.0.1:${port}: ${error.message}`)));
			this.server!.listen(port, '127.0.0.1', resolve);
		});
		return this;
	}

	get port(): number {
		return (this.server!.address() as AddressInfo).port;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}${this.webhookPath}`;
	}

	respondWith(script: Script): void {
		this.script = script;
	}

	/**
	 * Plays a webhook that allows `rate` messages a second with bursts of `burst` (a token bucket,
	 * as Slack's limiter is) and answers 429 with `Retry-After: 1` beyond it (whole seconds, as
	 * Slack gives it), counting those answers in `rateLimited`.
	 */
	limitTo(rate: number, burst: number): void {
		const allow = tokenBucket(rate, burst);
		this.rateLimited = 0;
		this.respondWith(() => {
			if (allow()) return answer.ok();
			this.rateLimited++;
			return answer.rateLimited('1');
		});
	}

	reset(): void {
		this.received.length = 0;
		this.posted.length = 0;
		this.script = () => answer.ok();
		this.resetOnArrival = () => false;
		this.arrivals = 0;
		this.rateLimited = 0;
		this.mostAwaitingAnswer = 0;
		this.awaitingAnswer = 0;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	// A client cannot tell a reset before the server read the body from one after it (the bytes
	// left its socket either way): both look "maybe sent" to it. "Not sent" is tested with
	// refused connections.
	private handle(request: IncomingMessage, response: ServerResponse): void {
		if (this.resetOnArrival(this.arrivals++)) {
			request.socket.destroy();
			return;
		}
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const received: ReceivedRequest = {
				index: this.received.length,
				method: request.method ?? '',
				path: request.url ?? '',
				headers: request.headers,
				rawBody,
				json: parseJson(rawBody),
				at: Date.now(),
			};
			this.received.push(received);
			const refusal = received.json && slackTableRefusal(received.json);
			const behaviour = refusal ? answer.slackError(400, refusal.error) : this.script(received);
			if ('resetAfterBody' in behaviour) {
				if (behaviour.posted) this.posted.push(received);
				request.socket.destroy();
				return;
			}
			if ('stall' in behaviour) {
				if (behaviour.posted) this.posted.push(received);
				return;
			}
			if ('truncate' in behaviour) {
				const status = behaviour.reply ?? 200;
				response.writeHead(status, { 'content-length': String(behaviour.truncate), 'content-type': 'text/plain' });
				response.write(behaviour.body);
				if (status >= 200 && status < 300) this.posted.push(received);
				setTimeout(() => request.socket.destroy(), 10);
				return;
			}
			this.mostAwaitingAnswer = Math.max(this.mostAwaitingAnswer, ++this.awaitingAnswer);
			const send = () => {
				this.awaitingAnswer--;
				if ((behaviour.reply >= 200 && behaviour.reply < 300) || behaviour.posted) this.posted.push(received);
				response.writeHead(behaviour.reply, { 'content-type': 'text/html', ...(behaviour.headers ?? {}) });
				response.end(behaviour.body ?? '', () => {
					if (behaviour.closeAfter) request.socket.destroy();
				});
			};
			if (behaviour.delayMs) setTimeout(send, behaviour.delayMs);
			else send();
		});
	}
}

function parseJson(text: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/**
 * What Slack refuses of a message's `table` blocks, with the error string it answers, or undefined
 * when the tables are within Slack's rules. Each rule is cited in nodes/shared/slack.ts
 * (SLACK_TABLE): a table goes in an attachment (Slack's table block reference, Usage info), one per
 * message (more: `invalid_attachments`, netclaw-dev/netclaw#55), at most 100 rows of at most 20
 * cells of `raw_text` or `rich_text`, at most 20 column settings with align left, center or right
 * (the reference's Fields), about 10,000 characters over all cells (vellum-ai/vellum-assistant#36219),
 * a `raw_text` at least 1 character (the data table block's `raw_text` schema). Slack answers a
 * malformed block `invalid_blocks` in `blocks`; a table in `attachments` is refused as the
 * attachment it sits in, `invalid_attachments`.
 */
export function slackTableRefusal(json: Record<string, unknown>): { error: string; reason: string } | undefined {
	const inBlocks = Array.isArray(json.blocks) ? (json.blocks as Array<{ type?: unknown }>).filter((block) => block?.type === 'table') : [];
	if (inBlocks.length > 0) return { error: 'invalid_blocks', reason: 'a table outside attachments' };
	const attachments = Array.isArray(json.attachments) ? (json.attachments as Array<{ blocks?: unknown }>) : [];
	const tables = attachments.flatMap((attachment) => (Array.isArray(attachment?.blocks) ? (attachment.blocks as Array<Record<string, unknown>>) : [])).filter((block) => block?.type === 'table');
	if (tables.length === 0) return undefined;
	const refuse = (reason: string) => ({ error: 'invalid_attachments', reason });
	if (typeof json.text !== 'string' || json.text.trim() === '') {
		if (!Array.isArray(json.blocks) || json.blocks.length === 0) return refuse('a table without top-level text or blocks');
	}
	if (tables.length > SLACK_TABLE.maxTablesPerMessage) return refuse(`${tables.length} tables in one message`);
	for (const table of tables) {
		const rows = table.rows;
		if (!Array.isArray(rows) || rows.length === 0) return refuse('a table without rows');
		if (rows.length > SLACK_TABLE.maxRows) return refuse(`${rows.length} rows`);
		let characters = 0;
		for (const row of rows as unknown[]) {
			if (!Array.isArray(row) || row.length === 0) return refuse('a row that is not a list of cells');
			if (row.length > SLACK_TABLE.maxCellsPerRow) return refuse(`a row of ${row.length} cells`);
			for (const cell of row as Array<Record<string, unknown>>) {
				if (cell?.type === 'raw_text') {
					if (typeof cell.text !== 'string' || cell.text.length < SLACK_TABLE.minCellTextLength) return refuse('an empty raw_text cell');
					characters += cell.text.length;
				} else if (cell?.type !== 'rich_text') {
					return refuse(`a cell of type ${String(cell?.type)}`);
				}
			}
		}
		if (characters > SLACK_TABLE.maxCharactersPerTable) return refuse(`${characters} characters in one table`);
		const settings = table.column_settings;
		if (settings !== undefined) {
			if (!Array.isArray(settings) || settings.length > SLACK_TABLE.maxColumnSettings) return refuse('too many column settings');
			for (const setting of settings as Array<Record<string, unknown> | null>) {
				if (setting === null) continue;
				if (setting.align !== undefined && !(SLACK_TABLE.alignments as readonly unknown[]).includes(setting.align)) return refuse(`align ${String(setting.align)}`);
				if (setting.is_wrapped !== undefined && typeof setting.is_wrapped !== 'boolean') return refuse('is_wrapped not a boolean');
			}
		}
	}
	return undefined;
}
