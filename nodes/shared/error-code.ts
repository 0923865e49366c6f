/**
 * The code of a network error (ECONNREFUSED, UND_ERR_SOCKET, ...), read from the error or its
 * causes (undici and fetch wrap the system's error), or `aborted` for an abort. Only the code is
 * ever shown: an error's message may quote the URL it was sent to, a bearer secret.
 */
export function errorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && code !== '' && code !== 'UND_ERR') return code;
		if ((current as { name?: unknown }).name === 'AbortError') return 'aborted';
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
