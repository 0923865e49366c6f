import { RecentIncomingMessages } from '../../../nodes/shared/state/incoming-message-claims';

describe('RecentIncomingMessages', () => {
	it('holds a key on a lease, then as started for the window, and forgets it after', () => {
		const recent = new RecentIncomingMessages();
		expect(recent.take('a', 'first', 0, 100)).toBe('new');
		expect(recent.take('a', 'second', 50, 100)).toBe('inFlight');
		recent.markStarted('a', 60, 1_000);
		expect(recent.take('a', 'second', 500, 100)).toBe('started');
		expect(recent.take('a', 'second', 1_100, 100)).toBe('new');
	});

	it('lets a lease lapse when its holder stops renewing it', () => {
		const recent = new RecentIncomingMessages();
		expect(recent.take('a', 'first', 0, 100)).toBe('new');
		expect(recent.renew('a', 'first', 90, 100)).toBe(true);
		expect(recent.take('a', 'second', 150, 100)).toBe('inFlight');
		expect(recent.take('a', 'second', 191, 100)).toBe('new');
		expect(recent.renew('a', 'first', 200, 100)).toBe(false);
	});

	it('releases only its holder\'s lease', () => {
		const recent = new RecentIncomingMessages();
		recent.take('a', 'first', 0, 100);
		recent.release('a', 'second', 10);
		expect(recent.take('a', 'second', 20, 100)).toBe('inFlight');
		recent.release('a', 'first', 30);
		expect(recent.take('a', 'second', 40, 100)).toBe('new');
	});

	it('is bounded by time, not by a count: 12,000 keys within a 10-minute window are all still caught, and dropped once it is over', () => {
		const recent = new RecentIncomingMessages();
		const windowMs = 600_000;
		// One key every 40 ms: 12,000 in 8 minutes, all inside the window.
		for (let n = 0; n < 12_000; n++) recent.markStarted(String(n), n * 40, windowMs);
		const now = 12_000 * 40;
		expect([0, 1, 5_000, 11_999].map((n) => recent.take(String(n), 'resend', now, 100))).toEqual(['started', 'started', 'started', 'started']);
		// Past every key's window, the next message drops them all.
		recent.markStarted('later', now + windowMs, windowMs);
		expect(recent.size).toBe(1);
	});

	it('drops expired entries as it goes, so a steady stream of messages keeps it small', () => {
		const recent = new RecentIncomingMessages();
		for (let n = 0; n < 5_000; n++) {
			recent.take(String(n), 'holder', n, 10);
			recent.markStarted(String(n), n, 10);
		}
		expect(recent.size).toBeLessThanOrEqual(11);
	});
});
