/**
 * The shape of one SQL statement, read from its tokens: the query blocks it contains (each
 * SELECT, UPDATE, DELETE, INSERT), their clauses, what context each block sits in (a CTE, an
 * EXISTS, the source of an INSERT ...), and the items of FROM clauses. Rules reason over this
 * model rather than over a dialect-specific AST, so they work the same in every dialect and on
 * statements the parser rejects, and every answer carries exact token positions for diagnostics.
 */

import type { SqlToken } from './tokenizer';

export type ClauseName =
  | 'select'
  | 'top'
  | 'from'
  | 'where'
  | 'groupBy'
  | 'having'
  | 'qualify'
  | 'window'
  | 'orderBy'
  | 'limit'
  | 'offset'
  | 'fetch'
  | 'for'
  | 'set'
  | 'using'
  | 'returning'
  | 'into'
  | 'values'
  | 'onConflict';

export interface Clause {
  name: ClauseName;
  /** Token index of the clause's first keyword. */
  keyword: number;
  /** Token index of the first token after the keyword(s). */
  start: number;
  /** Exclusive end token index. */
  end: number;
}

export type BlockContext =
  | 'statement'
  | 'cte'
  | 'subquery'
  | 'fromSubquery'
  | 'exists'
  | 'in'
  | 'notIn'
  | 'scalar'
  | 'insertSource'
  | 'createAs';

export type BlockKind = 'select' | 'update' | 'delete' | 'insert' | 'merge';

export interface QueryBlock {
  index: number;
  kind: BlockKind;
  /** Token index of the block's first keyword, and exclusive end. */
  start: number;
  end: number;
  /** Paren depth of the block's own tokens (relative to the statement). */
  depth: number;
  clauses: Clause[];
  context: BlockContext;
  parent: QueryBlock | null;
  /** Name of the CTE this block defines, when context is 'cte'. */
  cteName: string | null;
  /** True when the block is one branch of UNION / INTERSECT / EXCEPT. */
  inSetOperation: boolean;
}

export interface StatementModel {
  tokens: SqlToken[];
  /** Paren depth of each token relative to the statement's start. */
  depths: Int32Array;
  /** Index of the innermost block each token belongs to, or -1. */
  blockOfToken: Int32Array;
  blocks: QueryBlock[];
  /** Upper-cased names of the statement's CTEs. */
  cteNames: Set<string>;
  /** First keyword of the statement, upper-cased ('SELECT', 'WITH', 'UPDATE', 'CREATE', ...). */
  leadingKeyword: string;
}

const SELECT_CLAUSES: Record<string, ClauseName> = {
  FROM: 'from',
  WHERE: 'where',
  GROUP: 'groupBy',
  HAVING: 'having',
  QUALIFY: 'qualify',
  WINDOW: 'window',
  ORDER: 'orderBy',
  LIMIT: 'limit',
  OFFSET: 'offset',
  FETCH: 'fetch',
  FOR: 'for',
  INTO: 'into',
};

const UPDATE_CLAUSES: Record<string, ClauseName> = {
  SET: 'set',
  FROM: 'from',
  WHERE: 'where',
  RETURNING: 'returning',
  ORDER: 'orderBy',
  LIMIT: 'limit',
};

const DELETE_CLAUSES: Record<string, ClauseName> = {
  FROM: 'from',
  USING: 'using',
  WHERE: 'where',
  RETURNING: 'returning',
  ORDER: 'orderBy',
  LIMIT: 'limit',
};

const INSERT_CLAUSES: Record<string, ClauseName> = {
  INTO: 'into',
  VALUES: 'values',
  RETURNING: 'returning',
};

