/**
 * request-without-timeout: an outgoing HTTP call that can wait forever. Global `fetch` (and
 * node-fetch / undici's) without a `signal`; axios calls on the default instance and
 * `axios.create(...)` without `timeout` (none by default: axios's `timeout` is 0); got calls and
 * `got.extend(...)` without `timeout` (got sets none); `http(s).request` / `http(s).get` without a
 * `timeout` option and no `.setTimeout(...)` in the same function.
 *
 * Timeouts set elsewhere in the file count: `axios.defaults.timeout = ...`, `api.defaults.timeout
 * = ...`, a request interceptor that sets one, or every call on an instance passing its own; so
 * does `axios.defaults.timeout = ...` in any module of the project (a project fact, see
 * engine/project-facts.ts), for calls on the default axios instance. Calls
 * on an axios or got instance are not reported (the instance's creation is, when the file shows
 * it). Options the file cannot see (a parameter, a spread, an import) keep the rule silent, and so
 * do fetches of server-sent-event streams, which must not end after a fixed time. It applies to
 * production code only (engine/roles.ts): not tests, examples or browser UI code.
 *
 * A project's own wrapper that gives its callers no deadline by default is reported once, at the
 * call inside it: a fetch wrapper whose signal is a deadline only when the caller passes a
 * timeout, and a `requests.Session` subclass whose `request`/`send` override sets none.
 *
 * Findings are shown at info, with a note saying why, where something outside the call bounds it:
 * code only a serverless function runs (a project fact), and calls nothing waits for (work handed
 * to `after()` / `waitUntil()`, a dropped fetch promise; see unawaitedNote).
 *
 * The fix adds the library's own timeout option with 10 seconds: `signal:
 * AbortSignal.timeout(10_000)`, `timeout: 10_000`, got's `timeout: { request: 10_000 }`. Node's
 * http module gets no fix: its `timeout` only emits an event that the caller must handle.
 */

import { fileNodes, nodesOfKind, ts } from '../../engine/languages/typescript';
import { pythonArguments, walkPythonNamed, type PythonNode } from '../../engine/languages/python';
import { importOf, word } from '../../engine/prefilter';
import { defineRule, type ReportDescriptor } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyInsertion, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { enclosingFunction, isFunctionLikeNode } from '../helpers/connections';
import { calleeParts, dottedParts, enclosingFunction as enclosingPythonFunction, hasSplat, insideMainGuard, pythonImports, resolvedPath, type PythonImports } from '../helpers/python-data-access';
import { FETCH_MODULES } from '../helpers/fetch-modules';

type MessageId = 'fetch' | 'fetchLibrary' | 'fetchWrapper' | 'axiosCall' | 'axiosCreate' | 'got' | 'gotExtend' | 'http' | 'pyRequests' | 'pySession' | 'pySessionOverride' | 'pyUrlopen' | 'pyTimeoutNone' | 'pyBotocoreNone';

type Client = 'fetch' | 'axios' | 'got' | 'http';

interface RequestCall {
  client: Client;
  messageId: MessageId;
  /** Where the options object goes in the arguments. */
  configIndex: number;
  /** The option names that bound the request (any one of them is enough). */
  timeoutKeys: readonly string[];
  /** The property the fix inserts, or null for no fix. */
  fixProperty: string | null;
  /** The module a library's fetch comes from (`node-fetch`): its message names it. */
  library?: string;
}

const HTTP_MODULES = new Set(['http', 'https', 'node:http', 'node:https']);
/** axios methods and where their config goes: `get(url, config)`, `post(url, data, config)`. */
const AXIOS_METHODS: ReadonlyMap<string, number> = new Map([
  ['get', 1], ['delete', 1], ['head', 1], ['options', 1],
  ['post', 2], ['put', 2], ['patch', 2], ['postForm', 2], ['putForm', 2], ['patchForm', 2],
  ['request', 0],
]);
const GOT_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head']);

const AXIOS_KEYS = ['timeout', 'signal', 'cancelToken'];
const FETCH_SIGNAL = 'signal: AbortSignal.timeout(10_000)';
const AXIOS_TIMEOUT = 'timeout: 10_000';
const GOT_TIMEOUT = 'timeout: { request: 10_000 }';

/** What kind of outgoing request `call` is, or null when it is none the rule knows. */
function requestCallOf(bindings: FileBindings, call: ts.CallExpression, fetchIsGlobal: () => boolean): RequestCall | null {
  const callee = unwrapExpression(call.expression);
  const calleeName = ts.isIdentifier(callee) ? callee.text : null;
  const imported = bindings.resolveImport(callee);
  // A library's fetch whatever its local name (`import nodeFetch from 'node-fetch'`), or the global one.
  const fromLibrary = imported !== null && FETCH_MODULES.has(imported.module) && (imported.exportName === 'default' || imported.exportName === 'fetch');
  const namedFetch = calleeName === 'fetch' || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && ts.isIdentifier(callee.expression) && callee.expression.text === 'globalThis');
  if (fromLibrary || namedFetch) {
    if (!fromLibrary && (imported !== null || !fetchIsGlobal())) return null;
    // node-fetch and the fetches built on it stop nothing by themselves: not even Node's 300 s.
    if (fromLibrary && imported.module !== 'undici') return { client: 'fetch', messageId: 'fetchLibrary', configIndex: 1, timeoutKeys: ['signal', 'timeout'], fixProperty: FETCH_SIGNAL, library: imported.module };
    return { client: 'fetch', messageId: 'fetch', configIndex: 1, timeoutKeys: ['signal', 'timeout'], fixProperty: FETCH_SIGNAL };
  }
  if (imported === null) return null;
  if (imported.module === 'axios') {
    if (imported.exportName === 'default' && ts.isIdentifier(callee)) {
      // axios(config) or axios(url, config)
      const first = call.arguments[0];
      const configIndex = first !== undefined && objectLiteralOf(bindings, first) !== null ? 0 : 1;
      return { client: 'axios', messageId: 'axiosCall', configIndex, timeoutKeys: AXIOS_KEYS, fixProperty: AXIOS_TIMEOUT };
    }
    if (imported.exportName === 'create') return { client: 'axios', messageId: 'axiosCreate', configIndex: 0, timeoutKeys: AXIOS_KEYS, fixProperty: AXIOS_TIMEOUT };
    const configIndex = AXIOS_METHODS.get(imported.exportName);
    if (configIndex === undefined) return null;
    return { client: 'axios', messageId: 'axiosCall', configIndex, timeoutKeys: AXIOS_KEYS, fixProperty: AXIOS_TIMEOUT };
  }
  if (imported.module === 'got') {
    const gotKeys = ['timeout', 'signal', 'isStream'];
    if (imported.exportName === 'default' && ts.isIdentifier(callee)) {
      const first = call.arguments[0];
      const configIndex = first !== undefined && objectLiteralOf(bindings, first) !== null ? 0 : 1;
      return { client: 'got', messageId: 'got', configIndex, timeoutKeys: gotKeys, fixProperty: GOT_TIMEOUT };
    }
    if (imported.exportName === 'extend') return { client: 'got', messageId: 'gotExtend', configIndex: 0, timeoutKeys: gotKeys, fixProperty: GOT_TIMEOUT };
    if (!GOT_METHODS.has(imported.exportName)) return null;
    return { client: 'got', messageId: 'got', configIndex: 1, timeoutKeys: gotKeys, fixProperty: GOT_TIMEOUT };
  }
  if (HTTP_MODULES.has(imported.module) && (imported.exportName === 'request' || imported.exportName === 'get')) {
    return { client: 'http', messageId: 'http', configIndex: -1, timeoutKeys: ['timeout', 'signal', 'agent'], fixProperty: null };
  }
  return null;
}

