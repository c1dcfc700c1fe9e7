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

export interface AuditParams {
  scope: AuditScope;
  /** A token the server reports progress on, as `faultline/auditProgress` notifications. */
  progressToken: string;
}

export interface AuditResult {
  filesChecked: number;
  filesSkipped: number;
  findings: number;
  bySeverity: Record<string, number>;
  cancelled: boolean;
}

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

/** Command ids the server's code actions invoke on the client. */
export const SHOW_DOCUMENTATION_COMMAND = 'faultline.showDocumentation';

/** The configuration section the server reads through workspace/configuration. */
export const SETTINGS_SECTION = 'faultline';

export interface ClientSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
}
