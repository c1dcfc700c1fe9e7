/**
 * What the idempotency rules (retry-non-idempotent, idempotency-key-per-attempt) need to know
 * about HTTP writes and their keys: which calls send a POST or PATCH (fetch, axios and its
 * instances, got, Stripe's resource methods), whether a request carries an idempotency key
 * (`Idempotency-Key`, `X-Idempotency-Key`, Stripe's `idempotencyKey` option, PayPal's
 * `PayPal-Request-Id`), which retry conditions only retry responses the server rejected without
 * processing (429, 503), and which calls make a fresh key (`randomUUID()`, `uuid()`, `nanoid()`,
 * `Date.now()`).
 *
 * Everything here answers null or false when the file does not say: a request whose method or
 * headers come from elsewhere is not a known write, and the rules stay silent on it.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { allOf, anyOf, importOf, word, type PrefilterTerm } from '../../engine/prefilter';
import { objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from './bindings';
import { FETCH_MODULES } from './fetch-modules';
import { isFunctionExpression } from './retries';

// ---------------------------------------------------------------------------------------------
// Idempotency keys

/** Header and option names that carry an idempotency key in the APIs we know. */
const KEY_NAME = /idempotency[-_]?(key|token|id)|^paypal-request-id$/i;

export function isIdempotencyKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

/**
 * True when `node` mentions an idempotency key anywhere: a header or option name, a string, or a
 * variable (`idempotencyKey`). Identifiers are followed to their initializers once, so
 * `client.post(url, body, { headers })` with `const headers = { 'Idempotency-Key': key }` counts.
 * Deliberately generous: a request that says anything about idempotency is left alone.
 */
