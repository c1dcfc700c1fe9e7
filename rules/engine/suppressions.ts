/**
 * Suppression directives, in any comment syntax of the host (`--`, `//`, `/* *\/`, `#`):
 *
 *   faultline-ignore-next-line <rule>[, <rule>] -- <reason> [until YYYY-MM-DD]
 *   faultline-ignore-file <rule>[, <rule>] -- <reason> [until YYYY-MM-DD]
 *
 * A reason is required: a directive without one suppresses nothing and is reported. A directive
 * past its `until` date stops hiding findings, and the finding says so. A directive that hides
 * nothing is reported as unnecessary. "Next line" means the line after the directive, or the
 * first line of the statement or query call that begins there (so one directive above a multi-line
 * query covers it).
 */

import { computeLineStarts, lineOfOffset } from './text';
import type { Finding, Severity, SuppressedFinding, TextRange } from './types';

/**
 * The findings about directives themselves, which are not rules of the catalogue: their ids,
 * severities and what they report, for the runner and for the front ends that list or configure
 * finding ids (`faultline explain`, the ESLint plugin).
 */
export const SUPPRESSION_FINDINGS = {
  invalid: { id: 'invalid-suppression', severity: 'warning', summary: 'a faultline-ignore comment Faultline cannot use: no rule id, a rule that does not exist, or no reason' },
  unused: { id: 'unused-suppression', severity: 'hint', summary: 'a faultline-ignore comment whose rule no longer finds anything where it points: remove it' },
} as const satisfies Record<string, { id: string; severity: Severity; summary: string }>;

export interface SuppressionDirective {
  kind: 'next-line' | 'file';
  ruleIds: string[];
  reason: string | null;
  until: string | null;
  /** Range of the directive text in the document. */
  range: TextRange;
  /** The line it applies to (for next-line), zero-based. */
  targetLine: number;
}

const DIRECTIVE = /faultline-ignore-(next-line|file)\b([^\n]*)/g;
const COMMENT_START = /(\/\/|\/\*|--|#|\*)\s*$/;

export function parseSuppressions(text: string): SuppressionDirective[] {
  if (!text.includes('faultline-ignore-')) return [];
  const lineStarts = computeLineStarts(text);
  const directives: SuppressionDirective[] = [];
  for (const match of text.matchAll(DIRECTIVE)) {
    const start = match.index;
    const line = lineOfOffset(lineStarts, start);
    const lineStart = lineStarts[line] ?? 0;
    if (!COMMENT_START.test(text.slice(lineStart, start))) continue;
    let body = match[2] ?? '';
    const blockEnd = body.indexOf('*/');
    if (blockEnd !== -1) body = body.slice(0, blockEnd);
    // A directive inside a JS string ends where the string does.
    body = body.replace(/[`'"]\s*[),;]*\s*$/, '');
    const separator = body.indexOf('--');
    const rulePart = separator === -1 ? body : body.slice(0, separator);
    let reasonPart = separator === -1 ? '' : body.slice(separator + 2).trim();
    let until: string | null = null;
    const untilMatch = /\buntil\s+(\d{4}-\d{2}-\d{2})\s*$/.exec(reasonPart);
    if (untilMatch) {
      until = untilMatch[1] ?? null;
      reasonPart = reasonPart.slice(0, untilMatch.index).trim();
    }
    const ruleIds = rulePart.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
    const end = start + match[0].length - (match[2]?.length ?? 0) + body.trimEnd().length;
    directives.push({
      kind: match[1] === 'file' ? 'file' : 'next-line',
      ruleIds,
      reason: reasonPart.length > 0 ? reasonPart : null,
      until,
      range: { start, end: Math.max(start + 1, end) },
      targetLine: line + 1,
    });
  }
  return directives;
}

export interface SuppressionOutcome {
  findings: Finding[];
  /** Findings about the directives themselves (invalid, unused). */
  directiveFindings: Finding[];
  /** Findings a valid, unexpired directive hid, with its reason (SARIF reports them as suppressed). */
  suppressed: SuppressedFinding[];
}

export interface SuppressibleFinding extends Finding {
  /** Offsets of the enclosing statement and query call: a directive above either covers the finding. */
  anchors: number[];
}

export interface DirectiveFindingFactory {
  invalid(directive: SuppressionDirective, message: string): Finding;
  unused(directive: SuppressionDirective, ruleId: string): Finding;
}

/**
 * Hides findings covered by valid directives. `ranRules` are the rules that ran on the document:
 * a directive naming a rule that did not run is not reported as unused. `selectedRules`, when
 * only some rules were asked for (`--rules`), keeps a run about those rules from failing on a
 * reason missing from another rule's directive.
 */
export function applySuppressions(
  text: string,
  findings: SuppressibleFinding[],
  directives: SuppressionDirective[],
  options: { today: string; knownRuleIds: ReadonlySet<string>; ranRules: ReadonlySet<string>; selectedRules?: ReadonlySet<string>; factory: DirectiveFindingFactory },
): SuppressionOutcome {
  if (directives.length === 0) return { findings: findings.map(withoutAnchors), directiveFindings: [], suppressed: [] };
  const lineStarts = computeLineStarts(text);
  const directiveFindings: Finding[] = [];
  const valid: SuppressionDirective[] = [];
  for (const directive of directives) {
    const unknown = directive.ruleIds.filter((id) => !options.knownRuleIds.has(id));
    if (directive.ruleIds.length === 0) {
      directiveFindings.push(options.factory.invalid(directive, 'This suppression names no rule: write `faultline-ignore-next-line <rule-id> -- <reason>`.'));
    } else if (unknown.length > 0) {
      directiveFindings.push(options.factory.invalid(directive, `Unknown rule ${unknown.map((id) => `\`${id}\``).join(', ')} in suppression; run \`faultline rules\` for the list.`));
    } else if (directive.reason === null) {
      const selected = options.selectedRules;
      if (selected === undefined || directive.ruleIds.some((id) => selected.has(id))) {
        directiveFindings.push(options.factory.invalid(directive, 'This suppression has no reason, so it suppresses nothing: add `-- <why this is safe here>` after the rule id.'));
      }
    } else {
      valid.push(directive);
    }
  }
  const used = new Set<SuppressionDirective>();
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const lines = new Set([finding.range.start, ...finding.anchors].map((offset) => lineOfOffset(lineStarts, offset)));
    const directive = valid.find((candidate) => candidate.ruleIds.includes(finding.ruleId) && (candidate.kind === 'file' || lines.has(candidate.targetLine)));
    const plain = withoutAnchors(finding);
    if (directive === undefined) {
      kept.push(plain);
      continue;
    }
    used.add(directive);
    if (directive.until !== null && directive.until < options.today) {
      kept.push({ ...plain, message: `${plain.message} (The suppression for this expired on ${directive.until}.)` });
      continue;
    }
    suppressed.push({ finding: plain, kind: directive.kind, reason: directive.reason ?? '' });
  }
  for (const directive of valid) {
    if (used.has(directive)) continue;
    for (const ruleId of directive.ruleIds) {
      if (options.ranRules.has(ruleId)) directiveFindings.push(options.factory.unused(directive, ruleId));
    }
  }
  return { findings: kept, directiveFindings, suppressed };
}

function withoutAnchors(finding: SuppressibleFinding): Finding {
  const { anchors: _anchors, ...plain } = finding;
  return plain;
}
