/**
 * The chaos suite's counting, on made-up deliveries and executions: what counts as lost,
 * duplicated, given up, and when the cluster answered again.
 */
import { accountedForByFailedExecutions, figuresOf, figuresTable, secondsUntilAnsweredAgain, type RecordedExecution } from './figures';
import type { Attempt, Delivery } from './slack-sender';

const A = 'http://127.0.0.1:1';
const B = 'http://127.0.0.1:2';
const T0 = 1_000_000;

const ok = (at: number, origin = A): Attempt => ({ retryNum: 0, origin, sentAt: at, endedAt: at + 100, status: 200 });
const timedOut = (at: number, origin = A): Attempt => ({ retryNum: 0, origin, sentAt: at, endedAt: at + 3_000, failure: 'http_timeout' });
const refused = (at: number, origin = A): Attempt => ({ retryNum: 0, origin, sentAt: at, endedAt: at + 1, failure: 'connection_failed' });
const reset = (at: number, origin = A): Attempt => ({ ...refused(at, origin), reset: true });

function delivery(id: string, kind: string, ...attempts: Attempt[]): Delivery {
	return { id, kind, retried: kind !== 'slashCommand', attempts: attempts.map((attempt, retryNum) => ({ ...attempt, retryNum })), delivered: attempts.some(({ failure }) => !failure) };
}
const execution = (id: string, messageId: string, status = 'success'): RecordedExecution => ({ id, status, workflowId: 'w', messageIds: [messageId] });

describe('figuresOf', () => {
	const deliveries = [
		delivery('msg-t-0', 'post', ok(T0)),
		// Retried after a timeout: the retry got 200 and nothing started.
		delivery('msg-t-1', 'event', timedOut(T0), ok(T0 + 3_000, B)),
		// Sent once, started twice: no retry can explain that.
		delivery('msg-t-2', 'post', ok(T0)),
		// Sent again after a reset, started twice.
		delivery('msg-t-3', 'slowPost', reset(T0), ok(T0 + 10, B)),
		delivery('msg-t-4', 'filteredPost', ok(T0)),
		delivery('msg-t-5', 'slashCommand', ok(T0)),
		delivery('msg-t-6', 'slashCommand', timedOut(T0)),
		// Slack gave up, and the workflow ran anyway.
		delivery('msg-t-7', 'post', refused(T0), refused(T0 + 1), refused(T0 + 2), refused(T0 + 3)),
		delivery('msg-t-8', 'filteredPost', ok(T0)),
		// Slack gave up, and nothing started: failed in Slack's eyes, not lost.
		delivery('msg-t-9', 'event', refused(T0), refused(T0 + 1), refused(T0 + 2), refused(T0 + 3)),
		// Recorded, never marked running.
		delivery('msg-t-10', 'event', ok(T0)),
	];
	const executions = [
		execution('1', 'msg-t-0'),
		execution('2', 'msg-t-2'),
		execution('3', 'msg-t-2'),
		execution('4', 'msg-t-3', 'new'),
		execution('5', 'msg-t-3'),
		execution('6', 'msg-t-7'),
		execution('7', 'msg-t-8'),
		execution('9', 'msg-t-10', 'new'),
		// Another fault's message: not counted here.
		execution('8', 'msg-other-1'),
	];
	const figures = figuresOf({ name: 't', startedAt: T0 }, deliveries, executions, new Map([['msg-t-3', 2]]));

	it('counts messages, attempts and the executions of these messages only', () => {
		expect(figures).toEqual(
			expect.objectContaining({ fault: 't', messagesSent: 11, answered2xx: 8, attempts: 19, failedAttempts: 11, resetAttempts: 1, executionsStarted: 8 }),
		);
	});

	it('counts failed attempts by webhook process and by what Slack saw', () => {
		expect(figures.failures).toEqual({ [`${A} connection_failed`]: 9, [`${A} http_timeout`]: 2 });
	});

	it('a delivered message that started nothing is lost; a slash command is counted on its own', () => {
		expect(figures.lost).toEqual(['msg-t-1']);
		expect(figures.slashCommands).toEqual({ sent: 2, answered2xx: 1, lost: ['msg-t-5'], failed: 1, failedButStarted: [] });
	});

	it('tells duplicates Slack caused by sending again from those it did not, and those run twice from those recorded twice', () => {
		expect(figures.duplicated).toEqual(['msg-t-2', 'msg-t-3']);
		expect(figures.duplicatedWithoutRetry).toEqual(['msg-t-2']);
		// msg-t-3's first execution was never marked running: it ran once.
		expect(figures.ranTwice).toEqual(['msg-t-2']);
	});

	it('a delivered message whose only executions n8n never marked running is left new', () => {
		expect(figures.leftNew).toEqual(['msg-t-10']);
	});

	it('lists what Slack gave up on, what started anyway, filtered messages that started, unfinished executions and slow posts run twice', () => {
		expect(figures.gaveUp).toEqual(['msg-t-7', 'msg-t-9']);
		expect(figures.gaveUpButStarted).toEqual(['msg-t-7']);
		expect(figures.filteredButStarted).toEqual(['msg-t-8']);
		expect(figures.unfinished).toEqual([
			{ executionId: '4', status: 'new', messageId: 'msg-t-3' },
			{ executionId: '9', status: 'new', messageId: 'msg-t-10' },
		]);
		expect(figures.slowPosts).toEqual({ sent: 1, ranToTheEnd: 1, notRunToTheEnd: [], ranTwice: ['msg-t-3'] });
	});

	it('prints one row per fault under a header', () => {
		const lines = figuresTable([figures, { ...figures, fault: 'u' }]).split('\n');
		expect(lines).toHaveLength(4);
		expect(lines[0]).toContain('| fault |');
		expect(lines[2]).toMatch(/^\| t +\| 11 +\| 8 +\| 8 +\| 1 +\| 0 +\| 1 +\| 2 \(1\) +\| 2 +\| 2\/1\/1 +\| 2 new +\| 1\/1 /);
	});
});

