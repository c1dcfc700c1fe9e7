/**
 * Real SQL, measured: the share of statements node-sql-parser accepts (per dialect) and the
 * findings every rule raises, on a corpus of real .sql files. Used to keep migrations, functions
 * and DO blocks from producing noise, and to report the parse share in the README.
 *
 *   npm run build && node out/bench/sql-corpus.js [--dialect postgresql] [--show rule-id] DIR...
 *
 * A corpus: PostgreSQL's own SQL (Debian's postgresql package: /usr/share/postgresql/15) and the
 * migrations that npm packages ship (bench/sql-corpus.sh fetches both).
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { computeLineStarts, countParsingStatements, lineOfOffset, lintDocument, RULES, SQL_DIALECTS, type SqlDialect } from '../rules';

function sqlFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sqlFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.sql') && statSync(path).size < 1_000_000) files.push(path);
  }
  return files;
}

function main(): void {
  const args = process.argv.slice(2);
  let dialect: SqlDialect = 'postgresql';
  const show: string[] = [];
  const roots: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? '';
    if (argument === '--dialect') dialect = (SQL_DIALECTS.find((candidate) => candidate === args[++index]) ?? 'postgresql');
    else if (argument === '--show') show.push(args[++index] ?? '');
    else roots.push(argument);
  }
  if (roots.length === 0) {
    console.error('usage: node out/bench/sql-corpus.js [--dialect D] [--show rule-id] DIR...');
    process.exit(2);
  }
  const settings = { sqlDialect: dialect, reportingTimeZone: 'UTC', rules: {}, today: '2026-11-24' };
  let statements = 0;
  let parsed = 0;
  let files = 0;
  const byRule = new Map<string, number>();
  const started = Date.now();
  for (const root of roots) {
    for (const path of sqlFiles(root)) {
      files++;
      const text = readFileSync(path, 'utf8');
      const result = lintDocument({ path, languageId: 'sql', text }, settings, RULES);
      statements += result.stats.sqlStatements;
      parsed += countParsingStatements(text, dialect).parsing;
      for (const error of result.internalErrors) console.log(`INTERNAL ERROR ${error.ruleId} in ${path}: ${error.message.split('\n')[0] ?? ''}`);
      const starts = computeLineStarts(text);
      for (const finding of result.findings) {
        byRule.set(finding.ruleId, (byRule.get(finding.ruleId) ?? 0) + 1);
        if (show.includes(finding.ruleId)) {
          const line = lineOfOffset(starts, finding.range.start);
          console.log(`${relative(root, path)}:${line + 1}: ${finding.ruleId}: ${text.split('\n')[line]?.trim().slice(0, 140) ?? ''}`);
        }
      }
    }
  }
  console.log(`${files} files, ${statements} statements, ${parsed} parsed by node-sql-parser (${dialect}): ${((100 * parsed) / Math.max(1, statements)).toFixed(1)}%, in ${Date.now() - started} ms`);
  for (const [ruleId, count] of [...byRule].sort((a, b) => b[1] - a[1])) console.log(`  ${ruleId.padEnd(30)} ${count}`);
}

main();
