/**
 * Project facts (#13): what a file's findings depend on in other files of its project. Each fact
 * on both sides (the engine's extraction and combination, then a rule that reads it), and the
 * front end's pre-pass as the CLI runs it on a scratch project.
 */

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildProjectIndex, componentFileFacts, DEFAULT_PATH_ALIASES, detectFileRole, extractFileFacts, isPythonReferenceFile, packageManifestFacts, lintDocument, pathAliasesFromTsconfig, projectFactsOf, pythonReferenceFileFacts, retiredByJobMetadata, RULES, settingsFromConfig, DEFAULT_CONFIG, type FileFacts, type LanguageId, type ProjectFacts } from '../rules';
import { createConfigResolver } from '../server/src/workspace/config-resolver';
import { createProjectFacts } from '../server/src/workspace/project-facts';
import { loadPythonParser } from '../server/src/workspace/python';
import { startServer } from './helpers/lsp-client';
import { REPO_ROOT } from './helpers/paths';

const CLI_PATH = join(REPO_ROOT, 'dist', 'cli.js');

const ROLE_SETTINGS = { sqlDialect: 'postgresql' as const, roles: [] };

function languageOf(path: string): LanguageId {
  return path.endsWith('.py') ? 'python' : /\.[cm]?jsx?$/.test(path) ? 'javascript' : 'typescript';
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

  test('a test that imports the module too does not make it server code: tests run on either side', () => {
    const test = "import { latest } from '../store/version';\ntest('latest', async () => { await latest(); });\n";
    const index = indexOf({ 'src/store/version.ts': store, 'src/components/banner.ts': component, 'src/__tests__/version.test.ts': test });
    assert.equal(projectFactsOf(index, 'src/store/version.ts').browserImporter, 'src/components/banner.ts');
    // Imported by tests alone: nothing says where it runs.
    assert.equal(projectFactsOf(indexOf({ 'src/store/version.ts': store, 'src/__tests__/version.test.ts': test }), 'src/store/version.ts').browserImporter, undefined);
  });

  test("an enum from @prisma/client is no server sign (browser components import them); the Prisma client is", () => {
    const upload = "import { StorageType } from '@prisma/client';\nexport async function put(file: Blob, type: StorageType) {\n  return fetch('/api/upload', { method: 'POST', body: file });\n}\n";
    const modal = "import { put } from '../lib/put-file';\nexport function UploadModal() { return null; }\n";
    assert.equal(projectFactsOf(indexOf({ 'src/lib/put-file.ts': upload, 'src/components/UploadModal.tsx': modal }), 'src/lib/put-file.ts').browserImporter, 'src/components/UploadModal.tsx');
    const query = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport const put = () => prisma.file.findMany();\n";
    assert.equal(projectFactsOf(indexOf({ 'src/lib/put-file.ts': query, 'src/components/UploadModal.tsx': modal }), 'src/lib/put-file.ts').browserImporter, undefined);
  });

  test('a module imported only by Vue components is browser code, unless a Nuxt app renders them on its server', () => {
    const sfc = "<template><button @click=\"check\">Check</button></template>\n<script setup lang=\"ts\">\nimport { latest } from '../store/version';\nconst check = () => latest();\n</script>\n";
    const filesOf = (extra: Record<string, string>) => {
      const files = new Map<string, FileFacts>([
        ['src/store/version.ts', extractFileFacts('src/store/version.ts', 'typescript', store, ROLE_SETTINGS)],
        ['src/components/Check.vue', componentFileFacts(sfc)],
      ]);
      for (const [path, text] of Object.entries(extra)) files.set(path, extractFileFacts(path, 'typescript', text, ROLE_SETTINGS));
      return buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: true });
    };
    assert.equal(projectFactsOf(filesOf({}), 'src/store/version.ts').browserImporter, 'src/components/Check.vue');
    assert.equal(projectFactsOf(filesOf({ 'nuxt.config.ts': 'export default defineNuxtConfig({});\n' }), 'src/store/version.ts').browserImporter, undefined);
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

describe('project facts: modules nothing imports', () => {
  // A program: an entry importing ten modules, so the project's modules do import one another.
  const program: Record<string, string> = { 'src/main.ts': Array.from({ length: 10 }, (_, index) => `import { m${index} } from './lib/m${index}';`).join('\n') + '\n' };
  for (let index = 0; index < 10; index++) program[`src/lib/m${index}.ts`] = `export const m${index} = ${index};\n`;
  const client = "import axios from 'axios';\nexport async function profile(id: string) {\n  return (await axios.get(`https://api.example.com/users/${id}`)).data;\n}\n";
  const dead = 'src/legacy/profile-client.ts';
  const unimported = (project: Record<string, string>, path = dead, options: { complete?: boolean; packages?: Record<string, string> } = {}): boolean => {
    const files = new Map<string, FileFacts>();
    for (const [file, text] of Object.entries({ ...program, ...project })) files.set(file, /\.(?:vue|svelte)$/.test(file) ? componentFileFacts(text) : extractFileFacts(file, languageOf(file), text, ROLE_SETTINGS));
    const packages = Object.entries(options.packages ?? {}).map(([file, text]) => packageManifestFacts(file, text));
    return projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, packages, complete: options.complete ?? true }), path).unimported === true;
  };

  test('a production module nothing imports is unimported: its findings are shown at info, with why', () => {
    assert.equal(unimported({ [dead]: client }), true);
    const settings = settingsFromConfig(DEFAULT_CONFIG, '2026-12-07');
    const result = lintDocument({ path: dead, languageId: 'typescript', text: client, project: { httpClientDefaults: [], modelImports: {}, unimported: true } }, settings, RULES);
    assert.deepEqual(result.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'info']]);
    assert.match(result.findings[0]?.note ?? '', /no file of this project imports this module/);
    const live = lintDocument({ path: dead, languageId: 'typescript', text: client }, settings, RULES);
    assert.deepEqual(live.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'warning']]);
  });

  test('not: a module something imports, by a relative path, an alias, a workspace package or a path string', () => {
    assert.equal(unimported({ [dead]: client, 'src/users.ts': "import { profile } from './legacy/profile-client';\nexport const load = profile;\n" }), false);
    assert.equal(unimported({ [dead]: client, 'src/users.ts': "import { profile } from '@/legacy/profile-client';\nexport const load = profile;\n" }), false);
    assert.equal(unimported({ [dead]: client, 'src/pool.ts': "export const worker = new Worker(new URL('./legacy/profile-client.ts', import.meta.url));\n" }), false);
    // `@acme/clients` is a workspace package whose main (dist/index.js) is built from src/index.ts.
    const workspace = { 'packages/clients/src/index.ts': "export { profile } from './profile';\n", 'packages/clients/src/profile.ts': client, 'src/users.ts': "import { profile } from '@acme/clients';\nexport const load = profile;\n" };
    const manifest = { 'packages/clients/package.json': '{ "name": "@acme/clients", "main": "dist/index.js" }' };
    assert.equal(unimported(workspace, 'packages/clients/src/profile.ts', { packages: manifest }), false);
    assert.equal(unimported(workspace, 'packages/clients/src/index.ts', { packages: manifest }), false);
    assert.equal(unimported({ ...workspace, 'src/users.ts': "import { profile } from '@acme/clients/profile';\nexport const load = profile;\n" }, 'packages/clients/src/profile.ts', { packages: manifest }), false);
    // A Vue component's script imports it.
    assert.equal(unimported({ [dead]: client, 'src/components/Profile.vue': "<script setup lang=\"ts\">\nimport { profile } from '../legacy/profile-client';\n</script>\n" }), false);
  });

  test('not: an entry point, by its name, its folder, its exports, a top-level call or its package.json', () => {
    assert.equal(unimported({ 'src/handler.ts': client }, 'src/handler.ts'), false);
    assert.equal(unimported({ 'functions/profile.ts': client }, 'functions/profile.ts'), false);
    assert.equal(unimported({ 'api/profile.ts': client }, 'api/profile.ts'), false);
    assert.equal(unimported({ [dead]: `${client}export const handler = async () => profile('me');\n` }), false);
    assert.equal(unimported({ [dead]: `${client}profile(process.argv[2] ?? '').then(console.log);\n` }), false);
    assert.equal(unimported({ [dead]: client }, dead, { packages: { 'package.json': '{ "name": "shop", "scripts": { "sync": "tsx src/legacy/profile-client.ts" } }' } }), false);
    // `api/` of a module's own folder is not Vercel's: that one is at a project's or package's root.
    assert.equal(unimported({ 'src/integrations/github/api/profile.ts': client }, 'src/integrations/github/api/profile.ts'), true);
  });

  test('not: modules a framework may load without naming them', () => {
    // `require(`./providers/${name}`)` loads a file of providers/ or the index of one of its folders.
    const loader = "export const load = (name: string) => require(`./providers/${name}`);\n";
    assert.equal(unimported({ 'src/loader.ts': loader, 'src/providers/github.ts': client }, 'src/providers/github.ts'), false);
    assert.equal(unimported({ 'src/loader.ts': loader, 'src/providers/gitlab/index.ts': client }, 'src/providers/gitlab/index.ts'), false);
    assert.equal(unimported({ 'src/loader.ts': loader, 'src/providers/gitlab/api/projects.ts': client }, 'src/providers/gitlab/api/projects.ts'), true);
    // A name computed any other way: anything under the loader's folder.
    assert.equal(unimported({ 'src/uploader/index.ts': "export const uploader = (type: string) => require(modulePathOf(type));\n", 'src/uploader/gcs/client.ts': client }, 'src/uploader/gcs/client.ts'), false);
    // A method called import is not a load.
    assert.equal(unimported({ 'src/legacy/service.ts': 'export class Service {\n  async import(data, hash) {\n    return data;\n  }\n}\n', [dead]: client }), true);
    // Globs a framework loads: a folder's modules, files named alike.
    assert.equal(unimported({ 'src/server.ts': "export const mount = { '/': [`${rootDir}/controllers/*.ts`] };\n", 'src/controllers/profile.ts': client }, 'src/controllers/profile.ts'), false);
    assert.equal(unimported({ 'src/data-source.ts': "export const entities = ['dist/**/*.entity.js'];\n", 'src/users/user.entity.ts': client }, 'src/users/user.entity.ts'), false);
    // A linter's or test runner's globs say nothing of what is loaded.
    assert.equal(unimported({ 'eslint.config.js': "export default [{ files: ['**/*.ts'] }];\n", [dead]: client }), true);
  });

  test('not: a scratch folder, an unread or auto-importing project, the role the project gives, a program with no exports', () => {
    const scratch = new Map<string, FileFacts>([[dead, extractFileFacts(dead, 'typescript', client, ROLE_SETTINGS)]]);
    assert.equal(projectFactsOf(buildProjectIndex(scratch, { aliases: DEFAULT_PATH_ALIASES, complete: true }), dead).unimported, undefined);
    assert.equal(unimported({ [dead]: client }, dead, { complete: false }), false);
    assert.equal(unimported({ [dead]: client, 'nuxt.config.ts': 'export default defineNuxtConfig({});\n' }), false);
    assert.equal(unimported({ [dead]: "import axios from 'axios';\nawait axios.get('https://example.com');\n" }), false);
    const files = new Map<string, FileFacts>(Object.entries(program).map(([file, text]) => [file, extractFileFacts(file, 'typescript', text, ROLE_SETTINGS)]));
    files.set(dead, { ...extractFileFacts(dead, 'typescript', client, ROLE_SETTINGS), roleFromConfig: true });
    assert.equal(projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: true }), dead).unimported, undefined);
  });

  test('package.json is read as data: name, entry fields and the scripts files it runs', () => {
    assert.deepEqual(packageManifestFacts('packages/db/package.json', '{ "name": "@acme/db", "main": "dist/index.js", "bin": { "db": "bin/db.js" }, "scripts": { "seed": "node dist/seed.js --all" } }'), { folder: 'packages/db', name: '@acme/db', entries: ['dist/index.js', 'bin/db.js', 'dist/seed.js'], library: true });
    // A private package is an app's part, not a library others install.
    assert.equal(packageManifestFacts('packages/db/package.json', '{ "name": "@acme/db", "private": true, "main": "dist/index.js" }').library, undefined);
    assert.equal(packageManifestFacts('package.json', '{ "name": "shop", "scripts": { "start": "node server.js" } }').library, undefined);
    assert.deepEqual(packageManifestFacts('package.json', '{ not json'), { folder: '', entries: [] });
  });
});

