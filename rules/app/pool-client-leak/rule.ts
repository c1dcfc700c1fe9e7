/**
 * pool-client-leak: a connection checked out of a pool (`await pool.connect()` in node-postgres,
 * `await pool.getConnection()` in mysql2) that is not given back on every path: no `release()` in
 * a `finally`, nor in both the `try` and the `catch` of a try/catch, nor after a try/catch that
 * swallows the error. Reported on the checkout call.
 *
 * Precision first: the rule only looks at a checkout whose result is stored in a local variable
 * and used only as `client.method(...)`. When the client escapes (returned, passed to a helper,
 * stored in an object or on `this`, used in a nested callback that may release it later) its
 * lifetime is someone else's business and the rule stays silent. Clients held on purpose for
 * LISTEN/notifications (`client.on(...)`) are skipped as well.
 *
 * The receiver must be a pool: created in the file by `new Pool` (pg, pg-pool) or `createPool`
 * (mysql2), or named like one (`pool`, `this.pool`, `readPool`) in a file that imports the driver.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { allOf, anyOf, importOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { clientCreationOf, enclosingFunction, isFunctionLikeNode, referencesIn } from '../helpers/connections';

type MessageId = 'notReleasedOnEveryPath' | 'neverReleased';

const PG_MODULES = ['pg', 'pg-pool'];
const MYSQL_MODULES = ['mysql2', 'mysql2/promise'];
const RELEASE_METHODS = new Set(['release', 'destroy']);

/** Whether `receiver` is a pool of the driver that `method` belongs to. */
function isPool(bindings: FileBindings, receiver: ts.Expression, method: string): boolean {
  const drivers = method === 'connect' ? PG_MODULES : MYSQL_MODULES;
  if (!drivers.some((module) => bindings.modules.has(module))) return false;
  const made = bindings.origin(receiver);
  const created = clientCreationOf(bindings, made);
  if (created !== null) return method === 'connect' ? created.kind === 'pgPool' : created.kind === 'mysqlPool';
  const name = ts.isIdentifier(made) ? made.text : ts.isPropertyAccessExpression(made) ? made.name.text : '';
  return /pool$/i.test(name);
}

/** `const client = await pool.connect()` or `client = await pool.connect()`: the variable, or null. */
function assignedName(call: ts.CallExpression): ts.Identifier | null {
  let current: ts.Node = call;
  while (ts.isAwaitExpression(current.parent) || ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent)) current = current.parent;
  const parent = current.parent;
  if (!ts.isAwaitExpression(current)) return null; // callback and promise-chain forms are not followed
  if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) return parent.name;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === current && ts.isIdentifier(parent.left)) return parent.left;
  return null;
}

/** The identifier's use as `client.method(...)`: the method name, or null for any other use. */
function methodCalledOn(reference: ts.Identifier): string | null {
  let current: ts.Node = reference;
  while (ts.isNonNullExpression(current.parent) || ts.isParenthesizedExpression(current.parent)) current = current.parent;
  const access = current.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== current) return null;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access) return null;
  return access.name.text;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

/** The nearest function between `node` and `root` (exclusive), or null. */
function functionBetween(node: ts.Node, root: ts.Node): ts.Node | null {
  let current = node.parent;
  while (current !== undefined && current !== root) {
    if (isFunctionLikeNode(current)) return current;
    current = current.parent;
  }
  return null;
}

/** `if (client)`, `!client`, `client && ...`: a check of the variable, not a use of the client. */
function isTest(reference: ts.Identifier): boolean {
  const parent = reference.parent;
  if (ts.isIfStatement(parent) && parent.expression === reference) return true;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return true;
  if (ts.isConditionalExpression(parent) && parent.condition === reference) return true;
  return ts.isBinaryExpression(parent) && parent.left === reference && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(parent.operatorToken.kind);
}

/** Whether a block can leave other than by falling through (throw, return, break, continue). */
function exitsEarly(block: ts.Node): boolean {
  let exits = false;
  walkScript(block, (node) => {
    if (exits || isFunctionLikeNode(node)) return false;
    if (ts.isThrowStatement(node) || ts.isReturnStatement(node) || ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
      exits = true;
      return false;
    }
    return true;
  });
  return exits;
}

