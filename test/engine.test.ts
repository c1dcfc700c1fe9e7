/**
 * Engine units: the statement splitter, embedded SQL extraction and its offset map, config
 * parsing, and suppressions. Data-driven where the cases are alike.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countParsingStatements, lintDocument, parseConfig, RULES, type LintSettings } from '../rules';
import { splitSqlStatements } from '../rules/engine/languages/sql/statements';
import { fileNodes, findEmbeddedSql, nodesOfKind, parseScript, ts } from '../rules/engine/languages/typescript';
import { buildSqlSource, looksLikeSql } from '../rules/engine/languages/sql/source';
import { mapRangeToHost } from '../rules/engine/embedded';
import type { SqlDialect } from '../rules/engine/types';

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-11-24' };
const DAU = "SELECT DATE(login_time) AS date, COUNT(DISTINCT user_id) AS dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time)";

describe('statement splitter', () => {
  const cases: { name: string; dialect: SqlDialect; text: string; statements: string[] }[] = [
    { name: 'plain statements', dialect: 'postgresql', text: 'SELECT 1; SELECT 2;', statements: ['SELECT 1', 'SELECT 2'] },
    { name: '; inside strings, quoted identifiers and comments', dialect: 'postgresql', text: `SELECT ';' AS "a;b" -- c;d\n/* e; */ FROM t; SELECT 2`, statements: [`SELECT ';' AS "a;b" -- c;d\n/* e; */ FROM t`, 'SELECT 2'] },
    { name: 'dollar-quoted function bodies', dialect: 'postgresql', text: 'CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END; $$ LANGUAGE plpgsql; SELECT 1', statements: ['CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END; $$ LANGUAGE plpgsql', 'SELECT 1'] },
    { name: 'tagged dollar quotes', dialect: 'postgresql', text: 'DO $body$ BEGIN PERFORM 1; END $body$; SELECT 2', statements: ['DO $body$ BEGIN PERFORM 1; END $body$', 'SELECT 2'] },
    { name: 'psql meta-commands end a statement', dialect: 'postgresql', text: 'SELECT 1\n\\connect other\nSELECT 2;', statements: ['SELECT 1', 'SELECT 2'] },
    { name: 'T-SQL GO batches', dialect: 'transactsql', text: 'SELECT 1\nGO\nSELECT 2\nGO', statements: ['SELECT 1', 'SELECT 2'] },
    { name: 'MySQL DELIMITER', dialect: 'mysql', text: 'DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END$$\nDELIMITER ;\nSELECT 3;', statements: ['CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END', 'SELECT 3'] },
    { name: 'MySQL backslash escapes and # comments', dialect: 'mysql', text: "SELECT 'it\\'s;' # no; split\nFROM t; SELECT 2", statements: ["SELECT 'it\\'s;' # no; split\nFROM t", 'SELECT 2'] },
    { name: 'placeholders of every driver', dialect: 'postgresql', text: 'SELECT * FROM t WHERE a = $1 AND b = :name AND c = ? AND d = {{ var }}; SELECT 2', statements: ['SELECT * FROM t WHERE a = $1 AND b = :name AND c = ? AND d = {{ var }}', 'SELECT 2'] },
    { name: 'unterminated string runs to the end, never throws', dialect: 'postgresql', text: "SELECT 'oops; SELECT 2", statements: ["SELECT 'oops; SELECT 2"] },
  ];
  for (const { name, dialect, text, statements } of cases) {
    test(name, () => {
      const split = splitSqlStatements(text, dialect);
      assert.deepEqual(split.statements.map((statement) => text.slice(statement.range.start, statement.range.end)), statements);
    });
  }
  test('placeholders become placeholder tokens, and :: casts are not placeholders', () => {
    const tokens = splitSqlStatements('SELECT a::date FROM t WHERE b = :name AND c = $2 AND d = @p', 'postgresql').statements[0]?.tokens ?? [];
    assert.deepEqual(tokens.filter((token) => token.kind === 'placeholder').map((token) => token.text), [':name', '$2', '@p']);
  });
});

describe('embedded SQL in TypeScript', () => {
  const find = (text: string) => {
    const sourceFile = parseScript(text, 'a.ts', 'typescript');
    return findEmbeddedSql(sourceFile).filter((site) => site.kind === 'tagged' || looksLikeSql(buildSqlSource(site.embedded.text, 'postgresql', site.substitutions, true)));
  };
  test('finds tagged templates, query calls and constants passed to them', () => {
    const text = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      "const BY_ID = 'SELECT * FROM users WHERE id = $1';",
      'pool.query(BY_ID, [1]);',
      'sql`SELECT 1`;',
      'prisma.$queryRaw`SELECT * FROM t WHERE id = ${id}`;',
      "knex.raw('DELETE FROM sessions');",
      "db.any('SELECT * FROM orders WHERE id = $1', [1]);",
      "pool.query({ text: 'SELECT 2 FROM t', values: [] });",
    ].join('\n');
    assert.deepEqual(find(text).map((site) => site.embedded.text), ['SELECT * FROM users WHERE id = $1', 'SELECT 1', 'SELECT * FROM t WHERE id = __fl_0__', 'DELETE FROM sessions', 'SELECT * FROM orders WHERE id = $1', 'SELECT 2 FROM t']);
  });
  test('a UI string that starts with "select" is not SQL', () => {
    assert.deepEqual(find("showMessage('Select a file to upload');\nconst label = 'select an option';\nrouter.query('Select * to see everything');"), []);
  });
  test('the offset map lands on the host characters, through escapes and substitutions', () => {
    const text = "pool.query('SELECT \\'a\\' AS x, DATE(ts) FROM t WHERE id = ' + id);";
    const [site] = find(text);
    assert.ok(site !== undefined);
    const virtualStart = site.embedded.text.indexOf('DATE(ts)');
    const host = mapRangeToHost(site.embedded, { start: virtualStart, end: virtualStart + 'DATE(ts)'.length });
    assert.equal(text.slice(host.start, host.end), 'DATE(ts)');
    const hole = site.substitutions[0];
    assert.ok(hole !== undefined);
    const holeHost = mapRangeToHost(site.embedded, hole.range);
    assert.equal(text.slice(holeHost.start, holeHost.end), 'id');
  });
  test('the daily-active-users query is flagged the same as a .sql file and embedded in TypeScript', () => {
    const rules = (languageId: 'sql' | 'typescript', text: string) => new Set(lintDocument({ path: languageId === 'sql' ? 'a.sql' : 'a.ts', languageId, text }, SETTINGS, RULES).findings.map((finding) => finding.ruleId));
    const inSql = rules('sql', DAU);
    const inTs = rules('typescript', `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const dau = () => pool.query(\`${DAU}\`);\n`);
    for (const ruleId of ['timezone-naive-date-bucket', 'full-history-scan']) {
      assert.ok(inSql.has(ruleId), `${ruleId} in .sql`);
      assert.ok(inTs.has(ruleId), `${ruleId} in .ts`);
    }
  });
});

