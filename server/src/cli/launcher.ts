/**
 * The `faultline` command as installed: a few lines that start the CLI bundle (faultline-cli.js,
 * beside this file) through V8's code cache. The bundle holds the TypeScript compiler and the SQL
 * grammars, 13 MB of JavaScript that Node would otherwise compile again in every process and in
 * every audit worker thread; with the cache a start skips that compile, and also the lazy compile
 * of each function the previous run used. (Node 22 has this built in as module.enableCompileCache;
 * Node 20 does not.)
 *
 * The cache is a file in the system's temporary folder named after the bundle's path, size and
 * modification time, written by the main thread when a run ends and no usable cache was there
 * (first run after an install or a build). V8 checks the data against the source and flags it
 * rejected when it does not fit; a rejected or unreadable cache only costs the compile it would
 * have saved. FAULTLINE_COMPILE_CACHE=off turns it off.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { limitHeapGrowth } from '../workspace/heap-growth';

const BUNDLE = join(__dirname, 'faultline-cli.js');

function cacheFileFor(bundle: string): string | null {
  if (process.env.FAULTLINE_COMPILE_CACHE === 'off') return null;
  try {
    const { size, mtimeMs } = statSync(bundle);
    const key = createHash('sha256').update(`${bundle}\0${size}\0${mtimeMs}\0${process.version}`).digest('hex').slice(0, 24);
    return join(tmpdir(), 'faultline-compile-cache', `${key}.bin`);
  } catch {
    return null;
  }
}

function readCache(file: string | null): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a concurrent run never reads half a file. */
function writeCache(file: string, data: Buffer): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, file);
  } catch {
    // A read-only or full temporary folder: the next run compiles again, nothing else changes.
    return;
  }
  removeStaleCaches(dirname(file), basename(file));
}

/** A cache not written for this long belongs to a build or a Node version that is likely gone. */
const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

/**
 * Every build, update or Node version writes a cache of its own (tens of MB); without this the
 * folder only grows. Runs only when a cache is written, so at most once per build. A cache still
 * in use that is removed is written again by its next run.
 */
function removeStaleCaches(folder: string, keep: string): void {
  try {
    const now = Date.now();
    for (const name of readdirSync(folder)) {
      if (name === keep || !(name.endsWith('.bin') || name.endsWith('.tmp'))) continue;
      const path = join(folder, name);
      if (now - statSync(path).mtimeMs > STALE_AFTER_MS) unlinkSync(path);
    }
  } catch {
    // Another process removed it first, or the folder is not ours to clean: nothing to do.
  }
}

function start(): void {
  // Before the bundle is compiled: V8 checks a code cache against the flags it was made under,
  // so a flag set later in the run would make every next run reject the cache it wrote.
  limitHeapGrowth();
  // `faultline roles | head`: the reader went away, which is the user's choice, not an error.
  if (isMainThread) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  // esbuild writes the bundle in ASCII (non-ASCII characters escaped; a test checks), so it is
  // read as latin1, which is the same text and skips UTF-8 decoding: 3 ms instead of 20-30 for
  // 13 MB, on every start.
  const source = readFileSync(BUNDLE, 'latin1').replace(/^#!.*/, '');
  const cacheFile = cacheFileFor(BUNDLE);
  const cachedData = readCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  if (isMainThread && cacheFile !== null && (cachedData === undefined || script.cachedDataRejected === true)) {
    // After the run, so that the functions it compiled on first use are in the cache too.
    process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
  }
  const compiled = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;
  const bundleModule = new Module(BUNDLE, module);
  bundleModule.filename = BUNDLE;
  compiled.call(bundleModule.exports, bundleModule.exports, createRequire(BUNDLE), bundleModule, BUNDLE, dirname(BUNDLE));
}

start();
