/**
 * End-to-end tests of the `faultline` CLI: each test builds a small project in the OS temp folder
 * and runs the built bundle, `node dist/cli.js ...`, in it, as a user or a CI job would, then
 * checks the output and the exit code. Run `npm run build` first; a missing bundle fails the test
 * rather than skipping it.
 *
 * Rules other than timezone-naive-date-bucket may still be stubs, or may later flag the same
 * queries, so assertions about exact counts narrow the run with --rules.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RULES } from '../rules/index';

// Compiled to out/test/cli.test.js, so the repo root is two folders up.
const REPO_ROOT = join(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

const TIMEZONE_RULE = 'timezone-naive-date-bucket';
const DAU_QUERY = "SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time)\n";
const CLEAN_QUERY = 'SELECT 1 AS one;\n';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string): CliRun {
  assert.ok(existsSync(CLI), `${CLI} not found: run \`npm run build\` first.`);
  const env = { ...process.env };
  delete env['NO_COLOR'];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Creates a temp project holding `files` (path → contents); removed when the test ends. */
/**
 * The daily-active-users query's two rules are info by default (their measured precision on real
 * code is below 80%, #13); these tests are about the CLI, so the project turns them up to warning,
 * as a team that wants them does. A test that writes its own root config replaces this one.
 */
const TEAM_CONFIG: Record<string, string> = { '.faultline.json': '{ "rules": { "timezone-naive-date-bucket": "warning", "full-history-scan": "warning" } }\n' };

function makeProject(t: { after(callback: () => void): void }, files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, contents] of Object.entries({ ...TEAM_CONFIG, ...files })) {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, contents);
  }
  return root;
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  note: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  docsUrl: string;
  fixes: { title: string; safety: string; edits: { range: { start: number; end: number }; newText: string; startLine: number; startColumn: number; endLine: number; endColumn: number }[] }[];
}

interface JsonReport {
  version: string;
  files: { path: string; findings: JsonFinding[] }[];
  skipped: { path: string; reason: string }[];
  summary: { files: number; findings: number; bySeverity: Record<string, number>; skipped: number };
}

