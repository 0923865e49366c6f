/** JSON of a value with every property of every Error in it (message, stack, cause, ...), for leak checks. */
export function serializeDeep(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, current: unknown) => {
		if (typeof current === 'object' && current !== null) {
			if (seen.has(current)) return '[seen]';
			seen.add(current);
			if (current instanceof Error) {
				const all: Record<string, unknown> = {};
				for (const name of Object.getOwnPropertyNames(current)) all[name] = (current as unknown as Record<string, unknown>)[name];
				return { ...all, message: current.message, stack: current.stack, cause: (current as { cause?: unknown }).cause };
			}
		}
		return current;
	});
}