type ConfigState = { state: 'bounded' } | { state: 'unknown' } | { state: 'missing'; literal: ts.ObjectLiteralExpression | null };

/** Whether the options argument bounds the request, leaves it unbounded, or cannot be known here. */
function configState(bindings: FileBindings, argument: ts.Expression | undefined, keys: readonly string[]): ConfigState {
  if (argument === undefined) return { state: 'missing', literal: null };
  const literal = objectLiteralOf(bindings, argument);
  if (literal === null) return { state: 'unknown' };
  const { names, spread } = propertiesOf(literal);
  if (keys.some((key) => names.has(key))) return { state: 'bounded' };
  if (spread) return { state: 'unknown' };
  return { state: 'missing', literal };
}

/**
 * Node's http(s).request / get take (url), (url, options) or (options), each optionally followed
 * by a callback. The request is bounded when an options object has a timeout, or when the
 * surrounding function calls `.setTimeout(...)` (on the request, its socket, or a timer that
 * destroys it).
 */
function httpIsUnbounded(bindings: FileBindings, call: ts.CallExpression, keys: readonly string[]): boolean {
  for (const argument of call.arguments.slice(0, 2)) {
    const value = unwrapExpression(argument);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) continue;
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isTemplateExpression(value)) continue;
    if (ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'URL') continue;
    const state = configState(bindings, argument, keys);
    if (state.state !== 'missing') return false;
  }
  let scope: ts.Node = call.parent;
  while (!ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  return !/setTimeout\s*\(|AbortSignal/.test(scope.getText());
}

/** Where `client = axios.create(...)` puts the instance: `client`, `this.client`, or null. */
function instanceName(call: ts.CallExpression): string | null {
  const parent = call.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === call) {
    const left = parent.left;
    if (ts.isIdentifier(left) || ts.isPropertyAccessExpression(left)) return left.getText();
  }
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return `this.${parent.name.text}`;
  return null;
}

/**
 * What the file does to its clients' defaults, computed once on first need: the receivers whose
 * `defaults.timeout` (or `defaults.signal`) is assigned or whose request interceptor may set one,
 * and, per receiver, whether every method call passes its own timeout.
 */
interface DefaultsIndex {
  bounded: Set<string>;
  callsWithout: Map<string, number>;
  callsWith: Map<string, number>;
}

function indexDefaults(sourceFile: ts.SourceFile, bindings: FileBindings): DefaultsIndex {
  const index: DefaultsIndex = { bounded: new Set(), callsWithout: new Map(), callsWith: new Map() };
  for (const node of fileNodes(sourceFile)) {
    // client.defaults.timeout = 5000 / axios.defaults.signal = ...
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = node.left;
      if (ts.isPropertyAccessExpression(left) && ['timeout', 'signal'].includes(left.name.text) && ts.isPropertyAccessExpression(left.expression) && left.expression.name.text === 'defaults') {
        index.bounded.add(left.expression.expression.getText());
      }
      if (ts.isPropertyAccessExpression(left) && left.name.text === 'defaults' && /\btimeout\b|\bsignal\b/.test(node.right.getText())) index.bounded.add(left.expression.getText());
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const callee = node.expression;
      // client.interceptors.request.use(config => { config.timeout = ...; return config; })
      if (callee.name.text === 'use' && ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'request') {
        const interceptors = callee.expression.expression;
        if (ts.isPropertyAccessExpression(interceptors) && interceptors.name.text === 'interceptors') {
          const handler = node.arguments[0];
          const inline = handler !== undefined && (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler));
          if (!inline || /\btimeout\b|\bsignal\b/.test(handler.getText())) index.bounded.add(interceptors.expression.getText());
        }
      }
      // Object.assign(client.defaults, { timeout })
      if (callee.name.text === 'assign' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object') {
        const target = node.arguments[0];
        if (target !== undefined && ts.isPropertyAccessExpression(target) && target.name.text === 'defaults' && /\btimeout\b/.test(node.getText())) index.bounded.add(target.expression.getText());
      }
      const configIndex = AXIOS_METHODS.get(callee.name.text) ?? (GOT_METHODS.has(callee.name.text) ? 1 : undefined);
      if (configIndex !== undefined) {
        const receiver = callee.expression.getText();
        const state = configState(bindings, node.arguments[configIndex], ['timeout', 'signal', 'cancelToken']);
        const map = state.state === 'missing' ? index.callsWithout : index.callsWith;
        map.set(receiver, (map.get(receiver) ?? 0) + 1);
      }
    }
  }
  return index;
}

/** Names the file declares as `fetch` (a parameter, a local function or variable), which then is not the global. */
function declaresFetch(sourceFile: ts.SourceFile): boolean {
  for (const node of fileNodes(sourceFile)) {
    if (!ts.isIdentifier(node) || node.text !== 'fetch') continue;
    const parent = node.parent;
    if ((ts.isParameter(parent) || ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent) || ts.isImportSpecifier(parent) || ts.isImportClause(parent)) && parent.name === node) return true;
  }
  return false;
}

