/**
 * faultline/audit: lints the files of every workspace folder (or the open files, or the files
 * changed since a git ref), reporting progress and honouring cancellation, and publishes each
 * file's findings so they land in the Problems panel, including files that were never opened.
 * Which files: .gitignore (collectFiles), the client's `files.exclude` globs per folder, the
 * config's `ignore` (lintFile) and the max file size per folder; files too large, binary or
 * unreadable are counted and listed. Every audited file gets a publish, an empty one when it has
 * no findings, and a file that had findings in an earlier audit but is now deleted, excluded or
 * skipped is cleared. The auditor remembers which files it published, so that closing one of
 * them re-publishes its findings, and keeps the last audit for the report.
 * The files are linted on a worker thread of the audit's own (analysis.fileAnalyzer), one at a
 * time under the per-file budget, while this thread reads the next files and publishes: the server
 * answers other requests during an audit, and a file whose analysis runs away is stopped and
 * listed as not analysed ("too complex"), the audit going on with the rest (#15).
 */

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { CancellationToken, Connection, Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { languageOfPath, type Finding } from '../../../rules';
import { collectFiles, readSourceFile, type SkippedFile } from '../workspace/files';
import type { Analysis, FileAnalysis, FileAnalyzer } from './analysis';
import { findingToDiagnostic } from './convert';
import {
  AUDIT_PROGRESS_NOTIFICATION,
  type AuditParams,
  type AuditProgressParams,
  type AuditResult,
  type FolderExcludes,
} from './protocol';

export interface AuditEnvironment {
  connection: Connection;
  analysis: Analysis;
  workspaceFolders: () => string[];
  openDocumentPaths: () => string[];
  /** The `faultline.audit.maxFileSizeKb` setting for a folder (or a file outside every folder). */
  maxFileSizeBytes: (path: string) => Promise<number>;
  /** Publishes a file's diagnostics (main.ts decides how for files open in an editor). */
  publish: (uri: string, diagnostics: Diagnostic[]) => void;
}

/** One finding as the report shows it: 1-based line and column (UTF-16 units, as editors count). */
export interface AuditedFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  line: number;
  column: number;
}

export interface AuditedFile {
  absolutePath: string;
  /** Relative to its workspace folder with `/`; prefixed with the folder's name in a multi-root workspace. */
  path: string;
  findings: AuditedFinding[];
}

/** The last audit, for the report: plain data. */
export interface AuditRecord {
  folders: string[];
  /** Every file that was linted, sorted by path (files without findings included). */
  files: AuditedFile[];
  filesChecked: number;
  skipped: { path: string; absolutePath: string; reason: string }[];
  cancelled: boolean;
  finishedAt: string;
}

export interface Auditor {
  run(params: AuditParams, token: CancellationToken): Promise<AuditResult>;
  /** True when an audit published this file's diagnostics, so closing it must not lose them. */
  published(uri: string): boolean;
  /** The file's findings from its text on disk, as an audit would publish them; [] if it is gone. */
  diagnosticsFromDisk(uri: string): Promise<Diagnostic[]>;
  lastAudit(): AuditRecord | null;
}

/**
 * How long, at most, the audit runs without letting the event loop in. Waiting for the worker
 * lets it in, but files that need no lint (ignored by the config, unreadable) are settled at once.
 */
const YIELD_EVERY_MS = 10;
/** How often, at most, progress goes to the client. */
const PROGRESS_EVERY_MS = 100;

const yieldToEventLoop = (): Promise<void> => new Promise((resolvePromise) => setImmediate(resolvePromise));
/**
 * Files read and sent to the audit's worker ahead of the one whose result is awaited, so that the
 * worker never waits for this thread between files. Each holds its text until its result is in.
 */
const FILES_IN_FLIGHT = 4;

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** Expands `{a,b}` alternatives (VS Code globs have them, gitignore patterns do not). */
function expandBraces(pattern: string): string[] {
  const match = /\{([^{}]*)\}/.exec(pattern);
  if (match === null) return [pattern];
  const before = pattern.slice(0, match.index);
  const after = pattern.slice(match.index + match[0].length);
  return (match[1] ?? '').split(',').flatMap((alternative) => expandBraces(`${before}${alternative}${after}`));
}

