/**
 * The language server's watchdog (issue #15): open documents are linted on one worker thread,
 * where an analysis that runs away can be stopped. TypeScript's parser takes exponential time on
 * some half-typed code (nested unclosed `async (` arrows: 620 bytes take 14 s), and nothing inside
 * a synchronous parse can be interrupted; a thread can be terminated. On the main thread such a
 * document froze diagnostics, code actions and the audit for every other document.
 *
 * One lint runs at a time, under a budget that starts when the worker begins it (not while the
 * thread starts or waits). Past the budget the worker is terminated and a new one started; that
 * document is "too complex", and is linted again only after the documents waiting behind it, and
 * under a short budget (a keystroke in it must not hold up the others for the full budget). A
 * worker that dies (out of memory on a huge document) costs that document, which says so, and is
 * replaced too. Requests for the same document are coalesced: only its newest version is linted.
 * The worker keeps the previous parse of the most recently edited documents, as analysis.ts did
 * on the main thread, so editing stays incremental.
 *
 * The workspace audit lints its files on a worker of its own, made by the same function and
 * closed when the audit ends: a pathological file in the workspace is stopped the same way and
 * listed as not analysed, and open documents never wait behind a long audit.
 */

import { parentPort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { lintDocument, RULES, type LanguageId, type LintCache, type LintResult, type LintSettings, type ProjectFacts } from '../../../rules';
import { loadPythonParser } from '../workspace/python';
import { hasWorkerRole, startRoleWorker } from '../workspace/role-workers';
import { withPlantedFault } from '../workspace/test-fault';

const WORKER_ROLE = 'faultline-analysis-worker';
/** What a worker lints: open documents, or the files of one audit. */
export type AnalysisWorkerUse = 'documents' | 'audit';
/**
 * The worker's heap is capped so that a document whose analysis would take all the memory there
 * is kills the worker, not the server (a 50 MB .sql ran the server out of memory); open documents
 * are at most 5 MB (MAX_DOCUMENT_CHARACTERS), whose syntax trees fit well under this. An audit's
 * worker lints files of up to the audit's size limit (1 MB by default) one after another and
 * keeps nothing, so its young generation is smaller: those pages count in the audit's memory
 * peak (bench/scale-memory.ts, 3,000 files: 280 MB instead of 310 MB).
 */
const WORKER_RESOURCE_LIMITS: Record<AnalysisWorkerUse, ResourceLimits> = {
  documents: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 48 },
  audit: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 16 },
};
/**
 * The per-document budget: 5 s plus 2 ms per kilobyte (a 5 MB document, the largest analysed, 15 s).
 * A lint takes milliseconds to a second on real files; the fuzzer's budget for the engine
 * (bench/fuzz.ts) is tighter, this one only catches what runs away.
 */
export function analysisBudgetMs(characters: number): number {
  return BUDGET_OVERRIDE_MS ?? 5_000 + (2 * characters) / 1024;
}
/**
 * `FAULTLINE_ANALYSIS_BUDGET_MS` replaces the budget: the tests' way to see the watchdog stop a
 * file that is merely slow, since the engine refuses the inputs known to run away before it starts.
 */
const BUDGET_OVERRIDE_MS = budgetOverride(process.env.FAULTLINE_ANALYSIS_BUDGET_MS);

function budgetOverride(value: string | undefined): number | undefined {
  const milliseconds = Number(value);
  return value !== undefined && Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds : undefined;
}
/**
 * The budget of a document whose last analysis was stopped: typing in it asks again on every
 * change, and while it is still too complex each try holds up the other documents only this long.
 * Once its text is readable again it lints in well under this.
 */
const RETRY_BUDGET_MS = 1_000;
/** Previous parses kept for incremental re-parsing: a syntax tree costs about a megabyte of source. */
const PARSE_CACHE_LIMIT = 8;

