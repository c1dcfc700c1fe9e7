/**
 * query-in-loop: one database, cache or HTTP call per element of a collection (N+1). Three shapes:
 * a call awaited in the body of `for...of` / `for...in` / an index `for` over `.length` / a
 * `while (i < items.length)`; a call in a `.forEach(async ...)` callback; and a query per element
 * in `Promise.all(items.map(...))`, which also floods the pool with all of them at once.
 *
 * A call counts only when data-access.ts knows its library, and only when its arguments use the
 * element (the loop variable or a value declared in the body): `BEGIN` / `COMMIT` around a loop,
 * or SQL text that is itself the element (a migration runner), are not N+1. Loops the rule leaves
 * alone: `for await`, loops over literal arrays (their body counts for the loop around them),
 * chunk and page loops (`for (const batch of chunks)`), index loops that step by more than one,
 * `while` loops that are not a walk over `.length` (pagination, polling, retries), and loops that
 * await a sleep or a rate limiter. One finding per loop, on its first call, with the loop and the
 * other calls as related locations.
 */

import { ts } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import type { RelatedLocation, TextRange } from '../../engine/types';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { boundNames, dataCallOf, unwrapCallee, insideLimiter, isBoundedCollection, mappedArray, mentionsAny, namesABoundedSlice, promiseAllArgument, type DataCall } from '../helpers/data-access';

type MessageId = 'queryPerElement' | 'queryPerElementAtOnce' | 'requestPerElement';

/** A loop whose body runs once per element, with the names each iteration binds. */
interface Loop {
  kind: 'statement' | 'forEach' | 'promiseAll';
  body: ts.Node;
  names: Set<string>;
  anchor: TextRange;
}

/** What a loop statement is for this rule: a walk over a collection, a loop to look through, or neither. */
type LoopShape = { shape: 'collection'; names: Set<string>; body: ts.Statement } | { shape: 'transparent'; names: Set<string> } | { shape: 'ignored' };

/** Names bound by a `for` initializer (`const x`, `let [a, b]`, or an existing variable). */
function initializerNames(initializer: ts.ForInitializer | undefined): Set<string> {
  const names = new Set<string>();
  if (initializer === undefined) return names;
  if (ts.isVariableDeclarationList(initializer)) {
    for (const declaration of initializer.declarations) boundNames(declaration.name, names);
  } else if (ts.isIdentifier(initializer)) {
    names.add(initializer.text);
  }
  return names;
}

/** `i < items.length` or `i <= items.length - 1`: the index name and the array, or null. */
function lengthWalk(condition: ts.Expression | undefined): { index: string; array: ts.Expression } | null {
  if (condition === undefined) return null;
  const test = unwrapExpression(condition);
  if (!ts.isBinaryExpression(test)) return null;
  const operator = test.operatorToken.kind;
  if (operator !== ts.SyntaxKind.LessThanToken && operator !== ts.SyntaxKind.LessThanEqualsToken && operator !== ts.SyntaxKind.ExclamationEqualsEqualsToken) return null;
  const left = unwrapExpression(test.left);
  let right = unwrapExpression(test.right);
  if (ts.isBinaryExpression(right) && right.operatorToken.kind === ts.SyntaxKind.MinusToken) right = unwrapExpression(right.left);
  if (!ts.isIdentifier(left) || !ts.isPropertyAccessExpression(right) || right.name.text !== 'length') return null;
  return { index: left.text, array: right.expression };
}

/** `i < 3`: a fixed number of rounds. */
function literalBound(condition: ts.Expression | undefined): boolean {
  if (condition === undefined) return false;
  const test = unwrapExpression(condition);
  return ts.isBinaryExpression(test) && ts.isNumericLiteral(unwrapExpression(test.right));
}

/** `i++`, `++i`, `i += 1`, `i = i + 1`: a step of one element. */
function stepsByOne(incrementor: ts.Expression | undefined, index: string): boolean {
  if (incrementor === undefined) return false;
  const step = unwrapExpression(incrementor);
  if ((ts.isPostfixUnaryExpression(step) || ts.isPrefixUnaryExpression(step)) && step.operator === ts.SyntaxKind.PlusPlusToken) return ts.isIdentifier(step.operand) && step.operand.text === index;
  if (!ts.isBinaryExpression(step) || !ts.isIdentifier(step.left) || step.left.text !== index) return false;
  if (step.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) return ts.isNumericLiteral(step.right) && step.right.text === '1';
  return false;
}

