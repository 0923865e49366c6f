/**
 * The fault suite (fault-plan.ts) with Ordered Delivery on: what is delivered is posted in item
 * order, through every fault.
 */
import { faultServer, planFaults, playPlan, runThroughFaults, seededRandom, SEED, FAULT_TEST_TIMEOUT_MS } from './fault-plan';

const server = faultServer();

describe(`300 items through scripted faults, in order (seed ${SEED}: FAULT_SEED=${SEED} replays it)`, () => {
	it('keeps the order of what it delivers when Ordered Delivery is on', async () => {
		const plan = planFaults(300, seededRandom(SEED + 1));
		playPlan(server(), plan);
		const { output } = await runThroughFaults(server(), 300, {});
		expect(output).toHaveLength(300);
		const deliveredInOrder = output!.flatMap((item, index) => (item.json.ok === true ? [`item-${index}`] : []));
		const postedOnce = server().posted.map((request) => String(request.json?.text)).filter((text) => deliveredInOrder.includes(text));
		expect(postedOnce).toEqual(deliveredInOrder);
	}, FAULT_TEST_TIMEOUT_MS);
});
