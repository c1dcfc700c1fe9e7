/**
 * retry-without-backoff: retries that do not wait longer after each failure. axios-retry without
 * `retryDelay` (its default is `noDelay`: 0 ms unless the response carries Retry-After) or with a
 * `retryDelay` that returns a constant; p-retry / async-retry / retry / promise-retry options that
 * pin the delay (`factor: 1`, `minTimeout` equal to `maxTimeout`); hand-written retry loops that
 * try again immediately or after a constant `sleep(1000)`; and self-calling functions that retry
 * after a constant delay.
 *
 * The libraries' defaults back off exponentially (p-retry, async-retry, retry: factor 2 from
 * 1 s; got: exponential with noise), so configs that leave them alone are not reported. Immediate
 * hand-written retries are left alone when they make at most two attempts (one retry of a stale
 * keep-alive socket or after a token refresh), when the catch retries only one kind of error and
 * rethrows the rest (a unique-key collision retried with a new key), and when the retried block
 * awaits nothing.
 *
 * The fix (safe, axios-retry only) adds `retryDelay: axiosRetry.exponentialDelay`, using the name
 * the file imported axios-retry as.
 *
 * Python: tenacity's `@retry` / `Retrying(...)` without `wait=` (tenacity 8.2.1 defaults to
 * `wait_none()`: the next attempt starts at once) or with `wait=wait_fixed(n)` / `wait_none()`,
 * and backoff's `on_exception(backoff.constant, ...)`. Retries limited to two attempts
 * (`stop_after_attempt(2)`, `max_tries=2`) are left alone, like hand-written ones. The fix (safe)
 * adds `wait=wait_exponential(multiplier=1, max=60)` and, when the file imports tenacity's names
 * one by one, `wait_exponential` to that import.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, propertiesOf, propertyInsertion, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import {
  caughtName,
  countedAttempts,
  isFunctionExpression,
  numericLiteralValue,
  parameterNames,
  RETRY_PREFILTER,
  retryDelay,
  retryLibraryCall,
  retryLoopOf,
  retryRecursionOf,
  testsMoreThanTheError,
  type LoopStatement,
  type RetryLibraryCall,
} from '../helpers/retries';
import { headerRange, nodeRange } from '../helpers/ranges';
import type { PythonNode } from '../../engine/languages/python';
import type { TextEdit } from '../../engine/types';
import { isPythonTestFile, keywordInsertion, pythonImports, type PythonImports } from '../helpers/python-libraries';
import { attemptLimit, pythonRetryLoop, retryOfCall, retryOfDecorator, strategyName, type PythonRetry, type PythonRetryLoop } from '../helpers/python-retries';
import { pythonArguments, walkPythonNamed } from '../../engine/languages/python';
import { boundPythonNames } from '../helpers/python-data-access';

type MessageId = 'axiosRetryNoDelay' | 'axiosRetryConstant' | 'constantFactor' | 'equalTimeouts' | 'loopImmediate' | 'loopConstant' | 'pythonLoopConstant' | 'tenacityNoWait' | 'tenacityFixedWait' | 'backoffConstant';

const EXPONENTIAL_WAIT = 'wait_exponential(multiplier=1, max=60)';

/** The name under which the file can call tenacity's `wait_exponential`, and the import edit it needs. */
function exponentialWaitName(retry: PythonRetry, imports: PythonImports): { name: string; edits: TextEdit[] } | null {
  if (retry.callee.type === 'attribute') {
    // `tenacity.retry(...)`: the module is imported, so its `wait_exponential` needs no import.
    const object = retry.callee.childForFieldName('object');
    return object === null ? null : { name: `${object.text}.wait_exponential`, edits: [] };
  }
  for (const [local, origin] of imports.names) {
    if (origin === 'tenacity.wait_exponential') return { name: local, edits: [] };
  }
  if (imports.starModules.has('tenacity')) return { name: 'wait_exponential', edits: [] };
  const statement = imports.fromStatements.get('tenacity');
  if (statement === undefined) return null;
  const names = statement.childrenForFieldName('name').filter((child): child is PythonNode => child !== null);
  const last = names[names.length - 1];
  if (last === undefined) return null;
  return { name: 'wait_exponential', edits: [{ range: { start: last.endIndex, end: last.endIndex }, newText: ', wait_exponential' }] };
}

