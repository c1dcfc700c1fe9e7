/**
 * What a Python file, or a file that starts Python code (a Procfile, a Dockerfile, a CI or
 * Kubernetes YAML, pyproject.toml), says about which Python modules run: the modules it imports
 * or names, how it loads modules by a computed name, and whether it is itself an entry point.
 * A cheap line and string scan, not a parse: each pattern is linear and the kept references are
 * capped. The project index resolves the references (project-facts.ts).
 *
 * A reference is a module path with slashes, in one of three forms:
 * - `m:a/b/c`: a dotted name (`import a.b.c`, `'a.b.c'`); its trailing parts may be attributes
 *   (`'myapp.tasks.send_mail'`), so the longest leading part that names a module counts;
 * - `m:/pkg/sub/mod`: a relative import resolved against the importer's folder, from the root;
 * - `f:opt/app/scripts/export`: a `.py` path (without the extension); its leading folders may be
 *   outside the project (`/opt/app/`), so the longest trailing part that names a module counts.
 * - `t:jobs/export_*`: a `.py` path built from variables (`jobs/export_${kind}.py`), each variable
 *   a `*` that matches within one folder; resolved like `f:`, to every module it matches.
 */

/** At most this many references of one file are kept (a settings module may name hundreds). */
export const MAX_PYTHON_REFERENCES = 500;

/** What a Python file contributes to the project's import graph. */
export interface PythonFileReferences {
  references: string[];
  /** As FileFacts.computedLoads: `subtree:F` for `import_module(name)` in folder F. */
  computedLoads: string[];
  /** As FileFacts.globFolders: the package a computed name starts with (`f'plugins.{name}'`). */
  globFolders: string[];
  entrySigns: boolean;
  /**
   * It runs as a program (an `if __name__ == '__main__':` block) and shows no sign that a scheduler,
   * a framework or a serverless runtime loads it (no DAG, task, route or handler): something starts
   * it by its name, a person or a process.
   */
  mainBlockOnly: boolean;
}

