/**
 * What retry code looks like, shared by retry-without-backoff and unbounded-retry: calls of the
 * retry libraries (axios-retry, p-retry, async-retry, retry, promise-retry) with the options object
 * they were given, hand-written retry loops (a loop whose `try` exits on success and whose `catch`
 * falls through to the next attempt), functions that retry by calling themselves from their
 * `catch`, the delay awaited between attempts, and whether anything but the error's kind can end
 * the retrying (an attempt counter, a deadline, a shutdown flag).
 *
 * The shapes are deliberately narrow: a loop that iterates items, a queue consumer that logs and
 * goes on, or a `while (true)` whose `break` sits in the middle of its body is not a retry loop,
 * and the rules stay silent on it.
 */

import { nodesOfKind, ts, walkScript } from '../../engine/languages/typescript';
import { allOf, followedBy, importOf, matches, type PrefilterTerm } from '../../engine/prefilter';
import { objectLiteralOf, unwrapExpression, type FileBindings } from './bindings';

/** The retry libraries the rules know, by module name. */
export type RetryLibrary = 'axios-retry' | 'p-retry' | 'async-retry' | 'retry' | 'promise-retry';

export interface RetryLibraryCall {
  library: RetryLibrary;
  call: ts.CallExpression;
  /** The options argument as written (may be a constant's name), or undefined when absent. */
  optionsArgument: ts.Expression | undefined;
  /** Its object literal, or null when absent or not known in this file. */
  options: ts.ObjectLiteralExpression | null;
}

const RETRY_MODULES: ReadonlySet<string> = new Set(['axios-retry', 'p-retry', 'async-retry', 'retry', 'promise-retry']);

/**
 * Blanks and comments as TypeScript reads them, which may stand between `}` and `catch` or `try`
 * and `{`: JavaScript's \s plus NEL and the zero-width space; a line comment ends at any line
 * terminator. A block comment is read for at most COMMENT_LIMIT characters and one longer lets the
 * file through unread (LONG_COMMENT), so no text makes the search slower than linear: a comment
 * body that may run on unbounded is what makes such patterns quadratic or worse.
 */
const COMMENT_LIMIT = 4000;
const COMMENT_BODY = String.raw`(?:[^*]|\*(?!/))`;
const TRIVIA = String.raw`(?:[\s\u0085\u200B]|//[^\n\r\u2028\u2029]*[\n\r\u2028\u2029]|/\*${COMMENT_BODY}{0,${COMMENT_LIMIT}}\*/)*`;
const LONG_COMMENT = String.raw`/\*${COMMENT_BODY}{${COMMENT_LIMIT}}`;

/**
 * What a file needs for any retry above to be in it: an import of a retry library, or a try
 * statement with a catch clause (`} catch`, not a promise's `.catch(`) and an `await` (or
 * `yield`) after a `try {`: hand-written retries are a try/catch whose `try` awaits the call.
 */
export const RETRY_PREFILTER: readonly PrefilterTerm[] = [
  importOf(...RETRY_MODULES),
  allOf(matches(new RegExp(String.raw`\}${TRIVIA}(?:catch\b|${LONG_COMMENT})`)), followedBy(new RegExp(String.raw`\btry${TRIVIA}(?:\{|${LONG_COMMENT})`), /\b(?:await|yield)\b/)),
];

function isRetryLibrary(module: string): module is RetryLibrary {
  return RETRY_MODULES.has(module);
}

/**
 * A call of a retry library's entry point, whatever the local name: `axiosRetry(client, options)`,
 * `pRetry(run, options)`, `retry(run, options)` (async-retry), `retry.operation(options)` (retry),
 * `promiseRetry(run, options)` or `promiseRetry(options, run)`.
 */
