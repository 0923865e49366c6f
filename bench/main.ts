/** Entry point of the in-process benchmarks (1 and 2); bench/run.mjs runs it and prints the tables. */
import { writeFileSync } from 'node:fs';

import { benchmarkDelivery, benchmarkRateLimited, benchmarkSharedPace, loadHttpRequestNode } from './delivery';

/**
 * BENCH_ONLY_SHARED_PACE=1 runs benchmark 2b alone (about 6 minutes):
 * `npx tsc -p tsconfig.bench.json && BENCH_ONLY_SHARED_PACE=1 node .bench-build/bench/main.js`.
 */
async function main() {
	const output = process.env.BENCH_OUTPUT ?? 'bench-results.json';
	if (process.env.BENCH_ONLY_SHARED_PACE) {
		writeFileSync(output, JSON.stringify({ sharedPace: await benchmarkSharedPace() }, null, 2));
		return;
	}
	const nodeModules = process.env.BENCH_N8N_NODE_MODULES;
	if (nodeModules) loadHttpRequestNode(nodeModules);
	const delivery = await benchmarkDelivery(Boolean(nodeModules));
	const rateLimited = await benchmarkRateLimited(Boolean(nodeModules));
	const sharedPace = await benchmarkSharedPace();
	writeFileSync(output, JSON.stringify({ delivery, rateLimited, sharedPace }, null, 2));
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
