/**
 * The runner's cheap skips, which keep a workspace audit near the parser's speed (issue #4): a
 * JS/TS file is parsed only when some rule can apply to it. SQL rules see a script file only
 * through its embedded queries, so without an SQL tag, or a query call and a string that opens
 * like a statement, they do not cause a parse; a script rule whose prefilter terms do not hold
 * does not either; a minified bundle is not analysed at all. Whether the file was parsed is read
 * from the LintCache, which keeps the parse when there is one.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDocument, RULES, type LintCache } from '../rules/index';
import { EMBEDDED_SQL_PREFILTER } from '../rules/engine/languages/typescript';
import { allOf, anyOf, escapeForPattern, followedBy, importOf, matches, PrefilterProgram, textAdmits, word, type PrefilterTerm } from '../rules/engine/prefilter';
import { RETRY_PREFILTER } from '../rules/app/helpers/retries';

const SETTINGS = { sqlDialect: 'postgresql' as const, reportingTimeZone: 'UTC', rules: {}, today: '2026-01-01' };

function wasParsed(text: string, onlyRules?: string[]): boolean {
  const cache: LintCache = {};
  lintDocument({ path: 'file.ts', languageId: 'typescript', text }, { ...SETTINGS, ...(onlyRules === undefined ? {} : { onlyRules }) }, RULES, cache);
  return cache.script?.sourceFile !== undefined;
}

function mayContainEmbeddedSql(text: string): boolean {
  return textAdmits(text, 'typescript', EMBEDDED_SQL_PREFILTER);
}

test('embedded SQL needs an SQL tag, or a query call and a string that opens like a statement', () => {
  assert.equal(mayContainEmbeddedSql('await pool.query(`SELECT 1`)'), true);
  assert.equal(mayContainEmbeddedSql('const rows = await sql`SELECT 1`'), true);
  assert.equal(mayContainEmbeddedSql('knex.raw<Row>("SELECT 1")'), true);
  assert.equal(mayContainEmbeddedSql('const label = "select from the list"; const queryString = 1;'), false);
  // The text may be a constant declared elsewhere in the file, open with blanks, escaped line
  // breaks or comments, or be the first part of a concatenation.
  assert.equal(mayContainEmbeddedSql('const Q = `\n  select id from t`;\nclient.query(Q);'), true);
  assert.equal(mayContainEmbeddedSql('db.query("\\n  SELECT id FROM t")'), true);
  assert.equal(mayContainEmbeddedSql("db.query('-- report\\nSELECT id FROM t')"), true);
  assert.equal(mayContainEmbeddedSql("db.query('/* report */ UPDATE t SET a = 1')"), true);
  assert.equal(mayContainEmbeddedSql('db.query("SELECT" + columns + " FROM t")'), true);
  assert.equal(mayContainEmbeddedSql('await client.query(`\\\ndelete from jobs where id = $1`, [id]);'), true);
  assert.equal(mayContainEmbeddedSql('function q() { return "DELETE FROM t WHERE id = " + id; }\nexecute(q());'), true);
  // WITH and MERGE open a statement only in their statement's shape; as English words they do not.
  assert.equal(mayContainEmbeddedSql('db.query(`WITH ${name} AS (SELECT 1) SELECT * FROM recent`)'), true);
  assert.equal(mayContainEmbeddedSql('db.query("with recursive t(n) as (select 1) select n from t")'), true);
  assert.equal(mayContainEmbeddedSql('db.query("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE")'), true);
  assert.equal(mayContainEmbeddedSql('throw new Error(" with value " + ms); const m = regex.exec(s);'), false);
  assert.equal(mayContainEmbeddedSql("source = 'with (obj) {\\n' + source; const n = 'drop' + side; const m = re.exec(s);"), false);
  // A query-like call with no statement in any string: regular expressions, promise helpers, and
  // backquoted words in comments (`the \`values\` of`), which are not where code writes a value.
  assert.equal(mayContainEmbeddedSql('/** Returns the `values` of `map` and `with` no arguments. */\nconst r = pattern.exec(text);'), false);
  assert.equal(mayContainEmbeddedSql('const m = /a+/.exec(text); const r = await any([a, b]); const s = "set";'), false);
  // The answer does not depend on an earlier call.
  assert.equal(mayContainEmbeddedSql('db.query("SELECT 1")'), true);
  assert.equal(mayContainEmbeddedSql('db.query("SELECT 1")'), true);
});

