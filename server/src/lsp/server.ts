/**
 * The Faultline language server: `faultline-lsp --stdio` (or node IPC when VS Code starts it), loaded by main.ts.
 * Wiring only: each request is converted, handed to analysis, and converted back. Diagnostics are
 * pulled (textDocument/diagnostic) when the client supports it and pushed otherwise, debounced
 * per document and never published for a stale version. No exception escapes a handler: it is
 * logged and the server keeps serving.
 */

import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  WatchKind,
  type Diagnostic,
  type Hover,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME, docsUrlFor, parseConfig, RULES } from '../../../rules';
import { readVersion, ruleDocsPath } from '../cli/installation';
import { createAnalysis, languageOfDocument, pathOfUri, type DocumentAnalysis } from './analysis';
import { createFrameFilter } from './framing';
import { createIdleCollector } from './idle-collector';
import { limitHeapGrowth } from '../workspace/heap-growth';
import { createAuditor } from './audit';
import { renderAuditReport } from './audit-report';
import { codeActionsFor, workspaceRootOf } from './code-actions';
import { configProblemToDiagnostic, findingsToHover, findingToDiagnostic, notAnalysedDiagnostic } from './convert';
import {
  AUDIT_REPORT_REQUEST,
  AUDIT_REQUEST,
  DOCUMENT_STATUS_REQUEST,
  FIX_ALL_KIND,
  SERVER_COMMANDS,
  SETTINGS_SECTION,
  SHOW_DOCUMENTATION_COMMAND,
  type AuditParams,
  type AuditReport,
  type AuditReportParams,
  type AuditResult,
  type ClientSettings,
  type DocumentStatus,
  type DocumentStatusParams,
} from './protocol';

const USAGE = `Usage: faultline-lsp --stdio

The Faultline language server: it speaks the Language Server Protocol over stdio (or node IPC
when VS Code starts it), for any editor with an LSP client.

Options:
  --stdio          Talk LSP over stdin and stdout
  -h, --help       Show this help
  -v, --version    Show the version
`;
const SERVER_VERSION = process.env['FAULTLINE_VERSION'] ?? readVersion();
const TRANSPORT_FLAGS = ['--stdio', '--node-ipc', '--socket', '--pipe', '--clientProcessId'];
if (process.argv.includes('--version') || process.argv.includes('-v')) {
  process.stdout.write(`faultline-lsp ${SERVER_VERSION}\n`);
  process.exit(0);
}
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!process.argv.some((argument) => TRANSPORT_FLAGS.some((flag) => argument.startsWith(flag)))) {
  process.stderr.write(USAGE);
  process.exit(2);
}

/** Where a skipped piece of corrupted input is reported: stderr until the connection can log. */
let reportSkippedInput = (reason: string): void => {
  process.stderr.write(`faultline-lsp: skipped corrupted input (${reason}); reading on from the next message\n`);
};

/**
 * Over stdio the client's bytes go through the frame filter (framing.ts), so that a corrupted
 * message header costs that message, not the connection (#15). Given streams, createConnection
 * no longer sends console output to the client's log instead of stdout, so that is done here:
 * nothing but messages may reach stdout. Other transports carry messages already framed.
 */
function checkedStdin(): NodeJS.ReadableStream {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    console[method] = (...values: unknown[]): void => {
      process.stderr.write(`${values.map((value) => (typeof value === 'string' ? value : inspect(value))).join(' ')}\n`);
    };
  }
  return process.stdin.pipe(createFrameFilter((reason) => reportSkippedInput(reason)));
}

