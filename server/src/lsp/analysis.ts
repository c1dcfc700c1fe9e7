/**
 * The server's view of analysis: lints open documents (cached by uri and version, so diagnostics,
 * code actions and fix-all share one result), resolves each document's config, and reports a
 * rule that throws once to the output channel. Everything LSP-shaped stays in the handlers.
 * Every lint runs on an analysis worker (analysis-worker.ts), where an analysis that runs away is
 * stopped: open documents on one, each audit's files on one of their own (the audit has its own
 * size limit). This thread reads configs and project facts and answers requests meanwhile.
 */

import { URI } from 'vscode-uri';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { languageOfLanguageId, languageOfPath, type Finding, type InternalError, type LanguageId } from '../../../rules';
import { createConfigResolver, type ResolvedConfig } from '../workspace/config-resolver';
import { planFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts } from '../workspace/project-facts';
import { createAnalysisWorker, type AnalysisWorker, type LintOutcome } from './analysis-worker';

export interface DocumentAnalysis {
  version: number;
  findings: Finding[];
  resolved: ResolvedConfig;
  /** Why the document was not analysed (too large, minified, too complex, an internal error), when it was not. */
  notAnalysed?: string;
}

/**
 * Open documents larger than this are not analysed (#15): a 50 MB file ran the server out of
 * memory, and whatever else is open waits while one document is linted. The document says so
 * with one diagnostic. Audits have their own limit (`faultline.audit.maxFileSizeKb`).
 */
export const MAX_DOCUMENT_CHARACTERS = 5 * 1024 * 1024;

/** A file's analysis from its text on disk. */
export interface FileAnalysis {
  findings: Finding[];
  /** True when the config's `ignore` globs cover the file. */
  ignored: boolean;
  /** Why the file was not analysed (minified, too complex, an internal error), when it was not. */
  notAnalysed?: string;
}

/** Lints files that are not open (a language Faultline does not read counts as ignored); null for a lint ended by close. */
export interface FileAnalyzer {
  analyze(path: string, text: string): Promise<FileAnalysis | null>;
  /** Ends the analyzer's thread; lints not finished yet resolve with null. */
  close(): void;
}

export interface Analysis {
  /** The document's analysis; null for a language Faultline does not read, or when a newer version of the document replaced this one. */
  analyze(document: TextDocument): Promise<DocumentAnalysis | null>;
  /**
   * Findings for a file that is not open (a closed file an audit published), linted on the
   * documents' worker; null when a newer request for the same uri replaced it (the file reopened).
   */
  analyzeFile(path: string, text: string): Promise<FileAnalysis | null>;
  /**
   * An analyzer for an audit's files, on a worker thread of its own: open documents never wait
   * behind an audit, and a file whose analysis runs away is stopped and reported as not
   * analysed. Close it when the audit ends.
   */
  fileAnalyzer(): FileAnalyzer;
  /**
   * A document was saved: what it says to the rest of its project (its imports, an HTTP client
   * default) is read again. Done on save, not on each edit: the project's index is rebuilt when
   * those facts change, which is too slow for a keystroke in a large project.
   */
  documentSaved(document: TextDocument): void;
  resolveConfig(path: string): ResolvedConfig;
  invalidateConfig(): void;
  forget(uri: string): void;
  cached(uri: string): DocumentAnalysis | undefined;
}

/** What the document or file shows from a lint's outcome: its findings, or why it has none. */
function findingsOfOutcome(outcome: Exclude<LintOutcome, null>): { findings: Finding[]; notAnalysed?: string } {
  if ('notAnalysed' in outcome) return { findings: [], notAnalysed: outcome.notAnalysed };
  return { findings: outcome.result.findings, ...(outcome.result.notAnalysed === undefined ? {} : { notAnalysed: outcome.result.notAnalysed }) };
}

export function pathOfUri(uri: string): string | null {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : null;
}

/** The engine language of an open document: by language id, else by file name. */
export function languageOfDocument(document: TextDocument): LanguageId | null {
  return languageOfLanguageId(document.languageId) ?? languageOfPath(URI.parse(document.uri).path);
}

/**
 * `workerScript` is the server's own bundle, started again as the analysis worker.
 * `onOtherFilesStale` is called when a save changed what the project says about other files
 * (an `axios.defaults.timeout` line added, an import): their cached results were dropped and the
 * open ones should be analysed again.
 */
