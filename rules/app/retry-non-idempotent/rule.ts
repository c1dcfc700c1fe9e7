/**
 * retry-non-idempotent: a retry mechanism that can send a POST or PATCH again without an
 * idempotency key, so a request the server already applied (the response was lost to a reset or
 * a timeout) is applied twice. Four shapes:
 *
 * - axios-retry on an axios instance (or `axios` itself) that the same file uses for `.post`,
 *   `.patch` or `request({ method: 'POST' })`, with the default `retryCondition`
 *   (`isNetworkOrIdempotentRequestError`: network errors are retried for every method, verified in
 *   axios-retry 4.5.0) or a permissive one (`() => true`, `isNetworkError`, `isRetryableError`,
 *   a condition that adds them);
 * - got with `retry.methods` listing POST or PATCH (got's default list leaves them out);
 * - p-retry, async-retry, promise-retry and `retry`'s `operation.attempt` around a function that
 *   sends a POST (fetch, axios, got, a Stripe client's `create`);
 * - hand-written retry loops whose `try` sends one.
 *
 * Left alone: conditions that retry only 429 and 503 (the server turned the request away), a
 * catch that rethrows everything but those, `retries: 0`, method-aware conditions, options or
 * instances that come from another module, and any file that mentions an idempotency key (a key
 * made per attempt is idempotency-key-per-attempt's finding).
 *
 * The fix (unsafe, axios-retry only) sets `retryCondition: axiosRetry.isIdempotentRequestError`
 * with the file's name for axios-retry: POST and PATCH are then never retried.
 *
 * Python: urllib3's `Retry(...)` (also through `requests.adapters`) whose `allowed_methods` (or the
 * deprecated `method_whitelist`) lists POST or PATCH, or is `False`/`None`, which urllib3 1.26
 * reads as "any method" (`if allowed_methods and method.upper() not in allowed_methods`); left
 * alone when it cannot retry a request that reached the server (`total=0`, or `read=0` with no
 * status list beyond 429/503). And functions retried by tenacity or backoff that call
 * `requests.post`, `session.post`, `httpx.post` or `client.patch` (or `.request('POST', ...)`).
 * Python files that mention an idempotency key, and test files, are left alone. No Python fix.
 */

