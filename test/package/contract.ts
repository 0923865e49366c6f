/**
 * The package's contract with saved workflows: what a workflow saved with one release holds of the
 * package and must find again in the next. n8n stores, for each node, its type name and type version,
 * its parameters by name (only those that differ from the default), and its credentials by credential
 * type name; for each credential, its type name and its fields by name. So the contract holds, per node
 * type and type version, each parameter's name, type, default, option values and display conditions
 * (nested through collections and fixed collections), the credential slots and webhooks, and per
 * credential type its fields the same way. Display names, descriptions, hints and placeholders are not
 * stored anywhere and are free to change.
 *
 * Parameters shown only for some type versions (an `@version` display condition) are evaluated with
 * n8n's own displayParameter for each version: a parameter is in a version's list when n8n shows it
 * there, and the `@version` condition, decided for that version, is left out of the conditions kept.
 */
import {
	NodeHelpers,
	type ICredentialType,
	type IDisplayOptions,
	type INodeCredentialDescription,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeType,
	type INodeTypeDescription,
	type IVersionedNodeType,
	type IWebhookDescription,
} from 'n8n-workflow';

/** Display conditions as stated in the description (`show`, `hide`), without `@version`. */
export type DisplayConditions = Record<string, unknown>;

export interface ParameterContract {
	name: string;
	type: string;
	default?: unknown;
	required?: true;
	noDataExpression?: true;
	multipleValues?: true;
	/** The values an `options` or `multiOptions` parameter offers. */
	optionValues?: unknown[];
	/** Where an `options` parameter gets its values when they are loaded, not listed. */
	loadOptionsMethod?: string;
	displayOptions?: DisplayConditions;
	/** A collection's options. */
	options?: ParameterContract[];
	/** A fixed collection's groups, by name, each with its fields. */
	groups?: Record<string, ParameterContract[]>;
}

export interface CredentialSlotContract {
	required?: true;
	displayOptions?: DisplayConditions;
}

export interface WebhookContract {
	httpMethod: unknown;
	path: unknown;
	isFullPath?: unknown;
}

export interface NodeVersionContract {
	inputs: unknown;
	outputs: unknown;
	credentials: Record<string, CredentialSlotContract>;
	webhooks?: Record<string, WebhookContract>;
	parameters: ParameterContract[];
}

export interface NodeTypeContract {
	/** n8n derives the node type `<name>Tool` from it, for AI agents (convertNodeToAiTool). */
	usableAsTool?: true;
	versions: Record<string, NodeVersionContract>;
}

export interface CredentialTypeContract {
	extends?: string[];
	properties: ParameterContract[];
}

export interface PackageContract {
	/** By the node type name a saved workflow holds: `<package name>.<node name>`. */
	nodeTypes: Record<string, NodeTypeContract>;
	credentialTypes: Record<string, CredentialTypeContract>;
}

/** Parameter types that only show something in the editor and hold no value a workflow saves. */
const DISPLAY_ONLY_TYPES = new Set(['notice', 'callout']);

/** The contract of a package named `packageName` with these node and credential types. */
export function packageContract(
	packageName: string,
	nodeTypes: Array<INodeType | IVersionedNodeType>,
	credentialTypes: ICredentialType[],
): PackageContract {
	const contract: PackageContract = { nodeTypes: {}, credentialTypes: {} };
	for (const nodeType of nodeTypes) {
		const versions = describedVersions(nodeType);
		const name = `${packageName}.${nodeType.description.name}`;
		const entry: NodeTypeContract = { versions: {} };
		for (const [version, description] of versions) {
			if (description.usableAsTool) entry.usableAsTool = true;
			entry.versions[String(version)] = nodeVersionContract(description, version);
		}
		contract.nodeTypes[name] = entry;
	}
	for (const credentialType of credentialTypes) {
		contract.credentialTypes[credentialType.name] = {
			...(credentialType.extends?.length ? { extends: [...credentialType.extends] } : {}),
			properties: parameterContracts(credentialType.properties, undefined),
		};
	}
	return contract;
}

