/**
 * A project's first `.faultline.json`: the SQL dialect read from what the project depends on (a
 * database client in package.json, in Python's requirements or pyproject.toml, or dbt's adapter),
 * with the reasons, and the text of the file. Shared by `faultline init` and the VS Code command
 * "Faultline: Create Configuration". Reads manifests as text (nothing is installed or run) and
 * imports only types from the engine, so the client bundle does not pull it in.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDialect } from '../../../rules/engine/types';

/**
 * Where editors fetch the schema from: a URL, so it resolves without node_modules (and VS Code
 * with the extension installed validates the file by its name anyway, see package.json's
 * jsonValidation).
 */
export const CONFIG_SCHEMA_URL = 'https://raw.githubusercontent.com/faultline/faultline/main/schemas/faultline.schema.json';
export const DEFAULT_DIALECT: SqlDialect = 'postgresql';
export const DEFAULT_TIME_ZONE = 'UTC';
/** Manifests larger than this are not read: they are not hand-written dependency lists. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** npm packages that tell the SQL dialect; knex, Sequelize and TypeORM need one of these drivers too. */
const NPM_DRIVERS: ReadonlyMap<string, SqlDialect> = new Map([
  ['pg', 'postgresql'],
  ['postgres', 'postgresql'],
  ['pg-promise', 'postgresql'],
  ['slonik', 'postgresql'],
  ['@neondatabase/serverless', 'postgresql'],
  ['mysql', 'mysql'],
  ['mysql2', 'mysql'],
  ['mariadb', 'mariadb'],
  ['@google-cloud/bigquery', 'bigquery'],
  ['snowflake-sdk', 'snowflake'],
  ['better-sqlite3', 'sqlite'],
  ['sqlite3', 'sqlite'],
  ['mssql', 'transactsql'],
  ['tedious', 'transactsql'],
  ['@aws-sdk/client-redshift-data', 'redshift'],
]);

/** Python distributions (names compared case-insensitively, `_` as `-`), dbt adapters included. */
const PYTHON_DRIVERS: ReadonlyMap<string, SqlDialect> = new Map([
  ['psycopg2', 'postgresql'],
  ['psycopg2-binary', 'postgresql'],
  ['psycopg', 'postgresql'],
  ['asyncpg', 'postgresql'],
  ['pg8000', 'postgresql'],
  ['pymysql', 'mysql'],
  ['mysqlclient', 'mysql'],
  ['mysql-connector-python', 'mysql'],
  ['aiomysql', 'mysql'],
  ['google-cloud-bigquery', 'bigquery'],
  ['snowflake-connector-python', 'snowflake'],
  ['snowflake-sqlalchemy', 'snowflake'],
  ['pyodbc', 'transactsql'],
  ['pymssql', 'transactsql'],
  ['dbt-bigquery', 'bigquery'],
  ['dbt-snowflake', 'snowflake'],
  ['dbt-postgres', 'postgresql'],
  ['dbt-redshift', 'redshift'],
]);

/** dbt profile `type:` values. */
const DBT_ADAPTERS: ReadonlyMap<string, SqlDialect> = new Map([
  ['bigquery', 'bigquery'],
  ['snowflake', 'snowflake'],
  ['postgres', 'postgresql'],
  ['redshift', 'redshift'],
  ['mysql', 'mysql'],
  ['sqlserver', 'transactsql'],
  ['sqlite', 'sqlite'],
]);

export interface DialectEvidence {
  dialect: SqlDialect;
  /** What said so, e.g. `package.json depends on pg`. */
  reason: string;
}

function readManifest(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > MAX_MANIFEST_BYTES ? null : text;
  } catch {
    return null;
  }
}

function npmEvidence(folder: string): DialectEvidence[] {
  const text = readManifest(join(folder, 'package.json'));
  if (text === null) return [];
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return [];
  }
  const evidence: DialectEvidence[] = [];
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const dependencies = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)[field] : undefined;
    if (typeof dependencies !== 'object' || dependencies === null) continue;
    for (const name of Object.keys(dependencies)) {
      const dialect = NPM_DRIVERS.get(name);
      if (dialect !== undefined) evidence.push({ dialect, reason: `package.json ${field} has ${name}` });
    }
  }
  return evidence;
}

/** The requirement names a requirements file or pyproject.toml mentions, as text: nothing is installed or run. */
function pythonEvidence(folder: string): DialectEvidence[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => /^requirements.*\.(txt|in)$/i.test(name) || name === 'pyproject.toml' || name === 'Pipfile' || name === 'setup.cfg');
  } catch {
    return [];
  }
  const evidence: DialectEvidence[] = [];
  for (const name of names.sort()) {
    const text = readManifest(join(folder, name));
    if (text === null) continue;
    for (const [distribution, dialect] of PYTHON_DRIVERS) {
      // A name as a requirement: at a line start or in quotes, followed by a version, extras, a
      // quote or the end; `-` and `_` are the same in distribution names.
      const pattern = distribution.replace(/-/g, '[-_.]');
      if (new RegExp(`(?:^|["'\\s])${pattern}(?=\\s*(?:[\\[<>=~!;,"']|$))`, 'im').test(text)) evidence.push({ dialect, reason: `${name} requires ${distribution}` });
    }
  }
  return evidence;
}

/** dbt's adapter: the `type:` of the profile dbt_project.yml names, in the project's profiles.yml. */
function dbtEvidence(folder: string): DialectEvidence[] {
  const project = readManifest(join(folder, 'dbt_project.yml'));
  if (project === null) return [];
  const profiles = readManifest(join(folder, 'profiles.yml'));
  if (profiles === null) return [];
  const evidence: DialectEvidence[] = [];
  const profileName = /^profile:\s*['"]?([\w-]+)/m.exec(project)?.[1];
  for (const match of profiles.matchAll(/^\s+type:\s*['"]?([\w-]+)/gm)) {
    const dialect = DBT_ADAPTERS.get((match[1] ?? '').toLowerCase());
    if (dialect !== undefined) evidence.push({ dialect, reason: `profiles.yml has a dbt target of type ${match[1] ?? ''}${profileName === undefined ? '' : ` (dbt_project.yml uses profile ${profileName})`}` });
  }
  return evidence;
}

/**
 * Everything in `folder` that tells the SQL dialect, most telling first: a dbt project's adapter
 * (its SQL is the warehouse's), then the npm drivers, then the Python ones.
 */
export function detectSqlDialect(folder: string): DialectEvidence[] {
  return [...dbtEvidence(folder), ...npmEvidence(folder), ...pythonEvidence(folder)];
}


/** The text of a new `.faultline.json`: the schema's URL, the dialect and the reporting time zone. */
export function starterConfigText(sqlDialect: SqlDialect, reportingTimeZone: string = DEFAULT_TIME_ZONE): string {
  return `${JSON.stringify({ $schema: CONFIG_SCHEMA_URL, sqlDialect, reportingTimeZone }, null, 2)}\n`;
}
