/**
 * Shared knowledge about database, cache and broker clients for the connection rules
 * (pool-without-limits, connection-per-request, pool-client-leak): which expressions create a
 * pool or client of a known library (`new Pool(...)` from 'pg', `mysql.createPool(...)`,
 * `knex({...})`, `new MongoClient(...)`, `new Redis(...)`, `kafka.producer()` ...), a
 * layout-preserving insertion of several options at once for fixes, and small questions about
 * functions (is this node a function, which function encloses it).
 *
 * Library resolution goes through bindings.ts, so aliases, `require` and namespace imports are
 * understood and anything from another module stays unknown.
 */

import { importOf, type PrefilterTerm } from '../../engine/prefilter';
import { ts, walkScript } from '../../engine/languages/typescript';
import type { TextEdit } from '../../engine/types';
import { propertyInsertion, unwrapExpression, type FileBindings } from './bindings';

/** The kind of client an expression creates. */
export type ClientKind =
  | 'pgPool'
  | 'pgClient'
  | 'mysqlPool'
  | 'mysqlConnection'
  | 'knex'
  | 'mongoClient'
  | 'ioredis'
  | 'nodeRedis'
  | 'prisma'
  | 'sequelize'
  | 'kafkaProducer';

export interface ClientCreation {
  kind: ClientKind;
  /** The creating call as the code says it, for messages: `new Pool`, `mysql.createPool`. */
  label: string;
  /** The call or `new` expression. */
  node: ts.NewExpression | ts.CallExpression;
  /** Its arguments (empty for `new Pool` without parentheses). */
  arguments: readonly ts.Expression[];
  /** The range to report: from the start of the expression to the end of its callee. */
  reportRange: { start: number; end: number };
}

const MYSQL_MODULES = new Set(['mysql2', 'mysql2/promise']);
const REDIS_MODULES = new Set(['redis', '@redis/client']);
const SEQUELIZE_MODULES = new Set(['sequelize', 'sequelize-typescript', '@sequelize/core']);

/** Whether a module is where a generated Prisma client is imported from. */
function isPrismaModule(module: string): boolean {
  return module === '@prisma/client' || /(^|\/)prisma(\/|$)/.test(module) || module.endsWith('/prisma/client');
}

function creation(kind: ClientKind, node: ts.NewExpression | ts.CallExpression, sourceFile: ts.SourceFile): ClientCreation {
  const callee = node.expression;
  const prefix = ts.isNewExpression(node) ? 'new ' : '';
  return {
    kind,
    label: `${prefix}${callee.getText(sourceFile)}`,
    node,
    arguments: node.arguments ?? [],
    reportRange: { start: node.getStart(sourceFile), end: callee.getEnd() },
  };
}

/** `require('knex')(...)`: a call of a required module, which bindings.ts does not see as a name. */
function requiredModuleOf(expression: ts.Expression): string | null {
  const target = unwrapExpression(expression);
  if (!ts.isCallExpression(target) || !ts.isIdentifier(target.expression) || target.expression.text !== 'require') return null;
  const argument = target.arguments[0];
  return argument !== undefined && ts.isStringLiteral(argument) ? argument.text : null;
}

/** Whether `expression` is a KafkaJS client: `new Kafka(...)` from 'kafkajs', followed within the file. */
function isKafkaClient(bindings: FileBindings, expression: ts.Expression): boolean {
  const made = bindings.origin(expression);
  if (ts.isNewExpression(made)) {
    const imported = bindings.resolveImport(made.expression);
    return imported?.module === 'kafkajs' && imported.exportName === 'Kafka';
  }
  // A client passed in or held on `this`: trust the name only in files that import kafkajs.
  if (!bindings.modules.has('kafkajs')) return false;
  const name = ts.isIdentifier(made) ? made.text : ts.isPropertyAccessExpression(made) ? made.name.text : '';
  return /^kafka(client)?$/i.test(name);
}

