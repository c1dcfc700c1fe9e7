/**
 * The Faultline status bar item: "Faultline" with an icon for its state (a check when the server
 * runs and the active file's config is good, a warning when that config is broken, an error when
 * the server failed), a tooltip with the server's state and the config of the active file, and a
 * click that opens the Output channel. The config is asked of the server with
 * `faultline/documentStatus`, so the client never resolves config itself. The setting
 * `faultline.statusBar.show` hides it.
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
/** A busy machine can take longer than that to pass the event on: the item asks once more after this. */
const CONFIG_CHANGE_RECHECK_MS = 3_000;

const SHOW_SETTING = 'statusBar.show';

export function createStatusItem(client: LanguageClient, selector: vscode.DocumentSelector): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('faultline.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Faultline';
  item.command = { title: 'Show Output', command: 'faultline.showOutput' };
  // Each refresh takes a number; an answer that arrives after a newer refresh started is dropped.
  let latestRefresh = 0;
  let settleTimer: NodeJS.Timeout | undefined;
  let recheckTimer: NodeJS.Timeout | undefined;

  const refresh = async (): Promise<void> => {
    const refreshNumber = ++latestRefresh;
    if (vscode.workspace.getConfiguration('faultline').get<boolean>(SHOW_SETTING, true)) item.show();
    else item.hide();
    const state = client.state;
    const editor = vscode.window.activeTextEditor;
    const checked = editor !== undefined && vscode.languages.match(selector, editor.document) > 0;
    let status: DocumentStatus | null = null;
    if (state === State.Running && editor !== undefined && checked) {
      const params: DocumentStatusParams = { uri: client.code2ProtocolConverter.asUri(editor.document.uri) };
      try {
        status = await client.sendRequest<DocumentStatus>(DOCUMENT_STATUS_REQUEST, params);
      } catch {
        // The config line is a convenience: a server that cannot answer (restarting, or an older
        // build) leaves the item showing the server state alone rather than an error.
      }
      if (refreshNumber !== latestRefresh) return;
    }
    show(item, describeServer(client, state), editor === undefined || !checked ? null : status);
  };
  const refreshSoon = (): void => void refresh();
  const refreshAfterConfigChange = (): void => {
    if (settleTimer !== undefined) clearTimeout(settleTimer);
    if (recheckTimer !== undefined) clearTimeout(recheckTimer);
    settleTimer = setTimeout(refreshSoon, CONFIG_CHANGE_SETTLE_MS);
    recheckTimer = setTimeout(refreshSoon, CONFIG_CHANGE_RECHECK_MS);
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
        if (recheckTimer !== undefined) clearTimeout(recheckTimer);
      },
    },
  ];
  refreshSoon();
  return vscode.Disposable.from(...disposables);
}

interface ServerDescription {
  icon: string;
  text: string;
  failed: boolean;
}

function describeServer(client: LanguageClient, state: State): ServerDescription {
  switch (state) {
    case State.Starting:
      return { icon: '$(sync~spin)', text: 'starting', failed: false };
    case State.Running: {
      const version = client.initializeResult?.serverInfo?.version;
      return { icon: '$(check)', text: version === undefined ? 'running' : `running (version ${version})`, failed: false };
    }
    case State.Stopped:
      return { icon: '$(error)', text: 'stopped (Faultline: Restart Server starts it again)', failed: true };
    case State.StartFailed:
      return { icon: '$(error)', text: 'failed to start (the Output channel says why)', failed: true };
  }
}

/** Sets the item from the server's state and, when the active file is one Faultline checks, its status. */
function show(item: vscode.StatusBarItem, server: ServerDescription, status: DocumentStatus | null): void {
  const tooltip = new vscode.MarkdownString(undefined, true);
  // Only the command below may run from the tooltip's links.
  tooltip.isTrusted = { enabledCommands: ['vscode.open'] };
  tooltip.appendMarkdown(`**Faultline**: server ${server.text}\n\n`);
  let icon = server.icon;
  let warning = server.failed;
  let stateLabel = server.text;
  if (status !== null) {
    const configName = status.configPath === null ? null : vscode.workspace.asRelativePath(status.configPath);
    const configLink = status.configPath === null ? '' : `[${configName}](command:vscode.open?${encodeURIComponent(JSON.stringify([vscode.Uri.file(status.configPath).toString()]))})`;
    if (!status.enabled) {
      icon = '$(circle-slash)';
      stateLabel = 'off for this file';
      tooltip.appendMarkdown('This file: not checked (`faultline.enable` is off)\n\n');
    } else if (status.configHasErrors) {
      icon = '$(warning)';
      warning = true;
      stateLabel = `${configName ?? 'the config'} has errors`;
      tooltip.appendMarkdown(`This file: config ${configLink} has errors; the last good config applies\n\n`);
    } else if (status.configPath === null) {
      tooltip.appendMarkdown('This file: no `.faultline.json` applies, the defaults do (Faultline: Create Configuration writes one)\n\n');
    } else {
      tooltip.appendMarkdown(`This file: config ${configLink}\n\n`);
    }
  }
  tooltip.appendMarkdown('Click to show the Faultline output.');
  item.text = `${icon} Faultline`;
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `Faultline: ${stateLabel}` };
  item.backgroundColor = warning ? new vscode.ThemeColor(server.failed ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground') : undefined;
}
