/**
 * A tolerant SQL tokenizer. It never throws: any character it does not understand becomes an
 * `other` token, and unterminated strings or comments run to the end of the text. It knows the
 * lexical quirks of the dialects we support (dollar quotes, backticks, brackets, `#` comments,
 * driver placeholders, `{{ templating }}`), because a wrong token boundary here would make every
 * rule downstream see the wrong statement.
 */

import type { SqlDialect, TextRange } from '../../types';

export type SqlTokenKind =
  | 'word'
  | 'quotedIdentifier'
  | 'string'
  | 'number'
  | 'placeholder'
  | 'operator'
  | 'punctuation'
  | 'comment'
  | 'psqlMeta'
  | 'other';

export interface SqlToken {
  kind: SqlTokenKind;
  start: number;
  end: number;
  /** The token's text; for words, upper-cased in `upper`. */
  text: string;
  upper: string;
  /** Paren depth before this token (a `(` has the depth outside it, its `)` the same). */
  depth: number;
  /** For placeholders that stand for a host-language substitution: its index. */
  substitution?: number;
}

/** Multi-character operators, longest first so that `<>` wins over `<`. */
const OPERATORS = ['::', '<>', '!=', '<=', '>=', '||', '->>', '->', '=>', ':=', '=', '<', '>', '+', '-', '*', '/', '%', '^', '~', '&', '|', '!', '@'];

function isWordStart(ch: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(ch);
}

function isWordPart(ch: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(ch);
}

/**
 * Tokenizes `text`. `substitutions` are ranges of the text that stand for host-language
 * expressions (template literal `${...}` parts); each becomes one placeholder token.
 */