const connection = process.argv.includes('--stdio') ? createConnection(ProposedFeatures.all, checkedStdin(), process.stdout) : createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
/** Failures go out as errors (VS Code shows them in the output channel); the rest as information. */
const log = (message: string): void => connection.console.error(message);
reportSkippedInput = (reason) => log(`Faultline: skipped corrupted input from the client (${reason}); reading on from the next message.`);
const logInfo = (message: string): void => connection.console.info(message);
const analysis = createAnalysis(log, require.main?.filename ?? __filename, (changedUri) => {
  // An edit changed what the project says about other files: their diagnostics may be stale.
  if (pullDiagnostics) void connection.languages.diagnostics.refresh();
  // The saved document itself is pushed by the save's own handler.
  else for (const document of documents.all()) if (document.uri !== changedUri) schedulePush(document.uri);
});
/** Lints come in bursts (a folder opened, an audit); memory goes back a few seconds after one. */
const idleCollector = createIdleCollector(3_000);
// A workspace audit allocates far faster than it keeps: collect before the heap is mostly garbage.
limitHeapGrowth();
const DEFAULT_SETTINGS: ClientSettings & { maxFileSizeKb: number } = { enable: true, run: 'onType', maxFileSizeKb: 1024 };
const DEBOUNCE_MS = 60;

let pullDiagnostics = false;
let configurationSupport = false;
/** Only clients that advertise workspace folders may be asked for their change events. */
let workspaceFolderEvents = false;
/** Whether the client opens documents the server asks it to (window/showDocument, LSP 3.16). */
let showDocumentSupport = false;
/** Whether the client watches files for the server when asked (workspace/didChangeWatchedFiles). */
let watchedFilesRegistration = false;
/**
 * The files whose creation, change or deletion outside the editor changes what the project
 * facts say (#13): a module created or deleted changes who imports what, and the manifests and
 * configs the pre-pass reads change entry points, aliases and retired jobs. A source file's own
 * changes are not watched: an editor's saves update its facts already (documentSaved), and a
 * watcher would rebuild the project's facts on every save.
 */
const PROJECT_FILE_WATCHERS = [
  { globPattern: '**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts,py,vue,svelte,astro,mdx,marko}', kind: WatchKind.Create | WatchKind.Delete },
  { globPattern: `**/{${CONFIG_FILE_NAME},package.json,tsconfig.json,jsconfig.json,metadata.yaml,metadata.yml,pyproject.toml,setup.cfg,Procfile}` },
];
/** Watched-file events come in bursts (a branch checkout, a package install): one refresh per burst. */
const WATCHED_FILES_SETTLE_MS = 300;
let watchedFilesTimer: NodeJS.Timeout | undefined;
let workspaceFolderPaths: string[] = [];
const settingsCache = new Map<string, Promise<typeof DEFAULT_SETTINGS>>();
const pending = new Map<string, NodeJS.Timeout>();
/** Closed files whose diagnostics the audit published. */
const auditPublished = new Set<string>();
const auditor = createAuditor({
  connection,
  analysis,
  workspaceFolders: () => workspaceFolderPaths,
  openDocumentPaths: () => documents.all().map((document) => pathOfUri(document.uri)).filter((path): path is string => path !== null),
  maxFileSizeBytes: async (path) => (await settingsFor(URI.file(path).toString())).maxFileSizeKb * 1024,
  publish: (uri, diagnostics) => {
    if (documents.get(uri) !== undefined) {
      // Open documents show the live result; re-lint them rather than overwrite with disk text.
      schedulePush(uri, 0);
      return;
    }
    auditPublished.add(uri);
    void connection.sendDiagnostics({ uri, diagnostics });
  },
});

