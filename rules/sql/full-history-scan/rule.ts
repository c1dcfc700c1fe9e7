/**
 * full-history-scan: an aggregate whose cost grows with the table's whole history: a GROUP BY on
 * a day/week/month bucket of a column, or any aggregate over an event or log table, with no lower
 * bound on a time column in its WHERE or join conditions. Per-entity lookups (`user_id = $1`)
 * and bounds placed in an enclosing query are respected. When the time column is known (the
 * bucketed column, or one configured in `timeColumns`) the fix adds a `windowDays` lower bound in
 * the dialect's syntax.
 */

import type { SqlSource } from '../../engine/languages/sql/source';
import {
  columnReferences,
  comparisonsIn,
  findClause,
  fromItems,
  hasAggregate,
  ownTokenIndices,
  type ColumnReference,
  type Comparison,
  type FromItem,
  type QueryBlock,
  type StatementModel,
} from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix, SqlDialect, TextEdit } from '../../engine/types';
import { grammarCheckedSafety } from '../helpers/fix-check';
import {
  filterComparisons,
  hasSplicedFragment,
  hasTopLevelOr,
  isIdEquality,
  isRealTable,
  isTimeLikeColumn,
  matchesGlob,
  ownItemNames,
  stringListOption,
  tableNameParts,
  tableNameRange,
} from '../helpers/relations';
import { callArguments, operandBefore, tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'knownColumn' | 'unknownColumn';

const DEFAULT_EVENT_TABLE_PATTERNS = ['*_events', 'events', '*_logs', 'logs', '*_log', '*_history', 'audit_*', '*_audit', 'clicks', 'pageviews', 'page_views'];

/** Units that make DATE_TRUNC / TIMESTAMP_TRUNC a calendar bucket (a word or a quoted string). */
const TRUNC_UNITS = new Set(['MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOWEEK', 'ISOYEAR', 'DD', 'MM', 'YYYY', 'D', 'WK', 'MON', 'YY', 'DAYOFYEAR']);
/** Format strings that print a calendar day, week or month. */
const DATE_FORMAT = /%[YymdjFUuVvWwDGgx]|YYYY|YY|MM|DD|IW|WW/;

/** A date/time bucket of some column: `DATE(ts)`, `ts::date`, `date_trunc('day', ts)` ... */
interface Bucket {
  start: number;
  end: number;
  /** The columns the bucketed argument reads. */
  columns: ColumnReference[];
  /**
   * True when the bucketed argument is the column itself (`DATE(ts)`, not
   * `DATE(TIMESTAMP_MICROS(ts))`): only then is a bound on the column a bound of the same type.
   */
  bareColumn: boolean;
  /** BigQuery: the column's type when the bucketing function accepts only one (`FORMAT_DATE` → DATE). */
  bigQueryType: BigQueryTimeType | null;
}

/** BigQuery's three date-time types, which do not compare with each other except DATE with DATETIME. */
type BigQueryTimeType = 'TIMESTAMP' | 'DATETIME' | 'DATE';

/**
 * BigQuery functions whose date-time argument has one type. Not TIMESTAMP_TRUNC, DATETIME_TRUNC,
 * DATE_TRUNC, DATE() or CAST: each accepts more than one of TIMESTAMP, DATETIME and DATE.
 */
const BIGQUERY_ARGUMENT_TYPES: Record<string, BigQueryTimeType> = { FORMAT_TIMESTAMP: 'TIMESTAMP', FORMAT_DATETIME: 'DATETIME', FORMAT_DATE: 'DATE' };

function bucketAt(model: StatementModel, index: number): Bucket | null {
  const token = model.tokens[index];
  if (token === undefined) return null;
  if (token.text === '::' && model.tokens[index + 1]?.upper === 'DATE') {
    const start = operandBefore(model, index);
    return withColumns(model, start, index + 2, start, index, null);
  }
  if (token.kind !== 'word' || model.tokens[index + 1]?.text !== '(' || model.tokens[index - 1]?.text === '.') return null;
  const { args, close } = callArguments(model, index + 1);
  const [first, second] = args;
  if (first === undefined) return null;
  const end = close + 1;
  const isUnit = (range: { start: number; end: number }): boolean => {
    const unit = model.tokens[range.start];
    if (unit === undefined || range.end !== range.start + 1) return false;
    return TRUNC_UNITS.has(unit.kind === 'string' ? unit.text.slice(1, -1).toUpperCase() : unit.upper);
  };
  const isDateFormat = (range: { start: number; end: number }): boolean => {
    const literal = model.tokens[range.start];
    return literal?.kind === 'string' && range.end === range.start + 1 && DATE_FORMAT.test(literal.text);
  };
  switch (token.upper) {
    case 'DATE':
    case 'TO_DATE':
      return args.length === 1 || token.upper === 'DATE' ? withColumns(model, index, end, first.start, first.end, null) : null;
    case 'CAST':
    case 'TRY_CAST': {
      const last = model.tokens[first.end - 1];
      const as = model.tokens[first.end - 2];
      return args.length === 1 && last?.upper === 'DATE' && as?.upper === 'AS' ? withColumns(model, index, end, first.start, first.end - 2, null) : null;
    }
    case 'CONVERT':
      if (second === undefined) return null;
      // SQL Server CONVERT(date, ts); MySQL CONVERT(ts, DATE).
      if (model.tokens[first.start]?.upper === 'DATE' && first.end === first.start + 1) return withColumns(model, index, end, second.start, second.end, null);
      if (model.tokens[second.start]?.upper === 'DATE' && second.end === second.start + 1) return withColumns(model, index, end, first.start, first.end, null);
      return null;
    case 'DATE_TRUNC':
    case 'DATETRUNC':
    case 'TIMESTAMP_TRUNC':
    case 'DATETIME_TRUNC':
      if (second === undefined) return null;
      // PostgreSQL / Snowflake / SQL Server put the unit first; BigQuery puts it second.
      if (isUnit(first)) return withColumns(model, index, end, second.start, second.end, null);
      if (isUnit(second)) return withColumns(model, index, end, first.start, first.end, null);
      return null;
    case 'TIME_BUCKET':
    case 'DATE_BIN':
      return second === undefined ? null : withColumns(model, index, end, second.start, second.end, null);
    case 'DATE_FORMAT':
    case 'TO_CHAR':
      return second !== undefined && isDateFormat(second) ? withColumns(model, index, end, first.start, first.end, null) : null;
    case 'FORMAT_TIMESTAMP':
    case 'FORMAT_DATE':
    case 'FORMAT_DATETIME':
    case 'STRFTIME':
      return second !== undefined && isDateFormat(first) ? withColumns(model, index, end, second.start, second.end, BIGQUERY_ARGUMENT_TYPES[token.upper] ?? null) : null;
    default:
      return null;
  }
}

function withColumns(model: StatementModel, start: number, end: number, argumentStart: number, argumentEnd: number, bigQueryType: BigQueryTimeType | null): Bucket | null {
  const columns = columnReferences(model, argumentStart, argumentEnd);
  const [only] = columns;
  if (only === undefined) return null;
  const bareColumn = columns.length === 1 && only.index === argumentEnd - 1 && (only.qualifier === null ? argumentStart === only.index : argumentStart === only.index - 2);
  return { start, end, columns, bareColumn, bigQueryType };
}

/** Buckets in GROUP BY, and in the select list of a block that groups or aggregates. */
function bucketsOf(model: StatementModel, block: QueryBlock): Bucket[] {
  const buckets: Bucket[] = [];
  for (const clause of block.clauses) {
    if (clause.name !== 'select' && clause.name !== 'groupBy') continue;
    for (const index of ownTokenIndices(model, block, clause)) {
      const bucket = bucketAt(model, index);
      if (bucket !== null) buckets.push(bucket);
    }
  }
  return buckets;
}

/** The name a select-list bucket is exposed under (`AS day`), so an outer `WHERE day >= ...` counts. */
function aliasAfter(model: StatementModel, bucket: Bucket): string | null {
  let index = bucket.end;
  if (model.tokens[index]?.upper === 'AS') index++;
  const token = model.tokens[index];
  if (token === undefined || (token.kind !== 'word' && token.kind !== 'quotedIdentifier')) return null;
  if (['FROM', 'AS', 'AND', 'OR', 'WHERE', 'GROUP', 'ORDER', 'HAVING', 'LIMIT'].includes(token.upper)) return null;
  return token.kind === 'quotedIdentifier' ? token.text.slice(1, -1) : token.text;
}

/** Words the engine treats as keywords but that analytics code uses as column names (`day`, `date`). */
const KEYWORD_COLUMN_NAMES = new Set(['DAY', 'DATE', 'TIME', 'TIMESTAMP', 'WEEK', 'MONTH', 'YEAR', 'HOUR', 'DATETIME']);

/** True when tokens [start, end) name a time-like column, including columns called `day` or `date`. */
function mentionsTimeColumn(model: StatementModel, start: number, end: number, timeNames: ReadonlySet<string>): boolean {
  const isTime = (name: string): boolean => isTimeLikeColumn(name) || timeNames.has(name.toLowerCase());
  if (columnReferences(model, start, end).some((reference) => isTime(reference.name))) return true;
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if (token?.kind !== 'word' || !KEYWORD_COLUMN_NAMES.has(token.upper)) continue;
    const next = model.tokens[index + 1];
    const previous = model.tokens[index - 1];
    // `DATE '2024-01-01'`, `::date`, `INTERVAL 1 DAY`, `date(...)` are not columns.
    if (next?.kind === 'string' || next?.text === '(' || previous?.text === '::' || previous?.upper === 'AS' || previous?.kind === 'number' || previous?.kind === 'string') continue;
    if (isTime(token.text)) return true;
  }
  return false;
}

