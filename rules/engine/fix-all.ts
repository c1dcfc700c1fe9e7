/**
 * Applying many fixes to one text: which fixes of a lint result can go in together
 * (`nonOverlappingFixes`, what the editor's "fix all" and the CLI's `--fix` both use), and the
 * repeated fix-and-re-lint loop behind `faultline audit --fix` (`fixDocument`). Pure: text and
 * settings in, text out; the front ends read and write the files.
 *
 * The loop is bounded (ESLint stops after 10 passes too): a fix that overlapped another waits for
 * the next pass, when the text has been linted again. Every pass is checked before it is kept:
 * the fixed text must parse at least as well as the text before it, and each fixed finding must
 * be gone. When a pass fails a check, the whole document is left as it was (a half-fixed file
 * would be harder to review than an unfixed one), and the result says why.
 */

import { countParsingStatements } from './languages/sql/source';
import { pythonParsesCleanly } from './languages/python';
import { scriptSyntaxErrorCount } from './languages/typescript';
import type { Rule } from './rule';
import { lintDocument } from './runner';
import { applyEdits } from './text';
import type { Finding, Fix, FixSafety, LintResult, LintSettings, SourceDocument, TextEdit, TextRange } from './types';

/** ESLint's bound: more passes than this means fixes that keep undoing each other. */
export const MAX_FIX_PASSES = 10;

/** Picks non-overlapping fixes, in the given order; a fix that overlaps an earlier one waits for the next pass. */
export function nonOverlappingFixes(fixes: readonly Fix[]): Fix[] {
  const chosen: Fix[] = [];
  const taken: TextEdit[] = [];
  for (const fix of fixes) {
    const overlaps = fix.edits.some((edit) => taken.some((other) => (edit.range.start < other.range.end && other.range.start < edit.range.end) || (edit.range.start === other.range.start && edit.range.end === other.range.end)));
    if (overlaps) continue;
    chosen.push(fix);
    taken.push(...fix.edits);
  }
  return chosen;
}

export interface FixDocumentOptions {
  /** Also apply unsafe fixes (`--unsafe-fixes`); safe ones always are, display-only ones never. */
  includeUnsafe: boolean;
  maxPasses?: number;
}

export interface FixedDocument {
  /** The fixed text, or the original when nothing applied or a pass was rejected. */
  text: string;
  /** Fixes applied over all passes (0 when rejected). */
  applied: number;
  /** Why the document was left as it was, naming the rules whose fixes failed; null when it was not. */
  rejected: string | null;
  /** False when fixes were still on offer after the last pass (they undo each other, or there are very many). */
  converged: boolean;
  /** The lint result of `text`, so the caller need not lint it again. */
  result: LintResult;
}

function allowedSafeties(options: FixDocumentOptions): readonly FixSafety[] {
  return options.includeUnsafe ? ['safe', 'unsafe'] : ['safe'];
}

/** Each finding's first fix of an allowed safety, with its finding, in document order. */
function candidateFixes(findings: readonly Finding[], allowed: readonly FixSafety[]): { finding: Finding; fix: Fix }[] {
  const candidates: { finding: Finding; fix: Fix }[] = [];
  for (const finding of [...findings].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end)) {
    const fix = finding.fixes.find((candidate) => allowed.includes(candidate.safety) && candidate.edits.length > 0);
    if (fix !== undefined) candidates.push({ finding, fix });
  }
  return candidates;
}

/**
 * How badly the text fails to parse, as a number to compare before and after a fix: SQL
 * statements the dialect's grammar rejects, TypeScript's syntax errors, 1 for Python with an
 * error node (0 when the grammar is not loaded: then there were no findings to fix either).
 */
function syntaxProblems(document: SourceDocument, settings: LintSettings): number {
  switch (document.languageId) {
    case 'sql': {
      const { statements, parsing } = countParsingStatements(document.text, settings.sqlDialect);
      return statements - parsing;
    }
    case 'python':
      return pythonParsesCleanly(document.text) === false ? 1 : 0;
    case 'typescript':
    case 'javascript':
      return scriptSyntaxErrorCount(document.text, document.path, document.languageId);
  }
}

