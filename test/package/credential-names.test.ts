// n8n keeps every credential type, from every installed package, in one namespace: a name another
// package already uses (n8n-nodes-slack-incoming-webhook has `slackIncomingWebhookApi`) makes one of
// the two packages load the other's credential. Every type this package declares carries its prefix.
import { loadCredentialTypes, manifest } from './package-types';

const PACKAGE_PREFIX = 'slackWebhooks';

describe('credential type names', () => {
	const credentials = loadCredentialTypes();

	it.each(manifest.n8n.credentials.map((path, index) => [path, credentials[index].name]))('%s has a name of this package (%s)', (_path, name) => {
		expect(name.startsWith(PACKAGE_PREFIX)).toBe(true);
	});

	it('are distinct', () => {
		expect(new Set(credentials.map((credential) => credential.name)).size).toBe(credentials.length);
	});
});
