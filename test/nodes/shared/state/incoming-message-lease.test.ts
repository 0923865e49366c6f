/**
 * The lease an incoming message is held on while n8n creates its execution: a request that finds
 * another's lease waits for its outcome (started, released, or ended because its process died), and
 * a held lease is renewed until it is settled, with nothing left behind after.
 */
import { LocalIncomingMessageClaims, RecentIncomingMessages } from '../../../../nodes/shared/state/incoming-message-claims';
import { claimIncomingMessageKey, IN_FLIGHT_WAIT_MS } from '../../../../nodes/shared/state/incoming-message-lease';

const KEY = 'event|T1|Ev1';
const WINDOW_MS = 300_000;

/** A clock the waiting request's sleeps advance, and what the other request does at a given time. */
function scripted(at: Array<[ms: number, step: (claims: LocalIncomingMessageClaims) => void]>) {
	let clock = 0;
	const recent = new RecentIncomingMessages();
	const claims = new LocalIncomingMessageClaims(recent, () => clock);
	const pending = [...at];
	return {
		claims,
		now: () => clock,
		sleep: async (ms: number) => {
			clock += Math.max(ms, 1);
			while (pending.length > 0 && pending[0][0] <= clock) pending.shift()![1](claims);
		},
	};
}

describe('claimIncomingMessageKey', () => {
	it('answers "started" once the other request says its execution exists', async () => {
		const script = scripted([[500, (claims) => void claims.markStarted(KEY, WINDOW_MS)]]);
		await script.claims.take(KEY, 'other', 4_000);
		expect(await claimIncomingMessageKey(script.claims, KEY, { windowMs: WINDOW_MS, now: script.now, sleep: script.sleep })).toEqual({ state: 'started' });
		expect(script.now()).toBeGreaterThanOrEqual(500);
		expect(script.now()).toBeLessThan(IN_FLIGHT_WAIT_MS);
	});

	it('takes the message over once the other request released it (n8n could not create its execution)', async () => {
		const script = scripted([[300, (claims) => void claims.release(KEY, 'other')]]);
		await script.claims.take(KEY, 'other', 4_000);
		const outcome = await claimIncomingMessageKey(script.claims, KEY, { windowMs: WINDOW_MS, now: script.now, sleep: script.sleep });
		expect(outcome.state).toBe('new');
		if (outcome.state === 'new') await outcome.held.started();
	});

	it('takes the message over once the lease of a request that died runs out', async () => {
		const script = scripted([]);
		await script.claims.take(KEY, 'killed', 1_000);
		const outcome = await claimIncomingMessageKey(script.claims, KEY, { windowMs: WINDOW_MS, now: script.now, sleep: script.sleep });
		expect(outcome.state).toBe('new');
		expect(script.now()).toBeGreaterThanOrEqual(1_000);
		if (outcome.state === 'new') await outcome.held.notStarted();
	});

	it('answers "in flight" when the other request is still undecided after the wait', async () => {
		const script = scripted([]);
		await script.claims.take(KEY, 'slow', 60_000);
		expect(await claimIncomingMessageKey(script.claims, KEY, { windowMs: WINDOW_MS, now: script.now, sleep: script.sleep })).toEqual({ state: 'inFlight' });
		expect(script.now()).toBeGreaterThanOrEqual(IN_FLIGHT_WAIT_MS);
		// Never past the wait by more than one poll: the answer must reach Slack within its 3 s.
		expect(script.now()).toBeLessThanOrEqual(IN_FLIGHT_WAIT_MS + 100);
	});
});

/** A clock and timers the test moves by hand: the lease's renewals happen when the test says, not when a busy machine gets to them. */
function manualTime() {
	let clock = 1_000_000;
	let timers: Array<{ at: number; run: () => void }> = [];
	return {
		now: () => clock,
		schedule: (run: () => void, ms: number) => {
			const timer = { at: clock + ms, run };
			timers.push(timer);
			return () => {
				timers = timers.filter((other) => other !== timer);
			};
		},
		pending: () => timers.length,
		async advance(ms: number) {
			const until = clock + ms;
			for (;;) {
				const next = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
				if (!next) break;
				clock = next.at;
				timers = timers.filter((timer) => timer !== next);
				next.run();
				// Let the renewal's own awaits finish before the next timer.
				await new Promise((resolve) => setImmediate(resolve));
			}
			clock = until;
		},
	};
}

describe('HeldClaim', () => {
	it('keeps its lease past the lease time by renewing it, and leaves no timer once settled', async () => {
		const time = manualTime();
		const claims = new LocalIncomingMessageClaims(new RecentIncomingMessages(), time.now);
		const outcome = await claimIncomingMessageKey(claims, KEY, { windowMs: WINDOW_MS, leaseMs: 1_500, now: time.now, schedule: time.schedule });
		if (outcome.state !== 'new') throw new Error(`expected a new claim, got ${outcome.state}`);
		// Three lease times: without renewals the lease would have ended twice over.
		await time.advance(4_500);
		expect(await claims.take(KEY, 'retry', 1_500)).toBe('inFlight');
		await outcome.held.started();
		expect(await claims.take(KEY, 'retry', 1_500)).toBe('started');
		expect(time.pending()).toBe(0);
	});

	it('lets the lease end when its holder stops renewing (past the window)', async () => {
		const time = manualTime();
		const claims = new LocalIncomingMessageClaims(new RecentIncomingMessages(), time.now);
		const outcome = await claimIncomingMessageKey(claims, KEY, { windowMs: 3_000, leaseMs: 1_500, now: time.now, schedule: time.schedule });
		if (outcome.state !== 'new') throw new Error(`expected a new claim, got ${outcome.state}`);
		await time.advance(3_000);
		expect(time.pending()).toBe(0);
		await time.advance(1_500);
		expect(await claims.take(KEY, 'retry', 1_500)).toBe('new');
	});

	it('settles from the request when no event says (a connection Slack closed first)', async () => {
		const time = manualTime();
		const claims = new LocalIncomingMessageClaims(new RecentIncomingMessages(), time.now);
		const outcome = await claimIncomingMessageKey(claims, KEY, { windowMs: WINDOW_MS, now: time.now, schedule: time.schedule });
		if (outcome.state !== 'new') throw new Error(`expected a new claim, got ${outcome.state}`);
		let answered: 'notStarted' | undefined;
		outcome.held.settleWhen(() => answered);
		await time.advance(1_000);
		expect(outcome.held.isSettled).toBe(false);
		answered = 'notStarted';
		// The next renewal reads the outcome and releases the message.
		await time.advance(1_000);
		expect(outcome.held.isSettled).toBe(true);
		expect(await claims.take(KEY, 'retry', 1_500)).toBe('new');
		expect(time.pending()).toBe(0);
	});

	it('settles once only: a late second outcome changes nothing', async () => {
		const time = manualTime();
		const claims = new LocalIncomingMessageClaims(new RecentIncomingMessages(), time.now);
		const outcome = await claimIncomingMessageKey(claims, KEY, { windowMs: WINDOW_MS, now: time.now, schedule: time.schedule });
		if (outcome.state !== 'new') throw new Error(`expected a new claim, got ${outcome.state}`);
		await outcome.held.started();
		await outcome.held.notStarted();
		expect(await claims.take(KEY, 'retry', 1_500)).toBe('started');
	});
});
