/**
 * The editor's statement-level re-parse (rules/engine/languages/typescript-reparse.ts): after any
 * edit, the tree and the node index an editor gets must be exactly those of a fresh parse of the
 * new text: every node and node list with its kind, range, flags and parent. Named cases pin the
 * traps (a statement the edit lets run on into the next, tokens the parser skipped, a syntax error
 * marking the next node), then a seeded sequence of random edits and of typing goes through both
 * the statement-level path and TypeScript's own.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileNodes, parseScript, ts, type ScriptParseCache } from '../rules/engine/languages/typescript';
import { reparseEditedStatements } from '../rules/engine/languages/typescript-reparse';

/** Flags TypeScript caches lazily, and the file-wide "possibly contains import()" hints, which a re-parse may keep. */
const UNCOMPARED_FLAGS = ts.NodeFlags.ThisNodeOrAnySubNodesHasError | (1 << 21) | (1 << 22) | (1 << 23);
/**
 * TypeScript's own incremental update is not exact about which node a syntax error marks; where
 * it made the tree, that flag is left out of the comparison.
 */
const ERROR_FLAG = ts.NodeFlags.ThisNodeHasError;

function shape(file: ts.SourceFile, uncompared = UNCOMPARED_FLAGS): string[] {
  const lines: string[] = [];
  const visit = (node: ts.Node): void => {
    const name = ts.isIdentifier(node) ? ` ${node.text}` : ts.isStringLiteral(node) ? ` '${node.text}'` : '';
    const parent = node.parent === undefined ? '' : ` <${ts.SyntaxKind[node.parent.kind]}@${node.parent.pos}`;
    lines.push(`${ts.SyntaxKind[node.kind]}@${node.pos}-${node.end} ${node.flags & ~uncompared}${parent}${name}`);
    ts.forEachChild(node, visit, (nodes) => {
      lines.push(`[${nodes.pos}-${nodes.end} ${nodes.length}${nodes.hasTrailingComma ? ',' : ''}]`);
      nodes.forEach(visit);
    });
  };
  visit(file);
  lines.push(`module: ${Boolean((file as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator)}`);
  return lines;
}

/** Parses `before` as an editor would (cache and index), applies the edit, and compares with a fresh parse. */
function checkEdit(path: string, before: string, after: string): void {
  const cache: ScriptParseCache = {};
  fileNodes(parseScript(before, path, 'typescript', cache));
  const edited = parseScript(after, path, 'typescript', cache);
  const fresh = ts.createSourceFile(path, after, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true);
  assert.equal(edited.text, after);
  const uncompared = cache.lastParse === 'statements' ? UNCOMPARED_FLAGS : UNCOMPARED_FLAGS | ERROR_FLAG;
  assert.deepEqual(shape(edited, uncompared), shape(fresh, uncompared));
  const indexed = fileNodes(edited).map((node) => `${node.kind}@${node.pos}-${node.end}`);
  const expected: string[] = [];
  const list = (node: ts.Node): void => {
    expected.push(`${node.kind}@${node.pos}-${node.end}`);
    ts.forEachChild(node, list);
  };
  list(fresh);
  assert.deepEqual(indexed, expected);
}

