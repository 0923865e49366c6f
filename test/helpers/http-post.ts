import { request as httpRequest } from 'node:http';

/**
 * A POST on a connection of its own. A reused keep-alive connection can meet n8n closing it after
 * 5 idle seconds (undici then fails with "other side closed"), and a POST is not safe to resend.
 */
export function postOnOwnConnection(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			response.on('error', reject);
		});
		request.on('error', reject);
		request.end(body);
	});
}
