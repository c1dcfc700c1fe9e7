/**
 * The engine's vocabulary: what goes in (a document and its settings), what comes out (findings
 * with fixes), and the shape of a rule. Everything here is plain, serializable data with character
 * offsets into the document's text; converting to lines, UTF-16 positions or LSP types is the
 * front ends' job.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type RuleLevel = Severity | 'off';

/** The languages the engine understands; a language is one parser module in engine/languages/. */
export type LanguageId = 'sql' | 'typescript' | 'javascript' | 'python';

export type SqlDialect =
  | 'postgresql'
  | 'mysql'
  | 'mariadb'
  | 'bigquery'
  | 'snowflake'
  | 'sqlite'
  | 'transactsql'
  | 'redshift';

export const SQL_DIALECTS: readonly SqlDialect[] = [
  'postgresql',
  'mysql',
  'mariadb',
  'bigquery',
  'snowflake',
  'sqlite',
  'transactsql',
  'redshift',
];

/**
 * What kind of code a file is (engine/roles.ts detects it): rules declare the roles they speak
 * about. production: services, handlers, jobs, libraries, anything not recognised as another.
 */
export type FileRole = 'production' | 'test' | 'migration' | 'script' | 'example' | 'generated' | 'browser' | 'warehouse' | 'notebook';

export const FILE_ROLES: readonly FileRole[] = ['production', 'test', 'migration', 'script', 'example', 'generated', 'browser', 'warehouse', 'notebook'];

export interface FileRoleFact {
  role: FileRole;
  /** What decided it: the project's `roles` config, the file's path, its text, the project's SQL dialect, or nothing (production). */
  source: 'config' | 'path' | 'content' | 'dialect' | 'project' | 'default';
  /** Why, in a few words a user can check: `folder "migrations/"`, `imports pytest`, `config roles: "ops/**"`. */
  reason: string;
}

/** A project's own word on roles: `"roles": { "ops/**": "script" }`, globs in gitignore syntax. */
export interface RoleOverride {
  pattern: string;
  role: FileRole;
}

/** An HTTP client default the project sets once, in one module, for every request of the process. */
export interface HttpClientDefault {
  client: 'axios';
  setting: 'timeout';
  /** Where: the file's path inside the project and the line, for messages and `faultline roles`. */
  path: string;
  line: number;
}

/** An ORM whose models a project module exports (engine/project-facts.ts). */
export type OrmLibrary = 'sequelize' | 'mongoose' | 'typeorm';

/**
 * What the other files of a file's project say about it, computed by a pre-pass over the project
 * (engine/project-facts.ts) and handed to the engine with the document. Plain data, small: only
 * what concerns this one file, so it travels to worker threads and into cache keys cheaply.
 */
export interface ProjectFacts {
  httpClientDefaults: HttpClientDefault[];
  /** Set when every module importing this file runs in the browser: one such importer, as the reason. */
  browserImporter?: string;
  /** The file's imports of project modules that export ORM models (barrels too): specifier to ORM. */
  modelImports: Readonly<Record<string, OrmLibrary>>;
  /**
   * Set when no file of the project imports this production module and nothing marks it as an
   * entry point: it looks like dead code, so its findings are shown at info, not warning or error.
   */
  unimported?: boolean;
  /**
   * Set when this Python module is a program (`if __name__ == '__main__':`) that nothing in the
   * project imports or starts (no Procfile, Dockerfile, script or config names it): a person runs
   * it from a shell and is there to stop it, so its findings are shown at info.
   */
  handRun?: true;
  /** Why the job this file is part of no longer runs (its metadata says it is deprecated): its findings are shown at info. */
  retired?: string;
  /**
   * Set when this module runs only inside a serverless function (an AWS Lambda handler, a Mangum
   * app, an `(event, context)` export, and modules only such code imports): the entry's path. The
   * function's configured timeout ends each invocation, whatever the code waits for.
   */
  lambdaEntry?: string;
  /**
   * The functions this module exports that no other module of the project imports (tests aside):
   * code in them runs only if something outside the project calls it, so findings there are shown
   * at info (engine/languages/uncalled-functions.ts).
   */
  unusedExports?: string[];
  /** Set when every importer of this production module is a test or a script: that role and one such importer. */
  importedOnlyBy?: { role: 'test' | 'script'; importer: string };
  /**
   * Set when the module is part of a command-line tool (its package has a `bin` and a CLI
   * framework): the package's name. A person runs it and is there to stop it.
   */
  commandLineTool?: string;
  /**
   * Set when the module is client code by its package: an app on a user's device (`react-native`,
   * `expo`) or a single-page app (`react-scripts`, `react-app-rewired`, `@craco/craco`,
   * `@vue/cli-service`), and it imports no server module: that dependency.
   */
  clientApp?: string;
}

