/**
 * An HTTPS proxy on 127.0.0.1 that refuses every tunnel: with HTTPS_PROXY pointing here, each
 * request to a real host (such as Slack's) is recorded and never leaves the machine. The request
 * is surely not sent, so nothing can have been posted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class RefusingProxy {
	/** The `host:port` of each tunnel asked for, in order. */
	readonly tunnels: string[] = [];
	private server: Server | undefined;

	get url(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	async start(): Promise<this> {
		this.server = createServer((_request, response) => response.writeHead(403).end());
		this.server.on('connect', (request: { url?: string }, socket: Socket) => {
			this.tunnels.push(request.url ?? '');
			socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}
