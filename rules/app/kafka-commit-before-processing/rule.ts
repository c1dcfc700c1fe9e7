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
 *
 * Python: in a consumer loop of confluent-kafka (`msg = consumer.poll(...)`, `consume(...)`) or
 * kafka-python (`for message in consumer:`), a `consumer.commit(...)` followed, in the same
 * block, by a call that is given the message (`process(msg)`, `handle(msg.value())`); and a loop
 * that hands the message to another thread or task (`executor.submit`, `asyncio.create_task`,
 * `Thread(...)`, `run_in_executor`) while auto-commit is on: librdkafka stores a message's offset
 * when `poll` returns it and commits it within `auto.commit.interval.ms` (5 s), kafka-python
 * commits what was returned, so the offset is committed before the offloaded work ends. A
 * consumer counts as auto-committing only when its configuration is visible and does not turn
 * `enable.auto.commit` (or `enable_auto_commit`) off, nor, for librdkafka,
 * `enable.auto.offset.store`. No Python fix.
 */

import { fileNodes, ts, walkScript } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { literalValue } from '../helpers/kafka';
import type { PythonNode } from '../../engine/languages/python';
import { isPythonTestFile, pythonAssignments, pythonImports, type PythonAssignments, type PythonImports } from '../helpers/python-libraries';
import { configFlag, pythonKafkaClient } from '../helpers/python-kafka';
import { FETCH_MODULES } from '../helpers/fetch-modules';

/** Calls that hand work to another thread or task and return at once. */
const OFFLOADING = /(?:^|\.)(?:submit|apply_async|map_async|create_task|ensure_future|run_in_executor|start_soon)$/;
/** Calls that read or log a message rather than process it. */
const NOT_PROCESSING = /^(?:print|len|isinstance|str|repr|log|logger\.\w+|logging\.\w+|self\.log(?:ger)?\.\w+|log\.\w+|\w+\.commit|\w+\.store_offsets)$/;

/** Identifiers in a subtree. */
function mentions(node: PythonNode, names: ReadonlySet<string>): boolean {
  if (node.type === 'identifier') return names.has(node.text);
  return node.descendantsOfType('identifier').some((identifier) => identifier !== null && names.has(identifier.text));
}

/** The first call in `statement` that is given a message (not a read of the message itself, not logging). */
function processingCall(statement: PythonNode, messages: ReadonlySet<string>): PythonNode | null {
  for (const call of statement.type === 'call' ? [statement] : statement.descendantsOfType('call')) {
    if (call === null) continue;
    const callee = call.childForFieldName('function');
    const list = call.childForFieldName('arguments');
    if (callee === null || list === null) continue;
    if (NOT_PROCESSING.test(callee.text)) continue;
    // `msg.value()`, `msg.error()`: reading the message, not processing it.
    if (callee.type === 'attribute' && mentions(callee, messages)) continue;
    if (mentions(list, messages)) return call;
  }
  return null;
}

