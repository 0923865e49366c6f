/**
 * What changed between two contracts (contract.ts), each change classified: breaking, when a workflow
 * saved with the older one could stop working or silently do something else with the newer one; an
 * addition otherwise. Pure: contracts in, changes out.
 *
 * How n8n treats a saved node decides each class (n8n-workflow's NodeHelpers.getNodeParameters):
 * - The editor saves a parameter only when it differs from its default (getNodeParameters with
 *   returnDefaults false, called by the editor's getNodeDataToSave), and when the workflow runs, the
 *   Workflow constructor fills every parameter left out with the default of the node type n8n has now
 *   (getNodeParameters with returnDefaults true). A changed default therefore changes every saved node
 *   that kept the old one, without anyone seeing it.
 * - A parameter whose display conditions do not hold is skipped (getNodeParameters asks
 *   displayParameter), so its saved value is ignored when the workflow runs and dropped when it is
 *   saved again; the same holds for a parameter the node type no longer declares.
 * - A saved node names its credentials by credential type, and the editor keeps one only while the
 *   node type still declares that slot and its display conditions hold (getNodeDataToSave).
 */
import { canonicalJson, type CredentialSlotContract, type DisplayConditions, type NodeVersionContract, type PackageContract, type ParameterContract } from './contract';

export interface ContractChange {
	breaking: boolean;
	/** The node type, type version, credential type and parameter path the change is in. */
	where: string;
	/** What changed, old and new values included. */
	what: string;
	/** Breaking: what to do instead. Addition: what must hold for it to be safe, if anything. */
	advice?: string;
}

const INSTEAD_NEW_VERSION = 'add a type version that has the change (version: [..., n], defaultVersion n, the change shown with @version) and leave the existing versions as they are';

/** Every difference between the contract a release was made with and the one of the sources. */
export function compareContracts(before: PackageContract, after: PackageContract): ContractChange[] {
	const changes: ContractChange[] = [];
	for (const [name, was] of Object.entries(before.nodeTypes)) {
		const now = after.nodeTypes[name];
		const where = `node type ${name}`;
		if (!now) {
			changes.push(breaking(where, 'removed or renamed', 'keep the node type and its name: n8n shows a saved node of a type it does not know as a node it cannot run. A new name is a new node type beside the old one'));
			continue;
		}
		if (was.usableAsTool && !now.usableAsTool) {
			changes.push(breaking(where, 'no longer usableAsTool', `keep usableAsTool: n8n derives the node type ${name}Tool from it, which AI agent workflows save`));
		} else if (!was.usableAsTool && now.usableAsTool) {
			changes.push(addition(where, `usableAsTool: n8n now derives the node type ${name}Tool`));
		}
		for (const [version, wasVersion] of Object.entries(was.versions)) {
			const nowVersion = now.versions[version];
			if (!nowVersion) {
				changes.push(breaking(`${where} v${version}`, 'type version removed', 'keep every type version: a saved node keeps the version it was added with, the editor looks node types up by name and version (its node types store\'s getNodeType) and would not know the node, and the node\'s code would meet a version it no longer handles'));
			} else {
				changes.push(...compareNodeVersions(`${where} v${version}`, wasVersion, nowVersion));
			}
		}
		for (const version of Object.keys(now.versions)) {
			if (!was.versions[version]) changes.push(addition(`${where} v${version}`, 'type version added', 'saved nodes keep their version; a new node gets defaultVersion'));
		}
	}
	for (const name of Object.keys(after.nodeTypes)) {
		if (!before.nodeTypes[name]) changes.push(addition(`node type ${name}`, `added, with type versions ${Object.keys(after.nodeTypes[name].versions).join(', ')}`));
	}
	for (const [name, was] of Object.entries(before.credentialTypes)) {
		const now = after.credentialTypes[name];
		const where = `credential type ${name}`;
		if (!now) {
			changes.push(breaking(where, 'removed or renamed', 'keep the credential type and its name: n8n stores it with every saved credential and in every node that uses one, and can open neither once the type is gone'));
			continue;
		}
		if (canonicalJson(was.extends ?? []) !== canonicalJson(now.extends ?? [])) {
			changes.push(breaking(where, `extends ${show(was.extends ?? [])} became ${show(now.extends ?? [])}`, 'keep what the credential type extends: the fields and the authentication of saved credentials come from it; add a credential type beside it instead'));
		}
		changes.push(...compareParameterLists(`${where}, field `, '', was.properties, now.properties, credentialRules));
	}
	for (const name of Object.keys(after.credentialTypes)) {
		if (!before.credentialTypes[name]) changes.push(addition(`credential type ${name}`, 'added'));
	}
	return changes;
}

