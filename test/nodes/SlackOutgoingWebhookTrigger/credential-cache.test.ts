import { inspect } from 'node:util';

import { VerifiedCredentialCache } from '../../../nodes/SlackOutgoingWebhookTrigger/credential-cache';
import { signSlackRequest, verificationKeysFrom, verifyRequestWithKeys } from '../../../nodes/SlackOutgoingWebhookTrigger/verify';

describe('the verified credential kept between requests', () => {
	const keys = verificationKeysFrom({ tokens: ['test-token-kept'], signingSecret: 'test-secret-kept', allowedTeamIds: ['T0001'] });

	it('holds token digests and a key object, which no log line or JSON shows', () => {
		for (const shown of [inspect(keys, { depth: 5, showHidden: true }), JSON.stringify(keys)]) {
			expect(shown).not.toContain('test-token-kept');
			expect(shown).not.toContain('test-secret-kept');
			expect(shown).not.toContain(Buffer.from('test-token-kept').toString('hex'));
		}
		const request = { token: 'test-token-kept', teamId: 'T0001', rawBody: 'a=1', nowSeconds: 1_700_000_000, timestamp: '1700000000' };
		expect(verifyRequestWithKeys({ ...request, signature: signSlackRequest('test-secret-kept', '1700000000', 'a=1') }, keys)).toEqual({ ok: true });
		expect(verifyRequestWithKeys({ ...request, signature: signSlackRequest('another-secret', '1700000000', 'a=1') }, keys)).toMatchObject({ status: 401 });
	});

	it('reads again once the lifetime is over, or after forget; never keeps a credential without an ID', async () => {
		let now = 0;
		const cache = new VerifiedCredentialCache(30_000, () => now);
		let reads = 0;
		const read = async () => {
			reads++;
			return keys;
		};
		await cache.keysFor('credential-a', read);
		now = 29_999;
		await cache.keysFor('credential-a', read);
		expect(reads).toBe(1);
		now = 30_000;
		await cache.keysFor('credential-a', read);
		expect(reads).toBe(2);
		cache.forget('credential-a');
		await cache.keysFor('credential-a', read);
		expect(reads).toBe(3);
		await cache.keysFor(undefined, read);
		await cache.keysFor(undefined, read);
		expect(reads).toBe(5);
	});

	it('keeps a bounded number of credentials, dropping the oldest', async () => {
		const cache = new VerifiedCredentialCache(30_000, () => 0);
		let reads = 0;
		const read = async () => {
			reads++;
			return keys;
		};
		for (let n = 0; n <= 1_000; n++) await cache.keysFor(`credential-${n}`, read);
		await cache.keysFor('credential-1000', read);
		expect(reads).toBe(1_001);
		await cache.keysFor('credential-0', read);
		expect(reads).toBe(1_002);
	});
});
