#!/usr/bin/env node
// `npm run bench:profile`: where n8n spends its CPU on a trigger request. Starts a real n8n
// DEFAULT_N8N_VERSION under Node's sampling profiler (--cpu-prof), sends form posts to this trigger, stops
// n8n, and sums the profile per request: the time inside this package's code, inside n8n's
// credential read, its expression isolates, its body parsing, and the functions with the most
// time of their own. Loopback only; a fixed number of requests.
//
// Options: --settings defaults|recommended|patched  --case filtered|matching|event-filtered|event-matching
//          --type-version 1|2 (form posts; the Events API cases are signed JSON to type version 3)
//          --requests 300  --keep (keep the .cpuprofile, to open in Chrome DevTools)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import { buildPackage, FAST_TRIGGER_SETTINGS, packPackage } from '../test/harness/n8n-instance.mjs';
import { patchedRuntime } from './patched-n8n.mjs';
import { load, signedEvent, TRIGGER_CREDENTIALS, TRIGGER_PATHS, triggerWorkflows, withN8n } from './n8n.mjs';

const { values } = parseArgs({
	options: {
		settings: { type: 'string', default: 'recommended' },
		case: { type: 'string', default: 'filtered' },
		'type-version': { type: 'string', default: '2' },
		requests: { type: 'string', default: '300' },
		keep: { type: 'boolean', default: false },
	},
});
const requests = Number(values.requests);
const isEvent = values.case.startsWith('event-');
const matching = isEvent ? signedEvent(values.case === 'event-matching') : values.case === 'matching';
const path = isEvent ? TRIGGER_PATHS.oursEvents : values['type-version'] === '1' ? TRIGGER_PATHS.oursVersion1 : TRIGGER_PATHS.ours;
const say = (message) => console.log(`[profile] ${message}`);

/**
 * Frames the summary follows. A CPU profile's stacks end at the last await, so a count for an
 * async function covers the code it ran before its first await and in what it called from there.
 */
const FOLLOWED = [
	["this package's code", (frame) => frame.url.includes('/node_modules/n8n-nodes-slack-webhooks/dist/')],
	['expression isolates built (createBridge, initialize, initializeSync)', (frame) => /^(initializeSync|initialize|createBridge)$/.test(frame.functionName) && frame.url.includes('expression-runtime')],
	["n8n's credential read (CredentialsHelper, Credentials.getData)", (frame) => frame.url.includes('credentials-helper') || (frame.functionName === 'getData' && frame.url.includes('credentials'))],
	["n8n's body parsing (parseRequestBody, parseBody)", (frame) => /^(parseRequestBody|parseBody)$/.test(frame.functionName)],
];

/** The samples taken while the measured requests ran (profile times are monotonic microseconds). */
function summarize(profile, fromUs, toUs) {
	const parentOf = new Map();
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const followed = new Map(FOLLOWED.map(([name]) => [name, 0]));
	const selfTime = new Map();
	let at = profile.startTime;
	profile.samples.forEach((id, index) => {
		const delta = profile.timeDeltas[index] ?? 0;
		at += delta;
		if (at < fromUs || at > toUs) return;
		const leaf = byId.get(id);
		if (leaf.callFrame.functionName === '(idle)') return;
		const ms = delta / 1000;
		const self = `${leaf.callFrame.functionName || '(anonymous)'} ${basename(leaf.callFrame.url)}`;
		selfTime.set(self, (selfTime.get(self) ?? 0) + ms);
		const hit = new Set();
		for (let node = leaf; node; node = byId.get(parentOf.get(node.id))) {
			for (const [name, matches] of FOLLOWED) if (matches(node.callFrame)) hit.add(name);
		}
		for (const name of hit) followed.set(name, followed.get(name) + ms);
	});
	return { followed, selfTime };
}

/** CPU time the process has used, in milliseconds (user and system, all its threads). */
function cpuMs(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

buildPackage();
const runtime = ensureN8n(DEFAULT_N8N_VERSION);
const profileDir = mkdtempSync(join(tmpdir(), 'slack-webhooks-profile-'));
const settings = values.settings === 'recommended' ? FAST_TRIGGER_SETTINGS : {};
let mainPid;
let window;
let cpuPerRequestMs;
await withN8n(values.settings === 'patched' ? patchedRuntime(runtime) : runtime, packPackage(), triggerWorkflows(), TRIGGER_CREDENTIALS, [path], async (origin, pid) => {
	mainPid = pid;
	await load(origin, path, 1, 50, matching);
	const cpuBefore = cpuMs(pid);
	const fromUs = Number(process.hrtime.bigint() / 1000n);
	const result = await load(origin, path, 1, requests, matching);
	window = [fromUs, Number(process.hrtime.bigint() / 1000n)];
	cpuPerRequestMs = (cpuMs(pid) - cpuBefore) / result.requests;
	say(`${result.requests} ${values.case} requests to the type version ${isEvent ? 3 : values['type-version']} trigger, ${values.settings} settings: ${result.perSecond.toFixed(1)} req/s, p50 ${result.p50.toFixed(1)} ms, ${result.failures} non-200`);
}, { ...settings, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` });

const file = readdirSync(profileDir).find((name) => name.includes(`.${mainPid}.`));
if (!file) throw new Error(`n8n wrote no profile into ${profileDir}`);
const { followed, selfTime } = summarize(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), ...window);
const perRequest = (ms) => (ms / requests).toFixed(2).padStart(7);
say(`n8n's CPU time per request (from /proc, the profiler's own cost included): ${cpuPerRequestMs.toFixed(1)} ms`);
say('of which, per request (ms), in:');
for (const [name, ms] of followed) say(`  ${perRequest(ms)}  ${name}`);
say('the functions with most time of their own, per request (ms):');
for (const [name, ms] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 15)) say(`  ${perRequest(ms)}  ${name}`);
if (values.keep) say(`profile kept: ${join(profileDir, file)}`);
else rmSync(profileDir, { recursive: true, force: true });
