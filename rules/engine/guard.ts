/**
 * The engine's outer guard: whatever a document holds, linting it returns a result that a front
 * end can use as it is (issue #15). An exception that escapes the runner becomes the file's
 * outcome, never its caller's problem: text beyond what a parser can read (`AnalysisLimit`, e.g.
 * brackets nested deeper than the TypeScript parser's stack) is "not analysed" with the reason,
 * a normal outcome like a minified bundle; anything else is the file's internal error, and the
 * file is not analysed either. And every range a result holds lies inside the text, and every
 * fix's edits can be applied: a fix whose edits overlap or leave the text is dropped.
 */

import { editsApply } from './text';
import type { Finding, LintResult, TextRange } from './types';

/**
 * Thrown where a text is beyond what the engine reads within its limits (its message says which
 * limit). The file is then not analysed, with that reason, and it is not an internal error.
 */
export class AnalysisLimit extends Error {}

/** V8's "Maximum call stack size exceeded", from recursion deeper than the thread's stack. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** The result of a lint that threw `error`: not analysed, and an internal error unless a limit was reached. */
export function failedResult(error: unknown): LintResult {
  const stats = { sqlStatements: 0 };
  if (error instanceof AnalysisLimit) return { findings: [], internalErrors: [], stats, notAnalysed: error.message };
  const summary = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  return { findings: [], internalErrors: [{ ruleId: null, message }], stats, notAnalysed: `internal error: ${summary}` };
}

function clamp(range: TextRange, textLength: number): TextRange {
  const start = Math.min(Math.max(0, range.start), textLength);
  const end = Math.min(Math.max(start, range.end), textLength);
  return start === range.start && end === range.end ? range : { start, end };
}

function soundFinding(finding: Finding, textLength: number): Finding {
  const range = clamp(finding.range, textLength);
  const fixes = finding.fixes.every((fix) => editsApply(textLength, fix.edits)) ? finding.fixes : finding.fixes.filter((fix) => editsApply(textLength, fix.edits));
  const relatedSound = finding.related.every((related) => clamp(related.range, textLength) === related.range);
  if (range === finding.range && fixes === finding.fixes && relatedSound) return finding;
  return { ...finding, range, fixes, related: relatedSound ? finding.related : finding.related.map((related) => ({ ...related, range: clamp(related.range, textLength) })) };
}

/**
 * The result with every finding's range (and related ranges) inside the text, and without the
 * fixes whose edits overlap each other or reach past the text: such a fix is a bug of its rule,
 * and offering it would make "apply" fail in the editor or corrupt the file. The finding stays.
 */
export function soundResult(result: LintResult, textLength: number): LintResult {
  const findings = result.findings.map((finding) => soundFinding(finding, textLength));
  const suppressed = result.suppressed?.map((entry) => ({ ...entry, finding: soundFinding(entry.finding, textLength) }));
  return { ...result, findings, ...(suppressed === undefined ? {} : { suppressed }) };
}
