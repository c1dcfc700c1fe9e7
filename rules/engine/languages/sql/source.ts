/**
 * A SQL source: the text rules see, split into statements with their structure and parse status.
 * A .sql file is one SQL source; each query embedded in a JS/TS (later Python) file is another,
 * a virtual text with an offset map back to its host (see ../../embedded.ts). Rules only ever see
 * SQL sources and report in their offsets.
 */

import type { SqlDialect, TextRange } from '../../types';
import { statementParses } from './parser';
import { splitSqlStatements } from './statements';
import { buildStatementModel, type StatementModel } from './structure';
import type { SqlToken } from './tokenizer';

/** A host-language expression spliced into embedded SQL (`${ids.join(',')}`). */
export interface Substitution {
  /** Range in the SQL source's text. */
  range: TextRange;
  /** The expression as written in the host file. */
  expressionText: string;
  /** True when the expression builds a list from a runtime array (`ids.join(',')`, `ids.map(...).join()`). */
  isArrayJoin: boolean;
}

export interface SqlStatement {
  index: number;
  range: TextRange;
  model: StatementModel;
  /**
   * True when the dialect's grammar accepts the statement. Asked only when an answer depends on
   * it (see ParsedOnDemand): most statements are never run through the grammar.
   */
  readonly parses: boolean;
}

/**
 * A statement whose grammar check runs on first use. The grammar (node-sql-parser's generated
 * PEG parser) is the slowest thing the SQL side does, and on a cold audit loading and warming it
 * up costs more than every SQL rule together; the runner asks it only about statements a rule
 * that needs well-formed SQL reports on, and looksLikeSql only about text its other checks leave
 * in doubt.
 */
class ParsedOnDemand implements SqlStatement {
  private answer: boolean | undefined;

  constructor(
    readonly index: number,
    readonly range: TextRange,
    readonly model: StatementModel,
    private readonly text: string,
    private readonly tokens: readonly SqlToken[],
    private readonly dialect: SqlDialect,
  ) {}

  get parses(): boolean {
    this.answer ??= statementParses(this.text, this.tokens, this.dialect);
    return this.answer;
  }
}

/**
 * What the host code says about the engine that runs embedded SQL, when it says something the
 * configured dialect does not: SQL passed to `spark.sql(...)` runs on Spark, whatever database
 * the project's other SQL is for.
 */
export interface SqlHost {
  engine: 'spark';
  /** True when the host file sets the engine's session time zone before this SQL (`spark.sql.session.timeZone`). */
  setsSessionTimeZone: boolean;
}

export interface SqlSource {
  text: string;
  dialect: SqlDialect;
  /** Set for embedded SQL whose host call names the engine (see SqlHost). */
  host?: SqlHost;
  statements: SqlStatement[];
  /** Comment tokens, for suppression directives. */
  comments: SqlToken[];
  substitutions: Substitution[];
  /** True for SQL embedded in application code (as opposed to a .sql file). */
  embedded: boolean;
}

export function buildSqlSource(text: string, dialect: SqlDialect, substitutions: Substitution[] = [], embedded = false, host?: SqlHost): SqlSource {
  const split = splitSqlStatements(
    text,
    dialect,
    substitutions.map((substitution) => substitution.range),
  );
  const statements = split.statements.map((statement, index) => new ParsedOnDemand(index, statement.range, buildStatementModel(statement.tokens), text, statement.tokens, dialect));
  return {
    text,
    dialect,
    statements,
    comments: split.allTokens.filter((token) => token.kind === 'comment'),
    substitutions,
    embedded,
    ...(host === undefined ? {} : { host }),
  };
}

/** How many statements a SQL text has and how many of them the dialect's grammar accepts (for tests and benchmarks). */
export function countParsingStatements(text: string, dialect: SqlDialect): { statements: number; parsing: number } {
  const { statements } = buildSqlSource(text, dialect);
  return { statements: statements.length, parsing: statements.filter((statement) => statement.parses).length };
}

/** Words a SQL statement can start with; embedded strings must start with one to be taken as SQL. */
export const SQL_LEADING_KEYWORDS = new Set([
  'SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'CREATE', 'ALTER', 'DROP', 'TRUNCATE',
  'EXPLAIN', 'CALL', 'VALUES', 'COPY', 'GRANT', 'REVOKE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'LOCK', 'VACUUM', 'ANALYZE',
  'REFRESH', 'SHOW', 'DECLARE', 'EXEC', 'EXECUTE', 'SET', 'TABLE',
]);

/** Words that, after a leading keyword, make a string read as SQL rather than prose. */
const STRUCTURAL_KEYWORDS = new Set(['FROM', 'INTO', 'SET', 'WHERE', 'VALUES', 'TABLE', 'INDEX', 'VIEW', 'JOIN', 'RETURNING', 'BY', 'SCHEMA', 'FUNCTION', 'EXTENSION', 'TRIGGER', 'SEQUENCE', 'TYPE']);

/**
 * Decides whether embedded text is SQL: it must open with a statement keyword and either parse or
 * contain a structural keyword. "Select a file" in a UI string is neither.
 */
export function looksLikeSql(source: SqlSource): boolean {
  const first = source.statements[0];
  if (first === undefined) return false;
  const leading = first.model.tokens[0];
  if (leading === undefined || leading.kind !== 'word' || !SQL_LEADING_KEYWORDS.has(leading.upper)) return false;
  // Text that looks like code, not prose, is SQL whether or not the grammar accepts it: a
  // structural keyword and some SQL punctuation, operator, literal or placeholder ("select all
  // from the list" has none). Only the rest is asked of the grammar, which is far slower.
  const tokens = first.model.tokens;
  const structural = tokens.some((token, index) => index > 0 && token.kind === 'word' && STRUCTURAL_KEYWORDS.has(token.upper));
  const codeLike = tokens.some((token) => token.kind === 'operator' || token.kind === 'placeholder' || token.kind === 'string' || token.kind === 'quotedIdentifier' || token.kind === 'number' || (token.kind === 'punctuation' && token.text !== '.'));
  return (structural && codeLike) || first.parses;
}
