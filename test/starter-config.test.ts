/**
 * The starter .faultline.json that "Faultline: Create Configuration" writes: valid config with
 * no problems, and the SQL dialect of the database driver package.json names.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, RULES } from '../rules';
import { dialectFromPackageJson, starterConfig } from '../server/src/workspace/starter-config';

const ruleMetas = RULES.map((rule) => rule.meta);

test('the starter config is valid and spells out the defaults', () => {
  const starter = starterConfig(undefined);
  const parsed = parseConfig(starter.text, ruleMetas);
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.config?.sqlDialect, 'postgresql');
  assert.equal(parsed.config?.reportingTimeZone, 'UTC');
  assert.equal(starter.detectedFrom, null);
  assert.ok(starter.text.endsWith('}\n'));
});

test("the dialect is the one of the database driver package.json depends on", () => {
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
  for (const [manifest, expected] of cases) assert.equal(dialectFromPackageJson(manifest)?.sqlDialect ?? null, expected, manifest);
  const starter = starterConfig('{ "dependencies": { "snowflake-sdk": "^1" } }');
  assert.equal(parseConfig(starter.text, ruleMetas).config?.sqlDialect, 'snowflake');
  assert.equal(starter.detectedFrom, 'snowflake-sdk');
});
