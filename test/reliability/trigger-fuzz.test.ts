/**
 * Property-based fuzzing of the trigger's request path: 8,000 generated requests over HTTP on
 * 127.0.0.1, each body parsed as n8n's body parser does, then handed to the node through
 * n8n-core's WebhookContext (see the harness). Whatever arrives, the answer is defined (a 2xx or
 * 4xx, never a crash or a 5xx), and no workflow starts without the right token (and, where a
 * signing secret is set, the right signature). Where the trigger verifies before it filters (type
 * version 1, or versions 2 and 3 with Verify Before Filtering), nothing without them gets a 200
 * either. A Slack app's requests (Events API JSON, the Request URL check, interactivity forms) are
 * generated too: type version 3 starts for them only with the right signature, whatever token
 * they carry. trigger-fuzz-classes.test.ts sends 2,000 more, forced into the classes that must
 * start or be refused, so that what this file's generator reaches is not left to chance.
 *
 * A failing run names its seed in the test's name: FUZZ_SEED=<seed> replays it.
 */
import fc from 'fast-check';

import { TriggerHarness } from '../helpers/n8n-webhook-harness';
import { anyRequest, expectAnswerKeepsTheRules, fuzzSeed, sendFuzzRequest } from './trigger-fuzz-requests';

const RUNS = 8_000;
const SEED = fuzzSeed();

let harness: TriggerHarness;
beforeAll(async () => {
	harness = await new TriggerHarness().start();
});
afterAll(async () => harness.stop());

it(`answers ${RUNS.toLocaleString('en')} generated requests with a defined answer, and starts a workflow only with a valid token and signature (seed ${SEED}: FUZZ_SEED=${SEED} replays it)`, async () => {
	await fc.assert(
		fc.asyncProperty(anyRequest, async (fuzz) => {
			expectAnswerKeepsTheRules(fuzz, await sendFuzzRequest(harness, fuzz));
		}),
		// Bounded by count; the time limit only stops a run that hangs, far above what a loaded
		// 2-core machine needs (about 2 minutes).
		{ numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 15 * 60_000, markInterruptAsFailure: true },
	);
}, 20 * 60_000);