/**
 * `files.exclude` globs as gitignore patterns. A VS Code glob is matched against the whole path
 * relative to the folder, so one that does not start with a `**` segment is anchored to the folder (`/`), where
 * gitignore would match a slash-less pattern at any depth. A pattern that matches a folder
 * excludes everything in it, in both.
 */
export function excludeGlobsToGitignore(patterns: readonly string[]): string[] {
  return patterns
    .flatMap(expandBraces)
    .map((pattern) => pattern.trim().replace(/^\.\//, ''))
    .filter((pattern) => pattern !== '' && !pattern.startsWith('#') && !pattern.startsWith('!'))
    .map((pattern) => (pattern.startsWith('**/') || pattern.startsWith('/') ? pattern : `/${pattern}`));
}

/** A folder's exclude matcher; null when it has no patterns or they cannot be compiled. */
function excludeMatcher(patterns: readonly string[]): Ignore | null {
  if (patterns.length === 0) return null;
  try {
    return ignore().add(patterns);
  } catch {
    return null;
  }
}

function changedFiles(folder: string, ref: string): Promise<string[]> {
  const git = (args: string[]): Promise<string[]> =>
    new Promise((resolvePromise) => {
      execFile('git', ['-C', folder, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
        resolvePromise(error ? [] : stdout.split('\n').filter((line) => line.length > 0));
      });
    });
  return (async () => {
    const [root] = await git(['rev-parse', '--show-toplevel']);
    if (root === undefined) return [];
    // `--end-of-options` keeps a ref that looks like an option from being read as one. Untracked
    // files count as changed, as they do for the CLI's --changed-since.
    const [changed, untracked] = await Promise.all([
      git(['diff', '--name-only', '--no-renames', '--end-of-options', ref, '--']),
      git(['ls-files', '--others', '--exclude-standard', '--full-name']),
    ]);
    return [...changed, ...untracked].map((path) => resolve(root, path)).filter((path) => isInside(folder, path));
  })();
}

function isInside(folder: string, path: string): boolean {
  const relativePath = relative(folder, path);
  return relativePath === '' || (!relativePath.startsWith('..') && !relativePath.startsWith(sep) && !/^[a-zA-Z]:/.test(relativePath));
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Candidates {
  files: string[];
  skipped: SkippedFile[];
  /** Files this audit speaks for: an earlier audit's findings on them are cleared if not re-published. */
  covers: (path: string) => boolean;
}

export function createAuditor(environment: AuditEnvironment): Auditor {
  /** Files the audits published findings for (non-empty), and every file they published at all. */
  const withFindings = new Set<string>();
  const everPublished = new Set<string>();
  let record: AuditRecord | null = null;

  const folderOf = (folders: readonly string[], path: string): string | null =>
    folders.filter((folder) => isInside(folder, path)).sort((a, b) => b.length - a.length)[0] ?? null;

  async function candidates(params: AuditParams, folders: string[], token: CancellationToken): Promise<Candidates> {
    const excludesByFolder = new Map<string, string[]>();
    for (const entry of params.excludes ?? ([] as FolderExcludes[])) {
      const path = URI.parse(entry.folderUri).fsPath;
      excludesByFolder.set(resolve(path), excludeGlobsToGitignore(entry.patterns));
    }
    const excludesOf = (folder: string | null): string[] => (folder === null ? [] : (excludesByFolder.get(folder) ?? []));

    if (params.scope.kind === 'workspace') {
      const files = new Set<string>();
      const skipped: SkippedFile[] = [];
      for (const folder of folders) {
        const collected = collectFiles([folder], {
          maxFileSizeBytes: await environment.maxFileSizeBytes(folder),
          extraIgnores: excludesOf(folder),
          isCancelled: () => token.isCancellationRequested,
        });
        for (const file of collected.files) files.add(file);
        skipped.push(...collected.skipped);
      }
      return { files: [...files].sort(byCodeUnit), skipped, covers: (path) => folderOf(folders, path) !== null };
    }

    let paths: string[];
    if (params.scope.kind === 'openFiles') paths = environment.openDocumentPaths();
    else {
      const ref = params.scope.ref;
      paths = (await Promise.all(folders.map((folder) => changedFiles(folder, ref)))).flat();
    }
    const unique = [...new Set(paths.map((path) => resolve(path)))].sort(byCodeUnit);
    const files: string[] = [];
    const skipped: SkippedFile[] = [];
    const matchers = new Map<string, Ignore | null>();
    for (const path of unique) {
      if (languageOfPath(path) === null) continue;
      const folder = folderOf(folders, path);
      if (folder !== null) {
        if (!matchers.has(folder)) matchers.set(folder, excludeMatcher(excludesOf(folder)));
        const matcher = matchers.get(folder) ?? null;
        const relativePath = toSlashes(relative(folder, path));
        if (matcher !== null && relativePath !== '' && matcher.ignores(relativePath)) continue;
      }
      let size: number;
      try {
        const stats = statSync(path);
        if (!stats.isFile()) continue;
        size = stats.size;
      } catch {
        continue; // Deleted since: covered, so its old findings are cleared.
      }
      const maxFileSizeBytes = await environment.maxFileSizeBytes(folder ?? path);
      if (size > maxFileSizeBytes) {
        skipped.push({ path, reason: `larger than ${Math.round(maxFileSizeBytes / 1024)} KB (${Math.round(size / 1024)} KB)` });
        continue;
      }
      files.push(path);
    }
    const covered = new Set(unique);
    return { files, skipped, covers: (path) => covered.has(path) };
  }

  /** A file's lint as the audit publishes and reports it. */
  function diagnosticsOf(path: string, text: string, outcome: FileAnalysis): { diagnostics: Diagnostic[]; findings: AuditedFinding[]; ignored: boolean; notAnalysed?: string } {
    const findings: Finding[] = outcome.findings;
    const document = TextDocument.create(URI.file(path).toString(), 'plaintext', 0, text);
    return {
      diagnostics: findings.map((finding) => findingToDiagnostic(document, finding)),
      findings: findings.map((finding) => {
        const start = document.positionAt(finding.range.start);
        return { ruleId: finding.ruleId, severity: finding.severity, message: finding.message, line: start.line + 1, column: start.character + 1 };
      }),
      ignored: outcome.ignored,
      ...(outcome.notAnalysed === undefined ? {} : { notAnalysed: outcome.notAnalysed }),
    };
  }

  /**
   * Lints a file and converts its result, with a failure on the file made the file's outcome: the
   * audit goes on (#15). Null when the lint was ended unfinished (the audit was cancelled).
   */
  async function diagnosticsOrFailure(analyzer: FileAnalyzer, path: string, text: string): Promise<ReturnType<typeof diagnosticsOf> | null> {
    try {
      const outcome = await analyzer.analyze(path, text);
      if (outcome === null) return null;
      return diagnosticsOf(path, text, outcome);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      environment.connection.console.error(`Faultline could not analyse ${path}; the audit goes on. Please report this:\n${message}`);
      return { diagnostics: [], findings: [], ignored: false, notAnalysed: `internal error: ${message.split('\n')[0] ?? ''}` };
    }
  }

  function publish(uri: string, diagnostics: Diagnostic[]): void {
    everPublished.add(uri);
    if (diagnostics.length > 0) withFindings.add(uri);
    else withFindings.delete(uri);
    environment.publish(uri, diagnostics);
  }

  async function run(params: AuditParams, token: CancellationToken): Promise<AuditResult> {
    const folders = environment.workspaceFolders().map((folder) => resolve(folder));
    const collected = await candidates(params, folders, token);
    const displayPath = (path: string): string => {
      const folder = folderOf(folders, path);
      if (folder === null) return toSlashes(path);
      const inFolder = toSlashes(relative(folder, path));
      return folders.length > 1 ? `${basename(folder)}/${inFolder}` : inFolder;
    };
    const bySeverity: Record<string, number> = { error: 0, warning: 0, info: 0, hint: 0 };
    const skipped = collected.skipped.map((entry) => ({ path: displayPath(entry.path), absolutePath: entry.path, reason: entry.reason }));
    const files: AuditedFile[] = [];
    const publishedNow = new Set<string>();
    let findingsCount = 0;
    let filesChecked = 0;
    const total = collected.files.length;
    const report = (done: number): void => {
      const progress: AuditProgressParams = { progressToken: params.progressToken, done, total };
      void environment.connection.sendNotification(AUDIT_PROGRESS_NOTIFICATION, progress);
    };
    report(0);
    let done = 0;
    let lastYield = Date.now();
    let lastReport = lastYield;
    const analyzer = environment.analysis.fileAnalyzer();
    // A cancel ends the lints under way at once, a runaway one included.
    const cancelListener = token.onCancellationRequested(() => analyzer.close());
    /** Files read and sent to the worker, in order: a file's outcome, or why it was not read. */
    const sent: { path: string; outcome: { skipped: string } | Promise<ReturnType<typeof diagnosticsOf> | null> }[] = [];
    const unsent = collected.files.values();
    try {
      for (;;) {
        while (sent.length < FILES_IN_FLIGHT && !token.isCancellationRequested) {
          const next = unsent.next();
          if (next.done === true) break;
          const path = next.value;
          const read = readSourceFile(path);
          sent.push({ path, outcome: 'skipped' in read ? read : diagnosticsOrFailure(analyzer, path, read.text) });
        }
        const file = sent.shift();
        if (file === undefined) break;
        const { path } = file;
        const outcome = 'skipped' in file.outcome ? file.outcome : await file.outcome;
        if (outcome === null) break; // Cancelled before this file's lint ended.
        done++;
        if ('skipped' in outcome) {
          skipped.push({ path: displayPath(path), absolutePath: path, reason: outcome.skipped });
        } else {
          const { diagnostics, findings, ignored, notAnalysed } = outcome;
          // As in the CLI, a file the engine declined (a minified bundle, a runaway analysis) is listed as skipped.
          if (notAnalysed !== undefined && !ignored) skipped.push({ path: displayPath(path), absolutePath: path, reason: notAnalysed });
          for (const finding of findings) bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
          findingsCount += findings.length;
          // Files the config's `ignore` covers are cleared but, as in the CLI, not counted as checked.
          if (!ignored && notAnalysed === undefined) {
            filesChecked++;
            files.push({ absolutePath: path, path: displayPath(path), findings });
          }
          const uri = URI.file(path).toString();
          publish(uri, diagnostics);
          publishedNow.add(uri);
        }
        const now = Date.now();
        if (now - lastReport >= PROGRESS_EVERY_MS) {
          report(done);
          lastReport = now;
        }
        if (now - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
    } finally {
      cancelListener.dispose();
      analyzer.close();
    }
    const cancelled = token.isCancellationRequested;
    report(done);
    // Findings an earlier audit published on files this one covers but did not publish (deleted,
    // now excluded, ignored or skipped) are stale. A cancelled audit did not look at everything.
    if (!cancelled) {
      for (const uri of [...withFindings]) {
        if (publishedNow.has(uri)) continue;
        const path = URI.parse(uri).fsPath;
        if (collected.covers(path)) publish(uri, []);
      }
    }
    files.sort((a, b) => byCodeUnit(a.path, b.path));
    skipped.sort((a, b) => byCodeUnit(a.path, b.path));
    record = { folders, files, filesChecked, skipped, cancelled, finishedAt: new Date().toISOString() };
    return {
      filesChecked,
      filesSkipped: skipped.length,
      skippedFiles: skipped.map((entry) => ({ uri: URI.file(entry.absolutePath).toString(), reason: entry.reason })),
      findings: findingsCount,
      bySeverity,
      cancelled,
    };
  }

  return {
    run,
    published: (uri) => everPublished.has(uri),
    async diagnosticsFromDisk(uri) {
      const path = URI.parse(uri).fsPath;
      const read = readSourceFile(path);
      if ('skipped' in read) return [];
      const outcome = await environment.analysis.analyzeFile(path, read.text);
      return outcome === null ? [] : diagnosticsOf(path, read.text, outcome).diagnostics;
    },
    lastAudit: () => record,
  };
}