function parseJsonReport(run: CliRun): JsonReport {
  assert.equal(run.stderr, '', `unexpected stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as JsonReport;
}

function findingsOf(report: JsonReport, path: string): JsonFinding[] {
  const file = report.files.find((candidate) => candidate.path === path);
  assert.ok(file !== undefined, `${path} is not in the report; files: ${report.files.map((candidate) => candidate.path).join(', ')}`);
  return file.findings;
}

test('audit prints a stylish text report and exits 1 on the daily-active-users query', (t) => {
  const root = makeProject(t, { 'queries/dau.sql': DAU_QUERY, 'queries/clean.sql': CLEAN_QUERY });
  const run = runCli(['audit'], root);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /^queries\/dau\.sql$/m);
  assert.match(run.stdout, /^ {2}1:8 +warning +timezone-naive-date-bucket +`DATE\(login_time\)`.*$/m);
  assert.doesNotMatch(run.stdout, /clean\.sql/, 'files without findings are not listed');
  assert.match(run.stdout, /✖ \d+ problems? \(\d+ errors?, \d+ warnings?, \d+ info, \d+ hints?\)/);
  assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colours when stdout is not a terminal');

  const narrowed = runCli(['audit', '--rules', TIMEZONE_RULE], root);
  assert.equal(narrowed.status, 1);
  assert.match(narrowed.stdout, /✖ 1 problem \(0 errors, 1 warning, 0 info, 0 hints\)\n$/);
});

test('audit exits 0 on a clean file', (t) => {
  const root = makeProject(t, { 'clean.sql': CLEAN_QUERY });
  const run = runCli(['audit', '.'], root);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /No problems found \(1 file checked\)/);
});

test('--severity sets the threshold for the exit code', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY });
  assert.equal(runCli(['audit', '--rules', TIMEZONE_RULE], root).status, 1);
  assert.equal(runCli(['audit', '--rules', TIMEZONE_RULE, '--severity', 'error'], root).status, 0);
  assert.equal(runCli(['audit', '--rules', TIMEZONE_RULE, '--severity=info'], root).status, 1);

  writeFileSync(join(root, '.faultline.json'), '{ "rules": { "timezone-naive-date-bucket": "error" } }');
  assert.equal(runCli(['audit', '--rules', TIMEZONE_RULE, '--severity', 'error'], root).status, 1, 'the config raised the rule to error');
});

test('info findings never fail the default run, and --quiet hides findings below the threshold', (t) => {
  const root = makeProject(t, { '.faultline.json': '{ "rules": { "timezone-naive-date-bucket": "info" } }', 'dau.sql': DAU_QUERY });
  const loud = runCli(['audit', '--rules', TIMEZONE_RULE], root);
  assert.equal(loud.status, 0);
  assert.match(loud.stdout, /1:8 +info +.*timezone-naive-date-bucket/);
  assert.match(loud.stdout, /✖ 1 problem \(0 errors, 0 warnings, 1 info, 0 hints\)/);

  const quiet = runCli(['audit', '--rules', TIMEZONE_RULE, '--quiet'], root);
  assert.equal(quiet.status, 0);
  assert.doesNotMatch(quiet.stdout, /timezone-naive-date-bucket/);
});

test('--verbose prints why each finding bites', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY });
  const note = RULES.find((rule) => rule.meta.id === TIMEZONE_RULE)?.meta.why ?? '';
  assert.notEqual(note, '');
  assert.ok(!runCli(['audit', '--rules', TIMEZONE_RULE], root).stdout.includes(note));
  assert.ok(runCli(['audit', '--rules', TIMEZONE_RULE, '--verbose'], root).stdout.includes(note));
});

test('--verbose says which .faultline.json applied to how many files', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY, 'team/a.sql': CLEAN_QUERY, 'team/b.sql': CLEAN_QUERY, 'team/.faultline.json': '{ "sqlDialect": "mysql" }\n' });
  // Without the team config this scaffolding adds, so the file outside team/ has no config at all.
  rmSync(join(root, '.faultline.json'));
  const verbose = runCli(['audit', '--verbose'], root);
  assert.match(verbose.stderr, /^faultline: no \.faultline\.json: the defaults for 1 file$/m);
  assert.match(verbose.stderr, /^faultline: config team\/\.faultline\.json for 2 files$/m);
  assert.doesNotMatch(runCli(['audit'], root).stderr, /faultline: config/);
});

test('--format json has the documented structure, with 1-based positions and fixes', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY, 'clean.sql': CLEAN_QUERY });
  const run = runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE], root);
  assert.equal(run.status, 1);
  const report = parseJsonReport(run);
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(report.version, manifest.version);
  assert.deepEqual(report.files.map((file) => file.path), ['clean.sql', 'dau.sql']);
  assert.deepEqual(findingsOf(report, 'clean.sql'), []);

  const [finding, ...others] = findingsOf(report, 'dau.sql');
  assert.equal(others.length, 0);
  assert.ok(finding !== undefined);
  assert.equal(finding.ruleId, TIMEZONE_RULE);
  assert.equal(finding.severity, 'warning');
  assert.deepEqual([finding.line, finding.column, finding.endLine, finding.endColumn], [1, 8, 1, 24]);
  assert.match(finding.docsUrl, /^https:\/\/.*timezone-naive-date-bucket/);
  assert.notEqual(finding.note, '');
  const edit = finding.fixes[0]?.edits[0];
  assert.ok(edit !== undefined, 'the rule offers a fix');
  assert.deepEqual([edit.range.start, edit.range.end, edit.startLine, edit.startColumn, edit.endLine, edit.endColumn], [7, 23, 1, 8, 1, 24]);
  assert.deepEqual(report.summary, { files: 2, findings: 1, bySeverity: { error: 0, warning: 1, info: 0, hint: 0 }, skipped: 0 });
});

test('columns count UTF-16 code units and lines are 1-based', (t) => {
  const root = makeProject(t, { 'dau.sql': `-- 😀 emoji\n  ${DAU_QUERY}` });
  const [finding] = findingsOf(parseJsonReport(runCli(['audit', '-f', 'json', '--rules', TIMEZONE_RULE], root)), 'dau.sql');
  assert.deepEqual([finding?.line, finding?.column], [2, 10]);
});

test('--format sarif is SARIF 2.1.0 with rule metadata, regions and fixes', (t) => {
  const root = makeProject(t, { 'src/dau.sql': DAU_QUERY });
  const run = runCli(['audit', '--format', 'sarif', '--rules', TIMEZONE_RULE], root);
  assert.equal(run.status, 1);
  interface SarifRegion {
    startLine: number;
    startColumn: number;
    endLine: number;
    endColumn: number;
  }
  const log = JSON.parse(run.stdout) as {
    $schema: string;
    version: string;
    runs: {
      tool: { driver: { name: string; version: string; rules: { id: string; name: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri: string; defaultConfiguration: { level: string } }[] } };
      originalUriBaseIds: Record<string, { uri: string }>;
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        message: { text: string };
        locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: SarifRegion } }[];
        fixes?: { artifactChanges: { replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[] }[];
      }[];
    }[];
  };
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.runs.length, 1);
  const [sarifRun] = log.runs;
  assert.ok(sarifRun !== undefined);
  const { driver } = sarifRun.tool;
  assert.equal(driver.name, 'Faultline');
  assert.deepEqual(driver.rules.map((rule) => rule.id), RULES.map((rule) => rule.meta.id));
  for (const rule of driver.rules) assert.match(rule.helpUri, new RegExp(`^https://.*/${rule.id}/docs\\.md$`));
  const descriptor = driver.rules.find((rule) => rule.id === TIMEZONE_RULE);
  assert.equal(descriptor?.name, 'TimezoneNaiveDateBucket');
  // The rule's default (info: below 80% measured precision, #13) is what SARIF describes; the
  // project's config raised it, which the result's level shows.
  assert.equal(descriptor?.defaultConfiguration.level, 'note');
  assert.notEqual(descriptor?.shortDescription.text, '');
  assert.match(sarifRun.originalUriBaseIds['%SRCROOT%']?.uri ?? '', /^file:\/\/.*\/$/);

  assert.equal(sarifRun.results.length, 1);
  const [result] = sarifRun.results;
  assert.ok(result !== undefined);
  assert.equal(result.ruleId, TIMEZONE_RULE);
  assert.equal(driver.rules[result.ruleIndex]?.id, TIMEZONE_RULE);
  assert.equal(result.level, 'warning');
  const location = result.locations[0]?.physicalLocation;
  assert.deepEqual(location?.artifactLocation, { uri: 'src/dau.sql', uriBaseId: '%SRCROOT%' });
  assert.deepEqual(location?.region, { startLine: 1, startColumn: 8, endLine: 1, endColumn: 24 });
  // SARIF carries safe fixes only; the time-zone fix on a column of unknown type is unsafe.
  assert.equal(result.fixes, undefined);
  const withSafeFix = makeProject(t, { 'src/soft-delete.sql': 'SELECT id FROM users WHERE deleted_at = NULL;\n' });
  const safeLog = JSON.parse(runCli(['audit', '--format', 'sarif', '--rules', 'equals-null'], withSafeFix).stdout) as typeof log;
  const replacement = safeLog.runs[0]?.results[0]?.fixes?.[0]?.artifactChanges[0]?.replacements[0];
  assert.deepEqual(replacement?.deletedRegion, { startLine: 1, startColumn: 39, endLine: 1, endColumn: 45 });
  assert.equal(replacement?.insertedContent.text, 'IS NULL');
});

