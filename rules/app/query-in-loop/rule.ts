/**
 * query-in-loop: one database, cache or HTTP call per element of a collection (N+1). Three shapes:
 * a call awaited in the body of `for...of` / `for...in` / an index `for` over `.length` / a
 * `while (i < items.length)`; a call in a `.forEach(async ...)` callback; and a query per element
 * in `Promise.all(items.map(...))`, which also floods the pool with all of them at once.
 *
 * A call counts only when data-access.ts knows its library, and only when its arguments use the
 * element (the loop variable or a value declared in the body): `BEGIN` / `COMMIT` around a loop,
 * or SQL text that is itself the element (a migration runner), are not N+1. Loops the rule leaves
 * alone: `for await`, loops over literal arrays (their body counts for the loop around them),
 * chunk and page loops (`for (const batch of chunks)`), index loops that step by more than one,
 * `while` loops that are not a walk over `.length` (pagination, polling, retries), and loops that
 * await a sleep or a rate limiter. One finding per loop, on its first call, with the loop and the
 * other calls as related locations.
 */

import { ts, walkScript } from '../../engine/languages/typescript';
import { pythonArguments, walkPythonNamed, type PythonNode } from '../../engine/languages/python';
import { defineRule } from '../../engine/rule';
import type { RelatedLocation, TextRange } from '../../engine/types';
import { fileBindings, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { boundNames, DATA_ACCESS_PREFILTER, dataCallOf, unwrapCallee, insideLimiter, isBoundedCollection, mappedArray, mentionsAny, namesABoundedSlice, promiseAllArgument, type DataCall } from '../helpers/data-access';

import { boundPythonNames, djangoManagerModel, enclosingFunction, importsModule, isStringExpression, localAssignment, mentionsName, methodChain, moduleAssignments, pythonImports, sameNode, usesDjangoModels } from '../helpers/python-data-access';

type MessageId = 'queryPerElement' | 'queryPerElementAtOnce' | 'requestPerElement' | 'relationPerElement';

/** A loop whose body runs once per element, with the names each iteration binds. */
interface Loop {
  kind: 'statement' | 'forEach' | 'promiseAll';
  body: ts.Node;
  names: Set<string>;
  anchor: TextRange;
}

/** What a loop statement is for this rule: a walk over a collection, a loop to look through, or neither. */
type LoopShape = { shape: 'collection'; names: Set<string>; body: ts.Statement } | { shape: 'transparent'; names: Set<string> } | { shape: 'ignored' };

/** Names bound by a `for` initializer (`const x`, `let [a, b]`, or an existing variable). */
function initializerNames(initializer: ts.ForInitializer | undefined): Set<string> {
  const names = new Set<string>();
  if (initializer === undefined) return names;
  if (ts.isVariableDeclarationList(initializer)) {
    for (const declaration of initializer.declarations) boundNames(declaration.name, names);
  } else if (ts.isIdentifier(initializer)) {
    names.add(initializer.text);
  }
  return names;
}

/** `i < items.length` or `i <= items.length - 1`: the index name and the array, or null. */
function lengthWalk(condition: ts.Expression | undefined): { index: string; array: ts.Expression } | null {
  if (condition === undefined) return null;
  const test = unwrapExpression(condition);
  if (!ts.isBinaryExpression(test)) return null;
  const operator = test.operatorToken.kind;
  if (operator !== ts.SyntaxKind.LessThanToken && operator !== ts.SyntaxKind.LessThanEqualsToken && operator !== ts.SyntaxKind.ExclamationEqualsEqualsToken) return null;
  const left = unwrapExpression(test.left);
  let right = unwrapExpression(test.right);
  if (ts.isBinaryExpression(right) && right.operatorToken.kind === ts.SyntaxKind.MinusToken) right = unwrapExpression(right.left);
  if (!ts.isIdentifier(left) || !ts.isPropertyAccessExpression(right) || right.name.text !== 'length') return null;
  return { index: left.text, array: right.expression };
}

/** `i < 3`: a fixed number of rounds. */
function literalBound(condition: ts.Expression | undefined): boolean {
  if (condition === undefined) return false;
  const test = unwrapExpression(condition);
  return ts.isBinaryExpression(test) && ts.isNumericLiteral(unwrapExpression(test.right));
}

/** `i++`, `++i`, `i += 1`, `i = i + 1`: a step of one element. */
function stepsByOne(incrementor: ts.Expression | undefined, index: string): boolean {
  if (incrementor === undefined) return false;
  const step = unwrapExpression(incrementor);
  if ((ts.isPostfixUnaryExpression(step) || ts.isPrefixUnaryExpression(step)) && step.operator === ts.SyntaxKind.PlusPlusToken) return ts.isIdentifier(step.operand) && step.operand.text === index;
  if (!ts.isBinaryExpression(step) || !ts.isIdentifier(step.left) || step.left.text !== index) return false;
  if (step.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) return ts.isNumericLiteral(step.right) && step.right.text === '1';
  return false;
}

function loopShape(bindings: FileBindings, node: ts.Node): LoopShape {
  if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
    if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) return { shape: 'ignored' };
    const names = initializerNames(node.initializer);
    if ([...names].some(namesABoundedSlice)) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, node.expression)) return { shape: 'transparent', names };
    return { shape: 'collection', names, body: node.statement };
  }
  if (ts.isForStatement(node)) {
    const names = initializerNames(node.initializer);
    if (literalBound(node.condition)) return { shape: 'transparent', names };
    const walk = lengthWalk(node.condition);
    if (walk === null || !stepsByOne(node.incrementor, walk.index)) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, walk.array)) return { shape: 'transparent', names };
    return { shape: 'collection', names, body: node.statement };
  }
  if (ts.isWhileStatement(node) || ts.isDoStatement(node)) {
    const walk = lengthWalk(node.expression);
    if (walk === null) return { shape: 'ignored' };
    if (isBoundedCollection(bindings, walk.array)) return { shape: 'transparent', names: new Set([walk.index]) };
    return { shape: 'collection', names: new Set([walk.index]), body: node.statement };
  }
  return { shape: 'ignored' };
}

