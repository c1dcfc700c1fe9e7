/**
 * The workspace audit over real LSP stdio, as VS Code drives it: several workspace folders in one
 * request, each with its own .faultline.json; the client's `files.exclude`; the max file size
 * (skipped files listed); findings that stay after an audited file is opened and closed, and go
 * when the code is fixed, deleted or excluded; the report request; cancellation; the same
 * findings as the CLI on the bundled examples; and a file whose analysis runs away, stopped by the
 * audit's watchdog while the server goes on answering (#15).
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, type Diagnostic, type Hover, type MarkupContent, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { startServer, type TestClient } from './helpers/lsp-client';
import { REPO_ROOT } from './helpers/paths';

const DAU = `SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau
FROM user_events
WHERE event_type = 'login'
GROUP BY DATE(login_time);
`;
const CLEAN = 'SELECT id FROM users WHERE id = $1;\n';
const UNBOUNDED = 'SELECT id, total FROM orders;\n';

interface AuditResult {
  filesChecked: number;
  filesSkipped: number;
  skippedFiles: { uri: string; reason: string }[];
  findings: number;
  cancelled: boolean;
}

interface FolderExcludes {
  folderUri: string;
  patterns: string[];
}

const uriOf = (path: string): string => `file://${path}`;
const codes = (params: PublishDiagnosticsParams): string[] => params.diagnostics.map((diagnostic: Diagnostic) => String(diagnostic.code));
const hasRule = (ruleId: string) => (params: PublishDiagnosticsParams): boolean => codes(params).includes(ruleId);
const isEmpty = (params: PublishDiagnosticsParams): boolean => params.diagnostics.length === 0;

function audit(client: TestClient, token: string, excludes: FolderExcludes[] = []): Promise<AuditResult> {
  return client.connection.sendRequest('faultline/audit', { scope: { kind: 'workspace' }, progressToken: token, excludes }) as Promise<AuditResult>;
}

describe('workspace audit: multi-root, files.exclude, size limit, persistence, report', () => {
  let client: TestClient;
  let root: string;
  let api: string;
  let reports: string;
  let excludes: FolderExcludes[];
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'faultline-audit-'));
    api = join(root, 'api');
    reports = join(root, 'reports');
    for (const folder of [api, reports]) mkdirSync(folder);
    // Each folder has its own config: unbounded-select is off in api, and reports ignores legacy/.
    writeFileSync(join(api, '.faultline.json'), '{ "rules": { "unbounded-select": "off" } }\n');
    writeFileSync(join(reports, '.faultline.json'), '{ "ignore": ["legacy/**"] }\n');
    writeFileSync(join(api, 'dau.sql'), DAU);
    writeFileSync(join(api, 'unbounded.sql'), UNBOUNDED);
    mkdirSync(join(api, 'generated'));
    writeFileSync(join(api, 'generated', 'dau.sql'), DAU);
    writeFileSync(join(reports, 'dau.sql'), DAU);
    writeFileSync(join(reports, 'unbounded.sql'), UNBOUNDED);
    writeFileSync(join(reports, 'clean.sql'), CLEAN);
    writeFileSync(join(reports, 'skip.tmp.sql'), DAU);
    mkdirSync(join(reports, 'legacy'));
    writeFileSync(join(reports, 'legacy', 'old.sql'), DAU);
    // Over the 1 KB limit set below.
    writeFileSync(join(reports, 'huge.sql'), `${DAU}${'-- padding\n'.repeat(200)}`);
    excludes = [
      // `generated` is anchored to the folder, as VS Code matches it; the brace glob is expanded.
      { folderUri: uriOf(api), patterns: ['generated', '**/.git'] },
      { folderUri: uriOf(reports), patterns: ['**/*.{tmp,bak}.sql'] },
    ];
    client = await startServer({ pull: true, workspaceFolders: [api, reports], configuration: { enable: true, run: 'onType', audit: { maxFileSizeKb: 1 } } });
  });
  after(async () => client.stop());

  test('audits every workspace folder in one request, each with its own config, honouring files.exclude and the size limit', async () => {
    const result = await audit(client, 'multi-1', excludes);
    assert.equal(result.cancelled, false);
    // api: dau, unbounded; reports: dau, unbounded, clean (legacy/old.sql is ignored by config, not counted).
    assert.equal(result.filesChecked, 5);
    assert.equal(result.filesSkipped, 1);
    assert.deepEqual(result.skippedFiles.map((file) => file.uri), [uriOf(join(reports, 'huge.sql'))]);
    assert.match(result.skippedFiles[0]?.reason ?? '', /larger than 1 KB/);

    await client.diagnostics(uriOf(join(api, 'dau.sql')), hasRule('timezone-naive-date-bucket'));
    await client.diagnostics(uriOf(join(reports, 'dau.sql')), hasRule('timezone-naive-date-bucket'));
    await client.diagnostics(uriOf(join(reports, 'unbounded.sql')), hasRule('unbounded-select'));
    // Off in api's config; nothing else to report there, so an empty publish.
    await client.diagnostics(uriOf(join(api, 'unbounded.sql')), isEmpty);
    await client.diagnostics(uriOf(join(reports, 'clean.sql')), isEmpty);
    await client.diagnostics(uriOf(join(reports, 'legacy', 'old.sql')), isEmpty);
    const publishedUris = new Set(client.allDiagnostics().map((params) => params.uri));
    for (const excluded of [join(api, 'generated', 'dau.sql'), join(reports, 'skip.tmp.sql'), join(reports, 'huge.sql')]) {
      assert.ok(!publishedUris.has(uriOf(excluded)), `${excluded} is excluded or skipped, so never published`);
    }
  });

  test('the report request returns the page: rule ids, locations and docs as webview links, a strict CSP, the skipped file', async () => {
    const nonce = 'bm9uY2Utb2YtdGhlLXRlc3Q=';
    const report = (await client.connection.sendRequest('faultline/auditReport', { nonce })) as { html: string | null };
    const html = report.html ?? '';
    for (const ruleId of ['timezone-naive-date-bucket', 'unbounded-select']) assert.ok(html.includes(ruleId), `${ruleId} in the report`);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-bm9uY2Utb2YtdGhlLXRlc3Q='; script-src 'nonce-bm9uY2Utb2YtdGhlLXRlc3Q=';">/);
    assert.ok(!/<(style|script)>/.test(html), 'every style and script carries the nonce');
    assert.ok(!/\sstyle="/.test(html), 'no inline style attributes, which the policy would block');
    assert.ok(!/https?:\/\//.test(html), 'no remote links or content');
    assert.ok(html.includes(`href="#open?uri=${encodeURIComponent(uriOf(join(reports, 'dau.sql')))}&#38;line=1&#38;column=8"`), `a finding links to its location: ${/href="#open\?[^"]*"/.exec(html)?.[0] ?? 'no link'}`);
    assert.ok(html.includes('href="#docs?rule=timezone-naive-date-bucket"'), 'a rule links to its docs');
    assert.match(html, /var\(--vscode-editor-foreground\)/);
    assert.match(html, /reports\/huge\.sql/);
    assert.match(html, /api\/dau\.sql/, 'multi-root paths name their folder');

    const bad = (await client.connection.sendRequest('faultline/auditReport', { nonce: `"><script>` })) as { html: string | null };
    assert.equal(bad.html, null, 'a nonce that is not one is refused');
  });

  test('an audited file keeps its findings after it is opened and closed', async () => {
    const path = join(reports, 'dau.sql');
    const uri = uriOf(path);
    client.discardDiagnostics(uri);
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: DAU } });
    // Open: the editor pulls; the audit's pushed copy is withdrawn so nothing shows twice.
    await client.diagnostics(uri, isEmpty);
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const closed = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    assert.deepEqual(closed.diagnostics.find((diagnostic) => diagnostic.code === 'timezone-naive-date-bucket')?.range.start, { line: 0, character: 7 });
  });

  test('findings are cleared when the issue is fixed on disk, the file deleted, excluded or grown too large, and the audit re-runs', async () => {
    const fixed = uriOf(join(reports, 'dau.sql'));
    const deleted = uriOf(join(api, 'dau.sql'));
    const nowExcluded = uriOf(join(reports, 'unbounded.sql'));
    writeFileSync(join(reports, 'grown.sql'), UNBOUNDED);
    await audit(client, 'multi-2', excludes);
    await client.diagnostics(uriOf(join(reports, 'grown.sql')), hasRule('unbounded-select'));
    writeFileSync(join(reports, 'dau.sql'), CLEAN);
    rmSync(join(api, 'dau.sql'));
    writeFileSync(join(reports, 'grown.sql'), `${UNBOUNDED}${'-- padding\n'.repeat(200)}`);
    for (const uri of [fixed, deleted, nowExcluded, uriOf(join(reports, 'grown.sql'))]) client.discardDiagnostics(uri);

    const result = await audit(client, 'multi-3', [excludes[0] ?? { folderUri: uriOf(api), patterns: [] }, { folderUri: uriOf(reports), patterns: ['unbounded.sql'] }]);
    assert.ok(result.skippedFiles.some((file) => file.uri === uriOf(join(reports, 'grown.sql'))), 'the grown file is listed as skipped');
    for (const uri of [fixed, deleted, nowExcluded, uriOf(join(reports, 'grown.sql'))]) await client.diagnostics(uri, isEmpty);
  });
});