/** A fetch whose input is a `Request` (which may carry its own signal). */
function fetchesRequestObject(bindings: FileBindings, call: ts.CallExpression): boolean {
  const first = call.arguments[0];
  if (first === undefined) return false;
  if (ts.isSpreadElement(first)) return true;
  const value = bindings.origin(first);
  if (ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Request') return true;
  const name = ts.isIdentifier(value) ? value.text : ts.isPropertyAccessExpression(value) ? value.name.text : '';
  return /^req$|request$/i.test(name);
}

/**
 * A fetch of a file shipped with the module, `fetch(new URL('./fonts/inter.ttf', import.meta.url))`:
 * the bundler or runtime serves it from the deployment (or the disk), no remote server is asked.
 */
function fetchesBundledAsset(bindings: FileBindings, call: ts.CallExpression): boolean {
  const first = call.arguments[0];
  if (first === undefined) return false;
  const value = bindings.origin(first);
  if (!ts.isNewExpression(value) || !ts.isIdentifier(value.expression) || value.expression.text !== 'URL') return false;
  const [path, base] = value.arguments ?? [];
  return path !== undefined && ts.isStringLiteralLike(path) && /^\.{1,2}\//.test(path.text) && base !== undefined && ts.isPropertyAccessExpression(base) && base.name.text === 'url' && ts.isMetaProperty(base.expression) && base.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

/** Server-sent events and streamed uploads must not end after a fixed time. */
function isStreaming(literal: ts.ObjectLiteralExpression): boolean {
  return /text\/event-stream|\bduplex\b/.test(literal.getText());
}

/*
 * A project's own fetch wrapper that makes a deadline only when its caller asks for one:
 *
 *   const { timeout, ...rest } = init ?? {};
 *   let controller: AbortController | undefined;
 *   if (timeout) { controller = new AbortController(); setTimeout(() => controller?.abort(), timeout); }
 *   return nodeFetch(url, { ...rest, signal: controller?.signal ?? rest.signal });
 *
 * The call passes a `signal`, yet by default (no timeout, no signal from the caller) it is
 * undefined, and every caller that passes neither waits forever. The signal's value is followed
 * through the wrapper's own variables; each source is the caller's (a parameter, or undefined), a
 * deadline made only under a condition on a timeout the caller passes, or anything else (a
 * deadline the wrapper always sets, or a value the rule cannot follow), which keeps it silent.
 */
type SignalSource = 'caller' | 'onRequest' | 'other';

type Declaration = ts.ParameterDeclaration | ts.BindingElement | ts.VariableDeclaration;

/** How deep, and how many values in all, the rule follows a signal through: wrappers are a few lines. */
const SIGNAL_DEPTH_LIMIT = 8;
const SIGNAL_STEP_LIMIT = 64;

function joinSources(a: SignalSource, b: SignalSource): SignalSource {
  if (a === 'other' || b === 'other') return 'other';
  return a === 'onRequest' || b === 'onRequest' ? 'onRequest' : 'caller';
}

function nearestFunction(node: ts.Node): ts.Node | null {
  return isFunctionLikeNode(node) ? node : enclosingFunction(node);
}

/** The names a parameter or variable binds (`x`, `{ a, b: { x } }`, `[x]`, `...x`), each with its declaration. */
function boundNames(name: ts.BindingName, declaration: ts.ParameterDeclaration | ts.VariableDeclaration, into: [string, Declaration][] = []): [string, Declaration][] {
  if (ts.isIdentifier(name)) {
    into.push([name.text, declaration]);
    return into;
  }
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isIdentifier(element.name)) into.push([element.name.text, element]);
    else boundNames(element.name, declaration, into);
  }
  return into;
}

/**
 * The file's local names, indexed once on first need: the variables each function declares
 * directly (not in a nested function), and the assignments to each name. Lookups then cost a map
 * read per enclosing function, whatever the file's size.
 */
interface LocalNames {
  variables: Map<ts.Node, Map<string, Declaration[]>>;
  assignments: Map<string, ts.BinaryExpression[]>;
}

const localNamesCache = new WeakMap<ts.SourceFile, LocalNames>();

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function localNamesOf(sourceFile: ts.SourceFile): LocalNames {
  const cached = localNamesCache.get(sourceFile);
  if (cached !== undefined) return cached;
  const index: LocalNames = { variables: new Map(), assignments: new Map() };
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.VariableDeclaration)) {
    const scope = ts.isVariableDeclaration(node) ? enclosingFunction(node) : null;
    if (scope === null || !ts.isVariableDeclaration(node)) continue;
    const names = index.variables.get(scope) ?? new Map<string, Declaration[]>();
    index.variables.set(scope, names);
    for (const [name, declaration] of boundNames(node.name, node)) appendTo(names, name, declaration);
  }
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.BinaryExpression)) {
    if (!ts.isBinaryExpression(node)) continue;
    const operator = node.operatorToken.kind;
    const target = unwrapExpression(node.left);
    if (operator < ts.SyntaxKind.FirstAssignment || operator > ts.SyntaxKind.LastAssignment || !ts.isIdentifier(target)) continue;
    appendTo(index.assignments, target.text, node);
  }
  localNamesCache.set(sourceFile, index);
  return index;
}

/**
 * Where `name`, read at `at`, is declared: a parameter of an enclosing function (or a name
 * destructured in one), or a variable declared directly in it. Null at module level, or when one
 * function declares the name twice (block scopes the rule does not model).
 */
function localDeclaration(sourceFile: ts.SourceFile, name: string, at: ts.Node): Declaration | null {
  const { variables } = localNamesOf(sourceFile);
  for (let scope = enclosingFunction(at); scope !== null; scope = enclosingFunction(scope)) {
    const found: Declaration[] = [...(variables.get(scope)?.get(name) ?? [])];
    for (const parameter of scope.parameters) {
      for (const [bound, declaration] of boundNames(parameter.name, parameter)) if (bound === name) found.push(declaration);
    }
    if (found.length === 1) return found[0] ?? null;
    if (found.length > 1) return null;
  }
  return null;
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
}

function isEmptyObject(expression: ts.Expression | undefined): boolean {
  if (expression === undefined) return false;
  const value = unwrapExpression(expression);
  return ts.isObjectLiteralExpression(value) && value.properties.length === 0;
}

function isUndefinedValue(value: ts.Expression): boolean {
  return (ts.isIdentifier(value) && value.text === 'undefined') || value.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(value);
}

