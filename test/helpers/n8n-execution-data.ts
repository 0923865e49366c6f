/**
 * An execution's data as n8n stores it in its database (execution_data.data): flatted JSON, an
 * array whose first entry is the root, where every object, array and string is stored once and
 * referred to by its index, as a string.
 */
export function unflattenExecutionData(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		const entry = entries[index];
		if (typeof entry !== 'object' || entry === null) return entry;
		if (revived.has(index)) return revived.get(index);
		const copy: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		revived.set(index, copy);
		for (const [key, value] of Object.entries(entry)) (copy as Record<string, unknown>)[key] = typeof value === 'string' ? revive(Number(value)) : value;
		return copy;
	};
	return revive(0);
}

/** The part of a stored execution the suites read: each node's output, the error and the last node that ran. */
export interface StoredRunData {
	resultData: {
		runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
		error?: { message?: string };
		lastNodeExecuted?: string;
	};
}