test('--rules runs only the named rules and rejects unknown ids', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY });
  const report = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', 'select-star,order-by-random'], root));
  assert.deepEqual(findingsOf(report, 'dau.sql').filter((finding) => finding.ruleId !== 'select-star' && finding.ruleId !== 'order-by-random'), []);

  const unknown = runCli(['audit', '--rules', 'timezone-naive-date-bucket,no-such-rule'], root);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown rule id 'no-such-rule'/);
  assert.equal(unknown.stdout, '');
});

test('usage errors exit 2: unknown flag, unknown command, missing path, bad values', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY });
  const cases: [string[], RegExp][] = [
    [['audit', '--frobnicate'], /unknown option '--frobnicate'/],
    [['lint'], /unknown command 'lint'/],
    [[], /no command given/],
    [['audit', 'missing-folder'], /no such file or folder: missing-folder/],
    [['audit', '--format', 'xml'], /--format must be one of text, json, sarif/],
    [['audit', '--severity', 'fatal'], /--severity must be one of/],
    [['audit', '--max-file-size-kb', 'lots'], /--max-file-size-kb must be a positive number/],
    [['explain'], /'explain' takes exactly one rule id/],
  ];
  for (const [args, message] of cases) {
    const run = runCli(args, root);
    assert.equal(run.status, 2, `faultline ${args.join(' ')}`);
    assert.match(run.stderr, message, `faultline ${args.join(' ')}`);
  }
});

