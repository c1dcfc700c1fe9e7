/**
 * timezone-naive-date-bucket: day/week/month bucketing of a timestamp without an explicit time
 * zone, in a SELECT list, GROUP BY or ORDER BY. The fix spells out the dialect's explicit form
 * with the configured `reportingTimeZone`, in every place the same expression occurs in the query
 * (SELECT and GROUP BY must keep matching or the query stops compiling).
 */

import { findClause, ownTokenIndices, columnReferences, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlSource } from '../../engine/languages/sql/source';
import { defineRule } from '../../engine/rule';
import type { Fix, SqlDialect, TextEdit, TextRange } from '../../engine/types';
import { callArguments, operandBefore, tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'naiveBucket';

const BUCKET_UNITS = new Set(['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOWEEK', 'ISOYEAR']);
const EXPLICIT_ZONE = /\bAT\s+TIME\s+ZONE\b|\bCONVERT_TZ\s*\(|\bCONVERT_TIMEZONE\s*\(|\bTIMEZONE\s*\(|\bAT_TIMEZONE\b/i;
/** Columns named like a date already hold dates; bucketing them is not time-zone dependent. */
const DATE_LIKE_COLUMN = /(^|_)(date|day|dt|ds)$/i;

/** One bucketing expression found in a block. */
interface Bucket {
  /** Token range of the whole expression. */
  start: number;
  end: number;
  /** Token range of the timestamp argument. */
  argumentStart: number;
  argumentEnd: number;
  form: 'date' | 'cast' | 'castOperator' | 'truncString' | 'truncUnit' | 'format' | 'formatFirst' | 'toDate';
  /** Token index of the call's `)`, for forms that take an extra zone argument. */
  close: number;
}

function quoteZone(zone: string): string {
  return `'${zone.replace(/'/g, "''")}'`;
}

function bucketsIn(model: StatementModel, block: QueryBlock, dialect: SqlDialect): Bucket[] {
  const buckets: Bucket[] = [];
  for (const clause of block.clauses) {
    if (clause.name !== 'select' && clause.name !== 'groupBy' && clause.name !== 'orderBy') continue;
    for (const index of ownTokenIndices(model, block, clause)) {
      const bucket = bucketAt(model, index, dialect);
      if (bucket !== null) buckets.push(bucket);
    }
  }
  return buckets;
}

function bucketAt(model: StatementModel, index: number, dialect: SqlDialect): Bucket | null {
  const token = model.tokens[index];
  if (token === undefined) return null;
  if (token.text === '::' && model.tokens[index + 1]?.upper === 'DATE') {
    const start = operandBefore(model, index);
    return { start, end: index + 2, argumentStart: start, argumentEnd: index, form: 'castOperator', close: index + 1 };
  }
  if (token.kind !== 'word' || model.tokens[index + 1]?.text !== '(' || model.tokens[index - 1]?.text === '.') return null;
  const { args, close } = callArguments(model, index + 1);
  const [first, second] = args;
  if (first === undefined) return null;
  const name = token.upper;
  const whole = { start: index, end: close + 1, close };
  if (name === 'DATE' && args.length === 1) return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'date' };
  if (name === 'TO_DATE' && args.length === 1 && dialect === 'snowflake') return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'toDate' };
  if (name === 'CAST' && args.length === 1) {
    const asIndex = findWord(model, first.start, first.end, 'AS');
    if (asIndex !== -1 && model.tokens[asIndex + 1]?.upper === 'DATE' && asIndex + 2 === first.end) {
      return { ...whole, argumentStart: first.start, argumentEnd: asIndex, form: 'cast' };
    }
    return null;
  }
  if (second === undefined) return null;
  if ((name === 'DATE_TRUNC' || name === 'DATETRUNC') && args.length === 2 && dialect !== 'bigquery') {
    const unit = model.tokens[first.start];
    if (unit?.kind === 'string' && first.end === first.start + 1 && BUCKET_UNITS.has(unit.text.slice(1, -1).toUpperCase())) {
      return { ...whole, argumentStart: second.start, argumentEnd: second.end, form: 'truncString' };
    }
    return null;
  }
  if ((name === 'TIMESTAMP_TRUNC' || name === 'DATETIME_TRUNC') && args.length === 2 && dialect === 'bigquery') {
    const unit = model.tokens[second.start];
    if (unit !== undefined && BUCKET_UNITS.has(unit.upper)) return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'truncUnit' };
    return null;
  }
  const formatLiteral = (range: { start: number; end: number }): boolean => {
    const literal = model.tokens[range.start];
    return literal?.kind === 'string' && range.end === range.start + 1 && /%[dj]|%F|DD|%e/.test(literal.text);
  };
  if ((name === 'DATE_FORMAT' || name === 'TO_CHAR') && args.length === 2 && formatLiteral(second)) {
    return { ...whole, argumentStart: first.start, argumentEnd: first.end, form: 'format' };
  }
  if (name === 'FORMAT_TIMESTAMP' && args.length === 2 && dialect === 'bigquery' && formatLiteral(first)) {
    return { ...whole, argumentStart: second.start, argumentEnd: second.end, form: 'formatFirst' };
  }
  return null;
}

function findWord(model: StatementModel, start: number, end: number, word: string): number {
  const depth = model.depths[start] ?? 0;
  for (let index = start; index < end; index++) {
    if (model.tokens[index]?.upper === word && model.depths[index] === depth) return index;
  }
  return -1;
}

/** True when the bucketed argument is a timestamp column without an explicit zone. */
function isNaive(source: SqlSource, model: StatementModel, bucket: Bucket): boolean {
  const argumentText = tokenText(source.text, model, bucket.argumentStart, bucket.argumentEnd);
  if (EXPLICIT_ZONE.test(argumentText)) return false;
  const columns = columnReferences(model, bucket.argumentStart, bucket.argumentEnd);
  if (columns.length === 0) return false;
  return !columns.every((column) => DATE_LIKE_COLUMN.test(column.name));
}

/** The replacement text (or insertion) that makes the zone explicit, per dialect. */
function explicitForm(source: SqlSource, model: StatementModel, bucket: Bucket, zone: string): { edit: TextEdit; safety: 'safe' | 'unsafe'; example: string } | null {
  const dialect = source.dialect;
  const argument = tokenText(source.text, model, bucket.argumentStart, bucket.argumentEnd);
  const whole = tokenRange(model, bucket.start, bucket.end);
  const closeToken = model.tokens[bucket.close];
  const quoted = quoteZone(zone);
  const replace = (newText: string, safety: 'safe' | 'unsafe' = 'safe') => ({ edit: { range: whole, newText }, safety, example: newText });
  const insertZoneArgument = () => (closeToken === undefined ? null : { edit: { range: { start: closeToken.start, end: closeToken.start }, newText: `, ${quoted}` }, safety: 'safe' as const, example: `${tokenText(source.text, model, bucket.start, bucket.close)}, ${quoted})` });
  const replaceArgument = (newArgument: string) => {
    const range = tokenRange(model, bucket.argumentStart, bucket.argumentEnd);
    const text = source.text;
    return { edit: { range, newText: newArgument }, safety: 'safe' as const, example: text.slice(whole.start, range.start) + newArgument + text.slice(range.end, whole.end) };
  };
  switch (dialect) {
    case 'postgresql':
    case 'redshift':
      if (bucket.form === 'truncString') return dialect === 'postgresql' ? insertZoneArgument() : replaceArgument(`CONVERT_TIMEZONE(${quoted}, ${argument})`);
      if (bucket.form === 'format') return replaceArgument(`${argument} AT TIME ZONE ${quoted}`);
      return replace(`(${argument} AT TIME ZONE ${quoted})::date`);
    case 'mysql':
    case 'mariadb': {
      // MySQL converts only TIMESTAMP columns through the session zone; a DATETIME column would
      // be shifted by this conversion, so the fix is offered but never applied automatically.
      const mysqlZone = zone === 'UTC' || zone === 'Etc/UTC' ? "'+00:00'" : quoted;
      const converted = `CONVERT_TZ(${argument}, @@session.time_zone, ${mysqlZone})`;
      const fix = replaceArgument(converted);
      return { ...fix, safety: 'unsafe' };
    }
    case 'bigquery':
      if (bucket.form === 'date' || bucket.form === 'truncUnit' || bucket.form === 'formatFirst') return insertZoneArgument();
      if (bucket.form === 'cast') return replace(`DATE(${argument}, ${quoted})`);
      return null;
    case 'snowflake':
      if (bucket.form === 'truncString' || bucket.form === 'format') return replaceArgument(`CONVERT_TIMEZONE(${quoted}, ${argument})`);
      return replace(`CONVERT_TIMEZONE(${quoted}, ${argument})::date`);
    default:
      return null;
  }
}

export default defineRule<MessageId>({
  meta: {
    id: 'timezone-naive-date-bucket',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'warning',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production', 'warehouse', 'script', 'notebook'],
    summary: 'Day, week or month buckets of a timestamp with no explicit time zone.',
    why: 'Bucket boundaries follow whatever time zone the database session uses, so daily numbers differ between a laptop, CI and production, and shift when a driver or pool changes its TimeZone.',
    messages: {
      naiveBucket: '`{{expression}}` buckets by the session\'s time zone; make the zone explicit: `{{suggestion}}`.',
    },
    options: {},
    prefilter: ['date', 'trunc', 'to_char', 'format_timestamp'],
    sources: ['PostgreSQL wiki "Don\'t Do This": timestamp (without time zone)', 'Ruff DTZ (call-datetime-without-tzinfo), for application code'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        // SQLite stores text or numbers and its date() is UTC unless told 'localtime'; SQL Server
        // has no session time zone. Neither has the bug this rule describes.
        if (source.dialect === 'sqlite' || source.dialect === 'transactsql') return;
        if (block.kind !== 'select' || findClause(block, 'select') === undefined) return;
        const model = statement.model;
        const buckets = bucketsIn(model, block, source.dialect).filter((bucket) => isNaive(source, model, bucket));
        const reported = new Set<string>();
        for (const bucket of buckets) {
          const expression = tokenText(source.text, model, bucket.start, bucket.end);
          const key = expression.replace(/\s+/g, ' ').toUpperCase();
          if (reported.has(key)) continue;
          reported.add(key);
          const same = buckets.filter((other) => tokenText(source.text, model, other.start, other.end).replace(/\s+/g, ' ').toUpperCase() === key);
          const forms = same.map((other) => explicitForm(source, model, other, context.reportingTimeZone));
          const first = forms[0];
          const fixes: Fix[] = [];
          if (first != null && forms.every((form) => form !== null)) {
            fixes.push({
              title: `Bucket in ${context.reportingTimeZone} explicitly (${same.length > 1 ? `${same.length} places` : 'this place'})`,
              safety: first.safety,
              edits: forms.flatMap((form) => (form === null ? [] : [form.edit])),
            });
          }
          const range: TextRange = tokenRange(model, bucket.start, bucket.end);
          context.report({
            messageId: 'naiveBucket',
            data: { expression, suggestion: first?.example ?? `the dialect's explicit-zone form with '${context.reportingTimeZone}'` },
            range,
            fixes,
            related: same.slice(1).map((other) => ({ range: tokenRange(model, other.start, other.end), message: 'The same bucketing, also fixed by the quick fix.' })),
          });
        }
      },
    };
  },
});
