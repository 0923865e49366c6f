/**
 * The Slack Socket Mode Trigger through n8n-core (TriggersAndPollers.runTriggerFunction and a
 * TriggerContext, test/helpers/n8n-trigger-harness.ts) against the stand-in for Slack's socket
 * server on 127.0.0.1: events, slash commands and clicks, filtered and matching, their
 * acknowledgements (each one's time recorded), the Respond choices, resends, n8n failing to start
 * the workflow, two workflows and the editor's test listener on one app, and activation failures.
 */
import { n8nLogFile, readN8nLog, restoreLogSettings } from '../../helpers/n8n-debug-log';

import type { IDataObject } from 'n8n-workflow';
import { readFileSync, writeFileSync } from 'node:fs';

import { START_WAIT_MS, REPLY_WAIT_MS } from '../../../nodes/SlackSocketModeTrigger/listener';
import { configureSocketModeSessions, socketModeConnectionCount } from '../../../nodes/shared/socket-mode/sessions';
import { N8nTriggerHarness } from '../../helpers/n8n-trigger-harness';
import { serializeDeep } from '../../helpers/serialize';
import { appMentionEvent, blockActions, eventCallback, globalShortcut, messageEvent, slashCommand, APP_VERIFICATION_TOKEN } from '../../helpers/slack-app-fixtures';
import { STEADY_SOCKET_MODE_TIMINGS, percentile, SlackSocketServer, type SentEnvelope } from '../../helpers/slack-socket-server';
import { SlackWebhookServer } from '../../helpers/slack-webhook-server';
import { TriggerHarness } from '../../helpers/n8n-webhook-harness';
import { signedInteraction, signedJson } from '../../helpers/slack-app-fixtures';
import { slackSignatureHeaders } from '../../helpers/slack-fixtures';
import { sleep, waitFor } from '../../helpers/wait-for';

const APP_TOKEN = 'xapp-1-A0STANDIN-7-not-real-0123456789abcdef';
const PARAMETERS = { channels: 'C2147483705', triggerWords: 'deploy, /deploy', actionIds: 'approve, new_ticket', respond: 'immediately', replyText: 'On it' };

let slack: SlackSocketServer;
const harnesses: N8nTriggerHarness[] = [];
/** Every acknowledgement of the file, for the figures printed at the end. */
const ackLatencies: { kind: string; ms: number }[] = [];

beforeAll(() => {
	writeFileSync(n8nLogFile, '');
	configureSocketModeSessions({ timings: STEADY_SOCKET_MODE_TIMINGS });
});
afterAll(() => {
	configureSocketModeSessions({});
	restoreLogSettings();
	const figures = (kind: string) => ackLatencies.filter((entry) => entry.kind === kind).map((entry) => entry.ms);
	for (const kind of ['filtered', 'started']) {
		const values = figures(kind);
		if (values.length > 0) console.log(`acknowledgement of ${values.length} ${kind} envelopes: p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`);
	}
});
beforeEach(async () => {
	slack = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
});
afterEach(async () => {
	for (const harness of harnesses.splice(0)) await harness.deactivate();
	await slack.stop();
	expect(socketModeConnectionCount()).toBe(0);
});

function credentials(extra: IDataObject = {}) {
	return { slackWebhooksSocketModeApi: { appToken: APP_TOKEN, allowedTeamIds: '', slackApiUrl: slack.apiBaseUrl, ...extra } };
}

async function activate(options: { parameters?: IDataObject; credential?: IDataObject; mode?: 'trigger' | 'manual'; workflowId?: string } = {}): Promise<N8nTriggerHarness> {
	const harness = new N8nTriggerHarness({ parameters: options.parameters ?? PARAMETERS, credentials: credentials(options.credential), mode: options.mode, workflowId: options.workflowId });
	harnesses.push(harness);
	await harness.activate();
	// Activation does not wait for Slack's hello; envelopes are sent once the connection is there.
	if (!slack.socketModeOff && slack.nextOpenAnswers.length === 0) await waitFor(() => slack.live().some((connection) => !connection.refused && !connection.leaving), 'the connection');
	await sleep(20);
	return harness;
}