/**
 * True when the value is what the wrapper's caller passed, with no default of the wrapper's: a
 * parameter (an empty `{}` default adds nothing), a name destructured from one, or a property of
 * one (`init.timeout`, `rest.signal`).
 */
function fromCaller(sourceFile: ts.SourceFile, expression: ts.Expression, depth = 0): boolean {
  if (depth > SIGNAL_DEPTH_LIMIT) return false;
  const value = unwrapExpression(expression);
  if (ts.isPropertyAccessExpression(value)) return fromCaller(sourceFile, value.expression, depth + 1);
  if (ts.isBinaryExpression(value) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(value.operatorToken.kind) && isEmptyObject(value.right)) {
    return fromCaller(sourceFile, value.left, depth + 1);
  }
  if (!ts.isIdentifier(value)) return false;
  let declaration: ts.Node | null = localDeclaration(sourceFile, value.text, value);
  // Up from a destructured name to its parameter or variable; any default on the way is the wrapper's own.
  while (declaration !== null && ts.isBindingElement(declaration)) {
    if (declaration.initializer !== undefined && !isEmptyObject(declaration.initializer)) return false;
    declaration = declaration.parent.parent;
  }
  if (declaration === null) return false;
  if (ts.isParameter(declaration)) return declaration.initializer === undefined || isEmptyObject(declaration.initializer);
  // Only a `const`: a `let` may be given the wrapper's own value later.
  if (ts.isVariableDeclaration(declaration)) return isConst(declaration) && declaration.initializer !== undefined && fromCaller(sourceFile, declaration.initializer, depth + 1);
  return false;
}

/** `timeout`, `init.timeout`, `options.timeoutMs`: a timeout the caller passes, which the wrapper gives no default. */
function isCallerTimeout(sourceFile: ts.SourceFile, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  const name = ts.isIdentifier(value) ? value.text : ts.isPropertyAccessExpression(value) ? value.name.text : '';
  return /timeout|deadline/i.test(name) && fromCaller(sourceFile, value);
}

/**
 * The caller's timeout a condition requires (`timeout`, `timeout && !init.signal`, `timeout > 0`,
 * `init.timeout != null`, `typeof timeout === 'number'`), or null when the condition can hold
 * without one.
 */
