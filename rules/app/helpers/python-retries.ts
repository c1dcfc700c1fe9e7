/**
 * Retry configurations in Python, as the three retry rules read them: tenacity's `@retry`,
 * `@retry(...)`, `Retrying(...)` and `AsyncRetrying(...)`, and the `backoff` package's
 * `@backoff.on_exception(...)` / `@backoff.on_predicate(...)`. Facts checked in tenacity 8.2.1
 * (tenacity/__init__.py): `BaseRetrying.__init__` and `retry()` default to `stop=stop_never` and
 * `wait=wait_none()`, and `@retry` without parentheses is `retry()(f)`. backoff is not installed
 * here; its documented signature is `on_exception(wait_gen, exception, *, max_tries=None,
 * max_time=None, jitter=full_jitter, giveup=..., ...)`, so without `max_tries` and `max_time` it
 * retries forever.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { calleeOrigin, decoratedFunction, hasSplat, lastSegment, literalOf, qualifiedName, type PythonImports } from './python-libraries';

export interface PythonRetry {
  library: 'tenacity' | 'backoff';
  /** `retry` (decorator), `Retrying`, `AsyncRetrying`, `on_exception`, `on_predicate`. */
  form: string;
  /** The call configuring the retry; null for a bare `@retry`. */
  call: PythonNode | null;
  /** The expression naming the retry (`retry`, `tenacity.retry`, `backoff.on_exception`). */
  callee: PythonNode;
  /** What a finding points at: the decorator's expression or the call. */
  node: PythonNode;
  keywords: Map<string, PythonNode>;
  positional: PythonNode[];
  /** True when `*args` / `**kwargs` may set anything. */
  splat: boolean;
  /** The function a decorator retries, or null for `Retrying(...)`. */
  retried: PythonNode | null;
}

const TENACITY_FORMS = new Set(['retry', 'Retrying', 'AsyncRetrying']);
const BACKOFF_FORMS = new Set(['on_exception', 'on_predicate']);

function classify(callee: PythonNode, imports: PythonImports): { library: PythonRetry['library']; form: string } | null {
  let origin = qualifiedName(callee, imports);
  if (origin === null && callee.type === 'identifier') {
    if (imports.starModules.has('tenacity') && TENACITY_FORMS.has(callee.text)) origin = `tenacity.${callee.text}`;
    if (imports.starModules.has('backoff') && BACKOFF_FORMS.has(callee.text)) origin = `backoff.${callee.text}`;
  }
  if (origin === null) return null;
  const form = lastSegment(origin);
  if (origin.startsWith('tenacity.') && TENACITY_FORMS.has(form)) return { library: 'tenacity', form };
  if (origin.startsWith('backoff.') && BACKOFF_FORMS.has(form)) return { library: 'backoff', form };
  return null;
}

/** The retry a `decorator` node stands for (bare or called), or null. */
export function retryOfDecorator(decorator: PythonNode, imports: PythonImports): PythonRetry | null {
  const expression = decorator.namedChildren.find((child) => child !== null && child.type !== 'comment') ?? null;
  if (expression === null) return null;
  const retried = decoratedFunction(decorator);
  if (expression.type === 'call') {
    const callee = expression.childForFieldName('function');
    if (callee === null) return null;
    const kind = classify(callee, imports);
    if (kind === null || kind.form === 'Retrying' || kind.form === 'AsyncRetrying') return null;
    const { positional, keywords } = pythonArguments(expression);
    return { ...kind, call: expression, callee, node: expression, keywords, positional, splat: hasSplat(expression), retried };
  }
  const kind = classify(expression, imports);
  if (kind === null || kind.form !== 'retry') return null;
  return { ...kind, call: null, callee: expression, node: expression, keywords: new Map(), positional: [], splat: false, retried };
}

/** `Retrying(...)` / `AsyncRetrying(...)` used in code (`for attempt in Retrying(...)`), or null. */
export function retryOfCall(call: PythonNode, imports: PythonImports): PythonRetry | null {
  const callee = call.childForFieldName('function');
  if (callee === null) return null;
  const kind = classify(callee, imports);
  if (kind === null || (kind.form !== 'Retrying' && kind.form !== 'AsyncRetrying')) return null;
  // Asked last: tree-sitter finds a node's parent by descending from the root, which for every
  // call of a chain thousands deep made this quadratic (#15).
  if (call.parent?.type === 'decorator') return null;
  const { positional, keywords } = pythonArguments(call);
  return { ...kind, call, callee, node: call, keywords, positional, splat: hasSplat(call), retried: null };
}

