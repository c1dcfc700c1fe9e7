/**
 * timezone-naive-date-bucket: day/week/month bucketing of a timestamp without an explicit time
 * zone, in a SELECT list, GROUP BY or ORDER BY, where the dialect's default can put the bucket on
 * another day than the reporting zone's (engine/languages/sql/dialects.ts says where each dialect
 * buckets). The fix spells out the dialect's explicit form with the configured `reportingTimeZone`,
 * in every place the same expression occurs in the query (SELECT and GROUP BY must keep matching
 * or the query stops compiling), and is safe only when the bucketed value is known to be an
 * instant: naming a zone for a zoneless value either shifts it or does not type-check.
 */

import { formatGrain, setsSessionTimeZone, timeValueKind, timeZonesOf, unzonedBucketDiffers, zoneFixSafety, type TimeValueKind } from '../../engine/languages/sql/dialects';
import { findClause, ownTokenIndices, columnReferences, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlHost, SqlSource } from '../../engine/languages/sql/source';
import { pythonArguments, setsSparkSessionZoneBefore, type PythonNode } from '../../engine/languages/python';
import { defineRule } from '../../engine/rule';
import { lastSegment, pythonImports, qualifiedName, type PythonImports } from '../../app/helpers/python-libraries';
import type { Fix, SqlDialect, TextEdit, TextRange } from '../../engine/types';
import { grammarCheckedSafety } from '../helpers/fix-check';
import { callArguments, operandBefore, tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'sessionZone' | 'defaultUtc' | 'sparkSession';

const BUCKET_UNITS = new Set(['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOWEEK', 'ISOYEAR']);
const EXPLICIT_ZONE = /\bAT\s+TIME\s+ZONE\b|\bCONVERT_TZ\s*\(|\bCONVERT_TIMEZONE\s*\(|\bTIMEZONE\s*\(|\bAT_TIMEZONE\b|\b(?:FROM|TO)_UTC_TIMESTAMP\s*\(/i;
/** BigQuery calls that take a zone as their last argument, with the argument count that includes it. */
const ZONED_CALL_ARITY: Record<string, number> = { DATE: 2, DATETIME: 2, TIME: 2, TIMESTAMP_TRUNC: 3, FORMAT_TIMESTAMP: 3 };
/** Columns named like a date already hold dates; bucketing them is not time-zone dependent. */
const DATE_LIKE_COLUMN = /(^|_)(date|day|dt|ds)$/i;

/** Functions that make an instant out of a number of seconds or milliseconds. */
const INSTANT_FROM_NUMBER = new Set(['FROM_UNIXTIME', 'TIMESTAMP_SECONDS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'TO_TIMESTAMP']);

/*
 * PySpark's DataFrame API: the same buckets as Spark SQL, written as calls of
 * `pyspark.sql.functions` (`F.date_format(F.from_unixtime(c), 'yyyyMMdd')`, `F.to_date(c)`,
 * `F.from_unixtime(c, 'yyyy-MM-dd')`, `F.date_trunc('day', c)`), bucketed in the session's
 * `spark.sql.session.timeZone` like the SQL.
 */
const SPARK_FUNCTIONS = 'pyspark.sql.functions';
const SPARK_ZONED = /\b(?:from_utc_timestamp|to_utc_timestamp|convert_timezone)\b/;
const SPARK_INSTANT_CALLS = new Set(['from_unixtime', 'timestamp_seconds', 'timestamp_millis', 'timestamp_micros']);

/** The `pyspark.sql.functions` function a call names (`date_format` for `F.date_format(...)`), or null. */
function sparkFunctionOf(call: PythonNode, imports: PythonImports): string | null {
  const origin = qualifiedName(call.childForFieldName('function'), imports);
  return origin !== null && origin.startsWith(`${SPARK_FUNCTIONS}.`) ? lastSegment(origin) : null;
}

/** The column names a DataFrame expression reads: `F.col("ts")`, `F.min("ts")`, `df.ts`, `df["ts"]`. */
function dataFrameColumns(expression: PythonNode): string[] {
  const names: string[] = [];
  const visit = (node: PythonNode): void => {
    // `F.lit("2024-01-01")` is a value, not a column.
    if (node.type === 'call' && /(?:^|\.)lit$/.test(node.childForFieldName('function')?.text ?? '')) return;
    if (node.type === 'string') names.push(node.text.replace(/^[rRbBuU]*(["'])|(["'])$/g, ''));
    else if (node.type === 'attribute' && node.parent?.type !== 'call') names.push(node.childForFieldName('attribute')?.text ?? '');
    for (const child of node.namedChildren) if (child !== null) visit(child);
  };
  visit(expression);
  // Column names are words; a format string (`"yyyy-MM-dd'T'HH:mm"`) is not one.
  return names.filter((name) => /^\w+$/.test(name));
}

/** A DataFrame-API day bucket in the session's zone: the call and the bucketed value, or null. */
function sparkBucket(call: PythonNode, imports: PythonImports): { value: PythonNode } | null {
  const name = sparkFunctionOf(call, imports);
  if (name === null) return null;
  const { positional, keywords } = pythonArguments(call);
  if (keywords.size > 0) return null;
  const [first, second] = positional;
  if (first === undefined) return null;
  const dayFormat = (node: PythonNode | undefined): boolean => node?.type === 'string' && formatGrain('DATE_FORMAT', node.text.slice(1, -1), { engine: 'spark', setsSessionTimeZone: false }) === 'day';
  if (name === 'to_date' && positional.length === 1) return { value: first };
  if ((name === 'date_format' || name === 'from_unixtime') && positional.length === 2 && dayFormat(second)) return { value: first };
  if (name === 'date_trunc' && second !== undefined && first.type === 'string' && BUCKET_UNITS.has(first.text.slice(1, -1).toUpperCase())) return { value: second };
  return null;
}

/** True when the bucketed value is an instant with no zone named: epoch seconds made a timestamp, or a column not named like a date. */
function isNaiveSparkValue(value: PythonNode, bucketName: string | null, imports: PythonImports): boolean {
  if (SPARK_ZONED.test(value.text)) return false;
  if (bucketName === 'from_unixtime') return true;
  const inner = value.type === 'call' ? sparkFunctionOf(value, imports) : null;
  if (inner !== null && SPARK_INSTANT_CALLS.has(inner)) return true;
  // Text parsed in the session's zone and bucketed in the same zone keeps its written day.
  if (inner === 'to_timestamp') return false;
  const columns = dataFrameColumns(value);
  return columns.length > 0 && !columns.every((column) => DATE_LIKE_DATAFRAME_COLUMN.test(column));
}

/** DataFrame columns named like a date (`submission_date_s3`, `event_day`): dates, or date strings that `to_date` parses without a zone. */
const DATE_LIKE_DATAFRAME_COLUMN = /date|day|(?:^|_)(?:dt|ds)(?:$|_)/i;

/** One bucketing expression found in a block. */
interface Bucket {
  /** Token range of the whole expression. */
  start: number;
  end: number;
  /** Token range of the timestamp argument. */
  argumentStart: number;
  argumentEnd: number;
  form: 'date' | 'cast' | 'castOperator' | 'truncString' | 'truncUnit' | 'format' | 'formatFirst' | 'toDate' | 'extractDate';
  /** Token index of the call's `)`, for forms that take an extra zone argument. */
  close: number;
}
function quoteZone(zone: string): string {
  return `'${zone.replace(/'/g, "''")}'`;
}

/**
 * The outermost of nested buckets, each with whether it holds another (`date_trunc('day', ts)::date`
 * is one bucketing, reported once). A sweep in token order: n log n in the buckets.
 */
function outermostBuckets<T extends { bucket: Bucket }>(buckets: readonly T[]): (T & { holdsBucket: boolean })[] {
  const ordered = [...buckets].sort((a, b) => a.bucket.start - b.bucket.start || b.bucket.end - a.bucket.end);
  const kept: (T & { holdsBucket: boolean })[] = [];
  for (const entry of ordered) {
    const outer = kept[kept.length - 1];
    if (outer !== undefined && entry.bucket.start >= outer.bucket.start && entry.bucket.end <= outer.bucket.end) {
      outer.holdsBucket = true;
      continue;
    }
    kept.push({ ...entry, holdsBucket: false });
  }
  return kept;
}

function bucketsIn(model: StatementModel, block: QueryBlock, dialect: SqlDialect, host: SqlHost | undefined): Bucket[] {
  const buckets: Bucket[] = [];
  for (const clause of block.clauses) {
    if (clause.name !== 'select' && clause.name !== 'groupBy' && clause.name !== 'orderBy') continue;
    for (const index of ownTokenIndices(model, block, clause)) {
      const bucket = bucketAt(model, index, dialect, host);
      if (bucket !== null && !isCondition(model, bucket.argumentStart, bucket.argumentEnd)) buckets.push(bucket);
    }
  }
  return buckets;
}

/** True when the format argument is one string literal that renders a day, not a time of day. */
function isDayFormat(model: StatementModel, functionName: string, range: { start: number; end: number }, host?: SqlHost): boolean {
  const literal = model.tokens[range.start];
  return literal?.kind === 'string' && range.end === range.start + 1 && formatGrain(functionName, literal.text.slice(1, -1), host) === 'day';
}

function bucketAt(model: StatementModel, index: number, dialect: SqlDialect, host: SqlHost | undefined): Bucket | null {
  const spark = host?.engine === 'spark';
  const token = model.tokens[index];
  if (token === undefined) return null;
  if (token.text === '::' && model.tokens[index + 1]?.upper === 'DATE') {
    let start = operandBefore(model, index);
    // A chain of casts is one operand: `created_at::timestamptz::date`.
    while (model.tokens[start - 1]?.text === '::') start = operandBefore(model, start - 1);
    return { start, end: index + 2, argumentStart: start, argumentEnd: index, form: 'castOperator', close: index + 1 };
  }
  if (token.kind !== 'word' || model.tokens[index + 1]?.text !== '(' || model.tokens[index - 1]?.text === '.') return null;
  const { args, close } = callArguments(model, index + 1);
  // A call whose `(` is never closed (half-typed or broken SQL) has no known extent: its span would
  // swallow whatever follows, and a fix would rewrite text that is not the call's.
  if (model.tokens[close]?.text !== ')' || model.depths[close] !== model.depths[index + 1]) return null;
  const [first, second] = args;
  if (first === undefined) return null;
  const name = token.upper;
  const whole = { start: index, end: close + 1, close };
  if (name === 'DATE' && args.length === 1) return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'date' };
  if (name === 'TO_DATE' && args.length === 1 && (dialect === 'snowflake' || spark)) return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'toDate' };
  if (name === 'CAST' && args.length === 1) {
    const asIndex = findWord(model, first.start, first.end, 'AS');
    if (asIndex !== -1 && model.tokens[asIndex + 1]?.upper === 'DATE' && asIndex + 2 === first.end) {
      return { ...whole, argumentStart: first.start, argumentEnd: asIndex, form: 'cast' };
    }
    return null;
  }
  // BigQuery's EXTRACT(DATE FROM ts) is DATE(ts) in another spelling.
  if (name === 'EXTRACT' && args.length === 1 && dialect === 'bigquery' && model.tokens[first.start]?.upper === 'DATE' && model.tokens[first.start + 1]?.upper === 'FROM') {
    if (findWord(model, first.start + 2, first.end, 'AT') !== -1) return null;
    return { ...whole, argumentStart: first.start + 2, argumentEnd: first.end, form: 'extractDate' };
  }
  if (second === undefined) return null;
  if ((name === 'DATE_TRUNC' || name === 'DATETRUNC') && args.length === 2 && dialect !== 'bigquery') {
    const unit = model.tokens[first.start];
    if (unit?.kind === 'string' && first.end === first.start + 1 && BUCKET_UNITS.has(unit.text.slice(1, -1).toUpperCase())) {
      return { ...whole, argumentStart: second.start, argumentEnd: second.end, form: 'truncString' };
    }
    return null;
  }
  // Not DATETIME_TRUNC or DATE_TRUNC: they take DATETIME and DATE values (no zone, none missing)
  // as well as TIMESTAMPs, and the column's type is not in the query.
  if (name === 'TIMESTAMP_TRUNC' && args.length === 2 && dialect === 'bigquery') {
    const unit = model.tokens[second.start];
    if (unit !== undefined && BUCKET_UNITS.has(unit.upper)) return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'truncUnit' };
    return null;
  }
  if ((name === 'DATE_FORMAT' || name === 'TO_CHAR') && args.length === 2 && isDayFormat(model, name, second, host)) {
    return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'format' };
  }
  // Spark's from_unixtime(seconds, 'yyyy-MM-dd') renders the instant in the session's zone.
  if (name === 'FROM_UNIXTIME' && args.length === 2 && spark && isDayFormat(model, name, second, host)) {
    return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'format' };
  }
  if (name === 'FORMAT_TIMESTAMP' && args.length === 2 && dialect === 'bigquery' && isDayFormat(model, name, first)) {
    return { ...whole, argumentStart: second.start, argumentEnd: second.end, form: 'formatFirst' };
  }
  return null;
}

/** Words and operators that make an expression a truth value, never a point in time. */
const CONDITION_TOKENS = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'EXISTS', '=', '<', '>', '<=', '>=', '<>', '!=', '<=>']);

/**
 * True when tokens [start, end) are a condition at their own depth (`NOW() AND x`): such an
 * argument is no timestamp to bucket, and a fix wrapping it would only give the other rules a
 * time expression that was never there.
 */
function isCondition(model: StatementModel, start: number, end: number): boolean {
  const depth = model.depths[start] ?? 0;
  // A CASE's WHEN conditions choose among values: `DATE(CASE WHEN a > b THEN ts END)` buckets a time.
  let openCases = 0;
  for (let index = start; index < end; index++) {
    if (model.depths[index] !== depth) continue;
    const word = model.tokens[index]?.upper ?? '';
    if (word === 'CASE') openCases++;
    else if (word === 'END' && openCases > 0) openCases--;
    else if (openCases === 0 && CONDITION_TOKENS.has(word)) return true;
  }
  return false;
}

function findWord(model: StatementModel, start: number, end: number, word: string): number {
  const depth = model.depths[start] ?? 0;
  for (let index = start; index < end; index++) {
    if (model.tokens[index]?.upper === word && model.depths[index] === depth) return index;
  }
  return -1;
}

/** True when tokens [start, end) hold a BigQuery call that names a zone: `DATETIME(ts, 'Europe/Berlin')`. */
function hasZonedCall(model: StatementModel, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const arity = ZONED_CALL_ARITY[model.tokens[index]?.upper ?? ''];
    if (arity === undefined || model.tokens[index + 1]?.text !== '(' || model.tokens[index]?.kind !== 'word') continue;
    if (callArguments(model, index + 1).args.length === arity) return true;
  }
  return false;
}

/** True when the bucketed argument is a timestamp column without an explicit zone. */
function isNaive(source: SqlSource, model: StatementModel, bucket: Bucket): boolean {
  const argumentText = tokenText(source.text, model, bucket.argumentStart, bucket.argumentEnd);
  if (EXPLICIT_ZONE.test(argumentText)) return false;
  if (source.dialect === 'bigquery' && hasZonedCall(model, bucket.argumentStart, bucket.argumentEnd)) return false;
  const columns = columnReferences(model, bucket.argumentStart, bucket.argumentEnd);
  if (columns.length === 0) return false;
  // Epoch seconds made an instant: `from_unixtime(install_day * 86400)` is one whatever its column is named.
  if (INSTANT_FROM_NUMBER.has(model.tokens[bucket.argumentStart]?.upper ?? '') && model.tokens[bucket.argumentStart + 1]?.text === '(') return true;
  return !columns.every((column) => DATE_LIKE_COLUMN.test(column.name));
}

/** The text that makes the zone explicit, as one edit, and what the bucket then reads like. */
function explicitForm(source: SqlSource, model: StatementModel, bucket: Bucket, zone: string): { edit: TextEdit; example: string } | null {
  const dialect = source.dialect;
  const argument = tokenText(source.text, model, bucket.argumentStart, bucket.argumentEnd);
  const whole = tokenRange(model, bucket.start, bucket.end);
  const closeToken = model.tokens[bucket.close];
  const quoted = quoteZone(zone);
  const replace = (newText: string) => ({ edit: { range: whole, newText }, example: newText });
  const insertZoneArgument = () => (closeToken === undefined ? null : { edit: { range: { start: closeToken.start, end: closeToken.start }, newText: `, ${quoted}` }, example: `${tokenText(source.text, model, bucket.start, bucket.close)}, ${quoted})` });
  const replaceArgument = (newArgument: string) => {
    const range = tokenRange(model, bucket.argumentStart, bucket.argumentEnd);
    const text = source.text;
    return { edit: { range, newText: newArgument }, example: text.slice(whole.start, range.start) + newArgument + text.slice(range.end, whole.end) };
  };
  switch (dialect) {
    case 'postgresql': {
      if (bucket.form === 'truncString') return insertZoneArgument();
      // `timezone(zone, ts)` is PostgreSQL's function form of `ts AT TIME ZONE zone`; the grammar we
      // check fixes with accepts AT TIME ZONE only after a plain column, so other values use it.
      const converted = isPlainColumn(model, bucket.argumentStart, bucket.argumentEnd) ? `${argument} AT TIME ZONE ${quoted}` : `timezone(${quoted}, ${argument})`;
      if (bucket.form === 'format') return replaceArgument(converted);
      return replace(converted.startsWith('timezone(') ? `${converted}::date` : `(${converted})::date`);
    }
    case 'redshift':
      // node-sql-parser's Redshift grammar rejects AT TIME ZONE; CONVERT_TIMEZONE is Redshift's own.
      return replaceArgument(`CONVERT_TIMEZONE(${quoted}, ${argument})`);
    case 'mysql':
    case 'mariadb': {
      const mysqlZone = zone === 'UTC' || zone === 'Etc/UTC' ? "'+00:00'" : quoted;
      return replaceArgument(`CONVERT_TZ(${argument}, @@session.time_zone, ${mysqlZone})`);
    }
    case 'bigquery':
      if (bucket.form === 'date' || bucket.form === 'truncUnit' || bucket.form === 'formatFirst') return insertZoneArgument();
      // node-sql-parser rejects EXTRACT(DATE FROM ts AT TIME ZONE ...); DATE(ts, zone) is the same value.
      if (bucket.form === 'cast' || bucket.form === 'extractDate') return replace(`DATE(${argument}, ${quoted})`);
      return null;
    case 'snowflake':
      if (bucket.form === 'truncString' || bucket.form === 'format') return replaceArgument(`CONVERT_TIMEZONE(${quoted}, ${argument})`);
      return replace(`CONVERT_TIMEZONE(${quoted}, ${argument})::date`);
    default:
      return null;
  }
}

/** True when tokens [start, end) are an unquoted, possibly qualified column name: `o.created_at`. */
function isPlainColumn(model: StatementModel, start: number, end: number): boolean {
  if ((end - start) % 2 === 0) return false;
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if ((index - start) % 2 === 0 ? token?.kind !== 'word' : token?.text !== '.') return false;
  }
  return columnReferences(model, start, end).length === 1;
}

/** A normalized key of an expression, so that SELECT's and GROUP BY's copies are one bucket. */
function expressionKey(source: SqlSource, model: StatementModel, bucket: Bucket): string {
  return tokenText(source.text, model, bucket.start, bucket.end).replace(/\s+/g, ' ').toUpperCase();
}

/** The clause saying which values the finding holds for, when the value's type is not known. */
function caveat(dialect: SqlDialect, kind: TimeValueKind): string {
  if (kind === 'instant') return '';
  if (dialect === 'bigquery') return ' (true of a TIMESTAMP; a DATETIME has no zone)';
  if (dialect === 'redshift') return ' (a TIMESTAMP column is bucketed as stored)';
  return '';
}

export default defineRule<MessageId>({
  meta: {
    id: 'timezone-naive-date-bucket',
    family: 'sql',
    target: ['sql', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production', 'warehouse', 'script', 'notebook'],
    summary: 'Day, week or month buckets of a timestamp with no explicit time zone, where the dialect\'s default can differ from the reporting zone.',
    why: 'A calendar day needs a time zone. When the query names none, the day boundaries are the database\'s default: the session\'s zone in PostgreSQL, MySQL and Snowflake (different on a laptop, in CI and behind each pool), UTC in BigQuery and Redshift. Daily numbers then shift silently, or land on UTC days in a report meant for another zone.',
    messages: {
      sessionZone: '`{{expression}}` depends on the session\'s time zone: {{behaviour}}; name the zone{{suggestion}}.',
      sparkSession: '`{{expression}}` depends on the session\'s time zone: {{behaviour}}; set it where the session is built: `.config("spark.sql.session.timeZone", "{{zone}}")`.',
      defaultUtc: '`{{expression}}` falls on UTC days: {{behaviour}}, not {{zone}}, when no zone is named{{caveat}}; name the zone{{suggestion}}.',
    },
    options: {},
    prefilter: ['date', 'trunc', 'to_char', 'format_timestamp', 'from_unixtime'],
    pythonPrefilter: ['date', 'trunc', 'to_char', 'format_timestamp', 'from_unixtime'],
    sources: ['PostgreSQL wiki "Don\'t Do This": timestamp (without time zone)', 'Ruff DTZ (call-datetime-without-tzinfo), for application code'],
  },
  create(context) {
    /**
     * Set once a statement of the document sets the session's zone (`SET TIME ZONE`,
     * `SET @@time_zone`, `ALTER SESSION SET TIMEZONE`): the statements after it run in a zone the
     * author chose. Sources are visited in document order, so this covers embedded SQL too.
     */
    let sessionZoneSet = false;
    let sparkImports: PythonImports | null = null;
    let pythonText = '';
    return {
      pythonFile(file) {
        pythonText = file.text;
        sparkImports = /\bpyspark\b/.test(file.text) ? pythonImports(file.root) : null;
      },
      pythonNodes: {
        call(call) {
          if (sparkImports === null) return;
          const bucket = sparkBucket(call, sparkImports);
          if (bucket === null || !isNaiveSparkValue(bucket.value, sparkFunctionOf(call, sparkImports), sparkImports)) return;
          // The outermost bucket speaks for the nested one: `to_date(from_unixtime(c, 'yyyy-MM-dd'))`.
          const outer = call.parent?.type === 'argument_list' ? call.parent.parent : null;
          if (outer?.type === 'call' && sparkBucket(outer, sparkImports) !== null) return;
          if (setsSparkSessionZoneBefore(pythonText, call.startIndex)) return;
          const { behaviour } = timeZonesOf('postgresql', { engine: 'spark', setsSessionTimeZone: false });
          const text = call.text.replace(/\s+/g, ' ');
          context.report({
            messageId: 'sparkSession',
            data: { expression: text.length > 80 ? `${text.slice(0, 77)}...` : text, behaviour, zone: context.reportingTimeZone },
            range: { start: call.startIndex, end: call.endIndex },
          });
        },
      },
      statement(statement) {
        if (setsSessionTimeZone(statement.model)) sessionZoneSet = true;
      },
      block(block, statement, source) {
        if (sessionZoneSet || source.host?.setsSessionTimeZone === true) return;
        const { dialect, host } = source;
        if (!unzonedBucketDiffers(dialect, context.reportingTimeZone, host)) return;
        if (block.kind !== 'select' || findClause(block, 'select') === undefined) return;
        const model = statement.model;
        const buckets = bucketsIn(model, block, dialect, host)
          .filter((bucket) => isNaive(source, model, bucket))
          .map((bucket) => ({ bucket, kind: timeValueKind(model, bucket.argumentStart, bucket.argumentEnd, dialect) }))
          // A zoneless value (BigQuery DATETIME) is bucketed as stored: no zone is missing.
          .filter(({ kind }) => kind !== 'civil')
          // A bare column in Snowflake is TIMESTAMP_NTZ unless it shows otherwise: as stored too.
          .filter(({ kind }) => kind === 'instant' || timeZonesOf(dialect, host).unknownValueIsZoned);
        const reported = new Set<string>();
        for (const { bucket, kind, holdsBucket } of outermostBuckets(buckets)) {
          const key = expressionKey(source, model, bucket);
          if (reported.has(key)) continue;
          reported.add(key);
          const same = buckets.filter((other) => expressionKey(source, model, other.bucket) === key);
          // Naming the zone on the outer bucket alone leaves the inner one in the session's zone
          // (`timezone('UTC', date_trunc('day', ts))::date` truncates before converting): no fix, no such advice.
          const forms = host === undefined && !holdsBucket ? same.map((other) => explicitForm(source, model, other.bucket, context.reportingTimeZone)) : [];
          const first = forms[0];
          const fixes: Fix[] = [];
          const safety = zoneFixSafety(dialect, kind, host);
          if (first != null && safety !== null && forms.every((form) => form !== null)) {
            const edits = forms.flatMap((form) => (form === null ? [] : [form.edit]));
            // A fix whose result cannot be shown to parse in the dialect is not safe; one that
            // breaks a statement the grammar reads (MySQL reads `ts::date`, not `CONVERT_TZ(...)::date`) is no fix.
            const checked = grammarCheckedSafety(source, statement, edits);
            if (checked !== null) {
              fixes.push({
                title: `Bucket in ${context.reportingTimeZone} explicitly (${same.length > 1 ? `${same.length} places` : 'this place'})`,
                safety: checked === 'unsafe' ? 'unsafe' : safety,
                edits,
              });
            }
          }
          const range: TextRange = tokenRange(model, bucket.start, bucket.end);
          const { defaultBucketZone, behaviour } = timeZonesOf(dialect, host);
          context.report({
            messageId: host?.engine === 'spark' ? 'sparkSession' : defaultBucketZone === 'utc' ? 'defaultUtc' : 'sessionZone',
            data: {
              expression: tokenText(source.text, model, bucket.start, bucket.end),
              behaviour,
              zone: context.reportingTimeZone,
              caveat: caveat(dialect, kind),
              suggestion:
                first != null
                  ? `: \`${first.example}\``
                  : holdsBucket
                    ? ` of the value itself, in every call that buckets it (one named on the outer call alone leaves the inner one in the session's zone)`
                    : ` ('${context.reportingTimeZone}') in the dialect's explicit-zone form`,
            },
            range,
            fixes,
            related: same.slice(1).map((other) => ({ range: tokenRange(model, other.bucket.start, other.bucket.end), message: fixes.length > 0 ? 'The same bucketing, also fixed by the quick fix.' : 'The same bucketing.' })),
          });
        }
      },
    };
  },
});
