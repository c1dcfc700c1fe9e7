/**
 * non-sargable-predicate: in a WHERE or JOIN ... ON, a comparison whose one side wraps a column in
 * a function, a cast or arithmetic and whose other side is a plain value (`DATE(created_at) =
 * '2024-03-01'`, `LOWER(email) = $1`, `price * 2 > 100`). An index on the column cannot serve it,
 * so the table is scanned. For date buckets compared with a literal day or year, the fix rewrites
 * the comparison into the equivalent half-open range on the bare column.
 */

import { columnReferences, comparisonsIn, isValueExpression, matchingParen, type Comparison, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix, SqlDialect, TextRange } from '../../engine/types';
import { isBareColumn, predicateRanges, stripParentheses, type PredicateRange } from '../helpers/predicates';
import { grammarCheckedSafety } from '../helpers/fix-check';
import { callArguments, tokenRange, tokenText } from '../helpers/tokens';
import { readsOnlySystemCatalogs } from '../helpers/relations';

type MessageId = 'dateFunction' | 'caseFolding' | 'wrapped';

/** Date and time functions: the cure is a range on the bare column. */
const DATE_FUNCTIONS = new Set([
  'DATE', 'YEAR', 'MONTH', 'DAY', 'DAYOFMONTH', 'DAYOFWEEK', 'DAYOFYEAR', 'WEEK', 'WEEKDAY', 'HOUR', 'QUARTER', 'EXTRACT',
  'DATE_PART', 'DATEPART', 'DATENAME', 'DATE_TRUNC', 'DATETRUNC', 'TO_CHAR', 'DATE_FORMAT', 'STRFTIME', 'DATEDIFF',
  'TIMESTAMPDIFF', 'DATEADD', 'DATE_ADD', 'DATE_SUB', 'TO_DAYS', 'UNIX_TIMESTAMP', 'EOMONTH', 'LAST_DAY', 'JULIANDAY',
]);
/** Case folding: the cure is an expression index or a case-insensitive column type. */
const CASE_FUNCTIONS = new Set(['LOWER', 'UPPER', 'LCASE', 'UCASE']);
/** Other wrappers that hide a column from its index. */
const OTHER_FUNCTIONS = new Set([
  'TRIM', 'LTRIM', 'RTRIM', 'BTRIM', 'COALESCE', 'IFNULL', 'ISNULL', 'NVL', 'SUBSTRING', 'SUBSTR', 'LEFT', 'RIGHT', 'REPLACE',
  'ABS', 'ROUND', 'FLOOR', 'CEIL', 'CEILING', 'TRUNC', 'CAST', 'TRY_CAST', 'CONVERT', 'TRY_CONVERT', 'TO_NUMBER',
]);
/** Functions whose first argument is a unit or a type, not a value (`DATEDIFF(day, a, b)`). */
const UNIT_FIRST_FUNCTIONS = new Set(['DATEPART', 'DATENAME', 'DATEDIFF', 'DATEADD', 'DATETRUNC', 'TIMESTAMPDIFF']);
const ARITHMETIC_OPERATORS = new Set(['+', '-', '*', '/']);
const RANGE_OPERATORS = new Set(['=', '<', '>', '<=', '>=', 'BETWEEN', 'IN']);

/** A column hidden inside an expression. */
interface WrappedColumn {
  category: 'date' | 'case' | 'other';
  /** How the column is wrapped, for the message ("`COALESCE()`", "a cast", "arithmetic"). */
  wrapper: string;
  /** Token range of the column reference (qualifier included). */
  columnStart: number;
  columnEnd: number;
}

function isDateType(model: StatementModel, index: number): boolean {
  return model.tokens[index]?.upper === 'DATE';
}

