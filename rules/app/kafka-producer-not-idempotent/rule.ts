/**
 * kafka-producer-not-idempotent: a Kafka producer created without idempotence. KafkaJS
 * `kafka.producer()` without `idempotent: true`; Confluent's KafkaJS-compatible
 * `kafka.producer()` without `kafkaJS: { idempotent: true }` or `'enable.idempotence': true` (on
 * the producer or the client); librdkafka producers (`new Producer(...)`, `HighLevelProducer`,
 * `createWriteStream`) without `'enable.idempotence': true`. Transactional producers
 * (`transactionalId` / `'transactional.id'`) are idempotent already. Producers whose
 * configuration comes from elsewhere (a variable of another module, a spread) are left alone.
 *
 * The fix adds the one setting. Both libraries accept it alone: KafkaJS 2.2.4 needs `acks: -1`
 * (its default) on every send and at least one retry, and serializes requests per broker itself,
 * so no `maxInFlightRequests` is needed; librdkafka adjusts `acks`, `retries` and `max.in.flight`
 * itself unless the user set them. So the fix is withheld when the file sets any of those to a
 * value the library would reject with idempotence on.
 *
 * Python: confluent-kafka `Producer` / `SerializingProducer` whose config dict (in the call or a
 * name assigned once and never changed) has neither `'enable.idempotence': True` nor
 * `'transactional.id'`, with the same fix and the same conditions; and kafka-python
 * `KafkaProducer(enable_idempotence=False)`. A kafka-python producer without the setting is not
 * reported: kafka-python 2.0.2 has no idempotence at all (the setting arrived in 2.2.0).
 */

import { fileNodes, ts } from '../../engine/languages/typescript';
import { importOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { propertyInsertion, unwrapExpression } from '../helpers/bindings';
import { isPythonTestFile, pythonAssignments, pythonImports, dictInsertion, literalOf, type PythonAssignments, type PythonImports } from '../helpers/python-libraries';
import { configFlag, pythonKafkaClient, type PythonKafkaClient } from '../helpers/python-kafka';
import { configValue, KAFKA_MODULES, kafkaFile, literalValue, nestedConfig, type KafkaFile, type ProducerCreation } from '../helpers/kafka';

type MessageId = 'missing' | 'disabled';

/** The settings that turn idempotence on (or make the producer transactional), per configuration shape. */
const KAFKAJS_KEYS = { idempotent: 'idempotent', transactional: 'transactionalId' };
const LIBRDKAFKA_KEYS = { idempotent: 'enable.idempotence', transactional: 'transactional.id' };

const ACKS_KEYS = new Set(['acks', 'request.required.acks']);
const RETRIES_KEYS = new Set(['retries', 'message.send.max.retries']);
const IN_FLIGHT_KEYS = new Set(['maxInFlightRequests', 'max.in.flight', 'max.in.flight.requests.per.connection']);

type Verdict = 'on' | 'off' | 'absent' | 'unknown';

/** What one configuration object says about idempotence. */
function verdictOf(literal: ts.ObjectLiteralExpression | null, keys: { idempotent: string; transactional: string }): Verdict {
  if (literal === null) return 'absent';
  const transactional = configValue(literal, keys.transactional);
  if (transactional !== undefined && transactional !== null) return 'on';
  const idempotent = configValue(literal, keys.idempotent);
  if (idempotent === null) return 'unknown';
  if (idempotent === undefined) return transactional === null ? 'unknown' : 'absent';
  const value = literalValue(idempotent);
  if (value === true || value === 'true') return 'on';
  if (value === false || value === 'false') return 'off';
  return 'unknown';
}

/** Combines verdicts: any `on` wins, then an unknown silences, then an explicit `off`. */
function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('on')) return 'on';
  if (verdicts.includes('unknown')) return 'unknown';
  if (verdicts.includes('off')) return 'off';
  return 'absent';
}

/** The configurations that decide a producer's idempotence, with the key names they use. */
function verdictFor(creation: ProducerCreation, kafka: KafkaFile): Verdict {
  if (creation.unknown) return 'unknown';
  if (creation.flavor === 'kafkajs') return verdictOf(creation.config, KAFKAJS_KEYS);
  if (creation.flavor === 'librdkafka') return verdictOf(creation.config, LIBRDKAFKA_KEYS);
  if (creation.clientUnknown) return 'unknown';
  const { bindings } = kafka;
  return combine([
    verdictOf(creation.config, LIBRDKAFKA_KEYS),
    verdictOf(nestedConfig(bindings, creation.config, 'kafkaJS'), KAFKAJS_KEYS),
    verdictOf(creation.clientConfig, LIBRDKAFKA_KEYS),
    verdictOf(nestedConfig(bindings, creation.clientConfig, 'kafkaJS'), KAFKAJS_KEYS),
  ]);
}

