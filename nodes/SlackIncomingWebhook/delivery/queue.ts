export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

export interface KeyedJob<T> {
	/** Jobs with the same key share a queue (here: the same webhook URL). */
	key: string;
	run: () => Promise<T>;
	/**
	 * Runs with no other job of its key in flight: the jobs before it finish first, the jobs after
	 * it wait. For a job that sends several requests that must not be interleaved with others.
	 */
	exclusive?: boolean;
}

/**
 * Runs jobs with up to `concurrencyPerKey` in flight per key, keys in parallel, each key's jobs
 * started in the order given (an exclusive job runs alone). With `stopOnFailure`, a key whose job failed starts no further jobs:
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

	const drainKey = async (queue: number[]) => {
		const state = { failed: false };
		for (const segment of segmentsAroundExclusive(queue, (index) => jobs[index]!.exclusive === true)) {
			const lanes = Math.max(1, Math.min(concurrencyPerKey, segment.length));
			await Promise.all(Array.from({ length: lanes }, () => drainQueue(segment, state)));
		}
	};

	await Promise.all([...queues.values()].map(drainKey));
	return results;
}

/** Cuts a key's queue into runs that may share lanes, each exclusive job a run of its own. */
function segmentsAroundExclusive(queue: number[], isExclusive: (index: number) => boolean): number[][] {
	const segments: number[][] = [];
	for (const index of queue) {
		const last = segments[segments.length - 1];
		if (isExclusive(index) || !last || isExclusive(last[0])) segments.push([index]);
		else last.push(index);
	}
	return segments;
}
