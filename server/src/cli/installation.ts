/**
 * Where the CLI is installed and what it ships with: its version (from package.json) and rule
 * docs. Both are found relative to the running script, not the current folder: the bundle is
 * dist/cli.js with package.json one folder up and the docs in dist/docs/; the tsc output used
 * while developing sits deeper in out/, so the search walks up a few folders. A missing file is
 * never fatal: the version falls back to "unknown" and explain to the rule's metadata.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RuleMeta } from '../../../rules/index';

const PACKAGE_NAME = 'faultline';
/** dist/cli.js is one folder below the root; out/server/src/cli/main.js is four. */
const MAX_LEVELS_UP = 5;

/** The folders above the running script, nearest first, up to MAX_LEVELS_UP of them. */
function foldersAboveScript(): string[] {
  const folders: string[] = [];
  let current = __dirname;
  for (let level = 0; level < MAX_LEVELS_UP; level++) {
    const parent = dirname(current);
    if (parent === current) break;
    folders.push(parent);
    current = parent;
  }
  return folders;
}

export function readVersion(): string {
  for (const folder of foldersAboveScript()) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      if (typeof manifest !== 'object' || manifest === null) continue;
      const { name, version } = manifest as { name?: unknown; version?: unknown };
      if (name === PACKAGE_NAME && typeof version === 'string') return version;
    } catch {
      // No package.json here, or not ours: keep looking further up.
    }
  }
  return 'unknown';
}

/**
 * Where a rule's docs are: the copy shipped next to the bundle (dist/docs/<id>.md), else the
 * repo's source; null when neither is there.
 */
export function ruleDocsPath(meta: Pick<RuleMeta, 'id' | 'family'>): string | null {
  const candidates = [join(__dirname, 'docs', `${meta.id}.md`), ...foldersAboveScript().map((folder) => join(folder, 'rules', meta.family, meta.id, 'docs.md'))];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/** The text of a rule's docs (see ruleDocsPath), or null when they cannot be read. */
export function readRuleDocs(meta: Pick<RuleMeta, 'id' | 'family'>): string | null {
  const path = ruleDocsPath(meta);
  if (path === null) return null;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * What the audit cache is stamped with: the version, plus the size and modification time of the
 * running script, so a rebuilt CLI whose version did not change (a development build, a patched
 * install) does not reuse results its previous rules produced.
 */
export function toolIdentity(): string {
  let build = 'unknown';
  try {
    const stats = statSync(__filename);
    build = `${stats.size}.${Math.round(stats.mtimeMs)}`;
  } catch {
    // The script always exists while it runs; if stat fails anyway, the version alone has to do.
  }
  return `${readVersion()}+${build}`;
}
