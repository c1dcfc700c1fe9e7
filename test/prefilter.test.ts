/**
 * The runner's cheap skips, which keep a workspace audit near the parser's speed (issue #4): a
 * JS/TS file is parsed only when some rule can apply to it. SQL rules see a script file only
 * through its embedded queries, so without a query call or SQL tag in the text they do not cause
 * a parse; a script rule whose prefilter words are absent does not either. Whether the file was
 * parsed is read from the LintCache, which keeps the parse when there is one.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDocument, RULES, type LintCache } from '../rules/index';
import { mayContainEmbeddedSql } from '../rules/engine/languages/typescript';

const SETTINGS = { sqlDialect: 'postgresql' as const, reportingTimeZone: 'UTC', rules: {}, today: '2026-01-01' };

function wasParsed(text: string, onlyRules?: string[]): boolean {
  const cache: LintCache = {};
  lintDocument({ path: 'file.ts', languageId: 'typescript', text }, { ...SETTINGS, ...(onlyRules === undefined ? {} : { onlyRules }) }, RULES, cache);
  return cache.script?.sourceFile !== undefined;
}

test('mayContainEmbeddedSql finds query calls and SQL tags, and nothing in plain code', () => {
  assert.equal(mayContainEmbeddedSql('await pool.query(`SELECT 1`)'), true);
  assert.equal(mayContainEmbeddedSql('const rows = await sql`SELECT 1`'), true);
  assert.equal(mayContainEmbeddedSql('knex.raw<Row>("SELECT 1")'), true);
  assert.equal(mayContainEmbeddedSql('const label = "select from the list"; const queryString = 1;'), false);
  // The pattern is global; calling it twice in a row must give the same answer both times.
  assert.equal(mayContainEmbeddedSql('db.query("SELECT 1")'), true);
  assert.equal(mayContainEmbeddedSql('db.query("SELECT 1")'), true);
});

test('a file no rule applies to is never parsed', () => {
  assert.equal(wasParsed('export const answer = 6 * 7;\n'), false);
});

test('SQL words without a query call or SQL tag do not make SQL rules parse the file', () => {
  const text = "export const help = 'select a row, then update where you like; limit it';\n";
  const sqlRules = RULES.filter((rule) => rule.meta.target === 'sql').map((rule) => rule.meta.id);
  assert.equal(wasParsed(text, sqlRules), false);
  assert.equal(wasParsed(`${text}export const rows = () => pool.query('SELECT id FROM users LIMIT 10');\n`, sqlRules), true);
});
