/**
 * n8n's REST API (what the editor calls) as the owner a suite set up, on a real n8n the suite's
 * script started: GETs, calls that change something, and the executions of a workflow.
 */
import { postOnOwnConnection } from './http-post';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode?: string;
	createdAt?: string;
	startedAt?: string | null;
}

/** Retries `probe` every 250 ms until it gives a value (not undefined), for up to `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export class N8nRest {
	constructor(
		readonly url: string,
		private readonly cookie: string,
	) {}

	/** A GET as the owner; `data` of n8n's answer is the caller's to unwrap. */
	async get<T>(path: string): Promise<T> {
		// n8n closes a keep-alive connection after 5 idle seconds; a GET is safe to send again on a new one.
		const get = () => fetch(`${this.url}${path}`, { headers: { cookie: this.cookie } });
		const response = await get().catch(get);
		if (!response.ok) throw new Error(`${path} answered ${response.status}`);
		return (await response.json()) as T;
	}

	/** A call that changes something, on a connection of its own (it is not safe to send twice): status and body. */
	async call(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: string }> {
		if (method === 'POST') return postOnOwnConnection(`${this.url}${path}`, JSON.stringify(body ?? {}), { 'content-type': 'application/json', cookie: this.cookie });
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: await response.text() };
	}

	/** `call`, for one that must succeed: n8n's `data`, or an error with its status and message. */
	async send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
		const response = await this.call(method, path, body);
		if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${response.body.slice(0, 500)}`);
		return (response.body ? (JSON.parse(response.body) as { data: T }).data : undefined) as T;
	}

	/**
	 * What the editor's Connect button and the browser do for an OAuth2 credential: n8n's auth URL,
	 * the provider's authorize page (a redirect back, from a stand-in that approves at once), and
	 * n8n's callback with the cookies n8n set. Returns the authorize URL n8n built and the callback's
	 * page; throws when a step answers otherwise.
	 */
	async connectOAuth2(credentialId: string): Promise<{ authorizeUrl: URL; callbackStatus: number; callbackPage: string }> {
		const auth = await fetch(`${this.url}/rest/oauth2-credential/auth?id=${credentialId}`, { headers: { cookie: this.cookie } });
		if (!auth.ok) throw new Error(`n8n's OAuth auth URL answered ${auth.status}: ${await auth.text()}`);
		// n8n may bind the flow to the browser with a cookie it sets here.
		const cookies = [this.cookie, ...auth.headers.getSetCookie().map((cookie) => cookie.split(';')[0])].join('; ');
		const authorizeUrl = new URL(((await auth.json()) as { data: string }).data);
		const providerPage = await fetch(authorizeUrl, { redirect: 'manual' });
		const location = providerPage.headers.get('location');
		if (providerPage.status !== 302 || !location) throw new Error(`the authorize page answered ${providerPage.status} without a redirect`);
		const callback = new URL(location);
		const callbackPage = await fetch(`${this.url}${callback.pathname}${callback.search}`, { headers: { cookie: cookies } });
		return { authorizeUrl, callbackStatus: callbackPage.status, callbackPage: await callbackPage.text() };
	}

	async executionsOf(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const { data } = await this.get<{ data: { results: ExecutionSummary[] } }>(`/rest/executions?filter=${filter}&limit=100`);
		return data.results;
	}

	async executionCount(workflowId: string): Promise<number> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const { data } = await this.get<{ data: { count: number } }>(`/rest/executions?filter=${filter}&limit=1`);
		return data.count;
	}

	/** The stored data of one execution, as n8n's REST API returns it (a flatted JSON string). */
	async executionData(id: string): Promise<string> {
		const { data } = await this.get<{ data: { data: string } }>(`/rest/executions/${id}`);
		return data.data;
	}

	/** Waits until the workflow has more than `before` executions, then returns the newest with its stored data. */
	async newestExecutionAfter(workflowId: string, before: number): Promise<ExecutionSummary & { data: string }> {
		const executions = await eventually(async () => {
			const all = await this.executionsOf(workflowId);
			return all.length > before ? all : undefined;
		});
		const newest = executions.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
		return { ...newest, data: await this.executionData(newest.id) };
	}
}
