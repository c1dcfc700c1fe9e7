/**
 * The fuzzer's inputs (issue #15), each made from a seeded random source alone, so that (seed,
 * index) names one input for good: mutations of the rules' fixture files, small grammar-based
 * SQL, JS/TS and Python programs, pathological shapes (deep nesting, long chains, unclosed
 * brackets, huge lines, many statements), with a random dialect and a random project path (the
 * path decides the file's role). bench/fuzz.ts runs the checks on them.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageOfPath, type LanguageId, type SqlDialect } from '../rules';

export interface FuzzInput {
  /** How the input was made, for the failure report. */
  kind: string;
  path: string;
  languageId: LanguageId;
  dialect: SqlDialect;
  text: string;
}

export interface Fixture {
  /** rules/<family>/<id>/fixtures/<name> */
  path: string;
  /** The language, from the name without `.fixed`. */
  languageId: LanguageId;
  /** The dialect named in the fixture's name (`flag.mysql.sql`), if any. */
  dialect: SqlDialect | null;
  extension: string;
  text: string;
}

/** A small, fast generator of 32-bit values (mulberry32): the same seed gives the same sequence everywhere. */
export interface Random {
  next(): number;
  below(limit: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function randomFor(seed: number, index: number): Random {
  // Seed and index mixed so that neighbouring indexes start far apart.
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const below = (limit: number): number => Math.floor(next() * limit);
  return {
    next,
    below,
    pick: <T>(items: readonly T[]): T => {
      const item = items[below(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (probability) => next() < probability,
  };
}

/** The dialects the config schema allows, read from the schema so a new dialect is fuzzed at once. */
export function schemaDialects(repoRoot: string): SqlDialect[] {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'faultline.schema.json'), 'utf8')) as { properties: { sqlDialect: { enum: SqlDialect[] } } };
  return schema.properties.sqlDialect.enum;
}

export function readFixtures(repoRoot: string, dialects: readonly SqlDialect[]): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const family of readdirSync(join(repoRoot, 'rules'), { withFileTypes: true })) {
    if (!family.isDirectory() || family.name === 'engine') continue;
    for (const rule of readdirSync(join(repoRoot, 'rules', family.name))) {
      const folder = join(repoRoot, 'rules', family.name, rule, 'fixtures');
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch {
        continue; // helpers/ and files have no fixtures
      }
      for (const name of names) {
        const bare = name.replace(/\.fixed$/, '');
        const languageId = languageOfPath(bare);
        if (languageId === null) continue;
        const parts = bare.split('.');
        const named = parts.length > 2 ? (parts[parts.length - 2] as SqlDialect) : null;
        fixtures.push({
          path: `rules/${family.name}/${rule}/fixtures/${name}`,
          languageId,
          dialect: named !== null && dialects.includes(named) ? named : null,
          extension: bare.slice(bare.lastIndexOf('.')),
          text: readFileSync(join(folder, name), 'utf8'),
        });
      }
    }
  }
  return fixtures;
}

/** Folders that give a file each of the roles the engine knows (roles.ts), and some that give none. */
const FOLDERS = ['src/', 'src/api/', 'lib/', 'app/', 'server/', 'test/', 'tests/', '__tests__/', 'spec/', 'migrations/', 'db/migrate/', 'dags/', 'models/', 'models/staging/', 'scripts/', 'examples/', 'notebooks/', 'dist/', 'generated/', 'components/', 'public/', 'pipelines/', ''];
const STEMS = ['query', 'users', 'report', 'sync_job', 'handler', 'index', 'orders.test', 'test_orders', '0001_init', 'daily_rollup', 'client', 'conftest'];
const EXTENSIONS: Record<LanguageId, readonly string[]> = { sql: ['.sql'], typescript: ['.ts', '.tsx', '.mts'], javascript: ['.js', '.jsx', '.mjs', '.cjs'], python: ['.py'] };

function projectPath(random: Random, extension: string): string {
  return `${random.pick(FOLDERS)}${random.pick(STEMS)}${extension}`;
}

