/**
 * Which calls in a JS/TS file reach a database, a cache, an HTTP server or the file system, as far
 * as the file itself can tell. A receiver counts when it resolves (through bindings.ts, a typed
 * parameter or a typed class member) to a value made by a known library: a pg `Pool`, a mysql2
 * pool, a knex instance, a Sequelize model, a TypeORM repository, a Prisma client, a Mongoose
 * model, a Redis client, axios, got or fetch. Well-known receiver names (`pool`, `prisma`,
 * `userRepository`, `User` ...) count only when the file imports the matching library; anything
 * else is unknown and the rules that ask stay silent.
 *
 * Shared by query-in-loop, unbounded-find and unbounded-concurrency, so the three agree on what a
 * query is and on which arrays are small enough not to matter.
 */

import { nodesOfKind, ts, walkScript } from '../../engine/languages/typescript';
import { importOf, word, type PrefilterTerm } from '../../engine/prefilter';
import { unwrapExpression, type FileBindings } from './bindings';
import { FETCH_MODULES } from './fetch-modules';
import type { OrmLibrary } from '../../engine/types';

/** What a value is, for the libraries the rules speak about. */
export type ValueKind =
  | 'pg'
  | 'mysql'
  | 'knex'
  | 'sequelize'
  | 'sequelizeModel'
  | 'typeormRepository'
  | 'typeormManager'
  | 'typeormDataSource'
  | 'typeormEntity'
  | 'prismaClient'
  | 'prismaDelegate'
  | 'mongooseModel'
  | 'redis'
  | 'redbean'
  | 'axios'
  | 'got';

/** The library behind a call, named the way messages name it. */
export type Library = 'pg' | 'mysql2' | 'knex' | 'sequelize' | 'typeorm' | 'prisma' | 'mongoose' | 'redbean' | 'redis' | 'axios' | 'got' | 'fetch' | 'fs';

/** read: loads rows; write: changes rows; other: a query whose SQL text is not known. */
export type Operation = 'read' | 'write' | 'other';

export interface DataCall {
  /** The call that does the I/O (for knex and query builders, the outermost call of the chain). */
  call: ts.CallExpression;
  library: Library;
  channel: 'database' | 'cache' | 'http' | 'fs';
  operation: Operation;
  /** The method called (`findUnique`, `query`, `get`, `readFile`), or the library name for `fetch(...)` / `knex(...)`. */
  method: string;
  /** For SQL-text calls (`pool.query(text, values)`): the SQL text argument. */
  sqlText: ts.Expression | null;
}

const MODULE_ALIASES: Record<string, string> = {
  'pg-pool': 'pg',
  'mysql2/promise': 'mysql2',
  mysql: 'mysql2',
  'node:fs/promises': 'fs/promises',
  'node:fs': 'fs',
};

/** The module a binding comes from, with aliases folded (`mysql2/promise` is `mysql2`). */
function canonicalModule(module: string): string {
  return MODULE_ALIASES[module] ?? module;
}

/** Constructors and factories whose result is a known kind of value: module → export → kind. */
const CONSTRUCTORS: Record<string, Record<string, ValueKind>> = {
  pg: { Pool: 'pg', Client: 'pg', default: 'pg' },
  ioredis: { default: 'redis', Redis: 'redis', Cluster: 'redis' },
  sequelize: { Sequelize: 'sequelize', default: 'sequelize' },
  typeorm: { DataSource: 'typeormDataSource', EntityManager: 'typeormManager' },
  '@prisma/client': { PrismaClient: 'prismaClient' },
};

const FACTORIES: Record<string, Record<string, ValueKind>> = {
  mysql2: { createPool: 'mysql', createConnection: 'mysql', createPoolCluster: 'mysql' },
  redis: { createClient: 'redis', createCluster: 'redis' },
  mongoose: { model: 'mongooseModel' },
  knex: { default: 'knex', knex: 'knex', Knex: 'knex' },
  axios: { create: 'axios' },
  got: { extend: 'got' },
};

/** Objects a module exports ready to use (`const { R } = require('redbean-node')`), module → export → kind. */
const MODULE_OBJECTS: Record<string, Record<string, ValueKind>> = {
  'redbean-node': { R: 'redbean' },
};

/** Type names in annotations (`client: PoolClient`, `repo: Repository<User>`), module → type → kind. */
const TYPES: Record<string, Record<string, ValueKind>> = {
  pg: { Pool: 'pg', PoolClient: 'pg', Client: 'pg', ClientBase: 'pg' },
  mysql2: { Pool: 'mysql', PoolConnection: 'mysql', Connection: 'mysql' },
  knex: { Knex: 'knex' },
  typeorm: { Repository: 'typeormRepository', TreeRepository: 'typeormRepository', MongoRepository: 'typeormRepository', EntityManager: 'typeormManager', DataSource: 'typeormDataSource' },
  '@prisma/client': { PrismaClient: 'prismaClient', Prisma: 'prismaClient' },
  ioredis: { Redis: 'redis', default: 'redis' },
  redis: { RedisClientType: 'redis' },
  sequelize: { Sequelize: 'sequelize' },
  mongoose: { Model: 'mongooseModel' },
  axios: { AxiosInstance: 'axios' },
  got: { Got: 'got' },
};

/** Classes a model or entity extends (`class User extends Model`), module → export → kind. */
const BASE_CLASSES: Record<string, Record<string, ValueKind>> = {
  sequelize: { Model: 'sequelizeModel' },
  'sequelize-typescript': { Model: 'sequelizeModel' },
  typeorm: { BaseEntity: 'typeormEntity' },
};