describe('config', () => {
  const metas = RULES.map((rule) => rule.meta);
  test('a valid config with comments and trailing commas', () => {
    const result = parseConfig('{\n // team config\n "sqlDialect": "mysql", "reportingTimeZone": "Europe/Berlin",\n "rules": { "select-star": "off", "offset-pagination": ["error", { "maxOffset": 500 }], },\n}', metas);
    assert.deepEqual(result.problems, []);
    assert.equal(result.config?.sqlDialect, 'mysql');
    assert.deepEqual(result.config?.rules['offset-pagination'], { level: 'error', options: { maxOffset: 500 } });
  });
  const broken: [string, string, RegExp][] = [
    ['invalid JSON', '{ "rules": ', /Invalid JSON/],
    ['unknown rule with a suggestion', '{ "rules": { "equal-null": "error" } }', /Unknown rule `equal-null`. Did you mean `equals-null`\?/],
    ['bad severity', '{ "rules": { "equals-null": "loud" } }', /must be one of/],
    ['unknown option', '{ "rules": { "offset-pagination": ["warning", { "max": 5 }] } }', /has no option `max`/],
    ['option of the wrong type', '{ "rules": { "offset-pagination": ["warning", { "maxOffset": "5" }] } }', /must be a number/],
    ['bad dialect', '{ "sqlDialect": "oracle" }', /sqlDialect/],
    ['mistyped dialect, with a suggestion', '{ "sqlDialect": "postgres" }', /must be one of .*\. Did you mean `postgresql`\?/],
    ['mistyped severity, with a suggestion', '{ "rules": { "equals-null": "eror" } }', /must be one of .*\. Did you mean `error`\?/],
    ['bad time zone', '{ "reportingTimeZone": "Mars/Olympus" }', /IANA/],
  ];
  for (const [name, text, message] of broken) {
    test(`rejected with a located error: ${name}`, () => {
      const result = parseConfig(text, metas);
      assert.equal(result.config, null);
      const problem = result.problems.find((candidate) => message.test(candidate.message));
      assert.ok(problem !== undefined, result.problems.map((candidate) => candidate.message).join('\n'));
      assert.ok(problem.range.end >= problem.range.start && problem.range.start <= text.length);
    });
  }
  test('a JSON syntax error is said in words, once per place', () => {
    const result = parseConfig('{ "rules": { "select-star": "off" ', metas);
    assert.deepEqual(result.problems.map((problem) => problem.message), ['Invalid JSON: a closing `}` is expected here: an object is not closed.']);
  });
  test('an unknown top-level key is a warning and the config still applies', () => {
    const result = parseConfig('{ "dialect": "mysql" }', metas);
    assert.notEqual(result.config, null);
    assert.equal(result.problems[0]?.severity, 'warning');
    const mistyped = parseConfig('{ "reportingTimezone": "UTC" }', metas);
    assert.match(mistyped.problems[0]?.message ?? '', /Did you mean `reportingTimeZone`\?$/);
  });
});