const SET_OPERATORS = new Set(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS']);

export function buildStatementModel(tokens: SqlToken[]): StatementModel {
  const count = tokens.length;
  const depths = new Int32Array(count);
  const blockOfToken = new Int32Array(count).fill(-1);
  const blocks: QueryBlock[] = [];
  const cteNames = new Set<string>();
  const stack: QueryBlock[] = [];
  const leadingKeyword = tokens[0]?.upper ?? '';
  let depth = 0;
  let inWithList = leadingKeyword === 'WITH';
  /** Context of the block that a set operator closed, inherited by the next branch. */
  let pendingSetOperation: { depth: number; context: BlockContext; cteName: string | null } | null = null;

  const closeBlock = (block: QueryBlock, end: number): void => {
    block.end = end;
    const last = block.clauses[block.clauses.length - 1];
    if (last !== undefined) last.end = end;
  };

  const openBlock = (kind: BlockKind, index: number, context: BlockContext, cteName: string | null, inSetOperation: boolean): QueryBlock => {
    const block: QueryBlock = {
      index: blocks.length,
      kind,
      start: index,
      end: count,
      depth,
      clauses: [],
      context,
      parent: stack[stack.length - 1] ?? null,
      cteName,
      inSetOperation,
    };
    blocks.push(block);
    stack.push(block);
    return block;
  };

  const addClause = (block: QueryBlock, name: ClauseName, keyword: number, start: number): void => {
    const previous = block.clauses[block.clauses.length - 1];
    if (previous !== undefined) previous.end = keyword;
    block.clauses.push({ name, keyword, start, end: block.end });
  };

  for (let index = 0; index < count; index++) {
    const token = tokens[index];
    if (token === undefined) continue;
    if (token.text === ')' && token.kind === 'punctuation') {
      depth = Math.max(0, depth - 1);
      while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) > depth) {
        const closed = stack.pop();
        if (closed !== undefined) closeBlock(closed, index);
      }
    }
    depths[index] = depth;
    if (token.text === '(' && token.kind === 'punctuation') {
      depth++;
      blockOfToken[index] = stack[stack.length - 1]?.index ?? -1;
      continue;
    }
    const top = stack[stack.length - 1];
    const word = token.kind === 'word' ? token.upper : '';

    if (word === 'SELECT') {
      if (top !== undefined && top.kind === 'select' && top.depth === depth) {
        stack.pop();
        closeBlock(top, index);
      }
      let context: BlockContext;
      let cteName: string | null = null;
      let inSetOperation = false;
      if (pendingSetOperation !== null && pendingSetOperation.depth === depth) {
        context = pendingSetOperation.context;
        cteName = pendingSetOperation.cteName;
        inSetOperation = true;
        pendingSetOperation = null;
      } else {
        const found = contextBefore(tokens, index, depth, stack[stack.length - 1] ?? null, leadingKeyword, inWithList);
        context = found.context;
        cteName = found.cteName;
      }
      if (context === 'cte' && cteName !== null) cteNames.add(cteName.toUpperCase());
      if (depth === 0 && context !== 'cte') inWithList = false;
      const block = openBlock('select', index, context, cteName, inSetOperation);
      addClause(block, 'select', index, index + 1);
      blockOfToken[index] = block.index;
      continue;
    }

    if ((word === 'UPDATE' || word === 'DELETE' || word === 'INSERT' || word === 'MERGE' || word === 'REPLACE' || word === 'UPSERT') && startsDataModification(tokens, index, stack)) {
      const kind: BlockKind = word === 'UPDATE' ? 'update' : word === 'DELETE' ? 'delete' : word === 'MERGE' ? 'merge' : 'insert';
      const previous = tokens[index - 1];
      const context: BlockContext = previous?.text === '(' ? 'cte' : 'statement';
      // A data-modifying CTE (`WITH j AS (UPDATE ... RETURNING *)`) is named like any other CTE.
      const cteName = context === 'cte' && inWithList && depth === 1 && (tokens[index - 2]?.upper === 'AS' || tokens[index - 2]?.upper === 'MATERIALIZED') ? cteNameBefore(tokens, index - 2) : null;
      if (cteName !== null) cteNames.add(cteName.toUpperCase());
      if (depth === 0) inWithList = false;
      const block = openBlock(kind, index, context, cteName, false);
      blockOfToken[index] = block.index;
      continue;
    }

    if (top !== undefined && depth === top.depth && word !== '') {
      if (SET_OPERATORS.has(word) && top.kind === 'select' && !(word === 'EXCEPT' && tokens[index - 1]?.text === '*')) {
        stack.pop();
        closeBlock(top, index);
        top.inSetOperation = true;
        pendingSetOperation = { depth, context: top.context, cteName: top.cteName };
        blockOfToken[index] = stack[stack.length - 1]?.index ?? -1;
        continue;
      }
      const clause = clauseAt(tokens, index, top);
      if (clause !== null) {
        addClause(top, clause.name, index, index + clause.keywordLength);
        for (let offset = 0; offset < clause.keywordLength; offset++) {
          blockOfToken[index + offset] = top.index;
          if (offset > 0) depths[index + offset] = depth;
        }
        index += clause.keywordLength - 1;
        continue;
      }
    }
    blockOfToken[index] = top?.index ?? -1;
  }
  while (stack.length > 0) {
    const open = stack.pop();
    if (open !== undefined) closeBlock(open, count);
  }
  return { tokens, depths, blockOfToken, blocks, cteNames, leadingKeyword };
}

