/**
 * The server's view of analysis: lints open documents (cached by uri and version, so diagnostics,
 * code actions and fix-all share one result), resolves each document's config, and reports a
 * rule that throws once to the output channel. Everything LSP-shaped stays in the handlers.
 */

import { URI } from 'vscode-uri';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isPythonInitialized, languageOfLanguageId, languageOfPath, type Finding, type InternalError, type LanguageId, type LintCache } from '../../../rules';
import { createConfigResolver, type ResolvedConfig } from '../workspace/config-resolver';
import { lintFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts } from '../workspace/project-facts';
import { loadPythonParser } from '../workspace/python';

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

export interface Analysis {
  /**
   * Loads what linting a language needs and has not loaded yet: the Python grammar (a 32 MB
   * WebAssembly memory) is loaded for the first Python document or audited Python file, not at
   * startup, so a workspace without Python never pays for it. Resolves when linting is ready.
   */
  prepare(languageId: LanguageId | null): Promise<void>;
  analyze(document: TextDocument): DocumentAnalysis | null;
  /** Findings for a file that is not open (the audit). */
  analyzeFile(path: string, text: string): { findings: Finding[]; ignored: boolean; notAnalysed?: string } | null;
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

export function pathOfUri(uri: string): string | null {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : null;
}

/** The engine language of an open document: by language id, else by file name. */
export function languageOfDocument(document: TextDocument): LanguageId | null {
  return languageOfLanguageId(document.languageId) ?? languageOfPath(URI.parse(document.uri).path);
}

/**
 * `onOtherFilesStale` is called when a save changed what the project says about other files
 * (an `axios.defaults.timeout` line typed, an import added): their cached results were dropped
 * and the open ones should be analysed again.
 */
export function createAnalysis(log: (message: string) => void, onOtherFilesStale: (changedUri: string) => void = () => {}): Analysis {
  const resolver = createConfigResolver();
  const projectFacts = createProjectFacts(resolver);
  const cache = new Map<string, DocumentAnalysis>();
  /**
   * The previous parse of the documents being edited, for incremental re-parsing on the next
   * edit. Only the most recently linted few are kept: a syntax tree costs about as much memory
   * as a megabyte of source, and documents that are merely open do not need one.
   */
  const parseCaches = new Map<string, LintCache>();
  const PARSE_CACHE_LIMIT = 8;
  const reportedErrors = new Set<string>();
  let pythonLoading: Promise<void> | null = null;

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

  return {
    prepare(languageId) {
      if (languageId !== 'python') return Promise.resolve();
      pythonLoading ??= loadPythonParser().then((problem) => {
        if (problem !== null) log(`Faultline: ${problem}`);
      });
      return pythonLoading;
    },
    analyze(document) {
      const existing = cache.get(document.uri);
      if (existing !== undefined && existing.version === document.version) return existing;
      const languageId = languageOfDocument(document);
      if (languageId === null) return null;
      const path = pathOfUri(document.uri) ?? URI.parse(document.uri).path;
      // Untitled documents get a path of their language so the engine picks the right parser.
      const lintPath = languageOfPath(path) === null ? `${path}.${languageId === 'sql' ? 'sql' : languageId === 'typescript' ? 'ts' : languageId === 'python' ? 'py' : 'js'}` : path;
      if (document.getText().length > MAX_DOCUMENT_CHARACTERS) {
        parseCaches.delete(document.uri);
        const tooLarge: DocumentAnalysis = { version: document.version, findings: [], resolved: resolver.resolve(lintPath), notAnalysed: `larger than ${MAX_DOCUMENT_CHARACTERS / 1024 / 1024} MB: open documents this large are not analysed (an audit reads files up to faultline.audit.maxFileSizeKb)` };
        cache.set(document.uri, tooLarge);
        return tooLarge;
      }
      // Map order is insertion order: re-inserting marks the document as most recently used.
      const parseCache = parseCaches.get(document.uri) ?? {};
      parseCaches.delete(document.uri);
      parseCaches.set(document.uri, parseCache);
      if (parseCaches.size > PARSE_CACHE_LIMIT) {
        const oldest = parseCaches.keys().next().value;
        if (oldest !== undefined) parseCaches.delete(oldest);
      }
      const { result, ignored, resolved } = lintFile(lintPath, document.getText(), resolver, { today: todayIso(), cache: parseCache, projectFacts });
      reportInternalErrors(lintPath, result.internalErrors);
      const notAnalysed = ignored ? undefined : result.notAnalysed;
      const analysis: DocumentAnalysis = { version: document.version, findings: ignored ? [] : result.findings, resolved, ...(notAnalysed === undefined ? {} : { notAnalysed }) };
      // A Python document linted before its grammar loaded has no findings yet; that is not kept.
      if (languageId !== 'python' || isPythonInitialized()) cache.set(document.uri, analysis);
      return analysis;
    },
    analyzeFile(path, text) {
      if (languageOfPath(path) === null) return null;
      const { result, ignored } = lintFile(path, text, resolver, { today: todayIso(), projectFacts });
      reportInternalErrors(path, result.internalErrors);
      return { findings: ignored ? [] : result.findings, ignored, ...(result.notAnalysed === undefined ? {} : { notAnalysed: result.notAnalysed }) };
    },
    documentSaved(document) {
      const path = pathOfUri(document.uri);
      if (path === null || !projectFacts.update(path, document.getText(), resolver.resolve(path))) return;
      for (const uri of [...cache.keys()]) if (uri !== document.uri) cache.delete(uri);
      onOtherFilesStale(document.uri);
    },
    resolveConfig: (path) => resolver.resolve(path),
    invalidateConfig() {
      resolver.invalidate();
      projectFacts.invalidate();
      cache.clear();
    },
    forget(uri) {
      cache.delete(uri);
      parseCaches.delete(uri);
    },
    cached: (uri) => cache.get(uri),
  };
}
