/**
 * The SQL-in-JS/TS injection grammar (syntaxes/sql-in-js.tmLanguage.json), tested the way VS Code
 * runs it: vscode-textmate with the Oniguruma WebAssembly build tokenizes fixture files under the
 * real TypeScript, JavaScript and SQL grammars (the copies of VS Code's grammars that the
 * tm-grammars package ships), with our grammar injected, and the scopes are asserted.
 *
 * The tags and callees the grammar recognizes must be exactly the engine's `SQL_TAGS` and
 * `SQL_CALLEES`: the grammar's alternations are read back and compared, and every name is also
 * tokenized, so a name added to the engine and not to the grammar (or the reverse) fails here.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as onig from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar, type IRawGrammar } from 'vscode-textmate';
import { SQL_CALLEES, SQL_TAGS } from '../rules/engine/languages/typescript';
import { REPO_ROOT } from './helpers/paths';

const GRAMMAR_PATH = join(REPO_ROOT, 'syntaxes', 'sql-in-js.tmLanguage.json');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'grammar');
const INJECTION_SCOPE = 'inline.sql.faultline';
const HOST_SCOPES = ['source.js', 'source.ts', 'source.js.jsx', 'source.tsx'];

/** Where each grammar the tests load comes from, by scope name. */
const GRAMMAR_FILES: Record<string, string> = {
  'source.ts': join(REPO_ROOT, 'node_modules', 'tm-grammars', 'grammars', 'typescript.json'),
  'source.tsx': join(REPO_ROOT, 'node_modules', 'tm-grammars', 'grammars', 'tsx.json'),
  'source.js': join(REPO_ROOT, 'node_modules', 'tm-grammars', 'grammars', 'javascript.json'),
  'source.sql': join(REPO_ROOT, 'node_modules', 'tm-grammars', 'grammars', 'sql.json'),
  [INJECTION_SCOPE]: GRAMMAR_PATH,
};

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

interface RawRule {
  begin?: string;
}

interface RawInjectionGrammar {
  scopeName: string;
  injectionSelector: string;
  repository: Record<string, RawRule>;
}

function readInjectionGrammar(): RawInjectionGrammar {
  return JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')) as RawInjectionGrammar;
}

/** One registry for the whole file: loading the WebAssembly build twice throws. */
const registry: Promise<Registry> = (async () => {
  const wasm = readFileSync(join(REPO_ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
      createOnigString: (text: string) => new onig.OnigString(text),
    }),
    loadGrammar: async (scopeName: string): Promise<IRawGrammar | null> => {
      const path = GRAMMAR_FILES[scopeName];
      if (path === undefined) return null;
      return parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
    getInjections: (scopeName: string) => (HOST_SCOPES.includes(scopeName) ? [INJECTION_SCOPE] : undefined),
  });
})();

async function loadGrammar(scopeName: string): Promise<IGrammar> {
  const grammar = await (await registry).loadGrammar(scopeName);
  assert.ok(grammar !== null, `grammar ${scopeName} did not load`);
  return grammar;
}

async function tokenize(text: string, scopeName: string): Promise<Token[]> {
  const grammar = await loadGrammar(scopeName);
  const tokens: Token[] = [];
  let state = INITIAL;
  text.split('\n').forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    state = result.ruleStack;
    for (const token of result.tokens) {
      const tokenText = lineText.slice(token.startIndex, token.endIndex);
      if (tokenText.trim() !== '') tokens.push({ line, text: tokenText.trim(), scopes: token.scopes });
    }
  });
  return tokens;
}

async function tokenizeFixture(name: string): Promise<Token[]> {
  const scopeName = name.endsWith('.js') ? 'source.js' : 'source.ts';
  return tokenize(readFileSync(join(FIXTURES, name), 'utf8'), scopeName);
}