/** Decides whether UPDATE/DELETE/INSERT at `index` starts a statement (not `DO UPDATE`, `FOR UPDATE`). */
function startsDataModification(tokens: SqlToken[], index: number, stack: QueryBlock[]): boolean {
  if (index === 0) return true;
  const previous = tokens[index - 1];
  if (previous === undefined) return true;
  if (previous.text === '(' ) return true;
  if (stack.length > 0) return false;
  // After a WITH list (`WITH x AS (...) DELETE ...`) or EXPLAIN [ANALYZE].
  return previous.text === ')' || previous.upper === 'EXPLAIN' || previous.upper === 'ANALYZE' || previous.upper === 'VERBOSE';
}

function clauseAt(tokens: SqlToken[], index: number, block: QueryBlock): { name: ClauseName; keywordLength: number } | null {
  const token = tokens[index];
  if (token === undefined) return null;
  const word = token.upper;
  const nextWord = tokens[index + 1]?.upper ?? '';
  const table = block.kind === 'select' ? SELECT_CLAUSES : block.kind === 'update' ? UPDATE_CLAUSES : block.kind === 'delete' ? DELETE_CLAUSES : block.kind === 'insert' ? INSERT_CLAUSES : null;
  if (table === null) return null;
  if (block.kind === 'select' && word === 'TOP' && block.clauses.length === 1 && isRightAfterSelect(tokens, index, block)) {
    return { name: 'top', keywordLength: 1 };
  }
  if (block.kind === 'insert' && word === 'ON' && nextWord === 'CONFLICT') return { name: 'onConflict', keywordLength: 2 };
  const name = table[word];
  if (name === undefined) return null;
  if ((word === 'GROUP' || word === 'ORDER') && nextWord !== 'BY') return null;
  if (word === 'FROM' && tokens[index - 1]?.upper === 'DISTINCT') return null;
  if (word === 'FOR' && !['UPDATE', 'SHARE', 'NO', 'KEY', 'READ', 'XML', 'JSON', 'BROWSE', 'SYSTEM_TIME'].includes(nextWord)) return null;
  if (word === 'INTO' && block.kind === 'select' && block.clauses.some((clause) => clause.name !== 'select')) return null;
  if (word === 'LIMIT' && block.kind === 'select' && tokens[index - 1]?.upper === 'BY') return null;
  if (word === 'FETCH' && nextWord !== 'FIRST' && nextWord !== 'NEXT') return null;
  // BigQuery array subscripts (`arr[OFFSET(0)]`) and `UNNEST(arr) WITH OFFSET` are not clauses.
  if (word === 'OFFSET' && (tokens[index - 1]?.text === '[' || tokens[index - 1]?.upper === 'WITH')) return null;
  if (word === 'SET' && block.clauses.some((clause) => clause.name === 'set')) return null;
  if (word === 'FROM' && block.clauses.some((clause) => clause.name === 'from') && block.kind !== 'update') return null;
  if (block.clauses.some((clause) => clause.name === name) && name !== 'from') return null;
  return { name, keywordLength: word === 'GROUP' || word === 'ORDER' ? 2 : 1 };
}

function isRightAfterSelect(tokens: SqlToken[], index: number, block: QueryBlock): boolean {
  const previous = tokens[index - 1]?.upper;
  return index - 1 === block.start || ((previous === 'DISTINCT' || previous === 'ALL') && index - 2 === block.start);
}

