/**
 * Python in the engine (issue #6): an engine that has not loaded the grammar yet gives Python no
 * findings and does not crash; embedded SQL in f-strings, `%` / `.format` templates, escapes and
 * triple quotes maps back to the exact host offsets; `#` suppressions work; half-typed files are
 * linted as far as they parse. The first test must run before the grammar loads, so this file
 * keeps its order (node's test runner runs each file in its own process).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPythonInitialized, lintDocument, RULES, type Finding, type LintSettings } from '../rules';
import { buildPythonEmbeddedText, decodePythonLiteral, parsePython, type PythonNode } from '../rules/engine/languages/python';
import { mapRangeToHost } from '../rules/engine/embedded';
import { loadPythonParser } from '../server/src/workspace/python';

// One SQL rule and the two Python rules, so each test sees only the findings it is about.
const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, onlyRules: ['timezone-naive-date-bucket', 'naive-datetime-in-pipeline', 'spark-collect-to-driver'], today: '2026-11-24' };

function lint(text: string): Finding[] {
  const result = lintDocument({ path: 'job.py', languageId: 'python', text }, SETTINGS, RULES);
  assert.deepEqual(result.internalErrors, []);
  return result.findings;
}

const NAIVE_BUCKET = 'def f(cur):\n    cur.execute("SELECT DATE(created_at), count(*) FROM orders GROUP BY 1")\n';

test('before the grammar is loaded, a Python file gets no findings and no crash', () => {
  assert.equal(isPythonInitialized(), false);
  assert.deepEqual(lint(NAIVE_BUCKET), []);
  assert.deepEqual(lint('# faultline-ignore-next-line select-star -- reason\nx = 1\n'), []);
});

test('the grammar loads from node_modules (the bundle loads it from dist/)', async () => {
  assert.equal(await loadPythonParser(), null);
  assert.equal(isPythonInitialized(), true);
  assert.deepEqual(lint(NAIVE_BUCKET).map((finding) => finding.ruleId), ['timezone-naive-date-bucket']);
});

/** The first string-like expression of the first call's arguments in `text`. */
function embedded(text: string) {
  const file = parsePython(text);
  assert.ok(file !== null);
  const call = file.root.descendantsOfType('call')[0];
  assert.ok(call !== undefined && call !== null, 'no call in the snippet');
  const argument: PythonNode | null | undefined = call.childForFieldName('arguments')?.namedChildren[0];
  assert.ok(argument !== undefined && argument !== null);
  const built = buildPythonEmbeddedText(argument, text);
  assert.ok(built !== null, 'no embedded text');
  return built;
}

/** Maps the virtual range of `needle` back to the host and returns the host text there. */
function hostTextOf(text: string, needle: string): string {
  const built = embedded(text);
  const start = built.embedded.text.indexOf(needle);
  assert.ok(start !== -1, `${needle} not in ${JSON.stringify(built.embedded.text)}`);
  const range = mapRangeToHost(built.embedded, { start, end: start + needle.length });
  return text.slice(range.start, range.end);
}

test('escapes decode with an exact offset map', () => {
  const raw = String.raw`a\tb\x41\u00e9\N{BULLET}\d\'c`;
  const decoded = decodePythonLiteral(raw, 100, { raw: false, bytes: false, fString: false });
  assert.equal(decoded.text, 'a\tbAé\ufffd\\d\'c');
  assert.equal(decoded.offsets.length, decoded.text.length + 1);
  assert.deepEqual(decoded.offsets.slice(0, 5), [100, 101, 103, 104, 108]);
  const rawString = decodePythonLiteral(String.raw`\d+\'`, 0, { raw: true, bytes: false, fString: false });
  assert.equal(rawString.text, String.raw`\d+\'`);
});

test('f-strings: fields are substitutions with their expression, braces and escapes map back', () => {
  const text = 'cur.execute(f"SELECT {{x}} FROM t\\tWHERE id = {user.id!r} AND name = \'{name:>10}\'")\n';
  const built = embedded(text);
  assert.equal(built.embedded.text, "SELECT {x} FROM t\tWHERE id = __fl_0__ AND name = '__fl_1__'");
  assert.deepEqual(built.substitutions.map((substitution) => substitution.expressionText), ['user.id', 'name']);
  assert.deepEqual(built.substitutionKinds, ['fstring', 'fstring']);
  assert.equal(hostTextOf(text, '__fl_0__'), '{user.id!r}');
  assert.equal(hostTextOf(text, 'WHERE'), 'WHERE');
  assert.equal(hostTextOf(text, '{x}'), '{{x}}');
});

