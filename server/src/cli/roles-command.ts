/**
 * `faultline roles [paths...]`: what kind of code Faultline takes each file for, and why. Rules
 * speak only about the roles they apply to (a migration gets no `write-without-where`), so when a
 * finding is missing or unexpected, this is the first thing to look at; a project corrects it
 * with `"roles"` globs in `.faultline.json`. Reads the files and the configs (and the project's
 * imports, for modules only browser code imports), never lints.
 */

import { resolve } from 'node:path';
import { detectFileRole, FILE_ROLES, type FileRole, type FileRoleFact } from '../../../rules/index';
import { createConfigResolver } from '../workspace/config-resolver';
import { collectFiles, readSourceFile } from '../workspace/files';
import { planFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts } from '../workspace/project-facts';
import { displayPath } from './audit';

export interface RolesOptions {
  paths: string[];
  format: 'text' | 'json';
}

export interface FileRoleRow extends FileRoleFact {
  path: string;
}

/** Every file an audit of `paths` would read, with its role; sorted by path. */
export function listFileRoles(options: RolesOptions, cwd: string): FileRoleRow[] {
  const collected = collectFiles(options.paths.length === 0 ? [cwd] : options.paths.map((path) => resolve(cwd, path)), { maxFileSizeBytes: Number.MAX_SAFE_INTEGER });
  const resolver = createConfigResolver();
  const projectFacts = createProjectFacts(resolver);
  const today = todayIso();
  const rows: FileRoleRow[] = [];
  for (const path of collected.files) {
    const plan = planFile(path, resolver, { today });
    if (plan.ignored) continue;
    const read = readSourceFile(path);
    if ('skipped' in read) continue;
    rows.push({ path: displayPath(path, cwd), ...detectFileRole(plan.projectPath, plan.languageId, read.text, plan.settings, projectFacts.factsFor(path, plan.resolved)) });
  }
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function formatFileRoles(rows: readonly FileRoleRow[], format: RolesOptions['format']): string {
  if (format === 'json') return `${JSON.stringify({ files: rows }, null, 2)}\n`;
  const counts = new Map<FileRole, number>();
  for (const row of rows) counts.set(row.role, (counts.get(row.role) ?? 0) + 1);
  const width = Math.max(...FILE_ROLES.map((role) => role.length));
  const lines = rows.map((row) => `${row.role.padEnd(width)}  ${row.path}${row.source === 'default' ? '' : `  (${row.reason})`}`);
  const summary = FILE_ROLES.filter((role) => counts.has(role)).map((role) => `${counts.get(role) ?? 0} ${role}`).join(', ');
  lines.push('', `${rows.length} files: ${summary === '' ? 'none' : summary}.`, 'Correct a role with "roles" globs in .faultline.json, e.g. { "roles": { "ops/**": "script" } }.');
  return `${lines.join('\n')}\n`;
}
