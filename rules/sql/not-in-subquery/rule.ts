/**
 * not-in-subquery: `x NOT IN (SELECT col FROM ...)`. One NULL from the subquery makes the
 * predicate unknown for every row, so the query returns nothing; PostgreSQL also cannot turn it
 * into an anti-join. The fix (unsafe: it also changes what happens when `x` is NULL) rewrites the
 * simple shape to `NOT EXISTS (SELECT 1 FROM t WHERE t.col = outer.x)`.
 */

import { findClause, fromItems, matchingParen, type FromItem, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { isBareColumn, itemLabel, operandStartBefore, stripParentheses, writeShape } from '../helpers/predicates';
import { tokenRange, tokenText } from '../helpers/tokens';
import { grammarCheckedSafety } from '../helpers/fix-check';

type MessageId = 'notInSubquery';

/** Clauses that make the subquery more than "one column of one table". */
const COMPLEX_CLAUSES = new Set(['groupBy', 'having', 'qualify', 'window', 'orderBy', 'limit', 'offset', 'fetch', 'top', 'for', 'into']);

/** True when the subquery's WHERE already says `<col> IS NOT NULL` at its top level. */
function excludesNulls(text: string, model: StatementModel, block: QueryBlock, column: string): boolean {
  const where = findClause(block, 'where');
  if (where === undefined) return false;
  const wanted = column.replace(/\s+/g, '').toUpperCase();
  const depth = model.depths[where.start] ?? 0;
  let atomStart = where.start;
  for (let index = where.start; index <= where.end; index++) {
    const token = model.tokens[index];
    const atEnd = index === where.end;
    if (!atEnd && (model.depths[index] !== depth || token?.upper !== 'AND')) continue;
    const atom = tokenText(text, model, atomStart, index).replace(/\s+/g, '').toUpperCase();
    if (atom === `${wanted}ISNOTNULL`) return true;
    // A qualified column in the select list may be tested unqualified, and the other way round.
    const bare = wanted.slice(wanted.lastIndexOf('.') + 1);
    if (atom.endsWith(`.${bare}ISNOTNULL`) || atom === `${bare}ISNOTNULL`) return true;
    if (token?.upper === 'OR') return false;
    atomStart = index + 1;
  }
  return false;
}

/** The outer block's only table (its label is what an unqualified `x` refers to), or null. */
function singleOuterTable(model: StatementModel, outer: QueryBlock): FromItem | null {
  if (outer.kind === 'select') {
    const from = findClause(outer, 'from');
    if (from === undefined) return null;
    const items = fromItems(model, outer, from);
    const [only] = items;
    return items.length === 1 && only !== undefined && only.kind === 'table' ? only : null;
  }
  const shape = writeShape(model, outer);
  if (shape === null || shape.sources.length > 0 || shape.targets.length !== 1) return null;
  const [only] = shape.targets;
  return only !== undefined && only.kind === 'table' ? only : null;
}

/** The token a FROM item is referred to by (its alias, or the last part of its name). */
function labelText(text: string, model: StatementModel, item: FromItem): string | null {
  const last = model.tokens[item.referenceEnd - 1];
  if (last === undefined || (last.kind !== 'word' && last.kind !== 'quotedIdentifier')) return null;
  return tokenText(text, model, item.referenceEnd - 1, item.referenceEnd);
}

/** Builds the NOT EXISTS rewrite, or null when the shape is not the simple one. */
function notExistsFix(text: string, model: StatementModel, block: QueryBlock, operandStart: number): { fix: Fix; condition: string } | null {
  const outer = block.parent;
  const open = block.start - 1;
  const close = block.end;
  if (outer === null || model.tokens[close]?.text !== ')' || block.inSetOperation) return null;
  if (model.tokens[open - 1]?.upper !== 'IN' || model.tokens[open - 2]?.upper !== 'NOT') return null;
  // The left operand: one column, possibly qualified.
  const operandEnd = open - 2;
  if (!isBareColumn(model, operandStart, operandEnd)) return null;
  if (block.clauses.some((clause) => COMPLEX_CLAUSES.has(clause.name))) return null;
  const select = findClause(block, 'select');
  const from = findClause(block, 'from');
  if (select === undefined || from === undefined) return null;
  // The select list: [DISTINCT] one column.
  let columnStart = select.start;
  if (model.tokens[columnStart]?.upper === 'DISTINCT') columnStart++;
  if (!isBareColumn(model, columnStart, select.end)) return null;
  const items = fromItems(model, block, from);
  const [inner] = items;
  if (items.length !== 1 || inner === undefined || inner.kind !== 'table' || inner.on !== null || inner.hasUsing) return null;
  const innerLabel = labelText(text, model, inner);
  const innerName = itemLabel(inner);
  if (innerLabel === null || innerName === null) return null;
  // The inner column, qualified with the inner label (a different qualifier is not understood).
  const columnTokens = select.end - columnStart;
  if (columnTokens > 1 && model.tokens[columnStart]?.text.replace(/"/g, '').toUpperCase() !== innerName.toUpperCase()) return null;
  const innerColumn = columnTokens > 1 ? tokenText(text, model, columnStart, select.end) : `${innerLabel}.${tokenText(text, model, columnStart, select.end)}`;
  // The outer operand, qualified so the inner table cannot capture it.
  let outerColumn = tokenText(text, model, operandStart, operandEnd);
  if (operandEnd - operandStart > 1) {
    const qualifier = model.tokens[operandEnd - 3];
    if (qualifier === undefined || qualifier.text.replace(/"/g, '').toUpperCase() === innerName.toUpperCase()) return null;
  } else {
    // In a nested block, an unqualified name may belong to a query further out.
    if (outer.parent !== null) return null;
    const outerTable = singleOuterTable(model, outer);
    if (outerTable === null) return null;
    const outerLabel = labelText(text, model, outerTable);
    const outerName = itemLabel(outerTable);
    if (outerLabel === null || outerName === null || outerName.toUpperCase() === innerName.toUpperCase()) return null;
    outerColumn = `${outerLabel}.${outerColumn}`;
  }
  const condition = `${innerColumn} = ${outerColumn}`;
  const head = tokenRange(model, operandStart, open + 1);
  const selectList = tokenRange(model, select.start, select.end);
  const edits: TextEdit[] = [
    { range: head, newText: 'NOT EXISTS (' },
    { range: selectList, newText: '1' },
  ];
  const where = findClause(block, 'where');
  const lastToken = model.tokens[close - 1];
  if (lastToken === undefined) return null;
  if (where === undefined) {
    edits.push({ range: { start: lastToken.end, end: lastToken.end }, newText: ` WHERE ${condition}` });
  } else {
    const whereDepth = model.depths[where.start] ?? 0;
    let hasOr = false;
    for (let index = where.start; index < where.end; index++) {
      if (model.depths[index] === whereDepth && model.tokens[index]?.upper === 'OR') hasOr = true;
    }
    const conditionRange = tokenRange(model, where.start, where.end);
    if (hasOr) {
      edits.push({ range: { start: conditionRange.start, end: conditionRange.start }, newText: '(' });
      edits.push({ range: { start: conditionRange.end, end: conditionRange.end }, newText: `) AND ${condition}` });
    } else {
      edits.push({ range: { start: conditionRange.end, end: conditionRange.end }, newText: ` AND ${condition}` });
    }
  }
  return { fix: { title: 'Rewrite as NOT EXISTS', safety: 'unsafe', edits }, condition };
}

export default defineRule<MessageId>({
  meta: {
    id: 'not-in-subquery',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: false,
    appliesTo: ['production', 'warehouse', 'script', 'notebook', 'migration'],
    summary: '`NOT IN (SELECT ...)`, which returns no rows at all once the subquery yields a NULL.',
    why: '`x NOT IN (list)` means `x <> a AND x <> b AND ...`; one NULL in the list makes that unknown for every row, so the query silently returns nothing the day a NULL appears. PostgreSQL also cannot plan it as an anti-join: past work_mem it re-scans the subquery for every outer row.',
    messages: {
      notInSubquery: '`{{operand}} NOT IN (SELECT ...)` returns no rows at all if the subquery yields a NULL; use `NOT EXISTS (SELECT 1 FROM {{table}} WHERE {{condition}})`.',
    },
    options: {},
    prefilter: ['not'],
    sources: ['Sonar S3641 (NOT IN with a subquery that can return NULL)', 'PostgreSQL wiki "Don\'t Do This": Don\'t use NOT IN'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        if (block.kind !== 'select' || block.context !== 'notIn') return;
        const model = statement.model;
        const open = block.start - 1;
        // Report once per subquery: a UNION's later branches share the context.
        if (model.tokens[open]?.text !== '(') return;
        const outer = block.parent;
        if (outer === null) return;
        const select = findClause(block, 'select');
        const from = findClause(block, 'from');
        if (select === undefined || from === undefined) return;
        const selectText = tokenText(source.text, model, select.start, select.end).replace(/^DISTINCT\s+/i, '');
        const column = stripParentheses(model, model.tokens[select.start]?.upper === 'DISTINCT' ? select.start + 1 : select.start, select.end);
        // A literal or NOT NULL-filtered column cannot produce the NULL.
        if (column.end === column.start + 1 && ['number', 'string'].includes(model.tokens[column.start]?.kind ?? '')) return;
        if (!block.inSetOperation && isBareColumn(model, column.start, column.end) && excludesNulls(source.text, model, block, selectText)) return;
        const notIndex = open - 2;
        const operandStart = operandStartBefore(model, notIndex, outer.start);
        if (operandStart >= notIndex) return;
        const operand = tokenText(source.text, model, operandStart, notIndex).replace(/\s+/g, ' ');
        const items = fromItems(model, block, from);
        const [onlyItem] = items;
        const single = items.length === 1 && onlyItem !== undefined && !block.inSetOperation ? onlyItem : null;
        const tableText = single === null ? '...' : tokenText(source.text, model, single.referenceStart, single.referenceEnd);
        const rewrite = notExistsFix(source.text, model, block, operandStart);
        let innerColumn = isBareColumn(model, column.start, column.end) && single !== null ? tokenText(source.text, model, column.start, column.end) : '...';
        const innerLabel = single === null ? null : itemLabel(single);
        if (innerColumn !== '...' && column.end === column.start + 1 && innerLabel !== null) innerColumn = `${innerLabel}.${innerColumn}`;
        context.report({
          messageId: 'notInSubquery',
          data: { operand, table: tableText, condition: rewrite?.condition ?? `${innerColumn} = ${operand}` },
          range: tokenRange(model, operandStart, matchingParen(model, open) + 1),
          // Not offered where the grammar read the statement but not the rewrite (the shape was misread).
          fixes: rewrite === null || grammarCheckedSafety(source, statement, rewrite.fix.edits) === null ? [] : [rewrite.fix],
        });
      },
    };
  },
});
