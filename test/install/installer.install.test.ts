/**
 * The package as users get it: typed into n8n's Settings → Community Nodes → Install, later
 * updated with its Update button, and at last uninstalled, in a fresh n8n that scripts/test-install.mjs
 * started with no package in it. Every step is the REST call the Community Nodes screen makes,
 * answered by n8n's own installer (CommunityPackagesService: its version check, npm pack and npm
 * install, the rows for the package and its nodes, loading the nodes into the running n8n).
 * npm fetches from the registry of test/harness/registry.mjs, which serves the packed tarball
 * under registry.npmjs.org through a proxy on 127.0.0.1; the suite checks from the registry's
 * record that nothing of this package came from anywhere else.
 *
 * The tests run in order: each builds on what the one before it installed or saved.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { freePort } from '../helpers/free-port';
import { eventually } from '../helpers/n8n-rest';
import { RedisServer, redisServerAvailable } from '../helpers/redis-server';
import { SlackOAuthServer } from '../helpers/slack-oauth-server';
import { eventCallback, messageEvent, slashCommand } from '../helpers/slack-app-fixtures';
import { SlackSocketServer } from '../helpers/slack-socket-server';
import { SlackWebhookServer } from '../helpers/slack-webhook-server';
import E2E from '../harness/fixtures/secrets.json';
import { n8n, n8nMajor, n8nUserFolder, n8nVersion, oauthPort, packed, registry, socketPort, type RegistryRequest } from './install-env';
import { coverageGaps, SAVED_WORKFLOW_CASES, savedWorkflow, SEED_THREAD_TS, SOCKET_TRIGGER_TYPE, type CaseContext, type SavedWorkflowCase, type SuiteCredentials } from './saved-workflows';

interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
	updateAvailable?: string;
	failedLoading?: boolean;
}

interface SavedWorkflowRow {
	id: string;
	versionId: string;
	active: boolean;
}

/** What one run of a case did: n8n's answers, the statuses of the executions it started, what reached Slack. */
interface RunResult {
	replies: Array<{ status: number; body: string }>;
	executions: string[];
	slack: Array<{ path: string; json: unknown }>;
}

const ADD_TO_SLACK = { clientId: 'install-add-to-slack-app', channel: { name: '#install-reports', id: 'CINSTALL42' } };

const slack = new SlackWebhookServer();
slack.webhookPath = `/services/${E2E.webhookSecretPath}`;
let oauth: SlackOAuthServer;
/** Slack's socket server for the Socket Mode credential, which n8n's credential overwrites point at socketPort. */
const socket = new SlackSocketServer({ appTokens: [E2E.socketModeAppToken] });
const socketModeApiUrl = `http://127.0.0.1:${socketPort}/api/`;
const redis = new RedisServer();
let context: CaseContext;
const saved = new Map<string, SavedWorkflowRow>();
const firstRuns = new Map<string, RunResult>();

beforeAll(async () => {
	const redisCheck = redisServerAvailable();
	if (!redisCheck.ok) throw new Error(redisCheck.why);
	await Promise.all([slack.start(await freePort()), redis.start(), socket.start(socketPort)]);
	oauth = await new SlackOAuthServer({
		[ADD_TO_SLACK.clientId]: {
			clientSecret: E2E.oauthClientSecret,
			channel: ADD_TO_SLACK.channel,
			webhookUrl: `http://127.0.0.1:${slack.port}/services/${E2E.oauthWebhookSecretPath}`,
			accessToken: E2E.oauthAccessToken,
		},
	}).start(oauthPort);
});

afterAll(async () => {
	await Promise.all([slack.stop(), oauth?.stop(), redis.stop(), socket.stop()]);
});

const sorted = (values: string[]) => [...values].sort();
const ownRequests = (requests: RegistryRequest[]) => requests.filter((request) => request.package === packed.name);
const tarballPath = (version: string) => `/${packed.name}/-/${packed.name}-${version}.tgz`;
const isNpm = (request: RegistryRequest) => (request.agent ?? '').startsWith('npm/');

