/**
 * `faultline audit --fix` and `--diff`: after the audit, each file with a fix on offer is fixed by
 * the engine (`fixDocument`: safe fixes, unsafe ones too with `--unsafe-fixes`, non-overlapping
 * ones per pass, re-linted, up to 10 passes, never a text that parses worse or keeps a fixed
 * finding) and then written, printed as a diff, or, for `--stdin-filename`, printed whole.
 *
 * Writing never goes through a symbolic link to a file outside the project, and replaces the file
 * in one step (a temporary file beside it, renamed over it, with the original's mode), so an
 * interrupted run leaves the old text or the new one, never half of each. A file that changed
 * while it was being fixed is left alone. The report then shows what remains, from the lint of
 * the fixed text (no second audit).
 */

import { chmodSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { RULES, fixDocument, type FixSafety } from '../../../rules/index';
import { createConfigResolver } from '../workspace/config-resolver';
import { decodeSource } from '../workspace/files';
import { planFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts, type ProjectFactsSource } from '../workspace/project-facts';
import type { AuditOptions } from './args';
import { reportLintResult } from './audit-job';
import type { AuditRun } from './audit';
import type { FileReport } from './report';
import { unifiedDiff } from './unified-diff';

export type FixOutcome =
  /** Go on and print the report (of the fixed text), to stderr when stdout carries the fixed text. */
  | { kind: 'report'; run: AuditRun; reportToStderr: boolean }
  /** `--diff`: the diff is printed; exit 1 when it is not empty, as Ruff does. */
  | { kind: 'exit'; code: number };

const BYTE_ORDER_MARK = '\uFEFF';

function fixes(count: number): string {
  return `${count} ${count === 1 ? 'fix' : 'fixes'}`;
}

function files(count: number): string {
  return `${count} ${count === 1 ? 'file' : 'files'}`;
}

function isInside(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}

/** A file's text as the fix reads it, with whether it began with a byte order mark (kept on writing). */
function readForFixing(absolutePath: string): { text: string; byteOrderMark: boolean; stats: Stats } | { error: string } {
  try {
    const stats = statSync(absolutePath);
    const bytes = readFileSync(absolutePath);
    const decoded = decodeSource(bytes);
    if ('skipped' in decoded) return { error: decoded.skipped };
    return { text: decoded.text, byteOrderMark: bytes.toString('utf8', 0, 3) === BYTE_ORDER_MARK, stats };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Replaces the file's text atomically; returns why it did not, or null. `projectRoot` bounds
 * where a symbolic link may lead; `before` is what the file was when it was read.
 */
function writeFixedFile(absolutePath: string, text: string, projectRoot: string, before: Stats): string | null {
  let target: string;
  try {
    target = realpathSync(absolutePath);
    if (!isInside(realpathSync(projectRoot), target)) return `it is a symbolic link to ${target}, outside the project`;
    const now = statSync(target);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) return 'it changed while it was being fixed';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const mode = before.mode & 0o7777;
  const temporary = join(dirname(target), `.${basename(target)}.faultline-${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text, { mode, flag: 'wx' });
    chmodSync(temporary, mode); // The umask may have narrowed the mode writeFileSync set.
    renameSync(temporary, target);
    return null;
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Not created, or already renamed: nothing to clean up.
    }
    return error instanceof Error ? error.message : String(error);
  }
}

/** Whether a reported file has a fix `--fix` may apply, so files without one are not read again. */
function hasApplicableFix(file: FileReport, allowed: readonly FixSafety[]): boolean {
  return file.findings.some((finding) => finding.fixes.some((fix) => allowed.includes(fix.safety)));
}

export function applyFixes(run: AuditRun, options: AuditOptions): FixOutcome {
  const allowed: readonly FixSafety[] = options.fix.unsafe ? ['safe', 'unsafe'] : ['safe'];
  const resolver = createConfigResolver();
  let projectFacts: ProjectFactsSource | null = null;
  const planOptions = { today: todayIso(), ...(options.onlyRules === null ? {} : { onlyRules: options.onlyRules }) };
  const say = (message: string): void => {
    if (!options.quiet) process.stderr.write(`faultline: ${message}\n`);
  };
  const diffs: string[] = [];
  // Standard input's text, printed back fixed or as it came (the map holds it alone then).
  let stdinText: string | null = options.stdinFilename === null ? null : ([...run.givenTexts.values()][0] ?? null);
  let fixedFindings = 0;
  let fixedFiles = 0;
  const fixedReports = run.report.files.map((file): FileReport => {
    const given = run.givenTexts.get(file.absolutePath);
    if (!hasApplicableFix(file, allowed)) return file;
    const plan = planFile(file.absolutePath, resolver, planOptions);
    if (plan.ignored) return file;
    const source = given !== undefined ? { text: given, byteOrderMark: false, stats: null } : readForFixing(file.absolutePath);
    if ('error' in source) {
      say(`${file.path}: not fixed: ${source.error}`);
      return file;
    }
    // The project's facts about the file, as the audit gave them: the fixes must be the audit's.
    const scripted = plan.languageId === 'typescript' || plan.languageId === 'javascript';
    const project = scripted ? (projectFacts ??= createProjectFacts(resolver)).factsFor(file.absolutePath, plan.resolved) : undefined;
    const document = { path: plan.projectPath, languageId: plan.languageId, text: source.text, ...(project === undefined ? {} : { project }) };
    const fixed = fixDocument(document, plan.settings, RULES, { includeUnsafe: options.fix.unsafe });
    if (fixed.rejected !== null) {
      say(`${file.path}: left as it was: ${fixed.rejected}`);
      return file;
    }
    if (fixed.applied === 0) return file;
    if (!fixed.converged) say(`${file.path}: fixes were still on offer after the last pass; run --fix again`);
    if (given !== undefined) stdinText = fixed.text;
    if (options.fix.apply === 'diff') {
      diffs.push(unifiedDiff(file.path, source.text, fixed.text));
      say(`${file.path}: ${fixes(fixed.applied)} would be applied`);
    } else if (source.stats === null) {
      say(`${file.path}: ${fixes(fixed.applied)} applied (the text is on stdout)`);
    } else {
      const projectRoot = plan.resolved.repositoryRoot ?? plan.resolved.configDirectory ?? plan.resolved.manifestRoot ?? process.cwd();
      const problem = writeFixedFile(file.absolutePath, source.byteOrderMark ? `${BYTE_ORDER_MARK}${fixed.text}` : fixed.text, projectRoot, source.stats);
      if (problem !== null) {
        say(`${file.path}: not fixed, the file is left as it was: ${problem}`);
        return file;
      }
      say(`${file.path}: ${fixes(fixed.applied)} applied`);
    }
    fixedFindings += fixed.applied;
    fixedFiles++;
    const relinted = reportLintResult(fixed.result, fixed.text);
    return 'skipped' in relinted ? file : { ...file, findings: relinted.findings, suppressed: relinted.suppressed };
  });

  if (options.fix.apply === 'diff') {
    process.stdout.write(diffs.join(''));
    if (fixedFiles > 0) say(`${fixes(fixedFindings)} in ${files(fixedFiles)} would be applied (nothing was written)`);
    return { kind: 'exit', code: diffs.some((diff) => diff !== '') ? 1 : 0 };
  }
  // With standard input, stdout is the (fixed) text, as a formatter's is; the report goes to stderr.
  if (options.stdinFilename !== null) process.stdout.write(stdinText ?? '');
  return { kind: 'report', run: { ...run, report: { ...run.report, files: fixedReports } }, reportToStderr: options.stdinFilename !== null };
}
