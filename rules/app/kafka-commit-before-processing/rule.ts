/**
 * kafka-commit-before-processing: KafkaJS (and Confluent's KafkaJS-compatible) consumer handlers
 * that let the offset be committed before the message's processing is done. KafkaJS 2.2.4's
 * runner awaits `eachMessage` and only then resolves the message's offset (auto-commit then
 * commits it); for `eachBatch` it resolves the batch's last offset when the handler resolves, and
 * on an error it commits every offset resolved so far. So a handler is wrong when:
 *
 * - it starts a promise it neither awaits nor returns (`handle(message)`, `x.then(...)`,
 *   `items.forEach(async ...)`) while auto-commit is on: the handler resolves first;
 * - an `eachBatch` handler calls `resolveOffset(...)` before awaiting that message's processing;
 * - it commits manually (`consumer.commitOffsets`, `commitOffsetsIfNecessary`) before awaiting the
 *   side effect.
 *
 * "A promise" is what the file shows to be one: an `async` function or method declared in the
 * file, a `.then/.catch/.finally` chain, `Promise.all/...`, `new Promise`, `fetch`, axios, and
 * KafkaJS `send`/`sendBatch`; and, in an `async` handler that awaits nothing at all, a call whose
 * name says it is the processing (`handleMessage(...)`, `messageHandler(...)`). Other calls to
 * unknown functions are left alone. A handler that awaits its work is clean.
 */

import { ts } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { literalValue } from '../helpers/kafka';

type MessageId = 'floating' | 'asyncForEach' | 'resolvedEarly' | 'committedEarly';

type FunctionNode = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration | ts.MethodDeclaration;

/** The consumer's own controls: awaiting them is not processing, and leaving them floating is not this rule's business. */
const CONSUMER_CONTROLS = new Set(['heartbeat', 'pause', 'resume', 'resolveOffset', 'commitOffsets', 'commitOffsetsIfNecessary', 'uncommittedOffsets', 'isRunning', 'isStale', 'seek']);
/** Names that say a call is the message's processing (`handleMessage`, `processEvent`, `messageHandler`). */
const PROCESSING_NAME = /^(handle|process|save|persist|store|insert|write|send|publish|notify|dispatch|enqueue|index|sync|upsert|forward|consume|ingest)|Handler$/;
const COMMIT_CALLS = new Set(['commitOffsets', 'commitOffsetsIfNecessary']);
const PROMISE_STATICS = new Set(['all', 'allSettled', 'race', 'any']);
const AXIOS_METHODS = new Set(['request', 'get', 'delete', 'head', 'options', 'post', 'put', 'patch', 'postForm', 'putForm', 'patchForm']);

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node);
}

function isAsync(node: ts.Node): boolean {
  return isFunctionNode(node) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0;
}

/** The name a call is made by: `handle` for `handle(x)` and `this.service.handle(x)`. */
function calleeName(call: ts.CallExpression): string {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return '';
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 50 ? `${oneLine.slice(0, 47)}...` : oneLine;
}

/** Finds a function declared in the file by name; null when the name is declared twice. */
interface FunctionLookup {
  get(name: string): FunctionNode | null | undefined;
}

