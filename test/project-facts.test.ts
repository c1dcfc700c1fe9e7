/**
 * Project facts (#13): what a file's findings depend on in other files of its project. Each fact
 * on both sides (the engine's extraction and combination, then a rule that reads it), and the
 * front end's pre-pass as the CLI runs it on a scratch project.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildProjectIndex, DEFAULT_PATH_ALIASES, extractFileFacts, lintDocument, pathAliasesFromTsconfig, projectFactsOf, RULES, settingsFromConfig, DEFAULT_CONFIG, type FileFacts, type LanguageId, type ProjectFacts } from '../rules';
import { startServer } from './helpers/lsp-client';
import { REPO_ROOT } from './helpers/paths';

const CLI_PATH = join(REPO_ROOT, 'dist', 'cli.js');

const ROLE_SETTINGS = { sqlDialect: 'postgresql' as const, roles: [] };

function languageOf(path: string): LanguageId {
  return /\.[cm]?jsx?$/.test(path) ? 'javascript' : 'typescript';
}

/** The index of a project given as path → text. */
function indexOf(project: Record<string, string>, tsconfig?: string) {
  const files = new Map<string, FileFacts>();
  for (const [path, text] of Object.entries(project)) files.set(path, extractFileFacts(path, languageOf(path), text, ROLE_SETTINGS));
  const aliases = [...(tsconfig === undefined ? [] : pathAliasesFromTsconfig(tsconfig)), ...DEFAULT_PATH_ALIASES];
  return buildProjectIndex(files, { aliases, complete: true });
}

function findingsOf(path: string, text: string, project?: ProjectFacts, ruleLevels: Record<string, 'info' | 'warning'> = {}): string[] {
  const settings = settingsFromConfig({ ...DEFAULT_CONFIG, rules: Object.fromEntries(Object.entries(ruleLevels).map(([id, level]) => [id, { level, options: {} }])) }, '2026-12-07');
  const result = lintDocument({ path, languageId: languageOf(path), text, ...(project === undefined ? {} : { project }) }, settings, RULES);
  assert.deepEqual(result.internalErrors, []);
  return result.findings.map((finding) => finding.ruleId);
}

describe('project facts: axios defaults set in another module', () => {
  test('a non-zero axios.defaults.timeout is a fact, with its line', () => {
    assert.equal(extractFileFacts('src/http.ts', 'typescript', "import axios from 'axios';\n\naxios.defaults.timeout = 10_000;\n", ROLE_SETTINGS).axiosTimeoutDefault, 3);
    assert.equal(extractFileFacts('src/http.js', 'javascript', "const client = require('axios');\nclient.defaults.timeout = env.TIMEOUT;\n", ROLE_SETTINGS).axiosTimeoutDefault, 2);
  });

  test('not: a timeout of 0 (no timeout), a comparison, a test setup, or the defaults of an instance', () => {
    assert.equal(extractFileFacts('src/http.ts', 'typescript', "import axios from 'axios';\naxios.defaults.timeout = 0;\n", ROLE_SETTINGS).axiosTimeoutDefault, undefined);
    assert.equal(extractFileFacts('src/http.ts', 'typescript', "import axios from 'axios';\naxios.defaults.timeout = 0 // none\n", ROLE_SETTINGS).axiosTimeoutDefault, undefined);
    assert.equal(extractFileFacts('src/http.ts', 'typescript', "import axios from 'axios';\nif (axios.defaults.timeout === 0) warn();\n", ROLE_SETTINGS).axiosTimeoutDefault, undefined);
    assert.equal(extractFileFacts('test/setup.ts', 'typescript', "import axios from 'axios';\naxios.defaults.timeout = 1000;\n", ROLE_SETTINGS).axiosTimeoutDefault, undefined);
    assert.equal(extractFileFacts('src/http.ts', 'typescript', "import axios from 'axios';\nconst api = axios.create();\napi.defaults.timeout = 5000;\n", ROLE_SETTINGS).axiosTimeoutDefault, undefined);
  });

  const caller = "import axios from 'axios';\n\nexport async function version() {\n  return (await axios.get('https://example.com/version')).data;\n}\n";
  test('request-without-timeout: silent on the default instance when the project sets a default', () => {
    const index = indexOf({ 'src/startup.ts': "import axios from 'axios';\naxios.defaults.timeout = 30000;\n", 'src/version.ts': caller });
    assert.deepEqual(findingsOf('src/version.ts', caller, projectFactsOf(index, 'src/version.ts')), []);
  });

  test('not: a default set in browser code, for server code (each process runs its own startup)', () => {
    const index = indexOf({ 'src/components/boot.ts': "'use client';\nimport axios from 'axios';\naxios.defaults.timeout = 30000;\n", 'src/version.ts': caller });
    assert.deepEqual(projectFactsOf(index, 'src/version.ts').httpClientDefaults, []);
    assert.equal(projectFactsOf(index, 'src/components/boot.ts').httpClientDefaults.length, 1);
  });

  test('request-without-timeout: still flagged without the fact, and on an instance made with create()', () => {
    assert.deepEqual(findingsOf('src/version.ts', caller), ['request-without-timeout']);
    const index = indexOf({ 'src/startup.ts': "import axios from 'axios';\naxios.defaults.timeout = 30000;\n" });
    const instance = "import axios from 'axios';\n\nconst api = axios.create({ baseURL: 'https://example.com' });\n\nexport async function version() {\n  return (await api.get('/version')).data;\n}\n";
    assert.deepEqual(findingsOf('src/version.ts', instance, projectFactsOf(index, 'src/version.ts')), ['request-without-timeout']);
  });
});