export function retryLibraryCall(bindings: FileBindings, call: ts.CallExpression): RetryLibraryCall | null {
  const callee = unwrapExpression(call.expression);
  let imported = bindings.resolveImport(callee);
  // `require('axios-retry').default` and `axiosRetry.default(...)` are the same function.
  if (imported === null && ts.isPropertyAccessExpression(callee) && callee.name.text === 'default') {
    const base = bindings.resolveImport(callee.expression);
    if (base !== null && (base.exportName === 'default' || base.exportName === '*')) imported = { module: base.module, exportName: 'default' };
  }
  if (imported === null || !isRetryLibrary(imported.module)) return null;
  const library = imported.module;
  const entry = imported.exportName === 'default' || (imported.exportName === '*' && library !== 'retry') || (library === 'axios-retry' && imported.exportName === 'axiosRetry');
  let optionsArgument: ts.Expression | undefined;
  if (library === 'retry') {
    if (imported.exportName !== 'operation') return null;
    optionsArgument = call.arguments[0];
  } else if (!entry) {
    return null;
  } else if (library === 'promise-retry') {
    // promise-retry accepts (run, options) and (options, run).
    const [first, second] = call.arguments;
    optionsArgument = first !== undefined && isFunctionExpression(first) ? second : first;
  } else {
    optionsArgument = call.arguments[1];
  }
  return { library, call, optionsArgument, options: objectLiteralOf(bindings, optionsArgument) };
}

export function isFunctionExpression(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** A numeric value written as a literal (`1000`, `1_000`, `-1`), or null. */
export function numericLiteralValue(bindings: FileBindings, expression: ts.Expression | null): number | null {
  if (expression === null) return null;
  const value = bindings.origin(expression);
  if (ts.isNumericLiteral(value)) return Number(value.text);
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(value.operand)) return -Number(value.operand.text);
  if (isInfinity(value)) return Number.POSITIVE_INFINITY;
  return null;
}

