/**
 * io-inside-transaction: a network call awaited while a database transaction is open: inside a
 * transaction callback (`knex.transaction(async trx => ...)`, `sequelize.transaction(async t =>
 * ...)`, `prisma.$transaction(async tx => ...)`, TypeORM `dataSource.transaction(async manager =>
 * ...)`, Kysely `db.transaction().execute(...)`, MongoDB `session.withTransaction(...)`), or
 * between `query('BEGIN')` and `query('COMMIT')` in one function.
 *
 * Network calls are recognised by library, not by name: `fetch`, axios (and `axios.create`
 * instances), got, node-fetch, undici, AWS SDK v3 `client.send(new XCommand(...))`, Stripe
 * resources (`stripe.charges.create`), KafkaJS `producer.send`, amqplib `channel.publish` /
 * `sendToQueue`, BullMQ `queue.add`, nodemailer `sendMail`. Calls through the transaction handle
 * are database calls and never count. One finding per transaction, on its first network call,
 * with the others as related locations.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { allOf, anyOf, importOf, matches, word } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import type { RelatedLocation } from '../../engine/types';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { clientCreationOf, isFunctionLikeNode, stringTextOf } from '../helpers/connections';
import { FETCH_MODULES } from '../helpers/fetch-modules';

type MessageId = 'ioInCallback' | 'ioBetweenBeginAndCommit';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'stream', 'paginate']);
/** The fetch modules, and ky: any HTTP request holds the transaction open, default timeout or not. */
const HTTP_CLIENT_MODULES: ReadonlySet<string> = new Set([...FETCH_MODULES, 'ky']);
const TRANSACTION_METHODS = new Set(['transaction', '$transaction', 'withTransaction']);

/** The leftmost identifier of `a.b.c`, or null. */
function rootIdentifier(expression: ts.Expression): ts.Identifier | null {
  let current = unwrapExpression(expression);
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current) || ts.isElementAccessExpression(current)) current = unwrapExpression(current.expression);
  return ts.isIdentifier(current) ? current : null;
}

function isImportOf(bindings: FileBindings, expression: ts.Expression, module: string, exportNames: readonly string[]): boolean {
  const imported = bindings.resolveImport(expression);
  return imported !== null && imported.module === module && exportNames.includes(imported.exportName);
}

/** An HTTP client instance made in the file: `axios.create(...)`, `got.extend(...)`. */
function isHttpInstance(bindings: FileBindings, expression: ts.Expression): boolean {
  const made = bindings.origin(expression);
  if (!ts.isCallExpression(made) || !ts.isPropertyAccessExpression(made.expression)) return false;
  const method = made.expression.name.text;
  const receiver = made.expression.expression;
  return (method === 'create' && isImportOf(bindings, receiver, 'axios', ['default'])) || (method === 'extend' && isImportOf(bindings, receiver, 'got', ['default']));
}

function nameOf(expression: ts.Expression): string {
  const target = unwrapExpression(expression);
  if (ts.isIdentifier(target)) return target.text;
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  return '';
}

