import { createServer, type Server, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a stalled dependency. */
export class StalledServer {
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	port = 0;
	accepted = 0;

	async start(): Promise<this> {
		this.server = createServer((socket) => {
			this.accepted++;
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
			socket.on('error', () => undefined);
			// Reads what it is sent, answers nothing.
			socket.resume();
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as { port: number }).port;
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
	}
}
