/**
 * Running the built CLI as a user does (`node dist/cli.js ...` in a temp project), for the CLI's
 * test files. Run `npm run build` first; a missing bundle fails the test rather than skipping it.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './paths';

export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export const TIMEZONE_RULE = 'timezone-naive-date-bucket';
export const DAU_QUERY = "SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time);\n";
export const CLEAN_QUERY = 'SELECT 1 AS one;\n';

/**
 * The daily-active-users query's rules are info by default (#13); these tests are about the CLI,
 * so the project turns the time-zone rule up to warning, as a team that wants it does.
 */
export const TEAM_CONFIG = '{ "rules": { "timezone-naive-date-bucket": "warning", "full-history-scan": "warning" } }\n';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  assert.ok(existsSync(CLI), `${CLI} not found: run \`npm run build\` first.`);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function writeProjectFile(root: string, path: string, contents: string): void {
  const absolute = join(root, path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, contents);
}

/** A temp folder holding `files` (path → contents, exactly these: no config is added); removed when the test ends. */
export function makeProject(t: { after(callback: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, contents] of Object.entries(files)) writeProjectFile(root, path, contents);
  return root;
}

/** Runs git in `cwd`, failing the test when it fails. */
export function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
}
