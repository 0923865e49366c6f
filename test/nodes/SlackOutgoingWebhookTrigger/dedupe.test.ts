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

	it('stays bounded', () => {
		const recent = new RecentIncomingMessages(100);
		for (let n = 0; n < 1_000; n++) recent.markStarted(String(n), n, 1_000_000);
		expect(recent.size).toBeLessThanOrEqual(100);
	});

	it('drops expired entries as it goes, so a steady stream of messages keeps it small', () => {
		const recent = new RecentIncomingMessages(10_000);
		for (let n = 0; n < 5_000; n++) {
			recent.take(String(n), 'holder', n, 10);
			recent.markStarted(String(n), n, 10);
		}
		expect(recent.size).toBeLessThanOrEqual(11);
	});
});
