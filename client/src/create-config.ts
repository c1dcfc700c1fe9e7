/**
 * "Faultline: Create Configuration": writes a starter `.faultline.json` at the root of a
 * workspace folder (the SQL dialect its database client or dbt adapter suggests; see
 * server/src/workspace/starter-config.ts) and opens it. An existing file is opened, never
 * overwritten.
 */

import * as vscode from 'vscode';
import { DEFAULT_DIALECT, detectSqlDialect, starterConfigText } from '../../server/src/workspace/starter-config';
import { describeError } from './describe-error';

const CONFIG_FILE_NAME = '.faultline.json';

export async function createConfiguration(): Promise<void> {
  const folder = await pickFolder();
  if (folder === undefined) return;
  const configUri = vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME);
  try {
    if (await exists(configUri)) {
      await vscode.window.showTextDocument(configUri);
      void vscode.window.showInformationMessage(`Faultline: ${folder.name} already has a ${CONFIG_FILE_NAME}; it is open.`);
      return;
    }
    // Local folders only: a remote one's manifests are not read, and the default dialect applies.
    const evidence = folder.uri.scheme === 'file' ? detectSqlDialect(folder.uri.fsPath)[0] : undefined;
    const sqlDialect = evidence?.dialect ?? DEFAULT_DIALECT;
    await vscode.workspace.fs.writeFile(configUri, new TextEncoder().encode(starterConfigText(sqlDialect)));
    await vscode.window.showTextDocument(configUri);
    const dialect = evidence === undefined ? `${sqlDialect} (the default; change sqlDialect if your database is another)` : `${sqlDialect} (${evidence.reason})`;
    void vscode.window.showInformationMessage(`Faultline: created ${CONFIG_FILE_NAME} in ${folder.name}; SQL dialect ${dialect}.`);
  } catch (error) {
    void vscode.window.showErrorMessage(`Faultline: could not create ${CONFIG_FILE_NAME}: ${describeError(error)}`);
  }
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage(`Faultline: open a folder first; its ${CONFIG_FILE_NAME} goes at its root.`);
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: `The workspace folder to create ${CONFIG_FILE_NAME} in` });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
