/**
 * What the Python forms of the application rules (request-without-timeout, sql-built-from-strings,
 * query-in-loop, unbounded-find) need to read a Python file the way its author wrote it: the
 * imports by local name (so `import requests as r; r.get(...)` is still requests), dotted callee
 * paths, the enclosing function and loops of a node, and whether a file is test code. Everything
 * works on tree-sitter nodes during the lint and keeps no node beyond it.
 */

import { walkPythonNamed, type PythonNode } from '../../engine/languages/python';

/** Local names bound by the file's imports, to the dotted path they stand for. */
export type PythonImports = Map<string, string>;

/**
 * `import requests as r` → r: 'requests'; `import urllib.request` → urllib: 'urllib';
 * `from requests import Session as S` → S: 'requests.Session'. Imports anywhere in the file count
 * (functions import lazily); relative imports keep their dots (`from .models import User` →
 * User: '.models.User').
 */
export function pythonImports(root: PythonNode): PythonImports {
  const imports: PythonImports = new Map();
  walkPythonNamed(root, (node) => {
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child === null) continue;
        if (child.type === 'dotted_name') {
          const first = child.namedChildren[0];
          if (first !== null && first !== undefined) imports.set(first.text, first.text);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name');
          const alias = child.childForFieldName('alias');
          if (name !== null && alias !== null) imports.set(alias.text, name.text);
        }
      }
      return false;
    }
    if (node.type === 'import_from_statement') {
      const module = node.childForFieldName('module_name');
      if (module === null) return false;
      for (const child of node.namedChildren) {
        if (child === null || child === module || (child.startIndex === module.startIndex && child.endIndex === module.endIndex)) continue;
        if (child.type === 'dotted_name') imports.set(child.text, `${module.text}.${child.text}`);
        else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name');
          const alias = child.childForFieldName('alias');
          if (name !== null && alias !== null) imports.set(alias.text, `${module.text}.${name.text}`);
        }
      }
      return false;
    }
    // Imports are statements: they never sit inside an expression, so expression statements
    // (which can be a 10 MB list literal on one line, #15), strings and comments are not walked.
    return node.type !== 'expression_statement' && node.type !== 'return_statement' && node.type !== 'string' && node.type !== 'comment';
  });
  return imports;
}

/** True when some import of the file is `module` or inside it (`sqlalchemy.orm` for 'sqlalchemy'). */
export function importsModule(imports: PythonImports, module: string): boolean {
  for (const path of imports.values()) if (path === module || path.startsWith(`${module}.`)) return true;
  return false;
}

/** The names of an attribute chain (`a.b.c` → ['a', 'b', 'c']), or null when it is not one. */
export function dottedParts(node: PythonNode): string[] | null {
  // Down the chain with a loop, the names collected last first: `a.b.c...` can be thousands long (#15).
  const reversed: string[] = [];
  let current = node;
  while (current.type === 'attribute') {
    const object = current.childForFieldName('object');
    const attribute = current.childForFieldName('attribute');
    if (object === null || attribute === null) return null;
    reversed.push(attribute.text);
    current = object;
  }
  if (current.type !== 'identifier') return null;
  reversed.push(current.text);
  return reversed.reverse();
}

/** The dotted path an expression names after imports are resolved (`r.get` → 'requests.get'), or null when its root is not imported. */
export function resolvedPath(imports: PythonImports, node: PythonNode): string | null {
  const parts = dottedParts(node);
  if (parts === null) return null;
  const [root, ...rest] = parts;
  if (root === undefined) return null;
  const module = imports.get(root);
  if (module === undefined) return null;
  return [module, ...rest].join('.');
}

/** The callee of a call, its method name and its receiver (`cur.execute` → execute, cur). */
export function calleeParts(call: PythonNode): { callee: PythonNode; method: string | null; receiver: PythonNode | null } | null {
  const callee = call.childForFieldName('function');
  if (callee === null) return null;
  if (callee.type === 'attribute') return { callee, method: callee.childForFieldName('attribute')?.text ?? null, receiver: callee.childForFieldName('object') };
  if (callee.type === 'identifier') return { callee, method: callee.text, receiver: null };
  return { callee, method: null, receiver: null };
}

/** True when a call passes `*args` or `**kwargs`, which may carry any argument. */
export function hasSplat(call: PythonNode): boolean {
  const list = call.childForFieldName('arguments');
  return list !== null && list.namedChildren.some((child) => child !== null && (child.type === 'list_splat' || child.type === 'dictionary_splat'));
}

/** The nearest enclosing function definition (a lambda counts), or null at module level. */
export function enclosingFunction(node: PythonNode): PythonNode | null {
  let current = node.parent;
  while (current !== null) {
    if (current.type === 'function_definition' || current.type === 'lambda') return current;
    current = current.parent;
  }
  return null;
}

