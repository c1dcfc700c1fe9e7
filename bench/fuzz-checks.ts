/**
 * The fuzzer's checks on one input (issue #15), run on a worker thread (bench/fuzz-worker.ts) so
 * that bench/fuzz.ts can stop an input that runs away. What each check means is listed in
 * bench/fuzz.ts.
 *
 * What an input costs: one lint without the engine's guard (which is also the first of the two
 * lints the determinism and time checks compare: the guard only wraps it), a second lint, two
 * more for an editor's incremental lint (JS/TS), and for each applicable fix (at most four) a
 * parse and a lint of the fixed text. Settings are one object per dialect, as a front end keeps
 * them, so the rules that can run are worked out once per dialect and not on every lint.
 */

import { performance } from 'node:perf_hooks';
import { applyEdits, countParsingStatements, editsApply, lintDocument, pythonParsesCleanly, RULES, type Finding, type LintCache, type LintResult, type LintSettings, type SqlDialect, type TextRange } from '../rules';
import { AnalysisLimit, failedResult, soundResult } from '../rules/engine/guard';
import { ts } from '../rules/engine/languages/typescript';
import { lintDocumentUnguarded } from '../rules/engine/runner';
import { mutate, randomFor, type FuzzInput } from './fuzz-inputs';

/**
 * The per-file time budget: 2 s plus 20 ms per kilobyte (a 1 MB file, the audit's default
 * limit, 22 s). Work must stay linear in the text, and the slowest real files lint in well under
 * a second; the margin is for a shared, busy machine. The language server stops an analysis at
 * its own budget (server/src/lsp/analysis-worker.ts); this one is the engine's promise.
 */
export function timeBudgetMs(characters: number): number {
  return 2_000 + (20 * characters) / 1024;
}
/** How much one lint may grow the heap (garbage included: measured before any collection). */
export const MEMORY_BUDGET_MB = 256;

export const CHECKS = ['exception', 'internal-error', 'range', 'overlapping-edits', 'determinism', 'incremental', 'time', 'memory', 'fix-breaks-parse', 'fix-adds-finding'] as const;
export type Check = (typeof CHECKS)[number];

export interface Failure {
  check: Check;
  detail: string;
}

const SETTINGS = new Map<SqlDialect, LintSettings>();

function settingsOf(input: FuzzInput): LintSettings {
  let settings = SETTINGS.get(input.dialect);
  if (settings === undefined) {
    settings = { sqlDialect: input.dialect, reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };
    SETTINGS.set(input.dialect, settings);
  }
  return settings;
}

function lint(input: FuzzInput, text: string, cache?: LintCache): LintResult {
  return lintDocument({ path: input.path, languageId: input.languageId, text }, settingsOf(input), RULES, cache);
}

/** What two lints of one text must agree on (internal errors by their first line: stacks differ by path). */
function outcome(result: LintResult): string {
  return JSON.stringify({ findings: result.findings, suppressed: result.suppressed ?? [], notAnalysed: result.notAnalysed ?? null, errors: result.internalErrors.map((error) => `${error.ruleId ?? ''}: ${error.message.split('\n')[0] ?? ''}`) });
}

function inside(range: TextRange, length: number): boolean {
  return Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end <= length;
}

function checkRanges(findings: readonly Finding[], length: number, failures: Failure[]): void {
  for (const finding of findings) {
    if (!inside(finding.range, length)) failures.push({ check: 'range', detail: `${finding.ruleId} at ${finding.range.start}-${finding.range.end} of ${length}` });
    for (const related of finding.related) if (!inside(related.range, length)) failures.push({ check: 'range', detail: `${finding.ruleId} related at ${related.range.start}-${related.range.end} of ${length}` });
    for (const fix of finding.fixes) {
      for (const edit of fix.edits) if (!inside(edit.range, length)) failures.push({ check: 'range', detail: `${finding.ruleId} fix "${fix.title}" edit at ${edit.range.start}-${edit.range.end} of ${length}` });
      if (!editsApply(length, fix.edits)) failures.push({ check: 'overlapping-edits', detail: `${finding.ruleId} fix "${fix.title}": ${JSON.stringify(fix.edits.map((edit) => edit.range))}` });
    }
  }
}

