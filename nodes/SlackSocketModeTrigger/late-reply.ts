import { responseUrlDestination } from '../shared/sending/destination';
import { reserveResponseUrlMessages } from '../shared/sending/response-url-uses';
import { DEFAULT_DELIVERY_POLICY, WebhookDeliveryError, WebhookSender } from '../shared/sending/sender';
import { createWebhookDispatcher } from '../shared/sending/transport';
import { redactWebhookUrl, scrubSecrets } from '../shared/redact';
import type { SlackReply } from '../shared/slack-app/reply';

/**
 * A slash command's reply that came after its acknowledgement had to go (the workflow took longer
 * than Slack waits): posted to the command's response URL by the Slack Incoming Webhook's own
 * delivery, with its checks (only Slack's response URLs and the hosts the user allowed), its count
 * of Slack's 5 uses per URL, its retries and its rate limit handling.
 */
export async function postLateReply(responseUrl: string, reply: SlackReply, allowedOrigins: readonly string[]): Promise<{ ok: true } | { ok: false; error: unknown }> {
	let reservation: { settle(sent: number): void } | undefined;
	const dispatcher = createWebhookDispatcher({ connectionsPerOrigin: 1 });
	try {
		const destination = responseUrlDestination(responseUrl, allowedOrigins);
		reservation = reserveResponseUrlMessages(destination, 1);
		await new WebhookSender(dispatcher, 'n8n-nodes-slack-webhooks').deliver(destination.url, reply, DEFAULT_DELIVERY_POLICY);
		reservation.settle(1);
		return { ok: true };
	} catch (error) {
		// One that may have reached Slack keeps its use counted.
		reservation?.settle(error instanceof WebhookDeliveryError && error.details.mayHaveBeenPosted ? 1 : 0);
		return { ok: false, error };
	} finally {
		await dispatcher.close();
	}
}

/** Why a late reply failed, fit for n8n's log: the response URL, a bearer secret, never in it. */
export function describeLateReplyFailure(error: unknown, responseUrl: string): string {
	const message = error instanceof Error ? error.message : String(error);
	return `${scrubSecrets(message, [responseUrl])} (${redactWebhookUrl(responseUrl)})`;
}