describe('secondsUntilAnsweredAgain', () => {
	const message = (...attempts: Attempt[]) => delivery('msg-t-0', 'post', ...attempts);

	it('is 0 when nothing failed after the fault began', () => {
		expect(secondsUntilAnsweredAgain(T0, [message(timedOut(T0 - 5_000)), message(ok(T0 + 1_000))])).toBe(0);
	});

	it('is the latest of each process first 2xx after its last failure', () => {
		const deliveries = [message(refused(T0 + 1_000, A), ok(T0 + 1_001, B)), message(refused(T0 + 8_000, A)), message(ok(T0 + 9_000, A)), message(ok(T0 + 12_000, A))];
		expect(secondsUntilAnsweredAgain(T0, deliveries)).toBe(9.1);
	});

	it('counts until the last failure ended for a process that never answered again', () => {
		expect(secondsUntilAnsweredAgain(T0, [message(timedOut(T0 + 2_000, B))])).toBe(5);
	});
});

describe("n8n's executions failed before any node ran", () => {
	const workflowOfKind = { post: 'posts', event: 'events', slashCommand: 'slash' };
	const failedBeforeRunning = (id: string, workflowId: string): RecordedExecution => ({ id, status: 'error', workflowId, messageIds: [], error: 'timeout exceeded when trying to connect' });
	const missing = [
		{ id: 'msg-t-1', kind: 'post' },
		{ id: 'msg-t-2', kind: 'post' },
		{ id: 'msg-t-3', kind: 'event' },
		{ id: 'msg-t-4', kind: 'slashCommand' },
	];

	it('account for as many missing messages of their workflow as there are of them, and no more', () => {
		const executions = [failedBeforeRunning('1', 'posts'), failedBeforeRunning('2', 'slash')];
		expect(accountedForByFailedExecutions(missing, { executions, workflowOfKind })).toEqual(['msg-t-1', 'msg-t-4']);
	});

	it('do not include an execution the trigger itself failed (it ran), or one that succeeded', () => {
		const executions = [
			{ ...failedBeforeRunning('1', 'events'), lastNodeExecuted: 'Slack Outgoing Webhook Trigger' },
			{ ...failedBeforeRunning('2', 'posts'), status: 'success' },
		];
		expect(accountedForByFailedExecutions(missing, { executions, workflowOfKind })).toEqual([]);
	});

	it('leave the rest lost in the figures', () => {
		const delivered = missing.map(({ id, kind }) => delivery(id, kind, ok(T0)));
		const figures = figuresOf({ name: 't', startedAt: T0 }, delivered, [], new Map(), { executions: [failedBeforeRunning('1', 'posts')], workflowOfKind });
		expect(figures.failedByN8nBeforeRunning).toEqual(['msg-t-1']);
		expect(figures.lost).toEqual(['msg-t-2', 'msg-t-3']);
		expect(figures.slashCommands.lost).toEqual(['msg-t-4']);
	});
});
