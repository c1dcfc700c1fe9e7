/**
 * airflow-now-in-task: inside the code an Airflow task runs (a `@task` function, a
 * `python_callable=` defined in the file, an operator's `execute`), a read of the wall clock
 * (`datetime.now()` / `utcnow()` / `today()`, `date.today()`, `pendulum.now()`, `time.time()`,
 * Airflow's `timezone.utcnow()`, `pd.Timestamp.now()`) whose value decides which data the task
 * processes: it is shifted by a timedelta, formatted into a date, spliced into SQL or a storage
 * path, or stored under a name that says it is a date or a window edge. Also `NOW()` /
 * `CURRENT_DATE` in the WHERE of a query an Airflow SQL operator or a task runs.
 *
 * Left alone on purpose: DAG-definition code (`start_date=...` is another pitfall), sensors,
 * values that only time a step or go to a log, comparisons with a deadline, and audit columns
 * (`loaded_at=`). No fix: which context field replaces the clock is the author's call.
 */

import type { PythonNode, PythonSqlSite } from '../../engine/languages/python';
import { pythonCalleeName } from '../../engine/languages/python';
import { mapRangeToHost } from '../../engine/embedded';
import type { SqlSource } from '../../engine/languages/sql/source';
import { findClause, ownTokenIndices } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { airflowTaskScopes, isAirflowFile, taskScopeAt,
  taskOfSqlSite, type AirflowTaskScope } from '../helpers/python-airflow';

type MessageId = 'nowInTask' | 'nowInTaskSql';

/** How the file names the clocks, from its imports. */
interface ClockNames {
  datetimeClasses: Set<string>;
  dateClasses: Set<string>;
  datetimeModules: Set<string>;
  pendulum: Set<string>;
  timeModules: Set<string>;
  timeFunctions: Set<string>;
  airflowTimezone: Set<string>;
  pandas: Set<string>;
}

function clockNames(root: PythonNode): ClockNames {
  const names: ClockNames = { datetimeClasses: new Set(), dateClasses: new Set(), datetimeModules: new Set(), pendulum: new Set(), timeModules: new Set(), timeFunctions: new Set(), airflowTimezone: new Set(), pandas: new Set() };
  for (const statement of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (statement === null) continue;
    const imported = statement.childrenForFieldName('name').filter((child): child is PythonNode => child !== null);
    const pairs = imported.map((child) => {
      const name = child.type === 'aliased_import' ? (child.childForFieldName('name')?.text ?? '') : child.text;
      const local = child.type === 'aliased_import' ? (child.childForFieldName('alias')?.text ?? name) : name;
      return { name, local };
    });
    if (statement.type === 'import_statement') {
      for (const { name, local } of pairs) {
        if (name === 'datetime') names.datetimeModules.add(local);
        if (name === 'pendulum') names.pendulum.add(local);
        if (name === 'time') names.timeModules.add(local);
        if (name === 'pandas') names.pandas.add(local);
      }
      continue;
    }
    const module = statement.childForFieldName('module_name')?.text ?? '';
    for (const { name, local } of pairs) {
      if (module === 'datetime' && name === 'datetime') names.datetimeClasses.add(local);
      if (module === 'datetime' && name === 'date') names.dateClasses.add(local);
      if (module === 'time' && name === 'time') names.timeFunctions.add(local);
      if (module === 'airflow.utils' && name === 'timezone') names.airflowTimezone.add(local);
      if (module === 'airflow.utils.timezone' && name === 'utcnow') names.timeFunctions.add(`airflow:${local}`);
    }
  }
  return names;
}

type ClockKind = 'datetime' | 'epoch';

