/**
 * Source ranges of syntax nodes, as the rules report them: a whole node (without its leading
 * trivia), or just a loop's header so a squiggle does not cover a whole loop body.
 */

import { ts } from '../../engine/languages/typescript';
import type { TextRange } from '../../engine/types';

export function nodeRange(node: ts.Node, sourceFile: ts.SourceFile): TextRange {
  return { start: node.getStart(sourceFile), end: node.getEnd() };
}

/** From the start of `node` to the start of `body`, trailing white space trimmed: a loop's header. */
export function headerRange(node: ts.Node, body: ts.Node, sourceFile: ts.SourceFile): TextRange {
  const start = node.getStart(sourceFile);
  const end = Math.max(start, body.getStart(sourceFile));
  return { start, end: sourceFile.text.slice(start, end).trimEnd().length + start };
}