/** `Infinity`, `Number.POSITIVE_INFINITY`, `Number.MAX_SAFE_INTEGER`: "no limit" as written. */
export function isInfinity(expression: ts.Expression): boolean {
  const value = unwrapExpression(expression);
  if (ts.isIdentifier(value)) return value.text === 'Infinity';
  if (ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Number') {
    return value.name.text === 'POSITIVE_INFINITY' || value.name.text === 'MAX_SAFE_INTEGER' || value.name.text === 'MAX_VALUE';
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Hand-written retry loops and recursion

export type LoopStatement = ts.WhileStatement | ts.DoStatement | ts.ForStatement;

export interface RetryLoop {
  kind: 'loop';
  loop: LoopStatement;
  tryStatement: ts.TryStatement;
  catchClause: ts.CatchClause;
}

export interface RetryRecursion {
  kind: 'recursion';
  functionNode: ts.FunctionLikeDeclaration;
  name: string;
  tryStatement: ts.TryStatement;
  catchClause: ts.CatchClause;
  recursiveCall: ts.CallExpression;
}

/** Visits the descendants of `node` that run in the same function and the same loop iteration. */
function forEachInBody(node: ts.Node, visit: (child: ts.Node) => void, options: { enterLoops: boolean }): void {
  walkScript(node, (child) => {
    if (child === node) return true;
    if (ts.isFunctionLike(child) || ts.isClassLike(child)) return false;
    visit(child);
    return options.enterLoops || !isIterationStatement(child);
  });
}

function isIterationStatement(node: ts.Node): boolean {
  return ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node);
}

/** True when `statement` leaves `loop` (a `return`, or a `break` that targets it). */
function exitsLoop(statement: ts.Node, loop: LoopStatement | null): boolean {
  if (ts.isReturnStatement(statement)) return true;
  if (!ts.isBreakStatement(statement) || loop === null) return false;
  if (statement.label === undefined) return breakTarget(statement) === loop;
  const labelled = loop.parent;
  return ts.isLabeledStatement(labelled) && labelled.label.text === statement.label.text;
}

/** The loop or switch an unlabelled `break` leaves. */
function breakTarget(statement: ts.BreakStatement): ts.Node | null {
  let current: ts.Node = statement.parent;
  while (!ts.isSourceFile(current) && !ts.isFunctionLike(current)) {
    if (isIterationStatement(current) || ts.isSwitchStatement(current)) return current;
    current = current.parent;
  }
  return null;
}

/** The statement or the statements of a block. */
function statementsOf(statement: ts.Statement): readonly ts.Statement[] {
  return ts.isBlock(statement) ? statement.statements : [statement];
}

/**
 * True when the try block ends by leaving the loop on success: its last statement is a `return` /
 * `break`, an `if` whose branch is one (`if (response.ok) return response`), or it sets the flag the
 * loop condition tests (`while (!done) { try { ...; done = true } ... }`).
 */
function successExit(block: ts.Block, loop: LoopStatement | null, flag: string | null): 'always' | 'conditional' | null {
  const last = block.statements[block.statements.length - 1];
  if (last === undefined) return null;
  if (exitsLoop(last, loop)) return 'always';
  if (ts.isIfStatement(last) && statementsOf(last.thenStatement).some((inner) => exitsLoop(inner, loop))) return 'conditional';
  if (flag !== null && ts.isExpressionStatement(last) && ts.isBinaryExpression(last.expression) && last.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = last.expression.left;
    if ((ts.isIdentifier(target) || ts.isPropertyAccessExpression(target)) && target.getText() === flag && last.expression.right.kind === ts.SyntaxKind.TrueKeyword) return 'always';
  }
  return null;
}

/** True when the block awaits a delay or throws somewhere: the catch of a retry, not of a poll. */
function catchActsOnFailure(clause: ts.CatchClause): boolean {
  let found = false;
  walkScript(clause.block, (node) => {
    if (node === clause.block) return true;
    if (found || ts.isFunctionLike(node)) return false;
    if (ts.isThrowStatement(node)) found = true;
    else if ((ts.isAwaitExpression(node) || ts.isYieldExpression(node)) && node.expression !== undefined && delayArgument(node.expression) !== null) found = true;
    return !found;
  });
  return found;
}

/** A `for (let i = 0; i < mirrors.length; i++)` whose counter indexes something: it walks items (a failover list), it does not retry. */
function indexesItems(loop: LoopStatement): boolean {
  if (!ts.isForStatement(loop) || loop.initializer === undefined || !ts.isVariableDeclarationList(loop.initializer)) return false;
  const declaration = loop.initializer.declarations[0];
  if (declaration === undefined || !ts.isIdentifier(declaration.name)) return false;
  const counter = declaration.name.text;
  let found = false;
  walkScript(loop.statement, (node) => {
    if (found) return false;
    if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.argumentExpression) && node.argumentExpression.text === counter) found = true;
    return !found;
  });
  return found;
}

/** True when the catch block always leaves the loop or function (its own statements end in throw/return/break). */
function catchAlwaysExits(clause: ts.CatchClause, loop: LoopStatement | null): boolean {
  return clause.block.statements.some((statement) => ts.isThrowStatement(statement) || exitsLoop(statement, loop));
}

/** The flag a `while (!done)` condition tests, or null. */
function loopFlag(loop: LoopStatement): string | null {
  const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
  if (condition === undefined) return null;
  const inner = unwrapExpression(condition);
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    const operand = unwrapExpression(inner.operand);
    if (ts.isIdentifier(operand) || ts.isPropertyAccessExpression(operand)) return operand.getText();
  }
  return null;
}

/**
 * The loops and functions with a try/catch in their own body (not in a nested function or class),
 * by file: every retry shape is one of them, and a file has far fewer of them than loops and
 * functions, which the retry rules are asked about one by one.
 */
const tryCatchOwners = new WeakMap<ts.SourceFile, Set<ts.Node>>();

