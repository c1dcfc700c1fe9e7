/**
 * The only place that knows LSP types: findings (offsets) become Diagnostics (UTF-16 line and
 * character positions), fixes become TextEdits. JavaScript strings are UTF-16, so the engine's
 * offsets are already the units LSP positions count in.
 */

import { DiagnosticSeverity, DiagnosticTag, MarkupKind, type Diagnostic, type DiagnosticRelatedInformation, type Hover, type TextEdit as LspTextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigProblem, Finding, Severity, TextEdit } from '../../../rules';

export const DIAGNOSTIC_SOURCE = 'faultline';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Data carried on each diagnostic so code actions can find their finding again. */
export interface DiagnosticData {
  ruleId: string;
  start: number;
  end: number;
  version: number;
}

export function findingToDiagnostic(document: TextDocument, finding: Finding): Diagnostic {
  const related: DiagnosticRelatedInformation[] = finding.related.map((item) => ({
    location: { uri: document.uri, range: { start: document.positionAt(item.range.start), end: document.positionAt(item.range.end) } },
    message: item.message,
  }));
  const data: DiagnosticData = { ruleId: finding.ruleId, start: finding.range.start, end: finding.range.end, version: document.version };
  return {
    range: { start: document.positionAt(finding.range.start), end: document.positionAt(finding.range.end) },
    severity: SEVERITIES[finding.severity],
    source: DIAGNOSTIC_SOURCE,
    code: finding.ruleId,
    codeDescription: { href: finding.docsUrl },
    // One line in the Problems panel; why it bites is in the hover (findingsToHover) and the docs.
    message: finding.message,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
    ...(finding.tags?.includes('unnecessary') ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    data,
  };
}

/**
 * The hover over findings, in Markdown: for each, its message, why it bites in production and a
 * link to its docs; the range is the first finding's. Null when there are none.
 */
export function findingsToHover(document: TextDocument, findings: Finding[]): Hover | null {
  const first = findings[0];
  if (first === undefined) return null;
  const sections = findings.map((finding) => [
    `**Faultline** \`${finding.ruleId}\`: ${finding.message}`,
    finding.note,
    `[Documentation of ${finding.ruleId}](${finding.docsUrl})`,
  ].filter((part) => part !== '').join('\n\n'));
  return {
    contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') },
    range: { start: document.positionAt(first.range.start), end: document.positionAt(first.range.end) },
  };
}

export function configProblemToDiagnostic(document: TextDocument, problem: ConfigProblem): Diagnostic {
  return {
    range: { start: document.positionAt(problem.range.start), end: document.positionAt(Math.max(problem.range.end, problem.range.start)) },
    severity: problem.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: 'config',
    message: problem.severity === 'error' ? `${problem.message} Faultline keeps using the last valid configuration until this is fixed.` : problem.message,
  };
}

/**
 * The one diagnostic of a document Faultline did not analyse (too large, minified, too complex, an
 * internal error), at its first character: without it, no squiggles would read as "no problems".
 * It carries no finding data, so no code action is offered for it.
 */
export function notAnalysedDiagnostic(reason: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: 'not-analysed',
    message: `Faultline did not analyse this file: ${reason}.`,
  };
}

export function toLspEdit(document: TextDocument, edit: TextEdit): LspTextEdit {
  return { range: { start: document.positionAt(edit.range.start), end: document.positionAt(edit.range.end) }, newText: edit.newText };
}

export function isFaultlineDiagnostic(diagnostic: Diagnostic): diagnostic is Diagnostic & { data: DiagnosticData } {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  return diagnostic.source === DIAGNOSTIC_SOURCE && typeof data?.ruleId === 'string' && typeof data.start === 'number' && typeof data.end === 'number';
}
