import { runPerKey } from '../../../../nodes/SlackIncomingWebhook/delivery/queue';

describe('runPerKey', () => {
	const deferred = () => {
		let resolve!: () => void;
		const promise = new Promise<void>((r) => (resolve = r));
		return { promise, resolve };
	};

	it('runs one job at a time per key, in order, keys in parallel', async () => {
		const log: string[] = [];
		let inFlight = 0;
		let maxInFlight = 0;
		const job = (key: string, n: number) => ({
			key,
			run: async () => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				log.push(`${key}${n}`);
				await new Promise((resolve) => setTimeout(resolve, 5));
				inFlight--;
				return n;
			},
		});
		const results = await runPerKey([job('a', 0), job('b', 0), job('a', 1), job('b', 1), job('a', 2)], 1, true);
		expect(results.map((r) => r?.status === 'fulfilled' && r.value)).toEqual([0, 0, 1, 1, 2]);
		expect(log.filter((entry) => entry.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
		expect(maxInFlight).toBe(2);
	});

	it('keeps up to N in flight per key', async () => {
		const gates = [deferred(), deferred(), deferred()];
		let started = 0;
		const running = runPerKey(
			gates.map((gate) => ({ key: 'a', run: async () => { started++; await gate.promise; } })),
			2,
			false,
		);
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(started).toBe(2);
		gates.forEach((gate) => gate.resolve());
		await running;
		expect(started).toBe(3);
	});

	it('runs an exclusive job alone on its key: the jobs before it finish first, the jobs after it wait', async () => {
		const events: string[] = [];
		const job = (name: string, exclusive = false) => ({
			key: 'a',
			exclusive,
			run: async () => {
				events.push(`start ${name}`);
				// Hand control around so that any job allowed to run alongside would start now.
				for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
				events.push(`end ${name}`);
			},
		});
		await runPerKey([job('1'), job('2'), job('X', true), job('3'), job('4')], 4, false);
		const at = (event: string) => events.indexOf(event);
		expect(at('start X')).toBeGreaterThan(Math.max(at('end 1'), at('end 2')));
		expect(at('end X')).toBe(at('start X') + 1);
		expect(Math.min(at('start 3'), at('start 4'))).toBeGreaterThan(at('end X'));
		// The others still share lanes: 1 and 2 both start before either ends.
		expect(at('start 2')).toBeLessThan(at('end 1'));
	});

	it('starts nothing after a failure on that key when asked to stop, and says so with undefined', async () => {
		const results = await runPerKey(
			[
				{ key: 'a', run: async () => 1 },
				{ key: 'a', run: async () => { throw new Error('boom'); } },
				{ key: 'a', run: async () => 3 },
				{ key: 'b', run: async () => 4 },
			],
			1,
			true,
		);
		expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
		expect(results[1]?.status).toBe('rejected');
		expect(results[2]).toBeUndefined();
		expect(results[3]).toEqual({ status: 'fulfilled', value: 4 });
	});
});
