import type { IDataObject, IPairedItemData } from 'n8n-workflow';

/** The parts of "All Items as One Report": one line (or more) per item, between an optional header and footer. */
export interface ReportInput {
	header?: string;
	/** Each item's Text, in item order. */
	lines: string[];
	footer?: string;
}

/**
 * The report's text. An item whose Text is empty still gives its (empty) line, so the report has
 * one entry per item; an empty header or footer is left out.
 */
export function buildReportText({ header, lines, footer }: ReportInput): string {
	const present = (text: string | undefined) => (text !== undefined && text.trim() !== '' ? [text] : []);
	return [...present(header), ...lines, ...present(footer)].join('\n');
}

/** One message the node sends: the item(s) it comes from, and how errors and output name them. */
export interface Send {
	/** Where the other parameters (thread, overrides, options) are read. */
	itemIndex: number;
	/** For a report, the number of items whose Text makes its lines. */
	reportOf?: number;
	/** "item 3", or "report of 200 items": how errors name what failed. */
	label: string;
	pairedItem: IPairedItemData | IPairedItemData[];
	outputFields: IDataObject;
}

export function messageFor(itemIndex: number): Send {
	return { itemIndex, label: `item ${itemIndex}`, pairedItem: { item: itemIndex }, outputFields: {} };
}

/** A report reads its header, footer and other parameters with the first item, its lines with each. */
export function reportOf(itemCount: number): Send {
	return {
		itemIndex: 0,
		reportOf: itemCount,
		label: `report of ${itemCount} item${itemCount === 1 ? '' : 's'}`,
		pairedItem: Array.from({ length: itemCount }, (_, item) => ({ item })),
		outputFields: { items: itemCount },
	};
}