describe('suppressions', () => {
  const lint = (text: string) => lintDocument({ path: 'a.sql', languageId: 'sql', text }, SETTINGS, RULES).findings.map((finding) => `${finding.ruleId}: ${finding.message}`);
  test('next-line with a reason hides the finding, across the whole statement', () => {
    assert.deepEqual(lint(`-- faultline-ignore-next-line timezone-naive-date-bucket, full-history-scan -- dashboard pinned to UTC\n${DAU};`), []);
  });
  test('a suppression without a reason suppresses nothing and is reported', () => {
    const findings = lint(`-- faultline-ignore-next-line timezone-naive-date-bucket\n${DAU};`);
    assert.ok(findings.some((finding) => finding.startsWith('invalid-suppression')));
    assert.ok(findings.some((finding) => finding.startsWith('timezone-naive-date-bucket')));
  });
  test('a run of only some rules reports a missing reason only on their suppressions', () => {
    const only = (rules: string[]) => lintDocument({ path: 'a.sql', languageId: 'sql', text: `-- faultline-ignore-next-line timezone-naive-date-bucket\n${DAU};` }, { ...SETTINGS, onlyRules: rules }, RULES).findings.map((finding) => finding.ruleId);
    assert.ok(only(['timezone-naive-date-bucket']).includes('invalid-suppression'));
    assert.ok(!only(['select-star']).includes('invalid-suppression'));
  });
  test('an unknown rule in a suppression is reported', () => {
    assert.ok(lint('-- faultline-ignore-next-line no-such-rule -- because\nSELECT 1;').some((finding) => finding.startsWith('invalid-suppression')));
  });
  test('an expired suppression shows the finding again and says so', () => {
    const findings = lint(`-- faultline-ignore-next-line timezone-naive-date-bucket -- migration window until 2026-01-31\n${DAU};`);
    assert.ok(findings.some((finding) => finding.startsWith('timezone-naive-date-bucket') && finding.includes('expired on 2026-01-31')));
  });
  test('a suppression dated in the future still applies', () => {
    const findings = lint(`-- faultline-ignore-next-line timezone-naive-date-bucket -- migration window until 2027-01-31\n${DAU};`);
    assert.ok(!findings.some((finding) => finding.startsWith('timezone-naive-date-bucket')));
  });
  test('an unused suppression is reported as a hint tagged unnecessary', () => {
    const result = lintDocument({ path: 'a.sql', languageId: 'sql', text: '-- faultline-ignore-next-line equals-null -- legacy\nSELECT id FROM t WHERE id = 1;' }, SETTINGS, RULES);
    const unused = result.findings.find((finding) => finding.ruleId === 'unused-suppression');
    assert.equal(unused?.severity, 'hint');
    assert.deepEqual(unused?.tags, ['unnecessary']);
  });
  test('file-level suppressions in TypeScript comments', () => {
    const text = `// faultline-ignore-file timezone-naive-date-bucket -- reports run in UTC sessions\nimport { Pool } from 'pg';\nconst pool = new Pool();\nexport const dau = () => pool.query(\`${DAU} LIMIT 10\`);\n`;
    const result = lintDocument({ path: 'a.ts', languageId: 'typescript', text }, SETTINGS, RULES);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'timezone-naive-date-bucket'));
  });
});

