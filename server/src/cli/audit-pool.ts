/**
 * Lints an audit's files on worker threads (audit.ts decides how many). The main thread keeps
 * walking, hashing and printing; it hands the workers batches of file paths (never file text:
 * each worker reads its own files, so reading is parallel too) and gets plain findings back. Two
 * batches are in flight per worker so a worker never waits for the main thread between batches,
 * and batches are small so one slow file does not leave the other core idle at the end.
 *
 * The worker is the CLI's own command started again in another role (workspace/role-workers.ts;
 * the launcher when there is one, so workers get the compile cache too); main.ts sees the role
 * and serves batches instead of running a command.
 */

import { parentPort, type Worker } from 'node:worker_threads';
import type { LintSettings } from '../../../rules/index';
import { loadPythonParser } from '../workspace/python';
import { hasWorkerRole, startRoleWorker } from '../workspace/role-workers';
import { lintJob, type FileJob, type FileResult } from './audit-job';

const WORKER_ROLE = 'faultline-audit-worker';
/**
 * Each worker's heap is capped so that the audit stays within a few hundred megabytes whatever
 * the core count: without a cap V8 lets every isolate's heap grow far past what one file's syntax
 * tree needs before collecting. A batch whose worker runs out of memory anyway (a huge file) is
 * linted again on the main thread, which has no such cap.
 */
const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 112, maxYoungGenerationSizeMb: 24 };
const BATCH_SIZE = 8;
const BATCHES_IN_FLIGHT = 2;

interface BatchRequest {
  id: number;
  jobs: FileJob[];
  /** The settings the batch's jobs refer to by key. */
  settings: Record<string, LintSettings>;
}

interface BatchReply {
  id: number;
  results: FileResult[];
}

/** True in a thread started by lintInWorkers. */
export function isAuditWorker(): boolean {
  return hasWorkerRole(WORKER_ROLE);
}

/** The worker's side: lint each batch it is sent and post the results back. */
export function serveAuditWorker(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveAuditWorker called outside a worker thread');
  port.on('message', async (request: BatchRequest) => {
    // The Python parser is WebAssembly loaded asynchronously, once per thread, and only by a
    // worker that is sent a Python file; until it is ready Python files would get no findings.
    if (request.jobs.some((job) => job.languageId === 'python')) await loadPythonParser();
    const results = request.jobs.map((job) => {
      const settings = request.settings[job.settingsKey];
      if (settings === undefined) return { skipped: `internal error: no settings sent for ${job.settingsKey}` };
      return lintJob(job, settings);
    });
    const reply: BatchReply = { id: request.id, results };
    port.postMessage(reply);
  });
}

/**
 * Lints `jobs` on `workerCount` threads running `script` (the CLI's own file) and returns their
 * results in the order of `jobs`. `onDone` is called with the number of files finished so far.
 * `lintOnMainThread` lints the batches of a worker that died (out of memory on a huge file).
 * `keep` is applied to each result as it arrives, before the next batch's (it may compact it).
 */
export function lintInWorkers(
  script: string,
  jobs: readonly FileJob[],
  settingsByKey: ReadonlyMap<string, LintSettings>,
  workerCount: number,
  onDone: (done: number) => void,
  lintOnMainThread: (job: FileJob) => FileResult,
  keep: (result: FileResult) => FileResult = (result) => result,
): Promise<FileResult[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  const batches: { start: number; jobs: FileJob[] }[] = [];
  for (let start = 0; start < jobs.length; start += BATCH_SIZE) batches.push({ start, jobs: jobs.slice(start, start + BATCH_SIZE) });
  const results: (FileResult | undefined)[] = new Array<FileResult | undefined>(jobs.length);
  let nextBatch = 0;
  let finishedBatches = 0;
  let done = 0;

  return new Promise((resolve) => {
    const workers = new Set<Worker>();
    /** Batch ids each live worker was sent and has not answered yet. */
    const inFlight = new Map<Worker, Set<number>>();

    const finishBatch = (id: number, batchResults: readonly FileResult[]): void => {
      const batch = batches[id];
      if (batch === undefined) return;
      batchResults.forEach((result, offset) => {
        results[batch.start + offset] = keep(result);
      });
      done += batchResults.length;
      finishedBatches++;
      onDone(done);
      if (finishedBatches === batches.length) {
        // Forgotten first, so that their exit events are not taken for deaths to recover from.
        inFlight.clear();
        for (const worker of workers) void worker.terminate();
        resolve(results.map((result) => result ?? { skipped: 'internal error: no result from the worker' }));
      }
    };
    const send = (worker: Worker): void => {
      const batch = batches[nextBatch];
      if (batch === undefined) return;
      const settings: Record<string, LintSettings> = {};
      for (const job of batch.jobs) {
        const entry = settingsByKey.get(job.settingsKey);
        if (entry !== undefined) settings[job.settingsKey] = entry;
      }
      const request: BatchRequest = { id: nextBatch, jobs: batch.jobs, settings };
      inFlight.get(worker)?.add(nextBatch);
      nextBatch++;
      worker.postMessage(request);
    };
    /** A dead worker's unanswered batches, then (if it was the last one) the rest, on this thread. */
    const recover = (worker: Worker): void => {
      const pending = inFlight.get(worker) ?? new Set<number>();
      workers.delete(worker);
      inFlight.delete(worker);
      const ids = [...pending];
      if (workers.size === 0) {
        while (nextBatch < batches.length) ids.push(nextBatch++);
      }
      for (const id of ids) finishBatch(id, (batches[id]?.jobs ?? []).map(lintOnMainThread));
    };

    const count = Math.max(1, Math.min(workerCount, batches.length));
    for (let index = 0; index < count; index++) {
      const worker = startRoleWorker(script, WORKER_ROLE, WORKER_RESOURCE_LIMITS);
      workers.add(worker);
      inFlight.set(worker, new Set());
      worker.on('message', (reply: BatchReply) => {
        inFlight.get(worker)?.delete(reply.id);
        send(worker);
        finishBatch(reply.id, reply.results);
      });
      worker.on('error', () => recover(worker));
      worker.on('exit', () => {
        if (inFlight.has(worker)) recover(worker);
      });
      for (let sent = 0; sent < BATCHES_IN_FLIGHT; sent++) send(worker);
    }
  });
}
