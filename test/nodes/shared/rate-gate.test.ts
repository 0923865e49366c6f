import { RateGate } from '../../../nodes/shared/rate-gate';

describe('RateGate', () => {
	it('does not pace until Slack first answers 429', () => {
		const gate = new RateGate();
		for (let t = 0; t < 100; t++) {
			expect(gate.reserve(t)).toBe(0);
			gate.recordDelivered(t);
		}
		expect(gate.pacedRatePerSecond).toBeUndefined();
	});

	it('blocks every sender until Retry-After has passed', () => {
		const gate = new RateGate();
		gate.recordRateLimited(1_000, 2_000);
		expect(gate.reserve(1_000)).toBe(2_000);
		expect(gate.delayAt(2_500)).toBeGreaterThanOrEqual(500);
	});

	it('learns the rate Slack let through, pause included, and spaces sends by it', () => {
		const gate = new RateGate();
		// 10 messages pass in the first 100 ms, then Slack asks for a 1 s pause.
		for (let t = 0; t < 100; t += 10) gate.recordDelivered(t);
		gate.recordRateLimited(100, 1_000);
		expect(gate.pacedRatePerSecond).toBeCloseTo(10 / 1.1, 5);
		const first = gate.reserve(100);
		const second = gate.reserve(100);
		expect(first).toBe(1_000);
		expect(second - first).toBeCloseTo(110, 5);
	});

	it('speeds up slowly while Slack accepts everything', () => {
		const gate = new RateGate();
		gate.recordDelivered(0);
		gate.recordRateLimited(0, 1_000);
		const before = gate.pacedRatePerSecond!;
		for (let t = 1_000; t <= 10_000; t += 100) gate.recordDelivered(t);
		expect(gate.pacedRatePerSecond!).toBeGreaterThan(before * 1.5);
	});
});
