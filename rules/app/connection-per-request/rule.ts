/**
 * connection-per-request: a pool or client (node-postgres `Pool`/`Client`, mysql2 `createPool` /
 * `createConnection`, knex, `PrismaClient`, `Sequelize`, `MongoClient`, ioredis, node-redis
 * `createClient`, a KafkaJS producer) created in code that runs per call rather than once:
 *
 * - inside an HTTP handler: a function taking `(req, res)` / `(request, reply)`, a Koa-style
 *   `(ctx, next)` passed to a route registration, a Next.js route export (`export async function
 *   GET(...)`), or a serverless `handler(event, ...)`; inline callbacks inside the handler count;
 * - inside any other function that also closes it before returning (`await client.end()`,
 *   `quit()`, `disconnect()`, `$disconnect()`, `close()`): a connection opened and torn down on
 *   every call.
 *
 * Deliberately silent for module-level singletons, lazy singletons (`pool ??= new Pool()`,
 * `if (!pool) pool = new Pool()`, `cache.set(key, new Pool())`: anything not stored in a local
 * variable), factories that return the client, and functions that run once by their name (main,
 * run, migrate, seed, setup ...). Scripts, migrations and tests are left out by their file role.
 */

import { ts } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { CLIENT_PREFILTER, clientCreationOf, declaredNameOf, enclosingFunction, functionName, parameterNames, referencesIn, type FunctionLikeNode } from '../helpers/connections';

type MessageId = 'inHandler' | 'openedAndClosedPerCall';

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'head', 'options', 'route', 'handle', 'on']);
const NEXT_ROUTE_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const CLOSE_METHODS = new Set(['end', 'quit', 'disconnect', '$disconnect', 'close', 'destroy']);
const RUN_ONCE_NAME = /^(main|run|migrate|seed|setup|teardown|bootstrap|init|initialize|start|cli|globalSetup|globalTeardown)/i;

function isExported(node: ts.Node): boolean {
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts.canHaveModifiers(target) && (ts.getModifiers(target) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

/** The call a function is passed to as an argument, or null. */
function callTakingAsArgument(node: FunctionLikeNode): ts.CallExpression | null {
  let current: ts.Node = node;
  while (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent)) current = current.parent;
  const parent = current.parent;
  return ts.isCallExpression(parent) && parent.arguments.some((argument) => argument === current) ? parent : null;
}

function isRouteRegistration(call: ts.CallExpression | null): boolean {
  if (call === null) return false;
  const callee = unwrapExpression(call.expression);
  return ts.isPropertyAccessExpression(callee) && ROUTE_METHODS.has(callee.name.text);
}

/** What kind of request handler a function is, or null. */
function handlerKind(node: FunctionLikeNode): string | null {
  const [first = '', second = ''] = parameterNames(node);
  if (/^(req|request)$/.test(first) && /^(res|response|reply)$/.test(second)) return 'request handler';
  const registration = callTakingAsArgument(node);
  if (isRouteRegistration(registration) && /^(req|request|ctx|context)$/.test(first)) return 'route handler';
  const name = functionName(node);
  const declaration = ts.isFunctionDeclaration(node) ? node : node.parent;
  if (NEXT_ROUTE_EXPORTS.has(name) && isExported(declaration)) return 'route handler';
  if (name === 'handler' && /^(event|req|request)$/.test(first)) return 'handler';
  return null;
}

/** The handler a node runs in, through inline callbacks (`rows.map(...)`, `.then(...)`), or null. */
function enclosingHandler(node: ts.Node): { handler: FunctionLikeNode; kind: string } | null {
  let current = enclosingFunction(node);
  while (current !== null) {
    const kind = handlerKind(current);
    if (kind !== null) return { handler: current, kind };
    // Keep climbing only through inline callbacks; a named helper function is a boundary.
    const isInlineCallback = (ts.isArrowFunction(current) || ts.isFunctionExpression(current)) && callTakingAsArgument(current) !== null;
    if (!isInlineCallback) return null;
    current = enclosingFunction(current);
  }
  return null;
}

/**
 * The first `name.end()` / `.quit()` / `.disconnect()` ... call made by `scope` itself (not by a
 * callback it registers, such as a shutdown hook), or null. Null as well when the function
 * returns the client: then it is a factory, and the close belongs to the caller's lifetime.
 */
function closeCallOf(scope: FunctionLikeNode, name: string): string | null {
  const references = referencesIn(scope, name);
  if (references.some((reference) => ts.isReturnStatement(reference.parent) || (ts.isArrowFunction(reference.parent) && reference.parent.body === reference))) return null;
  for (const reference of references) {
    if (enclosingFunction(reference) !== scope) continue;
    const access = reference.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== reference) continue;
    if (!CLOSE_METHODS.has(access.name.text) || !ts.isCallExpression(access.parent)) continue;
    return access.name.text;
  }
  return null;
}

export default defineRule<MessageId>({
  meta: {
    id: 'connection-per-request',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A database, Redis or Kafka client created per request or per call instead of once.',
    why: 'Every call pays a TCP and TLS handshake and a new server session, and concurrent requests each open their own connections, so a traffic spike exceeds the database\'s connection limit and a forgotten close leaks them; in tests one request at a time never shows it.',
    messages: {
      inHandler: '`{{label}}` runs on every request to this {{where}}, opening new connections each time; create it once at module level (or lazily, `client ??= ...`) and reuse it.',
      openedAndClosedPerCall: '`{{label}}` is created and closed (`{{name}}.{{close}}()`) on every call of {{function}}, opening new connections each time; create it once at module level and reuse it.',
    },
    options: {},
    prefilter: CLIENT_PREFILTER,
    sources: ['Sonar Python S6243 (reusable resources initialized inside a Lambda handler) and C# S6962 (pooled HTTP connections), by analogy'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    const check = (node: ts.Node): void => {
      if (bindings === null) return;
      const created = clientCreationOf(bindings, node);
      if (created === null) return;
      // Stored anywhere but a local variable (returned, cached, assigned to an outer name) it outlives the call.
      const variable = declaredNameOf(created.node);
      if (variable === null) return;
      const innermost = enclosingFunction(created.node);
      if (innermost === null) return;
      const handler = enclosingHandler(created.node);
      if (handler !== null) {
        context.report({ messageId: 'inHandler', data: { label: created.label, where: handler.kind }, range: created.reportRange });
        return;
      }
      const name = functionName(innermost);
      if (RUN_ONCE_NAME.test(name)) return;
      const close = closeCallOf(innermost, variable.text);
      if (close === null) return;
      context.report({
        messageId: 'openedAndClosedPerCall',
        data: { label: created.label, name: variable.text, close, function: name === '' ? 'this function' : `\`${name}\`` },
        range: created.reportRange,
      });
    };
    return {
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
      },
      nodes: {
        [ts.SyntaxKind.NewExpression]: check,
        [ts.SyntaxKind.CallExpression]: check,
      },
    };
  },
});