import { fileNodes, ts } from '../../engine/languages/typescript';
import { allOf, anyOf, importOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import type { Fix, RelatedLocation, TextRange } from '../../engine/types';
import { fileBindings, propertiesOf, propertyInsertion, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { calleeOrigin, hasSplat, isPythonTestFile, lastSegment, literalOf, pythonImports, type PythonImports } from '../helpers/python-libraries';
import { attemptLimit, retryOfDecorator } from '../helpers/python-retries';
import {
  axiosCallShape,
  functionOf,
  httpWritesIn,
  mentionsIdempotencyKey,
  notOnlyRejectedStatuses,
  onlyRejectedStatuses,
  returnedExpression,
  type HttpWrite,
  type WriteMethod,
  HTTP_WRITE_PREFILTER,
} from '../helpers/idempotency';
import { countedAttempts, isFunctionExpression, numericLiteralValue, retryLibraryCall, retryLoopOf, type LoopStatement, type RetryLibraryCall } from '../helpers/retries';
import { nodeRange } from '../helpers/ranges';

type MessageId = 'axiosRetryDefault' | 'axiosRetryPermissive' | 'gotMethods' | 'libraryBody' | 'loopBody' | 'urllib3Methods' | 'pythonRetriedWrite';

/** Receivers that are HTTP clients in practice: the modules themselves, sessions and clients. */
const PYTHON_HTTP_RECEIVER = /^(?:requests|httpx|aiohttp|s|sess|http|api)$|session$|client$/i;
const PYTHON_WRITE_METHODS = new Set(['post', 'patch']);
/** Statuses at which the server turned the request away before applying it. */
const REFUSED_STATUSES = new Set([429, 503]);

/** The write a call sends (`POST`, `PATCH`) when it is an HTTP client's, else null. */
function pythonWriteMethod(call: PythonNode): string | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  if (receiver === null) return null;
  const receiverName = receiver.type === 'attribute' ? (receiver.childForFieldName('attribute')?.text ?? '') : receiver.text;
  if (!PYTHON_HTTP_RECEIVER.test(receiverName)) return null;
  if (PYTHON_WRITE_METHODS.has(method)) return method.toUpperCase();
  if (method === 'request') {
    const verb = literalOf(pythonArguments(call).positional[0] ?? pythonArguments(call).keywords.get('method'));
    if (typeof verb === 'string' && PYTHON_WRITE_METHODS.has(verb.toLowerCase())) return verb.toUpperCase();
  }
  return null;
}

/** The methods a urllib3 `Retry(...)` may repeat a sent request for: 'any', a write verb, or null (only idempotent ones). */
function urllib3RetriedWrite(call: PythonNode): { keyword: PythonNode; method: string } | null {
  const { keywords } = pythonArguments(call);
  const value = keywords.get('allowed_methods') ?? keywords.get('method_whitelist');
  if (value === undefined || value.parent === null) return null;
  const total = literalOf(keywords.get('total'));
  if (total === 0 || total === false) return null;
  const read = literalOf(keywords.get('read'));
  if (read === 0 || read === false) {
    const statuses = keywords.get('status_forcelist');
    const codes = statuses === undefined ? [] : statuses.descendantsOfType('integer').map((code) => Number(code?.text));
    if (codes.every((code) => REFUSED_STATUSES.has(code))) return null;
  }
  if (value.type === 'false' || value.type === 'none') return { keyword: value.parent, method: 'any method, POST included' };
  for (const literal of value.descendantsOfType('string')) {
    const text = literalOf(literal);
    if (text === 'POST' || text === 'PATCH') return { keyword: value.parent, method: text };
  }
  return null;
}


/** axios-retry's exported predicates: which methods they let through. */
const PERMISSIVE_PREDICATES: ReadonlySet<string> = new Set(['isNetworkOrIdempotentRequestError', 'isNetworkError', 'isRetryableError']);
const SAFE_PREDICATES: ReadonlySet<string> = new Set(['isIdempotentRequestError', 'isSafeRequestError']);

type ConditionKind = 'permissive' | 'safe' | 'unknown';


/** The range from a call's start to the end of its callee: `axiosRetry`, `pRetry`. */
function calleeRange(call: ts.CallExpression, sourceFile: ts.SourceFile): TextRange {
  return { start: call.getStart(sourceFile), end: call.expression.getEnd() };
}

function methodText(method: WriteMethod): string {
  return method === 'unknown' ? 'a computed method with a body' : method;
}

/** The axios-retry predicate an expression names (`axiosRetry.isNetworkError`, an imported `isRetryableError`), or null. */
function axiosRetryPredicate(bindings: FileBindings, expression: ts.Expression): string | null {
  const imported = bindings.resolveImport(expression);
  if (imported !== null && imported.module === 'axios-retry') return imported.exportName;
  // `axiosRetry.default.isNetworkError` is rare; `require('axios-retry').isNetworkError` resolves above.
  const value = unwrapExpression(expression);
  if (ts.isPropertyAccessExpression(value)) {
    const base = bindings.resolveImport(value.expression);
    if (base !== null && base.module === 'axios-retry') return value.name.text;
  }
  return null;
}

/** What one disjunct of a retry condition lets through. */
function classifyDisjunct(bindings: FileBindings, expression: ts.Expression): ConditionKind {
  const value = unwrapExpression(expression);
  if (value.kind === ts.SyntaxKind.TrueKeyword) return 'permissive';
  if (onlyRejectedStatuses(bindings, value)) return 'safe';
  if (ts.isCallExpression(value)) {
    const predicate = axiosRetryPredicate(bindings, value.expression);
    if (predicate !== null && PERMISSIVE_PREDICATES.has(predicate)) return 'permissive';
    if (predicate !== null && SAFE_PREDICATES.has(predicate)) return 'safe';
  }
  return 'unknown';
}

/**
 * What a `retryCondition` lets through: 'permissive' when it retries POST on network errors or
 * every error (`() => true`, `isNetworkError`, a disjunction with them), 'safe' when it is
 * method-aware or limited to 429/503, 'unknown' otherwise (the rule stays silent).
 */
function classifyCondition(bindings: FileBindings, condition: ts.Expression): ConditionKind {
  const predicate = axiosRetryPredicate(bindings, condition);
  if (predicate !== null) return PERMISSIVE_PREDICATES.has(predicate) ? 'permissive' : SAFE_PREDICATES.has(predicate) ? 'safe' : 'unknown';
  const fn = functionOf(bindings, condition);
  if (fn === null) return 'unknown';
  const returned = returnedExpression(fn);
  if (returned === null) return 'unknown';
  // A condition that looks at the method decides for itself.
  if (/\bmethod\b/.test(returned.getText())) return 'safe';
  // The `||` chain's operands, with a stack: a chain is a tree as deep as it is long (#15).
  const disjuncts: ts.Expression[] = [];
  const pending: ts.Expression[] = [returned];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const inner = unwrapExpression(node);
    if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.BarBarToken) pending.push(inner.right, inner.left);
    else disjuncts.push(inner);
  }
  const kinds = disjuncts.map((disjunct) => classifyDisjunct(bindings, disjunct));
  if (kinds.includes('permissive')) return 'permissive';
  if (kinds.every((kind) => kind === 'safe')) return 'safe';
  return 'unknown';
}