/** Whether a call goes over the network to something other than the database. */
function isNetworkCall(bindings: FileBindings, call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) {
    const imported = bindings.importOf(callee.text);
    if (imported === null) return callee.text === 'fetch';
    if (HTTP_CLIENT_MODULES.has(imported.module)) return imported.exportName === 'default' || imported.exportName === 'fetch' || imported.exportName === 'request';
    return (imported.module === 'axios' || imported.module === 'got') && imported.exportName === 'default';
  }
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  const receiver = callee.expression;
  if (HTTP_METHODS.has(method) && (isImportOf(bindings, receiver, 'axios', ['default']) || isImportOf(bindings, receiver, 'got', ['default']) || isHttpInstance(bindings, receiver))) return true;
  // AWS SDK v3: `client.send(new PutObjectCommand(...))`.
  const firstArgument = call.arguments[0];
  if (method === 'send' && firstArgument !== undefined) {
    const argument = unwrapExpression(firstArgument);
    if (ts.isNewExpression(argument) && /Command$/.test(nameOf(argument.expression))) return true;
  }
  // Stripe: `stripe.paymentIntents.create(...)` where `stripe = new Stripe(...)`.
  const root = rootIdentifier(callee);
  if (root !== null && root !== receiver) {
    const made = bindings.origin(root);
    if (ts.isNewExpression(made) && isImportOf(bindings, made.expression, 'stripe', ['default', 'Stripe'])) return true;
  }
  if ((method === 'send' || method === 'sendBatch') && bindings.modules.has('kafkajs')) {
    const made = bindings.origin(receiver);
    const created = clientCreationOf(bindings, made);
    if (created?.kind === 'kafkaProducer' || /producer$/i.test(nameOf(receiver))) return true;
  }
  if ((method === 'publish' || method === 'sendToQueue') && bindings.modules.has('amqplib') && /channel$|^ch$/i.test(nameOf(receiver))) return true;
  if ((method === 'add' || method === 'addBulk') && (bindings.modules.has('bullmq') || bindings.modules.has('bull'))) {
    const made = bindings.origin(receiver);
    if (ts.isNewExpression(made) && (isImportOf(bindings, made.expression, 'bullmq', ['Queue']) || isImportOf(bindings, made.expression, 'bull', ['default']))) return true;
    if (/queue$/i.test(nameOf(receiver))) return true;
  }
  return method === 'sendMail' && bindings.modules.has('nodemailer');
}

/** Whether the transaction waits for the call: it is awaited, or returned from the callback. */
function isAwaited(call: ts.CallExpression, boundary: ts.Node): boolean {
  let current: ts.Node = call;
  while (current.parent !== undefined && current !== boundary) {
    const parent = current.parent;
    if (ts.isAwaitExpression(parent)) return true;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current)) return true;
    // `.then(...)` / `.catch(...)` chains keep the promise the awaited value.
    if (ts.isPropertyAccessExpression(parent) || ts.isCallExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isArrayLiteralExpression(parent)) {
      current = parent;
      continue;
    }
    return false;
  }
  return false;
}

/** Network calls the transaction waits for inside `root`, between `from` and `to` offsets. */
function networkCallsIn(bindings: FileBindings, root: ts.Node, from: number, to: number): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  walkScript(root, (node) => {
    if (node.end <= from || node.pos >= to) return false;
    // A function declared in the body but not an inline callback may never run during the transaction.
    if (node !== root && (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node))) return false;
    if (ts.isCallExpression(node) && node.getStart(bindings.sourceFile) >= from && node.getEnd() <= to && isNetworkCall(bindings, node)) {
      const boundary = enclosingCallback(node, root);
      if (isAwaited(node, boundary)) {
        found.push(node);
        return false;
      }
    }
    return true;
  });
  return found;
}

/** The function the awaited call belongs to: the innermost one inside `root`, or `root`. */
function enclosingCallback(node: ts.Node, root: ts.Node): ts.Node {
  let current = node.parent;
  while (current !== undefined && current !== root) {
    if (isFunctionLikeNode(current)) return current;
    current = current.parent;
  }
  return root;
}

/** The callback of a transaction call, or null. */
function transactionCallback(call: ts.CallExpression): ts.ArrowFunction | ts.FunctionExpression | null {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const method = callee.name.text;
  const isTransaction = TRANSACTION_METHODS.has(method);
  // Kysely: `db.transaction().execute(async (trx) => ...)`.
  const receiver = unwrapExpression(callee.expression);
  const isKysely = method === 'execute' && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression) && receiver.expression.name.text === 'transaction' && receiver.arguments.length === 0;
  if (!isTransaction && !isKysely) return null;
  for (const argument of call.arguments) {
    const target = unwrapExpression(argument);
    if (ts.isArrowFunction(target) || ts.isFunctionExpression(target)) return target;
  }
  return null;
}

const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const END = /^\s*(COMMIT|ROLLBACK|END)\b/i;

