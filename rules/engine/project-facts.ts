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
import { commandReferences, publishesPythonPackages, pythonFileReferences, referenceFileReferences } from './python-references';
import type { FileRole, HttpClientDefault, LanguageId, LintSettings, OrmLibrary, ProjectFacts } from './types';

/** What one file contributes to its project's facts. Plain data: cached and sent to workers. */
export interface FileFacts {
  /** Line (1-based) of an assignment of a non-zero `timeout` to the default axios instance's defaults. */
  axiosTimeoutDefault?: number;
  /** Specifiers of the file's static imports, requires and dynamic imports that may name a project module. */
  imports?: string[];
  /** Specifiers of its `export ... from '...'`: what a barrel re-exports. */
  reexports?: string[];
  /** Names the file imports from other modules by name (`import { a, b as c } from`, `export { d } from`): what it uses of them. */
  namedImports?: string[];
  /** Specifiers of modules the file takes whole (`import * as`, `require()`, `import()`, `export * as`, a path string): every export may be used. */
  wholeImports?: string[];
  /** Names of the functions it exports (`export function f`, `export const f = () =>`). */
  exportedFunctions?: string[];
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
  /**
   * Where the file loads modules by a computed name, as folders inside the project: `children:F`
   * for `` require(`./providers/${name}`) `` (F's files and F's subfolders' index files), `subtree:F`
   * for `require(modulePath)` (anything under the file's own folder F).
   */
  computedLoads?: string[];
  /**
   * What the file's glob strings name (a framework loads those modules by convention): a folder's
   * name (`controllers` of `${root}/controllers/*.ts`), `*.entity` for files named `x.entity.ts`,
   * or '' when the glob names neither (the loading file's own folder is taken).
   */
  globFolders?: string[];
  /** The file runs as a program or is a framework's entry (a top-level call, a shebang, `export const handler`). */
  entrySigns?: boolean;
  /**
   * A Python program (an `if __name__ == '__main__':` block, no scheduler, framework or serverless
   * sign) that imports nothing that runs unattended (a pipeline, a queue consumer, a scheduler).
   */
  mainBlockOnly?: boolean;
  /** The project imports names it never declares (Nuxt, unplugin-auto-import): its import graph is not in its text. */
  autoImports?: boolean;
  /** Exports something (`export`, `module.exports`, `exports.x =`): a module meant to be imported, not a program. */
  exportsSomething?: boolean;
  /**
   * The Python modules the file imports or names (a Python file, or a Procfile, Dockerfile, YAML,
   * TOML or notebook that starts Python code, a JS/TS file naming a `.py` path), in the forms
   * python-references.ts describes.
   */
  pythonImports?: string[];
  /** A packaging file (setup.py, setup.cfg, pyproject.toml) publishing the Python packages of its folder: their users import them. */
  publishesPackages?: boolean;
  /**
   * The file is a serverless function's entry, by its own text (see LAMBDA_ENTRY_PYTHON and
   * LAMBDA_ENTRY_SCRIPT): its code, and code only it imports, ends with the function's invocation.
   */
  lambdaEntry?: boolean;
  /** A Dockerfile building an AWS Lambda container image (`FROM public.ecr.aws/lambda/...`): the code of its folder runs in that function. */
  lambdaImage?: boolean;
}

/**
 * Why a job's own metadata file says it no longer runs, or undefined. Read beside the job's code
 * (bigquery-etl's `metadata.yaml` beside `query.py` / `query.sql`): a top-level `deprecated: true`.
 * Only this field: a missing `scheduling` section does not mean the job is never run by hand or by
 * another scheduler.
 */
