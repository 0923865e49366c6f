/**
 * The requests the trigger's fuzz tests send (trigger-fuzz.test.ts: any request; trigger-fuzz-
 * classes.test.ts: requests forced into each class that must start a workflow or be refused), how
 * they are sent through the n8n-core harness, and the rules every answer must keep whatever the
 * request. One seed replays a run: FUZZ_SEED.
 */
import fc from 'fast-check';
import { createHmac } from 'node:crypto';

import type { TriggerHarness } from '../helpers/n8n-webhook-harness';
import { serializeDeep } from '../helpers/serialize';


export const TOKEN = 'fuzz-token-not-real';
const SIGNING_SECRET = 'fuzz-signing-secret-not-real';

/** Fields Slack, slash commands and Mattermost post, so that generated bodies often look real. */
const KNOWN_FIELDS = [
	'team_id', 'team_domain', 'service_id', 'channel_id', 'channel_name', 'thread_ts', 'timestamp', 'user_id', 'user_name',
	'text', 'trigger_word', 'command', 'response_url', 'trigger_id', 'post_id', 'file_ids', 'bot_id', 'response_type',
] as const;

type TokenMode = 'valid' | 'wrong' | 'missing' | 'empty' | 'repeated' | 'prefix' | 'padded' | 'non-string';
type SignatureMode = 'valid' | 'wrong' | 'missing' | 'stale' | 'future' | 'garbage-timestamp' | 'other-body';

/** What a body is, when it is shaped as a Slack app's request. */
type AppShape = 'verification' | 'event' | 'interaction';

export interface FuzzRequest {
	signed: boolean;
	/** The credential allows team T0001 only. */
	teamRestricted: boolean;
	/** The trigger's type version: n8n parses bodies by it, and version 2 filters before it verifies. */
	typeVersion: number;
	/** Version 2's Verify Before Filtering option. */
	verifyBeforeFiltering: boolean;
	contentType: string;
	body: Buffer;
	tokenMode: TokenMode;
	signatureMode: SignatureMode;
	app?: AppShape;
	challenge?: string;
}

interface GeneratedBody {
	body: Buffer;
	mode: TokenMode;
	app?: AppShape;
	challenge?: string;
}

/** Any unicode code point (whole ones: fast-check's binary unit makes no lone surrogates). */
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
/** Now and then a field of up to 256 KiB. */
const fieldValue = fc.oneof(
	{ weight: 60, arbitrary: anyText(40) },
	{ weight: 9, arbitrary: fc.constantFrom('googlebot: hello', 'googlebot:', 'GOOGLEBOT: hi', ' googlebot: x', 'slackbot', 'USLACKBOT', '1504640775.000005', 'T0001') },
	{ weight: 1, arbitrary: fc.integer({ min: 1_000, max: 256 * 1024 }).map((length) => 'x'.repeat(length)) },
);
/** Half of the bodies carry a text that matches the trigger word, so that valid requests start workflows. */
const matchingText = fc.option(anyText(30).map((rest) => `googlebot: ${rest}`), { freq: 2 });
const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_FIELDS) }, { weight: 1, arbitrary: anyText(12) });
const tokenMode = fc.constantFrom<TokenMode>('valid', 'valid', 'valid', 'wrong', 'missing', 'empty', 'repeated', 'prefix', 'padded', 'non-string');