/** True when a comparison puts a lower bound (or a point) on one of the given time columns. */
function isLowerBound(model: StatementModel, comparison: Comparison, timeNames: ReadonlySet<string>): boolean {
  if (comparison.negated) return false;
  const leftHasTime = mentionsTimeColumn(model, comparison.start, comparison.leftEnd, timeNames);
  const rightHasTime = mentionsTimeColumn(model, comparison.rightStart, comparison.end, timeNames);
  switch (comparison.operator) {
    case '>':
    case '>=':
    case 'BETWEEN':
    case 'IN':
      return leftHasTime;
    case '<':
    case '<=':
      return rightHasTime;
    case '=':
      return leftHasTime || rightHasTime;
    default:
      return false;
  }
}

/** The blocks whose filters also restrict what this block reads: its enclosing queries, and the main query of a CTE. */
function enclosingBlocks(model: StatementModel, block: QueryBlock): QueryBlock[] {
  const result: QueryBlock[] = [];
  let current: QueryBlock | null = block;
  let insideCte = block.context === 'cte';
  while (current !== null && current.parent !== null) {
    current = current.parent;
    result.push(current);
    if (current.context === 'cte') insideCte = true;
  }
  if (insideCte) result.push(...model.blocks.filter((other) => other.context !== 'cte' && other.depth === 0 && other.kind === 'select'));
  return result;
}

