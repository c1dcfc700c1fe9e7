/**
 * Memory at scale (issue #15, "Scale"): the peak resident memory of the built CLI and language
 * server auditing a generated tree of 60,000 files (SQL, TypeScript and JavaScript with embedded
 * SQL, Python; most files with findings), against a budget of 600 MB each:
 *
 *   - `faultline audit TREE --format json --output FILE` with the cache on, cold: it lints every
 *     file and fills the cache;
 *   - the same again, warm: every result comes from the cache;
 *   - the same with `--no-cache`;
 *   - the language server over stdio: the workspace audit the VS Code command sends
 *     (`faultline/audit`, every publishDiagnostics read and dropped by this client), then the
 *     report it shows after it (`faultline/auditReport`).
 *
 * Each is one cold process started with the `peak-rss.cjs` preload (the whole process: every
 * thread). The tree is generated once into the temp folder (outside the project, reused while its
 * file count matches); the cache and reports go to a scratch folder that is removed afterwards.
 *
 *   npm run build && nice -n 10 node out/bench/scale-memory.js [--files 60000] [--tree DIR] [--cli PATH] [--server PATH] [--skip cli,no-cache,server]
 *
 * `--cli` and `--server` benchmark copies of the bundles (cp -r dist /tmp/x), so that a rebuild of
 * dist/ on a shared machine during the run cannot disturb it. Exits 1 when a peak is over budget.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

// Compiled to out/bench/scale-memory.js, so the repo root is two folders up.
const REPO_ROOT = join(__dirname, '..', '..');
const PEAK_RSS = join(REPO_ROOT, 'bench', 'peak-rss.cjs');
const BUDGET_MB = 600;
/** Files per folder in the generated tree, as in a large service's source tree. */
const FILES_PER_FOLDER = 50;

// Templates for the generated files. `{n}` is replaced by the file's number, so no two files share
// a text (the cache keys results by content and path) and identifiers vary as in real code. The
// SQL statements themselves repeat across files, as queries do across a monorepo's services, so
// the SQL grammar's cache of statements answers most of them and a run takes minutes, not an
// hour, on a small machine. Most files raise a few findings with fixes; one in eight raises none.

const SQL_TEMPLATE = `-- Daily reporting queries for shard {n}.
SELECT DATE(login_time) AS day, COUNT(DISTINCT user_id) AS dau
FROM user_events
WHERE event_type = 'login'
GROUP BY 1;

SELECT * FROM orders WHERE customer_id = 42 ORDER BY RANDOM() LIMIT 10;

SELECT id, email FROM users WHERE email LIKE '%@example.com';

SELECT id FROM accounts WHERE id NOT IN (SELECT account_id FROM closed_accounts);

UPDATE invoices SET status = 'void';

SELECT id, name FROM items ORDER BY created_at LIMIT 20 OFFSET 4000;
`;

const TS_TEMPLATE = `import { Pool } from 'pg';

const pool = new Pool();

export interface Account{n} {
  id: string;
  balance: number;
}

export async function loadAccount{n}(id: string): Promise<Account{n}[]> {
  const result = await pool.query(\`SELECT * FROM accounts WHERE id = '\${id}'\`);
  return result.rows;
}

export async function touchAll{n}(ids: string[]): Promise<void> {
  for (const id of ids) {
    await pool.query('UPDATE accounts SET seen_at = now() WHERE id = $1', [id]);
  }
}

export async function daily{n}(): Promise<unknown[]> {
  const { rows } = await pool.query("SELECT DATE(created_at) AS day, COUNT(*) FROM payments GROUP BY DATE(created_at)");
  return rows;
}

export function formatBalance{n}(account: Account{n}): string {
  return \`\${account.id}: \${account.balance.toFixed(2)}\`;
}
`;

const JS_TEMPLATE = `const knex = require('knex')({ client: 'pg' });

async function search{n}(term) {
  return knex.raw("SELECT * FROM products WHERE name LIKE '%" + term + "%'");
}

async function page{n}(offset) {
  return knex.raw('SELECT id, title FROM posts ORDER BY id LIMIT 50 OFFSET ' + offset);
}

function label{n}(value) {
  return String(value).padStart(8, '0');
}

module.exports = { search{n}, page{n}, label{n} };
`;