/** Percent-encodes the UTF-8 bytes of a text, as a browser's form encoder does (space as +, sometimes %20). */
function encodeFormComponent(text: string, spaceAsPlus: boolean): string {
	let encoded = '';
	for (const byte of Buffer.from(text, 'utf8')) {
		const char = String.fromCharCode(byte);
		if (/[A-Za-z0-9\-_.*]/.test(char)) encoded += char;
		else if (byte === 0x20 && spaceAsPlus) encoded += '+';
		else encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return encoded;
}

function tokenValueFor(mode: TokenMode): unknown[] {
	switch (mode) {
		case 'valid':
			return [TOKEN];
		case 'wrong':
			return ['wrong-token-value'];
		case 'missing':
			return [];
		case 'empty':
			return [''];
		case 'repeated':
			return [TOKEN, TOKEN];
		case 'prefix':
			return [TOKEN.slice(0, -1)];
		case 'padded':
			return [` ${TOKEN}`];
		case 'non-string':
			return [[TOKEN]];
	}
}

/** Segments that break percent-decoding or the key=value shape, put between the real pairs. */
const garbageSegment = fc.constantFrom('%', '%zz', '%E0%A4', '%FF%FE', '===', '&&', 'text', '=value', '%00', 'a=%', '%u0041', '\u00ff');

const formBody = fc
	.record({
		fields: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 14 }),
		text: matchingText,
		garbage: fc.array(fc.tuple(fc.nat(), garbageSegment), { maxLength: 3 }),
		tokenAt: fc.nat(),
		spaceAsPlus: fc.boolean(),
		bom: fc.boolean(),
	})
	.chain((shape) => tokenMode.map((mode) => ({ ...shape, mode })))
	.map(({ fields, text: matching, garbage, tokenAt, spaceAsPlus, bom, mode }) => {
		const pairs = [...(matching === null ? [] : [['text', matching] as const]), ...fields]
			.filter(([name]) => name !== 'token')
			.map(([name, value]) => `${encodeFormComponent(name, spaceAsPlus)}=${encodeFormComponent(value, spaceAsPlus)}`);
		for (const token of tokenValueFor(mode)) {
			const value = Array.isArray(token) ? `${token[0]}&token=${token[0]}` : String(token);
			pairs.splice(tokenAt % (pairs.length + 1), 0, `token=${Array.isArray(token) ? value : encodeFormComponent(value, spaceAsPlus)}`);
		}
		// Garbage goes in as separate pairs, so it cannot corrupt the token's own pair.
		for (const [at, segment] of garbage) pairs.splice(at % (pairs.length + 1), 0, segment);
		const text = pairs.join('&');
		// A BOM that the declared charset does not strip (latin1) becomes part of the first key: a
		// repeated token placed first would then arrive as a single one. Such a body is left without
		// a BOM, so a repeat stays a repeat.
		const bomJoinsRepeatedToken = (mode === 'repeated' || mode === 'non-string') && text.startsWith('token=');
		return { body: Buffer.from(bom && !bomJoinsRepeatedToken ? `\ufeff${text}` : text, 'utf8'), mode };
	});

const jsonBody = fc
	.record({
		shape: fc.constantFrom('object', 'object', 'object', 'array', 'scalar', 'broken'),
		fields: fc.dictionary(fieldName, fc.oneof(fieldValue, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 12 }),
		text: matchingText,
		extra: fc.jsonValue({ maxDepth: 4 }),
		cut: fc.nat(),
	})
	.chain((shape) => tokenMode.map((mode) => ({ ...shape, mode })))
	.map(({ shape, fields, text: matching, extra, cut, mode }) => {
		const object: Record<string, unknown> = { ...fields, ...(matching === null ? {} : { text: matching }) };
		delete object.token;
		const tokens = tokenValueFor(mode);
		if (tokens.length === 1) object.token = tokens[0];
		else if (tokens.length > 1) object.token = tokens;
		const value = shape === 'array' ? [object] : shape === 'scalar' ? extra : object;
		const text = JSON.stringify(value) ?? 'null';
		const body = shape === 'broken' ? text.slice(0, cut % Math.max(1, text.length)) : text;
		return { body: Buffer.from(body, 'utf8'), mode: shape === 'object' ? mode : ('missing' as TokenMode) };
	});

const rawBody = fc.uint8Array({ maxLength: 2_048 }).map((bytes) => ({ body: Buffer.from(bytes), mode: 'missing' as TokenMode }));

