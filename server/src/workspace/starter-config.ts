/**
 * The text of a new project's first `.faultline.json`: the defaults written out, so a team sees
 * what it can change, with the SQL dialect guessed from the database driver its package.json
 * depends on. Plain text in, text out: the VS Code command "Faultline: Create Configuration"
 * writes it; a CLI `faultline init` can reuse it. Imports only types, so the client bundle does
 * not pull in the engine.
 */

import type { SqlDialect } from '../../../rules/engine/types';

/**
 * npm packages that speak to exactly one kind of database, and the dialect it uses. Drivers
 * that speak to several (knex, sequelize, typeorm, prisma) say nothing by themselves.
 */
const DIALECT_OF_DRIVER: Record<string, SqlDialect> = {
  pg: 'postgresql',
  'pg-promise': 'postgresql',
  postgres: 'postgresql',
  '@neondatabase/serverless': 'postgresql',
  mysql: 'mysql',
  mysql2: 'mysql',
  mariadb: 'mariadb',
  '@google-cloud/bigquery': 'bigquery',
  'snowflake-sdk': 'snowflake',
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
  mssql: 'transactsql',
  tedious: 'transactsql',
  '@aws-sdk/client-redshift-data': 'redshift',
};

/** Where the dialect came from, for the message the front end shows. */
export interface StarterConfig {
  text: string;
  sqlDialect: SqlDialect;
  /** The package.json dependency the dialect was read from, or null for the default. */
  detectedFrom: string | null;
}

/**
 * The dialect a package.json's dependencies name: the first driver found, in the order the
 * manifest lists them. Unparsable JSON or no known driver give null.
 */
export function dialectFromPackageJson(packageJsonText: string): { sqlDialect: SqlDialect; driver: string } | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(packageJsonText);
  } catch {
    return null;
  }
  if (typeof manifest !== 'object' || manifest === null) return null;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const dependencies = (manifest as Record<string, unknown>)[field];
    if (typeof dependencies !== 'object' || dependencies === null) continue;
    for (const name of Object.keys(dependencies)) {
      const sqlDialect = DIALECT_OF_DRIVER[name];
      if (sqlDialect !== undefined) return { sqlDialect, driver: name };
    }
  }
  return null;
}

/** The starter config for a folder whose package.json reads `packageJsonText` (undefined: none). */
export function starterConfig(packageJsonText: string | undefined): StarterConfig {
  const detected = packageJsonText === undefined ? null : dialectFromPackageJson(packageJsonText);
  const sqlDialect = detected?.sqlDialect ?? 'postgresql';
  const config = {
    sqlDialect,
    reportingTimeZone: 'UTC',
    ignore: [],
    rules: {},
  };
  return { text: `${JSON.stringify(config, null, 2)}\n`, sqlDialect, detectedFrom: detected?.driver ?? null };
}