/** Methods that issue a query, per kind, with what they do. */
const SEQUELIZE_MODEL_METHODS: Record<string, Operation> = {
  findAll: 'read', findOne: 'read', findByPk: 'read', findAndCountAll: 'read', count: 'read', max: 'read', min: 'read', sum: 'read', aggregate: 'read',
  findOrCreate: 'write', create: 'write', update: 'write', destroy: 'write', upsert: 'write', increment: 'write', decrement: 'write',
};
const TYPEORM_METHODS: Record<string, Operation> = {
  find: 'read', findBy: 'read', findOne: 'read', findOneBy: 'read', findOneOrFail: 'read', findOneByOrFail: 'read', findAndCount: 'read', findAndCountBy: 'read',
  count: 'read', countBy: 'read', exists: 'read', existsBy: 'read', sum: 'read', average: 'read', minimum: 'read', maximum: 'read',
  save: 'write', insert: 'write', update: 'write', delete: 'write', remove: 'write', upsert: 'write', softDelete: 'write', softRemove: 'write', restore: 'write', increment: 'write', decrement: 'write',
  query: 'other',
};
const PRISMA_DELEGATE_METHODS: Record<string, Operation> = {
  findUnique: 'read', findUniqueOrThrow: 'read', findFirst: 'read', findFirstOrThrow: 'read', findMany: 'read', count: 'read', aggregate: 'read', groupBy: 'read',
  create: 'write', update: 'write', upsert: 'write', delete: 'write', updateMany: 'write', deleteMany: 'write',
};
const PRISMA_CLIENT_METHODS: Record<string, Operation> = { $queryRawUnsafe: 'other', $executeRawUnsafe: 'write', $queryRaw: 'other', $executeRaw: 'write' };
const MONGOOSE_MODEL_METHODS: Record<string, Operation> = {
  find: 'read', findOne: 'read', findById: 'read', countDocuments: 'read', exists: 'read', distinct: 'read', aggregate: 'read',
  create: 'write', updateOne: 'write', updateMany: 'write', deleteOne: 'write', deleteMany: 'write', replaceOne: 'write',
  findOneAndUpdate: 'write', findByIdAndUpdate: 'write', findOneAndDelete: 'write', findByIdAndDelete: 'write', findOneAndReplace: 'write',
};
/**
 * redbean-node's `R`: each of these runs a statement. `dispense`, `convertToBeans` and the date
 * helpers do not. The SQL-text methods (`getAll`, `exec` ...) take the statement first; `find`,
 * `findOne`, `count` take a table and a WHERE fragment.
 */
