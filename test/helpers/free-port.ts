import { connect, createServer } from 'node:net';

/** Every port freePort() has handed out in this test file's process. */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 right now, for a server that is not up yet; never one this process
 * was given before, since the system may give a port it just took back twice in a row. (For a
 * refused connection, use refusedPort: another test file could bind this one meanwhile.)
 */
export async function freePort(): Promise<number> {
	for (;;) {
		const probe = createServer();
		await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
		const { port } = probe.address() as { port: number };
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}

/**
 * A port on 127.0.0.1 that refuses connections, for tests of an unreachable host or Redis: port 1
 * (tcpmux). The system never hands it out for port 0 and nothing here listens on it, so no other
 * test file running at the same time can take it, as it could a port freePort() has just let go.
 * Checked on every call.
 */
export async function refusedPort(): Promise<number> {
	const port = 1;
	const refused = await new Promise<boolean>((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
	});
	if (!refused) throw new Error(`127.0.0.1:${port} does not refuse connections on this machine: the tests of an unreachable host need a port nothing listens on`);
	return port;
}
