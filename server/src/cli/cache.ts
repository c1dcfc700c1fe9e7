/**
 * The audit cache (`.faultline-cache/`, or `--cache-location`): each file's results keyed by the
 * hash of its content and the hash of the settings that applied to it, in a store stamped with
 * the tool's identity (version and build). Results are keyed by content rather than path, so an
 * edit, a config change (new settings hash) and a new Faultline (new stamp, whole store dropped)
 * each miss, and a renamed or copied file still hits.
 *
 * Reading and hashing every file is most of a warm re-audit, so the store also remembers, by
 * path, the hash a file's content had at a given size and modification time (its stamp, from the
 * walk's stat): a file whose stamp has not changed is not read again. That trusts modification
 * times the way make, tsc --incremental and ESLint's default cache strategy do; an edit that
 * keeps both the size and the time to the sub-millisecond is not seen. The store is one JSON file written atomically (temp file +
 * rename), so two CI jobs sharing a cache folder never read a half-written one; a store that
 * cannot be read or written is ignored and the audit runs uncached.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult } from './audit-job';

const STORE_FILE = 'audit-cache.json';
const STORE_FORMAT = 2;
/** Entries this audit did not touch are kept (another shard or path may want them) up to this many. */
const UNTOUCHED_ENTRIES_KEPT = 20000;
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

interface Store {
  format: number;
  tool: string;
  entries: Record<string, FileResult>;
  contents: Record<string, KnownContent>;
}

export interface AuditCache {
  lookup(key: string): FileResult | undefined;
  store(key: string, result: FileResult): void;
  /** The content a file had when last read, if its size and modification time are still those. */
  knownContent(path: string, stamp: { size: number; mtimeMs: number }): KnownContent | undefined;
  rememberContent(path: string, content: KnownContent): void;
  /** Writes the store; returns an error message when it could not be written. */
  save(): string | null;
}

export function hashText(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The cache key of a file: its content's hash, the hash of the settings that apply to it, and its project path. */
export function cacheKey(contentHash: string, projectPath: string, settingsHash: string): string {
  return `${contentHash}:${settingsHash}:${projectPath}`;
}

function isStore(value: unknown): value is Store {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Store>;
  return candidate.format === STORE_FORMAT && typeof candidate.tool === 'string' && typeof candidate.entries === 'object' && candidate.entries !== null && typeof candidate.contents === 'object' && candidate.contents !== null;
}

/** Opens the store in `directory` for the tool identified by `tool`; a missing or stale one is empty. */
export function openCache(directory: string, tool: string): AuditCache {
  let previous: Record<string, FileResult> = {};
  let contents: Record<string, KnownContent> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(directory, STORE_FILE), 'utf8'));
    // Another version's results may come from other rules: none of them can be trusted.
    if (isStore(parsed) && parsed.tool === tool) {
      previous = parsed.entries;
      contents = parsed.contents;
    }
  } catch {
    // No store yet, or an unreadable one: start empty.
  }
  const touched = new Map<string, FileResult>();
  let stored = false;
  const seen = new Set<string>();
  return {
    knownContent(path, stamp) {
      seen.add(path);
      const known = contents[path];
      return known !== undefined && known.size === stamp.size && known.mtimeMs === stamp.mtimeMs ? known : undefined;
    },
    rememberContent(path, content) {
      seen.add(path);
      contents[path] = content;
      stored = true;
    },
    lookup(key) {
      const hit = previous[key];
      if (hit !== undefined) touched.set(key, hit);
      return hit;
    },
    store(key, result) {
      touched.set(key, result);
      stored = true;
    },
    save() {
      const previousKeys = Object.keys(previous);
      let untouched = 0;
      for (const key of previousKeys) if (!touched.has(key)) untouched++;
      const paths = Object.keys(contents);
      const dropsContents = paths.length - seen.size > UNSEEN_CONTENTS_KEPT;
      // A run that only reused results would write back the store it read: a warm re-audit of an
      // unchanged tree writes nothing, and builds nothing to write.
      if (!stored && untouched <= UNTOUCHED_ENTRIES_KEPT && !dropsContents) return null;
      const entries: Record<string, FileResult> = {};
      let kept = 0;
      for (const key of previousKeys) {
        if (touched.has(key) || kept >= UNTOUCHED_ENTRIES_KEPT) continue;
        entries[key] = previous[key] as FileResult;
        kept++;
      }
      let keptContents = contents;
      if (dropsContents) {
        keptContents = {};
        for (const path of paths) if (seen.has(path)) keptContents[path] = contents[path] as KnownContent;
      }
      for (const [key, result] of touched) entries[key] = result;
      const store: Store = { format: STORE_FORMAT, tool, entries, contents: keptContents };
      try {
        mkdirSync(directory, { recursive: true });
        // The folder is a build artefact: keep it out of git without asking the user to.
        writeFileSync(join(directory, '.gitignore'), '*\n');
        const temporary = join(directory, `${STORE_FILE}.${process.pid}.tmp`);
        writeFileSync(temporary, JSON.stringify(store));
        renameSync(temporary, join(directory, STORE_FILE));
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  };
}
