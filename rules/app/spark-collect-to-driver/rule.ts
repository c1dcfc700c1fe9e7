/**
 * spark-collect-to-driver: in a PySpark file, `collect()`, `toPandas()` or `collectAsMap()` on a
 * DataFrame or RDD whose chain has no `limit`, aggregation or sampling before it. The chain is
 * read back through method calls and through names assigned once in the file
 * (`df = spark.table(...).filter(...)`), and `spark.sql("...")` counts as bounded when its SQL has a
 * LIMIT, a GROUP BY or an aggregate. No fix: where the data should go instead (a write, an
 * aggregation, `toLocalIterator()`) is a design decision.
 */

import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { defineRule } from '../../engine/rule';

type MessageId = 'collectToDriver';

const COLLECTING = new Set(['collect', 'toPandas', 'collectAsMap']);
/** Methods after which the result is bounded: a limit, an aggregation, a sample, a summary. */
const BOUNDING = new Set([
  'limit', 'agg', 'groupBy', 'groupby', 'rollup', 'cube', 'count', 'take', 'head', 'tail', 'first', 'sample', 'sampleBy',
  'describe', 'summary', 'reduceByKey', 'aggregateByKey', 'combineByKey', 'foldByKey', 'countByKey', 'countByValue',
  'approxQuantile', 'reduce', 'fold', 'aggregate', 'max', 'min', 'sum', 'mean', 'stats',
]);
const PYSPARK_FILE = /\bpyspark\b|\bSparkSession\b|\bspark\.(?:sql|table|read)\b/;
const BOUNDED_SQL = /\bLIMIT\s+\d|\bGROUP\s+BY\b|\b(?:COUNT|SUM|AVG|MIN|MAX|APPROX_COUNT_DISTINCT)\s*\(/i;
/** Receivers that are never Spark data: the garbage collector, and polars, whose `collect()` runs a lazy query. */
const NOT_SPARK = new Set(['gc']);

interface Chain {
  /** The methods called on the way to the collect, nearest first. */
  methods: string[];
  bounded: boolean;
}

/** Walks the receiver chain of a call back to its start, following names assigned once. */
function chainOf(receiver: PythonNode, assignments: Map<string, PythonNode | null>, depth = 0): Chain {
  const methods: string[] = [];
  let current: PythonNode | null = receiver;
  while (current !== null) {
    if (current.type === 'call') {
      const callee = current.childForFieldName('function');
      if (callee?.type !== 'attribute') break;
      const method = callee.childForFieldName('attribute')?.text ?? '';
      methods.push(method);
      if (BOUNDING.has(method)) return { methods, bounded: true };
      if (method === 'sql' || method === 'table') {
        const query = pythonArguments(current).positional[0];
        if (method === 'sql' && query !== undefined && BOUNDED_SQL.test(query.text)) return { methods, bounded: true };
      }
      current = callee.childForFieldName('object');
      continue;
    }
    if (current.type === 'attribute') {
      current = current.childForFieldName('object');
      continue;
    }
    if (current.type === 'parenthesized_expression') {
      current = current.namedChildren.find((child) => child !== null && child.type !== 'comment') ?? null;
      continue;
    }
    if (current.type === 'identifier' && depth < 4) {
      const value = assignments.get(current.text);
      if (value === null || value === undefined) break;
      const earlier = chainOf(value, assignments, depth + 1);
      return { methods: [...methods, ...earlier.methods], bounded: earlier.bounded };
    }
    break;
  }
  return { methods, bounded: false };
}

export default defineRule<MessageId>({
  meta: {
    id: 'spark-collect-to-driver',
    family: 'app',
    target: 'python',
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: '`collect()`, `toPandas()` or `collectAsMap()` on a Spark DataFrame or RDD with no limit or aggregation before it.',
    why: 'collect() copies every row of a distributed dataset into the driver\'s memory: fine on the sample a job was written against, an out-of-memory driver or a job stuck in garbage collection when the table grows; the cluster\'s size stops mattering because one process holds it all.',
    messages: {
      collectToDriver: '`{{call}}` pulls every row of the dataset into the driver; aggregate or `limit(...)` first, write the result out, or iterate with `toLocalIterator()`.',
    },
    options: {},
    prefilter: ['collect', 'topandas'],
    sources: ['Spark docs "RDD Programming Guide: Printing elements of an RDD"', 'Databricks "Best practices: avoid collect() on large datasets"'],
  },
  create(context) {
    let enabled = false;
    let polars = false;
    const assignments = new Map<string, PythonNode | null>();
    return {
      pythonFile(file) {
        enabled = PYSPARK_FILE.test(file.text);
        polars = /^\s*(?:import|from)\s+polars\b/m.test(file.text);
        assignments.clear();
      },
      pythonNodes: {
        assignment(node) {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type !== 'identifier') return;
          // A name assigned twice may hold either dataset when collected, so it is not followed.
          assignments.set(left.text, assignments.has(left.text) || right === null ? null : right);
        },
        call(call) {
          if (!enabled) return;
          const callee = call.childForFieldName('function');
          if (callee?.type !== 'attribute') return;
          const method = callee.childForFieldName('attribute')?.text ?? '';
          if (!COLLECTING.has(method)) return;
          if (method === 'collect' && polars) return;
          const receiver = callee.childForFieldName('object');
          if (receiver === null || (receiver.type === 'identifier' && NOT_SPARK.has(receiver.text))) return;
          // The walk is in source order, so the assignments that build this dataset were seen.
          const chain = chainOf(receiver, assignments);
          if (chain.bounded) return;
          context.report({ messageId: 'collectToDriver', data: { call: `${method}()` }, range: { start: callee.childForFieldName('attribute')?.startIndex ?? call.startIndex, end: call.endIndex } });
        },
      },
    };
  },
});