async function installedPackages(): Promise<InstalledPackage[]> {
	return (await n8n.get<{ data: InstalledPackage[] }>('/rest/community-packages')).data;
}

/** The node types of the editor's node panel: /types/nodes.json, which n8n writes again after an install. */
async function nodePanelTypes(): Promise<Map<string, number[]>> {
	const types = await n8n.get<Array<{ name: string; version: number | number[] }>>('/types/nodes.json');
	return new Map(types.filter(({ name }) => name.startsWith(`${packed.name}.`)).map(({ name, version }) => [name, [version].flat()]));
}

async function createCredential(name: string, type: string, data: Record<string, unknown>) {
	const { id } = await n8n.send<{ id: string }>('POST', '/rest/credentials', { name, type, data });
	return { id, name };
}

/** Waits until n8n has registered the POST webhook at `path`: a GET to it then says "not registered for GET". */
async function webhookRegistered(path: string): Promise<void> {
	await eventually(async () => {
		const response = await fetch(`${n8n.url}${path}`).catch(() => undefined);
		return (await response?.text())?.includes('not registered for GET') ? true : undefined;
	});
}

const webhookPathsOf = (entry: SavedWorkflowCase) =>
	entry.nodes(context).nodes.flatMap((node) => {
		if (node.type === 'n8n-nodes-base.webhook') return [`/webhook/${node.parameters.path as string}`];
		return node.webhookId ? [`/webhook/${node.webhookId}/slack`] : [];
	});

/** A workflow that listens on a connection to Slack (Socket Mode) rather than on a webhook. */
const usesSocketMode = (entry: SavedWorkflowCase) => entry.nodes(context).nodes.some((node) => node.type === `${packed.name}.${SOCKET_TRIGGER_TYPE}`);

async function activate(entry: SavedWorkflowCase): Promise<void> {
	const row = saved.get(entry.key)!;
	const connectionsBefore = socket.connections.length;
	const activated = await n8n.send<SavedWorkflowRow>('POST', `/rest/workflows/${row.id}/activate`, { versionId: row.versionId });
	expect(activated.active).toBe(true);
	for (const path of webhookPathsOf(entry)) await webhookRegistered(path);
	// The suite's only Socket Mode workflow: activated, its trigger opens a connection of its own.
	if (usesSocketMode(entry)) await eventually(async () => (socket.connections.length > connectionsBefore && socket.live().length === 1 ? true : undefined));
}

async function deactivate(entry: SavedWorkflowCase): Promise<void> {
	await n8n.send('POST', `/rest/workflows/${saved.get(entry.key)!.id}/deactivate`, {});
	// Deactivated, the trigger closes its connection (on n8n 2.x through its publication outbox, a moment later).
	if (usesSocketMode(entry)) await eventually(async () => (socket.live().length === 0 ? true : undefined));
}

async function saveAndActivate(entry: SavedWorkflowCase): Promise<void> {
	const created = await n8n.send<SavedWorkflowRow>('POST', '/rest/workflows', savedWorkflow(entry, context));
	saved.set(entry.key, created);
	await activate(entry);
}

/** Runs a case once and waits for the executions it starts to finish. */
async function run(entry: SavedWorkflowCase): Promise<RunResult> {
	const { id } = saved.get(entry.key)!;
	const before = new Set((await n8n.executionsOf(id)).map((execution) => execution.id));
	const slackBefore = slack.received.length;
	const replies = await entry.run(context);
	const executions = await eventually(async () => {
		const started = (await n8n.executionsOf(id)).filter((execution) => !before.has(execution.id));
		const finished = started.every((execution) => !['new', 'running', 'waiting'].includes(execution.status));
		return started.length >= entry.executionsPerRun && finished ? started : undefined;
	}, 30_000);
	return {
		replies,
		executions: executions.sort((a, b) => Number(a.id) - Number(b.id)).map((execution) => execution.status),
		slack: slack.received.slice(slackBefore).map(({ path, json }) => ({ path, json })),
	};
}