describe('project facts: Python modules nothing imports', () => {
  // A program: a DAG importing ten helper modules, so the project's Python modules import one another.
  const program: Record<string, string> = { 'dags/nightly.py': Array.from({ length: 10 }, (_, index) => `from common.helpers import h${index}`).join('\n') + "\nwith DAG('nightly') as dag:\n    pass\n" };
  for (let index = 0; index < 10; index++) program[`dags/common/helpers/h${index}.py`] = `def run_${index}():\n    return ${index}\n`;
  const client = "import requests\n\n\ndef fetch_rates(day):\n    return requests.get(f'https://rates.example.com/{day}').json()\n";
  const dead = 'dags/common/legacy/rates.py';
  const unimported = (project: Record<string, string>, path = dead, base: Record<string, string> = program): boolean => {
    const files = new Map<string, FileFacts>();
    for (const [file, text] of Object.entries({ ...base, ...project })) {
      files.set(file, /\.(?:py|[cm]?[jt]sx?)$/.test(file) ? extractFileFacts(file, languageOf(file), text, ROLE_SETTINGS) : pythonReferenceFileFacts(file, text));
    }
    return projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: true }), path).unimported === true;
  };

  // Linting Python needs the grammar, which loads asynchronously, once.
  before(async () => assert.equal(await loadPythonParser(), null));

  test('a production module nothing imports is unimported: its findings are shown at info', () => {
    assert.equal(unimported({ [dead]: client }), true);
    const settings = settingsFromConfig(DEFAULT_CONFIG, '2026-12-07');
    const result = lintDocument({ path: dead, languageId: 'python', text: client, project: { httpClientDefaults: [], modelImports: {}, unimported: true } }, settings, RULES);
    assert.deepEqual(result.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'info']]);
  });

  test('not: a module imported by name, by a package import, from a package or relatively', () => {
    assert.equal(unimported({ [dead]: client, 'dags/rates.py': 'import common.legacy.rates as rates\n' }), false);
    assert.equal(unimported({ [dead]: client, 'dags/rates.py': 'from common.legacy import rates\n' }), false);
    assert.equal(unimported({ [dead]: client, 'dags/rates.py': 'from common.legacy.rates import fetch_rates\n' }), false);
    // Through a source root the project does not declare: `src/` here.
    assert.equal(unimported({ 'src/shop/legacy/rates.py': client, 'src/shop/billing.py': 'from shop.legacy.rates import (\n    fetch_rates,\n)\n' }, 'src/shop/legacy/rates.py'), false);
    assert.equal(unimported({ [dead]: client, 'dags/common/legacy/report.py': 'from . import rates\n' }), false);
    assert.equal(unimported({ [dead]: client, 'dags/common/helpers/report.py': 'from ..legacy.rates import fetch_rates\n' }), false);
    assert.equal(unimported({ [dead]: client, 'dags/rates.py': "import importlib\nrates = importlib.import_module('common.legacy.rates')\n" }), false);
    // A relative import from another folder names another module.
    assert.equal(unimported({ [dead]: client, 'dags/common/helpers/report.py': 'from .rates import fetch_rates\n' }), true);
  });

  test('imported only by a test: still unimported', () => {
    assert.equal(unimported({ [dead]: client, 'tests/test_rates.py': 'from common.legacy.rates import fetch_rates\n\ndef test_rates():\n    assert fetch_rates\n' }), true);
    assert.equal(unimported({ [dead]: client, 'dags/common/legacy/rates_test.py': 'import unittest\nfrom common.legacy.rates import fetch_rates\n' }), true);
  });

  test('not: a module a string names by its dotted name or its .py path', () => {
    assert.equal(unimported({ [dead]: client, 'dags/settings_base.py': "CELERY_IMPORTS = ['common.legacy.rates']\n" }), false);
    assert.equal(unimported({ [dead]: client, 'dags/schedule.py': "JOBS = {'rates': 'common.legacy.rates.fetch_rates'}\n" }), false);
    assert.equal(unimported({ [dead]: client, 'dags/serve.py': "ENTRY = 'common.legacy.rates:fetch_rates'\n" }), false);
    assert.equal(unimported({ [dead]: client, 'dags/run.py': "COMMAND = ['python', '/opt/airflow/dags/common/legacy/rates.py']\n" }), false);
    assert.equal(unimported({ [dead]: client, 'dags/run.py': "COMMAND = 'python -m common.legacy.rates --day today'\n" }), false);
    // A host or a file name is not a module: `rates.example.com` names no module here.
    assert.equal(unimported({ [dead]: client, 'dags/run.py': "HOST = 'common.legacy.com'\nDATA = 'rates.csv'\n" }), true);
  });

  test('not: modules a computed import may load', () => {
    assert.equal(unimported({ [dead]: client, 'dags/common/legacy/loader.py': 'import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n' }), false);
    assert.equal(unimported({ [dead]: client, 'dags/loader.py': "import importlib\n\ndef load(name):\n    return importlib.import_module(f'common.legacy.{name}')\n" }), false);
    // One in another folder loads that folder's modules, not this one.
    assert.equal(unimported({ [dead]: client, 'dags/common/helpers/loader.py': 'import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n' }), true);
  });

  test('not: a module that starts itself or that a scheduler or framework starts', () => {
    const entries = [
      "if __name__ == '__main__':\n    fetch_rates('today')\n",
      "dag = DAG('rates', schedule='@daily')\n",
      '@dag(schedule=None)\ndef rates_dag():\n    pass\n',
      '@task\ndef rates_task():\n    return fetch_rates(1)\n',
      '@shared_task\ndef rates_task():\n    return fetch_rates(1)\n',
      '@app.task(bind=True)\ndef rates_task(self):\n    return fetch_rates(1)\n',
      'app = Flask(__name__)\n',
      "@router.get('/rates')\ndef rates():\n    return fetch_rates(1)\n",
      'def lambda_handler(event, context):\n    return fetch_rates(event)\n',
      'def handler(event, context):\n    return fetch_rates(event)\n',
      "fetch_rates('today')\n",
      "for day in ('mon', 'tue'):\n    fetch_rates(day)\n",
      '# ---\n# python_callable: fetch_rates\n# ---\n',
    ];
    for (const entry of entries) assert.equal(unimported({ [dead]: `${client}\n${entry}` }), false, entry);
    // Configuring a library as it is imported does not make it a program.
    assert.equal(unimported({ [dead]: `import logging\nlogger = logging.getLogger(__name__)\nlogging.basicConfig(level=logging.INFO)\nload_dotenv()\n${client}` }), true);
  });

  test('not: a file its name or folder makes an entry point', () => {
    for (const path of ['shop/orders/views.py', 'shop/orders/models.py', 'shop/orders/tasks.py', 'shop/orders/admin.py', 'shop/wsgi.py', 'shop/settings/production.py', 'shop/orders/management/commands/sync_rates.py', 'shop/orders/templatetags/rates.py', 'shop/orders/migrations/0002_rates.py', 'shop/rates/__init__.py', 'conftest.py', 'setup.py', 'manage.py', 'db/alembic/versions/2024_rates.py', 'db/alembic/env.py']) {
      assert.equal(unimported({ [path]: client }, path), false, path);
    }
  });

  test('not: a module a Procfile, pyproject, Dockerfile, YAML job or notebook names', () => {
    assert.equal(unimported({ [dead]: client, Procfile: 'worker: python -m common.legacy.rates\n' }), false);
    assert.equal(unimported({ [dead]: client, 'pyproject.toml': '[project.scripts]\nrates = "common.legacy.rates:main"\n' }), false);
    assert.equal(unimported({ [dead]: client, Dockerfile: 'FROM python:3.12\nCMD ["python", "dags/common/legacy/rates.py"]\n' }), false);
    assert.equal(unimported({ [dead]: client, 'k8s/rates-job.yaml': 'spec:\n  containers:\n    - command: ["python", "/app/common/legacy/rates.py"]\n' }), false);
    assert.equal(unimported({ [dead]: client, 'setup.cfg': '[options.entry_points]\nconsole_scripts =\n    rates = common.legacy.rates:main\n' }), false);
    const notebook = JSON.stringify({ cells: [{ cell_type: 'code', source: ['from common.legacy.rates import fetch_rates\n', "fetch_rates('today')\n"] }] });
    assert.equal(unimported({ [dead]: client, 'analysis/rates.ipynb': notebook }), false);
    // A file that names something else does not.
    assert.equal(unimported({ [dead]: client, Procfile: 'web: gunicorn shop.wsgi:application\n' }), true);
  });

  test('not: a module of a published package, whose users import it', () => {
    const published = { 'dags/common/legacy/__init__.py': '', 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n' };
    assert.equal(unimported({ [dead]: client, ...published }), false);
    assert.equal(unimported({ [dead]: client, ...published, 'pyproject.toml': '[tool.poetry]\npackage-mode = false\n\n[build-system]\nrequires = ["poetry-core"]\n' }), true);
  });

  test('not: a project whose Python modules do not import one another; JS/TS and Python are counted apart', () => {
    const scripts: Record<string, string> = { 'scripts/a.py': 'from helpers import x\n', 'helpers.py': 'x = 1\n' };
    assert.equal(unimported({ [dead]: client }, dead, scripts), false);
    // Ten imported TypeScript modules do not make a Python scratch folder a program.
    const typescript: Record<string, string> = { 'src/main.ts': Array.from({ length: 10 }, (_, index) => `import { m${index} } from './lib/m${index}';`).join('\n') + '\n' };
    for (let index = 0; index < 10; index++) typescript[`src/lib/m${index}.ts`] = `export const m${index} = ${index};\n`;
    assert.equal(unimported({ [dead]: client }, dead, { ...scripts, ...typescript }), false);
    // Nor does a Python program make an unimported TypeScript module dead.
    assert.equal(unimported({ 'src/legacy/client.ts': "export const get = () => fetch('https://example.com');\n" }, 'src/legacy/client.ts'), false);
  });
});