/** Whether a release covers every path: in a finally, in both try and catch, or after a swallowing try/catch. */
function releasedOnEveryPath(release: ts.Node, releases: readonly ts.Node[]): boolean {
  let current: ts.Node = release;
  while (current.parent !== undefined) {
    const parent = current.parent;
    if (ts.isTryStatement(parent)) {
      if (parent.finallyBlock === current) return true;
      const catchClause = parent.catchClause;
      if (catchClause !== undefined && current === parent.tryBlock && releases.some((other) => isInside(other, catchClause.block))) return true;
    }
    // A release statement right after `try { ... } catch { ... }` whose catch falls through.
    if (ts.isBlock(parent) || ts.isSourceFile(parent)) {
      const statements: readonly ts.Statement[] = parent.statements;
      const index = statements.findIndex((statement) => statement === current);
      for (let cursor = index - 1; cursor >= 0; cursor--) {
        const previous = statements[cursor];
        if (previous === undefined || !ts.isTryStatement(previous)) continue;
        if (previous.catchClause !== undefined && !exitsEarly(previous.catchClause.block)) return true;
      }
    }
    current = parent;
  }
  return false;
}

export default defineRule<MessageId>({
  meta: {
    id: 'pool-client-leak',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A connection checked out of a pool (`pool.connect()`, `getConnection()`) and not released on every path.',
    why: 'Each error between checkout and release keeps one connection out of the pool for good; after a handful of failed requests the pool is empty, and with the default acquire timeouts (none in node-postgres and mysql2) every later request waits forever.',
    messages: {
      notReleasedOnEveryPath: '`{{call}}` checks out a connection that is not released when an error is thrown before `{{name}}.release()`; release it in a `finally` block (`try { ... } finally { {{name}}.release(); }`) or use `pool.query()`, which releases by itself.',
      neverReleased: '`{{call}}` checks out a connection that is never released; release it in a `finally` block (`try { ... } finally { {{name}}.release(); }`) or use `pool.query()`, which releases by itself.',
    },
    options: {},
    prefilter: [allOf(importOf(...PG_MODULES, ...MYSQL_MODULES), anyOf('connect', 'getconnection'))],
    sources: ['Sonar Go S8256/S8257 (close connections and rows) and PL/SQL S1573 (close cursors), by analogy'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    return {
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: (node) => {
          if (bindings === null || !ts.isCallExpression(node) || node.arguments.length > 0) return;
          const callee = unwrapExpression(node.expression);
          if (!ts.isPropertyAccessExpression(callee)) return;
          const method = callee.name.text;
          if (method !== 'connect' && method !== 'getConnection') return;
          if (!isPool(bindings, callee.expression, method)) return;
          const variable = assignedName(node);
          if (variable === null) return;
          const scope = enclosingFunction(node) ?? bindings.sourceFile;
          const name = variable.text;
          const releases: ts.Node[] = [];
          for (const reference of referencesIn(scope, name)) {
            if (reference === variable) continue;
            if (ts.isVariableDeclaration(reference.parent) && reference.parent.name === reference) continue;
            if (ts.isBinaryExpression(reference.parent) && reference.parent.left === reference) continue;
            if (isTest(reference)) continue;
            const calledMethod = methodCalledOn(reference);
            // Any other use lets the client escape (returned, passed on, stored): not ours to judge.
            if (calledMethod === null) return;
            // A client handed to callbacks may be released there, or kept on purpose (LISTEN).
            if (functionBetween(reference, scope) !== null) return;
            if (calledMethod === 'on' || calledMethod === 'once') return;
            if (RELEASE_METHODS.has(calledMethod)) releases.push(reference);
          }
          if (releases.some((release) => releasedOnEveryPath(release, releases))) return;
          const sourceFile = bindings.sourceFile;
          context.report({
            messageId: releases.length === 0 ? 'neverReleased' : 'notReleasedOnEveryPath',
            data: { call: `${callee.getText(sourceFile)}()`, name },
            range: { start: node.getStart(sourceFile), end: node.getEnd() },
          });
        },
      },
    };
  },
});
