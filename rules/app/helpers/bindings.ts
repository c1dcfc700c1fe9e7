/**
 * What a name in a JS/TS file stands for, as far as the file itself says: imports of known
 * libraries by name whatever the local alias (`import { Pool as PgPool } from 'pg'`, `const axios
 * = require('axios')`, `import * as pg from 'pg'`), and values followed to where they were made
 * (`const payments = axios.create(...)`, `const cfg = { ... }`). Where a value comes from another
 * module or cannot be known, the answer is null and rules stay silent rather than guess.
 *
 * Build it once per file (`fileBindings(sourceFile)`) and ask it questions; each question costs a
 * map lookup, so rules stay proportional to the nodes they care about.
 */

import { nodesOfKind, ts } from '../../engine/languages/typescript';
import type { OrmLibrary, ProjectFacts } from '../../engine/types';

/** A library export a local name refers to: `{ module: 'pg', exportName: 'Pool' }`. */
export interface ImportedName {
  module: string;
  /** The imported export's name; 'default' for default imports, '*' for namespace imports. */
  exportName: string;
}

export interface FileBindings {
  sourceFile: ts.SourceFile;
  /** Modules the file imports or requires. */
  modules: ReadonlySet<string>;
  /** The library export a local identifier was imported as, or null. */
  importOf(name: string): ImportedName | null;
  /**
   * The library export an expression refers to: an imported identifier (`Pool`), or a property of
   * an imported namespace or default (`pg.Pool`, `axios.create`). Null when unknown.
   */
  resolveImport(expression: ts.Expression): ImportedName | null;
  /** The initializer of a `const` (or never-reassigned `let`) declared once in the file, or null. */
  initializerOf(name: string): ts.Expression | null;
  /**
   * Follows identifiers (and `as`, `!`, parentheses, `await`) to the expression that made the
   * value, within the file. Returns the expression itself when it is not a known name.
   */
  origin(expression: ts.Expression): ts.Expression;
  /**
   * What the project says of the file's imports of its own modules (engine/project-facts.ts):
   * specifier to the ORM whose models that module exports, barrels included.
   */
  modelImports: Readonly<Record<string, OrmLibrary>>;
}

/** The kinds unwrapExpression looks through; each has an `expression`. */
const WRAPPER_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.ParenthesizedExpression,
  ts.SyntaxKind.AsExpression,
  ts.SyntaxKind.NonNullExpression,
  ts.SyntaxKind.SatisfiesExpression,
  ts.SyntaxKind.TypeAssertionExpression,
  ts.SyntaxKind.AwaitExpression,
]);

export function unwrapExpression(expression: ts.Expression): ts.Expression {
  let current = expression;
  // The kind is read once per step: rules call this on most expressions they look at.
  while (WRAPPER_KINDS.has(current.kind)) current = (current as ts.ParenthesizedExpression).expression;
  return current;
}

/** The helpers compilers wrap a `require` in to give CommonJS modules a `default` (and a namespace). */
const INTEROP_HELPERS: ReadonlySet<string> = new Set(['__importDefault', '__importStar', '_interopRequireDefault', '_interopRequireWildcard']);

/** `helper` of `helper(...)`, `tslib_1.helper(...)` and compiled code's `(0, tslib_1.helper)(...)`. */
function calleeNameOf(callee: ts.Expression): string {
  let target = unwrapExpression(callee);
  if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.CommaToken) target = unwrapExpression(target.right);
  if (ts.isIdentifier(target)) return target.text;
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  return '';
}

const cache = new WeakMap<ts.SourceFile, FileBindings>();
const NO_MODEL_IMPORTS: Readonly<Record<string, OrmLibrary>> = {};

/**
 * The file's bindings. Rules pass their context's project facts from their `file` hook, so the
 * bindings know what the project says of the file's imports; helpers that only look a file up
 * again pass nothing and get the bindings already made.
 */
