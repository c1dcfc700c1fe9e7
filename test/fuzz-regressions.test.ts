/**
 * Inputs the fuzzer (bench/fuzz.ts, `npm run fuzz`) found failing, each kept after its fix with
 * the (seed, index) that found it (issue #15). Super-linear cases are checked against a budget
 * many times what the fixed engine takes, and far under what it took before: a time a shared
 * machine cannot miss by accident.
 */

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { applyEdits, lintDocument, RULES, type LanguageId, type LintResult, type LintSettings } from '../rules';
import { lintDocumentUnguarded } from '../rules/engine/runner';
import { loadPythonParser } from '../server/src/workspace/python';

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };

function timedLint(path: string, languageId: LanguageId, text: string): { result: LintResult; ms: number } {
  const start = performance.now();
  const result = lintDocument({ path, languageId, text }, SETTINGS, RULES);
  return { result, ms: performance.now() - start };
}

describe('fuzzer reproducers (#15)', () => {
  before(async () => {
    const problem = await loadPythonParser();
    assert.equal(problem, null);
  });

  test('seed 7 index 680: 284 f-string queries in one Python function took 30 s (a walk of the function per substitution)', () => {
    const text = `def f(cursor, rows):\n${'    for row in rows:\n        cursor.execute(f"SELECT * FROM t WHERE id = {row}")\n'.repeat(284)}`;
    const { result, ms } = timedLint('components/sync_job.py', 'python', text);
    assert.equal(result.findings.filter((finding) => finding.ruleId === 'sql-built-from-strings').length, 284);
    assert.ok(ms < 5_000, `${ms.toFixed(0)} ms`);
  });

  test('seed 7 index 303: a query concatenated from 985 names took 18 s (a climb through .parent per name)', () => {
    const text = `def f(cursor, x):\n    cursor.execute("SELECT " + ${Array.from({ length: 985 }, () => 'x').join(' + ')})\n`;
    const { result, ms } = timedLint('notebooks/query.py', 'python', text);
    assert.deepEqual(result.internalErrors, []);
    assert.ok(ms < 5_000, `${ms.toFixed(0)} ms`);
  });

  test('a name assigned a built string in the function is SQL text, in that function only (the scopes the fix works out once)', () => {
    const text = [
      'import psycopg2',
      '',
      'def a(cursor, col, user_id):',
      '    val = "x%s" % col',
      '    cursor.execute(f"SELECT id FROM t WHERE id = {val} AND a = {user_id}")',
      '',
      'def b(cursor, val):',
      '    cursor.execute(f"SELECT id FROM t WHERE id = {val}")',
      '    class Inner:',
      '        val = "x" + "y"',
      '',
    ].join('\n');
    const { result } = timedLint('src/queries.py', 'python', text);
    const flagged = result.findings.filter((finding) => finding.ruleId === 'sql-built-from-strings').map((finding) => text.slice(finding.range.start, finding.range.end));
    // a's {val} is text a built; b's is a value (the class body's assignment is not b's).
    const b = text.indexOf('def b');
    const flaggedAt = result.findings.filter((finding) => finding.ruleId === 'sql-built-from-strings').map((finding) => `${text.slice(finding.range.start, finding.range.end)}${finding.range.start > b ? ' in b' : ' in a'}`);
    assert.deepEqual(flaggedAt, ['{user_id} in a', '{val} in b'], JSON.stringify(flagged));
  });

  test('seed 20261207 index 69: equals-null offered `IS NULL` on a chained comparison, and joined it to an operand the `=` touched', () => {
    const chained = 'SELECT id FROM orders WHERE IF(shipped_at != a= b= NULL, 1, 0) = 1;\n';
    const finding = lintDocument({ path: 'src/q.sql', languageId: 'sql', text: chained }, { ...SETTINGS, sqlDialect: 'mysql' }, RULES).findings.find((candidate) => candidate.ruleId === 'equals-null');
    // `a = b = NULL` is `(a = b) = NULL`; `a = b IS NULL` would be `a = (b IS NULL)`.
    assert.deepEqual(finding?.fixes, []);
    const touching = 'SELECT id FROM sessions WHERE expires_at= NULL;\n';
    const fix = lintDocument({ path: 'src/q.sql', languageId: 'sql', text: touching }, SETTINGS, RULES).findings.find((candidate) => candidate.ruleId === 'equals-null')?.fixes[0];
    assert.equal(applyEdits(touching, fix?.edits ?? []), 'SELECT id FROM sessions WHERE expires_at IS NULL;\n');
  });

  test('seed 20261207 index 546: a file ending inside a template hole (`${PAGE_`) gave a finding ending past the text', () => {
    const text = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const page = () => pool.query(`SELECT id FROM products LIMIT ${PAGE_";
    const raw = lintDocumentUnguarded({ path: 'lib/index.ts', languageId: 'typescript', text }, SETTINGS, RULES);
    assert.ok(raw.findings.length > 0);
    for (const finding of raw.findings) assert.ok(finding.range.end <= text.length, `${finding.ruleId} ends at ${finding.range.end} of ${text.length}`);
  });
});