/** Whether the statement-level path (rather than TypeScript's update) handles the edit. */
function takesStatementPath(before: string, after: string): boolean {
  const file = ts.createSourceFile('a.ts', before, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true);
  let prefix = 0;
  while (prefix < Math.min(before.length, after.length) && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < Math.min(before.length, after.length) - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  const change = ts.createTextChangeRange(ts.createTextSpan(prefix, before.length - prefix - suffix), after.length - prefix - suffix);
  return reparseEditedStatements(file, after, change) !== undefined;
}

const FUNCTIONS = Array.from({ length: 60 }, (_, index) => `export function f${index}(value: number) { return value * ${index}; }`).join('\n');

describe('statement-level re-parse', () => {
  const cases: [string, string, string][] = [
    ['an edit inside a function', 'return value * 7;', 'return value * 70;'],
    ['a statement added at the end', 'value * 59; }', 'value * 59; }\nconst added = 1'],
    ['a statement deleted', 'export function f3(value: number) { return value * 3; }\n', ''],
    ['a function left open swallows the rest', 'return value * 9; }', 'return value * 9;'],
    ['a `=` after a function is read into it', 'value * 9; }', 'value * 9; }='],
    ['a template left open swallows the rest', 'return value * 9;', 'return `value * 9;'],
    ['a block comment left open', 'export function f10', '/* export function f10'],
    ['the previous statement runs on into `(`', 'export function f12', 'const a = b\n(c)\nexport function f12'],
    ['`else` continues an `if` before it', 'export function f20', 'if (a) b;\nexport function f20'],
    ['an import makes a script a module', 'export function f0', 'import x from "y";\nexport function f0'],
    ['top-level await', 'return value * 4; }', 'return value * 4; }\nawait load();'],
  ];
  for (const [name, from, to] of cases) {
    test(name, () => {
      assert.ok(FUNCTIONS.includes(from), from);
      checkEdit('a.ts', FUNCTIONS, FUNCTIONS.replace(from, to));
    });
  }

  test('an else typed after an if', () => {
    const before = 'const a = 1;\nif (a) b();\nconst c = 2;\nconst d = 3;\n';
    checkEdit('a.ts', before, before.replace('const c = 2;', 'else c();'));
  });
  test('a class whose own `}` is missing, then typed', () => {
    const before = 'const a = 1;\nclass K { m() {} \ntry { a } catch {}\nconst z = 2;\n';
    checkEdit('a.ts', before, before.replace('m() {} ', 'm() {} }'));
  });
  test('tokens the parser skipped before the first statement', () => {
    checkEdit('a.ts', 'export f// c\nimport { Pool } from "pg";\nlet a = 1;', 'export fu// c\nimport { Pool } from "pg";\nlet a = 1;');
  });
  test('a syntax error at the end of the statement before the edit', () => {
    const before = 'const a = (1;\nconst b = 2;\nconst c = 3;\n';
    checkEdit('a.ts', before, before.replace('const c = 3;', 'const c = 33;'));
  });
  test('a module with `await` at its top level, which TypeScript parses twice', () => {
    // `await` then a line break: TypeScript reads the statements from there on a second time, in
    // an await context, once it knows that the file is a module.
    const before = "import x from 'y';\nawait\nfoo();\nconst a = 1;\nconst b = 2;\n";
    checkEdit('a.ts', before, before.replace('const b = 2;', 'const b = 3;'));
    checkEdit('a.ts', before, before.replace('foo()', 'bar()'));
  });
  test('removing the exports one by one makes the file a script again', () => {
    const cache: ScriptParseCache = {};
    const steps = ['export function f() {}\nexport function g() {}\n', 'function f() {}\nexport function g() {}\n', 'function f() {}\nfunction g() {}\n'];
    fileNodes(parseScript(steps[0] as string, 'a.ts', 'typescript', cache));
    for (const text of steps.slice(1)) {
      const edited = parseScript(text, 'a.ts', 'typescript', cache);
      fileNodes(edited);
      const fresh = ts.createSourceFile('a.ts', text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true);
      assert.deepEqual(shape(edited), shape(fresh), text);
    }
  });
  test('a number with a letter right after it, in the statement after the edit', () => {
    checkEdit('a.ts', 'let q = 1;\nfoo(a)\n1x;\nlet z = 2;\n', 'let q = 1;\nfoo(ab)\n1x;\nlet z = 2;\n');
    checkEdit('a.ts', '/a /.5r', '/a/.5r');
  });
  test('JSX', () => {
    const before = 'export const A = () => <div>{1}</div>;\nexport const B = () => <b>x</b>;\nconst c = 1;\n';
    checkEdit('a.tsx', before, before.replace('<b>x</b>', '<b>xy</b>'));
    checkEdit('a.tsx', before, before.replace('<b>x</b>', '<b>x</'));
  });
  test('an edit inside a function of a large file takes the statement-level path', () => {
    assert.ok(takesStatementPath(FUNCTIONS, FUNCTIONS.replace('return value * 30;', 'return value * 31;')));
    assert.ok(!takesStatementPath(FUNCTIONS, FUNCTIONS.replace('return value * 30;', 'return `value * 30;')));
  });

  test('random edits and typing give the tree a fresh parse gives', () => {
    const sample = [
      "import { Pool } from 'pg';", 'export const pool = new Pool({ max: 10 });', 'let counter = 0', 'counter++',
      'const re = /ab+c/gi', 'const tpl = `a ${counter} b ${`nested ${re}`} c`', 'if (counter > 1) counter--; else counter++;',
      'label: for (let i = 0; i < 3; i++) { if (i) continue label; }', 'interface Shape { area(): number }',
      "enum Color { Red, Green = 'g' }", 'namespace Geometry.Inner { export const pi = 3.14; }', 'type Pair<T> = [T, T]',
      'export default class Circle implements Shape {', '  constructor(private readonly r: number) {}', '  area() { return Math.PI * this.r ** 2 }', '}',
      'function* gen() { yield 1; yield* [2, 3] }', "async function load(id: number) { const { rows } = await pool.query('SELECT 1', [id]); return rows }",
      ';[1, 2].forEach((n) => console.log(n))', 'do counter++; while (counter < 10)', 'switch (counter) { case 1: break; default: counter = 0 }',
      'try { load(1) } catch { } finally { counter = 0 }', 'var a = b', '(c)', 'const obj = { a: 1, b() { return 2 }, ...rest }',
    ].join('\n');
    const snippets = ['{', '}', '(', ')', ';', '\n', ' ', '`', "'", '/*', '*/', '//', 'else ', 'a', '=', '.b', 'export ', 'function f() {}', 'class C {}', ',', 'x', '\n(1)', 'await '];
    const typed = ['const v = foo(1, 2);\n', 'if (a) b()\n', 'class K { m() {} }\n', 'x = `t ${y}`\n'];
    let seed = 20261125;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const cache: ScriptParseCache = {};
    let text = sample;
    fileNodes(parseScript(text, 'a.ts', 'typescript', cache));
    let edits = 0;
    const taken = { full: 0, statements: 0, typescript: 0 };
    const apply = (next: string): void => {
      text = next;
      edits++;
      const edited = parseScript(text, 'a.ts', 'typescript', cache);
      const fresh = ts.createSourceFile('a.ts', text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true);
      const path = cache.lastParse ?? 'full';
      taken[path]++;
      const uncompared = path === 'statements' ? UNCOMPARED_FLAGS : UNCOMPARED_FLAGS | ERROR_FLAG;
      assert.deepEqual(shape(edited, uncompared), shape(fresh, uncompared), `edit ${edits} (${path}): ${JSON.stringify(text)}`);
      // Where TypeScript's update made the tree, start again from a fresh parse: the next
      // edits are to be checked against an exact tree.
      if (path === 'typescript' && shape(edited).join() !== shape(fresh).join()) cache.sourceFile = undefined;
      if (random() < 0.9) fileNodes(edited); // sometimes a parse nobody indexed
    };
    for (let round = 0; round < 300; round++) {
      const at = Math.floor(random() * (text.length + 1));
      const kind = random();
      if (kind < 0.1) {
        const lineStart = text.lastIndexOf('\n', at) + 1;
        const word = typed[Math.floor(random() * typed.length)] as string;
        for (let length = 1; length <= word.length; length++) apply(text.slice(0, lineStart) + word.slice(0, length) + text.slice(lineStart + length - 1));
        for (let length = word.length - 1; length >= 0; length--) apply(text.slice(0, lineStart) + word.slice(0, length) + text.slice(lineStart + length + 1));
      } else if (kind < 0.6) {
        apply(text.slice(0, at) + snippets[Math.floor(random() * snippets.length)] + text.slice(at));
      } else {
        apply(text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4)));
      }
      if (text.length > sample.length * 1.3 || text.length < sample.length * 0.7) apply(sample);
    }
    // Both paths were exercised, the statement-level one on a good share of the edits.
    assert.ok(taken.statements > edits / 4 && taken.typescript > 0, JSON.stringify(taken));
  });
});
