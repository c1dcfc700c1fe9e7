/**
 * The project-facts pre-pass (#13): what each file's findings depend on in the other files of its
 * project. One index per project root (the repository, else the `.faultline.json` folder, else
 * the nearest manifest: the root projectPathOf uses), built the first time a file of that
 * project is linted, by reading its JS/TS and Python files once (and, in a project with Python,
 * the files that start Python code: Procfile, Dockerfiles, YAML, TOML, notebooks); each file's facts are kept by path, so an
 * editor's change to one file re-reads that file alone (`update`), and the project's index is
 * rebuilt from the kept facts only when a file's facts changed. The engine's side (what is read
 * from a file, how facts combine) is rules/engine/project-facts.ts; this module owns the I/O.
 */

import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { buildProjectIndex, componentFileFacts, DEFAULT_PATH_ALIASES, extractFileFacts, isPythonReferenceFile, languageOfPath, NO_PROJECT_FACTS, packageManifestFacts, pathAliasesFromTsconfig, projectFactsOf, pythonReferenceFileFacts, retiredByJobMetadata, type FileFacts, type PackageManifestFacts, type PathAlias, type ProjectFacts, type ProjectIndex } from '../../../rules/index';
import type { ConfigResolver, ResolvedConfig } from './config-resolver';
import { collectFiles, readSourceFile } from './files';
import { planFile, todayIso } from './lint-file';

/**
 * At most this many JS/TS files of one project are read (and, apart, as many Python files). Past it the facts are partial: HTTP
 * defaults and model barrels found still count (they only silence or only add what they name),
 * but no module is called browser-only, since the importer that runs on a server may be unread.
 */
export const MAX_PROJECT_FILES = 20_000;
/**
 * Files larger than this are not read for facts. Far above the audit's 1 MB: a large script (an
 * embedded SVG component, a generated client) still imports modules, and one unread script makes
 * the facts partial for the whole project. Reading for facts is a scan, not a parse.
 */
const MAX_FACTS_FILE_BYTES = 16 * 1024 * 1024;
/** The walk of a project for its scripts stops after this many files of any kind. */
const MAX_WALKED_FILES = 200_000;

export interface ProjectFactsSource {
  /** What the project says about the file at `absolutePath`, whose config resolved to `resolved`. */
  factsFor(absolutePath: string, resolved: ResolvedConfig): ProjectFacts;
  /**
   * An editor's text of a file: its facts are read again. Returns true when that changed what the
   * project says about any file (other open files' findings may be stale).
   */
  update(absolutePath: string, text: string, resolved: ResolvedConfig): boolean;
  /** Forgets every project (files created, deleted or renamed; a config changed). */
  invalidate(): void;
}

interface Project {
  root: string;
  files: Map<string, FileFacts>;
  aliases: PathAlias[];
  folderAliases: { folder: string; aliases: PathAlias[] }[];
  packages: PackageManifestFacts[];
  complete: boolean;
  /** Every Python file was read (see projectAt): otherwise none is, and no Python fact is kept. */
  pythonRead: boolean;
  index: ProjectIndex | null;
}

/** Component and page formats whose `<script>` imports project modules: read for their imports. */
const COMPONENT_FILE = /\.(?:vue|svelte|astro|mdx|marko)$/;
/** The metadata files of a data job, beside its code: bigquery-etl's. */
const JOB_METADATA_FILES = ['metadata.yaml', 'metadata.yml'];
/** At most this many manifests and configs of one project are read. */
const MAX_MANIFESTS = 2_000;
/** At most this many files that may start Python code (YAML, Dockerfiles, ...) are read, each up to this size. */
const MAX_PYTHON_REFERENCE_FILES = 5_000;
const MAX_PYTHON_REFERENCE_BYTES = 1024 * 1024;

/** What the project's manifests say: its packages and its nested tsconfigs' aliases. */
function readManifests(root: string, others: readonly string[]): Pick<Project, 'folderAliases' | 'packages'> {
  const folderAliases: Project['folderAliases'] = [];
  const packages: PackageManifestFacts[] = [];
  let read = 0;
  for (const absolutePath of others) {
    const name = absolutePath.slice(absolutePath.lastIndexOf(sep) + 1);
    if (name !== 'package.json' && name !== 'tsconfig.json' && name !== 'jsconfig.json') continue;
    const projectPath = insideRoot(root, absolutePath);
    if (projectPath === null || ++read > MAX_MANIFESTS) continue;
    let text: string;
    try {
      text = readFileSync(absolutePath, 'utf8');
    } catch {
      continue;
    }
    if (name === 'package.json') packages.push(packageManifestFacts(projectPath, text));
    else if (projectPath.includes('/')) {
      // The root's own config is `aliases`; a nested one's paths resolve from its folder.
      const folder = projectPath.slice(0, projectPath.lastIndexOf('/'));
      const aliases = pathAliasesFromTsconfig(text).map((alias) => ({ prefix: alias.prefix, targets: alias.targets.map((target) => `${folder}/${target}`) }));
      if (aliases.length > 0) folderAliases.push({ folder, aliases });
    }
  }
  return { folderAliases, packages };
}

