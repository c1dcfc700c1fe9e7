/**
 * Faultline in Neovim, the reference "any LSP editor": runs `nvim --headless` with
 * test/neovim/init.lua, which starts the built server (dist/server.js --stdio) with Neovim's own
 * LSP client, opens a risky SQL file and a TypeScript file, applies the quick fix for a finding and
 * reports what it saw as JSON. This test checks that report. Neovim is required: without `nvim` on
 * PATH the test fails and says how to install it. It is not part of `npm test`, which needs only
 * Node (#14): `npm run test:neovim` runs it (`.ci/run` installs Neovim and runs it).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths';

interface NeovimDiagnostic {
  line: number;
  col: number;
  code: string;
  severity: number;
  message: string;
}

interface NeovimReport {
  error?: string;
  sql: NeovimDiagnostic[];
  ts: NeovimDiagnostic[];
  actions: string[];
  applied: string;
  documentation_command: string;
  /** The error the server answered "Show documentation" with, or null. */
  documentation_error: string | null;
  hover: { kind: string; value: string } | null;
  fixed_text: string;
  after_fix: NeovimDiagnostic[];
}

const NVIM = process.env['FAULTLINE_NVIM'] ?? 'nvim';
/** vim.diagnostic.severity.INFO: the time-zone rule is info by default, its measured precision on real code being below 80% (#13). */
const INFO = 3;

function runNeovim(workspace: string): NeovimReport {
  const output = join(workspace, 'nvim-report.json');
  const home = join(workspace, 'nvim-home');
  mkdirSync(home);
  const result = spawnSync(NVIM, ['--headless', '--noplugin', '-n', '-i', 'NONE', '-u', join(REPO_ROOT, 'test', 'neovim', 'init.lua')], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 90_000,
    env: {
      ...process.env,
      // Keep the user's own Neovim config, plugins, state and logs out of the test.
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_STATE_HOME: join(home, 'state'),
      XDG_CACHE_HOME: join(home, 'cache'),
      FAULTLINE_NVIM_NODE: process.execPath,
      FAULTLINE_NVIM_SERVER: join(REPO_ROOT, 'dist', 'server.js'),
      FAULTLINE_NVIM_ROOT: workspace,
      FAULTLINE_NVIM_OUTPUT: output,
    },
  });
  if (result.error !== undefined && 'code' in result.error && result.error.code === 'ENOENT') {
    assert.fail(`Neovim is not installed (no \`${NVIM}\` on PATH): install it, e.g. \`apt-get install -y neovim\` (.ci/run does), or set FAULTLINE_NVIM.`);
  }
  if (result.error !== undefined) throw result.error;
  const details = `nvim exited with ${String(result.status)} (signal ${String(result.signal)})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.ok(existsSync(output), `Neovim wrote no report; ${details}`);
  const report = JSON.parse(readFileSync(output, 'utf8')) as NeovimReport;
  assert.equal(report.error, undefined, `the Neovim session failed: ${report.error ?? ''}\n${details}`);
  assert.equal(result.status, 0, details);
  return report;
}

test('Neovim (headless, its built-in LSP client) gets our diagnostics and hover, applies a quick fix and runs Show documentation', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'faultline-nvim-'));
  copyFileSync(join(REPO_ROOT, 'examples', 'sql', 'daily-active-users.sql'), join(workspace, 'daily-active-users.sql'));
  copyFileSync(join(REPO_ROOT, 'examples', 'api', 'orders.ts'), join(workspace, 'orders.ts'));
  const originalSql = readFileSync(join(workspace, 'daily-active-users.sql'), 'utf8');

  const report = runNeovim(workspace);

  // Lines and columns are 0-based in Neovim: line 2 is the file's third line, `SELECT DATE(...`.
  const timeZone = report.sql.find((diagnostic) => diagnostic.code === 'timezone-naive-date-bucket');
  assert.deepEqual(timeZone && { line: timeZone.line, col: timeZone.col, severity: timeZone.severity }, { line: 2, col: 7, severity: INFO });
  assert.match(timeZone?.message ?? '', /session's time zone/);
  assert.ok(report.sql.some((diagnostic) => diagnostic.code === 'full-history-scan' && diagnostic.line === 3), JSON.stringify(report.sql));

  const tsCodes = report.ts.map((diagnostic) => `${diagnostic.line + 1}:${diagnostic.code}`);
  for (const expected of ['8:offset-pagination', '20:unbounded-in-list', '26:sql-built-from-strings', '38:timezone-naive-date-bucket']) {
    assert.ok(tsCodes.includes(expected), `${expected} among ${tsCodes.join(', ')}`);
  }

  assert.ok(report.actions.includes('Suppress timezone-naive-date-bucket for this line'), report.actions.join('\n'));
  assert.match(report.applied, /^Bucket in UTC explicitly/);
  // #14: the server carries out the command its code action names, for Neovim too.
  assert.equal(report.documentation_command, 'faultline.showDocumentation');
  assert.equal(report.documentation_error, null);
  assert.equal(report.hover?.kind, 'markdown');
  assert.match(report.hover?.value ?? '', /A calendar day needs a time zone/);
  // Neovim joins the buffer's lines without the final newline.
  assert.equal(`${report.fixed_text}\n`, originalSql.replaceAll('DATE(login_time)', "(login_time AT TIME ZONE 'UTC')::date"));
  assert.ok(!report.after_fix.some((diagnostic) => diagnostic.code === 'timezone-naive-date-bucket'), JSON.stringify(report.after_fix));
  assert.ok(report.after_fix.some((diagnostic) => diagnostic.code === 'full-history-scan'), 'the other finding stays');
});
