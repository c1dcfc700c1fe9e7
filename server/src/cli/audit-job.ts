/**
 * Linting one file of an audit, as plain data in and plain data out, so the same function runs on
 * the main thread (small audits) and in worker threads (large ones), and its result can be cached
 * on disk as it is. The file is read here, not by the caller, so reading is spread over the
 * workers too; the engine's prefilter then skips every rule whose words the text lacks, and a
 * JS/TS file that no rule applies to is never parsed.
 */

import { RULES, lintDocument, type InternalError, type LanguageId, type LintResult, type LintSettings, type ProjectFacts } from '../../../rules/index';
import { readSourceFile } from '../workspace/files';
import { createPositionMapper, reportFinding, type ReportedFinding, type ReportedSuppression } from './report';
import { withPlantedFault } from '../workspace/test-fault';

export interface FileJob {
  absolutePath: string;
  /** The path the engine is given: inside the project (see projectPathOf). */
  projectPath: string;
  languageId: LanguageId;
  /** Which entry of the settings table applies: files under one config share settings. */
  settingsKey: string;
  /** The text to lint when it does not come from the file on disk (standard input, git's index). */
  text?: string;
  /** What the file's project says about it, when it says anything (see workspace/project-facts.ts). */
  project?: ProjectFacts;
}

export interface LintedFile {
  findings: ReportedFinding[];
  suppressed: ReportedSuppression[];
  internalErrors: InternalError[];
}

/**
 * What became of one file: its findings, or why it was not read or analysed (binary, unreadable,
 * minified, too deeply nested, an internal error: then also in internalErrors).
 */
export type FileResult = LintedFile | { skipped: string; internalErrors?: InternalError[] };

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lints one file; never throws. The engine turns its own failures into the file's result, and a
 * failure here (placing findings, reading) is the file's internal error too, so one file never
 * costs an audit the other files' findings (#15).
 */
export function lintJob(job: FileJob, settings: LintSettings): FileResult {
  try {
    return lintJobUnguarded(job, settings);
  } catch (error) {
    const summary = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return { skipped: `internal error: ${summary}`, internalErrors: [{ ruleId: null, message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }] };
  }
}

function lintJobUnguarded(job: FileJob, settings: LintSettings): FileResult {
  const source = job.text !== undefined ? { text: job.text } : readSourceFile(job.absolutePath);
  if ('skipped' in source) return { skipped: source.skipped };
  const document = { path: job.projectPath, languageId: job.languageId, text: source.text, ...(job.project === undefined ? {} : { project: job.project }) };
  return reportLintResult(lintDocument(withPlantedFault(document), settings, RULES), source.text);
}

/** The engine's result for `text` as the audit reports it: positions, fingerprints, sorted findings. */
export function reportLintResult(result: LintResult, text: string): FileResult {
  if (result.notAnalysed !== undefined) return { skipped: result.notAnalysed, ...(result.internalErrors.length > 0 ? { internalErrors: result.internalErrors } : {}) };
  const positionOf = createPositionMapper(text);
  const findings = [...result.findings].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || byCodeUnit(a.ruleId, b.ruleId));
  return {
    findings: findings.map((finding) => reportFinding(finding, positionOf, text)),
    suppressed: (result.suppressed ?? []).map((entry) => ({ finding: reportFinding(entry.finding, positionOf, text), kind: entry.kind, reason: entry.reason })),
    internalErrors: result.internalErrors.map((error) => ({ ruleId: error.ruleId, message: error.message })),
  };
}

/**
 * Makes results share their repeated strings, in place. Thousands of findings repeat the same
 * rule id, note, docs link, fix title and often message; a result read from the cache (parsed
 * JSON) or sent by a worker (a structured clone) holds its own copy of each, and an audit holds
 * every result until the report is printed, so its memory grew with the findings (#15). With one
 * sharer per audit, a result costs about what a fresh one from this thread does.
 */
export function createStringSharer(): (result: FileResult) => FileResult {
  const strings = new Map<string, string>();
  const share = (text: string): string => {
    const known = strings.get(text);
    if (known !== undefined) return known;
    strings.set(text, text);
    return text;
  };
  const shareFinding = (finding: ReportedFinding): void => {
    finding.ruleId = share(finding.ruleId);
    finding.message = share(finding.message);
    finding.note = share(finding.note);
    finding.docsUrl = share(finding.docsUrl);
    for (const fix of finding.fixes) {
      fix.title = share(fix.title);
      for (const edit of fix.edits) edit.newText = share(edit.newText);
    }
  };
  return (result) => {
    if ('skipped' in result) return result;
    for (const finding of result.findings) shareFinding(finding);
    for (const entry of result.suppressed) {
      shareFinding(entry.finding);
      entry.reason = share(entry.reason);
    }
    return result;
  };
}