test('--output writes the report to a file', (t) => {
  const root = makeProject(t, { 'dau.sql': DAU_QUERY });
  const run = runCli(['audit', '--format', 'json', '--output', 'report.json', '--rules', TIMEZONE_RULE], root);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as JsonReport;
  assert.equal(findingsOf(report, 'dau.sql')[0]?.ruleId, TIMEZONE_RULE);
});

test('a broken .faultline.json is reported on the config file, fails the run, and the other files use the defaults', (t) => {
  const root = makeProject(t, {
    '.faultline.json': '{ "rules": { "timezone-naive-date-bucket": "off" ',
    'dau.sql': DAU_QUERY,
  });
  const run = runCli(['audit', '--format', 'json', '--severity', 'error'], root);
  assert.equal(run.status, 1, 'config problems are errors even at --severity error');
  const report = parseJsonReport(run);
  const configFindings = findingsOf(report, '.faultline.json');
  assert.ok(configFindings.length > 0);
  assert.ok(configFindings.every((finding) => finding.ruleId === 'config' && finding.severity === 'error'));
  assert.match(configFindings[0]?.message ?? '', /Invalid JSON/);
  assert.ok(findingsOf(report, 'dau.sql').some((finding) => finding.ruleId === TIMEZONE_RULE), 'the broken "off" did not take effect');

  const text = runCli(['audit', '--rules', TIMEZONE_RULE], root);
  assert.match(text.stdout, /^\.faultline\.json\n {2}\d+:\d+ +error +config +Invalid JSON.*$/m);
});

test('a config problem is reported once however many files the config covers', (t) => {
  const root = makeProject(t, { '.faultline.json': '{ "rules": { "no-such-rule": "error" } }', 'a.sql': CLEAN_QUERY, 'b.sql': CLEAN_QUERY });
  const report = parseJsonReport(runCli(['audit', '--format', 'json'], root));
  assert.deepEqual(report.files.map((file) => file.path), ['.faultline.json', 'a.sql', 'b.sql']);
  const configFindings = findingsOf(report, '.faultline.json');
  assert.equal(configFindings.length, 1);
  assert.equal(report.summary.findings, 1);
  assert.deepEqual([configFindings[0]?.line, configFindings[0]?.column], [1, 14]);
});

test("files covered by the config's ignore globs are not linted", (t) => {
  const root = makeProject(t, { '.faultline.json': '{ "ignore": ["generated/**", "legacy.sql"] }', 'generated/dau.sql': DAU_QUERY, 'legacy.sql': DAU_QUERY, 'dau.sql': DAU_QUERY });
  const report = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE], root));
  assert.deepEqual(report.files.map((file) => file.path), ['dau.sql']);
  assert.equal(report.summary.files, 1);
});