describe('workspace audit: cancellation', () => {
  const FILES = 3000;
  let client: TestClient;
  before(async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'faultline-audit-cancel-'));
    for (let index = 0; index < FILES; index++) writeFileSync(join(workspace, `report-${index}.sql`), `${DAU}-- ${index}\n`);
    client = await startServer({ pull: true, rootPath: workspace });
  });
  after(async () => client.stop());

  test('cancelling stops the audit promptly: the result says cancelled and not every file was checked', async () => {
    const source = new CancellationTokenSource();
    const started = Date.now();
    const running = client.connection.sendRequest('faultline/audit', { scope: { kind: 'workspace' }, progressToken: 'cancel-1' }, source.token) as Promise<AuditResult>;
    await client.notification<{ progressToken: string; done: number; total: number }>('faultline/auditProgress', (progress) => progress.progressToken === 'cancel-1' && progress.done > 0);
    source.cancel();
    const cancelledAt = Date.now();
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.ok(result.filesChecked > 0 && result.filesChecked < FILES, `checked ${result.filesChecked} of ${FILES}`);
    assert.ok(Date.now() - cancelledAt < 2_000, `answered ${Date.now() - cancelledAt} ms after the cancel (started ${cancelledAt - started} ms in)`);
  });
});

describe('the audit from VS Code and from the CLI give the same findings on the bundled examples', () => {
  let client: TestClient;
  const examples = join(REPO_ROOT, 'examples');
  before(async () => {
    client = await startServer({ pull: true, rootPath: examples });
  });
  after(async () => client.stop());

  test('the (file, line, column, rule) sets are equal', async () => {
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'audit', 'examples', '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.ok(cli.status === 0 || cli.status === 1, `the CLI ran (exit ${String(cli.status)}): ${cli.stderr}`);
    const report = JSON.parse(cli.stdout) as { files: { path: string; findings: { ruleId: string; line: number; column: number }[] }[] };
    const fromCli = report.files.flatMap((file) => file.findings.map((finding) => `${file.path}:${finding.line}:${finding.column} ${finding.ruleId}`)).sort();

    const result = await audit(client, 'examples');
    assert.equal(result.cancelled, false);
    const fromServer: string[] = [];
    for (const file of report.files) {
      // Every file the CLI reports was published by the audit; wait for its diagnostics.
      const published = await client.diagnostics(uriOf(join(REPO_ROOT, file.path)));
      for (const diagnostic of published.diagnostics) fromServer.push(`${file.path}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${String(diagnostic.code)}`);
    }
    assert.equal(result.filesChecked, report.files.length);
    assert.ok(fromCli.length > 10, `the examples have findings: ${fromCli.length}`);
    assert.deepEqual(fromServer.sort(), fromCli);
  });
});

