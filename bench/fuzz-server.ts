/**
 * The fuzzer's inputs through the language server (issue #15): the built server over real LSP
 * stdio is sent each input with `didOpen`, then a mutation of it with `didChange`, and asked for
 * the document's diagnostics (pull). It must answer every request, within the analysis budget
 * plus a margin, and never exit. The engine's own checks (ranges, fixes, determinism) are
 * bench/fuzz.ts's; this is the process that has to survive what users type.
 *
 *   npm run build && node out/bench/fuzz-server.js [--seed N|random] [--count N | --time SECONDS]
 *
 * Each input's dialect comes from a `.faultline.json` in a scratch folder per dialect, so the
 * server resolves it as it would in a project. Exits 1 when the server died or a request went
 * unanswered; prints the (seed, index) that `npm run fuzz -- --seed S --index I` writes to a file.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fuzzInput, mutate, randomFor, readFixtures, schemaDialects } from './fuzz-inputs';
import { startServer } from '../test/helpers/lsp-client';

const REPO_ROOT = join(__dirname, '..', '..');
/** The server's per-document budget is 5 s plus 2 ms per KB; past it the worker is stopped and the answer is "too complex". */
function answerDeadlineMs(characters: number): number {
  return 5_000 + 2 * (characters / 1024) + 20_000;
}

interface Options {
  seed: number;
  count: number | null;
  seconds: number | null;
}

function parseOptions(args: string[]): Options {
  const options: Options = { seed: 1, count: null, seconds: null };
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index];
    const value = args[index + 1] ?? '';
    if (flag === '--seed') options.seed = value === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(value);
    else if (flag === '--count') options.count = Number(value);
    else if (flag === '--time') options.seconds = Number(value);
    else throw new Error(`unknown option ${flag ?? ''}: node out/bench/fuzz-server.js [--seed N|random] [--count N | --time SECONDS]`);
  }
  if (options.count === null && options.seconds === null) options.count = 200;
  return options;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dialects = schemaDialects(REPO_ROOT);
  const fixtures = readFixtures(REPO_ROOT, dialects);
  const workspace = mkdtempSync(join(tmpdir(), 'faultline-fuzz-server-'));
  for (const dialect of dialects) {
    mkdirSync(join(workspace, dialect), { recursive: true });
    writeFileSync(join(workspace, dialect, '.faultline.json'), JSON.stringify({ sqlDialect: dialect }));
  }
  const client = await startServer({ pull: true, rootPath: workspace });
  let died: string | null = null;
  client.process.on('exit', (code, signal) => {
    died = `exit code ${String(code)}, signal ${String(signal)}`;
  });
  process.stdout.write(`fuzz-server: seed ${options.seed}, ${options.count !== null ? `${options.count} inputs` : `${options.seconds} s`}; the built server over stdio, didOpen + didChange + a diagnostic request per input\n`);
  const started = performance.now();
  let index = 0;
  const unanswered: number[] = [];
  let slowest = { ms: 0, index: -1 };
  let diagnostics = 0;
  try {
    for (; ; index++) {
      if (options.count !== null && index >= options.count) break;
      if (options.seconds !== null && performance.now() - started > options.seconds * 1000) break;
      const input = fuzzInput(options.seed, index, fixtures, dialects);
      const uri = `file://${join(workspace, input.dialect, input.path)}`;
      const changed = mutate(input.text, randomFor(options.seed ^ 0x5eed, index));
      const begin = performance.now();
      void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: input.languageId, version: 1, text: input.text } });
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: changed }] });
      const answer = await withTimeout(client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }), answerDeadlineMs(Math.max(input.text.length, changed.length)));
      const ms = performance.now() - begin;
      if (ms > slowest.ms) slowest = { ms, index };
      if (answer !== 'timeout') diagnostics += (answer as { items?: unknown[] }).items?.length ?? 0;
      void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      if (died !== null) {
        process.stdout.write(`FAIL seed ${options.seed} index ${index}: the server died (${died}); ${input.kind}; ${input.path} (${input.dialect})\n  reproduce the input: npm run fuzz -- --seed ${options.seed} --index ${index}\n`);
        break;
      }
      if (answer === 'timeout') {
        unanswered.push(index);
        process.stdout.write(`FAIL seed ${options.seed} index ${index}: no answer in ${(answerDeadlineMs(input.text.length) / 1000).toFixed(0)} s; ${input.kind}; ${input.path} (${input.dialect})\n`);
      }
    }
  } finally {
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`fuzz-server: seed ${options.seed}: ${index} inputs in ${seconds.toFixed(0)} s; server died: ${died === null ? 'no' : 'yes'}; unanswered ${unanswered.length}; ${diagnostics} diagnostics; slowest answer ${slowest.ms.toFixed(0)} ms (index ${slowest.index})\n`);
    if (died === null) await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  process.exitCode = died !== null || unanswered.length > 0 ? 1 : 0;
}

void main();