export function retiredByJobMetadata(fileName: string, text: string): string | undefined {
  if (fileName !== 'metadata.yaml' && fileName !== 'metadata.yml') return undefined;
  return /^deprecated:[ \t]*(?:true|yes)[ \t]*(?:#.*)?$/m.test(text) ? `its ${fileName} says deprecated: true` : undefined;
}

/** What one `package.json` says: the package's name and the files it names as entry points. */
export interface PackageManifestFacts {
  /** Its folder inside the project ('' at the root). */
  folder: string;
  name?: string;
  /** Paths (relative to the folder) of `main`, `module`, `types`, `source`, `exports`, `bin`, and script files its `scripts` run. */
  entries: string[];
  /** Set when the package is a command-line tool: it has a `bin` and depends on a CLI framework (see COMMAND_LINE_FRAMEWORKS). */
  commandLineTool?: true;
  /** The dependency that makes the package client code: an app on a user's device (`react-native`, `expo`) or a single-page app's build (`react-scripts` ...). */
  clientApp?: string;
  /** Set when the package is a library others may install: not `"private": true`, with an entry (`main`, `module`, `exports`). */
  library?: true;
}

/**
 * Libraries that parse a command line or prompt its user. With a `bin`, they make a package a tool
 * a person runs, not a service (`minimist` and `arg` are left out: servers read flags with them too).
 */
const COMMAND_LINE_FRAMEWORKS = new Set(['commander', '@commander-js/extra-typings', 'yargs', 'citty', 'cac', 'sade', 'meow', 'clipanion', 'oclif', '@oclif/core', 'ink', '@clack/prompts', 'inquirer', '@inquirer/prompts', 'prompts', 'enquirer']);
/**
 * Dependencies that make a package client code, never a server's: an app that runs on a phone or
 * tablet, or a single-page app whose build tool serves no code of its own in production.
 */
const CLIENT_APP_DEPENDENCIES = ['react-native', 'expo', 'react-scripts', 'react-app-rewired', '@craco/craco', '@vue/cli-service'] as const;

/** A call, `new`, `await` or IIFE at the start of a line (column 0): top-level code that runs on import or as a program. */
const TOP_LEVEL_CALL = /^(?:(?:await|void|new)\s+)?(?!(?:if|for|while|switch|return|function|export|import|typeof|catch|try|do|else|class|const|let|var|async|type|interface|declare|enum)\b)[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\(|^\(\s*(?:async\b|function\b|\(\s*\)\s*=>)|^#!/m;
/** Exports frameworks call by name: serverless and Lambda handlers, a program's `main`. */
const ENTRY_EXPORT = /\bexport\s+(?:const|let|var|async\s+function|function)\s+(?:handler|main|lambdaHandler|run)\b|\bexports\.(?:handler|main)\s*=|\brequire\.main\s*===\s*module\b|\bimport\.meta\.main\b/;
/**
 * A Python serverless entry: a top-level `def name(event, context)` (AWS Lambda's handler
 * signature, shared by Google Cloud's event functions, both bounded by a function timeout), a
 * `def lambda_handler(...)`, or an ASGI app wrapped for Lambda (`handler = Mangum(app)`).
 */
const LAMBDA_ENTRY_PYTHON = /^(?:async[ \t]+)?def[ \t]+(?:lambda_handler[ \t]*\(|\w+[ \t]*\(\s*_?(?:event|evt)\b(?:\s*:[^()]{1,80}?)?\s*,\s*_?(?:context|ctx)\b(?:\s*:[^()]{1,80}?)?\s*,?\s*\)\s*(?:->[^:\n]{1,80})?:)|^\w+[ \t]*=[ \t]*Mangum[ \t]*\(/m;
/**
 * A JS/TS serverless entry: an exported function whose first two parameters are `(event, context)`
 * (`export const handler = async (event, context) => ...`, `exports.handler = function (event, context, callback)`).
 */
const LAMBDA_ENTRY_SCRIPT = /(?:\bexport\s+(?:const|let|var)\s+[\w$]+\s*(?::[^=;]{1,120})?=\s*(?:async\s*)?(?:function\b\s*[\w$]*\s*)?|\bexport\s+(?:default\s+)?(?:async\s+)?function\b\s*[\w$]*\s*|\b(?:module\.)?exports\.[\w$]+\s*=\s*(?:async\s*)?(?:function\b\s*[\w$]*\s*)?)\(\s*_?(?:event|evt)\b(?:\s*:[^(),=]{1,120})?\s*,\s*_?(?:context|ctx)\b(?:\s*:[^(),=]{1,120})?\s*[,)]/;
/** An export typed with a handler type of `aws-lambda` (`export const handler: SQSHandler = async (event) => ...`), in a file importing that package. */
const AWS_LAMBDA_TYPED_EXPORT = /\bexport\s+const\s+[\w$]+\s*:\s*\w*Handler\b/;
/** A Dockerfile, by name. */
const DOCKERFILE = /(?:^|\/)(?:Dockerfile[^/]*|[^/]*\.[Dd]ockerfile)$/;
/** A build stage on one of AWS's Lambda base images. */
const LAMBDA_BASE_IMAGE = /^FROM[ \t]+(?:--\S+[ \t]+)*(?:public\.ecr\.aws\/lambda\/|amazon\/aws-lambda-)/im;
/** A call of `require` or `import()` (not a method called or defined with that name). */
const LOAD_CALL = /(?<![.\w$]|\basync\s|\bfunction\s)\b(?:require|import)\s*\(\s*/g;
/** A load's argument that is one string literal: a plain import, read elsewhere. */
const LITERAL_ARGUMENT = /^(?:'[^'\n]*'|"[^"\n]*"|`[^`$]*`)\s*[),]/;
/** A template naming one module of a folder: `` `./providers/${name}` ``, with an optional extension or `/index`. */
const ONE_OF_FOLDER = /^`(\.\.?\/(?:[\w@.-]+\/)*)\$\{[^{}`]{1,100}\}(?:\/index)?(?:\.[cm]?[jt]sx?)?`\s*[),]/;
/** A string naming script files by glob: `'src/**\/*.entity.ts'`, `` `${dir}/controllers/*.{js,ts}` ``. */
const SCRIPT_GLOB = /['"`]([^'"`\n*]{0,200}\*[^'"`\n]{0,60})['"`]/g;
/** The end of a glob that names script files. */
const SCRIPT_GLOB_END = /\.(?:[cm]?[jt]sx?|\{[^}]{0,40}\})$/;
/** A string naming a project script by relative path: `new Worker('./worker.js')`, `new URL('./x.ts', import.meta.url)`, `require.resolve('./workflows')`. */
const SCRIPT_PATH_STRING = /\brequire\.resolve\(\s*['"]([^'"\n]{1,200})['"]|['"`](\.\.?\/[^'"`\n*${}]{1,200}\.[cm]?[jt]sx?)['"`]/g;
/** A module's exports, ESM or CommonJS. */
const EXPORTS = /^\s*export\b|\bmodule\.exports\b|\bexports\.[\w$]+\s*=/m;

/**
 * The import forms, in one pass: `import { a, b as c } from 'x'`, `import D, { a } from 'x'` and
 * `export { a } from 'x'` name what they use (group 1, the braces); `import * as ns`, `export * as
 * ns`, a barrel's `export * from 'x'` (what its importers use of x is not followed through it),
 * `require('x')` and `import('x')` take the module whole (groups 2-4).
 */
const IMPORT_FORM = /\b(?:(?:import|export)\s+(?:(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^{}]{0,4000})\}|\*(?:\s+as\s+[\w$]+)?)\s*from\s*['"]([^'"\n]+)['"]|require\s*\(\s*['"]([^'"\n]+)['"]|import\s*\(\s*['"`]([^'"`\n$]+)['"`])/g;
/** `export function f`, `export async function* f`, `export const f = (...) =>` / `= async function`: a module's exported functions. */
const EXPORTED_FUNCTION = /export[ \t]+(?:(?:async[ \t]+)?function\b[ \t]*\*?[ \t]*([\w$]+)|const[ \t]+([\w$]+)[ \t]*(?::[^=\n]{1,200})?=[ \t]*(?:async\b[ \t]*)?(?:function\b|\([^()]{0,400}\)[ \t]*(?::[^=\n]{1,200})?=>|[\w$]+[ \t]*=>))/y;

/** What the file imports by name, takes whole, and exports as functions (see FileFacts.namedImports). */
function exportUseFacts(text: string, withExports: boolean, pathStrings: readonly string[]): Pick<FileFacts, 'namedImports' | 'wholeImports' | 'exportedFunctions'> {
  const facts: Pick<FileFacts, 'namedImports' | 'wholeImports' | 'exportedFunctions'> = {};
  const names = new Set<string>();
  // A module named by its path (`new Worker('./sync.ts')`, `require.resolve(...)`) is loaded whole.
  const whole = new Set<string>(pathStrings);
  if (text.includes('import') || text.includes('export') || text.includes('require')) {
    for (const match of text.matchAll(IMPORT_FORM)) {
      const braces = match[1];
      if (braces === undefined) {
        const specifier = match[2] ?? match[3] ?? match[4];
        if (specifier !== undefined && whole.size < MAX_SPECIFIERS) whole.add(specifier);
        continue;
      }
      // A comment inside the braces (`a, // the a` on its own line) is no name.
      for (const part of braces.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').split(',')) {
        const name = /^\s*(?:type\s+)?([\w$]+)/.exec(part)?.[1];
        if (name !== undefined && names.size < MAX_SPECIFIERS) names.add(name);
      }
    }
  }
  if (names.size > 0) facts.namedImports = [...names];
  if (whole.size > 0) facts.wholeImports = [...whole];
  if (withExports) {
    // Tried only where `export` starts a word: a sticky match at each, cheaper than a scan of every line.
    const exported = new Set<string>();
    for (let at = text.indexOf('export'); at !== -1 && exported.size < MAX_SPECIFIERS; at = text.indexOf('export', at + 6)) {
      if (at > 0 && /[\w$.]/.test(text[at - 1] ?? '')) continue;
      EXPORTED_FUNCTION.lastIndex = at;
      const match = EXPORTED_FUNCTION.exec(text);
      const name = match?.[1] ?? match?.[2];
      if (name !== undefined) exported.add(name);
    }
    if (exported.size > 0) facts.exportedFunctions = [...exported];
  }
  return facts;
}

/** Frameworks whose modules use what they never import. */
const AUTO_IMPORTS = /\bdefineNuxtConfig\b|\bAutoImport\s*\(|from\s*['"]#(?:imports|app)['"]/;

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
 * Specifiers that may name a project module: relative ones, aliases (`@server/models` looks like
 * a scoped package until the project's aliases are known) and package names, which may be the
 * project's own workspace packages. Node's built-ins (`node:fs`) cannot.
 */
function projectSpecifiers(modules: Iterable<string>): string[] | undefined {
  const specifiers = new Set<string>();
  for (const specifier of modules) {
    if (specifier.startsWith('node:') || specifier === '') continue;
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
  if (languageId === 'python') return pythonFileFacts(path, text, settings);
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
  Object.assign(facts, loadingFacts(path, text, facts.imports));
  Object.assign(facts, exportUseFacts(text, role.role === 'production', facts.wholeImports ?? []));
  if (role.role === 'production' && isScriptLambdaEntry(text, modules)) facts.lambdaEntry = true;
  // A Python program the file starts (`spawn('python3', [path.join(__dirname, 'verify.py')])`).
  if (text.includes('.py')) {
    const pythonPaths = new Set<string>();
    commandReferences(text, pythonPaths, false);
    if (pythonPaths.size > 0) facts.pythonImports = [...pythonPaths];
  }
  return facts;
}

function isScriptLambdaEntry(text: string, modules: readonly string[]): boolean {
  if (!text.includes('export')) return false;
  return LAMBDA_ENTRY_SCRIPT.test(text) || (modules.includes('aws-lambda') && AWS_LAMBDA_TYPED_EXPORT.test(text));
}

/**
 * What a Python program imports or does when something other than a person runs it: an
 * orchestrator or Spark (a scheduler submits it), a queue or stream consumer, an in-process
 * scheduler, a server, or a loop that sleeps between rounds (a daemon).
 */
const UNATTENDED_PROGRAM = /^[ \t]*(?:import|from)[ \t]+(?:airflow|pyspark|dagster|prefect|luigi|apache_beam|kafka|confluent_kafka|aiokafka|pika|aio_pika|kombu|celery|rq|dramatiq|huey|schedule|apscheduler|uvicorn|gunicorn|tornado|twisted|websockets|discord|telegram|slack_bolt|functions_framework|awslambdaric)\b|^[ \t]*while[ \t]+(?:True|1)[ \t]*:(?=[\s\S]{0,2000}?\bsleep\s*\()/m;

/** A Python module's facts: its role, what it imports or names, how it loads modules, whether it starts. */
function pythonFileFacts(path: string, text: string, settings: Pick<LintSettings, 'sqlDialect' | 'roles'>): FileFacts {
  const role = detectFileRole(path, 'python', text, settings);
  // Any module's top-level names can be imported: a Python module always exports something.
  const facts: FileFacts = { role: role.role, exportsSomething: true };
  if (role.source === 'config') facts.roleFromConfig = true;
  const found = pythonFileReferences(path, text);
  if (found.references.length > 0) facts.pythonImports = found.references;
  if (found.computedLoads.length > 0) facts.computedLoads = found.computedLoads;
  if (found.globFolders.length > 0) facts.globFolders = found.globFolders;
  if (found.entrySigns) facts.entrySigns = true;
  if (found.mainBlockOnly && !UNATTENDED_PROGRAM.test(text)) facts.mainBlockOnly = true;
  if (publishesPythonPackages(path.slice(path.lastIndexOf('/') + 1), text)) facts.publishesPackages = true;
  if (role.role === 'production' && (text.includes('def ') || text.includes('Mangum')) && LAMBDA_ENTRY_PYTHON.test(text)) facts.lambdaEntry = true;
  return facts;
}

/**
 * What a file that starts Python code contributes (a Procfile, Dockerfile, shell script, YAML,
 * JSON, TOML, setup.cfg or notebook: see isPythonReferenceFile): the modules and `.py` paths it
 * names. Read as data; nothing in it runs.
 */
export function pythonReferenceFileFacts(path: string, text: string): FileFacts {
  const facts: FileFacts = {};
  const references = referenceFileReferences(path, text);
  if (references.length > 0) facts.pythonImports = references;
  if (publishesPythonPackages(path.slice(path.lastIndexOf('/') + 1), text)) facts.publishesPackages = true;
  if (DOCKERFILE.test(path) && LAMBDA_BASE_IMAGE.test(text)) facts.lambdaImage = true;
  return facts;
}

/** See FileFacts.computedLoads. */
function computedLoadFolders(path: string, text: string): string[] | undefined {
  if (!text.includes('require') && !text.includes('import')) return undefined;
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const loads = new Set<string>();
  for (const match of text.matchAll(LOAD_CALL)) {
    const argument = text.slice(match.index + match[0].length, match.index + match[0].length + 240);
    if (argument.startsWith(')') || LITERAL_ARGUMENT.test(argument)) continue;
    // `import(data, hash) {`: a method of that name being defined, not a load.
    if (/^[\w$]+(?:\s*[:,][^(){}\n]*)?\)\s*(?::[^{\n]*)?\{/.test(argument)) continue;
    const oneOf = ONE_OF_FOLDER.exec(argument);
    const target = oneOf === null ? null : normalizePath(`${folder}/${oneOf[1] ?? ''}`);
    loads.add(target !== null && (target !== '' || isProjectRoot(`${folder}/${oneOf?.[1] ?? ''}`)) ? `children:${target}` : `subtree:${folder}`);
    if (loads.size >= MAX_SPECIFIERS) break;
  }
  return loads.size === 0 ? undefined : [...loads];
}

/** How the file loads or is loaded other than by a plain import: what `unimported` must not miss. */
type LoadingFacts = Pick<FileFacts, 'computedLoads' | 'globFolders' | 'entrySigns' | 'autoImports' | 'exportsSomething' | 'imports' | 'wholeImports'>;

function loadingFacts(path: string, text: string, imports: string[] | undefined): LoadingFacts {
  const facts: LoadingFacts = {};
  const computedLoads = computedLoadFolders(path, text);
  if (computedLoads !== undefined) facts.computedLoads = computedLoads;
  if (text.includes('*')) {
    const folders = new Set<string>();
    for (const match of text.matchAll(SCRIPT_GLOB)) {
      const glob = match[1] ?? '';
      if (!SCRIPT_GLOB_END.test(glob)) continue;
      // The literal folder nearest the glob (`controllers` of `${dir}/controllers/*.ts`), and a
      // name the files share (`.entity` of `**/*.entity.ts`); with neither, '' (the loader's folder).
      const folder = glob.slice(0, glob.indexOf('*')).split('/').filter((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('$')).pop();
      const suffix = /\*(\.[\w-]+)\.(?:[cm]?[jt]sx?|\{[^}]*\})$/.exec(glob)?.[1];
      folders.add(suffix !== undefined ? `*${suffix}` : (folder ?? ''));
      if (folders.size >= MAX_SPECIFIERS) break;
    }
    if (folders.size > 0) facts.globFolders = [...folders];
  }
  if (TOP_LEVEL_CALL.test(text) || ENTRY_EXPORT.test(text)) facts.entrySigns = true;
  if (AUTO_IMPORTS.test(text)) facts.autoImports = true;
  if (EXPORTS.test(text)) facts.exportsSomething = true;
  if (text.includes('.js') || text.includes('.ts') || text.includes('require.resolve')) {
    const named = new Set(imports ?? []);
    const paths: string[] = [];
    for (const match of text.matchAll(SCRIPT_PATH_STRING)) {
      if (named.size >= MAX_SPECIFIERS) break;
      const path = match[1] ?? match[2] ?? '';
      named.add(path);
      if (path !== '') paths.push(path);
    }
    named.delete('');
    if (named.size > 0) facts.imports = [...named];
    if (paths.length > 0) facts.wholeImports = paths;
  }
  return facts;
}

const MANIFEST_ENTRY_FIELDS = ['main', 'module', 'types', 'typings', 'source', 'browser', 'exports', 'bin'] as const;
/** A script path inside a `scripts` command: `node dist/main.js`, `ts-node src/bin/sync.ts`. */
const SCRIPT_IN_COMMAND = /(?:^|[\s=])((?:\.\.?\/)?[\w@.-]+(?:\/[\w@.-]+)*\.[cm]?[jt]sx?)\b/g;

function stringsIn(value: unknown, into: string[], depth = 0): void {
  if (into.length >= MAX_SPECIFIERS || depth > 8) return;
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into, depth + 1);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, into, depth + 1);
}

/** What the `package.json` at `path` (inside the project) says; its text is data, parsed as JSON. */
export function packageManifestFacts(path: string, text: string): PackageManifestFacts {
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return { folder, entries: [] };
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return { folder, entries: [] };
  const fields = manifest as Record<string, unknown>;
  const entries: string[] = [];
  for (const field of MANIFEST_ENTRY_FIELDS) stringsIn(fields[field], entries);
  const commands: string[] = [];
  stringsIn(fields.scripts, commands);
  for (const command of commands) for (const match of command.matchAll(SCRIPT_IN_COMMAND)) entries.push(match[1] ?? '');
  const facts: PackageManifestFacts = { folder, entries: entries.filter((entry) => entry !== '') };
  if (typeof fields.name === 'string' && fields.name !== '') facts.name = fields.name;
  const dependencies = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    const listed = fields[field];
    if (typeof listed === 'object' && listed !== null && !Array.isArray(listed)) for (const name of Object.keys(listed)) dependencies.add(name);
  }
  const bins: string[] = [];
  stringsIn(fields.bin, bins);
  if (bins.length > 0 && [...dependencies].some((name) => COMMAND_LINE_FRAMEWORKS.has(name))) facts.commandLineTool = true;
  const client = CLIENT_APP_DEPENDENCIES.find((name) => dependencies.has(name));
  if (client !== undefined) facts.clientApp = client;
  if (fields.private !== true && ['main', 'module', 'exports'].some((field) => fields[field] !== undefined)) facts.library = true;
  return facts;
}

/** A Nuxt app's config: its `.vue` components are rendered on the server as well. */
const NUXT_CONFIG = /(?:^|\/)nuxt\.config\.[cm]?[jt]s$/;

/**
 * What a component or page file of a UI framework (`.vue`, `.svelte`, `.astro`, `.mdx`)
 * contributes: the modules its script imports. It is UI code, but it spreads the browser role
 * only through what it imports by sign, like a .tsx file (Nuxt and SvelteKit render on the server too).
 */
export function componentFileFacts(text: string): FileFacts {
  const facts: FileFacts = { role: 'browser' };
  const imports = projectSpecifiers(importedModules(text, 'javascript'));
  if (imports !== undefined) facts.imports = imports;
  Object.assign(facts, exportUseFacts(text, false, []));
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
  return firstExisting(bases, exists);
}

/** The first of `bases` that names a project script, the way bundlers try extensions and `index` files. */
function firstExisting(bases: readonly string[], exists: (path: string) => boolean): string | null {
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
  /** Production modules nothing imports and nothing starts (see findUnimported). */
  unimportedModules: ReadonlySet<string>;
  /** Python programs nothing in the project imports or starts: run by hand (see handRunPrograms). */
  handRunPrograms: ReadonlySet<string>;
  /** Production modules that run only inside a serverless function: path to the function's entry (see lambdaRunModules). */
  lambdaEntries: ReadonlyMap<string, string>;
  /** Exported functions of production JS/TS modules that no module of the project imports (see unusedExportedFunctions): path to their names. */
  unusedExports: ReadonlyMap<string, readonly string[]>;
  /** Production JS/TS modules every importer of which is a test or a script: path to its role and one importer (see toolOnlyModules). */
  toolOnlyModules: ReadonlyMap<string, { role: 'test' | 'script'; importer: string }>;
  /** Folders of packages that are command-line tools: folder to the package's name. */
  commandLineTools: ReadonlyMap<string, string>;
  /** Production JS/TS modules of client-app packages (ProjectFacts.clientApp) that import no server module: path to the dependency. */
  clientAppModules: ReadonlyMap<string, string>;
}

export interface ProjectIndexOptions {
  /** The root config's aliases (and the defaults). */
  aliases: readonly PathAlias[];
  /** The aliases of other `tsconfig.json` / `jsconfig.json` files: a file uses those of the nearest folder above it. */
  folderAliases?: readonly { folder: string; aliases: readonly PathAlias[] }[];
  /** The project's `package.json` files: workspace packages imported by name, and entry points. */
  packages?: readonly PackageManifestFacts[];

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
  const folderAliases = [...(options.folderAliases ?? [])].filter((entry) => entry.aliases.length > 0).sort((a, b) => b.folder.length - a.folder.length);
  const aliasesOf = (importer: string): { key: string; aliases: readonly PathAlias[] } => {
    const nearest = folderAliases.find((entry) => entry.folder === '' || importer.startsWith(`${entry.folder}/`));
    return nearest === undefined ? { key: '', aliases: options.aliases } : { key: `${nearest.folder}/`, aliases: [...nearest.aliases, ...options.aliases] };
  };
  const packages = workspacePackages(options.packages ?? [], exists);
  // Most specifiers recur (every module imports `@server/models`), so each is resolved once per
  // folder it is written in (aliases resolve alike from every folder under one tsconfig).
  const resolved = new Map<string, string | null>();
  const resolve = (importer: string, specifier: string): string | null => {
    const relative = specifier.startsWith('.');
    const scope = relative ? importer.slice(0, importer.lastIndexOf('/') + 1) : aliasesOf(importer);
    const key = typeof scope === 'string' ? `${scope}\0${specifier}` : `${scope.key}\0${specifier}`;
    let target = resolved.get(key);
    if (target === undefined) {
      target = resolveSpecifier(importer, specifier, typeof scope === 'string' ? [] : scope.aliases, exists);
      if (target === null && !relative) target = packages.resolve(specifier);
      resolved.set(key, target);
    }
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
  // A test imports a module to exercise it, on whichever side it runs: only the other importers tell.
  const runtimeImporters = new Map<string, string[]>();
  for (const [path, list] of importers) {
    const running = list.filter((importer) => files.get(importer)?.role !== 'test');
    if (running.length > 0) runtimeImporters.set(path, running);
  }
  if (options.complete) {
    // Spread from browser code by sign only (see FileFacts.browserBySign), and through what it makes browser.
    const spreading = new Set<string>();
    for (const [path, facts] of files) if (facts.browserBySign === true) spreading.add(path);
    // A Vue single-file component runs in the browser unless a Nuxt app renders it on its server too.
    if (![...files.keys()].some((path) => NUXT_CONFIG.test(path))) for (const path of files.keys()) if (path.endsWith('.vue')) spreading.add(path);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const [path, list] of runtimeImporters) {
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
  const pythonImporters = pythonImportersOf(files);
  const unimportedModules = options.complete ? findUnimported(files, { scripts: importers, python: pythonImporters }, packages) : new Set<string>();
  const lambdaEntries = options.complete ? lambdaRunModules(files, [runtimeImporters, pythonImporters]) : lambdaRunModules(files, []);
  const handRun = options.complete ? handRunPrograms(files, pythonImporters, lambdaEntries) : new Set<string>();
  const manifestFolders = new Set((options.packages ?? []).map((manifest) => manifest.folder));
  // The unused-module fact counts a module as loaded on the broadest signs (any folder named like
  // a glob's, `src/**/*.ts` naming every `src/`; a package imported by a name the pre-pass cannot
  // follow). Here the module's importers are known: only loads that name its folder or its suffix count.
  const loadedByPlace = options.complete ? placeLoads(files, packages, { broad: false }) : () => true;
  const startsOnItsOwn = (path: string): boolean => packages.entries.has(path) || browser.has(path) || isEntryByPath(path, manifestFolders) || loadedByPlace(path);
  const toolOnly = options.complete ? toolOnlyModules(files, importers, startsOnItsOwn) : new Map<string, { role: 'test' | 'script'; importer: string }>();
  const libraryFolders = (options.packages ?? []).filter((manifest) => manifest.library === true).map((manifest) => manifest.folder);
  const unusedExports =
    options.complete && ![...files.values()].some((facts) => facts.autoImports === true)
      ? unusedExportedFunctions(files, runtimeImporters, resolve, (path) => startsOnItsOwn(path) || libraryFolders.some((folder) => folder === '' || isInside(path, folder)))
      : new Map<string, string[]>();
  const commandLineTools = new Map<string, string>();
  const clientApps = new Map<string, string>();
  for (const manifest of options.packages ?? []) {
    if (manifest.commandLineTool === true) commandLineTools.set(manifest.folder, manifest.name ?? `${manifest.folder === '' ? '' : `${manifest.folder}/`}package.json`);
    if (manifest.clientApp !== undefined) clientApps.set(manifest.folder, manifest.clientApp);
  }
  // A server module imported (express, pg, node:*) says the file runs on a server even there: a CRA app's `server.js`.
  const clientAppModules = new Map<string, string>();
  for (const [path, facts] of files) {
    if (facts.role !== 'production' || facts.serverSigns === true || path.endsWith('.py')) continue;
    const dependency = nearestFolderValue(clientApps, path);
    if (dependency !== undefined) clientAppModules.set(path, dependency);
  }
  return {
    httpClientDefaults,
    browserImporters: sortedByPath(browserImporters),
    browserModules: browser,
    modelImports: sortedByPath(modelImports),
    unimportedModules,
    handRunPrograms: handRun,
    lambdaEntries: sortedByPath(lambdaEntries),
    unusedExports: sortedByPath(unusedExports),
    toolOnlyModules: sortedByPath(toolOnly),
    commandLineTools: sortedByPath(commandLineTools),
    clientAppModules: sortedByPath(clientAppModules),
  };
}

/**
 * Exported functions no module of the project uses: in a production JS/TS module that other
 * (non-test) modules import, the functions whose names no non-test file of the project imports
 * by name (`import { f }`, `export { f } from`), when no non-test file takes the module whole
 * (`import * as`, `require()`, `import()`, a path string). Names are matched across the whole
 * project, not per importer, so a barrel re-exporting `f` or a like-named function elsewhere only
 * keeps more functions live. Entry points (by name, folder, manifest or sign), modules loaded by
 * place, and the modules of a library package (its users import them) are left out.
 */
function unusedExportedFunctions(files: ReadonlyMap<string, FileFacts>, runtimeImporters: ReadonlyMap<string, readonly string[]>, resolve: (importer: string, specifier: string) => string | null, startsOnItsOwn: (path: string) => boolean): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const usedNames = new Set<string>();
  const takenWhole = new Set<string>();
  for (const [path, facts] of files) {
    if (facts.role === 'test') continue;
    for (const name of facts.namedImports ?? []) usedNames.add(name);
    for (const specifier of facts.wholeImports ?? []) {
      const target = resolve(path, specifier);
      if (target !== null) takenWhole.add(target);
    }
  }
  for (const [path, facts] of files) {
    if (facts.exportedFunctions === undefined || facts.role !== 'production' || facts.roleFromConfig === true || facts.entrySigns === true) continue;
    if (!runtimeImporters.has(path) || takenWhole.has(path) || startsOnItsOwn(path)) continue;
    const unused = facts.exportedFunctions.filter((name) => !usedNames.has(name));
    if (unused.length > 0) found.set(path, unused);
  }
  return found;
}

/**
 * Production JS/TS modules that run only when a test or a script does: every importer is a test
 * or a script (or such a module), as with a test helper under an ordinary name or a client only a
 * hand-run setup script uses. A module anything else imports, or that something may start on its
 * own (an entry point by name, folder, manifest or sign), keeps its role. With any script among
 * the importers the module is a script's, else a test's.
 */
function toolOnlyModules(files: ReadonlyMap<string, FileFacts>, importers: ReadonlyMap<string, readonly string[]>, isEntry: (path: string) => boolean): Map<string, { role: 'test' | 'script'; importer: string }> {
  const found = new Map<string, { role: 'test' | 'script'; importer: string }>();
  // A file in a folder a runner loads by place (`commands/test.ts`, a CLI's `test` command) runs
  // on its own whatever its name says: it makes nothing it imports test code.
  const roleOf = (path: string): FileRole | undefined => found.get(path)?.role ?? (isInEntryFolder(path) ? 'production' : files.get(path)?.role);
  const candidates = [...importers.keys()].filter((path) => {
    const facts = files.get(path);
    return facts?.role === 'production' && facts.roleFromConfig !== true && facts.entrySigns !== true && !path.endsWith('.py') && !isEntry(path);
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const path of candidates) {
      if (found.has(path)) continue;
      const list = importers.get(path) ?? [];
      const roles = list.map(roleOf);
      if (list.length === 0 || !roles.every((role) => role === 'test' || role === 'script')) continue;
      // A module with its own unit test is a module under test: what loads it in production may be
      // code the pre-pass cannot follow (a registry reading its folder). A helper has no test of its own.
      if (list.some((importer) => isOwnTest(importer, path))) continue;
      const role = roles.includes('script') ? 'script' : 'test';
      found.set(path, { role, importer: [...list].filter((importer) => roleOf(importer) === role).sort()[0] ?? '' });
      changed = true;
    }
    if (!changed) break;
  }
  return found;
}

const INDEX_FILE = /(?:^|\/)index\.[cm]?[jt]sx?$/;

/** Whether the file's folder is one a runner loads files from by their place (ENTRY_PATH's folders). */
function isInEntryFolder(path: string): boolean {
  const folder = folderOf(path);
  return ENTRY_PATH.test(`${folder === '' ? '' : `${folder}/`}module.ts`);
}

/** `x.test.ts`, `x.spec.js`, `__tests__/x.ts` (and the like) testing `x.ts`. */
function isOwnTest(testPath: string, modulePath: string): boolean {
  const stem = (path: string): string => (path.slice(path.lastIndexOf('/') + 1).split('.')[0] ?? '').toLowerCase();
  return stem(testPath) === stem(modulePath);
}

/**
 * Whether a runner may start the module by its name or folder (ENTRY_PATH). An `index` file is
 * such an entry only at a package's root (its folder or its `src/`, or the project's): deeper, it
 * is a barrel that other modules import.
 */
function isEntryByPath(path: string, manifestFolders: ReadonlySet<string>): boolean {
  if (!ENTRY_PATH.test(path)) return false;
  if (!INDEX_FILE.test(path)) return true;
  const folder = folderOf(path);
  // Its folder alone makes it an entry (`commands/index.ts`).
  if (isInEntryFolder(path)) return true;
  const packageFolder = folder === 'src' ? '' : folder.endsWith('/src') ? folder.slice(0, -'/src'.length) : folder;
  return packageFolder === '' || manifestFolders.has(packageFolder);
}

/** The value the nearest folder above `path` (or the root, '') has in `byFolder`. */
function nearestFolderValue(byFolder: ReadonlyMap<string, string>, path: string): string | undefined {
  if (byFolder.size === 0) return undefined;
  for (let folder = folderOf(path); ; folder = folderOf(folder)) {
    const value = byFolder.get(folder);
    if (value !== undefined) return value;
    if (folder === '') return undefined;
  }
}

/**
 * Production modules that run only inside a serverless function, each with the entry that bounds
 * it (the first by path when several do): the entries (FileFacts.lambdaEntry); the modules of the
 * folder of a Lambda container image holding a handler (FileFacts.lambdaImage) that nothing
 * outside the folder imports (a local runner beside the handler is not deployed elsewhere); and modules every runtime importer
 * of which runs only there. A module anything else imports or names (a web server, a DAG, a CLI, a
 * Procfile) runs outside any function too. `importerMaps` are the runtime (non-test) importers,
 * empty when the files are not the whole project: then only the entries are known.
 */
function lambdaRunModules(files: ReadonlyMap<string, FileFacts>, importerMaps: readonly ReadonlyMap<string, readonly string[]>[]): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [path, facts] of files) if (facts.lambdaEntry === true && facts.role === 'production') entries.set(path, path);
  if (importerMaps.length === 0) return entries;
  if (entries.size === 0) return entries;
  // Each image's folder, deepest first, with its first handler. Only a subfolder holding a handler:
  // an image built from the whole repository says nothing about which of its modules the function runs.
  const images: { folder: string; entry: string }[] = [];
  for (const [path, facts] of files) {
    const folder = folderOf(path);
    if (facts.lambdaImage !== true || folder === '') continue;
    const handler = [...entries.keys()].filter((entry) => isInside(entry, folder)).sort()[0];
    if (handler !== undefined) images.push({ folder, entry: handler });
  }
  images.sort((a, b) => b.folder.length - a.folder.length);
  const imageOf = (path: string) => images.find((image) => isInside(path, image.folder));
  const importersOf = (path: string): readonly string[] => {
    for (const map of importerMaps) {
      const list = map.get(path);
      if (list !== undefined) return list;
    }
    return [];
  };
  const candidates = [...files].filter(([path, facts]) => facts.role === 'production' && !entries.has(path) && (imageOf(path) !== undefined || importersOf(path).length > 0)).map(([path]) => path);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const path of candidates) {
      if (entries.has(path)) continue;
      const image = imageOf(path);
      const bounding: string[] = image === undefined ? [] : [image.entry];
      let bounded = true;
      for (const importer of importersOf(path)) {
        const entry = entries.get(importer) ?? (image !== undefined && isInside(importer, image.folder) ? image.entry : undefined);
        if (entry === undefined) {
          bounded = false;
          break;
        }
        bounding.push(entry);
      }
      if (!bounded || bounding.length === 0) continue;
      entries.set(path, bounding.sort()[0] ?? '');
      changed = true;
    }
    if (!changed) break;
  }
  return entries;
}

/**
 * Names frameworks and runners give the files they start from (`main.ts`, `handler.ts`,
 * `next.config.js`, SvelteKit's `+page.ts`) and folders whose files they load by their place
 * (Next.js `pages/` and Vercel `api/` at a project's or a workspace package's root, serverless `functions/`, CLI `commands/`, job runners' `jobs/`);
 * Temporal loads `workflows.ts` by path, and tools their `.xxxrc.js`. A workspace package's own
 * folder is not such a folder: `packages/plugins/` is a package named plugins.
 */
const ENTRY_PATH = /(?:^|\/)(?:(?:index|main|server|app|handler|worker|cli|lambda|function|middleware|instrumentation|route|page|layout|entry|bootstrap|start|setup|seed|workflows?|activities)\.[cm]?[jt]sx?$|\.[\w-]*rc\.[cm]?[jt]s$|[^/]*\.(?:config|handler|worker|entry|setup|route|page|lambda|function|job|task|command)\.[cm]?[jt]sx?$|\+[^/]*$)|(?:^|\/)(?<!(?:^|\/)(?:apps|packages|services)\/)(?:functions|lambdas?|handlers|bin|commands|jobs|workers|tasks|crons?|plugins)\/|(?:^|^src\/|^(?:apps|packages|services)\/[^/]+\/(?:src\/)?)(?:pages|api)\//;
/** Fewer production modules than this with an importer: the files are not one program (see findUnimported). */
const MIN_IMPORTED_MODULES = 10;
/** Config files whose globs say which files a tool reads (a linter, a test runner), not which modules are loaded. */
const TOOL_CONFIG = /(?:^|\/)(?:[^/]*\.config\.[cm]?[jt]s|\.[\w-]*rc\.[cm]?js)$/;

function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

function isInside(path: string, folder: string): boolean {
  return folder === '' || path.startsWith(`${folder}/`);
}

/**
 * Python files named as conventions by their runners and frameworks: Django's modules (`models`,
 * `views`, `admin`, `apps`, `urls`, `signals`, `tasks`, ...), servers' (`wsgi`, `asgi`, `gunicorn.conf`),
 * settings, a package's `__init__` and `__main__`, pytest's `conftest`, setup and task-runner files,
 * Sphinx's `conf`, Alembic's `env`; folders loaded by place (Django's `management/commands/`,
 * `templatetags/`, `migrations/`, `settings/`; Alembic's `versions/`).
 */
const PYTHON_ENTRY_PATH = /(?:^|\/)(?:(?:models|views|admin|apps|urls|signals|receivers|handlers|tasks|forms|serializers|api|schema|schemas|routes|routing|consumers|context_processors|middleware|wsgi|asgi|settings|local_settings|[\w-]+_settings|settings_[\w-]+|celery|celeryconfig|gunicorn[\w.-]*|manage|conftest|setup|__init__|__main__|main|app|application|handler|lambda_function|noxfile|fabfile|dodo|conf|env)\.py$|(?:management\/commands|templatetags|migrations|versions|settings)\/)/;

/** At most this many distinct variable paths (`jobs/${name}.py`) are resolved per project: each is matched against every module. */
const MAX_PATH_TEMPLATES = 100;

/** Whether the last parts of `path` match `parts`, each a name in which `*` stands for any run of characters. */
function trailingPartsMatch(path: string, parts: readonly string[]): boolean {
  const names = path.split('/');
  if (names.length < parts.length) return false;
  const offset = names.length - parts.length;
  return parts.every((part, index) => wildcardMatch(part, names[offset + index] ?? ''));
}

/**
 * `*` matches any run of characters in `name`. Two pointers that go back only to the last `*`:
 * at most length(pattern) x length(name) steps, where a backtracking regular expression of many
 * `*`s is exponential.
 */
function wildcardMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Folders deeper than this are not indexed by every suffix: a dotted name rarely has more parts. */
const MAX_MODULE_DEPTH = 16;

/**
 * Which Python files each Python module is imported or named by. A dotted name resolves to any
 * file whose path ends with it (`a/b/c.py` or `a/b/c/__init__.py`), whichever folder the project
 * puts on Python's path (the root, `src/`, an Airflow `dags/` folder); when its trailing parts are
 * not a module (`'pkg.tasks.send_mail'`), its longest leading part that is. A `.py` path resolves
 * by its longest trailing part. Every match of an ambiguous name counts: a module wrongly taken
 * for unused hides its findings. A test importing a module does not make it used.
 */
function pythonImportersOf(files: ReadonlyMap<string, FileFacts>): Map<string, string[]> {
  const bySuffix = new Map<string, string[]>();
  const byPath = new Map<string, string[]>();
  const index = (key: string, path: string): void => {
    const parts = key.split('/');
    for (let start = Math.max(0, parts.length - MAX_MODULE_DEPTH); start < parts.length; start++) {
      const suffix = parts.slice(start).join('/');
      const list = bySuffix.get(suffix);
      if (list === undefined) bySuffix.set(suffix, [path]);
      else list.push(path);
    }
    byPath.set(key, [...(byPath.get(key) ?? []), path]);
  };
  for (const path of files.keys()) {
    if (!path.endsWith('.py')) continue;
    const module = path.slice(0, -'.py'.length);
    index(module, path);
    if (module === '__init__' || module.endsWith('/__init__')) {
      const folder = folderOf(path);
      if (folder !== '') index(folder, path);
    }
  }
  const resolved = new Map<string, readonly string[]>();
  const modulePaths = [...files.keys()].filter((path) => path.endsWith('.py')).map((path) => path.slice(0, -'.py'.length));
  let templatesLeft = MAX_PATH_TEMPLATES;
  const resolve = (reference: string): readonly string[] => {
    const known = resolved.get(reference);
    if (known !== undefined) return known;
    let targets: readonly string[] = [];
    const body = reference.slice(2);
    if (reference.startsWith('t:')) {
      // A path built from variables: the longest trailing part that matches any module, each variable within one folder.
      if (templatesLeft-- > 0) {
        const parts = body.split('/');
        // One pass over the modules for the file name; the folders are then matched on those few.
        const candidates = modulePaths.filter((module) => trailingPartsMatch(module, parts.slice(-1)));
        for (let start = 0; start < parts.length - 1 && targets.length === 0; start++) targets = candidates.filter((module) => trailingPartsMatch(module, parts.slice(start)));
        if (targets.length === 0) targets = candidates;
        targets = targets.map((module) => `${module}.py`);
      }
    } else if (reference.startsWith('f:')) {
      // A path: the longest trailing part that names a module (`/opt/app/jobs/run.py` is `jobs/run.py` here).
      const parts = body.split('/');
      for (let start = 0; start < parts.length && targets.length === 0; start++) targets = bySuffix.get(parts.slice(start).join('/')) ?? [];
    } else {
      // A dotted name: the longest leading part that names a module; a relative import's from the root.
      const anchored = body.startsWith('/');
      const parts = (anchored ? body.slice(1) : body).split('/').filter((part) => part !== '');
      for (let end = parts.length; end > 0 && targets.length === 0; end--) targets = (anchored ? byPath : bySuffix).get(parts.slice(0, end).join('/')) ?? [];
    }
    resolved.set(reference, targets);
    return targets;
  };
  const importers = new Map<string, string[]>();
  for (const [path, facts] of files) {
    if (facts.pythonImports === undefined || facts.role === 'test') continue;
    for (const reference of facts.pythonImports) {
      for (const target of resolve(reference)) {
        if (target === path) continue;
        const list = importers.get(target);
        if (list === undefined) importers.set(target, [path]);
        else if (list[list.length - 1] !== path) list.push(path);
      }
    }
  }
  return importers;
}

/**
 * Production modules that no file of the project imports and nothing marks as an entry point:
 * code that cannot run (dead code, a copy left behind). Whatever could load a module without
 * naming it keeps that module out: a computed `require`, a glob a framework loads, a workspace
 * package imported by a name the pre-pass cannot follow.
 */
function findUnimported(files: ReadonlyMap<string, FileFacts>, importers: { scripts: ReadonlyMap<string, readonly string[]>; python: ReadonlyMap<string, readonly string[]> }, packages: WorkspacePackages): Set<string> {
  const unimported = new Set<string>();
  const isPython = (path: string): boolean => path.endsWith('.py');
  const importersOf = (path: string): ReadonlyMap<string, readonly string[]> => (isPython(path) ? importers.python : importers.scripts);
  // A few files that do not import each other are a scratch folder or a set of scripts, not a
  // program whose modules import one another: there, no file is dead for want of an importer.
  // JS/TS and Python are separate programs, counted apart.
  let importedScripts = 0;
  let importedPython = 0;
  for (const [path, facts] of files) {
    if (facts.role !== 'production' || !importersOf(path).has(path)) continue;
    if (isPython(path)) importedPython++;
    else importedScripts++;
  }
  const scriptsCount = importedScripts >= MIN_IMPORTED_MODULES && ![...files.values()].some((facts) => facts.autoImports === true);
  const pythonCounts = importedPython >= MIN_IMPORTED_MODULES;
  if (!scriptsCount && !pythonCounts) return unimported;
  const loadedByPlace = placeLoads(files, packages, { broad: true });
  const publishedFolders: string[] = [];
  const pythonPackages = new Set<string>();
  for (const [path, facts] of files) {
    if (facts.publishesPackages === true) publishedFolders.push(folderOf(path));
    if (path === '__init__.py' || path.endsWith('/__init__.py')) pythonPackages.add(folderOf(path));
  }
  for (const [path, facts] of files) {
    if (facts.role !== 'production' || facts.roleFromConfig === true || facts.exportsSomething !== true || facts.entrySigns === true || importersOf(path).has(path)) continue;
    if (!(isPython(path) ? pythonCounts : scriptsCount)) continue;
    if (packages.entries.has(path) || ENTRY_PATH.test(path)) continue;
    const folder = folderOf(path);
    // A module of a published Python package: its users import it.
    if (isPython(path) && (PYTHON_ENTRY_PATH.test(path) || (pythonPackages.has(folder) && publishedFolders.some((published) => isInside(path, published))))) continue;
    if (loadedByPlace(path)) continue;
    unimported.add(path);
  }
  return unimported;
}

/**
 * Where a Python program's name or folder says a process runs it (a worker, a consumer, a job), or
 * a folder a scheduler or platform loads: such a program is not taken for one a person runs.
 */
const UNATTENDED_PROGRAM_PATH = /(?:^|\/)(?:jobs?|workers?|tasks|crons?|cronjobs?|dags|lambdas?|functions|handlers|daemons?|consumers?|pipelines?|spark|etl|services|deploy(?:ment)?|k8s|kubernetes|docker|containers?)\/|(?:^|\/|_)(?:worker|workers|consumer|producer|daemon|scheduler|server|service|bot|cron|job|task|pipeline|listener|poller|watcher|runner|run|start|entrypoint|wsgi|asgi)\.py$/;

/**
 * Python programs that nothing in the project starts: a file that runs as a program (see
 * FileFacts.mainBlockOnly), which no module imports and no Procfile, Dockerfile, shell script,
 * Makefile, YAML, TOML or config file names, in a project whose modules import one another (at
 * least MIN_IMPORTED_MODULES imported ones, as for unused modules). Those are the maintenance and
 * data-fix scripts a person runs from a shell (`utils/bulk_create_user.py`). Names, folders and
 * imports that say a process runs it (UNATTENDED_PROGRAM_PATH, UNATTENDED_PROGRAM) keep it out,
 * as do entry names (PYTHON_ENTRY_PATH) and a serverless function's code.
 */
function handRunPrograms(files: ReadonlyMap<string, FileFacts>, importers: ReadonlyMap<string, readonly string[]>, lambdaEntries: ReadonlyMap<string, string>): Set<string> {
  const programs = new Set<string>();
  let imported = 0;
  for (const [path, facts] of files) if (facts.role === 'production' && path.endsWith('.py') && importers.has(path)) imported++;
  if (imported < MIN_IMPORTED_MODULES) return programs;
  for (const [path, facts] of files) {
    if (facts.mainBlockOnly !== true || facts.role !== 'production' || facts.roleFromConfig === true || importers.has(path)) continue;
    if (lambdaEntries.has(path) || PYTHON_ENTRY_PATH.test(path) || UNATTENDED_PROGRAM_PATH.test(path)) continue;
    programs.add(path);
  }
  return programs;
}

/**
 * Whether something loads the module without naming it: a computed `require` of its folder
 * (`` require(`./x/${name}`) `` loads x's files and the index files of x's folders), a glob a
 * framework or the project loads (`*.entity.ts`, and with `broad` any folder named like a glob's
 * folder, `entities/*.ts`), and with `broad` any module of a workspace package imported by a name
 * the pre-pass cannot follow.
 */
function placeLoads(files: ReadonlyMap<string, FileFacts>, packages: WorkspacePackages, options: { broad: boolean }): (path: string) => boolean {
  const loadedFolders = options.broad ? [...packages.opaqueFolders] : [];
  const loadedChildren = new Set<string>();
  const globFolderNames = new Set<string>();
  const globSuffixes: string[] = [];
  for (const [path, facts] of files) {
    for (const load of facts.computedLoads ?? []) {
      if (load.startsWith('children:')) loadedChildren.add(load.slice('children:'.length));
      else loadedFolders.push(load.slice('subtree:'.length));
    }
    if (facts.globFolders === undefined || facts.role !== 'production' || TOOL_CONFIG.test(path)) continue;
    for (const glob of facts.globFolders) {
      if (glob === '') loadedFolders.push(folderOf(path));
      else if (glob.startsWith('*')) globSuffixes.push(glob.slice(1));
      else globFolderNames.add(glob);
    }
  }
  return (path) => {
    const folder = folderOf(path);
    if (loadedFolders.some((loaded) => isInside(path, loaded))) return true;
    if (loadedChildren.has(folder) || (/\/index\.[cm]?[jt]sx?$/.test(path) && loadedChildren.has(folderOf(folder)))) return true;
    if (options.broad && folder.split('/').some((part) => globFolderNames.has(part))) return true;
    const stem = path.slice(folder.length).replace(/\.[cm]?[jt]sx?$/, '');
    return globSuffixes.some((suffix) => stem.endsWith(suffix));
  };
}

interface WorkspacePackages {
  /** The project file a package specifier (`@acme/db`, `@acme/db/users`) names, or null. */
  resolve(specifier: string): string | null;
  /** Files the manifests name as entry points. */
  entries: ReadonlySet<string>;
  /** Folders of packages imported by a specifier that names no file found: which of their modules are used is unknown. Filled as specifiers are resolved. */
  opaqueFolders: readonly string[];
}

/** Where a built path's source lives: `dist/index.js` is `src/index.ts` in a package built by tsc. */
function sourceCandidates(folder: string, entry: string): string[] {
  const base = normalizePath(`${folder}/${entry}`).replace(/\.d\.[cm]?ts$/, '');
  const source = base.replace(/(^|\/)(?:dist|build|lib|out)\//, '$1src/');
  return source === base ? [base] : [base, source];
}

function workspacePackages(manifests: readonly PackageManifestFacts[], exists: (path: string) => boolean): WorkspacePackages {
  const byName = new Map<string, { manifest: PackageManifestFacts; main: string | null }>();
  const entries = new Set<string>();
  const opaqueFolders: string[] = [];
  for (const manifest of manifests) {
    const found = manifest.entries.map((entry) => firstExisting(sourceCandidates(manifest.folder, entry), exists)).filter((path) => path !== null);
    for (const path of found) entries.add(path);
    if (manifest.name === undefined) continue;
    const main = found[0] ?? firstExisting([normalizePath(`${manifest.folder}/src/index`), normalizePath(`${manifest.folder}/index`)], exists);
    byName.set(manifest.name, { manifest, main });
  }
  return {
    entries,
    opaqueFolders,
    resolve(specifier) {
      const scoped = specifier.startsWith('@');
      const parts = specifier.split('/');
      const name = parts.slice(0, scoped ? 2 : 1).join('/');
      const known = byName.get(name);
      if (known === undefined) return null;
      const rest = parts.slice(scoped ? 2 : 1).join('/');
      const folder = known.manifest.folder;
      const target = rest === '' ? known.main : firstExisting([normalizePath(`${folder}/${rest}`), normalizePath(`${folder}/src/${rest}`)].filter((base) => base !== ''), exists);
      // A package imported by a name that leads to no file: which of its modules are used is unknown.
      if (target === null) opaqueFolders.push(folder);
      return target;
    },
  };
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
  if (index.unimportedModules.has(normalized)) facts.unimported = true;
  if (index.handRunPrograms.has(normalized)) facts.handRun = true;
  const lambdaEntry = index.lambdaEntries.get(normalized);
  if (lambdaEntry !== undefined) facts.lambdaEntry = lambdaEntry;
  const unusedExports = index.unusedExports.get(normalized);
  if (unusedExports !== undefined) facts.unusedExports = [...unusedExports];
  const toolOnly = index.toolOnlyModules.get(normalized);
  if (toolOnly !== undefined) facts.importedOnlyBy = toolOnly;
  const commandLineTool = nearestFolderValue(index.commandLineTools, normalized);
  if (commandLineTool !== undefined) facts.commandLineTool = commandLineTool;
  const clientApp = index.clientAppModules.get(normalized);
  if (clientApp !== undefined) facts.clientApp = clientApp;
  return facts;
}
