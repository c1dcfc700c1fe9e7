/**
 * idempotency-key-per-attempt: an idempotency key made inside the code that runs once per
 * attempt (the function given to p-retry / async-retry / promise-retry / `operation.attempt` /
 * a `...retry...(fn)` helper, the body of a hand-written retry loop, or a function that retries by
 * calling itself from its `catch`) and sent as an `Idempotency-Key` / `X-Idempotency-Key` header
 * or Stripe's `idempotencyKey` option. Every attempt then carries a new key, so the server sees
 * each retry as a new request and the key deduplicates nothing.
 *
 * Only fresh values count (`randomUUID()`, `crypto.randomUUID()`, `uuid()`, `v4()`, `nanoid()`,
 * `ulid()`, `Date.now()`), written in the key's value or in a variable declared inside the attempt.
 * Keys derived from the operation (`order.id`, `` `charge-${invoice.id}` ``) and keys made before
 * the retry starts are left alone. There is no fix: moving the key out of the attempt means
 * choosing where the operation begins, which the code does not say.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { functionOf, isFreshValueCall, isIdempotencyKeyName } from '../helpers/idempotency';
import { isFunctionExpression, retryLibraryCall, retryLoopOf, retryRecursionOf } from '../helpers/retries';
import { nodeRange } from '../helpers/ranges';

type MessageId = 'freshKeyPerAttempt';

/** Callees that run their function argument repeatedly: `withRetry(fn)`, `this.retry(fn)`, `retryAsync(fn)`. */
const RETRY_HELPER_NAME = /retr(y|ies|ying)/i;

interface Attempt {
  /** The code that runs once per attempt. */
  scope: ts.Node;
  /** What repeats it, for the message: `pRetry`, `a retry loop`. */
  label: string;
  /** Where the retry is, for the related location. */
  anchor: ts.Node;
}


/** The value expressions sent under an idempotency key name inside `scope`. */
function keySinks(scope: ts.Node): ts.Expression[] {
  const sinks: ts.Expression[] = [];
  const nameOf = (name: ts.PropertyName): string | null => {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) return name.expression.text;
    return null;
  };
  walkScript(scope, (node) => {
    // { 'Idempotency-Key': key }, { idempotencyKey: key }, { idempotencyKey }
    if (ts.isPropertyAssignment(node)) {
      const name = nameOf(node.name);
      if (name !== null && isIdempotencyKeyName(name)) sinks.push(node.initializer);
    } else if (ts.isShorthandPropertyAssignment(node) && isIdempotencyKeyName(node.name.text)) {
      sinks.push(node.name);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // headers['Idempotency-Key'] = key; options.idempotencyKey = key
      const target = unwrapExpression(node.left);
      const name = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isElementAccessExpression(target) && ts.isStringLiteral(target.argumentExpression) ? target.argumentExpression.text : null;
      if (name !== null && isIdempotencyKeyName(name)) sinks.push(node.right);
    } else if (ts.isCallExpression(node)) {
      // headers.set('Idempotency-Key', key), request.set(...), res.setHeader(...)
      const callee = unwrapExpression(node.expression);
      const [first, second] = node.arguments;
      if (ts.isPropertyAccessExpression(callee) && ['set', 'append', 'setHeader', 'header'].includes(callee.name.text) && first !== undefined && second !== undefined && ts.isStringLiteral(first) && isIdempotencyKeyName(first.text)) sinks.push(second);
    }
    return true;
  });
  return sinks;
}

/** Variables declared in `scope`, by name, with their initializers (null when declared twice or without one). */
function declarationsIn(scope: ts.Node): Map<string, ts.Expression | null> {
  const declared = new Map<string, ts.Expression | null>();
  walkScript(scope, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) declared.set(node.name.text, declared.has(node.name.text) ? null : node.initializer ?? null);
    return true;
  });
  return declared;
}

/**
 * The fresh-value call a key value gets its value from within the attempt: written in it
 * (`randomUUID()`, `` `order-${Date.now()}` ``) or in a variable declared in the attempt
 * (`const key = uuid()`), followed a few steps. Null when the key comes from outside the attempt.
 */
function freshCallIn(bindings: FileBindings, value: ts.Expression, declared: Map<string, ts.Expression | null>): ts.CallExpression | null {
  const followed = new Set<string>();
  let found: ts.CallExpression | null = null;
  walkScript(value, (node) => {
    if (found !== null || isFunctionExpression(node)) return false;
    if (ts.isCallExpression(node) && isFreshValueCall(bindings, node)) {
      found = node;
      return false;
    }
    if (ts.isIdentifier(node) && !followed.has(node.text) && followed.size < 4) {
      followed.add(node.text);
      const initializer = declared.get(node.text);
      return initializer !== undefined && initializer !== null ? [initializer] : false;
    }
    // Property names are not variables: `{ key: order.id }` follows `order`, not `id`.
    if (ts.isPropertyAccessExpression(node)) return [node.expression];
    return true;
  });
  return found;
}