function timeoutCondition(sourceFile: ts.SourceFile, condition: ts.Expression): ts.Expression | null {
  const value = unwrapExpression(condition);
  if (!ts.isBinaryExpression(value)) return isCallerTimeout(sourceFile, value) ? value : null;
  const operator = value.operatorToken.kind;
  if (operator === ts.SyntaxKind.AmpersandAmpersandToken) return timeoutCondition(sourceFile, value.left) ?? timeoutCondition(sourceFile, value.right);
  if (operator === ts.SyntaxKind.BarBarToken) {
    const left = timeoutCondition(sourceFile, value.left);
    return left !== null && timeoutCondition(sourceFile, value.right) !== null ? left : null;
  }
  const right = unwrapExpression(value.right);
  const comparesToNothing = ts.isNumericLiteral(right) || isUndefinedValue(right);
  if ([ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(operator) && comparesToNothing) {
    return isCallerTimeout(sourceFile, value.left) ? unwrapExpression(value.left) : null;
  }
  const left = unwrapExpression(value.left);
  if ([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(operator) && ts.isTypeOfExpression(left) && ts.isStringLiteral(right) && right.text === 'number') {
    return isCallerTimeout(sourceFile, left.expression) ? unwrapExpression(left.expression) : null;
  }
  return null;
}

/** The caller's timeout an `if` around `node` (inside `scope`) requires, or null. */
function enclosingTimeoutCondition(sourceFile: ts.SourceFile, node: ts.Node, scope: ts.Node): ts.Expression | null {
  for (let current = node; current !== scope && current.parent !== undefined; current = current.parent) {
    const parent = current.parent;
    if (ts.isIfStatement(parent) && parent.thenStatement === current) {
      const option = timeoutCondition(sourceFile, parent.expression);
      if (option !== null) return option;
    }
  }
  return null;
}

interface SignalTrace {
  sourceFile: ts.SourceFile;
  /** The caller's timeout the first deadline found depends on. */
  option: ts.Expression | null;
  /** Values followed so far: a `let` assigned many times from other `let`s must not fan out without end. */
  steps: number;
}

/** A value made only when `option` was passed: a deadline on request, unless it is the caller's own anyway. */
function onRequest(trace: SignalTrace, expression: ts.Expression, option: ts.Expression, depth: number): SignalSource {
  if (signalSource(trace, expression, depth + 1) === 'caller') return 'caller';
  trace.option ??= option;
  return 'onRequest';
}

function signalSource(trace: SignalTrace, expression: ts.Expression, depth = 0): SignalSource {
  if (depth > SIGNAL_DEPTH_LIMIT || ++trace.steps > SIGNAL_STEP_LIMIT) return 'other';
  const { sourceFile } = trace;
  const value = unwrapExpression(expression);
  if (isUndefinedValue(value)) return 'caller';
  if (ts.isBinaryExpression(value)) {
    const operator = value.operatorToken.kind;
    if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      return joinSources(signalSource(trace, value.left, depth + 1), signalSource(trace, value.right, depth + 1));
    }
    const option = operator === ts.SyntaxKind.AmpersandAmpersandToken ? timeoutCondition(sourceFile, value.left) : null;
    return option === null ? 'other' : onRequest(trace, value.right, option, depth);
  }
  if (ts.isConditionalExpression(value)) {
    const option = timeoutCondition(sourceFile, value.condition);
    const whenTrue = option === null ? signalSource(trace, value.whenTrue, depth + 1) : onRequest(trace, value.whenTrue, option, depth);
    return joinSources(whenTrue, signalSource(trace, value.whenFalse, depth + 1));
  }
  if (fromCaller(sourceFile, value)) return 'caller';
  // controller.signal: where the controller comes from.
  if (ts.isPropertyAccessExpression(value)) return value.name.text === 'signal' && ts.isIdentifier(unwrapExpression(value.expression)) ? signalSource(trace, value.expression, depth + 1) : 'other';
  if (!ts.isIdentifier(value)) return 'other';
  const declaration = localDeclaration(sourceFile, value.text, value);
  if (declaration === null || !ts.isVariableDeclaration(declaration)) return 'other';
  let source: SignalSource = declaration.initializer === undefined ? 'caller' : signalSource(trace, declaration.initializer, depth + 1);
  if (isConst(declaration)) return source;
  // A `let`: every value assigned to it in the function, each under the conditions around it.
  const scope = nearestFunction(declaration);
  if (scope === null) return 'other';
  for (const node of localNamesOf(sourceFile).assignments.get(value.text) ?? []) {
    if (node.pos < scope.pos || node.end > scope.end || localDeclaration(sourceFile, value.text, node.left) !== declaration) continue;
    if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return 'other';
    const option = enclosingTimeoutCondition(sourceFile, node, scope);
    source = joinSources(source, option === null ? signalSource(trace, node.right, depth + 1) : onRequest(trace, node.right, option, depth));
  }
  return source;
}

/**
 * For a fetch whose options pass a `signal`: the caller's timeout that signal is a deadline only
 * with (the wrapper's callers that pass none wait forever), or null when it is a deadline anyway,
 * the caller's own, or cannot be followed.
 */
function deadlineOnlyWith(sourceFile: ts.SourceFile, bindings: FileBindings, call: ts.CallExpression): ts.Expression | null {
  const literal = objectLiteralOf(bindings, call.arguments[1]);
  if (literal === null) return null;
  const { names } = propertiesOf(literal);
  const signal = propertyValue(names.get('signal'));
  if (signal === null || names.has('timeout')) return null;
  const trace: SignalTrace = { sourceFile, option: null, steps: 0 };
  return signalSource(trace, signal) === 'onRequest' ? trace.option : null;
}

/*
 * Calls whose answer nothing waits for. Such a call still holds its socket while the peer stalls,
 * but no user's request waits behind it, and something else ends it: the platform, for work handed
 * to `after()` or `waitUntil()` once the response is sent; Node's fetch itself, for a dropped
 * promise (undici gives up after 300 s without headers or body bytes). These findings are shown at
 * info with a note saying which. Recognised in the call's own syntax only, walking up its parents.
 */

/** The functions that run work after the response is sent, as `module#export`. */
const AFTER_RESPONSE_EXPORTS: ReadonlyMap<string, 'after' | 'waitUntil'> = new Map([
  ['next/server#after', 'after'],
  ['@vercel/functions#waitUntil', 'waitUntil'],
  ['cloudflare:workers#waitUntil', 'waitUntil'],
]);

/** `after(...)` from next/server, `waitUntil(...)` from @vercel/functions, or `<any>.waitUntil(...)` (Workers, service workers). */
function afterResponseKind(bindings: FileBindings, call: ts.CallExpression): 'after' | 'waitUntil' | null {
  const callee = unwrapExpression(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'waitUntil') return 'waitUntil';
  const imported = bindings.resolveImport(callee);
  return imported === null ? null : (AFTER_RESPONSE_EXPORTS.get(`${imported.module}#${imported.exportName}`) ?? null);
}

/**
 * Whether `call` is inside an argument of `after(...)` / `waitUntil(...)`: in the callback or the
 * promise expression passed, through nested arrows and function expressions, but not out of a
 * named function, method or class declared there (that code may run from elsewhere too).
 */
function handedOffAfterResponse(bindings: FileBindings, call: ts.CallExpression): 'after' | 'waitUntil' | null {
  let child: ts.Node = call;
  for (let parent = call.parent; !ts.isSourceFile(parent); child = parent, parent = parent.parent) {
    if ((isFunctionLikeNode(parent) && !ts.isArrowFunction(parent) && !ts.isFunctionExpression(parent)) || ts.isClassLike(parent)) return null;
    if (ts.isCallExpression(parent) && parent.arguments.some((argument) => argument === child)) {
      const kind = afterResponseKind(bindings, parent);
      if (kind !== null) return kind;
    }
  }
  return null;
}

const PROMISE_HANDLERS = new Set(['then', 'catch', 'finally']);

/**
 * Whether the promise `call` returns is dropped: the call, or the end of a `.then(...)`,
 * `.catch(...)`, `.finally(...)` chain on it, is an expression statement or the operand of `void`.
 */
function dropsPromise(call: ts.CallExpression): boolean {
  let value: ts.Node = call;
  for (;;) {
    let parent = value.parent;
    while (ts.isParenthesizedExpression(parent)) {
      value = parent;
      parent = parent.parent;
    }
    const handlerCall = parent.parent;
    if (!ts.isPropertyAccessExpression(parent) || parent.expression !== value || !PROMISE_HANDLERS.has(parent.name.text) || !ts.isCallExpression(handlerCall) || handlerCall.expression !== parent) break;
    value = handlerCall;
  }
  return ts.isExpressionStatement(value.parent) || ts.isVoidExpression(value.parent);
}

/** Node's own fetch (global, or undici's), which frees a stalled socket after 300 s; node-fetch and the like do not. */
function isUndiciFetch(bindings: FileBindings, call: ts.CallExpression): boolean {
  const imported = bindings.resolveImport(call.expression);
  return imported === null || imported.module === 'undici';
}

const AFTER_NOTE = 'Shown as info: nothing waits for this call\'s answer: it runs in `after()` (next/server), once the response is sent, and the platform ends it at the route\'s time limit (`maxDuration`, where the platform applies one). A deadline still frees the function sooner if the peer stalls.';
const WAIT_UNTIL_NOTE = 'Shown as info: nothing waits for this call\'s answer: it is handed to `waitUntil()`, which keeps it running beside or after the response only until the platform\'s limit (the function\'s max duration on Vercel, 30 s after the response on Cloudflare Workers). A deadline still frees the worker sooner if the peer stalls.';
const DROPPED_FETCH_NOTE = 'Shown as info: nothing waits for this call\'s answer (its promise is dropped), and Node\'s fetch gives up after 300 s without response headers or body bytes, so a stalled peer holds only this call\'s socket, for a while. Set a deadline anyway if the call matters.';

/** Why nothing waits for this request's answer, as the note shown with its info finding, or undefined. */
function unawaitedNote(bindings: FileBindings, call: ts.CallExpression, client: Client): string | undefined {
  const handedOff = handedOffAfterResponse(bindings, call);
  if (handedOff !== null) return handedOff === 'after' ? AFTER_NOTE : WAIT_UNTIL_NOTE;
  // A dropped axios, got or http call keeps its socket with no limit at all.
  if (client === 'fetch' && dropsPromise(call) && isUndiciFetch(bindings, call)) return DROPPED_FETCH_NOTE;
  return undefined;
}

function calleeText(call: ts.CallExpression, sourceFile: ts.SourceFile): string {
  const text = call.expression.getText(sourceFile).replace(/\s+/g, '');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The edit that adds the timeout: into the options written in the call, or as a new last argument. */
function timeoutFix(sourceFile: ts.SourceFile, call: ts.CallExpression, request: RequestCall, state: ConfigState): Fix | null {
  const property = request.fixProperty;
  if (property === null || state.state !== 'missing') return null;
  const argument = call.arguments[request.configIndex];
  const title = `Add \`${property}\``;
  if (state.literal !== null) {
    // Only into a literal written in the call: a shared constant may serve other calls too.
    if (argument === undefined || unwrapExpression(argument) !== state.literal) return null;
    const insertion = propertyInsertion(sourceFile, state.literal, property);
    return { title, safety: 'safe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
  }
  if (call.arguments.length !== request.configIndex) return null;
  const last = call.arguments[call.arguments.length - 1];
  if (last === undefined) {
    const offset = call.arguments.pos;
    return { title, safety: 'safe', edits: [{ range: { start: offset, end: offset }, newText: `{ ${property} }` }] };
  }
  if (ts.isSpreadElement(last)) return null;
  return { title, safety: 'safe', edits: [{ range: { start: last.getEnd(), end: last.getEnd() }, newText: `, { ${property} }` }] };
}

/*
 * The Python form. requests sets no timeout at all: `requests.get(url)` passes `timeout=None` down
 * to `HTTPAdapter.send`, which builds `urllib3.Timeout(connect=None, read=None)` (requests 2.28.1,
 * sessions.py and adapters.py), and a `Session` has no default either. `urllib.request.urlopen`
 * uses the socket module's global default, which is None unless `socket.setdefaulttimeout()` was
 * called. httpx defaults to 5 s (`DEFAULT_TIMEOUT_CONFIG = Timeout(timeout=5.0)` in
 * httpx/_config.py), so only an explicit `timeout=None` is a finding there; botocore defaults to
 * 60 s connect and read (botocore 1.29.27, endpoint.py `DEFAULT_TIMEOUT = 60`), so only a `Config`
 * that sets one of them to None is.
 */

const REQUESTS_METHODS = new Set(['get', 'options', 'head', 'post', 'put', 'patch', 'delete', 'request']);
const REQUESTS_FUNCTIONS = new Set([...REQUESTS_METHODS].flatMap((method) => [`requests.${method}`, `requests.api.${method}`]));
const SESSION_FACTORIES = new Set(['requests.Session', 'requests.session', 'requests.sessions.Session', 'requests.sessions.session']);
const PYTHON_TIMEOUT = 'timeout=(3.05, 27)';
const URLOPEN_TIMEOUT = 'timeout=30';

/** The names (`s`, `self.session`) the file binds to a `requests.Session()`. */
function sessionNames(root: PythonNode, imports: PythonImports): Set<string> {
  const names = new Set<string>();
  const isFactory = (value: PythonNode | null): boolean => {
    if (value?.type !== 'call') return false;
    const callee = value.childForFieldName('function');
    const path = callee === null ? null : resolvedPath(imports, callee);
    return path !== null && SESSION_FACTORIES.has(path);
  };
  walkPythonNamed(root, (node) => {
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      if (left !== null && dottedParts(left) !== null && isFactory(node.childForFieldName('right'))) names.add(left.text);
    } else if (node.type === 'as_pattern') {
      const alias = node.childForFieldName('alias');
      const value = node.namedChildren[0] ?? null;
      if (alias !== null && isFactory(value)) names.add(alias.text);
    }
    return true;
  });
  return names;
}

/** A file that subclasses `Session` or `HTTPAdapter`, or replaces a session's `request`, may inject a default timeout the call does not show. */
function injectsSessionDefaults(text: string): boolean {
  return /class\s+\w+\s*\([^)]*\b(?:Session|HTTPAdapter)\b[^)]*\)|\.request\s*=|partial\([^)]*\.request\b/.test(text);
}

