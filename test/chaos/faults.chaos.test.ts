/**
 * Chaos in n8n's queue mode (scripts/test-chaos.mjs starts PostgreSQL, Redis, main, two webhook
 * processes and two workers): a steady mixed load of Slack's incoming messages, sent as Slack
 * sends them (slack-sender.ts), while one fault at a time hits the cluster. Each case counts, per
 * message, what Slack would have seen and what n8n started, and holds the package to: no message
 * Slack considers delivered started nothing; no message Slack sent once started twice; a filtered
 * message starts nothing; and per fault, no more duplicates than that fault can explain.
 *
 * Slack's clock, compressed: Slack waits 3 s for an answer (kept as it is) and sends an event again
 * at once, after 1 minute and after 5 minutes (SLACK_EVENTS_API.retryScheduleSeconds). Here the
 * retries come at a fifth of that: at once, after 12 s and after 60 s, so that a case ends in one
 * to two minutes. What the package decides depends on the order of these times against its own,
 * and that order is unchanged: the lease of a request (INCOMING_MESSAGE_LEASE_MS, 4 s) runs out
 * well before the first delayed retry, so a retry after a killed process gets through as it
 * would after a minute; a retry that finds a live lease waits IN_FLIGHT_WAIT_MS (2 s), inside
 * Slack's 3 s; and the last retry still falls inside the Duplicate Window (300 s by default, at
 * least 10 minutes for events). The busy database holds its lock for 25 s, about a third of the
 * retries' span here (72 s), as 2 minutes would be of Slack's 6; n8n's own timeouts are its own.
 */
import { writeFileSync } from 'node:fs';

import { SLACK_EVENTS_API } from '../../nodes/shared/slack';
import { IN_FLIGHT_WAIT_MS, INCOMING_MESSAGE_LEASE_MS } from '../../nodes/shared/state/incoming-message-lease';
import E2E from '../harness/fixtures/secrets.json';
import { seededRandom } from '../helpers/seeded-random';
import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import { CHAOS, connect, control, executionsStartedBy, figuresFile, lastExecutionId, runningProcesses, settledExecutions, sleep, slackPort, webhookOrigins } from './chaos-env';
import { figuresOf, figuresTable, type FaultFigures, type RecordedExecution } from './figures';
import { chaosMessage, kindOf, MESSAGE_ID_PATTERN, messageId, type MessageKind } from './messages';
import { deliverAsSlack, postWithDeadline, type Delivery, type OutgoingMessage, type Post, type SlackRetryPolicy } from './slack-sender';

/** Slack's retry schedule runs this many times faster here. */
const TIME_SCALE = 5;
const RETRY_DELAYS_SECONDS = SLACK_EVENTS_API.retryScheduleSeconds.map((seconds) => seconds / TIME_SCALE);
const POLICY: SlackRetryPolicy = { ackTimeoutMs: SLACK_EVENTS_API.ackTimeoutSeconds * 1000, retryDelaysMs: RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000) };
/** Messages per second: moderate, since every process of the cluster and this load share two cores. */
const RATE = 10;
const LOAD_SECONDS = 16;
const FAULT_AT_SECONDS = 5;
/** The webhook process is killed once it has answered this many of a burst of this many messages. */
const BURST_SIZE = 40;
const BURST_ANSWERED_BEFORE_KILL = 5;
/** How long the busy-database case holds execution_entity locked: past n8n's DB_POSTGRESDB_CONNECTION_TIMEOUT (20 s). */
const LOCK_SECONDS = 25;

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000_000);
const random = seededRandom(SEED);
/** The load balancer's choice for each attempt, from the seed. */
const pickOrigin = () => webhookOrigins[Math.floor(random() * webhookOrigins.length)];

const slack = new SlackWebhookServer();
slack.webhookPath = `/services/${E2E.webhookSecretPath}`;
const all: Array<FaultFigures & { details: Record<string, unknown> }> = [];
/** The workflow each kind of message starts (a filtered post starts none, but is sent to the posts' trigger). */
const WORKFLOW_OF_KIND: Record<MessageKind, string> = {
	post: CHAOS.posts.workflowId,
	filteredPost: CHAOS.posts.workflowId,
	slashCommand: CHAOS.slashCommands.workflowId,
	event: CHAOS.events.workflowId,
	slowPost: CHAOS.slowPosts.workflowId,
};