const REDBEAN_SQL_METHODS = new Set(['getAll', 'getRow', 'getCol', 'getCell', 'getAssoc', 'exec']);
const REDBEAN_METHODS: Record<string, Operation> = {
  find: 'read', findOne: 'read', findAll: 'read', load: 'read', count: 'read', store: 'write', trash: 'write', trashAll: 'write',
};
const REDIS_READS = new Set(['get', 'hget', 'hgetall', 'hmget', 'exists', 'smembers', 'sismember', 'zrange', 'zscore', 'zrangebyscore', 'lrange', 'ttl', 'scard', 'zcard', 'llen', 'json.get']);
const REDIS_WRITES = new Set(['set', 'setex', 'hset', 'hmset', 'hdel', 'del', 'incr', 'incrby', 'decr', 'expire', 'sadd', 'srem', 'zadd', 'zrem', 'lpush', 'rpush', 'publish', 'xadd', 'getdel', 'getset', 'hincrby']);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'postForm', 'putForm', 'patchForm']);
const WRITE_HTTP_METHODS = new Set(['post', 'put', 'patch', 'delete', 'postForm', 'putForm', 'patchForm']);
/** Methods that end a knex or TypeORM query-builder chain with a write. */
const BUILDER_WRITES = new Set(['insert', 'update', 'del', 'delete', 'upsert', 'increment', 'decrement', 'truncate', 'merge', 'onConflict', 'execute', 'softDelete', 'restore']);
const TYPEORM_BUILDER_ENDS = new Set(['getOne', 'getMany', 'getRawOne', 'getRawMany', 'getCount', 'getOneOrFail', 'getManyAndCount', 'execute', 'getExists', 'stream']);
const FS_PROMISE_METHODS = new Set(['readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'access', 'open', 'cp', 'readlink', 'realpath', 'chmod', 'utimes', 'truncate', 'symlink']);

/** Receiver names taken at their word when the file imports the library (and only then). */
const WELL_KNOWN_NAMES: { pattern: RegExp; modules: string[]; kind: ValueKind }[] = [
  { pattern: /^(pool|pgPool|client|pgClient|db|conn|connection|tx|trx)$/, modules: ['pg'], kind: 'pg' },
  { pattern: /^(pool|db|conn|connection|mysqlPool)$/, modules: ['mysql2'], kind: 'mysql' },
  { pattern: /^(knex|db|trx|tx)$/, modules: ['knex'], kind: 'knex' },
  { pattern: /^(prisma|prismaClient|tx)$/, modules: ['@prisma/client'], kind: 'prismaClient' },
  { pattern: /^(repo|repository|\w+Repository|\w+Repo)$/, modules: ['typeorm'], kind: 'typeormRepository' },
  { pattern: /^(manager|entityManager|transactionalEntityManager)$/, modules: ['typeorm'], kind: 'typeormManager' },
  { pattern: /^(dataSource|appDataSource|AppDataSource|connection)$/, modules: ['typeorm'], kind: 'typeormDataSource' },
  { pattern: /^(sequelize)$/, modules: ['sequelize', 'sequelize-typescript'], kind: 'sequelize' },
  { pattern: /^(redis|redisClient)$/, modules: ['ioredis', 'redis'], kind: 'redis' },
];

/**
 * What a file needs for a database, cache or HTTP call in it to be known here: an import of one
 * of the libraries above, or the word `fetch`. The prefilter of every rule built on this helper;
 * a rule that also counts file-system calls adds FILE_SYSTEM_PREFILTER.
 */
export const DATA_ACCESS_PREFILTER: readonly PrefilterTerm[] = [
  importOf(...new Set([...Object.keys(CONSTRUCTORS), ...Object.keys(FACTORIES), ...Object.keys(MODULE_OBJECTS), ...Object.keys(TYPES), ...Object.keys(BASE_CLASSES), ...WELL_KNOWN_NAMES.flatMap((entry) => entry.modules), ...FETCH_MODULES, 'pg-pool', 'mysql'])),
  word('fetch'),
];

/** What a file needs for a file-system call in it to be known here. */
export const FILE_SYSTEM_PREFILTER: PrefilterTerm = importOf('fs', 'fs-extra');

/** Per-file facts this helper needs beyond bindings: classes and the names bound to `fetch`. */
interface FileFacts {
  /** Class name → the kind its base class gives it (`class User extends Model`). */
  classes: Map<string, ValueKind>;
  /** Class name → the base class expression, to resolve NestJS-style `extends PrismaClient`. */
  localFetch: boolean;
  modules: Set<string>;
}

const factsCache = new WeakMap<ts.SourceFile, FileFacts>();

/** The kinds of node factsOf reads (classes, and what can declare a local `fetch`); the rest are passed over. */
const FACT_KINDS: readonly ts.SyntaxKind[] = [
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.Parameter,
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.BindingElement,
];

function factsOf(bindings: FileBindings): FileFacts {
  const cached = factsCache.get(bindings.sourceFile);
  if (cached !== undefined) return cached;
  const modules = new Set<string>();
  for (const module of bindings.modules) modules.add(canonicalModule(module));
  const classes = new Map<string, ValueKind>();
  let localFetch = false;
  // Kind by kind: neither fact depends on the order of the nodes.
  for (const node of FACT_KINDS.flatMap((kind) => nodesOfKind(bindings.sourceFile, kind))) {
    if (ts.isClassDeclaration(node) && node.name !== undefined) {
      for (const clause of node.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        const base = clause.types[0]?.expression;
        const imported = base === undefined ? null : bindings.resolveImport(base);
        const kind = imported === null ? undefined : BASE_CLASSES[canonicalModule(imported.module)]?.[imported.exportName];
        if (kind !== undefined) classes.set(node.name.text, kind);
        if (imported !== null && canonicalModule(imported.module) === '@prisma/client' && imported.exportName === 'PrismaClient') classes.set(node.name.text, 'prismaClient');
      }
    }
    // A local `fetch` (a parameter, a function, a variable) is not the global one.
    if ((ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isBindingElement(node)) && node.name !== undefined && ts.isIdentifier(node.name) && node.name.text === 'fetch') localFetch = true;
  }
  const facts: FileFacts = { classes, localFetch, modules };
  factsCache.set(bindings.sourceFile, facts);
  return facts;
}

/** True when the file imports or requires the module (aliases folded). */
export function importsModule(bindings: FileBindings, module: string): boolean {
  return factsOf(bindings).modules.has(module);
}

/** The type name an annotation refers to (`Repository<User>` → Repository, `Knex.Transaction` → Knex). */
function typeReferenceName(type: ts.TypeNode | undefined): string | null {
  if (type === undefined || !ts.isTypeReferenceNode(type)) return null;
  let name: ts.EntityName = type.typeName;
  while (ts.isQualifiedName(name)) name = name.left;
  return name.text;
}

function kindOfTypeName(bindings: FileBindings, typeName: string | null): ValueKind | null {
  if (typeName === null) return null;
  const facts = factsOf(bindings);
  const local = facts.classes.get(typeName);
  if (local !== undefined) return local;
  const imported = bindings.importOf(typeName);
  if (imported === null) return null;
  return TYPES[canonicalModule(imported.module)]?.[imported.exportName] ?? null;
}

/** The annotated type of a parameter named `name` in the functions around `from`. */
function parameterType(from: ts.Node, name: string): ts.TypeNode | undefined | null {
  let current: ts.Node | undefined = from.parent;
  while (current !== undefined) {
    if (ts.isFunctionLike(current)) {
      for (const parameter of current.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name) return parameter.type;
      }
    }
    current = current.parent;
  }
  return null;
}

/** The annotated type of a class member `this.name` (a property or a constructor parameter property). */
function memberType(from: ts.Node, name: string): ts.TypeNode | undefined | null {
  let current: ts.Node | undefined = from.parent;
  while (current !== undefined && !ts.isClassLike(current)) current = current.parent;
  if (current === undefined) return null;
  for (const member of current.members) {
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member.type;
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name && parameter.modifiers !== undefined) return parameter.type;
      }
    }
  }
  return null;
}

