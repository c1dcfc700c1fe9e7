/**
 * The audit report webview ("Open Report" on the audit's summary, or "Faultline: Show Audit
 * Report"): hosts the HTML the server renders for the last audit (`faultline/auditReport`), under
 * the Content-Security-Policy the server writes with the nonce this module picks, and acts on the
 * page's messages: open a finding's file at its line, or show a rule's bundled docs. The client
 * renders nothing itself; one panel is reused, and refreshed each time it is asked for.
 */

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  AUDIT_REPORT_REQUEST,
  SHOW_DOCUMENTATION_COMMAND,
  type AuditReport,
  type AuditReportMessage,
  type AuditReportParams,
} from '../../server/src/lsp/protocol';
import { describeError } from './describe-error';

export const SHOW_AUDIT_REPORT_COMMAND = 'faultline.showAuditReport';
const VIEW_TYPE = 'faultline.auditReport';

let panel: vscode.WebviewPanel | undefined;

export async function showAuditReport(client: LanguageClient): Promise<void> {
  const nonce = randomBytes(18).toString('base64');
  let report: AuditReport;
  try {
    const params: AuditReportParams = { nonce };
    report = await client.sendRequest<AuditReport>(AUDIT_REPORT_REQUEST, params);
  } catch (error) {
    void vscode.window.showErrorMessage(`Faultline: the audit report could not be made: ${describeError(error)}`);
    return;
  }
  if (report.html === null) {
    void vscode.window.showInformationMessage('Faultline: no audit yet. Run "Faultline: Audit Workspace" first.');
    return;
  }
  if (panel === undefined) {
    // No local resources: the page is one self-contained document.
    const created = vscode.window.createWebviewPanel(VIEW_TYPE, 'Faultline Audit Report', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    created.onDidDispose(() => {
      panel = undefined;
    });
    created.webview.onDidReceiveMessage((message: unknown) => void handleMessage(message));
    panel = created;
  }
  panel.webview.html = report.html;
  panel.reveal();
}

/** The page is ours, but a message is still data from a web page: check its shape before use. */
function parseMessage(message: unknown): AuditReportMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const fields = message as Record<string, unknown>;
  if (fields['kind'] === 'docs' && typeof fields['ruleId'] === 'string') return { kind: 'docs', ruleId: fields['ruleId'] };
  const { uri, line, column } = fields;
  if (fields['kind'] === 'open' && typeof uri === 'string' && Number.isInteger(line) && Number.isInteger(column)) {
    return { kind: 'open', uri, line: Math.max(1, Number(line)), column: Math.max(1, Number(column)) };
  }
  return null;
}

async function handleMessage(raw: unknown): Promise<void> {
  const message = parseMessage(raw);
  if (message === null) return;
  if (message.kind === 'docs') {
    await vscode.commands.executeCommand(SHOW_DOCUMENTATION_COMMAND, message.ruleId);
    return;
  }
  const uri = vscode.Uri.parse(message.uri, true);
  if (uri.scheme !== 'file') return;
  const position = new vscode.Position(message.line - 1, message.column - 1);
  try {
    // Beside the report when the report is in the first column, so it stays in view.
    const viewColumn = panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), viewColumn, preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(`Faultline: cannot open ${uri.fsPath}: ${describeError(error)}`);
  }
}