/** Where an offset of the text before `edits` lands after them (inside an edit: at its start, or after its new text for an end). */
function mapOffset(offset: number, edits: readonly TextEdit[], isEnd: boolean): number {
  let delta = 0;
  for (const edit of edits) {
    if (edit.range.end <= offset && !(isEnd === false && edit.range.start === offset && edit.range.end === offset)) {
      delta += edit.newText.length - (edit.range.end - edit.range.start);
      continue;
    }
    if (edit.range.start < offset) return isEnd ? edit.range.start + edit.newText.length + delta : edit.range.start + delta;
    break;
  }
  return offset + delta;
}

function touches(a: TextRange, b: TextRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * The rule of a fix that did not remove its finding: around each fixed finding (its range and its
 * fix's edits), the text after the fix has as many findings of that rule as the text before it.
 */
function unfixedRule(applied: readonly { finding: Finding; fix: Fix }[], before: readonly Finding[], after: readonly Finding[], edits: readonly TextEdit[]): string | null {
  for (const { finding, fix } of applied) {
    const ranges = [finding.range, ...fix.edits.map((edit) => edit.range)];
    const area = { start: Math.min(...ranges.map((range) => range.start)), end: Math.max(...ranges.map((range) => range.end)) };
    const mapped = { start: mapOffset(area.start, edits, false), end: mapOffset(area.end, edits, true) };
    const countBefore = before.filter((other) => other.ruleId === finding.ruleId && touches(other.range, area)).length;
    const countAfter = after.filter((other) => other.ruleId === finding.ruleId && touches(other.range, mapped)).length;
    if (countAfter >= countBefore) return finding.ruleId;
  }
  return null;
}

function ruleList(applied: readonly { finding: Finding }[]): string {
  return [...new Set(applied.map(({ finding }) => finding.ruleId))].sort().join(', ');
}

/**
 * Applies the allowed fixes of the document's findings, pass after pass, until none is left or
 * `maxPasses` passes have run. Never throws (lintDocument does not) and never returns a text
 * that parses worse than the original or still has a finding a fix was applied to.
 */
export function fixDocument(document: SourceDocument, settings: LintSettings, rules: readonly Rule[], options: FixDocumentOptions): FixedDocument {
  const allowed = allowedSafeties(options);
  const maxPasses = options.maxPasses ?? MAX_FIX_PASSES;
  const original = lintDocument(document, settings, rules);
  const unchanged = (rejected: string | null, converged: boolean): FixedDocument => ({ text: document.text, applied: 0, rejected, converged, result: original });
  let text = document.text;
  let result = original;
  let applied = 0;
  let problems: number | null = null;
  for (let pass = 0; pass < maxPasses; pass++) {
    if (result.notAnalysed !== undefined) return pass === 0 ? unchanged(null, true) : unchanged(`the fixed text could not be analysed (${result.notAnalysed})`, false);
    const chosenFixes = nonOverlappingFixes(candidateFixes(result.findings, allowed).map(({ fix }) => fix));
    if (chosenFixes.length === 0) return { text, applied, rejected: null, converged: true, result };
    const chosen = candidateFixes(result.findings, allowed).filter(({ fix }) => chosenFixes.includes(fix));
    const edits = chosenFixes.flatMap((fix) => fix.edits).sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
    const fixedText = applyEdits(text, edits);
    if (fixedText === text) return { text, applied, rejected: null, converged: true, result };
    problems ??= syntaxProblems({ ...document, text }, settings);
    const fixedProblems = syntaxProblems({ ...document, text: fixedText }, settings);
    if (fixedProblems > problems) return unchanged(`the text after the fixes of ${ruleList(chosen)} would not parse`, false);
    const fixedResult = lintDocument({ ...document, text: fixedText }, settings, rules);
    const unfixed = unfixedRule(chosen, result.findings, fixedResult.findings, edits);
    if (unfixed !== null) return unchanged(`a fix of ${unfixed} would leave its finding in place`, false);
    text = fixedText;
    result = fixedResult;
    problems = fixedProblems;
    applied += chosen.length;
  }
  const converged = result.notAnalysed !== undefined || candidateFixes(result.findings, allowed).length === 0;
  return { text, applied, rejected: null, converged, result };
}
