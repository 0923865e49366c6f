/**
 * The workspaces a trigger listens to: the credential's Allowed Team IDs, checked on every request
 * or envelope, and checked for shape when the credential is tested.
 */
import { splitList } from '../text';

/** The credential's Allowed Team IDs: empty allows every workspace. */
export function teamAllowed(allowedTeamIds: readonly string[], teamId: unknown): boolean {
	if (allowedTeamIds.length === 0) return true;
	return allowedTeamIds.includes(typeof teamId === 'string' ? teamId : '');
}

/** The first entry of Allowed Team IDs that is not a Slack team ID, if any. */
export function firstInvalidTeamId(allowedTeamIds: unknown): string | undefined {
	return splitList(allowedTeamIds).find((team) => !/^[TE][A-Z0-9]{2,}$/.test(team));
}

/** What a credential test says about a team ID that cannot be one. */
export function describeInvalidTeamId(team: string): string {
	return `"${team}" is not a Slack team ID (they look like T0001 or E0001)`;
}
