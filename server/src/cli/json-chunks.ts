/**
 * A report's JSON printed in pieces: exactly `JSON.stringify(value, null, 2)`, but the one array
 * that grows with the tree (a file or result per entry) is stringified an element at a time, from
 * an iterable, so that neither the whole output nor a copy of every finding is in memory at once
 * (a 60,000-file tree's report is hundreds of megabytes of text, #15).
 */

/** Stands in for the streamed array inside `value`; no report string can equal it. */
export const STREAMED_ARRAY = '\u0000faultline-streamed-array\u0000';

/**
 * Yields `JSON.stringify(value, null, 2)` with the STREAMED_ARRAY placeholder in `value` replaced
 * by the array of `items`. Formatting newlines are the only newlines in such JSON (a newline in a
 * string is escaped), so an element is indented by putting its depth's indent after each one.
 */
export function* indentedJsonChunks(value: unknown, items: Iterable<unknown>): Generator<string> {
  const skeleton = JSON.stringify(value, null, 2);
  const marker = JSON.stringify(STREAMED_ARRAY);
  const at = skeleton.indexOf(marker);
  if (at === -1) throw new Error('the streamed array has no place in the report');
  yield skeleton.slice(0, at);
  const lineStart = skeleton.lastIndexOf('\n', at) + 1;
  const indent = /^ */.exec(skeleton.slice(lineStart, at))?.[0] ?? '';
  const itemIndent = `${indent}  `;
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n' : ',\n'}${itemIndent}${JSON.stringify(item, null, 2).replaceAll('\n', `\n${itemIndent}`)}`;
    first = false;
  }
  yield first ? '[]' : `\n${indent}]`;
  yield skeleton.slice(at + marker.length);
}

/** `items.map(transform)`, one element at a time: only the element being printed is built. */
export function* mapEach<T, U>(items: Iterable<T>, transform: (item: T) => U): Generator<U> {
  for (const item of items) yield transform(item);
}
