/**
 * faultline/audit: lints the files of every workspace folder (or the open files, or the files
 * changed since a git ref), reporting progress and honouring cancellation, and publishes each
 * file's findings so they land in the Problems panel, including files that were never opened.
 * Sequential in this version; it yields to the event loop between files so a cancel is seen.
 */

import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { CancellationToken, Connection, Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import type { Finding } from '../../../rules';
import { collectFiles, readSourceFile } from '../workspace/files';
import type { Analysis } from './analysis';
import { findingToDiagnostic } from './convert';
import { AUDIT_PROGRESS_NOTIFICATION, type AuditParams, type AuditProgressParams, type AuditResult } from './protocol';

export interface AuditEnvironment {
  connection: Connection;
  analysis: Analysis;
  workspaceFolders: () => Promise<string[]>;
  openDocumentPaths: () => string[];
  maxFileSizeBytes: () => Promise<number>;
  /** Publishes a closed file's diagnostics (the editor shows open files from its own requests). */
  publish: (uri: string, diagnostics: Diagnostic[]) => void;
}

function changedFiles(folder: string, ref: string): Promise<string[]> {
  return new Promise((resolvePromise) => {
    // `--end-of-options` keeps a ref that looks like an option from being read as one.
    execFile('git', ['-C', folder, 'diff', '--name-only', '--end-of-options', ref, '--'], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) {
        resolvePromise([]);
        return;
      }
      resolvePromise(stdout.split('\n').filter((line) => line.length > 0).map((line) => join(folder, line)));
    });
  });
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolvePromise) => setImmediate(resolvePromise));

export async function runAudit(environment: AuditEnvironment, params: AuditParams, token: CancellationToken): Promise<AuditResult> {
  const folders = await environment.workspaceFolders();
  const maxFileSizeBytes = await environment.maxFileSizeBytes();
  let roots: string[];
  if (params.scope.kind === 'openFiles') roots = environment.openDocumentPaths();
  else if (params.scope.kind === 'changedSince') {
    const ref = params.scope.ref;
    roots = (await Promise.all(folders.map((folder) => changedFiles(folder, ref)))).flat();
  } else roots = folders;
  const collected = roots.length === 0 ? { files: [], skipped: [] } : collectFiles(roots.map((root) => resolve(root)), { maxFileSizeBytes, isCancelled: () => token.isCancellationRequested });
  const bySeverity: Record<string, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let findingsCount = 0;
  let filesSkipped = collected.skipped.length;
  const total = collected.files.length;
  const report = (done: number): void => {
    const progress: AuditProgressParams = { progressToken: params.progressToken, done, total };
    void environment.connection.sendNotification(AUDIT_PROGRESS_NOTIFICATION, progress);
  };
  report(0);
  let done = 0;
  for (const path of collected.files) {
    if (token.isCancellationRequested) break;
    const read = readSourceFile(path);
    done++;
    if ('skipped' in read) {
      filesSkipped++;
      continue;
    }
    const outcome = environment.analysis.analyzeFile(path, read.text);
    const findings: Finding[] = outcome?.findings ?? [];
    for (const finding of findings) {
      bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
      findingsCount++;
    }
    const uri = URI.file(path).toString();
    const document = TextDocument.create(uri, 'plaintext', 0, read.text);
    environment.publish(uri, findings.map((finding) => findingToDiagnostic(document, finding)));
    if (done % 20 === 0 || done === total) {
      report(done);
      await yieldToEventLoop();
    }
  }
  return { filesChecked: done - (filesSkipped - collected.skipped.length), filesSkipped, findings: findingsCount, bySeverity, cancelled: token.isCancellationRequested };
}
