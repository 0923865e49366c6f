/**
 * Time in tests. Node's timers and Date.now() are each rounded to the millisecond, so a timer of
 * 200 ms can be seen to fire after 199; a busy machine only makes waits longer. A lower bound on
 * a real wait subtracts CLOCK_SLACK_MS from the wait and nothing more; an upper bound on a real
 * wait is either gone or generous enough that a machine busy with other work cannot reach it.
 */

/** What millisecond rounding can take off a measured wait (a few roundings, never a skipped wait). */
export const CLOCK_SLACK_MS = 5;

/**
 * A clock that moves only when the code under test sleeps on it: a wait is measured exactly, as
 * the time the code asked for, and takes no real time. `slept` lists each wait in order.
 */
export function virtualClock(start = 0) {
	let now = start;
	const slept: number[] = [];
	return {
		slept,
		now: () => now,
		sleep: async (ms: number) => {
			slept.push(ms);
			now += ms;
		},
		random: () => 0.5,
	};
}
