/**
 * The request mix of the trigger's load tests (one real n8n, and n8n in queue mode): one matching
 * request in five, the rest split between messages that do not match and wrong tokens, and the
 * answer each must get.
 */
export type LoadKind = 'matching' | 'notMatching' | 'wrongToken';

export const loadKindOf = (n: number): LoadKind => (n % 5 === 0 ? 'matching' : n % 5 < 3 ? 'notMatching' : 'wrongToken');

export const EXPECTED_LOAD_ANSWER: Record<LoadKind, { status: number; body: string }> = {
	matching: { status: 200, body: '{"text":"ok"}' },
	notMatching: { status: 200, body: '' },
	wrongToken: { status: 401, body: '' },
};
