import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { verificationKeysFrom, verificationSettingsFrom, type VerificationKeys } from './verify';

/**
 * n8n reads a credential for every getCredentials call: a database read, a decrypt and (n8n 2.x,
 * CredentialsHelper.applyDefaultsAndOverwrites) an expression isolate, about as much CPU as the
 * rest of a matching request. The trigger keeps what it derives from the credential (token
 * digests, the signing secret as a KeyObject, the team list) in this process's memory for a short
 * while, by credential ID. Nothing here is written, logged or shared with another process.
 *
 * The price: a credential edited in n8n takes effect after at most the lifetime, or at once when
 * the workflow is activated again (n8n then runs the trigger's webhook methods, which forget the
 * entry). n8n gives a node the credential's ID and name only, not when it was last changed.
 */
export const VERIFIED_CREDENTIAL_LIFETIME_MS = 30_000;

/** Enough for every credential of a large instance; beyond it the oldest entry goes. */
const MOST_ENTRIES = 1_000;

interface Entry {
	keys: VerificationKeys;
	expiresAt: number;
}

export class VerifiedCredentialCache {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly lifetimeMs = VERIFIED_CREDENTIAL_LIFETIME_MS,
		private readonly now: () => number = () => performance.now(),
	) {}

	/** The keys for this credential, read through `read` when none are kept or they are too old. */
	async keysFor(credentialId: string | null | undefined, read: () => Promise<VerificationKeys>): Promise<VerificationKeys> {
		// A credential without an ID (not saved in n8n) is never kept: nothing could tell it apart.
		if (!credentialId) return await read();
		const kept = this.entries.get(credentialId);
		if (kept && kept.expiresAt > this.now()) return kept.keys;
		const keys = await read();
		this.remember(credentialId, keys);
		return keys;
	}

	remember(credentialId: string | null | undefined, keys: VerificationKeys): void {
		if (!credentialId) return;
		this.entries.delete(credentialId);
		if (this.entries.size >= MOST_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
		this.entries.set(credentialId, { keys, expiresAt: this.now() + this.lifetimeMs });
	}

	forget(credentialId: string | null | undefined): void {
		if (credentialId) this.entries.delete(credentialId);
	}
}

/** One per n8n process, shared by every trigger of this type in it. */
export const verifiedCredentials = new VerifiedCredentialCache();

/** The saved credential's ID, as n8n gives it to the node; undefined for one that is not saved. */
export function credentialIdOf(context: IWebhookFunctions | IHookFunctions): string | undefined {
	return context.getNode().credentials?.slackWebhooksOutgoingApi?.id ?? undefined;
}

/**
 * The trigger's verification keys for this request: kept ones, or n8n's read of the credential (a
 * database read, a decrypt, and on n8n 2.x an expression isolate).
 */
export async function verificationKeysOf(context: IWebhookFunctions): Promise<VerificationKeys> {
	return await verifiedCredentials.keysFor(credentialIdOf(context), async () =>
		verificationKeysFrom(verificationSettingsFrom(await context.getCredentials('slackWebhooksOutgoingApi'))),
	);
}