/** `CREATE VIEW` (not materialized): the query that reads the view usually brings its own time filter. */
function isPlainViewDefinition(model: StatementModel): boolean {
  if (model.leadingKeyword !== 'CREATE') return false;
  for (const token of model.tokens) {
    if (token.upper === 'AS' || token.upper === 'SELECT') return false;
    if (token.upper === 'MATERIALIZED') return false;
    if (token.upper === 'VIEW') return true;
  }
  return false;
}

/**
 * The lower-bound expression `windowDays` back from now, per dialect. BigQuery compares a
 * TIMESTAMP only with a TIMESTAMP (a DATE coerces to DATETIME, nothing else crosses), so its
 * bound follows the column's type: a TIMESTAMP unless the bucket showed a DATETIME or DATE.
 */
function boundExpression(dialect: SqlDialect, days: number, bigQueryType: BigQueryTimeType | null = null): string {
  switch (dialect) {
    case 'mysql':
    case 'mariadb':
      return `NOW() - INTERVAL ${days} DAY`;
    case 'bigquery':
      if (bigQueryType === 'DATETIME') return `DATETIME_SUB(CURRENT_DATETIME(), INTERVAL ${days} DAY)`;
      if (bigQueryType === 'DATE') return `DATE_SUB(CURRENT_DATE(), INTERVAL ${days} DAY)`;
      return `TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${days} DAY)`;
    case 'snowflake':
      return `DATEADD(day, -${days}, CURRENT_TIMESTAMP())`;
    case 'sqlite':
      return `datetime('now', '-${days} days')`;
    case 'transactsql':
      return `DATEADD(day, -${days}, SYSUTCDATETIME())`;
    default:
      return `now() - interval '${days} days'`;
  }
}

