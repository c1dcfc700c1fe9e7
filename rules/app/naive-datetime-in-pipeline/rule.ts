/**
 * naive-datetime-in-pipeline: in Python pipeline code (a file importing Airflow, Spark, pandas, a
 * warehouse or cloud-storage client ...), a naive `datetime.now()`, `utcnow()`, `today()`,
 * `fromtimestamp(ts)` or `utcfromtimestamp(ts)` whose value computes a partition, a window or a
 * path: it is formatted (`strftime`, `isoformat`, `date()`), spliced into a string, shifted by a
 * `timedelta`, or stored under a name that says it is a date, a window edge or a path.
 *
 * The fix passes `tz=timezone.utc` (and imports `timezone` when the file has
 * `from datetime import datetime`). It is safe where the result is only read through `strftime`
 * without `%z`/`%Z`, `.date()` or a calendar field, which print the same for an aware value; it is
 * unsafe elsewhere, because an aware value cannot be compared with or subtracted from naive ones.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments, walkPythonNamed } from '../../engine/languages/python';
import { defineRule } from '../../engine/rule';
import type { Fix, FixSafety, TextEdit } from '../../engine/types';

type MessageId = 'naiveNow' | 'naiveUtc' | 'naiveUtcReadAsLocal';

/** Modules whose presence makes a file pipeline code. */
const PIPELINE_IMPORT = /^[ \t]*(?:from|import)[ \t]+(?:airflow|pyspark|pandas|polars|dagster|prefect|luigi|boto3|botocore|google\.cloud|sqlalchemy|psycopg2?|pymysql|snowflake|databricks|kafka|confluent_kafka|s3fs|fsspec|pyarrow|deltalake|dbt|great_expectations)\b/m;
const NAIVE_METHODS = new Set(['now', 'utcnow', 'today', 'fromtimestamp', 'utcfromtimestamp']);
/** Names that say a value is a day, a window edge, a partition or a path. */
const DATE_LIKE_NAME = /(partition|window|path|prefix|key|date|day|hour|month|^ds$|_ds$|bucket|cutoff|since|until|interval|logical|execution|snapshot|folder|dir$|file|start|end)/i;
/** Names that say a value times something rather than places it. */
const TIMER_NAME = /(elapsed|duration|took|timer|started_at_for_log|tic|toc)/i;
/** `time.mktime(d.timetuple())`: the file turns naive datetimes into epoch seconds as local time. */
const NAIVE_AS_LOCAL = /\bmktime\s*\(/;
/** Reads of an aware value that print exactly what the naive UTC value printed. */
const SAFE_READS = new Set(['date', 'year', 'month', 'day', 'hour', 'minute', 'second', 'weekday', 'isoweekday']);
const FORMATTING_READS = new Set(['strftime', 'isoformat', 'date', 'replace', 'timestamp', 'year', 'month', 'day', 'hour', 'weekday', 'isoweekday', 'timetuple']);

/** How the file refers to the datetime class and module, from its imports. */
interface DatetimeNames {
  /** Local names of the `datetime` class (`from datetime import datetime [as dt]`). */
  classNames: Set<string>;
  /** Local names of the `datetime` module (`import datetime [as dt]`). */
  moduleNames: Set<string>;
  /** The local name of `datetime.timezone` when imported, and the import statement to extend otherwise. */
  timezoneName: string | null;
  fromImport: PythonNode | null;
}

function datetimeNames(root: PythonNode): DatetimeNames {
  const names: DatetimeNames = { classNames: new Set(), moduleNames: new Set(), timezoneName: null, fromImport: null };
  for (const statement of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (statement === null) continue;
    if (statement.type === 'import_statement') {
      for (const imported of statement.childrenForFieldName('name')) {
        if (imported === null) continue;
        if (imported.type === 'dotted_name' && imported.text === 'datetime') names.moduleNames.add('datetime');
        if (imported.type === 'aliased_import' && imported.childForFieldName('name')?.text === 'datetime') {
          const alias = imported.childForFieldName('alias');
          if (alias !== null) names.moduleNames.add(alias.text);
        }
      }
      continue;
    }
    if (statement.childForFieldName('module_name')?.text !== 'datetime') continue;
    for (const imported of statement.childrenForFieldName('name')) {
      if (imported === null) continue;
      const name = imported.type === 'aliased_import' ? imported.childForFieldName('name')?.text : imported.text;
      const local = imported.type === 'aliased_import' ? (imported.childForFieldName('alias')?.text ?? name) : name;
      if (local === undefined) continue;
      if (name === 'datetime') {
        names.classNames.add(local);
        names.fromImport ??= statement;
      }
      if (name === 'timezone') names.timezoneName = local;
    }
  }
  return names;
}

/** The expression a value flows into: the call itself, or the chain that reads from it. */
function outermostRead(call: PythonNode): { node: PythonNode; read: string | null; readCall: PythonNode | null } {
  const parent = call.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('object')?.equals(call) === true) {
    const read = parent.childForFieldName('attribute')?.text ?? null;
    const grand = parent.parent;
    if (grand?.type === 'call' && grand.childForFieldName('function')?.equals(parent) === true) return { node: grand, read, readCall: grand };
    return { node: parent, read, readCall: null };
  }
  return { node: call, read: null, readCall: null };
}