describe('a minified bundle is skipped, with its reason, by the audit in VS Code and by the CLI', () => {
  let client: TestClient;
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'faultline-audit-minified-'));
    // Two very long lines with a finding in them, and a readable file with the same code.
    const code = 'var rows=function(x){return pool.query("SELECT * FROM t WHERE a = " + x)};';
    writeFileSync(join(root, 'bundle.min.js'), `${code.repeat(60)}\n${code.repeat(60)}\n`);
    writeFileSync(join(root, 'app.js'), `${code}\n`);
    client = await startServer({ pull: true, rootPath: root });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('listed as skipped, not as checked, in both', async () => {
    const result = await audit(client, 'minified');
    assert.deepEqual(result.skippedFiles.map((file) => file.uri), [uriOf(join(root, 'bundle.min.js'))]);
    assert.match(result.skippedFiles[0]?.reason ?? '', /minified/);
    assert.equal(result.filesChecked, 1);
    await client.diagnostics(uriOf(join(root, 'app.js')), hasRule('sql-built-from-strings'));

    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'audit', '.', '--format', 'json', '--no-cache'], { cwd: root, encoding: 'utf8' });
    const report = JSON.parse(cli.stdout) as { files: { path: string }[]; skipped: { path: string; reason: string }[] };
    assert.deepEqual(report.files.map((file) => file.path), ['app.js']);
    assert.deepEqual(report.skipped.map((file) => file.path), ['bundle.min.js']);
    assert.equal(report.skipped[0]?.reason, result.skippedFiles[0]?.reason);
  });
});