/** A function named for a data migration (`migrateAggregateTable`): it runs once, per object by design. */
function insideMigrationFunction(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current !== undefined; current = current.parent) {
    if (!ts.isFunctionLike(current)) continue;
    const name = current.name ?? (ts.isVariableDeclaration(current.parent) || ts.isPropertyAssignment(current.parent) ? current.parent.name : undefined);
    if (name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) && /migrat/i.test(name.text)) return true;
  }
  return false;
}

function isLoopStatement(node: ts.Node): boolean {
  return ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

const PAUSE_NAMES = /^(sleep|delay|wait|pause|setTimeout|timeout|throttle|backoff|schedule|removeTokens|consume|waitForToken|acquire|tick)$/i;

/** True when the body awaits a pause or a rate limiter: the loop is deliberately paced. */
function isPaced(body: ts.Node): boolean {
  let paced = false;
  walkScript(body, (node) => {
    if (paced) return false;
    if (node !== body && ts.isFunctionLike(node)) return false;
    if (ts.isAwaitExpression(node)) {
      const awaited = unwrapExpression(node.expression);
      if (ts.isNewExpression(awaited) && awaited.getText().includes('setTimeout')) paced = true;
      if (ts.isCallExpression(awaited)) {
        const callee = unwrapExpression(awaited.expression);
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (PAUSE_NAMES.test(name)) paced = true;
      }
    }
    return true;
  });
  return paced;
}

/** Names declared in a body (`const user = ...`), which change per iteration. */
function declaredNames(body: ts.Node, into: Set<string>): void {
  walkScript(body, (node) => {
    if (node !== body && ts.isFunctionLike(node)) return false;
    if (ts.isVariableDeclaration(node)) boundNames(node.name, into);
    return true;
  });
}

/** True when the call's value is awaited (directly, through `.then()` chains, or in `return await`). */
function isAwaited(call: ts.CallExpression): boolean {
  let current: ts.Node = call;
  while (ts.isPropertyAccessExpression(current.parent) || (ts.isCallExpression(current.parent) && current.parent.expression === current) || ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent)) current = current.parent;
  return ts.isAwaitExpression(current.parent) || ts.isYieldExpression(current.parent);
}

/** Calls in a loop body that depend on the element, with nested literal loops looked through. */
function perElementCalls(bindings: FileBindings, loop: Loop, requireAwait: boolean): DataCall[] {
  const names = new Set(loop.names);
  declaredNames(loop.body, names);
  const calls: DataCall[] = [];
  walkScript(loop.body, (node) => {
    if (node !== loop.body && ts.isFunctionLike(node)) return false;
    if (node !== loop.body && isLoopStatement(node)) {
      const inner = loopShape(bindings, node);
      // A nested walk over a collection is its own loop; a literal one repeats for each outer element.
      if (inner.shape !== 'transparent') return false;
      for (const name of inner.names) names.add(name);
    }
    if (ts.isCallExpression(node)) {
      const found = dataCallOf(bindings, node);
      if (found !== null && found.call === node) {
        calls.push(found);
        // The arguments' own parts, not the arguments: a call passed as one is the same query.
        const parts: ts.Node[] = [];
        for (const argument of node.arguments) {
          ts.forEachChild(argument, (part) => {
            parts.push(part);
          });
        }
        return parts;
      }
    }
    return true;
  });
  return calls.filter((found) => {
    if (found.channel !== 'database' && found.channel !== 'cache' && found.channel !== 'http') return false;
    if (requireAwait && !isAwaited(found.call)) return false;
    if (!mentionsAny(found.call, names)) return false;
    // SQL text that is the element itself (`client.query(migration.sql)`) runs different statements.
    if (found.sqlText !== null && mentionsAny(found.sqlText, names)) return false;
    return true;
  });
}