function compareNodeVersions(where: string, was: NodeVersionContract, now: NodeVersionContract): ContractChange[] {
	const changes: ContractChange[] = [];
	changes.push(...compareConnections(`${where}, inputs`, was.inputs, now.inputs));
	changes.push(...compareConnections(`${where}, outputs`, was.outputs, now.outputs));
	const newValues = newOptionValues(was.parameters, now.parameters);
	changes.push(...compareCredentialSlots(where, was.credentials, now.credentials, newValues));
	for (const [name, webhook] of Object.entries(was.webhooks ?? {})) {
		const nowWebhook = now.webhooks?.[name];
		if (!nowWebhook) {
			changes.push(breaking(`${where}, webhook ${name}`, 'removed', 'keep the webhook: Slack and other callers were given its URL'));
		} else if (canonicalJson(webhook) !== canonicalJson(nowWebhook)) {
			changes.push(breaking(`${where}, webhook ${name}`, `${show(webhook)} became ${show(nowWebhook)}`, `keep its method and path: the Production URL of every saved trigger would change under the callers that were given it; ${INSTEAD_NEW_VERSION}`));
		}
	}
	for (const name of Object.keys(now.webhooks ?? {})) {
		if (!was.webhooks?.[name]) changes.push(addition(`${where}, webhook ${name}`, 'added'));
	}
	changes.push(...compareParameterLists(`${where}, parameter `, '', was.parameters, now.parameters, nodeRules(newValues)));
	return changes;
}

function compareConnections(where: string, was: unknown, now: unknown): ContractChange[] {
	if (canonicalJson(was) === canonicalJson(now)) return [];
	const extended = Array.isArray(was) && Array.isArray(now) && now.length > was.length && was.every((connection, index) => canonicalJson(connection) === canonicalJson(now[index]));
	if (extended) return [addition(where, `${show(was)} became ${show(now)}`, 'saved connections keep the indexes they had')];
	return [breaking(where, `${show(was)} became ${show(now)}`, `saved workflows connect to a node by connection type and index; keep the existing ones (adding more at the end is safe), or ${INSTEAD_NEW_VERSION}`)];
}

function compareCredentialSlots(
	where: string,
	was: Record<string, CredentialSlotContract>,
	now: Record<string, CredentialSlotContract>,
	newValues: NewOptionValues,
): ContractChange[] {
	const changes: ContractChange[] = [];
	for (const [name, slot] of Object.entries(was)) {
		const nowSlot = now[name];
		const at = `${where}, credential ${name}`;
		if (!nowSlot) {
			changes.push(breaking(at, 'no longer offered', `keep the credential slot: the editor drops a saved node's credential of a type the node no longer declares (getNodeDataToSave), and the node cannot read it; ${INSTEAD_NEW_VERSION}`));
			continue;
		}
		if (!slot.required && nowSlot.required) {
			changes.push(breaking(at, 'became required', `saved nodes without it would show an issue and their workflows could not be activated; ${INSTEAD_NEW_VERSION}`));
		}
		const display = compareDisplay(slot.displayOptions, nowSlot.displayOptions);
		if (display === 'narrower') {
			changes.push(breaking(at, `display conditions ${show(slot.displayOptions)} became ${show(nowSlot.displayOptions)}, shown in fewer cases`, `the editor drops a saved node's credential whose conditions no longer hold (getNodeDataToSave); widen conditions, never narrow them, or ${INSTEAD_NEW_VERSION}`));
		} else if (display === 'wider') {
			changes.push(addition(at, `display conditions ${show(slot.displayOptions)} became ${show(nowSlot.displayOptions)}, shown in more cases`));
		}
	}
	for (const [name, slot] of Object.entries(now)) {
		if (was[name]) continue;
		const at = `${where}, credential ${name}`;
		if (slot.required && !shownOnlyForNewValues(slot.displayOptions, newValues)) {
			changes.push(breaking(at, 'added as a required credential that saved nodes do not have', `saved nodes would show an issue and their workflows could not be activated: show it only for a new option value, make it optional, or ${INSTEAD_NEW_VERSION}`));
		} else {
			changes.push(addition(at, slot.required ? 'added, required only for a new option value' : 'added, not required'));
		}
	}
	return changes;
}

