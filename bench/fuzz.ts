/**
 * The engine's fuzzer (issue #15): seeded inputs (bench/fuzz-inputs.ts) through lintDocument, and
 * checks on each result that no front end could make on its own. Every input is named by
 * (seed, index) and made again from those two numbers alone, so a failure is reproduced with
 * `--seed S --index I` (which also writes the input to a file).
 *
 *   npm run fuzz -- [--seed N|random] [--count N | --time SECONDS] [--index I]
 *
 * Checks per input:
 *   exception          the runner threw (other than "beyond a parser's limit", a normal outcome)
 *   internal-error     the engine reported an internal error (a rule or the engine failed)
 *   range              a finding's, related location's or edit's range outside the text
 *   overlapping-edits  a fix whose edits overlap (or leave the text)
 *   determinism        the same input linted twice gives two different results
 *   incremental        an editor's lint (previous parse kept, then the edit) differs from a fresh lint
 *   time               a lint took longer than timeBudgetMs (2 s + 20 ms per KB; the faster of two)
 *   memory             a lint grew the heap by more than MEMORY_BUDGET_MB
 *   fix-breaks-parse   a safe or unsafe fix turns text that parsed into text that does not
 *   fix-adds-finding   after a fix its finding is still there, or another rule finds more
 *                      (both on text that parses: elsewhere the parser's recovery decides)
 * Exits 1 when any check failed.
 */

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyEdits, countParsingStatements, editsApply, lintDocument, pythonParsesCleanly, RULES, type Finding, type LintCache, type LintResult, type LintSettings, type TextRange } from '../rules';
import { AnalysisLimit } from '../rules/engine/guard';
import { ts } from '../rules/engine/languages/typescript';
import { lintDocumentUnguarded } from '../rules/engine/runner';
import { loadPythonParser } from '../server/src/workspace/python';
import { fuzzInput, mutate, randomFor, readFixtures, schemaDialects, type FuzzInput } from './fuzz-inputs';

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

const CHECKS = ['exception', 'internal-error', 'range', 'overlapping-edits', 'determinism', 'incremental', 'time', 'memory', 'fix-breaks-parse', 'fix-adds-finding'] as const;
type Check = (typeof CHECKS)[number];

interface Failure {
  check: Check;
  detail: string;
}

const REPO_ROOT = join(__dirname, '..', '..');

function settingsOf(input: FuzzInput): LintSettings {
  return { sqlDialect: input.dialect, reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };
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
  const settings = settingsOf(input);
  const document = { path: input.path, languageId: input.languageId, text: input.text };
  // Unguarded first: the guard (rules/engine/guard.ts) turns these faults into safe results, and
  // the fuzzer is here to find them.
  try {
    const raw = lintDocumentUnguarded(document, settings, RULES);
    checkRanges(raw.findings, input.text.length, failures);
    checkRanges((raw.suppressed ?? []).map((entry) => entry.finding), input.text.length, failures);
  } catch (error) {
    if (!(error instanceof AnalysisLimit)) failures.push({ check: 'exception', detail: error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 4).join(' | ') : String(error) });
  }
  const heapBefore = process.memoryUsage().heapUsed;
  let start = performance.now();
  const result = lint(input, input.text);
  const firstMs = performance.now() - start;
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  start = performance.now();
  const again = lint(input, input.text);
  // The faster of the two lints: on a shared machine one of them may have waited for a core.
  const ms = Math.min(firstMs, performance.now() - start);
  const budget = timeBudgetMs(input.text.length);
  if (ms > budget) failures.push({ check: 'time', detail: `${ms.toFixed(0)} ms (budget ${budget.toFixed(0)} ms) for ${input.text.length} characters` });
  if (grownMb > MEMORY_BUDGET_MB) failures.push({ check: 'memory', detail: `heap grew ${grownMb.toFixed(0)} MB (budget ${MEMORY_BUDGET_MB} MB)` });
  for (const error of result.internalErrors) failures.push({ check: 'internal-error', detail: `${error.ruleId ?? 'engine'}: ${error.message.split('\n').slice(0, 3).join(' | ')}` });
  if (outcome(again) !== outcome(result)) failures.push({ check: 'determinism', detail: 'two lints of the same text differ' });
  // An editor's lint: the text before one more edit, linted with a cache, then the text itself.
  if (input.languageId === 'typescript' || input.languageId === 'javascript') {
    const cache: LintCache = {};
    lint(input, mutate(input.text, randomFor(editSeed, input.text.length)), cache);
    if (outcome(lint(input, input.text, cache)) !== outcome(result)) failures.push({ check: 'incremental', detail: 'the lint after an edit differs from a fresh lint' });
  }
  if (result.internalErrors.length === 0) checkFixes(input, result, failures);
  return { failures, ms };
}

