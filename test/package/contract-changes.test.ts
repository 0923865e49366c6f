// The classification of changes between two releases' descriptions, on small hand-made node and
// credential types: each case is a description as released and the same description changed once.
import type { ICredentialType, INodeProperties, INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';

import { formatContract, packageContract } from './contract';
import { compareContracts, compareDisplay, describeChanges, type ContractChange } from './contract-changes';

const PACKAGE = 'n8n-nodes-example';

function released(): INodeTypeDescription {
	return {
		displayName: 'Example',
		name: 'example',
		group: ['output'],
		version: [1, 2],
		description: 'An example node',
		defaults: { name: 'Example' },
		inputs: ['main'],
		outputs: ['main'],
		usableAsTool: true,
		credentials: [
			{ name: 'exampleApi', required: true, displayOptions: { show: { authentication: ['token'] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', path: 'example' }],
		properties: [
			{ displayName: 'Read me', name: 'notice', type: 'notice', default: '' },
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Token', value: 'token' },
					{ name: 'None', value: 'none' },
				],
				default: 'token',
			},
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'One', value: 'one' },
					{ name: 'All', value: 'all' },
				],
				default: 'one',
			},
			{ displayName: 'Text', name: 'text', type: 'string', default: '', displayOptions: { show: { mode: ['one'] } } },
			{ displayName: 'Text', name: 'text', type: 'string', default: '', displayOptions: { show: { mode: ['all'] } } },
			{ displayName: 'Channel', name: 'channel', type: 'string', default: '', displayOptions: { hide: { authentication: ['none'] } } },
			{ displayName: 'Strict', name: 'strict', type: 'boolean', default: false, displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } } },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [
					{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 10 },
					{ displayName: 'Retries', name: 'retries', type: 'number', default: 3, displayOptions: { show: { '/mode': ['one'] } } },
				],
			},
			{
				displayName: 'Fields',
				name: 'fields',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [{ name: 'field', displayName: 'Field', values: [{ displayName: 'Title', name: 'title', type: 'string', default: '' }] }],
			},
		],
	};
}

function exampleCredential(): ICredentialType {
	return {
		name: 'exampleApi',
		displayName: 'Example API',
		properties: [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Region', name: 'region', type: 'options', options: [{ name: 'EU', value: 'eu' }, { name: 'US', value: 'us' }], default: 'eu', required: true },
		],
	};
}

function contractOf(description: INodeTypeDescription, credential: ICredentialType = exampleCredential()) {
	return packageContract(PACKAGE, [{ description } as INodeType], [credential]);
}

/** The changes from the released description to the one `edit` makes of it. */
function changesAfter(edit: (description: INodeTypeDescription) => void, editCredential?: (credential: ICredentialType) => void): ContractChange[] {
	const description = released();
	edit(description);
	const credential = exampleCredential();
	editCredential?.(credential);
	return compareContracts(contractOf(released()), contractOf(description, credential));
}

function property(description: INodeTypeDescription, name: string, index = 0): INodeProperties {
	const found = description.properties.filter((candidate) => candidate.name === name)[index];
	if (!found) throw new Error(`no property ${name}`);
	return found;
}

function optionOf(description: INodeTypeDescription, collection: string, name: string): INodeProperties {
	return (property(description, collection).options as INodeProperties[]).find((option) => option.name === name) as INodeProperties;
}

/** Each change as "breaking|addition: where: what", the form the assertions read best in. */
function summary(changes: ContractChange[]): string[] {
	return changes.map((change) => `${change.breaking ? 'breaking' : 'addition'}: ${change.where}: ${change.what}`);
}

const NODE = `node type ${PACKAGE}.example`;

