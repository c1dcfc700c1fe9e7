/**
 * The shape of a rule. A rule is `defineRule({ meta, create })`: `meta` is its public description
 * (id, severity, messages, options, the most trusted fix it may emit, the words a file must
 * contain for it to be worth running), and `create` returns visitors that the runner calls during
 * its single pass over the document.
 */

import type { EmbeddedSqlSite, ts } from './languages/typescript';
import type { PythonFile, PythonNode, PythonSqlSite } from './languages/python';
import type { PrefilterTerm } from './prefilter';
import type { QueryBlock } from './languages/sql/structure';
import type { SqlSource, SqlStatement } from './languages/sql/source';
import type { FileRole, Fix, FixSafety, ProjectFacts, RelatedLocation, RuleOptions, Severity, SqlDialect, TextRange } from './types';

/** Where a rule's folder lives: rules/<family>/<id>/. */
export type RuleFamily = 'sql' | 'app';

/**
 * What a rule looks at: every SQL source (.sql files and queries embedded in any host language),
 * JS/TS syntax trees ('script'), or Python syntax trees ('python'). A rule whose idea exists in
 * both application languages (`request-without-timeout`) keeps one id and lists both targets; its
 * `create` then returns both visitor shapes, and the runner calls the ones for the document's
 * language.
 */
export type RuleTarget = 'sql' | 'script' | 'python';

/** The targets of a rule, whether it declares one or several. */
export function ruleTargets(meta: Pick<RuleMeta, 'target'>): readonly RuleTarget[] {
  return typeof meta.target === 'string' ? [meta.target] : meta.target;
}

/** The most trusted fix a rule may emit; the runner drops anything above it. */
export type RuleFixLevel = 'none' | FixSafety;

export interface RuleMeta<MessageId extends string = string> {
  id: string;
  family: RuleFamily;
  target: RuleTarget | readonly RuleTarget[];
  defaultSeverity: Severity;
  fix: RuleFixLevel;
  /** SQL rules that need a statement the dialect's grammar accepts; others also run on tokens. */
  requiresParse: boolean;
  /**
   * The file roles the rule speaks about (engine/roles.ts); the runner runs it nowhere else. A SQL
   * rule is asked about the role of the SQL itself: the file's role, except that SQL run by
   * pipeline code (Airflow, Spark, dbt, warehouse clients) is a warehouse transformation.
   */
  appliesTo: readonly FileRole[];
  /** One line: what the rule flags (SARIF shortDescription, `faultline rules`). */
  summary: string;
  /** Why it bites in production, shown under every finding's message. */
  why: string;
  /** Messages by id; `{{name}}` is replaced with report data. */
  messages: Record<MessageId, string>;
  /** Option defaults; config values must have the same type. */
  options: RuleOptions;
  /**
   * What a file must contain for the rule to run (any one term; see prefilter.ts): lower-case
   * substrings, whole words, imported modules. A JS/TS file does not ask SQL rules: they see it
   * only through its embedded queries, so one check that it holds any (EMBEDDED_SQL_PREFILTER)
   * stands for all of them.
   */
  prefilter: readonly PrefilterTerm[];
  /**
   * The terms for Python files, when a rule with a Python form needs other ones (`requests`,
   * `.execute(`). Kept apart so that Python's terms never make JS/TS files run a rule.
   */
  pythonPrefilter?: readonly PrefilterTerm[];
  /** Equivalent rules in other tools. */
  sources: string[];
}

export interface ReportDescriptor<MessageId extends string> {
  messageId: MessageId;
  data?: Record<string, string>;
  range: TextRange;
  fixes?: Fix[];
  related?: RelatedLocation[];
  /**
   * Why this finding, though real, matters little here (something outside the code bounds the
   * risk): the runner shows it at info instead of warning or error, with this note under it.
   */
  quiet?: string;
}

export interface RuleContext<MessageId extends string> {
  options: RuleOptions;
  /** The file's role; SQL visitors see the role of the SQL (see RuleMeta.appliesTo). */
  fileRole: FileRole;
  dialect: SqlDialect;
  reportingTimeZone: string;
  /** What other files of the project say (engine/project-facts.ts): empty when the front end computed none. */
  project: ProjectFacts;
  report(descriptor: ReportDescriptor<MessageId>): void;
}

export interface SqlVisitors {
  /** Called once per statement of every SQL source. */
  statement?(statement: SqlStatement, source: SqlSource): void;
  /** Called once per query block (SELECT, UPDATE, DELETE, INSERT) of every statement. */
  block?(block: QueryBlock, statement: SqlStatement, source: SqlSource): void;
}

export interface ScriptVisitors {
  /** Called for each SQL site found in a JS/TS file (after its SQL rules ran). */
  embeddedSql?(site: EmbeddedSqlSite, source: SqlSource): void;
  /** Called for each node of the given kinds, during the single walk of the syntax tree. */
  nodes?: Partial<Record<ts.SyntaxKind, (node: ts.Node) => void>>;
  /** Called once with the parsed file before the walk. */
  file?(sourceFile: ts.SourceFile): void;
}

/**
 * Visitors over a Python file (tree-sitter nodes). Node objects are valid only during the lint:
 * the tree is freed when the document is done, so a rule must not keep them.
 */
export interface PythonVisitors {
  /** Called once with the parsed file before the walk. */
  pythonFile?(file: PythonFile): void;
  /** Called for each node of the given tree-sitter types (`call`, `for_statement` ...), in the single walk. */
  pythonNodes?: Partial<Record<string, (node: PythonNode) => void>>;
  /** Called for each SQL site found in a Python file (after its SQL rules ran). */
  pythonEmbeddedSql?(site: PythonSqlSite, source: SqlSource): void;
}

export interface Rule<MessageId extends string = string> {
  meta: RuleMeta<MessageId>;
  create(context: RuleContext<MessageId>): SqlVisitors & ScriptVisitors & PythonVisitors;
}

export function defineRule<MessageId extends string>(rule: Rule<MessageId>): Rule<MessageId> {
  return rule;
}

const DOCS_BASE = 'https://github.com/faultline/faultline/blob/main/rules';

/** The docs URL is derived from the id so the two cannot drift. */
export function docsUrlFor(meta: Pick<RuleMeta, 'id' | 'family'>): string {
  return `${DOCS_BASE}/${meta.family}/${meta.id}/docs.md`;
}

export const SUPPRESSIONS_DOCS_URL = 'https://github.com/faultline/faultline/blob/main/docs/suppressions.md';