/** The token `text` on the first line that contains `lineMarker` (after an earlier `text` on it if `nth` > 0). */
function findToken(tokens: Token[], lines: string[], lineMarker: string, text: string, nth = 0): Token {
  const line = lines.findIndex((candidate) => candidate.includes(lineMarker));
  assert.ok(line >= 0, `no fixture line contains ${JSON.stringify(lineMarker)}`);
  const found = tokens.filter((token) => token.line === line && token.text === text)[nth];
  assert.ok(found !== undefined, `no token ${JSON.stringify(text)} on line ${line + 1}: ${lines[line]}`);
  return found;
}

/** Scopes that come from the SQL grammar (or our SQL rules) below the innermost TypeScript substitution. */
function sqlScopesInsideSubstitution(scopes: string[]): string[] {
  const substitution = scopes.lastIndexOf('meta.template.expression.ts');
  return scopes.slice(substitution + 1).filter((scope) => scope.endsWith('.sql'));
}

function assertSqlKeyword(token: Token): void {
  assert.ok(
    token.scopes.some((scope) => scope.startsWith('keyword.') && scope.endsWith('.sql')),
    `${JSON.stringify(token.text)} should get an SQL keyword scope, got ${token.scopes.join(' ')}`,
  );
}

function assertNoSql(token: Token): void {
  const sql = token.scopes.filter((scope) => scope.endsWith('.sql'));
  assert.deepEqual(sql, [], `${JSON.stringify(token.text)} should get no SQL scope, got ${token.scopes.join(' ')}`);
}

function assertTypeScriptSubstitution(token: Token): void {
  assert.ok(token.scopes.includes('meta.template.expression.ts'), `${JSON.stringify(token.text)} should be inside a \${...} substitution, got ${token.scopes.join(' ')}`);
  assert.deepEqual(sqlScopesInsideSubstitution(token.scopes), [], `${JSON.stringify(token.text)} inside \${...} got SQL scopes: ${token.scopes.join(' ')}`);
}

/** The alternations of plain names (`(a|b|\$c)`) in a regular expression, names unescaped. */
function nameAlternations(pattern: string): string[][] {
  const name = String.raw`(?:\\[$.]|[A-Za-z0-9_])+`;
  const group = new RegExp(String.raw`\((?:\?:)?(${name}(?:\|${name})+)\)`, 'g');
  return [...pattern.matchAll(group)].map((match) => (match[1] ?? '').split('|').map((alternative) => alternative.replace(/\\([$.])/g, '$1')));
}

function ruleBegin(grammar: RawInjectionGrammar, ruleName: string): string {
  const begin = grammar.repository[ruleName]?.begin;
  assert.ok(begin !== undefined, `the grammar has no repository rule '${ruleName}' with a begin pattern`);
  return begin;
}

describe('the grammar names exactly the engine tags and callees', () => {
  const grammar = readInjectionGrammar();

  test('the tagged-template rule lists SQL_TAGS', () => {
    const alternations = nameAlternations(ruleBegin(grammar, 'sql-tagged-template'));
    assert.equal(alternations.length, 1, 'the tag rule should have exactly one alternation of names');
    assert.deepEqual([...(alternations[0] ?? [])].sort(), [...SQL_TAGS].sort());
  });

  test('the call rule lists SQL_CALLEES', () => {
    const alternations = nameAlternations(ruleBegin(grammar, 'sql-call'));
    assert.equal(alternations.length, 1, 'the call rule should have exactly one alternation of names');
    assert.deepEqual([...(alternations[0] ?? [])].sort(), [...SQL_CALLEES].sort());
  });

  for (const tag of SQL_TAGS) {
    test(`the tag ${tag} highlights its template as SQL`, async () => {
      const tokens = await tokenize(`const rows = await ${tag}\`SELECT id FROM users\`;`, 'source.ts');
      const select = tokens.find((token) => token.text === 'SELECT');
      assert.ok(select !== undefined);
      assertSqlKeyword(select);
    });
  }

  for (const callee of SQL_CALLEES) {
    test(`the callee ${callee} highlights its first argument as SQL`, async () => {
      const tokens = await tokenize(`const rows = await db.${callee}('SELECT id FROM users', [1]);`, 'source.ts');
      const select = tokens.find((token) => token.text === 'SELECT');
      assert.ok(select !== undefined);
      assertSqlKeyword(select);
    });
  }

  test('names that merely start like a tag or callee are not SQL', async () => {
    for (const code of ['sqlish`SELECT id FROM users`;', 'mysql`SELECT id FROM users`;', "db.queryAll('SELECT id FROM users');", "db.runQuery('SELECT id FROM users');"]) {
      const tokens = await tokenize(code, 'source.ts');
      for (const token of tokens) assertNoSql(token);
    }
  });
});