test('prefilter terms: substrings, whole words, imports, patterns, and their combinations', () => {
  const source = "import { Pool } from 'pg';\nconst got = require(\"got/dist\");\nimport('node:fs/promises');\nconst prefetched = cache.acks;\n";
  const text = { admits: (terms: readonly PrefilterTerm[]) => textAdmits(source, 'typescript', terms) };
  assert.equal(text.admits(['pool']), true);
  assert.equal(text.admits([word('fetch')]), false, 'prefetched is not the word fetch');
  assert.equal(text.admits([word('acks')]), true);
  assert.equal(text.admits([importOf('pg')]), true);
  assert.equal(text.admits([importOf('got')]), true, 'a subpath import is an import of the module');
  assert.equal(text.admits([importOf('fs')]), true, 'node: prefixes are ignored');
  assert.equal(text.admits([importOf('pg-pool', 'mysql2')]), false);
  assert.equal(text.admits([importOf('node:')]), true, 'a name ending in : stands for a family of modules');
  assert.equal(text.admits([importOf('got/')]), true, 'a name ending in / stands for its subpaths');
  assert.equal(text.admits([importOf('go')]), false, 'a module is not every module its name begins');
  assert.equal(text.admits([importOf('fs/promises')]), true);
  assert.equal(text.admits([importOf('@nestjs/')]), false);
  assert.equal(text.admits([matches(/cache\.\w+/)]), true);
  assert.equal(text.admits([allOf('pool', word('fetch'))]), false);
  assert.equal(text.admits([allOf('pool', anyOf(word('fetch'), importOf('pg')))]), true);
  assert.equal(text.admits([]), true, 'a rule with no terms always runs');
  assert.throws(() => matches(/x/g), /neither global nor sticky/);
  const python = { admits: (terms: readonly PrefilterTerm[]) => textAdmits('import boto3\nfrom sqlalchemy.orm import Session\nimport os, json\n', 'python', terms) };
  assert.equal(python.admits([importOf('sqlalchemy')]), true);
  assert.equal(python.admits([importOf('json')]), true);
  assert.equal(python.admits([importOf('sql')]), false);
  assert.equal(python.admits([importOf('sqlalchemy.orm')]), true);
  assert.equal(python.admits([importOf('sqlalchemy.or')]), false);
});

test('literals are looked for in one pass, overlapping and inside each other', () => {
  const admits = (text: string, terms: readonly PrefilterTerm[]) => textAdmits(text, 'typescript', terms);
  // Two literals that overlap: the second begins inside the first's match.
  assert.equal(admits('abcde', [allOf('abc', 'cde')]), true);
  // A literal that is part of a longer one matching at the same place, or further in.
  assert.equal(admits('db.getConnection()', [allOf('getconnection', 'connect', 'connection')]), true);
  // A word inside a longer literal's match counts where no name character touches it.
  assert.equal(admits('fetch.then(x)', [allOf('fetch.then', word('fetch'))]), true);
  assert.equal(admits('prefetch.then(x)', [allOf('fetch.then', word('fetch'))]), false);
  assert.equal(admits('prefetch(); fetch()', [word('fetch')]), true);
  assert.equal(admits('$fetch(); fetch_all()', [word('fetch')]), false);
  assert.equal(admits('FETCH(url)', [word('fetch')]), true, 'in any case');
  // What the census cannot look for is refused when the rule list is compiled, not missed.
  assert.throws(() => admits('abc', ['']), /printable ASCII, and not empty/);
  assert.throws(() => admits('İstanbul', ['İ']), /printable ASCII/);
});

/** The answers of one-term-at-a-time regular expressions, as the prefilter gave them before it was compiled. */
function referenceAdmits(text: string, terms: readonly PrefilterTerm[]): boolean {
  const holds = (term: PrefilterTerm): boolean => {
    if (typeof term === 'string') return new RegExp(escapeForPattern(term), 'i').test(text);
    if ('word' in term) return new RegExp(`(?<![\\w$])${escapeForPattern(term.word)}(?![\\w$])`, 'i').test(text);
    if ('anyOf' in term) return term.anyOf.some(holds);
    if ('allOf' in term) return term.allOf.every(holds);
    throw new Error('not used here');
  };
  return terms.length === 0 || terms.some(holds);
}