function calleeText(call: ts.CallExpression, sourceFile: ts.SourceFile): string {
  let callee: ts.Expression = unwrapCallee(call.expression);
  // For a chain, name where it starts: `db('users')...` rather than the last `.first`.
  const text = callee.getText(sourceFile).replace(/\s+/g, '');
  if (text.length <= 40) return text;
  while (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(callee.expression)) callee = callee.expression.expression;
  const start = callee.getText(sourceFile).replace(/\s+/g, '');
  return start.length <= 40 ? `${start}(...)` : `${start.slice(0, 37)}...`;
}

/** The batched form to point at, by library and what the call does. */
function batchedForm(found: DataCall): string {
  const write = found.operation === 'write';
  switch (found.library) {
    case 'pg':
      return write ? 'write all rows in one statement (`INSERT ... SELECT * FROM unnest($1::int[], $2::text[])`, `UPDATE ... WHERE id = ANY($1)`)' : 'load them all in one query with `WHERE id = ANY($1)` and an array of ids';
    case 'mysql2':
      return write ? 'write all rows in one statement (`INSERT ... VALUES ?` with an array of rows, `UPDATE ... WHERE id IN (?)`)' : 'load them all in one query with `WHERE id IN (?)` and an array of ids';
    case 'knex':
      return write ? 'write all rows in one statement (`.insert(rows)`, `.whereIn(\'id\', ids).update(...)`)' : 'load them all in one query with `.whereIn(\'id\', ids)`';
    case 'sequelize':
      return write ? 'write all rows in one statement (`bulkCreate(rows)`, `update(values, { where: { id: ids } })`)' : 'load them all in one query with `findAll({ where: { id: ids } })`';
    case 'typeorm':
      return write ? 'write all rows in one statement (`insert(rows)`, `save(entities)`)' : 'load them all in one query with `findBy({ id: In(ids) })`';
    case 'prisma':
      return write ? 'write all rows in one statement (`createMany({ data: rows })`, `updateMany({ where: { id: { in: ids } } })`)' : 'load them all in one query with `findMany({ where: { id: { in: ids } } })`';
    case 'mongoose':
      return write ? 'write them in one round trip (`insertMany(docs)`, `bulkWrite(operations)`)' : 'load them all in one query with `find({ _id: { $in: ids } })`';
    case 'redbean':
      return write ? 'write all rows in one statement (a multi-row `INSERT` or `UPDATE ... WHERE id IN (...)` through `R.exec`)' : 'load them all in one query (`WHERE id IN (...)` with one `?` per id, or a windowed query per group)';
    case 'redis':
      return write ? 'send them in one round trip with a pipeline (`redis.pipeline()` ... `.exec()`, or `multi()`)' : 'read them in one round trip with `mget(...keys)` or a pipeline';
    default:
      return 'load them all in one query (`= ANY($1)`, `whereIn`, `in: ids`), or batch per request with DataLoader';
  }
}

/*
 * The Python form. A `for` loop over a collection whose body runs, per element, a DB-API
 * `execute` (in a file importing a driver, SQLAlchemy or Django's `connection`), a SQLAlchemy
 * `session.get(Model, ...)` or `session.query(...)` ending in a terminal method, or a Django
 * `Model.objects....get()/first()/create()/...`, with the element in its arguments. Django relation
 * access: a loop over `Model.objects...` (no `select_related` / `prefetch_related`) whose body reads
 * `row.<fk>.<attr>` or `row.<m2m>.all()`, where `<fk>` / `<m2m>` are declared as relation fields of
 * that model in the same file.
 */

type PythonChannel = 'dbapi' | 'sqlalchemy' | 'django';

interface PythonDataCall {
  call: PythonNode;
  channel: PythonChannel;
  write: boolean;
}