/** The clock a call reads, or null when it reads none. */
function clockOf(call: PythonNode, names: ClockNames): ClockKind | null {
  const callee = call.childForFieldName('function');
  if (callee === null) return null;
  if (call.childForFieldName('arguments')?.namedChildren.some((argument) => argument !== null && argument.type !== 'comment' && argument.type !== 'keyword_argument') === true) {
    // `datetime.now(tz)` is still the wall clock; anything else with positional arguments is not a clock read.
    const method = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : '';
    if (method !== 'now') return null;
  }
  if (callee.type === 'identifier') {
    if (names.timeFunctions.has(callee.text)) return 'epoch';
    if (names.timeFunctions.has(`airflow:${callee.text}`)) return 'datetime';
    return null;
  }
  if (callee.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const object = callee.childForFieldName('object');
  if (object === null) return null;
  const objectText = object.text;
  const moduleOf = (attribute: string): boolean => object.type === 'attribute' && object.childForFieldName('attribute')?.text === attribute && object.childForFieldName('object')?.type === 'identifier';
  const moduleName = object.type === 'attribute' ? (object.childForFieldName('object')?.text ?? '') : '';
  if (method === 'now' || method === 'utcnow' || method === 'today') {
    if (object.type === 'identifier' && names.datetimeClasses.has(objectText)) return 'datetime';
    if (moduleOf('datetime') && names.datetimeModules.has(moduleName)) return 'datetime';
    if (moduleOf('Timestamp') && names.pandas.has(moduleName)) return 'datetime';
  }
  if (method === 'today') {
    if (object.type === 'identifier' && names.dateClasses.has(objectText)) return 'datetime';
    if (moduleOf('date') && names.datetimeModules.has(moduleName)) return 'datetime';
  }
  if (object.type === 'identifier' && names.pendulum.has(objectText) && ['now', 'today', 'yesterday', 'tomorrow'].includes(method)) return 'datetime';
  if (object.type === 'identifier' && names.timeModules.has(objectText) && (method === 'time' || method === 'time_ns')) return 'epoch';
  if (object.type === 'identifier' && names.airflowTimezone.has(objectText) && method === 'utcnow') return 'datetime';
  return null;
}

/** Reads that turn an instant into a day, a date string, or a calendar field. */
const FORMATTING = new Set(['strftime', 'isoformat', 'date', 'to_date_string', 'to_datetime_string', 'to_iso8601_string', 'format', 'year', 'month', 'day', 'isocalendar', 'timetuple']);
/** Methods that move or round an instant: a window edge is being computed. */
const SHIFTING = new Set(['replace', 'subtract', 'add', 'start_of', 'end_of', 'floor', 'normalize', 'shift', 'truncate', 'fromtimestamp', 'utcfromtimestamp']);
const DURATION = /timedelta|relativedelta|Duration|duration\(|DateOffset|Timedelta|\b(?:days|hours|weeks|minutes)\s*=/;
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'print', 'echo', 'write']);
/** Names that say a value is a day, a window edge, a partition or a storage location. */
const WINDOW_NAME = /(date|day|partition|window|cutoff|since|until|interval|period|snapshot|logical|execution|prefix|path|folder|_dir$|^dir|file_?name|_key$|^key$|^ds$|_ds$|^ds_|month|year|week)/i;
/** Names of audit values: when a row was loaded, not which rows are loaded. */
const AUDIT_NAME = /(deadline|timeout|expir|ttl|_at$|^at_|loaded|ingest|inserted|created|updated|modified|processed|extracted|^etl_|_etl$|run_?time|run_ts|audit|timestamp$|time_?stamp|checked|sent|received|generated|last_run|heartbeat|^now$)/i;
/** Epoch seconds are mostly timers; only these names say they bound data. */
const EPOCH_WINDOW_NAME = /(since|until|cutoff|window|from_ts|to_ts|start_ts|end_ts|date|day)/i;
const SQL_TEXT = /\b(?:select|insert|update|delete|merge|where)\b/i;
const PATH_TEXT = /\/|\\|\.(?:csv|parquet|json|jsonl|avro|orc|gz|txt|xlsx?)\b|\b(?:s3|gs|abfss?|hdfs):|\b(?:dt|date|ds|day|partition)=/i;

type Use = { kind: 'flag'; reason: string } | { kind: 'skip' } | { kind: 'follow'; name: string };

function isLogCall(call: PythonNode): boolean {
  const name = pythonCalleeName(call) ?? '';
  if (!LOG_METHODS.has(name)) return false;
  const callee = call.childForFieldName('function');
  if (callee?.type === 'identifier') return name === 'print';
  return true;
}

