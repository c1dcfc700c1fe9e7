/**
 * The built CLI's fixing and input flags as a user runs them (#14): `--fix` (the file's text
 * afterwards, its mode, a symbolic link leading out of the project), `--unsafe-fixes`, `--diff`
 * (the diff, nothing written, exit 1), `--stdin-filename` (with and without --fix), `--staged`
 * (the index's text, not the working tree's, from a subfolder, deletions ignored), and named
 * files of a kind Faultline does not read, listed as skipped in every format.
 * Run `npm run build` first; a missing bundle fails the test.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const FIXTURES = join(REPO_ROOT, 'rules');

/** equals-null's safe fix, and its exact output, from the rule's own fixtures. */
const EQUALS_NULL = readFileSync(join(FIXTURES, 'sql', 'equals-null', 'fixtures', 'fix.sql'), 'utf8');
const EQUALS_NULL_FIXED = readFileSync(join(FIXTURES, 'sql', 'equals-null', 'fixtures', 'fix.sql.fixed'), 'utf8');
/** How many comparisons with NULL the fixture holds: each is one finding and one fix. */
const EQUALS_NULL_SITES = (EQUALS_NULL.match(/(?:=|<>|!=)\s*NULL\b/g) ?? []).length;
const TIMEOUT = readFileSync(join(FIXTURES, 'app', 'request-without-timeout', 'fixtures', 'fix.ts'), 'utf8');
const TIMEOUT_FIXED = readFileSync(join(FIXTURES, 'app', 'request-without-timeout', 'fixtures', 'fix.ts.fixed'), 'utf8');

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, input?: string): CliRun {
  assert.ok(existsSync(CLI), `${CLI} not found: run \`npm run build\` first.`);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function makeProject(t: { after(callback: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-fix-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return root;
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

test('--fix writes the safe fixes, keeps the mode, and reports what remains', (t) => {
  const root = makeProject(t, { 'db/report.sql': EQUALS_NULL, 'src/client.ts': TIMEOUT, 'package.json': '{}\n' });
  chmodSync(join(root, 'db/report.sql'), 0o640);
  const run = runCli(['audit', '--fix', '--no-cache', '--severity', 'error'], root);
  assert.equal(readFileSync(join(root, 'db/report.sql'), 'utf8'), EQUALS_NULL_FIXED);
  assert.equal(readFileSync(join(root, 'src/client.ts'), 'utf8'), TIMEOUT_FIXED);
  assert.equal(statSync(join(root, 'db/report.sql')).mode & 0o777, 0o640);
  assert.match(run.stderr, new RegExp(`db/report\\.sql: ${EQUALS_NULL_SITES} fixes applied`));
  assert.match(run.stderr, /src\/client\.ts: 7 fixes applied/);
  // The report is of the fixed text: the equals-null errors are gone, what has no fix remains.
  assert.doesNotMatch(run.stdout, /equals-null/);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  // Nothing is left to fix: a second run changes nothing and says nothing about fixes.
  const again = runCli(['audit', '--fix', '--no-cache'], root);
  assert.doesNotMatch(again.stderr, /applied/);
  assert.equal(readFileSync(join(root, 'db/report.sql'), 'utf8'), EQUALS_NULL_FIXED);
});

test('--diff prints a unified diff, writes nothing, and exits 1 only when there are changes', (t) => {
  const root = makeProject(t, { 'report.sql': EQUALS_NULL, 'package.json': '{}\n' });
  const run = runCli(['audit', '--diff', '--no-cache'], root);
  assert.equal(run.status, 1);
  assert.equal(readFileSync(join(root, 'report.sql'), 'utf8'), EQUALS_NULL);
  assert.match(run.stdout, /^--- a\/report\.sql\n\+\+\+ b\/report\.sql\n@@ -1,\d+ \+1,\d+ @@\n/, run.stdout);
  assert.match(run.stdout, /^-SELECT id, email FROM users WHERE deleted_at = NULL;$/m);
  assert.match(run.stdout, /^\+SELECT id, email FROM users WHERE deleted_at IS NULL;$/m);
  // The diff applies: git apply turns the file into exactly what --fix writes.
  writeFileSync(join(root, 'fix.patch'), run.stdout);
  const applied = spawnSync('git', ['apply', 'fix.patch'], { cwd: root, encoding: 'utf8' });
  assert.equal(applied.status, 0, applied.stderr);
  assert.equal(readFileSync(join(root, 'report.sql'), 'utf8'), EQUALS_NULL_FIXED);
  const clean = runCli(['audit', '--diff', '--no-cache', 'report.sql'], root);
  assert.equal(clean.stdout, '');
  assert.equal(clean.status, 0);
});

test('--unsafe-fixes adds the unsafe fixes; without it they are left alone', (t) => {
  // Where a column's type is not shown, timezone-naive-date-bucket's fix is unsafe (it may change results).
  const unsafe = readFileSync(join(FIXTURES, 'sql', 'timezone-naive-date-bucket', 'fixtures', 'fix.sql'), 'utf8');
  const root = makeProject(t, { 'q.sql': unsafe, 'package.json': '{}\n' });
  const safeOnly = runCli(['audit', '--diff', '--no-cache', '--rules', 'timezone-naive-date-bucket'], root);
  const withUnsafe = runCli(['audit', '--diff', '--unsafe-fixes', '--no-cache', '--rules', 'timezone-naive-date-bucket'], root);
  assert.ok(withUnsafe.stdout.length > safeOnly.stdout.length, `${safeOnly.stdout}\n---\n${withUnsafe.stdout}`);
  const usage = runCli(['audit', '--unsafe-fixes'], root);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--unsafe-fixes goes with --fix or --diff/);
});

test('--fix never writes through a symbolic link that leaves the project', (t) => {
  const outside = makeProject(t, { 'shared.sql': EQUALS_NULL });
  const root = makeProject(t, { 'package.json': '{}\n' });
  symlinkSync(join(outside, 'shared.sql'), join(root, 'linked.sql'));
  const run = runCli(['audit', '--fix', '--no-cache', 'linked.sql'], root);
  assert.equal(readFileSync(join(outside, 'shared.sql'), 'utf8'), EQUALS_NULL);
  assert.match(run.stderr, /linked\.sql: not fixed, the file is left as it was: it is a symbolic link to .*outside the project/);
  assert.equal(run.status, 1);
});

test('--stdin-filename lints standard input as that file; with --fix it prints the fixed text', (t) => {
  const root = makeProject(t, { 'package.json': '{}\n', 'migrations/.keep': '' });
  const report = runCli(['audit', '--stdin-filename', 'db/q.sql', '--format', 'json'], root, EQUALS_NULL);
  const parsed = JSON.parse(report.stdout) as { files: { path: string; findings: { ruleId: string }[] }[] };
  assert.equal(parsed.files[0]?.path, 'db/q.sql');
  assert.ok(parsed.files[0]?.findings.some((finding) => finding.ruleId === 'equals-null'));
  assert.equal(report.status, 1);
  assert.equal(existsSync(join(root, 'db')), false, 'nothing is written');

  const fixed = runCli(['audit', '--stdin-filename', 'db/q.sql', '--fix'], root, EQUALS_NULL);
  assert.equal(fixed.stdout, EQUALS_NULL_FIXED);
  assert.doesNotMatch(fixed.stderr, /equals-null/);
  // Text Faultline does not read comes back as it was, never lost.
  const notRead = runCli(['audit', '--stdin-filename', 'notes.txt', '--fix'], root, 'hello\n');
  assert.equal(notRead.stdout, 'hello\n');
  assert.match(notRead.stderr, /notes\.txt: not a kind of file Faultline reads/);

  const paths = runCli(['audit', '--stdin-filename', 'q.sql', 'other.sql'], root, '');
  assert.equal(paths.status, 2);
});

test('--staged checks what the index holds, from a subfolder too, and ignores staged deletions', (t) => {
  const root = makeProject(t, { 'db/old.sql': EQUALS_NULL, 'db/gone.sql': EQUALS_NULL, 'src/.keep': '' });
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'start');
  writeFileSync(join(root, 'db/staged.sql'), EQUALS_NULL);
  git(root, 'add', 'db/staged.sql');
  git(root, 'rm', '-q', 'db/gone.sql');
  // The working tree now differs from the index: only the index counts.
  writeFileSync(join(root, 'db/staged.sql'), 'SELECT 1 AS one;\n');

  const run = runCli(['audit', '--staged', '--format', 'json', '--no-cache'], root);
  const parsed = JSON.parse(run.stdout) as { files: { path: string; findings: { ruleId: string }[] }[] };
  assert.deepEqual(parsed.files.map((file) => file.path), ['db/staged.sql']);
  assert.ok(parsed.files[0]?.findings.some((finding) => finding.ruleId === 'equals-null'));
  assert.equal(run.status, 1);

  const fromSubfolder = runCli(['audit', '--staged', '--format', 'json', '..'], join(root, 'src'));
  const subfolderPaths = (JSON.parse(fromSubfolder.stdout) as { files: { path: string }[] }).files.map((file) => file.path);
  assert.equal(subfolderPaths.length, 1);
  assert.ok(subfolderPaths[0]?.endsWith('/db/staged.sql'), subfolderPaths[0]);
  const onlyHere = runCli(['audit', '--staged'], join(root, 'src'));
  assert.match(onlyHere.stdout, /No problems found \(0 files checked\)/);

  const withFix = runCli(['audit', '--staged', '--fix'], root);
  assert.equal(withFix.status, 2);
  const outsideGit = runCli(['audit', '--staged'], makeProject(t, { 'a.sql': EQUALS_NULL }));
  assert.equal(outsideGit.status, 2);
  assert.match(outsideGit.stderr, /--staged: git failed/);
});

test('a named file of a kind Faultline does not read is listed as skipped in every format', (t) => {
  const root = makeProject(t, { 'analysis.ipynb': '{"cells": []}\n', 'q.sql': 'SELECT 1 AS one;\n' });
  const text = runCli(['audit', 'analysis.ipynb', 'q.sql', '--no-cache'], root);
  assert.match(text.stdout, /Skipped 1 file:\n {2}analysis\.ipynb: a Jupyter notebook/);
  const json = JSON.parse(runCli(['audit', 'analysis.ipynb', '--format', 'json', '--no-cache'], root).stdout) as { skipped: { path: string; reason: string }[] };
  assert.equal(json.skipped[0]?.path, 'analysis.ipynb');
  assert.match(runCli(['audit', 'analysis.ipynb', '--format', 'sarif', '--no-cache'], root).stdout, /analysis\.ipynb was not analysed: a Jupyter notebook/);
  assert.match(runCli(['audit', 'analysis.ipynb', '--format', 'html', '--no-cache'], root).stdout, /<code>analysis\.ipynb<\/code>/);
});

test('--update-baseline says what it recorded', (t) => {
  const root = makeProject(t, { 'q.sql': EQUALS_NULL });
  const run = runCli(['audit', '--baseline', 'baseline.json', '--update-baseline', '--no-cache', '--rules', 'equals-null'], root);
  assert.match(run.stderr, new RegExp(`recorded ${EQUALS_NULL_SITES} findings in baseline\\.json`));
});
