/**
 * unbounded-retry: retrying with nothing that ever stops it. A `while (true)` / `for (;;)` retry
 * loop (its `try` leaves the loop on success, its `catch` goes round again) with no attempt
 * counter, deadline or shutdown check; a function that retries by calling itself from its `catch`
 * with the same arguments and no such check; and retry-library options that say "forever":
 * `retries: Infinity` (p-retry, async-retry, retry, promise-retry, axios-retry), `forever: true`
 * (retry, async-retry, promise-retry, p-retry before v7) and got's `retry: { limit: Infinity }`.
 *
 * A check that reads only the error (`if (!isRetryable(error)) throw error`) does not bound the
 * retrying: a dependency that stays down keeps producing retryable errors. A check of anything
 * else does (`attempt`, `Date.now()`, `signal.aborted`, `this.closed`), and so do a finite
 * `maxRetryTime` or a `signal` next to `retries: Infinity`. Loops that are not retries (event
 * loops, queue consumers that log and go on, loops whose `break` is in the middle) are skipped.
 * No fix: the right limit is a decision about the caller's latency budget.
 *
 * Python: tenacity's `@retry` / `@retry(...)` / `Retrying(...)` / `AsyncRetrying(...)` without
 * `stop=` (tenacity 8.2.1 defaults to `stop_never`) or with `stop=stop_never`, and backoff's
 * `on_exception` / `on_predicate` with neither `max_tries` nor `max_time` (or `max_tries=None`).
 * Calls passing `**kwargs` and test files (importing pytest or unittest) are left alone.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { importOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import { fileBindings, objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { caughtName, hasNonErrorExit, isEndlessLoop, isInfinity, parameterNames, RETRY_PREFILTER, retryLibraryCall, retryLoopOf, retryRecursionOf, type LoopStatement } from '../helpers/retries';
import { headerRange, nodeRange } from '../helpers/ranges';
import { isPythonTestFile, pythonImports, type PythonImports } from '../helpers/python-libraries';
import { retryOfCall, retryOfDecorator, strategyName, type PythonRetry } from '../helpers/python-retries';

type MessageId = 'loop' | 'recursion' | 'infiniteOption' | 'infiniteGot' | 'tenacityNoStop' | 'tenacityStopNever' | 'backoffNoLimit';

/** Why a Python retry never stops, or null when something bounds it. */
function pythonUnbounded(retry: PythonRetry, imports: PythonImports): 'tenacityNoStop' | 'tenacityStopNever' | 'backoffNoLimit' | null {
  if (retry.splat) return null;
  if (retry.library === 'tenacity') {
    // `Retrying(sleep, stop, ...)` positionally is unheard of; leave such calls alone.
    if (retry.positional.length > 0) return null;
    const stop = retry.keywords.get('stop');
    if (stop === undefined) return 'tenacityNoStop';
    return strategyName(stop, imports) === 'stop_never' ? 'tenacityStopNever' : null;
  }
  const tries = retry.keywords.get('max_tries');
  const time = retry.keywords.get('max_time');
  const isNone = (value: typeof tries): boolean => value !== undefined && value.type === 'none';
  if ((tries === undefined || isNone(tries)) && (time === undefined || isNone(time))) return 'backoffNoLimit';
  return null;
}



function awaitsSomething(block: ts.Block): boolean {
  let found = false;
  walkScript(block, (node) => {
    if (node === block) return true;
    if (found || ts.isFunctionLike(node)) return false;
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) found = true;
    return !found;
  });
  return found;
}

/** How a loop reads in a message: `while (true)`, `for (;;)`, `do ... while (true)`. */
function loopWords(loop: LoopStatement): string {
  if (ts.isForStatement(loop)) return 'for (;;)';
  if (ts.isDoStatement(loop)) return 'do ... while (true)';
  return 'while (true)';
}

/** True when the recursive call passes what it received unchanged (no counter goes down or up). */
function passesSameArguments(call: ts.CallExpression, parameters: readonly ts.ParameterDeclaration[]): boolean {
  return call.arguments.every((argument, index) => {
    const parameter = parameters[index];
    const value = unwrapExpression(argument);
    return parameter !== undefined && ts.isIdentifier(parameter.name) && ts.isIdentifier(value) && value.text === parameter.name.text;
  });
}