describe('project facts: modules only browser code imports', () => {
  const store = "export async function latest() {\n  const response = await fetch('/api/version');\n  return response.json();\n}\n";
  const component = "'use client';\nimport { latest } from '@/store/version';\nexport function Banner() { void latest(); }\n";

  test('a module imported only by browser code is browser code, and says by which', () => {
    const index = indexOf({ 'src/store/version.ts': store, 'src/components/banner.ts': component });
    assert.deepEqual(projectFactsOf(index, 'src/store/version.ts').browserImporter, 'src/components/banner.ts');
    assert.deepEqual(findingsOf('src/store/version.ts', store, projectFactsOf(index, 'src/store/version.ts'), { 'request-without-timeout': 'warning' }), []);
  });

  test('through several modules: a store used by a hook used by a component', () => {
    const hook = "import { latest } from '../store/version';\nexport const useLatest = () => latest();\n";
    const index = indexOf({ 'src/store/version.ts': store, 'src/hooks/use-latest.ts': hook, 'src/components/banner.ts': "'use client';\nimport { useLatest } from '../hooks/use-latest';\n" });
    assert.equal(projectFactsOf(index, 'src/store/version.ts').browserImporter, 'src/hooks/use-latest.ts');
  });

  test('not: a module a server file imports too, or one the config gives a role', () => {
    const server = "import { latest } from './store/version';\nexport async function handler() { return latest(); }\n";
    const index = indexOf({ 'src/store/version.ts': store, 'src/components/banner.ts': component, 'src/api.ts': server });
    assert.equal(projectFactsOf(index, 'src/store/version.ts').browserImporter, undefined);
    assert.deepEqual(findingsOf('src/store/version.ts', store, projectFactsOf(index, 'src/store/version.ts'), { 'request-without-timeout': 'warning' }), ['request-without-timeout']);
    const files = new Map<string, FileFacts>([
      ['src/store/version.ts', { ...extractFileFacts('src/store/version.ts', 'typescript', store, ROLE_SETTINGS), roleFromConfig: true }],
      ['src/components/banner.ts', extractFileFacts('src/components/banner.ts', 'typescript', component, ROLE_SETTINGS)],
    ]);
    assert.equal(projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: true }), 'src/store/version.ts').browserImporter, undefined);
  });

  test('not: through a .tsx file that says nothing of the browser (a server component), or into server code', () => {
    const page = "import { latest } from '../store/version';\nexport default async function Page() { return latest(); }\n";
    const serverComponent = indexOf({ 'src/store/version.ts': store, 'src/app/page.tsx': page });
    // A component of a single-page app (not under app/, pages/ or routes/) is browser code by its extension.
    const spa = indexOf({ 'src/store/version.ts': store, 'src/components/Banner.tsx': page });
    assert.equal(projectFactsOf(spa, 'src/store/version.ts').browserImporter, 'src/components/Banner.tsx');
    // Under app/, a component that calls React's state hooks, or that only client components import, is client code.
    const hooks = indexOf({ 'src/store/version.ts': store, 'src/app/notice.tsx': "import { useState } from 'react';\nimport { latest } from '../store/version';\nexport function Notice() { const [v] = useState(latest); return v; }\n" });
    assert.equal(projectFactsOf(hooks, 'src/store/version.ts').browserImporter, 'src/app/notice.tsx');
    const boundary = indexOf({ 'src/store/version.ts': store, 'src/app/notice.tsx': page, 'src/app/shell.tsx': "'use client';\nimport Notice from './notice';\n" });
    assert.equal(projectFactsOf(boundary, 'src/store/version.ts').browserImporter, 'src/app/notice.tsx');
    assert.equal(projectFactsOf(serverComponent, 'src/store/version.ts').browserImporter, undefined);
    const data = "import { Pool } from 'pg';\nexport const latest = () => new Pool().query('select 1');\n";
    const index = indexOf({ 'src/store/version.ts': data, 'src/components/banner.ts': component });
    assert.equal(projectFactsOf(index, 'src/store/version.ts').browserImporter, undefined);
    const named = indexOf({ 'src/store/version.server.ts': store, 'src/components/banner.ts': "'use client';\nimport { latest } from '../store/version.server';\n" });
    assert.equal(projectFactsOf(named, 'src/store/version.server.ts').browserImporter, undefined);
  });

  test('not: when the pre-pass did not read the whole project', () => {
    const files = new Map<string, FileFacts>([
      ['src/store/version.ts', extractFileFacts('src/store/version.ts', 'typescript', store, ROLE_SETTINGS)],
      ['src/components/banner.ts', extractFileFacts('src/components/banner.ts', 'typescript', component, ROLE_SETTINGS)],
    ]);
    assert.equal(projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: false }), 'src/store/version.ts').browserImporter, undefined);
  });
});

