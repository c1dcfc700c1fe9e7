/**
 * "Faultline: Create Configuration": writes a starter `.faultline.json` at the root of a
 * workspace folder (the defaults, with the SQL dialect its package.json's driver suggests; see
 * server/src/workspace/starter-config.ts) and opens it. An existing file is opened, never
 * overwritten.
 */

import * as vscode from 'vscode';
import { starterConfig } from '../../server/src/workspace/starter-config';
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
    const packageJson = await readText(vscode.Uri.joinPath(folder.uri, 'package.json'));
    const starter = starterConfig(packageJson);
    await vscode.workspace.fs.writeFile(configUri, new TextEncoder().encode(starter.text));
    await vscode.window.showTextDocument(configUri);
    const dialect = starter.detectedFrom === null ? `${starter.sqlDialect} (the default; change sqlDialect if your database is another)` : `${starter.sqlDialect} (package.json depends on ${starter.detectedFrom})`;
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

/** A file's text, or undefined when it cannot be read (most often: there is none). */
async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
