/**
 * `faultline audit`: collects the files, lints each one once, in order, with the config that
 * applies to it, and builds the report the formatters print. Broken `.faultline.json` files become
 * findings on the config file itself (rule id `config`), reported once per file however many
 * source files it covers, while those source files are still checked with the defaults.
 */

import { readFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { createConfigResolver, type ResolvedConfig } from '../workspace/config-resolver';
import { collectFiles, readSourceFile } from '../workspace/files';
import { lintFile, todayIso } from '../workspace/lint-file';
import type { AuditOptions } from './args';
import { createPositionMapper, reportFinding, type AuditReport, type FileReport, type ReportedFinding } from './report';

export const CONFIG_RULE_ID = 'config';
const CONFIG_DOCS_URL = 'https://github.com/faultline/faultline/blob/main/docs/configuration.md';

/** A path as the user reads it: relative to the current folder with `/`, or absolute outside it. */
export function displayPath(absolutePath: string, cwd: string): string {
  const relativePath = relative(cwd, absolutePath);
  if (relativePath === '') return '.';
  if (relativePath.startsWith('..') || isAbsolute(relativePath)) return absolutePath.split(sep).join('/');
  return relativePath.split(sep).join('/');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The problems of one config file as findings; the file is read again only to place them. */
function configFindings(resolved: ResolvedConfig & { configPath: string }): ReportedFinding[] {
  let text = '';
  try {
    text = readFileSync(resolved.configPath, 'utf8');
  } catch {
    // Unreadable: the problem itself says so, and it is placed at 1:1.
  }
  const positionOf = createPositionMapper(text);
  const note = resolved.usingFallback
    ? 'Faultline cannot use this file as it is, so the files it covers are checked with its last good version or the default settings until it is fixed.'
    : 'Faultline ignores this part of the file; the rest of the configuration applies.';
  return resolved.problems.map((problem) =>
    reportFinding({ ruleId: CONFIG_RULE_ID, severity: problem.severity, message: problem.message, note, range: problem.range, fixes: [], related: [], docsUrl: CONFIG_DOCS_URL }, positionOf),
  );
}

export function runAudit(options: AuditOptions, cwd: string): AuditReport {
  const collected = collectFiles(options.paths, { maxFileSizeBytes: options.maxFileSizeKb * 1024 });
  const resolver = createConfigResolver();
  const today = todayIso();
  const files: FileReport[] = [];
  const skipped = collected.skipped.map((entry) => ({ path: displayPath(entry.path, cwd), reason: entry.reason }));
  const internalErrors: AuditReport['internalErrors'] = [];
  const reportedConfigs = new Set<string>();
  let filesChecked = 0;

  for (const absolutePath of collected.files) {
    const path = displayPath(absolutePath, cwd);
    const source = readSourceFile(absolutePath);
    if ('skipped' in source) {
      skipped.push({ path, reason: source.skipped });
      continue;
    }
    const { result, ignored, resolved } = lintFile(absolutePath, source.text, resolver, { today, ...(options.onlyRules === null ? {} : { onlyRules: options.onlyRules }) });
    if (resolved.configPath !== null && resolved.problems.length > 0 && !reportedConfigs.has(resolved.configPath)) {
      reportedConfigs.add(resolved.configPath);
      files.push({ absolutePath: resolved.configPath, path: displayPath(resolved.configPath, cwd), findings: configFindings({ ...resolved, configPath: resolved.configPath }) });
    }
    if (ignored) continue;
    filesChecked++;
    const positionOf = createPositionMapper(source.text);
    const findings = [...result.findings].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || byCodeUnit(a.ruleId, b.ruleId));
    files.push({ absolutePath, path, findings: findings.map((finding) => reportFinding(finding, positionOf)) });
    for (const error of result.internalErrors) internalErrors.push({ ruleId: error.ruleId, path, message: error.message });
  }

  files.sort((a, b) => byCodeUnit(a.path, b.path));
  skipped.sort((a, b) => byCodeUnit(a.path, b.path));
  return { files, filesChecked, skipped, internalErrors };
}
