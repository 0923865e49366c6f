/**
 * Serves a trigger node's webhook on 127.0.0.1 through n8n-core's WebhookContext, the context n8n
 * builds for every webhook call: the node reads the request, its parameters and credentials
 * through it, exactly as in n8n. The body is parsed as n8n 2.40's body parser
 * (packages/cli/src/middlewares/body-parser.ts) does, with n8n's own content-type parsing: JSON
 * through n8n-workflow's jsonParse, forms through querystring with at most 1,000 keys, the raw
 * bytes kept for signature checks, and 422 for a body it cannot parse, before the node is called.
 *
 * What this harness does not run is n8n's webhook request handler around the node: the
 * end-to-end suite runs it in a real n8n. Here, a call "starts the workflow" when the node returns
 * workflowData, and that is recorded; for the "onReceived" response mode the harness then answers
 * as n8n 2.40 does (webhook-helpers.ts: the reply goes out after the execution was created, and a
 * failure to create it is a 500), which `failExecutionStart` plays.
 */
import { parseIncomingMessage } from '@n8n/backend-network';
import { WebhookContext } from 'n8n-core';
import { jsonParse, type ICredentialDataDecryptedObject, type IDataObject, type INodeExecutionData, type IWebhookResponseData } from 'n8n-workflow';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

import { InMemoryCredentialsHelper, makeAdditionalData, makeNode, makeWorkflow, nodeTypes, PACKAGE_NAME } from './n8n-harness';

/** The harness's trigger node: one per type version, as in two workflows (each has its own duplicate filter). */
export const triggerNodeId = (typeVersion: number) => `trigger-v${typeVersion}`;

export interface WebhookCall {
	/** The items the workflow would start with; undefined when the node started nothing. */
	started: INodeExecutionData[] | undefined;
	result: IWebhookResponseData;
	/** What the node's webhook method threw, if it did: n8n answers that with a 500. */
	threw?: unknown;
}

export interface HttpAnswer {
	status: number;
	body: string;
	contentType: string | null;
}

export class TriggerHarness {
	readonly calls: WebhookCall[] = [];
	private server: Server | undefined;
	parameters: IDataObject = {};
	private credentialsByType: Record<string, ICredentialDataDecryptedObject> = {};
	/**
	 * The ID n8n gives the node for its credential. Assigning `credentials` plays choosing another
	 * saved credential (a new ID); changing a field of it in place plays editing the same one.
	 */
	credentialId = 'credential-1';
	private credentialsAssigned = 1;
	/** The trigger's type version, as saved in the workflow: n8n parses bodies by it. */
	typeVersion = 2;
	/** Credential types the node read, one entry per read, since the harness started. */
	readonly credentialReads: string[] = [];
	/** Plays n8n failing to create the execution (as with a busy SQLite database). */
	failExecutionStart = false;
	/**
	 * For the response modes where the workflow answers (not "onReceived"): the status n8n answers
	 * with once the workflow has run; 500 plays a workflow that ended in an error.
	 */
	workflowAnswerStatus = 200;
	/** Plays a slow n8n (a busy database): n8n finishes creating the execution, and answers, once this resolves. */
	executionCreated: Promise<void> | undefined;
	/** True while a request waits for `executionCreated`. */
	waitingForExecution = false;
	/** Requests whose client closed the connection before the harness answered. */
	abandoned = 0;

	get credentials(): Record<string, ICredentialDataDecryptedObject> {
		return this.credentialsByType;
	}

	set credentials(byType: Record<string, ICredentialDataDecryptedObject>) {
		this.credentialsByType = byType;
		this.credentialId = `credential-${++this.credentialsAssigned}`;
	}

