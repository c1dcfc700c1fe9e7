/**
 * The hidden `faultline.showDocumentation` command, which the server's code actions invoke with a
 * rule id: opens that rule's docs.md, which the build copies to dist/docs/<rule-id>.md inside the
 * extension, as a Markdown preview. The docs ship with the extension so they work offline and
 * always match the rules that produced the finding.
 */

import * as vscode from 'vscode';

/** Rule ids are kebab-case; anything else could name a path outside dist/docs. */
const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export async function showDocumentation(extensionUri: vscode.Uri, ruleId: unknown): Promise<void> {
  if (typeof ruleId !== 'string' || !RULE_ID.test(ruleId)) {
    void vscode.window.showErrorMessage(`Faultline: cannot show documentation for rule ${JSON.stringify(ruleId) ?? 'undefined'}.`);
    return;
  }
  const docsUri = vscode.Uri.joinPath(extensionUri, 'dist', 'docs', `${ruleId}.md`);
  try {
    await vscode.workspace.fs.stat(docsUri);
  } catch {
    void vscode.window.showErrorMessage(`Faultline: no documentation found for rule '${ruleId}'.`);
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', docsUri);
  } catch {
    // The built-in Markdown extension can be disabled; the raw Markdown is still readable.
    const document = await vscode.workspace.openTextDocument(docsUri);
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
