/**
 * Kafka clients in Python, as the three Kafka rules read them: confluent-kafka's `Producer` /
 * `SerializingProducer` / `Consumer` / `DeserializingConsumer` (configured by a dict of librdkafka
 * properties), and kafka-python's `KafkaProducer` / `KafkaConsumer` (configured by keyword
 * arguments). Facts checked in the Debian packages: confluent-kafka 1.7.0 over librdkafka 2.0.2
 * (`enable.idempotence` false, `acks` -1 and `enable.auto.commit` true by default), kafka-python
 * 2.0.2 (kafka/producer/kafka.py: `'acks': 1`, no idempotence setting; kafka/consumer/group.py:
 * `'enable_auto_commit': True`).
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { calleeOrigin, configDictOf, hasSplat, lastSegment, type ConfigDict, type PythonAssignments, type PythonImports } from './python-libraries';

export type PythonKafkaClient =
  | { library: 'confluent'; role: 'producer' | 'consumer'; call: PythonNode; config: ConfigDict | null }
  | { library: 'kafka-python'; role: 'producer' | 'consumer'; call: PythonNode; keywords: Map<string, PythonNode>; splat: boolean };

const CONFLUENT_PRODUCERS = new Set(['Producer', 'SerializingProducer', 'AvroProducer']);
const CONFLUENT_CONSUMERS = new Set(['Consumer', 'DeserializingConsumer', 'AvroConsumer']);

/** The Kafka client a call creates, or null. */
export function pythonKafkaClient(call: PythonNode, imports: PythonImports, assignments: PythonAssignments): PythonKafkaClient | null {
  const origin = calleeOrigin(call, imports);
  if (origin === null) return null;
  const name = lastSegment(origin);
  if (origin.startsWith('confluent_kafka.') && (CONFLUENT_PRODUCERS.has(name) || CONFLUENT_CONSUMERS.has(name))) {
    const { positional, keywords } = pythonArguments(call);
    const argument = positional[0] ?? keywords.get('conf') ?? keywords.get('config');
    const config = hasSplat(call) ? null : configDictOf(argument, assignments);
    return { library: 'confluent', role: CONFLUENT_PRODUCERS.has(name) ? 'producer' : 'consumer', call, config };
  }
  if (/^kafka\.(?:[\w.]+\.)?Kafka(?:Producer|Consumer)$/.test(origin)) {
    return { library: 'kafka-python', role: name === 'KafkaProducer' ? 'producer' : 'consumer', call, keywords: pythonArguments(call).keywords, splat: hasSplat(call) };
  }
  return null;
}

/** Python's truthiness for a config value as librdkafka reads it: `False`, `'false'`, `0` are off. */
export function configFlag(value: PythonNode | undefined): boolean | null {
  if (value === undefined) return null;
  if (value.type === 'true') return true;
  if (value.type === 'false') return false;
  const text = value.text.replace(/^['"]|['"]$/g, '').toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return null;
}
