/**
 * The language server over real LSP stdio: one test per request kind, plus robustness (malformed,
 * half-typed, empty and 5 MB documents must not crash or hang it).
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, Hover, MarkupContent, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, type TestClient } from './helpers/lsp-client';
import { REPO_ROOT } from './helpers/paths';

const DAU = `SELECT DATE(login_time) as date, COUNT(DISTINCT user_id) as dau
FROM user_events
WHERE event_type = 'login'
GROUP BY DATE(login_time);
`;

function open(client: TestClient, uri: string, languageId: string, text: string, version = 1): void {
  void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
}

function change(client: TestClient, uri: string, text: string, version: number): void {
  void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
}

function applyWorkspaceEdit(text: string, action: CodeAction): string {
  const changes = (action.edit?.documentChanges ?? []) as TextDocumentEdit[];
  const edits: TextEdit[] = changes.flatMap((documentChange) => documentChange.edits as TextEdit[]);
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'sql', 1, text), edits);
}

function messageText(diagnostic: Diagnostic | undefined): string {
  const message = diagnostic?.message ?? '';
  return typeof message === 'string' ? message : message.value;
}

const hasRule = (ruleId: string) => (params: { diagnostics: Diagnostic[] }) => params.diagnostics.some((diagnostic) => diagnostic.code === ruleId);

describe('language server, push diagnostics', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'faultline-lsp-'));
    client = await startServer({ rootPath: workspace });
  });
  after(async () => client.stop());

  test('publishes diagnostics for a risky SQL file, with source, code and docs link', async () => {
    const uri = `file://${workspace}/dau.sql`;
    open(client, uri, 'sql', DAU);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'timezone-naive-date-bucket');
    assert.ok(diagnostic !== undefined);
    assert.equal(diagnostic.source, 'faultline');
    assert.deepEqual(diagnostic.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 23 } });
    assert.match(diagnostic.codeDescription?.href ?? '', /timezone-naive-date-bucket\/docs\.md$/);
    assert.match(messageText(diagnostic), /session/);
    assert.equal(published.version, 1);
  });

  test('finds SQL embedded in TypeScript and maps the range into the host file', async () => {
    const uri = `file://${workspace}/dau.ts`;
    const text = `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const dau = () => pool.query(\`${DAU.trim()}\`);\n`;
    open(client, uri, 'typescript', text);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'timezone-naive-date-bucket');
    const document = TextDocument.create(uri, 'typescript', 1, text);
    assert.ok(diagnostic !== undefined);
    assert.equal(document.getText(diagnostic.range), 'DATE(login_time)');
  });

  test('code action: the quick fix edits the text, the finding goes, and applying it again changes nothing', async () => {
    const uri = `file://${workspace}/fix.sql`;
    open(client, uri, 'sql', DAU);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'timezone-naive-date-bucket');
    assert.ok(diagnostic !== undefined);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    const titles = actions.map((action) => action.title);
    assert.ok(titles.includes('Suppress timezone-naive-date-bucket for this line'), titles.join('\n'));
    assert.ok(titles.includes('Suppress timezone-naive-date-bucket for this file'));
    assert.ok(titles.includes('Disable timezone-naive-date-bucket in .faultline.json'));
    assert.ok(titles.includes('Show documentation for timezone-naive-date-bucket'));
    // On a column of unknown type the fix is unsafe (issue 13): offered, never preferred.
    const fix = actions.find((action) => action.title.startsWith('Bucket in UTC explicitly'));
    assert.ok(fix !== undefined, 'the time-zone quick fix');
    assert.notEqual(fix.isPreferred, true);
    assert.equal(((fix.edit?.documentChanges ?? [])[0] as TextDocumentEdit).textDocument.version, 1, 'edits are tied to the version they were computed for');
    const fixed = applyWorkspaceEdit(DAU, fix);
    assert.equal(fixed, DAU.replaceAll('DATE(login_time)', "(login_time AT TIME ZONE 'UTC')::date"));
    change(client, uri, fixed, 2);
    const after = await client.diagnostics(uri, (params) => params.version === 2);
    assert.ok(!after.diagnostics.some((item) => item.code === 'timezone-naive-date-bucket'));
    const again = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    assert.ok(!again.some((action) => action.title.startsWith('Bucket in UTC explicitly')), 'the stale diagnostic no longer yields a fix');
  });

  test('suppress-for-this-line inserts a directive that hides the finding', async () => {
    const uri = `file://${workspace}/suppress.sql`;
    open(client, uri, 'sql', DAU);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'timezone-naive-date-bucket');
    assert.ok(diagnostic !== undefined);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    const suppress = actions.find((action) => action.title === 'Suppress timezone-naive-date-bucket for this line');
    assert.ok(suppress !== undefined);
    const suppressed = applyWorkspaceEdit(DAU, suppress);
    assert.ok(suppressed.startsWith('-- faultline-ignore-next-line timezone-naive-date-bucket -- '));
    change(client, uri, suppressed, 2);
    const after = await client.diagnostics(uri, (params) => params.version === 2);
    assert.ok(!after.diagnostics.some((item) => item.code === 'timezone-naive-date-bucket'));
  });

  test('source.fixAll.faultline applies safe fixes only', async () => {
    const uri = `file://${workspace}/fixall.sql`;
    // equals-null's fix is safe; the time-zone fix on a column of unknown type is not.
    const text = `${DAU}\nSELECT id FROM users WHERE deleted_at = NULL;\n`;
    open(client, uri, 'sql', text);
    await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } })) as CodeAction[];
    assert.equal(actions.length, 1);
    assert.equal(actions[0]?.kind, 'source.fixAll.faultline');
    // What editor.codeActionsOnSave and the "Fix all auto-fixable problems" command ask for.
    const exact = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.faultline'] } })) as CodeAction[];
    assert.deepEqual(exact, actions);
    const action = actions[0];
    assert.ok(action !== undefined);
    const fixed = applyWorkspaceEdit(text, action);
    assert.match(fixed, /deleted_at IS NULL/);
    assert.doesNotMatch(fixed, /AT TIME ZONE 'UTC'/);
  });

  test('hover on a finding: Markdown with the message, why it bites and the docs link; the Problems entry is one line (#14)', async () => {
    const uri = `file://${workspace}/hover.sql`;
    open(client, uri, 'sql', DAU);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    for (const diagnostic of published.diagnostics) assert.doesNotMatch(messageText(diagnostic), /\n/, 'one line in the Problems panel');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 10 } })) as Hover | null;
    assert.ok(hover !== null, 'a hover on DATE(login_time)');
    const contents = hover.contents as MarkupContent;
    assert.equal(contents.kind, 'markdown');
    assert.match(contents.value, /`timezone-naive-date-bucket`: `DATE\(login_time\)` depends on the session's time zone/);
    assert.match(contents.value, /A calendar day needs a time zone/, 'why it bites');
    assert.match(contents.value, /\[Documentation of timezone-naive-date-bucket\]\(https:\/\/\S+\/timezone-naive-date-bucket\/docs\.md\)/);
    assert.deepEqual(hover.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 23 } });
    const nothing = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } });
    assert.equal(nothing, null, 'no hover away from findings');
  });

  test('every command a code action names is advertised and carried out by the server, for any client (#14)', async () => {
    const uri = `file://${workspace}/commands.sql`;
    open(client, uri, 'sql', DAU);
    const published = await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'timezone-naive-date-bucket');
    assert.ok(diagnostic !== undefined);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    const commands = actions.flatMap((action) => (action.command === undefined ? [] : [action.command]));
    assert.ok(commands.length > 0, 'the documentation action names a command');
    const advertised = client.initializeResult.capabilities.executeCommandProvider?.commands ?? [];
    for (const command of commands) {
      assert.ok(advertised.includes(command.command), `${command.command} is in executeCommandProvider`);
      await client.connection.sendRequest('workspace/executeCommand', { command: command.command, arguments: command.arguments });
    }
    const docs = join(REPO_ROOT, 'dist', 'docs', 'timezone-naive-date-bucket.md');
    assert.ok(client.shownDocuments.includes(`file://${docs}`), `the bundled docs were shown: ${client.shownDocuments.join(', ')}`);
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'faultline.showDocumentation', arguments: ['../../etc/passwd'] }), /no rule/);
  });

  test('a broken .faultline.json gets an error on the file itself, and linting goes on with the defaults', async () => {
    const configText = '{ "rules": { "timezone-naive-date-bucket": "loud" }, }';
    writeFileSync(join(workspace, '.faultline.json'), configText);
    const configUri = `file://${workspace}/.faultline.json`;
    open(client, configUri, 'jsonc', configText);
    const problems = await client.diagnostics(configUri, (params) => params.diagnostics.length > 0);
    assert.match(messageText(problems.diagnostics[0]), /must be one of/);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    const uri = `file://${workspace}/after-broken-config.sql`;
    open(client, uri, 'sql', DAU);
    await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
  });

  test('Python files get diagnostics and a quick fix from the Python grammar shipped in the bundle', async () => {
    const uri = `file://${workspace}/fetch_orders.py`;
    const text = 'import requests\n\n\ndef fetch_orders(base_url):\n    return requests.get(f"{base_url}/orders").json()\n';
    open(client, uri, 'python', text);
    const published = await client.diagnostics(uri, hasRule('request-without-timeout'));
    const diagnostic = published.diagnostics.find((item) => item.code === 'request-without-timeout');
    assert.ok(diagnostic !== undefined);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    const fix = actions.find((action) => action.isPreferred === true);
    assert.ok(fix !== undefined, actions.map((action) => action.title).join('\n'));
    assert.equal(applyWorkspaceEdit(text, fix), text.replace('/orders").json()', '/orders", timeout=(3.05, 27)).json()'));
    // Suppressions are written in Python's comment syntax, and the suppressed file still parses.
    const suppress = actions.find((action) => action.title === 'Suppress request-without-timeout for this line');
    assert.ok(suppress !== undefined);
    const suppressed = applyWorkspaceEdit(text, suppress);
    assert.match(suppressed, /\n {4}# faultline-ignore-next-line request-without-timeout -- /);
    change(client, uri, suppressed.replace('TODO: say why this is safe here', 'the orders API answers within its own deadline'), 2);
    const after = await client.diagnostics(uri, (params) => params.version === 2);
    assert.ok(!after.diagnostics.some((item) => item.code === 'request-without-timeout'));
  });

  test('malformed SQL, half-typed TypeScript, an empty file and a 5 MB file do not crash or hang the server', async () => {
    const cases: [string, string, string][] = [
      ['malformed.sql', 'sql', "SELECT (((( FROM WHERE 'unterminated ; $$ body without end"],
      ['half.ts', 'typescript', 'const x = pool.query(`SELECT * FROM t WHERE a = ${'],
      ['empty.sql', 'sql', ''],
      ['binaryish.sql', 'sql', '\u0000\u0001\u0002SELECT\u0000'],
      ['huge.ts', 'typescript', `${'export const q = () => pool.query(`SELECT DATE(created_at), count(*) FROM orders GROUP BY 1`);\n'.repeat(60_000)}`],
    ];
    for (const [name, languageId, text] of cases) {
      const uri = `file://${workspace}/${name}`;
      open(client, uri, languageId, text);
      await client.diagnostics(uri, () => true, 60_000);
    }
    assert.ok(cases[4] !== undefined && cases[4][2].length > 5_000_000);
    // Still serving.
    const uri = `file://${workspace}/still-alive.sql`;
    open(client, uri, 'sql', DAU);
    await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
    assert.equal(client.process.exitCode, null);
  });
});

describe('language server, pull diagnostics and the audit', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'faultline-lsp-pull-'));
    mkdirSync(join(workspace, 'reports'));
    writeFileSync(join(workspace, 'reports', 'dau.sql'), DAU);
    writeFileSync(join(workspace, 'reports', 'clean.sql'), 'SELECT id FROM users WHERE id = $1;\n');
    client = await startServer({ pull: true, rootPath: workspace });
  });
  after(async () => client.stop());

  test('textDocument/diagnostic returns a full report', async () => {
    const uri = `file://${workspace}/pulled.sql`;
    open(client, uri, 'sql', DAU);
    const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
    assert.equal(report.kind, 'full');
    assert.ok(report.items.some((item) => item.code === 'timezone-naive-date-bucket'));
  });

  test('faultline/audit checks files that were never opened, reports progress and publishes their findings', async () => {
    const auditUri = `file://${join(workspace, 'reports', 'dau.sql')}`;
    const result = (await client.connection.sendRequest('faultline/audit', { scope: { kind: 'workspace' }, progressToken: 'audit-1' })) as { filesChecked: number; findings: number; cancelled: boolean };
    assert.equal(result.filesChecked, 2, 'the two files on disk (the open, unsaved document is not on disk)');
    assert.ok(result.findings >= 1);
    assert.equal(result.cancelled, false);
    const published = await client.diagnostics(auditUri, hasRule('timezone-naive-date-bucket'));
    assert.ok(published.diagnostics.length > 0);
    const progress = client.notifications('faultline/auditProgress') as { progressToken: string; done: number; total: number }[];
    assert.ok(progress.some((item) => item.progressToken === 'audit-1' && item.done === item.total && item.total === 2));
  });
});

test("the server reads the project's own folders, not those the workspace is checked out under", async () => {
  // The workspace folder sits in a folder named `examples`: its code is still production code, so
  // a retry loop without backoff is reported in src/ and not in test/ (see lint-file.ts).
  const workspace = join(mkdtempSync(join(tmpdir(), 'faultline-lsp-')), 'examples', 'shop');
  mkdirSync(join(workspace, 'src'), { recursive: true });
  writeFileSync(join(workspace, 'package.json'), '{ "name": "shop", "private": true }\n');
  const client = await startServer({ rootPath: workspace });
  try {
    const retry = 'export async function connectForever(connect: () => Promise<void>) {\n  while (true) {\n    try { await connect(); break; } catch (error) { console.log(error); }\n  }\n}\n';
    const source = `file://${workspace}/src/connect.ts`;
    open(client, source, 'typescript', retry);
    const published = await client.diagnostics(source, hasRule('retry-without-backoff'));
    assert.ok(published.diagnostics.some((diagnostic) => diagnostic.code === 'unbounded-retry'));
    const test = `file://${workspace}/test/connect.ts`;
    open(client, test, 'typescript', retry);
    const tested = await client.diagnostics(test, () => true);
    assert.deepEqual(tested.diagnostics.map((diagnostic) => diagnostic.code), []);
  } finally {
    await client.stop();
  }
});

test('the startup log names the config of each workspace folder, a .faultline.json at its root included (#14)', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'faultline-lsp-log-'));
  const configured = join(parent, 'configured');
  const plain = join(parent, 'plain');
  mkdirSync(configured);
  mkdirSync(plain);
  writeFileSync(join(configured, '.faultline.json'), '{ "sqlDialect": "mysql" }\n');
  const client = await startServer({ workspaceFolders: [configured, plain] });
  try {
    // A request answered after initialized means the startup log has been written before it.
    await client.connection.sendRequest('faultline/documentStatus', { uri: `file://${configured}/a.sql` });
    const messages = client.logs.map((log) => log.message);
    assert.ok(messages.includes(`  ${configured}: config ${join(configured, '.faultline.json')}; sqlDialect mysql; reportingTimeZone UTC.`), messages.join('\n'));
    assert.ok(messages.includes(`  ${plain}: config (none: defaults); sqlDialect postgresql; reportingTimeZone UTC.`), messages.join('\n'));
  } finally {
    await client.stop();
  }
});

test('faultline-lsp --version and --help answer and exit; no arguments is a usage error', () => {
  const server = join(REPO_ROOT, 'dist', 'server.js');
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = spawnSync(process.execPath, [server, '--version'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `faultline-lsp ${manifest.version}\n`);
  const help = spawnSync(process.execPath, [server, '--help'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: faultline-lsp --stdio/);
  assert.match(help.stdout, /--version/);
  const bare = spawnSync(process.execPath, [server], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /^Usage: faultline-lsp --stdio/);
});

describe('language server, a minimal client', () => {
  // Issue #2 regression: a client that advertises no capabilities at all (as the simplest LSP
  // clients do) must get diagnostics and no error from initialization.
  test('serves a client with empty capabilities without logging errors', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'faultline-lsp-min-'));
    const client = await startServer({ rootPath: workspace, minimalCapabilities: true });
    try {
      const uri = `file://${workspace}/dau.sql`;
      open(client, uri, 'sql', DAU);
      await client.diagnostics(uri, hasRule('timezone-naive-date-bucket'));
      assert.deepEqual(client.logs.filter((log) => log.type === 1).map((log) => log.message), []);
      assert.ok(client.logs.some((log) => log.message.startsWith('Faultline language server started')), 'the startup log is written');
      // A client that cannot show documents is told where the docs are (#14).
      await client.connection.sendRequest('workspace/executeCommand', { command: 'faultline.showDocumentation', arguments: ['equals-null'] });
      const message = await client.notification<{ message: string }>('window/showMessage', (params) => params.message.includes('equals-null'));
      assert.match(message.message, /https:\/\/\S+\/equals-null\/docs\.md/);
    } finally {
      await client.stop();
    }
  });
});

test('the idle collector reaches V8\'s collector and never keeps the process alive', () => {
  const collector = join(__dirname, '..', 'server', 'src', 'lsp', 'idle-collector.js');
  // A 60 s delay: a child whose timer kept it alive would be killed by the 10 s timeout.
  const script = `require(${JSON.stringify(collector)}).createIdleCollector(60000).touch(); console.log(typeof require('vm').runInNewContext('gc'));`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'function');
});