describe('compareContracts', () => {
	it('finds nothing between a description and itself', () => {
		expect(changesAfter(() => undefined)).toEqual([]);
	});

	it('ignores what no saved workflow holds: display names, descriptions, notices, the order of parameters and options', () => {
		expect(
			changesAfter((description) => {
				description.displayName = 'Renamed Example';
				property(description, 'mode').displayName = 'How';
				property(description, 'mode').description = 'Pick one';
				(property(description, 'mode').options as Array<{ name: string }>)[0].name = 'Just One';
				description.properties = description.properties.filter((candidate) => candidate.type !== 'notice').reverse();
				description.properties.push({ displayName: 'New notice', name: 'otherNotice', type: 'notice', default: '' });
			}),
		).toEqual([]);
	});

	describe('breaking', () => {
		it.each<[string, (description: INodeTypeDescription) => void, string]>([
			['a removed parameter', (d) => (d.properties = d.properties.filter((p) => p.name !== 'channel')), `${NODE} v1, parameter channel: removed (or renamed), type string`],
			['a changed type', (d) => (property(d, 'channel').type = 'json'), `${NODE} v1, parameter channel: type string became json`],
			['a changed default', (d) => (property(d, 'mode').default = 'all'), `${NODE} v1, parameter mode: default "one" became "all"`],
			['a changed default in a collection', (d) => (optionOf(d, 'options', 'timeout').default = 30), `${NODE} v1, parameter options.timeout: default 10 became 30`],
			[
				'a changed default in a fixed collection',
				(d) => (((property(d, 'fields').options as Array<{ values: INodeProperties[] }>)[0].values[0].default = 'untitled')),
				`${NODE} v1, parameter fields.field.title: default "" became "untitled"`,
			],
			['a removed option value', (d) => (property(d, 'mode').options = [{ name: 'One', value: 'one' }]), `${NODE} v1, parameter mode: option value "all" removed`],
			['a show condition given a new entry', (d) => (property(d, 'channel').displayOptions = { hide: { authentication: ['none'] }, show: { mode: ['one'] } }), `${NODE} v1, parameter channel: display conditions`],
			['a show condition with fewer values', (d) => (optionOf(d, 'options', 'retries').displayOptions = { show: { '/mode': [] } }), `${NODE} v1, parameter options.retries: display conditions`],
			['a hide condition with more values', (d) => (property(d, 'channel').displayOptions = { hide: { authentication: ['none', 'token'] } }), `${NODE} v1, parameter channel: display conditions`],
			['a hide condition given a new entry', (d) => (property(d, 'mode').displayOptions = { hide: { authentication: ['none'] } }), `${NODE} v1, parameter mode: display conditions`],
			['a parameter shown from a later type version on', (d) => (property(d, 'strict').displayOptions = { show: { '@version': [{ _cnd: { gte: 3 } }] } }), `${NODE} v2, parameter strict: removed`],
			['a required parameter', (d) => (property(d, 'channel').required = true), `${NODE} v1, parameter channel: became required`],
			['a new required parameter without a default', (d) => d.properties.push({ displayName: 'Team', name: 'team', type: 'string', required: true, default: '' }), `${NODE} v1, parameter team: added as required`],
			['noDataExpression', (d) => (property(d, 'channel').noDataExpression = true), `${NODE} v1, parameter channel: became noDataExpression`],
			['multipleValues', (d) => (property(d, 'fields').typeOptions = { multipleValues: false }), `${NODE} v1, parameter fields: no longer multipleValues`],
			['a removed fixed collection group', (d) => (property(d, 'fields').options = []), `${NODE} v1, parameter fields.field: group removed`],
			['a removed type version', (d) => (d.version = 1), `${NODE} v2: type version removed`],
			['a renamed node type', (d) => (d.name = 'sample'), `${NODE}: removed or renamed`],
			['a removed credential slot', (d) => (d.credentials = []), `${NODE} v1, credential exampleApi: no longer offered`],
			['a narrowed credential slot', (d) => (d.credentials = [{ name: 'exampleApi', required: true, displayOptions: { show: { authentication: ['token'], mode: ['one'] } } }]), `${NODE} v1, credential exampleApi: display conditions`],
			['a new required credential slot', (d) => d.credentials?.push({ name: 'otherApi', required: true }), `${NODE} v1, credential otherApi: added as a required credential`],
			['a changed webhook path', (d) => (d.webhooks = [{ name: 'default', httpMethod: 'POST', path: 'other' }]), `${NODE} v1, webhook default:`],
			['a removed output', (d) => (d.outputs = []), `${NODE} v1, outputs: ["main"] became []`],
			['no longer usable as a tool', (d) => delete d.usableAsTool, `${NODE}: no longer usableAsTool`],
		])('%s', (_name, edit, expected) => {
			const changes = changesAfter(edit);
			expect(summary(changes.filter((change) => change.breaking)).some((line) => line.startsWith(`breaking: ${expected}`))).toBe(true);
			expect(changes.filter((change) => change.breaking).every((change) => (change.advice ?? '').length > 0)).toBe(true);
		});

		it('a renamed parameter, as its old name removed and its new name added', () => {
			expect(summary(changesAfter((d) => (property(d, 'channel').name = 'target')))).toEqual([
				`breaking: ${NODE} v1, parameter channel: removed (or renamed), type string`,
				`addition: ${NODE} v1, parameter target: added, type string, default ""`,
				`breaking: ${NODE} v2, parameter channel: removed (or renamed), type string`,
				`addition: ${NODE} v2, parameter target: added, type string, default ""`,
			]);
		});

		it('credential types: a rename, a changed default, a removed option value, a changed extends', () => {
			expect(summary(changesAfter(() => undefined, (credential) => (credential.name = 'sampleApi')))).toEqual([
				'breaking: credential type exampleApi: removed or renamed',
				'addition: credential type sampleApi: added',
			]);
			expect(summary(changesAfter(() => undefined, (credential) => (credential.properties[1].default = 'us')))).toEqual([
				'breaking: credential type exampleApi, field region: default "eu" became "us"',
			]);
			expect(summary(changesAfter(() => undefined, (credential) => (credential.properties[1].options = [{ name: 'US', value: 'us' }])))).toEqual([
				'breaking: credential type exampleApi, field region: option value "eu" removed',
			]);
			expect(summary(changesAfter(() => undefined, (credential) => (credential.extends = ['oAuth2Api'])))).toEqual([
				'breaking: credential type exampleApi: extends [] became ["oAuth2Api"]',
			]);
		});

		it('credential types: a field no longer required is an addition', () => {
			expect(summary(changesAfter(() => undefined, (credential) => (credential.properties[1].required = false)))).toEqual([
				'addition: credential type exampleApi, field region: no longer required',
			]);
		});

		it.each([
			[0, 'one'],
			[1, 'all'],
		])('names the one of two same-named parameters that was removed, and only that one (text %i)', (index, mode) => {
			const removeText = (d: INodeTypeDescription) => d.properties.splice(d.properties.indexOf(property(d, 'text', index)), 1);
			expect(summary(changesAfter(removeText))).toEqual([
				`breaking: ${NODE} v1, parameter text (the one shown when {"show":{"mode":["${mode}"]}}): removed (or renamed), type string`,
				`breaking: ${NODE} v2, parameter text (the one shown when {"show":{"mode":["${mode}"]}}): removed (or renamed), type string`,
			]);
		});

		it('names the one of two same-named parameters that changed', () => {
			expect(summary(changesAfter((d) => (property(d, 'text', 1).default = 'all items'))).slice(0, 1)).toEqual([
				`breaking: ${NODE} v1, parameter text (the one shown when {"show":{"mode":["all"]}}): default "" became "all items"`,
			]);
		});
	});

	describe('additions', () => {
		it.each<[string, (description: INodeTypeDescription) => void, string]>([
			['a new option value', (d) => (property(d, 'mode').options as unknown[]).push({ name: 'Some', value: 'some' }), `${NODE} v1, parameter mode: option value "some" added`],
			['a new parameter with a default', (d) => d.properties.push({ displayName: 'Emoji', name: 'emoji', type: 'string', default: '' }), `${NODE} v1, parameter emoji: added, type string, default ""`],
			['a new option in a collection', (d) => (property(d, 'options').options as INodeProperties[]).push({ displayName: 'Label', name: 'label', type: 'string', default: '' }), `${NODE} v1, parameter options.label: added`],
			['a new fixed collection group', (d) => (property(d, 'fields').options as unknown[]).push({ name: 'link', displayName: 'Link', values: [] }), `${NODE} v1, parameter fields.link: group added`],
			['a show condition with more values', (d) => (property(d, 'text').displayOptions = { show: { mode: ['one', 'all'] } }), `${NODE} v1, parameter text`],
			['a hide condition dropped', (d) => delete property(d, 'channel').displayOptions, `${NODE} v1, parameter channel: display conditions {"hide":{"authentication":["none"]}} became {}, shown in more cases`],
			['a parameter shown from an earlier type version on', (d) => (property(d, 'strict').displayOptions = undefined), `${NODE} v1, parameter strict: added, type boolean, default false`],
			['a new type version', (d) => (d.version = [1, 2, 3]), `${NODE} v3: type version added`],
			['a new output at the end', (d) => (d.outputs = ['main', 'main']), `${NODE} v1, outputs: ["main"] became ["main","main"]`],
			['a new optional credential slot', (d) => d.credentials?.push({ name: 'otherApi' }), `${NODE} v1, credential otherApi: added, not required`],
			[
				'a new required parameter shown only for a new option value',
				(d) => {
					(property(d, 'mode').options as unknown[]).push({ name: 'Thread', value: 'thread' });
					d.properties.push({ displayName: 'Thread', name: 'thread', type: 'string', required: true, default: '', displayOptions: { show: { mode: ['thread'] } } });
				},
				`${NODE} v1, parameter thread: added`,
			],
			[
				'a new required credential shown only for a new option value',
				(d) => {
					(property(d, 'authentication').options as unknown[]).push({ name: 'OAuth2', value: 'oAuth2' });
					d.credentials?.push({ name: 'exampleOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } });
				},
				`${NODE} v1, credential exampleOAuth2Api: added, required only for a new option value`,
			],
		])('%s', (_name, edit, expected) => {
			const changes = changesAfter(edit);
			expect(changes.filter((change) => change.breaking)).toEqual([]);
			expect(summary(changes).some((line) => line.startsWith(`addition: ${expected}`))).toBe(true);
		});

		it('a new node type, a new credential type, a node type made usable as a tool', () => {
			const base = packageContract(PACKAGE, [{ description: { ...released(), usableAsTool: undefined } } as INodeType], []);
			const other = { ...released(), name: 'other' };
			const after = packageContract(PACKAGE, [{ description: released() } as INodeType, { description: other } as INodeType], [exampleCredential()]);
			expect(summary(compareContracts(base, after))).toEqual([
				`addition: ${NODE}: usableAsTool: n8n now derives the node type ${PACKAGE}.exampleTool`,
				`addition: node type ${PACKAGE}.other: added, with type versions 1, 2`,
				'addition: credential type exampleApi: added',
			]);
		});
	});

	it('reads every type version of a versioned node type from its own description', () => {
		const versioned: IVersionedNodeType = {
			currentVersion: 2,
			description: { displayName: 'Example', name: 'example', group: ['output'], description: 'An example node', defaultVersion: 2 },
			nodeVersions: {
				1: { description: { ...released(), version: 1 } } as INodeType,
				2: { description: { ...released(), version: 2, properties: released().properties.filter((p) => p.name !== 'channel') } } as INodeType,
			},
			getNodeType: () => ({ description: released() }) as INodeType,
		};
		const contract = packageContract(PACKAGE, [versioned], []);
		const names = (version: string) => contract.nodeTypes[`${PACKAGE}.example`].versions[version].parameters.map((parameter) => parameter.name);
		expect(names('1')).toContain('channel');
		expect(names('2')).not.toContain('channel');
	});
});

describe('formatContract', () => {
	it('writes the same text for the same types, whatever order their parameters, options and credentials are declared in', () => {
		const shuffled = released();
		shuffled.properties.reverse();
		shuffled.credentials?.push(...(shuffled.credentials.splice(0) ?? []).reverse());
		(property(shuffled, 'mode').options as unknown[]).reverse();
		expect(formatContract(contractOf(shuffled))).toBe(formatContract(contractOf(released())));
	});

	it('writes valid JSON that reads back as the same contract', () => {
		const contract = contractOf(released());
		const { $comment, ...readBack } = JSON.parse(formatContract(contract)) as Record<string, unknown>;
		expect($comment).toContain('npm run contract:update');
		expect(compareContracts(readBack as never, contract)).toEqual([]);
	});
});

describe('compareDisplay', () => {
	it.each<[string, object | undefined, object | undefined, string]>([
		['no conditions both times', undefined, undefined, 'same'],
		['values reordered', { show: { a: ['x', 'y'] } }, { show: { a: ['y', 'x'] } }, 'same'],
		['a show entry added', undefined, { show: { a: ['x'] } }, 'narrower'],
		['a show entry dropped', { show: { a: ['x'] } }, undefined, 'wider'],
		['a show value added', { show: { a: ['x'] } }, { show: { a: ['x', 'y'] } }, 'wider'],
		['a show value replaced', { show: { a: ['x'] } }, { show: { a: ['y'] } }, 'narrower'],
		['a hide entry added', undefined, { hide: { a: ['x'] } }, 'narrower'],
		['a hide value dropped', { hide: { a: ['x', 'y'] } }, { hide: { a: ['x'] } }, 'wider'],
		['a condition object changed', { show: { '@version': [{ _cnd: { gte: 2 } }] } }, { show: { '@version': [{ _cnd: { gte: 1 } }] } }, 'narrower'],
		['one wider, one narrower', { show: { a: ['x'] } }, { show: { a: ['x', 'y'], b: ['z'] } }, 'narrower'],
	])('%s', (_name, was, now, expected) => {
		expect(compareDisplay(was as never, now as never)).toBe(expected);
	});
});

describe('describeChanges', () => {
	const changes = changesAfter((d) => {
		property(d, 'mode').default = 'all';
		(property(d, 'mode').options as unknown[]).push({ name: 'Some', value: 'some' });
	});
	const message = describeChanges(changes, 'test/package/contract.json');

	it('says what breaks and what to do instead: a new type version', () => {
		expect(message).toContain('would break workflows saved with the released package');
		expect(message).toContain('default "one" became "all"');
		expect(message).toContain('Instead: n8n saves a parameter only when it differs from its default');
		expect(message).toContain('add a type version that has the change');
	});

	it('says a change made in every type version once, naming the versions', () => {
		expect(message).toContain(`${NODE} v1 and v2, parameter mode: default "one" became "all".`);
		expect(message.match(/default "one" became "all"/g)).toHaveLength(1);
	});

	it('calls an addition an addition and gives the one command that records it', () => {
		expect(message).toMatch(/additions? that breaks? no saved workflow/);
		expect(message).toContain('option value "some" added');
		expect(message).toContain('Record it on purpose: npm run contract:update');
	});
});
