/**
 * `faultline roles [paths...]`: what kind of code Faultline takes each file for, and why. Rules
 * speak only about the roles they apply to (a migration gets no `write-without-where`), so when a
 * finding is missing or unexpected, this is the first thing to look at; a project corrects it
 * with `"roles"` globs in `.faultline.json`. Beside the role it lists what the rest of the project
 * says that turns a file's warnings into info (a module nothing imports, a retired job, code only
 * a serverless function runs), since those explain a quiet file as much as its role does. Reads
 * the files and the configs (and the project's imports), never lints.
 */

import { resolve } from 'node:path';
import { detectFileRole, FILE_ROLES, type FileRole, type FileRoleFact, type ProjectFacts } from '../../../rules/index';
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
  /** The path inside its project: what `"roles"` globs in .faultline.json are matched against. */
  projectPath: string;
  /** No file of the project imports this production module and nothing marks it as an entry point. */
  unimported?: true;
  /** Why the job this file belongs to no longer runs. */
  retired?: string;
  /** A Python program nothing in the project imports or starts: run by hand. */
  handRun?: true;
  /** The serverless function's entry (project path) when only such a function runs this module. */
  serverlessEntry?: string;
  /** The command-line tool (its package's name) this module is part of. */
  commandLineTool?: string;
}

/** The project facts that show a file's warnings at info (engine/runner.ts), as row fields. */
function quietingFacts(facts: ProjectFacts, role: FileRoleFact): Pick<FileRoleRow, 'unimported' | 'retired' | 'handRun' | 'serverlessEntry' | 'commandLineTool'> {
  return {
    ...(facts.unimported === true ? { unimported: true as const } : {}),
    ...(facts.retired !== undefined ? { retired: facts.retired } : {}),
    ...(facts.handRun === true ? { handRun: true as const } : {}),
    ...(facts.lambdaEntry !== undefined ? { serverlessEntry: facts.lambdaEntry } : {}),
    // The config's word on a file outweighs the package's (engine/runner.ts).
    ...(facts.commandLineTool !== undefined && role.source !== 'config' ? { commandLineTool: facts.commandLineTool } : {}),
  };
}

/** `[nothing imports it]`-style notes for the text listing; '' when none applies. */
function quietingNotes(row: FileRoleRow): string {
  const notes: string[] = [];
  if (row.unimported === true) notes.push('nothing imports it: looks unused');
  if (row.retired !== undefined) notes.push(`retired job: ${row.retired}`);
  if (row.handRun === true) notes.push('a program nothing starts: run by hand');
  if (row.commandLineTool !== undefined) notes.push(`part of the command-line tool ${row.commandLineTool}`);
  if (row.serverlessEntry !== undefined) notes.push(row.serverlessEntry === row.projectPath ? 'a serverless function\'s entry' : `runs only in the serverless function ${row.serverlessEntry}`);
  return notes.length === 0 ? '' : `  [${notes.join('; ')}]`;
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
    const facts = projectFacts.factsFor(path, plan.resolved);
    const role = detectFileRole(plan.projectPath, plan.languageId, read.text, plan.settings, facts);
    rows.push({ path: displayPath(path, cwd), projectPath: plan.projectPath, ...role, ...quietingFacts(facts, role) });
  }
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function formatFileRoles(rows: readonly FileRoleRow[], format: RolesOptions['format']): string {
  if (format === 'json') return `${JSON.stringify({ files: rows }, null, 2)}\n`;
  const width = Math.max(...FILE_ROLES.map((role) => role.length));
  const lines = rows.map((row) => `${row.role.padEnd(width)}  ${row.path}${row.source === 'default' ? '' : `  (${row.reason})`}${quietingNotes(row)}`);
  lines.push('', summarizeFileRoles(rows));
  const quieted = summarizeQuietedFiles(rows);
  if (quieted !== '') lines.push(quieted);
  lines.push('Correct a role with "roles" globs in .faultline.json, e.g. { "roles": { "ops/**": "script" } }.');
  return `${lines.join('\n')}\n`;
}

/** `12 files: 9 production, 2 test, 1 migration.` */
export function summarizeFileRoles(rows: readonly FileRoleRow[]): string {
  const counts = new Map<FileRole, number>();
  for (const row of rows) counts.set(row.role, (counts.get(row.role) ?? 0) + 1);
  const summary = FILE_ROLES.filter((role) => counts.has(role)).map((role) => `${counts.get(role) ?? 0} ${role}`).join(', ');
  return `${rows.length} files: ${summary === '' ? 'none' : summary}.`;
}

/**
 * `Warnings shown as info in 3 files: 2 look unused, 1 is part of a retired job.` (or a command-line tool) and how many
 * run only in a serverless function (a fact only the rules that say so act on); '' when none.
 */
function summarizeQuietedFiles(rows: readonly FileRoleRow[]): string {
  const count = (predicate: (row: FileRoleRow) => boolean): number => rows.filter(predicate).length;
  const unimported = count((row) => row.unimported === true);
  const retired = count((row) => row.retired !== undefined);
  const handRun = count((row) => row.handRun === true);
  const tools = count((row) => row.commandLineTool !== undefined);
  const quieted = count((row) => row.unimported === true || row.retired !== undefined || row.handRun === true || row.commandLineTool !== undefined);
  const serverless = count((row) => row.serverlessEntry !== undefined);
  const sentences: string[] = [];
  if (quieted !== 0) {
    const parts: string[] = [];
    if (unimported !== 0) parts.push(`${unimported} ${unimported === 1 ? 'looks' : 'look'} unused`);
    if (retired !== 0) parts.push(`${retired} ${retired === 1 ? 'is' : 'are'} part of a retired job`);
    if (handRun !== 0) parts.push(`${handRun} ${handRun === 1 ? 'is a program' : 'are programs'} run by hand`);
    if (tools !== 0) parts.push(`${tools} ${tools === 1 ? 'is' : 'are'} part of a command-line tool`);
    sentences.push(`Warnings shown as info in ${quieted} ${quieted === 1 ? 'file' : 'files'}: ${parts.join(', ')}.`);
  }
  if (serverless !== 0) sentences.push(`${serverless} ${serverless === 1 ? 'file runs' : 'files run'} only in a serverless function, whose own timeout bounds it (request-without-timeout shows those at info).`);
  return sentences.join('\n');
}
