/**
 * Narrowing an audit to part of the tree: `--changed-since <ref>` (the files git reports as
 * changed since the ref, plus untracked ones, so a pull request's CI job checks what it touches)
 * and `--shard i/n` (a deterministic partition for CI matrices: a file's shard comes from a hash
 * of its path relative to the current folder, so every job computes the same split without
 * talking to the others, and adding a file never moves the others between shards).
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The 1-based shard that owns a path (relative, `/`-separated, as the report prints it). */
export function shardOf(path: string, count: number): number {
  const digest = createHash('sha1').update(path).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

function git(cwd: string, args: string[]): string {
  // execFile, never a shell: the ref comes from the command line and must stay one argument.
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function lines(output: string): string[] {
  return output.split('\n').filter((line) => line.length > 0);
}

/**
 * Absolute real paths of the files changed since `ref` (committed, staged or not) and of the
 * untracked files git does not ignore; or an error message (not a repository, unknown ref).
 */
export function changedSince(cwd: string, ref: string): { files: Set<string> } | { error: string } {
  try {
    const root = realpathSync(git(cwd, ['rev-parse', '--show-toplevel']).trim());
    // `--end-of-options` keeps a ref that looks like an option from being read as one.
    const changed = lines(git(root, ['diff', '--name-only', '--no-renames', '--end-of-options', ref, '--']));
    const untracked = lines(git(root, ['ls-files', '--others', '--exclude-standard']));
    return { files: new Set([...changed, ...untracked].map((path) => resolve(root, path))) };
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n')[0] : error instanceof Error ? error.message : String(error);
    return { error: `--changed-since ${ref}: git failed: ${detail ?? ''}` };
  }
}

/** The real path of a file, for comparing with git's paths; the path itself if it cannot be resolved. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** A file staged in git's index: its absolute path in the working tree and its path for `git show :path`. */
export interface StagedFile {
  absolutePath: string;
  gitPath: string;
  /** The repository's root, where `git show` runs. */
  root: string;
}

function gitFailure(what: string, error: unknown): { error: string } {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = Buffer.isBuffer(stderr) ? stderr.toString('utf8') : typeof stderr === 'string' ? stderr : '';
  const detail = text.trim() !== '' ? text.trim().split('\n')[0] : error instanceof Error ? error.message : String(error);
  return { error: `${what}: git failed: ${detail ?? ''}` };
}

/**
 * The files staged for the next commit (`git diff --cached`), staged deletions left out. Paths
 * come NUL-separated (`-z`, so no name is quoted or split) and relative to the repository's root
 * whatever folder the command runs from, which is also what `git show :path` reads.
 */
export function stagedFiles(cwd: string): { files: StagedFile[] } | { error: string } {
  try {
    const root = realpathSync(git(cwd, ['rev-parse', '--show-toplevel']).trim());
    const names = git(root, ['diff', '--cached', '--name-only', '--no-renames', '--diff-filter=d', '-z']).split('\0').filter((name) => name !== '');
    return { files: names.map((gitPath) => ({ absolutePath: resolve(root, gitPath), gitPath, root })) };
  } catch (error) {
    return gitFailure('--staged', error);
  }
}

/** The bytes git's index holds for a staged file. */
export function stagedContent(file: StagedFile): Buffer | { error: string } {
  try {
    // `:path` names the index's entry, relative to the root: never a shell, one argument.
    return execFileSync('git', ['show', `:${file.gitPath}`], { cwd: file.root, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return gitFailure(`--staged ${file.gitPath}`, error);
  }
}