/** Whether the text parses in its language (SQL: every statement in the dialect's grammar). */
function parses(input: FuzzInput, text: string): boolean | null {
  if (input.languageId === 'python') return pythonParsesCleanly(text);
  if (input.languageId === 'sql') {
    const { statements, parsing } = countParsingStatements(text, input.dialect);
    return statements === parsing;
  }
  const kind = input.path.endsWith('x') ? ts.ScriptKind.TSX : input.languageId === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(input.path, text, ts.ScriptTarget.Latest, false, kind);
  return (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length === 0;
}

function countByRule(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.ruleId, (counts.get(finding.ruleId) ?? 0) + 1);
  return counts;
}

/** Each applicable fix (at most a few per input, to keep the run fast) applied, re-linted and re-parsed. */
function checkFixes(input: FuzzInput, result: LintResult, failures: Failure[]): void {
  const fixes = result.findings.flatMap((finding) => finding.fixes.filter((fix) => fix.safety !== 'display-only' && editsApply(input.text.length, fix.edits)).map((fix) => ({ finding, fix })));
  if (fixes.length === 0) return;
  // On text that does not parse, the parser's error recovery decides what a fix lands in (a call
  // whose `)` is missing runs on into the next line): a fix there is judged by the editor user who
  // asked for it, not by these checks.
  if (parses(input, input.text) !== true) return;
  const before = countByRule(result.findings);
  for (const { finding, fix } of fixes.slice(0, 4)) {
    const fixed = applyEdits(input.text, fix.edits);
    const label = `${finding.ruleId} fix "${fix.title}" (${fix.safety})`;
    if (parses(input, fixed) === false) failures.push({ check: 'fix-breaks-parse', detail: label });
    const after = countByRule(lint(input, fixed).findings);
    if ((after.get(finding.ruleId) ?? 0) >= (before.get(finding.ruleId) ?? 0)) failures.push({ check: 'fix-adds-finding', detail: `${label}: the finding is still there` });
    for (const [ruleId, count] of after) {
      if (ruleId !== finding.ruleId && count > (before.get(ruleId) ?? 0)) failures.push({ check: 'fix-adds-finding', detail: `${label}: adds ${ruleId}` });
    }
  }
}

/** Every check on one input. */
export function checkInput(input: FuzzInput, editSeed: number): { failures: Failure[]; ms: number } {
  const failures: Failure[] = [];
  const length = input.text.length;
  const document = { path: input.path, languageId: input.languageId, text: input.text };
  // Unguarded first: the guard (rules/engine/guard.ts) turns these faults into safe results, and
  // the fuzzer is here to find them. The guarded result is this one as lintDocument makes it.
  const heapBefore = process.memoryUsage().heapUsed;
  let start = performance.now();
  let result: LintResult;
  try {
    const raw = lintDocumentUnguarded(document, settingsOf(input), RULES);
    result = soundResult(raw, length);
    checkRanges(raw.findings, length, failures);
    checkRanges((raw.suppressed ?? []).map((entry) => entry.finding), length, failures);
  } catch (error) {
    result = failedResult(error);
    if (!(error instanceof AnalysisLimit)) failures.push({ check: 'exception', detail: error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 4).join(' | ') : String(error) });
  }
  const firstMs = performance.now() - start;
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  start = performance.now();
  const again = lint(input, input.text);
  // The faster of the two lints: on a shared machine one of them may have waited for a core.
  const ms = Math.min(firstMs, performance.now() - start);
  const budget = timeBudgetMs(length);
  if (ms > budget) failures.push({ check: 'time', detail: `${ms.toFixed(0)} ms (budget ${budget.toFixed(0)} ms) for ${length} characters` });
  if (grownMb > MEMORY_BUDGET_MB) failures.push({ check: 'memory', detail: `heap grew ${grownMb.toFixed(0)} MB (budget ${MEMORY_BUDGET_MB} MB)` });
  for (const error of again.internalErrors) failures.push({ check: 'internal-error', detail: `${error.ruleId ?? 'engine'}: ${error.message.split('\n').slice(0, 3).join(' | ')}` });
  if (outcome(again) !== outcome(result)) failures.push({ check: 'determinism', detail: 'two lints of the same text differ' });
  // An editor's lint: the text before one more edit, linted with a cache, then the text itself.
  if (input.languageId === 'typescript' || input.languageId === 'javascript') {
    const cache: LintCache = {};
    lint(input, mutate(input.text, randomFor(editSeed, length)), cache);
    if (outcome(lint(input, input.text, cache)) !== outcome(again)) failures.push({ check: 'incremental', detail: 'the lint after an edit differs from a fresh lint' });
  }
  if (again.internalErrors.length === 0) checkFixes(input, again, failures);
  return { failures, ms };
}