function ownsTryCatch(node: ts.Node, file: ts.SourceFile): boolean {
  let owners = tryCatchOwners.get(file);
  if (owners === undefined) {
    owners = new Set();
    for (const candidate of nodesOfKind(file, ts.SyntaxKind.TryStatement) as readonly ts.TryStatement[]) {
      if (candidate.catchClause === undefined) continue;
      for (let current: ts.Node = candidate.parent; !ts.isSourceFile(current) && !ts.isClassLike(current); current = current.parent) {
        owners.add(current);
        if (ts.isFunctionLike(current)) break;
      }
    }
    tryCatchOwners.set(file, owners);
  }
  return owners.has(node);
}

// Both retry rules ask about the same loops and functions: each is looked at once per parse,
// and only if it holds a try/catch of its own.
const retryLoops = new WeakMap<LoopStatement, RetryLoop | null>();
const retryRecursions = new WeakMap<ts.FunctionLikeDeclaration, RetryRecursion | null>();

function retryShapeOf<N extends ts.Node, S>(node: N, file: ts.SourceFile, known: WeakMap<N, S | null>, find: (node: N) => S | null): S | null {
  if (!ownsTryCatch(node, file)) return null;
  let found = known.get(node);
  if (found === undefined) {
    found = find(node);
    known.set(node, found);
  }
  return found;
}

/**
 * The retry loop `loop` is, or null when it is not one. `file` is the loop's (passed in: the
 * rules ask about every loop and function, and finding a node's file walks up to the root).
 */
export function retryLoopOf(loop: LoopStatement, file: ts.SourceFile): RetryLoop | null {
  return retryShapeOf(loop, file, retryLoops, findRetryLoop);
}

/**
 * A function that retries by calling itself from a `catch`: `catch (error) { await sleep(1000);
 * return connect(); }`. Only calls that are returned, awaited or stand alone count; a call
 * scheduled with `setTimeout` is a reconnect timer, not this shape.
 */
export function retryRecursionOf(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): RetryRecursion | null {
  return retryShapeOf(node, file, retryRecursions, findRetryRecursion);
}

function findRetryLoop(loop: LoopStatement): RetryLoop | null {
  if (indexesItems(loop)) return null;
  const flag = loopFlag(loop);
  let found: RetryLoop | null = null;
  forEachInBody(loop.statement, (child) => {
    if (found !== null || !ts.isTryStatement(child)) return;
    const clause = child.catchClause;
    if (clause === undefined) return;
    const exit = successExit(child.tryBlock, loop, flag);
    if (exit === null) return;
    // `try { if (await isDone()) return; } catch { log }` then a sleep: a poll that tolerates errors, not a retry.
    if (exit === 'conditional' && !catchActsOnFailure(clause)) return;
    if (catchAlwaysExits(clause, loop)) return;
    // A `finally` that always leaves makes the catch irrelevant.
    if (child.finallyBlock !== undefined && child.finallyBlock.statements.some((statement) => ts.isThrowStatement(statement) || exitsLoop(statement, loop))) return;
    found = { kind: 'loop', loop, tryStatement: child, catchClause: clause };
  }, { enterLoops: false });
  return found;
}

/** The name a function is called by: its own name, a method name, or the const it is assigned to. */
export function functionName(node: ts.FunctionLikeDeclaration): string | null {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name !== undefined && ts.isIdentifier(node.name)) return node.name.text;
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) return node.parent.name.text;
  return null;
}

/** True when `call` calls the function named `name` (`name(...)` or `this.name(...)`). */
function callsByName(call: ts.CallExpression, name: string, isMethod: boolean): boolean {
  const callee = unwrapExpression(call.expression);
  if (!isMethod) return ts.isIdentifier(callee) && callee.text === name;
  return ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && callee.name.text === name;
}