interface Options {
  seed: number;
  count: number | null;
  seconds: number | null;
  index: number | null;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { seed: 1, count: null, seconds: null, index: null };
  for (let at = 0; at < argv.length; at++) {
    const flag = argv[at];
    const value = argv[at + 1];
    const number = (): number => {
      const parsed = Number(value);
      if (value === undefined || !Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, got ${value ?? 'nothing'}`);
      at++;
      return parsed;
    };
    if (flag === '--seed' && value === 'random') {
      options.seed = Math.floor(Math.random() * 2 ** 31);
      at++;
    } else if (flag === '--seed') options.seed = number();
    else if (flag === '--count') options.count = number();
    else if (flag === '--time') options.seconds = number();
    else if (flag === '--index') options.index = number();
    else throw new Error(`unknown option ${flag ?? ''}: npm run fuzz -- [--seed N|random] [--count N | --time SECONDS] [--index I]`);
  }
  if (options.count === null && options.seconds === null) options.count = 500;
  return options;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const problem = await loadPythonParser();
  if (problem !== null) throw new Error(problem);
  const dialects = schemaDialects(REPO_ROOT);
  const fixtures = readFixtures(REPO_ROOT, dialects);
  const reproduce = (index: number): string => `npm run fuzz -- --seed ${options.seed} --index ${index}`;

  if (options.index !== null) {
    const input = fuzzInput(options.seed, options.index, fixtures, dialects);
    const file = join(tmpdir(), `faultline-fuzz-${options.seed}-${options.index}${input.path.slice(input.path.lastIndexOf('.'))}`);
    writeFileSync(file, input.text);
    process.stdout.write(`seed ${options.seed}, index ${options.index}: ${input.kind}\n  path ${input.path}, ${input.languageId}, ${input.dialect}, ${input.text.length} characters, written to ${file}\n`);
    const { failures, ms } = checkInput(input, options.seed);
    for (const failure of failures) process.stdout.write(`  ${failure.check}: ${failure.detail}\n`);
    process.stdout.write(`  ${failures.length === 0 ? 'every check passed' : `${failures.length} failure(s)`} (${ms.toFixed(0)} ms)\n`);
    return failures.length === 0 ? 0 : 1;
  }

  process.stdout.write(`fuzz: seed ${options.seed}, ${options.count !== null ? `${options.count} inputs` : `${options.seconds} s`}, ${fixtures.length} fixtures, dialects ${dialects.join(' ')}; per-file budget 2 s + 20 ms per KB, ${MEMORY_BUDGET_MB} MB\n`);
  const counts = new Map<Check, number>(CHECKS.map((check) => [check, 0]));
  const started = performance.now();
  let slowest = { ms: 0, index: 0 };
  let index = 0;
  let failed = 0;
  const done = (): boolean => (options.count !== null ? index >= options.count : performance.now() - started >= (options.seconds ?? 0) * 1000);
  let lastProgress = started;
  while (!done()) {
    if (performance.now() - lastProgress > 30_000) {
      lastProgress = performance.now();
      process.stdout.write(`  ... ${index} inputs, ${failed} failed, ${((lastProgress - started) / 1000).toFixed(0)} s\n`);
    }
    const input = fuzzInput(options.seed, index, fixtures, dialects);
    if (process.env['FAULTLINE_FUZZ_TRACE'] !== undefined) process.stderr.write(`index ${index}: ${input.kind}\n`);
    let result: { failures: Failure[]; ms: number };
    try {
      result = checkInput(input, options.seed);
    } catch (error) {
      // The checks themselves should not throw; if they do, it is the input's failure.
      result = { failures: [{ check: 'exception', detail: `in the checks: ${error instanceof Error ? error.message : String(error)}` }], ms: 0 };
    }
    if (result.ms > slowest.ms) slowest = { ms: result.ms, index };
    const seen = new Set<Check>();
    for (const failure of result.failures) {
      if (!seen.has(failure.check)) counts.set(failure.check, (counts.get(failure.check) ?? 0) + 1);
      seen.add(failure.check);
    }
    if (result.failures.length > 0) {
      failed++;
      process.stdout.write(`FAIL seed ${options.seed} index ${index}: ${input.kind}; ${input.path} (${input.dialect})\n`);
      for (const failure of result.failures.slice(0, 5)) process.stdout.write(`  ${failure.check}: ${failure.detail}\n`);
      process.stdout.write(`  reproduce: ${reproduce(index)}\n`);
    }
    index++;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`fuzz: seed ${options.seed}: ${index} inputs in ${seconds.toFixed(0)} s, ${failed} failed; ${CHECKS.map((check) => `${check} ${counts.get(check) ?? 0}`).join(', ')}; slowest ${slowest.ms.toFixed(0)} ms (index ${slowest.index})\n`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