const PY_TEMPLATE = `import psycopg2


def load_user_{n}(conn, user_id):
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")
    return cur.fetchall()


def daily_signups_{n}(conn):
    cur = conn.cursor()
    cur.execute("SELECT DATE(created_at), COUNT(*) FROM signups GROUP BY DATE(created_at)")
    return cur.fetchall()


def purge_{n}(conn):
    cur = conn.cursor()
    cur.execute("DELETE FROM sessions")
    conn.commit()
`;

const CLEAN_TEMPLATE = `export function clamp{n}(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

export const LIMIT_{n} = {n};
`;

/** Which template file `index` gets, and its extension: a mix like a large backend monorepo. */
function fileOf(index: number): { extension: string; text: string } {
  const pick = index % 8;
  const fill = (template: string): string => template.replaceAll('{n}', String(index));
  if (pick === 0 || pick === 1) return { extension: 'sql', text: fill(SQL_TEMPLATE) };
  if (pick === 2 || pick === 3 || pick === 4) return { extension: 'ts', text: fill(TS_TEMPLATE) };
  if (pick === 5) return { extension: 'js', text: fill(JS_TEMPLATE) };
  if (pick === 6) return { extension: 'py', text: fill(PY_TEMPLATE) };
  return { extension: 'ts', text: fill(CLEAN_TEMPLATE) };
}

/** Generates the tree unless a complete one of this size is already there. */
function ensureTree(tree: string, count: number): void {
  const marker = join(tree, '.generated');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === String(count)) return;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'package.json'), '{ "name": "scale-corpus", "private": true }\n');
  for (let index = 0; index < count; index++) {
    const folder = join(tree, 'src', `service-${Math.floor(index / 1000)}`, `module-${Math.floor(index / FILES_PER_FOLDER) % 20}`);
    if (index % FILES_PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    const { extension, text } = fileOf(index);
    writeFileSync(join(folder, `file-${index}.${extension}`), text);
  }
  writeFileSync(marker, String(count));
}

interface Measurement {
  name: string;
  seconds: number;
  peakMb: number;
  detail: string;
}

function readPeakMb(rssFile: string): number {
  try {
    return Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    return Number.NaN;
  }
}