describe('the runner', () => {
  test('a rule that throws becomes one internal error and the other rules still report', () => {
    const sqlRule = RULES.find((rule) => rule.meta.id === 'timezone-naive-date-bucket');
    assert.ok(sqlRule !== undefined);
    const throwing = { meta: { ...sqlRule.meta, id: 'always-throws', prefilter: [] }, create: () => ({ statement: () => { throw new Error('boom'); } }) };
    const result = lintDocument({ path: 'a.sql', languageId: 'sql', text: `${DAU}; ${DAU};` }, SETTINGS, [throwing, ...RULES]);
    assert.equal(result.internalErrors.length, 1);
    assert.equal(result.internalErrors[0]?.ruleId, 'always-throws');
    assert.ok(result.findings.some((finding) => finding.ruleId === 'timezone-naive-date-bucket'));
  });
  test('a rule set to "off" in the settings does not run, and --rules narrows what runs', () => {
    const off = lintDocument({ path: 'a.sql', languageId: 'sql', text: DAU }, { ...SETTINGS, rules: { 'timezone-naive-date-bucket': { level: 'off', options: {} } } }, RULES);
    assert.ok(!off.findings.some((finding) => finding.ruleId === 'timezone-naive-date-bucket'));
    const only = lintDocument({ path: 'a.sql', languageId: 'sql', text: DAU }, { ...SETTINGS, onlyRules: ['full-history-scan'] }, RULES);
    assert.deepEqual([...new Set(only.findings.map((finding) => finding.ruleId))], ['full-history-scan']);
  });
  test('a rule that needs well-formed SQL reports only on statements the grammar accepts, and the grammar is asked only about its findings', () => {
    const unboundedSelect = RULES.find((rule) => rule.meta.id === 'unbounded-select');
    assert.ok(unboundedSelect?.meta.requiresParse === true);
    // Both read every row of orders; the grammar rejects the second (a comma before FROM).
    const text = 'SELECT id, email FROM orders;\nSELECT id, email, FROM orders;';
    assert.deepEqual(countParsingStatements(text, 'postgresql'), { statements: 2, parsing: 1 });
    const result = lintDocument({ path: 'a.sql', languageId: 'sql', text }, { ...SETTINGS, onlyRules: ['unbounded-select'] }, RULES);
    assert.deepEqual(result.findings.map((finding) => finding.range.start < text.indexOf('\n')), [true]);
    assert.deepEqual(result.internalErrors, []);
    const source = buildSqlSource(text, 'postgresql');
    const asked: number[] = [];
    for (const statement of source.statements) Object.defineProperty(statement, 'parses', { get: () => { asked.push(statement.index); return true; } });
    assert.equal(looksLikeSql(source), true);
    assert.deepEqual(asked, [], 'text that reads as code is SQL without asking the grammar');
  });
});