/** Runs a handler body; an exception is logged and the fallback returned instead. */
function safely<T>(name: string, fallback: T, body: () => T): T {
  try {
    return body();
  } catch (error) {
    log(`Faultline: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}

async function settingsFor(uri: string): Promise<typeof DEFAULT_SETTINGS> {
  if (!configurationSupport) return DEFAULT_SETTINGS;
  let cached = settingsCache.get(uri);
  if (cached === undefined) {
    cached = connection.workspace
      .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
      .then((value: Partial<ClientSettings> & { audit?: { maxFileSizeKb?: number } } | null) => ({
        enable: value?.enable ?? DEFAULT_SETTINGS.enable,
        run: value?.run === 'onSave' ? 'onSave' : 'onType',
        maxFileSizeKb: value?.audit?.maxFileSizeKb ?? DEFAULT_SETTINGS.maxFileSizeKb,
      }) as typeof DEFAULT_SETTINGS)
      .catch(() => DEFAULT_SETTINGS);
    settingsCache.set(uri, cached);
  }
  return cached;
}

function isConfigDocument(uri: string): boolean {
  return URI.parse(uri).path.endsWith(`/${CONFIG_FILE_NAME}`);
}

function configDiagnostics(document: TextDocument): Diagnostic[] {
  return parseConfig(document.getText(), RULES.map((rule) => rule.meta)).problems.map((problem) => configProblemToDiagnostic(document, problem));
}

async function diagnosticsFor(document: TextDocument): Promise<Diagnostic[]> {
  if (isConfigDocument(document.uri)) return configDiagnostics(document);
  const settings = await settingsFor(document.uri);
  if (!settings.enable) return [];
  idleCollector.touch();
  const result = await analysis.analyze(document).catch((error: unknown) => {
    log(`Faultline: linting failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return null;
  });
  return result === null ? [] : analysisDiagnostics(document, result);
}

/** A document's findings as diagnostics, or the one diagnostic saying why it was not analysed. */
function analysisDiagnostics(document: TextDocument, result: DocumentAnalysis): Diagnostic[] {
  if (result.notAnalysed !== undefined) return [notAnalysedDiagnostic(result.notAnalysed)];
  return result.findings.map((finding) => findingToDiagnostic(document, finding));
}

async function publishNow(uri: string): Promise<void> {
  const document = documents.get(uri);
  if (document === undefined) return;
  const version = document.version;
  const diagnostics = await diagnosticsFor(document);
  // The document may have changed while settings were fetched: never publish a stale result.
  if (documents.get(uri)?.version !== version) return;
  void connection.sendDiagnostics({ uri, version, diagnostics });
}

function schedulePush(uri: string, delay = DEBOUNCE_MS): void {
  if (pullDiagnostics) return;
  const existing = pending.get(uri);
  if (existing !== undefined) clearTimeout(existing);
  pending.set(uri, setTimeout(() => {
    pending.delete(uri);
    void publishNow(uri).catch((error: unknown) => log(`Faultline: publishing diagnostics failed: ${String(error)}`));
  }, delay));
}

function refreshAll(): void {
  analysis.invalidateConfig();
  if (pullDiagnostics) {
    void connection.languages.diagnostics.refresh();
    return;
  }
  for (const document of documents.all()) schedulePush(document.uri, 0);
}

connection.onInitialize(async (params): Promise<InitializeResult> => {
  const capabilities = params.capabilities;
  pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
  configurationSupport = capabilities.workspace?.configuration === true;
  workspaceFolderEvents = capabilities.workspace?.workspaceFolders === true;
  showDocumentSupport = capabilities.window?.showDocument?.support === true;
  watchedFilesRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  workspaceFolderPaths = (params.workspaceFolders ?? []).map((folder) => URI.parse(folder.uri).fsPath);
  if (workspaceFolderPaths.length === 0 && params.rootUri) workspaceFolderPaths = [URI.parse(params.rootUri).fsPath];
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
      hoverProvider: true,
      // Every command a code action names is carried out here, for every client (#14: Neovim
      // answered "Show documentation" with -32601 when only the VS Code client knew it).
      executeCommandProvider: { commands: [...SERVER_COMMANDS] },
      ...(pullDiagnostics ? { diagnosticProvider: { identifier: 'faultline', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'faultline', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  if (configurationSupport) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  if (watchedFilesRegistration) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: PROJECT_FILE_WATCHERS });
  if (workspaceFolderEvents) connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = new Set(event.removed.map((folder) => URI.parse(folder.uri).fsPath));
    workspaceFolderPaths = [...workspaceFolderPaths.filter((path) => !removed.has(path)), ...event.added.map((folder) => URI.parse(folder.uri).fsPath)];
  });
  logInfo(`Faultline language server started (node ${process.version}); diagnostics: ${pullDiagnostics ? 'pull' : 'push'}; workspace folders: ${workspaceFolderPaths.join(', ') || '(none)'}.`);
  for (const folder of workspaceFolderPaths) {
    // The resolver takes a file and starts from the file's folder: a file in the workspace
    // folder finds a .faultline.json at its root (`${folder}/.` started from the parent, #14).
    const resolved = safely('config resolution', null, () => analysis.resolveConfig(join(folder, CONFIG_FILE_NAME)));
    if (resolved === null) continue;
    logInfo(`  ${folder}: config ${resolved.configPath ?? '(none: defaults)'}; sqlDialect ${resolved.config.sqlDialect}; reportingTimeZone ${resolved.config.reportingTimeZone}${resolved.problems.length > 0 ? `; ${resolved.problems.length} problem(s) in the config` : ''}.`);
  }
});

