import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now: for a server that is not up yet, or a refused connection. */
export async function freePort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}
