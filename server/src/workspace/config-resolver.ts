/**
 * Finds and parses the `.faultline.json` that applies to a file: the nearest one walking up from
 * the file's folder. Shared by the CLI and the language server, so it knows nothing of either.
 *
 * It also finds the repository the file belongs to (the nearest folder with a `.git`) and its
 * package (the nearest folder with a manifest).
 * Results are cached per folder (which config is nearest) and per config path (what it says);
 * `invalidate` clears them when a config file is created, changed or deleted. A config with errors
 * never takes effect: the last good version of the same file (kept in memory for as long as the
 * resolver lives) or the defaults apply instead, and the problems are handed back so the front end
 * can show them on the config file. Config is data: it is parsed as JSONC, never required or run.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, RULES, parseConfig, type ConfigProblem, type FaultlineConfig } from '../../../rules/index';

/**
 * Reads a file's text. Returns undefined when the file does not exist (so the search goes on up
 * the tree) and throws for anything else that stops it being read (so that becomes a problem).
 * The language server can pass one that prefers an open editor's unsaved text.
 */
export type ReadConfigFile = (path: string) => string | undefined;

export interface ResolvedConfig {
  /** Absolute path of the `.faultline.json` that applies, or null when none was found. */
  configPath: string | null;
  /** The folder holding that file; `ignore` globs are relative to it. */
  configDirectory: string | null;
  /** The config in effect: the file's, its last good version, or the defaults. */
  config: FaultlineConfig;
  /** Everything wrong with the file as it is now, warnings included (ranges are offsets into it). */
  problems: ConfigProblem[];
  /** True when the file has errors and the last good version or the defaults apply instead. */
  usingFallback: boolean;
  /**
   * The nearest folder above the file that holds a `.git` (the repository it belongs to), or
   * null: where the project's own folders begin (see projectPathOf in lint-file.ts).
   */
  repositoryRoot: string | null;
  /** The nearest folder above the file with a project manifest (`package.json`, `pyproject.toml` ...), or null. */
  manifestRoot: string | null;
}

export interface ConfigResolver {
  resolve(filePath: string): ResolvedConfig;
  /** Forgets cached results: those of one config file (and every folder lookup), or everything. */
  invalidate(configPath?: string): void;
}

/** Reads with Node's fs; a missing file (or a path through a non-folder) is "not there". */
export function readConfigFileFromDisk(path: string): string | undefined {
  // Most folders have no config: asking first is four times cheaper than a read that throws.
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

interface ParsedConfigFile {
  config: FaultlineConfig;
  problems: ConfigProblem[];
  usingFallback: boolean;
}

export function createConfigResolver(readFile: ReadConfigFile = readConfigFileFromDisk): ConfigResolver {
  const ruleMetas = RULES.map((rule) => rule.meta);
  /** Folder → path of its nearest config, or null when there is none up to the root. */
  const nearestByDirectory = new Map<string, string | null>();
  /** Folder → the repository root above it (see repositoryRootOf). */
  const repositoryByDirectory = new Map<string, string | null>();
  /** Folder → the nearest folder with a manifest above it (see manifestRootOf). */
  const manifestByDirectory = new Map<string, string | null>();
  /** Config path → parsed result, or null when the file turned out not to exist. */
  const parsedByPath = new Map<string, ParsedConfigFile | null>();
  /** Config path → its last version without errors; survives invalidation on purpose. */
  const lastGoodByPath = new Map<string, FaultlineConfig>();

  /** Reads and parses one config path; null when there is no file there. */
  function load(configPath: string): ParsedConfigFile | null {
    const cached = parsedByPath.get(configPath);
    if (cached !== undefined) return cached;
    let parsed: ParsedConfigFile | null;
    try {
      const text = readFile(configPath);
      parsed = text === undefined ? null : interpret(configPath, text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      parsed = {
        config: lastGoodByPath.get(configPath) ?? DEFAULT_CONFIG,
        problems: [{ message: `${CONFIG_FILE_NAME} could not be read: ${reason}`, range: { start: 0, end: 0 }, severity: 'error' }],
        usingFallback: true,
      };
    }
    parsedByPath.set(configPath, parsed);
    return parsed;
  }

  function interpret(configPath: string, text: string): ParsedConfigFile {
    const { config, problems } = parseConfig(text, ruleMetas);
    if (config === null) {
      return { config: lastGoodByPath.get(configPath) ?? DEFAULT_CONFIG, problems, usingFallback: true };
    }
    lastGoodByPath.set(configPath, config);
    return { config, problems, usingFallback: false };
  }

  /** The nearest config path for a folder. */
  function nearestConfigPath(directory: string): string | null {
    return nearestAbove(directory, nearestByDirectory, (folder) => {
      const candidate = join(folder, CONFIG_FILE_NAME);
      return load(candidate) === null ? null : candidate;
    });
  }

  /** The nearest folder at or above `directory` holding a `.git` (a folder, or a file in a worktree or submodule). */
  function repositoryRootOf(directory: string): string | null {
    return nearestAbove(directory, repositoryByDirectory, (folder) => (existsSync(join(folder, '.git')) ? folder : null));
  }

  /** The nearest folder at or above `directory` holding a project manifest. */
  function manifestRootOf(directory: string): string | null {
    return nearestAbove(directory, manifestByDirectory, (folder) => (PROJECT_MANIFESTS.some((name) => existsSync(join(folder, name))) ? folder : null));
  }

  return {
    resolve(filePath) {
      const directory = dirname(resolve(filePath));
      const repositoryRoot = repositoryRootOf(directory);
      const configPath = nearestConfigPath(directory);
      const parsed = configPath === null ? null : load(configPath);
      // Only looked for where neither a repository nor a config says where the project begins.
      const manifestRoot = repositoryRoot === null && configPath === null ? manifestRootOf(directory) : null;
      if (configPath === null || parsed === null) {
        return { configPath: null, configDirectory: null, config: DEFAULT_CONFIG, problems: [], usingFallback: false, repositoryRoot, manifestRoot };
      }
      return { configPath, configDirectory: dirname(configPath), config: parsed.config, problems: parsed.problems, usingFallback: parsed.usingFallback, repositoryRoot, manifestRoot };
    },
    invalidate(configPath) {
      // A config created or deleted anywhere changes which file is nearest for many folders, so
      // the folder lookups always go; they are cheap to rebuild.
      nearestByDirectory.clear();
      repositoryByDirectory.clear();
      manifestByDirectory.clear();
      if (configPath === undefined) parsedByPath.clear();
      else parsedByPath.delete(resolve(configPath));
    },
  };
}

/** Files that mark the root of a JavaScript or Python project. */
const PROJECT_MANIFESTS = ['package.json', 'pyproject.toml', 'setup.py', 'setup.cfg'];

/**
 * The first answer `probe` gives walking up from `directory` to the filesystem root, or null;
 * every folder visited on the way is cached with it, so sibling files cost one lookup.
 */
function nearestAbove(directory: string, cache: Map<string, string | null>, probe: (folder: string) => string | null): string | null {
  const visited: string[] = [];
  let current = directory;
  let found: string | null = null;
  for (;;) {
    const cached = cache.get(current);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(current);
    found = probe(current);
    if (found !== null) break;
    const parent = dirname(current);
    // dirname of a filesystem root is the root itself: that is where the walk stops.
    if (parent === current) break;
    current = parent;
  }
  for (const folder of visited) cache.set(folder, found);
  return found;
}
