/**
 * `faultline rules` and `faultline explain <rule-id>`: the catalogue as a table, and one rule's
 * documentation. Both return text and leave printing to main.
 */

import { RULES, docsUrlFor, type RuleMeta } from '../../../rules/index';
import { readRuleDocs } from './installation';

export function formatRuleList(): string {
  const metas = RULES.map((rule) => rule.meta);
  const header = { id: 'RULE', defaultSeverity: 'SEVERITY', fix: 'FIX', summary: 'WHAT IT FLAGS' };
  const idWidth = Math.max(header.id.length, ...metas.map((meta) => meta.id.length));
  const severityWidth = Math.max(header.defaultSeverity.length, ...metas.map((meta) => meta.defaultSeverity.length));
  const fixWidth = Math.max(header.fix.length, ...metas.map((meta) => meta.fix.length));
  const row = (id: string, severity: string, fix: string, summary: string): string =>
    `${id.padEnd(idWidth)}  ${severity.padEnd(severityWidth)}  ${fix.padEnd(fixWidth)}  ${summary}`.trimEnd();
  const lines = [row(header.id, header.defaultSeverity, header.fix, header.summary), ...metas.map((meta) => row(meta.id, meta.defaultSeverity, meta.fix, meta.summary))];
  lines.push('', `${metas.length} rules. \`faultline explain <rule>\` shows one rule's documentation.`);
  return `${lines.join('\n')}\n`;
}

/** The rule's docs, or null when no rule has this id. */
export function explainRule(ruleId: string): string | null {
  const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
  if (rule === undefined) return null;
  const docs = readRuleDocs(rule.meta);
  if (docs !== null) return docs.endsWith('\n') ? docs : `${docs}\n`;
  return fallbackDocs(rule.meta);
}

/** What is known without the docs file (a partial install): the metadata the rule carries. */
function fallbackDocs(meta: RuleMeta): string {
  return [`# ${meta.id}`, '', meta.summary, '', '## Why it bites in production', '', meta.why, '', `Default severity: ${meta.defaultSeverity}. Fix: ${meta.fix}.`, `Full documentation: ${docsUrlFor(meta)}`, ''].join('\n');
}