describe(`the saved workflows of this suite and the packed ${packed.name} ${packed.version}`, () => {
	it('use every node type at every type version and every credential type the packed package declares', () => {
		// The workflows' shape does not depend on the IDs n8n gives the credentials.
		const placeholder = { id: 'placeholder', name: 'placeholder' };
		const shapeOnly: CaseContext = {
			n8nUrl: n8n.url,
			slackPort: 0,
			packageName: packed.name,
			credentials: { incomingUrl: placeholder, addToSlack: placeholder, outgoingToken: placeholder, slackApp: placeholder, socketMode: placeholder, redis: placeholder },
		};
		const { uncovered, unknown } = coverageGaps(SAVED_WORKFLOW_CASES, packed, shapeOnly);
		if (uncovered.length > 0) throw new Error(`the packed package declares ${uncovered.join(', ')}, which no saved workflow of test/install/saved-workflows.ts uses: add a case for each`);
		if (unknown.length > 0) throw new Error(`saved workflows use ${unknown.join(', ')}, which the packed package no longer declares: a saved workflow of a released version would break`);
	});
});

describe(`n8n ${n8nVersion}: ${packed.name} installed through Settings → Community Nodes`, () => {
	it(`installs ${packed.version} with POST /rest/community-packages, what the Install button sends`, async () => {
		const installed = await n8n.send<InstalledPackage>('POST', '/rest/community-packages', { name: packed.name });

		expect(installed).toMatchObject({ packageName: packed.name, installedVersion: packed.version });
		expect(sorted(installed.installedNodes.map(({ type }) => type))).toEqual(sorted(packed.nodes.map(({ type }) => type)));
		for (const { type, versions } of packed.nodes) {
			expect(installed.installedNodes.find((node) => node.type === type)?.latestVersion).toBe(Math.max(...versions));
		}
		expect(await installedPackages()).toEqual([expect.objectContaining({ packageName: packed.name, installedVersion: packed.version })]);
	});

	it('took the package from the test registry alone: n8n checked the version, npm fetched the tarball', async () => {
		const requests = await registry.requests();
		const own = ownRequests(requests);
		// Every request that named the package was answered by the test registry: none reached the internet.
		expect(own.filter(({ served }) => served !== 'locally')).toEqual([]);
		// n8n's own version check (checkIfVersionExistsOrThrow) came first, then npm's `pack`.
		const versionCheck = own.findIndex((request) => !isNpm(request) && request.path === `/${packed.name}/latest`);
		const download = own.findIndex((request) => isNpm(request) && request.path === tarballPath(packed.version));
		expect(versionCheck).toBeGreaterThanOrEqual(0);
		expect(download).toBeGreaterThan(versionCheck);
		// The runtime dependencies came from the real registry, through the proxy, and nothing else did.
		expect(requests.filter(({ served }) => served === 'upstream').length).toBeGreaterThan(0);
		for (const refused of requests.filter(({ served }) => served === 'refused')) {
			// n8n asks api.n8n.io whether a package is banned; the proxy refuses every host but the registry.
			expect(refused).toMatchObject({ method: 'CONNECT', host: expect.not.stringContaining('registry.npmjs.org') });
		}
		const onDisk = JSON.parse(readFileSync(join(n8nUserFolder, '.n8n', 'nodes', 'node_modules', packed.name, 'package.json'), 'utf8')) as { version: string };
		expect(onDisk.version).toBe(packed.version);
	});

	it('every node is in the node panel at once, without a restart, with every type version', async () => {
		// A node usable as a tool is listed twice: as itself and as the AI tool n8n makes of it.
		const expected = new Map(packed.nodes.flatMap(({ type, versions, usableAsTool }) => [[type, versions], ...(usableAsTool ? [[`${type}Tool`, versions] as const] : [])]));
		const listed = await eventually(async () => {
			const types = await nodePanelTypes();
			return types.size >= expected.size ? types : undefined;
		});
		expect(listed).toEqual(expected);

		// What the editor asks for when n8n pushes reloadNodeType: each node's description.
		const descriptions = await n8n.send<Array<{ name: string; displayName: string }>>('POST', '/rest/node-types', {
			nodeInfos: packed.nodes.map(({ type, versions }) => ({ name: type, version: Math.max(...versions) })),
		});
		expect(descriptions.map(({ name, displayName }) => ({ name: `${packed.name}.${name.split('.').pop()}`, displayName }))).toEqual(
			packed.nodes.map(({ type, displayName }) => ({ name: type, displayName })),
		);
	});

	it('the incoming webhook credential, created through the API, passes its credential test against the stand-in for Slack', async () => {
		const credentials: SuiteCredentials = {
			incomingUrl: await createCredential('Install suite: incoming webhook', 'slackWebhooksIncomingUrlApi', { webhookUrl: slack.url }),
			// Slack's OAuth URLs are stored (read by n8n 1.x) and set as overwrites by the script (read by 2.41).
			addToSlack: await createCredential('Install suite: Add to Slack', 'slackWebhooksIncomingOAuth2Api', {
				clientId: ADD_TO_SLACK.clientId,
				clientSecret: E2E.oauthClientSecret,
				authUrl: `${oauth.origin}/oauth/v2/authorize`,
				accessTokenUrl: `${oauth.origin}/api/oauth.v2.access`,
			}),
			outgoingToken: await createCredential('Install suite: outgoing webhook', 'slackWebhooksOutgoingApi', { token: E2E.token }),
			slackApp: await createCredential('Install suite: Slack app', 'slackWebhooksOutgoingApi', { signingSecret: E2E.signingSecret }),
			// Slack's API URL, a hidden field, is stored (read by n8n 1.x) and set as an overwrite by the script (read by 2.41).
			socketMode: await createCredential('Install suite: Slack app (Socket Mode)', 'slackWebhooksSocketModeApi', { appToken: E2E.socketModeAppToken, allowedTeamIds: '', slackApiUrl: socketModeApiUrl }),
			redis: await createCredential('Install suite: Redis', 'redis', { host: '127.0.0.1', port: redis.port, database: 0, user: '', password: '', ssl: false }),
		};
		context = { n8nUrl: n8n.url, slackPort: slack.port, slackSocket: socket, credentials, packageName: packed.name };

		const received = slack.received.length;
		const result = await n8n.send<{ status: string; message: string }>('POST', '/rest/credentials/test', {
			credentials: { id: credentials.incomingUrl.id, name: credentials.incomingUrl.name, type: 'slackWebhooksIncomingUrlApi', data: { webhookUrl: slack.url } },
		});
		expect(result).toEqual({ status: 'OK', message: 'Webhook is valid' });
		// The test posts an empty object, which is not a message: nothing is posted to the channel.
		expect(slack.received.slice(received).map(({ path, rawBody }) => [path, rawBody])).toEqual([[slack.webhookPath, '{}']]);
	});

	it("the Socket Mode credential passes its credential test: Slack's apps.connections.open accepts the token", async () => {
		const opens = socket.openRequests.length;
		const { socketMode } = context.credentials;
		const result = await n8n.send<{ status: string; message: string }>('POST', '/rest/credentials/test', {
			credentials: { id: socketMode.id, name: socketMode.name, type: 'slackWebhooksSocketModeApi', data: { appToken: E2E.socketModeAppToken, allowedTeamIds: '', slackApiUrl: socketModeApiUrl } },
		});
		expect(result.status).toBe('OK');
		expect(socket.openRequests.slice(opens).map(({ token, answer }) => ({ token, answer }))).toEqual([{ token: E2E.socketModeAppToken, answer: 'ok' }]);
	});

	it('a workflow with the trigger and the action, created through the API, activates and answers in the thread', async () => {
		const entry = SAVED_WORKFLOW_CASES.find(({ key }) => key === 'outgoing-webhook-v2-thread-reply')!;
		await saveAndActivate(entry);
		const result = await run(entry);

		expect(result).toEqual({
			replies: [{ status: 200, body: '' }],
			executions: ['success'],
			slack: [{ path: slack.webhookPath, json: { text: 'hello from the thread', thread_ts: SEED_THREAD_TS } }],
		});
		firstRuns.set(entry.key, result);
	});
});

