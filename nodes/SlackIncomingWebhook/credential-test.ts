import type { INodeCredentialTestResult } from 'n8n-workflow';

import { slackErrorString } from '../shared/sending/sender';
import { redactWebhookUrl, scrubSecrets } from '../shared/redact';
import { isWorkflowTriggerPath, SLACK_WEBHOOK_ERRORS } from '../shared/slack';
import { createWebhookDispatcher, postJson, TransportError } from '../shared/sending/transport';

/** A live hook rejects an empty message with one of these, without posting anything. */
const LIVE_HOOK_ANSWERS = new Set(['no_text', 'invalid_payload', 'missing_text_or_fallback_or_attachments']);

/**
 * Checks a webhook URL without posting a message: an empty JSON object is not a message, so a
 * live Slack hook answers 400 (no_text or invalid_payload), and a revoked or wrong one says why.
 */
export async function testIncomingWebhook(webhookUrl: string, timeoutMs = 10_000): Promise<INodeCredentialTestResult> {
	let url: URL;
	try {
		url = new URL(webhookUrl.trim());
		if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
	} catch {
		return { status: 'Error', message: 'The webhook URL must be an http(s) URL, such as https://hooks.slack.com/services/…' };
	}
	const webhook = redactWebhookUrl(webhookUrl);
	if (isWorkflowTriggerPath(url.pathname)) return await testWorkflowTrigger(url, webhookUrl, webhook, timeoutMs);
	const dispatcher = createWebhookDispatcher({ connectionsPerOrigin: 1 });
	try {
		const response = await postJson(dispatcher, url, '{}', timeoutMs, 'n8n-nodes-slack-webhooks credential test');
		const answer = slackErrorString(response.body) ?? '';
		const reportsProblem = answer in SLACK_WEBHOOK_ERRORS && !LIVE_HOOK_ANSWERS.has(answer);
		const accepted = response.status >= 200 && response.status < 300;
		if (accepted || (response.status === 400 && !reportsProblem)) {
			return { status: 'OK', message: 'Webhook is valid' };
		}
		const known = SLACK_WEBHOOK_ERRORS[answer];
		const message = known
			? `${known.message} (Slack: ${answer}). ${known.action}`
			: `The webhook answered ${response.status}${answer ? `: ${answer}` : ''}. Check the URL (${webhook}).`;
		return { status: 'Error', message: scrubSecrets(message, [webhookUrl]) };
	} catch (error) {
		const message = error instanceof TransportError ? error.message : 'The webhook could not be reached';
		return { status: 'Error', message: `${scrubSecrets(message, [webhookUrl])} (${webhook})` };
	} finally {
		await dispatcher.close();
	}
}

/**
 * A workflow trigger starts its Slack workflow on every POST, even an empty one, so the test never
 * posts: it checks the URL's shape (done by the caller) and that its host answers a HEAD request,
 * which starts nothing. Whether the trigger is live and which variables it takes shows on the
 * first run only, and the message says so.
 */
async function testWorkflowTrigger(url: URL, webhookUrl: string, webhook: string, timeoutMs: number): Promise<INodeCredentialTestResult> {
	const dispatcher = createWebhookDispatcher({ connectionsPerOrigin: 1 });
	try {
		const { statusCode, body } = await dispatcher.request({
			origin: url.origin,
			path: `${url.pathname}${url.search}`,
			method: 'HEAD',
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
			headers: { 'user-agent': 'n8n-nodes-slack-webhooks credential test' },
		});
		await body.dump();
		return {
			status: 'OK',
			message: `This is a Slack workflow trigger URL and its host answers (HTTP ${statusCode} to a request that starts nothing). The test does not start the workflow, so whether the trigger is live and which variables it takes shows on the first run.`,
		};
	} catch (error) {
		const message = error instanceof Error ? error.message : 'The workflow trigger host could not be reached';
		return { status: 'Error', message: `The workflow trigger host could not be reached: ${scrubSecrets(message, [webhookUrl])} (${webhook})` };
	} finally {
		await dispatcher.close();
	}
}
