/**
 * The Slack Incoming Webhook node, run by n8n-core, through every fault of fault-plan.ts: 1,000
 * items, each ending delivered exactly once or reported failed with a clear error; nothing is
 * posted twice unless the user allowed it; nothing hangs. The suite's other files play the same
 * faults with Ordered Delivery and with Retry When the Message May Have Been Posted.
 */
import { FAILURE_CODES, faultServer, MAYBE_POSTED_FAULTS, planFaults, playPlan, postedCounts, POSTED_ANYWAY, runThroughFaults, seededRandom, SEED, FAULT_TEST_TIMEOUT_MS } from './fault-plan';

const server = faultServer();

describe(`1,000 items through scripted faults (seed ${SEED}: FAULT_SEED=${SEED} replays it)`, () => {
	it('ends every item delivered exactly once or reported failed, and posts nothing twice', async () => {
		const plan = planFaults(1_000, seededRandom(SEED));
		playPlan(server(), plan);
		const { output, error } = await runThroughFaults(server(), 1_000, { orderedDelivery: false, concurrency: 5 });
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1_000);

		const posted = postedCounts(server());
		const tally = { delivered: 0, failed: 0, resetOnArrival: 0 };
		output!.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			const text = `item-${index}`;
			const timesPosted = posted.get(text) ?? 0;
			const fault = plan.faults[index];
			if (item.json.ok === true) {
				tally.delivered++;
				expect(timesPosted).toBe(1);
				expect(fault === 'slackError' || MAYBE_POSTED_FAULTS.has(fault)).toBe(false);
				return;
			}
			tally.failed++;
			expect(item.json.ok).toBe(false);
			expect(item.json.error).toEqual(expect.stringContaining(`(item ${index})`));
			expect(typeof item.json.description).toBe('string');
			expect(FAILURE_CODES.has(String(item.json.code))).toBe(true);
			// A connection reset on arrival (before the server read the message) looks "maybe
			// posted" to the client whatever the item's planned fault: those are counted.
			const resetBeforeItsFault = () => tally.resetOnArrival++;
			if (item.json.code === 'MAY_HAVE_BEEN_POSTED') {
				expect(item.json.mayHaveBeenPosted).toBe(true);
				expect(timesPosted).toBeLessThanOrEqual(1);
				if (!MAYBE_POSTED_FAULTS.has(fault)) resetBeforeItsFault();
				else if (POSTED_ANYWAY.has(fault) && timesPosted === 0) resetBeforeItsFault();
				else expect(timesPosted).toBe(POSTED_ANYWAY.has(fault) ? 1 : 0);
			} else if (fault === 'slackError') {
				expect(item.json).toMatchObject({ code: 'SLACK_ERROR', slackError: 'invalid_payload', retryCanHelp: false });
				expect(timesPosted).toBe(0);
			} else {
				throw new Error(`item ${index} (${fault}) failed: ${String(item.json.error)}`);
			}
		});

		// Nothing posted twice, nothing posted that is not an item.
		for (const [text, times] of posted) {
			expect(text).toMatch(/^item-\d+$/);
			expect(times).toBe(1);
		}
		// Items not planned to fail failed only where their connection was one of those reset on arrival.
		expect(tally.resetOnArrival).toBeLessThanOrEqual(plan.resetsOnArrival.size);
		// The faults were met: storms answered 429, and the expected share of items failed.
		expect(server().received.filter((request) => request.json && server().posted.includes(request) === false).length).toBeGreaterThan(0);
		expect(tally.delivered).toBeGreaterThan(700);
		expect(tally.failed).toBeGreaterThan(50);
	}, FAULT_TEST_TIMEOUT_MS);
});
