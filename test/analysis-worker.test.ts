/**
 * The analysis worker's machinery (server/src/lsp/analysis-worker.ts) on its own, where the
 * language server cannot show it: a thread that cannot start answers the requests waiting for it
 * (not analysed, with the reason, one per try) instead of leaving the documents, or a whole
 * workspace audit, waiting for good; and closing an audit's worker answers what it had not linted.
 * The watchdog itself is tested over LSP stdio (robustness.test.ts, audit-lsp.test.ts).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LintSettings } from '../rules';
import { createAnalysisWorker, type LintRequest } from '../server/src/lsp/analysis-worker';

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };
/** A bundle that is not there: the thread fails before it is given anything. */
const MISSING_SCRIPT = join(tmpdir(), 'no-such-faultline-bundle', 'server.js');

function request(name: string): LintRequest {
  return { uri: `file:///project/${name}`, version: 0, path: name, languageId: 'sql', text: 'SELECT * FROM users;\n', settings: SETTINGS, incremental: false };
}

test('a thread that cannot start: every waiting request is answered, not analysed, with the reason (#15)', async () => {
  const logs: string[] = [];
  const worker = createAnalysisWorker(MISSING_SCRIPT, (message) => logs.push(message), 'audit');
  try {
    const outcomes = await Promise.all([worker.lint(request('a.sql')), worker.lint(request('b.sql'))]);
    for (const outcome of outcomes) {
      assert.ok(outcome !== null && 'notAnalysed' in outcome, `not analysed: ${JSON.stringify(outcome)}`);
      assert.match(outcome.notAnalysed, /^internal error: Cannot find module/);
    }
    assert.equal(logs.filter((message) => /could not start its analysis thread/.test(message)).length, 2, 'one try, and one log line, per request');
  } finally {
    worker.close();
  }
});

test('closing a worker answers the requests it has not linted with null', async () => {
  const worker = createAnalysisWorker(MISSING_SCRIPT, () => {}, 'audit');
  const pending = [worker.lint(request('c.sql')), worker.lint(request('d.sql'))];
  worker.close();
  assert.deepEqual(await Promise.all(pending), [null, null]);
});
