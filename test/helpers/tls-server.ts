/**
 * An HTTPS server on 127.0.0.1 whose certificate openssl makes for the run: self-signed, so no
 * client trusts it, which is the TLS failure the nodes must report without leaking the URL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UntrustedTlsServer {
	server: Server;
	port: number;
	stop(): Promise<void>;
}

export async function startUntrustedTlsServer(port = 0): Promise<UntrustedTlsServer> {
	const dir = mkdtempSync(join(tmpdir(), 'slack-webhooks-tls-'));
	const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
	const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (_request, response) => response.end('ok'));
	rmSync(dir, { recursive: true, force: true });
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		server,
		port: (server.address() as { port: number }).port,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
