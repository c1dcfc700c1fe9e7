/**
 * Whether a fix's result can be shown to parse: the statement with the fix's edits applied, run
 * through the dialect's grammar (node-sql-parser, cached by text). A fix that cannot be shown to
 * parse is not safe. Asking the grammar costs a parser load the first time, so rules ask only
 * about the fixes they would mark safe, which are few.
 */

import { applyEdits } from '../../engine/text';
import { buildSqlSource, type SqlSource, type SqlStatement } from '../../engine/languages/sql/source';
import type { TextEdit } from '../../engine/types';

/** True when `statement` of `source`, with `edits` (in the source's offsets) applied, is one statement the grammar accepts. */
export function fixedStatementParses(source: SqlSource, statement: SqlStatement, edits: readonly TextEdit[]): boolean {
  const { start, end } = statement.range;
  if (edits.some((edit) => edit.range.start < start || edit.range.end > end)) return false;
  const shifted = edits.map((edit) => ({ ...edit, range: { start: edit.range.start - start, end: edit.range.end - start } }));
  const fixed = applyEdits(source.text.slice(start, end), shifted);
  const statements = buildSqlSource(fixed, source.dialect).statements;
  return statements.length === 1 && statements[0]?.parses === true;
}

/**
 * How far the grammar lets a fix of `statement` be trusted: safe when it reads the fixed
 * statement; unsafe when it read neither the original nor the fix (syntax beyond the grammar, such
 * as PostgreSQL's `SKIP LOCKED`); null, no fix, when it read the original and not the fix. The
 * last is a fix that breaks the statement, or text the grammar takes only by a quirk: T-SQL's
 * grammar reads the broken `SELECT FROM t WHERE a = NULL` but not `... a IS NULL` (#15).
 */
export function grammarCheckedSafety(source: SqlSource, statement: SqlStatement, edits: readonly TextEdit[]): 'safe' | 'unsafe' | null {
  if (fixedStatementParses(source, statement, edits)) return 'safe';
  return statement.parses ? null : 'unsafe';
}
