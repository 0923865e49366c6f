/**
 * What the install suite needs from scripts/test-install.mjs: the fresh n8n it started (URL, owner
 * cookie, user folder), the registry it reaches through the proxy, and the packed package as the
 * tarball itself describes it (test/harness/packed-package.mjs).
 */
import { N8nRest } from '../helpers/n8n-rest';

export function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run the suite with npm run test:install`);
	return value;
}

export interface PackedNode {
	type: string;
	displayName: string;
	versions: number[];
	/** n8n then lists it a second time, as an AI tool: `<type>Tool`. */
	usableAsTool: boolean;
}

export interface PackedPackage {
	name: string;
	version: string;
	nodes: PackedNode[];
	credentials: string[];
	/** The same files under the next patch version, packed in a folder of their own. */
	next: { version: string; tarball: string };
}

export const n8nVersion = requiredEnv('INSTALL_N8N_VERSION');
export const n8nMajor = Number(n8nVersion.split('.')[0]);
export const n8nUserFolder = requiredEnv('INSTALL_N8N_USER_FOLDER');
export const n8n = new N8nRest(requiredEnv('INSTALL_N8N_URL'), requiredEnv('INSTALL_N8N_COOKIE'));
export const packed = JSON.parse(requiredEnv('INSTALL_PACKAGE')) as PackedPackage;
/** Where n8n's credential overwrites (CREDENTIALS_OVERWRITE_DATA) point Slack's OAuth URLs. */
export const oauthPort = Number(requiredEnv('INSTALL_OAUTH_PORT'));
/** Where n8n's credential overwrites point the Socket Mode credential's Slack API (the suite's stand-in for Slack's socket server). */
export const socketPort = Number(requiredEnv('INSTALL_SOCKET_PORT'));

/** A request the registry recorded: served from what was published to it, passed on to the real registry, or refused. */
export interface RegistryRequest {
	served: 'locally' | 'upstream' | 'refused';
	method: string;
	host: string;
	path: string;
	/** The package a registry path is about (`/name`, `/name/1.0.0`, `/name/-/name-1.0.0.tgz`). */
	package?: string;
	status: number;
	/** The first word of the User-Agent: `npm/11.x`, or n8n's own client (`n8n` on 2.x, `axios/1.x` on 1.x). */
	agent?: string;
}

/** The registry's control interface (test/harness/registry.mjs), on 127.0.0.1. */
export const registry = {
	url: requiredEnv('INSTALL_REGISTRY'),
	async requests(): Promise<RegistryRequest[]> {
		const response = await fetch(`${this.url}/requests`);
		return (await response.json()) as RegistryRequest[];
	},
	async publish(tarball: string): Promise<{ name: string; version: string; integrity: string }> {
		const response = await fetch(`${this.url}/publish`, { method: 'POST', body: JSON.stringify({ tarball }) });
		if (!response.ok) throw new Error(`publishing ${tarball} answered ${response.status}: ${await response.text()}`);
		return (await response.json()) as { name: string; version: string; integrity: string };
	},
};