/** How removals, defaults and additions are explained: for node parameters or credential fields. */
interface ParameterRules {
	removed: string;
	defaultChanged: (path: string) => string;
	requiredAdded: (parameter: ParameterContract) => string | undefined;
	addedAdvice: (parameter: ParameterContract, inCollection: boolean) => string | undefined;
	instead: string;
}

function nodeRules(newValues: NewOptionValues): ParameterRules {
	return {
		removed: `saved values of it are ignored when a workflow runs and dropped when it is saved again. Keep it (its display conditions may hide it from a new type version), or ${INSTEAD_NEW_VERSION}`,
		defaultChanged: (path) =>
			`n8n saves a parameter only when it differs from its default and fills in the current default when the workflow runs (NodeHelpers.getNodeParameters), so every saved node that kept the old default would run with the new one${path.includes('.') ? ' (for an option in a collection: the node\'s own fallback for an absent option must stay the old default too)' : ''}. Keep the default in this type version, or ${INSTEAD_NEW_VERSION}`,
		requiredAdded: (parameter) =>
			shownOnlyForNewValues(parameter.displayOptions, newValues) || !isEmptyValue(parameter.default)
				? undefined
				: `saved nodes have no value for it, so n8n reports it missing and their workflows cannot be activated: give it a default, show it only for a new option value, or ${INSTEAD_NEW_VERSION}`,
		addedAdvice: (_parameter, inCollection) =>
			inCollection ? 'an option stays absent from saved nodes until someone adds it' : 'saved nodes get its default, which must do what they did before it existed',
		instead: INSTEAD_NEW_VERSION,
	};
}

const credentialRules: ParameterRules = {
	removed: 'saved credentials keep the value, but nothing reads it any more. Keep the field, or add a credential type beside this one',
	defaultChanged: () =>
		'n8n fills a saved credential\'s missing fields from their defaults when it reads it (CredentialsHelper.applyDefaultsAndOverwrites, through NodeHelpers.getNodeParameters), so every saved credential that kept the old default would get the new one. Keep the default, or add a credential type beside this one',
	requiredAdded: (parameter) => (isEmptyValue(parameter.default) ? 'saved credentials have no value for it: give it a default, or make it optional' : undefined),
	addedAdvice: () => 'saved credentials get its default, which must do what they did before it existed',
	instead: 'add a credential type beside this one',
};

/**
 * Compares two lists of parameters at one level. Parameters are matched by name; n8n allows several
 * parameters of one name with different display conditions (the one shown is the one that counts), and
 * those are matched with their twin of equal conditions first, then in order.
 */
function compareParameterLists(where: string, path: string, was: ParameterContract[], now: ParameterContract[], rules: ParameterRules): ContractChange[] {
	const changes: ContractChange[] = [];
	const names = [...new Set([...was.map((parameter) => parameter.name), ...now.map((parameter) => parameter.name)])];
	for (const name of names) {
		const wasVariants = was.filter((parameter) => parameter.name === name);
		const nowVariants = now.filter((parameter) => parameter.name === name);
		const several = wasVariants.length > 1 || nowVariants.length > 1;
		const { pairs, removed, added } = pairVariants(wasVariants, nowVariants);
		const at = (parameter: ParameterContract) => `${where}${path}${name}${several ? ` (the one shown when ${show(parameter.displayOptions ?? {})})` : ''}`;
		for (const [before, after] of pairs) changes.push(...compareParameters(where, path, at(before), before, after, rules));
		for (const parameter of removed) changes.push(breaking(at(parameter), `removed (or renamed), type ${parameter.type}`, rules.removed));
		for (const parameter of added) {
			const problem = parameter.required ? rules.requiredAdded(parameter) : undefined;
			changes.push(problem ? breaking(at(parameter), 'added as required', problem) : addition(at(parameter), `added, type ${parameter.type}, default ${show(parameter.default)}`, rules.addedAdvice(parameter, path !== '')));
		}
	}
	return changes;
}

