/**
 * The only door to node-sql-parser. It answers one question per statement: does the dialect's
 * grammar accept it? Rules that need a statement to be well-formed (to avoid guessing on DO
 * blocks, procedural code or half-typed text) run only on statements that parse; the others work
 * on tokens. Placeholders are swapped for names the grammar accepts first, and results are cached
 * by text so that re-linting an edited document only parses the statements that changed.
 */

import type { SqlDialect } from '../../types';
import type { SqlToken } from './tokenizer';

interface AstParser {
  astify(sql: string | BudgetedInputLike, options: { database: string; trimQuery: false }): unknown;
}

/** A `String` object: the grammar reads it like a string (see BudgetedInput). */
type BudgetedInputLike = object;

// Module loading, not I/O: the engine has no Node types, so the one function it needs is named here.
declare const require: (id: string) => { Parser: new () => AstParser };

/**
 * Each dialect's grammar is megabytes of generated code, so it is loaded on first use: a workspace
 * on one dialect never evaluates, or keeps in memory, the other seven. The module names are
 * written out in full so that the bundler finds and bundles each one (and keeps it lazy).
 */
const PARSER_FACTORIES: Record<SqlDialect, () => AstParser> = {
  postgresql: () => new (require('node-sql-parser/build/postgresql').Parser)(),
  mysql: () => new (require('node-sql-parser/build/mysql').Parser)(),
  mariadb: () => new (require('node-sql-parser/build/mariadb').Parser)(),
  bigquery: () => new (require('node-sql-parser/build/bigquery').Parser)(),
  snowflake: () => new (require('node-sql-parser/build/snowflake').Parser)(),
  sqlite: () => new (require('node-sql-parser/build/sqlite').Parser)(),
  transactsql: () => new (require('node-sql-parser/build/transactsql').Parser)(),
  redshift: () => new (require('node-sql-parser/build/redshift').Parser)(),
};

const parsers = new Map<SqlDialect, AstParser>();

/** Longer statements are not parsed: the PEG grammar's time grows fast and rules fall back to tokens. */
const MAX_PARSED_LENGTH = 20_000;

/**
 * The grammars backtrack without memoization, so some short texts take exponential time: a
 * statement ending in 40 unclosed `(` ran the process out of memory, and 14 nested parentheses
 * around a syntax error took seconds (issue #15). The parser reads its input only through
 * `charCodeAt`, `charAt` and `substr`, so it is handed a string object that counts those reads and
 * gives up past a budget proportional to the text. Well-formed statements take 20-60 reads a
 * character; the budget allows several times that, and a statement over it is "too complex",
 * which rules treat like one the grammar rejects. Counting costs about as much again as the parse.
 */
const READS_PER_CHARACTER = 100;
const BASE_READS = 30_000;

class ParseBudgetExceeded extends Error {}

class BudgetedInput extends String {
  private reads = 0;
  constructor(
    text: string,
    private readonly budget: number,
  ) {
    super(text);
  }
  private count(): void {
    if (++this.reads > this.budget) throw new ParseBudgetExceeded('statement too complex to parse');
  }
  override charCodeAt(index: number): number {
    this.count();
    return super.charCodeAt(index);
  }
  override charAt(index: number): string {
    this.count();
    return super.charAt(index);
  }
  override substr(from: number, length?: number): string {
    this.count();
    return super.substr(from, length);
  }
}

/**
 * Parentheses that do not pair up (outside strings and comments, which are tokens of their own)
 * never parse in any dialect, and they are what sends the grammars furthest into backtracking:
 * answered from the tokens, without asking.
 */
function parenthesesBalance(tokens: readonly SqlToken[]): boolean {
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(') depth++;
    else if (token.text === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
const CACHE_LIMIT = 4_000;
const cache = new Map<string, boolean>();

/**
 * Rebuilds the statement text from its tokens with placeholders replaced by plain names, and
 * comments dropped, which is what every dialect's grammar can read.
 */
function normalizedText(text: string, tokens: readonly SqlToken[]): string {
  const parts: string[] = [];
  let previousEnd = tokens[0]?.start ?? 0;
  let placeholderCount = 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined) continue;
    parts.push(text.slice(previousEnd, token.start).replace(/[^\n]/g, ' '));
    if (token.kind === 'placeholder') {
      const afterLimit = /^(LIMIT|OFFSET|TOP|FETCH|FIRST|NEXT)$/.test(tokens[index - 1]?.upper ?? '');
      parts.push(afterLimit ? '1' : `p__${placeholderCount++}`);
    } else {
      parts.push(token.text);
    }
    previousEnd = token.end;
  }
  return parts.join('');
}

/** True when the dialect's grammar accepts the statement made of `tokens` (significant only). */
export function statementParses(text: string, tokens: readonly SqlToken[], dialect: SqlDialect): boolean {
  if (tokens.length === 0) return false;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (first === undefined || last === undefined || last.end - first.start > MAX_PARSED_LENGTH) return false;
  if (!parenthesesBalance(tokens)) return false;
  const normalized = normalizedText(text, tokens);
  const key = `${dialect}\u0000${normalized}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let parser = parsers.get(dialect);
  if (parser === undefined) {
    parser = PARSER_FACTORIES[dialect]();
    parsers.set(dialect, parser);
  }
  let parses: boolean;
  try {
    // trimQuery: false hands the grammar the object itself (trimming would turn it back into a
    // plain string); the normalized text has no leading or trailing space to trim.
    const input = new BudgetedInput(normalized, BASE_READS + READS_PER_CHARACTER * normalized.length);
    parser.astify(input, { database: dialect === 'transactsql' ? 'transactsql' : dialect, trimQuery: false });
    parses = true;
  } catch {
    parses = false;
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, parses);
  return parses;
}