/** Drivers of a database across the network. Not sqlite3 or duckdb: in the process, a statement per row costs no round trip. */
const PY_DB_MODULES = ['psycopg2', 'psycopg', 'pymysql', 'MySQLdb', 'mysql.connector', 'sqlalchemy', 'django.db', 'cx_Oracle', 'oracledb', 'pyodbc', 'snowflake.connector'];
const SQLALCHEMY_TERMINALS = new Set(['first', 'one', 'one_or_none', 'scalar', 'all', 'count', 'delete', 'update', 'get']);
const DJANGO_TERMINALS = new Set(['get', 'first', 'last', 'create', 'get_or_create', 'update_or_create', 'count', 'exists', 'update', 'delete', 'aggregate', 'latest', 'earliest', 'in_bulk']);
const DJANGO_WRITES = new Set(['create', 'get_or_create', 'update_or_create', 'update', 'delete']);
const RELATION_FIELDS = /^(?:models\.)?(ForeignKey|OneToOneField|ManyToManyField)$/;
/** Loop variables and iterables named like this are chunks of work, already batched. */
const CHUNK_NAME = /(?:^|_)(?:chunk|chunks|batch|batches|page|pages|slice|slices|shard|shards|partition|partitions)(?:$|_)/i;

/** Whether a `for` loop walks a collection: not `async for`, not a literal list or `range(3)`, not chunks, not paced by a sleep. */
function pythonLoopNames(loop: PythonNode): Set<string> | null {
  if (loop.children.some((child) => child !== null && child.type === 'async')) return null;
  const left = loop.childForFieldName('left');
  const right = loop.childForFieldName('right');
  const body = loop.childForFieldName('body');
  if (left === null || right === null || body === null) return null;
  if (['list', 'tuple', 'set', 'string', 'dictionary'].includes(right.type)) return null;
  if (right.type === 'call' && right.childForFieldName('function')?.text === 'range' && pythonArguments(right).positional.every((argument) => argument.type === 'integer')) return null;
  const names = boundPythonNames(left);
  // `for index, row in enumerate(rows)`: the counter says nothing of what is walked; `rows` does.
  const enumerated = right.type === 'call' && right.childForFieldName('function')?.text === 'enumerate' ? pythonArguments(right).positional[0] : undefined;
  const counter = enumerated !== undefined && left.type === 'pattern_list' ? left.namedChildren[0]?.text : undefined;
  const iterable = (enumerated ?? right).text.split('(')[0] ?? '';
  const described = [...names].filter((name) => name !== counter);
  if (described.some((name) => CHUNK_NAME.test(name) || METADATA_NAME.test(name)) || CHUNK_NAME.test(iterable) || METADATA_NAME.test(iterable.split('.').pop() ?? '')) return null;
  if (/\bsleep\s*\(|\brate_limit|\bthrottle/.test(body.text)) return null;
  return names;
}

/** The calls of a loop body, not entering nested functions, classes or loops (those loops are judged on their own). */
function bodyCalls(body: PythonNode): PythonNode[] {
  const calls: PythonNode[] = [];
  walkPythonNamed(body, (node) => {
    if (node === body) return true;
    if (['function_definition', 'class_definition', 'lambda', 'for_statement', 'while_statement'].includes(node.type)) return false;
    if (node.type === 'call') calls.push(node);
    return true;
  });
  return calls;
}

/** Names assigned in the body (`user_id = row[0]`): values of the element too. */
function bodyAssignedNames(body: PythonNode, into: Set<string>): void {
  walkPythonNamed(body, (node) => {
    if (node === body) return true;
    if (['function_definition', 'class_definition', 'lambda'].includes(node.type)) return false;
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      if (left !== null) boundPythonNames(left, into);
    }
    return true;
  });
}

const DML_TEXT = /^\s*\(?\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT)\b/i;
/** Queries on the database's own catalog: introspection, one per table. */
const CATALOG_TEXT = /\b(?:information_schema|pg_catalog|pg_[a-z_]+|sqlite_master|sqlite_schema|sys\.[a-z_]+|all_[a-z_]+|user_[a-z_]+|dba_[a-z_]+)\b/i;
/** Loops over tables, columns, indexes or models: schema work, one statement per object, not per row. */
const METADATA_NAME = /(?:^|_)(?:table|tables|column|columns|col|cols|index|indexes|constraint|constraints|field|fields|model|models|schema|schemas|sequence|sequences|statement|statements|stmt|sql|ddl|migration|migrations|partition|database|databases|db|dbs)(?:$|_)/i;