describe('tagged templates (fixtures/grammar/tagged.ts)', () => {
  const lines = readFileSync(join(FIXTURES, 'tagged.ts'), 'utf8').split('\n');
  const tokensPromise = tokenizeFixture('tagged.ts');

  test('SQL keywords inside sql`...` get scopes from the SQL grammar', async () => {
    const tokens = await tokensPromise;
    for (const keyword of ['SELECT', 'FROM', 'WHERE', 'AND', 'LIKE']) {
      const token = findToken(tokens, lines, 'const rows = await sql`', keyword);
      assertSqlKeyword(token);
      assert.ok(token.scopes.includes('meta.embedded.block.sql'));
    }
    assert.ok(findToken(tokens, lines, 'const rows = await sql`', 'sql').scopes.includes('entity.name.function.tagged-template.ts'));
  });

  test('${...} substitutions keep TypeScript scopes, also inside an SQL string', async () => {
    const tokens = await tokensPromise;
    const open = findToken(tokens, lines, 'const rows = await sql`', '${');
    assert.ok(open.scopes.includes('punctuation.definition.template-expression.begin.ts'));
    const userId = findToken(tokens, lines, 'const rows = await sql`', 'userId');
    assertTypeScriptSubstitution(userId);
    assert.ok(userId.scopes.includes('variable.other.readwrite.ts'));
    assertTypeScriptSubstitution(findToken(tokens, lines, 'const rows = await sql`', 'term'));
  });

  test('a multi-line prisma.$queryRaw<T>`...` with a comment and a nested Prisma.sql fragment', async () => {
    const tokens = await tokensPromise;
    assert.ok(findToken(tokens, lines, 'prisma.$queryRaw<', '$queryRaw').scopes.includes('entity.name.function.tagged-template.ts'));
    assertSqlKeyword(findToken(tokens, lines, 'SELECT id -- only ids', 'SELECT'));
    assert.ok(findToken(tokens, lines, 'SELECT id -- only ids', 'only ids').scopes.includes('comment.line.double-dash.sql'));
    assertSqlKeyword(findToken(tokens, lines, 'FROM events', 'FROM'));
    assertSqlKeyword(findToken(tokens, lines, 'Prisma.sql`AND kind', 'AND'));
    assertTypeScriptSubstitution(findToken(tokens, lines, 'Prisma.sql`AND kind', 'userId'));
  });

  test('prisma.$executeRaw`...` is SQL and the code after the templates is TypeScript again', async () => {
    const tokens = await tokensPromise;
    assertSqlKeyword(findToken(tokens, lines, 'prisma.$executeRaw`', 'DELETE'));
    const after = findToken(tokens, lines, 'afterTheQueries', 'afterTheQueries');
    assertNoSql(after);
    assert.ok(after.scopes.includes('variable.other.constant.ts'));
  });
});

