// n8n keeps every credential type, from every installed package, in one namespace: a name another
// package already uses (n8n-nodes-slack-incoming-webhook has `slackIncomingWebhookApi`) makes one of
// the two packages load the other's credential. Every type this package declares carries its prefix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialType } from 'n8n-workflow';

const PACKAGE_PREFIX = 'slackWebhooks';
const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };

function sourceOf(distPath: string): string {
	return join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function credentialTypeOf(distPath: string): ICredentialType {
	const exported = require(sourceOf(distPath)) as Record<string, new () => ICredentialType>;
	const [credentialClass] = Object.values(exported);
	return new credentialClass();
}

describe('credential type names', () => {
	const credentials = manifest.n8n.credentials.map(credentialTypeOf);

	it.each(manifest.n8n.credentials)('%s has a name of this package', (distPath) => {
		expect(credentialTypeOf(distPath).name.startsWith(PACKAGE_PREFIX)).toBe(true);
	});

	it('are distinct', () => {
		expect(new Set(credentials.map((credential) => credential.name)).size).toBe(credentials.length);
	});
});