/** Now and then any JSON instead of the expected value, so that every field can be of the wrong type. */
const orAnyJson = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
/** A few event IDs only, so that some events repeat as Slack's retries do. */
const eventId = orAnyJson(fc.integer({ min: 1, max: 400 }).map((n) => `Ev${n}`));
const appTeam = orAnyJson(fc.constantFrom('T0001', 'T0001', 'T0002'));
const appToken = fc.constantFrom<unknown>(undefined, TOKEN, 'app-verification-token', ['x']);
const appText = fc.oneof(
	matchingText.map((text) => text ?? 'no trigger here'),
	anyText(30).map((rest) => `<@U0LAN0Z89> googlebot: ${rest}`),
	fieldValue,
);

const slackEvent = fc.record(
	{
		type: orAnyJson(fc.constantFrom('message', 'message', 'app_mention', 'reaction_added')),
		subtype: fc.constantFrom(undefined, undefined, undefined, 'bot_message', 'message_changed', 'file_share', 'thread_broadcast', 'channel_join'),
		bot_id: fc.constantFrom(undefined, undefined, undefined, 'B1'),
		channel: orAnyJson(fc.constantFrom('C2147483705', 'C9', 'D1')),
		channel_type: fc.constantFrom('channel', 'group', 'im', 'mpim'),
		user: orAnyJson(fc.constantFrom('U1', 'USLACKBOT')),
		text: orAnyJson(appText),
		ts: orAnyJson(fc.constantFrom('1700000000.000100', '1')),
		thread_ts: fc.constantFrom(undefined, '1700000000.000001'),
	},
	{ requiredKeys: ['type'] },
);

/**
 * An Events API envelope carries Slack's deprecated verification token at its top level, where the
 * outgoing-webhook path of type versions 1 and 2 reads a JSON body's token: the credential's own
 * token there is a valid one for that path.
 */
const envelopeTokenMode = (token: unknown): TokenMode => (token === TOKEN ? 'valid' : 'missing');

const eventsApiBody: fc.Arbitrary<GeneratedBody> = fc.oneof(
	fc.record({ token: appToken, challenge: orAnyJson(anyText(40)) }).map(({ token, challenge }) => {
		const body = JSON.stringify({ token, challenge, type: 'url_verification' });
		return { body: Buffer.from(body, 'utf8'), mode: envelopeTokenMode(token), app: 'verification' as const, challenge: typeof challenge === 'string' ? challenge : '' };
	}),
	fc
		.record({
			token: appToken,
			team_id: appTeam,
			api_app_id: fc.constant('A0F7XDUAZ'),
			event: fc.oneof({ weight: 8, arbitrary: slackEvent as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
			event_id: eventId,
			event_time: orAnyJson(fc.integer({ min: 0, max: 2_000_000_000 })),
		})
		.map((envelope) => ({ body: Buffer.from(JSON.stringify({ ...envelope, type: 'event_callback' }), 'utf8'), mode: envelopeTokenMode(envelope.token), app: 'event' as const })),
);

const interactionPayload = fc.record(
	{
		type: orAnyJson(fc.constantFrom('block_actions', 'block_actions', 'message_action', 'shortcut', 'view_submission')),
		token: appToken,
		team: orAnyJson(appTeam.map((id) => ({ id }))),
		user: orAnyJson(fc.constant({ id: 'U1', username: 'steve' })),
		channel: fc.constantFrom(undefined, { id: 'C2147483705', name: 'test' }, { id: 'C9' }),
		container: fc.constantFrom(undefined, { type: 'message', message_ts: '1700000000.000100', channel_id: 'C2147483705' }),
		callback_id: orAnyJson(fc.constantFrom('approve', 'other')),
		actions: orAnyJson(fc.array(fc.record({ action_id: orAnyJson(fc.constantFrom('approve', 'other')), value: orAnyJson(fieldValue) }), { maxLength: 3 })),
		response_url: fc.constant('https://hooks.slack.com/actions/T0001/1/x'),
		trigger_id: fc.constant('1.1.x'),
	},
	{ requiredKeys: ['type'] },
);

const interactivityBody: fc.Arbitrary<GeneratedBody> = fc
	.record({ payload: interactionPayload, broken: fc.nat(20), extra: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 3 }) })
	.map(({ payload, broken, extra }) => {
		const json = JSON.stringify(payload);
		// One body in twenty has its JSON cut short, one in twenty a second payload field.
		const value = broken === 0 ? json.slice(0, json.length >> 1) : json;
		const pairs = [`payload=${encodeFormComponent(value, true)}`, ...extra.map(([name, text]) => `${encodeFormComponent(name, true)}=${encodeFormComponent(text, true)}`)];
		if (broken === 1) pairs.push('payload=%7B%7D');
		return { body: Buffer.from(pairs.join('&'), 'utf8'), mode: 'missing' as TokenMode, app: 'interaction' as const };
	});

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED'];
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"'];
const OTHER_TYPES = [
	'', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=bogus', 'application/x-www-form-urlencoded; charset=latin1',
	'application/octet-stream', 'application/jsonp', 'application/json ;', 'application/x-www-form-urlencoded, application/json',
];
/** Header values as fetch can send them: printable ASCII. */
const anyContentType = fc.oneof(fc.constantFrom(...OTHER_TYPES), fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((type) => type.trim()));