/** Reads [start, end) as a column wrapped in a function, cast or arithmetic; null otherwise. */
function wrappedColumn(model: StatementModel, start: number, end: number, dialect: SqlDialect): WrappedColumn | null {
  const operand = stripParentheses(model, start, end);
  if (operand.end <= operand.start || isBareColumn(model, operand.start, operand.end)) return null;
  for (let index = operand.start; index < operand.end; index++) {
    if (model.tokens[index]?.upper === 'SELECT') return null;
  }
  const columnAt = (from: number, to: number) => {
    const references = columnReferences(model, from, to);
    const first = references[0];
    if (first === undefined) return null;
    return { columnStart: first.qualifier === null ? first.index : first.index - 2, columnEnd: first.index + 1, count: references.length };
  };
  const first = model.tokens[operand.start];
  // A call spanning the whole operand: NAME ( ... ).
  if (first?.kind === 'word' && model.tokens[operand.start + 1]?.text === '(' && matchingParen(model, operand.start + 1) === operand.end - 1) {
    const name = first.upper;
    const category = DATE_FUNCTIONS.has(name) ? 'date' : CASE_FUNCTIONS.has(name) ? 'case' : OTHER_FUNCTIONS.has(name) ? 'other' : null;
    if (category === null) return null;
    const { args } = callArguments(model, operand.start + 1);
    const skipFirst = UNIT_FIRST_FUNCTIONS.has(name) || ((name === 'CONVERT' || name === 'TRY_CONVERT') && dialect === 'transactsql');
    const valueArgs = skipFirst ? args.slice(1) : args;
    const column = valueArgs.map((argument) => columnAt(argument.start, argument.end)).find((found) => found !== null) ?? null;
    if (column === null) return null;
    const isCastToDate = (name === 'CAST' || name === 'TRY_CAST') && isDateType(model, operand.end - 2) && model.tokens[operand.end - 3]?.upper === 'AS';
    const isConvertToDate = (name === 'CONVERT' || name === 'TRY_CONVERT') && dialect === 'transactsql' && args[0] !== undefined && args[0].end === args[0].start + 1 && isDateType(model, args[0].start);
    // SQL Server turns a cast of a datetime to date into an index range seek: sargable there.
    if ((isCastToDate || isConvertToDate) && dialect === 'transactsql') return null;
    if (isCastToDate || isConvertToDate) return { category: 'date', wrapper: 'a cast to date', columnStart: column.columnStart, columnEnd: column.columnEnd };
    const wrapper = name === 'CAST' || name === 'TRY_CAST' ? 'a cast' : `\`${first.text}()\``;
    return { category, wrapper, columnStart: column.columnStart, columnEnd: column.columnEnd };
  }
  const depth = model.depths[operand.start] ?? 0;
  // A `::` cast of a bare column: `created_at::date`, `id::text`.
  for (let index = operand.start; index < operand.end; index++) {
    if (model.tokens[index]?.text !== '::' || model.depths[index] !== depth) continue;
    const castee = stripParentheses(model, operand.start, index);
    if (!isBareColumn(model, castee.start, castee.end)) return null;
    const isDate = isDateType(model, index + 1) && index + 2 === operand.end;
    return { category: isDate ? 'date' : 'other', wrapper: isDate ? 'a cast to date' : 'a cast', columnStart: castee.start, columnEnd: castee.end };
  }
  // Arithmetic on exactly one column, which could move to the value side: `price * 2 > 100`.
  let hasArithmetic = false;
  for (let index = operand.start; index < operand.end; index++) {
    const token = model.tokens[index];
    if (token?.kind === 'operator' && model.depths[index] === depth && ARITHMETIC_OPERATORS.has(token.text) && index > operand.start) hasArithmetic = true;
  }
  if (!hasArithmetic) return null;
  const column = columnAt(operand.start, operand.end);
  if (column === null || column.count !== 1) return null;
  return { category: 'other', wrapper: 'arithmetic', columnStart: column.columnStart, columnEnd: column.columnEnd };
}