/** What mutations insert: openers and closers of every language's brackets, quotes, comments and substitutions. */
const INSERTIONS = ['(', ')', '[', ']', '{', '}', '`', "'", '"', '${', '#{', '"""', "'''", 'f"', '/*', '*/', '--', '#', '//', '\\', '\n', ';', ',', ' ', '$1', '?', '@', 'async (', '=>', '<', '>', 'SELECT ', ' WHERE ', ' FROM ', 'await ', '\u2028', '\r', '\t', '\0', '\uFEFF', '😀', '\uD800'];

function tokenBounds(text: string, at: number): { start: number; end: number } {
  const isWord = (character: string | undefined): boolean => character !== undefined && /\w/.test(character);
  let start = at;
  let end = at;
  if (!isWord(text[at])) return { start: at, end: Math.min(text.length, at + 1) };
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  return { start, end };
}

/** One random mutation: a byte or token deleted, a delimiter inserted, the text cut mid-token, or a slice duplicated. */
export function mutate(text: string, random: Random): string {
  if (text.length === 0) return random.pick(INSERTIONS);
  const at = random.below(text.length);
  switch (random.below(6)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + random.below(3));
    case 1: {
      const token = tokenBounds(text, at);
      return text.slice(0, token.start) + text.slice(token.end);
    }
    case 2:
    case 3:
      return text.slice(0, at) + random.pick(INSERTIONS) + text.slice(at);
    case 4:
      return text.slice(0, at);
    default: {
      const length = 1 + random.below(Math.min(400, text.length - at));
      const copies = 1 + random.below(random.chance(0.1) ? 50 : 3);
      return text.slice(0, at + length) + text.slice(at, at + length).repeat(copies) + text.slice(at + length);
    }
  }
}

function fromFixture(fixtures: readonly Fixture[], dialects: readonly SqlDialect[], random: Random): FuzzInput {
  const fixture = random.pick(fixtures);
  let text = fixture.text;
  const mutations = 1 + random.below(random.chance(0.2) ? 12 : 4);
  for (let count = 0; count < mutations; count++) text = mutate(text, random);
  return {
    kind: `mutation of ${fixture.path} (${mutations})`,
    path: random.chance(0.3) ? `src/${fixture.path.split('/').pop()?.replace(/\.fixed$/, '') ?? 'a.sql'}` : projectPath(random, fixture.extension),
    languageId: fixture.languageId,
    dialect: fixture.dialect !== null && random.chance(0.7) ? fixture.dialect : random.pick(dialects),
    text,
  };
}

// Grammar-based snippets: small random programs made of the shapes the rules look at.

const TABLES = ['users', 'orders', 'events', 'user_events', 'payments', 'public.accounts', '`proj.ds.tbl`', 'my-project.dataset.table', '"Order Items"', '[dbo].[Logs]'];
const COLUMNS = ['id', 'user_id', 'email', 'created_at', 'updated_at', 'status', 'amount', 'event_type', 'login_time', 'name', 'ts'];

function sqlExpression(random: Random, depth: number): string {
  const column = random.pick(COLUMNS);
  if (depth <= 0) return random.pick([column, '1', "'x'", '$1', '?', ':id', 'NULL', 'NOW()', 'CURRENT_DATE', '@p']);
  const inner = (): string => sqlExpression(random, depth - 1);
  switch (random.below(12)) {
    case 0: return `${inner()} ${random.pick(['=', '<>', '<', '>=', 'LIKE', 'ILIKE', 'IS', 'IN'])} ${inner()}`;
    case 1: return `${random.pick(['DATE', 'LOWER', 'UPPER', 'COALESCE', 'COUNT', 'SUM', 'TRIM', 'DATE_TRUNC'])}(${random.chance(0.3) ? "'day', " : ''}${inner()})`;
    case 2: return `(${inner()})`;
    case 3: return `${inner()} ${random.pick(['AND', 'OR'])} ${inner()}`;
    case 4: return `CASE WHEN ${inner()} THEN ${inner()} ELSE ${inner()} END`;
    case 5: return `${column} IN (SELECT ${random.pick(COLUMNS)} FROM ${random.pick(TABLES)} WHERE ${inner()})`;
    case 6: return `${column} LIKE '%${random.pick(['a', 'x%', '_'])}'`;
    case 7: return `CAST(${inner()} AS ${random.pick(['DATE', 'TIMESTAMP', 'TEXT', 'INT'])})`;
    case 8: return `EXTRACT(${random.pick(['DAY', 'HOUR', 'EPOCH'])} FROM ${inner()})`;
    case 9: return `${inner()} AT TIME ZONE '${random.pick(['UTC', 'America/New_York', 'Europe/Paris'])}'`;
    case 10: return `EXISTS (SELECT 1 FROM ${random.pick(TABLES)} WHERE ${inner()})`;
    default: return `${inner()} ${random.pick(['+', '-', '||', '*'])} ${inner()}`;
  }
}