/** Waits for Slack's acknowledgement and records its time. */
/** n8n's log holds `text` (the logger writes a moment after the call). */
async function expectLogged(text: string): Promise<void> {
	expect(await readN8nLog(text)).toContain(text);
}

async function acknowledged(envelopeId: string, kind: 'filtered' | 'started', timeoutMs = 10_000): Promise<SentEnvelope> {
	const sent = slack.envelopes.get(envelopeId)!;
	await waitFor(() => sent.acks.length > 0, `the acknowledgement of ${envelopeId}`, timeoutMs);
	ackLatencies.push({ kind, ms: sent.acks[0].latencyMs });
	return sent;
}

const items = (harness: N8nTriggerHarness) => harness.executions.map((execution) => execution.items[0].json);

describe('Events API messages and mentions', () => {
	it('starts for a matching message with the HTTP trigger\'s item, says it came over Socket Mode, and acknowledges it', async () => {
		const harness = await activate();
		const event = messageEvent({ text: 'deploy "web app" now' });
		const envelope = eventCallback(event, { event_id: 'Ev0SOCKET1', event_time: 1_700_000_123 });
		const id = slack.send('events_api', envelope);
		const sent = await acknowledged(id, 'started');
		expect(sent.acks[0].payload).toBeUndefined();
		// Field for field the HTTP trigger's item: see "the same items as the HTTP trigger" below.
		expect(items(harness)).toEqual([
			expect.objectContaining({ source: 'slack_events_api', event_id: 'Ev0SOCKET1', event_time: '2023-11-14T22:15:23.000Z', ts: event.ts, text_without_trigger: '"web app" now', args: ['web app', 'now'], retry_num: 0, event, received_via: 'socket_mode', envelope_id: id }),
		]);
		expect(serializeDeep(harness.executions)).not.toContain(APP_VERIFICATION_TOKEN);
	});

	it('acknowledges and starts nothing for messages the filters drop: another channel, no trigger word, a bot, an edit, a mention when only messages are wanted', async () => {
		const harness = await activate({ parameters: { ...PARAMETERS, eventKinds: 'messages' } });
		const dropped = [
			messageEvent({ channel: 'C0OTHER' }),
			messageEvent({ text: 'hello there' }),
			messageEvent({ bot_id: 'B1', subtype: 'bot_message' }),
			messageEvent({ subtype: 'message_changed' }),
			appMentionEvent(),
		].map((event) => slack.send('events_api', eventCallback(event)));
		for (const id of dropped) expect((await acknowledged(id, 'filtered')).acks[0].payload).toBeUndefined();
		expect(harness.executions).toHaveLength(0);
	});

	it('starts for a mention, with the mention set aside, when mentions are accepted', async () => {
		const harness = await activate({ parameters: { ...PARAMETERS, eventKinds: 'mentions' } });
		await acknowledged(slack.send('events_api', eventCallback(appMentionEvent({ text: '<@U0LAN0Z89> deploy web' }))), 'started');
		expect(items(harness)).toEqual([expect.objectContaining({ event_type: 'app_mention', mention: '<@U0LAN0Z89>', text_without_trigger: 'web' })]);
	});

	it("starts nothing for a team not in the credential's Allowed Team IDs", async () => {
		const harness = await activate({ credential: { allowedTeamIds: 'T0002' } });
		await acknowledged(slack.send('events_api', eventCallback(messageEvent())), 'filtered');
		await acknowledged(slack.send('events_api', eventCallback(messageEvent(), { team_id: 'T0002' })), 'started');
		expect(items(harness).map((item) => item.team_id)).toEqual(['T0002']);
	});
});

