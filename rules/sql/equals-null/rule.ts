/**
 * equals-null: `x = NULL`, `x <> NULL`, `x != NULL` (and `NULL = x`) inside a condition: WHERE,
 * HAVING, QUALIFY, JOIN ... ON, and the WHEN of a CASE. The comparison is never true, so the filter
 * silently matches nothing. Assignments (`SET col = NULL`), T-SQL's `SELECT alias = expr` and DDL
 * defaults are not conditions and are not read. The fix rewrites only the operator and `NULL`.
 */

import type { SqlSource } from '../../engine/languages/sql/source';
import type { StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { grammarCheckedSafety } from '../helpers/fix-check';
import { isComparisonToken, operandEndAfter, operandStartBefore, predicateRanges } from '../helpers/predicates';
import { tokenRange, tokenText } from '../helpers/tokens';

type MessageId = 'equalsNull' | 'nullEquals';

const EQUALITY_OPERATORS = new Set(['=', '<>', '!=']);

/** T-SQL files that switch ANSI_NULLS off make `= NULL` mean `IS NULL` for what follows. */
const ansiNullsOffCache = new WeakMap<SqlSource, boolean>();

function turnsAnsiNullsOff(source: SqlSource): boolean {
  const cached = ansiNullsOffCache.get(source);
  if (cached !== undefined) return cached;
  const result =
    source.dialect === 'transactsql' &&
    source.statements.some((statement) => {
      const words = statement.model.tokens.map((token) => token.upper);
      return words.some((word, index) => word === 'SET' && words[index + 1] === 'ANSI_NULLS' && words[index + 2] === 'OFF');
    });
  ansiNullsOffCache.set(source, result);
  return result;
}

function isEqualityOperator(model: StatementModel, index: number): boolean {
  const token = model.tokens[index];
  return token !== undefined && token.kind === 'operator' && EQUALITY_OPERATORS.has(token.text);
}

function isNullWord(model: StatementModel, index: number): boolean {
  const token = model.tokens[index];
  return token !== undefined && token.kind === 'word' && token.upper === 'NULL';
}

/** True when only whitespace separates tokens `first` and `second` (no comment to lose). */
function onlySpaceBetween(text: string, model: StatementModel, first: number, second: number): boolean {
  const left = model.tokens[first];
  const right = model.tokens[second];
  if (left === undefined || right === undefined) return false;
  return text.slice(left.end, right.start).trim() === '';
}

export default defineRule<MessageId>({
  meta: {
    id: 'equals-null',
    family: 'sql',
    target: 'sql',
    defaultSeverity: 'error',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production', 'warehouse', 'script', 'notebook', 'migration'],
    summary: 'Comparison with NULL by `=`, `<>` or `!=`, which is never true.',
    why: 'Any comparison with NULL yields NULL (unknown), which a filter treats as false: `WHERE deleted_at = NULL` matches no row and `WHERE deleted_at <> NULL` matches no row either, so the query silently returns nothing and tests with empty results pass.',
    messages: {
      equalsNull: '`{{comparison}}` is never true (NULL compares as unknown); use `{{suggestion}}`.',
      nullEquals: '`{{comparison}}` is never true (NULL compares as unknown); use `{{suggestion}}`.',
    },
    options: {},
    prefilter: ['null'],
    sources: ['sqlfluff CV05 (comparisons with NULL should use IS or IS NOT)', 'Sonar S2527 (NULL should not be compared directly)', 'PostgreSQL transform_null_equals'],
  },
  create(context) {
    return {
      block(block, statement, source) {
        if (turnsAnsiNullsOff(source)) return;
        const model = statement.model;
        const seen = new Set<number>();
        for (const range of predicateRanges(model, block, ['where', 'having', 'qualify', 'on', 'caseWhen'])) {
          for (let index = range.start; index < range.end; index++) {
            if (seen.has(index) || model.blockOfToken[index] !== block.index || !isNullWord(model, index)) continue;
            seen.add(index);
            const negated = (operator: number) => model.tokens[operator]?.text !== '=';
            if (index - 1 >= range.start && isEqualityOperator(model, index - 1)) {
              // `x = NULL`: the operand ends at the operator.
              const operator = index - 1;
              const operandStart = operandStartBefore(model, operator, range.start);
              if (operandStart >= operator) continue;
              const operand = tokenText(source.text, model, operandStart, operator).replace(/\s+/g, ' ');
              const replacement = negated(operator) ? 'IS NOT NULL' : 'IS NULL';
              const comparison = tokenText(source.text, model, operandStart, index + 1).replace(/\s+/g, ' ');
              const fixes: Fix[] = [];
              const next = model.tokens[index + 1];
              // `= NULL::text` or `= NULL || x` would not read as `IS NULL ...`: report without a fix.
              const endsCleanly = index + 1 >= range.end || next === undefined || !(next.kind === 'operator' || next.text === '.' || next.text === '[');
              const operandHasComparison = Array.from({ length: operator - operandStart }, (_, offset) => operandStart + offset).some((position) => model.depths[position] === model.depths[operator] && isComparisonToken(model, position));
              // `a = b = NULL` is `(a = b) = NULL`, but `a = b IS NULL` is `a = (b IS NULL)`: a chained comparison gets no fix (#15, found by the fuzzer).
              const chained = operandStart - 1 >= range.start && model.depths[operandStart - 1] === model.depths[operator] && isComparisonToken(model, operandStart - 1);
              const operatorToken = model.tokens[operator];
              const nullToken = model.tokens[index];
              if (endsCleanly && !operandHasComparison && !chained && onlySpaceBetween(source.text, model, operator, index) && operatorToken !== undefined && nullToken !== undefined) {
                // `deleted_at= NULL`: the operator touches the operand, and `IS` must not join it (`deleted_atIS NULL`).
                const separator = /\s/.test(source.text[operatorToken.start - 1] ?? ' ') ? '' : ' ';
                const edits = [{ range: { start: operatorToken.start, end: nullToken.end }, newText: `${separator}${replacement}` }];
                const safety = grammarCheckedSafety(source, statement, edits);
                if (safety !== null) fixes.push({ title: `Use \`${replacement}\``, safety, edits });
              }
              context.report({
                messageId: 'equalsNull',
                data: { comparison, suggestion: `${operand} ${replacement}` },
                range: tokenRange(model, operandStart, index + 1),
                fixes,
              });
              continue;
            }
            if (index + 1 < range.end && isEqualityOperator(model, index + 1)) {
              // `NULL = x`: reported, not fixed (the operands would have to move).
              const operator = index + 1;
              const operandEnd = operandEndAfter(model, operator, range.end);
              if (operandEnd <= operator + 1) continue;
              const operand = tokenText(source.text, model, operator + 1, operandEnd).replace(/\s+/g, ' ');
              const comparison = tokenText(source.text, model, index, operandEnd).replace(/\s+/g, ' ');
              context.report({
                messageId: 'nullEquals',
                data: { comparison, suggestion: `${operand} ${negated(operator) ? 'IS NOT NULL' : 'IS NULL'}` },
                range: tokenRange(model, index, operandEnd),
              });
            }
          }
        }
      },
    };
  },
});
