/**
 * order-by-random: `ORDER BY random()` (RAND(), NEWID(), UUID(), gen_random_uuid(),
 * DBMS_RANDOM.VALUE) in a block that reads a stored table and keeps only some rows (LIMIT, TOP,
 * FETCH FIRST). Bounded inputs are left alone: a FROM of only CTEs, subqueries, VALUES or
 * functions, a TABLESAMPLE, or a WHERE that pins a key column (`WHERE quiz_id = $1`).
 */

import { findClause, matchingParen, ownTokenIndices, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import type { SqlDialect } from '../../engine/types';
import { defineRule } from '../../engine/rule';
import { displayText, filtersByKeyEquality, fromItemsOf, isStoredTable, readRowLimit, samplesTable, setOperationBranches } from '../helpers/result-shape';
import { tokenRange } from '../helpers/tokens';

type MessageId = 'randomSort';

const RANDOM_FUNCTIONS = new Set(['RANDOM', 'RAND', 'NEWID', 'UUID', 'GEN_RANDOM_UUID', 'UUID_GENERATE_V4']);

/** The token range of the first random call in the block's ORDER BY (or WHERE), or null. */
function randomCall(model: StatementModel, block: QueryBlock, clauseName: 'orderBy' | 'where' = 'orderBy'): { start: number; end: number } | null {
  const clause = findClause(block, clauseName);
  if (clause === undefined) return null;
  for (const index of ownTokenIndices(model, block, clause)) {
    const token = model.tokens[index];
    if (token === undefined || token.kind !== 'word') continue;
    const previous = model.tokens[index - 1];
    const qualified = previous?.text === '.';
    // `pg_catalog.random()` is the built-in; `my_schema.random()` is someone's own function.
    const builtIn = !qualified || model.tokens[index - 2]?.upper === 'PG_CATALOG';
    if (RANDOM_FUNCTIONS.has(token.upper) && model.tokens[index + 1]?.text === '(' && builtIn) {
      return { start: qualified ? index - 2 : index, end: matchingParen(model, index + 1) + 1 };
    }
    if (token.upper === 'DBMS_RANDOM' && previous?.text !== '.' && model.tokens[index + 1]?.text === '.' && model.tokens[index + 2]?.upper === 'VALUE') {
      return { start: index, end: model.tokens[index + 3]?.text === '(' && model.tokens[index + 4]?.text === ')' ? index + 5 : index + 3 };
    }
  }
  return null;
}

/** The first stored table the sort reads, across every branch of a set operation. */
function sortedTable(model: StatementModel, branches: QueryBlock[]): string | null {
  for (const branch of branches) {
    if (branch.kind !== 'select') continue;
    if (samplesTable(model, branch) || filtersByKeyEquality(model, branch)) continue;
    const table = fromItemsOf(model, branch).find((item) => isStoredTable(model, item));
    if (table?.tableName != null) return table.tableName;
  }
  return null;
}

function samplingAdvice(dialect: SqlDialect): string {
  if (dialect === 'bigquery') return 'filter first with `WHERE RAND() < 0.01` or sample with `TABLESAMPLE SYSTEM (1 PERCENT)`';
  if (dialect === 'redshift') return 'filter first with `WHERE RANDOM() < 0.01` so only a fraction of the rows is sorted';
  if (dialect === 'mysql' || dialect === 'mariadb' || dialect === 'sqlite') return 'pick a random key and read from there (`WHERE id >= ? ORDER BY id LIMIT 1`)';
  if (dialect === 'transactsql') return 'sample pages with `TABLESAMPLE (1 PERCENT)` or pick a random key and read from there (`WHERE id >= @start ORDER BY id`)';
  if (dialect === 'snowflake') return 'sample with `SAMPLE (1)` or pick a random key and read from there (`WHERE id >= $1 ORDER BY id LIMIT 1`)';
  return 'sample with `TABLESAMPLE SYSTEM (1)` or pick a random key and read from there (`WHERE id >= $1 ORDER BY id LIMIT 1`)';
}

export default defineRule<MessageId>({
  meta: {
    id: 'order-by-random',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'ORDER BY RANDOM() / RAND() / NEWID() over a stored table to pick a few rows.',
    why: 'To return a handful of random rows the database gives every row of the table a random number and sorts them all, on every call: unnoticeable with fixture data, a full scan plus sort per request in production.',
    messages: {
      randomSort: '`ORDER BY {{call}}` numbers and sorts every row of `{{table}}` on each call to return a few; {{advice}}.',
    },
    options: {},
    prefilter: ['rand', 'newid', 'uuid'],
    sources: ['sqlcheck 3006 (ORDER BY RAND usage)'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        const model = statement.model;
        const call = randomCall(model, block);
        if (call === null) return;
        // Without a limit every row is returned anyway; the cost is the result's, not a hidden scan.
        if (readRowLimit(model, block) === null) return;
        // `WHERE RAND() < 0.01 ORDER BY RAND()` sorts only the sampled fraction.
        if (randomCall(model, block, 'where') !== null) return;
        const table = block.kind === 'select' ? sortedTable(model, setOperationBranches(model, block)) : targetTable(model, block);
        if (table === null) return;
        context.report({
          messageId: 'randomSort',
          data: { call: displayText(source, model, call), table, advice: samplingAdvice(source.dialect) },
          range: tokenRange(model, call.start, call.end),
        });
      },
    };
  },
});

/** The table an UPDATE / DELETE ... ORDER BY RAND() LIMIT n (MySQL) works on. */
function targetTable(model: StatementModel, block: QueryBlock): string | null {
  if (block.kind !== 'update' && block.kind !== 'delete') return null;
  if (filtersByKeyEquality(model, block)) return null;
  const from = findClause(block, 'from');
  const nameIndex = block.kind === 'delete' ? from?.start : block.start + 1;
  const name = nameIndex === undefined ? undefined : model.tokens[nameIndex];
  if (name === undefined || (name.kind !== 'word' && name.kind !== 'quotedIdentifier')) return null;
  return name.kind === 'quotedIdentifier' ? name.text.slice(1, -1) : name.text;
}
