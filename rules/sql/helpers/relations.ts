/**
 * What a query block reads and how its predicates tie it down, for the rules that reason about
 * result size (unbounded-select, full-history-scan, cartesian-join): which FROM items are real
 * tables rather than CTEs, functions or subqueries; which block a subquery item is; whether a CTE
 * or subquery returns a single row; the AND/OR atoms of a predicate and the columns each one
 * names; and the naming conventions (id-like, time-like) that tell a per-entity lookup or a time
 * window apart from a scan.
 */

import {
  columnReferences,
  comparisonsIn,
  dashedPartEnd,
  dashedPartText,
  findClause,
  fromItems,
  hasAggregate,
  isValueExpression,
  type ColumnReference,
  type Comparison,
  type FromItem,
  type QueryBlock,
  type StatementModel,
} from '../../engine/languages/sql/structure';

/** Schemas and pseudo tables that hold metadata, not application rows. */
const CATALOG_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'sys', 'mysql', 'performance_schema', 'sqlite_schema', 'crdb_internal', '_timescaledb_catalog']);
const PSEUDO_TABLES = new Set(['dual', 'sqlite_master', 'sqlite_schema', 'sqlite_sequence']);
/**
 * Unqualified catalog names: PostgreSQL's `pg_*` catalogs (on the search path without their
 * schema) and Oracle's data dictionary views (`USER_TABLES`, `ALL_VIEWS`, `DBA_*`, `V$*`).
 */
const CATALOG_TABLE = /^(pg_[a-z_]+|v\$[a-z_$]+|gv\$[a-z_$]+)$/i;
/** Oracle dictionary views by name: a prefix alone would take `user_events` for one. */
const ORACLE_DICTIONARY = /^(user|all|dba|cdb)_(tables|views|mviews|tab_columns|tab_cols|constraints|cons_columns|indexes|ind_columns|sequences|triggers|objects|source|synonyms|tab_comments|col_comments|users|role_privs|tab_privs|tab_partitions|part_tables|types|procedures|dependencies)$/i;

/**
 * True for a table of the database's own catalog: it holds metadata, is small, and queries on it
 * (schema introspection by migration tools and ORMs) are not the production risks these rules
 * describe.
 */
export function isSystemCatalogTable(parts: readonly string[]): boolean {
  const last = (parts[parts.length - 1] ?? '').toLowerCase();
  if (PSEUDO_TABLES.has(last)) return true;
  if (parts.slice(0, -1).some((part) => CATALOG_SCHEMAS.has(part.toLowerCase()))) return true;
  return CATALOG_TABLE.test(last) || ORACLE_DICTIONARY.test(last);
}

/** True when every table the block reads (FROM and joins) is a system catalog table. */
export function readsOnlySystemCatalogs(model: StatementModel, block: QueryBlock): boolean {
  const from = findClause(block, 'from');
  if (from === undefined) return false;
  const tables = fromItems(model, block, from).filter((item) => item.kind === 'table' && item.tableName !== null && !(model.cteNames.has(item.tableName.toUpperCase())));
  return tables.length > 0 && tables.every((item) => isSystemCatalogTable(tableNameParts(model, item)));
}

/** The parts of a table item's dotted name as written, unquoted: ['public', 'users']. */
export function tableNameParts(model: StatementModel, item: FromItem): string[] {
  const parts: string[] = [];
  for (let index = item.referenceStart; index < item.referenceEnd; index++) {
    const token = model.tokens[index];
    if (token === undefined) break;
    if (token.kind !== 'word' && token.kind !== 'quotedIdentifier') break;
    const text = token.kind === 'quotedIdentifier' ? token.text.slice(1, -1) : dashedPartText(model.tokens, index);
    // A backquoted BigQuery name holds all its parts in one token: `project.dataset.table`.
    parts.push(...text.split('.').filter((part) => part !== ''));
    // An unquoted BigQuery project id may hold dashes: my-project.dataset.table.
    if (token.kind === 'word') index = dashedPartEnd(model.tokens, index) - 1;
    if (model.tokens[index + 1]?.text !== '.') break;
    index++;
  }
  return parts;
}