export function mentionsIdempotencyKey(bindings: FileBindings, node: ts.Node): boolean {
  const followed = new Set<string>();
  let found = false;
  walkScript(node, (current) => {
    if (found) return false;
    if (ts.isIdentifier(current) || ts.isPrivateIdentifier(current)) {
      if (isIdempotencyKeyName(current.text)) {
        found = true;
        return false;
      }
      if (ts.isIdentifier(current) && !followed.has(current.text)) {
        followed.add(current.text);
        const initializer = bindings.initializerOf(current.text);
        if (initializer !== null && ts.isObjectLiteralExpression(unwrapExpression(initializer))) return [initializer];
      }
      return false;
    }
    if (ts.isStringLiteral(current) || ts.isNoSubstitutionTemplateLiteral(current)) {
      if (isIdempotencyKeyName(current.text)) found = true;
      return false;
    }
    return true;
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// HTTP writes

export type WriteMethod = 'POST' | 'PATCH' | 'unknown';

export type HttpClientKind = 'fetch' | 'axios' | 'got' | 'stripe';

export interface HttpWrite {
  client: HttpClientKind;
  call: ts.CallExpression;
  /** POST or PATCH as written, or 'unknown' when the method is computed and a body is sent. */
  method: WriteMethod;
  /** The call as the code says it, shortened, for messages: `fetch(...)`, `payments.post(...)`. */
  label: string;
}

/**
 * What a file needs for httpWriteOf to find a write in it, for the rules' prefilters: one of the
 * clients above, and a method (`post`, `patch`) or Stripe named somewhere.
 */
export const HTTP_WRITE_PREFILTER: PrefilterTerm = allOf(anyOf(importOf('axios', 'got', 'stripe', ...FETCH_MODULES), word('fetch')), anyOf('post', 'patch', 'stripe'));
const STRIPE_WRITES: ReadonlySet<string> = new Set(['create', 'update', 'capture', 'confirm', 'pay']);

/** The method named by a string literal, upper-cased, or null when it is not a literal. */
function literalMethod(bindings: FileBindings, expression: ts.Expression | null): string | null {
  if (expression === null) return null;
  const value = bindings.origin(expression);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text.toUpperCase();
  return null;
}

/**
 * The write method of a request config object (`{ method: 'POST', body }`): POST or PATCH, or
 * 'unknown' when the method is computed and the config sends a body (`bodyKey`). Null otherwise:
 * GET, PUT, DELETE, no method (the default is GET), or a config the file cannot show.
 */
function configWriteMethod(bindings: FileBindings, config: ts.Expression | undefined, bodyKeys: readonly string[]): WriteMethod | null {
  const literal = objectLiteralOf(bindings, config);
  if (literal === null) return null;
  const { names } = propertiesOf(literal);
  const methodProperty = names.get('method');
  if (methodProperty === undefined) return null;
  const value = propertyValue(methodProperty);
  const method = literalMethod(bindings, value);
  if (method === 'POST' || method === 'PATCH') return method;
  if (method !== null) return null;
  return bodyKeys.some((key) => names.has(key)) ? 'unknown' : null;
}

function shortLabel(call: ts.CallExpression, sourceFile: ts.SourceFile): string {
  const callee = call.expression.getText(sourceFile).replace(/\s+/g, '');
  const shortened = callee.length > 40 ? `...${callee.slice(-37)}` : callee;
  return `${shortened}(...)`;
}

/** True when `expression` is the axios default export (`axios`, `require('axios')`). */
function isAxiosModule(bindings: FileBindings, expression: ts.Expression): boolean {
  const imported = bindings.resolveImport(expression);
  return imported !== null && imported.module === 'axios' && (imported.exportName === 'default' || imported.exportName === '*' || imported.exportName === 'axios');
}

/** True when `expression` is the got default export. */
function isGotModule(bindings: FileBindings, expression: ts.Expression): boolean {
  const imported = bindings.resolveImport(expression);
  return imported !== null && imported.module === 'got' && (imported.exportName === 'default' || imported.exportName === 'got');
}

/** True when `expression` made an axios instance: `axios.create(...)`. */
function isAxiosInstanceCreation(bindings: FileBindings, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (!ts.isCallExpression(value)) return false;
  const callee = unwrapExpression(value.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'create' && isAxiosModule(bindings, callee.expression);
}

/** True when `expression` made a got instance: `got.extend(...)`. */
function isGotInstanceCreation(bindings: FileBindings, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (!ts.isCallExpression(value)) return false;
  const callee = unwrapExpression(value.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'extend' && isGotModule(bindings, callee.expression);
}

/** Which HTTP client an expression is, when the file shows it: the module itself or an instance made from it. */
export function httpClientOf(bindings: FileBindings, expression: ts.Expression): 'axios' | 'got' | null {
  if (isAxiosModule(bindings, expression)) return 'axios';
  if (isGotModule(bindings, expression)) return 'got';
  const origin = bindings.origin(expression);
  if (isAxiosInstanceCreation(bindings, origin)) return 'axios';
  if (isGotInstanceCreation(bindings, origin)) return 'got';
  return null;
}

/** True when the root of a property chain (`stripe` in `stripe.paymentIntents.create`) is a Stripe client made in this file. */
function isStripeClient(bindings: FileBindings, expression: ts.Expression): boolean {
  const origin = bindings.origin(expression);
  const made = ts.isNewExpression(origin) || ts.isCallExpression(origin) ? origin.expression : null;
  if (made === null) return false;
  const imported = bindings.resolveImport(made);
  return imported !== null && imported.module === 'stripe';
}

/**
 * The HTTP write a call sends, or null: `fetch(url, { method: 'POST' })`, `axios.post(...)`,
 * `client.patch(...)` on an `axios.create()` instance, `axios({ method: 'post' })`,
 * `got.post(...)`, `got(url, { method: 'POST' })`, `stripe.charges.create(...)`.
 */
export function httpWriteOf(bindings: FileBindings, call: ts.CallExpression): HttpWrite | null {
  const sourceFile = bindings.sourceFile;
  const callee = unwrapExpression(call.expression);
  const write = (client: HttpClientKind, method: WriteMethod | null): HttpWrite | null => (method === null ? null : { client, call, method, label: shortLabel(call, sourceFile) });

  if (ts.isIdentifier(callee)) {
    const imported = bindings.importOf(callee.text);
    const isFetch = callee.text === 'fetch' ? imported === null || FETCH_MODULES.has(imported.module) : imported !== null && FETCH_MODULES.has(imported.module) && (imported.exportName === 'fetch' || imported.exportName === 'default');
    if (isFetch) return write('fetch', configWriteMethod(bindings, call.arguments[1], ['body']));
  }
  // `axios(config)`, `axios(url, config)`, `client(config)`, `got(url, options)`.
  const direct = httpClientOf(bindings, callee);
  if (direct === 'axios') {
    const config = call.arguments.length >= 2 ? call.arguments[1] : call.arguments[0];
    return write('axios', configWriteMethod(bindings, config, ['data']));
  }
  if (direct === 'got') {
    const options = call.arguments.length >= 2 ? call.arguments[1] : call.arguments[0];
    return write('got', configWriteMethod(bindings, options, ['json', 'body', 'form']));
  }
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const name = callee.name.text;
  const receiverClient = httpClientOf(bindings, callee.expression);
  if (receiverClient === 'axios') return write('axios', axiosCallShape(bindings, call)?.method ?? null);
  if (receiverClient === 'got') {
    if (name === 'post') return write('got', 'POST');
    if (name === 'patch') return write('got', 'PATCH');
    return null;
  }
  // stripe.<resource>[.<sub>].create(...): the root is a `new Stripe(...)` from this file.
  if (STRIPE_WRITES.has(name)) {
    let root: ts.Expression = unwrapExpression(callee.expression);
    while (ts.isPropertyAccessExpression(root)) root = unwrapExpression(root.expression);
    if (root !== unwrapExpression(callee.expression) && isStripeClient(bindings, root)) return write('stripe', 'POST');
  }
  return null;
}

/**
 * The write an axios-style call would send, whatever its receiver is: `x.post(...)`,
 * `x.patch(...)`, `x.request({ method: 'POST' })`, `x({ method: 'post', data })`. The caller
 * decides whether `receiver` is an axios instance (axios-retry's first argument, for example).
 */
export function axiosCallShape(bindings: FileBindings, call: ts.CallExpression): { receiver: ts.Expression; method: WriteMethod } | null {
  const callee = unwrapExpression(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const name = callee.name.text;
    const receiver = callee.expression;
    if (name === 'post' || name === 'postForm') return { receiver, method: 'POST' };
    if (name === 'patch' || name === 'patchForm') return { receiver, method: 'PATCH' };
    if (name !== 'request') return null;
    const method = configWriteMethod(bindings, call.arguments[0], ['data']);
    return method === null ? null : { receiver, method };
  }
  if (!ts.isIdentifier(callee)) return null;
  const config = call.arguments.length >= 2 ? call.arguments[1] : call.arguments[0];
  const method = configWriteMethod(bindings, config, ['data']);
  return method === null ? null : { receiver: callee, method };
}

/** The HTTP writes made in `scope`'s own code (nested functions included: they run in the attempt). */
export function httpWritesIn(bindings: FileBindings, scope: ts.Node): HttpWrite[] {
  const writes: HttpWrite[] = [];
  walkScript(scope, (node) => {
    if (ts.isCallExpression(node)) {
      const found = httpWriteOf(bindings, node);
      if (found !== null) writes.push(found);
    }
    return true;
  });
  return writes;
}

// ---------------------------------------------------------------------------------------------
// Retry conditions that only retry responses the server rejected unprocessed

/** 429 Too Many Requests and 503 Service Unavailable: the server turned the request away before doing it. */
const REJECTED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** True for `error.response.status`, `err.response?.statusCode`, `res.status`, `status`. */
function isStatusExpression(expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (ts.isIdentifier(value)) return /^(status|statusCode|httpStatus)$/.test(value.text);
  if (ts.isPropertyAccessExpression(value)) return /^(status|statusCode)$/.test(value.name.text);
  return false;
}

function isRejectedStatusLiteral(expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  return ts.isNumericLiteral(value) && REJECTED_STATUSES.has(Number(value.text));
}

/** `[429, 503]`: an array literal of rejected statuses only, written here or in a constant. */
function isRejectedStatusList(bindings: FileBindings, expression: ts.Expression): boolean {
  let value = bindings.origin(expression);
  // new Set([429, 503])
  if (ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Set' && value.arguments?.[0] !== undefined) value = bindings.origin(value.arguments[0]);
  return ts.isArrayLiteralExpression(value) && value.elements.length > 0 && value.elements.every(isRejectedStatusLiteral);
}

function isEquality(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken;
}

function isInequality(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsToken;
}

/** `status === 429`, `503 == res.status` (equal: true) or `status !== 429` (equal: false). */
function statusComparison(expression: ts.BinaryExpression, equal: boolean): boolean {
  const kind = expression.operatorToken.kind;
  if (equal ? !isEquality(kind) : !isInequality(kind)) return false;
  return (isStatusExpression(expression.left) && isRejectedStatusLiteral(expression.right)) || (isStatusExpression(expression.right) && isRejectedStatusLiteral(expression.left));
}

/** `[429, 503].includes(status)`, `RETRYABLE.has(res.status)`. */
function isRejectedListMembership(bindings: FileBindings, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (!ts.isCallExpression(value)) return false;
  const callee = unwrapExpression(value.expression);
  const argument = value.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || argument === undefined || !isStatusExpression(argument)) return false;
  return (callee.name.text === 'includes' || callee.name.text === 'has') && isRejectedStatusList(bindings, callee.expression);
}

/**
 * True when `expression` is true only for 429/503 responses: `status === 429 || status === 503`,
 * `[429, 503].includes(error.response?.status)`, or a conjunction with one such test.
 */
export function onlyRejectedStatuses(bindings: FileBindings, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (isRejectedListMembership(bindings, value)) return true;
  if (!ts.isBinaryExpression(value)) return false;
  const kind = value.operatorToken.kind;
  if (kind === ts.SyntaxKind.BarBarToken) return operandsOf(value, kind).every((operand) => onlyRejectedStatuses(bindings, operand));
  if (kind === ts.SyntaxKind.AmpersandAmpersandToken) return operandsOf(value, kind).some((operand) => onlyRejectedStatuses(bindings, operand));
  return statusComparison(value, true);
}

/** True when `expression` is false only for 429/503 responses: the test a catch gives up on (`status !== 429 && status !== 503`). */
export function notOnlyRejectedStatuses(bindings: FileBindings, expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.ExclamationToken) return onlyRejectedStatuses(bindings, value.operand);
  if (!ts.isBinaryExpression(value)) return false;
  const kind = value.operatorToken.kind;
  if (kind === ts.SyntaxKind.AmpersandAmpersandToken) return operandsOf(value, kind).every((operand) => notOnlyRejectedStatuses(bindings, operand));
  if (kind === ts.SyntaxKind.BarBarToken) return operandsOf(value, kind).some((operand) => notOnlyRejectedStatuses(bindings, operand));
  return statusComparison(value, false);
}

/**
 * The operands of a chain of one operator (`a || b || c` → a, b, c), through parentheses, read
 * with a stack: a chain is a tree as deep as it is long, and the callers recurse only where the
 * operator changes, which takes parentheses to nest (#15).
 */
function operandsOf(chain: ts.BinaryExpression, kind: ts.SyntaxKind): ts.Expression[] {
  const operands: ts.Expression[] = [];
  const pending: ts.Expression[] = [chain];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const value = unwrapExpression(next);
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === kind) pending.push(value.right, value.left);
    else operands.push(value);
  }
  return operands;
}

/** The expression a one-expression function returns (`(e) => x`, `function (e) { return x; }`), or null. */
export function returnedExpression(fn: ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration): ts.Expression | null {
  const body = fn.body;
  if (body === undefined) return null;
  if (!ts.isBlock(body)) return body;
  const statements = body.statements;
  const only = statements.length === 1 ? statements[0] : undefined;
  return only !== undefined && ts.isReturnStatement(only) && only.expression !== undefined ? only.expression : null;
}

/** A function value written in the file: inline, or a `const` holding one. */
export function functionOf(bindings: FileBindings, expression: ts.Expression | undefined): ts.ArrowFunction | ts.FunctionExpression | null {
  if (expression === undefined) return null;
  const value = bindings.origin(expression);
  return isFunctionExpression(value) ? value : null;
}

// ---------------------------------------------------------------------------------------------
// Fresh keys

const UUID_MODULES: ReadonlySet<string> = new Set(['uuid', 'nanoid', 'ulid', 'ulidx', 'crypto', 'node:crypto', '@paralleldrive/cuid2', 'cuid']);
const GENERATOR_NAMES: ReadonlySet<string> = new Set(['randomUUID', 'uuid', 'uuidv4', 'uuidV4', 'uuidv7', 'uuidV7', 'nanoid', 'ulid', 'cuid', 'createId']);
const UUID_VERSION_EXPORTS: ReadonlySet<string> = new Set(['v1', 'v4', 'v6', 'v7']);

/**
 * True when `call` makes a new value on every call: `randomUUID()`, `crypto.randomUUID()`,
 * `uuid()`, `v4()` from 'uuid', `uuid.v4()`, `nanoid()`, `ulid()`, `Date.now()`.
 */
export function isFreshValueCall(bindings: FileBindings, call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) {
    if (GENERATOR_NAMES.has(callee.text)) return true;
    const imported = bindings.importOf(callee.text);
    return imported !== null && UUID_MODULES.has(imported.module) && (UUID_VERSION_EXPORTS.has(imported.exportName) || GENERATOR_NAMES.has(imported.exportName));
  }
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  const base = unwrapExpression(callee.expression);
  if (name === 'now' && ts.isIdentifier(base) && base.text === 'Date') return true;
  if (name === 'randomUUID') return true;
  if (UUID_VERSION_EXPORTS.has(name)) {
    const imported = bindings.resolveImport(callee);
    return imported !== null && imported.module === 'uuid';
  }
  return false;
}
