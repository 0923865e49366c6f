/**
 * The trigger's fuzzing, forced into each class of request that must start the workflow or must
 * be refused, so that every class is reached on every seed by construction (400 requests each):
 * outgoing webhook posts with the right token (and signature), form or JSON, on type versions 1
 * to 3; the same with exactly one defect (token, signature, team, content type), each with the
 * status it must get; a Slack app's signed events, clicks and Request URL checks on type version
 * 3. The texts, values and challenges are any unicode, up to 200 characters. Every answer keeps
 * the rules of trigger-fuzz.test.ts too.
 *
 * A failing run names its seed in the test's name: FUZZ_SEED=<seed> replays it.
 */
import fc from 'fast-check';

import { TriggerHarness } from '../helpers/n8n-webhook-harness';
import {
	expectAnswerKeepsTheRules,
	fuzzSeed,
	refusedOutgoingPost,
	sendFuzzRequest,
	validAppClick,
	validAppEvent,
	validChallenge,
	validOutgoingPost,
} from './trigger-fuzz-requests';

const RUNS_PER_CLASS = 400;
const SEED = fuzzSeed();
/** Each class its own seed, derived from the one printed. */
const settings = (offset: number) => ({ numRuns: RUNS_PER_CLASS, seed: (SEED + offset) >>> 0, interruptAfterTimeLimit: 5 * 60_000, markInterruptAsFailure: true });

let harness: TriggerHarness;
beforeAll(async () => {
	harness = await new TriggerHarness().start();
});
afterAll(async () => harness.stop());

describe(`requests forced into each class (seed ${SEED}: FUZZ_SEED=${SEED} replays it)`, () => {
	it('an outgoing webhook post with the right token (and signature) starts the workflow and gets the reply, on every type version', async () => {
		await fc.assert(
			fc.asyncProperty(validOutgoingPost, async (fuzz) => {
				const observed = await sendFuzzRequest(harness, fuzz);
				expectAnswerKeepsTheRules(fuzz, observed);
				expect(observed.status).toBe(200);
				expect(JSON.parse(observed.body)).toEqual({ text: 'heard you' });
				expect(observed.started).toMatchObject({ team_id: 'T0001', trigger_word: 'googlebot:' });
			}),
			settings(0),
		);
	}, 10 * 60_000);

	it('the same post with one defect is refused with its status and starts nothing', async () => {
		await fc.assert(
			fc.asyncProperty(refusedOutgoingPost, async ({ fuzz, status }) => {
				const observed = await sendFuzzRequest(harness, fuzz);
				expectAnswerKeepsTheRules(fuzz, observed);
				expect(observed).toMatchObject({ status, body: '', started: undefined });
			}),
			settings(1),
		);
	}, 10 * 60_000);

	it("a Slack app's signed message or mention with the trigger word starts type version 3, with an empty 200", async () => {
		await fc.assert(
			fc.asyncProperty(validAppEvent, async (fuzz) => {
				const observed = await sendFuzzRequest(harness, fuzz);
				expectAnswerKeepsTheRules(fuzz, observed);
				expect(observed).toMatchObject({ status: 200, body: '' });
				expect(observed.started).toMatchObject({ source: 'slack_events_api', team_id: 'T0001' });
			}),
			settings(2),
		);
	}, 10 * 60_000);

	it("a Slack app's signed click on a listened-to button starts type version 3, with an empty 200", async () => {
		await fc.assert(
			fc.asyncProperty(validAppClick, async (fuzz) => {
				const observed = await sendFuzzRequest(harness, fuzz);
				expectAnswerKeepsTheRules(fuzz, observed);
				expect(observed).toMatchObject({ status: 200, body: '' });
				expect(observed.started).toMatchObject({ source: 'slack_interactivity', action_id: 'approve' });
			}),
			settings(3),
		);
	}, 10 * 60_000);

	it('a signed Request URL check gets its challenge back and starts nothing', async () => {
		await fc.assert(
			fc.asyncProperty(validChallenge, async (fuzz) => {
				const observed = await sendFuzzRequest(harness, fuzz);
				expectAnswerKeepsTheRules(fuzz, observed);
				expect(observed).toMatchObject({ status: 200, body: fuzz.challenge, started: undefined });
			}),
			settings(4),
		);
	}, 10 * 60_000);
});
