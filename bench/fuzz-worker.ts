/**
 * A fuzzer worker thread (bench/fuzz.ts starts them): it makes the inputs it is sent by index
 * from the run's seed, runs every check on each (bench/fuzz-checks.ts) and posts the outcome. An
 * input whose checks run away is the main thread's to stop: it terminates this thread and starts
 * another, which is why a lint here never has to be interruptible.
 */

import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadPythonParser } from '../server/src/workspace/python';
import { checkInput, type Failure } from './fuzz-checks';
import { fuzzInput, readFixtures, schemaDialects } from './fuzz-inputs';

export interface WorkerSetup {
  seed: number;
}

/** Main thread to worker: check input `index` of the run's seed. */
export interface InputRequest {
  index: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  /** Sent before the checks start, so that the main thread can time them against the input's size. */
  | { type: 'begin'; index: number; characters: number; description: string }
  | { type: 'done'; index: number; failures: Failure[]; ms: number };

const REPO_ROOT = join(__dirname, '..', '..');

async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('bench/fuzz-worker.js runs only as a worker thread of bench/fuzz.js');
  const { seed } = workerData as WorkerSetup;
  const problem = await loadPythonParser();
  if (problem !== null) throw new Error(problem);
  const dialects = schemaDialects(REPO_ROOT);
  const fixtures = readFixtures(REPO_ROOT, dialects);
  const post = (message: WorkerMessage): void => port.postMessage(message);
  port.on('message', ({ index }: InputRequest) => {
    const input = fuzzInput(seed, index, fixtures, dialects);
    post({ type: 'begin', index, characters: input.text.length, description: `${input.kind}; ${input.path} (${input.dialect})` });
    let outcome: { failures: Failure[]; ms: number };
    try {
      outcome = checkInput(input, seed);
    } catch (error) {
      // The checks themselves should not throw; if they do, it is the input's failure.
      outcome = { failures: [{ check: 'exception', detail: `in the checks: ${error instanceof Error ? error.message : String(error)}` }], ms: 0 };
    }
    post({ type: 'done', index, ...outcome });
  });
  post({ type: 'ready' });
}

void serve();