describe('slash commands', () => {
	it('Immediately: starts, and the reply goes in the acknowledgement', async () => {
		const harness = await activate();
		const sent = await acknowledged(slack.send('slash_commands', slashCommand()), 'started');
		expect(sent.acks[0].payload).toEqual({ text: 'On it' });
		expect(items(harness)).toEqual([
			expect.objectContaining({ source: 'slack_slash_command', command: '/deploy', text_without_trigger: 'web "next week"', args: ['web', 'next week'], received_via: 'socket_mode' }),
		]);
		expect(items(harness)[0]).not.toHaveProperty('token');
		expect(items(harness)[0]).not.toHaveProperty('trigger_word');
	});

	it('acknowledges a command the filters drop with an empty payload', async () => {
		const harness = await activate();
		const sent = await acknowledged(slack.send('slash_commands', slashCommand({ command: '/weather' })), 'filtered');
		expect(sent.acks[0].payload).toBeUndefined();
		expect(harness.executions).toHaveLength(0);
	});

	it('No Reply: an empty acknowledgement', async () => {
		await activate({ parameters: { ...PARAMETERS, respond: 'noReply' } });
		expect((await acknowledged(slack.send('slash_commands', slashCommand()), 'started')).acks[0].payload).toBeUndefined();
	});

	it("When Last Node Finishes: the last node's first item, shaped as a Slack reply, in the acknowledgement", async () => {
		const harness = await activate({ parameters: { ...PARAMETERS, respond: 'lastNode' } });
		harness.lastNodeOutput = (started) => ({ text: `Deployed ${String(started[0].json.text_without_trigger)}`, response_type: 'in_channel', internal: 'not sent' });
		const sent = await acknowledged(slack.send('slash_commands', slashCommand()), 'started');
		expect(sent.acks[0].payload).toEqual({ text: 'Deployed web "next week"', response_type: 'in_channel' });
	});

	it(`When Last Node Finishes, slower than Slack waits: acknowledged within ${REPLY_WAIT_MS} ms, then the reply posted to the response URL`, async () => {
		const responseUrls = await new SlackWebhookServer().start();
		try {
			const harness = await activate({ parameters: { ...PARAMETERS, respond: 'lastNode', options: { allowedResponseUrlHosts: `http://127.0.0.1:${responseUrls.port}` } } });
			harness.executionMs = 4_000;
			harness.lastNodeOutput = () => ({ text: 'Deployed at last' });
			const responseUrl = `http://127.0.0.1:${responseUrls.port}/commands/T0001/1/not-a-real-response-url`;
			const sent = await acknowledged(slack.send('slash_commands', slashCommand({ response_url: responseUrl })), 'started');
			expect(sent.acks[0].payload).toBeUndefined();
			expect(sent.acks[0].latencyMs).toBeGreaterThanOrEqual(REPLY_WAIT_MS - 50);
			expect(sent.deliveries).toHaveLength(1);
			await waitFor(() => responseUrls.received.length === 1, 'the late reply', 10_000);
			expect(responseUrls.received[0].json).toEqual({ text: 'Deployed at last' });
		} finally {
			await responseUrls.stop();
		}
	});

	it("When Last Node Finishes with no output in reach (n8n in queue mode): an empty acknowledgement and a line in n8n's log", async () => {
		const harness = await activate({ parameters: { ...PARAMETERS, respond: 'lastNode' } });
		harness.runDataReachesMain = false;
		expect((await acknowledged(slack.send('slash_commands', slashCommand()), 'started')).acks[0].payload).toBeUndefined();
		await expectLogged("the last node's output did not reach this n8n process");
	});
});

