/**
 * The chaos suite's figures for one fault, from what the Slack-like sender saw (every attempt of
 * every message) and what n8n recorded (each execution, with the message IDs in its data). Pure:
 * the suite gathers, this counts.
 *
 * Words as Slack would use them: a message is delivered when one of its attempts got a 2xx within
 * 3 seconds; lost when it was delivered and started no execution; duplicated when it started more
 * than one. A message Slack gave up on was never delivered: Slack shows or logs the failure.
 *
 * n8n can answer 2xx for an execution it records as failed before any node ran, without the
 * trigger's item (its credential permission check failed, say, on a busy database: WorkflowRunner.run
 * then calls failExecution and returns the execution's ID). Such an execution carries no message ID:
 * a delivered message without one of its own is counted failed by n8n while the workflow has such
 * executions to account for it, one each, and lost beyond them.
 */
import type { Delivery } from './slack-sender';

export interface RecordedExecution {
	id: string;
	status: string;
	workflowId: string;
	messageIds: string[];
	/** The error n8n stored for it, if any. */
	error?: string;
	/** The last node that ran: none when n8n failed the execution before any node ran. */
	lastNodeExecuted?: string;
}

export interface FaultWindow {
	name: string;
	/** When the fault began (ms since epoch). */
	startedAt: number;
}

export interface FaultFigures {
	fault: string;
	messagesSent: number;
	/** Messages with a 2xx answer in time: delivered, in Slack's eyes. */
	answered2xx: number;
	attempts: number;
	failedAttempts: number;
	/** Attempts whose connection broke after the request was sent: the server had them when it failed. */
	resetAttempts: number;
	/** Failed attempts by webhook process and what Slack saw: "<origin> 503", "<origin> http_timeout", "<origin> connection_failed". */
	failures: Record<string, number>;
	executionsStarted: number;
	/** Retried kinds (posts, events): delivered, and started nothing (none of n8n's failed executions accounts for it). */
	lost: string[];
	/** Delivered messages accounted for by an execution n8n failed before any node ran (see above): n8n's part. */
	failedByN8nBeforeRunning: string[];
	/**
	 * Delivered, and every execution of it still "new": n8n recorded it and never marked it running
	 * (its job never reached the queue, the queue lost it, or the worker that took it could not
	 * write to the database). Not lost by the package; n8n did not run it through.
	 */
	leftNew: string[];
	/** Delivered more than once in n8n: more than one execution for one message. */
	duplicated: string[];
	/** Of those, messages with more than one execution that n8n marked running: run twice. */
	ranTwice: string[];
	/** Of those, messages Slack sent only once: never acceptable, no retry can explain them. */
	duplicatedWithoutRetry: string[];
	/** Messages Slack retries that it gave up on (no 2xx in any attempt); slash commands are counted apart. */
	gaveUp: string[];
	/** Of those, the ones that started anyway (the user is told of a failure that did not happen). */
	gaveUpButStarted: string[];
	/** Slash commands, never retried: delivered or failed; `failedButStarted` showed the user an error and ran anyway. */
	slashCommands: { sent: number; answered2xx: number; lost: string[]; failed: number; failedButStarted: string[] };
	/** Filtered posts that started something: never acceptable. */
	filteredButStarted: string[];
	/** Executions that did not end in success: n8n's to finish, listed with their status. */
	unfinished: Array<{ executionId: string; status: string; messageId: string }>;
	/** Slow posts: how many posted to Slack at the end of their workflow, which did not, and which more than once. */
	slowPosts: { sent: number; ranToTheEnd: number; notRunToTheEnd: string[]; ranTwice: string[] };
	/** Seconds from the fault until every webhook process had given a 2xx after its last failed attempt. */
	secondsUntilAnsweredAgain: number;
}

/** n8n's status of an execution it recorded and has not marked running. */
const NOT_TAKEN = 'new';

/** The case's executions that carry no message ID, and which workflow each kind of message starts. */
export interface WithoutMessageId {
	executions: RecordedExecution[];
	workflowOfKind: Record<string, string>;
}