function rootOf(resolved: ResolvedConfig): string | null {
  return resolved.repositoryRoot ?? resolved.configDirectory ?? resolved.manifestRoot;
}

function insideRoot(root: string, absolutePath: string): string | null {
  const inside = relative(root, absolutePath);
  if (inside === '' || inside.startsWith('..') || inside.includes(':')) return null;
  return inside.split(sep).join('/');
}

/** tsconfig's or jsconfig's path aliases, then the usual `@/` and `~/` unless those are defined. */
function aliasesOf(root: string): PathAlias[] {
  let aliases: PathAlias[] = [];
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    let text: string;
    try {
      text = readFileSync(join(root, name), 'utf8');
    } catch {
      continue;
    }
    aliases = pathAliasesFromTsconfig(text);
    break;
  }
  return [...aliases, ...DEFAULT_PATH_ALIASES.filter((alias) => !aliases.some((defined) => defined.prefix === alias.prefix))];
}

function isScript(path: string): boolean {
  const language = languageOfPath(path);
  return language === 'typescript' || language === 'javascript';
}

function isPython(path: string): boolean {
  return languageOfPath(path) === 'python';
}

/** A file whose facts come from the rest of its project: JS/TS, and Python (imports only). */
function hasProjectFacts(path: string): boolean {
  return isScript(path) || isPython(path);
}

/**
 * Which modules the project's non-Python files name (a Procfile's command, a Kubernetes job's
 * `python -m`, pyproject's scripts): read as data, only in a project that has Python files.
 */
function readPythonReferenceFiles(root: string, others: readonly string[], files: Map<string, FileFacts>): void {
  let read = 0;
  for (const absolutePath of others) {
    if (read >= MAX_PYTHON_REFERENCE_FILES) break;
    const projectPath = insideRoot(root, absolutePath);
    if (projectPath === null || !isPythonReferenceFile(projectPath)) continue;
    if ((statSync(absolutePath, { throwIfNoEntry: false })?.size ?? Infinity) > MAX_PYTHON_REFERENCE_BYTES) continue;
    read++;
    let text: string;
    try {
      text = readFileSync(absolutePath, 'utf8');
    } catch {
      continue;
    }
    const facts = pythonReferenceFileFacts(projectPath, text);
    if (facts.pythonImports !== undefined || facts.publishesPackages !== undefined || facts.lambdaImage !== undefined) files.set(projectPath, facts);
  }
}

function factsOfText(projectPath: string, absolutePath: string, text: string, resolver: ConfigResolver): FileFacts {
  const plan = planFile(absolutePath, resolver, { today: todayIso() });
  if (plan.ignored && languageOfPath(absolutePath) === null) return {};
  const settings = plan.ignored ? { sqlDialect: plan.resolved.config.sqlDialect, roles: [] } : plan.settings;
  return extractFileFacts(projectPath, languageOfPath(absolutePath) ?? 'javascript', text, settings);
}

function serialized(index: ProjectIndex): string {
  return JSON.stringify([index.httpClientDefaults, [...index.browserImporters], [...index.browserModules], [...index.modelImports], [...index.unimportedModules].sort(), [...index.lambdaEntries], [...index.toolOnlyModules], [...index.commandLineTools], [...index.clientAppModules]]);
}