/** Token range of a table item's name as written, without its alias: `public.users` in `public.users AS u`. */
export function tableNameRange(model: StatementModel, item: FromItem): { start: number; end: number } {
  const partEnd = (index: number) => (model.tokens[index]?.kind === 'word' ? dashedPartEnd(model.tokens, index) : index + 1);
  let end = partEnd(item.referenceStart);
  while (model.tokens[end]?.text === '.' && end + 1 < item.referenceEnd) end = partEnd(end + 1);
  return { start: item.referenceStart, end };
}

/** True when the item reads a stored table: not a CTE of the statement, a function, VALUES or a subquery. */
export function isRealTable(model: StatementModel, item: FromItem): boolean {
  if (item.kind !== 'table' || item.tableName === null) return false;
  const parts = tableNameParts(model, item);
  if (parts.length === 1 && model.cteNames.has(item.tableName.toUpperCase())) return false;
  return !isSystemCatalogTable(parts.length > 0 ? parts : [item.tableName]);
}

/** The block a subquery item (`(SELECT ...) AS x`) opens. */
function subqueryBlockOf(model: StatementModel, item: FromItem): QueryBlock | undefined {
  if (item.kind !== 'subquery') return undefined;
  return model.blocks.find((block) => block.start === item.referenceStart + 1);
}

/** The body block of a CTE of the statement, by name (case-insensitive). */
function cteBlockNamed(model: StatementModel, name: string): QueryBlock | undefined {
  const upper = name.toUpperCase();
  return model.blocks.find((block) => block.context === 'cte' && block.cteName !== null && block.cteName.toUpperCase() === upper);
}

/**
 * True when the block can only return one row: an aggregate without GROUP BY, a SELECT with no
 * FROM (`SELECT $1::date AS since`), or LIMIT 1 / TOP 1 / FETCH FIRST 1 ROW. A branch of a set
 * operation is never taken as single-row.
 */
export function isSingleRowBlock(model: StatementModel, block: QueryBlock): boolean {
  if (block.kind !== 'select' || block.inSetOperation) return false;
  if (findClause(block, 'groupBy') === undefined && hasAggregate(model, block)) return true;
  if (findClause(block, 'from') === undefined) return true;
  for (const name of ['limit', 'top', 'fetch'] as const) {
    const clause = findClause(block, name);
    if (clause === undefined) continue;
    const texts = model.tokens.slice(clause.start, clause.end).map((token) => token.upper).filter((text) => text !== '(' && text !== ')');
    if (name === 'fetch') {
      if (texts[0] === 'FIRST' || texts[0] === 'NEXT') texts.shift();
    }
    if (texts[0] === '1' && (texts.length === 1 || name === 'fetch' || name === 'top')) return true;
  }
  return false;
}

/** A CTE or subquery item that yields one row, so joining it cannot multiply rows. */
export function isSingleRowItem(model: StatementModel, item: FromItem): boolean {
  if (item.kind === 'subquery') {
    const block = subqueryBlockOf(model, item);
    return block !== undefined && isSingleRowBlock(model, block);
  }
  if (item.kind !== 'table' || item.tableName === null || !model.cteNames.has(item.tableName.toUpperCase())) return false;
  const body = cteBlockNamed(model, item.tableName);
  return body !== undefined && isSingleRowBlock(model, body);
}

/** One AND/OR-separated part of a predicate (a parenthesized group stays whole). */
export interface PredicateAtom {
  start: number;
  end: number;
}

