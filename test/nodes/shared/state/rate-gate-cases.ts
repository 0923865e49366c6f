/**
 * One table of cases for the rate gate's arithmetic, run against both versions: the TypeScript
 * reference (rate-gate.ts, the in-process gate) and its Lua twin inside a real redis-server.
 * Each case starts from a fresh gate; each step names its time, and what it must answer.
 */
import type { RateGateState } from '../../../../nodes/shared/state/rate-gate';
import type { RateGateOperation } from '../../../../nodes/shared/state/rate-gate.lua';

export interface RateGateStep {
	at: number;
	op: RateGateOperation;
	/** Max wait for `reserve` (none: no limit), Retry-After for `rateLimited`. */
	argument?: number;
	/** For `reserve`: how many unpaced sends may await their answer (none: no limit). */
	inFlight?: number;
	expect?: { delayMs?: number; reserved?: boolean; state?: Partial<RateGateState> };
}

export interface RateGateCase {
	name: string;
	steps: RateGateStep[];
}

/** The gate paces this much slower than the rate it measured (RATE_GATE.PACE_MARGIN, written out). */
const M = 1.02;
/** The pace learned from one delivery at 0 and a 1 s pause asked for at 5 ms. */
const FIRST = 1_005 * M;

const repeat = (count: number, step: RateGateStep): RateGateStep[] => Array.from({ length: count }, () => step);

