/**
 * A Slack workflow start that failed, in a workflow builder's words: whether the workflow may have
 * started (then sending the item again could start it twice), and what a refusal Slack does not
 * name means by its status.
 */
import type { WebhookDeliveryError } from '../../shared/sending/sender';
import { SLACK_WEBHOOK_ERRORS } from '../../shared/slack';

/** Why a workflow trigger refused a start with no error string the package knows, by status. */
export const WORKFLOW_TRIGGER_REFUSED: Readonly<Record<number, string>> = {
	400: 'Slack refused the variables: a variable the workflow requires is missing, or a value does not fit its type (a user, channel or email variable). Check the names and values against Workflow Builder (From a webhook → Set up variables).',
	401: 'Slack refused to start the workflow: the trigger URL is not valid (any more). Copy it again from Workflow Builder.',
	403: "Slack refused to start the workflow: it may be turned off or unpublished, its trigger restricted by an admin, or the workspace's plan may not include workflows that start from a webhook. Ask a Slack admin.",
	404: 'No workflow answers at this trigger URL: the workflow or its webhook trigger was deleted. Copy the URL again from Workflow Builder, or create the trigger again.',
	410: 'No workflow answers at this trigger URL: the workflow or its webhook trigger was deleted. Copy the URL again from Workflow Builder, or create the trigger again.',
};

const MAY_HAVE_STARTED =
	"The Slack workflow may have started: check the workflow's activity in Slack before sending this item again, since a second request would start it a second time. Turn on Options → \"Retry When the Message May Have Been Posted\" to retry such failures automatically.";

/** The error's message and description for a workflow trigger, replacing those written for messages. */
export function describeWorkflowTriggerFailure(error: WebhookDeliveryError): { message: string; description: string } {
	const { details } = error;
	if (details.mayHaveBeenPosted) {
		const cause = details.status ? `Slack answered ${details.status}` : 'the connection failed after the variables were sent';
		return { message: `The Slack workflow may have started: ${cause} (${details.webhook})`, description: MAY_HAVE_STARTED };
	}
	if (error.code === 'RATE_LIMIT_WAIT_EXCEEDED') {
		return { message: error.message.replace('this webhook', 'this workflow trigger'), description: details.description.replace('The message was not posted. The webhook accepts messages', 'The workflow was not started. The trigger accepts requests') };
	}
	const known = details.slackError ? SLACK_WEBHOOK_ERRORS[details.slackError] : undefined;
	if (known || details.status === undefined) return { message: error.message, description: details.description };
	const refused = WORKFLOW_TRIGGER_REFUSED[details.status];
	return {
		message: `The Slack workflow was not started: Slack answered ${details.status}${details.slackError ? ` (${details.slackError})` : ''} (${details.webhook})`,
		description: refused ?? 'Slack did not start the workflow. Sending the same variables again will not help.',
	};
}