/** Splits predicate tokens [start, end) at top-level AND/OR, keeping BETWEEN ... AND and CASE ... END whole. */
export function predicateAtoms(model: StatementModel, start: number, end: number): PredicateAtom[] {
  const atoms: PredicateAtom[] = [];
  const baseDepth = model.depths[start] ?? 0;
  let atomStart = start;
  let caseLevel = 0;
  let betweenPending = false;
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if (token === undefined) break;
    if (model.depths[index] !== baseDepth || token.kind !== 'word') continue;
    if (token.upper === 'CASE') caseLevel++;
    if (token.upper === 'END' && caseLevel > 0) caseLevel--;
    if (caseLevel > 0) continue;
    if (token.upper === 'BETWEEN') betweenPending = true;
    if (token.upper !== 'AND' && token.upper !== 'OR') continue;
    if (token.upper === 'AND' && betweenPending) {
      betweenPending = false;
      continue;
    }
    if (index > atomStart) atoms.push({ start: atomStart, end: index });
    atomStart = index + 1;
  }
  if (end > atomStart) atoms.push({ start: atomStart, end });
  return atoms;
}

/** True when the predicate tokens [start, end) have a top-level OR (so appending `AND x` needs parentheses). */
export function hasTopLevelOr(model: StatementModel, start: number, end: number): boolean {
  const baseDepth = model.depths[start] ?? 0;
  for (let index = start; index < end; index++) {
    if (model.depths[index] === baseDepth && model.tokens[index]?.kind === 'word' && model.tokens[index]?.upper === 'OR') return true;
  }
  return false;
}

/** Keywords after which a substitution is a value (`LIMIT ${n}`), not a spliced SQL fragment. */
const VALUE_KEYWORDS = new Set(['LIKE', 'ILIKE', 'IN', 'BETWEEN', 'LIMIT', 'OFFSET', 'TOP', 'FETCH', 'FIRST', 'NEXT', 'THEN', 'ELSE', 'WHEN', 'IS', 'ANY', 'SOME', 'ALL', 'INTERVAL', 'ESCAPE', 'SIMILAR', 'TO', 'REGEXP', 'RLIKE']);
/** Keywords after which a substitution (or a parenthesis holding one) is a condition built in application code. */
const CONDITION_KEYWORDS = new Set(['WHERE', 'AND', 'OR', 'NOT', 'ON', 'HAVING']);

/**
 * True when embedded SQL splices an application-built fragment into the block outside its select
 * list (`FROM users ${where}`, `WHERE kind = $1 AND ${timeFilter}`): the missing WHERE, LIMIT or
 * time bound may be in it. A substitution in a value position (`id = ${id}`, `LIMIT ${n}`) is a
 * bound parameter and does not count.
 */
export function hasSplicedFragment(model: StatementModel, block: QueryBlock): boolean {
  for (const clause of block.clauses) {
    if (clause.name === 'select') continue;
    for (let index = clause.start; index < clause.end; index++) {
      if (model.tokens[index]?.substitution === undefined) continue;
      if (!isValuePosition(model, index)) return true;
    }
  }
  return false;
}

function isValuePosition(model: StatementModel, index: number): boolean {
  const previous = model.tokens[index - 1];
  if (previous === undefined) return false;
  if (previous.kind === 'operator' || previous.text === ',') return true;
  if (previous.text === '(') {
    const before = model.tokens[index - 2];
    return before !== undefined && !CONDITION_KEYWORDS.has(before.upper) && before.text !== '(';
  }
  return previous.kind === 'word' && VALUE_KEYWORDS.has(previous.upper);
}

/** Column names that identify one entity: `id`, `user_id`, `accountId`, `uuid`, `api_key`. */
export function isIdLikeColumn(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'id' || lower === 'uuid' || lower === 'guid' || /_(id|uuid|guid|key)$/.test(lower) || /[a-z](Id|ID|Uuid)$/.test(name);
}

/** Columns that name one row of a lookup table: id-like ones, and `key`, `code`, `name`, `slug`. */
export function isKeyLikeColumn(name: string): boolean {
  return isIdLikeColumn(name) || /^(key|code|name|slug)$|_(code|name|slug)$/.test(name.toLowerCase());
}

