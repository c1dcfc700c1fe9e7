/**
 * leading-wildcard-like: a LIKE / ILIKE / SIMILAR TO in WHERE, ON or HAVING whose pattern starts
 * with a wildcard, written as a literal (`'%term'`) or built from one (`'%' || $1`,
 * `CONCAT('%', ?)`, T-SQL `'%' + @q`). A pattern that is a bind parameter is left alone: its
 * value is not in the code.
 */

import { columnReferences, comparisonsIn, findClause, type Comparison, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlToken } from '../../engine/languages/sql/tokenizer';
import { defineRule } from '../../engine/rule';
import type { SqlDialect } from '../../engine/types';
import { displayText, filtersByKeyEquality, fromItemsOf, type TokenSpan } from '../helpers/result-shape';
import { callArguments, tokenRange } from '../helpers/tokens';
import { readsOnlySystemCatalogs } from '../helpers/relations';

type MessageId = 'leadingWildcard';

const PATTERN_OPERATORS = new Set(['LIKE', 'ILIKE', 'SIMILAR']);
const LONGEST_QUOTED_PATTERN = 60;

/** The characters of a string literal between its quotes (prefixes like E'' or N'' removed). */
function literalContent(token: SqlToken): string {
  return token.text.replace(/^[A-Za-z&]*['"]/, '').replace(/['"]$/, '');
}

/** True when the literal token is a pattern that starts with a wildcard. */
function startsWithWildcard(token: SqlToken | undefined): boolean {
  if (token === undefined || token.kind !== 'string') return false;
  const content = literalContent(token);
  return content.startsWith('%') || content.startsWith('_');
}

/** True for `'%'`, `'%%'`, `'_%'`: a match-anything default, not a search. */
function isOnlyWildcards(token: SqlToken): boolean {
  return /^[%_]+$/.test(literalContent(token));
}

/** True when the pattern tokens [start, end) begin with a wildcard that an index cannot serve. */
function hasLeadingWildcard(model: StatementModel, span: TokenSpan): boolean {
  let { start, end } = span;
  // LIKE ('%' || $1): look inside the parentheses.
  while (model.tokens[start]?.text === '(' && model.tokens[end - 1]?.text === ')') {
    start++;
    end--;
  }
  const first = model.tokens[start];
  if (first === undefined) return false;
  const escape = findEscape(model, start, end);
  const patternEnd = escape === -1 ? end : escape;
  if (first.kind === 'string') {
    if (!startsWithWildcard(first)) return false;
    // A lone '%' matches everything; only something appended to it makes it a search.
    if (isOnlyWildcards(first)) return patternEnd > start + 1;
    return true;
  }
  if (first.kind === 'word' && first.upper === 'CONCAT' && model.tokens[start + 1]?.text === '(') {
    const { args } = callArguments(model, start + 1);
    const firstArgument = args[0];
    return args.length > 1 && firstArgument !== undefined && firstArgument.end === firstArgument.start + 1 && startsWithWildcard(model.tokens[firstArgument.start]);
  }
  return false;
}

function findEscape(model: StatementModel, start: number, end: number): number {
  const depth = model.depths[start] ?? 0;
  for (let index = start; index < end; index++) {
    if (model.tokens[index]?.upper === 'ESCAPE' && model.depths[index] === depth) return index;
  }
  return -1;
}

/** Predicate ranges of a block: WHERE, HAVING and the ON of each join. */
function predicateRanges(model: StatementModel, block: QueryBlock): { span: TokenSpan; having: boolean }[] {
  const ranges: { span: TokenSpan; having: boolean }[] = [];
  const where = findClause(block, 'where');
  if (where !== undefined) ranges.push({ span: { start: where.start, end: where.end }, having: false });
  const having = findClause(block, 'having');
  if (having !== undefined) ranges.push({ span: { start: having.start, end: having.end }, having: true });
  for (const item of fromItemsOf(model, block)) {
    if (item.on !== null) ranges.push({ span: item.on, having: false });
  }
  return ranges;
}

/** The searched side must be a column; in HAVING, a bare column (an aggregate has no index anyway). */
function searchesColumn(model: StatementModel, comparison: Comparison, inHaving: boolean): boolean {
  const columns = columnReferences(model, comparison.start, comparison.leftEnd);
  if (columns.length === 0) return false;
  if (!inHaving) return true;
  return columns.length === 1 && comparison.leftEnd - comparison.start <= 3 && !model.tokens.slice(comparison.start, comparison.leftEnd).some((token) => token.text === '(');
}

const WAREHOUSES = new Set<SqlDialect>(['bigquery', 'snowflake', 'redshift']);

/** The substring-search index each dialect offers. */
function searchAdvice(dialect: SqlDialect): string {
  if (dialect === 'mysql' || dialect === 'mariadb') return 'use a `FULLTEXT` index with `MATCH (...) AGAINST (...)`';
  if (dialect === 'transactsql') return 'use a full-text index with `CONTAINS(...)`';
  if (dialect === 'sqlite') return 'use an `fts5` virtual table with `MATCH`';
  return 'use a trigram GIN index (`gin_trgm_ops`) or full-text search';
}

function quotedPattern(text: string): string {
  return text.length > LONGEST_QUOTED_PATTERN ? `${text.slice(0, LONGEST_QUOTED_PATTERN - 3)}...` : text;
}

export default defineRule<MessageId>({
  meta: {
    id: 'leading-wildcard-like',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'LIKE, ILIKE or SIMILAR TO patterns that start with a wildcard (`%term`, `\'%\' || $1`).',
    why: 'A B-tree index can only serve a pattern with a fixed prefix, so a leading wildcard reads every row of the table on every search: instant on test data, a full scan per keystroke in production.',
    messages: {
      leadingWildcard:
        '`{{operator}} {{pattern}}` starts with a wildcard, so no B-tree index can serve it and every search scans the whole table; search by prefix (`LIKE \'term%\'`), or {{advice}}.',
    },
    options: {},
    prefilter: ['like', 'similar'],
    sources: ['Sonar S1739 (PL/SQL, T-SQL)', 'SSDT SR0005 (avoid LIKE patterns that start with %)', 'sqlcheck 3007 (pattern matching usage)'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        // Warehouses have no B-tree indexes: a pattern costs what any filter on the column costs.
        if (WAREHOUSES.has(source.dialect)) return;
        const model = statement.model;
        // Catalog lookups (`WHERE table_name NOT LIKE '%_SYS_%'`) scan small metadata tables.
        if (readsOnlySystemCatalogs(model, block)) return;
        // `WHERE owner_id = $1 AND title ILIKE '%...'`: the index on the key finds one owner's
        // rows and the pattern only filters those.
        if (filtersByKeyEquality(model, block)) return;
        for (const { span, having } of predicateRanges(model, block)) {
          for (const comparison of comparisonsIn(model, span.start, span.end)) {
            if (!PATTERN_OPERATORS.has(comparison.operator)) continue;
            if (model.blockOfToken[comparison.operatorIndex] !== block.index) continue;
            const pattern = { start: comparison.rightStart, end: comparison.end };
            if (!hasLeadingWildcard(model, pattern) || !searchesColumn(model, comparison, having)) continue;
            const operatorStart = comparison.leftEnd;
            context.report({
              messageId: 'leadingWildcard',
              data: {
                operator: displayText(source, model, { start: operatorStart, end: comparison.rightStart }),
                pattern: quotedPattern(displayText(source, model, pattern)),
                advice: searchAdvice(source.dialect),
              },
              range: tokenRange(model, comparison.start, comparison.end),
            });
          }
        }
      },
    };
  },
});