/** Where the value goes: a reason to report it, or null when nothing says it places data in time. */
function placesInTime(call: PythonNode): string | null {
  const { node, read } = outermostRead(call);
  if (read !== null && FORMATTING_READS.has(read)) return `.${read}`;
  let current = node;
  for (let depth = 0; depth < 6; depth++) {
    const parent = current.parent;
    if (parent === null) return null;
    if (parent.type === 'interpolation') return 'string';
    if (parent.type === 'binary_operator') {
      const operator = parent.childForFieldName('operator')?.type;
      if (operator === '%') return 'string';
      if ((operator === '+' || operator === '-') && /timedelta|relativedelta|delta/i.test(parent.text)) return 'timedelta';
    }
    if (parent.type === 'argument_list' && parent.parent?.type === 'call') {
      const callee = parent.parent.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'format') return 'string';
    }
    if (parent.type === 'keyword_argument') {
      const name = parent.childForFieldName('name')?.text ?? '';
      return DATE_LIKE_NAME.test(name) && !TIMER_NAME.test(name) ? name : null;
    }
    if (parent.type === 'assignment') {
      const left = parent.childForFieldName('left');
      const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? (left.childForFieldName('attribute')?.text ?? '') : '';
      return DATE_LIKE_NAME.test(name) && !TIMER_NAME.test(name) ? name : null;
    }
    if (parent.type === 'expression_statement' || parent.type === 'block' || parent.type === 'return_statement' || parent.type === 'comparison_operator') return null;
    current = parent;
  }
  return null;
}

/** Calls whose arguments are only shown to a person: a value formatted for them places nothing. */
const LOGGING_CALL = /^(?:print|(?:\w+\.)*(?:log|logger|logging|LOG|LOGGER|_log|_logger)\.\w+|(?:\w+\.)*(?:debug|info|warning|warn|error|exception|critical))$/;

/** True when the node is part of the arguments of a print or logging call. */
function insideLoggingCall(node: PythonNode): boolean {
  for (let current = node.parent; current !== null; current = current.parent) {
    if (current.type === 'call' && LOGGING_CALL.test(current.childForFieldName('function')?.text ?? '')) return true;
    if (current.type === 'expression_statement' || current.type === 'block' || current.type === 'function_definition') return false;
  }
  return false;
}

/**
 * `t = datetime.today()` then `t.strftime(...)` or `f"{t:%Y}"`: the value placed in time through a
 * plain variable, whatever its name. Only reads that turn it into a calendar value or a string count
 * (not a `timedelta` shift, which is as often a deadline or an expiry as a window edge), outside
 * print and logging calls, up to the next assignment of the name in the same function.
 */