describe('incremental re-parsing', () => {
  test('linting a sequence of edits with the parse cache gives exactly the cold results', () => {
    let text = `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const dau = () => pool.query(\`${DAU}\`);\nexport const one = (id: number) => pool.query('SELECT * FROM users WHERE id = $1', [id]);\n`;
    const cache = {};
    const edits: [string, string][] = [
      ['WHERE id = $1', 'WHERE id = $1 LIMIT 1'],
      ["event_type = 'login'", "event_type = 'login' AND login_time >= now() - interval '1 day'"],
      ['export const one', '// a comment\nexport const one'],
      ['pool.query(`', 'pool.query(  `'],
      ['DATE(login_time)', 'login_time::date'],
      ['LIMIT 1', ''],
      ['export const dau', 'export const orders = () => pool.query(`SELECT * FROM orders`);\nexport const dau'],
    ];
    const summary = (result: ReturnType<typeof lintDocument>) => result.findings.map((finding) => `${finding.ruleId}@${finding.range.start}-${finding.range.end}`);
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      text = text.replace(from, to);
      const cold = lintDocument({ path: 'a.ts', languageId: 'typescript', text }, SETTINGS, RULES);
      const warm = lintDocument({ path: 'a.ts', languageId: 'typescript', text }, SETTINGS, RULES, cache);
      assert.deepEqual(summary(warm), summary(cold), `after replacing ${from}`);
    }
  });
  test("an edit's node list, made from the previous parse's, is the one a fresh parse gives", () => {
    const lines = Array.from({ length: 40 }, (_, index) => `export function f${index}(value: number) { return value * ${index}; }`);
    let text = lines.join('\n');
    const cache = {};
    const shape = (file: ts.SourceFile, nodes: readonly ts.Node[]) => nodes.map((node) => `${ts.SyntaxKind[node.kind]}@${node.pos}-${node.end}${node.parent === undefined ? '' : `<${node.parent.kind}`}${node.getSourceFile() === file ? '' : '!'}`);
    const edits: [string, string][] = [
      ['value * 1;', 'value * 10;'], // inside the second statement
      ['export function f0', '// a comment\nexport function f0'], // before everything
      ['value * 39; }', 'value * 39; }\nconst added = 1;'], // a statement at the end
      ['export function f20(value: number) { return value * 20; }\n', ''], // a statement removed
      ['return value * 5;', 'return value * (5;'], // a syntax error
      ['return value * (5;', 'return value * 5;'], // and its repair
      ['const added = 1;', ''], // the last statement removed
      ['', 'import { Pool } from "pg";\n'], // a statement at the start
    ];
    parseScript(text, 'a.ts', 'typescript', cache);
    fileNodes(parseScript(text, 'a.ts', 'typescript', cache));
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      text = text.replace(from, to);
      const warm = parseScript(text, 'a.ts', 'typescript', cache);
      const cold = parseScript(text, 'a.ts', 'typescript');
      assert.deepEqual(shape(warm, fileNodes(warm)), shape(cold, fileNodes(cold)), `after replacing ${from}`);
      for (const kind of [ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.Identifier, ts.SyntaxKind.EndOfFileToken]) {
        assert.deepEqual(shape(warm, nodesOfKind(warm, kind)), shape(cold, nodesOfKind(cold, kind)), `${ts.SyntaxKind[kind]} after replacing ${from}`);
      }
    }
  });
});
