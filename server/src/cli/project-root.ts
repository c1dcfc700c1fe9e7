/**
 * The project an audit is about, found from the paths it audits rather than from the current
 * folder: `faultline audit ~/src/shop` run from anywhere must share the shop's cache, ask the
 * shop's git for `--changed-since`, and give CI annotations paths from the shop's repository
 * root. The project is the git repository holding the first path; outside git, the folder of the
 * nearest `.faultline.json` above it; failing both, the folder audited itself.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE_NAME } from '../../../rules/index';

/** The nearest folder at or above `start` that holds `entry` (a file or folder), or null. */
function nearestHolding(start: string, entry: string): string | null {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, entry))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return null;
    folder = parent;
  }
}

function folderOf(absolutePath: string): string {
  try {
    return statSync(absolutePath).isDirectory() ? absolutePath : dirname(absolutePath);
  } catch {
    return dirname(absolutePath);
  }
}

/** The repository root holding `path` (a `.git` folder, or a `.git` file in a worktree), or null. */
export function repositoryRootOf(path: string): string | null {
  return nearestHolding(folderOf(path), '.git');
}

/** The root of the project the audited `paths` (relative to `cwd`) belong to; see the file comment. */
export function projectRootOf(paths: readonly string[], cwd: string): string {
  const first = resolve(cwd, paths[0] ?? '.');
  const folder = folderOf(first);
  return repositoryRootOf(folder) ?? nearestHolding(folder, CONFIG_FILE_NAME) ?? folder;
}
