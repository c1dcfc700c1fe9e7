/**
 * Functions of a JS/TS module that nothing can call: declared at the top level, not exported (or
 * exported but imported by no module of the project: ProjectFacts.unusedExports), and named by no
 * code of the file but their own bodies and those of other such functions (a retry wrapper nobody
 * calls, and the request it wraps). Code in them never runs, so what a rule finds
 * there is shown quietly (engine/runner.ts). A module only: in a classic browser script a
 * top-level function may be called from the page's HTML by its name.
 */

import { ts, nodesOfKind } from './typescript';

/** A module's own syntax, or CommonJS's: a file without either is a script whose globals a page may call. */
const MODULE_SYNTAX = /^\s*(?:import|export)\b|\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w/m;

export interface UncalledFunction {
  name: string;
  /** Exported, though no module of the project imports it. */
  exported: boolean;
  start: number;
  end: number;
}

/**
 * The top-level statement a candidate is: `function f() {}` or `const f = () => {}` / `function () {}`,
 * not exported, or exported under a name in `unusedExports` (never `export default`).
 */
function candidateName(statement: ts.Statement, unusedExports: ReadonlySet<string>): string | null {
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  if (modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword || modifier.kind === ts.SyntaxKind.DefaultKeyword)) return null;
  const exported = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
  let name: string | null = null;
  if (ts.isFunctionDeclaration(statement)) {
    name = statement.name !== undefined && statement.body !== undefined ? statement.name.text : null;
  } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const [declaration] = statement.declarationList.declarations;
    const initializer = declaration?.initializer;
    if (declaration !== undefined && ts.isIdentifier(declaration.name) && initializer !== undefined && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) name = declaration.name.text;
  }
  return name !== null && exported && !unusedExports.has(name) ? null : name;
}

/** The top-level statement that holds `node`. Parent pointers are set by the runner's walk. */
function topLevelStatement(node: ts.Node): ts.Node | null {
  let current: ts.Node = node;
  while (current.parent !== undefined && !ts.isSourceFile(current.parent)) current = current.parent;
  return current.parent === undefined ? null : current;
}

/**
 * The functions of `sourceFile` nothing can call, with their spans. Linear in the file's
 * identifiers: each one named like a candidate climbs to its top-level statement once.
 */
export function uncalledFunctions(sourceFile: ts.SourceFile, unusedExports: ReadonlySet<string> = new Set()): UncalledFunction[] {
  if (!MODULE_SYNTAX.test(sourceFile.text)) return [];
  const candidates = new Map<string, ts.Statement>();
  const duplicated = new Set<string>();
  for (const statement of sourceFile.statements) {
    const name = candidateName(statement, unusedExports);
    if (name === null) continue;
    // Two declarations of one name (overloads, a redeclared `var`): which one a call means is not worth guessing.
    if (candidates.has(name)) duplicated.add(name);
    candidates.set(name, statement);
  }
  for (const name of duplicated) candidates.delete(name);
  if (candidates.size === 0) return [];
  const statementNames = new Map<ts.Node, string>([...candidates].map(([name, statement]) => [statement, name]));
  /** Who names whom: a candidate's name to the candidates whose bodies name it; `null` is any other code. */
  const namedFrom = new Map<string, Set<string | null>>();
  for (const identifier of nodesOfKind(sourceFile, ts.SyntaxKind.Identifier)) {
    const text = (identifier as ts.Identifier).text;
    const declaration = candidates.get(text);
    if (declaration === undefined) continue;
    const parent = identifier.parent;
    // The declaration's own name is no use of it.
    if (parent === declaration || (parent !== undefined && ts.isVariableDeclaration(parent) && parent.name === identifier && parent.parent?.parent === declaration)) continue;
    const holder = topLevelStatement(identifier);
    const from = holder === null ? null : (statementNames.get(holder) ?? null);
    let set = namedFrom.get(text);
    if (set === undefined) namedFrom.set(text, (set = new Set()));
    set.add(from);
  }
  // Live: named by other code, or by the body of a live candidate (a candidate naming itself, recursion, does not count).
  const live = new Set<string>();
  const queue: string[] = [];
  for (const [name, from] of namedFrom) {
    if (from.has(null)) {
      live.add(name);
      queue.push(name);
    }
  }
  const names = new Map<string, string[]>();
  for (const [name, from] of namedFrom) {
    for (const caller of from) {
      if (caller === null || caller === name) continue;
      let list = names.get(caller);
      if (list === undefined) names.set(caller, (list = []));
      list.push(name);
    }
  }
  for (let index = 0; index < queue.length; index++) {
    for (const callee of names.get(queue[index] ?? '') ?? []) {
      if (live.has(callee)) continue;
      live.add(callee);
      queue.push(callee);
    }
  }
  const uncalled: UncalledFunction[] = [];
  for (const [name, statement] of candidates) {
    if (live.has(name)) continue;
    const exported = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    uncalled.push({ name, exported, start: statement.getStart(sourceFile), end: statement.end });
  }
  return uncalled.sort((a, b) => a.start - b.start);
}