export function figuresOf(
	fault: FaultWindow,
	deliveries: Delivery[],
	executions: RecordedExecution[],
	slowPostsReceived: Map<string, number>,
	withoutMessageId: WithoutMessageId = { executions: [], workflowOfKind: {} },
): FaultFigures {
	const executionsByMessage = new Map<string, RecordedExecution[]>();
	for (const execution of executions) {
		for (const id of new Set(execution.messageIds)) executionsByMessage.set(id, [...(executionsByMessage.get(id) ?? []), execution]);
	}
	const started = (id: string) => executionsByMessage.get(id)?.length ?? 0;
	const taken = (id: string) => (executionsByMessage.get(id) ?? []).filter(({ status }) => status !== NOT_TAKEN).length;
	const ids = (list: Delivery[]) => list.map(({ id }) => id);
	const slash = deliveries.filter(({ kind }) => kind === 'slashCommand');
	const retried = deliveries.filter(({ retried }) => retried);
	const wanted = deliveries.filter(({ kind }) => kind !== 'filteredPost');
	const duplicated = wanted.filter(({ id }) => started(id) > 1);
	const gaveUp = retried.filter(({ delivered }) => !delivered);
	const slow = deliveries.filter(({ kind }) => kind === 'slowPost');
	const attempts = deliveries.flatMap((delivery) => delivery.attempts);
	const sentIds = new Set(ids(deliveries));
	const missing = wanted.filter(({ delivered, id }) => delivered && started(id) === 0);
	const accountedFor = new Set(accountedForByFailedExecutions(missing, withoutMessageId));
	const lostOf = (list: Delivery[]) => ids(list.filter(({ id }) => !accountedFor.has(id)));

	return {
		fault: fault.name,
		messagesSent: deliveries.length,
		answered2xx: deliveries.filter(({ delivered }) => delivered).length,
		attempts: attempts.length,
		failedAttempts: attempts.filter(({ failure }) => failure).length,
		resetAttempts: attempts.filter(({ reset }) => reset).length,
		failures: countBy(attempts.filter(({ failure }) => failure).map(({ origin, status, failure }) => `${origin} ${status ?? failure}`)),
		executionsStarted: executions.filter(({ messageIds }) => messageIds.some((id) => sentIds.has(id))).length,
		lost: lostOf(missing.filter(({ retried: isRetried }) => isRetried)),
		failedByN8nBeforeRunning: [...accountedFor],
		leftNew: ids(wanted.filter(({ delivered, id }) => delivered && started(id) > 0 && taken(id) === 0)),
		duplicated: ids(duplicated),
		ranTwice: ids(duplicated.filter(({ id }) => taken(id) > 1)),
		duplicatedWithoutRetry: ids(duplicated.filter(({ attempts: tries }) => tries.length === 1)),
		gaveUp: ids(gaveUp),
		gaveUpButStarted: ids(gaveUp.filter(({ id }) => started(id) > 0)),
		slashCommands: {
			sent: slash.length,
			answered2xx: slash.filter(({ delivered }) => delivered).length,
			lost: lostOf(missing.filter(({ kind }) => kind === 'slashCommand')),
			failed: slash.filter(({ delivered }) => !delivered).length,
			failedButStarted: ids(slash.filter(({ delivered, id }) => !delivered && started(id) > 0)),
		},
		filteredButStarted: ids(deliveries.filter(({ kind, id }) => kind === 'filteredPost' && started(id) > 0)),
		unfinished: executions
			.filter(({ status }) => status !== 'success')
			.map(({ id, status, messageIds }) => ({ executionId: id, status, messageId: messageIds[0] ?? '' })),
		slowPosts: {
			sent: slow.length,
			ranToTheEnd: slow.filter(({ id }) => (slowPostsReceived.get(id) ?? 0) > 0).length,
			notRunToTheEnd: ids(slow.filter(({ id }) => (slowPostsReceived.get(id) ?? 0) === 0)),
			ranTwice: ids(slow.filter(({ id }) => (slowPostsReceived.get(id) ?? 0) > 1)),
		},
		secondsUntilAnsweredAgain: secondsUntilAnsweredAgain(fault.startedAt, deliveries),
	};
}

