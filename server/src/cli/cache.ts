/**
 * The audit cache (`.faultline-cache/`, or `--cache-location`): each file's results keyed by the
 * hash of its content, the hash of the settings that applied to it and its project path, in
 * stores stamped with the tool's identity (version and build). An edit, a config change (new
 * settings hash) and a new Faultline (new stamp, stale stores dropped) each miss.
 *
 * Reading and hashing every file is most of a warm re-audit, so the cache also remembers, by
 * path, the hash a file's content had at a given size and modification time (its stamp, from the
 * walk's stat): a file whose stamp has not changed is not read again. That trusts modification
 * times the way make, tsc --incremental and ESLint's default cache strategy do; an edit that
 * keeps both the size and the time to the sub-millisecond is not seen.
 *
 * Results live in 256 shard files (`results/xx.json`, by the first two hex digits of the content
 * hash), not one store: a store of every result of a 60,000-file tree is hundreds of megabytes of
 * JSON, and reading or writing it as one string made a run's memory grow with its findings (#15).
 * Lookups are answered a shard at a time, and a shard is rewritten only when this run added to it
 * (merged with what is on disk then, so two CI jobs sharing a cache folder lose nothing but a
 * race). Every file is written atomically (temp file + rename), so no run reads a half-written
 * one; a file that cannot be read or written is ignored and those files are linted.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult } from './audit-job';

const CONTENTS_FILE = 'contents.json';
const RESULTS_FOLDER = 'results';
/** The single store of earlier versions: removed when the sharded one is first written. */
const LEGACY_STORE_FILE = 'audit-cache.json';
const STORE_FORMAT = 3;
const SHARD_COUNT = 256;
/** Entries this audit did not touch are kept (another shard or path may want them) up to this many in all. */
const UNTOUCHED_ENTRIES_KEPT = 20000;
const UNTOUCHED_ENTRIES_KEPT_PER_SHARD = Math.ceil(UNTOUCHED_ENTRIES_KEPT / SHARD_COUNT);
/** Known contents of paths this audit did not look at are dropped beyond this many (deleted files). */
const UNSEEN_CONTENTS_KEPT = 50000;

/** What a file's content was when the cache last read it at this size and modification time. */
export interface KnownContent {
  size: number;
  mtimeMs: number;
  hash: string;
  /** Whether the content holds a suppression directive (its results then depend on the date). */
  hasDirective: boolean;
}

interface ContentsStore {
  format: number;
  tool: string;
  contents: Record<string, KnownContent>;
}

interface ResultsShard {
  format: number;
  tool: string;
  entries: Record<string, FileResult>;
}

export interface AuditCache {
  /**
   * The cached result of each key (undefined: a miss), read one shard at a time; `keep` is given
   * each hit as its shard is read (it may compact it before the next shard is parsed).
   */
  lookupAll(keys: readonly string[], keep: (result: FileResult) => FileResult): (FileResult | undefined)[];
  store(key: string, result: FileResult): void;
  /** The content a file had when last read, if its size and modification time are still those. */
  knownContent(path: string, stamp: { size: number; mtimeMs: number }): KnownContent | undefined;
  rememberContent(path: string, content: KnownContent): void;
  /** Writes what changed; returns an error message when it could not be written. */
  save(): string | null;
}

export function hashText(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The cache key of a file: its content's hash, the hash of the settings that apply to it, and its project path. */
export function cacheKey(contentHash: string, projectPath: string, settingsHash: string): string {
  return `${contentHash}:${settingsHash}:${projectPath}`;
}

/** Keys start with a hex content hash, so its first two digits spread them evenly. */
function shardOfKey(key: string): string {
  const prefix = key.slice(0, 2).toLowerCase();
  return /^[0-9a-f]{2}$/.test(prefix) ? prefix : '00';
}

function isStamped(value: unknown, tool: string, field: 'contents' | 'entries'): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  const body = candidate[field];
  return candidate['format'] === STORE_FORMAT && candidate['tool'] === tool && typeof body === 'object' && body !== null;
}