type Shaped = [contentType: string, body: GeneratedBody];
/** A content type with a body, which may or may not be of that type. */
const shaped = (contentType: fc.Arbitrary<string>, body: fc.Arbitrary<GeneratedBody>): fc.Arbitrary<Shaped> => fc.tuple(contentType, body);

/** Any request: every shape, content type, token and signature, mostly invalid. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc
	.record({
		signed: fc.boolean(),
		teamRestricted: fc.boolean(),
		typeVersion: fc.constantFrom(1, 2, 3, 3),
		verifyBeforeFiltering: fc.boolean(),
		signatureMode: fc.constantFrom<SignatureMode>('valid', 'valid', 'wrong', 'missing', 'stale', 'future', 'garbage-timestamp', 'other-body'),
		kind: fc.oneof(
			{ weight: 5, arbitrary: shaped(fc.constantFrom(...FORM_TYPES), formBody) },
			{ weight: 3, arbitrary: shaped(fc.constantFrom(...JSON_TYPES), jsonBody) },
			{ weight: 1, arbitrary: shaped(anyContentType, fc.oneof(formBody, jsonBody, rawBody)) },
			{ weight: 1, arbitrary: shaped(fc.constantFrom(...FORM_TYPES, ...JSON_TYPES), rawBody) },
			{ weight: 3, arbitrary: shaped(fc.constantFrom(...JSON_TYPES), eventsApiBody) },
			{ weight: 2, arbitrary: shaped(fc.constantFrom(...FORM_TYPES), interactivityBody) },
		),
	})
	.map(({ signed, teamRestricted, typeVersion, verifyBeforeFiltering, signatureMode, kind: [contentType, { body, mode, app, challenge }] }) => ({
		signed,
		teamRestricted,
		typeVersion,
		verifyBeforeFiltering,
		contentType,
		body,
		tokenMode: mode,
		signatureMode,
		app,
		challenge,
	}));

export function signatureHeaders(fuzz: FuzzRequest): Record<string, string> {
	const now = Math.floor(Date.now() / 1000);
	const sign = (timestamp: string, body: Buffer | string, secret = SIGNING_SECRET) =>
		`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
	switch (fuzz.signatureMode) {
		case 'valid':
			return { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(String(now), fuzz.body) };
		case 'wrong':
			return { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(String(now), fuzz.body, 'another-secret') };
		case 'missing':
			return {};
		// A minute past the 5-minute window: the request may reach the trigger seconds after it was
		// signed on a busy machine, which brings a timestamp just past the window back inside it.
		case 'stale':
			return { 'x-slack-request-timestamp': String(now - 360), 'x-slack-signature': sign(String(now - 360), fuzz.body) };
		case 'future':
			return { 'x-slack-request-timestamp': String(now + 360), 'x-slack-signature': sign(String(now + 360), fuzz.body) };
		case 'garbage-timestamp':
			return { 'x-slack-request-timestamp': `${now}.5`, 'x-slack-signature': sign(`${now}.5`, fuzz.body) };
		case 'other-body':
			return { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(String(now), `${fuzz.body.toString('latin1')}x`) };
	}
}


/**
 * The seed of this run: FUZZ_SEED when set (to replay a failure), otherwise a new one. Tests put it
 * in their names, so a failing run prints it whatever fails, the coverage checks included.
 */