function pairVariants(was: ParameterContract[], now: ParameterContract[]) {
	const pairs: Array<[ParameterContract, ParameterContract]> = [];
	const removed = [...was];
	const added = [...now];
	for (const before of was) {
		const twin = added.find((after) => canonicalJson(after.displayOptions) === canonicalJson(before.displayOptions));
		if (!twin) continue;
		pairs.push([before, twin]);
		removed.splice(removed.indexOf(before), 1);
		added.splice(added.indexOf(twin), 1);
	}
	while (removed.length > 0 && added.length > 0) pairs.push([removed.shift() as ParameterContract, added.shift() as ParameterContract]);
	return { pairs, removed, added };
}

/** `where` names the node type and version or the credential type, `path` the parameters around this one, `at` all of it. */
function compareParameters(where: string, path: string, at: string, was: ParameterContract, now: ParameterContract, rules: ParameterRules): ContractChange[] {
	const changes: ContractChange[] = [];
	if (was.type !== now.type) {
		changes.push(breaking(at, `type ${was.type} became ${now.type}`, `a saved value of the old type would reach code that expects the new one; add a parameter of the new type beside it, or ${rules.instead}`));
		return changes;
	}
	if (canonicalJson(was.default) !== canonicalJson(now.default)) {
		changes.push(breaking(at, `default ${show(was.default)} became ${show(now.default)}`, rules.defaultChanged(path + was.name)));
	}
	if (!was.required && now.required) {
		changes.push(breaking(at, 'became required', `saved nodes that left it empty would show an issue and could not be activated; ${rules.instead}`));
	} else if (was.required && !now.required) {
		changes.push(addition(at, 'no longer required'));
	}
	if (!was.noDataExpression && now.noDataExpression) {
		changes.push(breaking(at, 'became noDataExpression', `n8n strips the leading = from a saved expression in such a parameter (getNodeParameters), so a saved expression would become its own text; ${rules.instead}`));
	} else if (was.noDataExpression && !now.noDataExpression) {
		changes.push(addition(at, 'takes expressions now'));
	}
	if (Boolean(was.multipleValues) !== Boolean(now.multipleValues)) {
		changes.push(breaking(at, now.multipleValues ? 'became multipleValues' : 'no longer multipleValues', `the shape of a saved value (one value or a list) changes; ${rules.instead}`));
	}
	const wasValues = new Set((was.optionValues ?? []).map(canonicalJson));
	const nowValues = new Set((now.optionValues ?? []).map(canonicalJson));
	const removedValues = [...wasValues].filter((value) => !nowValues.has(value));
	const addedValues = [...nowValues].filter((value) => !wasValues.has(value));
	if (removedValues.length > 0) {
		changes.push(breaking(at, `option value${removedValues.length > 1 ? 's' : ''} ${removedValues.join(', ')} removed`, `a saved node with that value would match no option and the node's code would not know it. Keep the value (a new option may sit beside it), or ${rules.instead}`));
	}
	if (addedValues.length > 0) changes.push(addition(at, `option value${addedValues.length > 1 ? 's' : ''} ${addedValues.join(', ')} added`, 'saved nodes keep the value they had'));
	if (was.loadOptionsMethod !== now.loadOptionsMethod) {
		changes.push(breaking(at, `loadOptionsMethod ${show(was.loadOptionsMethod)} became ${show(now.loadOptionsMethod)}`, `the values saved nodes hold came from the old method; ${rules.instead}`));
	}
	const display = compareDisplay(was.displayOptions, now.displayOptions);
	if (display === 'narrower') {
		changes.push(breaking(at, `display conditions ${show(was.displayOptions ?? {})} became ${show(now.displayOptions ?? {})}, shown in fewer cases`, `n8n ignores, and drops on the next save, the value of a parameter whose conditions do not hold (getNodeParameters asks displayParameter). Widen conditions, never narrow them, or ${rules.instead}`));
	} else if (display === 'wider') {
		changes.push(addition(at, `display conditions ${show(was.displayOptions ?? {})} became ${show(now.displayOptions ?? {})}, shown in more cases`, 'saved nodes in the cases it now shows for get its default, which must do what they did before'));
	}
	if (was.options || now.options) {
		changes.push(...compareParameterLists(where, `${path}${was.name}.`, was.options ?? [], now.options ?? [], rules));
	}
	if (was.groups || now.groups) {
		const wasGroups = was.groups ?? {};
		const nowGroups = now.groups ?? {};
		for (const [group, fields] of Object.entries(wasGroups)) {
			if (!nowGroups[group]) {
				changes.push(breaking(`${at}.${group}`, 'group removed', `saved values of the group would be ignored and dropped; keep it, or ${rules.instead}`));
			} else {
				changes.push(...compareParameterLists(where, `${path}${was.name}.${group}.`, fields, nowGroups[group], rules));
			}
		}
		for (const group of Object.keys(nowGroups)) {
			if (!wasGroups[group]) changes.push(addition(`${at}.${group}`, 'group added'));
		}
	}
	return changes;
}