describe('project facts: Python programs nothing starts (run by hand)', () => {
  // A program: a web app importing ten modules, so the project's Python modules import one another.
  const program: Record<string, string> = { 'shop/views.py': Array.from({ length: 10 }, (_, index) => `from shop.lib import m${index}`).join('\n') + '\n' };
  for (let index = 0; index < 10; index++) program[`shop/lib/m${index}.py`] = `def run_${index}():\n    return ${index}\n`;
  const script = "import requests\nimport django\n\ndjango.setup()\n\n\ndef create_users(names):\n    for name in names:\n        requests.post('http://localhost:8080/api/users/', json={'name': name})\n\n\nif __name__ == '__main__':\n    create_users(['a', 'b'])\n";
  const path = 'utils/bulk_create_users.py';
  const facts = (project: Record<string, string>, file = path, base: Record<string, string> = program): ProjectFacts => {
    const files = new Map<string, FileFacts>();
    for (const [name, text] of Object.entries({ ...base, ...project })) {
      // As the front ends do: source files, and of the others only those that may start Python code.
      if (/\.(?:py|[cm]?[jt]sx?)$/.test(name)) files.set(name, extractFileFacts(name, languageOf(name), text, ROLE_SETTINGS));
      else if (isPythonReferenceFile(name)) files.set(name, pythonReferenceFileFacts(name, text));
    }
    return projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete: true }), file);
  };
  const handRun = (project: Record<string, string>, file = path, base: Record<string, string> = program): boolean => facts(project, file, base).handRun === true;

  before(async () => assert.equal(await loadPythonParser(), null));

  test('a program with a __main__ block that nothing imports or names is run by hand: its warnings are shown at info, with why', () => {
    assert.equal(handRun({ [path]: script }), true);
    // It is not "unused": it runs, by hand.
    assert.equal(facts({ [path]: script }).unimported, undefined);
    const settings = settingsFromConfig(DEFAULT_CONFIG, '2026-12-08');
    const result = lintDocument({ path, languageId: 'python', text: script, project: { httpClientDefaults: [], modelImports: {}, handRun: true } }, settings, RULES);
    assert.deepEqual(result.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'info']]);
    assert.match(result.findings[0]?.note ?? '', /nothing in this project imports it or starts it/);
    // Without the fact the same code warns.
    const plain = lintDocument({ path, languageId: 'python', text: script, project: { httpClientDefaults: [], modelImports: {} } }, settings, RULES);
    assert.deepEqual(plain.findings.map((finding) => finding.severity), ['warning']);
  });

  test('not: a program a module imports, or a Procfile, Dockerfile, shell script, Makefile, YAML or another program names', () => {
    assert.equal(handRun({ [path]: script, 'shop/admin_tools.py': 'from utils.bulk_create_users import create_users\n' }), false);
    assert.equal(handRun({ [path]: script, Procfile: 'release: python utils/bulk_create_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, Dockerfile: 'FROM python:3.12\nCMD ["python", "-m", "utils.bulk_create_users"]\n' }), false);
    assert.equal(handRun({ [path]: script, 'entrypoint.sh': '#!/bin/sh\npython /app/utils/bulk_create_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, Makefile: 'users:\n\tpython utils/bulk_create_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, 'deploy/cron.yaml': 'schedule: "0 * * * *"\ncommand: ["python", "utils/bulk_create_users.py"]\n' }), false);
    assert.equal(handRun({ [path]: script, 'shop/services/beat.py': "import subprocess\n\ndef start():\n    subprocess.run(['python', 'bulk_create_users.py'])\n" }), false);
    // An extensionless executable of a script folder, a systemd unit, a crontab, a JS/TS file that spawns it.
    assert.equal(handRun({ [path]: script, 'script/users/create_users': '#!/bin/sh\nexec python3 -m utils.bulk_create_users "$@"\n' }), false);
    assert.equal(handRun({ [path]: script, 'init-scripts/init.systemd': '[Service]\nExecStart=/usr/bin/python3 /opt/shop/utils/bulk_create_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, 'deploy/users.timer': '[Timer]\nOnCalendar=daily\n', 'deploy/users.service': '[Service]\nExecStart=python3 -m utils.bulk_create_users\n' }), false);
    assert.equal(handRun({ [path]: script, crontab: '0 * * * * python3 /app/utils/bulk_create_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, 'server/users.ts': "import { spawn } from 'node:child_process';\nimport path from 'node:path';\nexport const create = () => spawn('python3', [path.join(__dirname, '../utils/bulk_create_users.py')]);\n" }), false);
    // A path built from variables names every program it can match, however many variables it has.
    assert.equal(handRun({ [path]: script, 'deploy/job.yaml': 'run: python utils/bulk_${a}${b}${c}${d}${e}${f}${g}${h}${i}${j}${k}${l}_users.py\n' }), false);
    assert.equal(handRun({ [path]: script, 'deploy/job.yaml': 'run: python utils/${a}_${b}_${c}_${d}_${e}_${f}_${g}_${h}_${i}_${j}_nightly.py\n' }), true);
    assert.equal(handRun({ [path]: script, 'script/users/run_all': '#!/bin/sh\nfor kind in create delete; do\n  python3 "utils/bulk_${kind}_users.py"\ndone\n' }), false);
    assert.equal(handRun({ [path]: script, 'shop/admin_tools.py': "import subprocess\n\ndef run(kind):\n    subprocess.run(['python', f'/srv/app/utils/bulk_{kind}_users.py'])\n" }), false);
    assert.equal(handRun({ [path]: script, 'script/users/run_all': '#!/bin/sh\npython3 "reports/${kind}_summary.py"\n' }), true);
    // A README or a text file that mentions it is no start.
    assert.equal(handRun({ [path]: script, 'utils/README.md': 'Run `python utils/bulk_create_users.py` by hand.\n' }), true);
  });

  test('not: a module a scheduler, framework or runtime loads, or one that imports what runs unattended', () => {
    const dag = "from airflow import DAG\nimport requests\n\nwith DAG('users') as dag:\n    pass\n\nif __name__ == '__main__':\n    dag.test()\n";
    assert.equal(handRun({ [path]: dag }), false);
    const app = "from flask import Flask\nimport requests\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run()\n";
    assert.equal(handRun({ [path]: app }), false);
    const spark = "from pyspark.sql import SparkSession\nimport requests\n\nif __name__ == '__main__':\n    SparkSession.builder.getOrCreate()\n";
    assert.equal(handRun({ [path]: spark }), false);
    const consumer = "from kafka import KafkaConsumer\nimport requests\n\nif __name__ == '__main__':\n    for message in KafkaConsumer('users'):\n        requests.post('http://users/', data=message.value)\n";
    assert.equal(handRun({ [path]: consumer }), false);
    const daemon = "import time\nimport requests\n\nif __name__ == '__main__':\n    while True:\n        requests.get('http://users/sync')\n        time.sleep(60)\n";
    assert.equal(handRun({ [path]: daemon }), false);
    // A loop that pages through results and stops is still a script's.
    const paging = "import requests\n\nif __name__ == '__main__':\n    while True:\n        page = requests.get('http://localhost/users').json()\n        if not page:\n            break\n";
    assert.equal(handRun({ [path]: paging }), true);
    // No __main__ block: not a program by Python's convention (an unused module is another fact).
    assert.equal(handRun({ [path]: "import requests\n\ndef create_users():\n    requests.post('http://localhost/users')\n" }), false);
  });

  test('not: names and folders a process runs, entry names, the project\'s roles, or a project whose modules do not import one another', () => {
    for (const file of ['workers/sync_users.py', 'shop/jobs/sync_users.py', 'shop/sync_worker.py', 'shop/consumer.py', 'shop/scheduler.py', 'run.py', 'shop/main.py', 'shop/__main__.py', 'shop/management/commands/sync_users.py', 'shop/tasks.py']) {
      assert.equal(handRun({ [file]: script }, file), false, file);
    }
    // The project says it runs in production: its word stands.
    const configured = new Map<string, FileFacts>();
    for (const [name, text] of Object.entries({ ...program, [path]: script })) configured.set(name, extractFileFacts(name, 'python', text, { ...ROLE_SETTINGS, roles: [{ pattern: 'utils/**', role: 'production' }] }));
    assert.equal(projectFactsOf(buildProjectIndex(configured, { aliases: DEFAULT_PATH_ALIASES, complete: true }), path).handRun, undefined);
    // A folder of scripts that do not import one another: nothing stands out as run by hand.
    assert.equal(handRun({ [path]: script }, path, { 'scripts/a.py': 'from helpers import x\n', 'helpers.py': 'x = 1\n' }), false);
  });
});

describe('project facts: exported functions no module imports', () => {
  // A program: ten modules importing one another, as in the unused-module tests.
  const base: Record<string, string> = { 'src/main.ts': "import { capture } from './paypal/api';\nimport * as mail from './mail';\nexport const run = () => capture('1');\n", 'src/mail.ts': 'export async function send() { return 1; }\n' };
  const api = "export async function capture(id: string) { return fetch(`https://p.example.com/${id}`); }\nexport async function refreshToken() { return fetch('https://p.example.com/t'); }\nexport const scopes = () => fetch('https://p.example.com/s');\n";
  const unused = (project: Record<string, string>, path = 'src/paypal/api.ts', packages: Record<string, string> = {}): readonly string[] | undefined => {
    const files = new Map<string, FileFacts>();
    for (const [file, text] of Object.entries({ ...base, ...project })) files.set(file, /\.vue$/.test(file) ? componentFileFacts(text) : extractFileFacts(file, languageOf(file), text, ROLE_SETTINGS));
    const manifests = Object.entries(packages).map(([file, text]) => packageManifestFacts(file, text));
    return projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, packages: manifests, complete: true }), path).unusedExports;
  };

  test('the exported functions no non-test file imports by name', () => {
    assert.deepEqual(unused({ 'src/paypal/api.ts': api }), ['refreshToken', 'scopes']);
    // A test importing one does not make it used.
    assert.deepEqual(unused({ 'src/paypal/api.ts': api, 'src/paypal/api.test.ts': "import { refreshToken } from './api';\n" }), ['refreshToken', 'scopes']);
  });

  test('not: a name imported anywhere (through a barrel, a Vue component, an alias), a module taken whole, an entry, a library package', () => {
    assert.deepEqual(unused({ 'src/paypal/api.ts': api, 'src/billing.ts': "import { refreshToken, scopes as s } from './paypal';\nexport const b = () => [refreshToken, s];\n", 'src/paypal/index.ts': "export * from './api';\n" }), undefined);
    assert.deepEqual(unused({ 'src/paypal/api.ts': api, 'src/components/Pay.vue': "<script setup lang=\"ts\">\nimport { refreshToken, scopes } from '../paypal/api';\n</script>\n" }), undefined);
    for (const whole of ["import * as paypal from './paypal/api';", "const paypal = require('./paypal/api');", "const paypal = await import('./paypal/api');", "export * as paypal from './paypal/api';"]) {
      assert.equal(unused({ 'src/paypal/api.ts': api, 'src/billing.ts': `${whole}\nexport const b = 1;\n` }), undefined, whole);
    }
    // A comment inside the braces hides no name; a barrel's `export * from` takes the module whole.
    assert.equal(unused({ 'src/paypal/api.ts': api, 'src/billing.ts': "import {\n  capture, // the charge\n  refreshToken, /* renew */ scopes,\n} from './paypal/api';\n" }), undefined);
    assert.equal(unused({ 'src/paypal/api.ts': api, 'src/paypal/index.ts': "export * from './api';\n", 'src/billing.ts': "import * as paypal from './paypal';\nexport const b = () => paypal.refreshToken();\n" }), undefined);
    // Nothing imports it at all: that is the unused-module fact's, not this one's.
    assert.equal(unused({ 'src/other/api.ts': api }, 'src/other/api.ts'), undefined);
    // A handler by name, and a library package whose users import it.
    assert.equal(unused({ 'src/paypal/handler.ts': api, 'src/x.ts': "import { capture } from './paypal/handler';\n" }, 'src/paypal/handler.ts'), undefined);
    assert.equal(unused({ 'src/paypal/api.ts': api }, 'src/paypal/api.ts', { 'package.json': '{ "name": "paypal-kit", "main": "dist/index.js" }' }), undefined);
    assert.deepEqual(unused({ 'src/paypal/api.ts': api }, 'src/paypal/api.ts', { 'package.json': '{ "name": "shop", "private": true, "main": "dist/index.js" }' }), ['refreshToken', 'scopes']);
  });
});

describe('project facts: a job its metadata retires', () => {
  test('deprecated: true in metadata.yaml retires the job; anything else does not', () => {
    assert.equal(retiredByJobMetadata('metadata.yaml', 'friendly_name: Rates\ndeprecated: true\nowners:\n- a@example.com\n'), 'its metadata.yaml says deprecated: true');
    assert.equal(retiredByJobMetadata('metadata.yaml', 'friendly_name: Rates\ndeprecated: false\n'), undefined);
    // Not a top-level field, not this file, no scheduling section: none of these says the job is retired.
    assert.equal(retiredByJobMetadata('metadata.yaml', 'labels:\n  deprecated: true\n'), undefined);
    assert.equal(retiredByJobMetadata('dbt_project.yml', 'deprecated: true\n'), undefined);
    assert.equal(retiredByJobMetadata('metadata.yaml', 'friendly_name: Rates\nowners: []\n'), undefined);
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

  test('the pre-pass reads package.json, nested tsconfigs and .vue files; a module an editor saved is never unused', () => {
    const files: Record<string, string> = { '.faultline.json': '{}', 'package.json': '{ "name": "shop", "private": true }\n' };
    files['apps/web/src/main.ts'] = Array.from({ length: 10 }, (_, index) => `import { m${index} } from '~web/lib/m${index}';`).join('\n') + '\n';
    for (let index = 0; index < 10; index++) files[`apps/web/src/lib/m${index}.ts`] = `export const m${index} = ${index};\n`;
    files['apps/web/tsconfig.json'] = '{ "compilerOptions": { "baseUrl": ".", "paths": { "~web/*": ["./src/*"] } } }\n';
    files['apps/web/src/components/Card.vue'] = "<script setup>\nimport { card } from '../clients/card';\n</script>\n";
    files['apps/web/src/clients/card.ts'] = "export const card = () => fetch('/api/card');\n";
    files['packages/clients/package.json'] = '{ "name": "@shop/clients", "main": "dist/index.js" }\n';
    files['packages/clients/src/index.ts'] = "export { profile } from './profile';\n";
    files['packages/clients/src/profile.ts'] = "export const profile = () => fetch('https://api.example.com/me');\n";
    files['apps/web/src/users.ts'] = "import { profile } from '@shop/clients';\nexport const me = profile;\n";
    files['apps/web/src/legacy/old-client.ts'] = "export const old = () => fetch('https://api.example.com/old');\n";
    const root = scratch(files);
    try {
      const resolver = createConfigResolver();
      const facts = createProjectFacts(resolver);
      const factsOf = (path: string): ProjectFacts => facts.factsFor(join(root, path), resolver.resolve(join(root, path)));
      assert.equal(factsOf('apps/web/src/lib/m3.ts').unimported, undefined, 'imported through the nested tsconfig alias');
      assert.equal(factsOf('apps/web/src/clients/card.ts').unimported, undefined, 'imported by a .vue component');
      assert.equal(factsOf('packages/clients/src/profile.ts').unimported, undefined, 'imported through the workspace package');
      assert.equal(factsOf('apps/web/src/legacy/old-client.ts').unimported, true);
      facts.update(join(root, 'apps/web/src/legacy/old-client.ts'), files['apps/web/src/legacy/old-client.ts'] ?? '', resolver.resolve(join(root, 'apps/web/src/legacy/old-client.ts')));
      assert.notEqual(factsOf('apps/web/src/legacy/old-client.ts').unimported, true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a Python job whose metadata.yaml says deprecated: true has its findings at info', () => {
    const job = "import requests\n\ndef main():\n    return requests.get('https://api.example.com/rates').json()\n";
    const root = scratch({ '.faultline.json': '{}', 'sql/rates_v1/query.py': job, 'sql/rates_v1/metadata.yaml': 'friendly_name: Rates\ndeprecated: true\n', 'sql/rates_v2/query.py': job, 'sql/rates_v2/metadata.yaml': 'friendly_name: Rates\n' });
    try {
      const run = audit(root, 'audit', 'sql', '--format', 'json', '--severity', 'info', '--no-cache');
      const files = (JSON.parse(run.stdout) as { files: { path: string; findings: { ruleId: string; severity: string; note: string }[] }[] }).files;
      const severities = Object.fromEntries(files.map((file) => [file.path, file.findings.map((finding) => `${finding.ruleId}:${finding.severity}`)]));
      assert.deepEqual(severities, { 'sql/rates_v1/query.py': ['request-without-timeout:info'], 'sql/rates_v2/query.py': ['request-without-timeout:warning'] });
      assert.match(files.find((file) => file.path === 'sql/rates_v1/query.py')?.findings[0]?.note ?? '', /this job no longer runs \(its metadata.yaml says deprecated: true\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a module only a Lambda container image runs has its findings at info, naming the handler', () => {
    const helper = "import requests\n\n\ndef rates():\n    return requests.get('https://rates.example.com').json()\n";
    const root = scratch({
      '.faultline.json': '{}',
      'api/runtime/Dockerfile': 'FROM public.ecr.aws/lambda/python:3.12\nCOPY . ${LAMBDA_TASK_ROOT}\nCMD [ "lambda_function.handler" ]\n',
      'api/runtime/lambda_function.py': 'from mangum import Mangum\nfrom src.main import app\n\nhandler = Mangum(app)\n',
      'api/runtime/src/main.py': 'from fastapi import FastAPI\nfrom src.rates import rates\n\napp = FastAPI()\n',
      'api/runtime/src/rates.py': helper,
      'api/runtime/local.py': 'import uvicorn\nfrom src import main\n\nif __name__ == "__main__":\n    uvicorn.run(main.app)\n',
      'jobs/rates.py': helper,
    });
    try {
      const run = audit(root, 'audit', '.', '--format', 'json', '--severity', 'info', '--no-cache', '--rules', 'request-without-timeout');
      const files = (JSON.parse(run.stdout) as { files: { path: string; findings: { ruleId: string; severity: string; note: string }[] }[] }).files;
      const severities = Object.fromEntries(files.filter((file) => file.findings.length > 0).map((file) => [file.path, file.findings.map((finding) => finding.severity)]));
      assert.deepEqual(severities, { 'api/runtime/src/rates.py': ['info'], 'jobs/rates.py': ['warning'] });
      assert.match(files.find((file) => file.path === 'api/runtime/src/rates.py')?.findings[0]?.note ?? '', /serverless function .*`api\/runtime\/lambda_function\.py`/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the pre-pass reads Python files and the Procfile: a module only a test imports is at info, one the Procfile runs is not', () => {
    const client = "import requests\n\n\ndef fetch(day):\n    return requests.get(f'https://rates.example.com/{day}').json()\n";
    const files: Record<string, string> = { '.faultline.json': '{}', Procfile: 'worker: python -m common.feeds.sync\n' };
    files['dags/nightly.py'] = Array.from({ length: 10 }, (_, index) => `from common.helpers import h${index}`).join('\n') + "\nwith DAG('nightly') as dag:\n    pass\n";
    for (let index = 0; index < 10; index++) files[`dags/common/helpers/h${index}.py`] = `def run_${index}():\n    return ${index}\n`;
    files['dags/common/feeds/sync.py'] = client;
    files['dags/common/legacy/rates.py'] = client;
    files['tests/test_rates.py'] = 'from common.legacy.rates import fetch\n\n\ndef test_fetch():\n    assert fetch\n';
    const root = scratch(files);
    try {
      const run = audit(root, 'audit', 'dags', '--format', 'json', '--severity', 'info', '--no-cache');
      const reported = (JSON.parse(run.stdout) as { files: { path: string; findings: { ruleId: string; severity: string }[] }[] }).files;
      const severities = Object.fromEntries(reported.filter((file) => file.findings.length > 0).map((file) => [file.path, file.findings.map((finding) => `${finding.ruleId}:${finding.severity}`)]));
      assert.deepEqual(severities, { 'dags/common/feeds/sync.py': ['request-without-timeout:warning'], 'dags/common/legacy/rates.py': ['request-without-timeout:info'] });
      // Past the Python budget no Python file is read, so none is taken for unused.
      const resolver = createConfigResolver();
      const dead = join(root, 'dags/common/legacy/rates.py');
      assert.equal(createProjectFacts(resolver).factsFor(dead, resolver.resolve(dead)).unimported, true);
      assert.equal(createProjectFacts(resolver, 5).factsFor(dead, resolver.resolve(dead)).unimported, undefined);
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

test('language server: a module created or deleted outside the editor changes the project facts (watched files)', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'faultline-facts-watch-'));
  mkdirSync(join(workspace, 'src', 'store'), { recursive: true });
  mkdirSync(join(workspace, 'src', 'components'), { recursive: true });
  writeFileSync(join(workspace, 'package.json'), '{ "name": "shop", "private": true }\n');
  const store = "export async function latest() {\n  const response = await fetch('https://example.com/version');\n  return response.json();\n}\n";
  writeFileSync(join(workspace, 'src', 'store', 'version.ts'), store);
  const client = await startServer({ rootPath: workspace });
  try {
    const storeUri = `file://${workspace}/src/store/version.ts`;
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: storeUri, languageId: 'typescript', version: 1, text: store } });
    const before = await client.diagnostics(storeUri, (params) => params.diagnostics.length > 0);
    assert.deepEqual(before.diagnostics.map((diagnostic) => diagnostic.code), ['request-without-timeout']);
    // Registered once the client said `initialized`: sources for their creation and deletion, manifests for any change.
    const watchers = client.registrations.find((registration) => registration.method === 'workspace/didChangeWatchedFiles')?.registerOptions as { watchers: { globPattern: string; kind?: number }[] } | undefined;
    assert.ok(watchers?.watchers.some((watcher) => watcher.globPattern.includes('ts') && watcher.kind === 5), JSON.stringify(client.registrations));
    assert.ok(watchers?.watchers.some((watcher) => watcher.globPattern.includes('package.json') && watcher.kind === undefined));
    // A client component that imports the store appears on disk (a branch checkout, a generator): the store is browser code now.
    const componentPath = join(workspace, 'src', 'components', 'banner.ts');
    writeFileSync(componentPath, "'use client';\nimport { latest } from '../store/version';\nexport function Banner() { void latest(); }\n");
    client.discardDiagnostics(storeUri);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: `file://${componentPath}`, type: 1 }] });
    assert.deepEqual((await client.diagnostics(storeUri, (params) => params.diagnostics.length === 0)).diagnostics, []);
    // And deleted again: the finding is back.
    rmSync(componentPath);
    client.discardDiagnostics(storeUri);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: `file://${componentPath}`, type: 3 }] });
    const after = await client.diagnostics(storeUri, (params) => params.diagnostics.length > 0);
    assert.deepEqual(after.diagnostics.map((diagnostic) => diagnostic.code), ['request-without-timeout']);
  } finally {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
});

describe('project facts: code only a serverless function runs', () => {
  const helper = "import requests\n\n\ndef fetch_rates(day):\n    return requests.get(f'https://rates.example.com/{day}').json()\n";
  const handler = 'from rates.client import fetch_rates\n\n\ndef handler(event, context):\n    return fetch_rates(event["day"])\n';
  const facts = (project: Record<string, string>, complete = true) => {
    const files = new Map<string, FileFacts>();
    for (const [file, text] of Object.entries(project)) {
      files.set(file, /\.(?:py|[cm]?[jt]sx?)$/.test(file) ? extractFileFacts(file, languageOf(file), text, ROLE_SETTINGS) : pythonReferenceFileFacts(file, text));
    }
    return (path: string): ProjectFacts => projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, complete }), path);
  };
  const isEntry = (path: string, text: string): boolean => extractFileFacts(path, languageOf(path), text, ROLE_SETTINGS).lambdaEntry === true;
  const severities = (path: string, text: string, project: ProjectFacts) => {
    const result = lintDocument({ path, languageId: languageOf(path), text, project }, settingsFromConfig(DEFAULT_CONFIG, '2026-12-07'), RULES);
    assert.deepEqual(result.internalErrors, []);
    return result.findings.filter((finding) => finding.ruleId === 'request-without-timeout');
  };

  before(async () => assert.equal(await loadPythonParser(), null));

  test('a helper only a Lambda handler imports: its request-without-timeout finding is info, naming the entry', () => {
    const of = facts({ 'lambdas/rates/main.py': handler, 'lambdas/rates/rates/client.py': helper });
    assert.equal(of('lambdas/rates/main.py').lambdaEntry, 'lambdas/rates/main.py');
    assert.equal(of('lambdas/rates/rates/client.py').lambdaEntry, 'lambdas/rates/main.py');
    const [finding] = severities('lambdas/rates/rates/client.py', helper, of('lambdas/rates/rates/client.py'));
    assert.equal(finding?.severity, 'info');
    assert.match(finding?.note ?? '', /serverless function .*`lambdas\/rates\/main\.py`.*configured timeout/s);
    assert.match(finding?.note ?? '', /API Gateway/);
    // The handler's own calls too.
    const inline = "import requests\n\n\ndef lambda_handler(event, context):\n    return requests.get('https://example.com').json()\n";
    assert.equal(severities('lambdas/ping/main.py', inline, facts({ 'lambdas/ping/main.py': inline })('lambdas/ping/main.py'))[0]?.severity, 'info');
  });

  test('not: the same helper also imported by a Flask app, or named by a Procfile; a test importing it does not count', () => {
    const flask = 'from flask import Flask\nfrom rates.client import fetch_rates\n\napp = Flask(__name__)\n';
    const shared = facts({ 'lambdas/rates/main.py': handler, 'lambdas/rates/rates/client.py': helper, 'web/app.py': flask })('lambdas/rates/rates/client.py');
    assert.equal(shared.lambdaEntry, undefined);
    assert.equal(severities('lambdas/rates/rates/client.py', helper, shared)[0]?.severity, 'warning');
    assert.equal(facts({ 'lambdas/rates/main.py': handler, 'lambdas/rates/rates/client.py': helper, Procfile: 'worker: python -m rates.client\n' })('lambdas/rates/rates/client.py').lambdaEntry, undefined);
    const tested = facts({ 'lambdas/rates/main.py': handler, 'lambdas/rates/rates/client.py': helper, 'tests/test_client.py': 'import pytest\nfrom rates.client import fetch_rates\n\n\ndef test_fetch():\n    assert fetch_rates\n' });
    assert.equal(tested('lambdas/rates/rates/client.py').lambdaEntry, 'lambdas/rates/main.py');
    // A partial read of the project: other importers may be unread, so only entries are known.
    const partial = facts({ 'lambdas/rates/main.py': handler, 'lambdas/rates/rates/client.py': helper }, false);
    assert.equal(partial('lambdas/rates/rates/client.py').lambdaEntry, undefined);
    assert.equal(partial('lambdas/rates/main.py').lambdaEntry, 'lambdas/rates/main.py');
  });

  test('a FastAPI app wrapped by Mangum, and the routers only it imports', () => {
    const app = 'from fastapi import FastAPI\nfrom mangum import Mangum\nfrom runtime.routes import router\n\napp = FastAPI()\napp.include_router(router)\nhandler = Mangum(app)\n';
    const routes = "import requests\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/rates')\ndef rates():\n    return requests.get('https://rates.example.com').json()\n";
    const of = facts({ 'api/runtime/main.py': app, 'api/runtime/routes.py': routes });
    assert.equal(of('api/runtime/routes.py').lambdaEntry, 'api/runtime/main.py');
    assert.equal(severities('api/runtime/routes.py', routes, of('api/runtime/routes.py'))[0]?.severity, 'info');
    // The same app served by uvicorn (no Mangum): a server, its routers are not bounded.
    assert.equal(isEntry('api/runtime/main.py', app.replace('handler = Mangum(app)\n', '')), false);
  });

  test('a Lambda container image: a local runner beside the handler does not make its modules run elsewhere', () => {
    const entry = 'from mangum import Mangum\nfrom src.main import app\n\nhandler = Mangum(app)\n';
    const main = "import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/rates')\ndef rates():\n    return requests.get('https://rates.example.com').json()\n";
    const local = 'import uvicorn\nfrom src import main\n\nif __name__ == "__main__":\n    uvicorn.run(main.app)\n';
    const project = { 'api/runtime/lambda_function.py': entry, 'api/runtime/src/main.py': main, 'api/runtime/local.py': local };
    const dockerfile = 'FROM public.ecr.aws/lambda/python:3.12\nCOPY . ${LAMBDA_TASK_ROOT}\nCMD [ "lambda_function.handler" ]\n';
    assert.equal(facts({ ...project, 'api/runtime/Dockerfile': dockerfile })('api/runtime/src/main.py').lambdaEntry, 'api/runtime/lambda_function.py');
    // Without the image, the runner is another importer; an importer outside the image's folder still is.
    assert.equal(facts(project)('api/runtime/src/main.py').lambdaEntry, undefined);
    assert.equal(facts({ ...project, 'api/runtime/Dockerfile': dockerfile, 'web/server.py': 'from src.main import app\n' })('api/runtime/src/main.py').lambdaEntry, undefined);
    assert.equal(facts({ ...project, 'api/runtime/Dockerfile': dockerfile.replace('public.ecr.aws/lambda/python:3.12', 'python:3.12-slim') })('api/runtime/src/main.py').lambdaEntry, undefined);
  });

  test('JS/TS: an exported (event, context) handler, and what only it imports', () => {
    const client = "import axios from 'axios';\nexport async function profile(id: string) {\n  return (await axios.get(`https://api.example.com/users/${id}`)).data;\n}\n";
    const entry = "import { profile } from './profile';\nexport const handler = async (event, context) => profile(event.id);\n";
    assert.equal(isEntry('src/handler.ts', entry), true);
    assert.equal(isEntry('src/handler.js', "exports.handler = async function (event, context, callback) { callback(null); };\n"), true);
    assert.equal(isEntry('src/handler.ts', 'export async function handler(event: APIGatewayProxyEvent, context: Context) { return { statusCode: 200 }; }\n'), true);
    assert.equal(isEntry('src/handler.ts', "import type { SQSHandler } from 'aws-lambda';\nexport const handler: SQSHandler = async (event) => {};\n"), true);
    const of = facts({ 'src/handler.ts': entry, 'src/profile.ts': client });
    assert.equal(of('src/profile.ts').lambdaEntry, 'src/handler.ts');
    assert.equal(severities('src/profile.ts', client, of('src/profile.ts'))[0]?.severity, 'info');
    const server = "import express from 'express';\nimport { profile } from './profile';\nexpress().get('/p', async (req, res) => res.json(await profile('me')));\n";
    const both = facts({ 'src/handler.ts': entry, 'src/profile.ts': client, 'src/server.ts': server });
    assert.equal(severities('src/profile.ts', client, both('src/profile.ts'))[0]?.severity, 'warning');
  });

  test('calls nothing waits for: after(), waitUntil(), a dropped fetch promise are info, each with its note', () => {
    const none = facts({});
    const judged = (text: string) => severities('src/app/api/orders/route.ts', text, none('src/app/api/orders/route.ts')).map((finding) => ({ severity: finding.severity, note: finding.note ?? '' }));
    const [later] = judged("import { after } from 'next/server';\nexport async function POST() {\n  after(async () => { await fetch('https://a.example.com/hit'); });\n  return new Response('ok');\n}\n");
    assert.equal(later?.severity, 'info');
    assert.match(later?.note ?? '', /nothing waits for this call's answer: it runs in `after\(\)`.*once the response is sent/);
    // Renamed on import, the import still says what it is.
    assert.equal(judged("import { after as afterResponse } from 'next/server';\nexport function GET() { afterResponse(() => fetch('https://a.example.com')); return new Response(''); }\n")[0]?.severity, 'info');
    const [handed] = judged("export default { async fetch(request: Request, env: unknown, ctx: ExecutionContext) { ctx.waitUntil(fetch('https://log.example.com', { method: 'POST' })); return new Response('ok'); } };\n");
    assert.equal(handed?.severity, 'info');
    assert.match(handed?.note ?? '', /handed to `waitUntil\(\)`.*platform's limit/);
    for (const dropped of ["void fetch('https://a.example.com');", "fetch('https://a.example.com').catch(() => {});"]) {
      const [finding] = judged(`export function ping() {\n  ${dropped}\n}\n`);
      assert.equal(finding?.severity, 'info', dropped);
      assert.match(finding?.note ?? '', /promise is dropped.*300 s without response headers or body bytes.*Set a deadline anyway if the call matters/, dropped);
    }
    // Someone waits, or the dropped call has no limit of its own: warnings.
    for (const waited of ['await fetch(url);', 'const pending = fetch(url);\n  await pending;', 'return fetch(url);']) {
      assert.equal(judged(`export async function load(url: string) {\n  ${waited}\n}\n`)[0]?.severity, 'warning', waited);
    }
    assert.equal(judged("import axios from 'axios';\nexport function ping(url: string) {\n  void axios.get(url);\n}\n")[0]?.severity, 'warning');
    assert.equal(judged("function after(step: () => unknown) { return step(); }\nexport async function load() { return after(() => fetch('https://a.example.com')); }\n")[0]?.severity, 'warning');
  });

  test('a call nothing waits for, in code only a serverless function runs: info, with one of the two notes', () => {
    const entry = "export const handler = async (event, context) => { void fetch('https://a.example.com/hit'); return { statusCode: 202 }; };\n";
    const [finding] = severities('src/handler.ts', entry, facts({ 'src/handler.ts': entry })('src/handler.ts'));
    assert.equal(finding?.severity, 'info');
    assert.match(finding?.note ?? '', /serverless function|promise is dropped/);
  });

  test('not an entry: a function named handler without (event, context), a method, a test', () => {
    assert.equal(isEntry('app/handler.py', 'def handler(request):\n    return request\n'), false);
    assert.equal(isEntry('app/handler.py', 'class Job:\n    def handler(self, event, context):\n        return event\n'), false);
    assert.equal(isEntry('src/handler.ts', 'export const handler = async (req, res) => res.end();\n'), false);
    assert.equal(isEntry('src/handler.ts', 'export async function handler(event) { return event; }\n'), false);
    assert.equal(isEntry('src/events.ts', 'function onEvent(event, context) { return event; }\nexport default onEvent;\n'), false);
    assert.equal(isEntry('tests/test_handler.py', 'import pytest\n\n\ndef handler(event, context):\n    return event\n'), false);
  });
});

describe('project facts: modules only tests or scripts import, command-line tools, device apps', () => {
  const client = "import axios from 'axios';\nexport async function profile(id: string) {\n  return (await axios.get(`https://api.example.com/users/${id}`)).data;\n}\n";
  const factsIn = (project: Record<string, string>, path: string, options: { complete?: boolean; packages?: Record<string, string> } = {}): ProjectFacts => {
    const files = new Map<string, FileFacts>();
    for (const [file, text] of Object.entries(project)) files.set(file, extractFileFacts(file, languageOf(file), text, ROLE_SETTINGS));
    const packages = Object.entries(options.packages ?? {}).map(([file, text]) => packageManifestFacts(file, text));
    return projectFactsOf(buildProjectIndex(files, { aliases: DEFAULT_PATH_ALIASES, packages, complete: options.complete ?? true }), path);
  };
  const roleOf = (path: string, text: string, project: ProjectFacts) => detectFileRole(path, languageOf(path), text, ROLE_SETTINGS, project);

  test('a helper only tests import is test code, one only scripts import is a script\'s, through helpers of helpers', () => {
    const helper = 'src/queue/admin.ts';
    const project = {
      [helper]: client,
      'src/queue/worker-helpers.ts': "import { profile } from './admin';\nexport const load = profile;\n",
      'src/queue/queue.test.ts': "import { load } from './worker-helpers';\nimport { profile } from './admin';\ntest('x', () => profile('1'));\n",
      'src/bots/bot-config.ts': client,
      'scripts/setup-bot.ts': "import { profile } from '../src/bots/bot-config';\nprofile('me');\n",
    };
    const admin = factsIn(project, helper);
    assert.deepEqual(admin.importedOnlyBy, { role: 'test', importer: 'src/queue/queue.test.ts' });
    assert.deepEqual(roleOf(helper, client, admin), { role: 'test', source: 'project', reason: 'imported only by tests (src/queue/queue.test.ts)' });
    assert.deepEqual(factsIn(project, 'src/queue/worker-helpers.ts').importedOnlyBy?.role, 'test');
    const botConfig = factsIn(project, 'src/bots/bot-config.ts');
    assert.deepEqual(roleOf('src/bots/bot-config.ts', client, botConfig), { role: 'script', source: 'project', reason: 'imported only by scripts (scripts/setup-bot.ts)' });
    assert.deepEqual(findingsOf(helper, client, admin), []);
    // A barrel inside a package is imported, not started; a package named `plugins` is no plugin folder.
    const barrel = { 'apps/api/src/clients/base-client.ts': client, 'apps/api/src/clients/index.ts': "export * from './base-client';\n", 'apps/api/src/workflow.e2e.ts': "import { expect } from 'chai';\nimport { profile } from './clients';\n" };
    assert.deepEqual(factsIn(barrel, 'apps/api/src/clients/base-client.ts').importedOnlyBy, { role: 'test', importer: 'apps/api/src/clients/index.ts' });
    const plugin = { 'packages/plugins/queue/src/admin.ts': client, 'packages/plugins/queue/src/tests/queue.test.ts': "import { expect } from 'vitest';\nimport { profile } from '../admin';\n" };
    assert.equal(factsIn(plugin, 'packages/plugins/queue/src/admin.ts').importedOnlyBy?.role, 'test');
    assert.equal(factsIn({ ...plugin, 'src/plugins/admin.ts': client, 'src/plugins/admin.test.ts': "import { profile } from './admin';\n" }, 'src/plugins/admin.ts').importedOnlyBy, undefined, 'a plugins/ folder a host loads by place');
  });

  test('a module production code imports too, an entry point, or facts of part of the project keep their role', () => {
    const helper = 'src/queue/admin.ts';
    const test = "import { profile } from './admin';\ntest('x', () => profile('1'));\n";
    assert.equal(factsIn({ [helper]: client, 'src/queue/admin.test.ts': test, 'src/routes/users.ts': "import { profile } from '../queue/admin';\nexport const get = profile;\n" }, helper).importedOnlyBy, undefined);
    assert.equal(factsIn({ 'src/index.ts': client, 'src/index.test.ts': "import { profile } from './index';\n" }, 'src/index.ts').importedOnlyBy, undefined, 'a package\'s own index');
    assert.equal(factsIn({ [helper]: `${client}main();\n`, 'src/queue/queue.test.ts': test }, helper).importedOnlyBy, undefined);
    assert.equal(factsIn({ [helper]: client, 'src/queue/queue.test.ts': test }, helper, { complete: false }).importedOnlyBy, undefined);
    // A module its own unit test imports is a module under test, which a registry may load by its folder.
    assert.equal(factsIn({ [helper]: client, 'src/queue/admin.test.ts': test }, helper).importedOnlyBy, undefined);
    assert.equal(factsIn({ [helper]: client, 'src/queue/__tests__/admin.spec.ts': test.replace('./admin', '../admin') }, helper).importedOnlyBy, undefined);
    // A CLI's `test` command (`commands/test.ts`, a test by its name) runs on its own: what it imports is no test code.
    assert.equal(factsIn({ [helper]: client, 'src/commands/test.ts': "import { profile } from '../queue/admin';\nexport const run = profile;\n" }, helper).importedOnlyBy, undefined);
    // A glob naming every `src/` (a tool's `src/**/*.ts`) says nothing about this folder.
    assert.equal(factsIn({ [helper]: client, 'src/queue/queue.test.ts': test, 'src/build.ts': "export const sources = ['src/**/*.ts'];\n" }, helper).importedOnlyBy?.role, 'test');
    // A folder the project loads by a computed require.
    assert.equal(factsIn({ [helper]: client, 'src/queue/queue.test.ts': test, 'src/boot.ts': "export const load = (name: string) => require(`./queue/${name}`);\n" }, helper).importedOnlyBy, undefined);
    assert.equal(factsIn({ [helper]: client, 'src/queue/queue.test.ts': test }, helper, { packages: { 'package.json': '{ "name": "queue", "main": "src/queue/admin.ts" }' } }).importedOnlyBy, undefined);
    assert.deepEqual(findingsOf(helper, client, factsIn({ [helper]: client, 'src/queue/admin.test.ts': test, 'src/routes/users.ts': "import { profile } from '../queue/admin';\n" }, helper)), ['request-without-timeout']);
  });

  test('a package with a `bin` and a CLI framework is a command-line tool: its warnings are shown at info, unless the config says production', () => {
    assert.equal(packageManifestFacts('apps/cli/package.json', '{ "name": "@acme/cli", "bin": { "acme": "dist/index.mjs" }, "devDependencies": { "commander": "^12.0.0" } }').commandLineTool, true);
    assert.equal(packageManifestFacts('apps/cli/package.json', '{ "name": "@acme/cli", "bin": "dist/index.mjs", "dependencies": { "@clack/prompts": "1" } }').commandLineTool, true);
    // A `bin` alone (a server's start command) or a CLI library without one says nothing.
    assert.equal(packageManifestFacts('apps/api/package.json', '{ "name": "@acme/api", "bin": { "acme-api": "dist/server.js" }, "dependencies": { "express": "4" } }').commandLineTool, undefined);
    assert.equal(packageManifestFacts('apps/api/package.json', '{ "name": "@acme/api", "dependencies": { "yargs": "17" } }').commandLineTool, undefined);
    const packages = { 'apps/cli/package.json': '{ "name": "@acme/cli", "bin": { "acme": "dist/index.mjs" }, "dependencies": { "commander": "^12.0.0" } }', 'package.json': '{ "name": "acme", "private": true }' };
    const project = { 'apps/cli/src/commands/export.ts': client, 'apps/web/src/profile.ts': client };
    const tool = factsIn(project, 'apps/cli/src/commands/export.ts', { packages });
    assert.equal(tool.commandLineTool, '@acme/cli');
    assert.equal(factsIn(project, 'apps/web/src/profile.ts', { packages }).commandLineTool, undefined);
    const settings = settingsFromConfig(DEFAULT_CONFIG, '2026-12-07');
    const quiet = lintDocument({ path: 'apps/cli/src/commands/export.ts', languageId: 'typescript', text: client, project: tool }, settings, RULES);
    assert.deepEqual(quiet.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'info']]);
    assert.match(quiet.findings[0]?.note ?? '', /part of a command-line tool \(@acme\/cli: its package\.json has a `bin` and a CLI framework\)/);
    const unattended = settingsFromConfig({ ...DEFAULT_CONFIG, roles: [{ pattern: 'apps/cli/**', role: 'production' }] }, '2026-12-07');
    const loud = lintDocument({ path: 'apps/cli/src/commands/export.ts', languageId: 'typescript', text: client, project: tool }, unattended, RULES);
    assert.deepEqual(loud.findings.map((finding) => [finding.ruleId, finding.severity]), [['request-without-timeout', 'warning']]);
  });

  test('a package that depends on react-native or expo, or a single-page app\'s build tool, is client code: its JS/TS is browser code', () => {
    assert.equal(packageManifestFacts('apps/mobile/package.json', '{ "name": "mobile", "dependencies": { "expo": "52", "react-native": "0.76" } }').clientApp, 'react-native');
    const packages = { 'apps/mobile/package.json': '{ "name": "mobile", "dependencies": { "react-native": "0.76" } }' };
    const project = { 'apps/mobile/lib/hooks.ts': client, 'apps/api/src/profile.ts': client };
    const mobile = factsIn(project, 'apps/mobile/lib/hooks.ts', { packages });
    assert.deepEqual(roleOf('apps/mobile/lib/hooks.ts', client, mobile), { role: 'browser', source: 'project', reason: 'part of an app that runs on a device (its package.json depends on react-native)' });
    assert.equal(roleOf('apps/api/src/profile.ts', client, factsIn(project, 'apps/api/src/profile.ts', { packages })).role, 'production');
    assert.deepEqual(findingsOf('apps/mobile/lib/hooks.ts', client, mobile), []);
    // A single-page app's build tool: its modules run in the browser, but not a server file beside them.
    const spa = { 'apps/web/package.json': '{ "name": "web", "devDependencies": { "react-app-rewired": "2", "react-scripts": "5" } }' };
    const spaProject = { 'apps/web/src/api/api.client.ts': client, 'apps/web/server.js': "const express = require('express');\nexpress().listen(3000);\n" };
    assert.deepEqual(roleOf('apps/web/src/api/api.client.ts', client, factsIn(spaProject, 'apps/web/src/api/api.client.ts', { packages: spa })).reason, 'part of a single-page app that runs in the browser (its package.json depends on react-scripts)');
    assert.equal(factsIn(spaProject, 'apps/web/server.js', { packages: spa }).clientApp, undefined);
  });
});
