/**
 * Shared reading of conditions and write targets for the SQL rules: where a block's predicates
 * live (WHERE, HAVING, QUALIFY, JOIN ... ON, CASE WHEN), the bounds of the operand on either side
 * of a comparison operator, whether an operand is a bare column, and which tables an UPDATE or
 * DELETE writes to and joins with. Everything answers in token indices of a statement model.
 */

import {
  findClause,
  fromItems,
  matchingParen,
  type Clause,
  type FromItem,
  type QueryBlock,
  type StatementModel,
} from '../../engine/languages/sql/structure';

export type PredicateKind = 'where' | 'having' | 'qualify' | 'on' | 'caseWhen';

/** A token range [start, end) holding a boolean condition of a block. */
export interface PredicateRange {
  kind: PredicateKind;
  start: number;
  end: number;
}

/** Words that end an operand when walking across a condition. */
const OPERAND_BOUNDARY_WORDS = new Set([
  'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'END', 'CASE', 'WHERE', 'ON', 'HAVING', 'QUALIFY', 'SELECT', 'FROM', 'SET',
  'GROUP', 'ORDER', 'LIMIT', 'RETURNING', 'USING', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'UNION', 'EXCEPT', 'INTERSECT',
]);

const COMPARISON_OPERATOR_TEXTS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const COMPARISON_OPERATOR_WORDS = new Set(['IS', 'LIKE', 'ILIKE', 'IN', 'BETWEEN', 'SIMILAR', 'RLIKE', 'REGEXP']);

/** True when the token at `index` is a comparison operator (`=`, `<`, `IS`, `LIKE` ...). */
export function isComparisonToken(model: StatementModel, index: number): boolean {
  const token = model.tokens[index];
  if (token === undefined) return false;
  if (token.kind === 'operator') return COMPARISON_OPERATOR_TEXTS.has(token.text);
  return token.kind === 'word' && COMPARISON_OPERATOR_WORDS.has(token.upper);
}

/**
 * The first token of the operand that ends right before `operatorIndex`, not crossing `floor`:
 * it stops at AND/OR/NOT/WHEN..., a comma, another comparison, or the group's opening `(`.
 */
export function operandStartBefore(model: StatementModel, operatorIndex: number, floor: number): number {
  const depth = model.depths[operatorIndex] ?? 0;
  let index = operatorIndex - 1;
  while (index >= floor) {
    const token = model.tokens[index];
    const tokenDepth = model.depths[index] ?? 0;
    if (token === undefined || tokenDepth < depth) break;
    if (tokenDepth === depth) {
      if (token.text === ',' || token.text === ';') break;
      if (token.kind === 'word' && OPERAND_BOUNDARY_WORDS.has(token.upper)) break;
      if (isComparisonToken(model, index)) break;
    }
    index--;
  }
  return index + 1;
}

/** The exclusive end of the operand that starts right after `operatorIndex`, not crossing `ceiling`. */
export function operandEndAfter(model: StatementModel, operatorIndex: number, ceiling: number): number {
  const depth = model.depths[operatorIndex] ?? 0;
  let index = operatorIndex + 1;
  while (index < ceiling) {
    const token = model.tokens[index];
    const tokenDepth = model.depths[index] ?? 0;
    if (token === undefined || tokenDepth < depth) break;
    if (tokenDepth === depth) {
      if (token.text === ',' || token.text === ';') break;
      if (token.kind === 'word' && OPERAND_BOUNDARY_WORDS.has(token.upper)) break;
      if (isComparisonToken(model, index)) break;
    }
    index++;
  }
  return index;
}

/** Narrows [start, end) while the whole range is one parenthesized group. */
export function stripParentheses(model: StatementModel, start: number, end: number): { start: number; end: number } {
  let from = start;
  let to = end;
  while (to - from >= 2 && model.tokens[from]?.text === '(' && model.tokens[to - 1]?.text === ')' && matchingParen(model, from) === to - 1) {
    from++;
    to--;
  }
  return { start: from, end: to };
}

/** True when [start, end) is just a column name, possibly qualified (`o.created_at`, `"Users"."email"`). */
export function isBareColumn(model: StatementModel, start: number, end: number): boolean {
  if (end <= start || (end - start) % 2 === 0) return false;
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if (token === undefined) return false;
    const isNamePosition = (index - start) % 2 === 0;
    if (isNamePosition && token.kind !== 'word' && token.kind !== 'quotedIdentifier') return false;
    if (!isNamePosition && token.text !== '.') return false;
  }
  const last = model.tokens[end - 1];
  return !(last?.kind === 'word' && ['NULL', 'TRUE', 'FALSE', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'SYSDATE', 'DEFAULT'].includes(last.upper));
}

/** The `from` clauses of a block (UPDATE may have one; T-SQL repeats FROM in DELETE), plus DELETE's USING. */
function joinClauses(block: QueryBlock): Clause[] {
  return block.clauses.filter((clause) => clause.name === 'from' || clause.name === 'using');
}

/**
 * The conditions of a block, by kind: its WHERE, HAVING and QUALIFY bodies, the ON conditions of
 * its joins, and (when asked) the WHEN conditions of its CASE expressions.
 */
