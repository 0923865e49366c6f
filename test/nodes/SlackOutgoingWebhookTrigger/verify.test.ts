import {
	checkSlackSignature,
	describeVerificationProblem,
	signSlackRequest,
	tokenMatches,
	verificationSettingsFrom,
	verifyRequest,
} from '../../../nodes/SlackOutgoingWebhookTrigger/verify';

describe('verification', () => {
	const settings = { tokens: ['test-token-a', 'test-token-b'], allowedTeamIds: [] };
	const base = { teamId: 'T0001', rawBody: 'a=b', signature: undefined, timestamp: undefined, nowSeconds: 1_700_000_000 };

	it('accepts any configured token, compared in full', () => {
		expect(tokenMatches('test-token-b', settings.tokens)).toBe(true);
		expect(tokenMatches('test-token-', settings.tokens)).toBe(false);
		expect(tokenMatches('', settings.tokens)).toBe(false);
		expect(tokenMatches(undefined, settings.tokens)).toBe(false);
		expect(tokenMatches('x', [''])).toBe(false);
	});

	it('answers 401 for a missing or wrong token and 403 for a team not allowed', () => {
		expect(verifyRequest({ ...base, token: undefined }, settings)).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest({ ...base, token: 'nope' }, settings)).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest({ ...base, token: 'test-token-a' }, { ...settings, allowedTeamIds: ['T0002'] })).toMatchObject({ ok: false, status: 403 });
		expect(verifyRequest({ ...base, token: 'test-token-a' }, { ...settings, allowedTeamIds: ['T0001'] })).toEqual({ ok: true });
	});

	it("checks Slack's v0 signature and its timestamp", () => {
		const secret = 'test-signing-secret';
		const timestamp = String(base.nowSeconds);
		// Slack's documented algorithm, computed independently here.
		const expected = `v0=${require('node:crypto').createHmac('sha256', secret).update(`v0:${timestamp}:a=b`).digest('hex')}`;
		expect(signSlackRequest(secret, timestamp, 'a=b')).toBe(expected);
		const signed = { ...base, signature: expected, timestamp };
		expect(checkSlackSignature(signed, secret)).toBe('valid');
		expect(checkSlackSignature({ ...signed, rawBody: 'a=c' }, secret)).toBe('mismatch');
		expect(checkSlackSignature({ ...signed, signature: 'v0=00' }, secret)).toBe('mismatch');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds + 301 }, secret)).toBe('stale');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds - 301 }, secret)).toBe('stale');
		expect(checkSlackSignature({ ...signed, nowSeconds: base.nowSeconds + 300 }, secret)).toBe('valid');
		expect(checkSlackSignature({ ...signed, signature: undefined }, secret)).toBe('missing');
		expect(verifyRequest({ ...signed, token: 'test-token-a', signature: 'v0=bad' }, { ...settings, signingSecret: secret })).toMatchObject({ status: 401 });
	});
});

describe('what a credential must hold', () => {
	it('needs a token, a signing secret or both', () => {
		expect(describeVerificationProblem(verificationSettingsFrom({ token: '', signingSecret: '  ' }))).toMatch(/Set a Token or a Signing Secret/);
		expect(describeVerificationProblem(verificationSettingsFrom({ additionalTokens: 'a' }))).toBeUndefined();
		expect(describeVerificationProblem(verificationSettingsFrom({ signingSecret: 's' }))).toBeUndefined();
	});

	it('reads every token, the trimmed secret and the team list', () => {
		expect(verificationSettingsFrom({ token: 'a', additionalTokens: 'b,\nc', signingSecret: ' s\n', allowedTeamIds: 'T1, T2' })).toEqual({
			tokens: ['a', 'b', 'c'],
			signingSecret: 's',
			allowedTeamIds: ['T1', 'T2'],
		});
	});

	it('refuses every request when neither is set, and checks the signature alone when only a secret is', () => {
		const request = { token: 'x', teamId: 'T1', rawBody: 'a=1', signature: undefined, timestamp: undefined, nowSeconds: 1_700_000_000 };
		expect(verifyRequest(request, { tokens: [], allowedTeamIds: [] })).toMatchObject({ ok: false, status: 401 });
		expect(verifyRequest(request, { tokens: [], signingSecret: 's', allowedTeamIds: [] })).toMatchObject({ ok: false, reason: 'signature missing' });
		const timestamp = String(request.nowSeconds);
		const signed = { ...request, timestamp, signature: signSlackRequest('s', timestamp, request.rawBody) };
		expect(verifyRequest(signed, { tokens: [], signingSecret: 's', allowedTeamIds: [] })).toEqual({ ok: true });
		expect(verifyRequest(signed, { tokens: ['other'], signingSecret: 's', allowedTeamIds: [] })).toMatchObject({ ok: false, reason: 'wrong token' });
	});
});
