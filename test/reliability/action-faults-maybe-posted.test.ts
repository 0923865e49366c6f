/**
 * The fault suite (fault-plan.ts) with Retry When the Message May Have Been Posted on: every item
 * whose fault is transient is delivered, and the only duplicates are the ones the option predicts.
 */
import { faultServer, planFaults, playPlan, postedCounts, POSTED_ANYWAY, runThroughFaults, seededRandom, SEED, FAULT_TEST_TIMEOUT_MS } from './fault-plan';

const server = faultServer();

describe(`300 items through scripted faults, retried when they may have been posted (seed ${SEED}: FAULT_SEED=${SEED} replays it)`, () => {
	it('delivers every item whose fault is transient when "Retry When the Message May Have Been Posted" is on, at the price of duplicates it predicts', async () => {
		const plan = planFaults(300, seededRandom(SEED + 2));
		playPlan(server(), plan);
		const { output } = await runThroughFaults(server(), 300, { orderedDelivery: false, concurrency: 5, retryWhenMaybePosted: true });
		const posted = postedCounts(server());
		output!.forEach((item, index) => {
			const fault = plan.faults[index];
			const timesPosted = posted.get(`item-${index}`) ?? 0;
			if (fault === 'slackError') {
				expect(item.json).toMatchObject({ ok: false, code: 'SLACK_ERROR' });
				expect(timesPosted).toBe(0);
				return;
			}
			expect(item.json.ok).toBe(true);
			// Only a Slack that posted and then failed to say so gets the message twice.
			expect(timesPosted).toBe(POSTED_ANYWAY.has(fault) ? 2 : 1);
		});
	}, FAULT_TEST_TIMEOUT_MS);
});
