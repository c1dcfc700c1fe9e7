/**
 * The audit cache (`.faultline-cache/`, or `--cache-location`): each file's results keyed by the
 * hash of its content and the hash of the settings that applied to it, in a store stamped with
 * the tool's identity (version and build). A warm re-audit of an unchanged tree reads and hashes
 * every file but parses none. Results are keyed by content rather than path, so an edit, a config
 * change (new settings hash) and a new Faultline (new stamp, whole store dropped) each miss, and a
 * renamed or copied file still hits. The store is one JSON file written atomically (temp file +
 * rename), so two CI jobs sharing a cache folder never read a half-written one; a store that
 * cannot be read or written is ignored and the audit runs uncached.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult } from './audit-job';

const STORE_FILE = 'audit-cache.json';
const STORE_FORMAT = 1;
/** Entries this audit did not touch are kept (another shard or path may want them) up to this many. */
const UNTOUCHED_ENTRIES_KEPT = 20000;

interface Store {
  format: number;
  tool: string;
  entries: Record<string, FileResult>;
}

export interface AuditCache {
  lookup(key: string): FileResult | undefined;
  store(key: string, result: FileResult): void;
  /** Writes the store; returns an error message when it could not be written. */
  save(): string | null;
}

export function hashText(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The cache key of a file: its content's hash and the hash of the settings that apply to it. */
export function cacheKey(content: Buffer, settingsHash: string): string {
  return `${hashText(content)}:${settingsHash}`;
}

function isStore(value: unknown): value is Store {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Store>;
  return candidate.format === STORE_FORMAT && typeof candidate.tool === 'string' && typeof candidate.entries === 'object' && candidate.entries !== null;
}

/** Opens the store in `directory` for the tool identified by `tool`; a missing or stale one is empty. */
export function openCache(directory: string, tool: string): AuditCache {
  let previous: Record<string, FileResult> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(directory, STORE_FILE), 'utf8'));
    // Another version's results may come from other rules: none of them can be trusted.
    if (isStore(parsed) && parsed.tool === tool) previous = parsed.entries;
  } catch {
    // No store yet, or an unreadable one: start empty.
  }
  const touched = new Map<string, FileResult>();
  return {
    lookup(key) {
      const hit = previous[key];
      if (hit !== undefined) touched.set(key, hit);
      return hit;
    },
    store(key, result) {
      touched.set(key, result);
    },
    save() {
      const entries: Record<string, FileResult> = {};
      let kept = 0;
      for (const [key, result] of Object.entries(previous)) {
        if (touched.has(key) || kept >= UNTOUCHED_ENTRIES_KEPT) continue;
        entries[key] = result;
        kept++;
      }
      for (const [key, result] of touched) entries[key] = result;
      const store: Store = { format: STORE_FORMAT, tool, entries };
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
