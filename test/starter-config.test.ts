/**
 * The first .faultline.json, as `faultline init` and "Faultline: Create Configuration" write it:
 * valid config with no problems, and the SQL dialect of the database client the project names.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, RULES } from '../rules';
import { detectSqlDialect, starterConfigText } from '../server/src/workspace/starter-config';

const ruleMetas = RULES.map((rule) => rule.meta);

test('the starter config is valid and spells out the defaults', () => {
  const parsed = parseConfig(starterConfigText('postgresql'), ruleMetas);
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.config?.sqlDialect, 'postgresql');
  assert.equal(parsed.config?.reportingTimeZone, 'UTC');
  assert.ok(starterConfigText('snowflake').endsWith('}\n'));
});

test('the dialect is the one of the database client package.json depends on', () => {
  const cases: [string, string | null][] = [
    ['{ "dependencies": { "express": "^4", "mysql2": "^3" } }', 'mysql'],
    ['{ "devDependencies": { "better-sqlite3": "^9" } }', 'sqlite'],
    ['{ "dependencies": { "@google-cloud/bigquery": "^7" } }', 'bigquery'],
    ['{ "dependencies": { "mssql": "^10" } }', 'transactsql'],
    // An ORM speaks to several databases: it says nothing by itself.
    ['{ "dependencies": { "knex": "^3" } }', null],
    ['not json', null],
    ['[]', null],
  ];
  const folder = mkdtempSync(join(tmpdir(), 'faultline-starter-'));
  try {
    for (const [manifest, expected] of cases) {
      writeFileSync(join(folder, 'package.json'), manifest);
      assert.equal(detectSqlDialect(folder)[0]?.dialect ?? null, expected, manifest);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
