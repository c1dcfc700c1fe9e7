/**
 * GitHub Actions workflow commands (`--format github`): one `::error`, `::warning` or `::notice`
 * line per finding, which the runner turns into an annotation on the pull request's line. Paths
 * are relative to the repository root, which is what GitHub resolves them against whatever folder
 * the step ran in. Escaping follows GitHub's workflow-command rules: in the message `%`, CR and LF
 * are percent-encoded, and in the properties also `:` and `,`, which would otherwise end a value.
 */

import type { Severity } from '../../../rules/index';
import type { AuditReport, ReportedFinding } from './report';
import { displayPath } from './audit';

type GithubCommand = 'error' | 'warning' | 'notice';

const COMMAND: Record<Severity, GithubCommand> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function workflowCommand(command: GithubCommand, properties: [string, string | number][], message: string): string {
  const list = properties.map(([name, value]) => `${name}=${escapeProperty(String(value))}`).join(',');
  return `::${command} ${list}::${escapeData(message)}`;
}

function position(finding: ReportedFinding): [string, number][] {
  // GitHub accepts columns only for an annotation on one line.
  const columns: [string, number][] = finding.line === finding.endLine ? [['col', finding.column], ['endColumn', finding.endColumn]] : [];
  return [['line', finding.line], ['endLine', finding.endLine], ...columns];
}

export function formatGithub(report: AuditReport, repositoryRoot: string): string {
  const lines: string[] = [];
  for (const file of report.files) {
    const path = displayPath(file.absolutePath, repositoryRoot);
    for (const finding of file.findings) {
      const message = `${finding.message} (${finding.docsUrl})`;
      lines.push(workflowCommand(COMMAND[finding.severity], [['file', path], ...position(finding), ['title', `faultline(${finding.ruleId})`]], message));
    }
  }
  // A file Faultline failed on was not checked: say so where the reviewer looks.
  for (const error of report.internalErrors) {
    const what = error.ruleId === null ? 'Faultline could not analyse this file' : `Faultline's rule ${error.ruleId} failed on this file`;
    lines.push(workflowCommand('error', [['title', 'faultline internal error']], `${what} (${error.path}): ${error.message.split('\n')[0] ?? ''}`));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