describe('clicks and shortcuts', () => {
	it('starts for a listed action_id and a listed shortcut, and not for another action', async () => {
		const harness = await activate();
		await acknowledged(slack.send('interactive', blockActions()), 'started');
		await acknowledged(slack.send('interactive', globalShortcut()), 'started');
		await acknowledged(slack.send('interactive', blockActions({ actions: [{ action_id: 'reject', type: 'button', value: 'x' }] })), 'filtered');
		expect(items(harness)).toEqual([
			expect.objectContaining({ source: 'slack_interactivity', type: 'block_actions', action_id: 'approve', value: 'report-42', received_via: 'socket_mode' }),
			expect.objectContaining({ source: 'slack_interactivity', type: 'shortcut', callback_id: 'new_ticket' }),
		]);
		expect(serializeDeep(harness.executions)).not.toContain(APP_VERIFICATION_TOKEN);
	});

	it('acknowledges the other interaction types (a modal submission, say) and starts nothing', async () => {
		const harness = await activate();
		await acknowledged(slack.send('interactive', { type: 'view_submission', team: { id: 'T0001' }, view: { id: 'V1' } }), 'filtered');
		expect(harness.executions).toHaveLength(0);
	});
});

describe('nothing lost, nothing doubled', () => {
	it('starts one execution for an event Slack sends again (same event_id, another envelope), by its own filter where n8n keeps no key (1.x)', async () => {
		const harness = await activate();
		harness.keepsDeduplicationKeys = false;
		const envelope = eventCallback(messageEvent(), { event_id: 'Ev0RESENT1' });
		await acknowledged(slack.send('events_api', envelope), 'started');
		const resend = slack.send('events_api', envelope);
		slack.envelopes.get(resend)!.deliveries[0].retryAttempt = 1;
		await acknowledged(resend, 'filtered');
		expect(harness.executions).toHaveLength(1);
	});

	it('holds a second delivery that comes while the first is still being started until that one is decided, then starts nothing', async () => {
		const harness = await activate();
		harness.keepsDeduplicationKeys = false;
		harness.executionMs = 1_500;
		const envelope = eventCallback(messageEvent(), { event_id: 'Ev0INFLIGHT' });
		const first = slack.send('events_api', envelope);
		await waitFor(() => harness.executions.length === 1, 'the first execution');
		const second = slack.send('events_api', envelope);
		const [a, b] = [await acknowledged(first, 'started'), await acknowledged(second, 'filtered')];
		// The second is acknowledged only after the first was: it waited for the first one's outcome.
		expect(b.acks[0].at).toBeGreaterThanOrEqual(a.acks[0].at);
		expect(harness.executions).toHaveLength(1);
	});

	it('starts one execution for a command and a click delivered twice, by its own filter where n8n keeps no key (1.x)', async () => {
		const harness = await activate();
		harness.keepsDeduplicationKeys = false;
		const command = slashCommand();
		const click = blockActions();
		for (const [type, payload] of [['slash_commands', command], ['slash_commands', command], ['interactive', click], ['interactive', click]] as const) {
			await acknowledged(slack.send(type, payload), 'started');
		}
		expect(harness.executions).toHaveLength(2);
	});

	it('does not acknowledge an envelope n8n could not start (2.x rejects the done promise), so Slack sends it again and it starts once', async () => {
		const harness = await activate();
		harness.failExecutionStart = 'reject';
		const id = slack.send('events_api', eventCallback(messageEvent(), { event_id: 'Ev0FAILED1' }));
		await waitFor(() => slack.envelopes.get(id)!.deliveries.length === 1 && harness.executions.length === 0, 'the first delivery');
		await sleep(200);
		expect(slack.envelopes.get(id)!.acks).toHaveLength(0);
		harness.failExecutionStart = false;
		const sent = await acknowledged(id, 'started', 10_000);
		expect(sent.deliveries.map((delivery) => delivery.retryAttempt)).toEqual([0, 1]);
		expect(harness.executions).toHaveLength(1);
		expect(items(harness)[0]).toMatchObject({ event_id: 'Ev0FAILED1', retry_num: 1, retry_reason: 'timeout' });
		await expectLogged('n8n could not start the workflow');
	});

	it(`acknowledges after ${START_WAIT_MS} ms when n8n never says (1.x, a start that failed): the window this node cannot close`, async () => {
		const harness = await activate();
		harness.failExecutionStart = 'hang';
		const sent = await acknowledged(slack.send('events_api', eventCallback(messageEvent())), 'started');
		expect(sent.acks[0].latencyMs).toBeGreaterThanOrEqual(START_WAIT_MS - 50);
		expect(harness.executions).toHaveLength(0);
	});

	it("gives n8n a deduplication key per workflow, node and event, which catches what this process no longer remembers (n8n 2.40+)", async () => {
		const first = await activate({ workflowId: 'wf-dedup', parameters: { ...PARAMETERS, options: { duplicateWindow: 1 } } });
		const other = await activate({ workflowId: 'wf-dedup-2' });
		const command = slashCommand();
		await acknowledged(slack.send('slash_commands', command), 'started');
		const [key] = first.executions.map((execution) => execution.deduplicationKey);
		expect(key).toMatch(/^slack-socket-mode:[0-9a-f]{64}$/);
		expect(key).not.toContain(String(command.trigger_id));
		expect(other.executions[0].deduplicationKey).not.toBe(key);
		// Past the 1 s Duplicate Window this process forgets the command; n8n's database does not.
		await sleep(1_200);
		await acknowledged(slack.send('slash_commands', command), 'started');
		expect(first.executions).toHaveLength(1);
		// n8n 1.x keeps no key: past the window, the same command would start again.
		first.keepsDeduplicationKeys = false;
		await sleep(1_200);
		await acknowledged(slack.send('slash_commands', command), 'started');
		expect(first.executions.map((execution) => execution.deduplicationKey)).toEqual([key, key]);
	});
});

