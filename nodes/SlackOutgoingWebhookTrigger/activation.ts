/**
 * The check that refuses to activate a trigger that could never start, or whose credential could
 * verify nothing; it also primes the credential cache requests read.
 */
import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import { describeMatchSettingsProblem } from '../shared/slack-app/matching';
import { FILL_IN_SLACK_APP_FILTERS, readActionIds, readMatchSettings } from '../shared/trigger-parameters/read';
import { credentialIdOf, verifiedCredentials } from './credential-cache';
import { describeVerificationProblem, verificationKeysFrom, verificationSettingsFrom } from './verify';

export async function assertUsableSettings(context: IHookFunctions): Promise<void> {
	const problem = describeMatchSettingsProblem(readMatchSettings(context));
	if (problem && !listensToSlackApp(context)) {
		throw new NodeOperationError(context.getNode(), problem, {
			description: context.getNode().typeVersion >= 3 ? FILL_IN_SLACK_APP_FILTERS : 'Fill in Channels, Trigger Words, or both, then activate the workflow again.',
		});
	}
	const settings = verificationSettingsFrom(await context.getCredentials('slackWebhooksOutgoingApi'));
	// Activation reads the credential as it is now: requests use that from here on, so an edited
	// token takes effect at once when the workflow is activated again.
	verifiedCredentials.remember(credentialIdOf(context), verificationKeysFrom(settings));
	const credentialProblem = describeVerificationProblem(settings);
	if (credentialProblem) {
		throw new NodeOperationError(context.getNode(), credentialProblem, {
			description: "Copy the token from the integration's settings page, or a Slack app's Signing Secret from Basic Information, into the Slack Outgoing Webhook API credential, then activate the workflow again.",
		});
	}
}

/** Version 3 also starts for buttons and shortcuts, which need no channel or trigger word. */
function listensToSlackApp(context: IHookFunctions): boolean {
	return context.getNode().typeVersion >= 3 && readActionIds(context).length > 0;
}