export function tokenizeSql(text: string, dialect: SqlDialect, substitutions: readonly TextRange[] = []): SqlToken[] {
  const tokens: SqlToken[] = [];
  const length = text.length;
  let position = 0;
  let depth = 0;
  let substitutionIndex = 0;
  /**
   * A string or quoted identifier that a substitution interrupted (`'%${term}%'`): its text
   * resumes after the placeholder, so the closing quote does not open a new string that
   * swallows the rest of the query.
   */
  let interruptedQuote: { kind: SqlTokenKind; quote: string; escapes: boolean } | null = null;
  const backslashEscapes = dialect === 'mysql' || dialect === 'mariadb' || dialect === 'bigquery';

  const push = (kind: SqlTokenKind, start: number, end: number, extra?: Partial<SqlToken>): void => {
    const tokenText = text.slice(start, end);
    tokens.push({ kind, start, end, text: tokenText, upper: kind === 'word' ? tokenText.toUpperCase() : tokenText, depth, ...extra });
  };

  while (position < length) {
    const substitution = substitutions[substitutionIndex];
    if (substitution !== undefined && position >= substitution.start) {
      push('placeholder', substitution.start, substitution.end, { substitution: substitutionIndex });
      position = Math.max(position, substitution.end);
      substitutionIndex++;
      if (interruptedQuote !== null) {
        const nextLimit = substitutions[substitutionIndex]?.start ?? length;
        const body = scanQuotedBody(text, position, interruptedQuote.quote, interruptedQuote.escapes, nextLimit);
        if (body.end > position) push(interruptedQuote.kind, position, body.end);
        position = body.end;
        if (body.closed || body.end !== substitutions[substitutionIndex]?.start) interruptedQuote = null;
      }
      continue;
    }
    const limit = substitution !== undefined ? substitution.start : length;
    const ch = text[position];
    const next = text[position + 1] ?? '';

    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      position++;
      continue;
    }
    const start = position;

    // Comments: `--` everywhere, `#` in MySQL-family and BigQuery, `/* */` (nested in Postgres).
    if ((ch === '-' && next === '-') || (ch === '#' && backslashEscapes)) {
      position = indexOrEnd(text, '\n', position, limit);
      push('comment', start, position);
      continue;
    }
    if (ch === '/' && next === '*') {
      position = skipBlockComment(text, position, limit, dialect === 'postgresql');
      push('comment', start, position);
      continue;
    }
    // psql meta-commands (\connect, \set, \i ...) occupy the rest of their line.
    if (ch === '\\' && atLineStart(text, position)) {
      position = indexOrEnd(text, '\n', position, limit);
      push('psqlMeta', start, position);
      continue;
    }
    // Templating ({{ var }}, {% block %}, {# comment #}) is a placeholder for a value or SQL.
    if (ch === '{' && (next === '{' || next === '%' || next === '#')) {
      const closer = next === '{' ? '}}' : next === '%' ? '%}' : '#}';
      const close = text.indexOf(closer, position + 2);
      position = close === -1 || close >= limit ? limit : close + 2;
      push(next === '#' ? 'comment' : 'placeholder', start, position);
      continue;
    }
    // Strings, with the prefixes dialects allow: E'..', N'..', B'..', X'..', U&'..', r'..', b'..'.
    const prefixLength = stringPrefixLength(text, position);
    if (text[position + prefixLength] === "'") {
      const escapes = backslashEscapes || /^[eE]$/.test(text.slice(position, position + prefixLength));
      const body = scanQuotedBody(text, position + prefixLength + 1, "'", escapes, limit);
      position = body.end;
      push('string', start, position);
      if (!body.closed && position === substitution?.start) interruptedQuote = { kind: 'string', quote: "'", escapes };
      continue;
    }
    if (ch === '"') {
      // Double quotes are identifiers in standard SQL, strings in MySQL without ANSI_QUOTES and
      // in BigQuery; either way nothing inside them is SQL.
      const body = scanQuotedBody(text, position + 1, '"', backslashEscapes, limit);
      position = body.end;
      const kind = backslashEscapes ? 'string' : 'quotedIdentifier';
      push(kind, start, position);
      if (!body.closed && position === substitution?.start) interruptedQuote = { kind, quote: '"', escapes: backslashEscapes };
      continue;
    }
    if (ch === '`') {
      position = skipQuoted(text, position, '`', false, limit);
      push('quotedIdentifier', start, position);
      continue;
    }
    if (ch === '[' && dialect === 'transactsql') {
      position = indexOrEnd(text, ']', position, limit);
      position = Math.min(limit, position + 1);
      push('quotedIdentifier', start, position);
      continue;
    }
    if (ch === '$') {
      // Dollar quoting ($$ body $$, $fn$ body $fn$) in Postgres-family dialects and Snowflake.
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(position, position + 64));
      if (tag && dialect !== 'mysql' && dialect !== 'mariadb') {
        const close = text.indexOf(tag[0], position + tag[0].length);
        position = close === -1 || close >= limit ? limit : close + tag[0].length;
        push('string', start, position);
        continue;
      }
      const positional = /^\$\d+/.exec(text.slice(position, position + 12));
      if (positional) {
        position += positional[0].length;
        push('placeholder', start, position);
        continue;
      }
    }
    if (ch === '?') {
      position++;
      while (position < limit && /[0-9]/.test(text[position] ?? '')) position++;
      push('placeholder', start, position);
      continue;
    }
    if ((ch === ':' && next !== ':' && text[position - 1] !== ':' && isWordStart(next)) || (ch === '@' && isWordStart(next) && dialect !== 'transactsql' && dialect !== 'mysql' && dialect !== 'mariadb')) {
      position++;
      while (position < limit && isWordPart(text[position] ?? '')) position++;
      push('placeholder', start, position);
      continue;
    }
    if (ch === '@' && (isWordStart(next) || next === '@')) {
      // T-SQL and MySQL variables (@p, @@session.time_zone): values, and words to the rules.
      position += next === '@' ? 2 : 1;
      while (position < limit && (isWordPart(text[position] ?? '') || text[position] === '.')) position++;
      push('placeholder', start, position);
      continue;
    }
    if (ch === '%' && (next === 's' || next === '(') && dialect !== 'transactsql') {
      // Python DB-API placeholders: %s and %(name)s.
      const match = /^%(\([A-Za-z_][A-Za-z0-9_]*\))?s/.exec(text.slice(position, position + 80));
      if (match) {
        position += match[0].length;
        push('placeholder', start, position);
        continue;
      }
    }
    if (/[0-9]/.test(ch ?? '') || (ch === '.' && /[0-9]/.test(next))) {
      const match = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.)/.exec(text.slice(position, position + 64));
      position += match ? match[0].length : 1;
      push('number', start, position);
      continue;
    }
    if (ch !== undefined && isWordStart(ch)) {
      position++;
      while (position < limit && isWordPart(text[position] ?? '')) position++;
      push('word', start, position);
      continue;
    }
    if (ch === '#' && dialect === 'transactsql') {
      // Temp tables (#t, ##t) are names in T-SQL.
      position++;
      while (position < limit && (isWordPart(text[position] ?? '') || text[position] === '#')) position++;
      push('word', start, position);
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === ';' || ch === '.' || ch === '[' || ch === ']') {
      if (ch === ')') depth = Math.max(0, depth - 1);
      push('punctuation', start, position + 1);
      if (ch === '(') depth++;
      position++;
      continue;
    }
    const operator = OPERATORS.find((candidate) => text.startsWith(candidate, position));
    if (operator !== undefined) {
      position += operator.length;
      push('operator', start, position);
      continue;
    }
    position++;
    push('other', start, position);
  }
  return tokens;
}

