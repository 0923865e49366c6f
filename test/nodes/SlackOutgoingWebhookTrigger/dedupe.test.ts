import { RecentIncomingMessages } from '../../../nodes/shared/state/incoming-message-claims';

describe('RecentIncomingMessages', () => {
	it('reports a repeat within the window and forgets it after', () => {
		const recent = new RecentIncomingMessages();
		expect(recent.checkAndRecord('a', 0, 1_000)).toBe(false);
		expect(recent.checkAndRecord('a', 500, 1_000)).toBe(true);
		expect(recent.checkAndRecord('a', 2_000, 1_000)).toBe(false);
	});

	it('stays bounded', () => {
		const recent = new RecentIncomingMessages(100);
		for (let n = 0; n < 1_000; n++) recent.checkAndRecord(String(n), n, 1_000_000);
		expect(recent.size).toBeLessThanOrEqual(100);
	});
});
