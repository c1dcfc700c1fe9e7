/**
 * The engine's fuzzer (issue #15): seeded inputs (bench/fuzz-inputs.ts) through lintDocument, and
 * checks on each result that no front end could make on its own. Every input is named by
 * (seed, index) and made again from those two numbers alone, so a failure is reproduced with
 * `--seed S --index I` (which also writes the input to a file).
 *
 *   npm run fuzz -- [--seed N|random] [--count N | --time SECONDS] [--index I] [--jobs N]
 *
 * Inputs run on worker threads (bench/fuzz-worker.ts, `--jobs` of them, 1 by default), one input
 * at a time each, under a hard limit of HARD_LIMIT_FACTOR times the input's time budget: a worker
 * that overruns it is terminated, the input counts as a `time` failure, and a fresh worker takes
 * the next input, so no input can hang a run (a lint is synchronous and cannot be stopped from
 * inside its thread). Results are reported in index order and the counts do not depend on
 * `--jobs`: for a given `--count` they are the same on every run but for `time`, which depends on
 * the machine.
 *
 * Checks per input:
 *   exception          the runner threw (other than "beyond a parser's limit", a normal outcome)
 *   internal-error     the engine reported an internal error (a rule or the engine failed)
 *   range              a finding's, related location's or edit's range outside the text
 *   overlapping-edits  a fix whose edits overlap (or leave the text)
 *   determinism        the same input linted twice gives two different results
 *   incremental        an editor's lint (previous parse kept, then the edit) differs from a fresh lint
 *   time               a lint took longer than timeBudgetMs (2 s + 20 ms per KB; the faster of two),
 *                      or the input's checks ran past the hard limit and were stopped
 *   memory             a lint grew the heap by more than MEMORY_BUDGET_MB, or the worker ran out of
 *                      its WORKER_HEAP_MB
 *   fix-breaks-parse   a safe or unsafe fix turns text that parsed into text that does not
 *   fix-adds-finding   after a fix its finding is still there, or another rule finds more
 *                      (both on text that parses: elsewhere the parser's recovery decides)
 * Exits 1 when any check failed.
 */

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { CHECKS, MEMORY_BUDGET_MB, timeBudgetMs, type Check, type Failure } from './fuzz-checks';
import { fuzzInput, readFixtures, schemaDialects } from './fuzz-inputs';
import type { InputRequest, WorkerMessage, WorkerSetup } from './fuzz-worker';

/**
 * An input's checks lint it about four to eight times, each within timeBudgetMs when all is well;
 * past this many budgets the input is stopped as a runaway.
 */
const HARD_LIMIT_FACTOR = 5;
/** A worker's heap: a lint that needs more is stopped as a `memory` failure instead of ending the run. */
const WORKER_HEAP_MB = 2_048;
/** How long a fresh worker may take to load the Python grammar and read the fixtures. */
const STARTUP_LIMIT_MS = 60_000;

const REPO_ROOT = join(__dirname, '..', '..');