function tenacityWaitFix(retry: PythonRetry, imports: PythonImports, text: string): Fix | null {
  const wait = exponentialWaitName(retry, imports);
  if (wait === null) return null;
  const keyword = `wait=${wait.name.replace(/wait_exponential$/, EXPONENTIAL_WAIT)}`;
  let edit: TextEdit | null;
  if (retry.call === null) edit = { range: { start: retry.node.endIndex, end: retry.node.endIndex }, newText: `(${keyword})` };
  else edit = keywordInsertion(retry.call, keyword, text);
  if (edit === null) return null;
  return { title: `Add \`${keyword}\``, safety: 'safe', edits: [...wait.edits, edit] };
}



/** A `retryDelay` function that returns the same number every time: `() => 1000`. */
function isConstantDelayFunction(bindings: FileBindings, value: ts.Expression): boolean {
  const inner = unwrapExpression(value);
  if (!isFunctionExpression(inner)) return false;
  let returned: ts.Expression | null = null;
  if (!ts.isBlock(inner.body)) returned = inner.body;
  else if (inner.body.statements.length === 1) {
    const only = inner.body.statements[0];
    if (only !== undefined && ts.isReturnStatement(only) && only.expression !== undefined) returned = only.expression;
  }
  return returned !== null && numericLiteralValue(bindings, returned) !== null;
}

/** The name axios-retry's helpers hang off (`axiosRetry`, `axiosRetry.default`), or null. */
function helperBase(call: ts.CallExpression): string | null {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) return `${callee.expression.text}.${callee.name.text}`;
  return null;
}

function axiosRetryFix(sourceFile: ts.SourceFile, found: RetryLibraryCall, base: string): Fix | null {
  const property = `retryDelay: ${base}.exponentialDelay`;
  const title = `Add \`${property}\``;
  if (found.options !== null) {
    if (found.optionsArgument === undefined || unwrapExpression(found.optionsArgument) !== found.options) return null;
    const insertion = propertyInsertion(sourceFile, found.options, property);
    return { title, safety: 'safe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
  }
  const client = found.call.arguments[0];
  if (client === undefined || found.call.arguments.length !== 1) return null;
  return { title, safety: 'safe', edits: [{ range: { start: client.getEnd(), end: client.getEnd() }, newText: `, { ${property} }` }] };
}

/** True when the retried block awaits something (synchronous loops retry parsing or computing, not I/O). */
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

/**
 * True when the catch awaits a recovery step before the next attempt (a reconnect, a token
 * refresh, a change-stream resume): the retry follows a repair, not a blind repeat.
 * `recursiveCall` is the retry itself in the recursive shape, which does not count.
 */
function awaitsRecovery(clause: ts.CatchClause, recursiveCall: ts.CallExpression | null): boolean {
  let found = false;
  walkScript(clause.block, (node) => {
    if (node === clause.block) return true;
    if (found || ts.isFunctionLike(node)) return false;
    if (ts.isAwaitExpression(node) && (recursiveCall === null || unwrapExpression(node.expression) !== recursiveCall)) found = true;
    return !found;
  });
  return found;
}

/**
 * True when the catch retries only one kind of error and rethrows the rest: `if (error.code !==
 * '23505') throw error`. Immediate retries of such conflicts (a new random key, an optimistic
 * lock) are the intended design.
 */
function retriesOneKindOfError(clause: ts.CatchClause): boolean {
  const errorName = caughtName(clause);
  if (errorName === null) return false;
  // Throwing, returning or breaking out: the errors of the other kinds end the retrying.
  const isExit = (statement: ts.Statement): boolean => ts.isThrowStatement(statement) || ts.isReturnStatement(statement) || ts.isBreakStatement(statement);
  const leaves = (branch: ts.Statement | undefined): boolean => branch !== undefined && (isExit(branch) || (ts.isBlock(branch) && branch.statements.some(isExit)));
  return clause.block.statements.some((statement) => {
    if (!ts.isIfStatement(statement)) return false;
    if (!leaves(statement.thenStatement) && !leaves(statement.elseStatement)) return false;
    // `!(err instanceof UniqueConstraintError) || attempt >= attempts`: the kind, and the attempt limit.
    const tests = disjuncts(statement.expression).filter((part) => !isAttemptLimit(part));
    return tests.length > 0 && tests.every((part) => part.getText().includes(errorName) && !testsMoreThanTheError(part, errorName));
  });
}

/** The operands of a chain of `||`. */
function disjuncts(condition: ts.Expression): ts.Expression[] {
  const expression = unwrapExpression(condition);
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.BarBarToken) return [...disjuncts(expression.left), ...disjuncts(expression.right)];
  return [expression];
}