export function createProjectFacts(resolver: ConfigResolver, maxFiles = MAX_PROJECT_FILES): ProjectFactsSource {
  const projects = new Map<string, Project>();

  const projectAt = (root: string): Project => {
    const known = projects.get(root);
    if (known !== undefined) return known;
    // The walk stops after MAX_WALKED_FILES files: a root that is a home folder must not freeze the server.
    let walked = 0;
    const others: string[] = [];
    const collected = collectFiles([root], { maxFileSizeBytes: MAX_FACTS_FILE_BYTES, isCancelled: () => ++walked > MAX_WALKED_FILES, onOtherFile: (path) => others.push(path) });
    const scripts = collected.files.filter(isScript);
    // A script the walk skipped (too large, unreadable) or never reached may be the server-side importer.
    const skippedScripts = collected.cancelled || collected.skipped.some((entry) => isScript(entry.path));
    const files = new Map<string, FileFacts>();
    let unread = skippedScripts;
    for (const absolutePath of scripts.slice(0, maxFiles)) {
      const projectPath = insideRoot(root, absolutePath);
      if (projectPath === null) continue;
      const read = readSourceFile(absolutePath);
      if ('skipped' in read) {
        unread = true;
        continue;
      }
      files.set(projectPath, factsOfText(projectPath, absolutePath, read.text, resolver));
    }
    // Vue, Svelte, Astro and MDX files import scripts too: a module only they import is not unused.
    const components = others.filter((path) => COMPONENT_FILE.test(path));
    const componentBudget = Math.max(0, maxFiles - scripts.length);
    for (const absolutePath of components.slice(0, componentBudget)) {
      const projectPath = insideRoot(root, absolutePath);
      if (projectPath === null) continue;
      const read = (statSync(absolutePath, { throwIfNoEntry: false })?.size ?? Infinity) <= MAX_FACTS_FILE_BYTES ? readSourceFile(absolutePath) : { skipped: 'too large' };
      if ('skipped' in read) {
        unread = true;
        continue;
      }
      files.set(projectPath, componentFileFacts(read.text));
    }
    // Python files have their own budget (a large Python tree leaves the JS/TS facts whole), and are
    // read all or none: one unread module may be the only importer of another.
    const pythonFiles = collected.files.filter(isPython);
    let pythonRead = pythonFiles.length > 0 && pythonFiles.length <= maxFiles && !collected.cancelled && !collected.skipped.some((entry) => isPython(entry.path));
    const pythonFacts = new Map<string, FileFacts>();
    for (const absolutePath of pythonRead ? pythonFiles : []) {
      const projectPath = insideRoot(root, absolutePath);
      if (projectPath === null) continue;
      const read = readSourceFile(absolutePath);
      if ('skipped' in read) {
        pythonRead = false;
        break;
      }
      pythonFacts.set(projectPath, factsOfText(projectPath, absolutePath, read.text, resolver));
    }
    if (pythonRead) {
      for (const [path, facts] of pythonFacts) files.set(path, facts);
      readPythonReferenceFiles(root, others, files);
    }
    const project: Project = { root, files, aliases: aliasesOf(root), ...readManifests(root, others), complete: scripts.length + components.length <= maxFiles && !unread, pythonRead, index: null };
    projects.set(root, project);
    return project;
  };

  /** Files whose text an editor gave (`update`): never taken for unused, since they may be new. */
  const edited = new Set<string>();
  /** Per folder: why the job whose metadata sits there no longer runs, or undefined. */
  const retiredJobs = new Map<string, string | undefined>();
  const retiredJobOf = (folder: string): string | undefined => {
    if (retiredJobs.has(folder)) return retiredJobs.get(folder);
    let reason: string | undefined;
    for (const name of JOB_METADATA_FILES) {
      let text: string;
      try {
        text = readFileSync(join(folder, name), 'utf8');
      } catch {
        continue;
      }
      reason = retiredByJobMetadata(name, text.slice(0, MAX_FACTS_FILE_BYTES));
      break;
    }
    retiredJobs.set(folder, reason);
    return reason;
  };

  const indexOf = (project: Project): ProjectIndex => (project.index ??= buildProjectIndex(project.files, { aliases: project.aliases, folderAliases: project.folderAliases, packages: project.packages, complete: project.complete }));

  return {
    factsFor(absolutePath, resolved) {
      const retired = retiredJobOf(dirname(absolutePath));
      const root = rootOf(resolved);
      const projectPath = root === null ? null : insideRoot(root, absolutePath);
      // Only JS/TS and Python files have facts from the rest of the project; any file may be part of a retired job.
      let facts = root === null || projectPath === null || !hasProjectFacts(absolutePath) ? NO_PROJECT_FACTS : projectFactsOf(indexOf(projectAt(root)), projectPath);
      // A module being written is not imported yet: the editor shows its findings in full.
      if (facts.unimported === true && edited.has(absolutePath)) facts = { ...facts, unimported: false };
      return retired === undefined ? facts : { ...facts, retired };
    },
    update(absolutePath, text, resolved) {
      edited.add(absolutePath);
      const root = rootOf(resolved);
      if (root === null || !hasProjectFacts(absolutePath) || text.length > MAX_FACTS_FILE_BYTES) return false;
      const projectPath = insideRoot(root, absolutePath);
      const project = projects.get(root);
      // A project not read yet is read, with this text, when a file of it is first linted.
      if (projectPath === null || project === undefined || (isPython(absolutePath) && !project.pythonRead)) return false;
      const facts = factsOfText(projectPath, absolutePath, text, resolver);
      const before = project.files.get(projectPath);
      if (before !== undefined && JSON.stringify(before) === JSON.stringify(facts)) return false;
      project.files.set(projectPath, facts);
      const previous = project.index;
      project.index = null;
      return previous === null || serialized(previous) !== serialized(indexOf(project));
    },
    invalidate() {
      projects.clear();
      retiredJobs.clear();
    },
  };
}