export interface LintRequest {
  uri: string;
  version: number;
  /** The path the engine is given (inside the project). */
  path: string;
  languageId: LanguageId;
  text: string;
  settings: LintSettings;
  /** What the file's project says about it (read on the server's thread). */
  project?: ProjectFacts;
  /**
   * An open document, edited again soon: the worker keeps its parse so that the next edit
   * re-parses incrementally. A file read from disk (an audit's) is linted once: nothing is kept.
   */
  incremental: boolean;
}

type WorkerMessage = { kind: 'lint'; id: number; request: LintRequest } | { kind: 'forget'; uri: string };
type WorkerReply = { kind: 'ready' } | { kind: 'started'; id: number } | { kind: 'linted'; id: number; result: LintResult };

/** A lint's outcome: the engine's result, or why there is none (null: a newer version replaced the request). */
export type LintOutcome = { result: LintResult } | { notAnalysed: string } | null;

export function isAnalysisWorker(): boolean {
  return hasWorkerRole(WORKER_ROLE);
}

/** The document's kept parse, marked as the most recently used; the least recently used beyond the limit is dropped. */
function keptParse(parseCaches: Map<string, LintCache>, uri: string): LintCache {
  // Map order is insertion order: re-inserting marks the document as most recently used.
  const cache = parseCaches.get(uri) ?? {};
  parseCaches.delete(uri);
  parseCaches.set(uri, cache);
  if (parseCaches.size > PARSE_CACHE_LIMIT) {
    const oldest = parseCaches.keys().next().value;
    if (oldest !== undefined) parseCaches.delete(oldest);
  }
  return cache;
}