function wellKnownKind(bindings: FileBindings, name: string): ValueKind | null {
  const facts = factsOf(bindings);
  for (const entry of WELL_KNOWN_NAMES) {
    if (entry.pattern.test(name) && entry.modules.some((module) => facts.modules.has(module))) return entry.kind;
  }
  return null;
}

/**
 * A callee without wrappers, including the `(0, module_1.name)(...)` form TypeScript and Babel
 * emit for imported functions, so compiled packages read like their sources.
 */
export function unwrapCallee(expression: ts.Expression): ts.Expression {
  let current = unwrapExpression(expression);
  while (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.CommaToken) current = unwrapExpression(current.right);
  return current;
}

/** The kind of a model of each ORM. */
const MODEL_KINDS: Record<OrmLibrary, ValueKind> = { sequelize: 'sequelizeModel', mongoose: 'mongooseModel', typeorm: 'typeormEntity' };

/** A module of the project itself (`./models`, `@/db`, `~/lib/prisma`), not a package. */
function isProjectModule(module: string): boolean {
  return module.startsWith('.') || module.startsWith('@/') || module.startsWith('~/') || module.startsWith('#') || module.startsWith('src/');
}

/** `require('knex')(config)`: the call of a required module. */
function requiredModuleCall(expression: ts.Expression): string | null {
  const callee = unwrapExpression(expression);
  if (!ts.isCallExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'require') return null;
  const argument = callee.arguments[0];
  return argument !== undefined && ts.isStringLiteral(argument) ? canonicalModule(argument.text) : null;
}

/**
 * What a value is (a pg pool, a Prisma model delegate ...), or null when the file cannot tell.
 * `depth` bounds the recursion through `a.b.c` receivers.
 */
export function valueKind(bindings: FileBindings, expression: ts.Expression, depth = 0): ValueKind | null {
  if (depth > 6) return null;
  const written = unwrapExpression(expression);
  // `this.userRepository`: a typed class member, or a well-known name.
  if (ts.isPropertyAccessExpression(written) && written.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const name = written.name.text;
    const typed = memberType(written, name);
    const kind = typed === null ? null : kindOfTypeName(bindings, typeReferenceName(typed));
    return kind ?? wellKnownKind(bindings, name);
  }
  const value = bindings.origin(written);
  if (ts.isIdentifier(value)) {
    const name = value.text;
    const local = factsOf(bindings).classes.get(name);
    if (local !== undefined) return local;
    const imported = bindings.importOf(name);
    if (imported !== null) {
      const module = canonicalModule(imported.module);
      if (module === 'axios' && imported.exportName === 'default') return 'axios';
      if (module === 'got' && (imported.exportName === 'default' || imported.exportName === 'got')) return 'got';
      if (module === 'knex' && imported.exportName !== 'Knex') return null;
      const object = MODULE_OBJECTS[module]?.[imported.exportName];
      if (object !== undefined) return object;
    }
    const typed = parameterType(value, name);
    if (typed !== null && typed !== undefined) return kindOfTypeName(bindings, typeReferenceName(typed));
    // A module the project's pre-pass found to export ORM models, through a barrel or an alias.
    const projectModels = imported === null ? undefined : bindings.modelImports[imported.module];
    const fromProject = imported !== null && (projectModels !== undefined || isProjectModule(imported.module));
    if (imported !== null && !fromProject) return null;
    const known = wellKnownKind(bindings, name);
    if (known !== null) return known;
    // `User.findAll()`: a PascalCase model imported from the project, from a module that exports
    // models, or in a file that imports an ORM itself.
    if (fromProject && /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/.test(name)) {
      if (projectModels !== undefined) return MODEL_KINDS[projectModels];
      const facts = factsOf(bindings);
      if (facts.modules.has('sequelize') || facts.modules.has('sequelize-typescript')) return 'sequelizeModel';
      if (facts.modules.has('mongoose')) return 'mongooseModel';
      if (facts.modules.has('typeorm')) return 'typeormEntity';
    }
    return null;
  }
  if (ts.isNewExpression(value)) {
    const imported = bindings.resolveImport(value.expression);
    if (imported !== null) return CONSTRUCTORS[canonicalModule(imported.module)]?.[imported.exportName] ?? null;
    const required = requiredModuleCall(value.expression);
    if (required === 'pg') return 'pg';
    if (ts.isIdentifier(value.expression)) return factsOf(bindings).classes.get(value.expression.text) === 'prismaClient' ? 'prismaClient' : null;
    return null;
  }
  if (ts.isCallExpression(value)) {
    const imported = bindings.resolveImport(value.expression);
    if (imported !== null) {
      const kind = FACTORIES[canonicalModule(imported.module)]?.[imported.exportName];
      if (kind !== undefined) return kind;
    }
    const required = requiredModuleCall(value.expression);
    if (required === 'knex') return 'knex';
    const callee = unwrapExpression(value.expression);
    if (!ts.isPropertyAccessExpression(callee)) return null;
    const method = callee.name.text;
    const receiver = valueKind(bindings, callee.expression, depth + 1);
    if (receiver === 'pg' && method === 'connect') return 'pg';
    if (receiver === 'mysql' && (method === 'getConnection' || method === 'promise')) return 'mysql';
    if (receiver === 'axios' && method === 'create') return 'axios';
    if (receiver === 'got' && method === 'extend') return 'got';
    if (receiver === 'sequelize' && method === 'define') return 'sequelizeModel';
    if (receiver === 'redis' && method === 'duplicate') return 'redis';
    if (method === 'getRepository' || method === 'getTreeRepository' || method === 'getMongoRepository' || method === 'withRepository') {
      if (receiver === 'typeormDataSource' || receiver === 'typeormManager' || factsOf(bindings).modules.has('typeorm')) return 'typeormRepository';
    }
    if (method === 'model' && receiver === null && ts.isIdentifier(callee.expression)) {
      const base = bindings.importOf(callee.expression.text);
      if (base !== null && canonicalModule(base.module) === 'mongoose') return 'mongooseModel';
    }
    return null;
  }
  if (ts.isPropertyAccessExpression(value)) {
    const receiver = valueKind(bindings, value.expression, depth + 1);
    if (receiver === 'typeormDataSource' && value.name.text === 'manager') return 'typeormManager';
    if (receiver === 'prismaClient' && !value.name.text.startsWith('$')) return 'prismaDelegate';
    return null;
  }
  return null;
}