interface Options {
  seed: number;
  count: number | null;
  seconds: number | null;
  index: number | null;
  jobs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { seed: 1, count: null, seconds: null, index: null, jobs: 1 };
  for (let at = 0; at < argv.length; at++) {
    const flag = argv[at];
    const value = argv[at + 1];
    const number = (): number => {
      const parsed = Number(value);
      if (value === undefined || !Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, got ${value ?? 'nothing'}`);
      at++;
      return parsed;
    };
    if (flag === '--seed' && value === 'random') {
      options.seed = Math.floor(Math.random() * 2 ** 31);
      at++;
    } else if (flag === '--seed') options.seed = number();
    else if (flag === '--count') options.count = number();
    else if (flag === '--time') options.seconds = number();
    else if (flag === '--index') options.index = number();
    else if (flag === '--jobs') options.jobs = Math.max(1, number());
    else throw new Error(`unknown option ${flag ?? ''}: npm run fuzz -- [--seed N|random] [--count N | --time SECONDS] [--index I] [--jobs N]`);
  }
  if (options.count === null && options.seconds === null) options.count = 500;
  return options;
}

/** What became of one input. */
interface Outcome {
  index: number;
  description: string;
  failures: Failure[];
  ms: number;
}

/**
 * Worker threads that check inputs, one at a time each, and replace a worker that overruns its
 * input's hard limit, runs out of memory or dies. `next` is asked for the index to check next
 * (null: no more); every index handed out ends in exactly one outcome, unless stop() is called.
 */
class FuzzPool {
  private readonly workers = new Set<Worker>();
  private stopped = false;
  private running = 0;
  private resolveIdle: (() => void) | null = null;
  /** Why the run could not go on (a worker that fails before its first input will fail every time). */
  fatal: string | null = null;

  constructor(
    private readonly seed: number,
    private readonly next: () => number | null,
    private readonly report: (outcome: Outcome) => void,
    private readonly onBegin: (index: number, description: string) => void,
  ) {}

  /** Starts `jobs` workers and resolves when every index has its outcome (or stop() was called). */
  run(jobs: number): Promise<void> {
    const idle = new Promise<void>((resolve) => {
      this.resolveIdle = resolve;
    });
    for (let job = 0; job < jobs; job++) this.startWorker();
    return idle;
  }

  /** Terminates the workers; the inputs they were checking get no outcome. */
  stop(): void {
    this.stopped = true;
    for (const worker of this.workers) void worker.terminate();
    this.workers.clear();
    this.resolveIdle?.();
  }

  private startWorker(): void {
    if (this.stopped) return;
    this.running++;
    const setup: WorkerSetup = { seed: this.seed };
    const worker = new Worker(join(__dirname, 'fuzz-worker.js'), { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.workers.add(worker);
    let current: { index: number; description: string } | null = null;
    let timer: NodeJS.Timeout | null = setTimeout(() => fail('exception', `the worker did not start within ${STARTUP_LIMIT_MS / 1000} s`), STARTUP_LIMIT_MS);
    let finished = false;
    const clearTimer = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    };
    const retire = (): void => {
      finished = true;
      clearTimer();
      this.workers.delete(worker);
      this.running--;
    };
    const ask = (): void => {
      const index = this.stopped ? null : this.next();
      if (index === null) {
        retire();
        void worker.terminate();
        if (this.running === 0) this.resolveIdle?.();
        return;
      }
      current = { index, description: '(not yet made)' };
      const request: InputRequest = { index };
      worker.postMessage(request);
    };
    /** The worker is beyond use: its input (if any) fails with `check`, and a fresh worker carries on. */
    const fail = (check: Check, detail: string): void => {
      if (finished) return;
      retire();
      void worker.terminate();
      if (this.stopped) return;
      if (current !== null) this.report({ index: current.index, description: current.description, failures: [{ check, detail }], ms: 0 });
      else {
        this.fatal = `a fuzz worker failed before its first input: ${detail}`;
        this.stop();
        return;
      }
      this.startWorker();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (finished) return;
      if (message.type === 'ready') {
        clearTimer();
        ask();
      } else if (message.type === 'begin') {
        current = { index: message.index, description: message.description };
        this.onBegin(message.index, message.description);
        const limit = HARD_LIMIT_FACTOR * timeBudgetMs(message.characters);
        timer = setTimeout(() => fail('time', `the checks ran past the hard limit of ${(limit / 1000).toFixed(0)} s (${HARD_LIMIT_FACTOR} times the budget for ${message.characters} characters) and were stopped`), limit);
      } else {
        clearTimer();
        this.report({ index: message.index, description: current?.description ?? '', failures: message.failures, ms: message.ms });
        current = null;
        ask();
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') fail('memory', `the worker ran out of its ${WORKER_HEAP_MB} MB heap`);
      else fail('exception', `the worker died: ${error.message}`);
    });
    worker.on('exit', (code) => fail('exception', `the worker exited with code ${code}`));
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const reproduce = (index: number): string => `npm run fuzz -- --seed ${options.seed} --index ${index}`;
  const trace = process.env['FAULTLINE_FUZZ_TRACE'] !== undefined;

  if (options.index !== null) {
    const dialects = schemaDialects(REPO_ROOT);
    const input = fuzzInput(options.seed, options.index, readFixtures(REPO_ROOT, dialects), dialects);
    const file = join(tmpdir(), `faultline-fuzz-${options.seed}-${options.index}${input.path.slice(input.path.lastIndexOf('.'))}`);
    writeFileSync(file, input.text);
    process.stdout.write(`seed ${options.seed}, index ${options.index}: ${input.kind}\n  path ${input.path}, ${input.languageId}, ${input.dialect}, ${input.text.length} characters, written to ${file}\n`);
    const outcomes: Outcome[] = [];
    const indexes = [options.index];
    const pool = new FuzzPool(options.seed, () => indexes.pop() ?? null, (outcome) => outcomes.push(outcome), () => undefined);
    await pool.run(1);
    if (pool.fatal !== null) throw new Error(pool.fatal);
    const { failures, ms } = outcomes[0] ?? { failures: [], ms: 0 };
    for (const failure of failures) process.stdout.write(`  ${failure.check}: ${failure.detail}\n`);
    process.stdout.write(`  ${failures.length === 0 ? 'every check passed' : `${failures.length} failure(s)`} (${ms.toFixed(0)} ms)\n`);
    return failures.length === 0 ? 0 : 1;
  }

  process.stdout.write(`fuzz: seed ${options.seed}, ${options.count !== null ? `${options.count} inputs` : `${options.seconds} s`}, ${options.jobs} worker${options.jobs === 1 ? '' : 's'}, dialects ${schemaDialects(REPO_ROOT).join(' ')}; per-file budget 2 s + 20 ms per KB, ${MEMORY_BUDGET_MB} MB, an input stopped at ${HARD_LIMIT_FACTOR} budgets\n`);
  const counts = new Map<Check, number>(CHECKS.map((check) => [check, 0]));
  const started = performance.now();
  let slowest = { ms: 0, index: 0 };
  let handedOut = 0;
  let checked = 0;
  let failed = 0;
  // Outcomes arrive in any order from several workers; they are printed in index order.
  const waiting = new Map<number, Outcome>();
  let printed = 0;
  const print = (outcome: Outcome): void => {
    if (outcome.failures.length === 0) return;
    process.stdout.write(`FAIL seed ${options.seed} index ${outcome.index}: ${outcome.description}\n`);
    for (const failure of outcome.failures.slice(0, 5)) process.stdout.write(`  ${failure.check}: ${failure.detail}\n`);
    process.stdout.write(`  reproduce: ${reproduce(outcome.index)}\n`);
  };
  const record = (outcome: Outcome): void => {
    checked++;
    if (outcome.ms > slowest.ms || (outcome.ms === slowest.ms && outcome.index < slowest.index)) slowest = { ms: outcome.ms, index: outcome.index };
    const seen = new Set<Check>();
    for (const failure of outcome.failures) {
      if (!seen.has(failure.check)) counts.set(failure.check, (counts.get(failure.check) ?? 0) + 1);
      seen.add(failure.check);
    }
    if (outcome.failures.length > 0) failed++;
    waiting.set(outcome.index, outcome);
    for (let ready = waiting.get(printed); ready !== undefined; ready = waiting.get(printed)) {
      print(ready);
      waiting.delete(printed);
      printed++;
    }
  };
  let lastProgress = started;
  const next = (): number | null => {
    const now = performance.now();
    if (options.count !== null ? handedOut >= options.count : now - started >= (options.seconds ?? 0) * 1000) return null;
    if (now - lastProgress > 30_000) {
      lastProgress = now;
      process.stdout.write(`  ... ${checked} inputs, ${failed} failed, ${((now - started) / 1000).toFixed(0)} s\n`);
    }
    return handedOut++;
  };
  const pool = new FuzzPool(options.seed, next, record, (index, description) => {
    if (trace) process.stderr.write(`index ${index}: ${description}\n`);
  });
  // Ctrl-C (and CI's `timeout --signal=INT`): the summary of what was checked, then exit.
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    pool.stop();
  });
  await pool.run(options.jobs);
  if (pool.fatal !== null) throw new Error(pool.fatal);
  // An interrupted run's outcomes after a gap (an input still running) are printed now.
  for (const index of [...waiting.keys()].sort((a, b) => a - b)) print(waiting.get(index) as Outcome);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`fuzz: seed ${options.seed}: ${checked} inputs in ${seconds.toFixed(0)} s (${(checked / seconds).toFixed(1)} per s, ${options.jobs} worker${options.jobs === 1 ? '' : 's'})${interrupted ? ', interrupted' : ''}, ${failed} failed; ${CHECKS.map((check) => `${check} ${counts.get(check) ?? 0}`).join(', ')}; slowest ${slowest.ms.toFixed(0)} ms (index ${slowest.index})\n`);
  return failed === 0 && !interrupted ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
