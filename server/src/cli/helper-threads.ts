/**
 * On Linux, lowers the scheduling priority of the threads V8 does its background work on
 * (optimizing compiles, parallel and concurrent garbage collection) below the main thread's, for
 * the length of an audit.
 *
 * Why: an audit compiles the TypeScript parser's hot code while it runs, and that work, on the
 * process's helper threads, is a large share of all the CPU an audit uses (on the reference
 * corpus, 2 cores: 1.9 s of helper time beside 2.2 s on the main thread). With two cores, the
 * busy helpers and the main thread take turns, and the main thread, which does the audit, waits.
 * At a lower priority the helpers use whatever core the main thread leaves free. The main thread
 * never waits on their work without doing it itself: a scavenge's parallel tasks fall back to
 * the thread that started it, and a function runs its unoptimized code until its optimized code
 * is ready. Measured on the reference corpus: about 6% faster (bench/audit-speed.ts).
 *
 * Linux only: setpriority on a thread id changes that thread alone there. Elsewhere, and wherever
 * /proc cannot be read, nothing changes.
 */

import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** How much lower than the main thread's the helpers' priority is set (19 is the lowest there is). */
const NICENESS_ABOVE_MAIN = 10;
const LOWEST_PRIORITY = 19;

export function lowerHelperThreadPriority(): void {
  if (process.platform !== 'linux' || !isMainThread) return;
  let threads: string[];
  let main: number;
  try {
    threads = readdirSync('/proc/self/task');
    // The main thread's id is the process id.
    main = getPriority(process.pid);
  } catch {
    return;
  }
  const helpers = Math.min(LOWEST_PRIORITY, main + NICENESS_ABOVE_MAIN);
  for (const thread of threads) {
    const id = Number(thread);
    if (!Number.isSafeInteger(id) || id === process.pid) continue;
    try {
      // Only ever lowered: a helper already below that (or one that ended meanwhile) is left be.
      if (getPriority(id) < helpers) setPriority(id, helpers);
    } catch {
      // The thread ended, or the system refuses: the audit is as fast as it was.
    }
  }
}
