/**
 * Faultline's pre-commit hooks (`.pre-commit-hooks.yaml`) under the real `pre-commit` (#14), in
 * a scratch git repository: the hooks are declared there exactly as the manifest declares them,
 * as `repo: local` hooks whose `additional_dependencies` is the tarball `npm pack` makes of this
 * checkout (what a team gets from npm), so pre-commit installs the package into its own Node
 * environment as it would for a user. Checked: a commit with a finding is refused and the
 * output names it; the fix hook rewrites the file and pre-commit reports the change; the SQL and
 * Python hook runs in a repository with no JavaScript; a clean commit goes through. A second
 * test installs the hooks the other way users do, from the repository at a commit (`repo:` and
 * `rev:`), which builds the package in pre-commit's clone (npm install needs the registry).
 *
 * Not part of `npm test` (which needs only Node): `npm run test:integrations`, which builds
 * first. pre-commit comes from Debian's packages and is installed with apt-get when missing
 * (it needs root, as CI has); its node hooks need the nodeenv module, Debian's `nodeenv`.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const EQUALS_NULL = readFileSync(join(REPO_ROOT, 'rules', 'sql', 'equals-null', 'fixtures', 'fix.sql'), 'utf8');
const EQUALS_NULL_FIXED = readFileSync(join(REPO_ROOT, 'rules', 'sql', 'equals-null', 'fixtures', 'fix.sql.fixed'), 'utf8');
/** How many comparisons with NULL the fixture holds: each is one finding and one fix. */
const EQUALS_NULL_SITES = (EQUALS_NULL.match(/(?:=|<>|!=)\s*NULL\b/g) ?? []).length;
/** Debian's pre-commit runs under the system Python, which is where apt puts nodeenv. */
const PRE_COMMIT = '/usr/bin/pre-commit';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env, timeout: 10 * 60 * 1000 });
  if (result.error) throw result.error;
  return result;
}

function output(result: SpawnSyncReturns<string>): string {
  return `${result.stdout}${result.stderr}`;
}