export const RATE_GATE_CASES: RateGateCase[] = [
	{
		name: 'unpaced: lets sends out at once, as many awaiting their answer as the caller allows',
		steps: [
			...repeat(4, { at: 0, op: 'reserve', inFlight: 4, expect: { delayMs: 0, reserved: true } }),
			{ at: 0, op: 'reserve', inFlight: 4, expect: { delayMs: 20, reserved: false } },
			{ at: 5, op: 'delivered', expect: { state: { unanswered: 3, delivered: 1, intervalMs: 0 } } },
			{ at: 5, op: 'reserve', inFlight: 4, expect: { delayMs: 0, reserved: true } },
			{ at: 5, op: 'reserve', inFlight: 4, expect: { delayMs: 20, reserved: false } },
			...repeat(20, { at: 5, op: 'reserve', expect: { delayMs: 0, reserved: true } }),
		],
	},
	{
		name: 'a send that got no answer gives its starting place back',
		steps: [
			...repeat(4, { at: 0, op: 'reserve', inFlight: 4, expect: { reserved: true } }),
			{ at: 0, op: 'reserve', inFlight: 4, expect: { reserved: false } },
			{ at: 30, op: 'unanswered', expect: { state: { unanswered: 3 } } },
			{ at: 30, op: 'reserve', inFlight: 4, expect: { delayMs: 0, reserved: true } },
		],
	},
	{
		name: 'a 429 holds every sender for Retry-After, then paces a little slower than the rate Slack let through, pause included',
		steps: [
			...Array.from({ length: 10 }, (_, n): RateGateStep => ({ at: n * 10, op: 'delivered' })),
			{ at: 100, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_100, intervalMs: 110 * M, unanswered: 0 } } },
			{ at: 100, op: 'reserve', expect: { delayMs: 1_000, reserved: true } },
			{ at: 100, op: 'reserve', expect: { delayMs: 1_000 + 110 * M, reserved: true } },
			{ at: 500, op: 'hold', expect: { delayMs: 600 } },
			{ at: 1_100, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: 1_100 } } },
		],
	},
	{
		name: 'posts are spaced at the current pace, whatever the slots reserved before it changed',
		steps: [
			{ at: 0, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: 0 } } },
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: FIRST } } },
			// The pause is over, but the last post was less than one interval ago.
			{ at: 1_005, op: 'hold', expect: { delayMs: FIRST - 1_005 } },
			// Let through 5 ms late: the next is spaced from when this one was due.
			{ at: FIRST + 5, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: FIRST } } },
			{ at: 1_500, op: 'hold', expect: { delayMs: 2 * FIRST - 1_500, state: { lastPostAt: FIRST } } },
			// Let through long after it was due: spaced from now.
			{ at: 5_000, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: 5_000 } } },
		],
	},
	{
		name: 'a post later than the pace margin leaves counts from when it went out, so the next keeps the measured spacing',
		steps: [
			{ at: 0, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: 0 } } },
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: FIRST } } },
			// 30 ms late: more than the 20 ms of slack a 1.02 s pace leaves over a 1 s limit.
			{ at: FIRST + 30, op: 'hold', expect: { delayMs: 0, state: { lastPostAt: FIRST + 30 } } },
			{ at: 2 * FIRST, op: 'hold', expect: { delayMs: 30 } },
		],
	},
	{
		name: 'the 429s of messages already in flight count as one: one pause, one adjustment',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 10, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_010, intervalMs: 1_010 * M } } },
			{ at: 20, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_010, intervalMs: 1_010 * M } } },
			{ at: 20, op: 'reserve', expect: { delayMs: 990, reserved: true } },
			{ at: 20, op: 'reserve', expect: { delayMs: 990 + 1_010 * M, reserved: true } },
			// A clearly longer pause asked for meanwhile still counts.
			{ at: 30, op: 'rateLimited', argument: 5_000, expect: { state: { blockedUntil: 5_030, intervalMs: 1_010 * M } } },
		],
	},
	{
		name: 'a 429 before anything was accepted paces at one message per pause, as short as Retry-After says',
		steps: [
			{ at: 0, op: 'rateLimited', argument: 200, expect: { state: { blockedUntil: 200, intervalMs: 200 * M } } },
			{ at: 0, op: 'reserve', expect: { delayMs: 200, reserved: true } },
			{ at: 0, op: 'reserve', expect: { delayMs: 200 + 200 * M, reserved: true } },
		],
	},
	{
		name: 'a 429 before anything was accepted, with a pause of 0, still paces: at most ten messages a second',
		steps: [{ at: 0, op: 'rateLimited', argument: 0, expect: { state: { blockedUntil: 0, intervalMs: 100 * M } } }],
	},
	{
		name: 'a storm of 429s in a row, each refusing the first send after the pause, lengthens the pause and leaves the pace and its ceiling alone',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: FIRST, ceilingIntervalMs: 0 } } },
			{ at: 1_010, op: 'rateLimited', argument: 300, expect: { state: { blockedUntil: 1_310, intervalMs: FIRST, ceilingIntervalMs: 0, nextSlotAt: 1_310, paceSince: 1_310 + FIRST } } },
			{ at: 1_315, op: 'rateLimited', argument: 300, expect: { state: { blockedUntil: 1_615, intervalMs: FIRST, ceilingIntervalMs: 0 } } },
			{ at: 1_615, op: 'reserve', expect: { delayMs: 0, reserved: true } },
			{ at: 1_615, op: 'reserve', expect: { delayMs: FIRST, reserved: true } },
		],
	},
	{
		name: 'a slot further away than the max wait is not reserved, and pushes nobody back',
		steps: [
			{ at: 0, op: 'rateLimited', argument: 3_600_000, expect: { state: { blockedUntil: 3_600_000 } } },
			{ at: 0, op: 'reserve', argument: 120_000, expect: { delayMs: 3_600_000, reserved: false, state: { nextSlotAt: 3_600_000 } } },
			{ at: 0, op: 'reserve', argument: 4_000_000, expect: { delayMs: 3_600_000, reserved: true } },
		],
	},
	{
		name: 'a pause learned after a reservation holds the reserved sender too',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000 },
			{ at: 5, op: 'reserve', expect: { delayMs: 1_000, reserved: true } },
			{ at: 800, op: 'rateLimited', argument: 2_000 },
			{ at: 1_005, op: 'hold', expect: { delayMs: 1_795 } },
		],
	},
	{
		name: 'speeds up by a tenth a second while Slack accepts everything; a 429 sends it back to the last accepted pace, never again to one that drew a 429',
		steps: [
			{ at: 0, op: 'delivered' },
			// The new pace first spaces two sends one slot after the pause.
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: FIRST, paceSince: 1_005 + FIRST } } },
			{ at: 2_010, op: 'delivered', expect: { state: { intervalMs: FIRST } } },
			{ at: 3_100, op: 'delivered', expect: { state: { intervalMs: FIRST / 1.1, goodIntervalMs: FIRST, paceSince: 3_100 + FIRST / 1.1 } } },
			{ at: 3_500, op: 'rateLimited', argument: 1_000, expect: { state: { ceilingIntervalMs: FIRST / 1.1, intervalMs: FIRST, blockedUntil: 4_500, paceSince: 4_500 + FIRST } } },
			// Halfway to the pace that drew the 429.
			{ at: 6_600, op: 'delivered', expect: { state: { intervalMs: (FIRST + FIRST / 1.1) / 2 } } },
			{ at: 7_000, op: 'rateLimited', argument: 1_000, expect: { state: { ceilingIntervalMs: (FIRST + FIRST / 1.1) / 2, intervalMs: FIRST, paceSince: 8_000 + FIRST } } },
			// Within 5% of the ceiling: no more tries.
			{ at: 10_100, op: 'delivered', expect: { state: { intervalMs: FIRST } } },
			{ at: 60_000, op: 'delivered', expect: { state: { intervalMs: FIRST } } },
		],
	},
	{
		name: 'a speed-up waits for slots reserved before it: the new pace must have spaced sends for a second',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000 },
			...repeat(5, { at: 5, op: 'reserve' }),
			{ at: 3_100, op: 'delivered', expect: { state: { intervalMs: FIRST / 1.1, nextSlotAt: 1_005 + 5 * FIRST, paceSince: 1_005 + 5 * FIRST + FIRST / 1.1 } } },
			{ at: 5_000, op: 'delivered', expect: { state: { intervalMs: FIRST / 1.1 } } },
			{ at: 1_005 + 5 * FIRST + FIRST / 1.1 + 1_000, op: 'delivered', expect: { state: { intervalMs: FIRST / 1.1 / 1.1 } } },
		],
	},
	{
		name: 'a 429 at a pace Slack had accepted slows down by 15% and forgets that pace',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: FIRST } } },
			{ at: 1_010, op: 'delivered' },
			// Slack let one through from 1,005 to 2,100: a pace of 1,095 ms, faster than 15% slower.
			{ at: 2_000, op: 'rateLimited', argument: 100, expect: { state: { ceilingIntervalMs: FIRST, intervalMs: FIRST / 0.85, goodIntervalMs: 0, blockedUntil: 2_100 } } },
		],
	},
	{
		name: 'a limit far below the learned pace is reached with one 429: the pace slows to what Slack let through since the last pause, pause included',
		steps: [
			...Array.from({ length: 10 }, (_, n): RateGateStep => ({ at: n * 10, op: 'delivered' })),
			{ at: 100, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: 110 * M, measuringSince: 1_100 } } },
			{ at: 1_100, op: 'delivered' },
			// One message from 1,100 until the pause ends at 2,212: 15% slower (132 ms) would draw a 429 per step.
			{ at: 1_212, op: 'rateLimited', argument: 1_000, expect: { state: { ceilingIntervalMs: 110 * M, intervalMs: 1_112 * M, goodIntervalMs: 0, blockedUntil: 2_212 } } },
		],
	},
	{
		name: 'the measured stretch keeps its rate, over half a window, once it grows past the window',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5_000, op: 'delivered' },
			{ at: 12_000, op: 'delivered', expect: { state: { measuringSince: 7_000, delivered: 2 * (5_000 / 12_000) + 1 } } },
			{ at: 12_000, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: (6_000 / (2 * (5_000 / 12_000) + 1)) * M } } },
		],
	},
];
