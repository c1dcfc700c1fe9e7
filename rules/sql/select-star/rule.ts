/**
 * select-star: `SELECT *` or `t.*` in the select list an application receives: the statement-level
 * SELECT of a query embedded in code (and of .sql files when `inSqlFiles` is on). Not COUNT(*),
 * not EXISTS (SELECT * ...), CTE bodies, subqueries, INSERT ... SELECT, CREATE ... AS or
 * SELECT ... INTO, not BigQuery / Snowflake `* EXCEPT (...)`, and not a star over CTEs, subqueries
 * or functions, whose columns the same query spells out.
 */

import type { QueryBlock, StatementModel } from '../../engine/languages/sql/structure';
import { findClause } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import { displayText, fromItemsOf, isStoredTable, selectListSpan } from '../helpers/result-shape';
import { tokenRange } from '../helpers/tokens';

type MessageId = 'selectStar';

/** Words after `*` that list columns explicitly: BigQuery EXCEPT / REPLACE, Snowflake EXCLUDE / RENAME / ILIKE. */
const STAR_MODIFIERS = new Set(['EXCEPT', 'REPLACE', 'EXCLUDE', 'RENAME', 'ILIKE']);
/** Words that may precede the first select item. */
const SELECT_LIST_PREFIXES = new Set(['SELECT', 'DISTINCT', 'ALL', 'DISTINCTROW', 'SQL_CALC_FOUND_ROWS', 'SQL_NO_CACHE', 'STRAIGHT_JOIN', 'HIGH_PRIORITY', 'AS', 'STRUCT', 'VALUE']);

interface Star {
  /** Token range of `*` or `qualifier.*`. */
  start: number;
  end: number;
  qualifier: string | null;
}

/** The stars in a select list that stand for a whole item. */
function starsIn(model: StatementModel, block: QueryBlock, start: number, end: number): Star[] {
  const stars: Star[] = [];
  for (let index = start; index < end; index++) {
    const token = model.tokens[index];
    if (token === undefined || token.text !== '*' || token.kind !== 'operator' || model.depths[index] !== block.depth) continue;
    if (STAR_MODIFIERS.has(model.tokens[index + 1]?.upper ?? '')) continue;
    const previous = model.tokens[index - 1];
    if (previous === undefined) continue;
    if (previous.text === '.') {
      const qualifier = model.tokens[index - 2];
      if (qualifier === undefined || (qualifier.kind !== 'word' && qualifier.kind !== 'quotedIdentifier')) continue;
      let first = index - 2;
      while (model.tokens[first - 1]?.text === '.' && model.tokens[first - 2] !== undefined) first -= 2;
      stars.push({ start: first, end: index + 1, qualifier: qualifier.kind === 'quotedIdentifier' ? qualifier.text.slice(1, -1) : qualifier.text });
      continue;
    }
    if (previous.text === ',' || index === start || (previous.kind === 'word' && SELECT_LIST_PREFIXES.has(previous.upper) && index - 1 < start + 3)) {
      stars.push({ start: index, end: index + 1, qualifier: null });
    }
  }
  return stars;
}

export default defineRule<MessageId>({
  meta: {
    id: 'select-star',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: '`SELECT *` or `t.*` in the result an application reads.',
    why: 'The query ships every column, including large ones and any added later: more bytes per row, no index-only scans, and code that reads columns by position or maps rows into objects changes behaviour when the table changes.',
    messages: {
      selectStar: '`{{star}}` fetches every column of `{{table}}`, including ones added later; name the columns the code uses.',
    },
    options: { inSqlFiles: false },
    prefilter: ['*'],
    sources: ['sqlfluff AM04 (ambiguous.column_count)', 'Sonar S1499 (PL/SQL, T-SQL), S6905 (JDBC)', 'TSQLLint select-star', 'SSDT SR0001', 'sqlcheck 3001'],
  },
  create(context) {
    const inSqlFiles = context.options['inSqlFiles'] === true;
    return {
      block(block, statement, source) {
        if (!source.embedded && !inSqlFiles) return;
        if (block.kind !== 'select' || block.context !== 'statement') return;
        // SELECT ... INTO creates a table (T-SQL) or fills variables (PL/pgSQL): no application row.
        if (findClause(block, 'into') !== undefined) return;
        const model = statement.model;
        const list = selectListSpan(model, block);
        if (list === null) return;
        const tables = fromItemsOf(model, block).filter((item) => isStoredTable(model, item));
        for (const star of starsIn(model, block, list.start, list.end)) {
          const qualifier = star.qualifier?.toUpperCase() ?? null;
          // A star over a CTE or subquery expands to columns the query names itself.
          const covered = qualifier === null ? tables : tables.filter((item) => (item.alias ?? item.tableName)?.toUpperCase() === qualifier || item.tableName?.toUpperCase() === qualifier);
          if (covered.length === 0) continue;
          context.report({
            messageId: 'selectStar',
            data: { star: displayText(source, model, star), table: covered.map((item) => item.tableName ?? '').join('`, `') },
            range: tokenRange(model, star.start, star.end),
          });
        }
      },
    };
  },
});