describe(`n8n ${n8nVersion}: saved workflows across an update to ${packed.next.version}`, () => {
	it("connects the Add to Slack credential through n8n's OAuth flow", async () => {
		const { callbackStatus, callbackPage } = await n8n.connectOAuth2(context.credentials.addToSlack.id);
		expect(callbackStatus).toBe(200);
		expect(callbackPage).toContain("postMessage('success'");
	});

	it('saves and activates a workflow for every case and records what a run of each does', async () => {
		for (const entry of SAVED_WORKFLOW_CASES) {
			if (!saved.has(entry.key)) await saveAndActivate(entry);
			const result = firstRuns.get(entry.key) ?? (await run(entry));
			firstRuns.set(entry.key, result);
			// A record of failures would hold nothing worth keeping: each case must work before the update.
			expect({ key: entry.key, executions: result.executions }).toEqual({ key: entry.key, executions: Array(entry.executionsPerRun).fill('success') });
			expect({ key: entry.key, statuses: result.replies.map(({ status }) => status) }).toEqual({ key: entry.key, statuses: result.replies.map(() => 200) });
		}
		// What reached Slack, case by case.
		const posted = (key: string) => firstRuns.get(key)!.slack.map(({ json }) => json);
		expect(posted('outgoing-webhook-v1')).toEqual([]);
		expect(JSON.parse(firstRuns.get('outgoing-webhook-v1')!.replies[0].body)).toEqual({ text: 'African or European?' });
		expect(posted('slack-app-event-v3-redis')).toEqual([{ text: 'Deploying api for <@U2147483697>', thread_ts: '1700000000.000042' }]);
		expect(posted('slack-app-button-v3-response-url')).toEqual([{ text: 'Approved by <@U2147483697> (report-42)', response_type: 'in_channel', replace_original: true }]);
		expect(posted('add-to-slack-oauth2')).toEqual([{ text: 'Nightly report: 42 new sign-ups' }]);
		expect(firstRuns.get('socket-mode-command-v1')!.replies).toEqual([{ status: 200, body: JSON.stringify({ text: 'On it.' }) }]);
		expect(posted('socket-mode-command-v1')).toEqual([{ text: 'Deploying api for <@U2147483697>' }]);
	});

	it(`publishes ${packed.next.version} to the registry, and n8n's list of community packages offers it`, async () => {
		const published = await registry.publish(packed.next.tarball);
		expect(published).toMatchObject({ name: packed.name, version: packed.next.version });
		// n8n runs `npm outdated` in its nodes folder for the list the screen shows.
		const [listed] = await installedPackages();
		expect(listed).toMatchObject({ packageName: packed.name, installedVersion: packed.version, updateAvailable: packed.next.version });
	});

	it(`updates to ${packed.next.version} with PATCH /rest/community-packages, what the Update button sends`, async () => {
		const before = (await registry.requests()).length;
		// With unverified packages allowed (n8n's default), the screen sends the name alone: n8n installs `latest`.
		const updated = await n8n.send<InstalledPackage>('PATCH', '/rest/community-packages', { name: packed.name });
		expect(updated).toMatchObject({ packageName: packed.name, installedVersion: packed.next.version });
		expect(await installedPackages()).toEqual([expect.objectContaining({ packageName: packed.name, installedVersion: packed.next.version })]);

		const own = ownRequests((await registry.requests()).slice(before));
		expect(own.filter(({ served }) => served !== 'locally')).toEqual([]);
		expect(own).toContainEqual(expect.objectContaining({ path: tarballPath(packed.next.version), status: 200 }));
	});

	it('every saved workflow still activates: each is deactivated and activated again under the new version', async () => {
		for (const entry of SAVED_WORKFLOW_CASES) {
			const row = saved.get(entry.key)!;
			expect((await n8n.get<{ data: SavedWorkflowRow }>(`/rest/workflows/${row.id}`)).data.active).toBe(true);
			await deactivate(entry);
			await activate(entry);
		}
	});

	it('each saved workflow runs with the same result as before the update', async () => {
		for (const entry of SAVED_WORKFLOW_CASES) {
			expect({ key: entry.key, ...(await run(entry)) }).toEqual({ key: entry.key, ...firstRuns.get(entry.key)! });
		}
	});
});