/** The tenacity strategy a `stop=` / `wait=` value calls: `stop_after_attempt(3)` → `stop_after_attempt`. */
export function strategyName(value: PythonNode | undefined, imports: PythonImports): string | null {
  if (value === undefined) return null;
  const target = value.type === 'call' ? value.childForFieldName('function') : value;
  if (target === null) return null;
  const origin = qualifiedName(target, imports);
  if (origin !== null) return lastSegment(origin);
  if (target.type === 'identifier') return target.text;
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text ?? null;
  return null;
}

/** The attempt count of `stop=stop_after_attempt(n)` when written as a number, else null. */
export function attemptLimit(retry: PythonRetry, imports: PythonImports): number | null {
  if (retry.library === 'backoff') {
    const tries = literalOf(retry.keywords.get('max_tries'));
    return typeof tries === 'number' ? tries : null;
  }
  const stop = retry.keywords.get('stop');
  if (stop === undefined || stop.type !== 'call' || strategyName(stop, imports) !== 'stop_after_attempt') return null;
  const count = literalOf(pythonArguments(stop).positional[0]);
  return typeof count === 'number' ? count : null;
}

/** The call's dotted origin, for rules that look at what a retried function does. */
export { calleeOrigin };

/**
 * A hand-written retry loop: `for attempt in range(3):` or a counted `while` loop whose body has a `try`
 * that leaves the loop on success (a `return` or `break` in the `try` or its `else`, or under an
 * `if` that tests for success: `if response.ok: return response`) and an `except` that goes round
 * again. `attempts` is the literal count of a `range(n)` loop, else null.
 */
export interface PythonRetryLoop {
  loop: PythonNode;
  tryStatement: PythonNode;
  /** The `except` clauses that go round again (they do not end by raising or leaving the loop). */
  retrying: PythonNode[];
  attempts: number | null;
}

/** Conditions that say the attempt succeeded, as opposed to a poll's "is it done yet". */
const SUCCESS_TEST = /\.ok\b|\bstatus_code\b|\.status\s*(?:==|<=?|in)\s*[([{]?\s*2\d\d|\bsuccess(?:ful)?\b|\bsucceeded\b/;

function blockStatements(block: PythonNode | null | undefined): PythonNode[] {
  return block === null || block === undefined ? [] : block.namedChildren.filter((child): child is PythonNode => child !== null && child.type !== 'comment');
}

function leaves(statement: PythonNode): boolean {
  return statement.type === 'return_statement' || statement.type === 'break_statement';
}

/** True when a block leaves the loop on success: directly, or under an `if` that tests for success. */
function exitsOnSuccess(block: PythonNode | null | undefined): boolean {
  return blockStatements(block).some((statement) => {
    if (leaves(statement)) return true;
    if (statement.type !== 'if_statement') return false;
    const condition = statement.childForFieldName('condition');
    return condition !== null && SUCCESS_TEST.test(condition.text) && blockStatements(statement.childForFieldName('consequence')).some(leaves);
  });
}

/** True when an `except` block always ends the retrying: its last statement raises, returns or breaks. */
function endsRetrying(block: PythonNode | null | undefined): boolean {
  const last = blockStatements(block).pop();
  return last !== undefined && (last.type === 'raise_statement' || leaves(last));
}

export function pythonRetryLoop(loop: PythonNode): PythonRetryLoop | null {
  let attempts: number | null = null;
  if (loop.type === 'for_statement') {
    const right = loop.childForFieldName('right');
    if (right?.type !== 'call' || right.childForFieldName('function')?.text !== 'range') return null;
    const bounds = pythonArguments(right).positional;
    const last = bounds.length === 1 ? bounds[0] : bounds.length === 2 ? bounds[1] : undefined;
    const first = bounds.length === 2 ? literalOf(bounds[0]) : 0;
    const end = literalOf(last);
    if (typeof end === 'number' && typeof first === 'number') attempts = end - first;
  } else if (loop.type !== 'while_statement' || loop.childForFieldName('condition')?.type !== 'comparison_operator') {
    // A `while` retries a counted number of times (`while tries < 5`); `while True:` and
    // `while not ready:` wait for a service to come up, which one process does at a fixed pace.
    return null;
  }
  for (const statement of blockStatements(loop.childForFieldName('body'))) {
    if (statement.type !== 'try_statement') continue;
    const clauses = statement.namedChildren.filter((child): child is PythonNode => child !== null);
    const elseClause = clauses.find((child) => child.type === 'else_clause');
    if (!exitsOnSuccess(statement.childForFieldName('body')) && !exitsOnSuccess(elseClause?.namedChildren.find((child) => child?.type === 'block'))) continue;
    const retrying = clauses.filter((child) => child.type === 'except_clause' && !endsRetrying(child.namedChildren.find((inner) => inner?.type === 'block')));
    if (retrying.length > 0) return { loop, tryStatement: statement, retrying, attempts };
  }
  return null;
}
