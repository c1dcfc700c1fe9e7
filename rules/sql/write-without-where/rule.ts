/**
 * write-without-where: an UPDATE or DELETE (a statement or a data-modifying CTE) that has no WHERE
 * or only an always-true one (`WHERE 1=1`), so it touches every row of its table. It reads tokens
 * only, so it also works on statements the parser rejects. Deliberate whole-table writes are left
 * alone when they are recognisable: temp tables, bounded batches (`LIMIT n`, `TOP (n)`), and joins
 * that filter the target.
 */

import { columnReferences, type FromItem, type QueryBlock, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { itemLabel, stripParentheses, writeShape } from '../helpers/predicates';
import { tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'deleteWithoutWhere' | 'updateWithoutWhere' | 'deleteAlwaysTrue' | 'updateAlwaysTrue';

/** Temp and scratch tables: T-SQL `#t` / `##t`, and the common `tmp_` / `temp_` prefixes. */
const TEMP_TABLE = /^(#|tmp_|temp_)/i;

/** True when [start, end) is a condition that is always true: `1=1`, `TRUE`, `1`, `'a'='a'`. */
function isAlwaysTrue(model: StatementModel, start: number, end: number): boolean {
  const inner = stripParentheses(model, start, end);
  const tokens = model.tokens.slice(inner.start, inner.end);
  const [first, second, third] = tokens;
  if (tokens.length === 1 && first !== undefined) {
    if (first.kind === 'word' && first.upper === 'TRUE') return true;
    return first.kind === 'number' && Number(first.text) !== 0 && !Number.isNaN(Number(first.text));
  }
  if (tokens.length === 3 && first !== undefined && second !== undefined && third !== undefined) {
    const literal = (kind: string) => kind === 'number' || kind === 'string';
    return second.kind === 'operator' && second.text === '=' && literal(first.kind) && first.kind === third.kind && first.text === third.text;
  }
  return false;
}

/** True when a join in the statement restricts the rows written (`UPDATE a JOIN b ON a.id = b.a_id`). */
function joinFiltersTarget(model: StatementModel, targetNames: Set<string>, sources: FromItem[]): boolean {
  for (const item of sources) {
    if (item.join === 'natural' || item.hasUsing) return true;
    if (item.join !== 'join' || item.on === null) continue;
    const label = itemLabel(item)?.toUpperCase();
    if (label !== undefined && targetNames.has(label)) return true;
    const references = columnReferences(model, item.on.start, item.on.end);
    // An unqualified column could belong to the target: give it the benefit of the doubt.
    if (references.some((reference) => reference.qualifier === null || targetNames.has(reference.qualifier.toUpperCase()))) return true;
  }
  return false;
}

/** True for a target we leave alone: temp tables, T-SQL table variables, CTEs (T-SQL batches). */
function isExemptTarget(model: StatementModel, block: QueryBlock, target: FromItem): boolean {
  const reference = model.tokens[target.referenceStart];
  if (reference?.kind === 'placeholder' && reference.substitution === undefined) return true;
  // `DELETE FROM ${table}` with no condition is a generic "clear this table" utility (ORMs'
  // clearTable, test helpers): emptying the table is its whole purpose. An UPDATE of a table
  // passed in is still reported, since rewriting every row is rarely the purpose.
  if (block.kind === 'delete' && reference?.kind === 'placeholder' && reference.substitution !== undefined) return true;
  if (target.tableName === null) return false;
  if (TEMP_TABLE.test(target.tableName)) return true;
  return model.cteNames.has(target.tableName.toUpperCase());
}

/** `EXPLAIN DELETE ...` does not run the statement; `EXPLAIN ANALYZE` does. */
function isOnlyExplained(model: StatementModel, block: QueryBlock): boolean {
  if (model.leadingKeyword !== 'EXPLAIN') return false;
  return !model.tokens.slice(0, block.start).some((token) => token.upper === 'ANALYZE' || token.upper === 'ANALYSE');
}

export default defineRule<MessageId>({
  meta: {
    id: 'write-without-where',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'UPDATE or DELETE with no WHERE (or an always-true one), touching every row.',
    why: 'A write without a condition changes or removes every row of the table: the data is gone, every row stays locked until the transaction ends, and the undo/WAL volume floods replicas. In tests the table has a handful of rows, so nobody notices.',
    messages: {
      deleteWithoutWhere: '`{{statement}}` has no WHERE: it deletes every row; add a WHERE (or use TRUNCATE if that is the intent).',
      updateWithoutWhere: '`{{statement}}` has no WHERE: it updates every row; add a WHERE that selects the rows to change.',
      deleteAlwaysTrue: '`{{statement}}` has only `WHERE {{condition}}`, which is always true: it deletes every row; add a real condition (or use TRUNCATE if that is the intent).',
      updateAlwaysTrue: '`{{statement}}` has only `WHERE {{condition}}`, which is always true: it updates every row; add a condition that selects the rows to change.',
    },
    options: {},
    prefilter: ['update', 'delete'],
    sources: [
      'Sonar S1590 (UPDATE and DELETE statements should contain WHERE clauses)',
      'JetBrains SqlWithoutWhereInspection',
      'TSQLLint delete-where, update-where',
      'sql-lint missing-where',
      'Sonar S3651 (always-true WHERE conditions)',
    ],
  },
  create(context) {
    return {
      block(block, statement, source) {
        if (block.kind !== 'update' && block.kind !== 'delete') return;
        if (block.context !== 'statement' && block.context !== 'cte') return;
        const model = statement.model;
        if (isOnlyExplained(model, block)) return;
        // MySQL `DELETE ... ORDER BY id LIMIT 1000` is a deliberate batch.
        if (block.clauses.some((clause) => clause.name === 'limit')) return;
        // `UPDATE t SET` with nothing after it is being typed, not run.
        const set = block.clauses.find((clause) => clause.name === 'set');
        if (block.kind === 'update' && (set === undefined || set.end <= set.start)) return;
        const shape = writeShape(model, block);
        if (shape === null || shape.top) return;
        if (shape.targets.some((target) => isExemptTarget(model, block, target))) return;
        const targetNames = new Set(shape.targets.flatMap((target) => [target.alias, target.tableName, itemLabel(target)]).filter((name): name is string => name !== null).map((name) => name.toUpperCase()));
        if (joinFiltersTarget(model, targetNames, shape.sources)) return;

        const where = block.clauses.find((clause) => clause.name === 'where');
        const isDelete = block.kind === 'delete';
        const statementText = tokenText(source.text, model, block.start, shape.headEnd).replace(/\s+/g, ' ');
        const range = tokenRange(model, block.start, shape.headEnd);
        if (where === undefined) {
          context.report({ messageId: isDelete ? 'deleteWithoutWhere' : 'updateWithoutWhere', data: { statement: statementText }, range });
          return;
        }
        if (!isAlwaysTrue(model, where.start, where.end)) return;
        const condition = tokenText(source.text, model, where.start, where.end).replace(/\s+/g, ' ');
        context.report({ messageId: isDelete ? 'deleteAlwaysTrue' : 'updateAlwaysTrue', data: { statement: statementText, condition }, range });
      },
    };
  },
});
