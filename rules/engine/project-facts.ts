/**
 * Project facts: what one file's findings depend on that lives in another file of the project.
 * A project that sets `axios.defaults.timeout` once at startup bounds every call on the default
 * axios instance in every module; a module imported only by browser components runs in the
 * browser even though nothing in its own text says so.
 *
 * Two steps, both pure. `extractFileFacts` reads one file's text (cheaply: a substring check
 * before any regular expression, so most files cost a scan) and keeps what the project may need
 * of it. `buildProjectFacts` combines every file's facts into the `ProjectFacts` that go into
 * each file's settings, where rules and the role detector read them. The front ends own the I/O:
 * which files make up a project, caching each file's facts by its content, and re-extracting on
 * an edit (server/src/workspace/project-facts.ts).
 */

import { detectFileRole, JSX_FILE_REASON, SERVER_MODULE } from './roles';
import { ts } from './languages/typescript';
import { importedModules } from './prefilter';
import type { FileRole, HttpClientDefault, LanguageId, LintSettings, OrmLibrary, ProjectFacts } from './types';

/** What one file contributes to its project's facts. Plain data: cached and sent to workers. */
export interface FileFacts {
  /** Line (1-based) of an assignment of a non-zero `timeout` to the default axios instance's defaults. */
  axiosTimeoutDefault?: number;
  /** Specifiers of the file's static imports, requires and dynamic imports that may name a project module. */
  imports?: string[];
  /** Specifiers of its `export ... from '...'`: what a barrel re-exports. */
  reexports?: string[];
  /** The ORM whose models the file declares (`class User extends Model`, `mongoose.model(...)`, `@Entity`). */
  declaresModels?: OrmLibrary;
  /** The role the file's path and text give it, before any project fact (JS/TS only). */
  role?: FileRole;
  /**
   * Browser code by what it says or where it lives ('use client', a browser folder, browser
   * globals), not merely by being a .jsx/.tsx file: Next.js server components and Remix routes
   * are .tsx files that run on the server, so the browser role spreads only from these.
   */
  browserBySign?: boolean;
  /** Shows it runs on a server (a `.server.` name, 'use server', an import of Node or a database client): never browser-only. */
  serverSigns?: boolean;
  /** The role came from the project's `roles` globs: the project's word, which no fact overrides. */
  roleFromConfig?: boolean;
}

export const NO_PROJECT_FACTS: ProjectFacts = { httpClientDefaults: [], modelImports: {} };

