/**
 * Gives memory back after a burst of work. Linting many files at once (opening a folder, an
 * audit) grows V8's heap, and a server that then sits waiting for input keeps those pages: Node
 * runs no idle-time collection of its own. One full collection a few seconds after the last
 * piece of work lets V8 release them (measured with bench/server-memory.ts: about 200 MB resident
 * right after opening 200 documents, about 140 MB some seconds later).
 *
 * The collection needs V8's `gc` function, which Node exposes only under --expose-gc; the flag is
 * set at run time here, the way the widely used expose-gc package does it. Where that fails the
 * collector does nothing, and memory behaves as it did without it.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleCollector {
  /** Work just happened: collect once the server has been idle for the delay. */
  touch(): void;
}

function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export function createIdleCollector(delayMs: number): IdleCollector {
  const gc = exposeGc();
  let timer: NodeJS.Timeout | null = null;
  return {
    touch() {
      if (gc === null) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        gc();
      }, delayMs);
      // Never the reason the process stays alive.
      timer.unref();
    },
  };
}