/** True for `maxRetryTime: <finite number or expression>` and p-retry's `signal`: an overall deadline. */
function hasDeadline(bindings: FileBindings, names: Map<string, ts.ObjectLiteralElementLike>): boolean {
  if (names.has('signal')) return true;
  const maxRetryTime = propertyValue(names.get('maxRetryTime'));
  return maxRetryTime !== null && !isInfinity(bindings.origin(maxRetryTime));
}

export default defineRule<MessageId>({
  meta: {
    id: 'unbounded-retry',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'Retry loops or options with no attempt limit or deadline.',
    why: 'A dependency that stays down is retried forever: the caller hangs instead of failing, the work it holds (a request, a connection, a job slot) is never released, the load on the failing dependency never stops, and the outage is hidden behind latency instead of surfacing as errors.',
    messages: {
      loop: 'This `{{loop}}` retry loop has no attempt limit or deadline, so a dependency that stays down is retried forever; count attempts and rethrow after a few (`for (let attempt = 1; attempt <= 5; attempt++)`), or check a deadline.',
      recursion: '`{{name}}()` retries by calling itself from its `catch` with no attempt limit or deadline, so a dependency that stays down is retried forever; pass an attempt count and rethrow when it reaches a maximum.',
      infiniteOption: '`{{option}}` makes {{library}} retry forever; set a finite limit (`retries: 5`) and, for an overall deadline, `maxRetryTime`.',
      infiniteGot: '`{{option}}` makes got retry forever; set a finite `retry: { limit: 3 }` (got\'s default is 2).',
      tenacityNoStop: '`{{call}}` has no `stop=`, and tenacity\'s default is `stop_never`, so a dependency that stays down is retried forever; add `stop=stop_after_attempt(5)` (or `stop_after_delay(...)` for a deadline).',
      tenacityStopNever: '`stop=stop_never` makes tenacity retry forever; use `stop=stop_after_attempt(5)` or `stop_after_delay(...)` so a dependency that stays down surfaces as an error.',
      backoffNoLimit: '`{{call}}` has neither `max_tries` nor `max_time`, so backoff retries forever; add `max_tries=5` or `max_time=60`.',
    },
    options: {},
    // got's `retry: { limit: Infinity }` needs got; every other shape is a retry of RETRY_PREFILTER.
    prefilter: [...RETRY_PREFILTER, importOf('got')],
    pythonPrefilter: ['catch', 'infinity', 'forever', 'max_safe_integer', 'max_value', 'tenacity', 'backoff'],
    sources: ['tenacity: bare `@retry` retries forever (Python analog)', 'AWS Builders\' Library, "Timeouts, retries, and backoff with jitter"'],
  },
  create(context) {
    let sourceFile: ts.SourceFile | null = null;
    let bindings: FileBindings | null = null;

    const checkCall = (file: ts.SourceFile, fileNames: FileBindings, node: ts.CallExpression): void => {
      const found = retryLibraryCall(fileNames, node);
      if (found !== null) {
        if (found.options === null) return;
        const { names } = propertiesOf(found.options);
        if (hasDeadline(fileNames, names)) return;
        const retries = names.get('retries');
        const retriesValue = propertyValue(retries);
        if (retries !== undefined && retriesValue !== null && isInfinity(fileNames.origin(retriesValue))) {
          context.report({ messageId: 'infiniteOption', data: { option: retries.getText(file), library: found.library }, range: nodeRange(retries, file) });
          return;
        }
        const forever = names.get('forever');
        const foreverValue = propertyValue(forever);
        if (forever !== undefined && foreverValue !== null && unwrapExpression(foreverValue).kind === ts.SyntaxKind.TrueKeyword && found.library !== 'axios-retry') {
          context.report({ messageId: 'infiniteOption', data: { option: forever.getText(file), library: found.library }, range: nodeRange(forever, file) });
        }
        return;
      }
      // got(url, { retry: { limit: Infinity } }), got.extend({ retry: { limit: Infinity } })
      const imported = fileNames.resolveImport(node.expression);
      if (imported === null || imported.module !== 'got') return;
      for (const argument of node.arguments) {
        const options = objectLiteralOf(fileNames, argument);
        if (options === null) continue;
        const retry = propertyValue(propertiesOf(options).names.get('retry'));
        if (retry === null) continue;
        const retryOptions = objectLiteralOf(fileNames, retry);
        const limit = retryOptions === null ? undefined : propertiesOf(retryOptions).names.get('limit');
        const limitValue = propertyValue(limit);
        if (limit !== undefined && limitValue !== null && isInfinity(fileNames.origin(limitValue))) {
          context.report({ messageId: 'infiniteGot', data: { option: `retry: { ${limit.getText(file)} }` }, range: nodeRange(limit, file) });
        } else if (retryOptions === null && isInfinity(fileNames.origin(retry))) {
          context.report({ messageId: 'infiniteGot', data: { option: `retry: ${retry.getText(file)}` }, range: nodeRange(retry, file) });
        }
      }
    };

    const checkLoop = (file: ts.SourceFile, node: ts.Node): void => {
      if (!ts.isWhileStatement(node) && !ts.isDoStatement(node) && !ts.isForStatement(node)) return;
      const loop: LoopStatement = node;
      if (!isEndlessLoop(loop)) return;
      const found = retryLoopOf(loop, file);
      if (found === null || !awaitsSomething(found.tryStatement.tryBlock)) return;
      if (hasNonErrorExit(loop.statement, found.tryStatement.tryBlock, loop, caughtName(found.catchClause))) return;
      context.report({ messageId: 'loop', data: { loop: loopWords(loop) }, range: headerRange(loop, loop.statement, file) });
    };

    const checkRecursion = (file: ts.SourceFile, node: ts.Node): void => {
      if (!ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return;
      const found = retryRecursionOf(node, file);
      if (found === null || !awaitsSomething(found.tryStatement.tryBlock) || node.body === undefined) return;
      if (!passesSameArguments(found.recursiveCall, node.parameters)) return;
      // A parameter the function reads to decide whether to stop would bound it; same arguments mean none changes.
      if (hasNonErrorExit(node.body, found.tryStatement.tryBlock, null, caughtName(found.catchClause))) return;
      if (parameterNames(node).size > 0 && found.recursiveCall.arguments.length < node.parameters.length) return;
      context.report({ messageId: 'recursion', data: { name: found.name }, range: nodeRange(found.recursiveCall, file) });
    };

    const functions = (node: ts.Node): void => {
      if (sourceFile === null) return;
      checkRecursion(sourceFile, node);
    };
    const loops = (node: ts.Node): void => {
      if (sourceFile === null) return;
      checkLoop(sourceFile, node);
    };
    let imports: PythonImports | null = null;
    const reportPython = (retry: PythonRetry | null): void => {
      if (retry === null || imports === null) return;
      const problem = pythonUnbounded(retry, imports);
      if (problem === null) return;
      const stop = retry.keywords.get('stop');
      const node = problem === 'tenacityStopNever' && stop !== undefined ? stop : retry.node;
      context.report({ messageId: problem, data: { call: retry.call === null ? `@${retry.callee.text}` : `${retry.callee.text}(...)` }, range: { start: node.startIndex, end: node.endIndex } });
    };
    return {
      pythonFile(file) {
        imports = isPythonTestFile(file.text) ? null : pythonImports(file.root);
      },
      pythonNodes: {
        decorator: (node) => {
          if (imports !== null) reportPython(retryOfDecorator(node, imports));
        },
        call: (node) => {
          if (imports !== null) reportPython(retryOfCall(node, imports));
        },
      },
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: (node) => {
          if (sourceFile === null || bindings === null || !ts.isCallExpression(node)) return;
          checkCall(sourceFile, bindings, node);
        },
        [ts.SyntaxKind.WhileStatement]: loops,
        [ts.SyntaxKind.DoStatement]: loops,
        [ts.SyntaxKind.ForStatement]: loops,
        [ts.SyntaxKind.FunctionDeclaration]: functions,
        [ts.SyntaxKind.MethodDeclaration]: functions,
        [ts.SyntaxKind.FunctionExpression]: functions,
        [ts.SyntaxKind.ArrowFunction]: functions,
      },
    };
  },
});
