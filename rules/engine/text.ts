/**
 * Offsets to lines and back. Front ends convert lines to their own position types; the engine
 * needs lines only for suppression directives ("next line").
 */

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 10) starts.push(index + 1);
  }
  return starts;
}

/**
 * True for minified bundles (a few very long lines): generated, not written, so nothing in them
 * can be fixed where it is reported. Lines are counted without building the table of them.
 */
export function looksMinified(text: string): boolean {
  if (text.length < 2_000) return false;
  // Average line length above 300: fewer lines than this. Counting stops once there are more,
  // which in written code is after the first few percent of the text.
  const enoughLines = text.length / 300;
  let lines = 1;
  for (let index = text.indexOf('\n'); index !== -1 && lines < enoughLines; index = text.indexOf('\n', index + 1)) lines++;
  return lines < enoughLines;
}

/** Zero-based line of `offset`, by binary search over `lineStarts`. */
export function lineOfOffset(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Applies non-overlapping edits to a text (the order of `edits` does not matter). */
export function applyEdits(text: string, edits: readonly { range: { start: number; end: number }; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => b.range.start - a.range.start || b.range.end - a.range.end);
  let result = text;
  let lastStart = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.range.end > lastStart) throw new Error('overlapping edits');
    result = result.slice(0, edit.range.start) + edit.newText + result.slice(edit.range.end);
    lastStart = edit.range.start;
  }
  return result;
}
