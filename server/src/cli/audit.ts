/**
 * `faultline audit`: collects the files, narrows them (`--changed-since`, `--shard`), plans each
 * one with the config that applies to it, reuses cached results for files whose content and
 * settings are unchanged, lints the rest (on worker threads when there are enough of them) and
 * builds the report the formatters print, sorted by path whatever order the workers finished in.
 * Broken `.faultline.json` files become findings on the config file itself (rule id `config`),
 * reported once per file however many source files it covers, while those source files are still
 * checked with the defaults.
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LintSettings, ProjectFacts } from '../../../rules/index';
import { createConfigResolver, type ResolvedConfig } from '../workspace/config-resolver';
import { collectFiles, type FileStamp } from '../workspace/files';
import { planFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts } from '../workspace/project-facts';
import { loadPythonParser } from '../workspace/python';
import type { AuditOptions } from './args';
import { createStringSharer, lintJob, type FileJob, type FileResult } from './audit-job';
import { lintInWorkers } from './audit-pool';
import { givenTexts } from './given-texts';
import { cacheKey, hashText, openCache, type AuditCache } from './cache';
import { createPositionMapper, reportFinding, type AuditReport, type FileReport, type ReportedFinding } from './report';
import { projectRootOf } from './project-root';
import { changedSince, realPath, shardOf } from './select-files';

export const CONFIG_RULE_ID = 'config';
export const CONFIG_DOCS_URL = 'https://github.com/faultline/faultline/blob/main/docs/configuration.md';
export const DEFAULT_CACHE_FOLDER = '.faultline-cache';
/** Every suppression directive contains this; only files with one depend on today's date. */
const SUPPRESSION_MARKER = 'faultline-ignore-';
/**
 * Below this many files to lint, starting workers (each loads the whole bundle, a few hundred
 * milliseconds) costs more than it saves, so the main thread lints them.
 */
const MIN_FILES_FOR_WORKERS = 48;

/**
 * One worker per core but one. A single-threaded Node process already keeps a second core busy
 * with garbage collection and compiling hot code, and every worker isolate compiles the
 * TypeScript parser's hot paths again; measured on 2 cores, two workers were no faster than the
 * main thread alone (bench/audit-speed.ts), so on 2 cores the audit runs on the main thread.
 */
