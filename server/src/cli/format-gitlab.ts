/**
 * GitLab Code Quality (`--format gitlab`): the JSON array a job publishes with
 * `artifacts: reports: codequality`, which GitLab shows in the merge request's widget and diff.
 * Each issue needs a fingerprint unique in the report and stable across commits, since GitLab
 * tells new issues from fixed ones by comparing fingerprints between the source and target
 * branches (workspace/fingerprint.ts: rule, code and line text, never the line number, plus the
 * path and which copy of identical code it is). Paths are relative to the
 * repository root, as GitLab expects.
 */

import type { Severity } from '../../../rules/index';
import { displayPath } from './audit';
import { reportWideFingerprint } from '../workspace/fingerprint';
import type { AuditReport } from './report';

type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

/** `blocker` is left for nothing: Faultline's errors are serious, not build-breaking by nature. */
const SEVERITY: Record<Severity, CodeQualitySeverity> = { error: 'critical', warning: 'major', info: 'minor', hint: 'info' };

interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number; end: number } };
}

export function formatGitlab(report: AuditReport, repositoryRoot: string): string {
  const issues: CodeQualityIssue[] = [];
  for (const file of report.files) {
    const path = displayPath(file.absolutePath, repositoryRoot);
    const copies = new Map<string, number>();
    for (const finding of file.findings) {
      const copy = copies.get(finding.fingerprint) ?? 0;
      copies.set(finding.fingerprint, copy + 1);
      issues.push({
        description: `${finding.ruleId}: ${finding.message}`,
        check_name: finding.ruleId,
        fingerprint: reportWideFingerprint(path, finding.fingerprint, copy),
        severity: SEVERITY[finding.severity],
        location: { path, lines: { begin: finding.line, end: finding.endLine } },
      });
    }
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