/** Reads the tokens before a SELECT to decide what it is the subquery of. */
function contextBefore(
  tokens: SqlToken[],
  index: number,
  depth: number,
  enclosing: QueryBlock | null,
  leadingKeyword: string,
  inWithList: boolean,
): { context: BlockContext; cteName: string | null } {
  const previous = tokens[index - 1];
  if (previous === undefined) return { context: 'statement', cteName: null };
  if (previous.text === '(') {
    const before = tokens[index - 2];
    const beforeWord = before?.upper ?? '';
    if (before === undefined) return { context: 'statement', cteName: null };
    if (beforeWord === 'EXISTS') return { context: 'exists', cteName: null };
    if (beforeWord === 'IN' || beforeWord === 'ANY' || beforeWord === 'ALL' || beforeWord === 'SOME') {
      return { context: tokens[index - 3]?.upper === 'NOT' && beforeWord === 'IN' ? 'notIn' : 'in', cteName: null };
    }
    if ((beforeWord === 'AS' || beforeWord === 'MATERIALIZED') && inWithList && depth === 1) {
      return { context: 'cte', cteName: cteNameBefore(tokens, index - 2) };
    }
    if (beforeWord === 'AS' && (leadingKeyword === 'CREATE' || leadingKeyword === 'ALTER')) return { context: 'createAs', cteName: null };
    if (beforeWord === 'FROM' || beforeWord === 'JOIN' || beforeWord === 'LATERAL' || beforeWord === 'APPLY' || (before.text === ',' && enclosing !== null && inFromClause(enclosing, index))) {
      return { context: 'fromSubquery', cteName: null };
    }
    if (before.kind === 'operator') return { context: 'scalar', cteName: null };
    if (before.text === '(' && depth === 1 && index - 2 === 0) return { context: 'statement', cteName: null };
    return { context: 'subquery', cteName: null };
  }
  if (enclosing !== null && enclosing.kind === 'insert' && enclosing.depth === depth) return { context: 'insertSource', cteName: null };
  if (depth === 0 && (leadingKeyword === 'CREATE' || leadingKeyword === 'ALTER' || leadingKeyword === 'COPY')) return { context: 'createAs', cteName: null };
  if (depth === 0 && leadingKeyword === 'INSERT') return { context: 'insertSource', cteName: null };
  return { context: enclosing === null ? 'statement' : 'subquery', cteName: null };
}

function cteNameBefore(tokens: SqlToken[], asIndex: number): string | null {
  let index = asIndex - 1;
  if (tokens[asIndex]?.upper === 'MATERIALIZED') {
    index = asIndex - 1;
    if (tokens[index]?.upper === 'NOT') index--;
    if (tokens[index]?.upper === 'AS') index--;
  }
  // Skip a column list: name (a, b) AS (...)
  if (tokens[index]?.text === ')') {
    let level = 0;
    for (; index >= 0; index--) {
      const text = tokens[index]?.text;
      if (text === ')') level++;
      if (text === '(') level--;
      if (level === 0) break;
    }
    index--;
  }
  const name = tokens[index];
  if (name === undefined) return null;
  return name.kind === 'quotedIdentifier' ? name.text.slice(1, -1) : name.text;
}

function inFromClause(block: QueryBlock, index: number): boolean {
  return block.clauses.some((clause) => clause.name === 'from' && clause.start <= index && index <= clause.end);
}

// ---------------------------------------------------------------------------------------------
// Queries over the model, shared by rules.

export function findClause(block: QueryBlock, name: ClauseName): Clause | undefined {
  return block.clauses.find((clause) => clause.name === name);
}

/** Token indices of a clause that belong to the block itself (not to nested subqueries). */
export function ownTokenIndices(model: StatementModel, block: QueryBlock, clause: Clause): number[] {
  const result: number[] = [];
  for (let index = clause.start; index < clause.end; index++) {
    if (model.blockOfToken[index] === block.index) result.push(index);
  }
  return result;
}

/** Aggregate functions that collapse rows (when not used as window functions). */
const AGGREGATES = new Set([
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'ARRAY_AGG', 'STRING_AGG', 'GROUP_CONCAT', 'LISTAGG', 'JSON_AGG', 'JSONB_AGG',
  'JSON_OBJECT_AGG', 'JSONB_OBJECT_AGG', 'BOOL_AND', 'BOOL_OR', 'EVERY', 'BIT_AND', 'BIT_OR', 'STDDEV', 'STDDEV_POP',
  'STDDEV_SAMP', 'VARIANCE', 'VAR_POP', 'VAR_SAMP', 'APPROX_COUNT_DISTINCT', 'APPROX_DISTINCT', 'COUNT_BIG',
  'PERCENTILE_CONT', 'PERCENTILE_DISC', 'MEDIAN', 'MODE', 'ANY_VALUE', 'ARRAY_CONCAT_AGG', 'HLL_COUNT', 'XMLAGG',
  'CORR', 'COVAR_POP', 'COVAR_SAMP', 'REGR_SLOPE', 'OBJECT_AGG', 'ARRAY_UNIQUE_AGG', 'COUNTIF', 'LOGICAL_AND', 'LOGICAL_OR',
]);