export function fuzzSeed(): number {
	const replay = process.env.FUZZ_SEED;
	if (replay !== undefined && replay !== '') {
		const seed = Number(replay);
		if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not "${replay}"`);
		return seed;
	}
	return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}

// ---- Requests forced into one class each: every one of them must start the workflow, or must be refused.

/**
 * A timestamp (and so a duplicate-filter key) no other request of the run shares: 400 draws from
 * 10^15 values collide once in 10^10 runs. Without noBias, fast-check favours the ends of a range,
 * and two posts of one run shared a timestamp in about 7% of seeds.
 */
const uniqueTimestamp = fc
	.noBias(fc.tuple(fc.integer({ min: 1_000_000_000, max: 1_999_999_999 }), fc.integer({ min: 0, max: 999_999 })))
	.map(([seconds, micros]) => `${seconds}.${String(micros).padStart(6, '0')}`);
const uniqueEventId = fc.noBias(fc.uuid()).map((uuid) => `Ev${uuid.replace(/-/g, '').toUpperCase()}`);
const matchingMessage = anyText(200).map((rest) => `googlebot: ${rest}`);
const triggerOptions = fc.record({ typeVersion: fc.constantFrom(1, 2, 3), verifyBeforeFiltering: fc.boolean(), teamRestricted: fc.boolean() });

/** The fields of Slack's documented outgoing webhook post (seeds: outgoing webhooks, POST Data), from a person in team T0001. */
const outgoingPost = fc.record({ timestamp: uniqueTimestamp, text: matchingMessage }).map(({ timestamp, text }) => ({
	token: TOKEN,
	team_id: 'T0001',
	team_domain: 'example',
	channel_id: 'C2147483705',
	channel_name: 'test',
	timestamp,
	user_id: 'U2147483697',
	user_name: 'Steve',
	text,
	trigger_word: 'googlebot:',
}));

const encodeForm = (fields: Record<string, string>, spaceAsPlus: boolean) =>
	Object.entries(fields)
		.map(([name, value]) => `${encodeFormComponent(name, spaceAsPlus)}=${encodeFormComponent(value, spaceAsPlus)}`)
		.join('&');

/** An outgoing webhook post with the right token (and signature, where the credential has a secret): it starts the workflow on every version. */
export const validOutgoingPost: fc.Arbitrary<FuzzRequest> = fc
	.record({ post: outgoingPost, options: triggerOptions, signed: fc.boolean(), asJson: fc.boolean(), spaceAsPlus: fc.boolean() })
	.map(({ post, options, signed, asJson, spaceAsPlus }) => ({
		...options,
		signed,
		signatureMode: 'valid' as const,
		tokenMode: 'valid' as const,
		contentType: asJson ? 'application/json' : 'application/x-www-form-urlencoded',
		body: Buffer.from(asJson ? JSON.stringify(post) : encodeForm(post, spaceAsPlus), 'utf8'),
	}));

/** The same post with exactly one defect that refuses it: the status it must get, and never a workflow. */
export const refusedOutgoingPost: fc.Arbitrary<{ fuzz: FuzzRequest; status: number }> = fc
	.record({ valid: validOutgoingPost, defect: fc.constantFrom('token', 'signature', 'team', 'contentType') })
	.map(({ valid, defect }) => {
		switch (defect) {
			case 'token':
				return { fuzz: { ...valid, tokenMode: 'wrong' as const, body: Buffer.from(valid.body.toString('utf8').replace(TOKEN, 'wrong-token-value')) }, status: 401 };
			case 'signature':
				return { fuzz: { ...valid, signed: true, signatureMode: 'wrong' as const }, status: 401 };
			case 'team':
				// The credential allows T0001 only; the post names another team.
				return { fuzz: { ...valid, teamRestricted: true, body: Buffer.from(valid.body.toString('utf8').replace('T0001', 'T0002')) }, status: 403 };
			default:
				return { fuzz: { ...valid, contentType: 'text/plain' }, status: 415 };
		}
	});

const signedAppRequest = (body: fc.Arbitrary<{ body: Buffer; app: AppShape; challenge?: string }>): fc.Arbitrary<FuzzRequest> =>
	fc.record({ body, verifyBeforeFiltering: fc.boolean(), teamRestricted: fc.boolean() }).map(({ body: generated, verifyBeforeFiltering, teamRestricted }) => ({
		signed: true,
		signatureMode: 'valid' as const,
		tokenMode: 'missing' as const,
		typeVersion: 3,
		verifyBeforeFiltering,
		teamRestricted,
		contentType: generated.app === 'interaction' ? 'application/x-www-form-urlencoded' : 'application/json',
		...generated,
	}));

/** A signed Events API message from a person, with the trigger word, in team T0001: it starts type version 3. */
export const validAppEvent = signedAppRequest(
	fc.record({ eventId: uniqueEventId, ts: uniqueTimestamp, text: matchingMessage, type: fc.constantFrom('message', 'app_mention') }).map(({ eventId, ts, text, type }) => ({
		app: 'event' as const,
		body: Buffer.from(
			JSON.stringify({
				token: 'app-verification-token',
				team_id: 'T0001',
				api_app_id: 'A0F7XDUAZ',
				event: { type, channel: 'C2147483705', channel_type: 'channel', user: 'U2147483697', text: type === 'app_mention' ? `<@U0LAN0Z89> ${text}` : text, ts },
				type: 'event_callback',
				event_id: eventId,
				event_time: 1_700_000_000,
			}),
		),
	})),
);

/** A signed click on the button the trigger listens to (Action IDs: approve), in team T0001: it starts type version 3. */
export const validAppClick = signedAppRequest(
	fc.record({ value: anyText(200), ts: uniqueTimestamp }).map(({ value, ts }) => ({
		app: 'interaction' as const,
		body: Buffer.from(
			`payload=${encodeFormComponent(
				JSON.stringify({
					type: 'block_actions',
					team: { id: 'T0001' },
					user: { id: 'U2147483697', username: 'steve' },
					channel: { id: 'C2147483705', name: 'test' },
					container: { type: 'message', message_ts: ts, channel_id: 'C2147483705' },
					actions: [{ action_id: 'approve', value, action_ts: ts }],
					response_url: 'https://hooks.slack.com/actions/T0001/1/x',
					trigger_id: `${ts}.x`,
				}),
				true,
			)}`,
		),
	})),
);

/** A signed Request URL check: answered with its challenge, starting nothing. */
export const validChallenge = signedAppRequest(
	fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }).map((challenge) => ({
		app: 'verification' as const,
		challenge,
		body: Buffer.from(JSON.stringify({ token: 'app-verification-token', challenge, type: 'url_verification' })),
	})),
);

// ---- Sending a request and the rules every answer keeps.

const PARAMETERS = { triggerWords: 'googlebot:', respond: 'immediately', replyText: 'heard you', actionIds: 'approve' };
const DEFINED_STATUSES = new Set([200, 400, 401, 403, 415, 422]);
const SLACK_APP_SOURCES = new Set(['slack_events_api', 'slack_interactivity']);

export interface Observation {
	status: number;
	body: string;
	/** The item the workflow would start with, when it started. */
	started: Record<string, unknown> | undefined;
}

/**
 * Sends one request to the trigger as the request says it is configured. One saved credential per
 * configuration, so that most requests meet a verified credential kept from an earlier one.
 */
export async function sendFuzzRequest(harness: TriggerHarness, fuzz: FuzzRequest): Promise<Observation> {
	harness.credentials = {
		slackWebhooksOutgoingApi: { token: TOKEN, additionalTokens: '', signingSecret: fuzz.signed ? SIGNING_SECRET : '', allowedTeamIds: fuzz.teamRestricted ? 'T0001' : '' },
	};
	harness.credentialId = `fuzz-${fuzz.signed ? 'signed' : 'token'}-${fuzz.teamRestricted ? 'one-team' : 'any-team'}`;
	harness.parameters = { ...PARAMETERS, options: { verifyBeforeFiltering: fuzz.verifyBeforeFiltering } };
	harness.calls.length = 0;
	harness.typeVersion = fuzz.typeVersion;
	const headers: Record<string, string> = { ...(fuzz.contentType ? { 'content-type': fuzz.contentType } : {}), ...(fuzz.signed ? signatureHeaders(fuzz) : {}) };
	const response = await fetch(harness.url, { method: 'POST', body: fuzz.body, headers });
	const body = await response.text();
	// The node itself never threw (n8n would answer 500).
	for (const call of harness.calls) expect(call.threw).toBeUndefined();
	const started = harness.calls.find((call) => call.started)?.started?.[0].json;
	if (started) expect(serializeDeep(harness.calls)).not.toContain(TOKEN);
	return { status: response.status, body, started };
}

/**
 * What holds for every request, whatever it is: a defined answer, never a 5xx; a reply body only
 * on a 200 (or n8n's own 422); no workflow and no 200 past a check that failed; the challenge only
 * for a signed check.
 */
export function expectAnswerKeepsTheRules(fuzz: FuzzRequest, { status, body, started }: Observation): void {
	expect(DEFINED_STATUSES.has(status)).toBe(true);
	const answersChallenge = fuzz.app === 'verification' && fuzz.typeVersion >= 3 && status === 200;
	if (answersChallenge) {
		// Only a signed check from a credential with the secret gets its challenge back.
		expect(fuzz.signed && fuzz.signatureMode === 'valid').toBe(true);
		expect(body).toBe(fuzz.challenge);
	} else if (status === 200 && body !== '') expect(typeof (JSON.parse(body) as { text?: unknown }).text).toBe('string');
	if (status !== 200) expect(body === '' || status === 422).toBe(true);
	// Verifying first, even a filtered message gets 200 only with the right token and signature.
	const verifiesFirst = fuzz.typeVersion === 1 || fuzz.verifyBeforeFiltering;
	if (verifiesFirst && status === 200) {
		if (fuzz.typeVersion >= 3 && fuzz.app) {
			// A Slack app's request is verified by its signature alone.
			expect(fuzz.signed && fuzz.signatureMode === 'valid').toBe(true);
		} else {
			expect(fuzz.tokenMode).toBe('valid');
			if (fuzz.signed) expect(fuzz.signatureMode).toBe('valid');
		}
	}
	if (!started) return;
	expect(status).toBe(200);
	if (SLACK_APP_SOURCES.has(started.source as string)) {
		// A Slack app's request starts only in version 3, signed, whatever token it carries.
		expect(fuzz.typeVersion).toBe(3);
		expect(fuzz.signed && fuzz.signatureMode === 'valid').toBe(true);
		expect(body).toBe('');
	} else {
		expect(fuzz.tokenMode).toBe('valid');
		// (A form in another charset, say latin1, with the right token may start it: n8n decodes it.)
		if (fuzz.signed) expect(fuzz.signatureMode).toBe('valid');
	}
	if (fuzz.teamRestricted) expect(started.team_id).toBe('T0001');
}