/** The edit that appends `argument` as the call's last argument. */
function appendArgument(call: PythonNode, argument: string, title: string): Fix | null {
  const list = call.childForFieldName('arguments');
  if (list === null || list.type !== 'argument_list') return null;
  const last = [...list.namedChildren].reverse().find((child) => child !== null && child.type !== 'comment') ?? null;
  if (last === null) {
    const offset = list.startIndex + 1;
    return { title, safety: 'safe', edits: [{ range: { start: offset, end: offset }, newText: argument }] };
  }
  return { title, safety: 'safe', edits: [{ range: { start: last.endIndex, end: last.endIndex }, newText: `, ${argument}` }] };
}

function pythonCalleeText(callee: PythonNode): string {
  const text = callee.text.replace(/\s+/g, '');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

interface PythonRequestFinding {
  messageId: MessageId;
  data: Record<string, string>;
  range: { start: number; end: number };
  fixes: Fix[];
}

/** The `Session` classes a subclass inherits `request` from (advocate's adds address checks to requests'). */
const SESSION_CLASSES = new Set(['requests.Session', 'requests.sessions.Session', 'advocate.Session', 'advocate.api.Session']);
/** The methods through which a Session subclass passes every request on. */
const SESSION_OVERRIDES = new Set([...REQUESTS_METHODS, 'send']);

interface SessionOverride {
  classNode: PythonNode;
  className: string;
  method: string;
}

/** True when code (not a comment) in `node` names a timeout: `timeout=`, `self.timeout`, `kwargs["timeout"]`. */
function mentionsTimeout(node: PythonNode): boolean {
  let found = false;
  walkPythonNamed(node, (child) => {
    if (found || child.type === 'comment') return false;
    if ((child.type === 'identifier' || child.type === 'string') && /timeout/i.test(child.text)) found = true;
    return !found;
  });
  return found;
}

/** The class a method is defined in (decorators allowed), or null. */
function definingClass(method: PythonNode): PythonNode | null {
  let parent = method.parent;
  if (parent?.type === 'decorated_definition') parent = parent.parent;
  const owner = parent?.type === 'block' ? parent.parent : null;
  return owner?.type === 'class_definition' ? owner : null;
}

/**
 * `super().request(...)` (or `requests.Session.request(self, ...)`, and the same for `send` and
 * the verb methods) inside the override of that method in a `requests.Session` subclass that sets
 * no timeout anywhere: the subclass is the project's wrapper, and every request made through it
 * has no deadline unless its caller passes one. Any mention of a timeout in the class (a
 * `kwargs.setdefault("timeout", ...)`, an attribute, a parameter), or an adapter mounted in the
 * file, is taken as the default it may set.
 */
function sessionOverrideWithoutTimeout(call: PythonNode, imports: PythonImports, text: string): SessionOverride | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const target = callee.childForFieldName('object');
  if (!SESSION_OVERRIDES.has(method) || target === null) return null;
  const viaSuper = target.type === 'call' && target.childForFieldName('function')?.text === 'super';
  const viaBase = !viaSuper && SESSION_CLASSES.has(resolvedPath(imports, target) ?? '');
  if (!viaSuper && !viaBase) return null;
  const override = enclosingPythonFunction(call);
  if (override?.type !== 'function_definition' || override.childForFieldName('name')?.text !== method) return null;
  const classNode = definingClass(override);
  const bases = classNode?.childForFieldName('superclasses') ?? null;
  if (classNode === null || bases === null) return null;
  if (!bases.namedChildren.some((base) => base !== null && SESSION_CLASSES.has(resolvedPath(imports, base) ?? ''))) return null;
  if (mentionsTimeout(classNode) || /HTTPAdapter|\.mount\s*\(/.test(text)) return null;
  return { classNode, className: classNode.childForFieldName('name')?.text ?? 'Session', method };
}

/** What is wrong with one Python call, or null when it is bounded or none the rule knows. */
function pythonRequestFinding(call: PythonNode, imports: PythonImports, sessions: () => Set<string>, text: string): PythonRequestFinding | null {
  const parts = calleeParts(call);
  if (parts === null) return null;
  const { callee, method, receiver } = parts;
  const path = resolvedPath(imports, callee);
  const { positional, keywords } = pythonArguments(call);
  const timeout = keywords.get('timeout');
  const data = { callee: pythonCalleeText(callee) };
  const range = { start: callee.startIndex, end: callee.endIndex };
  if (path !== null && /^botocore\.(?:config|client)\.Config$/.test(path)) {
    for (const option of ['connect_timeout', 'read_timeout']) {
      if (keywords.get(option)?.type === 'none') return { messageId: 'pyBotocoreNone', data: { option }, range, fixes: [] };
    }
    return null;
  }
  const isRequests = path !== null && REQUESTS_FUNCTIONS.has(path);
  const isSession = !isRequests && method !== null && REQUESTS_METHODS.has(method) && receiver !== null && dottedParts(receiver) !== null && sessions().has(receiver.text);
  const isHttpx = path !== null && path.startsWith('httpx.');
  if ((isRequests || isSession || isHttpx) && timeout?.type === 'none') return { messageId: 'pyTimeoutNone', data, range, fixes: [] };
  if (isRequests || isSession) {
    if (timeout !== undefined || hasSplat(call)) return null;
    if (isSession && injectsSessionDefaults(text)) return null;
    const fix = appendArgument(call, PYTHON_TIMEOUT, `Add \`${PYTHON_TIMEOUT}\``);
    return { messageId: isRequests ? 'pyRequests' : 'pySession', data, range, fixes: fix === null ? [] : [fix] };
  }
  if (path === 'urllib.request.urlopen') {
    if (timeout !== undefined || positional.length >= 3 || hasSplat(call) || /\bsetdefaulttimeout\s*\(/.test(text)) return null;
    const fix = appendArgument(call, URLOPEN_TIMEOUT, `Add \`${URLOPEN_TIMEOUT}\``);
    return { messageId: 'pyUrlopen', data, range, fixes: fix === null ? [] : [fix] };
  }
  return null;
}

/**
 * Why a finding in code that runs only inside a serverless function matters less: the function's
 * own timeout ends the invocation and what it holds. Its value is in the deployment config, not
 * here, so no number is claimed for it.
 */
function boundedByFunction(entry: string | undefined): string | undefined {
  if (entry === undefined) return undefined;
  return `Shown as info: this code runs only inside a serverless function (AWS Lambda or the like; its entry is \`${entry}\`), whose configured timeout ends each invocation and whatever it holds, so the call cannot wait forever. A deadline shorter than the function's is still worth setting where a caller waits for the answer: API Gateway, for one, stops waiting after 29 s by default.`;
}

export default defineRule<MessageId>({
  meta: {
    id: 'request-without-timeout',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'warning',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'An HTTP call (fetch, axios, got, http.request; requests, urlopen, httpx) with no timeout.',
    why: 'With no timeout, one upstream that stops answering holds the request, its socket and whatever the caller holds (a pooled DB connection, a worker slot) until the process restarts; under load these pile up until the service stops answering too.',
    messages: {
      fetch: '`{{callee}}` without a `signal` has no overall deadline (Node\'s fetch only stops after 300 s without headers or body bytes); pass `signal: AbortSignal.timeout(10_000)`.',
      fetchLibrary: '`{{callee}}` from {{library}} without a `signal` can wait forever ({{library}} sets no timeout of its own, unlike Node\'s fetch); pass `signal: AbortSignal.timeout(10_000)`.',
      fetchWrapper: '`{{callee}}` gets a deadline only when the caller passes `{{option}}`: callers of this wrapper that pass none (the default) get no deadline; give the wrapper a default one (`AbortSignal.timeout(10_000)` when neither a timeout nor a signal is passed).',
      axiosCall: '`{{callee}}` without `timeout` can wait forever (axios\'s default `timeout` is 0, none); pass `timeout: 10_000`, or create the client once with `axios.create({ timeout: 10_000 })`.',
      axiosCreate: '`{{callee}}` without `timeout` makes a client whose requests can wait forever (axios\'s default `timeout` is 0, none); add `timeout: 10_000`.',
      got: '`{{callee}}` without `timeout` can wait forever (got sets no timeout by default); pass `timeout: { request: 10_000 }`.',
      gotExtend: '`{{callee}}` without `timeout` makes a client whose requests can wait forever (got sets no timeout by default); add `timeout: { request: 10_000 }`.',
      http: '`{{callee}}` with no `timeout` option and no `.setTimeout()` waits forever on a server that stops answering; pass `timeout: 10_000` and destroy the request in its `\'timeout\'` handler.',
      pyRequests: '`{{callee}}` without `timeout=` can wait forever (requests has no default timeout); pass `timeout=(3.05, 27)` (connect and read seconds).',
      pySession: '`{{callee}}` on a `requests.Session` without `timeout=` can wait forever (a Session has no default timeout either); pass `timeout=(3.05, 27)` (connect and read seconds).',
      pySessionOverride: '`{{callee}}` in `{{className}}.{{method}}` passes requests on without a timeout, so every call through this `Session` subclass can wait forever unless its caller passes one (a Session has no default timeout); set a default here, e.g. `kwargs.setdefault("timeout", (3.05, 27))`.',
      pyUrlopen: '`{{callee}}` without `timeout` waits forever on a server that stops answering (the socket default is none); pass `timeout=30`.',
      pyTimeoutNone: '`{{callee}}` with `timeout=None` can wait forever; pass a number of seconds (`timeout=(3.05, 27)` for requests, `timeout=10.0` for httpx).',
      pyBotocoreNone: '`Config({{option}}=None)` lets every AWS call on this client wait forever for a stalled connection; keep botocore\'s 60 s default or set a number of seconds.',
    },
    options: {},
    prefilter: [word('fetch'), importOf('axios', 'got', ...FETCH_MODULES, ...HTTP_MODULES)],
    pythonPrefilter: ['fetch', 'axios', 'got', 'http', 'requests', 'urlopen', 'botocore'],
    sources: ['Bun lint `bun/axios-no-unbounded-requests`', 'eslint-plugin-unicorn `prefer-abort-signal-timeout` (adjacent)', 'Ruff S113 / Bandit B113 / Pylint W3101 (requests without timeout), for Python', 'Sonar S7618'],
  },
  create(context) {
    const serverless = boundedByFunction(context.project.lambdaEntry);
    /** Reports a finding, at info when a serverless function or the call's own context bounds it (either note will do). */
    const report = (descriptor: ReportDescriptor<MessageId>, unawaited?: string): void => {
      const quiet = serverless ?? unawaited;
      context.report(quiet === undefined ? descriptor : { ...descriptor, quiet });
    };
    let sourceFile: ts.SourceFile | null = null;
    let bindings: FileBindings | null = null;
    let fetchGlobal: boolean | null = null;
    let defaults: DefaultsIndex | null = null;
    let pythonText = '';
    let pythonRoot: PythonNode | null = null;
    let imports: PythonImports = new Map();
    let sessions: Set<string> | null = null;
    /** The Session subclasses already reported in this file: each wrapper once, at its first pass-through. */
    let reportedOverrides = new Set<number>();
    return {
      pythonFile(file) {
        pythonText = file.text;
        pythonRoot = file.root;
        sessions = null;
        reportedOverrides = new Set();
        imports = pythonImports(file.root);
      },
      pythonNodes: {
        call(node) {
          if (imports.size === 0) return;
          const override = sessionOverrideWithoutTimeout(node, imports, pythonText);
          if (override !== null) {
            if (reportedOverrides.has(override.classNode.startIndex) || insideMainGuard(node)) return;
            reportedOverrides.add(override.classNode.startIndex);
            const callee = node.childForFieldName('function') ?? node;
            report({ messageId: 'pySessionOverride', data: { callee: pythonCalleeText(callee), className: override.className, method: override.method }, range: { start: callee.startIndex, end: callee.endIndex } });
            return;
          }
          const root = pythonRoot;
          const finding = pythonRequestFinding(node, imports, () => (sessions ??= root === null ? new Set() : sessionNames(root, imports)), pythonText);
          if (finding !== null && !insideMainGuard(node)) report(finding);
        },
      },
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
        fetchGlobal = null;
        defaults = null;
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: (node) => {
          const file = sourceFile;
          const fileNames = bindings;
          if (file === null || fileNames === null || !ts.isCallExpression(node)) return;
          const request = requestCallOf(fileNames, node, () => (fetchGlobal ??= !declaresFetch(file)));
          if (request === null) return;
          const data = { callee: calleeText(node, file), ...(request.library !== undefined ? { library: request.library } : {}) };
          const range = { start: node.expression.getStart(file), end: node.expression.getEnd() };
          const reportCall = (descriptor: ReportDescriptor<MessageId>): void => report(descriptor, unawaitedNote(fileNames, node, request.client));
          if (request.client === 'http') {
            if (httpIsUnbounded(fileNames, node, request.timeoutKeys)) reportCall({ messageId: 'http', data, range });
            return;
          }
          if (request.client === 'fetch' && (fetchesRequestObject(fileNames, node) || fetchesBundledAsset(fileNames, node))) return;
          const option = request.client === 'fetch' ? deadlineOnlyWith(file, fileNames, node) : null;
          if (option !== null) {
            reportCall({ messageId: 'fetchWrapper', data: { ...data, option: option.getText(file) }, range });
            return;
          }
          const state = configState(fileNames, node.arguments[request.configIndex], request.timeoutKeys);
          if (state.state !== 'missing') return;
          if (state.literal !== null && request.client === 'fetch' && isStreaming(state.literal)) return;
          const index = (defaults ??= indexDefaults(file, fileNames));
          // `axios.defaults.timeout = ...` in another module of the project (its startup code)
          // bounds every call on the default instance. Instances made with axios.create() are
          // still judged on their own config: whether they were created after that line is not known.
          if (request.messageId === 'axiosCall' && context.project.httpClientDefaults.some((fact) => fact.client === 'axios')) return;
          if (request.messageId === 'axiosCall' || request.messageId === 'got') {
            // axios.get(...) after `axios.defaults.timeout = ...`
            const receiver = unwrapExpression(node.expression);
            const base = ts.isPropertyAccessExpression(receiver) ? receiver.expression.getText(file) : receiver.getText(file);
            if (index.bounded.has(base)) return;
          } else {
            const name = instanceName(node);
            if (name !== null) {
              if (index.bounded.has(name)) return;
              // Every request on the instance passes its own timeout.
              if ((index.callsWith.get(name) ?? 0) > 0 && (index.callsWithout.get(name) ?? 0) === 0) return;
            }
          }
          const fix = timeoutFix(file, node, request, state);
          reportCall({ messageId: request.messageId, data, range, fixes: fix === null ? [] : [fix] });
        },
      },
    };
  },
});