/** The SQL text of a string expression, without its prefix and quotes. */
function stringStart(node: PythonNode): string {
  return node.text.replace(/^\(?\s*[rRbBfFuU]*("""|'''|"|')/, '');
}

/** Whether SQL text starts with a write. */
function isWriteSql(node: PythonNode | undefined): boolean {
  return node !== undefined && /^\s*(?:INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT)\b/i.test(stringStart(node));
}

/** The value last assigned to `name` in the body of the loop around `call`, before it: `sql = "INSERT ..."` a line above. */
function assignmentInLoopBody(call: PythonNode, name: string): PythonNode | null {
  let loop = call.parent;
  while (loop !== null && loop.type !== 'for_statement' && loop.type !== 'function_definition') loop = loop.parent;
  const body = loop?.type === 'for_statement' ? loop.childForFieldName('body') : null;
  if (body === null || body === undefined) return null;
  let found: PythonNode | null = null;
  walkPythonNamed(body, (node) => {
    if (node.startIndex >= call.startIndex || ['function_definition', 'class_definition', 'lambda'].includes(node.type)) return false;
    if (node.type === 'assignment' && node.childForFieldName('left')?.text === name) found = node.childForFieldName('right');
    return true;
  });
  return found;
}

/** A data call this rule knows, whose arguments use the element; null otherwise. */
function pythonDataCall(call: PythonNode, names: ReadonlySet<string>, file: { dbapi: boolean; sqlalchemy: boolean; django: boolean }, constants: Map<string, PythonNode>): PythonDataCall | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const { positional } = pythonArguments(call);
  const argumentsUse = (node: PythonNode): boolean => {
    const list = node.childForFieldName('arguments');
    return list !== null && mentionsName(list, names);
  };
  if (method === 'execute' && (file.dbapi || file.sqlalchemy)) {
    const sql = positional[0];
    if (sql === undefined) return null;
    // A name for the SQL text: the one string the function assigns it (even in the loop body, as
    // long as the text does not use the element), else a module constant.
    const scope = sql.type === 'identifier' ? enclosingFunction(call) : null;
    const local = sql.type !== 'identifier' ? null : (assignmentInLoopBody(call, sql.text) ?? (scope === null ? null : localAssignment(scope, sql.text, call.startIndex)));
    const fixedText = local !== null && isStringExpression(local) && !mentionsName(local, names) ? local : null;
    // The SQL text itself is the element (a migration runner), or the element is not used: not N+1.
    if (sql.type === 'identifier' && fixedText === null && names.has(sql.text)) return null;
    // A fixed text named in the body is not the element: its parameters must be.
    const elementNames = fixedText === null ? names : new Set([...names].filter((name) => name !== sql.text));
    const list = call.childForFieldName('arguments');
    if (list === null || !mentionsName(list, elementNames)) return null;
    // Only SQL the file shows counts: a query or write on data. DDL, introspection of the catalog and
    // statements built elsewhere (schema editors, provisioning) run once per table, not per row.
    const text = sql.type === 'identifier' ? (fixedText ?? constants.get(sql.text) ?? null) : sql;
    if (text !== null && isStringExpression(text) && DML_TEXT.test(stringStart(text)) && !CATALOG_TEXT.test(text.text)) return { call, channel: 'dbapi', write: isWriteSql(text) };
    const builder = sql.type === 'call' ? (sql.childForFieldName('function')?.text.split('.').pop() ?? '') : '';
    if (/^(?:select|insert|update|delete)$/.test(builder)) return { call, channel: 'sqlalchemy', write: builder !== 'select' };
    return null;
  }
  if (file.sqlalchemy && method === 'get' && positional.length >= 2) {
    const entity = positional[0];
    if (entity === undefined || !/^[A-Z]\w*$/.test(entity.type === 'attribute' ? (entity.childForFieldName('attribute')?.text ?? '') : entity.text)) return null;
    return argumentsUse(call) ? { call, channel: 'sqlalchemy', write: false } : null;
  }
  const chain = methodChain(call);
  const last = chain.methods[chain.methods.length - 1];
  if (last === undefined) return null;
  if (file.sqlalchemy && SQLALCHEMY_TERMINALS.has(last.name) && chain.methods.some((entry) => entry.name === 'query')) {
    // Only the outermost call of the chain is judged, so a chain is reported once.
    if (call.parent?.type === 'attribute') return null;
    return chain.methods.some((entry) => argumentsUse(entry.call)) ? { call, channel: 'sqlalchemy', write: last.name === 'delete' || last.name === 'update' } : null;
  }
  if (file.django && DJANGO_TERMINALS.has(last.name) && djangoManagerModel(chain.root) !== null) {
    if (call.parent?.type === 'attribute') return null;
    return chain.methods.some((entry) => argumentsUse(entry.call)) ? { call, channel: 'django', write: DJANGO_WRITES.has(last.name) } : null;
  }
  return null;
}

function pythonBatchedForm(found: PythonDataCall): string {
  if (found.channel === 'django') return found.write ? 'write them in one statement with `bulk_create(objs)` / `bulk_update(objs, fields)` or `filter(pk__in=ids).update(...)`' : 'load them all in one query with `filter(pk__in=ids)` or `in_bulk(ids)`';
  if (found.channel === 'sqlalchemy') return found.write ? 'write them in one statement (`session.execute(update(M).where(M.id.in_(ids)))`, `insert(M)` with a list of rows)' : 'load them all in one query with `select(M).where(M.id.in_(ids))`';
  return found.write ? 'send them in one call with `executemany(sql, rows)` (or `psycopg2.extras.execute_values`)' : 'load them all in one query (`WHERE id = ANY(%s)` with a list in psycopg2, `WHERE id IN (...)` with one placeholder per id)';
}

/** Relation fields declared on the file's model classes: model name → field name → many-valued. */
function djangoRelations(root: PythonNode): Map<string, Map<string, boolean>> {
  const models = new Map<string, Map<string, boolean>>();
  for (const statement of root.namedChildren) {
    const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (definition === null || definition === undefined || definition.type !== 'class_definition') continue;
    const name = definition.childForFieldName('name')?.text;
    const body = definition.childForFieldName('body');
    if (name === undefined || body === null) continue;
    const fields = new Map<string, boolean>();
    for (const member of body.namedChildren) {
      const assignment = member?.type === 'expression_statement' ? member.namedChildren[0] : null;
      if (assignment === null || assignment === undefined || assignment.type !== 'assignment') continue;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const kind = RELATION_FIELDS.exec(right.childForFieldName('function')?.text ?? '')?.[1];
      if (kind !== undefined) fields.set(left.text, kind === 'ManyToManyField');
    }
    if (fields.size > 0) models.set(name, fields);
  }
  return models;
}

/** The queryset a loop walks (`Model.objects.filter(...)`, or a name assigned one in the function): its model, and whether it loads relations up front. */
function loopQueryset(right: PythonNode): { model: string; preloads: boolean } | null {
  let expression: PythonNode | null = right;
  if (expression.type === 'identifier') {
    const scope = enclosingFunction(right);
    expression = scope === null ? null : localAssignment(scope, right.text, right.startIndex);
  }
  if (expression === null) return null;
  const chain = expression.type === 'call' ? methodChain(expression) : { methods: [], root: expression };
  const model = djangoManagerModel(chain.root);
  if (model === null) return null;
  const names = chain.methods.map((entry) => entry.name);
  // Dictionaries and tuples carry no relations; a single object is not a loop over rows.
  if (names.some((name) => ['values', 'values_list', 'raw', 'get', 'first', 'last'].includes(name))) return null;
  return { model, preloads: names.some((name) => name === 'select_related' || name === 'prefetch_related') };
}

/** `row.customer.name` or `row.tags.all()`: the first read of a relation of the loop variable that runs a query. */
function relationAccess(body: PythonNode, variable: string, fields: Map<string, boolean>): { node: PythonNode; field: string } | null {
  let found: { node: PythonNode; field: string } | null = null;
  walkPythonNamed(body, (node) => {
    if (found !== null) return false;
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const field = node.childForFieldName('attribute')?.text ?? '';
      if (object?.type === 'identifier' && object.text === variable && fields.has(field)) {
        const parent = node.parent;
        const many = fields.get(field) === true;
        // A to-one relation is fetched when something is read from it; a many-valued one when it is queried.
        const readsThrough = parent?.type === 'attribute' && sameNode(parent.childForFieldName('object'), node);
        const queried = readsThrough && parent !== null && parent.parent?.type === 'call' && ['all', 'filter', 'count', 'exists', 'first', 'values_list', 'order_by'].includes(parent.childForFieldName('attribute')?.text ?? '');
        if ((many && queried) || (!many && readsThrough && !/_id$/.test(parent?.childForFieldName('attribute')?.text ?? '') && parent?.childForFieldName('attribute')?.text !== 'pk')) {
          found = { node: parent ?? node, field };
          return false;
        }
      }
    }
    return node.namedChildren.filter((child): child is PythonNode => child !== null && !['function_definition', 'class_definition'].includes(child.type));
  });
  return found;
}

export default defineRule<MessageId>({
  meta: {
    id: 'query-in-loop',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'none',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A database, cache or HTTP call per element of a loop, `forEach` or `Promise.all(items.map(...))` (N+1); in Python, `execute`, SQLAlchemy and Django queries per element, and Django relations read per row.',
    why: 'Each element costs a network round trip: 1 ms × 10,000 rows is 10 s of latency that tests with five rows never show, and a `Promise.all` of them queues thousands of queries on a pool of ten connections.',
    messages: {
      queryPerElement: 'N+1: `{{call}}` runs one {{statement}} per element of the loop; {{batched}}.',
      queryPerElementAtOnce: 'N+1: `{{call}}` runs one {{statement}} per element, all at once, which floods the connection pool; {{batched}}.',
      requestPerElement: '`{{call}}` makes one HTTP request per element of the loop, one after another; use the API\'s batch endpoint if it has one, or run them with a concurrency limit (`p-map` with `{ concurrency: 5 }`).',
      relationPerElement: 'N+1: `{{access}}` runs one query per row of `{{queryset}}` to load its `{{field}}`; add `.{{preload}}("{{field}}")` to the queryset.',
    },
    options: {},
    prefilter: DATA_ACCESS_PREFILTER,
    pythonPrefilter: ['pg', 'mysql', 'knex', 'sequelize', 'typeorm', 'prisma', 'mongoose', 'redis', 'fetch', 'axios', 'got', '.execute(', 'session.', '.objects'],
    sources: ['ESLint no-await-in-loop (generic, any await)', 'Biome noAwaitInLoops / oxlint no-await-in-loop (generic)', 'Sonar Java S6912 (use JDBC batch)', 'PMD Apex OperationWithLimitsInLoop', 'fb-contrib SIL_SQL_IN_LOOP'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    let sourceFile: ts.SourceFile | null = null;

    const report = (loop: Loop, calls: DataCall[]): void => {
      const [first, ...others] = calls;
      if (first === undefined || sourceFile === null) return;
      const file = sourceFile;
      const call = calleeText(first.call, file);
      const statement = first.channel === 'cache' ? 'command' : first.operation === 'write' ? 'write' : 'query';
      const related: RelatedLocation[] = [{ range: loop.anchor, message: loop.kind === 'promiseAll' ? 'Mapped here: one call per element, all started at once.' : 'The loop that repeats it once per element.' }];
      for (const other of others.slice(0, 4)) related.push({ range: { start: other.call.getStart(file), end: other.call.getEnd() }, message: `Also once per element: \`${calleeText(other.call, file)}\`.` });
      const range = { start: first.call.getStart(file), end: first.call.getEnd() };
      if (first.channel === 'http') {
        context.report({ messageId: 'requestPerElement', data: { call }, range, related });
        return;
      }
      context.report({ messageId: loop.kind === 'promiseAll' ? 'queryPerElementAtOnce' : 'queryPerElement', data: { call, statement, batched: batchedForm(first) }, range, related });
    };

    const checkStatement = (node: ts.Node): void => {
      if (bindings === null || sourceFile === null) return;
      const shape = loopShape(bindings, node);
      if (shape.shape !== 'collection') return;
      const start = node.getStart(sourceFile);
      const keyword = ts.isDoStatement(node) ? 2 : ts.isWhileStatement(node) ? 5 : 3;
      const loop: Loop = { kind: 'statement', body: shape.body, names: shape.names, anchor: { start, end: start + keyword } };
      // The calls first: most loops make none, and then the body is not walked again for a pause.
      const calls = perElementCalls(bindings, loop, true);
      if (calls.length > 0 && !isPaced(shape.body) && !insideMigrationFunction(node)) report(loop, calls);
    };

    const checkCall = (node: ts.Node): void => {
      if (bindings === null || sourceFile === null || !ts.isCallExpression(node)) return;
      const callee = unwrapExpression(node.expression);
      // `items.forEach(async (item) => { await ... })`
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'forEach') {
        const callback = node.arguments[0];
        if (callback === undefined || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return;
        if (isBoundedCollection(bindings, callee.expression)) return;
        const names = new Set<string>();
        for (const parameter of callback.parameters) boundNames(parameter.name, names);
        const loop: Loop = { kind: 'forEach', body: callback.body, names, anchor: { start: callee.name.getStart(sourceFile), end: callee.name.getEnd() } };
        const calls = perElementCalls(bindings, loop, false);
        if (calls.length > 0 && !isPaced(callback.body)) report(loop, calls);
        return;
      }
      // `Promise.all(ids.map((id) => db.query(...)))`
      const argument = promiseAllArgument(node);
      if (argument === null) return;
      const mapped = mappedArray(bindings, argument);
      if (mapped === null || isBoundedCollection(bindings, mapped.array) || insideLimiter(bindings, node, sourceFile)) return;
      const names = new Set<string>();
      for (const parameter of mapped.callback.parameters) boundNames(parameter.name, names);
      const mapName = unwrapExpression(mapped.map.expression);
      const anchorNode = ts.isPropertyAccessExpression(mapName) ? mapName.name : mapped.map;
      const loop: Loop = { kind: 'promiseAll', body: mapped.callback.body, names, anchor: { start: anchorNode.getStart(sourceFile), end: anchorNode.getEnd() } };
      const calls = perElementCalls(bindings, loop, false).filter((found) => found.channel !== 'http' && !insideLimiter(fileBindings(found.call.getSourceFile()), found.call, mapped.callback));
      report(loop, calls);
    };

    let pythonFlags = { dbapi: false, sqlalchemy: false, django: false };
    let pythonSkip = true;
    let pythonRoot: PythonNode | null = null;
    let relations: Map<string, Map<string, boolean>> | null = null;
    let pythonConstants: Map<string, PythonNode> | null = null;

    const checkPythonLoop = (loop: PythonNode): void => {
      if (pythonSkip) return;
      const names = pythonLoopNames(loop);
      const body = loop.childForFieldName('body');
      const right = loop.childForFieldName('right');
      if (names === null || body === null || right === null) return;
      const anchor = { start: loop.startIndex, end: loop.startIndex + 3 };
      if (pythonFlags.django && pythonRoot !== null) {
        const queryset = loopQueryset(right);
        const left = loop.childForFieldName('left');
        const fields = queryset === null ? undefined : (relations ??= djangoRelations(pythonRoot)).get(queryset.model);
        if (queryset !== null && !queryset.preloads && fields !== undefined && left?.type === 'identifier') {
          const access = relationAccess(body, left.text, fields);
          if (access !== null) {
            const many = fields.get(access.field) === true;
            const text = access.node.text.length > 40 ? `${access.node.text.slice(0, 37)}...` : access.node.text;
            const querysetText = right.text.length > 40 ? `${right.text.slice(0, 37)}...` : right.text;
            context.report({ messageId: 'relationPerElement', data: { access: text, queryset: querysetText, field: access.field, preload: many ? 'prefetch_related' : 'select_related' }, range: { start: access.node.startIndex, end: access.node.endIndex }, related: [{ range: anchor, message: 'The loop over the queryset.' }] });
            return;
          }
        }
      }
      bodyAssignedNames(body, names);
      const constants = (pythonConstants ??= pythonRoot === null ? new Map<string, PythonNode>() : moduleAssignments(pythonRoot));
      const calls = bodyCalls(body).map((call) => pythonDataCall(call, names, pythonFlags, constants)).filter((found): found is PythonDataCall => found !== null);
      const [first, ...others] = calls;
      if (first === undefined) return;
      const callee = first.call.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
      const call = callee.length > 40 ? `${callee.slice(0, 37)}...` : callee;
      const related: RelatedLocation[] = [{ range: anchor, message: 'The loop that repeats it once per element.' }];
      for (const other of others.slice(0, 4)) related.push({ range: { start: other.call.startIndex, end: other.call.endIndex }, message: `Also once per element: \`${other.call.childForFieldName('function')?.text ?? ''}\`.` });
      context.report({ messageId: 'queryPerElement', data: { call, statement: first.write ? 'write' : 'query', batched: pythonBatchedForm(first) }, range: { start: first.call.startIndex, end: first.call.endIndex }, related });
    };

    return {
      pythonFile(file) {
        pythonRoot = file.root;
        relations = null;
        pythonConstants = null;
        pythonSkip = false;
        const imports = pythonImports(file.root);
        pythonFlags = {
          dbapi: PY_DB_MODULES.some((module) => module !== 'sqlalchemy' && importsModule(imports, module)),
          sqlalchemy: importsModule(imports, 'sqlalchemy') || importsModule(imports, 'flask_sqlalchemy'),
          django: usesDjangoModels(file.text),
        };
        if (!pythonFlags.dbapi && !pythonFlags.sqlalchemy && !pythonFlags.django) pythonSkip = true;
      },
      pythonNodes: {
        for_statement: checkPythonLoop,
      },
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
      },
      nodes: {
        [ts.SyntaxKind.ForOfStatement]: checkStatement,
        [ts.SyntaxKind.ForInStatement]: checkStatement,
        [ts.SyntaxKind.ForStatement]: checkStatement,
        [ts.SyntaxKind.WhileStatement]: checkStatement,
        [ts.SyntaxKind.DoStatement]: checkStatement,
        [ts.SyntaxKind.CallExpression]: checkCall,
      },
    };
  },
});
