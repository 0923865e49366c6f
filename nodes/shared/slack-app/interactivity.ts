import { SLACK_INTERACTIVITY } from '../slack';
import { isObject, stringOf } from './events';
import { channelMatches } from './matching';

/**
 * A Slack app's interactivity requests: button clicks and menu choices (`block_actions`), message
 * shortcuts and global shortcuts. Slack posts them as a form whose `payload` field is JSON. Pure
 * functions: no n8n here.
 */

export type InteractionPayload = Record<string, unknown>;

export type InteractivityRequest =
	| { kind: 'interaction'; payload: InteractionPayload }
	/** A `payload` field that is not a JSON object: nothing Slack sends. */
	| { kind: 'unreadable' };

/** A form post with a `payload` field; undefined for any other body (an outgoing webhook, a slash command). */
export function readInteractivityRequest(body: unknown): InteractivityRequest | undefined {
	if (!isObject(body) || !(SLACK_INTERACTIVITY.payloadField in body)) return undefined;
	const raw = body[SLACK_INTERACTIVITY.payloadField];
	if (typeof raw !== 'string') return { kind: 'unreadable' };
	try {
		const payload: unknown = JSON.parse(raw);
		return isObject(payload) ? { kind: 'interaction', payload } : { kind: 'unreadable' };
	} catch {
		return { kind: 'unreadable' };
	}
}

export interface InteractionAction {
	action_id: string;
	block_id: string | null;
	type: string | null;
	/** A button's value, or the chosen option's value for a menu. */
	value: string | null;
}

export interface InteractionMatch {
	/** The action that matched (block_actions), or undefined for a shortcut. */
	action: InteractionAction | undefined;
	actions: InteractionAction[];
}

/**
 * Whether an interaction starts the workflow: a button or menu whose `action_id`, or a shortcut
 * whose `callback_id`, is one of `ids`, in a listened-to channel when the payload has a channel
 * (a global shortcut has none). Anything else (a modal submission, an unknown ID) starts nothing.
 */
export function matchInteraction(payload: InteractionPayload, ids: readonly string[], channels: readonly string[]): InteractionMatch | undefined {
	if (ids.length === 0) return undefined;
	const channelId = interactionChannel(payload).id;
	if (channelId !== null && !channelMatches(channels, channelId, '')) return undefined;
	if (payload.type === SLACK_INTERACTIVITY.blockActionsType) {
		const actions = readActions(payload.actions);
		const action = actions.find((candidate) => ids.includes(candidate.action_id));
		return action ? { action, actions } : undefined;
	}
	if (payload.type === SLACK_INTERACTIVITY.messageShortcutType || payload.type === SLACK_INTERACTIVITY.globalShortcutType) {
		return ids.includes(stringOf(payload.callback_id)) ? { action: undefined, actions: [] } : undefined;
	}
	return undefined;
}

/** Slack's interactive elements per block_actions payload are few (25 per actions block); bounded anyway. */
const MAX_ACTIONS = 100;

function readActions(value: unknown): InteractionAction[] {
	if (!Array.isArray(value)) return [];
	return value.slice(0, MAX_ACTIONS).filter(isObject).map((action) => ({
		action_id: stringOf(action.action_id),
		block_id: stringOf(action.block_id) || null,
		type: stringOf(action.type) || null,
		value: stringOf(action.value) || (isObject(action.selected_option) ? stringOf(action.selected_option.value) : '') || null,
	}));
}

function interactionChannel(payload: InteractionPayload): { id: string | null; name: string | null } {
	const channel = isObject(payload.channel) ? payload.channel : {};
	const container = isObject(payload.container) ? payload.container : {};
	const id = stringOf(channel.id) || stringOf(container.channel_id);
	return { id: id || null, name: stringOf(channel.name) || null };
}

/** The team the interaction came from, for the team allow-list. */
export function interactionTeamId(payload: InteractionPayload): string {
	return isObject(payload.team) ? stringOf(payload.team.id) : '';
}

/** The item the workflow starts with: what a builder needs at the top, the payload (without its token) below. */
export function interactionItem(payload: InteractionPayload, match: InteractionMatch, receivedAt: Date): Record<string, unknown> {
	const { token: _token, ...withoutToken } = payload;
	const user = isObject(payload.user) ? payload.user : {};
	const container = isObject(payload.container) ? payload.container : {};
	const message = isObject(payload.message) ? payload.message : {};
	const channel = interactionChannel(payload);
	return {
		source: 'slack_interactivity',
		type: stringOf(payload.type),
		action_id: match.action?.action_id ?? null,
		value: match.action?.value ?? null,
		actions: match.actions,
		callback_id: stringOf(payload.callback_id) || null,
		team_id: interactionTeamId(payload) || null,
		api_app_id: stringOf(payload.api_app_id) || null,
		user: stringOf(user.id) || null,
		user_name: stringOf(user.username) || stringOf(user.name) || null,
		channel: channel.id,
		channel_name: channel.name,
		ts: stringOf(container.message_ts) || stringOf(message.ts) || null,
		response_url: stringOf(payload.response_url) || null,
		trigger_id: stringOf(payload.trigger_id) || null,
		received_at: receivedAt.toISOString(),
		payload: withoutToken,
	};
}

/**
 * What identifies one click or shortcut when it is delivered again: Slack's trigger_id, unique per
 * interaction. Over HTTP Slack does not send an interaction again; over Socket Mode an envelope
 * not acknowledged is.
 */
export function incomingInteractionKey(payload: InteractionPayload): string | undefined {
	const triggerId = stringOf(payload.trigger_id);
	return triggerId === '' ? undefined : `interaction|${interactionTeamId(payload)}|${triggerId}`;
}