/** Each type version a node type has, with the description n8n uses for it. */
function describedVersions(nodeType: INodeType | IVersionedNodeType): Array<[number, INodeTypeDescription]> {
	const perVersion: Array<[number, INodeTypeDescription]> = [];
	const add = (description: INodeTypeDescription) => {
		const versions = Array.isArray(description.version) ? description.version : [description.version];
		for (const version of versions) perVersion.push([version, description]);
	};
	if ('nodeVersions' in nodeType) {
		for (const versioned of Object.values(nodeType.nodeVersions)) add(versioned.description);
	} else {
		add(nodeType.description);
	}
	return perVersion.sort(([a], [b]) => a - b);
}

interface VersionView {
	version: number;
	description: INodeTypeDescription;
}

function nodeVersionContract(description: INodeTypeDescription, version: number): NodeVersionContract {
	const view: VersionView = { version, description };
	const credentials: Record<string, CredentialSlotContract> = {};
	for (const slot of description.credentials ?? []) {
		if (!shownAtVersion(slot, view)) continue;
		credentials[slot.name] = credentialSlotContract(slot);
	}
	const contract: NodeVersionContract = {
		inputs: description.inputs,
		outputs: description.outputs,
		credentials,
		parameters: parameterContracts(description.properties, view),
	};
	if (description.webhooks?.length) contract.webhooks = Object.fromEntries(description.webhooks.map((webhook) => [webhook.name, webhookContract(webhook)]));
	return contract;
}

function credentialSlotContract(slot: INodeCredentialDescription): CredentialSlotContract {
	const displayOptions = conditionsWithoutVersion(slot.displayOptions);
	return { ...(slot.required ? { required: true } : {}), ...(displayOptions ? { displayOptions } : {}) };
}

/** What decides a webhook's URL and method: where Slack (or anyone) was told to send. */
function webhookContract(webhook: IWebhookDescription): WebhookContract {
	return {
		httpMethod: webhook.httpMethod,
		path: webhook.path,
		...(webhook.isFullPath !== undefined ? { isFullPath: webhook.isFullPath } : {}),
	};
}

/**
 * The parameters shown at the view's type version (all of them for a credential, `view` undefined),
 * sorted by name, and parameters that share a name by their display conditions.
 */
function parameterContracts(properties: INodeProperties[], view: VersionView | undefined): ParameterContract[] {
	return properties
		.filter((property) => !DISPLAY_ONLY_TYPES.has(property.type) && (view === undefined || shownAtVersion(property, view)))
		.map((property) => parameterContract(property, view))
		.sort((a, b) => textOrder(a.name, b.name) || textOrder(canonicalJson(a.displayOptions), canonicalJson(b.displayOptions)));
}

