/**
 * What a query block returns and how it is cut: its row limit (LIMIT, OFFSET, TOP, FETCH FIRST,
 * MySQL `LIMIT offset, count`), its select list, the branches of the set operation it belongs to,
 * what its FROM reads (real tables or bounded sets), and whether its WHERE pins a key column to a
 * value. Shared by the SQL rules about paging, sorting, pattern search and select lists.
 */

import { findClause, fromItems, isValueExpression, matchingParen, type Clause, type FromItem, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlSource } from '../../engine/languages/sql/source';
import type { SqlToken } from '../../engine/languages/sql/tokenizer';

/** A token range [start, end). */
export interface TokenSpan {
  start: number;
  end: number;
}

export interface RowLimit {
  /** Which syntax limits the rows. */
  form: 'limit' | 'top' | 'fetch' | 'offset';
  /** Tokens of the limiting syntax, keyword to value, for diagnostics. */
  span: TokenSpan;
  /** Tokens of the row count, or null when there is none (OFFSET alone, `LIMIT ALL`, `FETCH FIRST ROW`). */
  count: TokenSpan | null;
  /** The count when it is a literal number; `FETCH FIRST ROW ONLY` counts as 1. */
  countValue: number | null;
  /** True for T-SQL `TOP (n) PERCENT`. */
  percent: boolean;
  /** The rows skipped, when any: `OFFSET m`, `OFFSET m ROWS`, MySQL `LIMIT m, n`. */
  offset: { span: TokenSpan; value: TokenSpan } | null;
}

const SET_OPERATORS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS']);

/** The literal number a value span holds (`10`, `(10)`), or null for anything else. */
export function literalNumber(model: StatementModel, span: TokenSpan): number | null {
  let { start, end } = span;
  while (model.tokens[start]?.text === '(' && model.tokens[end - 1]?.text === ')' && matchingParen(model, start) === end - 1) {
    start++;
    end--;
  }
  const token = model.tokens[start];
  if (end !== start + 1 || token === undefined || token.kind !== 'number') return null;
  const value = Number(token.text);
  return Number.isFinite(value) ? value : null;
}

/** Index of the first token in [start, end) at `depth` for which `test` holds, or -1. */
function findAtDepth(model: StatementModel, start: number, end: number, depth: number, test: (token: SqlToken) => boolean): number {
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if (token !== undefined && model.depths[index] === depth && test(token)) return index;
  }
  return -1;
}

/** The value of a TOP clause: `TOP 10`, `TOP (@n)`; returns its span and the index after it. */
function topValue(model: StatementModel, clause: Clause): { value: TokenSpan; after: number } | null {
  const first = model.tokens[clause.start];
  if (first === undefined || clause.start >= clause.end) return null;
  const valueEnd = first.text === '(' ? matchingParen(model, clause.start) + 1 : clause.start + 1;
  return { value: { start: clause.start, end: valueEnd }, after: valueEnd };
}

/** Reads how a block limits its rows, or null when it does not. */
export function readRowLimit(model: StatementModel, block: QueryBlock): RowLimit | null {
  const limit = findClause(block, 'limit');
  const offset = findClause(block, 'offset');
  const fetch = findClause(block, 'fetch');
  const top = findClause(block, 'top');
  let offsetPart: RowLimit['offset'] = null;
  if (offset !== undefined) {
    const rowsWord = findAtDepth(model, offset.start, offset.end, block.depth, (token) => token.upper === 'ROW' || token.upper === 'ROWS');
    const valueEnd = rowsWord === -1 ? offset.end : rowsWord;
    if (valueEnd > offset.start) offsetPart = { span: { start: offset.keyword, end: rowsWord === -1 ? valueEnd : rowsWord + 1 }, value: { start: offset.start, end: valueEnd } };
  }
  if (limit !== undefined && limit.end > limit.start) {
    const span = { start: limit.keyword, end: limit.end };
    if (model.tokens[limit.start]?.upper === 'ALL') {
      return offsetPart === null ? null : { form: 'offset', span: offsetPart.span, count: null, countValue: null, percent: false, offset: offsetPart };
    }
    const comma = findAtDepth(model, limit.start, limit.end, block.depth, (token) => token.text === ',');
    if (comma !== -1) {
      // MySQL and SQLite: LIMIT offset, count.
      const count = { start: comma + 1, end: limit.end };
      return { form: 'limit', span, count, countValue: literalNumber(model, count), percent: false, offset: { span, value: { start: limit.start, end: comma } } };
    }
    const count = { start: limit.start, end: limit.end };
    return { form: 'limit', span, count, countValue: literalNumber(model, count), percent: false, offset: offsetPart };
  }
  if (fetch !== undefined) {
    const rowsWord = findAtDepth(model, fetch.start, fetch.end, block.depth, (token) => token.upper === 'ROW' || token.upper === 'ROWS');
    const countStart = fetch.start + 1;
    const countEnd = rowsWord === -1 ? countStart : rowsWord;
    const percent = findAtDepth(model, countStart, countEnd, block.depth, (token) => token.upper === 'PERCENT') !== -1;
    const count = countEnd > countStart ? { start: countStart, end: percent ? countEnd - 1 : countEnd } : null;
    const countValue = count === null ? 1 : literalNumber(model, count);
    return { form: 'fetch', span: { start: fetch.keyword, end: fetch.end }, count, countValue, percent, offset: offsetPart };
  }
  if (top !== undefined) {
    const read = topValue(model, top);
    if (read === null) return null;
    const percent = model.tokens[read.after]?.upper === 'PERCENT';
    return { form: 'top', span: { start: top.keyword, end: percent ? read.after + 1 : read.after }, count: read.value, countValue: literalNumber(model, read.value), percent, offset: offsetPart };
  }
  if (offsetPart !== null) return { form: 'offset', span: offsetPart.span, count: null, countValue: null, percent: false, offset: offsetPart };
  return null;
}