/** The worker's side: lint what it is sent, keeping the last parses for the next edits. */
export function serveAnalysisWorker(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveAnalysisWorker called outside a worker thread');
  const parseCaches = new Map<string, LintCache>();
  port.on('message', async (message: WorkerMessage) => {
    if (message.kind === 'forget') {
      parseCaches.delete(message.uri);
      return;
    }
    const { id, request } = message;
    // The Python grammar is loaded once per thread, before the budget starts.
    if (request.languageId === 'python') await loadPythonParser();
    port.postMessage({ kind: 'started', id } satisfies WorkerReply);
    const cache = request.incremental ? keptParse(parseCaches, request.uri) : undefined;
    const result = lintDocument(withPlantedFault({ path: request.path, languageId: request.languageId, text: request.text, ...(request.project === undefined ? {} : { project: request.project }) }), request.settings, RULES, cache);
    port.postMessage({ kind: 'linted', id, result } satisfies WorkerReply);
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

export interface AnalysisWorker {
  lint(request: LintRequest): Promise<LintOutcome>;
  /** Drops a closed document: its waiting request and its kept parse. */
  forget(uri: string): void;
  /**
   * Ends the thread and answers every request not yet linted with null: an audit's worker, once
   * the audit is done or cancelled, so that its heap goes back. A later lint starts a new thread.
   */
  close(): void;
}

interface Waiting {
  request: LintRequest;
  resolve: (outcome: LintOutcome) => void;
}

/**
 * The main thread's side. `script` is the server's own bundle; `log` reports a stopped analysis.
 */
export function createAnalysisWorker(script: string, log: (message: string) => void, use: AnalysisWorkerUse, budgetMs: (characters: number) => number = analysisBudgetMs): AnalysisWorker {
  let worker: Worker | null = null;
  let ready = false;
  /** Waiting requests by uri, in the order they came: a newer version replaces an older one. */
  const waiting = new Map<string, Waiting>();
  let running: (Waiting & { id: number; timer: NodeJS.Timeout | null }) | null = null;
  let nextId = 0;
  /** Documents whose last analysis was stopped: they go after every other waiting document. */
  const stopped = new Set<string>();

  const finish = (outcome: LintOutcome): void => {
    const current = running;
    if (current === null) return;
    if (current.timer !== null) clearTimeout(current.timer);
    running = null;
    current.resolve(outcome);
    if (outcome !== null && 'result' in outcome) stopped.delete(current.request.uri);
    setImmediate(next);
  };

  const replaceWorker = (reason: string): void => {
    const dead = worker;
    worker = null;
    ready = false;
    if (dead !== null) void dead.terminate();
    const current = running;
    if (current !== null) {
      stopped.add(current.request.uri);
      log(`Faultline stopped analysing ${current.request.path}: ${reason}. The other files are analysed as usual.`);
      finish({ notAnalysed: reason });
      return;
    }
    // A thread that died before it was given a file could not start: the oldest request gets the
    // reason, so that no request waits for a thread that never comes, and each new try costs one.
    const first = take();
    if (first === undefined) return;
    log(`Faultline could not start its analysis thread, so ${first.request.path} is not analysed: ${reason}.`);
    first.resolve({ notAnalysed: reason });
    setImmediate(next);
  };

  const start = (): Worker => {
    const started = startRoleWorker(script, WORKER_ROLE, WORKER_RESOURCE_LIMITS[use]);
    // An idle worker does not keep the server running once the client has gone.
    started.unref();
    started.on('message', (reply: WorkerReply) => {
      if (started !== worker) return;
      if (reply.kind === 'ready') {
        ready = true;
        next();
      } else if (reply.kind === 'started' && running?.id === reply.id) {
        const characters = running.request.text.length;
        const budget = stopped.has(running.request.uri) ? Math.min(RETRY_BUDGET_MS, budgetMs(characters)) : budgetMs(characters);
        running.timer = setTimeout(() => replaceWorker(`too complex: its analysis ran past the ${(budget / 1000).toFixed(0)} s budget, so it was stopped`), budget);
      } else if (reply.kind === 'linted' && running?.id === reply.id) {
        finish({ result: reply.result });
      }
    });
    started.on('error', (error: Error & { code?: string }) => {
      if (started !== worker) return;
      replaceWorker(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'too large: its analysis ran out of memory' : `internal error: ${error.message}`);
    });
    started.on('exit', () => {
      if (started === worker) replaceWorker('internal error: the analysis thread exited');
    });
    return started;
  };

  /** The next request to run: the oldest waiting one, unless it is a document stopped before and others wait. */
  const take = (): Waiting | undefined => {
    for (const [uri, entry] of waiting) {
      if (!stopped.has(uri)) {
        waiting.delete(uri);
        return entry;
      }
    }
    const first = waiting.entries().next().value;
    if (first === undefined) return undefined;
    waiting.delete(first[0]);
    return first[1];
  };

  function next(): void {
    if (running !== null) return;
    if (worker === null) {
      if (waiting.size === 0) return;
      worker = start();
      return;
    }
    if (!ready) return;
    const entry = take();
    if (entry === undefined) return;
    const id = nextId++;
    running = { ...entry, id, timer: null };
    worker.postMessage({ kind: 'lint', id, request: entry.request } satisfies WorkerMessage);
  }

  return {
    lint(request) {
      return new Promise((resolve) => {
        waiting.get(request.uri)?.resolve(null);
        waiting.delete(request.uri);
        waiting.set(request.uri, { request, resolve });
        next();
      });
    },
    forget(uri) {
      waiting.get(uri)?.resolve(null);
      waiting.delete(uri);
      stopped.delete(uri);
      worker?.postMessage({ kind: 'forget', uri } satisfies WorkerMessage);
    },
    close() {
      const unanswered = [...waiting.values()];
      waiting.clear();
      const current = running;
      running = null;
      if (current !== null && current.timer !== null) clearTimeout(current.timer);
      const closing = worker;
      // Forgotten first, so that its exit is not taken for a death to recover from.
      worker = null;
      ready = false;
      if (closing !== null) void closing.terminate();
      current?.resolve(null);
      for (const entry of unanswered) entry.resolve(null);
    },
  };
}