beforeAll(async () => {
	// The compression holds only while these stay in this order (see the comment at the top).
	expect(INCOMING_MESSAGE_LEASE_MS).toBeLessThan(POLICY.retryDelaysMs[1]);
	expect(IN_FLIGHT_WAIT_MS).toBeLessThan(POLICY.ackTimeoutMs);
	console.log(`chaos: seed ${SEED} (CHAOS_SEED=${SEED} replays the routing); Slack waits ${POLICY.ackTimeoutMs / 1000} s and retries after ${RETRY_DELAYS_SECONDS.join(', ')} s; ${RATE} messages/s`);
	await slack.start(slackPort);
});

afterAll(async () => {
	await slack.stop();
	if (all.length === 0) return;
	console.log(`chaos figures (seed ${SEED}):\n${figuresTable(all)}`);
	const webhookProcesses = Object.fromEntries(webhookOrigins.map((origin, index) => [origin, `webhook-${index + 1}`]));
	writeFileSync(figuresFile, JSON.stringify({ seed: SEED, policy: POLICY, rate: RATE, loadSeconds: LOAD_SECONDS, lockSeconds: LOCK_SECONDS, webhookProcesses, faults: all }, null, 2));
	console.log(`chaos figures written to ${figuresFile}`);
});

/** How many times the slow workflow's post reached Slack, per message ID. */
function slowPostsReceived(): Map<string, number> {
	const counts = new Map<string, number>();
	for (const { json } of slack.posted) for (const id of String(json?.text ?? '').match(MESSAGE_ID_PATTERN) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
	return counts;
}

interface FaultRun {
	figures: FaultFigures;
	deliveries: Delivery[];
	executions: RecordedExecution[];
}

/** What a fault can add to the load: a burst of messages whose first attempts all go to one webhook process. */
interface Load {
	/** Starts `count` more messages at once to `origin`; resolves once `answered` of them have their first answer. */
	burstTo(origin: string, count: number, answered: number): Promise<void>;
}

/**
 * Sends LOAD_SECONDS of the mixed load, plays `fault` FAULT_AT_SECONDS in (without pausing the
 * load), waits for Slack's last retries and for n8n to settle, then counts. Processes that exited
 * on their own are started again for the next case, and named in the figures.
 */
async function underLoad(name: string, fault: (load: Load) => Promise<void>, loadSeconds = LOAD_SECONDS): Promise<FaultRun> {
	const sending: Array<Promise<Delivery>> = [];
	const count = loadSeconds * RATE;
	const send = (n: number, firstOrigin?: string, onFirstAnswer?: () => void) => {
		let first = firstOrigin;
		const route = () => {
			const origin = first ?? pickOrigin();
			first = undefined;
			return origin;
		};
		const post: Post = async (url, request, timeoutMs) => {
			const outcome = await postWithDeadline(url, request, timeoutMs);
			onFirstAnswer?.();
			onFirstAnswer = undefined;
			return outcome;
		};
		const message = chaosMessage(messageId(name, n), kindOf(n), CHAOS);
		dedupeFieldOf.set(message.id, dedupeField(message));
		sending.push(deliverAsSlack(message, POLICY, route, post));
	};
	let bursts = 0;
	const load: Load = {
		burstTo: (origin, size, answered) =>
			new Promise((resolve) => {
				let answers = 0;
				// Numbered after the steady load's messages, so every message of the case has its own ID.
				const first = count + bursts;
				bursts += size;
				for (let n = first; n < first + size; n++) send(n, origin, () => ++answers === answered && resolve());
			}),
	};

	const lastExecutionBefore = await lastExecutionId();
	const begun = Date.now();
	let faultStartedAt = begun + FAULT_AT_SECONDS * 1000;
	const faultPlayed = sleep(FAULT_AT_SECONDS * 1000).then(async () => {
		faultStartedAt = Date.now();
		await fault(load);
	});
	// Its failure is reported once the case's messages are done, below.
	faultPlayed.catch(() => undefined);
	for (let n = 0; n < count; n++) {
		await sleep(Math.max(0, begun + (n * 1000) / RATE - Date.now()));
		send(n);
	}
	// Slack's last retries end before the case does, even when playing the fault failed: nothing of
	// this case is left sending into the next.
	const [played] = await Promise.allSettled([faultPlayed]);
	const deliveries = await Promise.all(sending);
	if (played.status === 'rejected') throw played.reason;
	const sent = new Set(deliveries.map(({ id }) => id));
	const recorded = await settledExecutions();
	const executions = recorded.filter(({ messageIds }) => messageIds.some((id) => sent.has(id)));
	// Executions of this case that carry no message ID (n8n recorded one without the trigger's item).
	const withoutMessage = recorded.filter(({ id, messageIds }) => messageIds.length === 0 && Number(id) > lastExecutionBefore);
	const figures = figuresOf({ name, startedAt: faultStartedAt }, deliveries, executions, slowPostsReceived(), { executions: withoutMessage, workflowOfKind: WORKFLOW_OF_KIND });

	const exited = (await runningProcesses()).filter(({ running }) => !running).map(({ name: process }) => process);
	for (const process of exited) await control(`start/${process}`);
	const details = {
		exitedOnTheirOwn: exited,
		faultStartedAfterMs: faultStartedAt - begun,
		executionsWithoutMessageId: withoutMessage.map(({ id, status, workflowId, error, lastNodeExecuted }) => ({ id, status, workflowId, error, lastNodeExecuted })),
		sentAgain: attemptsOfMessagesSentAgain(deliveries, executions, begun),
	};
	all.push({ ...figures, details });
	console.log(`${name}: ${JSON.stringify(figures)}${exited.length > 0 ? `; exited on their own: ${exited.join(', ')}` : ''}`);
	return { figures, deliveries, executions };
}

/**
 * For the figures' file: each message Slack sent more than once, its attempts (which process, when
 * from the case's start, how long, what came back) and its executions' statuses.
 */
function attemptsOfMessagesSentAgain(deliveries: Delivery[], executions: RecordedExecution[], begun: number) {
	const processOf = (origin: string) => `webhook-${webhookOrigins.indexOf(origin) + 1}`;
	return deliveries
		.filter(({ attempts }) => attempts.length > 1)
		.map(({ id, kind, attempts }) => ({
			id,
			kind,
			key: dedupeFieldOf.get(id),
			attempts: attempts.map(({ origin, sentAt, endedAt, status, failure, reset }) => ({
				to: processOf(origin),
				atS: (sentAt - begun) / 1000,
				tookS: (endedAt - sentAt) / 1000,
				outcome: status ?? failure,
				...(reset ? { reset } : {}),
			})),
			executions: executions.filter(({ messageIds }) => messageIds.includes(id)).map(({ id: executionId, status }) => `${executionId} ${status}`),
		}));
}

/** The field the duplicate filter keys a message on (its timestamp, trigger_id or event_id), to find its key in Redis. */
const dedupeFieldOf = new Map<string, string>();
function dedupeField(message: OutgoingMessage): string {
	const { body } = message.request(0, undefined);
	if (body.startsWith('{')) return `event_id=${String((JSON.parse(body) as Record<string, unknown>).event_id)}`;
	const fields = new URLSearchParams(body);
	return fields.has('trigger_id') ? `trigger_id=${fields.get('trigger_id')}` : `timestamp=${fields.get('timestamp')}`;
}

/**
 * Messages a webhook process may have held when it died: an attempt to it, sent before it died,
 * whose outcome Slack never learned (the connection broke after the request was sent, or Slack
 * stopped waiting while the process still worked on it).
 */
function heldByWhenItDied(deliveries: Delivery[], origin: string, diedAt: number): Set<string> {
	const unknownOutcome = (attempt: Delivery['attempts'][number]) =>
		attempt.origin === origin && attempt.sentAt <= diedAt && (attempt.reset === true || attempt.failure === 'http_timeout');
	return new Set(deliveries.filter(({ attempts }) => attempts.some(unknownOutcome)).map(({ id }) => id));
}

/** What the package answers for under any fault. */
function expectNothingLostOrStartedWithoutCause(figures: FaultFigures): void {
	expect(figures.lost).toEqual([]);
	expect(figures.slashCommands.lost).toEqual([]);
	expect(figures.duplicatedWithoutRetry).toEqual([]);
	expect(figures.filteredButStarted).toEqual([]);
}

describe('chaos in queue mode: Slack sends again what got no 2xx in 3 s', () => {
	it('calm: with no fault, every message starts exactly once and every execution finishes', async () => {
		const { figures } = await underLoad('calm', async () => undefined, 8);
		expectNothingLostOrStartedWithoutCause(figures);
		expect(figures.duplicated).toEqual([]);
		expect(figures.unfinished).toEqual([]);
	});

	it('a rolling deploy (SIGTERM to a webhook process holding a burst, then to a worker mid-execution, each started again): nothing lost; a duplicate only for a message the webhook process held; the worker finishes its executions', async () => {
		const stoppedOrigin = webhookOrigins[0];
		let stoppedAt = Infinity;
		const { figures, deliveries } = await underLoad('deploy', async (load) => {
			await load.burstTo(stoppedOrigin, BURST_SIZE, BURST_ANSWERED_BEFORE_KILL);
			await control('stop/webhook-1');
			stoppedAt = Date.now();
			await control('start/webhook-1');
			await control('stop/worker-1');
			await control('start/worker-1');
		});
		expectNothingLostOrStartedWithoutCause(figures);
		// n8n's graceful shutdown of a webhook process does not wait for the requests it holds: it
		// closes its database connections and exits, and their connections are reset. For Slack that
		// is a kill, and the package's part is the same as for one.
		expect(figures.duplicated.filter((id) => !heldByWhenItDied(deliveries, stoppedOrigin, stoppedAt).has(id))).toEqual([]);
		expect(figures.leftNew).toEqual([]);
		// A worker's does: it stops taking jobs and waits for its executions (within
		// N8N_GRACEFUL_SHUTDOWN_TIMEOUT), so none is left crashed or running.
		expect(figures.unfinished.filter(({ status }) => status !== 'new')).toEqual([]);
		expect(figures.slowPosts.notRunToTheEnd).toEqual([]);
	});

	it('a webhook process killed (SIGKILL) while it holds requests, and started again: nothing lost; a duplicate only for a message it held when it died', async () => {
		const killed = 'webhook-1';
		const killedOrigin = webhookOrigins[0];
		let killedAt = Infinity;
		const { figures, deliveries } = await underLoad('webhook', async (load) => {
			// A burst (a busy channel) to the process, killed once it has answered a few of them: the
			// rest are at every step between arriving and being answered.
			await load.burstTo(killedOrigin, BURST_SIZE, BURST_ANSWERED_BEFORE_KILL);
			await control(`kill/${killed}`);
			killedAt = Date.now();
			await control(`start/${killed}`);
		});
		expectNothingLostOrStartedWithoutCause(figures);
		// The kill did catch requests in flight: else this case would test nothing more than a refused connection.
		expect(figures.resetAttempts).toBeGreaterThan(0);
		// A request the killed process had taken, whose execution it may have created without
		// answering: Slack sends it again, and after the dead process's lease runs out it starts again.
		expect(figures.duplicated.filter((id) => !heldByWhenItDied(deliveries, killedOrigin, killedAt).has(id))).toEqual([]);
		// An execution the dead process recorded but never queued is not the message's only one:
		// the retry, no longer answered as a repeat, starts one that runs.
		expect(figures.leftNew).toEqual([]);
	});

	it('a worker killed (SIGKILL) mid-execution and started again: nothing lost or duplicated by the package; n8n does not finish what the worker held', async () => {
		const [killed, survivor] = ['worker-1', 'worker-2'];
		const { figures } = await underLoad('worker', async () => {
			await control(`kill/${killed}`);
			await control(`start/${killed}`);
		});
		expectNothingLostOrStartedWithoutCause(figures);
		expect(figures.duplicated).toEqual([]);
		// n8n's part, observed: the jobs the worker held are not run again (ScalingService sets
		// Bull's maxStalledCount to 0); the executions it had started are marked crashed by the worker
		// when it starts again (from its event log), and one it had taken but not started stays "new".
		// Only the killed worker's are left so: none the surviving worker started.
		expect(figures.unfinished.length).toBeGreaterThan(0);
		const startedBySurvivor = executionsStartedBy(survivor);
		expect(figures.unfinished.filter(({ executionId }) => startedBySurvivor.has(executionId))).toEqual([]);
		expect(figures.slowPosts.ranTwice).toEqual([]);
	});

	it(`a busy database (execution_entity locked for ${LOCK_SECONDS} s): Slack retries while the first request is in flight; nothing lost, nothing started twice`, async () => {
		const { figures } = await underLoad('slowdb', async () => {
			// EXCLUSIVE blocks the INSERT and UPDATE that create and save executions, and no read:
			// webhook lookups and n8n's database health ping go on, only executions are slow to start.
			const client = await connect();
			try {
				await client.query('BEGIN');
				await client.query('LOCK TABLE execution_entity IN EXCLUSIVE MODE');
				await sleep(LOCK_SECONDS * 1000);
				await client.query('COMMIT');
			} finally {
				await client.end();
			}
		});
		expectNothingLostOrStartedWithoutCause(figures);
		// Every process stays up: a live request's lease is renewed, so no retry starts a second execution.
		expect(figures.duplicated).toEqual([]);
	});

	it("Redis restarted (SIGKILL, nothing kept): the package's keys and n8n's queue are gone; nothing lost", async () => {
		const { figures } = await underLoad('redis', () => control('restart-redis').then(() => undefined));
		// Redis forgot which messages started: a message Slack sends again after the restart may start
		// again (only such messages, as the shared check says).
		expectNothingLostOrStartedWithoutCause(figures);
	});

	it('PostgreSQL restarted (immediate shutdown, then recovery): nothing lost', async () => {
		const { figures } = await underLoad('postgres', () => control('restart-postgres').then(() => undefined));
		expectNothingLostOrStartedWithoutCause(figures);
	});
});