function indexOrEnd(text: string, needle: string, from: number, limit: number): number {
  const index = text.indexOf(needle, from);
  return index === -1 || index > limit ? limit : index;
}

function atLineStart(text: string, position: number): boolean {
  for (let index = position - 1; index >= 0; index--) {
    const ch = text[index];
    if (ch === '\n') return true;
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') return false;
  }
  return true;
}

function skipBlockComment(text: string, position: number, limit: number, nested: boolean): number {
  let level = 0;
  let index = position;
  while (index < limit) {
    if (text[index] === '/' && text[index + 1] === '*' && (nested || level === 0)) {
      level++;
      index += 2;
      continue;
    }
    if (text[index] === '*' && text[index + 1] === '/') {
      level--;
      index += 2;
      if (level === 0) return index;
      continue;
    }
    index++;
  }
  return limit;
}

/** Skips a quoted run starting at `position` (on the opening quote); doubled quotes escape. */
function skipQuoted(text: string, position: number, quote: string, backslashEscapes: boolean, limit: number): number {
  return scanQuotedBody(text, position + 1, quote, backslashEscapes, limit).end;
}

/** Scans a quoted run's body from `from` (after the opening quote) to just past its closing quote, or to `limit`. */
function scanQuotedBody(text: string, from: number, quote: string, backslashEscapes: boolean, limit: number): { end: number; closed: boolean } {
  let index = from;
  while (index < limit) {
    const ch = text[index];
    if (backslashEscapes && ch === '\\') {
      index += 2;
      continue;
    }
    if (ch === quote) {
      if (text[index + 1] === quote && index + 1 < limit) {
        index += 2;
        continue;
      }
      return { end: index + 1, closed: true };
    }
    index++;
  }
  return { end: Math.min(index, limit), closed: false };
}

function stringPrefixLength(text: string, position: number): number {
  const prefix = /^(?:[eEnNbBxXrR]|[uU]&|[bB][rR]|[rR][bB])(?=')/.exec(text.slice(position, position + 3));
  if (!prefix) return 0;
  // A prefix only counts when it is not the tail of a longer word (`table'` is not a string).
  const before = text[position - 1];
  if (before !== undefined && isWordPart(before)) return 0;
  return prefix[0].length;
}

/** True for tokens that matter to rules (everything but comments and psql meta-commands). */
export function isSignificant(token: SqlToken): boolean {
  return token.kind !== 'comment' && token.kind !== 'psqlMeta';
}
