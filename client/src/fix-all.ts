/**
 * "Faultline: Fix All Auto-Fixable Problems in This File": asks the server for the
 * `source.fixAll.faultline` code action of the active file (the safe fixes only, the same action
 * `editor.codeActionsOnSave` runs) and applies its edit. The fixes come from the server; the
 * client only carries them over.
 */

import * as vscode from 'vscode';
import { CodeActionRequest, type CodeActionParams, LanguageClient } from 'vscode-languageclient/node';
import { FIX_ALL_KIND } from '../../server/src/lsp/protocol';
import { describeError } from './describe-error';

export async function fixAllInActiveFile(client: LanguageClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('Faultline: open a file to fix its problems.');
    return;
  }
  const document = editor.document;
  const lastLine = document.lineAt(document.lineCount - 1);
  const params: CodeActionParams = {
    textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
    range: { start: { line: 0, character: 0 }, end: { line: lastLine.lineNumber, character: lastLine.text.length } },
    context: { diagnostics: [], only: [FIX_ALL_KIND] },
  };
  try {
    const actions = (await client.sendRequest(CodeActionRequest.type, params)) ?? [];
    const fixAll = actions.find((action) => 'kind' in action && action.kind === FIX_ALL_KIND && action.edit !== undefined);
    if (fixAll === undefined || !('edit' in fixAll) || fixAll.edit === undefined) {
      void vscode.window.showInformationMessage('Faultline: no auto-fixable problems in this file.');
      return;
    }
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(fixAll.edit);
    // The edit names the document version it was computed for: a file changed meanwhile refuses it.
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showWarningMessage('Faultline: the file changed while the fixes were computed; run the command again.');
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`Faultline: fixing the file failed: ${describeError(error)}`);
  }
}
