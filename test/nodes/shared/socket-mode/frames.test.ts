import { acknowledgement, MAX_ENVELOPE_CHARACTERS, readFrame } from '../../../../nodes/shared/socket-mode/frames';
import { apiBaseUrlFrom, describeAppTokenProblem } from '../../../../nodes/shared/socket-mode/open-connection';
import { DEFAULT_TIMINGS, reconnectDelayMs } from '../../../../nodes/shared/socket-mode/reconnect';

describe('readFrame', () => {
	it("reads Slack's hello, disconnect and envelopes", () => {
		expect(readFrame('{"type":"hello","num_connections":2,"debug_info":{"host":"applink-1"},"connection_info":{"app_id":"A0123ABC"}}')).toEqual({ kind: 'hello', numConnections: 2, appId: 'A0123ABC' });
		expect(readFrame('{"type":"hello","connection_info":{"app_id":"not an id\\n"}}')).toEqual({ kind: 'hello', numConnections: null, appId: null });
		expect(readFrame('{"type":"disconnect","reason":"refresh_requested"}')).toEqual({ kind: 'disconnect', reason: 'refresh_requested' });
		const frame = readFrame(
			JSON.stringify({ envelope_id: 'e1', type: 'events_api', payload: { event_id: 'Ev1' }, accepts_response_payload: false, retry_attempt: 2, retry_reason: 'timeout' }),
		);
		expect(frame).toEqual({
			kind: 'envelope',
			envelope: { envelopeId: 'e1', type: 'events_api', payload: { event_id: 'Ev1' }, acceptsResponsePayload: false, retryAttempt: 2, retryReason: 'timeout' },
		});
	});

	it('reads a first delivery (no retry fields) and a slash command that accepts a reply', () => {
		expect(readFrame(JSON.stringify({ envelope_id: 'e2', type: 'slash_commands', payload: { command: '/x' }, accepts_response_payload: true }))).toMatchObject({
			envelope: { retryAttempt: 0, retryReason: null, acceptsResponsePayload: true },
		});
	});

	it('describes, never quotes, what it cannot use', () => {
		const secret = 'https://hooks.slack.com/commands/T1/2/secret-response-url';
		const cases = [`not json ${secret}`, `["${secret}"]`, JSON.stringify({ type: 'events_api', payload: { response_url: secret } }), JSON.stringify({ envelope_id: 7, type: 'x' })];
		for (const text of cases) {
			const frame = readFrame(text);
			expect(frame.kind).toBe('ignored');
			expect(JSON.stringify(frame)).not.toContain('secret');
		}
	});

	it('finds the envelope_id and type of an envelope too large to parse, so that it can be acknowledged, and quotes nothing else', () => {
		const huge = JSON.stringify({ envelope_id: 'e3', type: 'events_api', payload: { type: 'event_callback', text: 'x'.repeat(MAX_ENVELOPE_CHARACTERS), response_url: 'secret' } });
		expect(readFrame(huge)).toEqual({ kind: 'oversized', characters: huge.length, envelopeId: 'e3', type: 'events_api' });
		const payloadFirst = `{"payload":{"text":"${'y'.repeat(MAX_ENVELOPE_CHARACTERS)}"},"accepts_response_payload":true,"type":"slash_commands","envelope_id":"e4"}`;
		expect(readFrame(payloadFirst)).toMatchObject({ kind: 'oversized', envelopeId: 'e4', type: 'slash_commands' });
		expect(readFrame(`"${'z'.repeat(MAX_ENVELOPE_CHARACTERS)}"`)).toMatchObject({ kind: 'oversized', envelopeId: null, type: null });
	});

	it('keeps an odd type name out of the log line it makes', () => {
		const frame = readFrame(JSON.stringify({ type: 'evil\nline <script>' }));
		expect(frame).toEqual({ kind: 'ignored', problem: 'a frame of type "evil?line??script?" without an envelope_id' });
	});

	it('writes the acknowledgement Slack expects', () => {
		expect(JSON.parse(acknowledgement('e1'))).toEqual({ envelope_id: 'e1' });
		expect(JSON.parse(acknowledgement('e1', { text: 'ok' }))).toEqual({ envelope_id: 'e1', payload: { text: 'ok' } });
	});
});

describe('reconnectDelayMs', () => {
	it('waits half to all of a ceiling that doubles with each failure, up to the cap', () => {
		const timings = { reconnectBaseMs: 1_000, reconnectMaxMs: 60_000 };
		for (const [failures, ceiling] of [[1, 1_000], [2, 2_000], [3, 4_000], [7, 60_000], [50, 60_000]] as const) {
			expect(reconnectDelayMs(failures, 0, timings)).toBe(ceiling / 2);
			expect(reconnectDelayMs(failures, 1, timings)).toBe(ceiling);
		}
	});

	it("never waits less than a rate limit's Retry-After", () => {
		expect(reconnectDelayMs(1, 0.5, DEFAULT_TIMINGS, 30_000)).toBe(30_000);
	});
});

describe('the app-level token and the API URL', () => {
	it('refuses an empty token and a bot or user token without asking Slack', () => {
		expect(describeAppTokenProblem('')).toMatchObject({ kind: 'tokenRefused', slackError: 'not_authed' });
		expect(describeAppTokenProblem('xoxb-123-not-real')).toMatchObject({ slackError: 'not_allowed_token_type', message: expect.stringContaining('not an app-level token') });
		expect(describeAppTokenProblem('xoxp-123-not-real')).toMatchObject({ slackError: 'not_allowed_token_type' });
		expect(describeAppTokenProblem('xapp-1-A1-2-not-real')).toBeUndefined();
	});

	it("takes Slack's API, GovSlack's, or one on this machine, and nothing else", () => {
		expect(apiBaseUrlFrom(undefined).href).toBe('https://slack.com/api/');
		expect(apiBaseUrlFrom('https://slack-gov.com/api').href).toBe('https://slack-gov.com/api/');
		expect(apiBaseUrlFrom('http://127.0.0.1:4567/api/').href).toBe('http://127.0.0.1:4567/api/');
		for (const elsewhere of ['https://slack.com.evil.example/api/', 'https://evil.example/api/', 'http://slack.com/api/', 'https://user:pw@slack.com/api/', 'ftp://127.0.0.1/api/', 'not a url']) {
			expect(() => apiBaseUrlFrom(elsewhere)).toThrow('The Slack API URL must be https://slack.com/api/ or https://slack-gov.com/api/');
		}
	});
});
