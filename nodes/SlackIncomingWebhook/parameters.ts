import type { IExecuteFunctions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

/**
 * Reads node parameters per item, but evaluates a parameter only once when it holds no
 * expression: its value is the same for every item, and n8n's per-item evaluation costs more
 * than sending the message to a fast webhook. Callers must treat returned objects as read-only.
 */
export function createParameterReader(context: IExecuteFunctions) {
	const raw = context.getNode().parameters;
	const constant = new Map<string, unknown>();
	return <T>(name: string, itemIndex: number, fallback: T): T => {
		if (constant.has(name)) return constant.get(name) as T;
		const value = context.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType) as T;
		if (!containsExpression(rawValue(raw, name))) constant.set(name, value);
		return value;
	};
}

function rawValue(parameters: INodeParameters, path: string): unknown {
	let current: unknown = parameters;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(containsExpression);
	return false;
}
