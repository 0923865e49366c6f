/**
 * Runs a trigger node's trigger() through n8n-core as n8n does: TriggersAndPollers.
 * runTriggerFunction with a TriggerContext, for an active workflow (mode "trigger") or for the
 * editor's "Listen for test event" (mode "manual", where n8n-core itself replaces emit and settles
 * the done promise from the execution's workflowExecuteAfter hook).
 *
 * What this harness does not run is n8n's CLI around it, which builds the emit of an active
 * workflow (TriggerExecutionContextFactory.getExecuteTriggerFunctions in n8n 2.41): here emit
 * records the execution and settles the done promise as that code does — with the finished run
 * after `executionMs`, rejected when the execution cannot be created (`failExecutionStart:
 * 'reject'`, n8n 2.x), never when n8n 1.x could not create it (`'hang'`), and with nothing when
 * an execution with the same deduplication key exists (ExecutionPersistence's unique index). The
 * end-to-end suite runs the real thing.
 */
import { TriggerContext, TriggersAndPollers } from 'n8n-core';
import {
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { makeAdditionalData, makeNode, makeWorkflow, PACKAGE_NAME } from './n8n-harness';

export interface Execution {
	items: INodeExecutionData[];
	deduplicationKey: string | undefined;
	/** performance.now() when emit was called. */
	emittedAt: number;
}

export interface TriggerHarnessOptions {
	type?: string;
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	mode?: 'trigger' | 'manual';
	/** One per workflow: two harnesses with different IDs are two workflows. */
	workflowId?: string;
}

type DonePromise = NonNullable<Parameters<ITriggerFunctions['emit']>[2]>;

export class N8nTriggerHarness {
	readonly executions: Execution[] = [];
	/** What the node passed to emitError (n8n deactivates the workflow and shows the error). */
	readonly emittedErrors: Error[] = [];
	/** Calls of emit in the editor's test listener (mode "manual"). */
	manualEmits = 0;
	/** How long the workflow runs after emit before n8n settles the done promise. */
	executionMs = 0;
	/** Plays n8n failing to create the execution: rejecting the done promise (2.x) or never settling it (1.x). */
	failExecutionStart: false | 'reject' | 'hang' = false;
	/** The first item of the workflow's last node; the trigger's own item when unset. */
	lastNodeOutput: ((items: INodeExecutionData[]) => IDataObject | undefined) | undefined;
	/** n8n 2.40 and later keep deduplication keys unique (a database index); n8n 1.x ignores them. */
	keepsDeduplicationKeys = true;
	/** Plays n8n in queue mode, whose done promise carries no run data. */
	runDataReachesMain = true;
	private readonly deduplicationKeys = new Set<string>();
	private response: ITriggerResponse | undefined;
	private readonly node: INode;
	private readonly workflow: Workflow;
	private readonly mode: WorkflowExecuteMode;
	private readonly additionalData: ReturnType<typeof makeAdditionalData>;

	constructor(options: TriggerHarnessOptions) {
		this.mode = options.mode ?? 'trigger';
		this.node = {
			...makeNode({ type: options.type ?? `${PACKAGE_NAME}.slackSocketModeTrigger`, typeVersion: 1, parameters: options.parameters, credentials: options.credentials }),
			id: 'socket-trigger',
			name: 'Slack Socket Mode Trigger',
		};
		this.workflow = makeWorkflow(this.node);
		Object.assign(this.workflow, { id: options.workflowId ?? 'socket-workflow' });
		this.additionalData = makeAdditionalData(this.node, options.credentials);
	}

	/** trigger(), as n8n calls it when the workflow is activated (or the editor starts listening). */
	async activate(): Promise<ITriggerResponse | undefined> {
		let context: TriggerContext | undefined;
		const getTriggerFunctions = (workflow: Workflow, node: INode) =>
			(context = new TriggerContext(
				workflow,
				node,
				this.additionalData,
				this.mode,
				'activate',
				(data, _responsePromise, donePromise, deduplicationKey) => this.emit(data, donePromise, deduplicationKey),
				(error) => this.emittedErrors.push(error),
				(error) => this.emittedErrors.push(error),
			));
		// n8n gets it from its DI container; it holds no state a trigger reaches.
		this.response = await new TriggersAndPollers().runTriggerFunction(this.workflow, this.node, getTriggerFunctions, this.additionalData, this.mode, 'activate');
		if (this.mode === 'manual' && context) {
			// Counts the calls of the emit n8n-core put in place for the test listener, changing nothing else.
			const replaced = context.emit;
			Object.assign(context, { emit: (...args: Parameters<ITriggerFunctions['emit']>) => (this.manualEmits++, replaced(...args)) });
		}
		return this.response;
	}

	/**
	 * The editor's test listener: waits for the first emit, then plays the manual execution's end
	 * (workflowExecuteAfter), which settles the node's done promise.
	 */
	async manualExecution(): Promise<INodeExecutionData[][]> {
		const data = await this.response!.manualTriggerResponse!;
		this.executions.push({ items: data[0], deduplicationKey: undefined, emittedAt: performance.now() });
		setTimeout(() => void this.additionalData.hooks!.runHook('workflowExecuteAfter', [this.runOf(data[0])]), this.executionMs);
		return data;
	}

	/** The closeFunction n8n calls when the workflow is deactivated or n8n stops. */
	async deactivate(): Promise<void> {
		await this.response?.closeFunction?.();
		this.response = undefined;
	}

	private emit(data: INodeExecutionData[][], donePromise: DonePromise | undefined, deduplicationKey: string | undefined): void {
		const emittedAt = performance.now();
		if (this.failExecutionStart === 'hang') return;
		if (this.failExecutionStart === 'reject') {
			setTimeout(() => donePromise?.reject(new Error('Timeout waiting for lock SqliteWriteConnectionMutex to become available')), 5);
			return;
		}
		if (this.keepsDeduplicationKeys && deduplicationKey !== undefined && this.deduplicationKeys.has(deduplicationKey)) {
			// DuplicateExecutionError: no execution, and the done promise resolves with nothing.
			setTimeout(() => donePromise?.resolve(undefined as unknown as IRun), 5);
			return;
		}
		if (deduplicationKey !== undefined) this.deduplicationKeys.add(deduplicationKey);
		this.executions.push({ items: data[0], deduplicationKey, emittedAt });
		setTimeout(() => donePromise?.resolve(this.runOf(data[0])), this.executionMs);
	}

	private runOf(items: INodeExecutionData[]): IRun {
		const last = this.lastNodeOutput ? 'Reply' : this.node.name;
		const json = this.lastNodeOutput ? this.lastNodeOutput(items) : items[0]?.json;
		const runData = this.runDataReachesMain && json !== undefined ? { [last]: [{ startTime: 0, executionTime: 0, executionIndex: 0, source: [], data: { main: [[{ json }]] } }] } : {};
		return {
			data: createRunExecutionData({ resultData: { runData, lastNodeExecuted: last } }),
			finished: true,
			mode: this.mode,
			startedAt: new Date(),
			stoppedAt: new Date(),
			status: 'success',
			storedAt: 'db',
		} as IRun;
	}
}