function findRetryRecursion(node: ts.FunctionLikeDeclaration): RetryRecursion | null {
  const name = functionName(node);
  const body = node.body;
  if (name === null || body === undefined || !ts.isBlock(body)) return null;
  const isMethod = ts.isMethodDeclaration(node);
  let found: RetryRecursion | null = null;
  forEachInBody(body, (child) => {
    if (found !== null || !ts.isTryStatement(child) || child.catchClause === undefined) return;
    const clause = child.catchClause;
    forEachInBody(clause.block, (inner) => {
      if (found !== null || !ts.isCallExpression(inner) || !callsByName(inner, name, isMethod)) return;
      const parent = inner.parent;
      const direct = ts.isReturnStatement(parent) || ts.isAwaitExpression(parent) || ts.isExpressionStatement(parent);
      if (!direct) return;
      found = { kind: 'recursion', functionNode: node, name, tryStatement: child, catchClause: clause, recursiveCall: inner };
    }, { enterLoops: true });
  }, { enterLoops: true });
  return found;
}

// ---------------------------------------------------------------------------------------------
// The delay between attempts

export type DelayKind = 'none' | 'constant' | 'varying';

export interface Delay {
  kind: DelayKind;
  /** The awaited delay call (for `constant`, where the finding goes). */
  node: ts.Node | null;
  /** The delay's argument as written, for the message. */
  amount: string;
}

const DELAY_NAME = /sleep|delay|wait|backoff|pause|settimeout/i;

/** The argument of an awaited delay: `sleep(x)`, `setTimeout(x)` from timers/promises, `new Promise((r) => setTimeout(r, x))`. */
function delayArgument(expression: ts.Expression): { argument: ts.Expression | null } | null {
  const value = unwrapExpression(expression);
  if (ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Promise') {
    const executor = value.arguments?.[0];
    if (executor === undefined || !isFunctionExpression(executor)) return null;
    let timer: ts.CallExpression | null = null;
    walkScript(executor, (node) => {
      if (node === executor) return true;
      if (timer !== null) return false;
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'setTimeout') timer = node;
      return timer === null;
    });
    if (timer === null) return null;
    return { argument: (timer as ts.CallExpression).arguments[1] ?? null };
  }
  if (!ts.isCallExpression(value)) return null;
  let callee = unwrapExpression(value.expression);
  // Compiled code calls imports as `(0, utils.sleep)(ms)`.
  if (ts.isBinaryExpression(callee) && callee.operatorToken.kind === ts.SyntaxKind.CommaToken) callee = unwrapExpression(callee.right);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (!DELAY_NAME.test(name)) return null;
  // `waitForX()`-style helpers with no argument wait for something, or compute their own delay.
  return { argument: value.arguments[0] ?? null };
}

/** Names and property paths assigned or updated anywhere in `scope` (`delay`, `this.delay`, `attempt`). */
export function updatedNames(scope: ts.Node): Set<string> {
  const names = new Set<string>();
  const record = (target: ts.Expression): void => {
    const inner = unwrapExpression(target);
    if (ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) names.add(inner.getText());
  };
  walkScript(scope, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) record(node.left);
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) record(node.operand);
    return true;
  });
  return names;
}

/** Variables declared inside `scope` with their initializers (null when declared without one or destructured). */
function localDeclarations(scope: ts.Node): Map<string, ts.Expression | null> {
  const locals = new Map<string, ts.Expression | null>();
  walkScript(scope, (node) => {
    if (ts.isVariableDeclaration(node)) {
      if (ts.isIdentifier(node.name)) locals.set(node.name.text, locals.has(node.name.text) ? null : node.initializer ?? null);
      else for (const element of node.name.elements) if (!ts.isOmittedExpression(element) && ts.isIdentifier(element.name)) locals.set(element.name.text, null);
    }
    return true;
  });
  return locals;
}

/**
 * Whether a delay amount is the same on every attempt: no call in it (`Math.random()`,
 * `backoff(attempt)` vary), and nothing in it that the retry changes between attempts.
 */
