/**
 * The parse floor of bench/audit-speed.ts, run in its own process: read every JavaScript and
 * TypeScript file under a folder and parse it once with the TypeScript parser, on one thread,
 * with parent pointers set (as the engine parses). Nothing is kept between files. No linter that
 * parses these files can go below this on one core; the audit is measured against it.
 *
 *   node out/bench/parse-floor.js CORPUS
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const SCRIPT = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;

export function scriptFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...scriptFiles(path));
    else if (entry.isFile() && SCRIPT.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) found.push(path);
  }
  return found;
}

function main(): void {
  const corpus = process.argv[2];
  if (corpus === undefined) throw new Error('usage: node out/bench/parse-floor.js CORPUS');
  let nodes = 0;
  for (const file of scriptFiles(corpus)) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    nodes += sourceFile.statements.length;
  }
  // Printed so the parse cannot be optimised away.
  process.stdout.write(`${nodes}\n`);
}

if (require.main === module) main();
