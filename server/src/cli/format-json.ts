/**
 * The machine-readable report (`--format json`). Its shape is public API for scripts and CI, so
 * it is built field by field here rather than by dumping internal objects: lines and columns are
 * 1-based, columns count UTF-16 code units, and each fix edit carries both the engine's character
 * offsets and positions.
 */

import { countBySeverity, countFindings, type AuditReport } from './report';

export function formatJson(report: AuditReport, version: string): string {
  const output = {
    version,
    files: report.files.map((file) => ({
      path: file.path,
      findings: file.findings.map((finding) => ({
        ruleId: finding.ruleId,
        severity: finding.severity,
        message: finding.message,
        note: finding.note,
        line: finding.line,
        column: finding.column,
        endLine: finding.endLine,
        endColumn: finding.endColumn,
        docsUrl: finding.docsUrl,
        fingerprint: finding.fingerprint,
        fixes: finding.fixes.map((fix) => ({
          title: fix.title,
          safety: fix.safety,
          edits: fix.edits.map((edit) => ({
            range: { start: edit.range.start, end: edit.range.end },
            newText: edit.newText,
            startLine: edit.startLine,
            startColumn: edit.startColumn,
            endLine: edit.endLine,
            endColumn: edit.endColumn,
          })),
        })),
      })),
    })),
    skipped: report.skipped.map((entry) => ({ path: entry.path, reason: entry.reason })),
    // ruleId null: Faultline failed on the whole file, which is also listed in `skipped`.
    internalErrors: report.internalErrors.map((error) => ({ ruleId: error.ruleId, path: error.path, message: error.message })),
    summary: {
      files: report.filesChecked,
      findings: countFindings(report),
      bySeverity: countBySeverity(report),
      skipped: report.skipped.length,
    },
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
