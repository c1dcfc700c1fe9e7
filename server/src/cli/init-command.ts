/**
 * `faultline init`: writes a starting `.faultline.json` in the current folder, with the SQL
 * dialect read from what the project depends on (a database client in package.json, in Python's
 * requirements or pyproject.toml, or dbt's adapter) and the reporting time zone, and says what it
 * found and why, so a wrong guess is easy to see and correct. File roles are only summarised:
 * they are detected on every run, and writing them down would freeze today's guesses as overrides.
 * Only reads the project's manifests (as text; nothing is run) and never replaces an existing
 * config unless asked to.
 */

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME, type SqlDialect } from '../../../rules/index';
import { DEFAULT_DIALECT, DEFAULT_TIME_ZONE, detectSqlDialect, starterConfigText } from '../workspace/starter-config';
import type { InitOptions } from './args';
import { listFileRoles, summarizeFileRoles } from './roles-command';

/** Writes the config and prints what was found; false (after saying why) when it could not. */
export function runInit(options: InitOptions, cwd: string, print: (text: string) => void, printError: (message: string) => void): boolean {
  const target = join(cwd, CONFIG_FILE_NAME);
  if (existsSync(target) && !options.force) {
    printError(`${CONFIG_FILE_NAME} already exists here; \`faultline init --force\` replaces it.`);
    return false;
  }
  const lines: string[] = [];
  const evidence = detectSqlDialect(cwd);
  const first = evidence[0];
  let dialect: SqlDialect;
  if (options.dialect !== null) {
    dialect = options.dialect;
    lines.push(`sqlDialect: ${dialect} (from --dialect)`);
  } else if (first !== undefined) {
    dialect = first.dialect;
    lines.push(`sqlDialect: ${dialect} (${first.reason})`);
  } else {
    dialect = DEFAULT_DIALECT;
    lines.push(`sqlDialect: ${dialect} (the default: no database client or dbt adapter found in package.json, requirements*.txt, pyproject.toml or dbt_project.yml)`);
    // dbt keeps profiles in ~/.dbt by default, which init does not read: it describes the machine, not the project.
    if (existsSync(join(cwd, 'dbt_project.yml'))) lines.push(`  a dbt project without its profiles.yml here: \`faultline init --force --dialect <your warehouse>\` sets it`);
  }
  const others = evidence.filter((entry) => entry.dialect !== dialect);
  for (const other of others) lines.push(`  but also ${other.dialect}: ${other.reason}; edit sqlDialect if that is the SQL you write`);
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  lines.push(
    options.timeZone === null
      ? `reportingTimeZone: ${timeZone} (the default; set it to the zone your reports' days are meant in, e.g. Europe/Berlin)`
      : `reportingTimeZone: ${timeZone} (from --time-zone)`,
  );
  try {
    writeFileSync(target, starterConfigText(dialect, timeZone));
  } catch (error) {
    printError(`could not write ${target}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  const roles = listFileRoles({ paths: [], format: 'text' }, cwd);
  print(
    [
      `Wrote ${CONFIG_FILE_NAME}:`,
      ...lines.map((line) => `  ${line}`),
      `Roles (detected on every run, not written): ${summarizeFileRoles(roles)} \`faultline roles\` lists them; correct one with "roles" globs.`,
      'Next: `faultline audit`.',
      '',
    ].join('\n'),
  );
  return true;
}