/** Text of a column reference as the query writes it: `e.login_time` or `login_time`. */
function columnText(source: SqlSource, model: StatementModel, reference: ColumnReference): string {
  const start = reference.qualifier === null ? reference.index : reference.index - 2;
  return tokenText(source.text, model, start, reference.index + 1);
}

/** Edits that add `condition` to the block's WHERE, or a new WHERE right after its FROM. */
function addConditionEdits(source: SqlSource, model: StatementModel, block: QueryBlock, condition: string): TextEdit[] | null {
  const where = findClause(block, 'where');
  if (where !== undefined) {
    const first = model.tokens[where.start];
    const last = model.tokens[where.end - 1];
    if (first === undefined || last === undefined || where.end <= where.start) return null;
    if (hasTopLevelOr(model, where.start, where.end)) {
      return [
        { range: { start: first.start, end: first.start }, newText: '(' },
        { range: { start: last.end, end: last.end }, newText: `) AND ${condition}` },
      ];
    }
    return [{ range: { start: last.end, end: last.end }, newText: ` AND ${condition}` }];
  }
  const fromPosition = block.clauses.findIndex((clause) => clause.name === 'from');
  const from = block.clauses[fromPosition];
  if (from === undefined) return null;
  const next = block.clauses[fromPosition + 1];
  const nextKeyword = next === undefined ? undefined : model.tokens[next.keyword];
  if (nextKeyword !== undefined) {
    const lineStart = source.text.lastIndexOf('\n', nextKeyword.start - 1) + 1;
    const indent = source.text.slice(lineStart, nextKeyword.start);
    const ownLine = /^[ \t]*$/.test(indent);
    return [{ range: { start: nextKeyword.start, end: nextKeyword.start }, newText: ownLine ? `WHERE ${condition}\n${indent}` : `WHERE ${condition} ` }];
  }
  const last = model.tokens[from.end - 1];
  if (last === undefined) return null;
  return [{ range: { start: last.end, end: last.end }, newText: ` WHERE ${condition}` }];
}

/** Finds the FROM item a column belongs to: by qualifier, or the only item when unqualified. */
function ownerOf(items: readonly FromItem[], reference: ColumnReference): FromItem | undefined {
  if (reference.qualifier === null) return items.length === 1 ? items[0] : undefined;
  const qualifier = reference.qualifier.toLowerCase();
  return items.find((item) => (item.alias ?? item.tableName ?? '').toLowerCase() === qualifier);
}

/** Parses `timeColumns` entries ("table.column", "schema.table.column") into lower-case table -> column. */
function parseTimeColumns(entries: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of entries) {
    const dot = entry.lastIndexOf('.');
    if (dot <= 0 || dot === entry.length - 1) continue;
    result.set(entry.slice(0, dot).toLowerCase(), entry.slice(dot + 1));
  }
  return result;
}

function configuredColumn(model: StatementModel, item: FromItem, timeColumns: ReadonlyMap<string, string>): string | undefined {
  const parts = tableNameParts(model, item).map((part) => part.toLowerCase());
  for (let first = 0; first < parts.length; first++) {
    const column = timeColumns.get(parts.slice(first).join('.'));
    if (column !== undefined) return column;
  }
  return undefined;
}

const MIN_MAX_ONLY = /^(MIN|MAX)$/;

/** True when the block's only aggregates are MIN/MAX, which an index on the column answers without a scan. */
function onlyMinMax(model: StatementModel, block: QueryBlock): boolean {
  const select = findClause(block, 'select');
  if (select === undefined) return false;
  let sawAggregate = false;
  for (const index of ownTokenIndices(model, block, select)) {
    const token = model.tokens[index];
    if (token?.kind !== 'word' || model.tokens[index + 1]?.text !== '(') continue;
    if (MIN_MAX_ONLY.test(token.upper)) {
      sawAggregate = true;
      continue;
    }
    if (['COUNT', 'SUM', 'AVG', 'ARRAY_AGG', 'STRING_AGG', 'GROUP_CONCAT', 'COUNT_BIG', 'APPROX_COUNT_DISTINCT', 'COUNTIF', 'JSON_AGG', 'JSONB_AGG', 'LISTAGG'].includes(token.upper)) return false;
  }
  return sawAggregate;
}

