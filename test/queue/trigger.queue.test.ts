/**
 * The trigger in n8n's queue mode: requests reach either webhook process, executions run on the
 * workers, and the duplicate filter, kept in Redis, lets one execution start per Slack delivery
 * whichever process gets it.
 */
import E2E from '../harness/fixtures/secrets.json';
import { eventually, executionsOf, postForm, QUEUE, REUSED_WORKFLOWS, slackForm, webhookOrigins, workerThatRan } from './queue-env';

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
			const answers = await Promise.all(webhookOrigins.map((origin) => postForm(origin, '/webhook/queue-dedupe/slack', form)));
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
