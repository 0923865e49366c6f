import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { teamAllowed } from '../shared/slack-app/teams';
import { splitList } from '../shared/text';

/**
 * Checks that gate every execution and every reply: the content type, the token, the signature
 * of a Slack app's request, the team. A request that fails one never starts a workflow and
 * learns nothing from the answer.
 */

export type BodyKind = 'form' | 'json';

export function bodyKind(contentType: string | undefined): BodyKind | undefined {
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'application/x-www-form-urlencoded') return 'form';
	if (type === 'application/json') return 'json';
	return undefined;
}

export interface VerificationSettings {
	tokens: readonly string[];
	signingSecret?: string;
	allowedTeamIds: readonly string[];
}

export interface SignedRequest {
	token: unknown;
	teamId: unknown;
	rawBody: Buffer | string | undefined;
	signature: string | undefined;
	timestamp: string | undefined;
	nowSeconds: number;
}

/** What the checks read of an HTTP request: Slack's signature headers and the raw body n8n keeps. */
export function signedRequestFrom(request: { headers: IncomingHttpHeaders }, token: unknown, teamId: unknown): SignedRequest {
	return {
		token,
		teamId,
		rawBody: (request as unknown as { rawBody?: Buffer }).rawBody,
		signature: headerValue(request.headers['x-slack-signature']),
		timestamp: headerValue(request.headers['x-slack-request-timestamp']),
		nowSeconds: Math.floor(Date.now() / 1000),
	};
}

export function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/**
 * What the checks keep of a credential between requests: SHA-256 digests of the tokens, never the
 * tokens, and the signing secret as a KeyObject, which neither a log line, util.inspect nor
 * JSON.stringify shows.
 */
export interface VerificationKeys {
	tokenDigests: readonly Buffer[];
	signingKey?: KeyObject;
	allowedTeamIds: readonly string[];
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Slack rejects requests whose timestamp is more than five minutes away; so does this node. */
export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

/** The credential's fields, as the checks use them; a pasted secret's stray white space is dropped. */
export function verificationSettingsFrom(credential: Record<string, unknown>): VerificationSettings {
	const signingSecret = typeof credential.signingSecret === 'string' ? credential.signingSecret.trim() : '';
	return {
		tokens: [...splitList(credential.token), ...splitList(credential.additionalTokens)],
		signingSecret: signingSecret === '' ? undefined : signingSecret,
		allowedTeamIds: splitList(credential.allowedTeamIds),
	};
}

/**
 * A token, a signing secret, or both: a Slack app is verified by its signing secret alone (Slack
 * deprecated verification tokens), a legacy outgoing webhook or Mattermost by its token. When both
 * are set, a request must pass both.
 */
export function describeVerificationProblem(settings: Pick<VerificationSettings, 'tokens' | 'signingSecret'>): string | undefined {
	if (settings.tokens.length === 0 && !settings.signingSecret) {
		return 'Set a Token or a Signing Secret in the credential: without either, no request can be verified';
	}
	return undefined;
}

export function verificationKeysFrom(settings: VerificationSettings): VerificationKeys {
	return {
		tokenDigests: settings.tokens.filter((token) => token !== '').map(sha256),
		signingKey: settings.signingSecret ? createSecretKey(Buffer.from(settings.signingSecret, 'utf8')) : undefined,
		allowedTeamIds: settings.allowedTeamIds,
	};
}

export function verifyRequest(request: SignedRequest, settings: VerificationSettings): Verdict {
	return verifyRequestWithKeys(request, verificationKeysFrom(settings));
}

export function verifyRequestWithKeys(request: SignedRequest, keys: VerificationKeys): Verdict {
	if (keys.tokenDigests.length === 0 && !keys.signingKey) return { ok: false, status: 401, reason: 'the credential has no token and no signing secret' };
	if (keys.tokenDigests.length > 0 && !tokenDigestMatches(request.token, keys.tokenDigests)) {
		return { ok: false, status: 401, reason: typeof request.token === 'string' && request.token !== '' ? 'wrong token' : 'missing token' };
	}
	if (keys.signingKey) {
		const signature = checkSlackSignature(request, keys.signingKey);
		if (signature !== 'valid') return { ok: false, status: 401, reason: `signature ${signature}` };
	}
	if (!teamAllowed(keys.allowedTeamIds, request.teamId)) return { ok: false, status: 403, reason: 'team not allowed' };
	return { ok: true };
}

/**
 * Compares in constant time against every configured token (all of them, always), so neither
 * the answer time nor its content tells which token or how much of it matched. Digests make the
 * lengths equal, as timingSafeEqual requires.
 */
export function tokenMatches(given: unknown, tokens: readonly string[]): boolean {
	return tokenDigestMatches(given, tokens.filter((token) => token !== '').map(sha256));
}

function tokenDigestMatches(given: unknown, tokenDigests: readonly Buffer[]): boolean {
	if (typeof given !== 'string' || given === '') return false;
	const givenDigest = sha256(given);
	let matched = false;
	for (const digest of tokenDigests) matched = timingSafeEqual(givenDigest, digest) || matched;
	return matched;
}

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'mismatch';

/** Slack's request signing: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function checkSlackSignature(
	request: Pick<SignedRequest, 'rawBody' | 'signature' | 'timestamp' | 'nowSeconds'>,
	signingSecret: string | KeyObject,
): SignatureCheck {
	const { signature, timestamp, rawBody } = request;
	if (!signature || !timestamp || rawBody === undefined) return 'missing';
	if (!/^\d{1,12}$/.test(timestamp)) return 'mismatch';
	if (Math.abs(request.nowSeconds - Number(timestamp)) > SIGNATURE_MAX_AGE_SECONDS) return 'stale';
	const expected = signSlackRequest(signingSecret, timestamp, rawBody);
	const given = Buffer.from(signature, 'utf8');
	const wanted = Buffer.from(expected, 'utf8');
	return given.length === wanted.length && timingSafeEqual(given, wanted) ? 'valid' : 'mismatch';
}

export function signSlackRequest(signingSecret: string | KeyObject, timestamp: string, rawBody: Buffer | string): string {
	const hmac = createHmac('sha256', signingSecret);
	hmac.update(`v0:${timestamp}:`);
	hmac.update(rawBody);
	return `v0=${hmac.digest('hex')}`;
}

function sha256(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}