/** A module of `count` functions each looping over a query: about a second of linting per 1,000. */
function slowModule(count: number): string {
  let text = "import { Pool } from 'pg';\nconst pool = new Pool();\n";
  for (let index = 0; index < count; index++) {
    text += `export async function load${index}(ids: string[]) {\n  for (const id of ids) {\n    await pool.query(\`SELECT * FROM users_${index} u JOIN orders o ON o.user_id = u.id WHERE u.id = \${id} ORDER BY o.id LIMIT 10 OFFSET 20\`);\n  }\n}\n`;
  }
  return text;
}

// #15: the audit linted on the server's main thread, so a file TypeScript's parser takes hours on
// froze the server, every open document and the audit itself.
describe('workspace audit: a file whose analysis runs away is stopped, and the server answers meanwhile', () => {
  let client: TestClient;
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'faultline-audit-runaway-'));
    for (const folder of ['reports', 'src']) mkdirSync(join(root, folder));
    // A project, so that its facts are read (the runaway file too) and passed to the audit's lints:
    // the default timeout set in startup.ts silences request-without-timeout in version.ts.
    writeFileSync(join(root, 'package.json'), '{ "name": "shop", "private": true }\n');
    writeFileSync(join(root, 'src', 'startup.ts'), "import axios from 'axios';\naxios.defaults.timeout = 15000;\n");
    writeFileSync(join(root, 'src', 'version.ts'), "import axios from 'axios';\nexport async function version() {\n  return (await axios.get('https://example.com/version')).data;\n}\n");
    // First in the audit's order, so that its worker is on it while the requests below arrive.
    // The engine refuses the inputs known to run away (nested async arrows) before it starts, so
    // the watchdog is shown a file that is merely slow (about a second) under a short budget.
    writeFileSync(join(root, 'a-nested-arrows.ts'), slowModule(1000));
    writeFileSync(join(root, 'reports', 'dau.sql'), DAU);
    writeFileSync(join(root, 'reports', 'weekly-dau.sql'), `-- weekly\n${DAU}`);
    process.env.FAULTLINE_ANALYSIS_BUDGET_MS = '300';
    try {
      client = await startServer({ rootPath: root });
    } finally {
      delete process.env.FAULTLINE_ANALYSIS_BUDGET_MS;
    }
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('the audit lists it as not analysed ("too complex") and reports the other files; an open document is linted and hovered during the audit', async () => {
    // An open document that is not on disk: only the documents' analysis speaks for it.
    const open = uriOf(join(root, 'editor', 'typing.sql'));
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: open, languageId: 'sql', version: 1, text: CLEAN } });
    await client.diagnostics(open, (params) => params.version === 1);

    let auditEnded: number | null = null;
    const running = audit(client, 'runaway').then((result) => {
      auditEnded = Date.now();
      return result;
    });
    await client.notification<{ progressToken: string }>('faultline/auditProgress', (progress) => progress.progressToken === 'runaway');
    // The audit is on the runaway file now, for the whole budget (5 s): an edit is linted and a hover answered meanwhile.
    const editedAt = Date.now();
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: open, version: 2 }, contentChanges: [{ text: DAU }] });
    await client.diagnostics(open, (params) => params.version === 2 && hasRule('timezone-naive-date-bucket')(params), 15_000);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: open }, position: { line: 0, character: 10 } })) as Hover | null;
    const answeredAfter = Date.now() - editedAt;
    assert.equal(auditEnded, null, `the audit was still running when the edit and hover were answered (${answeredAfter} ms)`);
    assert.match((hover?.contents as MarkupContent | undefined)?.value ?? '', /timezone-naive-date-bucket/);

    const result = await running;
    assert.equal(result.cancelled, false);
    assert.deepEqual(result.skippedFiles.map((file) => file.uri), [uriOf(join(root, 'a-nested-arrows.ts'))]);
    assert.match(result.skippedFiles[0]?.reason ?? '', /^too complex: its analysis ran past the \d+ s budget, so it was stopped$/);
    assert.equal(result.filesChecked, 4);
    let published = 0;
    for (const path of ['dau.sql', 'weekly-dau.sql']) published += (await client.diagnostics(uriOf(join(root, 'reports', path)), hasRule('timezone-naive-date-bucket'))).diagnostics.length;
    assert.equal(result.findings, published, 'the findings are those of the two reports');
    await client.diagnostics(uriOf(join(root, 'src', 'version.ts')), isEmpty);
    assert.ok(client.logs.some((log) => /stopped analysing .*a-nested-arrows.ts: too complex/.test(log.message)), 'the stop is logged');

    const report = (await client.connection.sendRequest('faultline/auditReport', { nonce: 'cnVuYXdheS1hdWRpdC10ZXN0' })) as { html: string | null };
    assert.match(report.html ?? '', /<code>a-nested-arrows.ts<\/code><\/td><td>too complex: its analysis ran past the \d+ s budget/);
    assert.equal(client.process.exitCode, null, 'the server is still running');
  });

  test('a cancel while the runaway file is being linted is answered at once', async () => {
    const source = new CancellationTokenSource();
    const running = client.connection.sendRequest('faultline/audit', { scope: { kind: 'workspace' }, progressToken: 'runaway-cancel' }, source.token) as Promise<AuditResult>;
    await client.notification<{ progressToken: string }>('faultline/auditProgress', (progress) => progress.progressToken === 'runaway-cancel');
    source.cancel();
    const cancelledAt = Date.now();
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.equal(result.filesChecked, 0);
    assert.ok(Date.now() - cancelledAt < 2_000, `answered ${Date.now() - cancelledAt} ms after the cancel`);
  });
});
