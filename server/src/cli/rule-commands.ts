/**
 * `faultline rules` and `faultline explain <rule-id>`: the catalogue as a table, and one rule's
 * documentation. Both return text and leave printing to main.
 */

import { RULES, closestId, docsUrlFor, SUPPRESSIONS_DOCS_URL, SUPPRESSION_FINDINGS, type RuleMeta } from '../../../rules/index';
import { CONFIG_DOCS_URL, CONFIG_RULE_ID } from './audit';
import { readRuleDocs } from './installation';

/** Finding ids that are not rules of the catalogue, and what they report. */
const OTHER_FINDINGS: ReadonlyMap<string, string> = new Map([
  ...Object.values(SUPPRESSION_FINDINGS).map((finding): [string, string] => [finding.id, `${finding.summary}. See ${SUPPRESSIONS_DOCS_URL}`]),
  [CONFIG_RULE_ID, `a problem in a .faultline.json file (invalid JSON, an unknown rule or option, a bad value), reported on the file itself. See ${CONFIG_DOCS_URL}`],
]);

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

/** The rule's docs; for an id that is no rule, what it is, or what was probably meant. */
export function explainRule(ruleId: string): { docs: string } | { error: string } {
  const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
  if (rule === undefined) {
    const other = OTHER_FINDINGS.get(ruleId);
    if (other !== undefined) return { docs: `${ruleId} is not a rule of the catalogue: it reports ${other}\n` };
    const suggestion = closestId(ruleId, [...RULES.map((candidate) => candidate.meta.id), ...OTHER_FINDINGS.keys()]);
    return { error: `unknown rule '${ruleId}'${suggestion === null ? '.' : `; did you mean '${suggestion}'?`} \`faultline rules\` lists them.` };
  }
  return { docs: docsOf(rule.meta) };
}

function docsOf(meta: RuleMeta): string {
  const docs = readRuleDocs(meta);
  const roles = `Applies to: ${meta.appliesTo.join(', ')} code (file roles: \`faultline roles\`, docs/roles.md).\n`;
  if (docs !== null) return `${docs.endsWith('\n') ? docs : `${docs}\n`}\n${roles}`;
  return `${fallbackDocs(meta)}${roles}`;
}

/** What is known without the docs file (a partial install): the metadata the rule carries. */
function fallbackDocs(meta: RuleMeta): string {
  return [`# ${meta.id}`, '', meta.summary, '', '## Why it bites in production', '', meta.why, '', `Default severity: ${meta.defaultSeverity}. Fix: ${meta.fix}.`, `Full documentation: ${docsUrlFor(meta)}`, ''].join('\n');
}
