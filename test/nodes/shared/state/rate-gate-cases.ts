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
		name: 'a 429 holds every sender for Retry-After, then paces at the rate Slack let through, pause included',
		steps: [
			...Array.from({ length: 10 }, (_, n): RateGateStep => ({ at: n * 10, op: 'delivered' })),
			{ at: 100, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_100, intervalMs: 110, unanswered: 0 } } },
			{ at: 100, op: 'reserve', expect: { delayMs: 1_000, reserved: true } },
			{ at: 100, op: 'reserve', expect: { delayMs: 1_110, reserved: true } },
			{ at: 500, op: 'hold', expect: { delayMs: 600 } },
			{ at: 1_100, op: 'hold', expect: { delayMs: 0 } },
		],
	},
	{
		name: 'the 429s of messages already in flight count as one: one pause, one adjustment',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 10, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_010, intervalMs: 1_010 } } },
			{ at: 20, op: 'rateLimited', argument: 1_000, expect: { state: { blockedUntil: 1_020, intervalMs: 1_010 } } },
			{ at: 20, op: 'reserve', expect: { delayMs: 1_000, reserved: true } },
			{ at: 20, op: 'reserve', expect: { delayMs: 2_010, reserved: true } },
		],
	},
	{
		name: 'a 429 before anything was accepted paces at one message per pause, Slack\'s documented rate at the most',
		steps: [
			{ at: 0, op: 'rateLimited', argument: 500, expect: { state: { blockedUntil: 500, intervalMs: 1_000 } } },
			{ at: 0, op: 'reserve', expect: { delayMs: 500, reserved: true } },
			{ at: 0, op: 'reserve', expect: { delayMs: 1_500, reserved: true } },
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
		name: 'speeds up by a tenth a second while Slack accepts everything, but never again to a pace that drew a 429',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: 1_005, lastSpedUpAt: 1_005 } } },
			{ at: 1_005, op: 'delivered', expect: { state: { intervalMs: 1_005 } } },
			{ at: 2_010, op: 'delivered', expect: { state: { intervalMs: 1_005 / 1.1 } } },
			{ at: 2_500, op: 'rateLimited', argument: 1_000, expect: { state: { ceilingIntervalMs: 1_005 / 1.1, intervalMs: 1_005 / 1.1 / 0.85, blockedUntil: 3_500 } } },
			{ at: 4_500, op: 'delivered', expect: { state: { intervalMs: 1_005 / 1.1 / 0.85 / 1.1 } } },
			{ at: 5_500, op: 'delivered', expect: { state: { intervalMs: (1_005 / 1.1) * 1.03 } } },
			{ at: 6_500, op: 'delivered', expect: { state: { intervalMs: (1_005 / 1.1) * 1.03 } } },
			{ at: 60_000, op: 'delivered', expect: { state: { intervalMs: (1_005 / 1.1) * 1.03 } } },
		],
	},
	{
		name: 'the measured stretch keeps its rate, over half a window, once it grows past the window',
		steps: [
			{ at: 0, op: 'delivered' },
			{ at: 5_000, op: 'delivered' },
			{ at: 12_000, op: 'delivered', expect: { state: { measuringSince: 7_000, delivered: 2 * (5_000 / 12_000) + 1 } } },
			{ at: 12_000, op: 'rateLimited', argument: 1_000, expect: { state: { intervalMs: 6_000 / (2 * (5_000 / 12_000) + 1) } } },
		],
	},
];