describe('query calls (fixtures/grammar/calls.ts, calls.js)', () => {
  const lines = readFileSync(join(FIXTURES, 'calls.ts'), 'utf8').split('\n');
  const tokensPromise = tokenizeFixture('calls.ts');

  test("pool.query<T>('...', values): the string is SQL, the other arguments are not", async () => {
    const tokens = await tokensPromise;
    assert.ok(findToken(tokens, lines, 'pool.query<{ id: string }>', 'query').scopes.includes('entity.name.function.ts'));
    const select = findToken(tokens, lines, 'pool.query<{ id: string }>', 'SELECT');
    assertSqlKeyword(select);
    assert.ok(select.scopes.includes('meta.embedded.line.sql'));
    assertNoSql(findToken(tokens, lines, 'pool.query<{ id: string }>', 'customerId'));
  });

  test('a template on the line after pool.query( is SQL, with its substitution TypeScript', async () => {
    const tokens = await tokensPromise;
    assertSqlKeyword(findToken(tokens, lines, 'SELECT id, total', 'SELECT'));
    assertSqlKeyword(findToken(tokens, lines, 'WHERE created_at', 'WHERE'));
    assertTypeScriptSubstitution(findToken(tokens, lines, 'WHERE created_at', 'toISOString'));
    assertNoSql(findToken(tokens, lines, '[since],', 'since'));
  });

  test('a double-quoted argument is SQL, with its single-quoted SQL string', async () => {
    const tokens = await tokensPromise;
    assertSqlKeyword(findToken(tokens, lines, 'pool.execute("', 'SELECT'));
    assert.ok(findToken(tokens, lines, 'pool.execute("', 'rush').scopes.includes('string.quoted.single.sql'));
    assertNoSql(findToken(tokens, lines, 'afterTheCalls', 'afterTheCalls'));
  });

  test('JavaScript hosts get the same injection', async () => {
    const jsLines = readFileSync(join(FIXTURES, 'calls.js'), 'utf8').split('\n');
    const tokens = await tokenizeFixture('calls.js');
    assertSqlKeyword(findToken(tokens, jsLines, 'db.query(`', 'SELECT'));
    assertTypeScriptSubstitution(findToken(tokens, jsLines, 'db.query(`', 'tenant', 1));
    assertNoSql(findToken(tokens, jsLines, 'module.exports', 'countUsers'));
  });
});

describe('text that is not SQL (fixtures/grammar/not-sql.ts)', () => {
  test("'Select a file' passed to alert(), regex.exec(text) and a string constant get no SQL scopes", async () => {
    const lines = readFileSync(join(FIXTURES, 'not-sql.ts'), 'utf8').split('\n');
    const tokens = await tokenizeFixture('not-sql.ts');
    assert.ok(findToken(tokens, lines, "alert('Select a file')", 'Select a file').scopes.includes('string.quoted.single.ts'));
    for (const token of tokens) assertNoSql(token);
  });
});

describe('package.json contributes the grammar', () => {
  test('contributes.grammars injects it into JS/TS and maps the embedded SQL to the sql language', () => {
    interface GrammarContribution {
      scopeName?: string;
      path?: string;
      injectTo?: string[];
      embeddedLanguages?: Record<string, string>;
    }
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes?: { grammars?: GrammarContribution[] } };
    const grammar = readInjectionGrammar();
    const contribution = manifest.contributes?.grammars?.find((entry) => entry.scopeName === grammar.scopeName);
    assert.ok(contribution !== undefined, `package.json contributes no grammar with scopeName ${grammar.scopeName}`);
    assert.equal(join(REPO_ROOT, contribution.path ?? ''), GRAMMAR_PATH);
    assert.deepEqual([...(contribution.injectTo ?? [])].sort(), [...HOST_SCOPES].sort());
    assert.deepEqual(contribution.embeddedLanguages, { 'meta.embedded.block.sql': 'sql', 'meta.embedded.line.sql': 'sql' });
    for (const host of HOST_SCOPES) assert.ok(grammar.injectionSelector.includes(`L:${host} `), `the injection selector does not name ${host}`);
  });
});