/** The leading keyword of a SQL text that the file spells out, or null when it is not known. */
function leadingKeyword(bindings: FileBindings, text: ts.Expression | undefined): string | null {
  if (text === undefined) return null;
  let value = bindings.origin(text);
  if (ts.isObjectLiteralExpression(value)) {
    // mysql2's `query({ sql, values })`, pg's `query({ text, values })`.
    const property = value.properties.find((candidate) => ts.isPropertyAssignment(candidate) && ts.isIdentifier(candidate.name) && (candidate.name.text === 'sql' || candidate.name.text === 'text'));
    if (property === undefined || !ts.isPropertyAssignment(property)) return null;
    value = bindings.origin(property.initializer);
  }
  let raw: string | null = null;
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) raw = value.text;
  else if (ts.isTemplateExpression(value)) raw = value.head.text;
  if (raw === null) return null;
  const match = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\(?\s*([A-Za-z]+)/.exec(raw);
  return match?.[1]?.toUpperCase() ?? null;
}

const SQL_READS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW']);
const SQL_WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'UPSERT', 'REPLACE', 'MERGE']);

/** What a SQL-text call does: null for statements that are not per-row work (BEGIN, SET, DDL, LOCK ...). */
function sqlOperation(bindings: FileBindings, text: ts.Expression | undefined): Operation | null {
  if (text === undefined) return null;
  const keyword = leadingKeyword(bindings, text);
  if (keyword === null) return 'other';
  if (SQL_READS.has(keyword)) return 'read';
  if (SQL_WRITES.has(keyword)) return 'write';
  return null;
}

/** The names of the calls in a chain, outermost first: `db('t').where(...).first()` → first, where. */
export function chainMethods(call: ts.CallExpression): { names: string[]; root: ts.Expression } {
  const names: string[] = [];
  let current: ts.Expression = call;
  for (;;) {
    const unwrapped = unwrapExpression(current);
    if (ts.isCallExpression(unwrapped) && ts.isPropertyAccessExpression(unwrapped.expression)) {
      names.push(unwrapped.expression.name.text);
      current = unwrapped.expression.expression;
      continue;
    }
    if (ts.isPropertyAccessExpression(unwrapped)) {
      names.push(unwrapped.name.text);
      current = unwrapped.expression;
      continue;
    }
    return { names, root: unwrapped };
  }
}

/** The call a chain starts from: `knex('t')` in `knex('t').where(...)`, `X.createQueryBuilder()` in a builder chain. */
function innermostCall(call: ts.CallExpression): ts.CallExpression {
  let current: ts.CallExpression = call;
  for (;;) {
    const callee = unwrapExpression(current.expression);
    if (!ts.isPropertyAccessExpression(callee)) return current;
    const inner = unwrapExpression(callee.expression);
    if (!ts.isCallExpression(inner)) return current;
    current = inner;
  }
}

/** What a called identifier is: `db('users')` can only be knex when `db` is a well-known knex name. */
function callableKind(bindings: FileBindings, callee: ts.Identifier): ValueKind | null {
  const kind = valueKind(bindings, callee);
  if (kind === 'knex') return kind;
  const value = bindings.origin(callee);
  if (!ts.isIdentifier(value)) return kind;
  const imported = bindings.importOf(value.text);
  if (imported !== null && !isProjectModule(imported.module)) return kind;
  return factsOf(bindings).modules.has('knex') && /^(knex|db|trx|tx)$/.test(value.text) ? 'knex' : kind;
}