/** `attempt >= attempts`, `retries > MAX_RETRIES`: a counter compared with a limit. */
function isAttemptLimit(condition: ts.Expression): boolean {
  const expression = unwrapExpression(condition);
  if (!ts.isBinaryExpression(expression)) return false;
  const operator = expression.operatorToken.kind;
  if (![ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken].includes(operator)) return false;
  return /attempt|retr|tries|count/i.test(expression.getText());
}

/** Errors of a race, not of a failing dependency: a unique-key collision retried with a new key. */
const CONFLICT_ERROR = /Integrity|Unique|Duplicate|Conflict|Collision|AlreadyExists/;

/**
 * True when an `except` clause retries a conflict or one kind of error only: it catches a conflict
 * error (`except IntegrityError:`), or it raises again unless the caught error is the kind it
 * retries (`if e.pgcode != UNIQUE_VIOLATION: raise`).
 */
function retriesOnlyOneKind(clause: PythonNode): boolean {
  const caught = clause.namedChildren.find((child) => child !== null && child.type !== 'block' && child.type !== 'comment') ?? null;
  if (caught !== null && CONFLICT_ERROR.test(caught.text)) return true;
  const alias = caught?.type === 'as_pattern' ? caught.childForFieldName('alias')?.text.trim() : undefined;
  if (alias === undefined) return false;
  const block = clause.namedChildren.find((child) => child?.type === 'block');
  return (block?.namedChildren ?? []).some((statement) => {
    if (statement?.type !== 'if_statement') return false;
    const condition = statement.childForFieldName('condition');
    const raises = statement.childForFieldName('consequence')?.namedChildren.some((inner) => inner?.type === 'raise_statement') === true;
    return raises && condition !== null && new RegExp(`\\b${alias}\\b`).test(condition.text);
  });
}

/** The sleeps of a retry loop's body (not in nested functions), and the names that change between attempts. */
function pythonLoopDelays(found: PythonRetryLoop): { sleeps: PythonNode[]; changing: Set<string> } {
  const sleeps: PythonNode[] = [];
  const changing = new Set<string>();
  const target = found.loop.childForFieldName('left');
  if (target !== null) boundPythonNames(target, changing);
  const body = found.loop.childForFieldName('body');
  if (body === null) return { sleeps, changing };
  walkPythonNamed(body, (node) => {
    if (['function_definition', 'class_definition', 'lambda'].includes(node.type)) return false;
    if (node.type === 'assignment' || node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      if (left !== null) boundPythonNames(left, changing);
    }
    if (node.type === 'call' && /(?:^|\.)sleep$/.test(node.childForFieldName('function')?.text ?? '')) sleeps.push(node);
    return true;
  });
  return { sleeps, changing };
}

/** True when a delay is the same on every attempt: no call in it, and nothing the loop changes. */
function isConstantPythonDelay(amount: PythonNode, changing: ReadonlySet<string>): boolean {
  let constant = true;
  walkPythonNamed(amount, (node) => {
    if (!constant) return false;
    if (node.type === 'call') constant = false;
    if (node.type === 'identifier' && changing.has(node.text)) constant = false;
    return constant;
  });
  return constant;
}