describe("Slack's rotations while envelopes flow", () => {
	it('1,000 envelopes over 10 forced rotations: every one acknowledged, every matching one started exactly once, none missed', async () => {
		const harness = await activate();
		harness.keepsDeduplicationKeys = false;
		const matchingEventIds: string[] = [];
		const ids: { id: string; matches: boolean }[] = [];
		for (let rotation = 0; rotation < 10; rotation++) {
			for (let i = 0; i < 100; i++) {
				const matches = i % 2 === 0;
				const envelope = eventCallback(messageEvent({ text: matches ? `deploy r${rotation} n${i}` : `chatter r${rotation} n${i}` }));
				if (matches) matchingEventIds.push(String(envelope.event_id));
				ids.push({ id: slack.send('events_api', envelope), matches });
				if (i === 25) slack.rotate(slack.live().at(-1)!, rotation % 2 === 0 ? 'warning' : 'refresh_requested', 1_000);
				if (i % 20 === 0) await sleep(5);
			}
			await waitFor(() => slack.live().length === 1 && slack.connections.length === rotation + 2, `rotation ${rotation + 1}`, 20_000);
		}
		for (const { id, matches } of ids) await acknowledged(id, matches ? 'started' : 'filtered', 20_000);
		await sleep(500);
		const started = items(harness).map((item) => String(item.event_id));
		expect(started.length).toBe(matchingEventIds.length);
		expect(new Set(started)).toEqual(new Set(matchingEventIds));
		expect(slack.noConnectionWaits).toBe(0);
		expect(ids.filter(({ id }) => slack.envelopes.get(id)!.acks.length !== 1)).toEqual([]);
	}, 120_000);
});