export function fileBindings(sourceFile: ts.SourceFile, project?: ProjectFacts): FileBindings {
  const cached = cache.get(sourceFile);
  if (cached !== undefined) {
    if (project === undefined || cached.modelImports === project.modelImports) return cached;
    // Same text, other facts (another file of the project changed): the file's own part stands.
    const updated: FileBindings = { ...cached, modelImports: project.modelImports };
    cache.set(sourceFile, updated);
    return updated;
  }
  const imports = new Map<string, ImportedName>();
  /**
   * Names bound to imports, with where each binding is written: the lists below are read kind by
   * kind, and when one name is bound twice (an `import` and a `require` in another scope) the
   * later in the file wins, as it did when the file was read in order.
   */
  const importBindings: { at: number; name: string; imported: ImportedName }[] = [];
  const bindImport = (at: ts.Node, name: string, imported: ImportedName): void => {
    importBindings.push({ at: at.pos, name, imported });
  };
  const modules = new Set<string>();
  const declarations = new Map<string, ts.Expression | null>();
  const reassigned = new Set<string>();

  const recordRequire = (name: ts.BindingName, initializer: ts.Expression): void => {
    // const x = require('m'), const { a, b: c } = require('m'), const x = require('m').y, and
    // compiled imports: const x = __importDefault(require('m')) (TypeScript, tslib), Babel's
    // _interopRequireDefault(require('m')), whose value holds the module as its `default`.
    let call = unwrapExpression(initializer);
    let member: string | null = null;
    if (ts.isPropertyAccessExpression(call)) {
      member = call.name.text;
      call = unwrapExpression(call.expression);
    }
    let wrapped = false;
    if (member === null && ts.isCallExpression(call) && INTEROP_HELPERS.has(calleeNameOf(call.expression)) && call.arguments[0] !== undefined) {
      call = unwrapExpression(call.arguments[0]);
      wrapped = true;
    }
    if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'require') return;
    const argument = call.arguments[0];
    if (argument === undefined || !ts.isStringLiteral(argument)) return;
    const module = argument.text;
    modules.add(module);
    if (ts.isIdentifier(name)) {
      bindImport(name, name.text, { module, exportName: wrapped ? '*' : (member ?? 'default') });
      return;
    }
    if (wrapped) return;
    if (ts.isObjectBindingPattern(name) && member === null) {
      for (const element of name.elements) {
        if (!ts.isIdentifier(element.name)) continue;
        const imported = element.propertyName !== undefined && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
        bindImport(element, element.name.text, { module, exportName: imported });
      }
    }
  };

  // Kind by kind rather than in document order: each list holds only its kind, and nothing
  // recorded depends on the order (a name declared twice is unknown either way; import bindings
  // are put in file order below).
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.ImportDeclaration) as readonly ts.ImportDeclaration[]) {
    if (!ts.isStringLiteral(node.moduleSpecifier)) continue;
    const module = node.moduleSpecifier.text;
    modules.add(module);
    const clause = node.importClause;
    if (clause?.name !== undefined) bindImport(clause.name, clause.name.text, { module, exportName: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings !== undefined && ts.isNamespaceImport(bindings)) bindImport(bindings, bindings.name.text, { module, exportName: '*' });
    if (bindings !== undefined && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) bindImport(element, element.name.text, { module, exportName: (element.propertyName ?? element.name).text });
    }
  }
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.ImportEqualsDeclaration) as readonly ts.ImportEqualsDeclaration[]) {
    if (!ts.isExternalModuleReference(node.moduleReference) || !ts.isStringLiteral(node.moduleReference.expression)) continue;
    const module = node.moduleReference.expression.text;
    modules.add(module);
    bindImport(node, node.name.text, { module, exportName: '*' });
  }
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.VariableDeclaration) as readonly ts.VariableDeclaration[]) {
    if (node.initializer !== undefined) recordRequire(node.name, node.initializer);
    if (!ts.isIdentifier(node.name)) continue;
    const name = node.name.text;
    const list = node.parent;
    const isConstOrLet = ts.isVariableDeclarationList(list) && (list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let)) !== 0;
    declarations.set(name, node.initializer === undefined || declarations.has(name) || !isConstOrLet ? null : node.initializer);
  }
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.BinaryExpression) as readonly ts.BinaryExpression[]) {
    if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) reassigned.add(node.left.text);
  }
  for (const kind of [ts.SyntaxKind.PrefixUnaryExpression, ts.SyntaxKind.PostfixUnaryExpression]) {
    for (const node of nodesOfKind(sourceFile, kind) as readonly (ts.PrefixUnaryExpression | ts.PostfixUnaryExpression)[]) {
      if (ts.isIdentifier(node.operand)) reassigned.add(node.operand.text);
    }
  }

  importBindings.sort((a, b) => a.at - b.at);
  for (const { name, imported } of importBindings) imports.set(name, imported);

  const initializerOf = (name: string): ts.Expression | null => {
    if (reassigned.has(name)) return null;
    return declarations.get(name) ?? null;
  };

  const resolveImport = (expression: ts.Expression): ImportedName | null => {
    // Most files a rule looks at import nothing it asks about.
    if (imports.size === 0) return null;
    const target = unwrapExpression(expression);
    if (ts.isIdentifier(target)) return imports.get(target.text) ?? null;
    if (!ts.isPropertyAccessExpression(target)) return null;
    // `pg.Pool` where pg is `import * as pg` or `const pg = require('pg')` (default = module),
    // and further through defaults: compiled code's `axios_1.default.get`. The accesses are
    // collected with a loop, outermost first, then resolved from the innermost (#15).
    const accesses: ts.PropertyAccessExpression[] = [target];
    let base = unwrapExpression(target.expression);
    while (ts.isPropertyAccessExpression(base) && base.name.text === 'default') {
      accesses.push(base);
      base = unwrapExpression(base.expression);
    }
    if (!ts.isIdentifier(base)) return null;
    let imported: ImportedName | null = imports.get(base.text) ?? null;
    for (let index = accesses.length - 1; index >= 0 && imported !== null; index--) {
      const access = accesses[index] as ts.PropertyAccessExpression;
      imported = imported.exportName === '*' || imported.exportName === 'default' ? { module: imported.module, exportName: access.name.text } : null;
    }
    return imported;
  };

  const origin = (expression: ts.Expression): ts.Expression => {
    let current = unwrapExpression(expression);
    const visited = new Set<string>();
    while (ts.isIdentifier(current) && !visited.has(current.text)) {
      visited.add(current.text);
      const initializer = initializerOf(current.text);
      if (initializer === null) return current;
      current = unwrapExpression(initializer);
    }
    return current;
  };

  const bindings: FileBindings = {
    sourceFile,
    modules,
    importOf: (name) => imports.get(name) ?? null,
    resolveImport,
    initializerOf,
    origin,
    modelImports: project?.modelImports ?? NO_MODEL_IMPORTS,
  };
  cache.set(sourceFile, bindings);
  return bindings;
}

