/**
 * The CLI as the end of a pipe: `faultline roles . | head -1` must end quietly when `head` stops
 * reading, not with an EPIPE stack trace.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths';

test('a reader that stops early (head) ends the CLI quietly', () => {
  const cli = join(REPO_ROOT, 'dist', 'cli.js');
  const run = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" roles "${join(REPO_ROOT, 'rules')}" | head -1`], { encoding: 'utf8' });
  assert.equal(run.status, 0);
  assert.equal(run.stdout.split('\n').filter((line) => line !== '').length, 1);
  assert.doesNotMatch(run.stderr, /EPIPE|Error/);
});