	async start(): Promise<this> {
		this.server = createServer((request, response) => {
			response.once('close', () => {
				if (!response.writableEnded) this.abandoned++;
			});
			void this.handle(request, response).catch((error: unknown) => {
				// n8n answers 500 when a webhook method throws; so does the harness.
				this.calls.push({ started: undefined, result: {}, threw: error });
				if (!response.headersSent) response.writeHead(500);
				response.end(String(error));
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/webhook/test-webhook-id/slack`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
	}

	async post(body: string, headers: Record<string, string>): Promise<HttpAnswer> {
		const response = await fetch(this.url, { method: 'POST', body, headers });
		return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
	}

	private async handle(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		let parsed: { body: unknown; rawBody: Buffer | undefined };
		try {
			parsed = parseBodyAsN8nDoes(request, Buffer.concat(chunks), this.typeVersion);
		} catch {
			// n8n answers an unparseable body with 422 and never calls the node.
			response.writeHead(422, { 'content-type': 'application/json' });
			response.end(JSON.stringify({ code: 422, message: 'Failed to parse request body' }));
			return;
		}
		Object.assign(request, parsed);

		const node = {
			...makeNode({
				type: `${PACKAGE_NAME}.slackOutgoingWebhookTrigger`,
				typeVersion: this.typeVersion,
				parameters: this.parameters,
				credentials: this.credentials,
			}),
			id: triggerNodeId(this.typeVersion),
			credentials: Object.fromEntries(Object.keys(this.credentials).map((type) => [type, { id: this.credentialId, name: 'Test' }])),
		};
		const workflow = makeWorkflow(node);
		const credentialsHelper = new InMemoryCredentialsHelper(this.credentials);
		const additionalData = makeAdditionalData(node, this.credentials, {
			httpRequest: request as never,
			httpResponse: response as never,
			credentialsHelper,
		});
		const nodeType = nodeTypes.getByNameAndVersion(node.type, this.typeVersion);
		const webhookDescription = nodeType.description.webhooks![0];
		const context = new WebhookContext(
			workflow,
			node,
			additionalData,
			'webhook',
			{
				httpMethod: 'POST',
				node: node.name,
				path: 'test-webhook-id/slack',
				webhookDescription,
				workflowId: 'test-workflow',
				workflowExecuteAdditionalData: additionalData,
				webhookId: 'test-webhook-id',
			},
			[],
			null,
		);
		const result = await nodeType.webhook!.call(context).finally(() => this.credentialReads.push(...credentialsHelper.reads));
		if (!result.workflowData) {
			this.calls.push({ started: undefined, result });
			return;
		}
		if (result.noWebhookResponse) {
			// n8n's executeWebhook: the node answered itself ("The response got already send"), and
			// since it returned workflowData, n8n still runs the workflow.
			this.calls.push({ started: result.workflowData[0], result });
			return;
		}
		if (response.headersSent) {
			this.calls.push({ started: undefined, result });
			return;
		}
		// Slack may close the connection meanwhile; n8n still finishes and ends the response.
		if (this.executionCreated) {
			this.waitingForExecution = true;
			await this.executionCreated.finally(() => (this.waitingForExecution = false));
		}
		if (this.failExecutionStart) {
			this.calls.push({ started: undefined, result });
			response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
			response.end(JSON.stringify({ code: 0, message: 'Timeout waiting for lock SqliteWriteConnectionMutex to become available' }));
			return;
		}
		this.calls.push({ started: result.workflowData[0], result });
		const resolve = (field: string) => resolveDescriptionField(webhookDescription, field, node.parameters as IDataObject);
		if (resolve('responseMode') !== 'onReceived') {
			// n8n would now run the workflow and answer as the response mode says; not here.
			response.writeHead(this.workflowAnswerStatus, { 'x-harness': 'workflow-started' });
			response.end();
			return;
		}
		const reply = extractWebhookOnReceivedResponse(resolve('responseData'), result);
		// n8n's sendStaticResponse: Express's res.send for a string, res.json for anything else.
		if (typeof reply === 'string') {
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(reply) });
			response.end(reply);
		} else {
			const json = JSON.stringify(reply);
			response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
			response.end(json);
		}
	}
}

/** n8n 2.40's extractWebhookOnReceivedResponse. */
function extractWebhookOnReceivedResponse(responseData: unknown, result: IWebhookResponseData): unknown {
	if (responseData === 'noData') return undefined;
	if (responseData) return responseData;
	if (result.webhookResponse !== undefined) return result.webhookResponse;
	return { message: 'Workflow was started' };
}

/** A description field as n8n resolves it for a node without expressions in its parameters: through the node's native resolver. */
function resolveDescriptionField(description: object, field: string, parameters: IDataObject): unknown {
	const resolvers = (description as Record<symbol, Record<string, { resolve(parameters: IDataObject): unknown }> | undefined>)[
		Symbol.for('n8n.webhookDescriptionResolvers')
	];
	const resolver = resolvers?.[field];
	if (!resolver) throw new Error(`the trigger has no native resolver for ${field}`);
	return resolver.resolve(parameters);
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * n8n 2.40's parseRequestBody (webhook-helpers.ts) and parseBody (body-parser.ts), for the content
 * types this trigger can meet: a webhook node of type version 1 has every body read and parsed; a
 * newer one only JSON, text, form and XML bodies, and for any other type n8n reads nothing, so
 * the node sees neither a body nor its raw bytes.
 */
function parseBodyAsN8nDoes(request: IncomingMessage, rawBody: Buffer, typeVersion: number): { body: unknown; rawBody: Buffer | undefined } {
	parseIncomingMessage(request);
	const { contentType, encoding } = request as IncomingMessage & { contentType?: string; encoding?: BufferEncoding };
	const parsedByN8n =
		['application/json', 'text/plain', 'application/x-www-form-urlencoded'].some((type) => contentType?.startsWith(type)) ||
		contentType?.endsWith('/xml') ||
		contentType?.endsWith('+xml');
	if (typeVersion > 1 && !parsedByN8n) return { body: undefined, rawBody: undefined };
	let body: unknown;
	// XML is parsed too, into an object without Slack's fields; the trigger refuses it by content type.
	if (rawBody.length > 0) {
		if (contentType === 'application/json') body = jsonParse(stripBom(rawBody.toString(encoding)));
		else if (contentType === 'application/x-www-form-urlencoded') {
			body = parseQuery(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') body = rawBody.toString(encoding);
	}
	return { body: body ?? {}, rawBody };
}
