/**
 * Which files an audit reads, and reading one. Shared by the CLI and the language server's
 * workspace audit, so it knows nothing of either.
 *
 * Folders are expanded recursively into the files whose language Faultline reads. `.git` and
 * `node_modules` are always skipped; everything else that should be skipped (dist/, build/,
 * generated code) is left to the project's own .gitignore files, honoured at every level with git's
 * semantics (each file's patterns are relative to its folder, deeper files may re-include with
 * `!`, nothing inside an ignored folder comes back). Symlinked folders are not followed, so a link
 * cycle cannot make the walk endless. Files the user names explicitly are always included when
 * their language is known: naming a file is a stronger signal than any ignore pattern.
 */

import { existsSync, lstatSync, readdirSync, readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { languageOfPath } from '../../../rules/index';

export interface CollectOptions {
  maxFileSizeBytes: number;
  /** Checked between files; when it returns true the walk stops and returns what it has. */
  isCancelled?: () => boolean;
  /** More gitignore-style patterns, relative to each folder the walk starts from. */
  extraIgnores?: string[];
  /**
   * Called with each file the walk passes that is not one to lint (not ignored, not in a skipped
   * folder): a pre-pass reads a project's manifests and configs from the same walk.
   */
  onOtherFile?: (path: string) => void;
}

export interface SkippedFile {
  path: string;
  reason: string;
  /** True for a file the user named: the text report lists those even without --verbose. */
  named?: boolean;
}

/** What the walk's stat said of a file: enough to tell that it has not changed since. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export interface CollectedFiles {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  /** Each file's size and modification time, as the walk saw them. */
  stamps: Map<string, FileStamp>;
  skipped: SkippedFile[];
  /** True when `isCancelled` stopped the walk before it finished. */
  cancelled: boolean;
}

/** Folder names skipped everywhere, whatever the .gitignore files say. */
const ALWAYS_SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/** How much of a file is checked for a NUL byte, git's own heuristic for "binary". */
const BINARY_SNIFF_BYTES = 8192;

/** One folder's ignore patterns: a .gitignore, or the caller's extra patterns at a walk's start. */
interface IgnoreLevel {
  directory: string;
  matcher: Ignore;
}

// Git matches case-insensitively where the file system usually is (core.ignorecase).
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function loadGitignore(directory: string): IgnoreLevel | null {
  const path = join(directory, '.gitignore');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return { directory, matcher: ignore({ ignorecase: IGNORE_CASE }).add(text) };
}

/**
 * Applies the levels from the outermost in, as git does: a later level's match decides, a
 * negation (`!pattern`) re-includes, and a level that says nothing leaves the verdict alone.
 */