function loopShape(bindings: FileBindings, node: ts.Node): LoopShape {
  if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
    if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) return { shape: 'ignored' };
    const names = initializerNames(node.initializer);
    if ([...names].some(namesABoundedSlice)) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, node.expression)) return { shape: 'transparent', names };
    return { shape: 'collection', names, body: node.statement };
  }
  if (ts.isForStatement(node)) {
    const names = initializerNames(node.initializer);
    if (literalBound(node.condition)) return { shape: 'transparent', names };
    const walk = lengthWalk(node.condition);
    if (walk === null || !stepsByOne(node.incrementor, walk.index)) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, walk.array)) return { shape: 'transparent', names };
    return { shape: 'collection', names, body: node.statement };
  }
  if (ts.isWhileStatement(node) || ts.isDoStatement(node)) {
    const walk = lengthWalk(node.expression);
    if (walk === null) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, walk.array)) return { shape: 'transparent', names: new Set([walk.index]) };
    return { shape: 'collection', names: new Set([walk.index]), body: node.statement };
  }
  return { shape: 'ignored' };
}

function isLoopStatement(node: ts.Node): boolean {
  return ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

const PAUSE_NAMES = /^(sleep|delay|wait|pause|setTimeout|timeout|throttle|backoff|schedule|removeTokens|consume|waitForToken|acquire|tick)$/i;

/** True when the body awaits a pause or a rate limiter: the loop is deliberately paced. */
function isPaced(body: ts.Node): boolean {
  let paced = false;
  const visit = (node: ts.Node): void => {
    if (paced) return;
    if (node !== body && ts.isFunctionLike(node)) return;
    if (ts.isAwaitExpression(node)) {
      const awaited = unwrapExpression(node.expression);
      if (ts.isNewExpression(awaited) && awaited.getText().includes('setTimeout')) paced = true;
      if (ts.isCallExpression(awaited)) {
        const callee = unwrapExpression(awaited.expression);
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (PAUSE_NAMES.test(name)) paced = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return paced;
}

/** Names declared in a body (`const user = ...`), which change per iteration. */
function declaredNames(body: ts.Node, into: Set<string>): void {
  const visit = (node: ts.Node): void => {
    if (node !== body && ts.isFunctionLike(node)) return;
    if (ts.isVariableDeclaration(node)) boundNames(node.name, into);
    ts.forEachChild(node, visit);
  };
  visit(body);
}

/** True when the call's value is awaited (directly, through `.then()` chains, or in `return await`). */
function isAwaited(call: ts.CallExpression): boolean {
  let current: ts.Node = call;
  while (ts.isPropertyAccessExpression(current.parent) || (ts.isCallExpression(current.parent) && current.parent.expression === current) || ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent)) current = current.parent;
  return ts.isAwaitExpression(current.parent) || ts.isYieldExpression(current.parent);
}

/** Calls in a loop body that depend on the element, with nested literal loops looked through. */
function perElementCalls(bindings: FileBindings, loop: Loop, requireAwait: boolean): DataCall[] {
  const names = new Set(loop.names);
  declaredNames(loop.body, names);
  const calls: DataCall[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== loop.body && ts.isFunctionLike(node)) return;
    if (node !== loop.body && isLoopStatement(node)) {
      const inner = loopShape(bindings, node);
      // A nested walk over a collection is its own loop; a literal one repeats for each outer element.
      if (inner.shape !== 'transparent') return;
      for (const name of inner.names) names.add(name);
    }
    if (ts.isCallExpression(node)) {
      const found = dataCallOf(bindings, node);
      if (found !== null && found.call === node) {
        calls.push(found);
        for (const argument of node.arguments) ts.forEachChild(argument, visit);
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(loop.body);
  return calls.filter((found) => {
    if (found.channel !== 'database' && found.channel !== 'cache' && found.channel !== 'http') return false;
    if (requireAwait && !isAwaited(found.call)) return false;
    if (!mentionsAny(found.call, names)) return false;
    // SQL text that is the element itself (`client.query(migration.sql)`) runs different statements.
    if (found.sqlText !== null && mentionsAny(found.sqlText, names)) return false;
    return true;
  });
}

function calleeText(call: ts.CallExpression, sourceFile: ts.SourceFile): string {
  let callee: ts.Expression = unwrapCallee(call.expression);
  // For a chain, name where it starts: `db('users')...` rather than the last `.first`.
  const text = callee.getText(sourceFile).replace(/\s+/g, '');
  if (text.length <= 40) return text;
  while (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(callee.expression)) callee = callee.expression.expression;
  const start = callee.getText(sourceFile).replace(/\s+/g, '');
  return start.length <= 40 ? `${start}(...)` : `${start.slice(0, 37)}...`;
}

/** The batched form to point at, by library and what the call does. */
function batchedForm(found: DataCall): string {
  const write = found.operation === 'write';
  switch (found.library) {
    case 'pg':
      return write ? 'write all rows in one statement (`INSERT ... SELECT * FROM unnest($1::int[], $2::text[])`, `UPDATE ... WHERE id = ANY($1)`)' : 'load them all in one query with `WHERE id = ANY($1)` and an array of ids';
    case 'mysql2':
      return write ? 'write all rows in one statement (`INSERT ... VALUES ?` with an array of rows, `UPDATE ... WHERE id IN (?)`)' : 'load them all in one query with `WHERE id IN (?)` and an array of ids';
    case 'knex':
      return write ? 'write all rows in one statement (`.insert(rows)`, `.whereIn(\'id\', ids).update(...)`)' : 'load them all in one query with `.whereIn(\'id\', ids)`';
    case 'sequelize':
      return write ? 'write all rows in one statement (`bulkCreate(rows)`, `update(values, { where: { id: ids } })`)' : 'load them all in one query with `findAll({ where: { id: ids } })`';
    case 'typeorm':
      return write ? 'write all rows in one statement (`insert(rows)`, `save(entities)`)' : 'load them all in one query with `findBy({ id: In(ids) })`';
    case 'prisma':
      return write ? 'write all rows in one statement (`createMany({ data: rows })`, `updateMany({ where: { id: { in: ids } } })`)' : 'load them all in one query with `findMany({ where: { id: { in: ids } } })`';
    case 'mongoose':
      return write ? 'write them in one round trip (`insertMany(docs)`, `bulkWrite(operations)`)' : 'load them all in one query with `find({ _id: { $in: ids } })`';
    case 'redis':
      return write ? 'send them in one round trip with a pipeline (`redis.pipeline()` ... `.exec()`, or `multi()`)' : 'read them in one round trip with `mget(...keys)` or a pipeline';
    default:
      return 'load them all in one query (`= ANY($1)`, `whereIn`, `in: ids`), or batch per request with DataLoader';
  }
}

export default defineRule<MessageId>({
  meta: {
    id: 'query-in-loop',
    family: 'app',
    target: 'script',
    defaultSeverity: 'warning',
    fix: 'none',
    requiresParse: false,
    summary: 'A database, cache or HTTP call per element of a loop, `forEach` or `Promise.all(items.map(...))` (N+1).',
    why: 'Each element costs a network round trip: 1 ms × 10,000 rows is 10 s of latency that tests with five rows never show, and a `Promise.all` of them queues thousands of queries on a pool of ten connections.',
    messages: {
      queryPerElement: 'N+1: `{{call}}` runs one {{statement}} per element of the loop; {{batched}}.',
      queryPerElementAtOnce: 'N+1: `{{call}}` runs one {{statement}} per element, all at once, which floods the connection pool; {{batched}}.',
      requestPerElement: '`{{call}}` makes one HTTP request per element of the loop, one after another; use the API\'s batch endpoint if it has one, or run them with a concurrency limit (`p-map` with `{ concurrency: 5 }`).',
    },
    options: {},
    prefilter: ['pg', 'mysql', 'knex', 'sequelize', 'typeorm', 'prisma', 'mongoose', 'redis', 'fetch', 'axios', 'got'],
    sources: ['ESLint no-await-in-loop (generic, any await)', 'Biome noAwaitInLoops / oxlint no-await-in-loop (generic)', 'Sonar Java S6912 (use JDBC batch)', 'PMD Apex OperationWithLimitsInLoop', 'fb-contrib SIL_SQL_IN_LOOP'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    let sourceFile: ts.SourceFile | null = null;

    const report = (loop: Loop, calls: DataCall[]): void => {
      const [first, ...others] = calls;
      if (first === undefined || sourceFile === null) return;
      const file = sourceFile;
      const call = calleeText(first.call, file);
      const statement = first.channel === 'cache' ? 'command' : first.operation === 'write' ? 'write' : 'query';
      const related: RelatedLocation[] = [{ range: loop.anchor, message: loop.kind === 'promiseAll' ? 'Mapped here: one call per element, all started at once.' : 'The loop that repeats it once per element.' }];
      for (const other of others.slice(0, 4)) related.push({ range: { start: other.call.getStart(file), end: other.call.getEnd() }, message: `Also once per element: \`${calleeText(other.call, file)}\`.` });
      const range = { start: first.call.getStart(file), end: first.call.getEnd() };
      if (first.channel === 'http') {
        context.report({ messageId: 'requestPerElement', data: { call }, range, related });
        return;
      }
      context.report({ messageId: loop.kind === 'promiseAll' ? 'queryPerElementAtOnce' : 'queryPerElement', data: { call, statement, batched: batchedForm(first) }, range, related });
    };

    const checkStatement = (node: ts.Node): void => {
      if (bindings === null || sourceFile === null) return;
      const shape = loopShape(bindings, node);
      if (shape.shape !== 'collection' || isPaced(shape.body)) return;
      const start = node.getStart(sourceFile);
      const keyword = ts.isDoStatement(node) ? 2 : ts.isWhileStatement(node) ? 5 : 3;
      const loop: Loop = { kind: 'statement', body: shape.body, names: shape.names, anchor: { start, end: start + keyword } };
      report(loop, perElementCalls(bindings, loop, true));
    };

    const checkCall = (node: ts.Node): void => {
      if (bindings === null || sourceFile === null || !ts.isCallExpression(node)) return;
      const callee = unwrapExpression(node.expression);
      // `items.forEach(async (item) => { await ... })`
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'forEach') {
        const callback = node.arguments[0];
        if (callback === undefined || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return;
        if (isBoundedCollection(bindings, callee.expression) || isPaced(callback.body)) return;
        const names = new Set<string>();
        for (const parameter of callback.parameters) boundNames(parameter.name, names);
        const loop: Loop = { kind: 'forEach', body: callback.body, names, anchor: { start: callee.name.getStart(sourceFile), end: callee.name.getEnd() } };
        report(loop, perElementCalls(bindings, loop, false));
        return;
      }
      // `Promise.all(ids.map((id) => db.query(...)))`
      const argument = promiseAllArgument(node);
      if (argument === null) return;
      const mapped = mappedArray(bindings, argument);
      if (mapped === null || isBoundedCollection(bindings, mapped.array) || insideLimiter(bindings, node, sourceFile)) return;
      const names = new Set<string>();
      for (const parameter of mapped.callback.parameters) boundNames(parameter.name, names);
      const mapName = unwrapExpression(mapped.map.expression);
      const anchorNode = ts.isPropertyAccessExpression(mapName) ? mapName.name : mapped.map;
      const loop: Loop = { kind: 'promiseAll', body: mapped.callback.body, names, anchor: { start: anchorNode.getStart(sourceFile), end: anchorNode.getEnd() } };
      const calls = perElementCalls(bindings, loop, false).filter((found) => found.channel !== 'http' && !insideLimiter(fileBindings(found.call.getSourceFile()), found.call, mapped.callback));
      report(loop, calls);
    };

    return {
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file);
      },
      nodes: {
        [ts.SyntaxKind.ForOfStatement]: checkStatement,
        [ts.SyntaxKind.ForInStatement]: checkStatement,
        [ts.SyntaxKind.ForStatement]: checkStatement,
        [ts.SyntaxKind.WhileStatement]: checkStatement,
        [ts.SyntaxKind.DoStatement]: checkStatement,
        [ts.SyntaxKind.CallExpression]: checkCall,
      },
    };
  },
});
