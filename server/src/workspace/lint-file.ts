/**
 * Lints one file's text with the config that applies to it: the glue between the config resolver
 * and the pure analysis core, shared by the CLI and the language server. The caller reads the file
 * (from disk or from an editor buffer); this module does no I/O of its own beyond the resolver's.
 */

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { RULES, isIgnoredByConfig, languageOfPath, lintDocument, settingsFromConfig, type FaultlineConfig, type LanguageId, type LintCache, type LintResult, type LintSettings } from '../../../rules/index';
import type { ConfigResolver, ResolvedConfig } from './config-resolver';
import type { ProjectFactsSource } from './project-facts';
import { withPlantedFault } from './test-fault';

export interface LintFileOptions {
  /** Only these rule ids run (CLI `--rules`); every enabled rule when absent. */
  onlyRules?: string[];
  /** Today's date as YYYY-MM-DD, for suppression expiry (see todayIso). */
  today: string;
  /** Per-document state kept by an editor between edits, so re-linting is incremental. */
  cache?: LintCache;
  /** What the file's project says about it (project-facts.ts); nothing is assumed without it. */
  projectFacts?: ProjectFactsSource;
}

export interface LintFileOutcome {
  result: LintResult;
  /** True when the config's `ignore` globs cover the file, or Faultline does not read its language. */
  ignored: boolean;
  resolved: ResolvedConfig;
}

function emptyResult(): LintResult {
  return { findings: [], internalErrors: [], stats: { sqlStatements: 0 } };
}

/** What linting a file needs before its text is read: its config, language and settings. */
export type FilePlan =
  | { ignored: true; resolved: ResolvedConfig }
  | { ignored: false; resolved: ResolvedConfig; languageId: LanguageId; settings: LintSettings; projectPath: string };

/**
 * One settings object per config (the resolver keeps one config object per config file), so
 * files under the same config share it: the audit keys its cache by settings once, not per file.
 */
const settingsByConfig = new WeakMap<FaultlineConfig, { key: string; settings: LintSettings }>();

function settingsOf(config: FaultlineConfig, options: Pick<LintFileOptions, 'onlyRules' | 'today'>): LintSettings {
  const key = `${options.today}\0${options.onlyRules?.join(',') ?? '*'}`;
  const known = settingsByConfig.get(config);
  if (known !== undefined && known.key === key) return known.settings;
  const settings = settingsFromConfig(config, options.today, options.onlyRules);
  settingsByConfig.set(config, { key, settings });
  return settings;
}

/**
 * The file's path inside its project, which is the path the engine is given: rules that tell
 * test, example and script code by its folders (`test/`, `examples/`, `scripts/`) must read the
 * project's own folders, not those it happens to be checked out under (`~/examples/shop/src/a.ts`
 * is production code of the shop). The project begins at the repository root (the nearest folder
 * with a `.git`: a monorepo's `examples/app/package.json` is still an example), else at the
 * folder of the `.faultline.json` that applies, else at the nearest manifest (`package.json`,
 * `pyproject.toml` ...); with none of them the path stays absolute. It depends on the files
 * alone, not on where the audit runs or which folder the editor opened, so the CLI and the
 * editor read a file alike (an audit run from inside `test/` still sees `test/`).
 */
export function projectPathOf(absolutePath: string, resolved: ResolvedConfig): string {
  const root = resolved.repositoryRoot ?? resolved.configDirectory ?? resolved.manifestRoot;
  if (root === null) return absolutePath;
  const inside = relative(root, absolutePath);
  const outside = inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  return outside ? absolutePath : inside;
}

/**
 * Resolves a file's config and decides whether it is linted, without reading it. The workspace
 * audit plans every file first (config lookups are cached per folder, so this is cheap), then
 * reads and lints only the ones that need it, possibly on worker threads.
 */
export function planFile(path: string, resolver: ConfigResolver, options: Pick<LintFileOptions, 'onlyRules' | 'today'>): FilePlan {
  const resolved = resolver.resolve(path);
  const languageId = languageOfPath(path);
  if (languageId === null) return { ignored: true, resolved };
  if (resolved.configDirectory !== null) {
    const relativePath = relative(resolved.configDirectory, resolve(path)).split(sep).join('/');
    if (isIgnoredByConfig(resolved.config, relativePath)) return { ignored: true, resolved };
  }
  return { ignored: false, resolved, languageId, settings: settingsOf(resolved.config, options), projectPath: projectPathOf(resolve(path), resolved) };
}

export function lintFile(path: string, text: string, resolver: ConfigResolver, options: LintFileOptions): LintFileOutcome {
  const plan = planFile(path, resolver, options);
  if (plan.ignored) return { result: emptyResult(), ignored: true, resolved: plan.resolved };
  const project = options.projectFacts?.factsFor(resolve(path), plan.resolved);
  const result = lintDocument(withPlantedFault({ path: plan.projectPath, languageId: plan.languageId, text, ...(project === undefined ? {} : { project }) }), plan.settings, RULES, options.cache);
  return { result, ignored: false, resolved: plan.resolved };
}

/** Today's local date as YYYY-MM-DD: suppressions expire at the user's midnight, not UTC's. */
export function todayIso(now: Date = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}