/** True when the block's select list or HAVING uses an aggregate that is not a window function. */
export function hasAggregate(model: StatementModel, block: QueryBlock): boolean {
  for (const clause of block.clauses) {
    if (clause.name !== 'select' && clause.name !== 'having') continue;
    for (let index = clause.start; index < clause.end; index++) {
      if (model.blockOfToken[index] !== block.index) continue;
      const token = model.tokens[index];
      if (token === undefined || token.kind !== 'word' || !AGGREGATES.has(token.upper)) continue;
      if (model.tokens[index + 1]?.text !== '(') continue;
      const close = matchingParen(model, index + 1);
      if (model.tokens[close + 1]?.upper === 'OVER') continue;
      return true;
    }
  }
  return false;
}

/**
 * For each token of a statement, the first `)` after it at its depth: made once per statement
 * in one pass, since matchingParen is asked about every group and scanning for each made deep
 * nesting quadratic (#15: a predicate 8,000 parentheses deep).
 */
const NEXT_CLOSE = new WeakMap<StatementModel, Int32Array>();

/** Index of the `)` matching the `(` at `open` (or the last token if unbalanced). */
export function matchingParen(model: StatementModel, open: number): number {
  let table = NEXT_CLOSE.get(model);
  if (table === undefined) {
    table = nextCloseTable(model);
    NEXT_CLOSE.set(model, table);
  }
  return table[open] ?? model.tokens.length - 1;
}

function nextCloseTable(model: StatementModel): Int32Array {
  const { tokens, depths } = model;
  const count = tokens.length;
  const table = new Int32Array(count);
  /** The nearest `)` seen so far (scanning from the end) at each depth. */
  const nextClose = new Map<number, number>();
  for (let index = count - 1; index >= 0; index--) {
    const depth = depths[index] ?? 0;
    table[index] = nextClose.get(depth) ?? count - 1;
    if (tokens[index]?.text === ')') nextClose.set(depth, index);
  }
  return table;
}

export type FromItemKind = 'table' | 'subquery' | 'function' | 'values' | 'other';
export type JoinKind = 'first' | 'comma' | 'join' | 'cross' | 'natural' | 'apply';

export interface FromItem {
  kind: FromItemKind;
  join: JoinKind;
  lateral: boolean;
  /** Token range of the whole item, join keywords and condition included. */
  start: number;
  end: number;
  /** Token range of the table reference itself (name and alias). */
  referenceStart: number;
  referenceEnd: number;
  /** Last part of the table name as written (unquoted), or null for non-tables. */
  tableName: string | null;
  alias: string | null;
  /** ON condition token range, when there is one. */
  on: { start: number; end: number } | null;
  hasUsing: boolean;
}

const JOIN_WORDS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'NATURAL', 'STRAIGHT_JOIN', 'APPLY', 'SEMI', 'ANTI', 'ANY', 'ASOF', 'GLOBAL', 'ARRAY', 'PASTE']);
const NOT_ALIASES = new Set([
  'ON', 'USING', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS',
  'NATURAL', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'QUALIFY', 'OFFSET', 'FETCH', 'FOR', 'TABLESAMPLE', 'WITH', 'SET',
  'RETURNING', 'STRAIGHT_JOIN', 'APPLY', 'PARTITION', 'AS', 'FINAL', 'SAMPLE', 'VALUES', 'LATERAL', 'PIVOT', 'UNPIVOT',
]);

