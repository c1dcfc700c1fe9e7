/**
 * The audit report every output format is printed from: findings with 1-based lines and columns
 * (columns in UTF-16 code units, as editors and SARIF count them) next to the engine's offsets,
 * per file, plus what was skipped and what went wrong inside the engine. Plain data, so the
 * formatters are pure functions of it.
 */

import { computeLineStarts, lineOfOffset, type Finding, type FixSafety, type Severity, type TextRange } from '../../../rules/index';
import { fingerprintOf } from '../workspace/fingerprint';

export interface Position {
  line: number;
  column: number;
}

export interface ReportedEdit {
  range: TextRange;
  newText: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface ReportedFix {
  title: string;
  safety: FixSafety;
  edits: ReportedEdit[];
}

export interface ReportedFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  note: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  docsUrl: string;
  fixes: ReportedFix[];
  /** Stable across unrelated edits (see workspace/fingerprint.ts); baselines and SARIF use it. */
  fingerprint: string;
}

/** A finding a faultline-ignore directive hid, and the reason the directive gave. */
export interface ReportedSuppression {
  finding: ReportedFinding;
  kind: 'next-line' | 'file';
  reason: string;
}

export interface FileReport {
  /** Absolute path. */
  absolutePath: string;
  /** Relative to the current folder with `/` separators, or absolute when outside it. */
  path: string;
  findings: ReportedFinding[];
  /** Findings hidden by suppression directives (SARIF reports them as suppressed results). */
  suppressed: ReportedSuppression[];
}

export interface SkippedReport {
  path: string;
  reason: string;
  /** The user named this file: the text report lists it even without --verbose. */
  named?: boolean;
}

/** A failure inside Faultline on one file: a rule that threw (its id), or the whole file (null: not analysed). */
export interface InternalErrorReport {
  ruleId: string | null;
  path: string;
  message: string;
}

export interface AuditReport {
  /** Sorted by path; files without findings are included. */
  files: FileReport[];
  /** How many source files were linted (config files and ignored files not counted). */
  filesChecked: number;
  skipped: SkippedReport[];
  internalErrors: InternalErrorReport[];
}

const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

export function isAtOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

/** Converts offsets of one text to 1-based positions; built once per file. */
export function createPositionMapper(text: string): (offset: number) => Position {
  // Built on the first question: most files of an audit have no finding to place.
  let lineStarts: number[] | null = null;
  return (offset) => {
    lineStarts ??= computeLineStarts(text);
    const clamped = Math.max(0, Math.min(offset, text.length));
    const line = lineOfOffset(lineStarts, clamped);
    return { line: line + 1, column: clamped - (lineStarts[line] ?? 0) + 1 };
  };
}

/** `text` is the file's text: the fingerprint hashes the finding's code, not its position. */
export function reportFinding(finding: Finding, positionOf: (offset: number) => Position, text: string): ReportedFinding {
  const start = positionOf(finding.range.start);
  const end = positionOf(finding.range.end);
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    note: finding.note,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    docsUrl: finding.docsUrl,
    fixes: finding.fixes.map((fix) => ({
      title: fix.title,
      safety: fix.safety,
      edits: fix.edits.map((edit) => {
        const editStart = positionOf(edit.range.start);
        const editEnd = positionOf(edit.range.end);
        return { range: edit.range, newText: edit.newText, startLine: editStart.line, startColumn: editStart.column, endLine: editEnd.line, endColumn: editEnd.column };
      }),
    })),
    fingerprint: fingerprintOf(finding.ruleId, text, finding.range),
  };
}

export function countBySeverity(report: AuditReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const file of report.files) {
    for (const finding of file.findings) counts[finding.severity]++;
  }
  return counts;
}

export function countFindings(report: AuditReport): number {
  return report.files.reduce((total, file) => total + file.findings.length, 0);
}

/** The report with only the findings at or above `threshold` (`--quiet`). */
export function keepAtOrAbove(report: AuditReport, threshold: Severity): AuditReport {
  return { ...report, files: report.files.map((file) => ({ ...file, findings: file.findings.filter((finding) => isAtOrAbove(finding.severity, threshold)) })) };
}

export function hasFindingAtOrAbove(report: AuditReport, threshold: Severity): boolean {
  return report.files.some((file) => file.findings.some((finding) => isAtOrAbove(finding.severity, threshold)));
}