connection.onDidChangeConfiguration(() => {
  settingsCache.clear();
  refreshAll();
});

connection.onDidChangeWatchedFiles(() => {
  clearTimeout(watchedFilesTimer);
  watchedFilesTimer = setTimeout(refreshAll, WATCHED_FILES_SETTLE_MS);
});

documents.onDidOpen((event) => {
  if (auditPublished.has(event.document.uri) && pullDiagnostics) {
    // The editor now pulls this document's diagnostics; drop the audit's copy to avoid doubles.
    auditPublished.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  }
  schedulePush(event.document.uri, 0);
});

documents.onDidChangeContent((event) => {
  if (isConfigDocument(event.document.uri)) {
    schedulePush(event.document.uri);
    return;
  }
  void settingsFor(event.document.uri).then((settings) => {
    if (settings.run === 'onType') schedulePush(event.document.uri);
  });
});

documents.onDidSave((event) => {
  if (isConfigDocument(event.document.uri)) {
    refreshAll();
    return;
  }
  safely('reading the saved file for project facts', undefined, () => analysis.documentSaved(event.document));
  schedulePush(event.document.uri, 0);
});

documents.onDidClose((event) => {
  const uri = event.document.uri;
  const timer = pending.get(uri);
  if (timer !== undefined) clearTimeout(timer);
  pending.delete(uri);
  analysis.forget(uri);
  settingsCache.delete(uri);
  // A file an audit covered keeps its findings in the Problems panel once closed: what the file
  // on disk says (closing without saving drops the editor's text). Others are cleared in push
  // mode; in pull mode the editor drops what it pulled by itself.
  if (auditor.published(uri)) {
    void auditor
      .diagnosticsFromDisk(uri)
      .then((diagnostics) => {
        // Reopened while its text on disk was linted: the editor's text speaks for it now.
        if (documents.get(uri) !== undefined) return;
        auditPublished.add(uri);
        void connection.sendDiagnostics({ uri, diagnostics });
      })
      .catch((error: unknown) => log(`Faultline: re-publishing an audited file failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    return;
  }
  if (!pullDiagnostics) void connection.sendDiagnostics({ uri, diagnostics: [] });
});

connection.languages.diagnostics.on(async (params, token) => {
  const document = documents.get(params.textDocument.uri);
  if (document === undefined || token.isCancellationRequested) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  try {
    const settings = await settingsFor(document.uri);
    if (!isConfigDocument(document.uri) && settings.run === 'onSave' && analysis.cached(document.uri) !== undefined) {
      // On-save mode: keep answering with the last saved result while the user types.
      const cached = analysis.cached(document.uri);
      return { kind: DocumentDiagnosticReportKind.Full, items: cached === undefined ? [] : analysisDiagnostics(document, cached) };
    }
    return { kind: DocumentDiagnosticReportKind.Full, items: await diagnosticsFor(document) };
  } catch (error) {
    log(`Faultline: diagnostics failed: ${String(error)}`);
    return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  }
});

connection.onCodeAction(async (params, token) => {
  const document = documents.get(params.textDocument.uri);
  if (document === undefined || token.isCancellationRequested || isConfigDocument(document.uri) || languageOfDocument(document) === null) return [];
  try {
    const path = pathOfUri(document.uri);
    return await codeActionsFor(analysis, document, params, path === null ? (workspaceFolderPaths[0] ?? null) : workspaceRootOf(workspaceFolderPaths, path));
  } catch (error) {
    log(`Faultline: code actions failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [];
  }
});

connection.onHover(async (params, token): Promise<Hover | null> => {
  const document = documents.get(params.textDocument.uri);
  if (document === undefined || token.isCancellationRequested || isConfigDocument(document.uri)) return null;
  try {
    const settings = await settingsFor(document.uri);
    if (!settings.enable) return null;
    // On save, the hover speaks of what the diagnostics show: the last saved result.
    const result = (settings.run === 'onSave' ? analysis.cached(document.uri) : undefined) ?? (await analysis.analyze(document));
    if (result === null) return null;
    const offset = document.offsetAt(params.position);
    const findings = result.findings.filter((finding) => finding.range.start <= offset && offset <= finding.range.end);
    return findingsToHover(document, findings);
  } catch (error) {
    log(`Faultline: hover failed: ${String(error)}`);
    return null;
  }
});

connection.onExecuteCommand(async (params) => {
  if (params.command !== SHOW_DOCUMENTATION_COMMAND) throw new ResponseError(ErrorCodes.InvalidParams, `Faultline has no command ${params.command}.`);
  const ruleId = params.arguments?.[0];
  const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
  if (rule === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `Faultline has no rule ${JSON.stringify(ruleId) ?? 'undefined'}.`);
  const localDocs = ruleDocsPath(rule.meta);
  const docsUrl = localDocs === null ? docsUrlFor(rule.meta) : URI.file(localDocs).toString();
  if (showDocumentSupport) {
    const shown = await connection.window.showDocument({ uri: docsUrl, external: localDocs === null, takeFocus: true });
    if (shown.success) return null;
  }
  // A client that cannot open documents for the server still gets where the docs are.
  void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `Faultline: the documentation of ${rule.meta.id} is at ${docsUrlFor(rule.meta)}${localDocs === null ? '' : ` (and in ${localDocs})`}` });
  return null;
});

