export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

export interface KeyedJob<T> {
	/** Jobs with the same key share a queue (here: the same webhook URL). */
	key: string;
	run: () => Promise<T>;
}

/**
 * Runs jobs with up to `concurrencyPerKey` in flight per key, keys in parallel, each key's jobs
 * started in the order given. With `stopOnFailure`, a key whose job failed starts no further jobs:
 * their results stay `undefined` (not attempted), so nothing is posted out of order after a gap.
 */
export async function runPerKey<T>(
	jobs: ReadonlyArray<KeyedJob<T> | undefined>,
	concurrencyPerKey: number,
	stopOnFailure: boolean,
): Promise<Array<Settled<T> | undefined>> {
	const results: Array<Settled<T> | undefined> = new Array(jobs.length);
	const queues = new Map<string, number[]>();
	jobs.forEach((job, index) => {
		if (!job) return;
		const queue = queues.get(job.key) ?? [];
		queue.push(index);
		queues.set(job.key, queue);
	});

	const drainQueue = async (queue: number[], state: { failed: boolean }) => {
		for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
			if (stopOnFailure && state.failed) return;
			try {
				results[index] = { status: 'fulfilled', value: await jobs[index]!.run() };
			} catch (reason) {
				results[index] = { status: 'rejected', reason };
				state.failed = true;
			}
		}
	};

	const workers: Array<Promise<void>> = [];
	for (const queue of queues.values()) {
		const state = { failed: false };
		const lanes = Math.max(1, Math.min(concurrencyPerKey, queue.length));
		for (let lane = 0; lane < lanes; lane++) workers.push(drainQueue(queue, state));
	}
	await Promise.all(workers);
	return results;
}