/**
 * Which of the messages without an execution of their own n8n's failed executions account for:
 * per workflow, as many as it has executions that failed before any node ran, in message order.
 */
export function accountedForByFailedExecutions(missing: Array<Pick<Delivery, 'id' | 'kind'>>, { executions, workflowOfKind }: WithoutMessageId): string[] {
	const failedBeforeRunning = countBy(executions.filter(({ status, lastNodeExecuted }) => status === 'error' && lastNodeExecuted === undefined).map(({ workflowId }) => workflowId));
	const accounted: string[] = [];
	for (const { id, kind } of missing) {
		const workflowId = workflowOfKind[kind];
		if ((failedBeforeRunning[workflowId] ?? 0) === 0) continue;
		failedBeforeRunning[workflowId]--;
		accounted.push(id);
	}
	return accounted;
}

/**
 * For each webhook process: when it gave its first 2xx after the last attempt to it that failed.
 * The latest of these, from the fault's start; 0 when nothing failed after the fault began.
 */
export function secondsUntilAnsweredAgain(faultStartedAt: number, deliveries: Delivery[]): number {
	const attempts = deliveries.flatMap((delivery) => delivery.attempts).filter(({ sentAt, endedAt }) => endedAt >= faultStartedAt || sentAt >= faultStartedAt);
	let latest = faultStartedAt;
	for (const origin of new Set(attempts.map((attempt) => attempt.origin))) {
		const own = attempts.filter((attempt) => attempt.origin === origin);
		const lastFailure = Math.max(...own.filter(({ failure }) => failure).map(({ sentAt }) => sentAt));
		if (!Number.isFinite(lastFailure)) continue;
		const answeredAgain = own.filter(({ failure, sentAt }) => !failure && sentAt > lastFailure).map(({ endedAt }) => endedAt);
		// Never answered again within the run: count until its last failure ended, the most that is known.
		latest = Math.max(latest, answeredAgain.length > 0 ? Math.min(...answeredAgain) : Math.max(...own.map(({ endedAt }) => endedAt)));
	}
	return (latest - faultStartedAt) / 1000;
}

const list = (ids: string[]) => String(ids.length);

function countBy(keys: string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const key of keys.sort()) counts[key] = (counts[key] ?? 0) + 1;
	return counts;
}

/** "4 crashed, 1 new": how many executions n8n left in each status other than success. */
function unfinishedByStatus(unfinished: FaultFigures['unfinished']): string {
	const counts = new Map<string, number>();
	for (const { status } of unfinished) counts.set(status, (counts.get(status) ?? 0) + 1);
	return counts.size === 0 ? '0' : [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

/** The figures of every fault as one table, a row per fault. */
export function figuresTable(all: FaultFigures[]): string {
	const header = [
		'fault',
		'sent',
		'answered 2xx',
		'executions',
		'lost',
		'failed by n8n',
		'left new',
		'duplicated (ran twice)',
		'Slack gave up',
		'slash: sent/2xx/lost',
		'unfinished',
		'slow: ran to end',
		'failed attempts',
		'answering again after (s)',
	];
	const rows = all.map((figures) => [
		figures.fault,
		String(figures.messagesSent),
		String(figures.answered2xx),
		String(figures.executionsStarted),
		list(figures.lost),
		list(figures.failedByN8nBeforeRunning),
		list(figures.leftNew),
		`${figures.duplicated.length} (${figures.ranTwice.length})`,
		list(figures.gaveUp),
		`${figures.slashCommands.sent}/${figures.slashCommands.answered2xx}/${figures.slashCommands.lost.length}`,
		unfinishedByStatus(figures.unfinished),
		`${figures.slowPosts.ranToTheEnd}/${figures.slowPosts.sent}`,
		String(figures.failedAttempts),
		figures.secondsUntilAnsweredAgain.toFixed(1),
	]);
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