/** The name axios-retry's predicates hang off for the fix: `axiosRetry`, or `mod` for `mod.default(...)`. */
function predicateBase(call: ts.CallExpression): string | null {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'default' && ts.isIdentifier(callee.expression)) return callee.expression.text;
  return null;
}

function axiosRetryFix(sourceFile: ts.SourceFile, found: RetryLibraryCall, conditionProperty: ts.ObjectLiteralElementLike | undefined): Fix | null {
  const base = predicateBase(found.call);
  if (base === null) return null;
  const replacement = `${base}.isIdempotentRequestError`;
  const title = `Retry only idempotent requests: \`retryCondition: ${replacement}\``;
  if (found.optionsArgument === undefined) {
    const instance = found.call.arguments[0];
    if (instance === undefined || found.call.arguments.length !== 1) return null;
    return { title, safety: 'unsafe', edits: [{ range: { start: instance.getEnd(), end: instance.getEnd() }, newText: `, { retryCondition: ${replacement} }` }] };
  }
  const options = found.options;
  if (options === null || unwrapExpression(found.optionsArgument) !== options) return null;
  if (conditionProperty !== undefined) {
    if (!ts.isPropertyAssignment(conditionProperty)) return null;
    return { title, safety: 'unsafe', edits: [{ range: nodeRange(conditionProperty.initializer, sourceFile), newText: replacement }] };
  }
  const insertion = propertyInsertion(sourceFile, options, `retryCondition: ${replacement}`);
  return { title, safety: 'unsafe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
}

/** True when two expressions denote the same axios instance: the same `axios.create()` call, the `axios` import, or the same text (`this.client`). */
function sameInstance(bindings: FileBindings, left: ts.Expression, right: ts.Expression): boolean {
  const leftImport = bindings.resolveImport(left);
  const rightImport = bindings.resolveImport(right);
  if (leftImport !== null || rightImport !== null) return leftImport !== null && rightImport !== null && leftImport.module === rightImport.module && leftImport.exportName === rightImport.exportName;
  const leftOrigin = bindings.origin(left);
  const rightOrigin = bindings.origin(right);
  if (leftOrigin === rightOrigin) return true;
  return unwrapExpression(left).getText().replace(/\s+/g, '') === unwrapExpression(right).getText().replace(/\s+/g, '');
}

/** A per-request opt-out (`{ 'axios-retry': { retries: 0 } }`) or key in the request's own arguments. */
function requestOptsOut(bindings: FileBindings, call: ts.CallExpression): boolean {
  return call.arguments.some((argument) => mentionsIdempotencyKey(bindings, argument) || /['"]axios-retry['"]/.test(argument.getText()));
}

/** The retry options say no retries happen: `retries: 0` / `limit: 0`. */
function noRetries(bindings: FileBindings, options: ts.ObjectLiteralExpression, key: string): boolean {
  const value = propertyValue(propertiesOf(options).names.get(key));
  return value !== null && numericLiteralValue(bindings, value) === 0;
}

export default defineRule<MessageId>({
  meta: {
    id: 'retry-non-idempotent',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A retry (axios-retry, got `retry.methods`, p-retry, async-retry, a retry loop) that can repeat a POST or PATCH without an idempotency key.',
    why: 'A reset connection or a timeout often comes after the server applied the write; retrying a POST without an idempotency key then charges, orders or emails twice, and it only shows under production load and network churn.',
    messages: {
      axiosRetryDefault: '`{{call}}` keeps axios-retry\'s default `retryCondition`, which retries network errors for every method, so `{{request}}` ({{method}}) can be sent twice; set `retryCondition: {{base}}.isIdempotentRequestError`, or send an `Idempotency-Key` created once before the first attempt.',
      axiosRetryPermissive: '`retryCondition: {{condition}}` retries `{{request}}` ({{method}}) without an idempotency key, so a write the server already applied is sent again; use `{{base}}.isIdempotentRequestError` (or retry only 429/503), or send an `Idempotency-Key` created once before the first attempt.',
      gotMethods: 'got\'s `retry.methods` includes `{{method}}` and no `Idempotency-Key` is sent, so a write the server already applied is sent again after a reset or timeout; remove `\'{{method}}\'` or send an `Idempotency-Key` created once per operation.',
      libraryBody: '`{{library}}` retries a function that sends `{{request}}` ({{method}}) without an `Idempotency-Key`, so a failure after the server applied it repeats the write; create the key once before `{{library}}` and send it on every attempt, or retry only 429/503.',
      urllib3Methods: '`{{keyword}}` lets urllib3 retry {{method}} requests after a read timeout or an error status, so a write the server already applied is sent again; keep the default `allowed_methods` (idempotent verbs only), or send an `Idempotency-Key` created once per operation.',
      pythonRetriedWrite: '`{{decorator}}` retries `{{function}}()`, which sends `{{request}}` ({{method}}) without an `Idempotency-Key`, so a failure after the server applied it repeats the write; create the key once outside the retried function and send it on every attempt, or retry only connection errors and 429/503.',
      loopBody: 'This retry loop sends `{{request}}` ({{method}}) again after any error, without an `Idempotency-Key`, so a write the server already applied is repeated; create the key once before the loop and send it on every attempt, or retry only 429/503.',
    },
    options: {},
    // axios-retry may be given an instance made in another module; the file still shows its `.post`.
    prefilter: [HTTP_WRITE_PREFILTER, allOf(importOf('axios-retry'), anyOf('post', 'patch'))],
    pythonPrefilter: ['retry', 'retries', 'got', 'post', 'patch', 'allowed_methods', 'method_whitelist'],
    sources: ['No linter rule found. Guidance: RFC 9110 §9.2.2 and RFC 7230 §6.3.1 (a client must not automatically retry a non-idempotent request); Stripe "Idempotent requests"; axios-retry issue #66'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    let fileMentionsKey: boolean | null = null;
    /** A file that mentions an idempotency key anywhere is left alone: its author thought about it. */
    const keyMentioned = (current: FileBindings): boolean => (fileMentionsKey ??= mentionsIdempotencyKey(current, current.sourceFile));

    const checkAxiosRetry = (current: FileBindings, found: RetryLibraryCall): void => {
      const sourceFile = current.sourceFile;
      const instance = found.call.arguments[0];
      if (instance === undefined) return;
      if (found.optionsArgument !== undefined && found.options === null) return;
      let conditionProperty: ts.ObjectLiteralElementLike | undefined;
      let condition: ts.Expression | null = null;
      if (found.options !== null) {
        if (noRetries(current, found.options, 'retries')) return;
        const { names, spread } = propertiesOf(found.options);
        conditionProperty = names.get('retryCondition');
        if (conditionProperty === undefined && spread) return;
        if (conditionProperty !== undefined) {
          condition = propertyValue(conditionProperty);
          if (condition === null || classifyCondition(current, condition) !== 'permissive') return;
        }
      }
      const writes: { call: ts.CallExpression; method: WriteMethod }[] = [];
      for (const node of fileNodes(sourceFile)) {
        if (ts.isCallExpression(node) && node !== found.call) {
          const shape = axiosCallShape(current, node);
          if (shape !== null && sameInstance(current, shape.receiver, instance) && !requestOptsOut(current, node)) writes.push({ call: node, method: shape.method });
        }
      }
      const first = writes[0];
      if (first === undefined || keyMentioned(current)) return;
      const base = predicateBase(found.call) ?? 'axiosRetry';
      const request = `${first.call.expression.getText(sourceFile).replace(/\s+/g, '')}(...)`;
      const fix = axiosRetryFix(sourceFile, found, conditionProperty);
      const related: RelatedLocation[] = writes.map((write) => ({ range: nodeRange(write.call, sourceFile), message: `A ${methodText(write.method)} request that axios-retry may send again.` }));
      context.report({
        messageId: condition === null ? 'axiosRetryDefault' : 'axiosRetryPermissive',
        data: { call: `${found.call.expression.getText(sourceFile)}(${instance.getText(sourceFile)})`, request, method: methodText(first.method), base, condition: condition === null ? '' : condition.getText(sourceFile).replace(/\s+/g, ' ') },
        range: condition === null ? calleeRange(found.call, sourceFile) : nodeRange(condition, sourceFile),
        fixes: fix === null ? [] : [fix],
        related,
      });
    };

    /** p-retry / async-retry / promise-retry / retry around a function that sends a write. */
    const checkRetriedFunction = (current: FileBindings, label: string, retryCall: ts.CallExpression, run: ts.Expression | undefined, options: ts.ObjectLiteralExpression | null, optionsUnknown: boolean): void => {
      const fn = functionOf(current, run);
      if (fn === null || optionsUnknown) return;
      if (options !== null) {
        if (noRetries(current, options, 'retries')) return;
        const { names, spread } = propertiesOf(options);
        if (spread) return;
        // p-retry's `shouldRetry`: stay silent unless it retries everything.
        const shouldRetry = propertyValue(names.get('shouldRetry'));
        if (shouldRetry !== null) {
          const shouldFn = functionOf(current, shouldRetry);
          const returned = shouldFn === null ? null : returnedExpression(shouldFn);
          if (returned === null || returned.kind !== ts.SyntaxKind.TrueKeyword) return;
        }
      }
      const write = httpWritesIn(current, fn.body).find((candidate) => !errorsClassified(candidate.call, fn.body));
      if (write === undefined || keyMentioned(current)) return;
      reportWrite(current, write, 'libraryBody', label, retryCall);
    };

    const reportWrite = (current: FileBindings, write: HttpWrite, messageId: 'libraryBody' | 'loopBody', library: string, retryNode: ts.Node): void => {
      const sourceFile = current.sourceFile;
      context.report({
        messageId,
        data: { library, request: write.label, method: methodText(write.method) },
        range: calleeRange(write.call, sourceFile),
        related: [{ range: messageId === 'loopBody' ? { start: retryNode.getStart(sourceFile), end: retryNode.getStart(sourceFile) + 5 } : calleeRange(retryNode as ts.CallExpression, sourceFile), message: messageId === 'loopBody' ? 'The retry loop.' : `The \`${library}\` call that repeats it.` }],
      });
    };

    const checkCall = (node: ts.Node): void => {
      if (bindings === null || !ts.isCallExpression(node)) return;
      const current = bindings;
      const found = retryLibraryCall(current, node);
      if (found !== null) {
        if (found.library === 'axios-retry') return checkAxiosRetry(current, found);
        if (found.library === 'retry') return; // the operation's `attempt(fn)` call is checked below
        const run = found.library === 'promise-retry' ? node.arguments.find((argument) => isFunctionExpression(unwrapExpression(argument))) : node.arguments[0];
        const optionsUnknown = found.optionsArgument !== undefined && found.options === null && !isFunctionExpression(unwrapExpression(found.optionsArgument));
        return checkRetriedFunction(current, node.expression.getText(current.sourceFile), node, run, found.options, optionsUnknown);
      }
      checkGot(current, node);
      // `operation.attempt(fn)` where `const operation = retry.operation(options)`.
      const callee = unwrapExpression(node.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'attempt') {
        const origin = current.origin(callee.expression);
        const operation = ts.isCallExpression(origin) ? retryLibraryCall(current, origin) : null;
        if (operation !== null && operation.library === 'retry') {
          const optionsUnknown = operation.optionsArgument !== undefined && operation.options === null;
          checkRetriedFunction(current, 'retry.operation', node, node.arguments[0], operation.options, optionsUnknown);
        }
      }
    };

    /** got options with `retry: { methods: [..., 'POST'] }`. */
    const checkGot = (current: FileBindings, call: ts.CallExpression): void => {
      const callee = unwrapExpression(call.expression);
      // got(...), got.post(...), got.extend(...), instance(...), instance.post(...).
      const isGot = current.resolveImport(callee)?.module === 'got' || isGotInstance(current, callee) || (ts.isPropertyAccessExpression(callee) && isGotInstance(current, callee.expression));
      if (!isGot) return;
      for (const argument of call.arguments) {
        const literal = unwrapExpression(argument);
        if (!ts.isObjectLiteralExpression(literal)) continue;
        const retry = propertyValue(propertiesOf(literal).names.get('retry'));
        const retryOptions = retry === null ? null : unwrapExpression(retry);
        if (retryOptions === null || !ts.isObjectLiteralExpression(retryOptions)) continue;
        if (noRetries(current, retryOptions, 'limit')) continue;
        const { names } = propertiesOf(retryOptions);
        const methods = propertyValue(names.get('methods'));
        const list = methods === null ? null : unwrapExpression(methods);
        if (list === null || !ts.isArrayLiteralExpression(list)) continue;
        if (retriesOnlyRejected(current, names)) continue;
        const element = list.elements.find((item) => (ts.isStringLiteral(item) || ts.isNoSubstitutionTemplateLiteral(item)) && ['POST', 'PATCH'].includes(item.text.toUpperCase()));
        if (element === undefined || !(ts.isStringLiteral(element) || ts.isNoSubstitutionTemplateLiteral(element))) continue;
        if (call.arguments.some((other) => mentionsIdempotencyKey(current, other)) || keyMentioned(current)) continue;
        context.report({ messageId: 'gotMethods', data: { method: element.text.toUpperCase() }, range: nodeRange(element, current.sourceFile) });
      }
    };

    const checkLoop = (node: ts.Node): void => {
      if (bindings === null) return;
      if (!ts.isWhileStatement(node) && !ts.isDoStatement(node) && !ts.isForStatement(node)) return;
      const current = bindings;
      const loop: LoopStatement = node;
      const found = retryLoopOf(loop, current.sourceFile);
      if (found === null) return;
      const attempts = countedAttempts(current, loop);
      if (attempts !== null && attempts <= 1) return;
      // `if (status !== 429 && status !== 503) throw error`: only turned-away requests are retried.
      for (const statement of found.catchClause.block.statements) {
        if (ts.isIfStatement(statement) && notOnlyRejectedStatuses(current, statement.expression)) return;
      }
      const write = httpWritesIn(current, found.tryStatement.tryBlock)[0];
      if (write === undefined || keyMentioned(current)) return;
      reportWrite(current, write, 'loopBody', '', loop);
    };

    let imports: PythonImports | null = null;
    return {
      pythonFile(file) {
        imports = isPythonTestFile(file.text) || /idempotency[-_ ]?key/i.test(file.text) ? null : pythonImports(file.root);
      },
      pythonNodes: {
        call: (node) => {
          if (imports === null) return;
          const origin = calleeOrigin(node, imports);
          if (origin === null || lastSegment(origin) !== 'Retry' || !/^(?:urllib3|requests|botocore\.vendored)\b/.test(origin) || hasSplat(node)) return;
          const found = urllib3RetriedWrite(node);
          if (found === null) return;
          context.report({ messageId: 'urllib3Methods', data: { keyword: found.keyword.text.replace(/\s+/g, ' '), method: found.method }, range: { start: found.keyword.startIndex, end: found.keyword.endIndex } });
        },
        decorator: (node) => {
          if (imports === null) return;
          const retry = retryOfDecorator(node, imports);
          if (retry === null || retry.retried === null) return;
          const limit = attemptLimit(retry, imports);
          if (limit !== null && limit <= 1) return;
          const body = retry.retried.childForFieldName('body');
          const name = retry.retried.childForFieldName('name')?.text ?? 'function';
          if (body === null) return;
          for (const call of body.descendantsOfType('call')) {
            if (call === null) continue;
            const method = pythonWriteMethod(call);
            if (method === null) continue;
            const callee = call.childForFieldName('function');
            context.report({
              messageId: 'pythonRetriedWrite',
              data: { decorator: `@${retry.callee.text}`, function: name, request: `${callee?.text ?? 'post'}(...)`, method },
              range: { start: call.startIndex, end: callee?.endIndex ?? call.endIndex },
            });
            return;
          }
        },
      },
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
        fileMentionsKey = null;
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: checkCall,
        [ts.SyntaxKind.WhileStatement]: checkLoop,
        [ts.SyntaxKind.DoStatement]: checkLoop,
        [ts.SyntaxKind.ForStatement]: checkLoop,
      },
    };
  },
});

/**
 * True when the write sits in a `try` inside the retried function whose `catch` tests for 429 or
 * 503 (typically rethrowing those and stopping the retry with p-retry's `AbortError` or
 * async-retry's `bail` otherwise): the author chose what is retried. A catch that only bails on
 * some other status (`400`) still lets network errors through and is not enough.
 */
function errorsClassified(write: ts.CallExpression, body: ts.Node): boolean {
  let current: ts.Node = write;
  while (current !== body && !ts.isSourceFile(current)) {
    const parent: ts.Node = current.parent;
    if (ts.isTryStatement(parent) && parent.tryBlock === current && parent.catchClause !== undefined) {
      const text = parent.catchClause.block.getText();
      if (/\b(429|503)\b/.test(text)) return true;
    }
    current = parent;
  }
  return false;
}

/** True when `expression` is a got instance made in this file (`got.extend(...)`). */
function isGotInstance(bindings: FileBindings, expression: ts.Expression): boolean {
  // `got.extend(a).extend(b)...`: followed down the chain with a loop, however long it is (#15).
  let current = expression;
  // Constants may refer to each other in a cycle: each call is looked at once.
  const seen = new Set<ts.Expression>();
  for (;;) {
    const origin = bindings.origin(current);
    if (!ts.isCallExpression(origin) || seen.has(origin)) return false;
    seen.add(origin);
    const callee = unwrapExpression(origin.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'extend') return false;
    const imported = bindings.resolveImport(callee.expression);
    if (imported !== null && imported.module === 'got') return true;
    current = callee.expression;
  }
}

/** got retry options that only retry 429/503 responses: `statusCodes: [429, 503], errorCodes: []`. */
function retriesOnlyRejected(bindings: FileBindings, names: Map<string, ts.ObjectLiteralElementLike>): boolean {
  const errorCodes = propertyValue(names.get('errorCodes'));
  const statusCodes = propertyValue(names.get('statusCodes'));
  if (errorCodes === null || statusCodes === null) return false;
  const errors = unwrapExpression(errorCodes);
  const statuses = unwrapExpression(statusCodes);
  if (!ts.isArrayLiteralExpression(errors) || errors.elements.length > 0 || !ts.isArrayLiteralExpression(statuses)) return false;
  return statuses.elements.every((element) => numericLiteralValue(bindings, element) === 429 || numericLiteralValue(bindings, element) === 503);
}