function sqlStatement(random: Random, depth: number): string {
  const table = random.pick(TABLES);
  const where = random.chance(0.6) ? ` WHERE ${sqlExpression(random, depth)}` : '';
  switch (random.below(9)) {
    case 0:
    case 1:
    case 2: {
      const columns = random.chance(0.3) ? '*' : Array.from({ length: 1 + random.below(3) }, () => sqlExpression(random, depth - 1)).join(', ');
      const join = random.chance(0.3) ? ` ${random.pick(['JOIN', 'LEFT JOIN', ','])} ${random.pick(TABLES)} b${random.chance(0.7) ? ` ON b.id = ${random.pick(COLUMNS)}` : ''}` : '';
      const group = random.chance(0.3) ? ` GROUP BY ${random.pick(['1', 'DATE(created_at)', random.pick(COLUMNS)])}` : '';
      const order = random.chance(0.4) ? ` ORDER BY ${random.pick(['RANDOM()', 'RAND()', 'NEWID()', '1', random.pick(COLUMNS)])}` : '';
      const limit = random.chance(0.4) ? random.pick([' LIMIT 10', ' LIMIT 10 OFFSET 100000', ' OFFSET 5 ROWS FETCH NEXT 5 ROWS ONLY', '']) : '';
      const top = random.chance(0.1) ? 'TOP 5 ' : '';
      return `SELECT ${top}${random.chance(0.2) ? 'DISTINCT ' : ''}${columns} FROM ${table}${join}${where}${group}${order}${limit}`;
    }
    case 3: return `UPDATE ${table} SET ${random.pick(COLUMNS)} = ${sqlExpression(random, depth - 1)}${where}`;
    case 4: return `DELETE FROM ${table}${where}`;
    case 5: return `INSERT INTO ${table} (${random.pick(COLUMNS)}, ${random.pick(COLUMNS)}) ${random.chance(0.5) ? `VALUES (${sqlExpression(random, 0)}, ${sqlExpression(random, 0)})` : sqlStatement(random, depth - 1)}${random.chance(0.3) ? ' ON CONFLICT DO NOTHING' : ''}`;
    case 6: return `WITH recent AS (${sqlStatement(random, depth - 1)}) SELECT * FROM recent${where}`;
    case 7: return random.pick([`CREATE INDEX idx ON ${table} (${random.pick(COLUMNS)})`, `ALTER TABLE ${table} ADD COLUMN c INT NOT NULL`, `DROP TABLE ${table}`, `SET TIME ZONE 'UTC'`, 'BEGIN', 'COMMIT', `TRUNCATE ${table}`]);
    default: return `SELECT ${sqlExpression(random, depth)} FROM ${table} GROUP BY 1 HAVING COUNT(*) > 1`;
  }
}

function sqlProgram(random: Random): string {
  const count = 1 + random.below(6);
  return Array.from({ length: count }, () => `${random.chance(0.1) ? '-- faultline-ignore-next-line full-history-scan: reviewed\n' : ''}${sqlStatement(random, 1 + random.below(3))};`).join(random.pick(['\n', '\n\n', ' ']));
}

