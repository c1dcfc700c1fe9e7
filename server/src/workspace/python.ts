/**
 * Loads the Python parser for the front ends: reads the tree-sitter runtime's and the Python
 * grammar's .wasm files once and hands the bytes to the analysis core, which stays free of I/O.
 * The language server, the CLI and each audit worker thread await `loadPythonParser()` when the
 * first Python file needs it (the grammar's memory is 32 MB, which a workspace without Python
 * should not pay); until it resolves, Python files get no findings.
 *
 * The files are looked up next to the running bundle first (esbuild copies them into dist/, which
 * the .vsix and the npm package ship), then in node_modules above this file (tests run from out/).
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initializePython } from '../../../rules/index';

/** The two files, by the npm package that ships each. */
export const PYTHON_WASM_FILES = [
  { packageName: 'web-tree-sitter', fileName: 'web-tree-sitter.wasm' },
  { packageName: 'tree-sitter-python', fileName: 'tree-sitter-python.wasm' },
] as const;

function findWasm(packageName: string, fileName: string): string | null {
  const besideBundle = join(__dirname, fileName);
  if (existsSync(besideBundle)) return besideBundle;
  let directory = __dirname;
  for (;;) {
    const candidate = join(directory, 'node_modules', packageName, fileName);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}

let loading: Promise<string | null> | null = null;

/**
 * Loads the parser once per process. Resolves to null when Python is ready, or to a message
 * saying why it is not (a missing or incompatible file): Python files then get no findings, and
 * every other language works as before, so a front end logs the message and carries on.
 */
export function loadPythonParser(): Promise<string | null> {
  loading ??= (async () => {
    const [runtime, grammar] = PYTHON_WASM_FILES.map(({ packageName, fileName }) => findWasm(packageName, fileName));
    if (runtime === undefined || grammar === undefined || runtime === null || grammar === null) {
      return `Python support is off: ${PYTHON_WASM_FILES.map((file) => file.fileName).join(' and ')} were not found next to ${__dirname}.`;
    }
    try {
      await initializePython({ runtime: readFileSync(runtime), grammar: readFileSync(grammar) });
      return null;
    } catch (error) {
      return `Python support is off: the parser did not load (${error instanceof Error ? error.message : String(error)}).`;
    }
  })();
  return loading;
}