export default defineRule<MessageId>({
  meta: {
    id: 'idempotency-key-per-attempt',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'An idempotency key generated inside the retried function or loop body, so every attempt sends a new key.',
    why: 'The server deduplicates by key; a key made per attempt makes every retry look like a new request, so a write that succeeded before the connection dropped is applied again, while the code looks protected.',
    messages: {
      freshKeyPerAttempt: '`{{generator}}` makes a new idempotency key on every attempt of {{retry}}, so the server cannot recognise a retry and applies the write again; create the key once before the first attempt and reuse it on every attempt.',
    },
    options: {},
    prefilter: ['idempot', 'paypal-request-id'],
    sources: ['No linter rule found. Guidance: Stripe "Idempotent requests" (retries must reuse the same key); IETF draft-ietf-httpapi-idempotency-key-header'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    /** Generator calls already reported, so nested retries report a key once. */
    const reported = new Set<ts.Node>();

    const check = (current: FileBindings, attempt: Attempt): void => {
      const sinks = keySinks(attempt.scope);
      if (sinks.length === 0) return;
      const declared = declarationsIn(attempt.scope);
      const sourceFile = current.sourceFile;
      for (const sink of sinks) {
        const fresh = freshCallIn(current, sink, declared);
        if (fresh === null || reported.has(fresh)) continue;
        reported.add(fresh);
        context.report({
          messageId: 'freshKeyPerAttempt',
          data: { generator: `${fresh.expression.getText(sourceFile)}()`, retry: attempt.label },
          range: nodeRange(fresh, sourceFile),
          related: [{ range: { start: attempt.anchor.getStart(sourceFile), end: attempt.anchor.getStart(sourceFile) + 1 }, message: `The retry that runs this once per attempt (${attempt.label}).` }],
        });
      }
    };

    const attemptOfCall = (current: FileBindings, call: ts.CallExpression): Attempt | null => {
      const sourceFile = current.sourceFile;
      const callee = unwrapExpression(call.expression);
      const found = retryLibraryCall(current, call);
      if (found !== null) {
        if (found.library === 'axios-retry' || found.library === 'retry') return null;
        const run = call.arguments.find((argument) => functionOf(current, argument) !== null);
        const fn = functionOf(current, run);
        return fn === null ? null : { scope: fn.body, label: `\`${callee.getText(sourceFile)}\``, anchor: call };
      }
      // operation.attempt(fn) on `retry.operation(...)`
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'attempt') {
        const origin = current.origin(callee.expression);
        const operation = ts.isCallExpression(origin) ? retryLibraryCall(current, origin) : null;
        const fn = functionOf(current, call.arguments[0]);
        if (operation !== null && operation.library === 'retry' && fn !== null) return { scope: fn.body, label: '`operation.attempt`', anchor: call };
        return null;
      }
      // withRetry(async () => ...), this.retry(() => ...), retryAsync(fn, 3)
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (!RETRY_HELPER_NAME.test(name) || /axiosretry/i.test(name)) return null;
      const run = call.arguments.find((argument) => isFunctionExpression(unwrapExpression(argument)));
      const fn = functionOf(current, run);
      return fn === null ? null : { scope: fn.body, label: `\`${name}\``, anchor: call };
    };

    return {
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
        reported.clear();
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: (node) => {
          if (bindings === null || !ts.isCallExpression(node)) return;
          const attempt = attemptOfCall(bindings, node);
          if (attempt !== null) check(bindings, attempt);
        },
        [ts.SyntaxKind.WhileStatement]: (node) => checkLoop(node),
        [ts.SyntaxKind.DoStatement]: (node) => checkLoop(node),
        [ts.SyntaxKind.ForStatement]: (node) => checkLoop(node),
        [ts.SyntaxKind.FunctionDeclaration]: (node) => checkRecursion(node),
        [ts.SyntaxKind.MethodDeclaration]: (node) => checkRecursion(node),
        [ts.SyntaxKind.FunctionExpression]: (node) => checkRecursion(node),
        [ts.SyntaxKind.ArrowFunction]: (node) => checkRecursion(node),
      },
    };

    function checkLoop(node: ts.Node): void {
      if (bindings === null) return;
      if (!ts.isWhileStatement(node) && !ts.isDoStatement(node) && !ts.isForStatement(node)) return;
      const found = retryLoopOf(node, bindings.sourceFile);
      if (found === null) return;
      check(bindings, { scope: node.statement, label: 'this retry loop', anchor: node });
    }

    function checkRecursion(node: ts.Node): void {
      if (bindings === null) return;
      if (!ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return;
      const found = retryRecursionOf(node, bindings.sourceFile);
      if (found === null || node.body === undefined) return;
      check(bindings, { scope: node.body, label: `\`${found.name}\`, which calls itself to retry`, anchor: found.recursiveCall });
    }
  },
});
