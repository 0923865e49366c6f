// A stand-in for the npm registry, reached the way n8n's installer reaches the real one. n8n 2.x
// installs community packages from https://registry.npmjs.org only (CommunityPackagesService.
// getNpmRegistry refuses another N8N_COMMUNITY_PACKAGES_REGISTRY without an enterprise licence),
// so the registry is not swapped: n8n and the npm it runs are given an HTTPS proxy on 127.0.0.1
// (HTTPS_PROXY, as n8n's proxy agents and npm read it) and told to trust a certificate authority
// made for the run (NODE_EXTRA_CA_CERTS, npm's cafile). The proxy answers a tunnel to
// registry.npmjs.org itself, with a certificate for that host signed by that authority, and
// serves the packages published to it from memory; every other package is fetched from the real
// registry and passed on. Nothing that names a published package is ever sent upstream: such a
// request is refused and recorded. Tunnels to any other host are refused and recorded too.
//
// Requests in origin form (GET /requests, POST /publish) are the control interface the suites
// use: the record of every request, and publishing another tarball during a test.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, loopbackOnlySettings, n8nEnvironment, setUpOwner, startN8n, stopN8n, waitForHealthy } from './n8n-instance.mjs';

export const REGISTRY_HOST = 'registry.npmjs.org';
const REGISTRY_ORIGIN = `https://${REGISTRY_HOST}`;

/**
 * A certificate authority made with openssl for this run, and a certificate for `host` it signs.
 * The authority's key is deleted once it has signed: nothing else can be signed with it.
 */
