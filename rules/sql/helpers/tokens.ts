/**
 * Small token helpers shared by the SQL rules: text of a token range, argument splitting of a
 * function call, and the operand before a `::` cast.
 */

import { matchingParen, type StatementModel } from '../../engine/languages/sql/structure';
import type { TextRange } from '../../engine/types';

/** Source range covered by tokens [start, end). */
export function tokenRange(model: StatementModel, start: number, end: number): TextRange {
  const first = model.tokens[start];
  const last = model.tokens[Math.max(start, end - 1)];
  return { start: first?.start ?? 0, end: last?.end ?? first?.end ?? 0 };
}

/** Source text of tokens [start, end), exactly as written. */
export function tokenText(text: string, model: StatementModel, start: number, end: number): string {
  const range = tokenRange(model, start, end);
  return text.slice(range.start, range.end);
}

/** For a call whose `(` is at `open`: the token ranges of its top-level arguments and the `)`. */
export function callArguments(model: StatementModel, open: number): { args: { start: number; end: number }[]; close: number } {
  const close = matchingParen(model, open);
  const args: { start: number; end: number }[] = [];
  const innerDepth = (model.depths[open] ?? 0) + 1;
  let argumentStart = open + 1;
  for (let index = open + 1; index < close; index++) {
    if (model.tokens[index]?.text === ',' && model.depths[index] === innerDepth) {
      args.push({ start: argumentStart, end: index });
      argumentStart = index + 1;
    }
  }
  if (close > argumentStart) args.push({ start: argumentStart, end: close });
  return { args, close };
}

/**
 * The operand right before token `index` (a `::` or an operator): a parenthesized group, or a
 * dotted name / literal / function call. Returns its first token index.
 */
export function operandBefore(model: StatementModel, index: number): number {
  let cursor = index - 1;
  const token = model.tokens[cursor];
  if (token === undefined) return index;
  if (token.text === ')') {
    const depth = model.depths[cursor] ?? 0;
    while (cursor > 0 && !(model.tokens[cursor]?.text === '(' && model.depths[cursor] === depth)) cursor--;
    // A function call: include its name.
    const before = model.tokens[cursor - 1];
    if (before !== undefined && (before.kind === 'word' || before.kind === 'quotedIdentifier')) cursor--;
  }
  while (model.tokens[cursor - 1]?.text === '.' && model.tokens[cursor - 2] !== undefined) cursor -= 2;
  return cursor;
}
