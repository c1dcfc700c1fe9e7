/**
 * What the Python forms of the retry, pool and Kafka rules need to know about a file: which
 * library a called name comes from (through `import x`, `import x as y`, `from x import y [as z]`),
 * the keyword arguments of a call, the keys of a configuration dict written in the call or held by
 * a name assigned once in the file, and plain literal values. Everything answers "unknown" (null)
 * on shapes it does not understand, so the rules stay silent rather than guess.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { dottedParts } from './python-data-access';
import type { TextEdit } from '../../engine/types';

/** The names a file imported: local name → dotted origin (`retry` → `tenacity.retry`, `tn` → `tenacity`). */
export interface PythonImports {
  names: Map<string, string>;
  /** Modules imported with `from module import *`. */
  starModules: Set<string>;
  /** `from <module> import ...` statements, by module, for fixes that add a name. */
  fromStatements: Map<string, PythonNode>;
}

export function pythonImports(root: PythonNode): PythonImports {
  const imports: PythonImports = { names: new Map(), starModules: new Set(), fromStatements: new Map() };
  for (const statement of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (statement === null) continue;
    if (statement.type === 'import_statement') {
      for (const imported of statement.childrenForFieldName('name')) {
        if (imported === null) continue;
        if (imported.type === 'dotted_name') {
          // `import redis.asyncio` binds `redis`; the dotted path is read through attributes.
          const head = imported.text.split('.')[0] ?? imported.text;
          imports.names.set(head, head);
        } else if (imported.type === 'aliased_import') {
          const name = imported.childForFieldName('name')?.text;
          const alias = imported.childForFieldName('alias')?.text;
          if (name !== undefined && alias !== undefined) imports.names.set(alias, name);
        }
      }
      continue;
    }
    const module = statement.childForFieldName('module_name')?.text;
    if (module === undefined) continue;
    if (statement.children.some((child) => child?.type === 'wildcard_import')) {
      imports.starModules.add(module);
      continue;
    }
    if (!imports.fromStatements.has(module)) imports.fromStatements.set(module, statement);
    for (const imported of statement.childrenForFieldName('name')) {
      if (imported === null) continue;
      const name = imported.type === 'aliased_import' ? imported.childForFieldName('name')?.text : imported.text;
      const local = imported.type === 'aliased_import' ? imported.childForFieldName('alias')?.text : name;
      if (name !== undefined && local !== undefined) imports.names.set(local, `${module}.${name}`);
    }
  }
  return imports;
}

/**
 * The dotted origin of an expression naming a function or class: `retry` → `tenacity.retry`,
 * `tenacity.retry` → `tenacity.retry`, `redis.asyncio.Redis` → `redis.asyncio.Redis`. Null for
 * names the file did not import.
 */
export function qualifiedName(expression: PythonNode | null, imports: PythonImports): string | null {
  if (expression === null) return null;
  const chain = dottedParts(expression);
  if (chain === null) return null;
  const [root, ...attributes] = chain;
  const origin = root === undefined ? undefined : imports.names.get(root);
  return origin === undefined ? null : [origin, ...attributes].join('.');
}

/** The last segment of a dotted name: `tenacity.retry` → `retry`. */
export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** The call's callee, as the file's imports name it. */
export function calleeOrigin(call: PythonNode, imports: PythonImports): string | null {
  return qualifiedName(call.childForFieldName('function'), imports);
}

/** True when the call passes `*args` or `**kwargs`, which may set anything. */
export function hasSplat(call: PythonNode): boolean {
  const list = call.childForFieldName('arguments');
  return list !== null && list.namedChildren.some((child) => child !== null && (child.type === 'list_splat' || child.type === 'dictionary_splat'));
}

/** A Python literal: number, string (without prefixes or escapes beyond the plain), True/False/None. */
export type PythonLiteral = number | string | boolean | null;

/** The value of a plain literal, or undefined when the expression is not one. */
export function literalOf(expression: PythonNode | null | undefined): PythonLiteral | undefined {
  // Through parentheses and minus signs with a loop, however deep they nest (#15).
  let node = expression;
  let negations = 0;
  for (;;) {
    if (node === null || node === undefined) return undefined;
    if (node.type === 'parenthesized_expression') node = node.namedChildren.find((child) => child !== null && child.type !== 'comment');
    else if (node.type === 'unary_operator' && node.text.startsWith('-')) {
      negations++;
      node = node.childForFieldName('argument');
    } else break;
  }
  const value = plainLiteralOf(node);
  if (negations === 0) return value;
  return typeof value === 'number' ? (negations % 2 === 0 ? value : -value) : undefined;
}

