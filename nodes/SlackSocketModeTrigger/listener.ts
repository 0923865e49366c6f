import { createHash } from 'node:crypto';
import { NodeOperationError, type IDataObject, type ITriggerFunctions } from 'n8n-workflow';

import type { SocketModeStopped } from '../shared/socket-mode/connection';
import type { Envelope } from '../shared/socket-mode/frames';
import type { ListenerVerdict, SocketModeListener } from '../shared/socket-mode/sessions';
import { immediateReply } from '../shared/trigger-parameters/read';
import { lastNodeFirstJson, shapeReply, type FinishedRun, type SlackReply } from '../shared/slack-app/reply';
import { teamAllowed } from '../shared/slack-app/teams';
import { claimEnvelope } from './duplicate-filter';
import { envelopeToStart, type EnvelopeFilters, type EnvelopeStart } from './envelopes';
import { describeLateReplyFailure, postLateReply } from './late-reply';

/**
 * One Socket Mode trigger listening on its app's session: it filters each envelope, starts the
 * workflow through n8n's emit, and says how the envelope is to be acknowledged.
 *
 * n8n tells a trigger nothing between emit() and the end of the execution: no "created". Its
 * `donePromise` settles when the execution has finished (n8n 1.x and 2.x), rejects when n8n could
 * not start it (2.x, TriggerExecutionContextFactory.settleDonePromise; on 1.x it never settles
 * then), and resolves with nothing when n8n's database already has an execution with the same
 * deduplication key (2.40 and later). So the trigger waits for it, a bounded time, before the
 * envelope is acknowledged: a start that fails within the wait is reported as not started (an
 * event no workflow could start is left for Slack to send again; a command or a click, which
 * Slack never sends again, is acknowledged: sessions.ts); a workflow still running when the wait
 * ends is taken as started.
 */

export type RespondMode = 'immediately' | 'lastNode' | 'noReply';

export interface ListenerSettings {
	filters: EnvelopeFilters;
	allowedTeamIds: readonly string[];
	respond: RespondMode;
	/** Commands and clicks; 0 turns the duplicate filter off. */
	duplicateWindowMs: number;
	/** Events: at least the span of Slack's retries. */
	eventDuplicateWindowMs: number;
	allowedResponseOrigins: readonly string[];
}

/**
 * How long an event, a click, or a command not answered by its last node waits for n8n before it
 * is acknowledged: three times what n8n took to create an execution at worst on a loaded machine
 * (241 ms in the end-to-end suite; milliseconds when the database is well), and a quarter of
 * Slack's 3 s, so that the acknowledgement of a busy trigger still comes well within them.
 */
export const START_WAIT_MS = 750;
/** "When Last Node Finishes" waits as long as Slack allows, less what the acknowledgement needs to reach it. */
export const REPLY_WAIT_MS = 2_500;

const IGNORED: ListenerVerdict = { kind: 'ignored' };

type Outcome =
	| { kind: 'finished'; run: FinishedRun | undefined }
	| { kind: 'failed'; error: Error }
	| { kind: 'stillRunning'; done: Promise<FinishedRun | undefined> };