test('a compiled program answers every list as the terms one at a time would', () => {
  // Fragments chosen so that literals overlap, nest and touch name characters in every way.
  const fragments = ['fetch', 'Fetch', 'prefetch', 'fetcher', 'get', 'Connection', 'connect', 'ion', 'abc', 'cde', 'bcd', ' ', '.', '$', '_', '(', 'x', 'post', 'posted', '-', 'a'];
  const literals = ['fetch', 'getconnection', 'connect', 'connection', 'abc', 'cde', 'bcd', 'post', 'fetch.', 'x-a', 'on'];
  let seed = 7;
  const next = (limit: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % limit;
  };
  const literalTerm = (): PrefilterTerm => {
    const text = literals[next(literals.length)] as string;
    return next(2) === 0 ? text : word(text);
  };
  const lists: PrefilterTerm[][] = [];
  for (let index = 0; index < 40; index++) {
    const list: PrefilterTerm[] = [];
    for (let count = next(3); count >= 0; count--) {
      const shape = next(3);
      list.push(shape === 0 ? literalTerm() : shape === 1 ? allOf(literalTerm(), anyOf(literalTerm(), literalTerm())) : anyOf(literalTerm(), allOf(literalTerm(), literalTerm())));
    }
    lists.push(list);
  }
  const program = new PrefilterProgram(lists, 'typescript');
  for (let sample = 0; sample < 400; sample++) {
    let text = '';
    for (let count = next(12); count >= 0; count--) text += fragments[next(fragments.length)];
    const answers = program.admitted(text);
    lists.forEach((list, index) => assert.equal(answers[index], referenceAdmits(text, list), `${JSON.stringify(text)} and list ${index}: ${JSON.stringify(list)}`));
  }
});

