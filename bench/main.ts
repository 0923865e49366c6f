/** Entry point of the in-process benchmarks (1 and 2); bench/run.mjs runs it and prints the tables. */
import { writeFileSync } from 'node:fs';

import { benchmarkDelivery, benchmarkRateLimited, loadHttpRequestNode } from './delivery';

async function main() {
	const nodeModules = process.env.BENCH_N8N_NODE_MODULES;
	if (nodeModules) loadHttpRequestNode(nodeModules);
	const delivery = await benchmarkDelivery(Boolean(nodeModules));
	const rateLimited = await benchmarkRateLimited(Boolean(nodeModules));
	writeFileSync(process.env.BENCH_OUTPUT ?? 'bench-results.json', JSON.stringify({ delivery, rateLimited }, null, 2));
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