/**
 * The object literal an options argument stands for (`{ ... }` written inline, or a constant
 * holding one). Null when it is anything else; callers then stay silent.
 */
export function objectLiteralOf(bindings: FileBindings, expression: ts.Expression | undefined): ts.ObjectLiteralExpression | null {
  if (expression === undefined) return null;
  const value = bindings.origin(expression);
  return ts.isObjectLiteralExpression(value) ? value : null;
}

/** Property names in an object literal. `spread` is true when a `...spread` could add unknown ones. */
export function propertiesOf(literal: ts.ObjectLiteralExpression): { names: Map<string, ts.ObjectLiteralElementLike>; spread: boolean } {
  const names = new Map<string, ts.ObjectLiteralElementLike>();
  let spread = false;
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) {
      spread = true;
      continue;
    }
    const name = property.name;
    if (name === undefined) continue;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) names.set(name.text, property);
    else spread = true; // a computed key could be anything
  }
  return { names, spread };
}

/** The value of a property assignment (`key: value` or shorthand `key`), or null. */
export function propertyValue(property: ts.ObjectLiteralElementLike | undefined): ts.Expression | null {
  if (property === undefined) return null;
  if (ts.isPropertyAssignment(property)) return property.initializer;
  if (ts.isShorthandPropertyAssignment(property)) return property.name;
  return null;
}

/**
 * The text to insert a new property into an object literal, matching its layout, and where. After
 * a trailing comma (`{ a: 1, }`, `{ a: 1 ,}`) the property goes after that comma and gets one of
 * its own, so the comma and anything written before it (a comment) stay with the property they follow.
 */
export function propertyInsertion(sourceFile: ts.SourceFile, literal: ts.ObjectLiteralExpression, propertyText: string): { offset: number; text: string } {
  const text = sourceFile.text;
  const last = literal.properties[literal.properties.length - 1];
  const closeBrace = literal.getEnd() - 1;
  if (last === undefined) return { offset: literal.getStart(sourceFile) + 1, text: ` ${propertyText} ` };
  const multiline = text.slice(literal.getStart(sourceFile), closeBrace).includes('\n');
  // A list with a trailing comma ends just after that comma (a comment may sit between it and the last property).
  const commaEnd = literal.properties.hasTrailingComma ? literal.properties.end : null;
  if (!multiline) return commaEnd === null ? { offset: last.getEnd(), text: `, ${propertyText}` } : { offset: commaEnd, text: ` ${propertyText},` };
  const lineStart = text.lastIndexOf('\n', last.getStart(sourceFile)) + 1;
  const indentation = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '  ';
  if (commaEnd !== null) return { offset: commaEnd, text: `\n${indentation}${propertyText},` };
  return { offset: last.getEnd(), text: `,\n${indentation}${propertyText}` };
}