// ---------------------------------------------------------------------------------------------
// The fix: date buckets compared with a literal become a half-open range.

/** `DATE(col)`, `col::date`, `CAST(col AS DATE)` (unit day); `YEAR(col)`, `EXTRACT(YEAR FROM col)` (unit year). */
function dateBucket(model: StatementModel, start: number, end: number): { unit: 'day' | 'year'; columnStart: number; columnEnd: number } | null {
  const { start: from, end: to } = stripParentheses(model, start, end);
  const name = model.tokens[from]?.upper ?? '';
  const isCall = model.tokens[from + 1]?.text === '(' && matchingParen(model, from + 1) === to - 1;
  if (isCall && (name === 'DATE' || name === 'YEAR') && isBareColumn(model, from + 2, to - 1)) {
    return { unit: name === 'DATE' ? 'day' : 'year', columnStart: from + 2, columnEnd: to - 1 };
  }
  if (isCall && name === 'CAST' && model.tokens[to - 3]?.upper === 'AS' && isDateType(model, to - 2) && isBareColumn(model, from + 2, to - 3)) {
    return { unit: 'day', columnStart: from + 2, columnEnd: to - 3 };
  }
  if (isCall && name === 'EXTRACT' && model.tokens[from + 2]?.upper === 'YEAR' && model.tokens[from + 3]?.upper === 'FROM' && isBareColumn(model, from + 4, to - 1)) {
    return { unit: 'year', columnStart: from + 4, columnEnd: to - 1 };
  }
  if (model.tokens[to - 2]?.text === '::' && isDateType(model, to - 1) && isBareColumn(model, from, to - 2)) {
    return { unit: 'day', columnStart: from, columnEnd: to - 2 };
  }
  return null;
}

/** A calendar day as [year, month, day], or null when the text is not a real date. */
function parseDay(text: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return [year, month, day];
}