/** SQL text that can go inside a JS template or a Python string (no backquote or quote of either). */
function embeddableSql(random: Random): string {
  return sqlStatement(random, 1 + random.below(2)).replace(/[`'"]/g, '');
}

function scriptStatement(random: Random, depth: number): string {
  const sql = embeddableSql(random);
  const body = (): string => (depth <= 0 ? 'return 1;' : Array.from({ length: 1 + random.below(3) }, () => scriptStatement(random, depth - 1)).join('\n  '));
  switch (random.below(14)) {
    case 0: return `const rows = await pool.query(\`${sql}\`);`;
    case 1: return `const rows = await db.query(\`${sql.replace(/\$1|\?|:id/, '${userId}')}\`);`;
    case 2: return `await prisma.$queryRaw\`${sql}\`;`;
    case 3: return `const result = await sql\`${sql}\`;`;
    case 4: return `for (const user of users) {\n  ${random.chance(0.5) ? 'await ' : ''}db.query('${sql}', [user.id]);\n  ${body()}\n}`;
    case 5: return `const response = await ${random.pick(['fetch', 'axios.get', 'axios.post', 'got'])}(${random.pick(['url', "'https://api.example.com/x'", '`${base}/users`'])}${random.chance(0.4) ? ', { timeout: 5000 }' : ''});`;
    case 6: return `await knex('${random.pick(['users', 'orders'])}')${random.pick(['.select()', '.where({ id })', '.del()', '.update({ a: 1 })', ''])};`;
    case 7: return `const query = "${sql.replace(/'x'/, '" + name + "')}";\nawait client.query(query);`;
    case 8: return `if (${random.pick(['user', 'rows.length > 0', 'x === y'])}) {\n  ${body()}\n}`;
    case 9: return `async function handler${random.below(9)}(${random.pick(['req, res', 'userId: string', '{ id }', ''])}) {\n  ${body()}\n}`;
    case 10: return `const day = new Date().toISOString().slice(0, 10);\nconst when = new Date(${random.pick(['', 'Date.now()', "'2024-01-01'"])});`;
    case 11: return `await Promise.all(items.map(async (item) => {\n  ${body()}\n}));`;
    case 12: return `await ${random.pick(['prisma.user.findMany', 'User.findAll', 'repository.find', 'collection.find'])}(${random.chance(0.5) ? '{ where: { id } }' : ''});`;
    default: return `try {\n  ${body()}\n} catch (error) {\n  ${random.pick(['console.log(error);', 'throw error;', ''])}\n}`;
  }
}

function scriptProgram(random: Random, typescript: boolean): string {
  const imports = [
    "import { Pool } from 'pg';",
    "import { PrismaClient, Prisma } from '@prisma/client';",
    "import knex from 'knex';",
    "import axios from 'axios';",
    "import sql from 'sql-template-strings';",
    "const mysql = require('mysql2/promise');",
    "'use client';",
    "import { Kafka } from 'kafkajs';",
  ].filter(() => random.chance(0.4));
  const statements = Array.from({ length: 1 + random.below(6) }, () => scriptStatement(random, 1 + random.below(2)));
  const typed = typescript && random.chance(0.5) ? `interface Row { id: number; email: string }\nexport type Id = Row['id'];\n` : '';
  return `${imports.join('\n')}\n${typed}\nexport async function run(${typescript ? 'userId: string, users: { id: number }[]' : 'userId, users'}) {\n  ${statements.join('\n  ')}\n}\n`;
}

function pythonStatement(random: Random, depth: number, indent: string): string {
  const sql = embeddableSql(random);
  const body = (): string => {
    const inner = `${indent}    `;
    if (depth <= 0) return `${inner}pass`;
    return Array.from({ length: 1 + random.below(3) }, () => `${inner}${pythonStatement(random, depth - 1, inner)}`).join('\n');
  };
  switch (random.below(13)) {
    case 0: return `cursor.execute("${sql}")`;
    case 1: return `cursor.execute(f"${sql.replace(/\$1|\?|:id/, '{user_id}')}")`;
    case 2: return `cursor.execute("${sql.replace(/\$1|\?|:id/, '%s')}" % (user_id,))`;
    case 3: return `session.execute(text("${sql}"))`;
    case 4: return `df = pd.read_sql("${sql}", engine)`;
    case 5: return `spark.sql("""${sql}""")`;
    case 6: return `response = requests.${random.pick(['get', 'post', 'put'])}(url${random.chance(0.4) ? ', timeout=5' : ''})`;
    case 7: return `for row in rows:\n${body()}`;
    case 8: return `now = datetime.${random.pick(['utcnow()', 'now()', 'now(timezone.utc)', 'today()'])}`;
    case 9: return `with conn.cursor() as cursor:\n${body()}`;
    case 10: return `try:\n${body()}\n${indent}except Exception:\n${indent}    pass`;
    case 11: return `if user_id:\n${body()}`;
    default: return `task = PostgresOperator(task_id="t", sql="${sql}", dag=dag)`;
  }
}

function pythonProgram(random: Random): string {
  const imports = [
    'import psycopg2',
    'import requests',
    'import pandas as pd',
    'from sqlalchemy import text',
    'from airflow import DAG',
    'from airflow.providers.postgres.operators.postgres import PostgresOperator',
    'from pyspark.sql import SparkSession',
    'from datetime import datetime, timezone',
    'import boto3',
  ].filter(() => random.chance(0.4));
  const statements = Array.from({ length: 1 + random.below(6) }, () => `    ${pythonStatement(random, 1 + random.below(2), '    ')}`);
  return `${imports.join('\n')}\n\n\ndef run(cursor, user_id, rows, url):\n${statements.join('\n')}\n`;
}

function fromGrammar(dialects: readonly SqlDialect[], random: Random): FuzzInput {
  const languageId = random.pick<LanguageId>(['sql', 'typescript', 'javascript', 'python']);
  let text = languageId === 'sql' ? sqlProgram(random) : languageId === 'python' ? pythonProgram(random) : scriptProgram(random, languageId === 'typescript');
  // Some snippets are also cut or broken, as half-typed code is.
  const broken = random.chance(0.3);
  if (broken) text = mutate(text, random);
  return { kind: `grammar ${languageId}${broken ? ' (mutated once)' : ''}`, path: projectPath(random, random.pick(EXTENSIONS[languageId])), languageId, dialect: random.pick(dialects), text };
}

/** Shapes whose size is what makes them hard: the cost must stay linear in it. */
function pathological(dialects: readonly SqlDialect[], random: Random): FuzzInput {
  const size = random.chance(0.5) ? 1 + random.below(300) : 300 + random.below(2000);
  const shapes: { name: string; languageId: LanguageId; make: () => string }[] = [
    { name: 'nested parentheses (sql)', languageId: 'sql', make: () => `SELECT * FROM t WHERE ${'('.repeat(size)}a = 1${')'.repeat(size)}` },
    { name: 'unclosed parentheses (sql)', languageId: 'sql', make: () => `DELETE FROM t WHERE ${'('.repeat(size)}` },
    { name: 'nested subqueries (sql)', languageId: 'sql', make: () => `SELECT * FROM a WHERE id IN ${'(SELECT id FROM b WHERE id IN '.repeat(Math.min(size, 500))}(1)${')'.repeat(Math.min(size, 500))}` },
    { name: 'long OR chain (sql)', languageId: 'sql', make: () => `SELECT * FROM t WHERE ${Array.from({ length: size }, (_, index) => `a = ${index}`).join(' OR ')}` },
    { name: 'many statements (sql)', languageId: 'sql', make: () => 'SELECT * FROM users WHERE DATE(created_at) = CURRENT_DATE;\n'.repeat(size) },
    { name: 'huge line (sql)', languageId: 'sql', make: () => `SELECT ${'x, '.repeat(size * 20)}y FROM t` },
    { name: 'unclosed string (sql)', languageId: 'sql', make: () => `SELECT '${"a'' ".repeat(size)}` },
    { name: 'nested arrays (ts)', languageId: 'typescript', make: () => `export const a = ${'['.repeat(size)}1${']'.repeat(size)};` },
    { name: 'unclosed calls (js)', languageId: 'javascript', make: () => `import { Pool } from 'pg';\npool.query(${'f('.repeat(size)}` },
    { name: 'member chain (ts)', languageId: 'typescript', make: () => `import { Pool } from 'pg';\nconst v = db${'.a'.repeat(size * 5)}.query(\`SELECT * FROM t\`);` },
    { name: 'then chain (ts)', languageId: 'typescript', make: () => `import axios from 'axios';\naxios.get(url)${'.then((r) => r)'.repeat(size)};` },
    { name: 'string concatenation (ts)', languageId: 'typescript', make: () => `import { Pool } from 'pg';\npool.query("SELECT * FROM t WHERE a = " + ${Array.from({ length: size }, () => 'x').join(' + ')});` },
    { name: 'nested templates (ts)', languageId: 'typescript', make: () => `import { Pool } from 'pg';\npool.query(\`SELECT ${'${`'.repeat(Math.min(size, 200))}x${'`}'.repeat(Math.min(size, 200))} FROM t\`);` },
    // TypeScript's parser takes time exponential in the depth of nested `async` expressions (16
    // levels: seconds; 60: forever): the engine refuses them before the parse past a cost it
    // computes (scriptShapeLimit in rules/engine/languages/typescript.ts). Both sides of that
    // limit, unclosed arrows and closed `async function` expressions (seed 7, index 660).
    { name: 'nested async expressions (ts)', languageId: 'typescript', make: () => (size % 2 === 0 ? `import { Pool } from 'pg';\nconst f = ${'async (a = '.repeat(size % 24)}` : `import pRetry from 'p-retry';\n${'f(async function g(a) {\n'.repeat(size % 24)}${'})'.repeat(size % 24)}\n`) },
    { name: 'many query calls (ts)', languageId: 'typescript', make: () => `import { Pool } from 'pg';\n${'await pool.query(`SELECT * FROM users WHERE id = ${id}`);\n'.repeat(size)}` },
    { name: 'deep blocks (py)', languageId: 'python', make: () => `import requests\n${Array.from({ length: Math.min(size, 90) }, (_, depth) => `${' '.repeat(depth)}if x:`).join('\n')}\n${' '.repeat(Math.min(size, 90))}requests.get(url)\n` },
    { name: 'concatenation (py)', languageId: 'python', make: () => `def f(cursor, x):\n    cursor.execute("SELECT " + ${Array.from({ length: size }, () => 'x').join(' + ')})\n` },
    { name: 'unclosed brackets (py)', languageId: 'python', make: () => `import requests\nrequests.get(${'['.repeat(size)}` },
    { name: 'call chain (py)', languageId: 'python', make: () => `from airflow import DAG\nvalue = f${'()'.repeat(size)}\n` },
    { name: 'many executes (py)', languageId: 'python', make: () => `def f(cursor, rows):\n${'    for row in rows:\n        cursor.execute(f"SELECT * FROM t WHERE id = {row}")\n'.repeat(size)}` },
  ];
  const shape = random.pick(shapes);
  const languageId = shape.languageId;
  return { kind: `pathological: ${shape.name}, size ${size}`, path: projectPath(random, random.pick(EXTENSIONS[languageId])), languageId, dialect: random.pick(dialects), text: shape.make() };
}

/** The input (seed, index) names: the same every time, on every machine. */
export function fuzzInput(seed: number, index: number, fixtures: readonly Fixture[], dialects: readonly SqlDialect[]): FuzzInput {
  const random = randomFor(seed, index);
  const choice = random.next();
  if (choice < 0.5) return fromFixture(fixtures, dialects, random);
  if (choice < 0.85) return fromGrammar(dialects, random);
  return pathological(dialects, random);
}