function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A path as the user reads it: relative to the current folder with `/`, or absolute outside it. */
export function displayPath(absolutePath: string, cwd: string): string {
  const relativePath = relative(cwd, absolutePath);
  if (relativePath === '') return '.';
  if (relativePath.startsWith('..') || isAbsolute(relativePath)) return absolutePath.split(sep).join('/');
  return relativePath.split(sep).join('/');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The problems of one config file as findings; the file is read again only to place them. */
function configFindings(resolved: ResolvedConfig & { configPath: string }): ReportedFinding[] {
  let text = '';
  try {
    text = readFileSync(resolved.configPath, 'utf8');
  } catch {
    // Unreadable: the problem itself says so, and it is placed at 1:1.
  }
  const positionOf = createPositionMapper(text);
  const note = resolved.usingFallback
    ? 'Faultline cannot use this file as it is, so the files it covers are checked with its last good version or the default settings until it is fixed.'
    : 'Faultline ignores this part of the file; the rest of the configuration applies.';
  return resolved.problems.map((problem) =>
    reportFinding({ ruleId: CONFIG_RULE_ID, severity: problem.severity, message: problem.message, note, range: problem.range, fixes: [], related: [], docsUrl: CONFIG_DOCS_URL }, positionOf, text),
  );
}

export interface AuditEnvironment {
  cwd: string;
  /** The CLI's own script, started again as each worker thread. */
  workerScript: string;
  /** Stamps the cache: results of another version or build are never reused. */
  toolIdentity: string;
  /** Called as files finish, for the progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface AuditRun {
  report: AuditReport;
  /** Every source file the audit covered (linted, cached or ignored by config), absolute. */
  auditedFiles: string[];
  cache: { hits: number; misses: number; saveError: string | null } | null;
  /** Why Python files could not be analysed (the parser did not load), or null. */
  pythonProblem: string | null;
  /** Each `.faultline.json` that applied (null: none, the defaults), with how many files it covered. */
  configs: { path: string | null; files: number }[];
  /** The audited project's root (project-root.ts): where the cache lives and what git is asked. */
  projectRoot: string;
  /** The texts audited instead of files on disk (`--stdin-filename`, `--staged`), by absolute path. */
  givenTexts: ReadonlyMap<string, string>;
}

/** Thrown for a problem with the request rather than the code (e.g. an unknown git ref): exit 2. */
export class AuditUsageError extends Error {}

/** The facts, or undefined when they say nothing (then the file's job and cache key stay as they were). */
function saysAnything(facts: ProjectFacts): ProjectFacts | undefined {
  const says = Object.entries(facts).some(([key, value]) => {
    if (key === 'httpClientDefaults') return (value as ProjectFacts['httpClientDefaults']).length > 0;
    if (key === 'modelImports') return Object.keys(value as ProjectFacts['modelImports']).length > 0;
    return value !== undefined && value !== false;
  });
  return says ? facts : undefined;
}

export async function runAudit(options: AuditOptions, environment: AuditEnvironment): Promise<AuditRun> {
  const { cwd } = environment;
  const projectRoot = projectRootOf(options.paths, cwd);
  const given = await givenTexts(options, cwd);
  if (given !== null && 'error' in given) throw new AuditUsageError(given.error);
  const givenSkipped = new Set(given?.skipped.map((entry) => entry.path));
  const collected = given === null ? collectFiles(options.paths, { maxFileSizeBytes: options.maxFileSizeKb * 1024 }) : { files: [...given.texts.keys()].filter((path) => !givenSkipped.has(path)).sort(byCodeUnit), stamps: new Map<string, FileStamp>(), skipped: given.skipped };
  let candidates = collected.files;
  if (options.changedSince !== null) {
    const changed = changedSince(projectRoot, options.changedSince);
    if ('error' in changed) throw new AuditUsageError(changed.error);
    candidates = candidates.filter((path) => changed.files.has(path) || changed.files.has(realPath(path)));
  }
  const resolver = createConfigResolver();
  const projectFacts = createProjectFacts(resolver);
  const today = todayIso();
  const skipped: AuditReport['skipped'] = collected.skipped.map((entry) => ({ path: displayPath(entry.path, cwd), reason: entry.reason, ...(entry.named === true ? { named: true } : {}) }));
  const internalErrors: AuditReport['internalErrors'] = [];
  const files: FileReport[] = [];
  const inShard = (path: string): boolean => options.shard === null || shardOf(path, options.shard.count) === options.shard.index;

  // Plan every candidate, so a broken config is reported by exactly one shard (the one that owns
  // the config file's path) even when the files it covers are spread over several.
  const settingsByKey = new Map<string, LintSettings>();
  const keyOfSettings = new Map<LintSettings, string>();
  const jobs: { job: FileJob; path: string }[] = [];
  const auditedFiles: string[] = [];
  const reportedConfigs = new Set<string>();
  const filesByConfig = new Map<string | null, number>();
  const planOptions = { today, ...(options.onlyRules === null ? {} : { onlyRules: options.onlyRules }) };
  for (const absolutePath of candidates) {
    const path = displayPath(absolutePath, cwd);
    const plan = planFile(absolutePath, resolver, planOptions);
    const { resolved } = plan;
    if (resolved.configPath !== null && resolved.problems.length > 0 && !reportedConfigs.has(resolved.configPath)) {
      reportedConfigs.add(resolved.configPath);
      const configPath = displayPath(resolved.configPath, cwd);
      if (inShard(configPath)) files.push({ absolutePath: resolved.configPath, path: configPath, findings: configFindings({ ...resolved, configPath: resolved.configPath }), suppressed: [] });
    }
    if (!inShard(path)) continue;
    auditedFiles.push(absolutePath);
    filesByConfig.set(resolved.configPath, (filesByConfig.get(resolved.configPath) ?? 0) + 1);
    if (plan.ignored) continue;
    // Files under one config share one settings object, so this is one hash per config.
    let settingsKey = keyOfSettings.get(plan.settings);
    if (settingsKey === undefined) {
      // Today's date matters only to suppressions with an `until`, so it is left out here and
      // added to the cache key of files that have a directive: the cache survives midnight.
      settingsKey = hashText(JSON.stringify({ ...plan.settings, today: null })).slice(0, 16);
      keyOfSettings.set(plan.settings, settingsKey);
      settingsByKey.set(settingsKey, plan.settings);
    }
    const text = given?.texts.get(absolutePath);
    const project = saysAnything(projectFacts.factsFor(absolutePath, resolved));
    jobs.push({ job: { absolutePath, projectPath: plan.projectPath, languageId: plan.languageId, settingsKey, ...(project === undefined ? {} : { project }), ...(text === undefined ? {} : { text }) }, path });
  }

  // Python files need the WebAssembly parser: loaded here (for the main thread, and for the
  // message if it cannot load) and by each worker that gets a Python file. Its state is part of
  // the cache key, so results from a run without Python support are never reused with it.
  const pythonProblem = jobs.some(({ job }) => job.languageId === 'python') ? await loadPythonParser() : null;

  // The cache: hash each file (read again only when its size or modification time changed since
  // the cache last read it); only the misses are linted.
  // The default cache belongs to the project, wherever the audit is run from; a location given on
  // the command line is read from the current folder, as every path argument is. Text from
  // standard input or git's index is linted afresh: the cache's knowledge is of files on disk.
  const cacheFolder = options.cacheLocation === null ? join(projectRoot, DEFAULT_CACHE_FOLDER) : resolve(cwd, options.cacheLocation);
  const cache: AuditCache | null = options.cache && given === null ? openCache(cacheFolder, environment.toolIdentity) : null;
  const results = new Map<string, FileResult>();
  const shareStrings = createStringSharer();
  const misses: { job: FileJob; key: string | null }[] = [];
  const keyed: { job: FileJob; key: string }[] = [];
  for (const { job } of jobs) {
    if (cache === null) {
      misses.push({ job, key: null });
      continue;
    }
    const stamp = collected.stamps.get(job.absolutePath);
    let content = stamp === undefined ? undefined : cache.knownContent(job.absolutePath, stamp);
    if (content === undefined) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(job.absolutePath);
      } catch {
        misses.push({ job, key: null }); // Linting will say why it could not be read.
        continue;
      }
      content = { size: bytes.length, mtimeMs: stamp?.mtimeMs ?? 0, hash: hashText(bytes), hasDirective: bytes.includes(SUPPRESSION_MARKER) };
      // Remembered only with the walk's stamp: a file read without one has nothing to compare.
      if (stamp !== undefined && stamp.size === bytes.length) cache.rememberContent(job.absolutePath, content);
    }
    const datedKey = content.hasDirective ? `${job.settingsKey}:${today}` : job.settingsKey;
    // The path is part of the key: rules read the file's folders (test and example code), so
    // the same text at another path may not have the same findings.
    // So are the project's facts about the file: another file's change can change its findings.
    const factsKey = job.project === undefined ? datedKey : `${datedKey}:${hashText(JSON.stringify(job.project)).slice(0, 16)}`;
    keyed.push({ job, key: cacheKey(content.hash, job.projectPath, job.languageId === 'python' && pythonProblem !== null ? `${factsKey}:no-python` : factsKey) });
  }
  if (cache !== null) {
    const found = cache.lookupAll(keyed.map(({ key }) => key), shareStrings);
    keyed.forEach(({ job, key }, index) => {
      const hit = found[index];
      if (hit === undefined) misses.push({ job, key });
      else results.set(job.absolutePath, hit);
    });
  }

  const total = jobs.length;
  const hits = results.size;
  const report = (done: number): void => environment.onProgress?.(hits + done, total);
  report(0);
  const workerCount = options.jobs ?? defaultWorkerCount();
  const lintHere = (job: FileJob): FileResult => {
    const settings = settingsByKey.get(job.settingsKey);
    if (settings === undefined) return { skipped: `internal error: no settings for ${job.settingsKey}` };
    return lintJob(job, settings);
  };
  const missJobs = misses.map((miss) => miss.job);
  let linted: FileResult[];
  if (workerCount > 1 && missJobs.length >= MIN_FILES_FOR_WORKERS) {
    linted = await lintInWorkers(environment.workerScript, missJobs, settingsByKey, workerCount, report, lintHere, shareStrings);
  } else {
    linted = [];
    for (const job of missJobs) {
      linted.push(shareStrings(lintHere(job)));
      report(linted.length);
    }
  }
  misses.forEach((miss, index) => {
    const result = linted[index];
    if (result === undefined) return;
    results.set(miss.job.absolutePath, result);
    // A result with an internal error is not kept: the next run should try (and report) again.
    const clean = (result.internalErrors ?? []).length === 0;
    if (cache !== null && miss.key !== null && clean) cache.store(miss.key, result);
  });
  const saveError = cache === null ? null : cache.save();

  let filesChecked = 0;
  for (const { job, path } of jobs) {
    const result = results.get(job.absolutePath);
    if (result === undefined) continue;
    if ('skipped' in result) {
      // A file the engine failed on is listed as not analysed, and its internal error reported.
      skipped.push({ path, reason: result.skipped });
      for (const error of result.internalErrors ?? []) internalErrors.push({ ruleId: error.ruleId, path, message: error.message });
      continue;
    }
    filesChecked++;
    files.push({ absolutePath: job.absolutePath, path, findings: result.findings, suppressed: result.suppressed });
    for (const error of result.internalErrors) internalErrors.push({ ruleId: error.ruleId, path, message: error.message });
  }

  files.sort((a, b) => byCodeUnit(a.path, b.path));
  skipped.sort((a, b) => byCodeUnit(a.path, b.path));
  return {
    report: { files, filesChecked, skipped, internalErrors },
    auditedFiles,
    cache: cache === null ? null : { hits, misses: misses.length, saveError },
    pythonProblem,
    configs: [...filesByConfig].map(([path, files]) => ({ path, files })),
    projectRoot,
    givenTexts: given?.texts ?? new Map(),
  };
}
