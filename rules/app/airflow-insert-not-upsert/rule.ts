/**
 * airflow-insert-not-upsert: SQL an Airflow task runs (the `sql=` of a SQL operator, or a hook or
 * cursor call inside a task) that appends with a plain `INSERT INTO target` while nothing makes
 * the write repeatable: no `ON CONFLICT` / `ON DUPLICATE KEY`, no `MERGE`, `INSERT OVERWRITE`,
 * `REPLACE INTO` or `INSERT OR REPLACE`, no anti-join against the target in the same statement,
 * and no `DELETE` / `TRUNCATE` / `DROP` / `CREATE OR REPLACE` of the target anywhere in the DAG
 * file (a preceding clean-up task counts). Also `hook.insert_rows(...)` in a task without
 * `replace=True` (DbApiHook's default is `replace=False`), and pandas `to_sql(...,
 * if_exists="append")` in a task.
 *
 * Temporary targets and log/audit tables are left alone. No fix: the conflict key or the interval
 * to delete is the author's knowledge.
 */

import type { PythonNode, PythonSqlSite } from '../../engine/languages/python';
import { pythonArguments, pythonCalleeName } from '../../engine/languages/python';
import { mapRangeToHost } from '../../engine/embedded';
import type { SqlSource } from '../../engine/languages/sql/source';
import type { SqlToken } from '../../engine/languages/sql/tokenizer';
import { defineRule } from '../../engine/rule';
import { airflowTaskScopes, isAirflowFile, taskScopeAt,
  taskOfSqlSite, type AirflowTaskScope } from '../helpers/python-airflow';

type MessageId = 'plainInsert' | 'insertRows' | 'toSqlAppend';