/** literalOf of a node that is neither a parenthesis nor a minus sign. */
function plainLiteralOf(node: PythonNode): PythonLiteral | undefined {
  if (node.type === 'integer' || node.type === 'float') {
    const value = Number(node.text.replace(/_/g, ''));
    return Number.isNaN(value) ? undefined : value;
  }
  if (node.type === 'true') return true;
  if (node.type === 'false') return false;
  if (node.type === 'none') return null;
  if (node.type === 'string') {
    if (node.children.some((child) => child?.type === 'interpolation')) return undefined;
    const match = /^[rRbBuU]?(['"]{1,3})([\s\S]*)\1$/.exec(node.text);
    return match === null ? undefined : (match[2] ?? '');
  }
  return undefined;
}

/**
 * Names assigned exactly once in the file (`conf = {...}`), and names that are changed after
 * (`conf['acks'] = 1`, `conf.update(...)`), whose literal therefore does not say everything.
 */
export interface PythonAssignments {
  values: Map<string, PythonNode | null>;
  mutated: Set<string>;
}

export function pythonAssignments(root: PythonNode): PythonAssignments {
  const values = new Map<string, PythonNode | null>();
  const mutated = new Set<string>();
  for (const assignment of root.descendantsOfType(['assignment', 'augmented_assignment'])) {
    if (assignment === null) continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left === null) continue;
    if (left.type === 'identifier') {
      values.set(left.text, assignment.type === 'assignment' && !values.has(left.text) && right !== null ? right : null);
    } else if (left.type === 'subscript') {
      const object = left.childForFieldName('value');
      if (object?.type === 'identifier') mutated.add(object.text);
    }
  }
  for (const call of root.descendantsOfType('call')) {
    const callee = call?.childForFieldName('function');
    if (callee?.type !== 'attribute') continue;
    const method = callee.childForFieldName('attribute')?.text;
    const object = callee.childForFieldName('object');
    if ((method === 'update' || method === 'setdefault' || method === 'pop') && object?.type === 'identifier') mutated.add(object.text);
  }
  return { values, mutated };
}

/** A configuration dict as written: its string keys, and whether it has `**spread` or computed keys. */
export interface ConfigDict {
  node: PythonNode;
  entries: Map<string, { pair: PythonNode; key: PythonNode; value: PythonNode }>;
  /** True when something else may set keys: a `**spread`, a computed key, or a later `conf[...] =`. */
  open: boolean;
}

/**
 * The dict literal an expression stands for: `{...}`, `dict(a=1)` is not read, a name assigned a
 * dict literal once in the file. Null when the configuration is not visible here.
 */
export function configDictOf(expression: PythonNode | null | undefined, assignments: PythonAssignments): ConfigDict | null {
  if (expression === null || expression === undefined) return null;
  let node = expression;
  let mutated = false;
  if (node.type === 'identifier') {
    const value = assignments.values.get(node.text);
    if (value === null || value === undefined) return null;
    mutated = assignments.mutated.has(node.text);
    node = value;
  }
  if (node.type !== 'dictionary') return null;
  const entries: ConfigDict['entries'] = new Map();
  let open = mutated;
  for (const child of node.namedChildren) {
    if (child === null || child.type === 'comment') continue;
    if (child.type !== 'pair') {
      open = true;
      continue;
    }
    const key = child.childForFieldName('key');
    const value = child.childForFieldName('value');
    const name = literalOf(key);
    if (key === null || value === null || typeof name !== 'string') {
      open = true;
      continue;
    }
    entries.set(name, { pair: child, key, value });
  }
  return { node, entries, open };
}

/** An edit that adds `entry` (e.g. `'enable.idempotence': True`) as the last entry of a dict literal. */
export function dictInsertion(dict: PythonNode, entry: string, text: string): TextEdit {
  const pairs = dict.namedChildren.filter((child): child is PythonNode => child !== null && child.type !== 'comment');
  const last = pairs[pairs.length - 1];
  if (last === undefined) return { range: { start: dict.startIndex + 1, end: dict.startIndex + 1 }, newText: entry };
  const between = text.slice(last.endIndex, dict.endIndex - 1);
  const trailingComma = /^\s*,/.test(between);
  const multiline = text.slice(dict.startIndex, dict.endIndex).includes('\n');
  if (multiline) {
    const lineStart = text.lastIndexOf('\n', last.startIndex) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
    const at = trailingComma ? last.endIndex + (between.indexOf(',') + 1) : last.endIndex;
    return { range: { start: at, end: at }, newText: `${trailingComma ? '' : ','}\n${indent}${entry}${trailingComma ? ',' : ''}` };
  }
  const at = trailingComma ? last.endIndex + between.indexOf(',') + 1 : last.endIndex;
  return { range: { start: at, end: at }, newText: trailingComma ? ` ${entry},` : `, ${entry}` };
}

/** An edit that adds a keyword argument (`wait=...`) at the end of a call's argument list. */
export function keywordInsertion(call: PythonNode, keyword: string, text: string): TextEdit | null {
  const list = call.childForFieldName('arguments');
  if (list === null || list.type !== 'argument_list') return null;
  const items = list.namedChildren.filter((child): child is PythonNode => child !== null && child.type !== 'comment');
  const last = items[items.length - 1];
  if (last === undefined) return { range: { start: list.startIndex + 1, end: list.startIndex + 1 }, newText: keyword };
  const between = text.slice(last.endIndex, list.endIndex - 1);
  const trailingComma = /^\s*,/.test(between);
  const multiline = text.slice(list.startIndex, list.endIndex).includes('\n');
  if (multiline) {
    const lineStart = text.lastIndexOf('\n', last.startIndex) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
    const at = trailingComma ? last.endIndex + between.indexOf(',') + 1 : last.endIndex;
    return { range: { start: at, end: at }, newText: `${trailingComma ? '' : ','}\n${indent}${keyword}${trailingComma ? ',' : ''}` };
  }
  const at = trailingComma ? last.endIndex + between.indexOf(',') + 1 : last.endIndex;
  return { range: { start: at, end: at }, newText: trailingComma ? ` ${keyword},` : `, ${keyword}` };
}

/** True for test code: files that import pytest, unittest, a mock library or hypothesis. */
export function isPythonTestFile(text: string): boolean {
  return /^[ \t]*(?:from|import)[ \t]+(?:pytest|unittest|mock|hypothesis|nose)\b/m.test(text);
}

/** The keyword arguments of a call (re-exported for the rules' convenience). */
export function keywordsOf(call: PythonNode): Map<string, PythonNode> {
  return pythonArguments(call).keywords;
}

/** The function definition a decorator decorates, or null. */
export function decoratedFunction(decorator: PythonNode): PythonNode | null {
  const definition = decorator.parent;
  if (definition?.type !== 'decorated_definition') return null;
  const inner = definition.childForFieldName('definition');
  return inner?.type === 'function_definition' ? inner : null;
}