describe('project facts: ORM models re-exported through a barrel', () => {
  const model = "import { Table, Model } from 'sequelize-typescript';\n@Table\nexport default class Notification extends Model {}\n";
  const barrel = "export { default as Notification } from './Notification';\nexport { default as Team } from './Team';\n";
  const task = "import { Notification } from '@server/models';\n\nexport async function notify(recipients: { id: string }[]) {\n  for (const recipient of recipients) {\n    await Notification.create({ userId: recipient.id });\n  }\n}\n";
  const tsconfig = '{\n  // comments are allowed\n  "compilerOptions": { "baseUrl": ".", "paths": { "@server/*": ["./server/*"], }, },\n}\n';

  test('tsconfig paths are read as data, comments and trailing commas included', () => {
    assert.deepEqual(pathAliasesFromTsconfig(tsconfig), [{ prefix: '@server/', targets: ['server/'] }]);
    assert.deepEqual(pathAliasesFromTsconfig('{ not json'), []);
    // A target outside the project names nothing the pre-pass reads: dropped, not taken for the root.
    assert.deepEqual(pathAliasesFromTsconfig('{ "compilerOptions": { "paths": { "@shared/*": ["../shared/*"], "~/*": ["./*"] } } }'), [{ prefix: '~/', targets: [''] }]);
  });

  test('a model imported through an aliased barrel is a model: query-in-loop sees the N+1', () => {
    const index = indexOf({ 'server/models/Notification.ts': model, 'server/models/index.ts': barrel, 'server/tasks/notify.ts': task }, tsconfig);
    const facts = projectFactsOf(index, 'server/tasks/notify.ts');
    assert.deepEqual(facts.modelImports, { '@server/models': 'sequelize' });
    assert.deepEqual(findingsOf('server/tasks/notify.ts', task, facts), ['query-in-loop']);
  });

  test('not: without the fact, or when the barrel re-exports no model', () => {
    assert.deepEqual(findingsOf('server/tasks/notify.ts', task), []);
    const index = indexOf({ 'server/models/Notification.ts': 'export default class Notification {}\n', 'server/models/index.ts': barrel, 'server/tasks/notify.ts': task }, tsconfig);
    assert.deepEqual(projectFactsOf(index, 'server/tasks/notify.ts').modelImports, {});
  });
});