test('in a monorepo the nearest config wins', (t) => {
  const root = makeProject(t, {
    '.faultline.json': '{ "rules": { "timezone-naive-date-bucket": "off" } }',
    'dau.sql': DAU_QUERY,
    'packages/billing/.faultline.json': '{ "reportingTimeZone": "Europe/Berlin", "rules": { "timezone-naive-date-bucket": "error" } }',
    'packages/billing/queries/dau.sql': DAU_QUERY,
    'packages/search/dau.sql': DAU_QUERY,
  });
  const report = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE], root));
  assert.deepEqual(findingsOf(report, 'dau.sql'), []);
  assert.deepEqual(findingsOf(report, 'packages/search/dau.sql'), [], 'inherits the root config');
  const [billing] = findingsOf(report, 'packages/billing/queries/dau.sql');
  assert.equal(billing?.severity, 'error');
  assert.match(billing?.message ?? '', /Europe\/Berlin/);
});

test('.gitignore is honoured, and only .git and node_modules are skipped by default', (t) => {
  const root = makeProject(t, {
    '.gitignore': 'generated/\n',
    'generated/dau.sql': DAU_QUERY,
    'node_modules/lib/dau.sql': DAU_QUERY,
    'dist/dau.sql': DAU_QUERY,
    'src/dau.sql': DAU_QUERY,
  });
  const report = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE], root));
  assert.deepEqual(report.files.map((file) => file.path), ['dist/dau.sql', 'src/dau.sql']);

  const explicit = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE, 'generated/dau.sql'], root));
  assert.deepEqual(explicit.files.map((file) => file.path), ['generated/dau.sql'], 'a file named on the command line is always checked');
});

test('binary and oversized files are skipped without a crash', (t) => {
  const root = makeProject(t, { 'blob.sql': Buffer.from([0x53, 0x45, 0x4c, 0x00, 0x01, 0x02]), 'huge.sql': `${DAU_QUERY}${'-- padding\n'.repeat(200)}`, 'clean.sql': CLEAN_QUERY });
  const run = runCli(['audit', '--format', 'json', '--max-file-size-kb', '1'], root);
  assert.equal(run.status, 0);
  const report = parseJsonReport(run);
  assert.deepEqual(report.files.map((file) => file.path), ['clean.sql']);
  assert.deepEqual(report.skipped.map((entry) => entry.path), ['blob.sql', 'huge.sql']);
  assert.match(report.skipped[0]?.reason ?? '', /binary/);
  assert.equal(report.summary.skipped, 2);

  const text = runCli(['audit', '--verbose', '--max-file-size-kb', '1'], root);
  assert.match(text.stdout, /blob\.sql: binary file/);
});

test('embedded SQL in TypeScript is found and reported at its place in the host file', (t) => {
  const source = `import { sql } from './db';\n\nexport const dau = sql\`${DAU_QUERY.trim()}\`;\n`;
  const root = makeProject(t, { 'src/metrics.ts': source });
  const report = parseJsonReport(runCli(['audit', '--format', 'json', '--rules', TIMEZONE_RULE], root));
  const [finding] = findingsOf(report, 'src/metrics.ts');
  const hostLine = source.split('\n')[2] ?? '';
  assert.equal(finding?.line, 3);
  assert.equal(finding?.column, hostLine.indexOf('DATE(login_time)') + 1);
});

test('rules lists every rule; explain prints a rule\'s docs and rejects unknown ids', (t) => {
  const root = makeProject(t, {});
  const list = runCli(['rules'], root);
  assert.equal(list.status, 0);
  for (const rule of RULES) assert.match(list.stdout, new RegExp(`^${rule.meta.id} +${rule.meta.defaultSeverity} +${rule.meta.fix}\\b`, 'm'));

  const explain = runCli(['explain', TIMEZONE_RULE], root);
  assert.equal(explain.status, 0);
  const timezoneRule = RULES.find((rule) => rule.meta.id === TIMEZONE_RULE);
  const roles = `\nApplies to: ${timezoneRule?.meta.appliesTo.join(', ') ?? ''} code (file roles: \`faultline roles\`, docs/roles.md).\n`;
  assert.equal(explain.stdout, readFileSync(join(REPO_ROOT, 'rules', 'sql', TIMEZONE_RULE, 'docs.md'), 'utf8') + roles);

  const unknown = runCli(['explain', 'no-such-rule'], root);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown rule 'no-such-rule'/);
  const mistyped = runCli(['explain', 'select_star'], root);
  assert.equal(mistyped.status, 2);
  assert.match(mistyped.stderr, /did you mean 'select-star'\?/);
  // Names an object inherits are not finding ids.
  assert.equal(runCli(['explain', 'toString'], root).status, 2);
  // The ids of findings that are not rules (suppressions, config) are explained too.
  for (const id of ['invalid-suppression', 'unused-suppression', 'config']) {
    const other = runCli(['explain', id], root);
    assert.equal(other.status, 0, other.stderr);
    assert.match(other.stdout, new RegExp(`^${id} is not a rule of the catalogue: it reports .*docs/(suppressions|configuration)\\.md`));
  }
});

