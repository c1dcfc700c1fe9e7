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
import { ASYNC_REPARSE_FACTOR, SCRIPT_NESTING_LIMIT, scriptShapeLimit } from '../rules/engine/languages/typescript';
import { lintDocumentUnguarded } from '../rules/engine/runner';
import { AnalysisLimit } from '../rules/engine/guard';
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

  test('seed 1215 index 191592: a MySQL time-zone fix turned `created_at::date`, which the grammar reads, into `CONVERT_TZ(...)::date`, which it does not', () => {
    const text = "SELECT created_at::date AS day, COUNT(DISTINCT user_id) FROM events.sessions GROUP BY 1;\n";
    const settings = { ...SETTINGS, sqlDialect: 'mysql' as const, rules: { 'timezone-naive-date-bucket': { level: 'warning' as const, options: {} } } };
    const finding = lintDocument({ path: 'src/q.sql', languageId: 'sql', text }, settings, RULES).findings.find((candidate) => candidate.ruleId === 'timezone-naive-date-bucket');
    assert.notEqual(finding, undefined, 'the finding stays');
    assert.deepEqual(finding?.fixes, []);
    // Where the fixed statement parses, the fix is offered (unsafe in MySQL: the column may be a DATETIME).
    const call = "SELECT DATE(created_at) AS day, COUNT(*) FROM events.sessions GROUP BY DATE(created_at);\n";
    const fix = lintDocument({ path: 'src/q.sql', languageId: 'sql', text: call }, settings, RULES).findings.find((candidate) => candidate.ruleId === 'timezone-naive-date-bucket')?.fixes[0];
    assert.equal(fix?.safety, 'unsafe');
  });

  test('seed 1215 index 86623: in broken SQL, a `DATE(` never closed was taken to run to the end of the statement, swallowing the next `DATE(...)`, and its fix rewrote them both', () => {
    const sql = 'SELECT * FROM logs GROUP BY DATE( EXISTS (SELECT 1 FROM users) END GROUP BY DATE(created_at)';
    const text = `export async function run(db) {\n  await db.query('${sql}');\n}\n`;
    const findings = lintDocument({ path: 'src/report.js', languageId: 'javascript', text }, SETTINGS, RULES).findings.filter((finding) => finding.ruleId === 'timezone-naive-date-bucket');
    assert.deepEqual(findings.map((finding) => text.slice(finding.range.start, finding.range.end)), ['DATE(created_at)'], 'only the call that closes is a bucket');
    const fixed = applyEdits(text, findings[0]?.fixes[0]?.edits ?? []);
    assert.ok(fixed.includes("DATE( EXISTS (SELECT 1 FROM users) END GROUP BY (created_at AT TIME ZONE \\'UTC\\')::date"), fixed);
  });

  test('seed 4005 index 18031: `CAST(NOW() AND x AS DATE)` (a condition, not a time) was a day bucket, and wrapping it in CONVERT_TZ made full-history-scan see a time column', () => {
    const mariadb: LintSettings = { ...SETTINGS, sqlDialect: 'mariadb' };
    const text = 'export async function run(db) {\n  return db.query(`SELECT CAST(NOW() AND x AS DATE) FROM public.accounts GROUP BY 1 HAVING COUNT(*) > 1`);\n}\n';
    const result = lintDocument({ path: 'dags/query.mts', languageId: 'typescript', text }, mariadb, RULES);
    assert.deepEqual(result.findings.filter((finding) => finding.ruleId === 'timezone-naive-date-bucket' || finding.ruleId === 'full-history-scan'), []);
  });

  test('seed 4010 index 9775: in `FROM orders o GROUP BY1` (SQLite reads it) full-history-scan took GROUP for part of FROM and put its WHERE after it; a fix the grammar reads only before is not offered', () => {
    const sqlite: LintSettings = { ...SETTINGS, sqlDialect: 'sqlite' };
    const text = "SELECT date_trunc('week', o.created_at) AS week, sum(o.total_cents) AS revenue\nFROM orders o\nGROUP BY1\nORDER BY 1;\n";
    const findings = lintDocument({ path: 'src/handler.sql', languageId: 'sql', text }, sqlite, RULES).findings.filter((finding) => finding.ruleId === 'full-history-scan');
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]?.fixes, []);
  });

  test('seed 5009 index 15252: a batch handler resolving an offset before processing it left floating: awaiting the processing (the fix) revealed the resolve finding; both are reported', () => {
    const text = [
      "import { Kafka, type EachBatchPayload } from 'kafkajs';",
      "const consumer = new Kafka({ clientId: 'billing', brokers: ['kafka-1:9092'] }).consumer({ groupId: 'billing' });",
      'async function chargeCustomer(value: Buffer | null): Promise<void> {}',
      'export async function startBatch() {',
      '  await consumer.run({',
      '    eachBatchAutoResolve: false,',
      '    eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {',
      '      for (const message of batch.messages) {',
      '        resolveOffset(message.offset);',
      '        chargeCustomer(message.value);',
      '        await heartbeat();',
      '      }',
      '    },',
      '  });',
      '}',
      '',
    ].join('\n');
    const kafka = (source: string) => lintDocument({ path: 'src/consumer.ts', languageId: 'typescript', text: source }, SETTINGS, RULES).findings.filter((finding) => finding.ruleId === 'kafka-commit-before-processing');
    const before = kafka(text);
    assert.deepEqual(before.map((finding) => text.slice(finding.range.start, finding.range.end)), ['resolveOffset(message.offset)', 'chargeCustomer(message.value)']);
    const fix = before[1]?.fixes[0];
    assert.equal(fix?.title, 'Await it');
    assert.equal(kafka(applyEdits(text, fix?.edits ?? [])).length, 1, 'the fix clears its own finding and reveals none');
  });

  test('seed 4003 index 2936: TypeScript\'s parser asserts on a decorator before `await` (`retu@rn await knex(...)`); the file is not analysed, with why, and no exception escapes the unguarded engine', () => {
    const text = "const knex = require('knex')({ client: 'pg' });\n\nasync function allUsers() {\n  retu@rn await knex('users').select('id', 'email');\n}\n";
    const document = { path: 'lib/query.js', languageId: 'javascript' as const, text };
    assert.throws(() => lintDocumentUnguarded(document, SETTINGS, RULES), AnalysisLimit, 'a limit of the parser, as the fuzzer counts it, not an exception');
    const result = lintDocument(document, SETTINGS, RULES);
    assert.match(result.notAnalysed ?? '', /^cannot be parsed: the TypeScript parser fails on this text/);
    assert.deepEqual(result.internalErrors, []);
  });

  test('seed 7 index 660: 49 nested `async function` expressions (a fixture slice copied) ran for hours in the TypeScript parser; now refused before the parse', () => {
    const level = '  try {\n    await announce();\n  } catch {\n    await sleep(5_000);\n    return register(async function register(announce: () => Promise<void>): Promise<void> {\n';
    const nested = (depth: number): string => `import pRetry from 'p-retry';\nexport async function register(announce: () => Promise<void>): Promise<void> {\n${level.repeat(depth)}    return register(announce);\n  }\n}\n`;
    // The parser reads each level twice (once ahead, to see whether it is an arrow): 20 levels took 160 s.
    const { result, ms } = timedLint('components/client.ts', 'typescript', nested(49));
    assert.match(result.notAnalysed ?? '', /too complex: `async` expressions nested so deeply/);
    assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
    // A few levels, and the `async` written with escapes, as the parser also reads it.
    assert.equal(timedLint('components/client.ts', 'typescript', nested(3)).result.notAnalysed, undefined);
    assert.match(timedLint('components/client.ts', 'typescript', nested(30).replaceAll('async function', '\\u0061sync function')).result.notAnalysed ?? '', /too complex/);
  });

  test('seed 3016 index 4413: a stray `)` was taken to close a block the parser keeps open, hiding nested `async` (8 KB took the parser 4 minutes); now refused before the parse', () => {
    // A fixture slice pasted over itself: each copy leaves one more block open and one `)` unmatched.
    const copy = "  options: true, factor: 2 });\n  operation.attempt(() => {\n    connect((error, socket) => {\n      if (operation.retry(error)) return;\n      done(error, socket);\n    });\n  });\n}\n\nasync function waitForService(check) {\n  do {\n    try {\n      await check();\n      break;\n    } catch (error) {\n";
    const { result, ms } = timedLint('pipelines/index.js', 'javascript', `async function start() {\n${copy.repeat(40)}`);
    assert.match(result.notAnalysed ?? '', /too complex/);
    assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
    const limit = (text: string): 'depth' | 'async' | null => scriptShapeLimit(text, SCRIPT_NESTING_LIMIT, ASYNC_REPARSE_FACTOR * (text.length + 4_096));
    // A stray closer nothing matches is skipped; one that matches an outer bracket ends the levels up to it.
    assert.equal(limit(`${'async function f() {\n  x );\n'.repeat(30)}`), 'async');
    assert.equal(limit('f(async () => {\n  g(x }\n);\n'.repeat(2_000)), null);
    assert.equal(timedLint('pipelines/index.js', 'javascript', `async function start() {\n${copy.repeat(2)}}\n}\n}\n}\n`).result.notAnalysed, undefined);
  });

  test('the scan before a JS/TS parse: nested `async` weighs what the parser re-reads; sibling callbacks, strings and comments do not add up', () => {
    const limit = (text: string): 'depth' | 'async' | null => scriptShapeLimit(text, SCRIPT_NESTING_LIMIT, ASYNC_REPARSE_FACTOR * (text.length + 4_096));
    assert.equal(limit(`${'f(async function g(a) {\n'.repeat(20)}${'})'.repeat(20)}`), 'async');
    assert.equal(limit(`const f = ${'async (a = '.repeat(20)}`), 'async');
    // Many async callbacks side by side, with or without semicolons, stay one level deep.
    assert.equal(limit("it('a', async () => {\n  await x;\n})\n".repeat(2_000)), null);
    assert.equal(limit('export const f = async function () {\n  await x\n}\n'.repeat(2_000)), null);
    assert.equal(limit(`const s = '${'async ('.repeat(40)}';\n// ${'async ('.repeat(40)}\n`), null);
    // A realistic test file: four nested async callbacks.
    assert.equal(limit("describe('x', () => { it('y', async () => { await Promise.all(xs.map(async (x) => { await db.tx(async (t) => { await t.none(q); }); })); }); });\n".repeat(500)), null);
  });

  test('seed 1215 index 144005: the parameter fix on an f-string field `{status,}` (a tuple) gave `(status,,)`, which does not parse', () => {
    const text = 'import psycopg2\n\n\ndef page(cur, status):\n    cur.execute(f"SELECT * FROM orders WHERE status = \'{status,}\' LIMIT 10")\n    return cur.fetchall()\n';
    const finding = timedLint('src/fix.py', 'python', text).result.findings.find((candidate) => candidate.ruleId === 'sql-built-from-strings');
    assert.ok(finding !== undefined);
    assert.deepEqual(finding.fixes, []);
    // A plain field keeps its fix.
    const plain = text.replace('{status,}', '{status}');
    const fix = timedLint('src/fix.py', 'python', plain).result.findings.find((candidate) => candidate.ruleId === 'sql-built-from-strings')?.fixes[0];
    assert.equal(applyEdits(plain, fix?.edits ?? []), plain.replace(`f"SELECT * FROM orders WHERE status = '{status}' LIMIT 10")`, '"SELECT * FROM orders WHERE status = %s LIMIT 10", (status,))'));
  });

  test('seed 20261207 index 546: a file ending inside a template hole (`${PAGE_`) gave a finding ending past the text', () => {
    const text = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const page = () => pool.query(`SELECT id FROM products LIMIT ${PAGE_";
    const raw = lintDocumentUnguarded({ path: 'lib/index.ts', languageId: 'typescript', text }, SETTINGS, RULES);
    assert.ok(raw.findings.length > 0);
    for (const finding of raw.findings) assert.ok(finding.range.end <= text.length, `${finding.ruleId} ends at ${finding.range.end} of ${text.length}`);
  });
  test('seed 3002 index 11212: a property added to a one-line object with a trailing comma (`{ retries: 3 ,}`) went in before that comma, with no comma of its own', () => {
    const fixed = (options: string): string => {
      const text = `import axios from 'axios';\nimport axiosRetry from 'axios-retry';\n\naxiosRetry(axios, ${options});\n`;
      const fix = lintDocument({ path: 'src/client.js', languageId: 'javascript', text }, SETTINGS, RULES).findings.find((candidate) => candidate.ruleId === 'retry-without-backoff')?.fixes[0];
      assert.equal(fix?.safety, 'safe');
      return applyEdits(text, fix?.edits ?? []).split('\n')[3] ?? '';
    };
    assert.equal(fixed('{ retries: 3 ,}'), 'axiosRetry(axios, { retries: 3 , retryDelay: axiosRetry.exponentialDelay,});');
    assert.equal(fixed('{ retries: 3, }'), 'axiosRetry(axios, { retries: 3, retryDelay: axiosRetry.exponentialDelay, });');
    assert.equal(fixed('{ retries: 3 }'), 'axiosRetry(axios, { retries: 3, retryDelay: axiosRetry.exponentialDelay });');
    // On several lines, a comma inside a comment before the trailing one is not that comma.
    const text = "import axios from 'axios';\nimport axiosRetry from 'axios-retry';\n\naxiosRetry(axios, {\n  retries: 3 // a, b\n  ,\n});\n";
    const fix = lintDocument({ path: 'src/client.js', languageId: 'javascript', text }, SETTINGS, RULES).findings.find((candidate) => candidate.ruleId === 'retry-without-backoff')?.fixes[0];
    assert.equal(applyEdits(text, fix?.edits ?? []), text.replace('  ,\n', '  ,\n  retryDelay: axiosRetry.exponentialDelay,\n'));
  });

  test('seed 3002 index 20557: unbounded-find read `FROM ordersWHERE customer_id = %s` (the WHERE run into the name) as a SELECT with no WHERE, so the parameter fix added a finding', () => {
    const fetchall = (query: string): string[] => {
      const text = `import psycopg2\n\n\ndef orders(cur, customer):\n    cur.execute(${query})\n    return cur.fetchall()\n`;
      return timedLint('src/api/query.py', 'python', text).result.findings.map((finding) => finding.ruleId).filter((ruleId) => ruleId === 'unbounded-find' || ruleId === 'sql-built-from-strings');
    };
    assert.deepEqual(fetchall('"SELECT * FROM ordersWHERE customer_id = %s", (customer,)'), []);
    assert.deepEqual(fetchall('"SELECT * FROM ordersWHERE customer_id = {}".format(customer)'), ['sql-built-from-strings']);
    // A SELECT the grammar reads is still judged.
    assert.deepEqual(fetchall('"SELECT * FROM orders"'), ['unbounded-find']);
  });

  test('seed 3004 index 21220: the T-SQL grammar reads `SELECT  FROM t WHERE a = NULL` (no columns) but not `... a IS NULL`, and equals-null called its fix safe', () => {
    const fixOf = (text: string, sqlDialect: LintSettings['sqlDialect']) => lintDocument({ path: 'src/q.sql', languageId: 'sql', text }, { ...SETTINGS, sqlDialect }, RULES).findings.find((candidate) => candidate.ruleId === 'equals-null')?.fixes;
    assert.deepEqual(fixOf('SELECT  FROM dbo.Users WHERE DeletedAt = NULL;\n', 'transactsql'), [], 'reported, with no fix');
    assert.equal(fixOf('SELECT Id FROM dbo.Users WHERE DeletedAt = NULL;\n', 'transactsql')?.[0]?.safety, 'safe');
    // A statement the grammar never read (PostgreSQL's SKIP LOCKED is beyond it) keeps the fix, unsafe.
    assert.equal(fixOf('SELECT id FROM jobs WHERE taken_at = NULL FOR UPDATE SKIP LOCKED;\n', 'postgresql')?.[0]?.safety, 'unsafe');
  });

  test('the class of seed 3004 index 21220: non-sargable-predicate\'s range fix, the other safe SQL fix, is as safe as the grammar says', () => {
    const settings = { ...SETTINGS, rules: { 'non-sargable-predicate': { level: 'warning' as const, options: {} } } };
    const safetyOf = (text: string, sqlDialect: LintSettings['sqlDialect']) => lintDocument({ path: 'src/q.sql', languageId: 'sql', text }, { ...settings, sqlDialect }, RULES).findings.find((candidate) => candidate.ruleId === 'non-sargable-predicate')?.fixes.map((fix) => fix.safety);
    assert.deepEqual(safetyOf("SELECT id FROM orders WHERE DATE(created_at) = '2024-03-01';\n", 'postgresql'), ['safe']);
    assert.deepEqual(safetyOf("SELECT id FROM orders WHERE DATE(created_at) = '2024-03-01' FOR UPDATE SKIP LOCKED;\n", 'postgresql'), ['unsafe']);
    assert.deepEqual(safetyOf('SELECT  FROM orders WHERE YEAR(created_at) = 2024;\n', 'transactsql'), ['unsafe']);
  });
});
