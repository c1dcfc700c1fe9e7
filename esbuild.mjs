// Builds what the .vsix and the npm package ship: self-contained CommonJS bundles in dist/
// (the VS Code client, the language server, the CLI and the ESLint plugin) plus each rule's
// docs.md copied to dist/docs/<rule-id>.md for the editor's "Show documentation". Everything the server and CLI
// import, the TypeScript compiler included, is bundled in, so the .vsix needs no node_modules.
// The Python parser is WebAssembly, which cannot be bundled into JavaScript: the tree-sitter runtime's
// and the Python grammar's .wasm files are copied next to the bundles (dist/), where
// server/src/workspace/python.ts reads them.
// `tsc -p .` runs first in `npm run build` and does the type checking; esbuild only transpiles.
//
// An entry point whose source file does not exist yet is skipped with a note, so the build works
// while the server and CLI are still being written.

import * as esbuild from 'esbuild';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const distDir = join(root, 'dist');
const shebang = '#!/usr/bin/env node';

/** One bundle: where it starts, where it goes, and whether it is an executable bin. */
const bundles = [
  { entry: 'client/src/extension.ts', outfile: 'dist/extension.js', executable: false, external: ['vscode'] },
  { entry: 'server/src/lsp/main.ts', outfile: 'dist/server.js', executable: true, external: [] },
  // The `faultline` bin is a small launcher that runs the CLI bundle through V8's code cache.
  { entry: 'server/src/cli/main.ts', outfile: 'dist/faultline-cli.js', executable: false, external: [] },
  { entry: 'server/src/cli/launcher.ts', outfile: 'dist/cli.js', executable: true, external: [] },
  // `faultline/eslint-plugin`: ESLint loads it; it imports only ESLint's types, so nothing is external.
  { entry: 'server/src/eslint/plugin.ts', outfile: 'dist/eslint-plugin.js', executable: false, external: [] },
];

async function main() {
  // A clean dist/ means a bundle whose entry point disappeared cannot linger and be packaged.
  await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });

  for (const bundle of bundles) {
    await buildBundle(bundle);
  }
  await copyRuleDocs();
  await copyPythonWasm();
}

/** The two .wasm files the Python parser needs, from the npm packages that ship them. */
const pythonWasm = [
  'node_modules/web-tree-sitter/web-tree-sitter.wasm',
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
];

async function copyPythonWasm() {
  for (const file of pythonWasm) {
    await copyFile(join(root, file), join(distDir, basename(file)));
  }
  console.log(`esbuild: copied ${pythonWasm.map((file) => basename(file)).join(', ')} to dist/`);
}

async function buildBundle({ entry, outfile, executable, external }) {
  const entryPath = join(root, entry);
  if (!existsSync(entryPath)) {
    console.log(`esbuild: skipping ${outfile}: ${entry} does not exist yet`);
    return;
  }
  // esbuild keeps an entry point's own hashbang; adding the banner as well would put a second
  // `#!` line in the output, which Node rejects as a syntax error.
  const source = await readFile(entryPath, 'utf8');
  const needsBanner = executable && !source.startsWith('#!');

  await esbuild.build({
    entryPoints: [entryPath],
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The ESM builds first: jsonc-parser's UMD build hides its imports from the bundler, and
    // vscode-languageclient documents this order for bundling.
    mainFields: ['module', 'main'],
    external,
    sourcemap: 'linked',
    minify: false,
    banner: needsBanner ? { js: shebang } : undefined,
    // web-tree-sitter's ESM build finds its files through import.meta.url, which a CommonJS bundle
    // does not have; its CommonJS build is the one that works here.
    alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
    absWorkingDir: root,
    logLevel: 'warning',
  });
  if (executable) {
    await chmod(join(root, outfile), 0o755);
  }
  const { size } = await stat(join(root, outfile));
  console.log(`esbuild: ${entry} -> ${outfile} (${Math.round(size / 1024)} KiB)`);
}

/** Copies rules/<family>/<rule-id>/docs.md to dist/docs/<rule-id>.md. */
async function copyRuleDocs() {
  const rulesDir = join(root, 'rules');
  const docsDir = join(distDir, 'docs');
  await mkdir(docsDir, { recursive: true });
  if (!existsSync(rulesDir)) {
    console.log('esbuild: no rules/ folder, so no rule docs to copy');
    return;
  }
  const docsFiles = await findFiles(rulesDir, (name) => name === 'docs.md');
  const seen = new Map();
  for (const docsFile of docsFiles) {
    const ruleId = basename(dirname(docsFile));
    // Two folders with the same name would make one rule's docs silently replace the other's.
    const earlier = seen.get(ruleId);
    if (earlier !== undefined) {
      throw new Error(`two docs.md files for rule id '${ruleId}': ${earlier} and ${relative(root, docsFile)}`);
    }
    seen.set(ruleId, relative(root, docsFile));
    await copyFile(docsFile, join(docsDir, `${ruleId}.md`));
  }
  console.log(`esbuild: copied ${docsFiles.length} rule docs to dist/docs/`);
}

async function findFiles(dir, matches) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Fixtures are test inputs; a docs.md among them is not a rule's documentation.
      if (entry.name === 'fixtures' || entry.name === 'node_modules') continue;
      found.push(...(await findFiles(path, matches)));
    } else if (entry.isFile() && matches(entry.name)) {
      found.push(path);
    }
  }
  return found.sort();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
