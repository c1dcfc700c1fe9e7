/**
 * The super-linear inputs of issue #15, timed against their size: each case is linted at a base
 * size and at 2x and 4x of it, and the ratios of the times are printed next to the ratios of the
 * sizes. Linear work doubles with the size (ratio about 2.0 per step); quadratic work quadruples
 * (about 4.0). Machines here are shared and noisy, so each time is the best of three runs, and
 * the output is a measurement to read, not a test.
 *
 *   npm run build && node out/bench/pathological.js [case ...]
 */

import { performance } from 'node:perf_hooks';
import { lintDocument, RULES, type LanguageId, type LintSettings } from '../rules';
import { loadPythonParser } from '../server/src/workspace/python';
import { cartesianFromItems, longPythonLine, nestedSqlPredicate, nestedSqlSubqueries, pythonConcatenation, pythonExecuteLoops, scriptConcatenation, type PathologicalFile } from '../test/helpers/pathological';

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-11-24' };

interface Case {
  name: string;
  /** The size at 1x, in the generator's unit. */
  base: number;
  unit: string;
  make: (size: number) => PathologicalFile;
}

const CASES: Case[] = [
  { name: 'python-execute-loops', base: 500, unit: 'loops with cursor.execute(f"...")', make: pythonExecuteLoops },
  { name: 'cartesian-from-items', base: 20_000, unit: 'comma-joined FROM items', make: cartesianFromItems },
  { name: 'sql-nested-predicate', base: 2_000, unit: 'parentheses around a predicate', make: nestedSqlPredicate },
  { name: 'sql-nested-subqueries', base: 2_000, unit: 'nested IN (SELECT ...)', make: nestedSqlSubqueries },
  { name: 'long-python-line', base: 2_500_000, unit: 'bytes on one Python line', make: longPythonLine },
  { name: 'python-concatenation', base: 4_000, unit: 'string concatenations on one line', make: pythonConcatenation },
  { name: 'script-concatenation', base: 10_000, unit: 'string concatenations in a query', make: scriptConcatenation },
  { name: 'python-queries-in-one-function', base: 150, unit: 'f-string queries in one function', make: (size) => ({ name: 'one-function.py', text: `def f(cursor, rows):\n${'    for row in rows:\n        cursor.execute(f"SELECT * FROM t WHERE id = {row}")\n'.repeat(size)}` }) },
  { name: 'python-name-concatenation', base: 500, unit: 'names concatenated into a query', make: (size) => ({ name: 'names.py', text: `def f(cursor, x):\n    cursor.execute("SELECT " + ${Array.from({ length: size }, () => 'x').join(' + ')})\n` }) },
  { name: 'python-call-chain', base: 2_000, unit: 'chained calls f()()()', make: (size) => ({ name: 'chain.py', text: `from airflow import DAG\nimport requests\n\ndef task():\n    value = f${'()'.repeat(size)}\n    return requests.get("https://x", timeout=5)\n` }) },
];

function languageOf(name: string): LanguageId {
  if (name.endsWith('.py')) return 'python';
  if (name.endsWith('.sql')) return 'sql';
  return name.endsWith('.js') ? 'javascript' : 'typescript';
}

function bestOfThree(file: PathologicalFile): { ms: number; findings: number; problems: string } {
  let best = Number.POSITIVE_INFINITY;
  let findings = 0;
  let problems = '';
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const result = lintDocument({ path: file.name, languageId: languageOf(file.name), text: file.text }, SETTINGS, RULES);
    best = Math.min(best, performance.now() - start);
    findings = result.findings.length;
    problems = [result.notAnalysed ?? '', ...result.internalErrors.map((error) => `${error.ruleId ?? 'engine'}: ${error.message.split('\n')[0] ?? ''}`)].filter((text) => text !== '').join('; ');
  }
  return { ms: best, findings, problems };
}

async function main(): Promise<void> {
  const problem = await loadPythonParser();
  if (problem !== null) throw new Error(problem);
  const selected = process.argv.slice(2);
  for (const entry of CASES) {
    if (selected.length > 0 && !selected.includes(entry.name)) continue;
    const rows: string[] = [];
    let previous: number | null = null;
    for (const factor of [1, 2, 4]) {
      const size = entry.base * factor;
      const file = entry.make(size);
      const { ms, findings, problems } = bestOfThree(file);
      const ratio = previous === null ? '' : `  x${(ms / previous).toFixed(2)} for x2 the size`;
      rows.push(`  ${String(size).padStart(10)} ${entry.unit}: ${ms.toFixed(0).padStart(6)} ms, ${findings} findings${ratio}${problems === '' ? '' : `  [${problems}]`}`);
      previous = ms;
    }
    process.stdout.write(`${entry.name}\n${rows.join('\n')}\n`);
  }
}

void main();
