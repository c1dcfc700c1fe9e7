/**
 * Worker threads that run the front end's own bundle again in another role: the CLI's audit
 * workers (cli/audit-pool.ts) and the language server's analysis worker (lsp/analysis-worker.ts).
 * The thread is started from the running script (`new Worker(script, { workerData })`) with its
 * role in workerData; the entry point asks `hasWorkerRole` first and serves that role instead of
 * starting its command, so there is no second bundle to build or ship.
 */

import { isMainThread, Worker, workerData, type ResourceLimits } from 'node:worker_threads';

/** True in a thread started by startRoleWorker with this role. */
export function hasWorkerRole(role: string): boolean {
  if (isMainThread) return false;
  const data: unknown = workerData;
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === role;
}

export function startRoleWorker(script: string, role: string, resourceLimits: ResourceLimits): Worker {
  return new Worker(script, { workerData: { role }, resourceLimits });
}
