/**
 * limit-without-order-by: a SELECT that keeps some rows (LIMIT, OFFSET, TOP, FETCH FIRST) without
 * saying which (no ORDER BY). Left alone: single-row probes (`LIMIT 1`, `TOP 1`,
 * `FETCH FIRST ROW ONLY`), subqueries of EXISTS / IN, one-row aggregates, locking queue reads
 * (`FOR UPDATE SKIP LOCKED`), batches inside UPDATE / DELETE / INSERT statements, and a limit over
 * an already ordered subquery or CTE. ORDER BY and LIMIT after a UNION sit on its last branch.
 */

import { findClause, hasAggregate, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { cteBlock, displayText, fromItemsOf, isStoredTable, readRowLimit, setOperationBranches, type RowLimit } from '../helpers/result-shape';
import { tokenRange } from '../helpers/tokens';

type MessageId = 'unorderedLimit';

const SKIPPED_CONTEXTS = new Set(['exists', 'in', 'notIn']);

/** True for limits that keep at most one row (or none): any row is the right answer. */
function keepsAtMostOneRow(limit: RowLimit): boolean {
  if (limit.percent) return false;
  if (limit.offset !== null) return false;
  return limit.countValue !== null && limit.countValue <= 1;
}

/** True when the statement writes: its SELECTs with a limit pick a batch, not a page. */
function isWriteStatement(model: StatementModel): boolean {
  return model.blocks.some((block) => block.kind !== 'select' && block.parent === null);
}

/** True when every branch returns one row: an aggregate without GROUP BY. */
function returnsOneRow(model: StatementModel, branches: QueryBlock[]): boolean {
  return branches.every((branch) => findClause(branch, 'groupBy') === undefined && hasAggregate(model, branch));
}

/**
 * True when the rows come from stored tables in no stated order. A FROM of only functions or
 * VALUES (`generate_series`, `unnest`) is ordered in practice; a single subquery or CTE with its
 * own ORDER BY is the row-number-then-limit idiom.
 */
function readsUnorderedRows(model: StatementModel, branches: QueryBlock[]): boolean {
  for (const branch of branches) {
    const items = fromItemsOf(model, branch);
    const [only] = items;
    if (items.length === 1 && only !== undefined) {
      if (only.kind === 'subquery') {
        const inner = model.blocks.find((candidate) => candidate.parent === branch && candidate.context === 'fromSubquery' && candidate.start > only.referenceStart && candidate.start <= only.referenceStart + 2);
        if (inner !== undefined && findClause(inner, 'orderBy') !== undefined) continue;
      }
      if (only.kind === 'table' && only.tableName !== null && !isStoredTable(model, only)) {
        const cte = cteBlock(model, only.tableName);
        if (cte !== undefined && findClause(cte, 'orderBy') !== undefined) continue;
      }
    }
    if (items.some((item) => item.kind === 'table' || item.kind === 'subquery' || item.kind === 'other')) return true;
  }
  return false;
}

export default defineRule<MessageId>({
  meta: {
    id: 'limit-without-order-by',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'LIMIT, OFFSET, TOP or FETCH FIRST without ORDER BY: an arbitrary subset of rows.',
    why: 'Without ORDER BY the database returns rows in whatever order the plan produces; it looks stable on a small test table, then changes with parallel scans, a new index or a vacuum, so pages repeat or skip rows and "the latest 10" are not the latest.',
    messages: {
      unorderedLimit: '`{{limit}}` without `ORDER BY` keeps an arbitrary set of rows, so pages can repeat or skip rows between calls; add `ORDER BY` a unique key (for example `ORDER BY created_at DESC, id DESC`).',
    },
    options: {},
    prefilter: ['limit', 'top', 'fetch', 'offset'],
    sources: ['sqlfluff AM09 (ambiguous.order_by_limit)', 'Sonar S4054 (T-SQL TOP without ORDER BY)', 'Sonar S4062 (PL/SQL ROWNUM with ORDER BY)'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        if (block.kind !== 'select' || SKIPPED_CONTEXTS.has(block.context)) return;
        const model = statement.model;
        // The model hangs ORDER BY and LIMIT written after a set operation on its last branch,
        // which is where both are read from.
        if (findClause(block, 'orderBy') !== undefined) return;
        const limit = readRowLimit(model, block);
        if (limit === null || keepsAtMostOneRow(limit)) return;
        if (limit.countValue === 0 && limit.offset === null) return;
        if (limit.form === 'top' && limit.percent && limit.countValue === 100) return;
        if (findClause(block, 'for') !== undefined || isWriteStatement(model)) return;
        const branches = setOperationBranches(model, block);
        if (returnsOneRow(model, branches) || !readsUnorderedRows(model, branches)) return;
        // Show `LIMIT 20 OFFSET $1` whole, but start the finding at the first of the two keywords.
        const shown = limit.offset === null ? limit.span : { start: Math.min(limit.span.start, limit.offset.span.start), end: Math.max(limit.span.end, limit.offset.span.end) };
        context.report({
          messageId: 'unorderedLimit',
          data: { limit: displayText(source, model, shown) },
          range: tokenRange(model, shown.start, shown.end),
        });
      },
    };
  },
});
