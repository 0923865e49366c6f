/**
 * The trigger in n8n's queue mode: requests reach either webhook process, executions run on the
 * workers, and the duplicate filter, kept in Redis, lets one execution start per Slack delivery
 * whichever process gets it. At type version 3 the same holds for a Slack app's events (keyed on
 * their event_id); its button clicks and signatures are checked through both processes too.
 */
import E2E from '../harness/fixtures/secrets.json';
import { blockActions, eventCallback, messageEvent, nextEventId, signedInteraction, signedJson } from '../helpers/slack-app-fixtures';
import { eventually, executionsOf, nodeOutput, postForm, postSigned, QUEUE, REUSED_WORKFLOWS, sendAsSlackDoes, slackForm, slackPort, webhookOrigins, workerThatRan } from './queue-env';

/** Waits for `count` executions after `before` to be recorded and finished; returns their IDs. */
async function finishedExecutions(workflowId: string, before: number, count: number): Promise<string[]> {
	return await eventually(async () => {
		const executions = (await executionsOf(workflowId)).slice(before);
		return executions.length >= count && executions.every(({ status }) => status === 'success') ? executions.map(({ id }) => id) : undefined;
	}, `${count} finished executions of ${workflowId}`);
}

/** Nothing more is recorded: n8n records an execution before it answers, so a short wait is plenty. */
async function settledCount(workflowId: string): Promise<number> {
	await new Promise((resolve) => setTimeout(resolve, 3_000));
	return (await executionsOf(workflowId)).length;
}

describe.each(webhookOrigins.map((origin, index) => [`webhook process ${index + 1}`, origin]))('(a) through %s', (_name, origin) => {
	const cases = [
		{ name: 'an immediate reply', workflowId: REUSED_WORKFLOWS.immediate, path: 'e2e-immediate', text: 'googlebot: which swallow?', reply: { text: 'African or European?' } },
		{ name: "the last node's reply", workflowId: REUSED_WORKFLOWS.lastNode, path: 'e2e-last-node', text: 'deploy web now', reply: { text: 'Deploying web', username: 'deploy-bot' } },
		{ name: "a Respond to Webhook node's reply", workflowId: REUSED_WORKFLOWS.respondNode, path: 'e2e-respond-node', text: 'status please', reply: { text: 'All systems go for Steve' } },
	];

	it.each(cases)('answers Slack with $name, and a worker runs the execution', async ({ workflowId, path, text, reply }) => {
		const before = (await executionsOf(workflowId)).length;
		const answer = await postForm(origin, `/webhook/${path}/slack`, slackForm(E2E.token, { text }));
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body)).toEqual(reply);
		const [id] = await finishedExecutions(workflowId, before, 1);
		expect(workerThatRan(id)).toEqual(expect.any(Number));
	});
});

describe('(b) the duplicate filter in Redis', () => {
	it('starts exactly one execution for a delivery posted to both webhook processes at once', async () => {
		const deliveries = 10;
		const before = (await executionsOf(QUEUE.dedupeWorkflow)).length;
		for (let n = 0; n < deliveries; n++) {
			const form = slackForm(E2E.token, { text: `dup ${n}` });
			const answers = await Promise.all(webhookOrigins.map((origin) => sendAsSlackDoes(() => postForm(origin, '/webhook/queue-dedupe/slack', form))));
			// The process that claimed the delivery replies; the other answers the repeat with an empty 200.
			expect(answers.map(({ status, body }) => `${status} ${body}`).sort()).toEqual(['200 ', '200 {"text":"ok"}']);
		}
		await finishedExecutions(QUEUE.dedupeWorkflow, before, deliveries);
		expect((await settledCount(QUEUE.dedupeWorkflow)) - before).toBe(deliveries);
	});

	it('without the setting each process keeps its own filter: the same delivery starts one execution per process', async () => {
		const before = (await executionsOf(REUSED_WORKFLOWS.immediate)).length;
		const form = slackForm(E2E.token, { text: 'googlebot: twice?' });
		const answers = await Promise.all(webhookOrigins.map((origin) => postForm(origin, '/webhook/e2e-immediate/slack', form)));
		expect(answers.map(({ status }) => status)).toEqual(webhookOrigins.map(() => 200));
		await finishedExecutions(REUSED_WORKFLOWS.immediate, before, webhookOrigins.length);
		expect((await settledCount(REUSED_WORKFLOWS.immediate)) - before).toBe(webhookOrigins.length);
	});
});

/** The Slack-app triggers' webhook paths (test/harness/fixtures/queue.mjs, and e2e.mjs's SLACK_APP for the one without Redis). */
const SLACK_APP_PATHS = {
	events: '/webhook/queue-app-events/slack',
	eventsWithoutRedis: '/webhook/e2e-slack-app-events/slack',
	buttons: '/webhook/queue-app-buttons/slack',
};
const TRIGGER_NODE = 'Slack Outgoing Webhook Trigger';
/** What Slack adds when it sends an event again because the first answer took more than 3 s. */
const SLACK_RETRY_HEADERS = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
const EMPTY_200 = '200 ';
/** An event's answers from every process, first delivery and retry: all empty 200s, since Slack reads nothing in them. */
const EMPTY_200_FROM_EACH_TWICE = webhookOrigins.flatMap(() => [EMPTY_200, EMPTY_200]);