function isConstantAmount(argument: ts.Expression, updated: ReadonlySet<string>, parameters: ReadonlySet<string>, locals: ReadonlyMap<string, ts.Expression | null>): boolean {
  let constant = true;
  const followed = new Set<string>();
  walkScript(argument, (node) => {
    if (!constant) return false;
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isConditionalExpression(node)) {
      constant = false;
      return false;
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const text = node.getText();
      if (updated.has(text) || (ts.isIdentifier(node) && parameters.has(text))) {
        constant = false;
        return false;
      }
      // A local computed inside the retry (`const wait = 2 ** attempt * 100`) is as constant as its initializer.
      if (ts.isIdentifier(node) && locals.has(text) && !followed.has(text)) {
        followed.add(text);
        const initializer = locals.get(text);
        if (initializer === null || initializer === undefined) {
          constant = false;
          return false;
        }
        return [initializer];
      }
      for (const name of updated) {
        if (text.startsWith(`${name}.`)) {
          constant = false;
          return false;
        }
      }
    }
    return true;
  });
  return constant;
}

/**
 * The delay a retry waits before its next attempt: looked for in `scope` (the loop body, or the
 * catch block of a recursion), outside the try block's own work. `updatedScope` is where the
 * retry changes values between attempts (the whole loop, incrementor included).
 */
export function retryDelay(scope: ts.Node, exclude: ts.Node | null, updatedScope: ts.Node, parameters: ReadonlySet<string>): Delay {
  const delays: { node: ts.Node; argument: ts.Expression | null }[] = [];
  walkScript(scope, (node) => {
    if (node === scope) return true;
    if (node === exclude || ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      const awaited = node.expression;
      const found = awaited === undefined ? null : delayArgument(awaited);
      if (found !== null) delays.push({ node, argument: found.argument });
    }
    return true;
  });
  if (delays.length === 0) return { kind: 'none', node: null, amount: '' };
  const updated = updatedNames(updatedScope);
  const locals = localDeclarations(updatedScope);
  const constant = delays.every((delay) => delay.argument !== null && isConstantAmount(delay.argument, updated, parameters, locals));
  const first = delays[0];
  if (!constant || first === undefined) return { kind: 'varying', node: first?.node ?? null, amount: '' };
  return { kind: 'constant', node: first.node, amount: first.argument === null ? '' : first.argument.getText() };
}

// ---------------------------------------------------------------------------------------------
// What ends the retrying

/** Identifiers that stand for a constant or a type: `FatalError`, `MAX_ATTEMPTS`, `undefined`. */
function isConstantLikeName(name: string): boolean {
  return /^[A-Z]/.test(name) || name === 'undefined' || name === 'NaN' || name === 'Infinity';
}

/**
 * True when `condition` tests something other than the caught error's kind: an attempt counter, a
 * deadline (`Date.now()`), a shutdown flag (`signal.aborted`, `this.closed`). Tests that read only
 * the error (`!isRetryable(error)`, `error.code !== 'ECONNRESET'`, `error instanceof FatalError`)
 * do not bound the retrying: a dependency that stays down keeps producing retryable errors.
 */
export function testsMoreThanTheError(condition: ts.Expression, errorName: string | null): boolean {
  let more = false;
  walkScript(condition, (node) => {
    if (more || ts.isTypeNode(node)) return false;
    if (ts.isCallExpression(node)) {
      const callee = unwrapExpression(node.expression);
      // Date.now(), performance.now(), process.hrtime(): a deadline.
      if (ts.isPropertyAccessExpression(callee) && ['now', 'hrtime', 'getTime'].includes(callee.name.text)) {
        more = true;
        return false;
      }
      // The callee's name is a function, not a state; its arguments may be.
      return ts.isIdentifier(callee) ? node.arguments : [callee, ...node.arguments];
    }
    if (node.kind === ts.SyntaxKind.ThisKeyword) {
      more = true;
      return false;
    }
    if (ts.isPropertyAccessExpression(node)) {
      // `errors_1.MongoError`, `Codes.AUTH_FAILED`: a class or constant reached through a module.
      if (isConstantLikeName(node.name.text)) return false;
      return [node.expression]; // the property name itself is not a variable
    }
    if (ts.isIdentifier(node)) {
      if (node.text !== errorName && !isConstantLikeName(node.text)) more = true;
      return false;
    }
    return true;
  });
  return more;
}