function formatDay(year: number, month: number, day: number): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The day after `day` (across month and year ends and leap days). */
function nextDay(day: [number, number, number]): string {
  const date = new Date(Date.UTC(day[0], day[1] - 1, day[2] + 1));
  return formatDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** A bound of the range: the literal's day (or year) and the next one, rendered like the original. */
interface Bound {
  first: string;
  next: string;
}

/** Reads a literal day (`'2024-03-01'`, `DATE '2024-03-01'`, `'2024-03-01'::date`) or a year (`2024`). */
function literalBound(text: string, model: StatementModel, start: number, end: number, unit: 'day' | 'year', dialect: SqlDialect): Bound | null {
  const { start: from, end: to } = stripParentheses(model, start, end);
  if (unit === 'year') {
    const token = model.tokens[from];
    if (to !== from + 1 || token?.kind !== 'number' || !/^\d{4}$/.test(token.text)) return null;
    const year = Number(token.text);
    if (year < 1 || year >= 9999) return null;
    // SQL Server reads 'YYYY-MM-DD' as year-day-month for datetime under some languages; 'YYYYMMDD' never.
    const render = (value: number) => (dialect === 'transactsql' ? `'${formatDay(value, 1, 1).replace(/-/g, '')}'` : `'${formatDay(value, 1, 1)}'`);
    return { first: render(year), next: render(year + 1) };
  }
  let stringIndex = from;
  let render = (day: string) => `'${day}'`;
  if (to === from + 2 && model.tokens[from]?.kind === 'word' && isDateType(model, from)) {
    const keyword = model.tokens[from]?.text ?? 'DATE';
    stringIndex = from + 1;
    render = (day) => `${keyword} '${day}'`;
  } else if (to === from + 3 && model.tokens[from + 1]?.text === '::' && isDateType(model, from + 2)) {
    const cast = tokenText(text, model, from + 1, to);
    render = (day) => `'${day}'${cast}`;
  } else if (to !== from + 1) {
    return null;
  }
  const literal = model.tokens[stringIndex];
  if (literal?.kind !== 'string' || !literal.text.startsWith("'")) return null;
  const day = parseDay(literal.text.slice(1, -1));
  if (day === null) return null;
  return { first: render(formatDay(...day)), next: render(nextDay(day)) };
}

/**
 * True when an `a AND b` put in place of the comparison needs parentheses: the comparison is
 * negated, or its group (the clause, or the parentheses around it) also has an OR.
 */
function needsParentheses(model: StatementModel, comparison: Comparison, range: PredicateRange): boolean {
  if (comparison.negated) return true;
  const depth = model.depths[comparison.start] ?? 0;
  let groupStart = range.start;
  let groupEnd = range.end;
  if (depth !== (model.depths[range.start] ?? 0)) {
    let open = comparison.start - 1;
    while (open >= range.start && !(model.tokens[open]?.text === '(' && model.depths[open] === depth - 1)) open--;
    groupStart = open + 1;
    groupEnd = matchingParen(model, open);
  }
  for (let index = groupStart; index < groupEnd; index++) {
    if (model.depths[index] === depth && model.tokens[index]?.kind === 'word' && model.tokens[index]?.upper === 'OR') return true;
  }
  return model.tokens[comparison.start - 1]?.upper === 'NOT';
}

function rangeFix(text: string, model: StatementModel, comparison: Comparison, range: PredicateRange, dialect: SqlDialect): { fix: Fix; replacement: string } | null {
  const bucket = dateBucket(model, comparison.start, comparison.leftEnd);
  if (bucket === null || comparison.negated) return null;
  // Comments inside the comparison would be lost by the rewrite.
  for (let index = comparison.start; index < comparison.end - 1; index++) {
    const current = model.tokens[index];
    const following = model.tokens[index + 1];
    if (current === undefined || following === undefined || text.slice(current.end, following.start).trim() !== '') return null;
  }
  const column = tokenText(text, model, bucket.columnStart, bucket.columnEnd);
  let replacement: string;
  let compound = false;
  if (comparison.operator === 'BETWEEN') {
    let andIndex = -1;
    for (let index = comparison.rightStart; index < comparison.end; index++) {
      if (model.tokens[index]?.upper === 'AND' && model.depths[index] === model.depths[comparison.operatorIndex]) andIndex = index;
    }
    if (andIndex === -1) return null;
    const low = literalBound(text, model, comparison.rightStart, andIndex, bucket.unit, dialect);
    const high = literalBound(text, model, andIndex + 1, comparison.end, bucket.unit, dialect);
    if (low === null || high === null) return null;
    replacement = `${column} >= ${low.first} AND ${column} < ${high.next}`;
    compound = true;
  } else {
    const bound = literalBound(text, model, comparison.rightStart, comparison.end, bucket.unit, dialect);
    if (bound === null) return null;
    switch (comparison.operator) {
      case '=':
        replacement = `${column} >= ${bound.first} AND ${column} < ${bound.next}`;
        compound = true;
        break;
      case '>=':
        replacement = `${column} >= ${bound.first}`;
        break;
      case '>':
        replacement = `${column} >= ${bound.next}`;
        break;
      case '<':
        replacement = `${column} < ${bound.first}`;
        break;
      case '<=':
        replacement = `${column} < ${bound.next}`;
        break;
      default:
        return null;
    }
  }
  if (compound && needsParentheses(model, comparison, range)) replacement = `(${replacement})`;
  const edit = { range: tokenRange(model, comparison.start, comparison.end), newText: replacement };
  return { fix: { title: `Compare the bare column: \`${replacement}\``, safety: 'safe', edits: [edit] }, replacement };
}

export default defineRule<MessageId>({
  meta: {
    id: 'non-sargable-predicate',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A filter that wraps a column in a function, cast or arithmetic, so its index cannot be used.',
    why: 'An index orders the column\'s raw values, not `DATE(col)` or `LOWER(col)`; a filter on the wrapped column makes the database compute it for every row and scan the whole table. Invisible on a small test table, it becomes a full scan and a timeout at production size.',
    messages: {
      dateFunction: '`{{expression}}` hides `{{column}}` from its index, so the table is scanned; compare the bare column with a half-open range: `{{suggestion}}`.',
      caseFolding: '`{{expression}}` hides `{{column}}` from its index, so the table is scanned; add an expression index (`CREATE INDEX ... ({{expression}})`) or store the column normalized (PostgreSQL: citext).',
      wrapped: '`{{expression}}` wraps `{{column}}` in {{wrapper}}, so its index cannot be used; compare the bare column (move the computation to the value side) or index the expression.',
    },
    options: {},
    prefilter: ['where', 'join'],
    sources: [
      'TSQLLint non-sargable',
      'SQL Server Data Tools SR0006 (move a column reference to one side of a comparison operator)',
      'SQL Server Data Tools SR0015 (extract deterministic function calls from WHERE predicates)',
      'use-the-index-luke.com: functions in WHERE',
    ],
  },
  create(context) {
    return {
      block(block, statement, source) {
        // BigQuery and Snowflake have no indexes; their partition pruning understands DATE(ts).
        if (source.dialect === 'bigquery' || source.dialect === 'snowflake') return;
        if (block.kind === 'insert' || block.kind === 'merge') return;
        const model = statement.model;
        // Schema introspection on the catalog (what ORMs and migration tools run) is not the
        // indexed application table this rule protects.
        if (readsOnlySystemCatalogs(model, block)) return;
        for (const range of predicateRanges(model, block, ['where', 'on'])) {
          for (const comparison of comparisonsIn(model, range.start, range.end)) {
            if (comparison.negated || !RANGE_OPERATORS.has(comparison.operator)) continue;
            if (model.blockOfToken[comparison.operatorIndex] !== block.index) continue;
            let wrapped = wrappedColumn(model, comparison.start, comparison.leftEnd, source.dialect);
            let wrappedStart = comparison.start;
            let wrappedEnd = comparison.leftEnd;
            let valueStart = comparison.rightStart;
            let valueEnd = comparison.end;
            if (wrapped === null && (comparison.operator !== 'IN' && comparison.operator !== 'BETWEEN')) {
              wrapped = wrappedColumn(model, comparison.rightStart, comparison.end, source.dialect);
              [wrappedStart, wrappedEnd, valueStart, valueEnd] = [comparison.rightStart, comparison.end, comparison.start, comparison.leftEnd];
            }
            if (wrapped === null || !isValueExpression(model, valueStart, valueEnd)) continue;
            if (comparison.operator === 'IN' && model.tokens[valueStart]?.text !== '(') continue;
            const expression = tokenText(source.text, model, wrappedStart, wrappedEnd).replace(/\s+/g, ' ');
            const column = tokenText(source.text, model, wrapped.columnStart, wrapped.columnEnd);
            const reportRange: TextRange = tokenRange(model, comparison.start, comparison.end);
            if (wrapped.category === 'date') {
              const fixed = wrappedStart === comparison.start ? rangeFix(source.text, model, comparison, range, source.dialect) : null;
              const suggestion = fixed?.replacement ?? `${column} >= <start> AND ${column} < <end>`;
              const safety = fixed === null ? null : grammarCheckedSafety(source, statement, fixed.fix.edits);
              context.report({ messageId: 'dateFunction', data: { expression, column, suggestion }, range: reportRange, fixes: fixed === null || safety === null ? [] : [{ ...fixed.fix, safety }] });
            } else if (wrapped.category === 'case') {
              context.report({ messageId: 'caseFolding', data: { expression, column }, range: reportRange });
            } else {
              context.report({ messageId: 'wrapped', data: { expression, column, wrapper: wrapped.wrapper }, range: reportRange });
            }
          }
        }
      },
    };
  },
});
