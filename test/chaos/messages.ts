/**
 * The chaos suite's mixed load: Slack's incoming messages of every kind the trigger takes, each
 * carrying its own ID in its text so that the executions it started can be found in n8n's
 * database, and each with the fields the duplicate filter keys on (timestamp, trigger_id,
 * event_id) unique to it.
 */
import E2E from '../harness/fixtures/secrets.json';
import { eventCallback, messageEvent, signedJson, slashCommand } from '../helpers/slack-app-fixtures';
import { seedOutgoingWebhookPost } from '../helpers/slack-fixtures';
import type { FailureReason, OutgoingMessage, SlackRequest } from './slack-sender';

export type MessageKind = 'post' | 'filteredPost' | 'slashCommand' | 'event' | 'slowPost';

/** Where each kind goes and what starts its workflow: test/harness/fixtures/chaos.mjs (CHAOS), passed on by scripts/test-chaos.mjs. */
export interface ChaosTriggers {
	posts: { webhookId: string; triggerWord: string };
	slashCommands: { webhookId: string; triggerWord: string };
	events: { webhookId: string; triggerWord: string; channel: string };
	slowPosts: { webhookId: string; triggerWord: string };
}

/** One message ID per message of a run: `msg-<fault>-<n>`, found again in n8n's stored executions. */
export const MESSAGE_ID_PATTERN = /msg-[a-z]+-\d+/g;
export const messageId = (fault: string, n: number) => `msg-${fault}-${n}`;

/** Ten messages in turn: four posts, one of them filtered out, two events, one slash command, two slow posts. */
const MIX: MessageKind[] = ['post', 'event', 'slowPost', 'post', 'filteredPost', 'slashCommand', 'post', 'event', 'slowPost', 'post'];
export const kindOf = (n: number): MessageKind => MIX[n % MIX.length];

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (path: string, fields: Record<string, string>): SlackRequest => ({ path, body: new URLSearchParams(fields).toString(), headers: FORM });
const pathOf = (webhookId: string) => `/webhook/${webhookId}/slack`;

/** A Slack timestamp no other message of the run has: the duplicate filter keys posts on it. */
let sequence = 0;
const uniqueTimestamp = () => `${1_800_000_000 + ++sequence}.${String(sequence % 1_000_000).padStart(6, '0')}`;

/** The message of kind `kind` whose text carries `id`. */
export function chaosMessage(id: string, kind: MessageKind, triggers: ChaosTriggers): OutgoingMessage {
	const outgoingPost = (webhookId: string, text: string, triggerWord: string) => {
		const fields = { ...seedOutgoingWebhookPost(E2E.token), timestamp: uniqueTimestamp(), text, trigger_word: triggerWord };
		// Slack sends an outgoing webhook post again as it was.
		return () => form(pathOf(webhookId), fields);
	};
	switch (kind) {
		case 'post':
			return { id, kind, retried: true, request: outgoingPost(triggers.posts.webhookId, `${triggers.posts.triggerWord} ${id}`, triggers.posts.triggerWord) };
		case 'filteredPost':
			// No trigger word: the trigger answers 200 and starts nothing.
			return { id, kind, retried: true, request: outgoingPost(triggers.posts.webhookId, `nothing for the workflow ${id}`, '') };
		case 'slowPost':
			return { id, kind, retried: true, request: outgoingPost(triggers.slowPosts.webhookId, `${triggers.slowPosts.triggerWord} ${id}`, triggers.slowPosts.triggerWord) };
		case 'slashCommand': {
			// Every value of Slack's slash command form is a string.
			const fields = slashCommand({ token: E2E.token, command: triggers.slashCommands.triggerWord, text: id, trigger_id: `${++sequence}.1.chaos` }) as Record<string, string>;
			return { id, kind, retried: false, request: () => form(pathOf(triggers.slashCommands.webhookId), fields) };
		}
		case 'event': {
			const envelope = eventCallback(messageEvent({ channel: triggers.events.channel, text: `${triggers.events.triggerWord} ${id}` }), { event_id: `Ev${id.replace(/-/g, '')}` });
			return { id, kind, retried: true, request: (retryNum, reason) => signedEvent(pathOf(triggers.events.webhookId), envelope, retryNum, reason) };
		}
	}
}

/** Each attempt signed anew, as Slack does; a retry says which it is and why (Events API, "Retries"). */
function signedEvent(path: string, envelope: Record<string, unknown>, retryNum: number, reason: FailureReason | undefined): SlackRequest {
	const signed = signedJson(envelope, E2E.signingSecret);
	const retryHeaders: Record<string, string> = retryNum > 0 ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason ?? 'unknown_error' } : {};
	return { path, body: signed.body, headers: { ...signed.headers, ...retryHeaders } };
}