function stringNodeOf(node: PythonNode): PythonNode {
  let current = node;
  while (current.parent !== null && (current.parent.type === 'concatenated_string' || current.parent.type === 'parenthesized_expression')) current = current.parent;
  return current;
}

/** Whether a string that receives the clock's value is a log message, or SQL / a path that places data. */
function stringUse(stringNode: PythonNode, formatted: boolean): Use {
  const whole = stringNodeOf(stringNode);
  let host: PythonNode | null = whole.parent;
  // `"...".format(now)` and `"..." % now`: step to the expression the string belongs to.
  for (let depth = 0; depth < 3 && host !== null && (host.type === 'binary_operator' || host.type === 'attribute' || host.type === 'call'); depth++) {
    if (host.type === 'call' && isLogCall(host)) return { kind: 'skip' };
    host = host.parent;
  }
  if (host?.type === 'argument_list' && host.parent?.type === 'call' && isLogCall(host.parent)) return { kind: 'skip' };
  if (SQL_TEXT.test(whole.text)) return { kind: 'flag', reason: 'a SQL filter' };
  if (PATH_TEXT.test(whole.text)) return { kind: 'flag', reason: 'a storage path' };
  if (formatted && host?.type === 'assignment') {
    const name = host.childForFieldName('left')?.text ?? '';
    if (WINDOW_NAME.test(name) && !AUDIT_NAME.test(name)) return { kind: 'flag', reason: `\`${name}\`` };
  }
  return { kind: 'skip' };
}