/** Splits a FROM (or UPDATE ... FROM, DELETE ... USING) clause into its items. */
export function fromItems(model: StatementModel, block: QueryBlock, clause: Clause): FromItem[] {
  const items: FromItem[] = [];
  const { tokens, depths } = model;
  let index = clause.start;
  let join: JoinKind = 'first';
  while (index < clause.end) {
    const itemStart = index;
    // Join keywords before the item.
    let sawJoinWord = false;
    while (index < clause.end && depths[index] === block.depth && JOIN_WORDS.has(tokens[index]?.upper ?? '') && tokens[index]?.kind === 'word') {
      const word = tokens[index]?.upper;
      if (word === 'CROSS') join = tokens[index + 1]?.upper === 'APPLY' ? 'apply' : 'cross';
      else if (word === 'NATURAL') join = 'natural';
      else if (word === 'APPLY' && join !== 'cross') join = 'apply';
      else if (join !== 'cross' && join !== 'natural' && join !== 'apply') join = 'join';
      sawJoinWord = true;
      index++;
    }
    if (!sawJoinWord && items.length > 0 && join === 'first') join = 'comma';
    let lateral = false;
    if (tokens[index]?.upper === 'LATERAL') {
      lateral = true;
      index++;
    }
    const referenceStart = index;
    let kind: FromItemKind = 'other';
    let tableName: string | null = null;
    const first = tokens[index];
    if (first?.text === '(') {
      const next = tokens[index + 1]?.upper;
      kind = next === 'SELECT' || next === 'WITH' ? 'subquery' : next === 'VALUES' ? 'values' : 'other';
      index = matchingParen(model, index) + 1;
    } else if (first?.upper === 'VALUES') {
      kind = 'values';
      index++;
      while (index < clause.end && (depths[index] ?? 0) > block.depth) index++;
    } else if (first !== undefined && (first.kind === 'word' || first.kind === 'quotedIdentifier' || first.kind === 'placeholder')) {
      // A dotted name: schema.table, `project.dataset.table`, db..table, my-project.dataset.table
      let lastPart = first;
      let lastPartName = first.kind === 'word' ? dashedPartText(tokens, index) : unquote(first);
      index = first.kind === 'word' ? dashedPartEnd(tokens, index) : index + 1;
      while (tokens[index]?.text === '.' && index + 1 < clause.end) {
        index++;
        const part = tokens[index];
        if (part !== undefined && part.text !== '.') {
          lastPart = part;
          lastPartName = part.kind === 'word' ? dashedPartText(tokens, index) : unquote(part);
          index = part.kind === 'word' ? dashedPartEnd(tokens, index) : index + 1;
        }
      }
      if (tokens[index]?.text === '(') {
        kind = 'function';
        index = matchingParen(model, index) + 1;
      } else {
        kind = lastPart.kind === 'placeholder' ? 'other' : 'table';
        tableName = lastPartName;
      }
    }
    // Alias: AS name, or a bare name that is not a keyword; then an optional column list.
    let alias: string | null = null;
    if (tokens[index]?.upper === 'AS' && index < clause.end) {
      index++;
      const aliasToken = tokens[index];
      if (aliasToken !== undefined) {
        alias = unquote(aliasToken);
        index++;
      }
    } else {
      const candidate = tokens[index];
      if (candidate !== undefined && index < clause.end && (candidate.kind === 'quotedIdentifier' || (candidate.kind === 'word' && !NOT_ALIASES.has(candidate.upper)))) {
        alias = unquote(candidate);
        index++;
      }
    }
    if (tokens[index]?.text === '(' && index < clause.end && alias !== null) index = matchingParen(model, index) + 1;
    const referenceEnd = index;
    // Skip to ON / USING / next item.
    let on: { start: number; end: number } | null = null;
    let hasUsing = false;
    while (index < clause.end) {
      const token = tokens[index];
      if (token === undefined) break;
      if (depths[index] === block.depth && model.blockOfToken[index] === block.index) {
        if (token.text === ',') break;
        if (token.kind === 'word' && JOIN_WORDS.has(token.upper) && !(token.upper === 'ANY' || token.upper === 'ARRAY' || token.upper === 'ALL')) break;
        if (token.upper === 'ON' && on === null) {
          const conditionStart = index + 1;
          index++;
          while (index < clause.end) {
            const inner = tokens[index];
            if (inner === undefined) break;
            if (depths[index] === block.depth && (inner.text === ',' || (inner.kind === 'word' && JOIN_WORDS.has(inner.upper) && inner.upper !== 'ANY' && inner.upper !== 'ARRAY' && inner.upper !== 'ALL'))) break;
            index++;
          }
          on = { start: conditionStart, end: index };
          continue;
        }
        if (token.upper === 'USING') hasUsing = true;
      }
      index++;
    }
    items.push({ kind, join, lateral, start: itemStart, end: index, referenceStart, referenceEnd, tableName, alias, on, hasUsing });
    if (tokens[index]?.text === ',') {
      index++;
      join = 'comma';
    } else {
      join = 'first';
    }
    if (index === itemStart) index++;
  }
  return items;
}

/**
 * End (exclusive token index) of the name part starting with the word at `index`. BigQuery reads
 * an unquoted dashed name in a FROM clause as one identifier (`my-project.dataset.events`, the
 * project ids GCP hands out); a `-` touching a word on both sides is taken as part of the name.
 * Elsewhere a `-` between two names cannot stand in a FROM item, so this changes nothing there.
 */
export function dashedPartEnd(tokens: readonly SqlToken[], index: number): number {
  let end = index + 1;
  for (;;) {
    const dash = tokens[end];
    const before = tokens[end - 1];
    const after = tokens[end + 1];
    if (dash?.text !== '-' || before === undefined || after === undefined) return end;
    if (dash.start !== before.end || after.start !== dash.end || (after.kind !== 'word' && after.kind !== 'number')) return end;
    end += 2;
  }
}