/** Functions declared in the file by name (function declarations and `const f = async () => ...`). */
function collectFunctions(sourceFile: ts.SourceFile, bindings: FileBindings): FunctionLookup {
  const functions = new Map<string, FunctionNode | null>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name !== undefined && node.body !== undefined) {
      functions.set(node.name.text, functions.has(node.name.text) ? null : node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return {
    get(name) {
      const declared = functions.get(name);
      if (declared !== undefined) return declared;
      const initializer = bindings.initializerOf(name);
      const value = initializer === null ? null : unwrapExpression(initializer);
      return value !== null && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value : undefined;
    },
  };
}

/** The method `name` of the class enclosing `node`, or a property holding a function. */
function classMember(node: ts.Node, name: string): FunctionNode | null {
  let current: ts.Node | undefined = node.parent;
  while (current !== undefined && !ts.isClassDeclaration(current) && !ts.isClassExpression(current)) current = current.parent;
  if (current === undefined) return null;
  for (const member of current.members) {
    if (member.name === undefined || !ts.isIdentifier(member.name) || member.name.text !== name) continue;
    if (ts.isMethodDeclaration(member) && member.body !== undefined) return member;
    if (ts.isPropertyDeclaration(member) && member.initializer !== undefined) {
      const value = unwrapExpression(member.initializer);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
  }
  return null;
}

export default defineRule<MessageId>({
  meta: {
    id: 'kafka-commit-before-processing',
    family: 'app',
    target: 'script',
    defaultSeverity: 'error',
    fix: 'unsafe',
    requiresParse: false,
    summary: 'A KafkaJS consumer handler that lets the offset be committed before the message is processed.',
    why: 'KafkaJS commits a message\'s offset once the handler has resolved (or once `resolveOffset` marked it); work that is still running then, or that has not started, is lost for good when the process crashes, is deployed or rebalanced, because the consumer group resumes after the committed offset. It only shows under failures at scale.',
    messages: {
      floating: '`{{call}}` is not awaited in the `{{handler}}` handler: KafkaJS commits the offset as soon as the handler resolves, so a crash before this finishes loses the message; `await` it (or return it).',
      asyncForEach: '`{{call}}` with an async callback in the `{{handler}}` handler does not wait for the callbacks: the offsets are committed before the messages are processed; use `for (const message of batch.messages) { await ... }` or `await Promise.all(...)`.',
      resolvedEarly: '`{{call}}` runs before this message\'s processing (`{{processing}}`): if processing throws or the process dies, KafkaJS commits the resolved offset and the message is lost; call `resolveOffset` after the processing.',
      committedEarly: '`{{call}}` commits before the processing that follows (`{{processing}}`): a crash in between loses the message; commit after the side effect.',
    },
    options: {},
    prefilter: ['eachmessage', 'eachbatch'],
    sources: ['@typescript-eslint/no-floating-promises (generic: any unhandled promise)', 'KafkaJS docs, "Consuming Messages": eachBatch `resolveOffset` after processing'],
  },
  create(context) {
    let sourceFile: ts.SourceFile | null = null;
    let bindings: FileBindings | null = null;
    let functions: FunctionLookup | null = null;

    /** The function a handler property stands for, or null when it is not visible. */
    const handlerFunction = (property: ts.ObjectLiteralElementLike): FunctionNode | null => {
      if (ts.isMethodDeclaration(property)) return property.body === undefined ? null : property;
      const value = propertyValue(property);
      if (value === null || bindings === null) return null;
      let target = unwrapExpression(value);
      // `this.handle.bind(this)`
      if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'bind') target = unwrapExpression(target.expression.expression);
      if (ts.isArrowFunction(target) || ts.isFunctionExpression(target)) return target;
      if (ts.isIdentifier(target)) return functions?.get(target.text) ?? null;
      if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) return classMember(property, target.name.text);
      return null;
    };

    /** True when the file shows that this call returns a promise. */
    const returnsPromise = (call: ts.CallExpression): boolean => {
      if (bindings === null) return false;
      const callee = unwrapExpression(call.expression);
      const name = calleeName(call);
      if (ts.isPropertyAccessExpression(callee)) {
        if (['then', 'catch', 'finally'].includes(name)) return true;
        const base = unwrapExpression(callee.expression);
        if (ts.isIdentifier(base) && base.text === 'Promise' && PROMISE_STATICS.has(name)) return true;
        if ((name === 'send' || name === 'sendBatch') && call.arguments.length === 1) {
          const options = objectLiteralOf(bindings, call.arguments[0]);
          if (options !== null && (propertiesOf(options).names.has('topic') || propertiesOf(options).names.has('topicMessages'))) return true;
        }
        if (base.kind === ts.SyntaxKind.ThisKeyword) return isAsync(classMember(call, name) ?? call);
        if (AXIOS_METHODS.has(name)) {
          if (bindings.resolveImport(callee)?.module === 'axios') return true;
          const made = bindings.origin(base);
          if (ts.isCallExpression(made) && bindings.resolveImport(made.expression)?.module === 'axios' && calleeName(made) === 'create') return true;
        }
        return false;
      }
      if (!ts.isIdentifier(callee)) return false;
      if (callee.text === 'fetch') {
        const imported = bindings.importOf('fetch');
        return (imported === null && bindings.initializerOf('fetch') === null) || imported?.module === 'node-fetch' || imported?.module === 'undici';
      }
      if (bindings.resolveImport(callee)?.module === 'axios') return true;
      const declared = functions?.get(callee.text);
      return declared !== undefined && declared !== null && isAsync(declared);
    };

    /** The call a statement makes without awaiting or returning it (`x()`, `void x()`), or null. */
    const floatingCall = (statement: ts.Statement): ts.CallExpression | null => {
      if (!ts.isExpressionStatement(statement)) return null;
      let expression = statement.expression;
      while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
      if (ts.isVoidExpression(expression)) expression = expression.expression;
      return ts.isCallExpression(expression) ? expression : null;
    };

    /** The call a statement awaits (`await x()`), or null. */
    const awaitedCall = (statement: ts.Statement): ts.CallExpression | null => {
      if (!ts.isExpressionStatement(statement)) return null;
      const expression = unwrapExpression(statement.expression);
      return ts.isCallExpression(expression) ? expression : null;
    };

    /** The first awaited call in a statement that is processing (not a consumer control), outside nested functions. */
    const awaitedProcessing = (statement: ts.Node): ts.AwaitExpression | null => {
      let found: ts.AwaitExpression | null = null;
      const visit = (node: ts.Node): void => {
        if (found !== null || isFunctionNode(node)) return;
        if (ts.isAwaitExpression(node)) {
          const awaited = unwrapExpression(node.expression);
          if (!(ts.isCallExpression(awaited) && CONSUMER_CONTROLS.has(calleeName(awaited)))) {
            found = node;
            return;
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(statement);
      return found;
    };

    /** Every block-like statement list of a handler's own body (not of nested functions). */
    const statementLists = (body: ts.Node): ts.NodeArray<ts.Statement>[] => {
      const lists: ts.NodeArray<ts.Statement>[] = [];
      const visit = (node: ts.Node): void => {
        if (node !== body && isFunctionNode(node)) return;
        if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) lists.push(node.statements);
        ts.forEachChild(node, visit);
      };
      visit(body);
      return lists;
    };

    const checkHandler = (handler: FunctionNode, handlerName: string, autoCommit: boolean): void => {
      if (sourceFile === null || handler.body === undefined || !ts.isBlock(handler.body)) return;
      const file = sourceFile;
      const handlerIsAsync = isAsync(handler);
      // An `async` handler that awaits nothing but calls `handle(message)`: the author expected
      // asynchronous work, and the call's name says it is the processing.
      const awaitsAnything = awaitedProcessing(handler.body) !== null;
      for (const statements of statementLists(handler.body)) {
        statements.forEach((statement, index) => {
          const call = floatingCall(statement);
          if (call !== null && autoCommit && !CONSUMER_CONTROLS.has(calleeName(call))) {
            const name = calleeName(call);
            const callback = call.arguments[0];
            const text = shorten(call.getText(file));
            if ((name === 'forEach' || name === 'map') && callback !== undefined && isAsync(unwrapExpression(callback))) {
              context.report({ messageId: 'asyncForEach', data: { call: `.${name}(async ...)`, handler: handlerName }, range: { start: call.getStart(file), end: call.getEnd() } });
            } else if (returnsPromise(call) || (handlerIsAsync && !awaitsAnything && PROCESSING_NAME.test(name))) {
              const isVoid = ts.isExpressionStatement(statement) && ts.isVoidExpression(unwrapExpression(statement.expression));
              const fix: Fix | null = handlerIsAsync && !isVoid ? { title: 'Await it', safety: 'unsafe', edits: [{ range: { start: statement.getStart(file), end: statement.getStart(file) }, newText: 'await ' }] } : null;
              context.report({ messageId: 'floating', data: { call: text, handler: handlerName }, range: { start: call.getStart(file), end: call.getEnd() }, fixes: fix === null ? [] : [fix] });
            }
          }
          const statementCall = call ?? awaitedCall(statement);
          if (statementCall === null) return;
          const name = calleeName(statementCall);
          const isResolve = name === 'resolveOffset' && handlerName === 'eachBatch';
          const isCommit = COMMIT_CALLS.has(name);
          if (!isResolve && !isCommit) return;
          // `commitOffsetsIfNecessary()` with no offsets commits what was resolved already: harmless before more work.
          if (name === 'commitOffsetsIfNecessary' && statementCall.arguments.length === 0) return;
          for (const later of statements.slice(index + 1)) {
            const processing = awaitedProcessing(later);
            if (processing === null) continue;
            context.report({
              messageId: isResolve ? 'resolvedEarly' : 'committedEarly',
              data: { call: shorten(statementCall.getText(file)), processing: shorten(processing.getText(file)) },
              range: { start: statementCall.getStart(file), end: statementCall.getEnd() },
              related: [{ range: { start: processing.getStart(file), end: processing.getEnd() }, message: 'The processing that runs after the offset was resolved or committed.' }],
            });
            break;
          }
        });
      }
    };

    const check = (node: ts.Node): void => {
      if (bindings === null || !ts.isCallExpression(node) || calleeName(node) !== 'run' || !ts.isPropertyAccessExpression(node.expression)) return;
      const options = objectLiteralOf(bindings, node.arguments[0]);
      if (options === null) return;
      const { names } = propertiesOf(options);
      const autoCommitValue = names.get('autoCommit');
      const autoCommit = autoCommitValue === undefined || literalValue(propertyValue(autoCommitValue)) === true;
      for (const handlerName of ['eachMessage', 'eachBatch']) {
        const property = names.get(handlerName);
        if (property === undefined) continue;
        const handler = handlerFunction(property);
        if (handler !== null) checkHandler(handler, handlerName, autoCommit);
      }
    };

    return {
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file);
        functions = collectFunctions(file, bindings);
      },
      nodes: { [ts.SyntaxKind.CallExpression]: check },
    };
  },
});
