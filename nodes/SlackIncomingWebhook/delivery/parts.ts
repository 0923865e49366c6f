import { WebhookDeliveryError, type DeliveryResult } from '../../shared/sending/sender';

/** What one item's message (all its parts) came to. */
export interface PartsDeliveryResult extends DeliveryResult {
	/** How many messages were posted for it: 1 unless it was split. */
	parts: number;
}

/** Part `failedPart` (counting from 1) of `totalParts` was not delivered; the parts before it were. */
export class PartDeliveryError extends Error {
	constructor(
		readonly cause: unknown,
		readonly failedPart: number,
		readonly totalParts: number,
	) {
		super(cause instanceof Error ? cause.message : String(cause));
		this.name = 'PartDeliveryError';
	}

	get postedParts(): number {
		return this.failedPart - 1;
	}
}

/**
 * Sends the parts one after another and stops at the first that fails, so a later part never
 * arrives before an earlier one. The sender's own retries repeat only the part that failed.
 */
export async function deliverInParts<Part>(
	parts: readonly Part[],
	deliverPart: (part: Part) => Promise<DeliveryResult>,
): Promise<PartsDeliveryResult> {
	let attempts = 0;
	let waitedMs = 0;
	let last: DeliveryResult | undefined;
	for (const [index, part] of parts.entries()) {
		const outcome = await deliverPart(part).then(
			(result) => ({ result }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) throw new PartDeliveryError(outcome.error, index + 1, parts.length);
		last = outcome.result;
		attempts += last.attempts;
		waitedMs += last.waitedMs;
	}
	if (!last) throw new RangeError('A message has at least one part');
	return { ...last, attempts, waitedMs, parts: parts.length };
}

function failedPartMayHaveBeenPosted(error: PartDeliveryError): boolean {
	return error.cause instanceof WebhookDeliveryError && error.cause.details.mayHaveBeenPosted;
}

/**
 * How many of a message's parts reached the server, counting one that may have been posted: what
 * a response URL's count of used messages must keep. A failure of unknown kind counts them all.
 */
export function partsSent(failure: unknown, totalParts: number): number {
	if (!(failure instanceof PartDeliveryError)) return totalParts;
	return failure.postedParts + (failedPartMayHaveBeenPosted(failure) ? 1 : 0);
}

/** Says which parts of a split message were posted, which may have been, and which were not. */
export function describePostedParts(error: PartDeliveryError): string {
	const { failedPart, totalParts } = error;
	if (totalParts === 1) return '';
	const mayHaveBeenPosted = failedPartMayHaveBeenPosted(error);
	const range = (from: number, to: number) => (from === to ? `part ${from}` : `parts ${from}-${to}`);
	const sentences = [`The message was split into ${totalParts} parts and part ${failedPart} failed.`];
	sentences.push(failedPart === 1 ? 'No part was posted.' : `Posted: ${range(1, failedPart - 1)}.`);
	if (mayHaveBeenPosted) sentences.push(`Part ${failedPart} may have been posted.`);
	const firstNotPosted = mayHaveBeenPosted ? failedPart + 1 : failedPart;
	if (firstNotPosted <= totalParts) sentences.push(`Not posted: ${range(firstNotPosted, totalParts)}.`);
	return sentences.join(' ');
}
