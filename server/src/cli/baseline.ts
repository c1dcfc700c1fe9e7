/**
 * Baselines (`--baseline FILE`, `--update-baseline`): a team adopting Faultline on an old codebase
 * records today's findings once and from then on sees only new ones. An entry is a rule id, a file
 * (relative to the baseline file's folder, so the audit can run from anywhere) and the finding's
 * stable fingerprint (workspace/fingerprint.ts), never a line number, so code added above a
 * baselined finding does not resurrect it. Entries are matched as a multiset: two identical
 * findings in one file need two entries, so a copy-pasted third one still shows.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { AuditReport, FileReport } from './report';

const BASELINE_FORMAT = 1;

export interface BaselineEntry {
  ruleId: string;
  path: string;
  fingerprint: string;
}

interface BaselineFile {
  format: number;
  findings: BaselineEntry[];
}

function entryKey(entry: BaselineEntry): string {
  return `${entry.ruleId}\u0000${entry.path}\u0000${entry.fingerprint}`;
}

/** A file's path as the baseline stores it: relative to the baseline's folder, with `/`. */
function baselinePath(baselineFile: string, absolutePath: string): string {
  return relative(dirname(resolve(baselineFile)), absolutePath).split(sep).join('/');
}

function isEntry(value: unknown): value is BaselineEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<BaselineEntry>;
  return typeof entry.ruleId === 'string' && typeof entry.path === 'string' && typeof entry.fingerprint === 'string';
}

/**
 * Reads a baseline, or says what is wrong with it. A missing file is an empty baseline when it is
 * about to be written (`--update-baseline`), and an error otherwise: a mistyped path would
 * silently hide nothing.
 */
export function readBaseline(file: string, options: { mayBeMissing: boolean }): { entries: BaselineEntry[] } | { error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return options.mayBeMissing ? { entries: [] } : { error: `no baseline at ${file}: record one with --update-baseline, or check the path.` };
    return { error: `could not read the baseline ${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const findings = typeof parsed === 'object' && parsed !== null ? (parsed as { findings?: unknown }).findings : undefined;
    if (!Array.isArray(findings) || !findings.every(isEntry)) return { error: `${file} is not a Faultline baseline (expected { "findings": [{ "ruleId", "path", "fingerprint" }] }).` };
    const format = (parsed as { format?: unknown }).format;
    if (format !== BASELINE_FORMAT) return { error: `${file} is a baseline of format ${JSON.stringify(format)}, which this version of Faultline does not read (it reads format ${BASELINE_FORMAT}); record it again with --update-baseline.` };
    return { entries: findings };
  } catch (error) {
    return { error: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The report without the findings the baseline lists; also how many were hidden. */
export function applyBaseline(report: AuditReport, baselineFile: string, entries: readonly BaselineEntry[]): { report: AuditReport; hidden: number } {
  const remaining = new Map<string, number>();
  for (const entry of entries) remaining.set(entryKey(entry), (remaining.get(entryKey(entry)) ?? 0) + 1);
  let hidden = 0;
  const files = report.files.map((file): FileReport => {
    const path = baselinePath(baselineFile, file.absolutePath);
    const findings = file.findings.filter((finding) => {
      const key = entryKey({ ruleId: finding.ruleId, path, fingerprint: finding.fingerprint });
      const count = remaining.get(key) ?? 0;
      if (count === 0) return true;
      remaining.set(key, count - 1);
      hidden++;
      return false;
    });
    return { ...file, findings };
  });
  return { report: { ...report, files }, hidden };
}

/**
 * Writes the baseline for this report. Entries this audit did not look for are kept, so a partial
 * run never forgets them: those of files it did not look at (another shard, files unchanged since
 * the ref) and of rules it did not run (`--rules`: `ranRule` says which ran).
 */
export function writeBaseline(baselineFile: string, report: AuditReport, auditedFiles: readonly string[], previous: readonly BaselineEntry[], ranRule: (ruleId: string) => boolean): number {
  const audited = new Set(auditedFiles.map((file) => baselinePath(baselineFile, file)));
  for (const file of report.files) audited.add(baselinePath(baselineFile, file.absolutePath));
  const entries = previous.filter((entry) => !audited.has(entry.path) || !ranRule(entry.ruleId));
  for (const file of report.files) {
    const path = baselinePath(baselineFile, file.absolutePath);
    for (const finding of file.findings) entries.push({ ruleId: finding.ruleId, path, fingerprint: finding.fingerprint });
  }
  entries.sort((a, b) => (entryKey(a) < entryKey(b) ? -1 : entryKey(a) > entryKey(b) ? 1 : 0));
  const contents: BaselineFile = { format: BASELINE_FORMAT, findings: entries };
  writeFileSync(baselineFile, `${JSON.stringify(contents, null, 2)}\n`);
  return entries.length;
}