export function createAnalysis(log: (message: string) => void, workerScript: string, onOtherFilesStale: (changedUri: string) => void = () => {}): Analysis {
  const resolver = createConfigResolver();
  // Project facts are read here, on the server's thread, and each lint request carries its file's part.
  const projectFacts = createProjectFacts(resolver);
  const cache = new Map<string, DocumentAnalysis>();
  /**
   * Lints in progress, by uri: a second request for the same version shares the first. A lint's
   * result is kept only if its entry is still here when it ends: not after the document was
   * closed (a reopened document starts at version 1 again) or the config changed.
   */
  const inProgress = new Map<string, { version: number; analysis: Promise<DocumentAnalysis | null> }>();
  const worker = createAnalysisWorker(workerScript, log, 'documents');
  const reportedErrors = new Set<string>();

  const reportInternalErrors = (path: string, errors: InternalError[]): void => {
    for (const error of errors) {
      // A rule that fails is reported once; a file the engine failed on, once per file and error.
      const key = error.ruleId ?? `${path}\0${error.message.split('\n')[0] ?? ''}`;
      if (reportedErrors.has(key)) continue;
      reportedErrors.add(key);
      log(
        error.ruleId === null
          ? `Faultline could not analyse ${path}; it shows no findings, the other files are analysed. Please report this:\n${error.message}`
          : `Rule ${error.ruleId} failed on ${path}; its findings are missing, the other rules still ran. Please report this:\n${error.message}`,
      );
    }
  };

  /** Lints a file read from disk on `on`, with its config and project facts read here. */
  const analyzeFileOn = async (on: AnalysisWorker, path: string, text: string): Promise<FileAnalysis | null> => {
    if (languageOfPath(path) === null) return { findings: [], ignored: true };
    const plan = planFile(path, resolver, { today: todayIso() });
    if (plan.ignored) return { findings: [], ignored: true };
    const project = projectFacts.factsFor(path, plan.resolved);
    const outcome = await on.lint({ uri: URI.file(path).toString(), version: 0, path: plan.projectPath, languageId: plan.languageId, text, settings: plan.settings, project, incremental: false });
    if (outcome === null) return null;
    if ('result' in outcome) reportInternalErrors(path, outcome.result.internalErrors);
    return { ...findingsOfOutcome(outcome), ignored: false };
  };

  return {
    analyze(document) {
      const existing = cache.get(document.uri);
      if (existing !== undefined && existing.version === document.version) return Promise.resolve(existing);
      const running = inProgress.get(document.uri);
      if (running !== undefined && running.version === document.version) return running.analysis;
      const languageId = languageOfDocument(document);
      if (languageId === null) return Promise.resolve(null);
      const path = pathOfUri(document.uri) ?? URI.parse(document.uri).path;
      // Untitled documents get a path of their language so the engine picks the right parser.
      const lintPath = languageOfPath(path) === null ? `${path}.${languageId === 'sql' ? 'sql' : languageId === 'typescript' ? 'ts' : languageId === 'python' ? 'py' : 'js'}` : path;
      const version = document.version;
      const keep = (analysis: DocumentAnalysis): DocumentAnalysis => {
        cache.set(document.uri, analysis);
        return analysis;
      };
      if (document.getText().length > MAX_DOCUMENT_CHARACTERS) {
        worker.forget(document.uri);
        return Promise.resolve(keep({ version, findings: [], resolved: resolver.resolve(lintPath), notAnalysed: `larger than ${MAX_DOCUMENT_CHARACTERS / 1024 / 1024} MB: open documents this large are not analysed (an audit reads files up to faultline.audit.maxFileSizeKb)` }));
      }
      const plan = planFile(lintPath, resolver, { today: todayIso() });
      if (plan.ignored) return Promise.resolve(keep({ version, findings: [], resolved: plan.resolved }));
      const diskPath = pathOfUri(document.uri);
      const project = diskPath === null ? undefined : projectFacts.factsFor(diskPath, plan.resolved);
      const entry = { version, analysis: worker.lint({ uri: document.uri, version, path: plan.projectPath, languageId: plan.languageId, text: document.getText(), settings: plan.settings, ...(project === undefined ? {} : { project }), incremental: true }).then((outcome): DocumentAnalysis | null => {
        const current = inProgress.get(document.uri) === entry;
        if (current) inProgress.delete(document.uri);
        if (outcome === null) return null;
        if ('result' in outcome) reportInternalErrors(lintPath, outcome.result.internalErrors);
        const analysis: DocumentAnalysis = { version, resolved: plan.resolved, ...findingsOfOutcome(outcome) };
        return current ? keep(analysis) : analysis;
      }) };
      inProgress.set(document.uri, entry);
      return entry.analysis;
    },
    analyzeFile: (path, text) => analyzeFileOn(worker, path, text),
    fileAnalyzer() {
      const own = createAnalysisWorker(workerScript, log, 'audit');
      return { analyze: (path, text) => analyzeFileOn(own, path, text), close: () => own.close() };
    },
    documentSaved(document) {
      const path = pathOfUri(document.uri);
      if (path === null || !projectFacts.update(path, document.getText(), resolver.resolve(path))) return;
      // Every result may be stale, the saved file's own too (an import added, a model now known).
      cache.clear();
      inProgress.clear();
      onOtherFilesStale(document.uri);
    },
    resolveConfig: (path) => resolver.resolve(path),
    invalidateConfig() {
      resolver.invalidate();
      projectFacts.invalidate();
      cache.clear();
      inProgress.clear();
    },
    forget(uri) {
      cache.delete(uri);
      inProgress.delete(uri);
      worker.forget(uri);
    },
    cached: (uri) => cache.get(uri),
  };
}