function placesInTimeThroughName(call: PythonNode): { name: string; read: string } | null {
  const assignment = call.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.equals(call) !== true) return null;
  const left = assignment.childForFieldName('left');
  if (left?.type !== 'identifier' || TIMER_NAME.test(left.text)) return null;
  const name = left.text;
  let scope: PythonNode | null = assignment.parent;
  while (scope !== null && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (scope === null) return null;
  const start = assignment.endIndex;
  let reassigned = Number.POSITIVE_INFINITY;
  let use: string | null = null;
  walkPythonNamed(scope, (node) => {
    if (use !== null || node.startIndex >= reassigned) return false;
    if (node !== scope && (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda')) return false;
    if (node.endIndex <= start) return false;
    if (node.type === 'assignment' && node.startIndex >= start && node.childForFieldName('left')?.text === name) {
      reassigned = node.startIndex;
      return false;
    }
    if (node.type !== 'identifier' || node.text !== name || node.startIndex < start) return true;
    const parent = node.parent;
    if (parent === null || insideLoggingCall(node)) return false;
    if (parent.type === 'attribute' && parent.childForFieldName('object')?.equals(node) === true) {
      const read = parent.childForFieldName('attribute')?.text ?? '';
      if (FORMATTING_READS.has(read) && read !== 'timestamp') use = `.${read}`;
      return false;
    }
    if (parent.type === 'interpolation' || (parent.type === 'binary_operator' && parent.childForFieldName('operator')?.type === '%' && parent.childForFieldName('left')?.type === 'string')) use = 'string';
    return false;
  });
  return use === null ? null : { name, read: use };
}

/** How the message names the use: the direct one, or the variable and how it is read. */
function describeUse(direct: string | null, through: { name: string; read: string } | null): string {
  if (direct === null) return through === null ? 'a value' : through.read === 'string' ? `\`${through.name}\`, spliced into a string (a path or key)` : `\`${through.name}\`, read with \`${through.read}\``;
  if (direct === 'string') return 'a string (a path or key)';
  if (direct === 'timedelta') return 'a window edge (shifted by a timedelta)';
  return direct.startsWith('.') ? `a value read with \`${direct}\`` : `the value of \`${direct}\``;
}

/** The fix's safety: safe only where the aware value prints exactly as the naive one did. */
function fixSafety(call: PythonNode): FixSafety {
  const { read, readCall } = outermostRead(call);
  // On a host that is not in UTC, `datetime.now()` becomes another day near midnight: that is the
  // bug being fixed. What must not change is how the value behaves, and a value compared with,
  // subtracted from or printed next to naive ones does change (TypeError, a `+00:00` suffix).
  if (read === null) return 'unsafe';
  if (SAFE_READS.has(read) && (read !== 'date' || readCall !== null)) return 'safe';
  if (read === 'strftime' && readCall !== null) {
    const format = pythonArguments(readCall).positional[0];
    if (format?.type === 'string' && !/%[zZ]/.test(format.text)) return 'safe';
  }
  return 'unsafe';
}

function fixFor(call: PythonNode, method: string, object: PythonNode, names: DatetimeNames): Fix | null {
  const callee = call.childForFieldName('function');
  const argumentList = call.childForFieldName('arguments');
  const attribute = callee?.childForFieldName('attribute');
  if (argumentList === null || argumentList === undefined || attribute === null || attribute === undefined) return null;
  const edits: TextEdit[] = [];
  let utc: string;
  if (object.type === 'attribute') {
    // `datetime.datetime.now()`: the module is imported, so its `timezone` needs no import.
    utc = `${object.childForFieldName('object')?.text ?? 'datetime'}.timezone.utc`;
  } else if (names.timezoneName !== null) {
    utc = `${names.timezoneName}.utc`;
  } else if (names.fromImport !== null) {
    const lastName = names.fromImport.childrenForFieldName('name').filter((child): child is PythonNode => child !== null).pop();
    if (lastName === undefined) return null;
    edits.push({ range: { start: lastName.endIndex, end: lastName.endIndex }, newText: ', timezone' });
    utc = 'timezone.utc';
  } else {
    return null;
  }
  const { positional } = pythonArguments(call);
  const argumentsText = argumentList.text;
  const inner = argumentsText.slice(1, -1).trim();
  let newCall: string;
  if (method === 'now' || method === 'utcnow' || method === 'today') newCall = `now(tz=${utc})`;
  else if (method === 'fromtimestamp' || method === 'utcfromtimestamp') {
    const timestamp = positional[0];
    if (timestamp === undefined) return null;
    newCall = `fromtimestamp(${inner.replace(/,\s*$/, '')}, tz=${utc})`;
  } else return null;
  edits.push({ range: { start: attribute.startIndex, end: argumentList.endIndex }, newText: newCall });
  return { title: `Use an aware UTC datetime: \`${newCall}\``, safety: fixSafety(call), edits };
}

export default defineRule<MessageId>({
  meta: {
    id: 'naive-datetime-in-pipeline',
    family: 'app',
    target: 'python',
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production', 'notebook'],
    summary: 'A naive `datetime.now()` / `utcnow()` / `fromtimestamp()` used to compute a partition, window or path in pipeline code.',
    why: 'A naive datetime is read in whatever time zone the worker runs in: the day, hour or path it yields changes between a laptop, a scheduler and a container, so partitions are written under the wrong date around midnight, and naive values silently mix with aware ones from the database or Airflow.',
    messages: {
      naiveNow: '`{{call}}` is a naive datetime used as {{use}}: its day depends on the worker\'s time zone; use an aware UTC value: `{{suggestion}}`.',
      // utcnow() is UTC wherever it runs; what is wrong is that it carries no zone (#13: the
      // message once said its day depended on the worker's zone, which is false).
      naiveUtcReadAsLocal: '`{{call}}` is UTC but naive, used as {{use}}, in a file that turns naive datetimes into epoch seconds with `time.mktime`, which reads them as local time: on a worker not in UTC the instant is off by the zone\'s offset; use an aware UTC value: `{{suggestion}}`.',
      naiveUtc: '`{{call}}` is UTC but naive, used as {{use}}: compared with or converted like an aware value it is taken as local time or raises TypeError, and it is deprecated since Python 3.12; use an aware UTC value: `{{suggestion}}`.',
    },
    options: {},
    prefilter: ['utcnow', 'now(', 'today(', 'fromtimestamp'],
    sources: ['Ruff DTZ001-DTZ012 (flake8-datetimez)', 'Pylint W1502 (datetime.utcnow deprecated, Python 3.12)'],
  },
  create(context) {
    let names: DatetimeNames | null = null;
    let readsNaiveAsLocal = false;
    return {
      pythonFile(file) {
        names = PIPELINE_IMPORT.test(file.text) ? datetimeNames(file.root) : null;
        readsNaiveAsLocal = NAIVE_AS_LOCAL.test(file.text);
      },
      pythonNodes: {
        call(call) {
          if (names === null) return;
          const callee = call.childForFieldName('function');
          if (callee?.type !== 'attribute') return;
          const method = callee.childForFieldName('attribute')?.text ?? '';
          const object = callee.childForFieldName('object');
          if (!NAIVE_METHODS.has(method) || object === null) return;
          const isClass = (object.type === 'identifier' && names.classNames.has(object.text)) || (object.type === 'attribute' && object.childForFieldName('attribute')?.text === 'datetime' && names.moduleNames.has(object.childForFieldName('object')?.text ?? ''));
          if (!isClass) return;
          const { positional, keywords } = pythonArguments(call);
          if (keywords.has('tz') || keywords.has('tzinfo')) return;
          if (method === 'now' && positional.length > 0) return;
          if (method === 'fromtimestamp' && positional.length > 1) return;
          const utc = method === 'utcnow' || method === 'utcfromtimestamp';
          const direct = placesInTime(call);
          // Through a variable, a naive UTC value is only wrong where the file reads naive values as
          // local time: its day and fields are the UTC ones otherwise (reviewers, #13).
          const through = direct !== null || (utc && !readsNaiveAsLocal) ? null : placesInTimeThroughName(call);
          if (direct === null && through === null) return;
          const fix = fixFor(call, method, object, names);
          const suggestion = fix?.edits[fix.edits.length - 1]?.newText ?? 'now(tz=timezone.utc)';
          context.report({
            messageId: utc ? (direct === null ? 'naiveUtcReadAsLocal' : 'naiveUtc') : 'naiveNow',
            data: { call: call.text, use: describeUse(direct, through), suggestion: `${object.text}.${suggestion}` },
            range: { start: call.startIndex, end: call.endIndex },
            fixes: fix === null ? [] : [fix],
          });
        },
      },
    };
  },
});
