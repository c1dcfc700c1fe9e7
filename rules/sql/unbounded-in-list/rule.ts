/**
 * unbounded-in-list: an `IN (...)` list spliced together from a runtime array in embedded SQL
 * (`IN (${ids.join(',')})`, `IN (${ids.map(() => '?').join(', ')})`, a constant holding such a
 * join, or the quoted `IN ('${ids.join("','")}')`). The statement's text, and its number of bind
 * parameters, grow with the array. A .sql file cannot contain the pattern; only embedded SQL is read.
 */

import { matchingParen, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlSource, Substitution } from '../../engine/languages/sql/source';
import { defineRule } from '../../engine/rule';
import type { SqlDialect } from '../../engine/types';
import { tokenRange } from '../helpers/tokens';
import { quotedSubstitution } from '../helpers/substitutions';
import { readsOnlySystemCatalogs } from '../helpers/relations';

type MessageId = 'growingList';

/** The ceiling a growing list hits, and the bounded alternative, per dialect. */
function dialectWording(dialect: SqlDialect): { limit: string; advice: string } {
  switch (dialect) {
    case 'postgresql':
      return { limit: "the driver's parameter limit (65,535 in PostgreSQL)", advice: 'bind the array once: `= ANY($1)` (PostgreSQL) or chunk the list' };
    case 'mysql':
    case 'mariadb':
      return { limit: "the driver's parameter limit (65,535 placeholders in MySQL) or `max_allowed_packet`", advice: 'chunk the list, or join a temporary table or `JSON_TABLE(?, ...)` over one JSON parameter' };
    case 'sqlite':
      return { limit: "SQLite's variable limit (32,766; 999 before 3.32)", advice: 'bind one JSON array: `IN (SELECT value FROM json_each(?))`, or chunk the list' };
    case 'transactsql':
      return { limit: "SQL Server's limit of 2,100 parameters", advice: 'pass one table-valued parameter or `OPENJSON(@ids)`, or chunk the list' };
    case 'bigquery':
      return { limit: "the query's length limit", advice: 'bind one array parameter: `IN UNNEST(@ids)`' };
    default:
      return { limit: "the driver's parameter and statement-size limits", advice: 'chunk the list, or join a temporary table' };
  }
}

/** Arrays that cannot grow: a literal array, or a SCREAMING_CASE module constant. */
function isBoundedArray(expressionText: string): boolean {
  const text = expressionText.trim();
  if (text.startsWith('[')) return true;
  const root = /^[A-Za-z_$][\w$]*/.exec(text)?.[0] ?? '';
  return root.length > 1 && /^[A-Z][A-Z0-9_]*$/.test(root);
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/** The array-join substitution listed in the `IN (` at `open`, with its quote when quoted, or null. */
function arrayJoinInList(source: SqlSource, model: StatementModel, open: number, close: number): { substitution: Substitution; quote: string } | null {
  const innerDepth = (model.depths[open] ?? 0) + 1;
  for (let index = open + 1; index < close; index++) {
    const token = model.tokens[index];
    if (token === undefined || model.depths[index] !== innerDepth) continue;
    if (token.kind === 'word' && token.upper === 'SELECT') return null;
    if (token.kind !== 'placeholder' || token.substitution === undefined) continue;
    const substitution = source.substitutions[token.substitution];
    if (substitution === undefined || !substitution.isArrayJoin || isBoundedArray(substitution.expressionText)) continue;
    const quoted = quotedSubstitution(model, index, source.dialect);
    // A joined list inside a quoted identifier is a name, not values.
    if (quoted !== null && quoted.kind !== 'string') continue;
    return { substitution, quote: quoted?.quote ?? '' };
  }
  return null;
}

export default defineRule<MessageId>({
  meta: {
    id: 'unbounded-in-list',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'An `IN (...)` list spliced together from a runtime array (`IN (${ids.join(\',\')})`).',
    why: 'Every array length is a new statement text: the plan cache and the prepared-statement cache fill with near-duplicates, and past the driver\'s parameter limit (65,535 in PostgreSQL and MySQL, 2,100 in SQL Server) the query fails outright, but only once the data has grown.',
    messages: {
      growingList: '`{{list}}` grows with the array: one statement text per length (plan-cache churn) and a hard failure past {{limit}}; {{advice}}.',
    },
    options: {},
    prefilter: ['join'],
    sources: ['Faultline survey: sql-unbounded-in-list (no equivalent rule found in squawk, sqlfluff or Sonar)', 'node-postgres FAQ: `WHERE id = ANY($1)` with an array parameter'],
  },
  create(context) {
    return {
      statement(statement, source) {
        if (!source.embedded || source.substitutions.length === 0) return;
        const model = statement.model;
        const { limit, advice } = dialectWording(source.dialect);
        for (let index = 0; index < model.tokens.length; index++) {
          const token = model.tokens[index];
          if (token === undefined || token.kind !== 'word' || token.upper !== 'IN') continue;
          const open = index + 1;
          if (model.tokens[open]?.text !== '(' || model.tokens[open]?.kind !== 'punctuation') continue;
          const close = matchingParen(model, open);
          if (model.tokens[close]?.text !== ')') continue;
          const found = arrayJoinInList(source, model, open, close);
          if (found === null) continue;
          // A list of schema or table names in a catalog query is bounded by the schema itself.
          const block = model.blocks[model.blockOfToken[index] ?? -1];
          if (block !== undefined && readsOnlySystemCatalogs(model, block)) continue;
          const { quote } = found;
          context.report({
            messageId: 'growingList',
            data: { list: `IN (${quote}\${${shorten(found.substitution.expressionText)}}${quote})`, limit, advice },
            range: tokenRange(model, index, close + 1),
          });
          index = close;
        }
      },
    };
  },
});
