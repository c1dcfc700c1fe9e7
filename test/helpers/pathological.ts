/**
 * The pathological inputs of issue #15, as generators of a given size: the regression tests use
 * them at the size the issue reported, and bench/pathological.ts times them at growing sizes to
 * show that the work per file stays linear. Each generator returns a file name and its text.
 */

export interface PathologicalFile {
  name: string;
  text: string;
}

const PG_HEADER = "import { Pool } from 'pg';\nconst pool = new Pool({ max: 10, connectionTimeoutMillis: 5_000 });\n";

/** The marker the end-to-end tests give FAULTLINE_TEST_FAULT (server/src/workspace/test-fault.ts). */
export const PLANTED_FAULT_MARKER = 'faultline-planted-test-fault';

/** A file the front ends fail on inside the engine's guard when FAULTLINE_TEST_FAULT names the marker: an internal error on demand. */
export function plantedFault(): PathologicalFile {
  return { name: 'planted-fault.ts', text: `// ${PLANTED_FAULT_MARKER}\n${PG_HEADER}await pool.query('SELECT id FROM users WHERE id = $1', [1]);\n` };
}

/** TypeScript asserts (Debug Failure) on a decorator on the line before a top-level `await`: the file cannot be parsed. */
export function decoratorBeforeAwait(): PathologicalFile {
  return { name: 'decorator-await.ts', text: `${PG_HEADER}@dec\nawait pool.query('SELECT id FROM users WHERE id = $1', [1]);\n` };
}

/** `count` unclosed `(` after a query call: 800 in about 870 bytes exhausted the parser's stack. */
export function unclosedParentheses(count: number): PathologicalFile {
  return { name: 'unclosed-parentheses.js', text: `${PG_HEADER}pool.query(${'('.repeat(count)}\n` };
}

/** Arrays nested `depth` deep, one bracket per line (so the file does not look minified). */
export function nestedArrays(depth: number): PathologicalFile {
  return { name: 'nested-arrays.ts', text: `${PG_HEADER}export const data = ${'[\n'.repeat(depth)}1${'\n]'.repeat(depth)};\nexport const rows = () => pool.query('SELECT * FROM users');\n` };
}

/** Parentheses nested `depth` deep around a value, one per line. */
export function nestedParentheses(depth: number): PathologicalFile {
  return { name: 'nested-parentheses.ts', text: `${PG_HEADER}export const value = ${'(\n'.repeat(depth)}1${'\n)'.repeat(depth)};\nexport const rows = () => pool.query('SELECT * FROM users');\n` };
}

/** A Python line of `count` string concatenations: tree-sitter's tree of it is `count` deep. */
export function pythonConcatenation(count: number): PathologicalFile {
  const chain = Array.from({ length: count }, () => '"a"').join(' + ');
  return {
    name: 'concatenation.py',
    text: `import requests\n\ndef sync(cursor, user_id):\n    label = ${chain}\n    cursor.execute("SELECT " + ${chain} + " FROM t WHERE id = " + user_id)\n    return requests.get("https://api.example.com/users")\n`,
  };
}

/** A JS line of `count` string concatenations (a left-deep tree `count` deep), passed to a query. */
export function scriptConcatenation(count: number): PathologicalFile {
  const chain = Array.from({ length: count }, () => "'a'").join(' +\n  ');
  return { name: 'concatenation.ts', text: `${PG_HEADER}export async function sync(userId: string) {\n  const label = ${chain};\n  return pool.query('SELECT ' + ${chain} + ' FROM t WHERE id = ' + userId);\n}\n` };
}

/** A Python function with `count` `cursor.execute(f"...")` calls, each in its own loop. */
export function pythonExecuteLoops(count: number): PathologicalFile {
  const lines = ['def sync(cursor, users):'];
  for (let index = 0; index < count; index++) lines.push('    for user in users:', `        cursor.execute(f"UPDATE users SET seen = now() WHERE id = {user.id} AND n = ${index}")`);
  return { name: 'execute-loops.py', text: `${lines.join('\n')}\n` };
}

/** One SELECT with `count` comma-joined tables and nothing linking them. */
export function cartesianFromItems(count: number): PathologicalFile {
  return { name: 'cartesian.sql', text: `SELECT 1 FROM ${Array.from({ length: count }, (_, index) => `t${index}`).join(', ')};\n` };
}

/** A predicate nested `depth` parentheses deep (one `= NULL` inside). */
export function nestedSqlPredicate(depth: number): PathologicalFile {
  return { name: 'nested-predicate.sql', text: `SELECT id FROM t WHERE ${'(\n'.repeat(depth)}a = NULL${'\n)'.repeat(depth)};\n` };
}

/** `IN (SELECT ...)` subqueries nested `depth` deep. */
export function nestedSqlSubqueries(depth: number): PathologicalFile {
  return { name: 'nested-subqueries.sql', text: `SELECT id FROM t WHERE a IN ${'(SELECT a FROM t WHERE a IN\n'.repeat(depth)}(1)${')\n'.repeat(depth)};\n` };
}

/** A single Python line of about `bytes` bytes: a list of string literals. */
export function longPythonLine(bytes: number): PathologicalFile {
  const item = '"abcdefgh", ';
  return { name: 'long-line.py', text: `import requests\nDATA = [${item.repeat(Math.ceil(bytes / item.length))}]\nrequests.get("https://api.example.com")\n` };
}

/** A file that ends while a substitution is being typed in a query's template. */
export function midTypingTemplate(): PathologicalFile {
  return { name: 'mid-typing.ts', text: `${PG_HEADER}export const user = (id: string) => pool.query(\`SELECT * FROM users WHERE id = \${(` };
}

/**
 * `depth` nested `async (a =` arrows left open: TypeScript's parser tries each as an arrow's
 * parameters and as a call, so its time doubles about every two levels (16: seconds; 30: hours).
 * The engine refuses it before the parse (scriptShapeLimit in rules/engine/languages/typescript.ts).
 */
export function nestedUnclosedArrows(depth: number): PathologicalFile {
  return { name: 'nested-arrows.ts', text: `${PG_HEADER}export const handler = ${'async (a = '.repeat(depth)}\n` };
}