/** The object stored in `path` if it is this tool's, else null (missing, unreadable, stale). */
function readStamped<T>(path: string, tool: string, field: 'contents' | 'entries'): T | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    // Another version's results may come from other rules: none of them can be trusted.
    return isStamped(parsed, tool, field) ? (parsed as T) : null;
  } catch {
    return null;
  }
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Opens the cache in `directory` for the tool identified by `tool`; a missing or stale one is empty. */
export function openCache(directory: string, tool: string): AuditCache {
  const resultsFolder = join(directory, RESULTS_FOLDER);
  const contents = readStamped<ContentsStore>(join(directory, CONTENTS_FILE), tool, 'contents')?.contents ?? {};
  let contentsChanged = false;
  const seen = new Set<string>();
  /** Per shard: keys this run found there (kept when the shard is rewritten), and results it added. */
  const hitKeys = new Map<string, Set<string>>();
  const added = new Map<string, Map<string, FileResult>>();
  /** Shards with more untouched entries than they may keep: rewritten even if nothing was added. */
  const overfull = new Set<string>();
  const readShard = (shard: string): Record<string, FileResult> => readStamped<ResultsShard>(join(resultsFolder, `${shard}.json`), tool, 'entries')?.entries ?? {};

  return {
    knownContent(path, stamp) {
      seen.add(path);
      const known = contents[path];
      return known !== undefined && known.size === stamp.size && known.mtimeMs === stamp.mtimeMs ? known : undefined;
    },
    rememberContent(path, content) {
      seen.add(path);
      contents[path] = content;
      contentsChanged = true;
    },
    lookupAll(keys, keep) {
      const found: (FileResult | undefined)[] = new Array<FileResult | undefined>(keys.length).fill(undefined);
      const indexesByShard = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const shard = shardOfKey(key);
        const indexes = indexesByShard.get(shard);
        if (indexes === undefined) indexesByShard.set(shard, [index]);
        else indexes.push(index);
      });
      // One shard in memory at a time: only the hits outlive the loop.
      for (const [shard, indexes] of indexesByShard) {
        const entries = readShard(shard);
        const hits = new Set<string>();
        for (const index of indexes) {
          const key = keys[index] ?? '';
          const hit = Object.hasOwn(entries, key) ? entries[key] : undefined;
          if (hit === undefined) continue;
          hits.add(key);
          found[index] = keep(hit);
        }
        hitKeys.set(shard, hits);
        if (Object.keys(entries).length - hits.size > UNTOUCHED_ENTRIES_KEPT_PER_SHARD) overfull.add(shard);
      }
      return found;
    },
    store(key, result) {
      const shard = shardOfKey(key);
      let results = added.get(shard);
      if (results === undefined) {
        results = new Map();
        added.set(shard, results);
      }
      results.set(key, result);
    },
    save() {
      const paths = Object.keys(contents);
      const dropsContents = paths.length - seen.size > UNSEEN_CONTENTS_KEPT;
      // A run that only reused results writes nothing: a warm re-audit of an unchanged tree
      // builds nothing to write.
      if (!contentsChanged && !dropsContents && added.size === 0 && overfull.size === 0) return null;
      try {
        mkdirSync(resultsFolder, { recursive: true });
        // The folder is a build artefact: keep it out of git without asking the user to.
        writeFileSync(join(directory, '.gitignore'), '*\n');
        rmSync(join(directory, LEGACY_STORE_FILE), { force: true });
        for (const shard of new Set([...added.keys(), ...overfull])) {
          // Read again rather than kept from the lookups: only one shard is in memory at a time,
          // and what another run wrote since is kept too.
          const previous = readShard(shard);
          const hits = hitKeys.get(shard) ?? new Set<string>();
          const results = added.get(shard) ?? new Map<string, FileResult>();
          const entries: Record<string, FileResult> = {};
          let kept = 0;
          for (const [key, result] of Object.entries(previous)) {
            if (results.has(key)) continue;
            if (!hits.has(key)) {
              if (kept >= UNTOUCHED_ENTRIES_KEPT_PER_SHARD) continue;
              kept++;
            }
            entries[key] = result;
          }
          for (const [key, result] of results) entries[key] = result;
          const store: ResultsShard = { format: STORE_FORMAT, tool, entries };
          writeAtomically(join(resultsFolder, `${shard}.json`), JSON.stringify(store));
        }
        if (contentsChanged || dropsContents) {
          let keptContents = contents;
          if (dropsContents) {
            keptContents = {};
            for (const path of paths) if (seen.has(path)) keptContents[path] = contents[path] as KnownContent;
          }
          const store: ContentsStore = { format: STORE_FORMAT, tool, contents: keptContents };
          writeAtomically(join(directory, CONTENTS_FILE), JSON.stringify(store));
        }
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  };
}
