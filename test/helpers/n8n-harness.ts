/**
 * Runs this package's nodes through n8n's own execution engine (n8n-core's WorkflowExecute):
 * parameters, expressions, credentials, continueOnFail and paired items behave as in n8n. What
 * is supplied here is only what an n8n instance would: the node type registry, a credentials
 * store and the execution's lifecycle hooks.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IHttpRequestOptions,
	type ExecutionError,
} from 'n8n-workflow';

import { SlackIncomingWebhook } from '../../nodes/SlackIncomingWebhook/SlackIncomingWebhook.node';
import { SlackOutgoingWebhookTrigger } from '../../nodes/SlackOutgoingWebhookTrigger/SlackOutgoingWebhookTrigger.node';
import { SlackSocketModeTrigger } from '../../nodes/SlackSocketModeTrigger/SlackSocketModeTrigger.node';

export const PACKAGE_NAME = 'n8n-nodes-slack-webhooks';

const NODE_CLASSES: Record<string, INodeType> = {
	[`${PACKAGE_NAME}.slackIncomingWebhook`]: new SlackIncomingWebhook(),
	[`${PACKAGE_NAME}.slackOutgoingWebhookTrigger`]: new SlackOutgoingWebhookTrigger(),
	[`${PACKAGE_NAME}.slackSocketModeTrigger`]: new SlackSocketModeTrigger(),
};

const OTHER_NODE_CLASSES: Record<string, INodeType | IVersionedNodeType> = {};

/** Adds a node type from elsewhere (benchmarks compare with n8n-nodes-base's HTTP Request node). */
export function registerNodeType(type: string, nodeType: INodeType | IVersionedNodeType): void {
	OTHER_NODE_CLASSES[type] = nodeType;
}

export const nodeTypes: INodeTypes = {
	getByName: (type: string): INodeType | IVersionedNodeType => lookup(type),
	getByNameAndVersion: (type: string, version?: number): INodeType => {
		const nodeType = lookup(type);
		if (!('nodeVersions' in nodeType)) return nodeType;
		return nodeType.nodeVersions[version ?? nodeType.description.defaultVersion ?? 1];
	},
	getKnownTypes: () => ({}),
};

function lookup(type: string): INodeType | IVersionedNodeType {
	const nodeType = NODE_CLASSES[type] ?? OTHER_NODE_CLASSES[type];
	if (!nodeType) throw new Error(`Unknown node type ${type}`);
	return nodeType;
}

/** Holds decrypted credentials by type, as n8n's credentials service hands them to nodes. */
/** n8n's credential store, in memory; `reads` lists every credential type a node asked for, in order. */
export class InMemoryCredentialsHelper extends ICredentialsHelper {
	readonly reads: string[] = [];

	constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(_credentials: ICredentialDataDecryptedObject, _type: string, request: IHttpRequestOptions) {
		return request;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('Not used by these nodes');
	}
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _details: unknown, type: string) {
		this.reads.push(type);
		const data = this.byType[type];
		if (!data) throw new Error(`No credentials of type ${type} in this test`);
		return data;
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

export interface RunNodeOptions {
	type?: string;
	typeVersion?: number;
	parameters: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** Node settings such as retryOnFail, maxTries, waitBetweenTries. */
	settings?: Partial<INode>;
}

export interface RunNodeResult {
	output: INodeExecutionData[] | undefined;
	error: ExecutionError | undefined;
	run: IRun;
}

export function makeNode(options: Pick<RunNodeOptions, 'type' | 'typeVersion' | 'parameters' | 'credentials' | 'continueOnFail' | 'settings'>): INode {
	return {
		id: 'node-under-test',
		name: 'Node Under Test',
		type: options.type ?? `${PACKAGE_NAME}.slackIncomingWebhook`,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		parameters: options.parameters as INode['parameters'],
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((credentialType) => [credentialType, { id: '1', name: 'Test' }]),
		),
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		webhookId: 'test-webhook-id',
		...options.settings,
	};
}

export function makeWorkflow(node: INode): Workflow {
	return new Workflow({ id: 'test-workflow', nodes: [node], connections: {}, active: true, nodeTypes });
}

/** What an n8n instance hands a node's context: credentials, URLs, lifecycle hooks. */
export function makeAdditionalData(
	node: INode,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', {
		id: 'test-workflow',
		name: 'Test',
		nodes: [node],
		connections: {},
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	});
	return {
		hooks,
		credentialsHelper: new InMemoryCredentialsHelper(credentials),
		executionId: 'test-execution',
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		currentNodeParameters: undefined,
		variables: {},
		userId: 'test-user',
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Executes one node, fed `items` as its input, and returns what n8n recorded for it. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const node = makeNode(options);
	const workflow = makeWorkflow(node);
	const additionalData = makeAdditionalData(node, options.credentials ?? {});
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [options.items ?? [{ json: {} }]] }, source: null }],
		},
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const taskData = run.data.resultData.runData[node.name]?.[0];
	return {
		output: taskData?.data?.main?.[0] ?? undefined,
		error: taskData?.error ?? run.data.resultData.error,
		run,
	};
}
