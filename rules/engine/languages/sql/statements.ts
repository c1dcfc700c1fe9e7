/**
 * Splits a SQL text into statements on top-level `;` (and T-SQL `GO` lines, MySQL client
 * `DELIMITER` changes and psql meta-commands). Because it works on tokens, a `;` inside a string,
 * a quoted identifier, a comment or a dollar-quoted function body never splits.
 */

import type { SqlDialect, TextRange } from '../../types';
import { isSignificant, tokenizeSql, type SqlToken } from './tokenizer';

export interface SplitStatement {
  /** Range of the statement's text, from its first to its last significant token. */
  range: TextRange;
  /** Significant tokens only (comments and meta-commands removed). */
  tokens: SqlToken[];
}

export interface SplitResult {
  statements: SplitStatement[];
  /** Every token, comments included (suppression comments are read from these). */
  allTokens: SqlToken[];
}

export function splitSqlStatements(text: string, dialect: SqlDialect, substitutions: readonly TextRange[] = []): SplitResult {
  const allTokens = tokenizeSql(text, dialect, substitutions);
  const statements: SplitStatement[] = [];
  let current: SqlToken[] = [];
  let customDelimiter: string | null = null;

  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first !== undefined && last !== undefined) {
      statements.push({ range: { start: first.start, end: last.end }, tokens: current });
    }
    current = [];
  };

  for (let index = 0; index < allTokens.length; index++) {
    const token = allTokens[index];
    if (token === undefined) continue;
    if (token.kind === 'psqlMeta') {
      flush();
      continue;
    }
    if (!isSignificant(token)) continue;

    // MySQL client scripts: `DELIMITER $$` switches the terminator until the next DELIMITER line.
    if (current.length === 0 && token.upper === 'DELIMITER' && (dialect === 'mysql' || dialect === 'mariadb')) {
      const lineEnd = text.indexOf('\n', token.end);
      const delimiter = text.slice(token.end, lineEnd === -1 ? text.length : lineEnd).trim();
      customDelimiter = delimiter === ';' || delimiter === '' ? null : delimiter;
      while (index + 1 < allTokens.length && (allTokens[index + 1]?.start ?? Infinity) < (lineEnd === -1 ? text.length : lineEnd)) index++;
      continue;
    }
    // `END$$`: `$` is part of a word in MySQL, so the delimiter can end a word token.
    if (customDelimiter !== null && token.text.length > customDelimiter.length && token.text.endsWith(customDelimiter)) {
      current.push({ ...token, end: token.end - customDelimiter.length, text: token.text.slice(0, -customDelimiter.length), upper: token.upper.slice(0, -customDelimiter.length) });
      flush();
      continue;
    }
    if (customDelimiter !== null && text.startsWith(customDelimiter, token.start)) {
      flush();
      const delimiterEnd = token.start + customDelimiter.length;
      while (index + 1 < allTokens.length && (allTokens[index + 1]?.start ?? Infinity) < delimiterEnd) index++;
      continue;
    }
    if (customDelimiter === null && token.text === ';' && token.kind === 'punctuation') {
      flush();
      continue;
    }
    // T-SQL batches: GO alone on its line ends a statement.
    if (dialect === 'transactsql' && token.upper === 'GO' && aloneOnLine(text, token)) {
      flush();
      continue;
    }
    current.push(token);
  }
  flush();
  return { statements, allTokens };
}

function aloneOnLine(text: string, token: SqlToken): boolean {
  const lineStart = text.lastIndexOf('\n', token.start - 1) + 1;
  const lineEndIndex = text.indexOf('\n', token.end);
  const lineEnd = lineEndIndex === -1 ? text.length : lineEndIndex;
  return text.slice(lineStart, token.start).trim() === '' && /^\s*(\d+\s*)?$/.test(text.slice(token.end, lineEnd));
}