type MessageId = 'floating' | 'asyncForEach' | 'resolvedEarly' | 'committedEarly' | 'pythonCommittedEarly' | 'pythonOffloaded';

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
  for (const node of fileNodes(sourceFile)) {
    if (ts.isFunctionDeclaration(node) && node.name !== undefined && node.body !== undefined) {
      functions.set(node.name.text, functions.has(node.name.text) ? null : node);
    }
  }
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
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A KafkaJS consumer handler that lets the offset be committed before the message is processed.',
    why: 'KafkaJS commits a message\'s offset once the handler has resolved (or once `resolveOffset` marked it); work that is still running then, or that has not started, is lost for good when the process crashes, is deployed or rebalanced, because the consumer group resumes after the committed offset. It only shows under failures at scale.',
    messages: {
      floating: '`{{call}}` is not awaited in the `{{handler}}` handler: KafkaJS commits the offset as soon as the handler resolves, so a crash before this finishes loses the message; `await` it (or return it).',
      asyncForEach: '`{{call}}` with an async callback in the `{{handler}}` handler does not wait for the callbacks: the offsets are committed before the messages are processed; use `for (const message of batch.messages) { await ... }` or `await Promise.all(...)`.',
      resolvedEarly: '`{{call}}` runs before this message\'s processing (`{{processing}}`): if processing throws or the process dies, KafkaJS commits the resolved offset and the message is lost; call `resolveOffset` after the processing.',
      pythonCommittedEarly: '`{{call}}` commits before `{{processing}}` processes the message: a crash or rebalance in between loses it for good; commit after processing (`consumer.commit(message=msg, asynchronous=False)`).',
      pythonOffloaded: '`{{call}}` hands the message to other work while auto-commit is on, so its offset is committed before that work ends and a crash loses it; process it in the loop, or set `{{setting}}` and commit when the work is done.',
      committedEarly: '`{{call}}` commits before the processing that follows (`{{processing}}`): a crash in between loses the message; commit after the side effect.',
    },
    options: {},
    prefilter: ['eachmessage', 'eachbatch'],
    pythonPrefilter: ['eachmessage', 'eachbatch', 'confluent_kafka', 'kafkaconsumer'],
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
        return imported === null ? bindings.initializerOf('fetch') === null : FETCH_MODULES.has(imported.module);
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
      walkScript(statement, (node) => {
        if (found !== null || isFunctionNode(node)) return false;
        if (ts.isAwaitExpression(node)) {
          const awaited = unwrapExpression(node.expression);
          if (!(ts.isCallExpression(awaited) && CONSUMER_CONTROLS.has(calleeName(awaited)))) {
            found = node;
            return false;
          }
        }
        return true;
      });
      return found;
    };

    /** Every block-like statement list of a handler's own body (not of nested functions). */
    const statementLists = (body: ts.Node): ts.NodeArray<ts.Statement>[] => {
      const lists: ts.NodeArray<ts.Statement>[] = [];
      walkScript(body, (node) => {
        if (node !== body && isFunctionNode(node)) return false;
        if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) lists.push(node.statements);
        return true;
      });
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
            // Processing left floating after the commit is after it too: awaiting it (the other
            // finding's fix) must not be what reveals this one.
            const floating = floatingCall(later);
            const floatingProcessing = floating !== null && !CONSUMER_CONTROLS.has(calleeName(floating)) && !COMMIT_CALLS.has(calleeName(floating)) && (returnsPromise(floating) || PROCESSING_NAME.test(calleeName(floating)));
            const processing = awaitedProcessing(later) ?? (floatingProcessing ? floating : null);
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

    let imports: PythonImports | null = null;
    let assignments: PythonAssignments | null = null;
    /** Consumer names assigned in the file, with whether their configuration shows auto-commit on (null: unknown). */
    const consumers = new Map<string, { autoCommit: boolean | null; library: 'confluent' | 'kafka-python' }>();
    const consumerOf = (receiver: PythonNode | null): { autoCommit: boolean | null; library: 'confluent' | 'kafka-python' } | null => {
      if (receiver === null) return null;
      const name = receiver.type === 'attribute' ? `self.${receiver.childForFieldName('attribute')?.text ?? ''}` : receiver.text;
      return consumers.get(name) ?? null;
    };
    const checkLoop = (loop: PythonNode): void => {
      const body = loop.childForFieldName('body');
      if (body === null) return;
      const messages = new Set<string>();
      let consumer: { autoCommit: boolean | null; library: 'confluent' | 'kafka-python' } | null = null;
      if (loop.type === 'for_statement') {
        const iterated = loop.childForFieldName('right');
        const target = loop.childForFieldName('left');
        consumer = consumerOf(iterated);
        if (consumer === null || target?.type !== 'identifier') return;
        messages.add(target.text);
      } else {
        for (const assignment of body.descendantsOfType('assignment')) {
          const right = assignment?.childForFieldName('right');
          const left = assignment?.childForFieldName('left');
          if (right?.type !== 'call' || left?.type !== 'identifier') continue;
          const callee = right.childForFieldName('function');
          if (callee?.type !== 'attribute' || !['poll', 'consume'].includes(callee.childForFieldName('attribute')?.text ?? '')) continue;
          const found = consumerOf(callee.childForFieldName('object'));
          if (found === null) continue;
          consumer = found;
          messages.add(left.text);
        }
        if (consumer === null) return;
        // `for msg in consumer.consume(10)` or `for msg in msgs` inside the loop.
        for (const inner of body.descendantsOfType('for_statement')) {
          const target = inner?.childForFieldName('left');
          const right = inner?.childForFieldName('right');
          if (target?.type === 'identifier' && right !== null && right !== undefined && mentions(right, messages)) messages.add(target.text);
        }
      }
      // A commit followed by processing of the message in the same block.
      for (const block of [body, ...body.descendantsOfType('block')]) {
        if (block === null) continue;
        const statements = block.namedChildren.filter((child): child is PythonNode => child !== null && child.type !== 'comment');
        for (let index = 0; index < statements.length; index++) {
          const statement = statements[index];
          const call = statement?.type === 'expression_statement' ? statement.namedChildren[0] : null;
          const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
          if (call === null || call === undefined || callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'commit') continue;
          if (consumerOf(callee.childForFieldName('object')) === null) continue;
          for (const later of statements.slice(index + 1)) {
            const processing = processingCall(later, messages);
            if (processing === null) continue;
            context.report({ messageId: 'pythonCommittedEarly', data: { call: `${callee.text}()`, processing: `${processing.childForFieldName('function')?.text ?? ''}(...)` }, range: { start: call.startIndex, end: call.endIndex } });
            return;
          }
        }
      }
      if (consumer.autoCommit !== true) return;
      for (const call of body.descendantsOfType('call')) {
        const callee = call?.childForFieldName('function');
        const list = call?.childForFieldName('arguments');
        if (call === null || callee === null || callee === undefined || list === null || list === undefined) continue;
        const offloads = OFFLOADING.test(callee.text) || (/(?:^|\.)Thread$/.test(callee.text) && list.text.includes('target'));
        if (!offloads || !mentions(list, messages)) continue;
        context.report({ messageId: 'pythonOffloaded', data: { call: `${callee.text}(...)`, setting: consumer.library === 'confluent' ? "'enable.auto.commit': False" : 'enable_auto_commit=False' }, range: { start: call.startIndex, end: list.startIndex } });
        return;
      }
    };
    const pythonLoops = (node: PythonNode): void => {
      if (imports !== null && consumers.size > 0) checkLoop(node);
    };
    return {
      pythonFile(file) {
        consumers.clear();
        const test = isPythonTestFile(file.text);
        imports = test ? null : pythonImports(file.root);
        assignments = test ? null : pythonAssignments(file.root);
        if (imports === null || assignments === null) return;
        for (const assignment of file.root.descendantsOfType('assignment')) {
          const left = assignment?.childForFieldName('left');
          const right = assignment?.childForFieldName('right');
          if (left === null || left === undefined || right?.type !== 'call') continue;
          const client = pythonKafkaClient(right, imports, assignments);
          if (client === null || client.role !== 'consumer') continue;
          let autoCommit: boolean | null;
          if (client.library === 'confluent') {
            const config = client.config;
            if (config === null) autoCommit = null;
            else {
              const commit = configFlag(config.entries.get('enable.auto.commit')?.value);
              const store = configFlag(config.entries.get('enable.auto.offset.store')?.value);
              autoCommit = commit === false || store === false ? false : config.open ? null : true;
            }
          } else {
            const commit = client.keywords.get('enable_auto_commit');
            autoCommit = commit === undefined ? (client.splat ? null : true) : configFlag(commit);
          }
          const name = left.type === 'attribute' && left.childForFieldName('object')?.text === 'self' ? `self.${left.childForFieldName('attribute')?.text ?? ''}` : left.type === 'identifier' ? left.text : null;
          if (name !== null) consumers.set(name, { autoCommit, library: client.library });
        }
      },
      pythonNodes: {
        while_statement: pythonLoops,
        for_statement: pythonLoops,
      },
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
        functions = collectFunctions(file, bindings);
      },
      nodes: { [ts.SyntaxKind.CallExpression]: check },
    };
  },
});