function measureCli(name: string, cli: string, args: string[], scratch: string): Measurement {
  const rssFile = join(scratch, 'peak-rss');
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--require', PEAK_RSS, cli, ...args], {
    cwd: scratch,
    env: { ...process.env, FAULTLINE_PEAK_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.error) throw result.error;
  // Findings make the audit exit 1; anything above that is a failure of the tool.
  if (result.status === null || result.status > 1) throw new Error(`${name} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  const cacheLine = /cache: .*/.exec(result.stderr)?.[0] ?? '';
  return { name, seconds, peakMb: readPeakMb(rssFile), detail: cacheLine };
}

async function measureServer(server: string, tree: string, scratch: string): Promise<Measurement> {
  const rssFile = join(scratch, 'peak-rss');
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const child = spawn(process.execPath, ['--require', PEAK_RSS, server, '--stdio'], {
    cwd: scratch,
    env: { ...process.env, FAULTLINE_PEAK_RSS_FILE: rssFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.stdout === null || child.stdin === null) throw new Error('no stdio');
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  // Like an editor, this client reads every publish as it comes; it keeps only counts.
  let publishes = 0;
  let diagnostics = 0;
  connection.onNotification('textDocument/publishDiagnostics', (params: { diagnostics: unknown[] }) => {
    publishes++;
    diagnostics += params.diagnostics.length;
  });
  connection.onNotification('faultline/auditProgress', () => undefined);
  connection.onNotification('window/logMessage', () => undefined);
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ enable: true, run: 'onType' })));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  const folderUri = `file://${tree}`;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: folderUri,
    capabilities: { workspace: { configuration: true, workspaceFolders: true }, textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true } } },
    workspaceFolders: [{ uri: folderUri, name: 'tree' }],
  });
  await connection.sendNotification('initialized', {});
  const result = (await connection.sendRequest('faultline/audit', { scope: { kind: 'workspace' }, progressToken: 'scale' })) as { filesChecked: number; findings: number };
  const report = (await connection.sendRequest('faultline/auditReport', { nonce: 'c2NhbGUtbWVtb3J5LWJlbmNo' })) as { html: string | null };
  const seconds = (performance.now() - start) / 1000;
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  await exited;
  connection.dispose();
  const detail = `${result.filesChecked} files, ${result.findings} findings, ${publishes} publishes (${diagnostics} diagnostics), report ${((report.html?.length ?? 0) / 1024 / 1024).toFixed(1)} MB`;
  return { name: 'language server: workspace audit + report', seconds, peakMb: readPeakMb(rssFile), detail };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const index = argv.indexOf(name);
    return index === -1 ? fallback : (argv[index + 1] ?? fallback);
  };
  const count = Number(option('--files', '60000'));
  const tree = option('--tree', join(tmpdir(), `faultline-scale-tree-${count}`));
  const cli = option('--cli', join(REPO_ROOT, 'dist', 'cli.js'));
  const server = option('--server', join(REPO_ROOT, 'dist', 'server.js'));
  // `--skip no-cache,server`: the runs that lint everything again, for a quicker look; `--skip cli`:
  // every CLI run, to measure the language server alone.
  const skipped = option('--skip', '').split(',');
  const generateStart = performance.now();
  ensureTree(tree, count);
  console.log(`tree ${tree}: ${count} files (ready in ${((performance.now() - generateStart) / 1000).toFixed(1)} s); load average before ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);

  const scratch = mkdtempSync(join(tmpdir(), 'faultline-scale-'));
  const report = join(scratch, 'report.json');
  const auditArgs = ['audit', tree, '--format', 'json', '--output', report, '--verbose'];
  const cacheArgs = ['--cache-location', join(scratch, 'cache')];
  // The CLI keeps V8's compile cache in the temp folder (launcher.ts): one untimed run on a
  // small folder writes it, as any user's first run would.
  spawnSync(process.execPath, [cli, 'audit', join(REPO_ROOT, 'bench'), '--no-cache', '--format', 'json', '--output', join(scratch, 'warm-up.json')], { cwd: scratch });
  const measurements: Measurement[] = [];
  try {
    if (!skipped.includes('cli')) {
      measurements.push(measureCli('CLI, cache on, cold (fills the cache)', cli, [...auditArgs, ...cacheArgs], scratch));
      const summary = (JSON.parse(readFileSync(report, 'utf8')) as { summary: { files: number; findings: number } }).summary;
      console.log(`audit: ${summary.files} files checked, ${summary.findings} findings, JSON report ${(readFileSync(report).length / 1024 / 1024).toFixed(0)} MB`);
      measurements.push(measureCli('CLI, cache on, warm (reads the cache)', cli, [...auditArgs, ...cacheArgs], scratch));
      if (!skipped.includes('no-cache')) measurements.push(measureCli('CLI, --no-cache', cli, [...auditArgs, '--no-cache'], scratch));
    }
    if (!skipped.includes('server')) measurements.push(await measureServer(server, tree, scratch));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  let failed = false;
  console.log(`${'run'.padEnd(44)} ${'time'.padStart(8)} ${'peak RSS'.padStart(10)}  budget ${BUDGET_MB} MB`);
  for (const measurement of measurements) {
    const pass = measurement.peakMb < BUDGET_MB;
    failed ||= !pass;
    console.log(`${measurement.name.padEnd(44)} ${`${measurement.seconds.toFixed(1)} s`.padStart(8)} ${`${measurement.peakMb.toFixed(0)} MB`.padStart(10)}  ${pass ? 'pass' : 'FAIL'}  ${measurement.detail}`);
  }
  console.log(`load average after ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  process.exitCode = failed ? 1 : 0;
}

void main();
