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
