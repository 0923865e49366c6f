import { slackSignatureHeaders } from './slack-fixtures';

/**
 * What a Slack app posts, in the shapes of Slack's reference pages: the `url_verification` check,
 * an `event_callback` envelope around a `message` or `app_mention` event, and the interaction
 * payloads (`block_actions`, `message_action`, `shortcut`) as a form's `payload` field. IDs are
 * Slack's documentation examples; `token` is the deprecated verification token a Slack app still
 * sends, which the trigger ignores and never passes on.
 */

export const APP_VERIFICATION_TOKEN = 'app-verification-token-not-real';
let sequence = 0;
/** A fresh event ID and message ts, so the duplicate filter sees a new event. */
export const nextEventId = () => `Ev${String(++sequence).padStart(8, '0')}`;
const nextTs = () => `${1_700_000_000 + sequence}.${String(sequence).padStart(6, '0')}`;

export function urlVerification(challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'): Record<string, unknown> {
	return { token: APP_VERIFICATION_TOKEN, challenge, type: 'url_verification' };
}

export function messageEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return { type: 'message', channel: 'C2147483705', channel_type: 'channel', user: 'U2147483697', text: 'deploy web now', ts: nextTs(), event_ts: nextTs(), ...overrides };
}

export function appMentionEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return { type: 'app_mention', channel: 'C2147483705', user: 'U2147483697', text: '<@U0LAN0Z89> deploy web', ts: nextTs(), event_ts: nextTs(), ...overrides };
}

export function eventCallback(event: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		token: APP_VERIFICATION_TOKEN,
		team_id: 'T0001',
		api_app_id: 'A0F7XDUAZ',
		event,
		type: 'event_callback',
		event_id: nextEventId(),
		event_time: 1_700_000_000,
		...overrides,
	};
}

export function blockActions(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const ts = nextTs();
	return {
		type: 'block_actions',
		token: APP_VERIFICATION_TOKEN,
		team: { id: 'T0001', domain: 'example' },
		user: { id: 'U2147483697', username: 'steve', name: 'steve', team_id: 'T0001' },
		api_app_id: 'A0F7XDUAZ',
		container: { type: 'message', message_ts: ts, channel_id: 'C2147483705', is_ephemeral: false },
		trigger_id: `${++sequence}.1.abc`,
		channel: { id: 'C2147483705', name: 'test' },
		message: { type: 'message', ts, text: 'Report ready' },
		response_url: 'https://hooks.slack.com/actions/T0001/1/not-a-real-response-url',
		actions: [{ action_id: 'approve', block_id: 'decide', type: 'button', value: 'report-42', action_ts: ts }],
		...overrides,
	};
}

export function messageShortcut(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		type: 'message_action',
		token: APP_VERIFICATION_TOKEN,
		callback_id: 'file_ticket',
		trigger_id: `${++sequence}.1.def`,
		team: { id: 'T0001', domain: 'example' },
		user: { id: 'U2147483697', name: 'steve' },
		channel: { id: 'C2147483705', name: 'test' },
		message: { type: 'message', user: 'U2147483697', ts: nextTs(), text: 'the build is red' },
		response_url: 'https://hooks.slack.com/app/T0001/1/not-a-real-response-url',
		...overrides,
	};
}

export function globalShortcut(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		type: 'shortcut',
		token: APP_VERIFICATION_TOKEN,
		callback_id: 'new_ticket',
		trigger_id: `${++sequence}.1.ghi`,
		team: { id: 'T0001', domain: 'example' },
		user: { id: 'U2147483697', username: 'steve' },
		...overrides,
	};
}

/** A slash command's fields, as Slack posts them to a Request URL and puts them in a Socket Mode envelope's payload. */
export function slashCommand(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		token: APP_VERIFICATION_TOKEN,
		team_id: 'T0001',
		team_domain: 'example',
		channel_id: 'C2147483705',
		channel_name: 'test',
		user_id: 'U2147483697',
		user_name: 'Steve',
		command: '/deploy',
		text: 'web "next week"',
		api_app_id: 'A0F7XDUAZ',
		is_enterprise_install: 'false',
		response_url: 'https://hooks.slack.com/commands/T0001/1/not-a-real-response-url',
		trigger_id: `${++sequence}.1.jkl`,
		...overrides,
	};
}

/** Slack's interactivity post: a form with the payload's JSON in one field. */
export const interactivityForm = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

export const JSON_TYPE = { 'content-type': 'application/json' };
export const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/** The body and headers of a Slack app's signed request. */
export function signedJson(body: Record<string, unknown>, signingSecret: string, timestamp?: number): { body: string; headers: Record<string, string> } {
	const text = JSON.stringify(body);
	return { body: text, headers: { ...JSON_TYPE, ...slackSignatureHeaders(text, signingSecret, timestamp) } };
}

export function signedInteraction(payload: Record<string, unknown>, signingSecret: string, timestamp?: number): { body: string; headers: Record<string, string> } {
	const text = interactivityForm(payload);
	return { body: text, headers: { ...FORM_TYPE, ...slackSignatureHeaders(text, signingSecret, timestamp) } };
}