export class TriggerListener implements SocketModeListener {
	/** The editor's "Listen for test event" starts one execution, for the first envelope that matches. */
	private startedInTest = false;
	private warnedNoLastNodeOutput = false;

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly settings: ListenerSettings,
	) {}

	get log() {
		return this.context.logger;
	}

	onStopped(error: SocketModeStopped): void {
		this.context.emitError(new NodeOperationError(this.context.getNode(), error.message, { description: error.description }));
	}

	async onEnvelope(envelope: Envelope, receivedAt: number): Promise<ListenerVerdict> {
		const start = envelopeToStart(envelope, this.settings.filters, new Date());
		if (!start) return IGNORED;
		if (!teamAllowed(this.settings.allowedTeamIds, start.teamId)) {
			this.log.debug('Slack Socket Mode Trigger ignored an envelope from a team not in Allowed Team IDs');
			return IGNORED;
		}
		const isTest = this.context.getMode() === 'manual';
		if (isTest && this.startedInTest) return IGNORED;
		const windowMs = start.kind === 'event' ? this.settings.eventDuplicateWindowMs : this.settings.duplicateWindowMs;
		const claim = await claimEnvelope(this.scope(isTest), start.key, windowMs);
		// Slack's resend of one that started: acknowledged, starts nothing.
		if (claim.state === 'started') return IGNORED;
		if (claim.state === 'inFlight') {
			this.log.debug('Slack Socket Mode Trigger: another delivery of an envelope is still being started; this one is taken as not started');
			return { kind: 'notStarted' };
		}
		if (isTest) this.startedInTest = true;

		const answersWithLastNode = start.kind === 'command' && this.settings.respond === 'lastNode';
		const waitMs = (answersWithLastNode ? REPLY_WAIT_MS : START_WAIT_MS) - (performance.now() - receivedAt);
		const outcome = await this.start(start, windowMs > 0 && !isTest ? start.key : undefined, waitMs);
		if (outcome.kind === 'failed') {
			await claim.notStarted();
			if (isTest) this.startedInTest = false;
			this.log.warn(`Slack Socket Mode Trigger: n8n could not start the workflow for ${start.kind === 'event' ? 'an event' : start.kind === 'command' ? 'a slash command' : 'a click'} (${outcome.error.message})`);
			return { kind: 'notStarted' };
		}
		// Finished, or still running when the envelope is acknowledged: either way Slack will not send it again.
		await claim.started();
		if (outcome.kind === 'stillRunning') this.afterAcknowledgement(start, outcome.done, answersWithLastNode);
		return { kind: 'started', reply: start.kind === 'command' ? this.replyOf(outcome) : undefined };
	}

	/** Emits the item and waits at most `waitMs` for n8n to finish, or to say it could not start. */
	private async start(start: EnvelopeStart, key: string | undefined, waitMs: number): Promise<Outcome> {
		const done = deferredRun();
		try {
			// context.emit, read now: for the editor's test listener n8n replaces it after trigger() returned.
			this.context.emit([this.context.helpers.returnJsonArray([start.item as IDataObject])], undefined, done, key && this.deduplicationKey(key));
		} catch (error) {
			return { kind: 'failed', error: error as Error };
		}
		let timer: NodeJS.Timeout | undefined;
		const waited = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'stillRunning', done: done.promise }), Math.max(waitMs, 0))));
		const settled = done.promise.then(
			(run): Outcome => ({ kind: 'finished', run: run as FinishedRun | undefined }),
			(error: unknown): Outcome => ({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
		);
		const outcome = await Promise.race([settled, waited]);
		clearTimeout(timer);
		return outcome;
	}

	private replyOf(outcome: Outcome): SlackReply | undefined {
		if (this.settings.respond === 'immediately') return immediateReply(this.context, 'Slack Socket Mode Trigger');
		if (this.settings.respond === 'lastNode' && outcome.kind === 'finished') return this.lastNodeReply(outcome.run);
		return undefined;
	}

	/** What happens once the envelope was acknowledged while the workflow still ran. */
	private afterAcknowledgement(start: EnvelopeStart, done: Promise<FinishedRun | undefined>, answersWithLastNode: boolean): void {
		done.then(
			async (run) => {
				if (!answersWithLastNode) return;
				const reply = this.lastNodeReply(run);
				if (!reply || !start.responseUrl) return;
				const posted = await postLateReply(start.responseUrl, reply, this.settings.allowedResponseOrigins);
				if (!posted.ok) {
					this.log.warn(`Slack Socket Mode Trigger: the reply to a slash command could not be posted to its response URL: ${describeLateReplyFailure(posted.error, start.responseUrl)}`);
				}
			},
			(error: unknown) => {
				this.log.error(
					`Slack Socket Mode Trigger: n8n could not start the workflow for an envelope acknowledged after ${START_WAIT_MS} ms: it is lost (${(error as Error).message})`,
				);
			},
		);
	}

	private lastNodeReply(run: FinishedRun | undefined): SlackReply | undefined {
		const json = lastNodeFirstJson(run);
		if (json === undefined && run !== undefined && !this.warnedNoLastNodeOutput) {
			this.warnedNoLastNodeOutput = true;
			this.log.warn(
				"Slack Socket Mode Trigger: Respond is When Last Node Finishes, but the last node's output did not reach this n8n process (in queue mode n8n keeps a trigger's run data on the worker); no reply is sent. Respond Immediately and answer with a Slack Incoming Webhook node set to Response URL.",
			);
		}
		return shapeReply(json);
	}

	/** The duplicate filter's scope: this workflow's node, the editor's test listener apart. */
	private scope(isTest: boolean): string {
		const node = this.context.getNode();
		return `socket-mode:${this.context.getWorkflow().id ?? ''}:${node.id ?? node.name}${isTest ? ':test' : ''}`;
	}

	/** n8n (2.40 and later) keeps this unique in its database: one execution per event, command or click, whichever process. */
	private deduplicationKey(key: string): string {
		const node = this.context.getNode();
		const digest = createHash('sha256').update(`${this.context.getWorkflow().id ?? ''}\n${node.id ?? node.name}\n${key}`).digest('hex');
		return `slack-socket-mode:${digest}`;
	}
}

/** emit()'s third argument, as n8n settles it (its type lives in a package n8n does not give nodes). */
type DonePromise = NonNullable<Parameters<ITriggerFunctions['emit']>[2]>;
type RunRecord = Awaited<DonePromise['promise']>;

function deferredRun(): DonePromise {
	let resolve!: DonePromise['resolve'];
	let reject!: (error: Error) => void;
	const promise = new Promise<RunRecord>((resolvePromise, rejectPromise) => {
		resolve = resolvePromise;
		reject = rejectPromise;
	});
	// n8n may reject it after the wait is over; the rejection is handled where it is awaited or logged.
	promise.catch(() => undefined);
	return { promise, resolve, reject };
}