test('triple quotes, implicit concatenation and prefixes keep every offset', () => {
  const text = 'cur.execute(\n    """\n    SELECT id\n    FROM orders\n    """\n    rb\'WHERE a ~ \\d\'\n)\n';
  const built = embedded(text);
  assert.equal(built.embedded.text, '\n    SELECT id\n    FROM orders\n    WHERE a ~ \\d');
  assert.equal(hostTextOf(text, 'FROM orders'), 'FROM orders');
  assert.equal(hostTextOf(text, '~ \\d'), '~ \\d');
});

test('% and .format templates: conversions become substitutions, %% and {{ stay literal', () => {
  const percent = embedded('cur.execute("SELECT * FROM t WHERE a = %s AND b LIKE \'%%x\' AND c = %d" % (a, b + 1))\n');
  assert.equal(percent.embedded.text, "SELECT * FROM t WHERE a = __fl_0__ AND b LIKE '%x' AND c = __fl_1__");
  assert.deepEqual(percent.substitutions.map((substitution) => substitution.expressionText), ['a', 'b + 1']);
  const dictionary = embedded('cur.execute("SELECT * FROM t WHERE c IN (%(ids)s)" % {"ids": ",".join(ids)})\n');
  assert.deepEqual(dictionary.substitutions.map((substitution) => [substitution.expressionText, substitution.isArrayJoin]), [['",".join(ids)', true]]);
  const format = embedded('spark.sql("SELECT {} FROM {table} WHERE x = {{1}}".format(cols, table=name))\n');
  assert.equal(format.embedded.text, 'SELECT __fl_0__ FROM __fl_1__ WHERE x = {1}');
  assert.deepEqual(format.substitutions.map((substitution) => substitution.expressionText), ['cols', 'name']);
});

test('a parameterized DB-API query is not a substitution', () => {
  const built = embedded('cur.execute("SELECT * FROM t WHERE a = %s", (a,))\n');
  assert.equal(built.embedded.text, 'SELECT * FROM t WHERE a = %s');
  assert.deepEqual(built.substitutions, []);
});

test('SQL rule findings in a Python string land on the host text, and fixes keep the quoting', () => {
  const text = 'def f(cur):\n    cur.execute(f"SELECT date_trunc(\'day\', created_at) FROM {table} GROUP BY 1")\n';
  const [finding] = lint(text).filter((candidate) => candidate.ruleId === 'timezone-naive-date-bucket');
  assert.ok(finding !== undefined);
  assert.equal(text.slice(finding.range.start, finding.range.end), "date_trunc('day', created_at)");
  const edit = finding.fixes[0]?.edits[0];
  assert.deepEqual(edit?.newText, ", 'UTC'");
});

test('a `#` suppression above the query call hides the finding; an unused one is reported', () => {
  const suppressed = 'def f(cur):\n    # faultline-ignore-next-line timezone-naive-date-bucket -- the warehouse session is UTC\n    cur.execute("SELECT DATE(created_at), count(*) FROM orders GROUP BY 1")\n';
  assert.deepEqual(lint(suppressed), []);
  const unused = 'def f(cur):\n    # faultline-ignore-next-line timezone-naive-date-bucket -- the warehouse session is UTC\n    cur.execute("SELECT 1")\n';
  assert.deepEqual(lint(unused).map((finding) => finding.ruleId), ['unused-suppression']);
});

test('a half-typed file is linted as far as it parses, without internal errors', () => {
  const text = 'from datetime import datetime\nimport boto3\n\ndef f(cur):\n    cur.execute("SELECT DATE(created_at), count(*) FROM orders GROUP BY 1")\n    key = f"dt={datetime.now():%Y-%m-%d}/\n    for row in cur.fetchall(\n';
  const rules = lint(text).map((finding) => finding.ruleId);
  assert.ok(rules.includes('timezone-naive-date-bucket'), `got ${rules.join(', ')}`);
  for (let cut = 0; cut < text.length; cut += 7) lint(text.slice(0, cut));
});
