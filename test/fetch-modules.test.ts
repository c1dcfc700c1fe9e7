/**
 * The rules that recognise a fetch call agree on which modules' `fetch` is the Fetch API's
 * (rules/app/helpers/fetch-modules.ts): for each module, a call without a timeout, the same call
 * in a loop, and inside a database transaction are reported by the rule that owns each shape.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDocument, RULES } from '../rules/index';
import { FETCH_MODULES } from '../rules/app/helpers/fetch-modules';

const SETTINGS = { sqlDialect: 'postgresql' as const, reportingTimeZone: 'UTC', rules: {}, today: '2026-01-01' };

function rulesOn(text: string): string[] {
  return [...new Set(lintDocument({ path: 'src/sync.ts', languageId: 'typescript', text }, SETTINGS, RULES).findings.map((finding) => finding.ruleId))].sort();
}

/** How each module's documentation imports its fetch. */
const NAMED_EXPORT = new Set(['undici', 'node-fetch-native', '@whatwg-node/fetch']);

for (const module of FETCH_MODULES) {
  test(`fetch from ${module} is a fetch call to every rule`, () => {
    const text = `import ${NAMED_EXPORT.has(module) ? '{ fetch }' : 'fetch'} from '${module}';
import { Pool } from 'pg';

const pool = new Pool({ max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 10_000 });

export async function syncAll(ids: string[]) {
  for (const id of ids) {
    await fetch(\`https://api.example.com/items/\${id}\`);
  }
}

export async function archive(id: string) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE items SET archived = true WHERE id = $1', [id]);
    await fetch('https://search.internal/reindex', { method: 'POST', signal: AbortSignal.timeout(5_000) });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
`;
    assert.deepEqual(rulesOn(text), ['io-inside-transaction', 'query-in-loop', 'request-without-timeout']);
  });
}

test('request-without-timeout says what each fetch does without a signal: Node\'s own stops after 300 s idle, node-fetch and the like never', () => {
  const messageFor = (header: string): string => {
    const text = `${header}\nexport async function load() {\n  return fetch('https://api.example.com/items');\n}\n`;
    const finding = lintDocument({ path: 'src/load.ts', languageId: 'typescript', text }, SETTINGS, RULES).findings.find((entry) => entry.ruleId === 'request-without-timeout');
    assert.ok(finding !== undefined, header);
    return finding.message;
  };
  assert.match(messageFor(''), /Node's fetch only stops after 300 s/);
  assert.match(messageFor("import { fetch } from 'undici';"), /Node's fetch only stops after 300 s/);
  for (const header of ["import fetch from 'node-fetch';", "import fetch from 'cross-fetch';", "import { fetch } from 'node-fetch-native';"]) {
    const message = messageFor(header);
    assert.match(message, /from (node-fetch|cross-fetch|node-fetch-native) without a `signal` can wait forever/, header);
    assert.doesNotMatch(message, /300 s/, header);
  }
});
