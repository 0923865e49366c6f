import type { Envelope } from '../shared/socket-mode/frames';
import { SLACK_SOCKET_MODE } from '../shared/slack';
import { eventItem, incomingEventKey, matchEvent, readEventsApiRequest, stringOf, type EventKinds } from '../shared/slack-app/events';
import { incomingInteractionKey, interactionItem, interactionTeamId, matchInteraction } from '../shared/slack-app/interactivity';
import { matchMessage, postedMessageItem, type MatchSettings } from '../shared/slack-app/matching';
import { detectSource, incomingMessageKey, readPostedFields, stringField, type IgnoreRules } from '../shared/slack-app/message';

/**
 * What an envelope starts, decided by the filters of the Slack Outgoing Webhook Trigger's type
 * version 3 (the same functions, the same output items): an Events API message or mention, a
 * slash command, a click or a shortcut. Pure functions: no n8n here.
 */

export interface EnvelopeFilters {
	match: MatchSettings;
	eventKinds: EventKinds;
	actionIds: readonly string[];
	ignore: IgnoreRules;
}

export type EnvelopeKind = 'event' | 'command' | 'interaction';

export interface EnvelopeStart {
	kind: EnvelopeKind;
	/** For the team allow-list. */
	teamId: string;
	/** The duplicate filter's key: the same on every delivery of one event, command or click. */
	key: string | undefined;
	item: Record<string, unknown>;
	/** Where a slash command's late reply goes. */
	responseUrl: string | undefined;
}

/** The field that tells an item from this node from one the HTTP trigger made. */
export const RECEIVED_VIA_SOCKET_MODE = { received_via: 'socket_mode' } as const;

export function envelopeToStart(envelope: Envelope, filters: EnvelopeFilters, receivedAt: Date): EnvelopeStart | undefined {
	const start = decide(envelope, filters, receivedAt);
	return start && { ...start, item: { ...start.item, ...RECEIVED_VIA_SOCKET_MODE, envelope_id: envelope.envelopeId } };
}

function decide(envelope: Envelope, filters: EnvelopeFilters, receivedAt: Date): EnvelopeStart | undefined {
	const { envelopeTypes } = SLACK_SOCKET_MODE;
	switch (envelope.type) {
		case envelopeTypes.events: {
			const request = readEventsApiRequest(envelope.payload);
			if (request?.kind !== 'event') return undefined;
			const match = matchEvent(request.event, filters.eventKinds, filters.match, filters.ignore);
			if (!match) return undefined;
			const retry = { num: envelope.retryAttempt, reason: envelope.retryReason };
			return {
				kind: 'event',
				teamId: stringOf(request.envelope.team_id),
				key: incomingEventKey(request.envelope),
				item: eventItem(request.envelope, request.event, match, retry, receivedAt),
				responseUrl: undefined,
			};
		}
		case envelopeTypes.slashCommands: {
			const fields = readPostedFields(envelope.payload);
			const source = detectSource(fields, false);
			if (source !== 'slack_slash_command') return undefined;
			const match = matchMessage(fields, source, filters.match, filters.ignore);
			if (!match) return undefined;
			return {
				kind: 'command',
				teamId: stringField(fields, 'team_id'),
				key: incomingMessageKey(fields),
				item: postedMessageItem(fields, source, match, receivedAt),
				responseUrl: stringField(fields, 'response_url') || undefined,
			};
		}
		case envelopeTypes.interactive: {
			const match = matchInteraction(envelope.payload, filters.actionIds, filters.match.channels);
			if (!match) return undefined;
			return {
				kind: 'interaction',
				teamId: interactionTeamId(envelope.payload),
				key: incomingInteractionKey(envelope.payload),
				item: interactionItem(envelope.payload, match, receivedAt),
				responseUrl: undefined,
			};
		}
		default:
			return undefined;
	}
}