/** An event_id no earlier run against the same Redis has used. */
const runTag = Date.now().toString(36);
const newEventId = () => `${nextEventId()}${runTag}`;

type Answer = { status: number; body: string };
const described = (answers: Answer[]) => answers.map(({ status, body }) => `${status} ${body}`);
const signedEvent = (envelope: Record<string, unknown>, secret = E2E.signingSecret) => signedJson(envelope, secret);
const signedClick = (payload: Record<string, unknown>, secret = E2E.signingSecret) => signedInteraction(payload, secret);

/** Posts an event to every webhook process at once, then Slack's retry of it (signed anew, as Slack does) to each; the answers, in that order. */
async function deliverWithRetries(path: string, envelope: Record<string, unknown>): Promise<string[]> {
	const first = await Promise.all(webhookOrigins.map((origin) => sendAsSlackDoes(() => postSigned(origin, path, signedEvent(envelope)))));
	const retries = await Promise.all(webhookOrigins.map((origin) => sendAsSlackDoes(() => postSigned(origin, path, signedEvent(envelope), SLACK_RETRY_HEADERS))));
	return described([...first, ...retries]);
}

/** The trigger's item in each of the executions. */
async function triggerItems(executionIds: string[]): Promise<Array<Record<string, unknown>>> {
	return (await Promise.all(executionIds.map((id) => nodeOutput(id, TRIGGER_NODE)))).flat();
}

describe("(b) the duplicate filter in Redis, for a Slack app's events (trigger type version 3)", () => {
	it('starts exactly one execution per event_id for an event and its retries, each posted to both webhook processes at once', async () => {
		const events = 10;
		const before = (await executionsOf(QUEUE.slackAppEventsWorkflow)).length;
		const eventIds: unknown[] = [];
		for (let n = 0; n < events; n++) {
			const envelope = eventCallback(messageEvent({ text: `deploy web ${n}` }), { event_id: newEventId() });
			eventIds.push(envelope.event_id);
			// The process that started it and the repeats alike answer an empty 200.
			expect(await deliverWithRetries(SLACK_APP_PATHS.events, envelope)).toEqual(EMPTY_200_FROM_EACH_TWICE);
		}
		const executionIds = await finishedExecutions(QUEUE.slackAppEventsWorkflow, before, events);
		expect((await settledCount(QUEUE.slackAppEventsWorkflow)) - before).toBe(events);
		const items = await triggerItems(executionIds);
		expect(items.map(({ event_id }) => event_id).sort()).toEqual([...eventIds].sort());
		// Each execution came from a first delivery: no retry got through.
		expect(items.map(({ retry_num }) => retry_num)).toEqual(eventIds.map(() => 0));
	});

	it('without the setting each process keeps its own filter: an event and its retries start one execution per process', async () => {
		const workflowId = REUSED_WORKFLOWS.slackAppEvents;
		const before = (await executionsOf(workflowId)).length;
		const envelope = eventCallback(messageEvent({ text: 'deploy web twice?' }), { event_id: newEventId() });
		expect(await deliverWithRetries(SLACK_APP_PATHS.eventsWithoutRedis, envelope)).toEqual(EMPTY_200_FROM_EACH_TWICE);
		const executionIds = await finishedExecutions(workflowId, before, webhookOrigins.length);
		expect((await settledCount(workflowId)) - before).toBe(webhookOrigins.length);
		expect((await triggerItems(executionIds)).map(({ event_id }) => event_id)).toEqual(webhookOrigins.map(() => envelope.event_id));
	});
});

describe.each(webhookOrigins.map((origin, index) => [`webhook process ${index + 1}`, origin, index]))("(g) a Slack app's button click through %s", (_name, origin, index) => {
	it('answers an empty 200, and a worker runs one execution whose output carries the action, its value and the response URL', async () => {
		const before = (await executionsOf(QUEUE.slackAppButtonsWorkflow)).length;
		// Made up: the workflow posts nothing, so nothing needs to answer at this URL.
		const responseUrl = `http://127.0.0.1:${slackPort}/actions/T0001/${Date.now()}/queue-click-${index}`;
		const click = blockActions({ response_url: responseUrl });
		const [button] = click.actions as Array<Record<string, unknown>>;
		click.actions = [{ ...button, action_id: 'reject', value: `expenses-${index}` }];
		expect(await postSigned(origin, SLACK_APP_PATHS.buttons, signedClick(click))).toEqual({ status: 200, body: '' });
		const [executionId] = await finishedExecutions(QUEUE.slackAppButtonsWorkflow, before, 1);
		expect(workerThatRan(executionId)).toEqual(expect.any(Number));
		expect((await settledCount(QUEUE.slackAppButtonsWorkflow)) - before).toBe(1);
		expect(await nodeOutput(executionId, TRIGGER_NODE)).toEqual([
			expect.objectContaining({
				source: 'slack_interactivity',
				type: 'block_actions',
				action_id: 'reject',
				value: `expenses-${index}`,
				response_url: responseUrl,
				trigger_id: click.trigger_id,
			}),
		]);
	});
});

