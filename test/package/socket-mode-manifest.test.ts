import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Slack app manifest of docs/examples against the hand-made steps of docs/socket-mode.md
 * ("Slack app settings, step by step"): a user who pastes the manifest must get the app the steps
 * describe, so the events and scopes are read out of the steps' own words, not listed again here.
 * The manifest's shape is Slack's (https://docs.slack.dev/reference/app-manifest): `settings`
 * holds `socket_mode_enabled`, `event_subscriptions.bot_events` and `interactivity.is_enabled`;
 * `features` the bot user, the App Home and `slash_commands`; `oauth_config.scopes.bot` the scopes.
 */

const ROOT = join(__dirname, '../..');
const MANIFEST_FILE = 'docs/examples/slack-app-manifest.socket-mode.json';
const STEPS_FILE = 'docs/socket-mode.md';
const STEPS_HEADING = '## Slack app settings, step by step';
const EXAMPLE_WORKFLOW_FILE = 'docs/examples/socket-mode-deploy-command.json';

interface SlackAppManifest {
	display_information?: { name?: unknown };
	features?: {
		bot_user?: { display_name?: unknown };
		app_home?: { messages_tab_enabled?: unknown; messages_tab_read_only_enabled?: unknown };
		slash_commands?: Array<{ command?: unknown; description?: unknown; url?: unknown }>;
	};
	oauth_config?: { scopes?: { bot?: unknown } };
	settings?: {
		socket_mode_enabled?: unknown;
		event_subscriptions?: { bot_events?: unknown; request_url?: unknown };
		interactivity?: { is_enabled?: unknown; request_url?: unknown };
	};
}

/** The section's text, up to the next second-level heading. */
function section(markdown: string, heading: string): string {
	const start = markdown.indexOf(`\n${heading}\n`);
	if (start < 0) throw new Error(`${STEPS_FILE} has no "${heading}" section`);
	const end = markdown.indexOf('\n## ', start + heading.length + 1);
	return markdown.slice(start, end < 0 ? undefined : end);
}

/** The code spans of the one numbered step that starts with `**<title>`. */
function namesInStep(steps: string, title: string): string[] {
	const items = steps.split('\n').filter((line) => /^\d+\. /.test(line) && line.replace(/^\d+\. /, '').startsWith(`**${title}`));
	if (items.length !== 1) throw new Error(`expected one step "${title}" in ${STEPS_FILE}, found ${items.length}`);
	return [...items[0].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}

const sorted = (names: readonly string[]) => [...names].sort();

const manifestText = readFileSync(join(ROOT, MANIFEST_FILE), 'utf8');
const steps = section(readFileSync(join(ROOT, STEPS_FILE), 'utf8'), STEPS_HEADING);
const stepEvents = namesInStep(steps, 'Features → Event Subscriptions');
const stepScopes = namesInStep(steps, 'Features → OAuth & Permissions → Bot Token Scopes');
const stepCommands = namesInStep(steps, 'Features → Slash Commands');

describe(`${MANIFEST_FILE}, the manifest for Create New App → From a manifest`, () => {
	let manifest: SlackAppManifest;

	beforeAll(() => {
		// JSON.parse throws with the position of the first error: the file is what Slack's JSON tab takes.
		manifest = JSON.parse(manifestText) as SlackAppManifest;
	});

	it('reads only event names, scope names and a command out of the steps (the steps are worded as this test expects)', () => {
		expect(stepEvents.length).toBeGreaterThan(0);
		expect(stepScopes.length).toBeGreaterThan(0);
		for (const event of stepEvents) expect(event).toMatch(/^[a-z_]+(\.[a-z_]+)?$/);
		for (const scope of stepScopes) expect(scope).toMatch(/^[a-z_-]+(:[a-z_.]+)?$/);
		expect(stepCommands.filter((name) => name.startsWith('/'))).toHaveLength(1);
	});

	it('turns Socket Mode and interactivity on, with no Request URL anywhere', () => {
		expect(manifest.settings?.socket_mode_enabled).toBe(true);
		expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
		expect(manifest.settings?.interactivity?.request_url).toBeUndefined();
		expect(manifest.settings?.event_subscriptions?.request_url).toBeUndefined();
		for (const command of manifest.features?.slash_commands ?? []) expect(command.url).toBeUndefined();
	});

	it('has a name and a bot user, which bot events and bot scopes need', () => {
		expect(typeof manifest.display_information?.name).toBe('string');
		expect(typeof manifest.features?.bot_user?.display_name).toBe('string');
	});

	it('subscribes to exactly the bot events the steps name', () => {
		const events = manifest.settings?.event_subscriptions?.bot_events;
		expect(Array.isArray(events)).toBe(true);
		expect(new Set(events as string[]).size).toBe((events as string[]).length);
		expect(sorted(events as string[])).toEqual(sorted(stepEvents));
	});

	it('asks for exactly the bot scopes the steps name', () => {
		const scopes = manifest.oauth_config?.scopes?.bot;
		expect(Array.isArray(scopes)).toBe(true);
		expect(new Set(scopes as string[]).size).toBe((scopes as string[]).length);
		expect(sorted(scopes as string[])).toEqual(sorted(stepScopes));
	});

	it('opens the Messages Tab for DMs when it subscribes to message.im, as the steps say', () => {
		const events = (manifest.settings?.event_subscriptions?.bot_events ?? []) as string[];
		if (!events.includes('message.im')) return;
		expect(manifest.features?.app_home?.messages_tab_enabled).toBe(true);
		expect(manifest.features?.app_home?.messages_tab_read_only_enabled).toBe(false);
	});

	it('creates the slash command the steps name, the one the example workflow answers', () => {
		const commands = (manifest.features?.slash_commands ?? []).map((command) => command.command);
		const stepCommand = stepCommands.find((name) => name.startsWith('/'));
		expect(commands).toEqual([stepCommand]);
		for (const command of manifest.features?.slash_commands ?? []) expect(typeof command.description).toBe('string');
		const example = JSON.parse(readFileSync(join(ROOT, EXAMPLE_WORKFLOW_FILE), 'utf8')) as {
			nodes: Array<{ type: string; parameters: { triggerWords?: string } }>;
		};
		const trigger = example.nodes.find((node) => node.type.endsWith('slackSocketModeTrigger'));
		expect(trigger?.parameters.triggerWords).toBe(stepCommand);
	});
});
