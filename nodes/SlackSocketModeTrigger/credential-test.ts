import type { INodeCredentialTestResult } from 'n8n-workflow';
import { EnvHttpProxyAgent } from 'undici';

import { apiBaseUrlFrom, openConnectionUrl } from '../shared/socket-mode/open-connection';
import { describeInvalidTeamId, firstInvalidTeamId } from '../shared/slack-app/teams';

/**
 * The Socket Mode credential's Test button: asks Slack for a connection URL with the token, as the
 * trigger does, and opens nothing (an unused URL expires). A wrong, revoked or bot token fails
 * with what to fix.
 */
export async function testSocketModeCredential(data: Record<string, unknown>, timeoutMs = 10_000): Promise<INodeCredentialTestResult> {
	const badTeam = firstInvalidTeamId(data.allowedTeamIds);
	if (badTeam) return { status: 'Error', message: describeInvalidTeamId(badTeam) };
	let apiBaseUrl: URL;
	try {
		apiBaseUrl = apiBaseUrlFrom(data.slackApiUrl);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const dispatcher = new EnvHttpProxyAgent();
	try {
		const answer = await openConnectionUrl(typeof data.appToken === 'string' ? data.appToken : '', apiBaseUrl, dispatcher, timeoutMs);
		switch (answer.kind) {
			case 'url':
				return { status: 'OK', message: "Slack accepts the token. Turn on Socket Mode in the app's settings if it is not on yet." };
			case 'tokenRefused':
				return { status: 'Error', message: `${answer.message} (Slack: ${answer.slackError}). ${answer.action}` };
			case 'tryAgain':
				return { status: 'Error', message: `${answer.reason}; try again in a moment` };
		}
	} finally {
		await dispatcher.close();
	}
}