export function predicateRanges(model: StatementModel, block: QueryBlock, kinds: readonly PredicateKind[]): PredicateRange[] {
  const ranges: PredicateRange[] = [];
  const clauseKinds: [PredicateKind, 'where' | 'having' | 'qualify'][] = [['where', 'where'], ['having', 'having'], ['qualify', 'qualify']];
  for (const [kind, clauseName] of clauseKinds) {
    if (!kinds.includes(kind)) continue;
    const clause = findClause(block, clauseName);
    if (clause !== undefined && clause.end > clause.start) ranges.push({ kind, start: clause.start, end: clause.end });
  }
  if (kinds.includes('on')) {
    const items = [...joinClauses(block).flatMap((clause) => fromItems(model, block, clause)), ...writeTargetItems(model, block)];
    for (const item of items) {
      if (item.on !== null && item.on.end > item.on.start) ranges.push({ kind: 'on', start: item.on.start, end: item.on.end });
    }
  }
  if (kinds.includes('caseWhen')) ranges.push(...caseWhenRanges(model, block));
  return ranges;
}

/** The `WHEN <condition> THEN` ranges of the block's own searched CASE expressions. */
function caseWhenRanges(model: StatementModel, block: QueryBlock): PredicateRange[] {
  const ranges: PredicateRange[] = [];
  const openCases: number[] = [];
  let whenStart = -1;
  for (let index = block.start; index < block.end; index++) {
    if (model.blockOfToken[index] !== block.index) continue;
    const token = model.tokens[index];
    if (token === undefined || token.kind !== 'word') continue;
    const depth = model.depths[index] ?? 0;
    const innermost = openCases[openCases.length - 1];
    if (token.upper === 'CASE') {
      openCases.push(depth);
    } else if (token.upper === 'END' && innermost === depth) {
      openCases.pop();
    } else if (token.upper === 'WHEN' && innermost === depth) {
      whenStart = index + 1;
    } else if (token.upper === 'THEN' && innermost === depth && whenStart !== -1) {
      if (index > whenStart) ranges.push({ kind: 'caseWhen', start: whenStart, end: index });
      whenStart = -1;
    }
  }
  return ranges;
}

/** Modifiers that may sit between UPDATE/DELETE and the target (`LOW_PRIORITY`, `TOP (n)`, `ONLY`). */
const WRITE_MODIFIERS = new Set(['LOW_PRIORITY', 'QUICK', 'IGNORE', 'ONLY']);

/** Token index after UPDATE/DELETE and its modifiers; `top` is true for T-SQL `TOP (n)`. */
function afterWriteModifiers(model: StatementModel, block: QueryBlock): { index: number; top: boolean } {
  let index = block.start + 1;
  let top = false;
  for (;;) {
    const token = model.tokens[index];
    if (token === undefined || token.kind !== 'word') break;
    if (WRITE_MODIFIERS.has(token.upper)) {
      index++;
      continue;
    }
    if (token.upper === 'TOP') {
      top = true;
      index++;
      if (model.tokens[index]?.text === '(') index = matchingParen(model, index) + 1;
      else index++;
      if (model.tokens[index]?.upper === 'PERCENT') index++;
      continue;
    }
    break;
  }
  return { index, top };
}

/**
 * The items named between UPDATE and SET (`UPDATE a JOIN b ON ... SET`, MySQL's multi-table form,
 * or just the target table), or between DELETE and FROM (`DELETE a FROM a JOIN b ...`).
 */
function writeTargetItems(model: StatementModel, block: QueryBlock): FromItem[] {
  if (block.kind !== 'update' && block.kind !== 'delete') return [];
  const { index: start } = afterWriteModifiers(model, block);
  const next = block.clauses.find((clause) => clause.keyword >= start);
  const end = next?.keyword ?? block.end;
  if (end <= start) return [];
  const targetList: Clause = { name: 'from', keyword: block.start, start, end };
  return fromItems(model, block, targetList);
}

/** What an UPDATE or DELETE writes to, and what else it reads rows from. */
export interface WriteShape {
  /** The table(s) written, as items (their names and aliases). */
  targets: FromItem[];
  /** Every other row source: joins in the target list, FROM and USING items. */
  sources: FromItem[];
  /** T-SQL `TOP (n)`: the statement touches a bounded batch. */
  top: boolean;
  /** Token index where the reported "statement head" ends (after the first target's reference). */
  headEnd: number;
}

export function writeShape(model: StatementModel, block: QueryBlock): WriteShape | null {
  if (block.kind !== 'update' && block.kind !== 'delete') return null;
  const { index: afterModifiers, top } = afterWriteModifiers(model, block);
  const targetList = writeTargetItems(model, block);
  const clauseItems = joinClauses(block).map((clause) => ({ clause, items: fromItems(model, block, clause) }));
  if (block.kind === 'update') {
    const [target, ...joined] = targetList;
    if (target === undefined) return null;
    return { targets: [target], sources: [...joined, ...clauseItems.flatMap((entry) => entry.items)], top, headEnd: target.referenceEnd };
  }
  // DELETE: either `DELETE [FROM] t ...` or the multi-table `DELETE a, b FROM a JOIN b ...`.
  if (targetList.length > 0) {
    const first = targetList[0];
    if (first === undefined) return null;
    const allSources = clauseItems.flatMap((entry) => entry.items);
    // T-SQL `DELETE t WHERE ...` has no FROM: the target list is the table itself.
    return { targets: targetList, sources: allSources, top, headEnd: first.referenceEnd };
  }
  const fromClause = clauseItems.find((entry) => entry.clause.name === 'from' && entry.clause.keyword === afterModifiers);
  const [target, ...joined] = fromClause?.items ?? [];
  if (fromClause === undefined || target === undefined) return null;
  const otherSources = clauseItems.filter((entry) => entry !== fromClause).flatMap((entry) => entry.items);
  return { targets: [target], sources: [...joined, ...otherSources], top, headEnd: target.referenceEnd };
}

/** The name a query uses to refer to a FROM item: its alias, or the table's last name part. */
export function itemLabel(item: FromItem): string | null {
  return item.alias ?? item.tableName;
}