/** The default import of axios: `import axios from 'axios'`, `const axios = require('axios')`. */
const AXIOS_DEFAULT_BINDING = /\bimport\s+(\w+)\s*(?:,\s*\{[^}]{0,2000}\}\s*)?from\s*['"]axios['"]|\b(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*['"]axios['"]\s*\)/g;
/** `axios.defaults.timeout = 30_000`; the value is checked apart (0 means no timeout). */
const DEFAULTS_TIMEOUT = /\b(\w+)\.defaults\.timeout\s*=(?!=)\s*([^;\n]+)/g;
/** `export { default as User } from './User'`, `export * from './models'`. */
const REEXPORT = /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]{0,2000}\})\s*from\s*['"]([^'"\n]+)['"]/g;
/** Each ORM, the modules that import it, and how a file declares one of its models. */
const MODEL_DECLARATIONS: readonly { orm: OrmLibrary; modules: readonly string[]; declaration: RegExp }[] = [
  { orm: 'sequelize', modules: ['sequelize', 'sequelize-typescript'], declaration: /\bextends\s+[\w.]*Model\b|\.define\s*\(|\.init\s*\(\s*\{/ },
  { orm: 'mongoose', modules: ['mongoose'], declaration: /\bmodel\s*(?:<[^>]{0,200}>\s*)?\(\s*['"`][^'"`]*['"`]\s*,/ },
  { orm: 'typeorm', modules: ['typeorm'], declaration: /@Entity\s*\(/ },
];

/** React's state and effect hooks: only client components can call them. */
const CLIENT_HOOK = /\buse(?:State|Effect|LayoutEffect|Reducer)\s*[(<]/;

/** Folders whose .jsx/.tsx files a server-rendering framework may run on the server. */
const SERVER_RENDERED_ROUTES = /(^|\/)(app|pages|routes)\//;

/** At most this many specifiers of one file are kept: a generated barrel may have thousands. */
const MAX_SPECIFIERS = 500;

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/** A timeout value that bounds requests: anything but a literal 0 (or a falsy literal). */
function boundsRequests(value: string): boolean {
  const trimmed = value.replace(/\/\/.*$|\/\*.*?\*\//g, '').trim().replace(/[,)]+$/, '');
  return !/^(?:0+|0x0+|null|undefined|false|Infinity)$/.test(trimmed.replace(/_/g, ''));
}

function axiosTimeoutDefault(text: string): number | undefined {
  if (!text.includes('defaults.timeout') || !text.includes('axios')) return undefined;
  const names = new Set<string>();
  for (const match of text.matchAll(AXIOS_DEFAULT_BINDING)) names.add(match[1] ?? match[2] ?? '');
  for (const match of text.matchAll(DEFAULTS_TIMEOUT)) {
    if (names.has(match[1] ?? '') && boundsRequests(match[2] ?? '')) return lineAt(text, match.index);
  }
  return undefined;
}

/**
 * Specifiers that may name a project module: relative ones, and any with a slash (a tsconfig
 * alias such as `@server/models` looks like a scoped package until the project's aliases are
 * known). Bare package names (`pg`, `node:fs`) cannot.
 */
function projectSpecifiers(modules: Iterable<string>): string[] | undefined {
  const specifiers = new Set<string>();
  for (const specifier of modules) {
    if (specifier.startsWith('node:') || (!specifier.startsWith('.') && !specifier.includes('/'))) continue;
    specifiers.add(specifier);
    if (specifiers.size >= MAX_SPECIFIERS) break;
  }
  return specifiers.size === 0 ? undefined : [...specifiers];
}

function reexportedSpecifiers(text: string): string[] | undefined {
  if (!text.includes('export')) return undefined;
  return projectSpecifiers([...text.matchAll(REEXPORT)].map((match) => match[1] ?? ''));
}

function declaredModels(text: string, modules: ReadonlySet<string>): OrmLibrary | undefined {
  for (const { orm, modules: names, declaration } of MODEL_DECLARATIONS) {
    if (names.some((name) => modules.has(name)) && declaration.test(text)) return orm;
  }
  return undefined;
}

/** What `text` (the file at `path` inside its project) contributes to the project's facts. */
export function extractFileFacts(path: string, languageId: LanguageId, text: string, settings: Pick<LintSettings, 'sqlDialect' | 'roles'>): FileFacts {
  if (languageId !== 'typescript' && languageId !== 'javascript') return {};
  const role = detectFileRole(path, languageId, text, settings);
  const facts: FileFacts = { role: role.role };
  if (role.source === 'config') facts.roleFromConfig = true;
  // A .jsx/.tsx file of a server-rendering framework's routes (Next.js `app/` and `pages/`, Remix
  // `routes/`) may run on the server: it makes its imports browser code only by saying so.
  if (role.role === 'browser' && (role.reason !== JSX_FILE_REASON || !SERVER_RENDERED_ROUTES.test(path) || CLIENT_HOOK.test(text))) facts.browserBySign = true;
  if (/\.server\.[cm]?[jt]sx?$/.test(path) || /^\s*['"]use server['"]/m.test(text.slice(0, 2048)) || SERVER_MODULE.test(text)) facts.serverSigns = true;
  // Only code that runs in production sets the defaults its process runs with: not a test's setup.
  const timeoutLine = role.role === 'production' || role.role === 'browser' ? axiosTimeoutDefault(text) : undefined;
  if (timeoutLine !== undefined) facts.axiosTimeoutDefault = timeoutLine;
  const modules = importedModules(text, languageId);
  const imports = projectSpecifiers(modules);
  if (imports !== undefined) facts.imports = imports;
  const reexports = reexportedSpecifiers(text);
  if (reexports !== undefined) facts.reexports = reexports;
  const orm = declaredModels(text, new Set(modules));
  if (orm !== undefined) facts.declaresModels = orm;
  return facts;
}

/** A tsconfig `paths` entry with one trailing `*`: specifiers starting with `prefix` name files under `targets`. */
export interface PathAlias {
  prefix: string;
  targets: string[];
}

/** The aliases projects use without saying so: `@/x` and `~/x` for `src/x` (Next.js, Vite, Nuxt). */
export const DEFAULT_PATH_ALIASES: readonly PathAlias[] = [
  { prefix: '@/', targets: ['src/'] },
  { prefix: '~/', targets: ['src/'] },
];

/**
 * The path aliases of a `tsconfig.json` / `jsconfig.json` at the project root (`compilerOptions.paths`
 * resolved against `baseUrl`), read as data (JSON with comments; `extends` is not followed). A
 * config that does not parse gives none: the defaults then apply.
 */
export function pathAliasesFromTsconfig(text: string): PathAlias[] {
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', text);
  const options: unknown = parsed.config?.compilerOptions;
  if (parsed.error !== undefined || typeof options !== 'object' || options === null) return [];
  const { paths, baseUrl } = options as { paths?: unknown; baseUrl?: unknown };
  if (typeof paths !== 'object' || paths === null) return [];
  const base = typeof baseUrl === 'string' ? normalizePath(baseUrl) : '';
  const aliases: PathAlias[] = [];
  for (const [pattern, targets] of Object.entries(paths as Record<string, unknown>)) {
    if (!pattern.endsWith('/*') || !Array.isArray(targets)) continue;
    const resolved: string[] = [];
    for (const target of targets) {
      if (typeof target !== 'string' || !target.endsWith('/*')) continue;
      const joined = `${base}/${target.slice(0, -1)}`;
      const folder = normalizePath(joined);
      // A target outside the project (`../shared/*`) names files the pre-pass does not read.
      if (folder === '' && !isProjectRoot(joined)) continue;
      resolved.push(folder === '' ? '' : `${folder}/`);
    }
    if (resolved.length > 0) aliases.push({ prefix: pattern.slice(0, -1), targets: resolved });
  }
  // Longest prefix first, as TypeScript matches them.
  return aliases.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** True when a relative path, once `.` and `..` are resolved, is the root itself (not outside it). */
function isProjectRoot(path: string): boolean {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return '';
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/**
 * The project file a specifier names, or null. Relative specifiers resolve against the importer's
 * folder; others through the project's path aliases (longest prefix first). Extensions and
 * `index` files are tried the way bundlers do; a `.js` specifier may name a `.ts` file
 * (TypeScript's ESM convention).
 */
function resolveSpecifier(importer: string, specifier: string, aliases: readonly PathAlias[], exists: (path: string) => boolean): string | null {
  let bases: string[];
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const folder = importer.includes('/') ? importer.slice(0, importer.lastIndexOf('/')) : '';
    bases = [normalizePath(`${folder}/${specifier}`)];
  } else {
    const alias = aliases.find((candidate) => specifier.startsWith(candidate.prefix));
    if (alias === undefined) return null;
    const rest = specifier.slice(alias.prefix.length);
    bases = alias.targets.map((target) => normalizePath(`${target}${rest}`));
  }
  for (const base of bases) {
    if (base === '') continue;
    if (exists(base)) return base;
    const withoutJs = base.replace(/\.[cm]?js$/, '');
    for (const extension of SCRIPT_EXTENSIONS) {
      if (exists(`${withoutJs}${extension}`)) return `${withoutJs}${extension}`;
    }
    for (const extension of SCRIPT_EXTENSIONS) {
      if (exists(`${base}/index${extension}`)) return `${base}/index${extension}`;
    }
  }
  return null;
}

/** Rounds of spreading along imports: a store imported by a hook imported by a component is three. */
const MAX_ROUNDS = 8;

/** The facts of a whole project, from which each file's `ProjectFacts` is read (projectFactsOf). */
export interface ProjectIndex {
  httpClientDefaults: HttpClientDefault[];
  /** Production modules every importer of which is browser code: path to one importer. */
  browserImporters: ReadonlyMap<string, string>;
  /** Every browser module: those the role detector found and those above. */
  browserModules: ReadonlySet<string>;
  /** Per importing file: its specifiers that name a module exporting ORM models. */
  modelImports: ReadonlyMap<string, Readonly<Record<string, OrmLibrary>>>;
}

export interface ProjectIndexOptions {
  aliases: readonly PathAlias[];
  /**
   * False when the files are not the whole project (the front end stopped at its file limit): a
   * module whose server-side importer was not read would look browser-only, so no module is.
   */
  complete: boolean;
}

function sortedByPath<T>(entries: Iterable<[string, T]>): Map<string, T> {
  return new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The project's facts from every file's. `files` maps each file's path inside the project to its
 * facts. Linear in files and import edges times a capped number of rounds.
 */
export function buildProjectIndex(files: ReadonlyMap<string, FileFacts>, options: ProjectIndexOptions): ProjectIndex {
  const httpClientDefaults: HttpClientDefault[] = [];
  const exists = (path: string): boolean => files.has(path);
  // Most specifiers recur (every module imports `@server/models`), so each is resolved once per
  // folder it is written in (aliases resolve alike from every folder).
  const resolved = new Map<string, string | null>();
  const resolve = (importer: string, specifier: string): string | null => {
    const relative = specifier.startsWith('.');
    const key = relative ? `${importer.slice(0, importer.lastIndexOf('/') + 1)}\0${specifier}` : specifier;
    let target = resolved.get(key);
    if (target === undefined) resolved.set(key, (target = resolveSpecifier(importer, specifier, options.aliases, exists)));
    return target;
  };
  /** Resolved import edges: file to the project modules it imports, with the specifier used. */
  const imports = new Map<string, { specifier: string; target: string }[]>();
  const importers = new Map<string, string[]>();
  const reexported = new Map<string, string[]>();
  for (const [path, facts] of files) {
    if (facts.axiosTimeoutDefault !== undefined) httpClientDefaults.push({ client: 'axios', setting: 'timeout', path, line: facts.axiosTimeoutDefault });
    for (const specifier of facts.imports ?? []) {
      const target = resolve(path, specifier);
      if (target === null || target === path) continue;
      let edges = imports.get(path);
      if (edges === undefined) imports.set(path, (edges = []));
      edges.push({ specifier, target });
      let list = importers.get(target);
      if (list === undefined) importers.set(target, (list = []));
      list.push(path);
    }
    for (const specifier of facts.reexports ?? []) {
      const target = resolve(path, specifier);
      if (target === null || target === path) continue;
      let targets = reexported.get(path);
      if (targets === undefined) reexported.set(path, (targets = []));
      targets.push(target);
    }
  }
  httpClientDefaults.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));

  // Modules that export ORM models: those that declare them, and barrels re-exporting those.
  const modelModules = new Map<string, OrmLibrary>();
  for (const [path, facts] of files) if (facts.declaresModels !== undefined) modelModules.set(path, facts.declaresModels);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const [path, targets] of reexported) {
      if (modelModules.has(path)) continue;
      const orm = targets.map((target) => modelModules.get(target)).find((found) => found !== undefined);
      if (orm !== undefined) {
        modelModules.set(path, orm);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const modelImports = new Map<string, Record<string, OrmLibrary>>();
  for (const [path, edges] of imports) {
    for (const { specifier, target } of edges) {
      const orm = modelModules.get(target);
      if (orm === undefined) continue;
      let record = modelImports.get(path);
      if (record === undefined) modelImports.set(path, (record = {}));
      record[specifier] = orm;
    }
  }

  // A production module every importer of which runs in the browser runs there too.
  const browserImporters = new Map<string, string>();
  const browser = new Set<string>();
  for (const [path, facts] of files) if (facts.role === 'browser') browser.add(path);
  if (options.complete) {
    // Spread from browser code by sign only (see FileFacts.browserBySign), and through what it makes browser.
    const spreading = new Set<string>();
    for (const [path, facts] of files) if (facts.browserBySign === true) spreading.add(path);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const [path, list] of importers) {
        const facts = files.get(path);
        // A route's component imported only by client components is a client component too.
        if (facts?.role === 'browser' && !spreading.has(path) && list.every((importer) => spreading.has(importer))) {
          spreading.add(path);
          changed = true;
          continue;
        }
        if (browser.has(path) || facts?.role !== 'production' || facts.roleFromConfig === true || facts.serverSigns === true) continue;
        if (list.every((importer) => spreading.has(importer))) {
          browser.add(path);
          spreading.add(path);
          browserImporters.set(path, [...list].sort()[0] ?? '');
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  return { httpClientDefaults, browserImporters: sortedByPath(browserImporters), browserModules: browser, modelImports: sortedByPath(modelImports) };
}

/** What the project says about one of its files (`path` inside the project). */
export function projectFactsOf(index: ProjectIndex, path: string): ProjectFacts {
  const normalized = path.replace(/\\/g, '/');
  // A default set in browser code holds in the browser, one set in server code on the server:
  // each process runs its own startup code.
  const inBrowser = index.browserModules.has(normalized);
  const httpClientDefaults = index.httpClientDefaults.filter((fact) => index.browserModules.has(fact.path) === inBrowser);
  const facts: ProjectFacts = { httpClientDefaults, modelImports: index.modelImports.get(normalized) ?? {} };
  const importer = index.browserImporters.get(normalized);
  if (importer !== undefined) facts.browserImporter = importer;
  return facts;
}
