/**
 * kafka-weak-acks: a Kafka write acknowledged by the leader alone (`acks: 1`) or not at all
 * (`acks: 0`). Looks at KafkaJS `producer.send({ topic, messages, acks })` and
 * `sendBatch({ topicMessages, acks })`, Confluent's KafkaJS-compatible producer configuration
 * (`kafkaJS: { acks }`, `acks`, `'request.required.acks'`), and librdkafka producer
 * configuration (the global and topic objects of `new Producer(...)`, `HighLevelProducer`,
 * `createWriteStream`). A send or producer without `acks` is clean: KafkaJS sends with -1 and
 * librdkafka's `request.required.acks` defaults to -1 (all in-sync replicas).
 *
 * The fix writes `-1` (or `'all'` where the value was a string).
 *
 * Python: confluent-kafka producer config dicts with `'acks'` / `'request.required.acks'` 0 or 1
 * (also in `'default.topic.config'`), and kafka-python `KafkaProducer(acks=0|1)` or without `acks`
 * at all: kafka-python 2.0.2 defaults to `acks=1` (kafka/producer/kafka.py). The fix writes
 * `'all'` (adding `acks='all'` where it was missing).
 */

import { ts } from '../../engine/languages/typescript';
import { word } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { objectLiteralOf, propertiesOf, unwrapExpression } from '../helpers/bindings';
import type { PythonNode } from '../../engine/languages/python';
import { configDictOf as configDictOfValue, isPythonTestFile, pythonAssignments, pythonImports, keywordInsertion, literalOf, type PythonAssignments, type PythonImports } from '../helpers/python-libraries';
import { pythonKafkaClient, type PythonKafkaClient } from '../helpers/python-kafka';
import { KAFKAJS_MODULE, CONFLUENT_MODULE, kafkaFile, literalValue, nestedConfig, type KafkaFile } from '../helpers/kafka';

type MessageId = 'weakSend' | 'weakConfig' | 'weakPythonConfig' | 'kafkaPythonDefault';

const ACKS_KEYS = ['acks', 'request.required.acks'];

/** The `acks` properties of an object literal whose value is 0 or 1, as written or through a file constant. */
function weakAcks(kafka: KafkaFile, literal: ts.ObjectLiteralExpression | null, keys: readonly string[]): { property: ts.PropertyAssignment; value: number }[] {
  if (literal === null) return [];
  const found: { property: ts.PropertyAssignment; value: number }[] = [];
  for (const [name, property] of propertiesOf(literal).names) {
    if (!keys.includes(name) || !ts.isPropertyAssignment(property)) continue;
    const value = literalValue(kafka.bindings.origin(property.initializer));
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (number === 0 || number === 1) found.push({ property, value: number });
  }
  return found;
}

function acksFix(sourceFile: ts.SourceFile, property: ts.PropertyAssignment): Fix | null {
  const value = unwrapExpression(property.initializer);
  const isString = ts.isStringLiteral(value);
  if (!isString && !ts.isNumericLiteral(value)) return null;
  const quote = sourceFile.text[value.getStart(sourceFile)] === '"' ? '"' : "'";
  const newText = isString ? `${quote}all${quote}` : '-1';
  return { title: `Require acknowledgement from all in-sync replicas (\`${newText}\`)`, safety: 'safe', edits: [{ range: { start: value.getStart(sourceFile), end: value.getEnd() }, newText }] };
}

/** True when `send`/`sendBatch` is called on a KafkaJS producer or transaction. */
function isKafkaJsSend(kafka: KafkaFile, call: ts.CallExpression, options: ts.ObjectLiteralExpression): boolean {
  if (!ts.isPropertyAccessExpression(call.expression)) return false;
  const method = call.expression.name.text;
  if (method !== 'send' && method !== 'sendBatch') return false;
  const { names } = propertiesOf(options);
  if (!names.has(method === 'send' ? 'topic' : 'topicMessages')) return false;
  const flavor = kafka.valueFlavor(call.expression.expression);
  if (flavor !== null) return flavor === 'kafkajs';
  // A producer made out of sight (`this.producer`, a parameter, `await producer.transaction()`) in
  // a file written against KafkaJS; a receiver made in view by anything else is not a producer.
  const made = kafka.bindings.origin(call.expression.expression);
  const outOfSight = ts.isIdentifier(made) || ts.isPropertyAccessExpression(made) || (ts.isCallExpression(made) && ts.isPropertyAccessExpression(made.expression) && made.expression.name.text === 'transaction');
  return outOfSight && kafka.modules.has(KAFKAJS_MODULE) && !kafka.modules.has(CONFLUENT_MODULE);
}