describe("(g) a Slack app's requests through both webhook processes", () => {
	it('a filtered event (another channel, or no trigger word) gets an empty 200 and starts nothing; a matching one starts one', async () => {
		const before = (await executionsOf(QUEUE.slackAppEventsWorkflow)).length;
		for (const origin of webhookOrigins) {
			const otherChannel = eventCallback(messageEvent({ channel: 'C0000000009' }), { event_id: newEventId() });
			const noTriggerWord = eventCallback(messageEvent({ text: 'nothing to see here' }), { event_id: newEventId() });
			const answers = await Promise.all([otherChannel, noTriggerWord].map((envelope) => postSigned(origin, SLACK_APP_PATHS.events, signedEvent(envelope))));
			expect(described(answers)).toEqual([EMPTY_200, EMPTY_200]);
		}
		expect((await settledCount(QUEUE.slackAppEventsWorkflow)) - before).toBe(0);
		// The same trigger does start for a matching event: the filters, not the setup, started nothing above.
		const matching = eventCallback(messageEvent(), { event_id: newEventId() });
		expect(await postSigned(webhookOrigins[0], SLACK_APP_PATHS.events, signedEvent(matching))).toEqual({ status: 200, body: '' });
		const executionIds = await finishedExecutions(QUEUE.slackAppEventsWorkflow, before, 1);
		expect((await settledCount(QUEUE.slackAppEventsWorkflow)) - before).toBe(1);
		expect((await triggerItems(executionIds)).map(({ event_id }) => event_id)).toEqual([matching.event_id]);
	});

	it('an event or a click with a bad signature gets 401 and starts nothing, on either process; signed with the secret, the same start one each', async () => {
		const workflows = [QUEUE.slackAppEventsWorkflow, QUEUE.slackAppButtonsWorkflow];
		const counts = async () => Promise.all(workflows.map(async (id) => (await executionsOf(id)).length));
		const before = await counts();
		const event = eventCallback(messageEvent(), { event_id: newEventId() });
		const click = blockActions({ response_url: `http://127.0.0.1:${slackPort}/actions/T0001/${Date.now()}/queue-bad-signature` });
		for (const origin of webhookOrigins) {
			const tampered = signedEvent(event);
			const answers = await Promise.all([
				postSigned(origin, SLACK_APP_PATHS.events, signedEvent(event, 'not-the-signing-secret')),
				postSigned(origin, SLACK_APP_PATHS.events, { ...tampered, body: tampered.body.replace('deploy web now', 'deploy prod now') }),
				postSigned(origin, SLACK_APP_PATHS.buttons, signedClick(click, 'not-the-signing-secret')),
			]);
			expect(answers.map(({ status }) => status)).toEqual([401, 401, 401]);
		}
		await settledCount(QUEUE.slackAppEventsWorkflow);
		expect(await counts()).toEqual(before);
		// The signature alone was refused: the same requests signed with the app's secret start one execution each
		// (and a refused event was not recorded by the duplicate filter, so its event_id still gets through).
		const [origin] = webhookOrigins.slice(-1);
		expect(await postSigned(origin, SLACK_APP_PATHS.events, signedEvent(event))).toEqual({ status: 200, body: '' });
		expect(await postSigned(origin, SLACK_APP_PATHS.buttons, signedClick(click))).toEqual({ status: 200, body: '' });
		await finishedExecutions(QUEUE.slackAppEventsWorkflow, before[0], 1);
		await finishedExecutions(QUEUE.slackAppButtonsWorkflow, before[1], 1);
		await settledCount(QUEUE.slackAppEventsWorkflow);
		expect(await counts()).toEqual(before.map((count) => count + 1));
	});

	it('has no duplicate key for a click: the same click posted to both processes at once starts one execution per process', async () => {
		// The trigger keys events on their event_id (incomingEventKey) and clicks on nothing: Slack's
		// retry headers and schedule are documented for the Events API. A copy of a click starts its own
		// execution, whichever process gets it; this case says so until clicks get a key.
		const before = (await executionsOf(QUEUE.slackAppButtonsWorkflow)).length;
		const click = blockActions({ response_url: `http://127.0.0.1:${slackPort}/actions/T0001/${Date.now()}/queue-click-twice` });
		const answers = await Promise.all(webhookOrigins.map((origin) => postSigned(origin, SLACK_APP_PATHS.buttons, signedClick(click))));
		expect(described(answers)).toEqual(webhookOrigins.map(() => EMPTY_200));
		const executionIds = await finishedExecutions(QUEUE.slackAppButtonsWorkflow, before, webhookOrigins.length);
		expect((await settledCount(QUEUE.slackAppButtonsWorkflow)) - before).toBe(webhookOrigins.length);
		expect((await triggerItems(executionIds)).map(({ trigger_id }) => trigger_id)).toEqual(webhookOrigins.map(() => click.trigger_id));
	});
});