const TIME_LIKE_SUFFIX = /(_at|_time|_ts|_date|_day|_on|_dt|_timestamp|_datetime|_hour|_week|_month|_year)$/;
const TIME_LIKE_NAMES = new Set([
  'ts', 'timestamp', 'time', 'date', 'day', 'created', 'updated', 'ds', 'dt', 'event_time', 'datetime', 'hour', 'week',
  'month', 'year', '_partitiontime', '_partitiondate', '_table_suffix', 'period',
]);

/** Column names that hold a time: `created_at`, `login_time`, `ts`, `event_date`, `ds`, `_PARTITIONTIME`. */
export function isTimeLikeColumn(name: string): boolean {
  const lower = name.toLowerCase();
  return TIME_LIKE_NAMES.has(lower) || TIME_LIKE_SUFFIX.test(lower) || /[a-z](At|Time|Date)$/.test(name);
}

/** The single column an operand is, or null when the operand is anything else. */
function soleColumn(model: StatementModel, start: number, end: number): ColumnReference | null {
  const references = columnReferences(model, start, end);
  if (references.length !== 1) return null;
  const reference = references[0];
  if (reference === undefined) return null;
  // `t.col` or `col`, nothing around it.
  const first = reference.qualifier === null ? reference.index : reference.index - 2;
  return first === start && reference.index === end - 1 ? reference : null;
}

/**
 * True when a comparison pins an id-like column to a value: `user_id = $1`, `id IN (1, 2)`,
 * `e.user_id = u.id` where `u` belongs to an enclosing query. Such lookups use an index and
 * read one entity's rows, not the whole table.
 */
export function isIdEquality(model: StatementModel, comparison: Comparison, ownNames: ReadonlySet<string>): boolean {
  if (comparison.negated) return false;
  const isValue = (start: number, end: number): boolean => {
    if (isValueExpression(model, start, end)) return true;
    // Columns of an enclosing query are values from this block's point of view.
    const references = columnReferences(model, start, end);
    return references.length > 0 && references.every((reference) => reference.qualifier !== null && !ownNames.has(reference.qualifier.toLowerCase()));
  };
  const left = soleColumn(model, comparison.start, comparison.leftEnd);
  const right = soleColumn(model, comparison.rightStart, comparison.end);
  if (comparison.operator === '=') {
    if (left !== null && isIdLikeColumn(left.name) && isValue(comparison.rightStart, comparison.end)) return true;
    return right !== null && isIdLikeColumn(right.name) && isValue(comparison.start, comparison.leftEnd);
  }
  if (comparison.operator === 'IN') {
    return left !== null && isIdLikeColumn(left.name) && model.tokens[comparison.rightStart + 1]?.upper !== 'SELECT' && isValue(comparison.rightStart, comparison.end);
  }
  return false;
}

/** Lower-cased names (aliases and table names) by which the block's own FROM items are referred to. */
export function ownItemNames(items: readonly FromItem[]): Set<string> {
  const names = new Set<string>();
  for (const item of items) {
    if (item.alias !== null) names.add(item.alias.toLowerCase());
    if (item.tableName !== null) names.add(item.tableName.toLowerCase());
  }
  return names;
}

/** The comparisons of a block's WHERE and of the ON conditions of its joins. */
export function filterComparisons(model: StatementModel, block: QueryBlock, items: readonly FromItem[]): Comparison[] {
  const comparisons: Comparison[] = [];
  const where = findClause(block, 'where');
  if (where !== undefined && where.end > where.start) comparisons.push(...comparisonsIn(model, where.start, where.end));
  for (const item of items) {
    if (item.on !== null && item.on.end > item.on.start) comparisons.push(...comparisonsIn(model, item.on.start, item.on.end));
  }
  return comparisons;
}

/** Case-insensitive glob match where `*` stands for any run of characters. */
export function matchesGlob(name: string, pattern: string): boolean {
  const escaped = pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(name.toLowerCase());
}

/** A string-array option, tolerating a wrongly typed value by falling back to the default. */
export function stringListOption(value: unknown, fallback: readonly string[]): string[] {
  return Array.isArray(value) && value.every((entry): entry is string => typeof entry === 'string') ? value : [...fallback];
}