export function makeThrowawayCertificates(dir, host) {
	const file = (name) => join(dir, name);
	const openssl = (args) => execFileSync('openssl', args, { stdio: 'ignore' });
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=n8n-nodes-slack-webhooks throwaway test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'),
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${host}`, '-keyout', file('host.key'), '-out', file('host.csr')]);
	writeFileSync(file('host.ext'), [`subjectAltName=DNS:${host}`, 'basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'authorityKeyIdentifier=keyid'].join('\n'));
	openssl(['x509', '-req', '-in', file('host.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('host.ext'), '-out', file('host.pem')]);
	rmSync(file('ca.key'));
	return { caFile: file('ca.pem'), key: readFileSync(file('host.key')), cert: readFileSync(file('host.pem')) };
}

/** The package.json inside a packed tarball. */
export function readPackedManifest(tarball) {
	return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/** The package a registry path is about: `/name`, `/name/1.0.0`, `/name/-/name-1.0.0.tgz`, `/@scope%2fname`. */
export function packageNameOfPath(path) {
	const [first = '', second = ''] = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
	if (first.startsWith('@') && !first.includes('/')) return `${first}/${second}`;
	return first;
}

const tarballFileName = (name, version) => `${name.split('/').pop()}-${version}.tgz`;

/** What `npm publish` records for a tarball: the manifest and where npm fetches it, with its checksums. */
function publication(tarball) {
	const bytes = readFileSync(tarball);
	const manifest = readPackedManifest(tarball);
	const dist = {
		tarball: `${REGISTRY_ORIGIN}/${manifest.name}/-/${tarballFileName(manifest.name, manifest.version)}`,
		integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
		shasum: createHash('sha1').update(bytes).digest('hex'),
	};
	return { manifest, bytes, dist, published: new Date().toISOString() };
}

/** The registry's document for a package (a "packument"): every version, and `latest`. */
function packument(name, { versions, latest }) {
	const entries = [...versions.values()];
	return {
		_id: name,
		name,
		'dist-tags': { latest },
		versions: Object.fromEntries(entries.map(({ manifest, dist }) => [manifest.version, { ...manifest, _id: `${name}@${manifest.version}`, dist }])),
		time: { created: entries[0].published, modified: entries.at(-1).published, ...Object.fromEntries(entries.map(({ manifest, published }) => [manifest.version, published])) },
	};
}

function sendJson(response, status, body) {
	const text = JSON.stringify(body);
	response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	response.end(text);
}

async function readBody(request) {
	const chunks = [];
	for await (const chunk of request) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the proxy and its registry on 127.0.0.1. `upstream` is where every package not published
 * here comes from. Returns the proxy's URL, the authority's certificate file, `publish(tarball)`,
 * the record of requests, the environment for n8n and `stop()`.
 */
export async function startLocalRegistry({ upstream = REGISTRY_ORIGIN } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'slack-webhooks-registry-'));
	const { caFile, key, cert } = makeThrowawayCertificates(dir, REGISTRY_HOST);
	/** name -> { versions: Map(version -> publication), latest } */
	const packages = new Map();
	/** Every request: { served: 'locally' | 'upstream' | 'refused', method, host, path, package, status, agent }. */
	const requests = [];
	const sockets = new Set();
	const track = (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	};
	const record = (entry) => requests.push({ at: new Date().toISOString(), ...entry });

	const publish = (tarball) => {
		const entry = publication(tarball);
		const { name, version } = entry.manifest;
		const known = packages.get(name) ?? { versions: new Map(), latest: version };
		known.versions.set(version, entry);
		known.latest = version;
		packages.set(name, known);
		return { name, version, ...entry.dist };
	};

	const servePublished = (request, response, name) => {
		const { versions, latest } = packages.get(name);
		const path = request.url.split('?')[0];
		const tarballMatch = path.match(/\/-\/([^/]+)$/);
		const [, , versionOrTag] = path.split('/').filter(Boolean).map(decodeURIComponent);
		if (request.method !== 'GET') return sendJson(response, 405, { error: 'method not allowed' });
		if (tarballMatch) {
			const found = [...versions.values()].find(({ manifest }) => tarballFileName(name, manifest.version) === tarballMatch[1]);
			if (!found) return sendJson(response, 404, { error: 'not found' });
			response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.bytes.length });
			return response.end(found.bytes);
		}
		if (versionOrTag) {
			const found = versions.get(versionOrTag === 'latest' ? latest : versionOrTag);
			if (!found) return sendJson(response, 404, { error: `version not found: ${versionOrTag}` });
			return sendJson(response, 200, { ...found.manifest, _id: `${name}@${found.manifest.version}`, dist: found.dist });
		}
		return sendJson(response, 200, packument(name, packages.get(name)));
	};

	const passUpstream = async (request, response) => {
		const answer = await fetch(`${upstream}${request.url}`, {
			headers: { accept: request.headers.accept ?? '*/*', 'user-agent': request.headers['user-agent'] ?? 'node' },
			signal: AbortSignal.timeout(60_000),
		});
		// fetch has decoded any content encoding, so the length is the body's own.
		const body = Buffer.from(await answer.arrayBuffer());
		response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'content-length': body.length });
		response.end(body);
	};

	const registry = createHttpsServer({ key, cert }, (request, response) => {
		const name = packageNameOfPath(request.url);
		const entry = { method: request.method, host: REGISTRY_HOST, path: request.url, package: name, agent: String(request.headers['user-agent'] ?? '').split(' ')[0] };
		const done = (served) => response.on('close', () => record({ served, ...entry, status: response.statusCode }));
		if (packages.has(name)) {
			done('locally');
			return servePublished(request, response, name);
		}
		// A search or any other path that mentions a published package stays here too.
		const mentionsPublished = [...packages.keys()].some((published) => decodeURIComponent(request.url).includes(published));
		if (mentionsPublished || request.method !== 'GET') {
			done('refused');
			return sendJson(response, 404, { error: 'not served by the test registry' });
		}
		done('upstream');
		passUpstream(request, response).catch((error) => {
			if (!response.headersSent) sendJson(response, 502, { error: `upstream: ${error.message}` });
			else response.destroy();
		});
	});
	registry.on('secureConnection', track);

	const proxy = createHttpServer(async (request, response) => {
		if (!request.url.startsWith('/')) {
			// A plain-HTTP request through the proxy: nothing here should make one.
			record({ served: 'refused', method: request.method, host: request.headers.host ?? '', path: request.url, status: 403 });
			return response.writeHead(403).end();
		}
		if (request.method === 'GET' && request.url === '/requests') return sendJson(response, 200, requests);
		if (request.method === 'POST' && request.url === '/publish') {
			try {
				return sendJson(response, 200, publish(JSON.parse(await readBody(request)).tarball));
			} catch (error) {
				return sendJson(response, 400, { error: error.message });
			}
		}
		return sendJson(response, 404, { error: 'GET /requests or POST /publish' });
	});
	proxy.on('connection', track);
	proxy.on('connect', (request, socket, head) => {
		if (request.url !== `${REGISTRY_HOST}:443`) {
			record({ served: 'refused', method: 'CONNECT', host: request.url, path: '', status: 403 });
			return socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length > 0) socket.unshift(head);
		registry.emit('connection', socket);
	});
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

	return {
		proxyUrl,
		caFile,
		publish,
		requests,
		/**
		 * What n8n is started with: its proxy agents (n8n's installGlobalProxyAgent and OutboundHttp
		 * read HTTPS_PROXY through proxy-from-env) and the npm it runs with the whole environment
		 * (npm pack, npm install) reach the registry through the proxy and trust only the run's
		 * authority. `npmCache` keeps npm's cache per n8n, so every install asks the registry.
		 */
		environment({ npmCache }) {
			const noProxy = '127.0.0.1,localhost';
			return {
				HTTPS_PROXY: proxyUrl, https_proxy: proxyUrl, HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: noProxy, no_proxy: noProxy,
				NODE_EXTRA_CA_CERTS: caFile,
				npm_config_https_proxy: proxyUrl, npm_config_proxy: proxyUrl, npm_config_noproxy: noProxy, npm_config_cafile: caFile, npm_config_cache: npmCache,
			};
		},
		/**
		 * The same for npm as a project .npmrc in n8n's nodes folder: n8n 1.x runs `npm outdated`
		 * there with only PATH and NODE_PATH of its environment (CommunityPackagesService.executeNpmCommand).
		 */
		npmrc({ npmCache }) {
			return [`registry=${REGISTRY_ORIGIN}/`, `https-proxy=${proxyUrl}`, `proxy=${proxyUrl}`, 'noproxy=127.0.0.1,localhost', `cafile=${caFile}`, `cache=${npmCache}`, ''].join('\n');
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => proxy.close(resolve));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * A fresh n8n with no package in it, in a new user folder, that reaches registry.npmjs.org only
 * through a new registry with `tarball` published to it; its owner set up. Returns the n8n
 * process, its URL and owner cookie, the registry, the user folder, and `stop()`, which stops n8n
 * and the registry by PID and removes the folder (unless `keepUserFolder`), once however often it
 * is called. `running` receives each part as it starts, and `stop`, so that a caller interrupted
 * half-way (Ctrl-C) can stop what there is.
 */
export async function startFreshN8nWithRegistry({ runtime, tarball, extraEnv = {}, keepUserFolder = false, running = {}, say = () => undefined }) {
	const version = runtime.n8nVersion;
	const userFolder = mkdtempSync(join(tmpdir(), `slack-webhooks-fresh-${version}-`));
	// Per n8n, so that npm asks the registry for every package rather than its cache.
	const npmCache = join(userFolder, 'npm-cache');
	let stopped;
	const stop = () => {
		stopped ??= (async () => {
			await stopN8n(running.n8n);
			await running.registry?.stop();
			if (keepUserFolder) say(`n8n ${version}: user folder kept at ${userFolder}`);
			else rmSync(userFolder, { recursive: true, force: true });
		})();
		return stopped;
	};
	running.stop = stop;
	try {
		running.registry = await startLocalRegistry();
		const published = running.registry.publish(tarball);
		say(`n8n ${version}: ${published.name}@${published.version} published to the test registry, proxy at ${running.registry.proxyUrl}`);
		const nodesFolder = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesFolder, { recursive: true });
		writeFileSync(join(nodesFolder, '.npmrc'), running.registry.npmrc({ npmCache }));
		const [port, brokerPort] = [await freePort(), await freePort()];
		const env = n8nEnvironment({
			userFolder,
			port,
			brokerPort,
			extra: { ...loopbackOnlySettings(version), ...running.registry.environment({ npmCache }), N8N_LOG_LEVEL: 'debug', N8N_LOG_OUTPUT: 'console', ...extraEnv },
		});
		say(`n8n ${version}: starting a fresh n8n on port ${port} (its database is migrated on the way)`);
		running.n8n = startN8n(runtime, env, { stdio: 'pipe' });
		const log = createWriteStream(join(userFolder, 'n8n.log'));
		running.n8n.stdout.pipe(log);
		running.n8n.stderr.pipe(log);
		await waitForHealthy(port, running.n8n, 240_000, '/healthz/readiness');
		const cookie = await setUpOwner(port);
		return { n8n: running.n8n, registry: running.registry, url: `http://127.0.0.1:${port}`, port, cookie, userFolder, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