test('followedBy: the second pattern after the first match of the first', () => {
  const term = followedBy(/\btry\s*\{/, /\bawait\b/);
  assert.equal(textAdmits('await a;\ntry { b(); } catch {}', 'typescript', [term]), false, 'an await before every try');
  assert.equal(textAdmits('try { b(); } catch {}\nawait a;', 'typescript', [term]), true);
  assert.throws(() => followedBy(/a/g, /b/), /neither global nor sticky/);
});

test('the retry gate: a try statement with a catch clause and an await after a try', () => {
  const admits = (text: string) => textAdmits(text, 'typescript', RETRY_PREFILTER);
  assert.equal(admits('for (;;) { try { return await call(); } catch (error) { await sleep(100); } }'), true);
  assert.equal(admits('while (true) { try /* first */ { return await call(); } // no luck\n catch { } }'), true, 'comments where the syntax allows them');
  assert.equal(admits('async function f() { try { return await call(); } /* a */ catch { await sleep(1); return f(); } }'), true);
  assert.equal(admits('const value = await fetchIt().catch(() => null);'), false, "a promise's .catch is not a catch clause");
  assert.equal(admits('try { parse(); } catch { }'), false, 'nothing awaited');
  assert.equal(admits("import pRetry from 'p-retry';\npRetry(run, { retries: 5 });"), true, 'a retry library');
  // Runs of comments after braces, none followed by catch: a comment pattern whose body could
  // run past its own `*/` never returned on this text (and hung the audit on a file of the A/B
  // set); one with an unbounded body took seconds on unterminated comments.
  const commented = '} /* a */ /* b */ x;\n'.repeat(2_000);
  assert.equal(admits(`${commented}try { await x; } finally {}`), false);
  assert.equal(admits(`${'}/*'.repeat(20_000)}try { await x; } finally {}`), true, 'an unterminated comment is read only so far, then lets the file through');
  assert.equal(admits(`try { await x; } /*${' '.repeat(5_000)}*/ catch {}`), true, 'a very long comment lets the file through');
});

test('the embedded-SQL gate reads comments in linear time', () => {
  // Runs of SQL comments with no statement after them: comment patterns that could run past
  // their own end tried exponentially many ways to split such a run.
  const admits = (text: string) => textAdmits(text, 'typescript', EMBEDDED_SQL_PREFILTER);
  // A block comment first lets the file through (PostgreSQL's nest, MySQL's do not).
  assert.equal(admits(`pool.query("${'/* a */ '.repeat(200)}not sql")`), true);
  assert.equal(admits(`pool.query('${'-- a\\n'.repeat(200)}nothing')`), false);
  assert.equal(admits(`pool.query('${'-- a\\n /* b */ '.repeat(200)}SELECT id FROM t')`), true);
});

test('the gates let through what the rules report, whatever the comments and line endings', () => {
  const rulesOn = (path: string, text: string) => [...new Set(lintDocument({ path, languageId: 'typescript', text }, SETTINGS, RULES).findings.map((finding) => finding.ruleId))].sort();
  const pg = "import { Pool } from 'pg';\nconst pool = new Pool({ max: 5, connectionTimeoutMillis: 1000, idleTimeoutMillis: 1000 });\n";
  // An escaped backslash before an n is not a written line break: the comment goes on.
  assert.deepEqual(rulesOn('a.ts', `${pg}pool.query('-- imported from C:\\\\new\\nSELECT * FROM users');`), ['select-star', 'unbounded-select']);
  // PostgreSQL's block comments nest.
  assert.deepEqual(rulesOn('b.ts', `${pg}pool.query('/* list /* all */ users */ SELECT * FROM users');`), ['select-star', 'unbounded-select']);
  // A line comment ended by a lone CR between the try block and its catch.
  const retry = 'export async function connectForever(connect: () => Promise<void>) {\n  while (true) {\n    try { await connect(); break; } // refused\rcatch (error) { console.log(error); }\n  }\n}\n';
  assert.deepEqual(rulesOn('c.ts', retry), ['retry-without-backoff', 'unbounded-retry']);
});

test('a name bound by a require and later by an import is the import, as the file reads', () => {
  const text = "function legacyPool() { const { Pool } = require('generic-pool'); return Pool; }\nimport { Pool } from 'pg';\nexport const pool = new Pool();\n";
  const found = lintDocument({ path: 'd.ts', languageId: 'typescript', text }, SETTINGS, RULES).findings.map((finding) => finding.ruleId);
  assert.ok(found.includes('pool-without-limits'), found.join(', '));
});

test("compiled imports are imports: TypeScript's __importDefault/__importStar and Babel's interop helpers", () => {
  const rulesOn = (text: string) => [...new Set(lintDocument({ path: 'lib/load.js', languageId: 'javascript', text }, SETTINGS, RULES).findings.map((finding) => finding.ruleId))].sort();
  const typescript = [
    '"use strict";',
    'const tslib_1 = require("tslib");',
    'const axios_1 = tslib_1.__importDefault(require("axios"));',
    'const pg = __importStar(require("pg"));',
    'const pool = new pg.Pool();',
    'async function load(url) { const { data } = await axios_1.default.get(url); return data; }',
    'exports.load = load; exports.pool = pool;',
  ].join('\n');
  assert.deepEqual(rulesOn(typescript), ['pool-without-limits', 'request-without-timeout']);
  const babel = [
    '"use strict";',
    'var _axios = _interopRequireDefault(require("axios"));',
    'function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }',
    'async function load(url) { const { data } = await _axios.default.get(url); return data; }',
    'exports.load = load;',
  ].join('\n');
  assert.deepEqual(rulesOn(babel), ['request-without-timeout']);
  // Not a compiled import: a helper of the same name around something else, or a default's member's member.
  assert.deepEqual(rulesOn('const axios = require("axios");\nconst client = __importDefault(makeClient());\nasync function load(url) { return client.default.get(url, { timeout: 5000 }); }\n'), []);
});

test('a minified bundle is not analysed, and says so', () => {
  const line = `var a=function(){return pool.query("SELECT * FROM t WHERE a = " + x)};`.repeat(60);
  const result = lintDocument({ path: 'bundle.js', languageId: 'javascript', text: `${line}\n${line}\n` }, SETTINGS, RULES);
  assert.deepEqual(result.findings, []);
  assert.match(result.notAnalysed ?? '', /minified/);
  const readable = lintDocument({ path: 'app.js', languageId: 'javascript', text: 'const rows = await pool.query("SELECT * FROM t WHERE a = " + x);\n' }, SETTINGS, RULES);
  assert.equal(readable.notAnalysed, undefined);
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
