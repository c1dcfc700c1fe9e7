/**
 * The end-to-end scenarios of test/e2e/vscode.e2e.ts, written against the VS Code API and run
 * inside the extension host by test/vscode/run.ts (@vscode/test-electron calls `run()`). No mocha:
 * each scenario is a function, run in order, and the first failure rejects `run()`, which makes
 * VS Code exit non-zero. Waits are on conditions (diagnostics events, document text), bounded.
 */

import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const WAIT_MS = 30_000;

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder !== undefined, 'the test opens a copy of examples/ as the workspace');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'faultline');

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  if (typeof code === 'object') return String(code.value);
  return String(code);
}

/** Resolves when `uri`'s Faultline diagnostics satisfy `predicate` (checked now and on each change). */
function waitForDiagnostics(uri: vscode.Uri, what: string, predicate: (diagnostics: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolveWait, reject) => {
    const check = (): boolean => {
      const diagnostics = ours(uri);
      if (!predicate(diagnostics)) return false;
      cleanup();
      resolveWait(diagnostics);
      return true;
    };
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}; ${uri.fsPath} has: ${ours(uri).map((item) => `${item.range.start.line + 1}:${codeOf(item)}`).join(', ')}`));
    }, WAIT_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      listener.dispose();
    };
    check();
  });
}

const lineOf = (diagnostics: vscode.Diagnostic[], code: string): number[] => diagnostics.filter((item) => codeOf(item) === code).map((item) => item.range.start.line + 1);

async function openSqlAndTs(): Promise<void> {
  const sql = workspaceFile('sql', 'daily-active-users.sql');
  await vscode.window.showTextDocument(sql);
  const sqlDiagnostics = await waitForDiagnostics(sql, 'the SQL file', (found) => lineOf(found, 'timezone-naive-date-bucket').includes(3));
  assert.deepEqual(lineOf(sqlDiagnostics, 'full-history-scan'), [4]);
  assert.ok(sqlDiagnostics.every((item) => item.severity === vscode.DiagnosticSeverity.Warning));

  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', sql, new vscode.Position(2, 10));
  const hoverText = hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
  // The server's Markdown hover says why it bites; the diagnostic itself is one line (#14).
  const timezone = sqlDiagnostics.find((item) => codeOf(item) === 'timezone-naive-date-bucket');
  assert.match(timezone?.message ?? '', /^[^\n]*depends on the session's time zone[^\n]*$/);
  assert.match(hoverText, /A calendar day needs a time zone/);

  const ts = workspaceFile('api', 'orders.ts');
  await vscode.window.showTextDocument(ts);
  const tsDiagnostics = await waitForDiagnostics(ts, 'the TypeScript file', (found) => lineOf(found, 'full-history-scan').includes(39));
  for (const [code, line] of [['offset-pagination', 8], ['unbounded-select', 14], ['unbounded-in-list', 20], ['sql-built-from-strings', 26], ['limit-without-order-by', 32], ['timezone-naive-date-bucket', 38]] as const) {
    assert.ok(lineOf(tsDiagnostics, code).includes(line), `${code} on line ${line}`);
  }
}

async function applyQuickFix(): Promise<void> {
  const sql = workspaceFile('sql', 'daily-active-users.sql');
  const editor = await vscode.window.showTextDocument(sql);
  const [timezone] = ours(sql).filter((item) => codeOf(item) === 'timezone-naive-date-bucket');
  assert.ok(timezone !== undefined);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', sql, timezone.range, vscode.CodeActionKind.QuickFix.value);
  const fix = actions.find((action) => action.title.startsWith('Bucket in UTC explicitly'));
  assert.ok(fix?.edit !== undefined, `the time-zone fix among: ${actions.map((action) => action.title).join(' | ')}`);
  const before = editor.document.getText();
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.equal(editor.document.getText(), before.replaceAll('DATE(login_time)', "(login_time AT TIME ZONE 'UTC')::date"));
  await waitForDiagnostics(sql, 'the time-zone finding to go', (found) => lineOf(found, 'timezone-naive-date-bucket').length === 0 && lineOf(found, 'full-history-scan').includes(4));
}

async function typeRiskyStatement(): Promise<void> {
  const sql = workspaceFile('sql', 'daily-active-users.sql');
  const editor = await vscode.window.showTextDocument(sql);
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  assert.ok(await editor.edit((builder) => builder.insert(end, 'DELETE FROM users;')));
  const line = end.line + 1;
  await waitForDiagnostics(sql, 'write-without-where on the typed line', (found) => lineOf(found, 'write-without-where').includes(line));
  assert.ok(editor.document.isDirty, 'the diagnostic came without saving');
}

async function auditWorkspace(): Promise<void> {
  const maintenance = workspaceFile('sql', 'maintenance.sql');
  assert.ok(!vscode.workspace.textDocuments.some((document) => document.uri.toString() === maintenance.toString()), 'maintenance.sql was never opened');
  const audit = vscode.commands.executeCommand('faultline.auditWorkspace');
  let finished = false;
  void audit.then(() => {
    finished = true;
  });
  // The command asks which files to audit; "Whole workspace" is the first item. Accept it once the
  // quick pick is showing (accepting earlier does nothing), until the findings arrive.
  const accepting = setInterval(() => {
    if (!finished) void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }, 250);
  try {
    const found = await waitForDiagnostics(maintenance, 'the audit to publish maintenance.sql', (diagnostics) => lineOf(diagnostics, 'write-without-where').length === 2);
    assert.deepEqual(lineOf(found, 'write-without-where'), [2, 4]);
    await waitForDiagnostics(workspaceFile('sql', 'reporting.sql'), 'the audit to publish reporting.sql', (diagnostics) => lineOf(diagnostics, 'equals-null').includes(14));
  } finally {
    clearInterval(accepting);
  }
}

async function breakConfig(): Promise<void> {
  const config = workspaceFile('.faultline.json');
  await vscode.workspace.fs.writeFile(config, new TextEncoder().encode('{ "reportingTimeZone": "UTC" }\n'));
  const document = await vscode.workspace.openTextDocument(config);
  const editor = await vscode.window.showTextDocument(document);
  const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  assert.ok(await editor.edit((builder) => builder.replace(whole, '{ "rules": { "select-star": "loud" } }\n')));
  assert.ok(await document.save());
  const problems = await waitForDiagnostics(config, 'an error on the broken config', (found) => found.some((item) => item.severity === vscode.DiagnosticSeverity.Error));
  assert.match(problems.map((item) => item.message).join('\n'), /must be one of/);

  const sql = workspaceFile('sql', 'daily-active-users.sql');
  const sqlEditor = await vscode.window.showTextDocument(sql);
  const end = sqlEditor.document.lineAt(sqlEditor.document.lineCount - 1).range.end;
  assert.ok(await sqlEditor.edit((builder) => builder.insert(end, '\nUPDATE users SET plan = NULL;')));
  await waitForDiagnostics(sql, 'write-without-where on the new line with the config broken', (found) => lineOf(found, 'write-without-where').includes(end.line + 2));
}

const SCENARIOS: [string, () => Promise<void>][] = [
  ['a SQL file and a TypeScript file get their diagnostics', openSqlAndTs],
  ['the quick fix edits the text and the diagnostic goes', applyQuickFix],
  ['a typed risky statement is flagged without saving', typeRiskyStatement],
  ['Faultline: Audit Workspace publishes files never opened', auditWorkspace],
  ['a broken .faultline.json gets an error and linting goes on', breakConfig],
];

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension('faultline.faultline');
  assert.ok(extension !== undefined, 'the extension under development is loaded');
  await extension.activate();
  const failures: string[] = [];
  for (const [name, scenario] of SCENARIOS) {
    try {
      await scenario();
      console.log(`ok - ${name}`);
    } catch (error) {
      console.log(`not ok - ${name}\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      failures.push(name);
    }
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${SCENARIOS.length} scenarios failed: ${failures.join('; ')}`);
}
