/**
 * The VS Code extension's entry point: starts the Faultline language server (dist/server.js, a
 * separate bundle) and wires the commands and the status bar item to it. The client holds no
 * rule logic and reads no settings of its own: the server pulls the `faultline` section through
 * workspace/configuration, per document.
 */

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { runAudit } from './audit';
import { SHOW_AUDIT_REPORT_COMMAND, showAuditReport } from './audit-report';
import { showDocumentation } from './documentation';
import { describeError } from './describe-error';
import { createStatusItem } from './status';
import { fixAllInActiveFile } from './fix-all';
import { createConfiguration } from './create-config';
import { SHOW_DOCUMENTATION_COMMAND } from '../../server/src/lsp/protocol';

/** A filter both vscode's and the language client's selector types accept. */
interface DocumentFilter {
  scheme: string;
  language: string;
  pattern?: string;
}

/** The documents the server checks, saved or not. */
const CHECKED_DOCUMENTS: DocumentFilter[] = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'].flatMap(
  (language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ],
);

/** Config files are synchronized too, so the server can put config errors on the file itself. */
const CONFIG_DOCUMENTS: DocumentFilter[] = ['json', 'jsonc'].map((language) => ({
  scheme: 'file',
  language,
  pattern: '**/.faultline.json',
}));

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Created here rather than by the client so "Show Output" works even if the server never starts.
  const outputChannel = vscode.window.createOutputChannel('Faultline', { log: true });
  context.subscriptions.push(outputChannel);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const configWatcher = vscode.workspace.createFileSystemWatcher('**/.faultline.json');
  context.subscriptions.push(configWatcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...CHECKED_DOCUMENTS, ...CONFIG_DOCUMENTS],
    synchronize: { fileEvents: configWatcher },
    outputChannel,
    middleware: {
      // The server carries out "Show documentation" for every LSP client (window/showDocument of
      // the docs file); VS Code shows the same bundled docs as a rendered Markdown preview.
      executeCommand: (command, args, next) =>
        command === SHOW_DOCUMENTATION_COMMAND ? showDocumentation(context.extensionUri, args[0]) : next(command, args),
    },
  };
  // The id 'faultline' is what makes the client honour the `faultline.trace.server` setting.
  const languageClient = new LanguageClient('faultline', 'Faultline', serverOptions, clientOptions);
  client = languageClient;

  context.subscriptions.push(
    vscode.commands.registerCommand('faultline.auditWorkspace', () => runAudit(languageClient, () => showAuditReport(languageClient))),
    vscode.commands.registerCommand(SHOW_AUDIT_REPORT_COMMAND, () => showAuditReport(languageClient)),
    vscode.commands.registerCommand('faultline.restartServer', () => restartServer(languageClient)),
    vscode.commands.registerCommand('faultline.showOutput', () => outputChannel.show()),
    vscode.commands.registerCommand('faultline.fixAll', () => fixAllInActiveFile(languageClient)),
    vscode.commands.registerCommand('faultline.createConfig', () => createConfiguration()),
    createStatusItem(languageClient, CHECKED_DOCUMENTS),
  );

  try {
    await languageClient.start();
  } catch (error) {
    // The client has already logged the details; activation itself should still succeed so the
    // commands (Show Output, Restart Server) stay usable.
    outputChannel.error(`Faultline: the language server failed to start: ${describeError(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) return;
  await running.dispose();
}

async function restartServer(languageClient: LanguageClient): Promise<void> {
  try {
    await languageClient.restart();
  } catch (error) {
    void vscode.window.showErrorMessage(`Faultline: the language server failed to restart: ${describeError(error)}`);
  }
}
