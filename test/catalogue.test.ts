/**
 * The catalogue test: folder name = rule id, catalogue = folders (sorted), docs complete and in
 * order, every option documented, and the docs' Example snippets trigger the rule while the
 * "Use instead" snippets do not. Also checks that the analysis core stays pure (no Node, LSP or
 * VS Code imports) and that the config schema knows every rule.
 */

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { lintDocument, RULES, type Rule } from '../rules';
import { REPO_ROOT } from './helpers/paths';
import { loadPythonParser } from '../server/src/workspace/python';

// ```python snippets in the docs need the grammar, which loads asynchronously.
before(async () => assert.equal(await loadPythonParser(), null));

const DOC_HEADINGS = ['What it flags', 'Why it bites in production', 'Example', 'Use instead', 'Fix safety', 'Known false positives', 'Options', 'References'];

function ruleFolders(): string[] {
  const folders: string[] = [];
  for (const family of ['sql', 'app']) {
    const base = join(REPO_ROOT, 'rules', family);
    for (const name of readdirSync(base)) {
      if (name === 'helpers') continue;
      if (statSync(join(base, name)).isDirectory()) folders.push(`${family}/${name}`);
    }
  }
  return folders.sort();
}

test('the catalogue lists exactly the rule folders, sorted by id', () => {
  const fromCatalogue = RULES.map((rule) => `${rule.meta.family}/${rule.meta.id}`).sort();
  assert.deepEqual(fromCatalogue, ruleFolders());
  const ids = RULES.map((rule) => rule.meta.id);
  assert.deepEqual(ids, [...ids].sort(), 'RULES must be sorted by id');
});

function docsOf(rule: Rule): string {
  return readFileSync(join(REPO_ROOT, 'rules', rule.meta.family, rule.meta.id, 'docs.md'), 'utf8');
}

/** Sections of a docs page by `## ` heading. */
function sections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    result.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return result;
}

/** Code blocks of a section; a fence may name the SQL dialect and the reporting zone: ```sql dialect=bigquery zone=Europe/Berlin */
function codeBlocks(section: string): { language: string; dialect: string; zone: string; code: string }[] {
  const blocks: { language: string; dialect: string; zone: string; code: string }[] = [];
  for (const match of section.matchAll(/```(\w+)([^\n]*)\n([\s\S]*?)```/g)) {
    const dialect = /dialect=(\w+)/.exec(match[2] ?? '')?.[1] ?? 'postgresql';
    const zone = /zone=([\w/+-]+)/.exec(match[2] ?? '')?.[1] ?? 'UTC';
    blocks.push({ language: match[1] ?? '', dialect, zone, code: match[3] ?? '' });
  }
  return blocks;
}

for (const rule of RULES) {
  const { id } = rule.meta;
  test(`docs of ${id}: headings, options, and snippets that behave as documented`, () => {
    const markdown = docsOf(rule);
    assert.ok(markdown.startsWith(`# ${id}\n`), `${id}: docs.md must start with "# ${id}"`);
    const headings = [...markdown.matchAll(/^## (.+)$/gm)].map((match) => (match[1] ?? '').trim());
    assert.deepEqual(headings, DOC_HEADINGS, `${id}: docs headings must be exactly, in order: ${DOC_HEADINGS.join(' · ')}`);
    const bySection = sections(markdown);
    for (const option of Object.keys(rule.meta.options)) {
      assert.ok((bySection.get('Options') ?? '').includes(`\`${option}\``), `${id}: option \`${option}\` is not documented under Options`);
    }
    assert.notEqual(rule.meta.summary, 'TODO', `${id}: meta.summary is missing`);
    const run = (block: { language: string; dialect: string; zone: string; code: string }) => {
      const languageId = block.language === 'sql' ? 'sql' : block.language === 'ts' || block.language === 'typescript' ? 'typescript' : block.language === 'python' || block.language === 'py' ? 'python' : 'javascript';
      const path = languageId === 'sql' ? 'example.sql' : languageId === 'typescript' ? 'example.ts' : languageId === 'python' ? 'example.py' : 'example.js';
      const settings = { sqlDialect: block.dialect as 'postgresql', reportingTimeZone: block.zone, rules: { [id]: { level: rule.meta.defaultSeverity, options: {} } }, today: '2026-11-24' };
      return lintDocument({ path, languageId, text: block.code }, settings, RULES).findings.filter((finding) => finding.ruleId === id);
    };
    const examples = codeBlocks(bySection.get('Example') ?? '');
    assert.ok(examples.length > 0, `${id}: the Example section needs a code block`);
    for (const block of examples) assert.ok(run(block).length > 0, `${id}: this Example does not trigger the rule:\n${block.code}`);
    const fixes = codeBlocks(bySection.get('Use instead') ?? '');
    assert.ok(fixes.length > 0, `${id}: the Use instead section needs a code block`);
    for (const block of fixes) assert.deepEqual(run(block).map((finding) => finding.message), [], `${id}: this "Use instead" snippet triggers the rule:\n${block.code}`);
  });
}

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && entry.name !== 'fixtures') files.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

test('the analysis core imports no I/O, LSP or VS Code module, and parsers only from engine/languages', () => {
  for (const file of sourceFiles(join(REPO_ROOT, 'rules'))) {
    const text = readFileSync(file, 'utf8');
    const name = relative(REPO_ROOT, file);
    for (const match of text.matchAll(/from '([^']+)'/g)) {
      const specifier = match[1] ?? '';
      assert.ok(!/^(node:|fs$|path$|child_process$|vscode|vscode-languageserver|vscode-languageclient)/.test(specifier), `${name} imports ${specifier}`);
      if (specifier === 'typescript' || specifier.startsWith('node-sql-parser') || specifier.startsWith('web-tree-sitter')) {
        assert.ok(name.startsWith(join('rules', 'engine', 'languages')), `${name} imports the parser ${specifier}; only rules/engine/languages/ may`);
      }
    }
  }
});

test('the config schema names every rule and only those', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'faultline.schema.json'), 'utf8')) as { properties: { rules: { properties: Record<string, unknown> } } };
  assert.deepEqual(Object.keys(schema.properties.rules.properties).sort(), RULES.map((rule) => rule.meta.id).sort());
});