test('--version and --help', (t) => {
  const root = makeProject(t, {});
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.deepEqual(runCli(['--version'], root), { status: 0, stdout: `${manifest.version}\n`, stderr: '' });
  const help = runCli(['--help'], root);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: faultline <command>/);
  const auditHelp = runCli(['audit', '--help'], root);
  assert.equal(auditHelp.status, 0);
  assert.match(auditHelp.stdout, /Usage: faultline audit/);
  assert.equal(runCli(['help', 'explain'], root).stdout, runCli(['explain', '--help'], root).stdout);
});

test('the CLI bundle is ASCII, so the launcher may read it as latin1', () => {
  const bundle = readFileSync(join(REPO_ROOT, 'dist', 'faultline-cli.js'));
  const first = bundle.findIndex((byte) => byte > 0x7f);
  assert.equal(first, -1, `a non-ASCII byte at offset ${first}: keep esbuild's default charset (ascii), or read the bundle as utf8 in launcher.ts`);
});

test('the faultline command runs through a compile cache it writes once, and a bad or disabled cache changes nothing', (t) => {
  const root = makeProject(t, { 'daily.sql': DAU_QUERY });
  const temporary = mkdtempSync(join(tmpdir(), 'faultline-compile-'));
  t.after(() => rmSync(temporary, { recursive: true, force: true }));
  const cacheFolder = join(temporary, 'faultline-compile-cache');
  const run = (extra: Record<string, string> = {}): CliRun => {
    const result = spawnSync(process.execPath, [CLI, 'audit', '--no-cache', '--format', 'json'], { cwd: root, encoding: 'utf8', env: { ...process.env, TMPDIR: temporary, ...extra } });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const listCache = (): string[] => (existsSync(cacheFolder) ? readdirSync(cacheFolder) : []);

  const first = run();
  assert.equal(first.status, 1, first.stderr);
  const written = listCache();
  assert.equal(written.length, 1, 'the first run writes the cache');
  const cacheFile = join(cacheFolder, written[0] ?? '');
  const size = statSync(cacheFile).size;
  assert.ok(size > 100_000, `the cache holds compiled code (${size} bytes)`);

  const second = run();
  assert.deepEqual([second.status, second.stdout], [first.status, first.stdout]);
  assert.equal(statSync(cacheFile).size, size, 'a usable cache is not written again');

  // Garbage where the cache should be: V8 rejects it, the run is the same, and the cache is
  // rewritten; writing it removes other builds' caches not written for a week, and only those.
  writeFileSync(cacheFile, 'not a code cache');
  const stale = join(cacheFolder, 'stale-build.bin');
  const recent = join(cacheFolder, 'other-build.bin');
  writeFileSync(stale, 'old');
  writeFileSync(recent, 'new');
  const monthAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  utimesSync(stale, monthAgo, monthAgo);
  const rejected = run();
  assert.deepEqual([rejected.status, rejected.stdout, rejected.stderr], [first.status, first.stdout, first.stderr]);
  assert.ok(statSync(cacheFile).size > 100_000, 'a rejected cache is replaced');
  assert.deepEqual(listCache().sort(), [written[0], 'other-build.bin'].sort(), 'the stale cache is removed, the recent one kept');

  rmSync(cacheFolder, { recursive: true, force: true });
  const off = run({ FAULTLINE_COMPILE_CACHE: 'off' });
  assert.deepEqual([off.status, off.stdout], [first.status, first.stdout]);
  assert.deepEqual(listCache(), [], 'FAULTLINE_COMPILE_CACHE=off writes nothing');
});

test("an audit lowers the priority of V8's helper threads below the main thread's, on Linux", { skip: process.platform !== 'linux' }, () => {
  const module = join(REPO_ROOT, 'out', 'server', 'src', 'cli', 'helper-threads.js');
  const script = `
    const { readdirSync, readFileSync } = require('node:fs');
    require(${JSON.stringify(module)}).lowerHelperThreadPriority();
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
    const nice = (id) => Number(readFileSync('/proc/self/task/' + id + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
    console.log(JSON.stringify(readdirSync('/proc/self/task').map((id) => ({ main: Number(id) === process.pid, nice: nice(id) }))));`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const threads = JSON.parse(result.stdout) as { main: boolean; nice: number }[];
  const main = threads.find((thread) => thread.main);
  assert.ok(main !== undefined);
  const helpers = threads.filter((thread) => !thread.main);
  assert.ok(helpers.length >= 1, 'node runs V8 helper threads');
  for (const helper of helpers) assert.equal(helper.nice, Math.min(19, main.nice + 10));
});

test('roles lists each file with its role and why, in text and JSON; the config corrects a role (#13)', (t) => {
  const root = makeProject(t, {
    'src/orders.ts': "import { Pool } from 'pg';\n",
    'src/orders.test.ts': 'export {};\n',
    'db/migrations/0002_backfill.sql': "UPDATE users SET plan = 'free';\n",
    'ops/clear_stats.py': 'import psycopg2\n',
    '.faultline.json': '{ "roles": { "ops/**": "script" } }',
  });
  const json = runCli(['roles', '--format', 'json'], root);
  assert.equal(json.status, 0, json.stderr);
  const files = (JSON.parse(json.stdout) as { files: { path: string; role: string; source: string }[] }).files;
  assert.deepEqual(files.map(({ path, role, source }) => `${path} ${role} ${source}`), [
    'db/migrations/0002_backfill.sql migration path',
    'ops/clear_stats.py script config',
    'src/orders.test.ts test path',
    'src/orders.ts production default',
  ]);
  const text = runCli(['roles', 'db'], root);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^migration +db\/migrations\/0002_backfill\.sql {2}\(folder "migrations\/"\)$/m);
  assert.match(text.stdout, /^1 files: 1 migration\.$/m);
  const usage = runCli(['roles', '--format', 'sarif'], root);
  assert.equal(usage.status, 2);
});

