/**
 * A real LSP client for tests: starts the built server (dist/server.js --stdio) as a child
 * process and speaks the protocol through vscode-languageserver-protocol's node connection.
 * Waits are on conditions (a notification that matches), bounded by a timeout, never sleeps.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT } from './paths';

export interface TestClient {
  connection: ProtocolConnection;
  process: ChildProcess;
  stderr: () => string;
  logs: { type: number; message: string }[];
  /** What the server answered to initialize: its capabilities and serverInfo. */
  initializeResult: InitializeResult;
  /** What the server registered with client/registerCapability, in order. */
  registrations: { method: string; registerOptions?: unknown }[];
  /** The uris the server asked the client to show (window/showDocument), in order. */
  shownDocuments: string[];
  /** Resolves with the next publishDiagnostics for `uri` that satisfies `predicate`. */
  diagnostics(uri: string, predicate?: (params: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  notifications(method: string): unknown[];
  /** Resolves with the first `method` notification (received before or after) that satisfies `predicate`. */
  notification<T>(method: string, predicate: (params: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Forgets the diagnostics received so far for `uri`, so the next wait sees only newer ones. */
  discardDiagnostics(uri: string): void;
  /** Every publishDiagnostics received, in order; waits and discards do not remove from it. */
  allDiagnostics(): PublishDiagnosticsParams[];
  stop(): Promise<void>;
}

export async function startServer(options: { pull?: boolean; rootPath?: string; workspaceFolders?: string[]; configuration?: Record<string, unknown>; minimalCapabilities?: boolean } = {}): Promise<TestClient> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  if (child.stdout === null || child.stdin === null) throw new Error('no stdio');
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const history: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; predicate: (params: PublishDiagnosticsParams) => boolean; resolve: (params: PublishDiagnosticsParams) => void }[] = [];
  const received = new Map<string, unknown[]>();
  const logs: { type: number; message: string }[] = [];
  const notificationWaiters: { method: string; check: (params: unknown) => boolean }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    history.push(params);
    for (const waiter of [...waiters]) {
      if (waiter.uri === params.uri && waiter.predicate(params)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(params);
      }
    }
  });
  for (const method of ['faultline/auditProgress', 'window/showMessage']) {
    connection.onNotification(method, (params: unknown) => {
      const list = received.get(method) ?? [];
      list.push(params);
      received.set(method, list);
      for (const waiter of [...notificationWaiters]) {
        if (waiter.method === method && waiter.check(params)) notificationWaiters.splice(notificationWaiters.indexOf(waiter), 1);
      }
    });
  }
  connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
    logs.push(params);
  });
  connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => options.configuration ?? { enable: true, run: 'onType' }));
  const registrations: { method: string; registerOptions?: unknown }[] = [];
  connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
    registrations.push(...params.registrations);
    return null;
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  const shownDocuments: string[] = [];
  connection.onRequest('window/showDocument', (params: { uri: string }) => {
    shownDocuments.push(params.uri);
    return { success: true };
  });
  connection.listen();

  const capabilities: ClientCapabilities = {
    workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
    window: { showDocument: { support: true } },
    textDocument: {
      publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } }, isPreferredSupport: true },
      ...(options.pull === true ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
    },
  };
  const rootUri = options.rootPath === undefined ? null : `file://${options.rootPath}`;
  const folders = options.workspaceFolders?.map((path, index) => ({ uri: `file://${path}`, name: `folder-${index + 1}` }));
  const initializeResult: InitializeResult = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: rootUri ?? folders?.[0]?.uri ?? null,
    capabilities: options.minimalCapabilities === true ? {} : capabilities,
    workspaceFolders: folders ?? (rootUri === null ? null : [{ uri: rootUri, name: 'root' }]),
  });
  await connection.sendNotification('initialized', {});

  return {
    connection,
    process: child,
    stderr: () => stderr,
    logs,
    initializeResult,
    registrations,
    shownDocuments,
    diagnostics(uri, predicate = () => true, timeoutMs = 10_000) {
      const already = [...published].reverse().find((params) => params.uri === uri && predicate(params));
      if (already !== undefined) {
        published.splice(published.indexOf(already), 1);
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; server stderr:\n${stderr}`)), timeoutMs);
        waiters.push({ uri, predicate, resolve: (params) => {
          clearTimeout(timer);
          resolve(params);
        } });
      });
    },
    notifications: (method) => received.get(method) ?? [],
    notification<T>(method: string, predicate: (params: T) => boolean, timeoutMs = 10_000): Promise<T> {
      const already = (received.get(method) ?? []).find((params) => predicate(params as T));
      if (already !== undefined) return Promise.resolve(already as T);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching ${method} within ${timeoutMs} ms; server stderr:\n${stderr}`)), timeoutMs);
        notificationWaiters.push({ method, check: (params) => {
          if (!predicate(params as T)) return false;
          clearTimeout(timer);
          resolve(params as T);
          return true;
        } });
      });
    },
    allDiagnostics: () => [...history],
    discardDiagnostics(uri) {
      for (let index = published.length - 1; index >= 0; index--) {
        if (published[index]?.uri === uri) published.splice(index, 1);
      }
    },
    async stop() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // The server may already be gone.
      }
      connection.dispose();
      child.kill();
    },
  };
}