type Breadth = 'same' | 'wider' | 'narrower';

/**
 * Whether a parameter shows in more or fewer cases than before. n8n shows a parameter when every
 * `show` entry holds (a value in its list matches) and no `hide` entry does (NodeHelpers.displayParameter).
 * So dropping a `show` entry or adding values to one widens; adding a `show` entry or dropping values
 * narrows; for `hide` the other way round. A changed condition counts as a dropped value and a new one:
 * narrower, even where the new condition happens to cover the old.
 */
export function compareDisplay(was: DisplayConditions | undefined, now: DisplayConditions | undefined): Breadth {
	let wider = false;
	let narrower = false;
	const entries = (conditions: DisplayConditions | undefined, key: 'show' | 'hide') => (conditions?.[key] ?? {}) as Record<string, unknown[]>;
	for (const key of ['show', 'hide'] as const) {
		const before = entries(was, key);
		const after = entries(now, key);
		for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
			const wasValues = before[name]?.map(canonicalJson);
			const nowValues = after[name]?.map(canonicalJson);
			// For show, an entry that is absent holds always; for hide, it never hides.
			const gained = !wasValues ? 'entry' : (nowValues ?? []).some((value) => !wasValues.includes(value));
			const lost = !nowValues ? 'entry' : (wasValues ?? []).some((value) => !nowValues.includes(value));
			const showsMore = key === 'show' ? lost === 'entry' || (gained === true && !lost) : lost !== false;
			const showsLess = key === 'show' ? gained === 'entry' || lost === true : gained !== false;
			if (showsLess) narrower = true;
			else if (showsMore) wider = true;
		}
	}
	const others = (conditions: DisplayConditions | undefined) => canonicalJson(Object.fromEntries(Object.entries(conditions ?? {}).filter(([key]) => key !== 'show' && key !== 'hide')));
	if (others(was) !== others(now)) narrower = true;
	return narrower ? 'narrower' : wider ? 'wider' : 'same';
}

/** Option values new in this change, by parameter name: what no saved node can hold yet. */
type NewOptionValues = Map<string, Set<string>>;

function newOptionValues(was: ParameterContract[], now: ParameterContract[]): NewOptionValues {
	const values: NewOptionValues = new Map();
	const collect = (before: ParameterContract[], after: ParameterContract[]) => {
		for (const parameter of after) {
			const previous = before.filter((old) => old.name === parameter.name);
			const known = new Set(previous.flatMap((old) => (old.optionValues ?? []).map(canonicalJson)));
			// A parameter that is new holds its default in every saved node, so only its other values are new.
			if (previous.length === 0) known.add(canonicalJson(parameter.default));
			const fresh = (parameter.optionValues ?? []).map(canonicalJson).filter((value) => !known.has(value));
			if (fresh.length > 0) values.set(parameter.name, new Set([...(values.get(parameter.name) ?? []), ...fresh]));
			collect(previous.flatMap((old) => old.options ?? []), parameter.options ?? []);
			for (const [group, fields] of Object.entries(parameter.groups ?? {})) collect(previous.flatMap((old) => old.groups?.[group] ?? []), fields);
		}
	};
	collect(was, now);
	return values;
}

