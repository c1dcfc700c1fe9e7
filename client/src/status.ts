/**
 * The Faultline language status item (the `{}` entry in the status bar for checked languages):
 * shows whether the server is running and, for the active editor, which .faultline.json applies,
 * asked of the server with `faultline/documentStatus` so the client never resolves config itself.
 * A broken config shows as a warning, and the item's command opens the config file.
 */

import * as vscode from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';
import { DOCUMENT_STATUS_REQUEST, DocumentStatus, DocumentStatusParams } from '../../server/src/lsp/protocol';

/**
 * The client batches file events for 250 ms before telling the server, so a refresh right after a
 * config file changes would ask before the server knows. Waiting a little longer avoids showing a
 * stale config state.
 */
const CONFIG_CHANGE_SETTLE_MS = 500;

export function createStatusItem(client: LanguageClient, selector: vscode.DocumentSelector): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem('faultline.status', selector);
  item.name = 'Faultline';
  // Each refresh takes a number; an answer that arrives after a newer refresh started is dropped.
  let latestRefresh = 0;
  let settleTimer: NodeJS.Timeout | undefined;

  const refresh = async (): Promise<void> => {
    const refreshNumber = ++latestRefresh;
    const state = client.state;
    item.text = `Faultline: ${describeState(state)}`;
    item.busy = state === State.Starting;
    item.severity = state === State.StartFailed ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    item.detail = undefined;
    item.command = { title: 'Show Output', command: 'faultline.showOutput' };

    const editor = vscode.window.activeTextEditor;
    if (state !== State.Running || editor === undefined) return;

    const params: DocumentStatusParams = { uri: client.code2ProtocolConverter.asUri(editor.document.uri) };
    let status: DocumentStatus;
    try {
      status = await client.sendRequest<DocumentStatus>(DOCUMENT_STATUS_REQUEST, params);
    } catch {
      // The status is a convenience: a server that cannot answer (restarting, or an older build)
      // leaves the item showing the server state alone rather than an error.
      return;
    }
    if (refreshNumber !== latestRefresh) return;
    showDocumentStatus(item, status);
  };
  const refreshSoon = (): void => void refresh();
  const refreshAfterConfigChange = (): void => {
    if (settleTimer !== undefined) clearTimeout(settleTimer);
    settleTimer = setTimeout(refreshSoon, CONFIG_CHANGE_SETTLE_MS);
  };

  const configWatcher = vscode.workspace.createFileSystemWatcher('**/.faultline.json');
  const disposables: vscode.Disposable[] = [
    item,
    configWatcher,
    configWatcher.onDidCreate(refreshAfterConfigChange),
    configWatcher.onDidChange(refreshAfterConfigChange),
    configWatcher.onDidDelete(refreshAfterConfigChange),
    vscode.window.onDidChangeActiveTextEditor(refreshSoon),
    client.onDidChangeState(refreshSoon),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('faultline')) refreshAfterConfigChange();
    }),
    {
      dispose: () => {
        if (settleTimer !== undefined) clearTimeout(settleTimer);
      },
    },
  ];
  refreshSoon();
  return vscode.Disposable.from(...disposables);
}

function showDocumentStatus(item: vscode.LanguageStatusItem, status: DocumentStatus): void {
  const configName = status.configPath === null ? 'defaults' : vscode.workspace.asRelativePath(status.configPath);
  if (!status.enabled) {
    item.text = 'Faultline: off';
    item.detail = 'disabled for this file by faultline.enable';
  } else if (status.configHasErrors) {
    item.severity = vscode.LanguageStatusSeverity.Warning;
    item.detail = `${configName} has errors; using the last good config`;
  } else {
    item.detail = `config: ${configName}`;
  }
  if (status.configPath !== null) {
    item.command = { title: 'Open Config', command: 'vscode.open', arguments: [vscode.Uri.file(status.configPath)] };
  }
}

function describeState(state: State): string {
  switch (state) {
    case State.Starting:
      return 'starting';
    case State.Running:
      return 'running';
    case State.Stopped:
      return 'stopped';
    case State.StartFailed:
      return 'failed to start';
  }
}
