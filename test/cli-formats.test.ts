/**
 * The CI report formats of issue #14, run as a CI job runs them (the built `node dist/cli.js
 * audit ...` in a temp project): `--format github` (workflow commands GitHub turns into
 * annotations) and `--format gitlab` (a Code Quality report), with paths from the repository
 * root whatever folder the job runs in; and the audit's cache and `--changed-since` anchored at
 * the audited project rather than the current folder. The escaping rules are also checked on a
 * report built by hand, for what no rule's message contains today.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatGithub } from '../server/src/cli/format-github';
import type { AuditReport, ReportedFinding } from '../server/src/cli/report';
import { CLEAN_QUERY, DAU_QUERY, git, makeProject, runCli, TEAM_CONFIG, TIMEZONE_RULE, writeProjectFile } from './helpers/cli';

interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end?: number } };
}

function gitlabIssues(stdout: string): CodeQualityIssue[] {
  return JSON.parse(stdout) as CodeQualityIssue[];
}

/** A git repository with the team's config at its root and `files`, committed. */
function makeRepository(t: { after(callback: () => void): void }, files: Record<string, string>): string {
  const root = makeProject(t, { '.faultline.json': TEAM_CONFIG, ...files });
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'first');
  return root;
}

/** An empty folder outside the project, to run the CLI from. */
function elsewhere(t: { after(callback: () => void): void }): string {
  const folder = mkdtempSync(join(tmpdir(), 'faultline-elsewhere-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

test('--format github prints one workflow command per finding, by severity, with paths from the repository root', (t) => {
  const root = makeRepository(t, { 'app/db/dau.sql': DAU_QUERY, 'app/db/a,b:c.sql': DAU_QUERY, 'app/ok.sql': CLEAN_QUERY });
  const run = runCli(['audit', '.', '--format', 'github', '--rules', TIMEZONE_RULE], join(root, 'app'));
  assert.equal(run.status, 1, 'findings still fail the run');
  assert.deepEqual(run.stdout.split('\n'), [
    '::warning file=app/db/a%2Cb%3Ac.sql,line=1,endLine=1,col=8,endColumn=24,title=faultline(timezone-naive-date-bucket)::`DATE(login_time)` depends on the session\'s time zone: PostgreSQL buckets a timestamptz in the session\'s `TimeZone` setting; name the zone: `(login_time AT TIME ZONE \'UTC\')::date`. (https://github.com/faultline/faultline/blob/main/rules/sql/timezone-naive-date-bucket/docs.md)',
    '::warning file=app/db/dau.sql,line=1,endLine=1,col=8,endColumn=24,title=faultline(timezone-naive-date-bucket)::`DATE(login_time)` depends on the session\'s time zone: PostgreSQL buckets a timestamptz in the session\'s `TimeZone` setting; name the zone: `(login_time AT TIME ZONE \'UTC\')::date`. (https://github.com/faultline/faultline/blob/main/rules/sql/timezone-naive-date-bucket/docs.md)',
    '',
  ]);
  // The same annotations from outside the repository: paths are the repository's, not the caller's.
  const outside = runCli(['audit', join(root, 'app'), '--format', 'github', '--rules', TIMEZONE_RULE], elsewhere(t));
  assert.equal(outside.stdout, run.stdout);
  // info becomes a notice; a clean run prints nothing at all.
  const info = runCli(['audit', 'app/db/dau.sql', '--format', 'github', '--rules', 'full-history-scan'], root);
  assert.match(info.stdout, /^::warning file=app\/db\/dau\.sql,/);
  writeProjectFile(root, '.faultline.json', '{ "rules": { "full-history-scan": "info" } }\n');
  assert.match(runCli(['audit', 'app/db/dau.sql', '--format', 'github', '--rules', 'full-history-scan'], root).stdout, /^::notice file=app\/db\/dau\.sql,/);
  assert.deepEqual(runCli(['audit', 'app/ok.sql', '--format', 'github'], root), { status: 0, stdout: '', stderr: '' });
});

function finding(overrides: Partial<ReportedFinding>): ReportedFinding {
  return { ruleId: 'unbounded-select', severity: 'error', message: 'm', note: '', line: 3, column: 5, endLine: 3, endColumn: 9, docsUrl: 'https://x/docs.md', fixes: [], fingerprint: 'f', ...overrides };
}

test('--format github escapes %, CR and LF in messages, and also : and , in properties; columns only on one line', () => {
  const report: AuditReport = {
    files: [{ absolutePath: '/repo/src/50%,done:x.sql', path: 'src/50%,done:x.sql', suppressed: [], findings: [finding({ message: '100% of rows\r\nscanned, always: yes' }), finding({ severity: 'hint', endLine: 5, endColumn: 2 })] }],
    filesChecked: 1,
    skipped: [],
    internalErrors: [{ ruleId: 'query-in-loop', path: 'src/x.ts', message: 'boom\n    at stack' }],
  };
  assert.deepEqual(formatGithub(report, '/repo').split('\n'), [
    '::error file=src/50%25%2Cdone%3Ax.sql,line=3,endLine=3,col=5,endColumn=9,title=faultline(unbounded-select)::100%25 of rows%0D%0Ascanned, always: yes (https://x/docs.md)',
    '::notice file=src/50%25%2Cdone%3Ax.sql,line=3,endLine=5,title=faultline(unbounded-select)::m (https://x/docs.md)',
    "::error title=faultline internal error::Faultline's rule query-in-loop failed on this file (src/x.ts): boom",
    '',
  ]);
});

test('--format gitlab writes a Code Quality report: unique, stable fingerprints and paths from the repository root', (t) => {
  const twice = `-- two copies of one query\n${DAU_QUERY}${DAU_QUERY}`;
  const root = makeRepository(t, { 'db/dau.sql': twice, 'db/copy.sql': twice });
  const run = runCli(['audit', '--format', 'gitlab', '--rules', TIMEZONE_RULE], join(root, 'db'));
  assert.equal(run.status, 1);
  const issues = gitlabIssues(run.stdout);
  assert.deepEqual(
    issues.map((issue) => [issue.location.path, issue.location.lines.begin, issue.check_name, issue.severity]),
    [
      ['db/copy.sql', 2, TIMEZONE_RULE, 'major'],
      ['db/copy.sql', 3, TIMEZONE_RULE, 'major'],
      ['db/dau.sql', 2, TIMEZONE_RULE, 'major'],
      ['db/dau.sql', 3, TIMEZONE_RULE, 'major'],
    ],
  );
  for (const issue of issues) {
    assert.match(issue.description, /^timezone-naive-date-bucket: `DATE\(login_time\)` depends on/);
    assert.match(issue.fingerprint, /^[0-9a-f]{40}$/);
  }
  assert.equal(new Set(issues.map((issue) => issue.fingerprint)).size, 4, 'identical code in one file, or in two files, is still two issues');

  // Lines added above move the findings, not their fingerprints; GitLab then shows no new issue.
  writeProjectFile(root, 'db/dau.sql', `-- a new header\n-- over two lines\n${twice}`);
  const moved = gitlabIssues(runCli(['audit', '--format', 'gitlab', '--rules', TIMEZONE_RULE], join(root, 'db')).stdout);
  assert.deepEqual(moved.map((issue) => issue.location.lines.begin), [2, 3, 4, 5]);
  assert.deepEqual(moved.map((issue) => issue.fingerprint), issues.map((issue) => issue.fingerprint));

  // Severities map onto GitLab's scale; a clean run is an empty array (GitLab reads it as "no issues").
  writeProjectFile(root, '.faultline.json', '{ "rules": { "timezone-naive-date-bucket": "error", "full-history-scan": "info" } }\n');
  const mapped = gitlabIssues(runCli(['audit', 'db/dau.sql', '--format', 'gitlab', '--rules', `${TIMEZONE_RULE},full-history-scan`], root).stdout);
  assert.deepEqual([...new Set(mapped.map((issue) => `${issue.check_name}:${issue.severity}`))].sort(), ['full-history-scan:minor', `${TIMEZONE_RULE}:critical`]);
  writeProjectFile(root, 'clean/ok.sql', CLEAN_QUERY);
  assert.deepEqual(runCli(['audit', 'clean', '--format', 'gitlab'], root), { status: 0, stdout: '[]\n', stderr: '' });
});

test('the cache and --changed-since belong to the audited project, wherever the audit runs from', (t) => {
  const root = makeRepository(t, { 'db/old.sql': DAU_QUERY, 'db/edited.sql': CLEAN_QUERY });
  const caller = elsewhere(t);
  assert.equal(runCli(['audit', root, '--rules', TIMEZONE_RULE], caller).status, 1);
  writeProjectFile(root, 'db/edited.sql', DAU_QUERY);
  const changed = runCli(['audit', root, '--format', 'gitlab', '--rules', TIMEZONE_RULE, '--changed-since', 'HEAD'], caller);
  assert.equal(changed.status, 1, changed.stderr);
  assert.deepEqual(gitlabIssues(changed.stdout).map((issue) => issue.location.path), ['db/edited.sql'], "git is asked in the project's repository, not the current folder");
  assert.ok(existsSync(join(root, '.faultline-cache')), 'the cache is kept in the project');
  assert.ok(!existsSync(join(caller, '.faultline-cache')), 'and not in the folder the audit ran from');

  // From a subfolder the same cache is reused: one per project, not one per folder a job ran in.
  const fromSubfolder = runCli(['audit', '.', '--verbose', '--rules', TIMEZONE_RULE], join(root, 'db'));
  assert.match(fromSubfolder.stderr, /cache: 2 files reused, 0 linted/, 'from a subfolder');
  assert.ok(!existsSync(join(root, 'db', '.faultline-cache')));

  // Outside git, the project is the folder of the .faultline.json above the paths.
  const plain = makeProject(t, { 'service/.faultline.json': TEAM_CONFIG, 'service/q.sql': DAU_QUERY });
  runCli(['audit', 'service/q.sql'], plain);
  assert.ok(existsSync(join(plain, 'service', '.faultline-cache')) && !existsSync(join(plain, '.faultline-cache')));
  // A --cache-location given on the command line is read from the current folder, as paths are.
  runCli(['audit', 'service', '--cache-location', 'my-cache'], plain);
  assert.ok(existsSync(join(plain, 'my-cache')));
});