function isIgnored(levels: readonly IgnoreLevel[], absolutePath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const level of levels) {
    const relativePath = toSlashes(relative(level.directory, absolutePath));
    if (relativePath === '' || relativePath.startsWith('..')) continue;
    const result = level.matcher.test(isDirectory ? `${relativePath}/` : relativePath);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

/**
 * The .gitignore files above a walk's starting folder, up to the repository root (the nearest
 * folder holding `.git`). Outside a repository only the starting folder and below count, since a
 * stray .gitignore in a home folder was never meant for this project.
 */
function ancestorLevels(startDirectory: string): IgnoreLevel[] {
  const ancestors: string[] = [];
  let current = dirname(startDirectory);
  let repositoryRootFound = existsSync(join(startDirectory, '.git'));
  while (!repositoryRootFound) {
    ancestors.push(current);
    if (existsSync(join(current, '.git'))) {
      repositoryRootFound = true;
      break;
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (!repositoryRootFound) return [];
  const levels: IgnoreLevel[] = [];
  for (const directory of ancestors.reverse()) {
    const level = loadGitignore(directory);
    if (level !== null) levels.push(level);
  }
  return levels;
}

export function collectFiles(paths: string[], options: CollectOptions): CollectedFiles {
  const files = new Set<string>();
  const stamps = new Map<string, FileStamp>();
  const skipped: SkippedFile[] = [];
  const isCancelled = options.isCancelled ?? (() => false);
  let cancelled = false;

  const considerFile = (path: string, { size, mtimeMs }: FileStamp): void => {
    if (languageOfPath(path) === null) return;
    if (size > options.maxFileSizeBytes) {
      skipped.push({ path, reason: `larger than ${Math.round(options.maxFileSizeBytes / 1024)} KB (${Math.round(size / 1024)} KB)` });
      return;
    }
    files.add(path);
    stamps.set(path, { size, mtimeMs });
  };

  const walk = (directory: string, levels: readonly IgnoreLevel[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: directory, reason: `folder could not be read: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    // Looked for in the listing rather than by reading: most folders have none, and a failed
    // read costs an exception per folder.
    const own = entries.some((entry) => entry.name === '.gitignore') ? loadGitignore(directory) : null;
    const here = own === null ? levels : [...levels, own];
    entries.sort((a, b) => byCodeUnit(a.name, b.name));
    for (const entry of entries) {
      if (cancelled || isCancelled()) {
        cancelled = true;
        return;
      }
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED_FOLDERS.has(entry.name) || isIgnored(here, path, true)) continue;
        walk(path, here);
        continue;
      }
      if (entry.isSymbolicLink()) {
        let target: Stats;
        try {
          target = statSync(path);
        } catch {
          continue; // A dangling link points at nothing to lint.
        }
        if (target.isDirectory()) {
          if (!isIgnored(here, path, true) && !ALWAYS_SKIPPED_FOLDERS.has(entry.name)) skipped.push({ path, reason: 'symbolic link to a folder (not followed)' });
          continue;
        }
        if (!target.isFile() || isIgnored(here, path, false)) continue;
        considerFile(path, target);
        continue;
      }
      if (!entry.isFile()) continue;
      if (languageOfPath(entry.name) === null) {
        if (options.onOtherFile !== undefined && !isIgnored(here, path, false)) options.onOtherFile(path);
        continue;
      }
      if (isIgnored(here, path, false)) continue;
      let stats: Stats;
      try {
        stats = lstatSync(path);
      } catch {
        continue; // Deleted while the walk ran.
      }
      considerFile(path, stats);
    }
  };

  for (const given of paths) {
    if (cancelled || isCancelled()) {
      cancelled = true;
      break;
    }
    const path = resolve(given);
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch {
      skipped.push({ path, reason: 'does not exist' });
      continue;
    }
    if (stats.isFile()) {
      if (languageOfPath(path) !== null) {
        files.add(path);
        stamps.set(path, { size: stats.size, mtimeMs: stats.mtimeMs });
      } else {
        // Named but of a kind Faultline does not read: said, never silently dropped (#14).
        skipped.push({ path, reason: whyNotRead(path), named: true });
      }
      continue;
    }
    if (!stats.isDirectory()) continue;
    const levels = ancestorLevels(path);
    if (options.extraIgnores !== undefined && options.extraIgnores.length > 0) {
      levels.push({ directory: path, matcher: ignore({ ignorecase: IGNORE_CASE }).add(options.extraIgnores) });
    }
    walk(path, levels);
  }

  skipped.sort((a, b) => byCodeUnit(a.path, b.path));
  return { files: [...files].sort(byCodeUnit), stamps, skipped, cancelled };
}

/** Why a file of this name is not analysed: its kind is not one Faultline reads. */
export function whyNotRead(path: string): string {
  const lower = path.toLowerCase();
  if (lower.endsWith('.ipynb')) return 'a Jupyter notebook: Faultline does not read .ipynb files (it reads .py, including Databricks notebook exports)';
  if (/\.d\.[mc]?ts$/.test(lower)) return 'a TypeScript declaration file: types only, no code to check';
  return 'not a kind of file Faultline reads (.sql, .js, .jsx, .mjs, .cjs, .ts, .tsx, .mts, .cts, .py)';
}

/** Reads a source file as UTF-8 text, or says why it was not read (binary, unreadable). */
export function readSourceFile(path: string): { text: string } | { skipped: string } {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    return { skipped: `could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  return decodeSource(buffer);
}

/** A source file's bytes as text, or why they are not read (binary). */
export function decodeSource(buffer: Buffer): { text: string } | { skipped: string } {
  const sniffed = buffer.subarray(0, BINARY_SNIFF_BYTES);
  if (sniffed.includes(0)) return { skipped: 'binary file (contains a NUL byte)' };
  const text = buffer.toString('utf8');
  // Editors hide a byte order mark, so columns are counted without it, as the user sees them.
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}
