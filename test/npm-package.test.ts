/**
 * Checks what `npm pack` would publish: the CLI and language-server bundles (the package's two
 * bins), the ESLint plugin bundle (the `faultline/eslint-plugin` export), the rule docs
 * `faultline explain` prints, the config schema, README, LICENSE and CHANGELOG, and none of the
 * sources, tests, source maps or node_modules. The list comes from
 * `npm pack --dry-run --json`, which applies .npmignore exactly as publishing would,
 * without writing a tarball. Needs the build (dist/) first, like the .vsix test.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths';

interface PackResult {
  files: { path: string }[];
  size: number;
}

/**
 * The most the npm tarball may weigh. Each of the three Node bundles (server, CLI, ESLint plugin)
 * holds its own copy of the TypeScript compiler, about 2.3 MB packed; together about 7.5 MB.
 */
const MAX_TARBALL_BYTES = 10 * 1024 * 1024;

function packedFiles(): PackResult {
  assert.ok(existsSync(join(REPO_ROOT, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` first.');
  // --ignore-scripts: a dry run must not start a build (prepack/prepare) of its own.
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const parsed = JSON.parse(output) as PackResult[];
  const result = parsed[0];
  assert.ok(result !== undefined, 'npm pack --dry-run --json printed no package');
  return result;
}

const pack = packedFiles();
const paths = pack.files.map((file) => file.path);

test('the npm package holds the bins, the rule docs, the schema and the top-level documents', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  const bins = Object.values(manifest.bin ?? {}).map((path) => path.replace(/^\.\//, ''));
  assert.deepEqual([...bins].sort(), ['dist/cli.js', 'dist/server.js']);
  for (const required of [...bins, 'dist/faultline-cli.js', 'dist/eslint-plugin.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'schemas/faultline.schema.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) {
    assert.ok(paths.includes(required), `the npm package is missing ${required}`);
  }
  const builtDocs = readdirSync(join(REPO_ROOT, 'dist', 'docs')).filter((name) => name.endsWith('.md'));
  assert.ok(builtDocs.length > 0, 'the build wrote no rule docs to dist/docs/');
  for (const name of builtDocs) assert.ok(paths.includes(`dist/docs/${name}`), `the npm package is missing dist/docs/${name}`);
});

test('every path the package exports is in the npm package', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
  assert.equal(manifest.exports?.['./eslint-plugin'], './dist/eslint-plugin.js');
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    assert.ok(paths.includes(target.replace(/^\.\//, '')), `the export ${subpath} points at ${target}, which the npm package does not hold`);
  }
});

test('the npm package holds no sources, tests, source maps or node_modules', () => {
  const forbidden = paths.filter(
    (path) =>
      path.endsWith('.ts') ||
      path.endsWith('.map') ||
      path.includes('node_modules/') ||
      /^(test|out|rules|server|client|bench|examples|scripts|syntaxes|images|docs)\//.test(path) ||
      path.endsWith('.vsix'),
  );
  assert.deepEqual(forbidden, [], '.npmignore lets these into the npm package');
});

test('the npm package holds only dist/*.js, the Python parser\'s dist/*.wasm, dist/docs/, schemas/ and the top-level documents', () => {
  const allowed = [/^dist\/(cli|faultline-cli|server|extension|eslint-plugin)\.js$/, /^dist\/(web-tree-sitter|tree-sitter-python)\.wasm$/, /^dist\/docs\/[a-z0-9-]+\.md$/, /^schemas\/[^/]+\.json$/, /^(README|CHANGELOG)\.md$/, /^LICENSE$/, /^package\.json$/];
  const unexpected = paths.filter((path) => !allowed.some((pattern) => pattern.test(path)));
  assert.deepEqual(unexpected, [], 'the npm package holds files outside the intended list; update .npmignore or this test');
  assert.ok(pack.size < MAX_TARBALL_BYTES, `the npm tarball is ${(pack.size / 1024 / 1024).toFixed(1)} MB, over the limit`);
});