describe('one connection per app: every trigger sees every envelope', () => {
	it('two workflows on one token both start for a matching event, over one connection, acknowledged once', async () => {
		const a = await activate({ workflowId: 'wf-a' });
		const b = await activate({ workflowId: 'wf-b', parameters: { ...PARAMETERS, triggerWords: 'deploy, rollback, /deploy' } });
		expect(socketModeConnectionCount()).toBe(1);
		expect(slack.openRequests).toHaveLength(1);
		const ids = [messageEvent({ text: 'deploy web' }), messageEvent({ text: 'rollback web' })].map((event) => slack.send('events_api', eventCallback(event)));
		for (const id of ids) expect((await acknowledged(id, 'started')).acks).toHaveLength(1);
		expect(items(a).map((item) => item.trigger_word)).toEqual(['deploy']);
		expect(items(b).map((item) => item.trigger_word)).toEqual(['deploy', 'rollback']);
	});

	it("the editor's test listener beside the active workflow: both get the event, the test listener only its first", async () => {
		const active = await activate({ workflowId: 'wf-listen' });
		const listening = await activate({ workflowId: 'wf-listen', mode: 'manual' });
		expect(socketModeConnectionCount()).toBe(1);
		const first = slack.send('events_api', eventCallback(messageEvent({ text: 'deploy one' })));
		const manual = await listening.manualExecution();
		await acknowledged(first, 'started');
		expect(manual[0][0].json).toMatchObject({ text: 'deploy one', received_via: 'socket_mode' });
		await acknowledged(slack.send('events_api', eventCallback(messageEvent({ text: 'deploy two' }))), 'started');
		expect(items(active).map((item) => item.text)).toEqual(['deploy one', 'deploy two']);
		expect(listening.executions).toHaveLength(1);
		expect(listening.manualEmits).toBe(1);
		// n8n closes the test listener when its execution is done: the active workflow keeps the connection.
		await listening.deactivate();
		expect(socketModeConnectionCount()).toBe(1);
	});
});

describe('activation', () => {
	const activationError = async (options: Parameters<typeof activate>[0]) => {
		const harness = new N8nTriggerHarness({ parameters: options?.parameters ?? PARAMETERS, credentials: credentials(options?.credential) });
		return await harness.activate().then(
			() => {
				harnesses.push(harness);
				return undefined;
			},
			(error: Error & { description?: string }) => error,
		);
	};

	it('fails with what to fix when Slack refuses the token, and never shows the token', async () => {
		const error = await activationError({ credential: { appToken: 'xapp-1-A0STANDIN-8-wrong-not-real' } });
		expect(error).toMatchObject({ name: 'NodeOperationError', message: 'Slack does not accept this app-level token (Slack: invalid_auth)', description: expect.stringContaining('App-Level Tokens') });
		expect(serializeDeep(error)).not.toContain('wrong-not-real');
	});

	it('fails for a bot token, naming the kind of token needed', async () => {
		const error = await activationError({ credential: { appToken: 'xoxb-1-not-real' } });
		expect(error?.message).toContain('not an app-level token');
		expect(slack.openRequests).toHaveLength(0);
	});

	it("reports through n8n (emitError) when Socket Mode is off in the app's settings: activation does not wait for the WebSocket", async () => {
		slack.socketModeOff = true;
		const harness = new N8nTriggerHarness({ parameters: PARAMETERS, credentials: credentials() });
		harnesses.push(harness);
		await harness.activate();
		await waitFor(() => harness.emittedErrors.length === 1, 'the error');
		expect(harness.emittedErrors[0]).toMatchObject({ message: 'Socket Mode is turned off in the Slack app', description: expect.stringContaining('Settings > Socket Mode') });
	});

	it('fails for a trigger that could never start, in the HTTP trigger\'s words', async () => {
		const error = await activationError({ parameters: { respond: 'immediately' } });
		expect(error).toMatchObject({ message: expect.stringContaining('Set at least one channel or one trigger word'), description: expect.stringContaining('Action IDs') });
	});

	it('refuses a Slack API URL that is not Slack\'s, before the token goes anywhere', async () => {
		const error = await activationError({ credential: { slackApiUrl: 'https://collector.example/api/' } });
		expect(error?.message).toContain('The Slack API URL must be https://slack.com/api/');
	});

	it('activates while apps.connections.open is rate-limited, and connects once it is not', async () => {
		slack.nextOpenAnswers.push('ratelimited');
		const harness = await activate();
		await expectLogged('Slack cannot be reached yet (Slack is rate-limiting apps.connections.open); it keeps trying');
		await acknowledged(slack.send('events_api', eventCallback(messageEvent())), 'started', 10_000);
		expect(harness.executions).toHaveLength(1);
	});

	it('tells n8n (emitError) when Socket Mode is turned off while the workflow is active, and connects no more', async () => {
		const harness = await activate();
		slack.linkDisabled();
		await waitFor(() => harness.emittedErrors.length === 1, 'the error');
		expect(harness.emittedErrors[0]).toMatchObject({ message: 'Socket Mode is turned off in the Slack app' });
		await sleep(300);
		expect(slack.openRequests).toHaveLength(1);
	});
});