/** A half-open range of character offsets [start, end) into a document's text. */
export interface TextRange {
  start: number;
  end: number;
}

export interface TextEdit {
  range: TextRange;
  newText: string;
}

/**
 * How far a fix may be trusted. safe: keeps the code's meaning and comments; may be applied by
 * fix-all and on save. unsafe: valid code that may change behaviour; applied only when the user
 * picks it. display-only: shown as a suggestion, never applied.
 */
export type FixSafety = 'safe' | 'unsafe' | 'display-only';

export interface Fix {
  title: string;
  safety: FixSafety;
  edits: TextEdit[];
}

export interface RelatedLocation {
  range: TextRange;
  message: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** What is wrong and what to do, in one or two sentences. */
  message: string;
  /** Why it bites in production (the rule's explanation), for hovers and verbose output. */
  note: string;
  range: TextRange;
  fixes: Fix[];
  related: RelatedLocation[];
  docsUrl: string;
  /**
   * Offset of the statement or query call the finding belongs to: a next-line suppression above
   * its line covers the finding (and the editor inserts one there).
   */
  suppressionAnchor?: number;
  /** Marks findings the editor should render as faded code (unused suppressions). */
  tags?: 'unnecessary'[];
}

/** A document handed to the engine. */
export interface SourceDocument {
  /**
   * The file's path inside its project (`src/jobs/sync.ts`): its extension picks the parser
   * (`.tsx`, `.jsx`), and some rules read its folders and name to tell test, example and
   * one-off script code from production code, so it must not include the folders the project
   * happens to be checked out under (server/src/workspace/lint-file.ts works it out).
   */
  path: string;
  languageId: LanguageId;
  text: string;
  /** What the other files of its project say about it (engine/project-facts.ts); nothing when absent. */
  project?: ProjectFacts;
}

export type RuleOptionValue = string | number | boolean | string[];
export type RuleOptions = Record<string, RuleOptionValue>;

export interface RuleSetting {
  level: RuleLevel;
  options: RuleOptions;
}

/** Effective settings for one document, after config resolution. */
export interface LintSettings {
  sqlDialect: SqlDialect;
  reportingTimeZone: string;
  /** Per rule id; rules not named run at their default severity with default options. */
  rules: Record<string, RuleSetting>;
  /** The project's `roles` globs, matched against the file's path inside its project; first match wins. */
  roles?: readonly RoleOverride[];
  /** Only these rule ids run when set (CLI --rules). */
  onlyRules?: string[];
  /** Today's date as YYYY-MM-DD, for suppression expiry. Passed in so the core stays pure. */
  today: string;
}

/**
 * A problem in the engine itself, reported once by the front end: a rule that threw (its id; the
 * other rules' findings still arrive), or the engine failing on the file outside any rule (null;
 * the file is then `notAnalysed`, and the other files are unaffected).
 */
export interface InternalError {
  ruleId: string | null;
  message: string;
}

export interface LintResult {
  findings: Finding[];
  internalErrors: InternalError[];
  /** Statistics the audit and benchmarks report. */
  stats: { sqlStatements: number };
  /** Findings hidden by a faultline-ignore directive, with its reason (absent when none were). */
  suppressed?: SuppressedFinding[];
  /** What kind of code the file is, and why; rules ran only where they apply to it. */
  role?: FileRoleFact;
  /**
   * Why the document was not analysed at all, when it was not: a minified bundle, text beyond
   * what a parser can read (too deeply nested), or an internal error (also in internalErrors).
   */
  notAnalysed?: string;
}

/** A finding a valid suppression directive hid, kept so reports can say it was accepted and why. */
export interface SuppressedFinding {
  finding: Finding;
  kind: 'next-line' | 'file';
  reason: string;
}
