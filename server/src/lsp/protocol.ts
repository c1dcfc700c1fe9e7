/**
 * Faultline's own LSP extensions: the few requests and notifications beyond the standard protocol.
 * This file is shared by the server and the VS Code client, so it holds only names and plain
 * types and imports nothing.
 */

/** Client → server request: audit files of the workspace; cancellable with $/cancelRequest. */
export const AUDIT_REQUEST = 'faultline/audit';

export type AuditScope =
  | { kind: 'workspace' }
  | { kind: 'openFiles' }
  | { kind: 'changedSince'; ref: string };

/**
 * One workspace folder's effective `files.exclude` globs (the ones set to `true`), as VS Code
 * resolves them for that folder: the user's, the workspace's and the folder's settings merged.
 * Globs are relative to the folder, as in the setting.
 */
export interface FolderExcludes {
  folderUri: string;
  patterns: string[];
}

export interface AuditParams {
  scope: AuditScope;
  /** A token the server reports progress on, as `faultline/auditProgress` notifications. */
  progressToken: string;
  /** `files.exclude` per workspace folder; absent from clients that have no such setting. */
  excludes?: FolderExcludes[];
}

/** A file the audit did not read, and why (too large, binary, unreadable). */
export interface AuditSkippedFile {
  uri: string;
  reason: string;
}

export interface AuditResult {
  filesChecked: number;
  /** How many files were skipped; `skippedFiles` lists them. */
  filesSkipped: number;
  skippedFiles: AuditSkippedFile[];
  findings: number;
  bySeverity: Record<string, number>;
  cancelled: boolean;
}

/**
 * Client → server request: the last audit's report as one HTML page for a webview. The client
 * passes the nonce its webview's Content-Security-Policy allows; the page's links to locations
 * and rule docs are `#open?…` and `#docs?…` fragments, which the page's script turns into
 * `AuditReportMessage`s for the client to act on. `html` is null before the first audit.
 */
export const AUDIT_REPORT_REQUEST = 'faultline/auditReport';

export interface AuditReportParams {
  nonce: string;
}

export interface AuditReport {
  html: string | null;
}

/** What the report webview posts to the extension when a link is clicked. */
export type AuditReportMessage =
  | { kind: 'open'; uri: string; line: number; column: number }
  | { kind: 'docs'; ruleId: string };

/** Server → client notification while an audit runs. */
export const AUDIT_PROGRESS_NOTIFICATION = 'faultline/auditProgress';

export interface AuditProgressParams {
  progressToken: string;
  done: number;
  total: number;
}

/** Client → server request: what the server knows about one document's configuration. */
export const DOCUMENT_STATUS_REQUEST = 'faultline/documentStatus';

export interface DocumentStatusParams {
  uri: string;
}

export interface DocumentStatus {
  /** Absolute path of the .faultline.json that applies, or null when defaults apply. */
  configPath: string | null;
  /** True when the config file is broken and the last good config (or defaults) is in use. */
  configHasErrors: boolean;
  enabled: boolean;
}

/**
 * Commands the server's code actions name. The server carries each out itself (workspace/
 * executeCommand), so they work in every LSP client; the VS Code client intercepts
 * `faultline.showDocumentation` to open the bundled docs as a Markdown preview instead.
 */
export const SHOW_DOCUMENTATION_COMMAND = 'faultline.showDocumentation';
export const SERVER_COMMANDS: readonly string[] = [SHOW_DOCUMENTATION_COMMAND];

/**
 * The code action kind of "fix every safe problem in the file": what `editor.codeActionsOnSave`
 * and the VS Code command "Fix All Auto-Fixable Problems in This File" ask for.
 */
export const FIX_ALL_KIND = 'source.fixAll.faultline';

/** The configuration section the server reads through workspace/configuration. */
export const SETTINGS_SECTION = 'faultline';

export interface ClientSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
}
