#!/usr/bin/env node
// Part of `npm run screenshots`: the package installed once as a user installs it, through n8n's
// Settings → Community Nodes → Install screen in headless Chromium (Debian's `chromium`, driven by
// playwright-core), in a fresh n8n that reaches registry.npmjs.org only through the test registry
// of test/harness/registry.mjs. It checks through n8n's REST API that the package and every node
// are installed, and from the registry's record that the package came from there alone, then saves
// docs/community-nodes-installed.png. `npm run test:install` covers the same install through the
// REST calls the screen makes, on every tested n8n version.
//
// Needs /usr/bin/chromium (apt-get install chromium) or CHROMIUM_PATH; SCREENSHOTS_N8N_VERSION picks n8n.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { chromium } from 'playwright-core';

import { DEFAULT_N8N_VERSION, ensureN8n } from '../test/harness/n8n-runtime.mjs';
import { buildAndPack, PROJECT_DIR } from '../test/harness/n8n-instance.mjs';
import { describePackedPackage } from '../test/harness/packed-package.mjs';
import { startFreshN8nWithRegistry } from '../test/harness/registry.mjs';

const say = (message) => console.log(`[community-nodes] ${message}`);
const screenshot = join(PROJECT_DIR, 'docs', 'community-nodes-installed.png');
const n8nVersion = process.env.SCREENSHOTS_N8N_VERSION ?? DEFAULT_N8N_VERSION;

const running = {};
let browser;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, async () => {
		await browser?.close();
		await running.stop?.();
		process.exit(130);
	});
}

say('building and packing the package');
const tarball = buildAndPack();
const packed = describePackedPackage(tarball);
const runtime = ensureN8n(n8nVersion);
try {
	const instance = await startFreshN8nWithRegistry({ runtime, tarball, running, say });
	const base = `http://localhost:${instance.port}`;
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		// The screen's own look-ups (npm's search for community nodes) meet the proxy, which refuses them.
		proxy: { server: instance.registry.proxyUrl, bypass: '127.0.0.1,localhost' },
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
	// The owner's session, as n8n set it up through its REST API.
	const [cookieName, cookieValue] = instance.cookie.split('=');
	await context.addCookies([{ name: cookieName, value: cookieValue, domain: 'localhost', path: '/' }]);
	const page = await context.newPage();

	say('Settings → Community Nodes → Install');
	await page.goto(`${base}/settings/community-nodes`);
	await page.getByRole('button', { name: 'Install a community node' }).click({ timeout: 60_000 });
	const modal = page.locator('[data-test-id="communityPackageInstall-modal"]');
	await modal.locator('[data-test-id="package-name-input"]').fill(packed.name);
	await modal.locator('[data-test-id="user-agreement-checkbox"]').click();
	await modal.locator('[data-test-id="install-community-package-button"]').click();
	await modal.waitFor({ state: 'hidden', timeout: 180_000 });
	const card = page.locator('[data-test-id="community-package-card"]').filter({ hasText: packed.name });
	await card.waitFor({ timeout: 60_000 });

	const response = await fetch(`${instance.url}/rest/community-packages`, { headers: { cookie: instance.cookie } });
	const [installed] = (await response.json()).data;
	if (installed?.installedVersion !== packed.version) throw new Error(`n8n lists ${JSON.stringify(installed)} after the install, not ${packed.name}@${packed.version}`);
	const types = new Set(installed.installedNodes.map(({ type }) => type));
	const missing = packed.nodes.filter(({ type }) => !types.has(type));
	if (missing.length > 0) throw new Error(`n8n installed no ${missing.map(({ type }) => type).join(', ')}`);
	const own = instance.registry.requests.filter((request) => request.package === packed.name);
	if (!own.some(({ path, status }) => path.endsWith(`-${packed.version}.tgz`) && status === 200) || own.some(({ served }) => served !== 'locally')) {
		throw new Error(`the package did not come from the test registry alone: ${JSON.stringify(own)}`);
	}

	await page.waitForTimeout(1_000);
	await page.screenshot({ path: screenshot });
	say(`installed ${packed.name}@${packed.version} through the screen; saved docs/community-nodes-installed.png`);
} finally {
	await browser?.close();
	await running.stop?.();
	rmSync(dirname(tarball), { recursive: true, force: true });
}