/** The SQL text of `x.query('BEGIN')` / `x.execute('COMMIT')`, or null. */
function queryText(node: ts.Node): string | null {
  if (!ts.isCallExpression(node)) return null;
  const callee = unwrapExpression(node.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['query', 'execute', 'raw'].includes(callee.name.text)) return null;
  return stringTextOf(node.arguments[0]);
}

export default defineRule<MessageId>({
  meta: {
    id: 'io-inside-transaction',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A network call (HTTP, SDK, queue publish) awaited while a database transaction is open.',
    why: 'The transaction keeps its row locks and its pooled connection for as long as the upstream takes to answer, so one slow dependency blocks other writers and drains the pool; and the call is not rolled back with the transaction, so a rollback leaves a charge made or a message published for data that never existed.',
    messages: {
      ioInCallback: '`{{call}}` is awaited inside a `{{transaction}}` callback, holding its locks and pooled connection while waiting on the network; make the call before or after the transaction, or write an outbox row inside it and send from there.',
      ioBetweenBeginAndCommit: '`{{call}}` is awaited between `BEGIN` and `COMMIT`, holding the transaction\'s locks and connection while waiting on the network; make the call before `BEGIN` or after `COMMIT`, or write an outbox row inside the transaction and send from there.',
    },
    options: {},
    // A transaction and a network call: by library import, global `fetch`, or an AWS SDK `new ...Command(`.
    prefilter: [allOf(anyOf('transaction', 'begin'), anyOf(word('fetch'), matches(/\bnew\s+[\w$.]*Command\b/), importOf(...HTTP_CLIENT_MODULES, 'axios', 'got', 'stripe', 'kafkajs', 'amqplib', 'bullmq', 'bull', 'nodemailer')))],
    sources: ['None found; PostgreSQL `idle_in_transaction_session_timeout` is the server-side guard; transactional outbox pattern (microservices.io)'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    const report = (messageId: MessageId, calls: ts.CallExpression[], transaction: string): void => {
      const [first, ...others] = calls;
      if (bindings === null || first === undefined) return;
      const sourceFile = bindings.sourceFile;
      const label = (call: ts.CallExpression): string => `${call.expression.getText(sourceFile).replace(/\s+/g, '')}(...)`;
      const related: RelatedLocation[] = others.map((call) => ({ range: { start: call.getStart(sourceFile), end: call.getEnd() }, message: `Also awaited inside the transaction: \`${label(call)}\`.` }));
      context.report({ messageId, data: { call: label(first), transaction }, range: { start: first.getStart(sourceFile), end: first.expression.getEnd() }, related });
    };
    return {
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: (node) => {
          if (bindings === null || !ts.isCallExpression(node)) return;
          const callback = transactionCallback(node);
          if (callback !== null) {
            const calls = networkCallsIn(bindings, callback.body, callback.body.pos, callback.body.end);
            const callee = unwrapExpression(node.expression);
            const transaction = ts.isPropertyAccessExpression(callee) ? `${nameOf(callee.expression) || 'db'}.${callee.name.text}` : 'transaction';
            report('ioInCallback', calls, transaction);
            return;
          }
          const text = queryText(node);
          if (text === null || !BEGIN.test(text)) return;
          // The COMMIT or ROLLBACK that follows in the same function closes the window.
          const scope: ts.Node = ((): ts.Node => {
            let current = node.parent;
            while (current !== undefined && !isFunctionLikeNode(current) && !ts.isSourceFile(current)) current = current.parent;
            return current ?? bindings.sourceFile;
          })();
          let end = -1;
          walkScript(scope, (candidate) => {
            if (end !== -1) return false;
            if (candidate.pos >= node.end) {
              const endText = queryText(candidate);
              if (endText !== null && END.test(endText)) {
                end = candidate.getStart(bindings?.sourceFile);
                return false;
              }
            }
            return true;
          });
          if (end === -1) return;
          report('ioBetweenBeginAndCommit', networkCallsIn(bindings, scope, node.end, end), 'BEGIN');
        },
      },
    };
  },
});