/**
 * True when every `acks`, `retries` and in-flight setting written in the file is one idempotence
 * accepts: acks -1 / 'all', retries at least 1, at most 5 requests in flight. KafkaJS rejects a
 * send with other acks once the producer is idempotent, and librdkafka refuses to create it.
 */
function fileAcceptsIdempotence(sourceFile: ts.SourceFile): boolean {
  let accepts = true;
  for (const node of fileNodes(sourceFile)) {
    if (!accepts) break;
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      const key = node.name.text;
      const value = literalValue(node.initializer);
      if (ACKS_KEYS.has(key) && value !== -1 && value !== '-1' && value !== 'all') accepts = false;
      if (RETRIES_KEYS.has(key) && !(typeof value === 'number' && value >= 1) && !isUnboundedNumber(node.initializer)) accepts = false;
      if (IN_FLIGHT_KEYS.has(key) && !(typeof value === 'number' && value >= 1 && value <= 5)) accepts = false;
    }
    if (ts.isShorthandPropertyAssignment(node) && (ACKS_KEYS.has(node.name.text) || RETRIES_KEYS.has(node.name.text) || IN_FLIGHT_KEYS.has(node.name.text))) accepts = false;
  }
  return accepts;
}

function isUnboundedNumber(expression: ts.Expression): boolean {
  const text = unwrapExpression(expression).getText();
  return text === 'Number.MAX_SAFE_INTEGER' || text === 'Infinity';
}

/** A configuration object literal written inside the call itself (editing a shared constant could touch other producers). */
function inlineLiteral(creation: ProducerCreation, literal: ts.ObjectLiteralExpression | null): literal is ts.ObjectLiteralExpression {
  return literal !== null && creation.node.arguments !== undefined && creation.node.arguments.some((argument) => unwrapExpression(argument) === literal);
}

