/**
 * `faultline init`, usage errors and `faultline rules --format json` (issue #14), run as a user
 * runs them: the built CLI in a temp project. init reads the project's manifests to pick the SQL
 * dialect and says why; the config it writes must be one the audit accepts, and its `$schema`
 * one an editor finds without node_modules.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../rules/index';
import { CONFIG_SCHEMA_URL } from '../server/src/workspace/starter-config';
import { CLEAN_QUERY, makeProject, runCli, TIMEZONE_RULE, writeProjectFile } from './helpers/cli';
import { REPO_ROOT } from './helpers/paths';

interface WrittenConfig {
  $schema: string;
  sqlDialect: string;
  reportingTimeZone: string;
}

function readConfig(root: string): WrittenConfig {
  return JSON.parse(readFileSync(join(root, '.faultline.json'), 'utf8')) as WrittenConfig;
}

test('init detects the dialect from the project, says why, and writes a config the audit accepts', (t) => {
  const root = makeProject(t, {
    'package.json': JSON.stringify({ name: 'shop', dependencies: { knex: '^3', pg: '^8' } }),
    'src/orders.ts': 'export const x = 1;\n',
    'test/orders.test.ts': 'export const y = 2;\n',
    'ok.sql': CLEAN_QUERY,
  });
  const run = runCli(['init'], root);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /sqlDialect: postgresql \(package\.json dependencies has pg\)/);
  assert.match(run.stdout, /reportingTimeZone: UTC \(the default; set it to the zone/);
  assert.match(run.stdout, /Roles \(detected on every run, not written\): 3 files: 2 production, 1 test\./);
  assert.deepEqual(readConfig(root), { $schema: CONFIG_SCHEMA_URL, sqlDialect: 'postgresql', reportingTimeZone: 'UTC' });
  assert.deepEqual(runCli(['audit', '--format', 'json', '--quiet'], root).status, 0, 'the written config has no problem the audit would report');

  // Never replaced by accident; --force replaces it, and the flags override what was detected.
  writeProjectFile(root, '.faultline.json', '{ "sqlDialect": "mysql" }\n');
  const again = runCli(['init'], root);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /\.faultline\.json already exists here; `faultline init --force` replaces it/);
  assert.equal(readFileSync(join(root, '.faultline.json'), 'utf8'), '{ "sqlDialect": "mysql" }\n');
  const forced = runCli(['init', '--force', '--dialect', 'redshift', '--time-zone=Europe/Berlin'], root);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /sqlDialect: redshift \(from --dialect\)/);
  assert.deepEqual(readConfig(root), { $schema: CONFIG_SCHEMA_URL, sqlDialect: 'redshift', reportingTimeZone: 'Europe/Berlin' });
});

test('init reads npm, Python and dbt manifests', (t) => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ 'package.json': '{ "dependencies": { "mysql2": "^3" } }' }, 'mysql', /package\.json dependencies has mysql2/],
    [{ 'package.json': '{ "devDependencies": { "better-sqlite3": "^9" } }' }, 'sqlite', /devDependencies has better-sqlite3/],
    [{ 'package.json': '{ "dependencies": { "@google-cloud/bigquery": "^7" } }' }, 'bigquery', /has @google-cloud\/bigquery/],
    [{ 'package.json': '{ "dependencies": { "snowflake-sdk": "^1" } }' }, 'snowflake', /has snowflake-sdk/],
    [{ 'requirements.txt': '# db\nrequests==2.31\npsycopg2-binary>=2.9 ; python_version >= "3.8"\n' }, 'postgresql', /requirements\.txt requires psycopg2-binary/],
    [{ 'requirements-dev.txt': 'asyncpg\n' }, 'postgresql', /requirements-dev\.txt requires asyncpg/],
    [{ 'requirements.txt': 'PyMySQL[rsa]==1.1\n' }, 'mysql', /requires pymysql/],
    [{ 'pyproject.toml': '[project]\ndependencies = [\n  "google-cloud-bigquery>=3",\n]\n' }, 'bigquery', /pyproject\.toml requires google-cloud-bigquery/],
    [{ 'pyproject.toml': '[tool.poetry.dependencies]\nsnowflake-connector-python = "^3"\n' }, 'snowflake', /requires snowflake-connector-python/],
    [{ 'requirements.txt': 'dbt-redshift~=1.7\n' }, 'redshift', /requires dbt-redshift/],
    [{ 'dbt_project.yml': "name: shop\nprofile: 'shop'\n", 'profiles.yml': 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: x\n' }, 'snowflake', /profiles\.yml has a dbt target of type snowflake \(dbt_project\.yml uses profile shop\)/],
    [{ 'README.md': '# no database here\n' }, 'postgresql', /the default: no database client or dbt adapter found/],
    [{ 'dbt_project.yml': 'name: shop\nprofile: shop\n' }, 'postgresql', /a dbt project without its profiles\.yml here: `faultline init --force --dialect <your warehouse>`/],
  ];
  for (const [files, dialect, reason] of cases) {
    const root = makeProject(t, files);
    const run = runCli(['init'], root);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readConfig(root).sqlDialect, dialect, JSON.stringify(files));
    assert.match(run.stdout, reason, JSON.stringify(files));
  }
  // A project with two clients gets the first and is told about the other.
  const both = makeProject(t, { 'package.json': '{ "dependencies": { "pg": "^8" } }', 'requirements.txt': 'pymysql\n' });
  assert.match(runCli(['init'], both).stdout, /but also mysql: requirements\.txt requires pymysql; edit sqlDialect if that is the SQL you write/);
});

test('the config schema is found without node_modules: by the extension for .faultline.json, and by the URL init writes', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { jsonValidation: { fileMatch: string; url: string }[] } };
  const validation = manifest.contributes.jsonValidation.find((entry) => entry.fileMatch === '.faultline.json');
  assert.equal(validation?.url, './schemas/faultline.schema.json');
  assert.equal(CONFIG_SCHEMA_URL, 'https://raw.githubusercontent.com/faultline/faultline/main/schemas/faultline.schema.json');
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'faultline.schema.json'), 'utf8')) as { properties: Record<string, { enum?: string[] }> };
  for (const key of ['$schema', 'sqlDialect', 'reportingTimeZone']) assert.ok(key in schema.properties, `the schema knows ${key}`);
  // No example tells people to point $schema into node_modules, which editors cannot always resolve.
  const docs = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((name) => join('docs', name))].filter((path) => path.endsWith('.md'));
  for (const path of docs) assert.doesNotMatch(readFileSync(join(REPO_ROOT, path), 'utf8'), /"\$schema":\s*"[^"]*node_modules/, path);
});

test('a usage error prints the error and one line pointing to --help, with "did you mean"', (t) => {
  const root = makeProject(t, { 'ok.sql': CLEAN_QUERY });
  const cases: [string[], string][] = [
    [['audit', '--formt', 'json'], "faultline: unknown option '--formt' for 'audit'. Did you mean '--format'?\nRun 'faultline audit --help' for usage.\n"],
    [['audit', '--format', 'sarfi'], "faultline: --format must be one of text, json, sarif, html, github, gitlab. Did you mean 'sarif'?\nRun 'faultline audit --help' for usage.\n"],
    [['audit', '--severity', 'erorr'], "faultline: --severity must be one of info, warning, error. Did you mean 'error'?\nRun 'faultline audit --help' for usage.\n"],
    [['audit', '--rules', 'select-str'], "faultline: unknown rule id 'select-str' in --rules (see `faultline rules`). Did you mean 'select-star'?\nRun 'faultline audit --help' for usage.\n"],
    [['audti'], "faultline: unknown command 'audti'. Did you mean 'audit'?\nRun 'faultline --help' for usage.\n"],
    [['lint', '.'], "faultline: unknown command 'lint'. Did you mean 'audit'?\nRun 'faultline --help' for usage.\n"],
    [['--verison'], "faultline: unknown option '--verison'. Did you mean '--version'?\nRun 'faultline --help' for usage.\n"],
    [['init', '--dialect', 'postgres'], "faultline: --dialect must be one of postgresql, mysql, mariadb, bigquery, snowflake, sqlite, transactsql, redshift, got 'postgres'. Did you mean 'postgresql'?\nRun 'faultline init --help' for usage.\n"],
    [['rules', '--format', 'jsno'], "faultline: 'rules --format' takes text or json, got 'jsno'. Did you mean 'json'?\nRun 'faultline rules --help' for usage.\n"],
    [['audit', '--frobnicate'], "faultline: unknown option '--frobnicate' for 'audit'.\nRun 'faultline audit --help' for usage.\n"],
  ];
  for (const [args, stderr] of cases) assert.deepEqual(runCli(args, root), { status: 2, stdout: '', stderr }, `faultline ${args.join(' ')}`);
  const several = runCli(['audit', '--rules', 'select-str,unbounded-selct'], root);
  assert.match(several.stderr, /Did you mean 'select-star' for 'select-str'\? Did you mean 'unbounded-select' for 'unbounded-selct'\?/);
});

test('rules --format json lists every rule for scripts', (t) => {
  const root = makeProject(t, {});
  const run = runCli(['rules', '--format', 'json'], root);
  assert.equal(run.status, 0, run.stderr);
  const { rules } = JSON.parse(run.stdout) as { rules: { id: string; defaultSeverity: string; roles: string[]; description: string; docsPath: string; docsUrl: string; fix: string; fixable: boolean }[] };
  assert.deepEqual(rules.map((rule) => rule.id), RULES.map((rule) => rule.meta.id));
  const timezone = rules.find((rule) => rule.id === TIMEZONE_RULE);
  const meta = RULES.find((rule) => rule.meta.id === TIMEZONE_RULE)?.meta;
  assert.ok(timezone !== undefined && meta !== undefined);
  assert.deepEqual(timezone, {
    id: TIMEZONE_RULE,
    defaultSeverity: meta.defaultSeverity,
    roles: [...meta.appliesTo],
    description: meta.summary,
    docsPath: `rules/sql/${TIMEZONE_RULE}/docs.md`,
    docsUrl: `https://github.com/faultline/faultline/blob/main/rules/sql/${TIMEZONE_RULE}/docs.md`,
    fix: meta.fix,
    fixable: meta.fix !== 'none',
  });
  for (const rule of rules) readFileSync(join(REPO_ROOT, rule.docsPath), 'utf8');
  assert.equal(runCli(['rules'], root).stdout.split('\n')[0]?.startsWith('RULE'), true, 'text stays the default');
});
