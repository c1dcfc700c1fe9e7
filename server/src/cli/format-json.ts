/**
 * The machine-readable report (`--format json`). Its shape is public API for scripts and CI, so
 * it is built field by field here rather than by dumping internal objects: lines and columns are
 * 1-based, columns count UTF-16 code units, and each fix edit carries both the engine's character
 * offsets and positions. It is printed in pieces, a file at a time (json-chunks.ts).
 */

import { indentedJsonChunks, mapEach, STREAMED_ARRAY } from './json-chunks';
import { countBySeverity, countFindings, type AuditReport, type FileReport } from './report';

function fileJson(file: FileReport) {
  return {
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
  };
}

/** The JSON report, as pieces of text that together are the whole of it. */
export function* formatJson(report: AuditReport, version: string): Generator<string> {
  const output = {
    version,
    files: STREAMED_ARRAY,
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
  yield* indentedJsonChunks(output, mapEach(report.files, fileJson));
  yield '\n';
}