/**
 * The select list's token range. T-SQL's TOP clause runs from TOP to FROM in the statement model,
 * so the list starts after its value (and PERCENT / WITH TIES).
 */
export function selectListSpan(model: StatementModel, block: QueryBlock): TokenSpan | null {
  const top = findClause(block, 'top');
  if (top !== undefined) {
    const read = topValue(model, top);
    if (read === null) return null;
    let start = read.after;
    if (model.tokens[start]?.upper === 'PERCENT') start++;
    if (model.tokens[start]?.upper === 'WITH' && model.tokens[start + 1]?.upper === 'TIES') start += 2;
    return { start, end: top.end };
  }
  const select = findClause(block, 'select');
  return select === undefined ? null : { start: select.start, end: select.end };
}

/**
 * All branches of the UNION / INTERSECT / EXCEPT the block belongs to, in order (just the block
 * when it is not in one). The statement model gives the ORDER BY and LIMIT written after the last
 * branch to that branch, though they apply to the whole set operation.
 */
export function setOperationBranches(model: StatementModel, block: QueryBlock): QueryBlock[] {
  if (!block.inSetOperation) return [block];
  const siblings = model.blocks.filter(
    (other) => other.inSetOperation && other.kind === 'select' && other.parent === block.parent && other.depth === block.depth && other.context === block.context && other.cteName === block.cteName,
  );
  const runs: QueryBlock[][] = [];
  for (const sibling of siblings) {
    const run = runs[runs.length - 1];
    const previous = run?.[run.length - 1];
    if (run !== undefined && previous !== undefined && continuesSetOperation(model, previous, sibling)) run.push(sibling);
    else runs.push([sibling]);
  }
  return runs.find((run) => run.includes(block)) ?? [block];
}

/** True when `next` is the branch right after `previous`'s set operator. */
function continuesSetOperation(model: StatementModel, previous: QueryBlock, next: QueryBlock): boolean {
  if (!SET_OPERATORS.has(model.tokens[previous.end]?.upper ?? '')) return false;
  let index = previous.end + 1;
  while (index < next.start && ['ALL', 'DISTINCT', 'BY', 'NAME'].includes(model.tokens[index]?.upper ?? '')) index++;
  return index === next.start;
}

/** The last branch of the block's set operation: the one holding its ORDER BY and LIMIT. */
export function lastBranch(model: StatementModel, block: QueryBlock): QueryBlock {
  const branches = setOperationBranches(model, block);
  return branches[branches.length - 1] ?? block;
}

/** The block's FROM items (UPDATE / DELETE targets are not included). */
export function fromItemsOf(model: StatementModel, block: QueryBlock): FromItem[] {
  const from = findClause(block, 'from');
  return from === undefined ? [] : fromItems(model, block, from);
}

/** True for a FROM item that names a stored table (not a CTE of the statement). */
export function isStoredTable(model: StatementModel, item: FromItem): boolean {
  return item.kind === 'table' && item.tableName !== null && !model.cteNames.has(item.tableName.toUpperCase());
}

/** The block defining a CTE of the statement, by name. */
export function cteBlock(model: StatementModel, name: string): QueryBlock | undefined {
  const upper = name.toUpperCase();
  return model.blocks.find((block) => block.context === 'cte' && block.cteName?.toUpperCase() === upper);
}

