// Runs every compiled test file, out/test/**/*.test.js, with Node's built-in test runner.
// `node --test out/test/` is not used because Node 20 then runs every .js file under the folder,
// helpers included, and Node 20's --test does not expand globs itself. Extra arguments are passed
// to node before the files, e.g. `node scripts/run-tests.mjs --test-reporter=spec`. By default it
// prints TAP and, at the end, the names of the tests that failed (scripts/failures-reporter.mjs).
// Finding no test file is a failure: a test run that silently runs nothing must not pass.
// tsc never deletes outputs, so a compiled test whose test/**/*.ts source is gone is left out,
// with a note, instead of running a test that no longer exists.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testDir = join(root, 'out', 'test');

function findTestFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

if (!existsSync(testDir)) {
  console.error(`run-tests: ${relative(root, testDir)} does not exist; run \`tsc -p .\` (npm run build) first.`);
  process.exit(1);
}
const files = [];
for (const file of findTestFiles(testDir)) {
  const source = join(root, relative(join(root, 'out'), file)).replace(/\.js$/, '.ts');
  if (existsSync(source)) files.push(relative(root, file));
  else console.log(`run-tests: not running ${relative(root, file)}: its source ${relative(root, source)} no longer exists`);
}
if (files.length === 0) {
  console.error(`run-tests: no *.test.js files under ${relative(root, testDir)}.`);
  process.exit(1);
}
// TAP on stdout as before, and the names of failing tests at the end on stderr. Extra reporters
// given on the command line replace both.
const reporters = process.argv.slice(2).some((argument) => argument.startsWith('--test-reporter'))
  ? []
  : ['--test-reporter=tap', '--test-reporter-destination=stdout', `--test-reporter=${join(root, 'scripts', 'failures-reporter.mjs')}`, '--test-reporter-destination=stderr'];
const result = spawnSync(process.execPath, ['--test', ...reporters, ...process.argv.slice(2), ...files], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
