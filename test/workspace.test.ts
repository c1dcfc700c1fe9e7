/**
 * Tests of the shared workspace modules (server/src/workspace/): finding and caching the nearest
 * `.faultline.json` with its last-good fallback, collecting the files an audit reads (.gitignore
 * at every level, symlinks, size limits), reading source files, and linting one file with its
 * config. Each test builds a small tree in the OS temp folder.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createConfigResolver, readConfigFileFromDisk } from '../server/src/workspace/config-resolver';
import { collectFiles, readSourceFile } from '../server/src/workspace/files';
import { lintFile, projectPathOf, todayIso } from '../server/src/workspace/lint-file';

const DAU_QUERY = "SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time)\n";
const TIMEZONE_RULE = 'timezone-naive-date-bucket';
const UNLIMITED = { maxFileSizeBytes: 10 * 1024 * 1024 };

/** Creates a temp folder holding `files` (path → contents) and returns its path. */
function makeTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-workspace-'));
  for (const [path, contents] of Object.entries(files)) {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, contents);
  }
  return root;
}

/** Relative, `/`-separated forms of collected paths, so expectations read like the tree. */
function relativeTo(root: string, paths: string[]): string[] {
  return paths.map((path) => path.slice(root.length + 1).split('\\').join('/'));
}

test('the nearest .faultline.json wins, and a folder without one gets the defaults', (t) => {
  const root = makeTree({
    'app/.faultline.json': '{ "sqlDialect": "mysql" }',
    'app/packages/web/.faultline.json': '{ "sqlDialect": "bigquery" }',
    'app/packages/web/src/query.sql': DAU_QUERY,
    'app/packages/api/query.sql': DAU_QUERY,
    'elsewhere/query.sql': DAU_QUERY,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const resolver = createConfigResolver();

  const web = resolver.resolve(join(root, 'app/packages/web/src/query.sql'));
  assert.equal(web.configPath, join(root, 'app/packages/web/.faultline.json'));
  assert.equal(web.configDirectory, join(root, 'app/packages/web'));
  assert.equal(web.config.sqlDialect, 'bigquery');

  const api = resolver.resolve(join(root, 'app/packages/api/query.sql'));
  assert.equal(api.configPath, join(root, 'app/.faultline.json'));
  assert.equal(api.config.sqlDialect, 'mysql');

  const elsewhere = resolver.resolve(join(root, 'elsewhere/query.sql'));
  assert.equal(elsewhere.configPath, null);
  assert.equal(elsewhere.config.sqlDialect, 'postgresql');
  assert.deepEqual(elsewhere.problems, []);
});

test('the search walks up to the filesystem root and stops there', () => {
  const asked: string[] = [];
  const resolver = createConfigResolver((path) => {
    asked.push(path);
    return undefined;
  });
  const resolved = resolver.resolve(join(tmpdir(), 'a', 'b', 'query.sql'));
  assert.equal(resolved.configPath, null);
  const last = asked[asked.length - 1] ?? '';
  assert.equal(dirname(last), dirname(dirname(last)), `the last folder searched, ${dirname(last)}, should be a filesystem root`);
  assert.equal(new Set(asked).size, asked.length, 'no folder is searched twice');
});

test('results are cached per folder and per config until invalidated', () => {
  const reads = new Map<string, number>();
  let text = '{ "sqlDialect": "mysql" }';
  const configPath = join(tmpdir(), 'cached-project', '.faultline.json');
  const resolver = createConfigResolver((path) => {
    reads.set(path, (reads.get(path) ?? 0) + 1);
    return path === configPath ? text : undefined;
  });
  const file = join(tmpdir(), 'cached-project', 'src', 'query.sql');
  assert.equal(resolver.resolve(file).config.sqlDialect, 'mysql');
  assert.equal(resolver.resolve(file).config.sqlDialect, 'mysql');
  assert.equal(resolver.resolve(join(tmpdir(), 'cached-project', 'src', 'other.sql')).config.sqlDialect, 'mysql');
  assert.equal(reads.get(configPath), 1, 'the config is read once for all files under it');

  text = '{ "sqlDialect": "sqlite" }';
  assert.equal(resolver.resolve(file).config.sqlDialect, 'mysql', 'a cached result stays until invalidated');
  resolver.invalidate(configPath);
  assert.equal(resolver.resolve(file).config.sqlDialect, 'sqlite');
  assert.equal(reads.get(configPath), 2);
});

test('a broken config falls back to its last good version, then to the defaults, and reports problems', () => {
  const configPath = join(tmpdir(), 'fallback-project', '.faultline.json');
  let text = '{ "sqlDialect": "mysql", "rules": { "timezone-naive-date-bucket": "error" } }';
  const resolver = createConfigResolver((path) => (path === configPath ? text : undefined));
  const file = join(tmpdir(), 'fallback-project', 'query.sql');

  const good = resolver.resolve(file);
  assert.equal(good.usingFallback, false);
  assert.equal(good.config.sqlDialect, 'mysql');

  text = '{ "sqlDialect": "mysql", "rules": { "timezone-naive-date-bucket": "eror" } }';
  resolver.invalidate(configPath);
  const broken = resolver.resolve(file);
  assert.equal(broken.usingFallback, true);
  assert.equal(broken.configPath, configPath);
  assert.ok(broken.problems.some((problem) => problem.severity === 'error'));
  assert.deepEqual(broken.config, good.config, 'the last good config stays in effect');

  // A fresh resolver has never seen a good version of the file, so the defaults apply.
  const fresh = createConfigResolver((path) => (path === configPath ? text : undefined)).resolve(file);
  assert.equal(fresh.usingFallback, true);
  assert.equal(fresh.config.sqlDialect, 'postgresql');
  assert.deepEqual(fresh.config.rules, {});
});

test('a config file that cannot be read is a problem, not an exception', () => {
  const configPath = join(tmpdir(), 'unreadable-project', '.faultline.json');
  const resolver = createConfigResolver((path) => {
    if (path === configPath) throw new Error('EACCES: permission denied');
    return undefined;
  });
  const resolved = resolver.resolve(join(tmpdir(), 'unreadable-project', 'query.sql'));
  assert.equal(resolved.configPath, configPath);
  assert.equal(resolved.usingFallback, true);
  assert.match(resolved.problems[0]?.message ?? '', /could not be read: EACCES/);
});

test('the default reader treats a missing file as absent and a folder named .faultline.json as unreadable', (t) => {
  const root = makeTree({ 'placeholder.txt': '' });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(readConfigFileFromDisk(join(root, '.faultline.json')), undefined);
  mkdirSync(join(root, 'nested', '.faultline.json'), { recursive: true });
  const resolved = createConfigResolver().resolve(join(root, 'nested', 'query.sql'));
  assert.equal(resolved.configPath, join(root, 'nested', '.faultline.json'));
  assert.equal(resolved.problems.length, 1);
});

test("a file's project path: from the repository, else the config's folder, else the nearest manifest", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-project-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('examples/shop/test/a.ts', '');
  write('examples/shop/..data/a.ts', '');
  const pathOf = (path: string): string => projectPathOf(join(root, path), createConfigResolver().resolve(join(root, path)));
  assert.equal(pathOf('examples/shop/test/a.ts'), join(root, 'examples/shop/test/a.ts'), 'no root: the path stays absolute');
  write('examples/shop/package.json', '{}');
  assert.equal(pathOf('examples/shop/test/a.ts'), join('test', 'a.ts'));
  assert.equal(pathOf('examples/shop/..data/a.ts'), join('..data', 'a.ts'), 'a folder whose name begins with .. is inside');
  write('examples/.faultline.json', '{}');
  assert.equal(pathOf('examples/shop/test/a.ts'), join('shop', 'test', 'a.ts'), 'a config outranks a manifest');
  mkdirSync(join(root, '.git'));
  assert.equal(pathOf('examples/shop/test/a.ts'), join('examples', 'shop', 'test', 'a.ts'), 'a repository outranks both');
});

test('collectFiles honours .gitignore at every level, with negation, relative to each file', (t) => {
  const root = makeTree({
    '.gitignore': 'dist/\n*.generated.sql\n',
    'dist/bundle.js': 'x',
    'build/keep.sql': 'SELECT 1;',
    'src/a.sql': 'SELECT 1;',
    'src/b.generated.sql': 'SELECT 1;',
    'src/.gitignore': 'local/\n!c.generated.sql\n',
    'src/c.generated.sql': 'SELECT 1;',
    'src/local/d.sql': 'SELECT 1;',
    'local/e.sql': 'SELECT 1;',
    'node_modules/pkg/index.js': 'x',
    'src/node_modules/pkg/index.js': 'x',
    '.git/hooks/pre-commit.js': 'x',
    'README.md': '# not code',
    'types.d.ts': 'export {};',
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const collected = collectFiles([root], UNLIMITED);
  assert.deepEqual(relativeTo(root, collected.files), ['build/keep.sql', 'local/e.sql', 'src/a.sql', 'src/c.generated.sql']);
  assert.equal(collected.cancelled, false);
});

test('collectFiles reads .gitignore files above the starting folder up to the repository root', (t) => {
  const root = makeTree({ '.git/HEAD': 'ref: refs/heads/main\n', '.gitignore': 'generated/\n', 'app/generated/x.sql': 'SELECT 1;', 'app/y.sql': 'SELECT 1;' });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(relativeTo(root, collectFiles([join(root, 'app')], UNLIMITED).files), ['app/y.sql']);
});

test('explicit files are included even when ignored; sizes, extra ignores and duplicates are handled', (t) => {
  const root = makeTree({
    '.gitignore': 'ignored.sql\n',
    'ignored.sql': 'SELECT 1;',
    'big.sql': 'x'.repeat(5000),
    'small.sql': 'SELECT 1;',
    'vendor/v.sql': 'SELECT 1;',
    'notes.txt': 'hello',
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const collected = collectFiles([root, join(root, 'ignored.sql'), join(root, 'small.sql'), join(root, 'notes.txt')], { maxFileSizeBytes: 4096, extraIgnores: ['vendor/'] });
  assert.deepEqual(relativeTo(root, collected.files), ['ignored.sql', 'small.sql']);
  // A named file of a kind not read is listed as skipped, with why, never dropped silently (#14).
  assert.deepEqual(relativeTo(root, collected.skipped.map((entry) => entry.path)), ['big.sql', 'notes.txt']);
  assert.match(collected.skipped[0]?.reason ?? '', /larger than 4 KB/);
  assert.match(collected.skipped[1]?.reason ?? '', /not a kind of file Faultline reads/);
  assert.equal(collected.skipped[1]?.named, true);
});

test('collectFiles does not follow symlinked folders, so a link cycle ends', { skip: process.platform === 'win32' ? 'symlinks need privileges on Windows' : false }, (t) => {
  const root = makeTree({ 'src/a.sql': 'SELECT 1;', 'elsewhere/b.sql': 'SELECT 1;' });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync(root, join(root, 'src', 'loop'), 'dir');
  symlinkSync(join(root, 'elsewhere'), join(root, 'src', 'linked'), 'dir');
  symlinkSync(join(root, 'elsewhere', 'b.sql'), join(root, 'src', 'b-link.sql'), 'file');
  const collected = collectFiles([join(root, 'src')], UNLIMITED);
  assert.deepEqual(relativeTo(root, collected.files), ['src/a.sql', 'src/b-link.sql']);
  assert.deepEqual(relativeTo(root, collected.skipped.map((entry) => entry.path)), ['src/linked', 'src/loop']);
});

test('collectFiles stops when cancelled', (t) => {
  const root = makeTree({ 'a.sql': 'SELECT 1;', 'b.sql': 'SELECT 1;', 'c.sql': 'SELECT 1;' });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  let checks = 0;
  const collected = collectFiles([root], { ...UNLIMITED, isCancelled: () => ++checks > 2 });
  assert.equal(collected.cancelled, true);
  assert.ok(collected.files.length < 3);
});

test('readSourceFile skips binary files and strips a byte order mark', (t) => {
  const root = makeTree({ 'binary.sql': Buffer.from([0x53, 0x45, 0x00, 0x4c]), 'bom.sql': '\ufeffSELECT 1;' });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(readSourceFile(join(root, 'binary.sql')), { skipped: 'binary file (contains a NUL byte)' });
  assert.deepEqual(readSourceFile(join(root, 'bom.sql')), { text: 'SELECT 1;' });
  assert.ok('skipped' in readSourceFile(join(root, 'missing.sql')));
});

test('lintFile applies the config: ignore globs relative to its folder, rule levels, and --rules', (t) => {
  const root = makeTree({
    'project/.faultline.json': '{ "ignore": ["legacy/**"], "rules": { "timezone-naive-date-bucket": "error" } }',
    'project/legacy/dau.sql': DAU_QUERY,
    'project/src/legacy/dau.sql': DAU_QUERY,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const resolver = createConfigResolver();
  const today = todayIso();

  const ignored = lintFile(join(root, 'project/legacy/dau.sql'), DAU_QUERY, resolver, { today });
  assert.equal(ignored.ignored, true);
  assert.deepEqual(ignored.result.findings, []);

  // `legacy/**` is anchored at the config's folder, so a deeper `legacy` is still linted.
  const linted = lintFile(join(root, 'project/src/legacy/dau.sql'), DAU_QUERY, resolver, { today });
  assert.equal(linted.ignored, false);
  const finding = linted.result.findings.find((candidate) => candidate.ruleId === TIMEZONE_RULE);
  assert.equal(finding?.severity, 'error');

  const narrowed = lintFile(join(root, 'project/src/legacy/dau.sql'), DAU_QUERY, resolver, { today, onlyRules: ['select-star'] });
  assert.deepEqual(narrowed.result.findings.filter((candidate) => candidate.ruleId !== 'select-star'), []);
});

test('todayIso is the local calendar date', () => {
  assert.equal(todayIso(new Date(2024, 0, 5, 23, 59)), '2024-01-05');
  assert.match(todayIso(), /^\d{4}-\d{2}-\d{2}$/);
});