export default defineRule<MessageId>({
  meta: {
    id: 'retry-without-backoff',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'Retries with no delay or a constant delay between attempts.',
    why: 'When a dependency slows down, every client fails at once; retrying immediately or on a fixed beat multiplies its load at the moment it can least take it and keeps the clients in lockstep, turning a brief blip into an outage.',
    messages: {
      axiosRetryNoDelay: '`{{callee}}(...)` without `retryDelay` retries immediately (axios-retry\'s default is `noDelay`); add `retryDelay: {{base}}.exponentialDelay` to back off with jitter.',
      axiosRetryConstant: '`retryDelay` returns the same delay before every retry, so clients that failed together retry together; use `retryDelay: axiosRetry.exponentialDelay` (exponential, with jitter).',
      constantFactor: '`factor: {{factor}}` makes {{library}} wait the same `minTimeout` before every retry; remove it (the default factor is 2) to back off exponentially.',
      equalTimeouts: '`minTimeout` equal to `maxTimeout` makes {{library}} wait the same time before every retry; raise `maxTimeout` so the delay can grow.',
      loopImmediate: 'This loop retries immediately after a failure, adding load to a dependency that is already failing; wait before the next attempt with exponential backoff and jitter: `await sleep(Math.random() * Math.min(cap, base * 2 ** attempt))`.',
      loopConstant: '`{{delay}}` waits the same time before every retry, so clients that failed together retry together; grow it with the attempt and add jitter: `Math.random() * Math.min(cap, base * 2 ** attempt)`.',
      pythonLoopConstant: '`{{delay}}` waits the same time before every retry, so clients that failed together retry together; grow it with the attempt and add jitter: `time.sleep(random.uniform(0, min(cap, base * 2 ** attempt)))`.',
      tenacityNoWait: '`{{call}}` has no `wait=`, and tenacity\'s default is `wait_none()`, so it retries immediately against a dependency that is already failing; add `wait=wait_exponential(multiplier=1, max=60)` (or `wait_random_exponential`).',
      tenacityFixedWait: '`wait={{wait}}` waits the same time before every retry, so clients that failed together retry together; use `wait=wait_random_exponential(multiplier=1, max=60)`.',
      backoffConstant: '`backoff.constant` waits the same interval before every retry, so clients that failed together keep retrying together; use `backoff.expo` (with its default full jitter).',
    },
    options: {},
    prefilter: RETRY_PREFILTER,
    pythonPrefilter: ['retry', 'catch', 'backoff', 'sleep'],
    sources: ['AWS Builders\' Library, "Timeouts, retries, and backoff with jitter"', 'Google Cloud, "truncated exponential backoff"'],
  },
  create(context) {
    let sourceFile: ts.SourceFile | null = null;
    let bindings: FileBindings | null = null;

    const checkLibrary = (file: ts.SourceFile, fileNames: FileBindings, node: ts.Node): void => {
      if (!ts.isCallExpression(node)) return;
      const found = retryLibraryCall(fileNames, node);
      if (found === null) return;
      const options = found.options;
      if (found.optionsArgument !== undefined && options === null) return; // options from elsewhere
      const names = options === null ? new Map<string, ts.ObjectLiteralElementLike>() : propertiesOf(options).names;
      const spread = options !== null && propertiesOf(options).spread;
      if (found.library === 'axios-retry') {
        const retries = numericLiteralValue(fileNames, propertyValue(names.get('retries')));
        if (retries === 0) return;
        const delay = names.get('retryDelay');
        if (delay !== undefined) {
          const value = propertyValue(delay);
          if (value !== null && isConstantDelayFunction(fileNames, value)) context.report({ messageId: 'axiosRetryConstant', range: nodeRange(delay, file) });
          return;
        }
        if (spread) return;
        const base = helperBase(node);
        const fix = base === null ? null : axiosRetryFix(file, found, base);
        context.report({
          messageId: 'axiosRetryNoDelay',
          data: { callee: node.expression.getText(file), base: base ?? 'axiosRetry' },
          range: nodeRange(node.expression, file),
          fixes: fix === null ? [] : [fix],
        });
        return;
      }
      const factorProperty = names.get('factor');
      const factor = numericLiteralValue(fileNames, propertyValue(factorProperty));
      if (factorProperty !== undefined && factor !== null && factor <= 1) {
        context.report({ messageId: 'constantFactor', data: { factor: String(factor), library: found.library }, range: nodeRange(factorProperty, file) });
        return;
      }
      const minimum = numericLiteralValue(fileNames, propertyValue(names.get('minTimeout')));
      const maximumProperty = names.get('maxTimeout');
      const maximum = numericLiteralValue(fileNames, propertyValue(maximumProperty));
      if (maximumProperty !== undefined && minimum !== null && maximum !== null && minimum === maximum) {
        context.report({ messageId: 'equalTimeouts', data: { library: found.library }, range: nodeRange(maximumProperty, file) });
      }
    };

    const checkLoop = (file: ts.SourceFile, fileNames: FileBindings, node: ts.Node): void => {
      if (!ts.isWhileStatement(node) && !ts.isDoStatement(node) && !ts.isForStatement(node)) return;
      const loop: LoopStatement = node;
      const found = retryLoopOf(loop, file);
      if (found === null || !awaitsSomething(found.tryStatement.tryBlock)) return;
      const delay = retryDelay(loop.statement, null, loop, new Set());
      if (delay.kind === 'varying') return;
      if (delay.kind === 'constant' && delay.node !== null) {
        context.report({ messageId: 'loopConstant', data: { delay: delay.node.getText(file).replace(/\s+/g, ' ') }, range: nodeRange(delay.node, file) });
        return;
      }
      const attempts = countedAttempts(fileNames, loop);
      if (attempts !== null && attempts <= 2) return;
      if (retriesOneKindOfError(found.catchClause) || awaitsRecovery(found.catchClause, null)) return;
      context.report({ messageId: 'loopImmediate', range: headerRange(loop, loop.statement, file) });
    };

    const checkRecursion = (file: ts.SourceFile, node: ts.Node): void => {
      if (!ts.isFunctionDeclaration(node) && !ts.isMethodDeclaration(node) && !ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return;
      const found = retryRecursionOf(node, file);
      if (found === null || !awaitsSomething(found.tryStatement.tryBlock)) return;
      const delay = retryDelay(found.catchClause.block, null, node, parameterNames(node));
      if (delay.kind === 'varying') return;
      if (delay.kind === 'constant' && delay.node !== null) {
        context.report({ messageId: 'loopConstant', data: { delay: delay.node.getText(file).replace(/\s+/g, ' ') }, range: nodeRange(delay.node, file) });
        return;
      }
      // An immediate self-call is left to unbounded-retry when it has no limit; with a limit, the
      // retried call is as often a flaky local step (mongodb's GSSAPI `negotiate`) as a network call.
    };

    const guarded = (check: (file: ts.SourceFile, fileNames: FileBindings, node: ts.Node) => void) => (node: ts.Node): void => {
      if (sourceFile === null || bindings === null) return;
      check(sourceFile, bindings, node);
    };
    const loops = guarded(checkLoop);
    const functions = guarded((file, _names, node) => checkRecursion(file, node));
    let imports: PythonImports | null = null;
    let pythonText = '';
    const checkPython = (retry: PythonRetry | null): void => {
      if (retry === null || imports === null || retry.splat) return;
      const limit = attemptLimit(retry, imports);
      if (limit !== null && limit <= 2) return;
      if (retry.library === 'backoff') {
        const generator = retry.positional[0] ?? retry.keywords.get('wait_gen');
        if (generator !== undefined && strategyName(generator, imports) === 'constant' && /\bbackoff\b|^constant$/.test(generator.text)) {
          context.report({ messageId: 'backoffConstant', range: { start: generator.startIndex, end: generator.endIndex } });
        }
        return;
      }
      if (retry.positional.length > 0) return;
      const wait = retry.keywords.get('wait');
      const label = retry.call === null ? `@${retry.callee.text}` : `${retry.callee.text}(...)`;
      if (wait === undefined) {
        const fix = tenacityWaitFix(retry, imports, pythonText);
        context.report({ messageId: 'tenacityNoWait', data: { call: label }, range: { start: retry.node.startIndex, end: retry.node.endIndex }, fixes: fix === null ? [] : [fix] });
        return;
      }
      const strategy = strategyName(wait, imports);
      if (strategy === 'wait_fixed' || strategy === 'wait_none') {
        context.report({ messageId: 'tenacityFixedWait', data: { wait: wait.text.replace(/\s+/g, ' ') }, range: { start: wait.startIndex, end: wait.endIndex } });
      }
    };
    const checkPythonLoop = (loop: PythonNode): void => {
      if (imports === null) return;
      const found = pythonRetryLoop(loop);
      if (found === null || (found.attempts !== null && found.attempts <= 2)) return;
      if (found.retrying.every(retriesOnlyOneKind)) return;
      // A wait the server asks for (429 with Retry-After) is the right wait.
      if (/retry[-_]after/i.test(loop.text)) return;
      const { sleeps, changing } = pythonLoopDelays(found);
      const amounts = sleeps.map((sleep) => pythonArguments(sleep).positional[0]);
      // Immediate Python retries are not reported yet: without a sleep, a loop over `range(n)` with
      // a `try` is as often a fallback over alternatives as a retry.
      const [first] = amounts;
      if (first === undefined || amounts.some((amount) => amount === undefined || !isConstantPythonDelay(amount, changing))) return;
      const sleep = sleeps[0];
      if (sleep === undefined) return;
      // On the loop's header, where a reader sees that this is a retry; the sleep is the place to change.
      const header = loop.childForFieldName('body');
      const end = header === null ? loop.endIndex : Math.min(loop.endIndex, loop.startIndex + loop.text.slice(0, header.startIndex - loop.startIndex).trimEnd().length);
      context.report({ messageId: 'pythonLoopConstant', data: { delay: sleep.text.replace(/\s+/g, ' ') }, range: { start: loop.startIndex, end }, related: [{ range: { start: sleep.startIndex, end: sleep.endIndex }, message: 'The constant wait between attempts.' }] });
    };
    return {
      pythonFile(file) {
        imports = isPythonTestFile(file.text) ? null : pythonImports(file.root);
        pythonText = file.text;
      },
      pythonNodes: {
        decorator: (node) => {
          if (imports !== null) checkPython(retryOfDecorator(node, imports));
        },
        call: (node) => {
          if (imports !== null) checkPython(retryOfCall(node, imports));
        },
        for_statement: checkPythonLoop,
        while_statement: checkPythonLoop,
      },
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: guarded(checkLibrary),
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