/** The caught error's name (`catch (error)`), or null for `catch {}` and destructuring. */
export function caughtName(clause: ts.CatchClause): string | null {
  const declaration = clause.variableDeclaration;
  return declaration !== undefined && ts.isIdentifier(declaration.name) ? declaration.name.text : null;
}

/**
 * True when something other than the error's kind can end the retrying within `scope` (outside
 * the try block): a conditional `throw` / `return` / `break`, or a loop condition, that tests an
 * attempt counter, a deadline or a shutdown flag; or a `signal.throwIfAborted()` call.
 */
export function hasNonErrorExit(scope: ts.Node, tryBlock: ts.Block, loop: LoopStatement | null, errorName: string | null): boolean {
  let bounded = false;
  walkScript(scope, (node) => {
    if (node === scope) return true;
    if (bounded || node === tryBlock || ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isIfStatement(node)) {
      const exits = (branch: ts.Statement | undefined): boolean => {
        if (branch === undefined) return false;
        let found = false;
        walkScript(branch, (inner) => {
          if (found || ts.isFunctionLike(inner)) return false;
          if (ts.isThrowStatement(inner) || exitsLoop(inner, loop)) found = true;
          return !found;
        });
        return found;
      };
      if ((exits(node.thenStatement) || exits(node.elseStatement)) && testsMoreThanTheError(node.expression, errorName)) {
        bounded = true;
        return false;
      }
    }
    // A counted loop nested inside (`while (attempt++ < max)` guarding a delay) or a conditional
    // expression also counts when it tests a counter; keep to the explicit forms above otherwise.
    if (ts.isCallExpression(node)) {
      const callee = unwrapExpression(node.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'throwIfAborted') {
        bounded = true;
        return false;
      }
    }
    return true;
  });
  return bounded;
}

/** True when a loop runs until something inside it leaves: `while (true)`, `while (1)`, `for (;;)`, `do { } while (true)`. */
export function isEndlessLoop(loop: LoopStatement): boolean {
  const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
  if (condition === undefined) return true;
  const inner = unwrapExpression(condition);
  if (inner.kind === ts.SyntaxKind.TrueKeyword) return true;
  return ts.isNumericLiteral(inner) && Number(inner.text) !== 0;
}

/** The number of attempts a counted `for` loop makes (`for (let i = 0; i < 3; i++)` → 3), or null. */
export function countedAttempts(bindings: FileBindings, loop: LoopStatement): number | null {
  if (!ts.isForStatement(loop) || loop.condition === undefined || loop.initializer === undefined) return null;
  if (!ts.isVariableDeclarationList(loop.initializer)) return null;
  const declaration = loop.initializer.declarations[0];
  if (declaration === undefined || !ts.isIdentifier(declaration.name) || declaration.initializer === undefined) return null;
  const start = numericLiteralValue(bindings, declaration.initializer);
  const condition = unwrapExpression(loop.condition);
  if (start === null || !ts.isBinaryExpression(condition)) return null;
  if (!ts.isIdentifier(condition.left) || condition.left.text !== declaration.name.text) return null;
  const end = numericLiteralValue(bindings, condition.right);
  if (end === null) return null;
  const operator = condition.operatorToken.kind;
  if (operator === ts.SyntaxKind.LessThanToken) return end - start;
  if (operator === ts.SyntaxKind.LessThanEqualsToken) return end - start + 1;
  return null;
}

/** The parameter names of a function (for recursion: what the next attempt may change). */
export function parameterNames(node: ts.FunctionLikeDeclaration): Set<string> {
  const names = new Set<string>();
  for (const parameter of node.parameters) {
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) names.add(name.text);
      else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
    };
    collect(parameter.name);
  }
  return names;
}