test('roles also lists what turns a file\'s warnings into info: unused modules, retired jobs, serverless-only code (#13)', (t) => {
  const root = makeProject(t, {
    'package.json': '{ "name": "shop", "main": "src/index.ts" }',
    // Enough modules importing one another to be one program (findUnimported's threshold).
    ...Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`src/module${index}.ts`, `export const value${index} = ${index};\n`])),
    'src/index.ts': `${Array.from({ length: 12 }, (_, index) => `export { value${index} } from './module${index}';\n`).join('')}export { load } from './users';\n`,
    'src/users.ts': 'export const load = () => 1;\n',
    'src/legacy/profile.ts': "export const profile = (id: string) => fetch('https://api.example.com/' + id);\n",
    'lambdas/rates/main.py': 'import requests\nfrom lambdas.rates.client import fetch_rates\n\n\ndef lambda_handler(event, context):\n    return fetch_rates(event)\n',
    'lambdas/rates/client.py': "import requests\n\n\ndef fetch_rates(event):\n    return requests.get('https://example.com').json()\n",
    'dags/old_sync/metadata.yaml': 'deprecated: true\n',
    'dags/old_sync/sync.py': 'import requests\n',
  });
  const json = runCli(['roles', '--format', 'json'], root);
  assert.equal(json.status, 0, json.stderr);
  const files = (JSON.parse(json.stdout) as { files: { path: string; unimported?: true; retired?: string; serverlessEntry?: string }[] }).files;
  const facts = (path: string) => {
    const row = files.find((file) => file.path === path);
    assert.ok(row !== undefined, path);
    return { unimported: row.unimported, retired: row.retired, serverlessEntry: row.serverlessEntry };
  };
  assert.deepEqual(facts('src/legacy/profile.ts'), { unimported: true, retired: undefined, serverlessEntry: undefined });
  assert.deepEqual(facts('src/users.ts'), { unimported: undefined, retired: undefined, serverlessEntry: undefined });
  assert.deepEqual(facts('lambdas/rates/client.py'), { unimported: undefined, retired: undefined, serverlessEntry: 'lambdas/rates/main.py' });
  assert.deepEqual(facts('dags/old_sync/sync.py').retired, 'its metadata.yaml says deprecated: true');
  const text = runCli(['roles'], root);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^production +src\/legacy\/profile\.ts {2}\[nothing imports it: looks unused\]$/m);
  assert.match(text.stdout, /^production +lambdas\/rates\/client\.py {2}\[runs only in the serverless function lambdas\/rates\/main\.py\]$/m);
  assert.match(text.stdout, /dags\/old_sync\/sync\.py .*\[.*retired job: its metadata\.yaml says deprecated: true\]$/m);
  assert.match(text.stdout, /^production +lambdas\/rates\/main\.py {2}\[a serverless function's entry\]$/m);
  assert.match(text.stdout, /^Warnings shown as info in 2 files: 1 looks unused, 1 is part of a retired job\.$/m);
  assert.match(text.stdout, /^2 files run only in a serverless function/m);
});

