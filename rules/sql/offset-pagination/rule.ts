/**
 * offset-pagination: OFFSET paging whose offset grows with the page number: a bind parameter or
 * substitution (`OFFSET $2`, `LIMIT ?, ?`, `OFFSET @skip ROWS`), an expression
 * (`(page - 1) * 20`), or a literal above `maxOffset`. Small literal offsets are left alone.
 */

import type { StatementModel } from '../../engine/languages/sql/structure';
import type { SqlDialect } from '../../engine/types';
import { defineRule } from '../../engine/rule';
import { containsPlaceholder, displayText, literalNumber, readRowLimit } from '../helpers/result-shape';
import { tokenRange } from '../helpers/tokens';

type MessageId = 'deepOffset';

/** Keyset pagination as each dialect writes it: row-value comparison where the dialect has it. */
function keysetExample(dialect: SqlDialect): string {
  switch (dialect) {
    case 'transactsql':
      return 'WHERE created_at < @last_created_at OR (created_at = @last_created_at AND id < @last_id) ORDER BY created_at DESC, id DESC OFFSET 0 ROWS FETCH NEXT 20 ROWS ONLY';
    case 'bigquery':
    case 'snowflake':
      return 'WHERE created_at < @last_created_at OR (created_at = @last_created_at AND id < @last_id) ORDER BY created_at DESC, id DESC LIMIT 20';
    case 'mysql':
    case 'mariadb':
    case 'sqlite':
      return 'WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 20';
    default:
      return 'WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT 20';
  }
}

export default defineRule<MessageId>({
  meta: {
    id: 'offset-pagination',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'OFFSET pagination whose offset grows with the page number (a parameter, an expression or a large literal).',
    why: 'The database reads and throws away every skipped row, so page N costs N pages of work: fast on the first pages in tests, timeouts when a crawler or a user reaches page 5,000; rows also shift between pages while new ones are inserted.',
    messages: {
      deepOffset: '`{{offset}}` makes the database read and discard every skipped row, so deep pages get slower and slower; paginate by key instead: `{{keyset}}`.',
    },
    options: { maxOffset: 1000 },
    prefilter: ['offset', 'limit'],
    sources: ['use-the-index-luke.com "no-offset"', 'sqlfluff AM09 (related: LIMIT/OFFSET without ORDER BY)'],
  },
  create(context) {
    const configured = context.options['maxOffset'];
    const maxOffset = typeof configured === 'number' ? configured : 1000;
    return {
      block(block, statement, source) {
        if (block.kind !== 'select') return;
        const model = statement.model;
        const limit = readRowLimit(model, block);
        if (limit === null || limit.offset === null) return;
        const { value, span } = limit.offset;
        const literal = literalNumber(model, value);
        if (literal !== null && literal <= maxOffset) return;
        // Anything else grows at run time: a parameter, a substitution or arithmetic on them.
        if (literal === null && !containsPlaceholder(model, value) && !hasWords(model, value.start, value.end)) return;
        context.report({
          messageId: 'deepOffset',
          data: { offset: displayText(source, model, span), keyset: keysetExample(source.dialect) },
          range: tokenRange(model, span.start, span.end),
        });
      },
    };
  },
});

/** True when a value has words (columns, variables, functions): it is computed, not fixed. */
function hasWords(model: StatementModel, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    if (model.tokens[index]?.kind === 'word') return true;
  }
  return false;
}