function idempotenceFix(creation: ProducerCreation, kafka: KafkaFile, sourceFile: ts.SourceFile): Fix | null {
  const { node, config, flavor } = creation;
  const setting = flavor === 'kafkajs' ? 'idempotent: true' : "'enable.idempotence': true";
  const insertInto = (literal: ts.ObjectLiteralExpression, property: string): Fix => {
    const insertion = propertyInsertion(sourceFile, literal, property);
    return { title: `Add \`${property}\` to the producer's options`, safety: 'safe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
  };
  if (flavor === 'confluent-kafkajs') {
    const block = nestedConfig(kafka.bindings, config, 'kafkaJS');
    if (block !== null && inlineLiteral(creation, config) && block.parent !== undefined && ts.isPropertyAssignment(block.parent)) return insertInto(block, 'idempotent: true');
  }
  if (config !== null) return inlineLiteral(creation, config) ? insertInto(config, setting) : null;
  // No options at all: `kafka.producer()` becomes `kafka.producer({ idempotent: true })`.
  if (ts.isCallExpression(node) && node.arguments.length === 0) {
    const offset = node.arguments.pos;
    return { title: `Create the producer with \`{ ${setting} }\``, safety: 'safe', edits: [{ range: { start: offset, end: offset }, newText: `{ ${setting} }` }] };
  }
  return null;
}

/** The setting the message names, in the configuration shape the producer uses. */
function settingFor(creation: ProducerCreation, kafka: KafkaFile): string {
  if (creation.flavor === 'kafkajs') return 'idempotent: true';
  if (creation.flavor === 'confluent-kafkajs' && nestedConfig(kafka.bindings, creation.config, 'kafkaJS') !== null) return 'kafkaJS: { idempotent: true }';
  return "'enable.idempotence': true";
}

export default defineRule<MessageId>({
  meta: {
    id: 'kafka-producer-not-idempotent',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A Kafka producer (KafkaJS, node-rdkafka, Confluent) created without idempotence.',
    why: 'Producers retry a send whose acknowledgement was lost (a broker restart, a network blip, a leader change), and without idempotence the broker cannot tell the retry from a new message: the record is written twice and a partition can be reordered, so downstream counts and balances drift under production failures that tests never produce.',
    messages: {
      missing: 'Kafka producer created without `{{setting}}`: a retried send after a lost acknowledgement writes the message twice and can reorder the partition; add `{{setting}}` to its options.',
      disabled: 'Kafka producer with idempotence turned off: retried sends write duplicates and can reorder the partition; set `{{setting}}` unless the cluster cannot support it (brokers older than 0.11, or no `IdempotentWrite` ACL before Kafka 2.8).',
    },
    options: {},
    prefilter: [importOf(...KAFKA_MODULES)],
    pythonPrefilter: ['kafkajs', 'node-rdkafka', 'kafka-javascript', 'confluent_kafka', 'kafkaproducer'],
    sources: ['Apache Kafka producer default `enable.idempotence=true` since 3.0 (KIP-679)', 'No equivalent lint rule found (ESLint, Semgrep, SonarJS)'],
  },
  create(context) {
    let kafka: KafkaFile | null = null;
    let sourceFile: ts.SourceFile | null = null;
    let acceptsIdempotence: boolean | null = null;
    const check = (node: ts.Node): void => {
      if (kafka === null || sourceFile === null || kafka.modules.size === 0) return;
      const creation = kafka.producerCreation(node);
      if (creation === null) return;
      const verdict = verdictFor(creation, kafka);
      if (verdict === 'on' || verdict === 'unknown') return;
      const setting = settingFor(creation, kafka);
      const range = { start: node.getStart(sourceFile), end: node.getEnd() };
      if (verdict === 'off') {
        context.report({ messageId: 'disabled', data: { setting }, range });
        return;
      }
      acceptsIdempotence ??= fileAcceptsIdempotence(sourceFile);
      const fix = acceptsIdempotence ? idempotenceFix(creation, kafka, sourceFile) : null;
      context.report({ messageId: 'missing', data: { setting }, range, fixes: fix === null ? [] : [fix] });
    };
    let imports: PythonImports | null = null;
    let assignments: PythonAssignments | null = null;
    let pythonText = '';
    const checkPython = (client: PythonKafkaClient): void => {
      if (client.role !== 'producer') return;
      const range = { start: client.call.startIndex, end: client.call.childForFieldName('arguments')?.startIndex ?? client.call.endIndex };
      if (client.library === 'kafka-python') {
        const value = client.keywords.get('enable_idempotence');
        if (value !== undefined && value.type === 'false') context.report({ messageId: 'disabled', data: { setting: 'enable_idempotence=True' }, range });
        return;
      }
      const config = client.config;
      if (config === null) return;
      const idempotence = config.entries.get('enable.idempotence');
      if (config.entries.has('transactional.id')) return;
      const flag = configFlag(idempotence?.value);
      if (flag === true) return;
      if (idempotence !== undefined) {
        if (flag === false) context.report({ messageId: 'disabled', data: { setting: "'enable.idempotence': True" }, range: { start: idempotence.pair.startIndex, end: idempotence.pair.endIndex } });
        return;
      }
      if (config.open) return;
      // librdkafka refuses idempotence next to acks other than all, no retries or more than 5 in flight.
      const conflicting = [...config.entries].some(([key, entry]) => {
        const value = literalOf(entry.value);
        const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
        if (key === 'acks' || key === 'request.required.acks') return !(number === -1 || number === 'all');
        if (key === 'retries' || key === 'message.send.max.retries') return number === 0;
        if (key === 'max.in.flight' || key === 'max.in.flight.requests.per.connection') return typeof number !== 'number' || number > 5;
        return false;
      });
      const fixes: Fix[] = conflicting ? [] : [{ title: "Add `'enable.idempotence': True`", safety: 'safe', edits: [dictInsertion(config.node, "'enable.idempotence': True", pythonText)] }];
      context.report({ messageId: 'missing', data: { setting: "'enable.idempotence': True" }, range, fixes });
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
        kafka = kafkaFile(file);
        acceptsIdempotence = null;
        if (!KAFKA_MODULES.some((module) => kafka?.modules.has(module))) kafka = null;
      },
      nodes: {
        [ts.SyntaxKind.CallExpression]: check,
        [ts.SyntaxKind.NewExpression]: check,
      },
    };
  },
});