test('roles and audit: a Python program nothing imports or starts is run by hand, its warnings shown at info (#13)', (t) => {
  const root = makeProject(t, {
    '.faultline.json': '{}',
    // A program whose modules import one another (the fact's threshold: ten imported modules).
    'shop/views.py': `${Array.from({ length: 12 }, (_, index) => `from shop.lib import m${index}\n`).join('')}`,
    ...Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`shop/lib/m${index}.py`, `def run_${index}():\n    return ${index}\n`])),
    'utils/sync_users.py': "import requests\n\n\ndef sync():\n    requests.post('http://localhost:8080/api/sync')\n\n\nif __name__ == '__main__':\n    sync()\n",
    'utils/nightly_report.py': "import requests\n\n\ndef report():\n    requests.get('https://reports.example.com/nightly')\n\n\nif __name__ == '__main__':\n    report()\n",
    'deploy/nightly.service': '[Service]\nExecStart=/usr/bin/python3 /srv/shop/utils/nightly_report.py\n',
  });
  const json = runCli(['roles', '--format', 'json'], root);
  assert.equal(json.status, 0, json.stderr);
  const files = (JSON.parse(json.stdout) as { files: { path: string; handRun?: true }[] }).files;
  assert.equal(files.find((file) => file.path === 'utils/sync_users.py')?.handRun, true);
  assert.equal(files.find((file) => file.path === 'utils/nightly_report.py')?.handRun, undefined);
  const text = runCli(['roles'], root);
  assert.match(text.stdout, /^production +utils\/sync_users\.py {2}\[a program nothing starts: run by hand\]$/m);
  assert.match(text.stdout, /^Warnings shown as info in 1 file: 1 is a program run by hand\.$/m);
  const audit = runCli(['audit', '.', '--format', 'json', '--severity', 'info'], root);
  const findings = (JSON.parse(audit.stdout) as { files: { path: string; findings: { ruleId: string; severity: string }[] }[] }).files;
  const severities = Object.fromEntries(findings.map((file) => [file.path, file.findings.map((finding) => `${finding.ruleId}:${finding.severity}`)]));
  assert.deepEqual(severities['utils/sync_users.py'], ['request-without-timeout:info']);
  assert.deepEqual(severities['utils/nightly_report.py'], ['request-without-timeout:warning']);
});