/** The same node (tree-sitter hands out a new object per visit, so identity is by position and type). */
export function sameNode(a: PythonNode | null, b: PythonNode | null): boolean {
  if (a === null || b === null) return a === b;
  return a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}


/** A name written in SCREAMING_CASE: a constant by Python convention. */
export function isScreamingCase(name: string): boolean {
  return name.length > 1 && /^[A-Z][A-Z0-9_]*$/.test(name);
}

/** Literals: strings without interpolation, numbers, True/False/None, and tuples or lists of them. */
export function isPythonLiteral(node: PythonNode): boolean {
  // Every part that must be a literal, with a stack: `-(-(...))`, parentheses and chains of
  // conditional expressions can nest thousands deep (#15).
  const pending: PythonNode[] = [node];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    switch (current.type) {
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        break;
      case 'string':
        if (current.namedChildren.some((child) => child !== null && child.type === 'interpolation')) return false;
        break;
      case 'concatenated_string':
        for (const child of current.namedChildren) if (child !== null) pending.push(child);
        break;
      case 'unary_operator':
      case 'parenthesized_expression': {
        const inner = current.namedChildren.find((child) => child !== null && child.type !== 'comment');
        if (inner === undefined || inner === null) return false;
        pending.push(inner);
        break;
      }
      case 'conditional_expression':
        // The branches are literals; the condition may read names.
        for (const child of current.namedChildren) {
          if (child === null || ['comment', 'identifier', 'comparison_operator', 'attribute'].includes(child.type)) continue;
          pending.push(child);
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Names assigned exactly once at module level, to their value: file constants. A name assigned
 * again anywhere at module level is left out (it may hold either value).
 */
export function moduleAssignments(root: PythonNode): Map<string, PythonNode> {
  const seen = new Map<string, PythonNode | null>();
  for (const statement of root.namedChildren) {
    if (statement === null || statement.type !== 'expression_statement') continue;
    const assignment = statement.namedChildren[0];
    if (assignment === null || assignment === undefined || assignment.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left === null || left.type !== 'identifier') continue;
    seen.set(left.text, seen.has(left.text) || right === null ? null : right);
  }
  const constants = new Map<string, PythonNode>();
  for (const [name, value] of seen) if (value !== null) constants.set(name, value);
  return constants;
}

/** The first statement of a function body that assigns `name` (plain `name = value`), searched before `before`. */
export function localAssignment(scope: PythonNode, name: string, before: number): PythonNode | null {
  let found: PythonNode | null = null;
  let count = 0;
  walkPythonNamed(scope, (node) => {
    if (node.startIndex >= before) return false;
    if (node.type === 'function_definition' && node.startIndex !== scope.startIndex) return false;
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      if (left?.type === 'identifier' && left.text === name) {
        count++;
        found = node.childForFieldName('right');
      }
    }
    return true;
  });
  return count === 1 ? found : null;
}

/** The names a `for` target or assignment target binds (`row`, `(a, b)`, `[x, *rest]`). */
export function boundPythonNames(target: PythonNode, into: Set<string> = new Set()): Set<string> {
  walkPythonNamed(target, (node) => {
    if (node.type === 'identifier') into.add(node.text);
    return ['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression'].includes(node.type);
  });
  return into;
}

/** True when the expression reads one of `names` as a variable (not as an attribute or keyword name). */
export function mentionsName(node: PythonNode, names: ReadonlySet<string>): boolean {
  let found = false;
  walkPythonNamed(node, (current) => {
    if (found) return false;
    if (current.type !== 'identifier') return true;
    if (!names.has(current.text)) return false;
    const parent = current.parent;
    if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('attribute'), current)) return false;
    if (parent?.type === 'keyword_argument' && sameNode(parent.childForFieldName('name'), current)) return false;
    found = true;
    return false;
  });
  return found;
}

/** The method calls of a chain in call order and the expression it starts from: `M.objects.filter(a).first()` → [filter, first] from `M.objects`. */
export function methodChain(call: PythonNode): { methods: { name: string; call: PythonNode }[]; root: PythonNode } {
  const methods: { name: string; call: PythonNode }[] = [];
  let current: PythonNode = call;
  for (;;) {
    if (current.type === 'call') {
      const callee = current.childForFieldName('function');
      if (callee?.type !== 'attribute') break;
      const object = callee.childForFieldName('object');
      if (object === null) break;
      methods.unshift({ name: callee.childForFieldName('attribute')?.text ?? '', call: current });
      current = object;
      continue;
    }
    break;
  }
  return { methods, root: current };
}