/** The text of the name part starting with the word at `index`, dashes included. */
export function dashedPartText(tokens: readonly SqlToken[], index: number): string {
  return tokens.slice(index, dashedPartEnd(tokens, index)).map((token) => token.text).join('');
}

export function unquote(token: SqlToken): string {
  if (token.kind === 'quotedIdentifier') return token.text.slice(1, -1);
  return token.text;
}

/** A comparison inside a predicate: `left op right`, as token ranges. */
export interface Comparison {
  start: number;
  end: number;
  operator: string;
  operatorIndex: number;
  /** Exclusive end of the left operand / start of the right operand. */
  leftEnd: number;
  rightStart: number;
  negated: boolean;
}

const COMPARISON_WORDS = new Set(['LIKE', 'ILIKE', 'IN', 'BETWEEN', 'IS', 'RLIKE', 'REGEXP', 'SIMILAR']);
const COMPARISON_OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

/**
 * Splits a predicate (WHERE, ON, HAVING body) into its AND/OR/NOT-separated atoms and reads the
 * comparison in each. Only tokens at the range's base depth separate atoms, so `(a OR b)` is one
 * atom; CASE ... END is kept whole.
 */
export function comparisonsIn(model: StatementModel, start: number, end: number): Comparison[] {
  const result: Comparison[] = [];
  // Parenthesized groups still to read, the next on top: a stack rather than recursion, so that
  // a predicate nested thousands of parentheses deep cannot exhaust the stack (#15). A group's
  // own atoms come first, then its groups in order, as a recursive descent would list them.
  const pending: { start: number; end: number }[] = [{ start, end }];
  for (let group = pending.pop(); group !== undefined; group = pending.pop()) {
    const inner = comparisonsAtBase(model, group.start, group.end, result);
    for (let index = inner.length - 1; index >= 0; index--) pending.push(inner[index] as { start: number; end: number });
  }
  return result;
}

/** Appends the comparisons at the range's base depth to `result`; returns the boolean groups in it. */
function comparisonsAtBase(model: StatementModel, start: number, end: number, result: Comparison[]): { start: number; end: number }[] {
  const { tokens, depths } = model;
  const baseDepth = depths[start] ?? 0;
  let atomStart = start;
  let caseLevel = 0;
  let betweenPending = false;
  const flush = (atomEnd: number): void => {
    if (atomEnd > atomStart) {
      const comparison = readComparison(model, atomStart, atomEnd, baseDepth);
      if (comparison !== null) result.push(comparison);
    }
  };
  for (let index = start; index < end; index++) {
    const token = tokens[index];
    if (token === undefined) break;
    if (depths[index] !== baseDepth) continue;
    // A group's tokens are all deeper: jump to its `)`, rather than step over each (#15).
    if (token.text === '(') {
      index = Math.max(index, matchingParen(model, index) - 1);
      continue;
    }
    if (token.upper === 'CASE') caseLevel++;
    if (token.upper === 'END' && caseLevel > 0) caseLevel--;
    if (caseLevel > 0) continue;
    if (token.upper === 'BETWEEN') betweenPending = true;
    if (token.kind === 'word' && (token.upper === 'AND' || token.upper === 'OR')) {
      if (token.upper === 'AND' && betweenPending) {
        betweenPending = false;
        continue;
      }
      flush(index);
      atomStart = index + 1;
    }
  }
  flush(end);
  // Parenthesized groups are read too, so that `(a = 1 OR b = NULL)` is seen.
  const groups: { start: number; end: number }[] = [];
  for (let index = start; index < end; index++) {
    if (tokens[index]?.text !== '(' || depths[index] !== baseDepth) continue;
    const close = matchingParen(model, index);
    if (tokens[index + 1]?.upper !== 'SELECT' && isBooleanGroup(model, index)) groups.push({ start: index + 1, end: close });
    index = Math.max(index, close);
  }
  return groups;
}

/** A parenthesized group used as a boolean (not a function's arguments or a tuple). */
function isBooleanGroup(model: StatementModel, open: number): boolean {
  const before = model.tokens[open - 1];
  if (before === undefined) return true;
  if (before.kind === 'word' && !['AND', 'OR', 'NOT', 'WHERE', 'ON', 'HAVING', 'WHEN'].includes(before.upper)) return false;
  return before.kind !== 'quotedIdentifier' && before.text !== ')';
}