/** Statements anywhere in the file that reset a target before it is written again. */
const RESETS = /\b(?:DELETE\s+FROM|DELETE|TRUNCATE(?:\s+TABLE)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|MERGE\s+INTO|CREATE\s+OR\s+REPLACE\s+(?:TRANSIENT\s+)?TABLE|INSERT\s+OVERWRITE(?:\s+TABLE|\s+INTO)?|REPLACE\s+INTO|CREATE\s+(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?)\s+([\w.$"`[\]{}]+)/gi;
/** Targets that are scratch space or a run log, where one more row per attempt is intended or harmless. */
const SCRATCH_TARGET = /^#|(?:^|[._])(?:tmp|temp)(?:_|$)|_(?:tmp|temp)$|(?:^|[._])(?:audit|audit_log|etl_log|job_log|run_log|logs?)$|_(?:log|logs|audit)$/i;

function normalizeTarget(name: string): string {
  return name.replace(/["`[\]]/g, '').toLowerCase();
}

/** The bare table name: `analytics.public.orders` → `orders`, so a schema-qualified DELETE still counts. */
function tableOf(name: string): string {
  return normalizeTarget(name).split('.').pop() ?? '';
}

function significant(tokens: SqlToken[]): SqlToken[] {
  return tokens.filter((token) => token.kind !== 'comment');
}

/** The target of `INSERT INTO target ...` and the tokens after it, or null for any other statement or an idempotent form. */
function plainInsert(tokens: SqlToken[]): { target: string; first: SqlToken; last: SqlToken; rest: SqlToken[] } | null {
  const list = significant(tokens);
  let index = list.findIndex((token) => token.depth === 0 && token.upper === 'INSERT');
  if (index === -1) return null;
  // `WITH ... INSERT` (PostgreSQL) is an insert too; anything else before it is another statement kind.
  if (index > 0 && list[0]?.upper !== 'WITH') return null;
  const first = list[index];
  const next = list[index + 1];
  if (first === undefined || next?.upper !== 'INTO') return null;
  index += 2;
  const nameTokens: SqlToken[] = [];
  while (index < list.length) {
    const token = list[index];
    if (token === undefined) break;
    if (token.kind === 'word' || token.kind === 'quotedIdentifier' || token.kind === 'placeholder' || token.text === '.') {
      if (nameTokens.length > 0 && token.text !== '.' && nameTokens[nameTokens.length - 1]?.text !== '.') break;
      nameTokens.push(token);
      index++;
      continue;
    }
    break;
  }
  const last = nameTokens[nameTokens.length - 1];
  if (last === undefined || first === undefined) return null;
  return { target: nameTokens.map((token) => token.text).join(''), first, last, rest: list.slice(index) };
}

function isIdempotentForm(rest: SqlToken[], target: string): boolean {
  for (let index = 0; index < rest.length; index++) {
    const token = rest[index];
    const next = rest[index + 1];
    if (token?.upper === 'ON' && (next?.upper === 'CONFLICT' || next?.upper === 'DUPLICATE')) return true;
  }
  // `INSERT INTO t SELECT ... WHERE NOT EXISTS (SELECT 1 FROM t ...)`: the statement dedupes against its target.
  const table = tableOf(target);
  return rest.some((token) => (token.kind === 'word' || token.kind === 'quotedIdentifier') && tableOf(token.text) === table);
}

export default defineRule<MessageId>({
  meta: {
    id: 'airflow-insert-not-upsert',
    family: 'app',
    target: 'python',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A plain `INSERT INTO` (or `insert_rows`, `to_sql(if_exists="append")`) in Airflow task SQL with no upsert, merge or delete of the interval first.',
    why: 'Airflow retries failed tasks and reruns old intervals on backfills and clears: a plain INSERT appends the same rows again every time, so totals double after the first retry, and nothing fails to say so.',
    messages: {
      plainInsert: '`INSERT INTO {{target}}` in Airflow task `{{task}}` appends the rows again on every retry or backfill; make the write repeatable: `INSERT ... ON CONFLICT (key) DO UPDATE`, `MERGE`, or `DELETE` the run\'s interval from `{{target}}` first in the same transaction.',
      insertRows: '`{{call}}` in Airflow task `{{task}}` appends the rows again on every retry or backfill; pass `replace=True` (with `replace_index=` on PostgreSQL) or delete the run\'s interval from the table first.',
      toSqlAppend: '`{{call}}` in Airflow task `{{task}}` appends the rows again on every retry or backfill; delete the run\'s interval from the table first, or write the interval to a staging table and merge it.',
    },
    options: {},
    prefilter: ['airflow'],
    sources: ['Airflow docs "Best Practices: Creating a task" ("Do not use INSERT during a task re-run ... Replace it with UPSERT")'],
  },
  create(context) {
    let scopes: AirflowTaskScope[] = [];
    let airflow = false;
    const resetTables = new Set<string>();
    const pending = new Map<number, { messageId: 'insertRows' | 'toSqlAppend'; call: string; task: string; end: number }>();
    let fileText = '';
    /**
     * Inside a task, a delete or truncate anywhere in its body (`hook.run(delete_sql)`), or a read
     * of the target before the write (`SELECT url FROM images`, then insert only the new ones),
     * says the author made the write repeatable in Python: the rule trusts it.
     */
    const taskGuards = (scope: AirflowTaskScope | undefined, target: string): boolean => {
      if (scope === undefined) return false;
      const body = fileText.slice(scope.range.start, scope.range.end);
      if (/\b(?:delete|truncate)\w*/i.test(body) || /\.delete\(/.test(body)) return true;
      const table = tableOf(target).replace(/[{}]/g, '');
      if (table === '') return false;
      const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`\\bFROM\\s+[\\w."\`]*\\b${escaped}\\b`, 'i').test(body);
    };
    const isReset = (target: string): boolean => resetTables.has(tableOf(target)) || SCRATCH_TARGET.test(tableOf(target)) || SCRATCH_TARGET.test(normalizeTarget(target));
    return {
      pythonFile(file) {
        pending.clear();
        resetTables.clear();
        airflow = isAirflowFile(file.text);
        fileText = file.text;
        if (!airflow) return;
        scopes = airflowTaskScopes(file.root, file.text);
        for (const match of file.text.matchAll(RESETS)) resetTables.add(tableOf(match[1] ?? ''));
        for (const call of file.root.descendantsOfType('call')) {
          if (call === null) continue;
          const scope = taskScopeAt(scopes, call.startIndex);
          if (scope === undefined) continue;
          const name = pythonCalleeName(call);
          const callee = call.childForFieldName('function');
          if (callee?.type !== 'attribute') continue;
          const { positional, keywords } = pythonArguments(call);
          if (name === 'insert_rows') {
            const replace = keywords.get('replace');
            if (replace !== undefined && replace.text !== 'False') continue;
            const table = keywords.get('table') ?? positional[0];
            if (table === undefined || isReset(table.text.replace(/^[rfbu]*['"]+|['"]+$/gi, '')) || taskGuards(scope, table.text.replace(/^[rfbu]*['"]+|['"]+$/gi, ''))) continue;
            pending.set(call.startIndex, { messageId: 'insertRows', call: `${callee.text}(...)`, task: scope.name, end: call.endIndex });
          }
          if (name === 'to_sql') {
            const mode = keywords.get('if_exists');
            if (mode === undefined || !/^['"]append['"]$/.test(mode.text)) continue;
            const table = keywords.get('name') ?? positional[0];
            if (table !== undefined && (isReset(table.text.replace(/^[rfbu]*['"]+|['"]+$/gi, '')) || taskGuards(scope, table.text.replace(/^[rfbu]*['"]+|['"]+$/gi, '')))) continue;
            pending.set(call.startIndex, { messageId: 'toSqlAppend', call: `${callee.text}(..., if_exists="append")`, task: scope.name, end: call.endIndex });
          }
        }
      },
      pythonNodes: {
        call(call: PythonNode) {
          const found = pending.get(call.startIndex);
          if (found === undefined || found.end !== call.endIndex) return;
          context.report({ messageId: found.messageId, data: { call: found.call, task: found.task }, range: { start: call.startIndex, end: call.endIndex } });
        },
      },
      pythonEmbeddedSql(site: PythonSqlSite, source: SqlSource) {
        if (!airflow) return;
        const task = taskOfSqlSite(scopes, site);
        if (task === null) return;
        const scope = taskScopeAt(scopes, site.node.startIndex);
        for (const statement of source.statements) {
          const insert = plainInsert(statement.model.tokens);
          if (insert === null) continue;
          if (isIdempotentForm(insert.rest, insert.target) || isReset(insert.target)) continue;
          // A target spliced in from a variable (`INSERT INTO {table}`): its resets are spliced the same way.
          const shown = source.text.slice(insert.first.start, insert.last.end).replace(/^INSERT\s+INTO\s+/i, '');
          const substitutionText = shown.replace(/__fl_(\d+)__/g, (marker, index: string) => `{${source.substitutions[Number(index)]?.expressionText ?? marker}}`);
          if (resetTables.has(tableOf(substitutionText)) || taskGuards(scope, insert.target)) continue;
          const range = mapRangeToHost(site.embedded, { start: insert.first.start, end: insert.last.end });
          context.report({ messageId: 'plainInsert', data: { target: substitutionText, task }, range });
        }
      },
    };
  },
});
