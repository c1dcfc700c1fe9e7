/**
 * What the Kafka rules need to know about a file: which client library made a value, and where a
 * producer is created with which configuration. Three client families are understood:
 *
 * - KafkaJS (`kafkajs`): `new Kafka({...}).producer({...})`, options in camelCase
 *   (`idempotent`, `acks` on `send`).
 * - Confluent's KafkaJS-compatible API (`require('@confluentinc/kafka-javascript').KafkaJS`):
 *   `new Kafka({...}).producer({ kafkaJS: {...}, 'enable.idempotence': ... })`, with the KafkaJS
 *   keys inside a `kafkaJS` block and librdkafka keys outside it.
 * - librdkafka bindings (`node-rdkafka`, and `@confluentinc/kafka-javascript`'s node-rdkafka
 *   API): `new Producer(globalConfig, topicConfig)`, `new HighLevelProducer(...)`,
 *   `Producer.createWriteStream(globalConfig, topicConfig, streamOptions)`, with dotted
 *   librdkafka keys.
 *
 * bindings.ts does not record `const { Kafka } = require('@confluentinc/kafka-javascript').KafkaJS`
 * (a destructuring of a member of a require), so this module scans those declarations itself.
 */

import { fileNodes, ts } from '../../engine/languages/typescript';
import { fileBindings, objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from './bindings';

export const KAFKAJS_MODULE = 'kafkajs';
export const CONFLUENT_MODULE = '@confluentinc/kafka-javascript';
export const RDKAFKA_MODULE = 'node-rdkafka';
export const KAFKA_MODULES = [KAFKAJS_MODULE, CONFLUENT_MODULE, RDKAFKA_MODULE];

/** Which client API made a Kafka value. */
export type KafkaFlavor = 'kafkajs' | 'confluent-kafkajs' | 'librdkafka';

/** A producer created in the file, with the configuration objects that apply to it. */
export interface ProducerCreation {
  flavor: KafkaFlavor;
  /** The `kafka.producer(...)` call or `new Producer(...)` expression. */
  node: ts.CallExpression | ts.NewExpression;
  /** The producer's own configuration object literal; null when there is none to read. */
  config: ts.ObjectLiteralExpression | null;
  /** librdkafka's second argument (topic configuration), when it is an object literal. */
  topicConfig: ts.ObjectLiteralExpression | null;
  /** The client configuration (`new Kafka({...})`) producers inherit from, when known. */
  clientConfig: ts.ObjectLiteralExpression | null;
  /** True when the producer's own first argument exists but is not an object literal of this file. */
  unknown: boolean;
  /** True when the client (`new Kafka(x)`) was given a configuration this file does not show. */
  clientUnknown: boolean;
}

export interface KafkaFile {
  bindings: FileBindings;
  /** The Kafka client modules the file imports. */
  modules: Set<string>;
  /** The flavor of a `new X(...)` client constructor, or null when X is not a known Kafka client. */
  clientFlavor(constructor: ts.Expression): KafkaFlavor | null;
  /**
   * The flavor of a value: a client made by `new Kafka(...)`, or a producer/consumer made by
   * `client.producer()`/`client.consumer()`. Null when the value's origin is not visible.
   */
  valueFlavor(expression: ts.Expression): KafkaFlavor | null;
  /** A producer created by this node, or null. */
  producerCreation(node: ts.Node): ProducerCreation | null;
}

const cache = new WeakMap<ts.SourceFile, KafkaFile>();

/** Names bound to Confluent's `KafkaJS` namespace or its `Kafka` class by destructuring. */
function confluentKafkaJsNames(sourceFile: ts.SourceFile, bindings: FileBindings): { namespaces: Set<string>; classes: Set<string> } {
  const namespaces = new Set<string>();
  const classes = new Set<string>();
  const isConfluentKafkaJs = (expression: ts.Expression): boolean => {
    const value = unwrapExpression(expression);
    if (ts.isIdentifier(value)) {
      const imported = bindings.importOf(value.text);
      return (imported?.module === CONFLUENT_MODULE && imported.exportName === 'KafkaJS') || namespaces.has(value.text);
    }
    if (!ts.isPropertyAccessExpression(value) || value.name.text !== 'KafkaJS') return false;
    const base = unwrapExpression(value.expression);
    if (ts.isCallExpression(base) && ts.isIdentifier(base.expression) && base.expression.text === 'require') {
      const argument = base.arguments[0];
      return argument !== undefined && ts.isStringLiteral(argument) && argument.text === CONFLUENT_MODULE;
    }
    if (ts.isIdentifier(base)) {
      const imported = bindings.importOf(base.text);
      return imported?.module === CONFLUENT_MODULE && (imported.exportName === '*' || imported.exportName === 'default');
    }
    return false;
  };
  for (const node of fileNodes(sourceFile)) {
    if (ts.isVariableDeclaration(node) && node.initializer !== undefined && isConfluentKafkaJs(node.initializer)) {
      if (ts.isIdentifier(node.name)) namespaces.add(node.name.text);
      if (ts.isObjectBindingPattern(node.name)) {
        for (const element of node.name.elements) {
          const imported = element.propertyName !== undefined && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : '';
          if (imported === 'Kafka' && ts.isIdentifier(element.name)) classes.add(element.name.text);
        }
      }
    }
  }
  return { namespaces, classes };
}

export function kafkaFile(sourceFile: ts.SourceFile): KafkaFile {
  const cached = cache.get(sourceFile);
  if (cached !== undefined) return cached;
  const bindings = fileBindings(sourceFile);
  const modules = new Set(KAFKA_MODULES.filter((module) => bindings.modules.has(module)));
  const confluent = modules.has(CONFLUENT_MODULE) ? confluentKafkaJsNames(sourceFile, bindings) : { namespaces: new Set<string>(), classes: new Set<string>() };

  const clientFlavor = (constructor: ts.Expression): KafkaFlavor | null => {
    const target = unwrapExpression(constructor);
    const imported = bindings.resolveImport(target);
    if (imported?.module === KAFKAJS_MODULE && imported.exportName === 'Kafka') return 'kafkajs';
    if (ts.isIdentifier(target) && confluent.classes.has(target.text)) return 'confluent-kafkajs';
    if (ts.isPropertyAccessExpression(target) && target.name.text === 'Kafka') {
      const base = unwrapExpression(target.expression);
      if (ts.isIdentifier(base) && (confluent.namespaces.has(base.text) || bindings.importOf(base.text)?.exportName === 'KafkaJS')) return 'confluent-kafkajs';
    }
    return null;
  };

  const isLibrdkafkaProducerClass = (expression: ts.Expression): boolean => {
    const imported = bindings.resolveImport(expression);
    if (imported === null || (imported.module !== RDKAFKA_MODULE && imported.module !== CONFLUENT_MODULE)) return false;
    return imported.exportName === 'Producer' || imported.exportName === 'HighLevelProducer';
  };

  /** The client a `.producer()` / `.consumer()` receiver was made by, with its configuration. */
  const clientOf = (receiver: ts.Expression): { flavor: KafkaFlavor; config: ts.ObjectLiteralExpression | null; unknown: boolean } | null => {
    const made = bindings.origin(receiver);
    if (!ts.isNewExpression(made)) return null;
    const flavor = clientFlavor(made.expression);
    if (flavor === null) return null;
    const argument = made.arguments?.[0];
    const config = objectLiteralOf(bindings, argument);
    return { flavor, config, unknown: argument !== undefined && config === null };
  };

  /**
   * `this.kafka.producer()` in a file that imports KafkaJS (and not Confluent's look-alike): the client was made out of sight
   * (a constructor, another module), so its configuration is unknown, but a receiver named
   * `kafka...` in such a file is a KafkaJS client.
   */
  const unseenClient = (receiver: ts.Expression): { flavor: KafkaFlavor; config: null; unknown: boolean } | null => {
    if (!modules.has(KAFKAJS_MODULE) || modules.has(CONFLUENT_MODULE)) return null;
    const made = bindings.origin(receiver);
    const name = ts.isIdentifier(made) ? made.text : ts.isPropertyAccessExpression(made) ? made.name.text : '';
    if (!/kafka/i.test(name)) return null;
    return { flavor: 'kafkajs', config: null, unknown: true };
  };

  const valueFlavor = (expression: ts.Expression): KafkaFlavor | null => {
    const made = bindings.origin(expression);
    if (ts.isNewExpression(made)) {
      if (isLibrdkafkaProducerClass(made.expression)) return 'librdkafka';
      return clientFlavor(made.expression);
    }
    if (ts.isCallExpression(made) && ts.isPropertyAccessExpression(made.expression) && ['producer', 'consumer'].includes(made.expression.name.text)) {
      return clientOf(made.expression.expression)?.flavor ?? null;
    }
    return null;
  };

  const producerCreation = (node: ts.Node): ProducerCreation | null => {
    if (ts.isNewExpression(node) && isLibrdkafkaProducerClass(node.expression)) {
      const [first, second] = node.arguments ?? [];
      const config = objectLiteralOf(bindings, first);
      return { flavor: 'librdkafka', node, config, topicConfig: objectLiteralOf(bindings, second), clientConfig: null, unknown: first !== undefined && config === null, clientUnknown: false };
    }
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return null;
    const callee = node.expression;
    const [first, second] = node.arguments;
    if (callee.name.text === 'createWriteStream' && isLibrdkafkaProducerClass(callee.expression)) {
      const config = objectLiteralOf(bindings, first);
      return { flavor: 'librdkafka', node, config, topicConfig: objectLiteralOf(bindings, second), clientConfig: null, unknown: first === undefined || config === null, clientUnknown: false };
    }
    if (callee.name.text === 'createWriteStream') {
      const imported = bindings.resolveImport(callee);
      if (imported?.module === RDKAFKA_MODULE || imported?.module === CONFLUENT_MODULE) {
        const config = objectLiteralOf(bindings, first);
        return { flavor: 'librdkafka', node, config, topicConfig: objectLiteralOf(bindings, second), clientConfig: null, unknown: first === undefined || config === null, clientUnknown: false };
      }
    }
    if (callee.name.text !== 'producer' || node.arguments.length > 1) return null;
    const client = clientOf(callee.expression) ?? unseenClient(callee.expression);
    if (client === null) return null;
    const config = objectLiteralOf(bindings, first);
    return { flavor: client.flavor, node, config, topicConfig: null, clientConfig: client.config, unknown: first !== undefined && config === null, clientUnknown: client.unknown };
  };

  const result: KafkaFile = { bindings, modules, clientFlavor, valueFlavor, producerCreation };
  cache.set(sourceFile, result);
  return result;
}

/** The value of key `name` in an object literal, or undefined when absent; null when a spread could hide it. */
export function configValue(literal: ts.ObjectLiteralExpression | null, name: string): ts.Expression | null | undefined {
  if (literal === null) return undefined;
  const { names, spread } = propertiesOf(literal);
  const property = names.get(name);
  if (property !== undefined) return propertyValue(property);
  return spread ? null : undefined;
}

/** A literal's value: numbers (with a leading minus), strings and booleans; undefined for anything else. */
export function literalValue(expression: ts.Expression | null | undefined): number | string | boolean | undefined {
  if (expression === null || expression === undefined) return undefined;
  const value = unwrapExpression(expression);
  if (ts.isNumericLiteral(value)) return Number(value.text);
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(value.operand)) return -Number(value.operand.text);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return value.text;
  if (value.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (value.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

/** A nested object literal under `key` (Confluent's `kafkaJS` block), or null. */
export function nestedConfig(bindings: FileBindings, literal: ts.ObjectLiteralExpression | null, key: string): ts.ObjectLiteralExpression | null {
  const value = configValue(literal, key);
  if (value === null || value === undefined) return null;
  return objectLiteralOf(bindings, value);
}