/** Installs pre-commit and nodeenv from Debian's packages when they are missing. */
function ensurePreCommit(): void {
  const hasNodeenv = (): boolean => spawnSync('/usr/bin/python3', ['-c', 'import nodeenv'], { encoding: 'utf8' }).status === 0;
  if (existsSync(PRE_COMMIT) && hasNodeenv()) return;
  const update = spawnSync('apt-get', ['update'], { encoding: 'utf8' });
  const install = spawnSync('apt-get', ['install', '-y', 'pre-commit', 'nodeenv'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  assert.ok(existsSync(PRE_COMMIT) && hasNodeenv(), `pre-commit (and nodeenv) are needed: \`apt-get install -y pre-commit nodeenv\` failed:\n${update.stderr ?? ''}${install.stderr ?? ''}`);
}

/**
 * The manifest's hooks as `repo: local` hooks that install the packed tarball. The manifest is
 * copied line by line (comments dropped, indented under `hooks:`), so every field it sets
 * (entry, types_or, pass_filenames ...) is what the test runs.
 */
function localConfig(tarball: string): string {
  const manifest = readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8');
  const hooks = manifest
    .split('\n')
    .filter((line) => !line.startsWith('#') && line.trim() !== '')
    .flatMap((line) => (line.startsWith('- id:') ? [`  ${line}`, `    additional_dependencies: [${JSON.stringify(tarball)}]`] : [`  ${line}`]));
  return ['repos:', '- repo: local', '  hooks:', ...hooks, ''].join('\n');
}

test('the pre-commit hooks refuse a commit with a finding, fix it, and let a clean one through', (t) => {
  ensurePreCommit();
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-pre-commit-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const packFolder = join(scratch, 'pack');
  mkdirSync(packFolder);
  const pack = run('npm', ['pack', '--pack-destination', packFolder], REPO_ROOT);
  assert.equal(pack.status, 0, output(pack));
  const tarball = readdirSync(packFolder).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball !== undefined, 'npm pack made no tarball');

  const repository = join(scratch, 'repo');
  mkdirSync(join(repository, 'models'), { recursive: true });
  const env = { ...process.env, PRE_COMMIT_HOME: join(scratch, 'pre-commit-home'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]): SpawnSyncReturns<string> => run('git', args, repository, env);
  assert.equal(git('init', '-q').status, 0);
  writeFileSync(join(repository, '.pre-commit-config.yaml'), localConfig(join(packFolder, tarball)));
  writeFileSync(join(repository, '.gitignore'), '.faultline-cache/\n');
  writeFileSync(join(repository, 'models', 'report.sql'), EQUALS_NULL);
  writeFileSync(join(repository, 'notes.md'), 'Not code: the hooks are not given it.\n');
  assert.equal(run(PRE_COMMIT, ['validate-config'], repository, env).status, 0);
  const installed = run(PRE_COMMIT, ['install'], repository, env);
  assert.equal(installed.status, 0, output(installed));

  // Only the checking hooks run at commit time here; the fix hook is run on its own below.
  const skipFix = { ...env, SKIP: 'faultline-fix' };
  git('add', '.');
  const refused = run('git', ['commit', '-qm', 'report'], repository, skipFix);
  assert.notEqual(refused.status, 0, `the commit went through:\n${output(refused)}`);
  assert.match(output(refused), /faultline\.+Failed/);
  assert.match(output(refused), /models\/report\.sql\n\s+1:35\s+error\s+equals-null/);
  assert.doesNotMatch(output(refused), /notes\.md/);

  const fixed = run(PRE_COMMIT, ['run', 'faultline-fix', '--files', 'models/report.sql'], repository, env);
  assert.equal(fixed.status, 1, 'pre-commit fails a hook that changed files');
  assert.match(output(fixed), /files were modified by this hook/);
  assert.match(output(fixed), new RegExp(`models/report\\.sql: ${EQUALS_NULL_SITES} fixes applied`));
  assert.equal(readFileSync(join(repository, 'models', 'report.sql'), 'utf8'), EQUALS_NULL_FIXED);

  const sqlAndPython = run(PRE_COMMIT, ['run', 'faultline-sql-python', '--all-files'], repository, env);
  assert.equal(sqlAndPython.status, 0, output(sqlAndPython));

  git('add', '.');
  const accepted = run('git', ['commit', '-qm', 'report, fixed'], repository, skipFix);
  assert.equal(accepted.status, 0, output(accepted));
  assert.match(output(accepted), /faultline\.+Passed/);
});

test('the hooks install from the repository itself at a commit, as `repo:` with a `rev:` does', (t) => {
  // pre-commit clones the repository, runs npm install there (the dev dependencies, then the
  // postinstall that builds dist/ in such a clone), packs it and installs the tarball: minutes.
  ensurePreCommit();
  const head = run('git', ['rev-parse', 'HEAD'], REPO_ROOT);
  assert.equal(head.status, 0, output(head));
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-pre-commit-repo-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  const repository = join(scratch, 'repo');
  mkdirSync(repository);
  const env = { ...process.env, PRE_COMMIT_HOME: join(scratch, 'pre-commit-home') };
  assert.equal(run('git', ['init', '-q'], repository, env).status, 0);
  writeFileSync(join(repository, '.pre-commit-config.yaml'), ['repos:', `- repo: ${JSON.stringify(REPO_ROOT)}`, `  rev: ${head.stdout.trim()}`, '  hooks:', '  - id: faultline-sql-python', ''].join('\n'));
  writeFileSync(join(repository, 'report.sql'), EQUALS_NULL);
  writeFileSync(join(repository, 'load.py'), 'rows = 1\n');
  assert.equal(run('git', ['add', '.'], repository, env).status, 0);
  const checked = run(PRE_COMMIT, ['run', '--all-files'], repository, env);
  assert.equal(checked.status, 1, output(checked));
  assert.match(output(checked), /faultline \(SQL and Python\)\.+Failed/);
  assert.match(output(checked), /report\.sql\n\s+1:35\s+error\s+equals-null/);
});
