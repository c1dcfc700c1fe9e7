/**
 * Edit latency: how long the server takes to answer diagnostics after an edit to a 3,000-line
 * TypeScript file with a dozen embedded queries. Measures (1) the engine alone, in process, and
 * (2) the built server over real LSP stdio, pull model (didChange, then textDocument/diagnostic:
 * no debounce in the way). Prints p50/p95 in milliseconds and, since machines are shared and
 * noisy, the ratio of each to the time of parsing the same file once with the TypeScript parser.
 * The first 10 runs of each are left out (warm-up); p95 is over the 100 (engine) and 200 (server)
 * after them, enough samples that it is not just the second-worst one.
 *
 *   npm run build && node out/bench/edit-latency.js
 */

import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import { lintDocument, RULES } from '../rules';
import type { ScriptParseCache } from '../rules/engine/languages/typescript';
import { startServer } from '../test/helpers/lsp-client';
import { makeFile } from './generated-file';

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function main(): Promise<void> {
  const text = makeFile(3000);
  const settings = { sqlDialect: 'postgresql' as const, reportingTimeZone: 'UTC', rules: {}, today: '2026-11-24' };
  const parseTimes: number[] = [];
  const engineTimes: number[] = [];
  const incrementalTimes: number[] = [];
  const cache = {};
  for (let run = 0; run < 110; run++) {
    const edited = text.replace('return value * 1', `return value * ${run}`);
    let start = performance.now();
    ts.createSourceFile('bench.ts', edited, ts.ScriptTarget.Latest, true);
    parseTimes.push(performance.now() - start);
    start = performance.now();
    const result = lintDocument({ path: 'bench.ts', languageId: 'typescript', text: edited }, settings, RULES);
    engineTimes.push(performance.now() - start);
    start = performance.now();
    lintDocument({ path: 'bench.ts', languageId: 'typescript', text: edited }, settings, RULES, cache);
    incrementalTimes.push(performance.now() - start);
    if (run === 0) console.log(`file: ${text.split('\n').length} lines, ${result.stats.sqlStatements} embedded statements, ${result.findings.length} findings`);
  }
  // Typing a statement into a function in the middle of the file one character at a time, then
  // deleting it: many of the states in between do not parse, and some go to TypeScript's update.
  const typingTimes: number[] = [];
  const typingCache: { script?: ScriptParseCache } = {};
  const middle = text.indexOf('{ ', text.length >> 1) + 2;
  const typed = "const rows = db.query('SELECT id FROM orders WHERE total > $1', [value]); ";
  const parses = { full: 0, statements: 0, typescript: 0 };
  lintDocument({ path: 'bench.ts', languageId: 'typescript', text }, settings, RULES, typingCache);
  for (let round = 0; round < 4; round++) {
    const steps = [...Array(typed.length).keys()].map((length) => length + 1).concat([...Array(typed.length).keys()].reverse());
    for (const length of steps) {
      const edited = text.slice(0, middle) + typed.slice(0, length) + text.slice(middle);
      const start = performance.now();
      lintDocument({ path: 'bench.ts', languageId: 'typescript', text: edited }, settings, RULES, typingCache);
      typingTimes.push(performance.now() - start);
      parses[typingCache.script?.lastParse ?? 'full']++;
    }
  }
  const client = await startServer({ pull: true });
  // A path whose file role is production code: under a folder such as bench/ or examples/ the
  // file would be example code, most rules would not run, and the figure would measure nothing.
  const uri = 'file:///srv/shop/src/orders-report.ts';
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  const first = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items?: unknown[] };
  if ((first.items ?? []).length === 0) throw new Error('the server reported no diagnostics on the benchmark file: the figure would measure nothing');
  const serverTimes: number[] = [];
  for (let version = 2; version < 212; version++) {
    const start = performance.now();
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: ' ' }] });
    await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    serverTimes.push(performance.now() - start);
  }
  await client.stop();
  const parseP50 = percentile(parseTimes.slice(10), 0.5);
  const report = (name: string, values: number[]) => {
    const steady = values.slice(10);
    const p50 = percentile(steady, 0.5);
    const p95 = percentile(steady, 0.95);
    console.log(`${name.padEnd(44)} p50 ${p50.toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  (${(p50 / parseP50).toFixed(2)}x and ${(p95 / parseP50).toFixed(2)}x the TS parse's p50)`);
  };
  report('TypeScript parse of the file (reference)', parseTimes);
  report('engine: lintDocument, cold parse', engineTimes);
  report('engine: lintDocument, incremental parse', incrementalTimes);
  report('engine: typing a statement, char by char', typingTimes);
  console.log(`  (of those re-parses ${parses.statements} were statement-level, ${parses.typescript} TypeScript's update)`);
  report('server: didChange -> diagnostic response', serverTimes);
}

void main();