export default defineRule<MessageId>({
  meta: {
    id: 'kafka-weak-acks',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A Kafka write with `acks` 0 or 1, which loses acknowledged messages when a partition leader fails over.',
    why: 'With `acks: 1` the leader acknowledges a write before any replica has it; if that broker dies (a deploy, a crash, a zone outage) a follower without the write becomes leader and the acknowledged message is gone, and with `acks: 0` nothing is even confirmed. Tests against one healthy broker never see either.',
    messages: {
      weakSend: '`acks: {{value}}` on this send: the write is {{meaning}}, so a leader failover loses it; drop the option (KafkaJS defaults to `-1`) or set `acks: -1`.',
      weakPythonConfig: '`{{setting}}` in the producer configuration: writes are {{meaning}}, so a leader failover loses them; set it to `\'all\'` (all in-sync replicas).',
      kafkaPythonDefault: '`KafkaProducer(...)` without `acks` uses kafka-python\'s default `acks=1` (through 2.x): writes are acknowledged by the leader alone, so a leader failover loses them; pass `acks=\'all\'`.',
      weakConfig: '`{{key}}: {{value}}` in the producer configuration: writes are {{meaning}}, so a leader failover loses them; set it to `-1` (all in-sync replicas, the librdkafka default) or remove it.',
    },
    options: {},
    prefilter: [word('acks')],
    pythonPrefilter: ['acks', 'kafkaproducer'],
    sources: ['Apache Kafka producer default `acks=all` since 3.0 (KIP-679)', 'No equivalent lint rule found (ESLint, Semgrep, SonarJS)'],
  },
  create(context) {
    let kafka: KafkaFile | null = null;
    let sourceFile: ts.SourceFile | null = null;
    const reported = new Set<number>();
    const meaning = (value: number): string => (value === 0 ? 'never acknowledged' : 'acknowledged by the leader alone');
    const reportConfig = (literal: ts.ObjectLiteralExpression | null, keys: readonly string[]): void => {
      if (kafka === null || sourceFile === null) return;
      for (const { property, value } of weakAcks(kafka, literal, keys)) {
        const start = property.getStart(sourceFile);
        if (reported.has(start)) continue;
        reported.add(start);
        const fix = acksFix(sourceFile, property);
        const key = ts.isStringLiteral(property.name) ? `'${property.name.text}'` : property.name.getText(sourceFile);
        context.report({ messageId: 'weakConfig', data: { key, value: String(value), meaning: meaning(value) }, range: { start, end: property.getEnd() }, fixes: fix === null ? [] : [fix] });
      }
    };
    const check = (node: ts.Node): void => {
      if (kafka === null || sourceFile === null) return;
      const creation = kafka.producerCreation(node);
      if (creation !== null) {
        if (creation.flavor === 'librdkafka') {
          reportConfig(creation.config, ACKS_KEYS);
          reportConfig(creation.topicConfig, ACKS_KEYS);
        } else if (creation.flavor === 'confluent-kafkajs') {
          reportConfig(creation.config, ACKS_KEYS);
          reportConfig(nestedConfig(kafka.bindings, creation.config, 'kafkaJS'), ['acks']);
        }
        return;
      }
      if (!ts.isCallExpression(node)) return;
      const options = objectLiteralOf(kafka.bindings, node.arguments[0]);
      if (options === null || !isKafkaJsSend(kafka, node, options)) return;
      for (const { property, value } of weakAcks(kafka, options, ['acks'])) {
        const start = property.getStart(sourceFile);
        if (reported.has(start)) continue;
        reported.add(start);
        const fix = acksFix(sourceFile, property);
        context.report({ messageId: 'weakSend', data: { value: String(value), meaning: meaning(value) }, range: { start, end: property.getEnd() }, fixes: fix === null ? [] : [fix] });
      }
    };
    let imports: PythonImports | null = null;
    let assignments: PythonAssignments | null = null;
    let pythonText = '';
    const weakValue = (node: PythonNode): number | null => {
      const value = literalOf(node);
      const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      return number === 0 || number === 1 ? number : null;
    };
    const checkPython = (client: PythonKafkaClient): void => {
      if (client.role !== 'producer') return;
      if (client.library === 'kafka-python') {
        const acks = client.keywords.get('acks');
        if (acks === undefined) {
          if (client.splat) return;
          const edit = keywordInsertion(client.call, "acks='all'", pythonText);
          context.report({ messageId: 'kafkaPythonDefault', range: { start: client.call.startIndex, end: client.call.childForFieldName('arguments')?.startIndex ?? client.call.endIndex }, fixes: edit === null ? [] : [{ title: "Pass `acks='all'`", safety: 'safe', edits: [edit] }] });
          return;
        }
        const weak = weakValue(acks);
        if (weak === null || acks.parent === null) return;
        context.report({ messageId: 'weakPythonConfig', data: { setting: acks.parent.text, meaning: meaning(weak) }, range: { start: acks.parent.startIndex, end: acks.parent.endIndex }, fixes: [{ title: "Set `acks='all'`", safety: 'safe', edits: [{ range: { start: acks.startIndex, end: acks.endIndex }, newText: "'all'" }] }] });
        return;
      }
      const configs = client.config === null ? [] : [client.config];
      const topic = client.config?.entries.get('default.topic.config');
      if (topic !== undefined && assignments !== null) {
        const nested = configDictOfValue(topic.value, assignments);
        if (nested !== null) configs.push(nested);
      }
      for (const config of configs) {
        for (const key of ACKS_KEYS) {
          const entry = config.entries.get(key);
          if (entry === undefined) continue;
          const weak = weakValue(entry.value);
          if (weak === null) continue;
          context.report({ messageId: 'weakPythonConfig', data: { setting: entry.pair.text, meaning: meaning(weak) }, range: { start: entry.pair.startIndex, end: entry.pair.endIndex }, fixes: [{ title: "Set it to `'all'`", safety: 'safe', edits: [{ range: { start: entry.value.startIndex, end: entry.value.endIndex }, newText: "'all'" }] }] });
        }
      }
    };
    return {
      pythonFile(file) {
        const test = isPythonTestFile(file.text);
        imports = test ? null : pythonImports(file.root);
        assignments = test ? null : pythonAssignments(file.root);
        pythonText = file.text;
      },
      pythonNodes: {
        call: (node) => {
          if (imports === null || assignments === null) return;
          const client = pythonKafkaClient(node, imports, assignments);
          if (client !== null) checkPython(client);
        },
      },
      file(file) {
        sourceFile = file;
        reported.clear();
        kafka = kafkaFile(file);
        if (kafka.modules.size === 0) kafka = null;
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: check,
        [ts.SyntaxKind.NewExpression]: check,
      },
    };
  },
});