/** A call on a known receiver, by the receiver's kind and the method. */
function methodCall(bindings: FileBindings, call: ts.CallExpression, receiverKind: ValueKind, method: string): DataCall | null {
  const make = (library: Library, channel: DataCall['channel'], operation: Operation, sqlText: ts.Expression | null = null): DataCall => ({ call, library, channel, operation, method, sqlText });
  switch (receiverKind) {
    case 'pg':
    case 'mysql': {
      if (method !== 'query' && !(receiverKind === 'mysql' && method === 'execute')) return null;
      const text = call.arguments[0];
      const operation = sqlOperation(bindings, text);
      if (operation === null || text === undefined) return null;
      return make(receiverKind === 'pg' ? 'pg' : 'mysql2', 'database', operation, text);
    }
    case 'sequelize': {
      if (method !== 'query') return null;
      const text = call.arguments[0];
      const operation = sqlOperation(bindings, text);
      return operation === null || text === undefined ? null : make('sequelize', 'database', operation, text);
    }
    case 'knex': {
      if (method !== 'raw') return null;
      const text = call.arguments[0];
      const operation = sqlOperation(bindings, text);
      return operation === null || text === undefined ? null : make('knex', 'database', operation, text);
    }
    case 'sequelizeModel': {
      const operation = SEQUELIZE_MODEL_METHODS[method];
      return operation === undefined ? null : make('sequelize', 'database', operation);
    }
    case 'typeormRepository':
    case 'typeormManager':
    case 'typeormDataSource':
    case 'typeormEntity': {
      const operation = TYPEORM_METHODS[method];
      if (operation === undefined) return null;
      if (receiverKind === 'typeormDataSource' && method !== 'query') return null;
      // `repository.find(callback)` is never TypeORM; an arrow argument means an array.
      if (call.arguments.some((argument) => ts.isArrowFunction(argument) || ts.isFunctionExpression(argument))) return null;
      if (method === 'query') {
        const text = call.arguments[0];
        const sql = sqlOperation(bindings, text);
        return sql === null || text === undefined ? null : make('typeorm', 'database', sql, text);
      }
      return make('typeorm', 'database', operation);
    }
    case 'prismaDelegate': {
      const operation = PRISMA_DELEGATE_METHODS[method];
      return operation === undefined ? null : make('prisma', 'database', operation);
    }
    case 'prismaClient': {
      const operation = PRISMA_CLIENT_METHODS[method];
      if (operation === undefined) return null;
      const text = call.arguments[0];
      const sql = sqlOperation(bindings, text);
      return sql === null || text === undefined ? null : make('prisma', 'database', method.startsWith('$execute') ? 'write' : sql, text);
    }
    case 'mongooseModel': {
      const operation = MONGOOSE_MODEL_METHODS[method];
      return operation === undefined ? null : make('mongoose', 'database', operation);
    }
    case 'redbean': {
      if (REDBEAN_SQL_METHODS.has(method)) {
        const text = call.arguments[0];
        const operation = sqlOperation(bindings, text);
        return operation === null || text === undefined ? null : make('redbean', 'database', operation, text);
      }
      const operation = REDBEAN_METHODS[method];
      return operation === undefined ? null : make('redbean', 'database', operation);
    }
    case 'redis': {
      const lower = method.toLowerCase();
      if (REDIS_READS.has(lower)) return make('redis', 'cache', 'read');
      if (REDIS_WRITES.has(lower)) return make('redis', 'cache', 'write');
      return null;
    }
    case 'axios':
    case 'got':
      if (!HTTP_METHODS.has(method)) return null;
      return make(receiverKind, 'http', WRITE_HTTP_METHODS.has(method) ? 'write' : 'read');
  }
  return null;
}

/**
 * The I/O a call does, or null when it is unknown. `call` may be the end of a chain: a knex
 * builder (`knex('users').where(...).first()`), a TypeORM query builder (`...getMany()`), a
 * Mongoose query (`User.find().lean()`), or a promise chain (`pool.query(...).then(...)`).
 */
export function dataCallOf(bindings: FileBindings, chainEnd: ts.CallExpression): DataCall | null {
  let call = chainEnd;
  let callee = unwrapCallee(call.expression);
  // Promise chains: the I/O is the receiver of `.then(...)` (a loop: chains can be long, #15).
  while (ts.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.name.text)) {
    const inner = unwrapExpression(callee.expression);
    if (!ts.isCallExpression(inner)) return null;
    call = inner;
    callee = unwrapCallee(call.expression);
  }
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'fetch') {
      const imported = bindings.importOf('fetch');
      if (imported !== null ? FETCH_MODULES.has(imported.module) : !factsOf(bindings).localFetch) return { call, library: 'fetch', channel: 'http', operation: fetchOperation(call), method: 'fetch', sqlText: null };
      return null;
    }
    const imported = bindings.importOf(callee.text);
    if (imported !== null) {
      const module = canonicalModule(imported.module);
      if (module === 'fs/promises' && FS_PROMISE_METHODS.has(imported.exportName)) return { call, library: 'fs', channel: 'fs', operation: 'other', method: imported.exportName, sqlText: null };
    }
    const kind = valueKind(bindings, callee);
    if (kind === 'axios' || kind === 'got') return { call, library: kind, channel: 'http', operation: 'other', method: callee.text, sqlText: null };
  }
  // A chain that starts from a knex instance call (`db('users')...`) or a query builder.
  const { names } = chainMethods(call);
  const innermost = innermostCall(call);
  const innerCallee = unwrapExpression(innermost.expression);
  if (innermost !== call || ts.isIdentifier(innerCallee)) {
    const rootKind = ts.isIdentifier(innerCallee) ? callableKind(bindings, innerCallee) : null;
    if (rootKind === 'knex') {
      if (names.some((name) => name === 'stream' || name === 'pipe' || name === 'toString' || name === 'toSQL' || name === 'toQuery')) return null;
      return { call, library: 'knex', channel: 'database', operation: names.some((name) => BUILDER_WRITES.has(name)) ? 'write' : 'read', method: 'knex', sqlText: null };
    }
    if (innermost !== call && ts.isPropertyAccessExpression(innerCallee)) {
      const innerMethod = innerCallee.name.text;
      const receiverKind = valueKind(bindings, innerCallee.expression);
      // knex's `knex.select(...).from(...)`, `knex.table('t')`.
      if (receiverKind === 'knex' && ['select', 'from', 'table', 'insert', 'update', 'del', 'delete', 'count', 'distinct', 'withSchema', 'queryBuilder', 'into', 'first', 'pluck', 'column', 'columns'].includes(innerMethod)) {
        if (names.some((name) => name === 'stream' || name === 'pipe' || name === 'toString' || name === 'toSQL')) return null;
        return { call, library: 'knex', channel: 'database', operation: [innerMethod, ...names].some((name) => BUILDER_WRITES.has(name)) ? 'write' : 'read', method: 'knex', sqlText: null };
      }
      // TypeORM's `repo.createQueryBuilder('u')...getMany()`.
      const last = names[0];
      if (innerMethod === 'createQueryBuilder' && last !== undefined && TYPEORM_BUILDER_ENDS.has(last) && (receiverKind?.startsWith('typeorm') === true || factsOf(bindings).modules.has('typeorm'))) {
        const write = names.some((name) => ['insert', 'update', 'delete', 'softDelete', 'restore'].includes(name));
        return { call, library: 'typeorm', channel: 'database', operation: write ? 'write' : 'read', method: last, sqlText: null };
      }
      // Mongoose queries are thenables: `User.find(...).lean()`.
      if (receiverKind === 'mongooseModel' && MONGOOSE_MODEL_METHODS[innerMethod] !== undefined) {
        if (names.some((name) => name === 'cursor' || name === 'stream' || name === 'eachAsync')) return null;
        return { call, library: 'mongoose', channel: 'database', operation: MONGOOSE_MODEL_METHODS[innerMethod] ?? 'other', method: innerMethod, sqlText: null };
      }
    }
  }
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const method = callee.name.text;
  const receiver = callee.expression;
  // `fs.promises.readFile`, `fsPromises.readFile`, fs-extra's promise API.
  if (FS_PROMISE_METHODS.has(method)) {
    const base = unwrapExpression(receiver);
    const imported = bindings.resolveImport(base);
    if (imported !== null) {
      const module = canonicalModule(imported.module);
      if ((module === 'fs' && imported.exportName === 'promises') || module === 'fs/promises' || module === 'fs-extra') return { call, library: 'fs', channel: 'fs', operation: 'other', method, sqlText: null };
    }
    if (ts.isIdentifier(base)) {
      const whole = bindings.importOf(base.text);
      if (whole !== null && (canonicalModule(whole.module) === 'fs/promises' || whole.module === 'fs-extra')) return { call, library: 'fs', channel: 'fs', operation: 'other', method, sqlText: null };
    }
  }
  const kind = valueKind(bindings, receiver);
  if (kind === null) return null;
  return methodCall(bindings, call, kind, method);
}

