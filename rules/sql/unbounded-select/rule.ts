/**
 * unbounded-select: the statement-level SELECT that hands every row of a table to the
 * application: it reads a stored table and has no WHERE, no LIMIT / TOP / FETCH, no aggregate,
 * no grouping and no DISTINCT. Subqueries, CTE bodies, INSERT ... SELECT and CREATE ... AS are
 * not results the application receives, so only the outermost query is judged; a UNION is judged
 * only when every branch is unbounded. Lookup tables can be allowed by name.
 */

import { comparisonsIn, findClause, fromItems, hasAggregate, isValueExpression, type FromItem, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { hasSplicedFragment, isRealTable, matchesGlob, stringListOption, tableNameParts, tableNameRange } from '../helpers/relations';
import { tokenRange } from '../helpers/tokens';

type MessageId = 'unboundedSelect';

/** Clauses that bound, filter or collapse the rows a block returns. */
const BOUNDING_CLAUSES = ['where', 'limit', 'top', 'fetch', 'groupBy', 'having', 'qualify', 'into'] as const;

/** Statements whose outermost SELECT returns rows to the caller (not DECLARE ... CURSOR, EXPLAIN, CREATE ...). */
const ROW_RETURNING_LEADS = new Set(['SELECT', 'WITH', '(']);

/** The first real, non-allowed table a block reads when nothing bounds its rows, else null. */
function unboundedTable(model: StatementModel, block: QueryBlock, allowTables: readonly string[]): FromItem | null {
  if (BOUNDING_CLAUSES.some((name) => findClause(block, name) !== undefined)) return null;
  const select = findClause(block, 'select');
  const from = findClause(block, 'from');
  if (select === undefined || from === undefined) return null;
  const firstWord = model.tokens[select.start]?.upper;
  if (firstWord === 'DISTINCT' || firstWord === 'DISTINCTROW') return null;
  if (hasAggregate(model, block)) return null;
  // `FROM users ${filter}`: the WHERE or LIMIT may be built in application code.
  if (hasSplicedFragment(model, block)) return null;
  for (let index = from.start; index < from.end; index++) {
    const word = model.tokens[index]?.upper;
    if (word === 'TABLESAMPLE' || word === 'SAMPLE') return null;
  }
  const items = fromItems(model, block, from);
  for (const item of items) {
    if (item.join !== 'join' || item.on === null || isOuterJoin(model, item)) continue;
    // An inner join to a derived table or CTE filters like a WHERE; so does `ON ... AND u.org_id = $1`.
    if (item.kind === 'subquery' || (item.kind === 'table' && !isRealTable(model, item))) return null;
    if (comparisonsIn(model, item.on.start, item.on.end).some((comparison) => !comparison.negated && isValueExpression(model, comparison.rightStart, comparison.end))) return null;
  }
  return items.find((item) => isRealTable(model, item) && !isAllowed(model, item, allowTables)) ?? null;
}

function isOuterJoin(model: StatementModel, item: FromItem): boolean {
  for (let index = item.start; index < item.referenceStart; index++) {
    const word = model.tokens[index]?.upper;
    if (word === 'LEFT' || word === 'RIGHT' || word === 'FULL') return true;
  }
  return false;
}

function isAllowed(model: StatementModel, item: FromItem, allowTables: readonly string[]): boolean {
  const parts = tableNameParts(model, item);
  const last = parts[parts.length - 1] ?? item.tableName ?? '';
  const dotted = parts.join('.');
  return allowTables.some((pattern) => matchesGlob(last, pattern) || matchesGlob(dotted, pattern));
}

/** True when the statement is more than the parenthesized block (`(SELECT ...) UNION (...) LIMIT 5`). */
function hasTokensAroundParenthesizedBlock(model: StatementModel, block: QueryBlock): boolean {
  for (let index = 0; index < model.tokens.length; index++) {
    if (index >= block.start && index < block.end) continue;
    const text = model.tokens[index]?.text;
    if (text !== '(' && text !== ')') return true;
  }
  return false;
}

export default defineRule<MessageId>({
  meta: {
    id: 'unbounded-select',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: true,
    appliesTo: ['production'],
    summary: 'A SELECT that returns every row of a table to the application: no WHERE, LIMIT or aggregate bounds it.',
    why: 'With a hundred fixture rows it is instant; with ten million rows it loads the whole table into application memory, holds a pooled connection for the whole transfer, and grows with every row the business adds.',
    messages: {
      unboundedSelect: 'This query returns every row of `{{table}}` to the application; add a WHERE, page it with a LIMIT and keyset pagination (`WHERE id > $1 ORDER BY id LIMIT 500`), or stream it with a cursor.',
    },
    options: { allowTables: [] },
    prefilter: ['from'],
    sources: ['Sonar S2449 (PL/SQL BULK COLLECT without LIMIT), the closest analog', 'JetBrains SqlWithoutWhereInspection (for writes)'],
  },
  create(context) {
    const allowTables = stringListOption(context.options.allowTables, []);
    return {
      block(block, statement) {
        if (block.kind !== 'select' || block.context !== 'statement') return;
        const model = statement.model;
        if (!ROW_RETURNING_LEADS.has(model.leadingKeyword)) return;
        if (block.depth > 0 && hasTokensAroundParenthesizedBlock(model, block)) return;
        let reported: FromItem | null;
        if (block.inSetOperation) {
          const branches = model.blocks.filter((other) => other.kind === 'select' && other.context === 'statement' && other.inSetOperation && other.depth === block.depth);
          // Judge the whole set operation once, from its first branch; ORDER BY / LIMIT sit in the last.
          if (branches[0] !== block) return;
          const tables = branches.map((branch) => unboundedTable(model, branch, allowTables));
          if (tables.some((table) => table === null)) return;
          reported = tables[0] ?? null;
        } else {
          reported = unboundedTable(model, block, allowTables);
        }
        if (reported === null) return;
        const name = tableNameRange(model, reported);
        context.report({
          messageId: 'unboundedSelect',
          data: { table: tableNameParts(model, reported).join('.') },
          range: tokenRange(model, name.start, name.end),
        });
      },
    };
  },
});