connection.onRequest(DOCUMENT_STATUS_REQUEST, (params: DocumentStatusParams): DocumentStatus =>
  safely('document status', { configPath: null, configHasErrors: false, enabled: true }, () => {
    const path = pathOfUri(params.uri);
    if (path === null) return { configPath: null, configHasErrors: false, enabled: true };
    const resolved = analysis.resolveConfig(path);
    return { configPath: resolved.configPath, configHasErrors: resolved.problems.some((problem) => problem.severity === 'error'), enabled: true };
  }),
);

connection.onRequest(AUDIT_REQUEST, async (params: AuditParams, token): Promise<AuditResult> => {
  try {
    return await auditor.run(params, token);
  } catch (error) {
    log(`Faultline: audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { filesChecked: 0, filesSkipped: 0, skippedFiles: [], findings: 0, bySeverity: {}, cancelled: false };
  } finally {
    idleCollector.touch();
  }
});

connection.onRequest(AUDIT_REPORT_REQUEST, (params: AuditReportParams): AuditReport =>
  safely('audit report', { html: null }, () => {
    const record = auditor.lastAudit();
    return { html: record === null ? null : renderAuditReport(record, params.nonce, SERVER_VERSION) };
  }),
);

process.on('uncaughtException', (error) => log(`Faultline: unexpected error (the server keeps running): ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => log(`Faultline: unexpected rejection (the server keeps running): ${String(reason)}`));

documents.listen(connection);
connection.listen();