interface Target {
  item: FromItem;
  /** Lower-cased names that count as this query's time columns. */
  timeNames: Set<string>;
  /** The column as the message and the fix should write it, when known. */
  fixColumn: string | null;
  /**
   * False when a bound on the column would not type-check or is not known to: the bucket reads
   * the column through a conversion (`DATE(TIMESTAMP_MICROS(ts))`), or, in BigQuery, the
   * column's type is not shown.
   */
  fixable: boolean;
  /** False when the bucket reads the column through a conversion, so a bound is in the column's own units. */
  bareColumn: boolean;
  bigQueryType: BigQueryTimeType | null;
  /** A column to name in the message when the fix column is unknown. */
  exampleColumn: string | null;
}

export default defineRule<MessageId>({
  meta: {
    id: 'full-history-scan',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: true,
    appliesTo: ['production'],
    summary: 'An aggregate over an event table, or grouped by day/week/month, with no lower bound on time: it reads the whole history on every run.',
    why: 'Event and log tables only grow: a dashboard query that aggregates all of history is fast at launch, then gets slower every day, evicts the cache on every run, and on warehouses bills a full scan each time.',
    messages: {
      knownColumn: '`{{table}}` is aggregated over its whole history: no lower bound on `{{column}}`; add e.g. `{{suggestion}}`.',
      unknownColumn: '`{{table}}` is aggregated over its whole history: nothing bounds its time column; add a lower bound such as `{{suggestion}}` (list the column in `timeColumns` to get a quick fix).',
    },
    options: { eventTablePatterns: DEFAULT_EVENT_TABLE_PATTERNS, timeColumns: [], windowDays: 30 },
    prefilter: ['group', 'count', 'sum', 'avg', 'min', 'max', 'agg', 'concat', 'distinct', 'stddev', 'var', 'percentile', 'median', 'approx', 'countif', 'every', 'bool_', 'bit_', 'logical_', 'corr', 'regr', 'mode', 'any_value', 'hll'],
    sources: ['No linter found; server-side guardrails: BigQuery require_partition_filter, maximum_bytes_billed'],
  },
  create(context) {
    const patterns = stringListOption(context.options.eventTablePatterns, DEFAULT_EVENT_TABLE_PATTERNS);
    const timeColumns = parseTimeColumns(stringListOption(context.options.timeColumns, []));
    const windowOption = context.options.windowDays;
    const windowDays = typeof windowOption === 'number' && Number.isFinite(windowOption) && windowOption > 0 ? Math.round(windowOption) : 30;

    const isEventTable = (model: StatementModel, item: FromItem): boolean => {
      if (!isRealTable(model, item)) return false;
      const parts = tableNameParts(model, item);
      const last = parts[parts.length - 1] ?? '';
      return configuredColumn(model, item, timeColumns) !== undefined || patterns.some((pattern) => matchesGlob(last, pattern) || matchesGlob(parts.join('.'), pattern));
    };

    /** Which table and time column the finding is about, or null when the block is not a full-history aggregate. */
    const targetOf = (source: SqlSource, model: StatementModel, block: QueryBlock, items: readonly FromItem[]): Target | null => {
      const buckets = bucketsOf(model, block);
      for (const bucket of buckets) {
        const [column, ...others] = bucket.columns;
        if (column === undefined) continue;
        const item = ownerOf(items, column);
        if (item === undefined || !isRealTable(model, item)) continue;
        const timeNames = new Set(bucket.columns.map((reference) => reference.name.toLowerCase()));
        for (const other of buckets) {
          const alias = aliasAfter(model, other);
          if (alias !== null) timeNames.add(alias.toLowerCase());
        }
        const fixColumn = others.length === 0 ? columnText(source, model, column) : null;
        const fixable = fixColumn !== null && bucket.bareColumn && (source.dialect !== 'bigquery' || bucket.bigQueryType !== null);
        return { item, timeNames, fixColumn, fixable, bareColumn: bucket.bareColumn, bigQueryType: bucket.bigQueryType, exampleColumn: column.name };
      }
      if (findClause(block, 'groupBy') === undefined && onlyMinMax(model, block)) return null;
      const item = items.find((candidate) => isEventTable(model, candidate));
      if (item === undefined) return null;
      const configured = configuredColumn(model, item, timeColumns);
      const name = item.alias ?? item.tableName;
      if (configured !== undefined) {
        const qualified = items.length > 1 || hasQualifiedReferences(model, block, name) ? `${name ?? ''}.${configured}` : configured;
        // A configured time column is taken to be a TIMESTAMP in BigQuery (documented).
        return { item, timeNames: new Set([configured.toLowerCase()]), fixColumn: qualified, fixable: true, bareColumn: true, bigQueryType: null, exampleColumn: configured };
      }
      const example = columnReferences(model, block.start, block.end).find((reference) => isTimeLikeColumn(reference.name) && model.blockOfToken[reference.index] === block.index);
      return { item, timeNames: new Set(), fixColumn: null, fixable: false, bareColumn: true, bigQueryType: null, exampleColumn: example?.name ?? null };
    };

    return {
      block(block, statement, source) {
        if (block.kind !== 'select') return;
        if (block.context === 'exists' || block.context === 'in' || block.context === 'notIn') return;
        const model = statement.model;
        if (block.context === 'createAs' && isPlainViewDefinition(model)) return;
        const from = findClause(block, 'from');
        if (from === undefined) return;
        if (findClause(block, 'groupBy') === undefined && !hasAggregate(model, block)) return;
        // `FROM events ${filters}`: the time window may be built in application code.
        if (hasSplicedFragment(model, block)) return;
        const items = fromItems(model, block, from);
        const target = targetOf(source, model, block, items);
        if (target === null) return;

        const ownNames = ownItemNames(items);
        const comparisons = filterComparisons(model, block, items);
        // PostgreSQL and the warehouses move a HAVING condition without aggregates into the scan.
        const having = findClause(block, 'having');
        if (having !== undefined && having.end > having.start) comparisons.push(...comparisonsIn(model, having.start, having.end));
        if (comparisons.some((comparison) => isIdEquality(model, comparison, ownNames))) return;
        if (comparisons.some((comparison) => isLowerBound(model, comparison, target.timeNames))) return;
        for (const outer of enclosingBlocks(model, block)) {
          const outerFrom = findClause(outer, 'from');
          const outerItems = outerFrom === undefined ? [] : fromItems(model, outer, outerFrom);
          if (filterComparisons(model, outer, outerItems).some((comparison) => isLowerBound(model, comparison, target.timeNames))) return;
        }

        const table = tableNameParts(model, target.item).join('.');
        const bound = boundExpression(source.dialect, windowDays, target.bigQueryType);
        const nameRange = tableNameRange(model, target.item);
        const range = tokenRange(model, nameRange.start, nameRange.end);
        if (target.fixColumn === null) {
          context.report({ messageId: 'unknownColumn', data: { table, suggestion: `${target.exampleColumn ?? '<time column>'} >= ${bound}` }, range });
          return;
        }
        const condition = `${target.fixColumn} >= ${bound}`;
        const edits = target.fixable ? addConditionEdits(source, model, block, condition) : null;
        // Never safe (a window changes the result), and not offered where the grammar read the
        // statement but not the fix: the bound landed where the statement's shape was misread.
        const offered = edits !== null && grammarCheckedSafety(source, statement, edits) !== null;
        const fixes: Fix[] = offered ? [{ title: `Only aggregate the last ${windowDays} days: add \`${condition}\``, safety: 'unsafe', edits }] : [];
        // A column read through a conversion (`TIMESTAMP_MICROS(event_ts)`) is in its own units.
        const suggestion = target.bareColumn ? condition : `${target.fixColumn} >= <the window's start, in ${target.fixColumn}'s units>`;
        context.report({ messageId: 'knownColumn', data: { table, column: target.exampleColumn ?? target.fixColumn, suggestion }, range, fixes });
      },
    };
  },
});

/** True when the block refers to columns as `name.column`, so an added condition should too. */
function hasQualifiedReferences(model: StatementModel, block: QueryBlock, name: string | null): boolean {
  if (name === null) return false;
  const lower = name.toLowerCase();
  return columnReferences(model, block.start, block.end).some((reference) => reference.qualifier?.toLowerCase() === lower);
}