/** `fetch(url, { method: 'POST' })` writes; anything else reads as far as the file says. */
function fetchOperation(call: ts.CallExpression): Operation {
  const init = call.arguments[1];
  if (init === undefined || !ts.isObjectLiteralExpression(init)) return 'read';
  for (const property of init.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name) || property.name.text !== 'method') continue;
    if (ts.isStringLiteral(property.initializer)) return property.initializer.text.toUpperCase() === 'GET' ? 'read' : 'write';
    return 'other';
  }
  return 'read';
}

/** Words in an array's or variable's name that say it is already a bounded slice of work. */
const BOUNDED_WORDS = new Set(['chunk', 'chunks', 'batch', 'batches', 'page', 'pages', 'bucket', 'buckets', 'window', 'slice', 'slices', 'group', 'groups', 'partition', 'partitions']);

export function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter((word) => word !== '').map((word) => word.toLowerCase());
}

/** True when a function's name says it makes chunks, batches or pages (`chunk`, `splitIntoBatches`). */
function makesBoundedSlices(name: string): boolean {
  return nameWords(name).some((word) => BOUNDED_WORDS.has(word));
}

/** Words after which a name goes on about something else: `users` of `usersFromMentionedGroup`. */
const PREPOSITIONS = new Set(['from', 'of', 'in', 'for', 'by', 'with', 'to', 'per', 'at', 'on']);

/**
 * True when a variable's name says it holds a chunk, batch or page of a larger set. The head noun
 * decides, as in English compounds: the last word before any preposition. `userBatch` and `page`
 * are slices; `groupMembership` is a membership and `usersFromMentionedGroup` users, however many.
 */
export function namesABoundedSlice(name: string): boolean {
  const words = nameWords(name);
  const cut = words.findIndex((word) => PREPOSITIONS.has(word));
  const head = (cut === -1 ? words : words.slice(0, cut)).at(-1);
  return head !== undefined && BOUNDED_WORDS.has(head);
}

/**
 * True when an array (or the object whose keys are iterated) has a size fixed in the code or is
 * already a bounded slice: a literal `['a', 'b']`, a constant holding one, `.slice(0, 10)`,
 * `Array.from({ length: 3 })`, `Object.keys({ ... })`, a chunk from a chunking helper or named
 * like one (`chunk`, `batch`, `page`).
 */