function textOrder(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function parameterContract(property: INodeProperties, view: VersionView | undefined): ParameterContract {
	const contract: ParameterContract = { name: property.name, type: property.type };
	if (property.default !== undefined) contract.default = property.default;
	if (property.required) contract.required = true;
	if (property.noDataExpression) contract.noDataExpression = true;
	if (property.typeOptions?.multipleValues) contract.multipleValues = true;
	const displayOptions = view ? conditionsWithoutVersion(property.displayOptions) : statedConditions(property.displayOptions);
	if (displayOptions) contract.displayOptions = displayOptions;
	if (property.type === 'options' || property.type === 'multiOptions') {
		if (property.options) contract.optionValues = sortedValues((property.options as Array<{ value?: unknown }>).map((option) => option.value));
		if (property.typeOptions?.loadOptionsMethod) contract.loadOptionsMethod = property.typeOptions.loadOptionsMethod;
	}
	if (property.type === 'collection') {
		contract.options = parameterContracts((property.options ?? []) as INodeProperties[], view);
	}
	if (property.type === 'fixedCollection') {
		contract.groups = {};
		for (const group of (property.options ?? []) as INodePropertyCollection[]) {
			contract.groups[group.name] = parameterContracts(group.values, view);
		}
	}
	return contract;
}

/**
 * Whether n8n shows `parameter` at the view's type version as far as the version decides it: its
 * `@version` conditions alone, evaluated by n8n-workflow's displayParameter.
 */
function shownAtVersion(parameter: { displayOptions?: IDisplayOptions }, view: VersionView): boolean {
	const versionOnly = versionConditions(parameter.displayOptions);
	if (!versionOnly) return true;
	return NodeHelpers.displayParameter({}, { displayOptions: versionOnly } as INodeProperties, { typeVersion: view.version }, view.description);
}

function versionConditions(displayOptions: IDisplayOptions | undefined): IDisplayOptions | undefined {
	const show = displayOptions?.show?.['@version'];
	const hide = displayOptions?.hide?.['@version'];
	if (show === undefined && hide === undefined) return undefined;
	return { ...(show !== undefined ? { show: { '@version': show } } : {}), ...(hide !== undefined ? { hide: { '@version': hide } } : {}) };
}

/** The display conditions as stated, less `@version` (already decided for the version at hand). */
function conditionsWithoutVersion(displayOptions: IDisplayOptions | undefined): DisplayConditions | undefined {
	if (!displayOptions) return undefined;
	const kept: DisplayConditions = {};
	for (const [key, value] of Object.entries(displayOptions)) {
		if ((key === 'show' || key === 'hide') && value && typeof value === 'object') {
			const rest = Object.fromEntries(Object.entries(value).filter(([name]) => name !== '@version'));
			if (Object.keys(rest).length > 0) kept[key] = rest;
		} else if (value !== undefined) {
			kept[key] = value;
		}
	}
	return Object.keys(kept).length > 0 ? kept : undefined;
}

/** A credential's conditions: credential types have no versions, so nothing is left out. */
function statedConditions(displayOptions: IDisplayOptions | undefined): DisplayConditions | undefined {
	return displayOptions && Object.keys(displayOptions).length > 0 ? { ...displayOptions } : undefined;
}

function sortedValues(values: unknown[]): unknown[] {
	return [...values].sort((a, b) => textOrder(canonicalJson(a), canonicalJson(b)));
}

/** JSON with object keys sorted, so equal values have equal text whatever order they were written in. */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(sortedKeys(value)) ?? 'undefined';
}

/** Keys a reader looks for first, then the rest in alphabetical order. */
const LEADING_KEYS = ['$comment', 'name', 'type'];

function keyOrder(a: string, b: string): number {
	const [left, right] = [LEADING_KEYS.indexOf(a), LEADING_KEYS.indexOf(b)];
	if (left !== right) return (left === -1 ? LEADING_KEYS.length : left) - (right === -1 ? LEADING_KEYS.length : right);
	return textOrder(a, b);
}

function sortedKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortedKeys);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.sort(keyOrder)
				.map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
		);
	}
	return value;
}

/** JSON with tabs, a list of plain values on one line (option values, display condition values). */
function formatJson(value: unknown, indent: string): string {
	const inner = `${indent}\t`;
	if (Array.isArray(value)) {
		if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
		return `[\n${value.map((item) => `${inner}${formatJson(item, inner)}`).join(',\n')}\n${indent}]`;
	}
	if (value && typeof value === 'object') {
		const entries = Object.entries(value);
		if (entries.length === 0) return '{}';
		return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner)}`).join(',\n')}\n${indent}}`;
	}
	return JSON.stringify(value);
}

/** The contract file's text: keys in a fixed order, tabs, a final new line; the same contract always gives the same text. */
export function formatContract(contract: PackageContract): string {
	const withNote = {
		$comment:
			'What saved workflows hold of this package. Written by `npm run contract:update`; checked by test/package/contract.test.ts. See docs/development.md, "Saved workflows: what may change within a type version".',
		...contract,
	};
	return `${formatJson(sortedKeys(withNote), '')}\n`;
}