/** True when the block's FROM samples its table (TABLESAMPLE, Snowflake SAMPLE). */
export function samplesTable(model: StatementModel, block: QueryBlock): boolean {
  const from = findClause(block, 'from');
  if (from === undefined) return false;
  return findAtDepth(model, from.start, from.end, block.depth, (token) => token.kind === 'word' && (token.upper === 'TABLESAMPLE' || token.upper === 'SAMPLE')) !== -1;
}

/** Column names that identify a row or a parent row: `id`, `user_id`, `tenantId`, `order_uuid`. */
const KEY_COLUMN = /^(id|uuid|pk)$|_(id|uuid|key|pk)$|[a-z0-9](Id|ID|Uuid|UUID)$/;

/**
 * True when the block's WHERE is a conjunction with one member pinning a key column to a value
 * (`WHERE quiz_id = $1 AND ...`): the rows left are one parent's, found through an index, so what
 * the rest of the query does to them happens on a bounded set.
 */
export function filtersByKeyEquality(model: StatementModel, block: QueryBlock): boolean {
  const where = findClause(block, 'where');
  if (where === undefined) return false;
  const { tokens, depths } = model;
  const conjuncts: TokenSpan[] = [];
  let conjunctStart = where.start;
  let betweenPending = false;
  let caseLevel = 0;
  for (let index = where.start; index < where.end; index++) {
    const token = tokens[index];
    if (token === undefined || depths[index] !== block.depth || token.kind !== 'word') continue;
    if (token.upper === 'CASE') caseLevel++;
    if (token.upper === 'END' && caseLevel > 0) caseLevel--;
    if (caseLevel > 0) continue;
    if (token.upper === 'OR') return false;
    if (token.upper === 'BETWEEN') betweenPending = true;
    if (token.upper === 'AND') {
      if (betweenPending) {
        betweenPending = false;
        continue;
      }
      conjuncts.push({ start: conjunctStart, end: index });
      conjunctStart = index + 1;
    }
  }
  conjuncts.push({ start: conjunctStart, end: where.end });
  return conjuncts.some((conjunct) => pinsKeyColumn(model, conjunct, block.depth));
}

function pinsKeyColumn(model: StatementModel, conjunct: TokenSpan, depth: number): boolean {
  const equals = findAtDepth(model, conjunct.start, conjunct.end, depth, (token) => token.kind === 'operator' && token.text === '=');
  if (equals === -1) return false;
  const sides: TokenSpan[] = [
    { start: conjunct.start, end: equals },
    { start: equals + 1, end: conjunct.end },
  ];
  const [left, right] = sides;
  if (left === undefined || right === undefined) return false;
  return (isKeyColumn(model, left) && isValueExpression(model, right.start, right.end)) || (isKeyColumn(model, right) && isValueExpression(model, left.start, left.end));
}

/** A bare, possibly qualified, column whose name says it is a key. */
function isKeyColumn(model: StatementModel, span: TokenSpan): boolean {
  const last = model.tokens[span.end - 1];
  if (last === undefined || (last.kind !== 'word' && last.kind !== 'quotedIdentifier')) return false;
  for (let index = span.start; index < span.end - 1; index += 2) {
    const part = model.tokens[index];
    if (part === undefined || (part.kind !== 'word' && part.kind !== 'quotedIdentifier') || model.tokens[index + 1]?.text !== '.') return false;
  }
  if ((span.end - 1 - span.start) % 2 !== 0) return false;
  const name = last.kind === 'quotedIdentifier' ? last.text.slice(1, -1) : last.text;
  return KEY_COLUMN.test(name) || KEY_COLUMN.test(name.toLowerCase());
}

/** True when a value span holds a bind parameter or a host-language substitution anywhere. */
export function containsPlaceholder(model: StatementModel, span: TokenSpan): boolean {
  for (let index = span.start; index < span.end; index++) {
    if (model.tokens[index]?.kind === 'placeholder') return true;
  }
  return false;
}

/**
 * Source text of tokens [start, end) for a message: whitespace collapsed, and host-language
 * substitutions shown as written (`${offset}`) rather than as their placeholders.
 */
export function displayText(source: SqlSource, model: StatementModel, span: TokenSpan): string {
  const first = model.tokens[span.start];
  const last = model.tokens[Math.max(span.start, span.end - 1)];
  if (first === undefined || last === undefined) return '';
  let text = '';
  let position = first.start;
  for (let index = span.start; index < span.end; index++) {
    const token = model.tokens[index];
    if (token?.substitution === undefined) continue;
    const substitution = source.substitutions[token.substitution];
    if (substitution === undefined) continue;
    text += source.text.slice(position, token.start) + '${' + substitution.expressionText + '}';
    position = token.end;
  }
  text += source.text.slice(position, last.end);
  return text.replace(/\s+/g, ' ');
}