describe('frames Slack never sends', () => {
	it('starts nothing for text that is not JSON, a huge frame, an unknown type or a missing envelope_id, writes a log line, and goes on', async () => {
		const harness = await activate();
		for (const text of ['{"envelope_id": ', 'z'.repeat(2 * 1024 * 1024), JSON.stringify({ type: 'events_api', payload: eventCallback(messageEvent()) })]) slack.sendRaw(text);
		slack.sendRaw(JSON.stringify({ envelope_id: 'env-strange', type: 'something_new', payload: eventCallback(messageEvent()) }));
		await acknowledged(slack.send('events_api', eventCallback(messageEvent())), 'started');
		expect(harness.executions).toHaveLength(1);
		await expectLogged('Slack Socket Mode: ignored a frame that is not JSON');
	});
});

describe('the same items as the HTTP trigger', () => {
	it("gives for an event, a slash command and a click the Slack Outgoing Webhook Trigger's items (type version 3), plus received_via and envelope_id", async () => {
		const SIGNING_SECRET = 'parity-signing-secret-not-real';
		const http = await new TriggerHarness().start();
		try {
			http.typeVersion = 3;
			http.parameters = PARAMETERS;
			http.credentials = { slackWebhooksOutgoingApi: { token: '', additionalTokens: '', signingSecret: SIGNING_SECRET, allowedTeamIds: '' } };
			const socket = await activate();
			const event = eventCallback(messageEvent({ text: 'deploy "web app" now' }));
			const command = slashCommand();
			const click = blockActions();
			const signedEvent = signedJson(event, SIGNING_SECRET);
			await http.post(signedEvent.body, signedEvent.headers);
			const form = new URLSearchParams(command as Record<string, string>).toString();
			await http.post(form, { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(form, SIGNING_SECRET) });
			const signedClick = signedInteraction(click, SIGNING_SECRET);
			await http.post(signedClick.body, signedClick.headers);
			const ids = [slack.send('events_api', event), slack.send('slash_commands', command), slack.send('interactive', click)];
			for (const id of ids) await acknowledged(id, 'started');
			const withoutTime = (item: IDataObject) => ({ ...item, received_at: 'received_at' });
			const httpItems = http.calls.map((call) => withoutTime(call.started![0].json));
			expect(httpItems).toHaveLength(3);
			expect(items(socket).map(withoutTime)).toEqual(httpItems.map((item, index) => ({ ...item, received_via: 'socket_mode', envelope_id: ids[index] })));
		} finally {
			await http.stop();
		}
	});
});

describe('deactivation', () => {
	it('closes the connection once the last trigger on the token stops, and leaves no socket or timer behind', async () => {
		// Counted without the stand-in: stopped before the baseline, and again before the count.
		await slack.stop();
		await sleep(100);
		const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').sort();
		const before = handles();
		slack = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
		const harness = await activate();
		await acknowledged(slack.send('events_api', eventCallback(messageEvent())), 'started');
		expect(socketModeConnectionCount()).toBe(1);
		await harness.deactivate();
		expect(socketModeConnectionCount()).toBe(0);
		await waitFor(() => slack.live().length === 0, 'the stand-in to see the close');
		await slack.stop();
		// The duplicate filter's lease timers end by themselves within a second; a socket or an interval would stay.
		await waitFor(() => JSON.stringify(handles()) === JSON.stringify(before), 'the handles to be as before', 3_000).catch(() => undefined);
		expect(handles()).toEqual(before);
		slack = await new SlackSocketServer({ appTokens: [APP_TOKEN] }).start();
		expect(readFileSync(n8nLogFile, 'utf8')).not.toContain(APP_TOKEN);
	});
});