describe(`n8n ${n8nVersion}: uninstalled through Settings → Community Nodes while saved workflows use its nodes`, () => {
	const packageFolder = join(n8nUserFolder, '.n8n', 'nodes', 'node_modules', packed.name);
	/** The case whose workflow the suite deactivates after the uninstall, to see whether it activates again. */
	const deactivated = SAVED_WORKFLOW_CASES[0];

	it('DELETE /rest/community-packages, what the Uninstall button sends, removes the package, its files and its nodes', async () => {
		await n8n.send('DELETE', `/rest/community-packages?name=${encodeURIComponent(packed.name)}`);

		expect(await installedPackages()).toEqual([]);
		expect(await eventually(async () => ((await nodePanelTypes()).size === 0 ? true : undefined))).toBe(true);
		expect(existsSync(packageFolder)).toBe(false);
		// n8n's own list of what it installed in its nodes folder: 2.x takes the package out of it
		// (CommunityPackagesService.removeNpmPackage, removePackageJsonDependency); 1.x deletes only the folder.
		const ledger = JSON.parse(readFileSync(join(n8nUserFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
		expect(ledger.dependencies).toEqual(n8nMajor >= 2 ? {} : { [packed.name]: packed.next.version });
	});

	it('leaves every saved workflow as it was: still saved, still marked active, its nodes and credentials untouched', async () => {
		for (const entry of SAVED_WORKFLOW_CASES) {
			const { data } = await n8n.get<{ data: SavedWorkflowRow & { nodes: Array<Record<string, unknown>> } }>(`/rest/workflows/${saved.get(entry.key)!.id}`);
			const { nodes } = savedWorkflow(entry, context);
			expect({ key: entry.key, active: data.active, nodes: data.nodes.map(({ id: _id, ...node }) => node) }).toEqual({ key: entry.key, active: true, nodes });
		}
		const { data: credentials } = await n8n.get<{ data: Array<{ type: string }> }>('/rest/credentials');
		expect(new Set(credentials.map(({ type }) => type))).toEqual(new Set([...packed.credentials, 'redis']));
	});

	it(`their webhooks answer ${n8nMajor >= 2 ? 400 : 500} "Unrecognized node type" and start nothing`, async () => {
		for (const entry of SAVED_WORKFLOW_CASES.filter((candidate) => webhookPathsOf(candidate).length > 0)) {
			const { id } = saved.get(entry.key)!;
			const before = await n8n.executionCount(id);
			const slackBefore = slack.received.length;
			const [reply] = await entry.run(context);
			// n8n names the first node of the workflow whose type it does not know.
			const firstOfOurs = entry.nodes(context).nodes.find(({ type }) => type.startsWith(`${packed.name}.`))!.type;
			expect({ key: entry.key, status: reply.status, message: (JSON.parse(reply.body) as { message: string }).message }).toEqual({
				key: entry.key,
				// n8n 2.x answers a workflow it cannot build with 400, 1.x with 500.
				status: n8nMajor >= 2 ? 400 : 500,
				message: `Unrecognized node type: ${firstOfOurs}`,
			});
			expect(await n8n.executionCount(id)).toBe(before);
			expect(slack.received.length).toBe(slackBefore);
		}
	});

	it(
		n8nMajor >= 2
			? "the Socket Mode workflow keeps its connection, but n8n starts nothing: an event goes unacknowledged, so Slack sends it again; a slash command is acknowledged and lost"
			: "the Socket Mode workflow keeps its connection, but n8n starts nothing and says nothing of it: events and commands are acknowledged after the trigger's wait and lost (docs/socket-mode.md)",
		async () => {
			// n8n deactivates nothing on an uninstall: the trigger, still in memory, keeps its connection
			// and hands n8n each envelope, which n8n cannot start (the node types are gone). n8n 2.x
			// rejects the execution's done promise: an event is then left unacknowledged, so Slack sends it
			// again; a slash command is acknowledged anyway, since Slack never sends one again and holding
			// it back would only show its user Slack's error. n8n 1.x leaves that promise unsettled: the
			// trigger takes the start as made when its wait ends.
			const entry = SAVED_WORKFLOW_CASES.find(usesSocketMode)!;
			const { id } = saved.get(entry.key)!;
			const before = await n8n.executionCount(id);
			const slackBefore = slack.received.length;
			expect(socket.live()).toHaveLength(1);
			const event = socket.envelopes.get(socket.send('events_api', eventCallback(messageEvent({ text: '/deploy api now' }))))!;
			const command = socket.envelopes.get(socket.send('slash_commands', slashCommand({ text: 'api now' })))!;
			await eventually(async () => (command.acks.length > 0 ? true : undefined), 30_000);
			expect(command.acks).toHaveLength(1);
			if (n8nMajor >= 2) {
				// The stand-in sends an event again when Slack's 3 s pass without an acknowledgement, three
				// times, as Slack does; waiting for it to give up keeps a late delivery out of the next test.
				await eventually(async () => (event.gaveUp ? true : undefined), 30_000);
				expect(event.deliveries.map(({ retryAttempt }) => retryAttempt)).toEqual([0, 1, 2, 3]);
				expect(event.acks).toEqual([]);
			} else {
				await eventually(async () => (event.acks.length > 0 ? true : undefined), 30_000);
				expect(event.deliveries).toHaveLength(1);
			}
			// Slack never sends a command again.
			expect(command.deliveries).toHaveLength(1);
			expect(await n8n.executionCount(id)).toBe(before);
			expect(slack.received.length).toBe(slackBefore);
		},
	);

	it('a workflow deactivated now cannot be activated again: n8n refuses it with "Unrecognized node type"', async () => {
		const { id } = saved.get(deactivated.key)!;
		await n8n.send('POST', `/rest/workflows/${id}/deactivate`, {});
		const { data } = await n8n.get<{ data: SavedWorkflowRow }>(`/rest/workflows/${id}`);
		const refused = await n8n.call('POST', `/rest/workflows/${id}/activate`, { versionId: data.versionId });
		expect(refused.status).toBe(400);
		expect((JSON.parse(refused.body) as { message: string }).message).toBe(`Unrecognized node type: ${deactivated.nodes(context).nodes[0].type}`);
	});

	it('installing the package again brings them back: each runs as before, the deactivated one once activated again', async () => {
		const installed = await n8n.send<InstalledPackage>('POST', '/rest/community-packages', { name: packed.name });
		expect(installed.installedVersion).toBe(packed.next.version);
		await activate(deactivated);
		for (const entry of SAVED_WORKFLOW_CASES) {
			expect({ key: entry.key, ...(await run(entry)) }).toEqual({ key: entry.key, ...firstRuns.get(entry.key)! });
		}
	});
});