/** `X.objects` (a Django manager on a model class) as the root of a chain: the model's name, else null. */
export function djangoManagerModel(root: PythonNode): string | null {
  if (root.type !== 'attribute') return null;
  const object = root.childForFieldName('object');
  const attribute = root.childForFieldName('attribute')?.text;
  if (object === null || attribute !== 'objects') return null;
  const name = object.type === 'identifier' ? object.text : object.type === 'attribute' ? (object.childForFieldName('attribute')?.text ?? '') : '';
  return /^[A-Z]\w*$/.test(name) ? name : null;
}

/** True for files that use Django models (imports from django, or from a `models` module). */
export function usesDjangoModels(text: string): boolean {
  return /^\s*(?:from|import)\s+(?:django\b|\S*\bmodels\b)/m.test(text);
}

/** True for a string, an f-string, or a string built with `%`, `+` or `.format(...)`: text, not a value from outside. */
export function isStringExpression(node: PythonNode): boolean {
  // Down the left of `+` / `%` chains, parentheses and `.format` / `.join` receivers with a loop:
  // `"a" + "a" + ...` on one line is a tree as deep as it is long (#15).
  let current: PythonNode | null | undefined = node;
  while (current !== null && current !== undefined) {
    if (current.type === 'string' || current.type === 'concatenated_string') return true;
    if (current.type === 'parenthesized_expression') {
      current = current.namedChildren.find((child) => child !== null && child.type !== 'comment');
    } else if (current.type === 'binary_operator') {
      current = current.childForFieldName('left');
    } else if (current.type === 'call') {
      const callee: PythonNode | null = current.childForFieldName('function');
      const object: PythonNode | null = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      current = ['format', 'join'].includes(callee?.childForFieldName('attribute')?.text ?? '') ? object : null;
    } else {
      return false;
    }
  }
  return false;
}

/** A function, lambda or class of a parse, with the names assigned a built string directly in its body. */
interface StringAssignmentScope {
  start: number;
  end: number;
  isFunction: boolean;
  names: Set<string>;
}

/**
 * Every scope of a parse with the names it assigns from a string it builds, worked out once per
 * parse (keyed by the tree), in document order. Asked per substitution, a walk of the enclosing
 * function each time, and the climb to it through `.parent` (which tree-sitter answers by
 * descending from the root), were quadratic in a long function full of queries or a long
 * concatenation (#15, found by the fuzzer).
 */
const stringAssignmentScopes = new WeakMap<object, StringAssignmentScope[]>();

/** The innermost scope (of those `accept` takes) around `offset`: scopes nest, so it is the last one opened before it that still contains it. */
function innermostScope(scopes: readonly StringAssignmentScope[], offset: number, accept: (scope: StringAssignmentScope) => boolean): StringAssignmentScope | null {
  let low = 0;
  let high = scopes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((scopes[middle]?.start ?? 0) <= offset) low = middle + 1;
    else high = middle;
  }
  for (let index = low - 1; index >= 0; index--) {
    const scope = scopes[index];
    if (scope !== undefined && scope.end > offset && accept(scope)) return scope;
  }
  return null;
}

function scopesOf(node: PythonNode): StringAssignmentScope[] {
  const known = stringAssignmentScopes.get(node.tree);
  if (known !== undefined) return known;
  const scopes: StringAssignmentScope[] = [];
  const assignments: { offset: number; name: string }[] = [];
  walkPythonNamed(node.tree.rootNode, (current) => {
    if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') {
      scopes.push({ start: current.startIndex, end: current.endIndex, isFunction: current.type !== 'class_definition', names: new Set() });
    } else if (current.type === 'assignment' || current.type === 'augmented_assignment') {
      const left = current.childForFieldName('left');
      const right = current.childForFieldName('right');
      if (left?.type === 'identifier' && right !== null && isStringExpression(right)) assignments.push({ offset: current.startIndex, name: left.text });
    }
    return true;
  });
  // The walk visits a node before its children, so scopes are in order of their start.
  for (const assignment of assignments) innermostScope(scopes, assignment.offset, () => true)?.names.add(assignment.name);
  stringAssignmentScopes.set(node.tree, scopes);
  return scopes;
}

/** True when the function around `node` assigns `name` from a string it builds (`new_value = "TO_CHAR(%s)" % col`): SQL text made in code. */
export function assignedStringInScope(node: PythonNode, name: string): boolean {
  // Inside a class inside a function, the function is the scope; the class body's own assignments are not the function's.
  const scope = innermostScope(scopesOf(node), node.startIndex, (candidate) => candidate.isFunction);
  return scope !== null && scope.names.has(name);
}

/** True inside `if __name__ == "__main__":`: the module run as a script (in libraries, usually a maintainer's generator). */
export function insideMainGuard(node: PythonNode): boolean {
  let current = node.parent;
  while (current !== null) {
    if (current.type === 'if_statement' && current.parent?.type === 'module' && /__name__\s*==\s*['"]__main__['"]/.test(current.childForFieldName('condition')?.text ?? '')) return true;
    current = current.parent;
  }
  return false;
}