export function isBoundedCollection(bindings: FileBindings, expression: ts.Expression, depth = 0): boolean {
  if (depth > 4) return false;
  const written = unwrapExpression(expression);
  const named = ts.isIdentifier(written) ? written.text : ts.isPropertyAccessExpression(written) ? written.name.text : null;
  if (named !== null && namesABoundedSlice(named)) return true;
  const value = bindings.origin(written);
  if (ts.isArrayLiteralExpression(value)) return !value.elements.some((element) => ts.isSpreadElement(element));
  if (ts.isObjectLiteralExpression(value)) return !value.properties.some((property) => ts.isSpreadAssignment(property));
  if (ts.isStringLiteral(value)) return true;
  if (!ts.isCallExpression(value)) return false;
  const callee = unwrapExpression(value.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    // `ids.slice(0, 10)`, `ids.slice(i, i + size)`: a window of fixed size.
    if ((method === 'slice' || method === 'splice') && value.arguments.length === 2) return true;
    // `Object.keys(LITERAL)`, `Object.entries(LITERAL)`.
    if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && ['keys', 'values', 'entries'].includes(method)) {
      const argument = value.arguments[0];
      return argument !== undefined && isBoundedCollection(bindings, argument, depth + 1);
    }
    // `Array.from({ length: 3 })`.
    if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && method === 'from') {
      const argument = value.arguments[0];
      if (argument !== undefined && ts.isObjectLiteralExpression(argument)) {
        const length = argument.properties.find((property) => ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === 'length');
        return length !== undefined && ts.isPropertyAssignment(length) && ts.isNumericLiteral(length.initializer);
      }
    }
    // `.filter/.map` of a bounded collection stays bounded.
    if (['filter', 'map', 'flat', 'concat', 'reverse', 'sort'].includes(method)) return isBoundedCollection(bindings, callee.expression, depth + 1);
    return makesBoundedSlices(method);
  }
  if (ts.isIdentifier(callee)) return makesBoundedSlices(callee.text);
  return false;
}

/** Identifiers bound by a binding name (`x`, `{ a, b: c }`, `[d, ...e]`). */
export function boundNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (ts.isBindingElement(element)) boundNames(element.name, into);
  }
}

/** True when `node` mentions one of `names` as a value (not as a property name). */
export function mentionsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  let found = false;
  walkScript(node, (current) => {
    if (found) return false;
    if (ts.isIdentifier(current) && names.has(current.text)) {
      const parent = current.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === current) || (ts.isPropertyAssignment(parent) && parent.name === current);
      if (!isPropertyName) {
        found = true;
        return false;
      }
    }
    return true;
  });
  return found;
}

/** `Promise.all(...)` / `Promise.allSettled(...)`: the array argument, or null. */
export function promiseAllArgument(call: ts.CallExpression): ts.Expression | null {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'Promise') return null;
  if (callee.name.text !== 'all' && callee.name.text !== 'allSettled') return null;
  return call.arguments[0] ?? null;
}

/** `items.map(callback)`: the map call, the array and the callback, when the argument of Promise.all is one. */
export function mappedArray(bindings: FileBindings, argument: ts.Expression): { map: ts.CallExpression; array: ts.Expression; callback: ts.ArrowFunction | ts.FunctionExpression } | null {
  let value = unwrapExpression(argument);
  if (ts.isIdentifier(value)) value = bindings.origin(value);
  if (!ts.isCallExpression(value)) return null;
  const callee = unwrapExpression(value.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'map' && callee.name.text !== 'flatMap')) return null;
  const callback = value.arguments[0];
  if (callback === undefined || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return null;
  return { map: value, array: callee.expression, callback };
}

/** Callee names of helpers that already cap concurrency (`limit(() => ...)`, `limiter.schedule`, `queue.add`). */
export function isLimiterCall(bindings: FileBindings, call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  const names: string[] = [];
  if (ts.isIdentifier(callee)) {
    names.push(callee.text);
    const made = bindings.origin(callee);
    if (ts.isCallExpression(made)) {
      const imported = bindings.resolveImport(made.expression);
      if (imported !== null && ['p-limit', 'p-throttle', 'limiter', 'bottleneck', 'p-queue'].includes(imported.module)) return true;
    }
  } else if (ts.isPropertyAccessExpression(callee)) {
    names.push(callee.name.text);
    const receiver = unwrapExpression(callee.expression);
    if (ts.isIdentifier(receiver)) names.push(receiver.text);
    else if (ts.isPropertyAccessExpression(receiver)) names.push(receiver.name.text);
  }
  return names.some((name) => /limit|throttl|schedul|queue|semaphore|mutex|^sem$|^pmap$/i.test(name));
}

/** True when `node` sits in a function passed to a limiter call, below `stop`. */
export function insideLimiter(bindings: FileBindings, node: ts.Node, stop: ts.Node): boolean {
  let current: ts.Node | undefined = node.parent;
  while (current !== undefined && current !== stop) {
    if ((ts.isArrowFunction(current) || ts.isFunctionExpression(current)) && ts.isCallExpression(current.parent) && current.parent.arguments.includes(current) && isLimiterCall(bindings, current.parent)) return true;
    current = current.parent;
  }
  return false;
}

/**
 * fs calls that hold a file descriptor while they run, so a fan-out of them can hit `EMFILE`;
 * `stat`, `lstat`, `mkdir`, `unlink` ... only queue on libuv's thread pool.
 */
export const FS_DESCRIPTOR_METHODS: ReadonlySet<string> = new Set(['readFile', 'writeFile', 'appendFile', 'open', 'copyFile', 'cp']);

/** Every data call inside `body`, not looking into nested functions unless `intoFunctions`. */
export function dataCallsIn(bindings: FileBindings, body: ts.Node, intoFunctions: boolean): DataCall[] {
  const calls: DataCall[] = [];
  walkScript(body, (node) => {
    if (node !== body && !intoFunctions && ts.isFunctionLike(node)) return false;
    if (ts.isCallExpression(node)) {
      const found = dataCallOf(bindings, node);
      if (found !== null) {
        calls.push(found);
        // The chain's inner calls are the same query; its arguments may hold further calls.
        return node.arguments;
      }
    }
    return true;
  });
  return calls;
}
