/**
 * The "Faultline: Audit Workspace" command: asks which files to audit, sends the server's
 * `faultline/audit` request with a progress token, shows the server's progress notifications in a
 * cancellable notification, and summarises the result with a button to the audit report. It sends
 * each workspace folder's effective `files.exclude` globs, which only the editor knows. The
 * findings themselves arrive as ordinary diagnostics in the Problems view; this module only counts
 * what the server reports.
 */

import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { LanguageClient, LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';
import {
  AUDIT_PROGRESS_NOTIFICATION,
  AUDIT_REQUEST,
  AuditParams,
  AuditProgressParams,
  AuditResult,
  AuditScope,
  FolderExcludes,
} from '../../server/src/lsp/protocol';
import { describeError } from './describe-error';

type AuditOutcome = { kind: 'finished'; result: AuditResult } | { kind: 'cancelled' } | { kind: 'failed'; message: string };

interface ScopeItem extends vscode.QuickPickItem {
  scopeKind: AuditScope['kind'];
}

export async function runAudit(client: LanguageClient, openReport: () => Promise<void>): Promise<void> {
  const scope = await pickScope();
  if (scope === undefined) return;

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Faultline: auditing', cancellable: true },
    (progress, token) => sendAudit(client, scope, progress, token),
  );
  await showOutcome(outcome, openReport);
}

/**
 * Each folder's `files.exclude` globs that are on. Entries with a `when` clause (exclude a file
 * when a sibling exists) need the sibling's name, which a glob cannot say, so they are left out.
 */
function folderExcludes(): FolderExcludes[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => {
    const setting = vscode.workspace.getConfiguration('files', folder.uri).get<Record<string, unknown>>('exclude') ?? {};
    const patterns = Object.entries(setting).filter(([, value]) => value === true).map(([pattern]) => pattern);
    return { folderUri: folder.uri.toString(), patterns };
  });
}

async function pickScope(): Promise<AuditScope | undefined> {
  const hasFolder = (vscode.workspace.workspaceFolders ?? []).length > 0;
  const items: ScopeItem[] = [];
  if (hasFolder) {
    items.push({ label: 'Whole workspace', detail: 'Every file Faultline checks, minus ignored ones.', scopeKind: 'workspace' });
  }
  items.push({ label: 'Open files', detail: 'Only the files open in editors.', scopeKind: 'openFiles' });
  // Running git in an untrusted folder can run commands from the repository's own git config
  // (core.fsmonitor, for one), so this scope waits until the user trusts the workspace.
  if (hasFolder && vscode.workspace.isTrusted) {
    items.push({
      label: 'Files changed since a git ref…',
      detail: 'Files that differ between a branch, tag or commit and the working tree.',
      scopeKind: 'changedSince',
    });
  }

  const picked = await vscode.window.showQuickPick(items, { title: 'Faultline: Audit Workspace', placeHolder: 'Which files?' });
  if (picked === undefined) return undefined;
  switch (picked.scopeKind) {
    case 'workspace':
      return { kind: 'workspace' };
    case 'openFiles':
      return { kind: 'openFiles' };
    case 'changedSince': {
      const ref = await askForRef();
      return ref === undefined ? undefined : { kind: 'changedSince', ref };
    }
  }
}

async function askForRef(): Promise<string | undefined> {
  const ref = await vscode.window.showInputBox({
    title: 'Faultline: audit files changed since…',
    prompt: 'A git branch, tag or commit, such as origin/main, HEAD or HEAD~3.',
    value: 'origin/main',
    validateInput: validateRef,
  });
  return ref?.trim();
}

/** Catches typos early; the server still treats the ref as untrusted text when it runs git. */
function validateRef(value: string): string | undefined {
  const ref = value.trim();
  if (ref === '') return 'Enter a git ref, such as origin/main or HEAD.';
  if (ref.startsWith('-')) return 'A git ref cannot start with "-".';
  if (/\s/.test(ref)) return 'A git ref cannot contain spaces.';
  return undefined;
}

async function sendAudit(
  client: LanguageClient,
  scope: AuditScope,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<AuditOutcome> {
  const params: AuditParams = { scope, progressToken: randomUUID(), excludes: folderExcludes() };
  // The notification bar advances by increments, so remember how far it has already been moved.
  let reportedPercent = 0;
  const listener = client.onNotification(AUDIT_PROGRESS_NOTIFICATION, (update: AuditProgressParams) => {
    if (update.progressToken !== params.progressToken || update.total <= 0) return;
    const percent = Math.min(100, (update.done / update.total) * 100);
    progress.report({ message: `${update.done} / ${update.total} files`, increment: Math.max(0, percent - reportedPercent) });
    reportedPercent = Math.max(reportedPercent, percent);
  });
  try {
    // Passing the progress's token makes the client send $/cancelRequest when the user cancels.
    const result = await client.sendRequest<AuditResult>(AUDIT_REQUEST, params, token);
    return { kind: 'finished', result };
  } catch (error) {
    if (token.isCancellationRequested || (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)) {
      return { kind: 'cancelled' };
    }
    return { kind: 'failed', message: describeError(error) };
  } finally {
    listener.dispose();
  }
}

async function showOutcome(outcome: AuditOutcome, openReport: () => Promise<void>): Promise<void> {
  if (outcome.kind === 'cancelled') {
    void vscode.window.showInformationMessage('Faultline: audit cancelled.');
    return;
  }
  if (outcome.kind === 'failed') {
    const choice = await vscode.window.showErrorMessage(`Faultline: the audit failed: ${outcome.message}`, 'Show Output');
    if (choice === 'Show Output') await vscode.commands.executeCommand('faultline.showOutput');
    return;
  }
  const openReportButton = 'Open Report';
  const openProblems = 'Open Problems';
  const choice = await vscode.window.showInformationMessage(summarise(outcome.result), openReportButton, openProblems);
  if (choice === openReportButton) await openReport();
  if (choice === openProblems) await vscode.commands.executeCommand('workbench.actions.view.problems');
}

/** "Faultline: 12 findings (3 errors, 9 warnings); 240 files checked, 2 skipped." */
function summarise(result: AuditResult): string {
  const severities = ['error', 'warning', 'info', 'hint'];
  // Severities the server may add later are still counted, after the known ones.
  const ordered = [...severities, ...Object.keys(result.bySeverity).filter((name) => !severities.includes(name))];
  const breakdown = ordered
    .map((name) => ({ name, count: result.bySeverity[name] ?? 0 }))
    .filter(({ count }) => count > 0)
    .map(({ name, count }) => plural(count, name, name === 'info' ? 'info' : `${name}s`));
  const findings = plural(result.findings, 'finding', 'findings') + (breakdown.length > 0 ? ` (${breakdown.join(', ')})` : '');
  const files = `${plural(result.filesChecked, 'file', 'files')} checked` + (result.filesSkipped > 0 ? `, ${result.filesSkipped} skipped` : '');
  const prefix = result.cancelled ? 'Faultline: audit cancelled; so far ' : 'Faultline: ';
  return `${prefix}${findings}; ${files}.`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