/** Follows the value read from the clock to where it goes, and says whether that places data in time. */
function useOf(start: PythonNode, clock: ClockKind, allowFollow: boolean): Use {
  let current = start;
  let formatted = false;
  let shifted = false;
  for (let depth = 0; depth < 12; depth++) {
    const parent: PythonNode | null = current.parent;
    if (parent === null) return { kind: 'skip' };
    if (parent.type === 'attribute' && parent.childForFieldName('object')?.equals(current) === true) {
      const read = parent.childForFieldName('attribute')?.text ?? '';
      if (FORMATTING.has(read)) formatted = true;
      if (SHIFTING.has(read)) shifted = true;
      const grand = parent.parent;
      current = grand?.type === 'call' && grand.childForFieldName('function')?.equals(parent) === true ? grand : parent;
      continue;
    }
    if (parent.type === 'binary_operator') {
      const operator = parent.childForFieldName('operator')?.type;
      const left = parent.childForFieldName('left');
      const right = parent.childForFieldName('right');
      const other = left?.equals(current) === true ? right : left;
      if (operator === '%' && right?.equals(current) === true && left !== null && (left.type === 'string' || left.type === 'concatenated_string')) return stringUse(left, formatted);
      if (operator === '+' || operator === '-') {
        const otherText = other?.text ?? '';
        // Moving back from now opens a window (`now - 1 day`); moving forward sets a deadline, a timer.
        if (operator === '+' && (DURATION.test(otherText) || /\b\d+\b/.test(otherText))) return { kind: 'skip' };
        if (DURATION.test(otherText)) shifted = true;
        else if (clock === 'epoch' && left?.equals(current) === true && /\b\d{2,}\b/.test(otherText)) shifted = true;
        // `now() - started`: the difference of two instants is a duration, a timer.
        else return { kind: 'skip' };
        current = parent;
        continue;
      }
      if (operator === '//' || operator === '*' || operator === '/') {
        current = parent;
        continue;
      }
      return { kind: 'skip' };
    }
    if (parent.type === 'parenthesized_expression') {
      current = parent;
      continue;
    }
    if (parent.type === 'interpolation') {
      if (parent.namedChildren.some((child) => child !== null && child.type === 'format_specifier')) formatted = true;
      const string = parent.parent;
      if (string === null) return { kind: 'skip' };
      return stringUse(string, formatted);
    }
    if (parent.type === 'argument_list' && parent.parent?.type === 'call') {
      const call = parent.parent;
      if (isLogCall(call)) return { kind: 'skip' };
      const callee = pythonCalleeName(call) ?? '';
      if (['int', 'float', 'str', 'round'].includes(callee) || SHIFTING.has(callee)) {
        if (SHIFTING.has(callee)) clock = 'datetime';
        current = call;
        continue;
      }
      const calleeNode = call.childForFieldName('function');
      const object = calleeNode?.type === 'attribute' ? calleeNode.childForFieldName('object') : null;
      if (callee === 'format' && object !== null && object !== undefined && (object.type === 'string' || object.type === 'concatenated_string')) return stringUse(object, formatted);
      // Handing a day or a window edge to another call (a query, a loader) processes that window.
      if (shifted) return { kind: 'flag', reason: 'a window edge' };
      if (formatted && clock === 'datetime') return { kind: 'flag', reason: 'a date' };
      return { kind: 'skip' };
    }
    if (parent.type === 'keyword_argument' || parent.type === 'pair' || parent.type === 'assignment' || parent.type === 'augmented_assignment') {
      const nameNode = parent.type === 'keyword_argument' ? parent.childForFieldName('name') : parent.type === 'pair' ? parent.childForFieldName('key') : parent.childForFieldName('left');
      if (parent.type !== 'keyword_argument' && parent.type !== 'pair' && nameNode?.equals(current) === true) return { kind: 'skip' };
      if (parent.type === 'pair' && nameNode?.equals(current) === true) return { kind: 'skip' };
      if (parent.type === 'keyword_argument' && parent.parent?.parent?.type === 'call' && isLogCall(parent.parent.parent)) return { kind: 'skip' };
      let name = nameNode?.text ?? '';
      if (nameNode?.type === 'subscript') name = nameNode.childForFieldName('subscript')?.text ?? name;
      if (nameNode?.type === 'attribute') name = nameNode.childForFieldName('attribute')?.text ?? name;
      name = name.replace(/^['"]|['"]$/g, '');
      if (AUDIT_NAME.test(name)) return { kind: 'skip' };
      if (shifted) return { kind: 'flag', reason: 'a window edge' };
      const windowName = clock === 'epoch' ? EPOCH_WINDOW_NAME : WINDOW_NAME;
      if (windowName.test(name)) return { kind: 'flag', reason: `\`${name}\`` };
      if (allowFollow && parent.type === 'assignment' && nameNode?.type === 'identifier') return { kind: 'follow', name };
      return { kind: 'skip' };
    }
    if (parent.type === 'return_statement') {
      if (shifted) return { kind: 'flag', reason: 'a window edge' };
      if (formatted && clock === 'datetime') return { kind: 'flag', reason: 'a date' };
      return { kind: 'skip' };
    }
    if (parent.type === 'tuple' || parent.type === 'list' || parent.type === 'expression_list') {
      // A tuple of values: the use of the tuple is the use of each.
      current = parent;
      continue;
    }
    return { kind: 'skip' };
  }
  return { kind: 'skip' };
}

/** Uses of a name assigned from the clock, inside the task: the first that places data decides. */
function followName(name: string, assignment: PythonNode, scope: AirflowTaskScope, root: PythonNode, clock: ClockKind): string | null {
  const scopeNode = root.descendantForIndex(scope.range.start, scope.range.end);
  if (scopeNode === null) return null;
  for (const identifier of scopeNode.descendantsOfType('identifier')) {
    if (identifier === null || identifier.text !== name || identifier.startIndex <= assignment.endIndex) continue;
    const use = useOf(identifier, clock, false);
    if (use.kind === 'flag') return use.reason;
  }
  return null;
}

/** Functions a SQL WHERE may use to read the database's clock. */
const SQL_CLOCK_WORDS = new Set(['CURRENT_DATE', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'SYSDATE', 'SYSTIMESTAMP']);
const SQL_CLOCK_CALLS = new Set(['NOW', 'GETDATE', 'GETUTCDATE', 'SYSDATETIME', 'CURDATE', 'UNIX_TIMESTAMP', 'TODAY', 'CURRENT_DATE', 'CURRENT_TIMESTAMP']);

export default defineRule<MessageId>({
  meta: {
    id: 'airflow-now-in-task',
    family: 'app',
    target: 'python',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'The wall clock (`datetime.now()`, `date.today()`, `pendulum.now()`, `time.time()`, SQL `NOW()`) decides which data an Airflow task processes, instead of the run\'s interval.',
    why: 'Airflow reruns a failed task and backfills old intervals with the same code; a window computed from now processes the day of the rerun instead of the run\'s own interval, so a retry after midnight skips a day, a backfill loads today\'s data a hundred times, and the gap is silent.',
    messages: {
      nowInTask: '`{{call}}` in Airflow task `{{task}}` sets {{use}} from the wall clock, so reruns and backfills process the wrong window; take it from the run instead: `data_interval_start` / `logical_date` from the context.',
      nowInTaskSql: '`{{call}}` filters the rows of Airflow task `{{task}}` by the database clock, so reruns and backfills read the wrong window; filter on the run\'s interval instead: `\'{{ data_interval_start }}\'` / `\'{{ ds }}\'`.',
    },
    options: {},
    prefilter: ['airflow'],
    sources: ['Airflow docs "Best Practices: Creating a task" (never use now() inside a task for critical computation)', 'Ruff AIR304 (dynamic values in DAG constructor arguments, a neighbouring pitfall)'],
  },
  create(context) {
    let scopes: AirflowTaskScope[] = [];
    let airflow = false;
    const pending = new Map<number, { call: string; task: string; use: string; end: number }>();
    return {
      pythonFile(file) {
        pending.clear();
        airflow = isAirflowFile(file.text);
        scopes = airflowTaskScopes(file.root, file.text);
        if (scopes.length === 0) return;
        const names = clockNames(file.root);
        for (const call of file.root.descendantsOfType('call')) {
          if (call === null) continue;
          const scope = taskScopeAt(scopes, call.startIndex);
          if (scope === undefined) continue;
          const clock = clockOf(call, names);
          if (clock === null) continue;
          const use = useOf(call, clock, true);
          let reason: string | null = null;
          if (use.kind === 'flag') reason = use.reason;
          if (use.kind === 'follow') {
            let assignment: PythonNode | null = call.parent;
            while (assignment !== null && assignment.type !== 'assignment') assignment = assignment.parent;
            if (assignment !== null) reason = followName(use.name, assignment, scope, file.root, clock);
          }
          if (reason === null) continue;
          pending.set(call.startIndex, { call: call.text, task: scope.name, use: reason, end: call.endIndex });
        }
      },
      pythonNodes: {
        call(call) {
          const found = pending.get(call.startIndex);
          if (found === undefined || found.end !== call.endIndex) return;
          context.report({ messageId: 'nowInTask', data: { call: found.call, task: found.task, use: found.use }, range: { start: call.startIndex, end: call.endIndex } });
        },
      },
      pythonEmbeddedSql(site: PythonSqlSite, source: SqlSource) {
        if (!airflow) return;
        const task = taskOfSqlSite(scopes, site);
        if (task === null) return;
        for (const statement of source.statements) {
          const { model } = statement;
          for (const block of model.blocks) {
            if (block.kind !== 'select') continue;
            const where = findClause(block, 'where');
            if (where === undefined) continue;
            for (const index of ownTokenIndices(model, block, where)) {
              const token = model.tokens[index];
              if (token === undefined || token.kind !== 'word') continue;
              const next = model.tokens[index + 1];
              const isCall = next?.text === '(';
              if (!(SQL_CLOCK_WORDS.has(token.upper) && !isCall) && !(SQL_CLOCK_CALLS.has(token.upper) && isCall)) continue;
              const closing = isCall ? model.tokens.slice(index + 2).find((candidate) => candidate.text === ')') : undefined;
              const end = closing?.end ?? token.end;
              const range = mapRangeToHost(site.embedded, { start: token.start, end });
              context.report({ messageId: 'nowInTaskSql', data: { call: source.text.slice(token.start, end), task }, range });
            }
          }
        }
      },
    };
  },
});