/** `import a.b as c, d` (the names after `import`). */
const IMPORT_STATEMENT = /^[ \t]*import[ \t]+([^\n#;]{1,2000})/gm;
/** `from ..a.b import (c, d)`: the dots, the module, the names. */
const FROM_IMPORT = /^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]*(\([^)]{0,4000}\)|[^\n#;]{1,2000})/gm;
/** A one-line string literal (a triple-quoted string's lines are read as code, which only adds references). */
const STRING_LITERAL = /([rRbBuUfF]{0,2})(['"])([^'"\n]{1,300})\2/g;
/** A whole string that is a dotted name, maybe with an object after a colon: `'pkg.module'`, `'pkg.module:app'`. */
const DOTTED_STRING = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?::[A-Za-z_][\w.]*)?$/;
/** A whole string naming an object in a module: `'app:server'`, `'tasks:celery'`. */
const ENTRY_STRING = /^([A-Za-z_]\w*):[A-Za-z_][\w.]*$/;
/** Last parts of dotted strings that are file names or hosts, not modules. */
const NOT_A_MODULE = /\.(?:json|csv|tsv|ya?ml|txt|md|rst|html?|xml|sql|log|cfg|ini|toml|conf|gz|zip|tar|parquet|avro|png|jpe?g|gif|svg|pdf|xlsx?|com|org|net|io|dev|app|co|uk|de)$/i;
/** A `.py` path inside a string or a command: `scripts/export.py`, `/opt/airflow/jobs/run.py`. */
const PY_PATH = /(?<![\w.-])((?:\.{0,2}\/)?(?:[\w.-]+\/){0,12}[\w-]+)\.py\b/g;
/** A `.py` path that may hold variables: `jobs/${name}.py`, `run_$JOB.py`, `jobs/{name}.py`. */
const TEMPLATED_PY_PATH = /(?<![\w./${}-])((?:\.{0,2}\/)?[\w./${}-]{1,300})\.py\b/g;
/** A shell or format variable inside such a path. */
const PATH_VARIABLE = /\$\{\w+\}|\$\w+|\{\w*\}/g;
/** `python -m pkg.mod`, `celery -A proj worker`, `gunicorn --app proj.wsgi`. */
const MODULE_OPTION = /(?:^|\s)(?:-m|-A|--app)[ \t=]+([A-Za-z_][\w.]*)/g;
/** A dotted name anywhere in a configuration file, maybe with `:object` (entry points, WSGI apps). */
const DOTTED_TOKEN = /(?<![\w./-])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?::[A-Za-z_]\w*)?(?![\w/-])/g;
/** `name:object` in a configuration file (`gunicorn app:server`, `uvicorn main:app`). */
const ENTRY_TOKEN = /(?<![\w./:-])([A-Za-z_]\w*):([A-Za-z_]\w*)(?![\w./:-])/g;

/** A module loaded by a literal name: `import_module('a.b')`, `__import__('a')`. */
const LITERAL_LOAD = /\b(?:import_module|__import__|run_module)\s*\(\s*['"]([\w.]+)['"]/g;
/** A module loaded by a computed name (the argument is not one literal). */
const COMPUTED_LOAD = /\b(?:import_module|__import__|run_module|run_path)\s*\(\s*(?!['"][^'"{}\n]*['"]\s*[,)])([^\n]{0,120})/g;
/** Loaders that walk a folder or load files by path: everything near the loader may be loaded. */
const FOLDER_LOAD = /\b(?:spec_from_file_location|SourceFileLoader|iter_modules|walk_packages|load_source|autodiscover\w*|DagBag|create_dags?)\s*\(|\bexec\s*\(\s*(?:open|compile|Path)\b/;
/** A computed name's literal package: `f'plugins.{name}'`, `'handlers.' + kind`. */
const PACKAGE_PREFIX = /^[fF]?['"]([\w.]*?)\.?(?:\{|['"]\s*\+)/;

/** Signs that a module is started by Python, a scheduler or a framework rather than imported: run as a program, */
const MAIN_BLOCK = /^if\s+(?:__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__)/m;
/** or loaded by a scheduler, a framework or a serverless runtime. */
const FRAMEWORK_ENTRY_SIGNS: readonly RegExp[] = [
  // Airflow DAGs, Celery / Airflow / Prefect / Dagster / dramatiq tasks, CLI commands, signal receivers.
  /\bDAG\s*\(|^\s*with\s+(?:[\w.]+\.)?DAG\b/m,
  /^[ \t]*@(?:[\w.]+\.)?(?:dag|task|shared_task|periodic_task|flow|job|op|asset|multi_asset|sensor|schedule|actor|command|group|callback|receiver|register|hookimpl|fixture)\b/m,
  // Web applications, routers and their route decorators.
  /\b(?:Flask|FastAPI|APIRouter|Blueprint|Celery|Starlette|Sanic|Quart|Litestar|Chalice|Dash|Typer|Application)\s*\(/,
  /^[ \t]*@(?:[\w.]+\.)?(?:route|get|post|put|patch|delete|head|options|websocket|api_route|on_event|middleware|before_request|after_request|before_app_request|errorhandler|exception_handler|cli\.command)\s*\(/m,
  // A gusty task: the YAML front matter in its leading comments names its callable.
  /^#[ \t]*python_callable[ \t]*:/m,
  // Serverless handlers: AWS Lambda, Google Cloud Functions.
  /^def\s+(?:lambda_handler|handler)\s*\(|^def\s+\w+\s*\(\s*(?:event|request)\s*,\s*context\b|\bfunctions_framework\b/m,
];

/** A statement at column 0 that runs work when the module runs: a call, a loop, a `with` block. */
const TOP_LEVEL_STATEMENT = /^(?:(?:for|while|with|async\s+with|async\s+for)\b|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\()/gm;
/** Top-level calls that configure a library module as it is imported; they do not make it a program. */
const CONFIGURING_CALL = /^(?:(?:dotenv\.)?load_dotenv|warnings\.\w+|logging\.\w+|sys\.path\.\w+|\w+\.set_option|pd\.options\.[\w.]+|(?:requests\.packages\.)?urllib3\.disable_warnings|matplotlib\.use|(?:np\.|numpy\.)?random\.seed|nest_asyncio\.apply|locale\.setlocale|os\.environ\.setdefault|setattr|TypeVar|NewType|namedtuple|(?:[\w.]+\.)?register\w*|(?:[\w.]+\.)?(?:update_forward_refs|model_rebuild)|__all__\.\w+)$/;

/** The module a dotted name names, as the reference `m:a/b/c` (null when it is a file name or host). */
function moduleReference(dotted: string): string | null {
  if (NOT_A_MODULE.test(dotted)) return null;
  return `m:${dotted.replace(/\./g, '/')}`;
}

/** The reference a `.py` path makes (`f:scripts/export`), with `./`, `../` and a leading `/` taken off. */
function pathReference(path: string): string | null {
  const trimmed = path.replace(/^(?:\.{0,2}\/)+/, '');
  return trimmed === '' ? null : `f:${trimmed}`;
}

/** `t:jobs/export_*` for `jobs/export_${kind}`; null for a path with no variable or with a part left unread. */
function templatedPathReference(path: string): string | null {
  if (!path.includes('$') && !path.includes('{')) return null;
  const pattern = path.replace(/^(?:\.{0,2}\/)+/, '').replace(PATH_VARIABLE, '*').replace(/\*+/g, '*');
  return pattern === '' || /[${}]/.test(pattern) ? null : `t:${pattern}`;
}

/** References in a command or configuration text: `.py` paths, `-m pkg.mod`, dotted names and `module:object` strings. */
export function commandReferences(text: string, into: Set<string>, tokens: boolean): void {
  const add = (reference: string | null): void => {
    if (reference !== null && into.size < MAX_PYTHON_REFERENCES) into.add(reference);
  };
  if (text.includes('.py')) for (const match of text.matchAll(PY_PATH)) add(pathReference(match[1] ?? ''));
  if (text.includes('.py') && (text.includes('$') || text.includes('{'))) for (const match of text.matchAll(TEMPLATED_PY_PATH)) add(templatedPathReference(match[1] ?? ''));
  if (text.includes('-')) for (const match of text.matchAll(MODULE_OPTION)) add(moduleReference(match[1] ?? ''));
  if (!tokens) return;
  for (const match of text.matchAll(DOTTED_TOKEN)) {
    if (into.size >= MAX_PYTHON_REFERENCES) break;
    add(moduleReference(match[1] ?? ''));
  }
  if (text.includes(':')) for (const match of text.matchAll(ENTRY_TOKEN)) add(`m:${match[1] ?? ''}`);
}

/** The folder of a project path ('' at the root). */
function folderParts(path: string): string[] {
  return path.split('/').slice(0, -1);
}

/** What the Python file at `path` (inside its project) imports, names and loads, and whether it is an entry point. */
export function pythonFileReferences(path: string, text: string): PythonFileReferences {
  const references = new Set<string>();
  const add = (reference: string | null): void => {
    if (reference !== null && references.size < MAX_PYTHON_REFERENCES) references.add(reference);
  };
  if (text.includes('import')) {
    for (const match of text.matchAll(IMPORT_STATEMENT)) {
      for (const name of (match[1] ?? '').split(',')) {
        const dotted = /^\s*([A-Za-z_][\w.]*)/.exec(name)?.[1];
        if (dotted !== undefined) add(`m:${dotted.replace(/\./g, '/')}`);
      }
      if (references.size >= MAX_PYTHON_REFERENCES) break;
    }
    for (const match of text.matchAll(FROM_IMPORT)) {
      const dots = (match[1] ?? '').length;
      const module = (match[2] ?? '').split('.').filter((part) => part !== '');
      let base: string;
      if (dots === 0) {
        if (module.length === 0) continue;
        base = `m:${module.join('/')}`;
      } else {
        // `from ..pkg import x` in a/b/c.py: a/pkg/x; a relative import above the root names nothing here.
        const folder = folderParts(path);
        if (dots - 1 > folder.length) continue;
        base = `m:/${[...folder.slice(0, folder.length - (dots - 1)), ...module].join('/')}`;
      }
      add(base);
      // Each imported name may be a submodule (`from a.b import c` may import a/b/c.py).
      for (const name of (match[3] ?? '').replace(/[()\\]/g, ' ').split(',')) {
        const imported = /^\s*([A-Za-z_]\w*)/.exec(name)?.[1];
        if (imported !== undefined) add(`${base}${base === 'm:/' ? '' : '/'}${imported}`);
      }
      if (references.size >= MAX_PYTHON_REFERENCES) break;
    }
  }
  for (const match of text.matchAll(LITERAL_LOAD)) add(`m:${(match[1] ?? '').replace(/\./g, '/')}`);
  if (text.includes("'") || text.includes('"')) {
    for (const match of text.matchAll(STRING_LITERAL)) {
      if (references.size >= MAX_PYTHON_REFERENCES) break;
      const value = (match[3] ?? '').trim();
      const dotted = DOTTED_STRING.exec(value)?.[1];
      if (dotted !== undefined) add(moduleReference(dotted));
      else {
        const entry = ENTRY_STRING.exec(value)?.[1];
        if (entry !== undefined) add(`m:${entry}`);
        else commandReferences(value, references, false);
      }
    }
  }
  const computedLoads = new Set<string>();
  const globFolders = new Set<string>();
  const folder = folderParts(path).join('/');
  for (const match of text.matchAll(COMPUTED_LOAD)) {
    if (computedLoads.size + globFolders.size >= MAX_PYTHON_REFERENCES) break;
    const argument = match[1] ?? '';
    if (argument.startsWith(')')) continue;
    const prefix = PACKAGE_PREFIX.exec(argument)?.[1];
    const packageName = prefix === undefined || prefix === '' ? undefined : prefix.split('.').pop();
    if (packageName !== undefined && packageName !== '') globFolders.add(packageName);
    else computedLoads.add(`subtree:${folder}`);
  }
  if (FOLDER_LOAD.test(text)) computedLoads.add(`subtree:${folder}`);
  return { references: [...references], computedLoads: [...computedLoads], globFolders: [...globFolders], ...pythonEntrySigns(text) };
}

function pythonEntrySigns(text: string): Pick<PythonFileReferences, 'entrySigns' | 'mainBlockOnly'> {
  const mainBlock = MAIN_BLOCK.test(text);
  if (FRAMEWORK_ENTRY_SIGNS.some((sign) => sign.test(text))) return { entrySigns: true, mainBlockOnly: false };
  if (mainBlock) return { entrySigns: true, mainBlockOnly: true };
  for (const match of text.matchAll(TOP_LEVEL_STATEMENT)) {
    const callee = match[1];
    if (callee === undefined || !CONFIGURING_CALL.test(callee)) return { entrySigns: true, mainBlockOnly: false };
  }
  return { entrySigns: false, mainBlockOnly: false };
}

/**
 * Files other than Python that start Python code, read as data for the modules and `.py` paths
 * they name: Procfile, Dockerfiles, shell scripts, Makefiles, YAML and JSON (CI, Kubernetes jobs,
 * Airflow pod commands), TOML and setup.cfg (entry points, console scripts), Jupyter notebooks,
 * crontabs and systemd units, init scripts, and the extensionless executables of `script/`,
 * `bin/` or `tools/` folders (`script/shredder_delete` running `python3 -m pkg.shredder.delete`).
 */
export const PYTHON_REFERENCE_FILE = /(?:^|\/)(?:Procfile|Dockerfile[^/]*|[^/]*\.[Dd]ockerfile|Makefile|Justfile|crontab|[^/]*\.(?:sh|bash|ya?ml|json|toml|cfg|ini|conf|ipynb|service|timer|cron))$|(?:^|\/)(?:scripts?|bin|tools|contrib|deploy|ops|cron[\w.-]*)\/(?:[^/]+\/)?[^/.]+$|(?:^|\/)init[-_.]?scripts?\/[^/]+$/;
/** Generated data that names no module to run: lock files. */
const NOT_A_REFERENCE_FILE = /(?:^|\/)(?:[^/]*-lock\.json|[^/]*\.lock|poetry\.lock|Pipfile\.lock|composer\.json|tsconfig[^/]*\.json|\.eslintrc[^/]*)$/;

export function isPythonReferenceFile(path: string): boolean {
  return PYTHON_REFERENCE_FILE.test(path) && !NOT_A_REFERENCE_FILE.test(path);
}

/**
 * Whether a packaging file publishes the Python packages beside it (a library whose modules its
 * users import): a `setup.py` that calls `setup(` with packages or modules, a `setup.cfg` with
 * `[options]` packages, a `pyproject.toml` with a build system (not Poetry's `package-mode = false`).
 */
export function publishesPythonPackages(fileName: string, text: string): boolean {
  if (fileName === 'setup.py') return /\bsetup\s*\(/.test(text) && /\b(?:packages|py_modules)\b/.test(text);
  if (fileName === 'setup.cfg') return /^\[options\]/m.test(text) && /^\s*(?:packages|py_modules)\s*=/m.test(text);
  if (fileName === 'pyproject.toml') return /^\[build-system\]/m.test(text) && !/^\s*package-mode\s*=\s*false/m.test(text);
  return false;
}

/** References a non-Python file makes (see PYTHON_REFERENCE_FILE); a notebook's code cells are read as Python. */
export function referenceFileReferences(path: string, text: string): string[] {
  if (path.endsWith('.ipynb')) {
    let notebook: unknown;
    try {
      notebook = JSON.parse(text);
    } catch {
      return [];
    }
    const cells = (notebook as { cells?: unknown }).cells;
    if (!Array.isArray(cells)) return [];
    const source = cells
      .filter((cell): cell is { cell_type: string; source: unknown } => typeof cell === 'object' && cell !== null && (cell as { cell_type?: unknown }).cell_type === 'code')
      .map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : typeof cell.source === 'string' ? cell.source : ''))
      .join('\n');
    return pythonFileReferences(path, source).references;
  }
  const references = new Set<string>();
  commandReferences(text, references, true);
  return [...references];
}
