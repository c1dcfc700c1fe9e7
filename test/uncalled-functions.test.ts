/**
 * Functions nothing in their module can call (rules/engine/languages/uncalled-functions.ts): what
 * a rule finds in them is shown at info, with why (#13). Both sides: the dead chain, and every way
 * a function is still reachable.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDocument, RULES, settingsFromConfig, DEFAULT_CONFIG } from '../rules';

const SETTINGS = settingsFromConfig(DEFAULT_CONFIG, '2026-12-07');

/** Each request-without-timeout finding as `<function's first line> <severity>`. */
function requestFindings(text: string, path = 'src/client.ts'): string[] {
  const result = lintDocument({ path, languageId: path.endsWith('.js') ? 'javascript' : 'typescript', text }, SETTINGS, RULES);
  assert.deepEqual(result.internalErrors, []);
  return result.findings.filter((finding) => finding.ruleId === 'request-without-timeout').map((finding) => {
    const lineStart = text.lastIndexOf('\n', finding.range.start) + 1;
    return `${text.slice(lineStart, text.indexOf('(', lineStart))} ${finding.severity}`;
  });
}

describe('functions nothing calls', () => {
  test('an unexported function nobody names, and what only it calls, are shown at info with why', () => {
    const text = [
      "import pRetry from 'p-retry';",
      "async function deleteRows(table: string) { return fetch(`https://api.example.com/${table}`, { method: 'POST' }); }",
      'async function deleteRowsWithRetry(table: string) { return pRetry(() => deleteRows(table), { retries: 3 }); }',
      "function poll() { poll(); return fetch('https://api.example.com/poll'); }",
      '',
    ].join('\n');
    assert.deepEqual(requestFindings(text), ['async function deleteRows info', 'function poll info']);
    const [finding] = lintDocument({ path: 'src/client.ts', languageId: 'typescript', text }, SETTINGS, RULES).findings;
    assert.match(finding?.note ?? '', /`deleteRows` is never called: it is not exported/);
  });

  test('exported, named by other code, a callback, re-exported, in an exported object, CommonJS exports, or in a classic script: still a warning', () => {
    const call = "fetch('https://api.example.com/x')";
    assert.deepEqual(requestFindings(`import x from 'y';\nexport async function load() { return ${call}; }\n`), ['export async function load warning']);
    assert.deepEqual(requestFindings(`import express from 'express';\nconst app = express();\nasync function handler() { return ${call}; }\napp.get('/', handler);\n`), ['async function handler warning']);
    assert.deepEqual(requestFindings(`import x from 'y';\nasync function load() { return ${call}; }\nexport { load };\n`), ['async function load warning']);
    assert.deepEqual(requestFindings(`const x = require('y');\nconst load = async () => ${call};\nmodule.exports = { load };\n`, 'src/client.js'), ['const load = async  warning']);
    assert.deepEqual(requestFindings(`import x from 'y';\nasync function load() { return ${call}; }\nexport default { load };\n`), ['async function load warning']);
    // A page's HTML may call a classic script's globals by name.
    assert.deepEqual(requestFindings(`async function load() { return ${call}; }\n`, 'src/legacy.js'), ['async function load warning']);
    // Two declarations of one name (overloads): not guessed.
    assert.deepEqual(requestFindings(`import x from 'y';\nfunction load(): Promise<Response>;\nfunction load() { return ${call}; }\n`), ['function load warning']);
  });
});

describe('exported functions no module of the project imports (ProjectFacts.unusedExports)', () => {
  const text = [
    "import { db } from './db';",
    "export async function refreshToken(id: string) { return fetch(`https://auth.example.com/refresh/${id}`, { method: 'POST' }); }",
    "export const grantedScopes = async (id: string) => fetch(`https://auth.example.com/scopes/${id}`);",
    "export async function retrieveToken() { return fetch('https://auth.example.com/token', { method: 'POST' }); }",
    'export default function register() { return retrieveToken(); }',
    '',
  ].join('\n');
  const lint = (unusedExports?: string[]) =>
    lintDocument({ path: 'src/paypal/api.ts', languageId: 'typescript', text, project: { httpClientDefaults: [], modelImports: {}, ...(unusedExports !== undefined ? { unusedExports } : {}) } }, SETTINGS, RULES).findings.filter((finding) => finding.ruleId === 'request-without-timeout');

  test('an exported function the project never imports, and code only it calls, are shown at info with why', () => {
    const findings = lint(['refreshToken', 'grantedScopes']);
    assert.deepEqual(findings.map((finding) => finding.severity), ['info', 'info', 'warning']);
    assert.match(findings[0]?.note ?? '', /`refreshToken` is never called: it is exported, but no module of this project imports it/);
  });

  test('not: without the fact, for a name the module calls itself, or for a default export', () => {
    assert.deepEqual(lint().map((finding) => finding.severity), ['warning', 'warning', 'warning']);
    // retrieveToken is named by the default export's body: live whatever the project says.
    assert.deepEqual(lint(['retrieveToken']).map((finding) => finding.severity), ['warning', 'warning', 'warning']);
  });
});