/** What client of a known library `node` creates, or null. */
export function clientCreationOf(bindings: FileBindings, node: ts.Node): ClientCreation | null {
  const sourceFile = bindings.sourceFile;
  if (ts.isNewExpression(node)) {
    const imported = bindings.resolveImport(node.expression);
    if (imported === null) return null;
    const { module, exportName } = imported;
    if (module === 'pg' && exportName === 'Pool') return creation('pgPool', node, sourceFile);
    if (module === 'pg-pool' && (exportName === 'default' || exportName === 'Pool')) return creation('pgPool', node, sourceFile);
    if (module === 'pg' && exportName === 'Client') return creation('pgClient', node, sourceFile);
    if (module === 'mongodb' && exportName === 'MongoClient') return creation('mongoClient', node, sourceFile);
    if (module === 'ioredis' && (exportName === 'default' || exportName === 'Redis')) return creation('ioredis', node, sourceFile);
    if (SEQUELIZE_MODULES.has(module) && (exportName === 'Sequelize' || exportName === 'default')) return creation('sequelize', node, sourceFile);
    if (isPrismaModule(module) && exportName === 'PrismaClient') return creation('prisma', node, sourceFile);
    return null;
  }
  if (!ts.isCallExpression(node)) return null;
  const callee = node.expression;
  const required = requiredModuleOf(callee);
  if (required === 'knex') return creation('knex', node, sourceFile);
  const imported = bindings.resolveImport(callee);
  if (imported !== null) {
    const { module, exportName } = imported;
    if (MYSQL_MODULES.has(module) && exportName === 'createPool') return creation('mysqlPool', node, sourceFile);
    if (MYSQL_MODULES.has(module) && exportName === 'createConnection') return creation('mysqlConnection', node, sourceFile);
    if (module === 'knex' && (exportName === 'default' || exportName === 'knex' || exportName === 'Knex')) return creation('knex', node, sourceFile);
    if (REDIS_MODULES.has(module) && exportName === 'createClient') return creation('nodeRedis', node, sourceFile);
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    // `MongoClient.connect(uri)` creates and connects a client in one step.
    if (method === 'connect') {
      const receiver = bindings.resolveImport(callee.expression);
      if (receiver?.module === 'mongodb' && receiver.exportName === 'MongoClient') return creation('mongoClient', node, sourceFile);
    }
    if (method === 'producer' && isKafkaClient(bindings, callee.expression)) return creation('kafkaProducer', node, sourceFile);
  }
  return null;
}

/**
 * What every detection above needs, for the rules' prefilters: an import of one of the clients'
 * modules, or `prisma` anywhere (a generated Prisma client is imported from the project's own
 * folders, `../generated/prisma`).
 */
export const CLIENT_PREFILTER: readonly PrefilterTerm[] = [importOf('pg', 'pg-pool', ...MYSQL_MODULES, 'knex', 'mongodb', 'ioredis', ...REDIS_MODULES, ...SEQUELIZE_MODULES, 'kafkajs'), 'prisma'];

/**
 * One edit that inserts several properties into an object literal, matching its layout: on one
 * line `{ a: 1, max: 10, connectionTimeoutMillis: 5_000 }`, or one per line with the literal's
 * indentation.
 */
export function insertProperties(sourceFile: ts.SourceFile, literal: ts.ObjectLiteralExpression, propertyTexts: readonly string[]): TextEdit | null {
  const [first] = propertyTexts;
  if (first === undefined) return null;
  const probe = propertyInsertion(sourceFile, literal, first);
  const lineBreak = probe.text.lastIndexOf('\n');
  const indentation = lineBreak === -1 ? null : (/^[ \t]*/.exec(probe.text.slice(lineBreak + 1))?.[0] ?? '');
  const joined = propertyTexts.join(indentation === null ? ', ' : `,\n${indentation}`);
  const insertion = propertyInsertion(sourceFile, literal, joined);
  return { range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text };
}

export type FunctionLikeNode = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration;

export function isFunctionLikeNode(node: ts.Node): node is FunctionLikeNode {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

/** The nearest function enclosing `node` (not `node` itself), or null at module level. */
export function enclosingFunction(node: ts.Node): FunctionLikeNode | null {
  let current = node.parent;
  while (current !== undefined) {
    if (isFunctionLikeNode(current)) return current;
    current = current.parent;
  }
  return null;
}

/** The name a function is known by: its own, its variable's, its property's, or ''. */
export function functionName(node: FunctionLikeNode): string {
  if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.name !== undefined && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) return parent.name.text;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  return '';
}

/** The simple names of a function's parameters ('' for destructured ones). */
export function parameterNames(node: FunctionLikeNode): string[] {
  return node.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
}

/** The name of the variable `const x = <expression>` / `let x = await <expression>` declares, or null. */
export function declaredNameOf(expression: ts.Node): ts.Identifier | null {
  let current: ts.Node = expression;
  while (ts.isParenthesizedExpression(current.parent) || ts.isAwaitExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent)) current = current.parent;
  const parent = current.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) return parent.name;
  return null;
}

/** Every identifier named `name` inside `root` (no scope analysis: shadowing is rare enough here). */
export function referencesIn(root: ts.Node, name: string): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  walkScript(root, (node) => {
    if (ts.isIdentifier(node) && node.text === name) found.push(node);
    return true;
  });
  return found;
}

/** The text of a string literal or template without substitutions, or null. */
export function stringTextOf(expression: ts.Expression | undefined): string | null {
  if (expression === undefined) return null;
  const target = unwrapExpression(expression);
  return ts.isStringLiteral(target) || ts.isNoSubstitutionTemplateLiteral(target) ? target.text : null;
}