function readComparison(model: StatementModel, start: number, end: number, baseDepth: number): Comparison | null {
  const { tokens, depths } = model;
  let negated = false;
  let atomStart = start;
  if (tokens[atomStart]?.upper === 'NOT') {
    negated = true;
    atomStart++;
  }
  for (let index = atomStart; index < end; index++) {
    const token = tokens[index];
    if (token === undefined || depths[index] !== baseDepth) continue;
    if (token.text === '(') {
      index = Math.max(index, matchingParen(model, index) - 1);
      continue;
    }
    const isOperator = token.kind === 'operator' && COMPARISON_OPERATORS.has(token.text);
    const isWord = token.kind === 'word' && COMPARISON_WORDS.has(token.upper);
    if (!isOperator && !isWord) continue;
    let leftEnd = index;
    if (isWord && tokens[index - 1]?.upper === 'NOT') {
      leftEnd = index - 1;
      negated = !negated;
    }
    let rightStart = index + 1;
    if (token.upper === 'IS' && tokens[rightStart]?.upper === 'NOT') {
      rightStart++;
      negated = !negated;
    }
    if (token.upper === 'SIMILAR' && tokens[rightStart]?.upper === 'TO') rightStart++;
    return { start: atomStart, end, operator: token.kind === 'word' ? token.upper : token.text, operatorIndex: index, leftEnd, rightStart, negated };
  }
  return null;
}

/** Keywords and function-like words that are never column names. */
const NON_COLUMN_WORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'NULL', 'TRUE', 'FALSE', 'IS', 'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE',
  'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'ON', 'INTERVAL', 'DATE', 'TIMESTAMP', 'TIME', 'AT', 'ZONE', 'CURRENT_DATE',
  'CURRENT_TIMESTAMP', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME', 'DISTINCT', 'ALL', 'ANY', 'SOME', 'EXISTS', 'CAST',
  'DAY', 'WEEK', 'MONTH', 'YEAR', 'HOUR', 'MINUTE', 'SECOND', 'QUARTER', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'WITH',
  'WITHOUT', 'ESCAPE', 'SYSDATE', 'GETDATE', 'NOW', 'UNKNOWN', 'ARRAY', 'ROW', 'VARCHAR', 'TEXT', 'INT', 'INTEGER', 'BIGINT',
  'NUMERIC', 'DECIMAL', 'BOOLEAN', 'TIMESTAMPTZ', 'DATETIME', 'CHAR', 'SIMILAR', 'TO', 'OVER', 'PARTITION', 'BY', 'ORDER',
  'FILTER', 'WITHIN', 'GROUP', 'UNNEST', 'SIGNED', 'UNSIGNED', 'USING', 'LIMIT', 'OFFSET', 'FOR', 'LEADING', 'TRAILING',
  'BOTH', 'MICROSECOND', 'MILLISECOND', 'EPOCH', 'DOW', 'DOY', 'ISODOW', 'UTC',
]);

export interface ColumnReference {
  /** Token index of the column name (the last part). */
  index: number;
  qualifier: string | null;
  name: string;
}

/** Column references among tokens [start, end): words not followed by `(` and not keywords. */
export function columnReferences(model: StatementModel, start: number, end: number): ColumnReference[] {
  const { tokens } = model;
  const references: ColumnReference[] = [];
  for (let index = start; index < end; index++) {
    const token = tokens[index];
    if (token === undefined || (token.kind !== 'word' && token.kind !== 'quotedIdentifier')) continue;
    if (tokens[index + 1]?.text === '(' || tokens[index + 1]?.text === '.') continue;
    const previous = tokens[index - 1];
    // After a qualifier, a keyword is a column's name: `s.when`, `e.status`.
    if (token.kind === 'word' && NON_COLUMN_WORDS.has(token.upper) && previous?.text !== '.') continue;
    if (previous?.text === '::' || previous?.upper === 'AS' || previous?.upper === 'INTERVAL') continue;
    let qualifier: string | null = null;
    if (previous?.text === '.') {
      const qualifierToken = tokens[index - 2];
      qualifier = qualifierToken === undefined ? null : unquote(qualifierToken);
    }
    references.push({ index, qualifier, name: unquote(token) });
  }
  return references;
}

/** True when tokens [start, end) contain no column reference and no subquery: a value. */
export function isValueExpression(model: StatementModel, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let index = start; index < end; index++) {
    if (model.tokens[index]?.upper === 'SELECT') return false;
  }
  return columnReferences(model, start, end).length === 0;
}
