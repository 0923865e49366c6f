/**
 * A Slack workflow's variables: one flat JSON object whose values are text, as Slack's webhook
 * triggers take them (SLACK_WORKFLOW_TRIGGER in shared/slack.ts). Numbers and booleans are written
 * as text; anything else is refused here, naming the variable, before anything is sent.
 */
import { MessageValidationError } from '../../shared/sending/webhook-message';

export type WorkflowVariables = Record<string, string>;

/** What an error names: the Variables parameter, or the item's field of that name. */
export const VARIABLE_SOURCES = { parameters: 'Variables', itemFields: 'item field' } as const;

/**
 * The value Slack is sent for one variable. `source` says where the variable came from, so that the
 * error names the parameter or the field the user has to change.
 */
export function variableText(name: string, value: unknown, source: keyof typeof VARIABLE_SOURCES): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	const where = source === 'parameters' ? `variable "${name}"` : `item field "${name}"`;
	const field = source === 'parameters' ? VARIABLE_SOURCES.parameters : name;
	if (value === null || value === undefined) {
		throw new MessageValidationError(field, `The ${where} has no value (${String(value)})`, 'Give it a text value (for example {{ $json.field ?? "" }}), or leave the variable out. Nothing was sent.');
	}
	const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
	throw new MessageValidationError(
		field,
		`The ${where} is ${kind}; Slack workflow variables are text only`,
		'Slack refuses nested JSON (parameter_validation_failed). Send each value the workflow needs as a variable of its own, or turn it into text, for example {{ JSON.stringify($json.field) }}. Nothing was sent.',
	);
}

/** Variables named in the node's Variables parameter. */
export function variablesFromPairs(pairs: ReadonlyArray<{ name?: unknown; value?: unknown }>): WorkflowVariables {
	const variables: WorkflowVariables = {};
	for (const [index, pair] of pairs.entries()) {
		const name = typeof pair.name === 'string' ? pair.name.trim() : '';
		if (name === '') {
			throw new MessageValidationError(VARIABLE_SOURCES.parameters, `Variable ${index + 1} has no name`, 'Type the variable\'s key exactly as in Workflow Builder (From a webhook → Set up variables).');
		}
		if (Object.hasOwn(variables, name)) {
			throw new MessageValidationError(VARIABLE_SOURCES.parameters, `The variable "${name}" is named twice`, 'Each variable is sent once: remove one of them.');
		}
		variables[name] = variableText(name, pair.value, 'parameters');
	}
	return variables;
}

/** Every top-level field of an item, each a variable of the same name. */
export function variablesFromItem(json: Readonly<Record<string, unknown>>): WorkflowVariables {
	const variables: WorkflowVariables = {};
	for (const [name, value] of Object.entries(json)) variables[name] = variableText(name, value, 'itemFields');
	return variables;
}