describe('project facts: the CLI reads the project once and uses them', () => {
  function scratch(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'faultline-facts-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }
  function audit(root: string, ...args: string[]): { stdout: string; status: number | null } {
    const run = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd: root, encoding: 'utf8' });
    return { stdout: run.stdout, status: run.status };
  }
  const caller = "import axios from 'axios';\nexport async function version() {\n  return (await axios.get('https://example.com/version')).data;\n}\n";

  test('axios defaults in the startup module silence calls in another module; a 0 does not', () => {
    const root = scratch({ '.faultline.json': '{}', 'src/startup.ts': "import axios from 'axios';\naxios.defaults.timeout = 15000;\n", 'src/version.ts': caller });
    try {
      assert.equal(audit(root, 'audit', 'src/version.ts', '--no-cache').status, 0);
      writeFileSync(join(root, 'src/startup.ts'), "import axios from 'axios';\naxios.defaults.timeout = 0;\n");
      const after = audit(root, 'audit', 'src/version.ts');
      assert.equal(after.status, 1, after.stdout);
      assert.match(after.stdout, /request-without-timeout/);
      // The cache knows the file's facts changed: the same text, now with another finding.
      writeFileSync(join(root, 'src/startup.ts'), "import axios from 'axios';\naxios.defaults.timeout = 15000;\n");
      assert.equal(audit(root, 'audit', 'src/version.ts').status, 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('faultline roles says which browser module made a module browser code', () => {
    const root = scratch({ '.faultline.json': '{}', 'src/store/version.ts': "export const latest = () => fetch('/api/version');\n", 'src/components/Banner.tsx': "'use client';\nimport { latest } from '../store/version';\nexport const Banner = () => null;\n" });
    try {
      const roles = audit(root, 'roles');
      assert.match(roles.stdout, /browser\s+src\/store\/version\.ts\s+\(imported only by browser code \(src\/components\/Banner\.tsx\)\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test('language server: saving the module that sets an axios default re-publishes the files it silences', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'faultline-facts-lsp-'));
  mkdirSync(join(workspace, 'src'), { recursive: true });
  writeFileSync(join(workspace, 'package.json'), '{ "name": "shop", "private": true }\n');
  const startup = "import axios from 'axios';\n";
  writeFileSync(join(workspace, 'src', 'startup.ts'), startup);
  const caller = "import axios from 'axios';\nexport async function version() {\n  return (await axios.get('https://example.com/version')).data;\n}\n";
  writeFileSync(join(workspace, 'src', 'version.ts'), caller);
  const client = await startServer({ rootPath: workspace });
  try {
    const versionUri = `file://${workspace}/src/version.ts`;
    const startupUri = `file://${workspace}/src/startup.ts`;
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: versionUri, languageId: 'typescript', version: 1, text: caller } });
    const before = await client.diagnostics(versionUri, (params) => params.diagnostics.length > 0);
    assert.deepEqual(before.diagnostics.map((diagnostic) => diagnostic.code), ['request-without-timeout']);
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: startupUri, languageId: 'typescript', version: 1, text: startup } });
    const withDefault = `${startup}axios.defaults.timeout = 10000;\n`;
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: startupUri, version: 2 }, contentChanges: [{ text: withDefault }] });
    writeFileSync(join(workspace, 'src', 'startup.ts'), withDefault);
    client.discardDiagnostics(versionUri);
    void client.connection.sendNotification('textDocument/didSave', { textDocument: { uri: startupUri } });
    const after = await client.diagnostics(versionUri, (params) => params.diagnostics.length === 0, 10_000);
    assert.deepEqual(after.diagnostics, []);
  } finally {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
});
