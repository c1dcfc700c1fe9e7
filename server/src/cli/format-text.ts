/**
 * The human-readable report, in the shape ESLint's "stylish" formatter made familiar: each file
 * with findings, one aligned line per finding (`line:col  severity  rule-id  message`; the message comes last and
 * unpadded so long messages do not push every line past the terminal's width), then a
 * summary line. Colour is the caller's decision (a TTY without NO_COLOR), passed in as a flag.
 */

import type { Severity } from '../../../rules/index';
import { countBySeverity, countFindings, type AuditReport } from './report';

export interface TextFormatOptions {
  color: boolean;
  /** Also print each finding's note (why it bites) and the skipped files. */
  verbose: boolean;
}

type Style = 'red' | 'yellow' | 'blue' | 'gray' | 'bold' | 'underline' | 'green';

const ANSI: Record<Style, [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  blue: [34, 39],
  gray: [90, 39],
  green: [32, 39],
  bold: [1, 22],
  underline: [4, 24],
};

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'blue', hint: 'gray' };

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The report's lines, each with its newline, a file at a time: only the file being printed is in memory as text. */
export function* formatText(report: AuditReport, options: TextFormatOptions): Generator<string> {
  const paint = (style: Style, text: string): string => (options.color ? `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m` : text);
  let lines: string[] = [];

  for (const file of report.files) {
    if (file.findings.length === 0) continue;
    lines.push(paint('underline', file.path));
    const rows = file.findings.map((finding) => ({ finding, location: `${finding.line}:${finding.column}` }));
    const locationWidth = Math.max(...rows.map((row) => row.location.length));
    const severityWidth = Math.max(...rows.map((row) => row.finding.severity.length));
    const ruleWidth = Math.max(...rows.map((row) => row.finding.ruleId.length));
    for (const { finding, location } of rows) {
      const severity = paint(SEVERITY_STYLE[finding.severity], finding.severity.padEnd(severityWidth));
      lines.push(`  ${paint('gray', location.padEnd(locationWidth))}  ${severity}  ${paint('gray', finding.ruleId.padEnd(ruleWidth))}  ${finding.message}`);
      if (options.verbose && finding.note !== '') {
        lines.push(`  ${' '.repeat(locationWidth)}  ${paint('gray', `${finding.note} (${finding.docsUrl})`)}`);
      }
    }
    lines.push('');
    yield `${lines.join('\n')}\n`;
    lines = [];
  }

  const total = countFindings(report);
  const counts = countBySeverity(report);
  if (total === 0) {
    lines.push(paint('green', `✔ No problems found (${plural(report.filesChecked, 'file')} checked).`));
  } else {
    const summary = `✖ ${plural(total, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info, ${plural(counts.hint, 'hint')})`;
    lines.push(paint(counts.error > 0 ? 'red' : counts.warning > 0 ? 'yellow' : 'blue', paint('bold', summary)));
  }

  // Always listed, verbose or not: a file Faultline failed on was not (fully) checked.
  if (report.internalErrors.length > 0) {
    const files = new Set(report.internalErrors.map((error) => error.path)).size;
    lines.push('', paint('red', `Faultline failed on ${plural(files, 'file')} (an internal error: a bug in Faultline, not in the code; please report it):`));
    for (const error of report.internalErrors) {
      const what = error.ruleId === null ? 'not analysed' : `rule ${error.ruleId} failed, its findings are missing`;
      lines.push(`  ${error.path}: ${what}: ${error.message.split('\n')[0] ?? ''}`);
    }
  }

  // Files the user named are listed always: asked about by name, they must not look checked.
  const listed = options.verbose ? report.skipped : report.skipped.filter((entry) => entry.named === true);
  if (listed.length > 0) {
    lines.push('', `Skipped ${plural(listed.length, 'file')}:`);
    for (const entry of listed) lines.push(`  ${entry.path}: ${entry.reason}`);
  }
  const unlisted = report.skipped.length - listed.length;
  if (unlisted > 0) lines.push(paint('gray', `${listed.length > 0 ? `${plural(unlisted, 'more file')} skipped` : `${plural(unlisted, 'file')} skipped`} (--verbose lists them).`));
  yield `${lines.join('\n')}\n`;
}
