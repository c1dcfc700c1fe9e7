/**
 * The ESLint plugin as users run it: the built bundle (dist/eslint-plugin.js) loaded into the real
 * ESLint 9 (a dev dependency, so `npm ci` is all this needs), TypeScript files read with
 * @typescript-eslint/parser and JavaScript with ESLint's own parser. The plugin's findings must
 * equal the CLI's on the same files with the same `.faultline.json` (rule, start and end, line
 * and column); `--fix` must apply exactly the engine's safe fixes, and unsafe fixes must arrive as
 * suggestions that ESLint never applies on its own. Run `npm run build` first.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import * as tsParser from '@typescript-eslint/parser';
import { REPO_ROOT } from './helpers/paths';
import { RULES, SUPPRESSION_FINDINGS, applyEdits, docsUrlFor, languageOfPath, ruleTargets, type Finding, type Rule } from '../rules/index';
import { createConfigResolver } from '../server/src/workspace/config-resolver';
import { lintFile, todayIso } from '../server/src/workspace/lint-file';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const PLUGIN_PATH = join(REPO_ROOT, 'dist', 'eslint-plugin.js');

type FaultlinePlugin = ESLint.Plugin & { rules: NonNullable<ESLint.Plugin['rules']>; configs: Record<'recommended' | 'all', Linter.Config> };

function loadPlugin(): FaultlinePlugin {
  assert.ok(existsSync(PLUGIN_PATH), `${PLUGIN_PATH} not found: run \`npm run build\` first.`);
  // Through the package's own name and `exports`, as a user's eslint.config.js imports it.
  assert.equal(require.resolve('faultline/eslint-plugin'), PLUGIN_PATH);
  return require('faultline/eslint-plugin') as FaultlinePlugin;
}

const plugin = loadPlugin();

/** TypeScript needs a parser that reads it; JavaScript files keep ESLint's default one. */
const TYPESCRIPT_FILES: Linter.Config = { files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'], languageOptions: { parser: tsParser } };

function createEslint(cwd: string, config: Linter.Config, options: { fix?: boolean } = {}): ESLint {
  return new ESLint({ cwd, overrideConfigFile: true, overrideConfig: [TYPESCRIPT_FILES, config], fix: options.fix ?? false });
}

/** Only `ruleId` reporting, at error, as a user turning on one rule would write it. */
function onlyRule(ruleId: string): Linter.Config {
  return { plugins: { faultline: plugin }, rules: { [`faultline/${ruleId}`]: 'error' } };
}

/** A finding as both tools can print it: the rule and where it starts and ends (1-based lines and columns). */
function located(ruleId: string, line: number, column: number, endLine: number | undefined, endColumn: number | undefined): string {
  return `${ruleId} ${line}:${column}-${endLine ?? '?'}:${endColumn ?? '?'}`;
}

function posixRelative(from: string, path: string): string {
  return relative(from, path).split(sep).join('/');
}

async function eslintFindings(cwd: string, files: string[]): Promise<Map<string, string[]>> {
  const results = await createEslint(cwd, plugin.configs.all).lintFiles(files);
  const byFile = new Map<string, string[]>();
  for (const result of results) {
    // A message without a rule id is a parse error or a crash: it shows up in the comparison.
    const findings = result.messages.map((message) => located(message.ruleId?.replace(/^faultline\//, '') ?? `(no rule: ${message.message})`, message.line, message.column, message.endLine, message.endColumn));
    byFile.set(posixRelative(cwd, result.filePath), findings.sort());
  }
  return byFile;
}

interface CliJsonReport {
  files: { path: string; findings: { ruleId: string; line: number; column: number; endLine: number; endColumn: number }[] }[];
  skipped: unknown[];
  internalErrors: unknown[];
}

function cliFindings(cwd: string, files: string[]): Map<string, string[]> {
  assert.ok(existsSync(CLI), `${CLI} not found: run \`npm run build\` first.`);
  const run = spawnSync(process.execPath, [CLI, 'audit', '--format', 'json', '--no-cache', ...files], { cwd, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `the CLI exited with ${String(run.status)}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as CliJsonReport;
  assert.deepEqual(report.skipped, [], 'the CLI skipped files, which the comparison does not expect');
  assert.deepEqual(report.internalErrors, [], 'the CLI reported internal errors');
  return new Map(report.files.map((file) => [file.path, file.findings.map((finding) => located(finding.ruleId, finding.line, finding.column, finding.endLine, finding.endColumn)).sort()]));
}

async function assertSameFindings(cwd: string, files: string[]): Promise<number> {
  const fromEslint = await eslintFindings(cwd, files);
  const fromCli = cliFindings(cwd, files);
  assert.deepEqual([...fromEslint.keys()].sort(), [...files].sort(), 'ESLint did not lint every file');
  let total = 0;
  for (const file of files) {
    assert.deepEqual(fromEslint.get(file), fromCli.get(file) ?? [], `${file}: the ESLint plugin and the CLI disagree`);
    total += fromEslint.get(file)?.length ?? 0;
  }
  return total;
}

/** Creates a temp project holding `files` (path → contents); removed when the test ends. */
function makeProject(t: { after(callback: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-eslint-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return root;
}

/** Every rule's fixtures are production code here, as a project's `roles` config makes them. */
const PRODUCTION_PROJECT = { '.faultline.json': '{ "roles": { "*": "production" } }\n' };

/** The JS/TS fixtures of every rule, `<rule-id>/<file>`, optionally only some kinds (`fix.`). */
function scriptFixtures(rule: Rule, prefix = ''): string[] {
  const directory = join(REPO_ROOT, 'rules', rule.meta.family, rule.meta.id, 'fixtures');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.startsWith(prefix) && !name.endsWith('.fixed'))
    .filter((name) => {
      const language = languageOfPath(name);
      return language === 'typescript' || language === 'javascript';
    })
    .sort()
    .map((name) => join(directory, name));
}

/** A temp production project with copies of `fixtures` at `<rule-id>/<file>`; returns the root and the relative paths. */
function copyFixtures(t: { after(callback: () => void): void }, fixtures: { rule: Rule; path: string }[]): { root: string; files: string[] } {
  const root = makeProject(t, PRODUCTION_PROJECT);
  const files: string[] = [];
  for (const { rule, path } of fixtures) {
    const file = `${rule.meta.id}/${path.split(sep).pop() ?? ''}`;
    mkdirSync(join(root, rule.meta.id), { recursive: true });
    copyFileSync(path, join(root, file));
    files.push(file);
  }
  return { root, files };
}

/** What the engine finds for one rule in a file of a project, through the same glue as the CLI. */
function engineFindings(root: string, file: string, ruleId: string): Finding[] {
  const text = readFileSync(join(root, file), 'utf8');
  const outcome = lintFile(join(root, file), text, createConfigResolver(), { today: todayIso() });
  return outcome.result.findings.filter((finding) => finding.ruleId === ruleId);
}

const SCRIPT_RULES = RULES.filter((rule) => ruleTargets(rule.meta).some((target) => target === 'script' || target === 'sql'));

test('the plugin has one rule per Faultline rule that can fire on JS/TS, plus the suppression findings and not-analysed, described as ESLint expects', () => {
  const expected = [...SCRIPT_RULES.map((rule) => rule.meta.id), ...Object.values(SUPPRESSION_FINDINGS).map((finding) => finding.id), 'not-analysed'].sort();
  assert.deepEqual(Object.keys(plugin.rules).sort(), expected);
  for (const rule of SCRIPT_RULES) {
    const meta = plugin.rules[rule.meta.id]?.meta;
    assert.ok(meta !== undefined, `${rule.meta.id}: no ESLint rule`);
    assert.equal(meta.docs?.url, docsUrlFor(rule.meta), `${rule.meta.id}: docs url`);
    assert.equal(meta.fixable, rule.meta.fix === 'safe' ? 'code' : undefined, `${rule.meta.id}: fixable only with safe fixes`);
    assert.equal(meta.hasSuggestions, rule.meta.fix === 'safe' || rule.meta.fix === 'unsafe' ? true : undefined, `${rule.meta.id}: suggestions`);
  }
});

test('`recommended` turns on the rules that warn or fail by default, at that level; `all` turns on every rule', () => {
  const recommended: Record<string, string> = {};
  for (const rule of SCRIPT_RULES) {
    if (rule.meta.defaultSeverity === 'error') recommended[`faultline/${rule.meta.id}`] = 'error';
    if (rule.meta.defaultSeverity === 'warning') recommended[`faultline/${rule.meta.id}`] = 'warn';
  }
  recommended[`faultline/${SUPPRESSION_FINDINGS.invalid.id}`] = 'warn';
  recommended['faultline/not-analysed'] = 'warn';
  assert.deepEqual(plugin.configs.recommended.rules, recommended);
  assert.deepEqual(Object.keys(plugin.configs.all.rules ?? {}).sort(), Object.keys(plugin.rules).map((id) => `faultline/${id}`).sort());
  assert.equal(plugin.configs.recommended.plugins?.['faultline'], plugin, 'the configs must name the plugin object itself');
});

test('on the bundled examples, the plugin finds what the CLI finds', async () => {
  const files = readdirSync(join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
    .map((path) => `examples/${path.split(sep).join('/')}`)
    .filter((path) => {
      const language = languageOfPath(path);
      return language === 'typescript' || language === 'javascript';
    })
    .sort();
  assert.ok(files.length > 0, 'no JS/TS file under examples/');
  const total = await assertSameFindings(REPO_ROOT, files);
  assert.ok(total > 0, 'the examples gave no findings at all');
});

test('on every rule\'s JS/TS fixtures, the plugin finds what the CLI finds', async (t) => {
  const fixtures = SCRIPT_RULES.flatMap((rule) => scriptFixtures(rule).map((path) => ({ rule, path })));
  const { root, files } = copyFixtures(t, fixtures);
  const total = await assertSameFindings(root, files);
  assert.ok(total > files.length, `only ${total} findings in ${files.length} fixtures: the fixtures were not linted as production code`);
});

test('eslint --fix applies exactly the engine\'s safe fixes', async (t) => {
  const safeFixRules = SCRIPT_RULES.filter((rule) => rule.meta.fix === 'safe');
  const { root, files } = copyFixtures(t, safeFixRules.flatMap((rule) => scriptFixtures(rule, 'fix.').map((path) => ({ rule, path }))));
  let changed = 0;
  for (const file of files) {
    const ruleId = file.split('/')[0] ?? '';
    const text = readFileSync(join(root, file), 'utf8');
    const safeEdits = engineFindings(root, file, ruleId).flatMap((finding) => finding.fixes.find((fix) => fix.safety === 'safe')?.edits ?? []);
    const expected = applyEdits(text, safeEdits);
    const [result] = await createEslint(root, onlyRule(ruleId), { fix: true }).lintFiles([file]);
    assert.ok(result !== undefined);
    assert.equal(result.output ?? text, expected, `${file}: ESLint's fix differs from Faultline's safe fixes`);
    if (expected !== text) changed++;
  }
  assert.ok(changed > 0, 'no fixture had a safe fix to apply');
});

test('unsafe fixes are suggestions: never applied by --fix, and each gives the engine\'s fix', async (t) => {
  const unsafeFixRules = SCRIPT_RULES.filter((rule) => rule.meta.fix === 'unsafe');
  const { root, files } = copyFixtures(t, unsafeFixRules.flatMap((rule) => scriptFixtures(rule, 'fix.').map((path) => ({ rule, path }))));
  assert.ok(files.length > 0, 'no JS/TS fix fixture for a rule with unsafe fixes');
  let suggestions = 0;
  for (const file of files) {
    const ruleId = file.split('/')[0] ?? '';
    const text = readFileSync(join(root, file), 'utf8');
    const [result] = await createEslint(root, onlyRule(ruleId), { fix: true }).lintFiles([file]);
    assert.ok(result !== undefined);
    assert.equal(result.output, undefined, `${file}: --fix applied an unsafe fix`);
    const findings = engineFindings(root, file, ruleId);
    assert.equal(result.messages.length, findings.length, `${file}: ESLint and the engine report a different number of findings`);
    result.messages.forEach((message, index) => {
      const offered = (findings[index]?.fixes ?? []).filter((fix) => fix.safety !== 'display-only');
      assert.equal(message.suggestions?.length ?? 0, offered.length, `${file}:${message.line}: one suggestion per fix`);
      message.suggestions?.forEach((suggestion, fixIndex) => {
        const fix = offered[fixIndex];
        assert.ok(fix !== undefined);
        assert.ok(suggestion.desc.startsWith(fix.title), `${file}:${message.line}: the suggestion is named after the fix`);
        const applied = text.slice(0, suggestion.fix.range[0]) + suggestion.fix.text + text.slice(suggestion.fix.range[1]);
        assert.equal(applied, applyEdits(text, fix.edits), `${file}:${message.line}: the suggestion's text differs from the engine's fix`);
        suggestions++;
      });
    });
  }
  assert.ok(suggestions > 0, 'no unsafe fix was offered as a suggestion');
});

test('a .faultline.json that turns a rule off, and ESLint\'s own disable comments, both silence it', async (t) => {
  const header = "import { Pool } from 'pg';\nconst pool = new Pool({ max: 5 });\n";
  const query = "export const all = () => pool.query('SELECT * FROM orders');\n";
  const root = makeProject(t, {
    '.faultline.json': '{ "roles": { "*": "production" }, "rules": { "unbounded-select": "off" } }\n',
    'a.ts': header + query,
    'b.ts': `${header}// eslint-disable-next-line faultline/select-star\n${query}`,
  });
  const results = await createEslint(root, { plugins: { faultline: plugin }, rules: { 'faultline/select-star': 'warn', 'faultline/unbounded-select': 'warn' } }).lintFiles(['a.ts', 'b.ts']);
  const byFile = new Map(results.map((result) => [posixRelative(root, result.filePath), result.messages.map((message) => message.ruleId)]));
  assert.deepEqual(byFile.get('a.ts'), ['faultline/select-star']);
  assert.deepEqual(byFile.get('b.ts'), []);
});

test('the engine runs once per file, however many Faultline rules are on', async (t) => {
  // The plugin as tsc compiled it calls lintFile through its module's exports, so counting the
  // calls there counts the engine's runs; the bundle above is the same source.
  const lintFileModule = require('../server/src/workspace/lint-file') as { lintFile: typeof lintFile };
  const original = lintFileModule.lintFile;
  let runs = 0;
  lintFileModule.lintFile = (...args) => {
    runs++;
    return original(...args);
  };
  t.after(() => {
    lintFileModule.lintFile = original;
  });
  const compiledPlugin = require('../server/src/eslint/plugin') as FaultlinePlugin;
  const orders = readFileSync(join(REPO_ROOT, 'examples', 'api', 'orders.ts'), 'utf8');
  const root = makeProject(t, { ...PRODUCTION_PROJECT, 'a.ts': orders, 'b.js': "export const all = (db) => db.query('SELECT * FROM orders');\n" });
  const results = await createEslint(root, compiledPlugin.configs.all).lintFiles(['a.ts', 'b.js']);
  assert.ok(Object.keys(compiledPlugin.configs.all.rules ?? {}).length > 2);
  assert.ok(results.every((result) => result.messages.length > 0), 'both files have findings');
  assert.equal(runs, 2);
});

test('not-analysed says when a file was not checked as configured: a broken .faultline.json, a minified file', async (t) => {
  const query = "export const all = (db) => db.query('SELECT * FROM orders');\n";
  const minified = `${'var a=1;'.repeat(400)}${query}`;
  const root = makeProject(t, { 'broken/.faultline.json': '{ "rules": {\n', 'broken/a.js': query, 'minified/.faultline.json': '{}\n', 'minified/bundle.js': minified });
  const results = await createEslint(root, plugin.configs.recommended).lintFiles(['broken/a.js', 'minified/bundle.js']);
  const byFile = new Map(results.map((result) => [posixRelative(root, result.filePath), result.messages.map((message) => `${message.ruleId ?? ''} ${message.line}:${message.column} ${message.message}`)]));
  const broken = byFile.get('broken/a.js') ?? [];
  assert.equal(broken.length, 1, broken.join('\n'));
  assert.match(broken[0] ?? '', /^faultline\/not-analysed 1:1 .*\.faultline\.json has errors, so Faultline checked this file without it/);
  const bundle = byFile.get('minified/bundle.js') ?? [];
  assert.equal(bundle.length, 1, bundle.join('\n'));
  assert.match(bundle[0] ?? '', /^faultline\/not-analysed 1:1 Faultline did not analyse this file: .*minified/);
});
