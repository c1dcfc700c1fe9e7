/**
 * A unified diff of two versions of a file, as `--diff` prints it (`--- a/path`, `+++ b/path`,
 * hunks with three lines of context), so the output reads like git's and `git apply` or
 * `patch -p1` can apply it from the folder the audit ran in. Lines are compared with Myers'
 * algorithm, whose work grows with the size of the change, not of the file: fixes change a few
 * lines of files that may be long.
 */

const CONTEXT_LINES = 3;

/** Lines with their line breaks, so a change of line ending or a missing final newline shows. */
function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines === null ? [] : [...lines];
}

type Operation = { kind: 'same' | 'removed' | 'added'; line: string };

/** The shortest edit script from `before` to `after` (Myers 1986, forward search with the trace kept). */
function editScript(before: readonly string[], after: readonly string[]): Operation[] {
  const n = before.length;
  const m = after.length;
  const max = n + m;
  const offset = max + 1;
  let frontier = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let depth = 0; depth <= max && !found; depth++) {
    trace.push(frontier.slice());
    const next = frontier.slice();
    for (let diagonal = -depth; diagonal <= depth; diagonal += 2) {
      const down = diagonal === -depth || (diagonal !== depth && (frontier[offset + diagonal - 1] ?? 0) < (frontier[offset + diagonal + 1] ?? 0));
      let x = down ? (frontier[offset + diagonal + 1] ?? 0) : (frontier[offset + diagonal - 1] ?? 0) + 1;
      let y = x - diagonal;
      while (x < n && y < m && before[x] === after[y]) {
        x++;
        y++;
      }
      next[offset + diagonal] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    frontier = next;
  }
  trace.push(frontier);
  // Walk back through the frontiers, from the end to the start.
  const operations: Operation[] = [];
  let x = n;
  let y = m;
  for (let depth = trace.length - 2; depth >= 0; depth--) {
    const previous = trace[depth] ?? new Int32Array(0);
    const diagonal = x - y;
    const down = diagonal === -depth || (diagonal !== depth && (previous[offset + diagonal - 1] ?? 0) < (previous[offset + diagonal + 1] ?? 0));
    const previousDiagonal = down ? diagonal + 1 : diagonal - 1;
    const previousX = previous[offset + previousDiagonal] ?? 0;
    const previousY = previousX - previousDiagonal;
    while (x > previousX && y > previousY) {
      operations.push({ kind: 'same', line: before[--x] ?? '' });
      y--;
    }
    if (depth === 0) break;
    if (down) operations.push({ kind: 'added', line: after[--y] ?? '' });
    else operations.push({ kind: 'removed', line: before[--x] ?? '' });
  }
  while (x > 0 && y > 0) {
    operations.push({ kind: 'same', line: before[--x] ?? '' });
    y--;
  }
  return operations.reverse();
}

/**
 * Above this many differing lines (after the common head and tail), the middle is shown as
 * removed and added as a whole: Myers' trace would take memory quadratic in it, and fixes
 * never change that much.
 */
const MAX_COMPARED_LINES = 4000;

function lineOperations(before: readonly string[], after: readonly string[]): Operation[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const removed = before.slice(head, before.length - tail);
  const added = after.slice(head, after.length - tail);
  const middle: Operation[] =
    removed.length + added.length > MAX_COMPARED_LINES
      ? [...removed.map((line): Operation => ({ kind: 'removed', line })), ...added.map((line): Operation => ({ kind: 'added', line }))]
      : editScript(removed, added);
  const same = (line: string): Operation => ({ kind: 'same', line });
  return [...before.slice(0, head).map(same), ...middle, ...before.slice(before.length - tail).map(same)];
}

function printable(prefix: string, line: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

function hunkRange(start: number, count: number): string {
  // An empty side is numbered by the line before it, as diff does.
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** The diff of `before` to `after` for the file at `path` ('/'-separated), or '' when they are equal. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const operations = lineOperations(splitLines(before), splitLines(after));
  const changed = operations.map((operation, index) => (operation.kind === 'same' ? -1 : index)).filter((index) => index !== -1);
  const output: string[] = [`--- a/${path}\n`, `+++ b/${path}\n`];
  let cursor = 0;
  while (cursor < changed.length) {
    // A hunk: changes closer together than twice the context share one.
    const first = changed[cursor] ?? 0;
    let last = first;
    while (cursor + 1 < changed.length && (changed[cursor + 1] ?? 0) - last <= 2 * CONTEXT_LINES) last = changed[++cursor] ?? last;
    cursor++;
    const start = Math.max(0, first - CONTEXT_LINES);
    const end = Math.min(operations.length, last + CONTEXT_LINES + 1);
    let beforeLine = 1;
    let afterLine = 1;
    for (const operation of operations.slice(0, start)) {
      if (operation.kind !== 'added') beforeLine++;
      if (operation.kind !== 'removed') afterLine++;
    }
    const slice = operations.slice(start, end);
    const beforeCount = slice.filter((operation) => operation.kind !== 'added').length;
    const afterCount = slice.filter((operation) => operation.kind !== 'removed').length;
    output.push(`@@ -${hunkRange(beforeLine, beforeCount)} +${hunkRange(afterLine, afterCount)} @@\n`);
    for (const operation of slice) output.push(printable(operation.kind === 'same' ? ' ' : operation.kind === 'removed' ? '-' : '+', operation.line));
  }
  return output.join('');
}
