/**
 * Plays Slack's side of "Add to Slack" on 127.0.0.1: the authorize page (where a user picks a
 * channel and approves) and oauth.v2.access (which trades the code for a token and, with the
 * incoming-webhook scope, an incoming webhook). It checks what Slack checks: the client ID and
 * secret, a single-use code, and the same redirect URI at both steps. Errors are answered as Slack
 * answers them: HTTP 200 with {"ok": false, "error": ...}.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLACK_OAUTH_PATHS = { authorize: '/oauth/v2/authorize', access: '/api/oauth.v2.access' } as const;

export interface SlackApp {
	clientSecret: string;
	/** The channel the user picks on the authorize page. */
	channel: { name: string; id: string };
	/** The webhook URL Slack creates for that channel. */
	webhookUrl: string;
	/** The bot token Slack issues. */
	accessToken: string;
	/** Scopes granted, when they differ from those asked for (an app configured with other scopes). */
	grantScopes?: string;
}

export interface TokenRequest {
	clientId: string | undefined;
	clientSecretInBody: boolean;
	code: string | undefined;
	redirectUri: string | undefined;
	answer: Record<string, unknown>;
}

interface PendingCode {
	clientId: string;
	redirectUri: string;
	scope: string;
}

export class SlackOAuthServer {
	readonly authorizeRequests: URLSearchParams[] = [];
	readonly tokenRequests: TokenRequest[] = [];
	private readonly codes = new Map<string, PendingCode>();
	private server: Server | undefined;

	constructor(private readonly apps: Record<string, SlackApp>) {}

	async start(port = 0): Promise<this> {
		this.server = createServer((request, response) => {
			this.handle(request, response).catch(() => {
				response.writeHead(500).end();
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		return this;
	}

	get origin(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', this.origin);
		if (request.method === 'GET' && url.pathname === SLACK_OAUTH_PATHS.authorize) return this.authorize(url.searchParams, response);
		if (request.method === 'POST' && url.pathname === SLACK_OAUTH_PATHS.access) return this.access(request, response);
		response.writeHead(404).end();
	}

	/** The user approves at once and picks the app's channel; Slack redirects back with a code. */
	private authorize(query: URLSearchParams, response: ServerResponse): void {
		this.authorizeRequests.push(query);
		const clientId = query.get('client_id') ?? '';
		const redirectUri = query.get('redirect_uri') ?? '';
		if (!this.apps[clientId] || !/^https?:\/\//.test(redirectUri)) {
			response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_client_id');
			return;
		}
		const code = randomBytes(12).toString('hex');
		this.codes.set(code, { clientId, redirectUri, scope: query.get('scope') ?? '' });
		const back = new URL(redirectUri);
		back.searchParams.set('code', code);
		back.searchParams.set('state', query.get('state') ?? '');
		response.writeHead(302, { location: back.toString() }).end();
	}

	private async access(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
		const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
		const [basicId, basicSecret] = basic ? Buffer.from(basic[1], 'base64').toString().split(':') : [];
		const clientId = form.get('client_id') ?? basicId;
		const clientSecret = form.get('client_secret') ?? basicSecret;
		const code = form.get('code') ?? undefined;
		const redirectUri = form.get('redirect_uri') ?? undefined;

		const answer = this.exchange(clientId, clientSecret, code, redirectUri);
		this.tokenRequests.push({ clientId, clientSecretInBody: form.has('client_secret'), code, redirectUri, answer });
		response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
	}

	private exchange(clientId?: string, clientSecret?: string, code?: string, redirectUri?: string): Record<string, unknown> {
		const app = clientId ? this.apps[clientId] : undefined;
		if (!app) return { ok: false, error: 'invalid_client_id' };
		if (clientSecret !== app.clientSecret) return { ok: false, error: 'bad_client_secret' };
		const pending = code ? this.codes.get(code) : undefined;
		if (!pending || pending.clientId !== clientId) return { ok: false, error: 'invalid_code' };
		this.codes.delete(code!);
		if (redirectUri !== pending.redirectUri) return { ok: false, error: 'bad_redirect_uri' };

		const scope = app.grantScopes ?? pending.scope.split(/[ ,]+/).filter(Boolean).join(',');
		return {
			ok: true,
			app_id: 'AE2E00001',
			authed_user: { id: 'UE2E00001' },
			scope,
			token_type: 'bot',
			access_token: app.accessToken,
			bot_user_id: 'UE2EBOT01',
			team: { id: 'TE2E00001', name: 'E2E Workspace' },
			enterprise: null,
			is_enterprise_install: false,
			...(scope.split(',').includes('incoming-webhook') && {
				incoming_webhook: {
					channel: app.channel.name,
					channel_id: app.channel.id,
					configuration_url: 'https://e2e-workspace.example/services/BE2E00001',
					url: app.webhookUrl,
				},
			}),
		};
	}
}
