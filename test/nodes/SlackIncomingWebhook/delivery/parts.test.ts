import { deliverInParts, describePostedParts, PartDeliveryError } from '../../../../nodes/SlackIncomingWebhook/delivery/parts';
import { WebhookDeliveryError, type DeliveryResult } from '../../../../nodes/shared/sending/sender';

const delivered = (attempts: number, waitedMs = 0): DeliveryResult => ({ ok: true, status: 200, response: 'ok', attempts, waitedMs });
const failure = (mayHaveBeenPosted: boolean) =>
	new WebhookDeliveryError(mayHaveBeenPosted ? 'MAY_HAVE_BEEN_POSTED' : 'SLACK_ERROR', 'failed', {
		description: 'failed',
		retryCanHelp: false,
		mayHaveBeenPosted,
		attempts: 1,
		waitedMs: 0,
		webhook: 'https://hooks.slack.com/services/***',
	});

async function failedAt(failedPart: number, totalParts: number, mayHaveBeenPosted = false): Promise<PartDeliveryError> {
	const parts = Array.from({ length: totalParts }, (_, n) => ({ text: `part ${n + 1}` }));
	const error = await deliverInParts(parts, async (part) => {
		if (part.text === `part ${failedPart}`) throw failure(mayHaveBeenPosted);
		return delivered(1);
	}).catch((reason: unknown) => reason);
	if (!(error instanceof PartDeliveryError)) throw new Error('expected a PartDeliveryError');
	return error;
}

describe('deliverInParts', () => {
	it('sends the parts in order and adds up their attempts and waits', async () => {
		const sent: string[] = [];
		const result = await deliverInParts([{ text: 'a' }, { text: 'b' }, { text: 'c' }], async (part) => {
			sent.push(part.text ?? '');
			return delivered(part.text === 'b' ? 3 : 1, part.text === 'b' ? 1500 : 0);
		});
		expect(sent).toEqual(['a', 'b', 'c']);
		expect(result).toEqual({ ok: true, status: 200, response: 'ok', attempts: 5, waitedMs: 1500, parts: 3 });
	});

	it('stops at the first part that fails and says which it was', async () => {
		const sent: string[] = [];
		const error = await deliverInParts([{ text: 'a' }, { text: 'b' }, { text: 'c' }], async (part) => {
			sent.push(part.text ?? '');
			if (part.text === 'b') throw failure(false);
			return delivered(1);
		}).catch((reason: unknown) => reason);
		expect(sent).toEqual(['a', 'b']);
		expect(error).toBeInstanceOf(PartDeliveryError);
		expect(error).toMatchObject({ failedPart: 2, totalParts: 3, postedParts: 1 });
		expect((error as PartDeliveryError).cause).toBeInstanceOf(WebhookDeliveryError);
	});
});

describe('describePostedParts', () => {
	it('names the posted parts and the ones not posted', async () => {
		expect(describePostedParts(await failedAt(3, 5))).toBe('The message was split into 5 parts and part 3 failed. Posted: parts 1-2. Not posted: parts 3-5.');
		expect(describePostedParts(await failedAt(1, 2))).toBe('The message was split into 2 parts and part 1 failed. No part was posted. Not posted: parts 1-2.');
		expect(describePostedParts(await failedAt(2, 2))).toBe('The message was split into 2 parts and part 2 failed. Posted: part 1. Not posted: part 2.');
	});

	it('says the failed part may have been posted when Slack may have posted it', async () => {
		expect(describePostedParts(await failedAt(2, 3, true))).toBe(
			'The message was split into 3 parts and part 2 failed. Posted: part 1. Part 2 may have been posted. Not posted: part 3.',
		);
		expect(describePostedParts(await failedAt(3, 3, true))).toBe('The message was split into 3 parts and part 3 failed. Posted: parts 1-2. Part 3 may have been posted.');
	});

	it('says nothing for a message that was not split', async () => {
		expect(describePostedParts(await failedAt(1, 1))).toBe('');
	});
});