/** Whether some `show` entry lists only option values no saved node can hold yet. */
function shownOnlyForNewValues(displayOptions: DisplayConditions | undefined, newValues: NewOptionValues): boolean {
	const showEntries = (displayOptions?.show ?? {}) as Record<string, unknown[]>;
	return Object.entries(showEntries).some(([name, values]) => {
		const fresh = newValues.get(name.replace(/^\//, ''));
		return fresh !== undefined && values.length > 0 && values.every((value) => fresh.has(canonicalJson(value)));
	});
}

function isEmptyValue(value: unknown): boolean {
	return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function show(value: unknown): string {
	return canonicalJson(value);
}

function breaking(where: string, what: string, advice: string): ContractChange {
	return { breaking: true, where, what, advice };
}

function addition(where: string, what: string, advice?: string): ContractChange {
	return { breaking: false, where, what, ...(advice ? { advice } : {}) };
}

export const UPDATE_COMMAND = 'npm run contract:update';
export const BREAKING_UPDATE_COMMAND = 'CONTRACT_ALLOW_BREAKING=1 npm run contract:update';

/**
 * The same change in several type versions of a node type, said once: "… v1, v2 and v3, parameter x".
 */
export function mergedAcrossVersions(changes: ContractChange[]): ContractChange[] {
	const merged: Array<ContractChange & { versions?: string[]; key?: string }> = [];
	for (const change of changes) {
		const match = /^(node type \S+) v([^,]+)(,.*)?$/.exec(change.where);
		const key = match ? JSON.stringify([match[1], match[3] ?? '', change.breaking, change.what, change.advice]) : undefined;
		const same = key ? merged.find((candidate) => candidate.key === key) : undefined;
		if (same && match) same.versions?.push(match[2]);
		else merged.push({ ...change, ...(match ? { key, versions: [match[2]] } : {}) });
	}
	return merged.map(({ key, versions, ...change }) => {
		if (!key || !versions || versions.length < 2) return change;
		const match = /^(node type \S+) v[^,]+(,.*)?$/.exec(change.where) as RegExpExecArray;
		const listed = `${versions.slice(0, -1).map((version) => `v${version}`).join(', ')} and v${versions[versions.length - 1]}`;
		return { ...change, where: `${match[1]} ${listed}${match[2] ?? ''}` };
	});
}

/** The failure message: breaking changes with what to do instead, then additions with the command that records them. */
export function describeChanges(changes: ContractChange[], contractFile: string): string {
	const lines: string[] = [];
	const breakingChanges = mergedAcrossVersions(changes.filter((change) => change.breaking));
	const additions = mergedAcrossVersions(changes.filter((change) => !change.breaking));
	if (breakingChanges.length > 0) {
		lines.push(`${breakingChanges.length} change${breakingChanges.length > 1 ? 's' : ''} would break workflows saved with the released package (${contractFile}):`);
		for (const change of breakingChanges) lines.push(`  - ${change.where}: ${change.what}.`, `    Instead: ${change.advice}.`);
		lines.push(
			'',
			'Within a major version these must not ship (docs/development.md, "Saved workflows: what may change within a type version").',
			'Only for a new major version that breaks saved workflows on purpose:',
			`  ${BREAKING_UPDATE_COMMAND}, and a "Removed" or "Changed" entry in CHANGELOG.md that says what users must redo.`,
		);
	}
	if (additions.length > 0) {
		if (lines.length > 0) lines.push('');
		lines.push(`${additions.length} addition${additions.length > 1 ? 's' : ''} that break${additions.length > 1 ? '' : 's'} no saved workflow, not yet in ${contractFile}:`);
		for (const change of additions) lines.push(`  - ${change.where}: ${change.what}${change.advice ? ` (${change.advice})` : ''}.`);
		lines.push('', `Record ${additions.length > 1 ? 'them' : 'it'} on purpose: ${UPDATE_COMMAND}`);
	}
	return lines.join('\n');
}
