/**
 * Starts a real VS Code for the end-to-end tests: code-server (the VS Code workbench and extension
 * host, served to a browser), installed by ../shared/tools/install-code-server.sh into
 * $HOME/.cache/code-server-e2e (or FAULTLINE_CODE_SERVER_DIR). Each run gets a fresh extensions
 * dir with the packaged .vsix installed the way a user installs it, a fresh user-data dir with a
 * few settings that keep first-run prompts out of the way, and a free port on 127.0.0.1.
 * A missing code-server is a failure that says how to install it, never a skip.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CodeServer {
  /** The workbench URL with the folder to open. */
  url: string;
  /** Everything code-server printed, for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

const INSTALL_HINT = 'install it with ../shared/tools/install-code-server.sh (as .ci/run does), or set FAULTLINE_CODE_SERVER_DIR to where that script installed it';

export function codeServerBinary(): string {
  const dir = process.env['FAULTLINE_CODE_SERVER_DIR'] ?? join(homedir(), '.cache', 'code-server-e2e');
  const binary = join(dir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(binary)) throw new Error(`code-server is not installed at ${binary}: ${INSTALL_HINT}.`);
  return binary;
}

/** Installs the .vsix with code-server's own `--install-extension`, as a user would. */
export function installExtension(binary: string, vsixPath: string, extensionsDir: string, configPath: string): string {
  const result = spawnSync(binary, ['--config', configPath, '--extensions-dir', extensionsDir, '--install-extension', vsixPath], { encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0 || !/successfully installed/.test(output)) {
    throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${String(result.status)}):\n${output}`);
  }
  return output;
}

/**
 * User settings for a quiet first start: no welcome page, no trust prompt, no telemetry, and no
 * completion popups that would swallow the Enter keys the tests type.
 */
export const E2E_USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'editor.accessibilitySupport': 'off',
  'editor.minimap.enabled': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.hover.delay': 200,
  'files.autoSave': 'off',
  'chat.commandCenter.enabled': false,
};

export function writeUserSettings(userDataDir: string): void {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(E2E_USER_SETTINGS, null, 2)}\n`);
}

/** A port that was free a moment ago; code-server binds it right after. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolvePort(address.port);
      });
    });
  });
}

export async function startCodeServer(options: { binary: string; folder: string; userDataDir: string; extensionsDir: string; configPath: string; timeoutMs?: number }): Promise<CodeServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.binary,
    [
      '--config', options.configPath,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', options.userDataDir,
      '--extensions-dir', options.extensionsDir,
      options.folder,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    // code-server starts the extension host and the language server as children: end the group.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start listening within ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('HTTP server listening on')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${String(code)} before listening:\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.folder)}`, log: () => output, stop };
}
