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

/**
 * True when `edits` can be applied to a text of `textLength` characters: every range is inside
 * the text with its start at or before its end, and no two overlap (in order of start, each
 * starts at or after the previous one's end; insertions at one point are allowed). This is the
 * contract applyEdits and editors rely on, and the runner keeps only fixes that meet it.
 */
export function editsApply(textLength: number, edits: readonly { range: { start: number; end: number } }[]): boolean {
  for (const edit of edits) {
    const { start, end } = edit.range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= textLength)) return false;
  }
  if (edits.length < 2) return true;
  const sorted = [...edits].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  for (let index = 1; index < sorted.length; index++) {
    if ((sorted[index]?.range.start ?? 0) < (sorted[index - 1]?.range.end ?? 0)) return false;
  }
  return true;
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
