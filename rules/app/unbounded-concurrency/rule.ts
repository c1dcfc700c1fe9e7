/**
 * unbounded-concurrency: `Promise.all(items.map(async (item) => ...))` (or `allSettled`) where the
 * callback does I/O (a database, cache or HTTP call data-access.ts knows, or an `fs/promises`
 * call) and `items` is sized at run time. Every element starts at once: ten thousand rows become
 * ten thousand requests, sockets or open files in the same tick.
 *
 * Silent when the array's size is fixed in the code (a literal, `.slice(0, 10)`,
 * `Array.from({ length: 3 })`, a chunk or page), when the I/O already runs under a limiter
 * (`limit(() => ...)`, `queue.add(...)`, `limiter.schedule(...)`) or the whole `Promise.all` does,
 * and when the callback's I/O is a query per element that query-in-loop reports as N+1 (one
 * finding per problem: its message points to the batched query, which removes the fan-out too).
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { allOf, anyOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { boundNames, DATA_ACCESS_PREFILTER, dataCallsIn, FILE_SYSTEM_PREFILTER, FS_DESCRIPTOR_METHODS, unwrapCallee, insideLimiter, isBoundedCollection, mappedArray, mentionsAny, promiseAllArgument, type DataCall } from '../helpers/data-access';

type MessageId = 'unboundedFanOut' | 'unboundedQueries';

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, '');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}

/** Names declared in the callback, which differ per element. */
function callbackNames(callback: ts.ArrowFunction | ts.FunctionExpression): Set<string> {
  const names = new Set<string>();
  for (const parameter of callback.parameters) boundNames(parameter.name, names);
  walkScript(callback.body, (node) => {
    if (node !== callback.body && ts.isFunctionLike(node)) return false;
    if (ts.isVariableDeclaration(node)) boundNames(node.name, names);
    return true;
  });
  return names;
}

/** True when query-in-loop reports this map: a database or cache call in the callback itself that uses the element. */
function isQueryPerElement(calls: DataCall[], callback: ts.ArrowFunction | ts.FunctionExpression): boolean {
  const names = callbackNames(callback);
  return calls.some((found) => {
    if (found.channel !== 'database' && found.channel !== 'cache') return false;
    // Only calls in the callback's own body, as query-in-loop sees them (not in nested callbacks).
    let current: ts.Node | undefined = found.call.parent;
    while (current !== undefined && current !== callback) {
      if (ts.isFunctionLike(current)) return false;
      current = current.parent;
    }
    if (!mentionsAny(found.call, names)) return false;
    return found.sqlText === null || !mentionsAny(found.sqlText, names);
  });
}

export default defineRule<MessageId>({
  meta: {
    id: 'unbounded-concurrency',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: '`Promise.all` over a runtime-sized array whose callback does I/O, with no concurrency limit.',
    why: 'Every element starts at once: a list of 10,000 becomes 10,000 simultaneous requests, sockets or file handles, which trips upstream rate limits, exhausts file descriptors and queues without bound behind a pool of ten connections (pg-pool\'s wait queue has no limit).',
    messages: {
      unboundedFanOut: '`{{method}}` starts one `{{call}}` per element of `{{array}}` at once, with no limit; cap it with `p-limit` (`const limit = pLimit(10)`, then `limit(() => ...)` in the map) or `p-map` with `{ concurrency: 10 }`.',
      unboundedQueries: '`{{method}}` starts one `{{call}}` per element of `{{array}}` at once, with no limit; use one batch query if you can, or cap it with `p-limit` (`const limit = pLimit(10)`) or `p-map` with `{ concurrency: 10 }`.',
    },
    options: {},
    prefilter: [allOf('promise.all', anyOf(...DATA_ACCESS_PREFILTER, FILE_SYSTEM_PREFILTER))],
    sources: ['No linter found; catalogue js-unbounded-promise-all', 'eslint-plugin-unicorn no-array-callback-reference (adjacent, unrelated risk)'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    let sourceFile: ts.SourceFile | null = null;
    return {
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
      },
      nodes: {
        [ts.SyntaxKind.CallExpression](node) {
          if (bindings === null || sourceFile === null || !ts.isCallExpression(node)) return;
          const file = sourceFile;
          const known = bindings;
          const argument = promiseAllArgument(node);
          if (argument === null) return;
          const mapped = mappedArray(known, argument);
          if (mapped === null || isBoundedCollection(known, mapped.array) || insideLimiter(known, node, file)) return;
          const calls = dataCallsIn(known, mapped.callback.body, true).filter((found) => (found.channel !== 'fs' || FS_DESCRIPTOR_METHODS.has(found.method)) && !insideLimiter(known, found.call, mapped.callback));
          const [first] = calls;
          if (first === undefined || isQueryPerElement(calls, mapped.callback)) return;
          const method = unwrapExpression(node.expression).getText(file);
          const callee = unwrapCallee(first.call.expression);
          const data = { method, call: shorten(callee.getText(file)), array: shorten(unwrapExpression(mapped.array).getText(file)) };
          const messageId: MessageId = first.channel === 'database' || first.channel === 'cache' ? 'unboundedQueries' : 'unboundedFanOut';
          context.report({
            messageId,
            data,
            range: { start: node.getStart(file), end: node.expression.getEnd() },
            related: [{ range: { start: first.call.getStart(file), end: first.call.getEnd() }, message: 'The I/O started for every element.' }],
          });
        },
      },
    };
  },
});
