/**
 * unbounded-find: an ORM read that loads a whole table because nothing limits it: Sequelize
 * `Model.findAll()` / `findAndCountAll()` without `limit`, TypeORM `find()` / `findAndCount()` /
 * `findBy({})` without `take` and query builders ending in `getMany()` with no `where`, `take` or
 * `limit`, Prisma `findMany()` without `take`, Mongoose `Model.find()` without `.limit()` /
 * `.cursor()`, and awaited knex selects without `.where`, `.limit()` or `.first()`.
 *
 * Receivers are resolved by data-access.ts; unknown receivers stay silent. The choice made for
 * precision: a read is reported when it has no filter at all (no `where`, or an empty one). A
 * filtered read is left alone by default, because a filter on a foreign key (`{ userId }`) is how
 * most bounded lists are written; `flagFilteredReads` also reports filters on fields that look
 * neither unique nor like keys (`{ status: 'open' }`). Options built elsewhere or spread in
 * (`findAll(options)`, `{ ...paging }`) are unknown, so silent.
 *
 * The fix (unsafe: the result set changes) adds the library's own limit with `pageSize` rows.
 */

import { ts } from '../../engine/languages/typescript';
import { pythonArguments, type PythonNode, type PythonSqlSite } from '../../engine/languages/python';
import type { SqlSource, SqlStatement } from '../../engine/languages/sql/source';
import { findClause, fromItems, hasAggregate } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyInsertion, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import { chainMethods, DATA_ACCESS_PREFILTER, valueKind, type ValueKind } from '../helpers/data-access';
import { hasSplicedFragment, isRealTable, readsOnlySystemCatalogs, tableNameParts } from '../../sql/helpers/relations';
import { calleeParts, djangoManagerModel, enclosingFunction, methodChain, sameNode, usesDjangoModels } from '../helpers/python-data-access';

type MessageId = 'wholeTable' | 'unfilteredBuilder' | 'pyFetchall' | 'pyReadSql' | 'pyQueryAll' | 'pyQueryset';

/** How a read is limited in its library. */
type LimitStyle = { kind: 'option'; name: 'limit' | 'take' } | { kind: 'chain'; method: 'limit' | 'take' };

interface Read {
  limit: LimitStyle;
  /** The options argument (`findAll(options)`), or where an empty one would go. */
  options: ts.Expression | undefined;
  /** The filter: the options' `where` (or the argument itself for `findBy`), or undefined. */
  whereFromOptions: boolean;
  call: ts.CallExpression;
  /** For `manager.find(Entity, options)`: the argument options would follow. */
  optionsAfter: ts.Expression | null;
}

/** Keys that make a filter select one row or one owner's rows: `id`, `userId`, `order_id`, `uuid`. */
function isKeyLike(name: string): boolean {
  return /^(id|_id|uuid|pk|key|slug|email)$/i.test(name) || /(Id|_id|ID|Uuid|_uuid|Key|_key)$/.test(name);
}

/** none: no filter; keyed: a filter on a key; other: a filter on other fields; unknown: can't tell. */
function filterKind(bindings: FileBindings, where: ts.Expression | null | undefined): 'none' | 'keyed' | 'other' | 'unknown' {
  if (where === undefined || where === null) return 'none';
  const value = bindings.origin(where);
  if (value.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(value) && value.text === 'undefined')) return 'none';
  if (ts.isArrayLiteralExpression(value)) return value.elements.length === 0 ? 'none' : 'unknown';
  if (!ts.isObjectLiteralExpression(value)) return 'unknown';
  const { names, spread } = propertiesOf(value);
  if (spread) return 'unknown';
  if (names.size === 0) return 'none';
  return [...names.keys()].some(isKeyLike) ? 'keyed' : 'other';
}

/** The filter of an options object: `'none'` without one, `'unknown'` when the options cannot be read. */
function optionsFilter(bindings: FileBindings, options: ts.Expression | undefined, limitName: string): 'none' | 'keyed' | 'other' | 'unknown' | 'limited' {
  if (options === undefined) return 'none';
  const literal = objectLiteralOf(bindings, options);
  if (literal === null) return 'unknown';
  const { names, spread } = propertiesOf(literal);
  if (spread) return 'unknown';
  // Grouped reads return one row per group; `cursor` pages in Prisma; `skip` alone is paging gone wrong but deliberate.
  if (names.has(limitName) || names.has('group') || names.has('cursor')) return 'limited';
  return filterKind(bindings, propertyValue(names.get('where')));
}

const SEQUELIZE_READS = new Set(['findAll', 'findAndCountAll']);
const TYPEORM_OPTION_READS = new Set(['find', 'findAndCount']);
const TYPEORM_WHERE_READS = new Set(['findBy', 'findAndCountBy']);
/** Knex chain methods that keep a plain row list: anything else (unknown helpers) makes the rule stay silent. */
const KNEX_LIST_METHODS = new Set(['select', 'from', 'table', 'column', 'columns', 'distinct', 'orderBy', 'orderByRaw', 'join', 'innerJoin', 'leftJoin', 'leftOuterJoin', 'rightJoin', 'crossJoin', 'withSchema', 'as', 'timeout', 'options', 'then']);
const TYPEORM_LIST_METHODS = new Set(['select', 'addSelect', 'from', 'orderBy', 'addOrderBy', 'leftJoin', 'leftJoinAndSelect', 'innerJoin', 'innerJoinAndSelect', 'leftJoinAndMapMany', 'leftJoinAndMapOne', 'withDeleted', 'cache', 'useIndex', 'getMany', 'getRawMany', 'getManyAndCount', 'createQueryBuilder', 'setLock']);

function isAwaitedOrThen(node: ts.Node): boolean {
  let current = node;
  while (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent)) current = current.parent;
  if (ts.isAwaitExpression(current.parent)) return true;
  return false;
}

/** The outermost call of a method chain `node` starts (`User.find()` in `User.find().sort().lean()`), and the method names above it. */
function chainAbove(node: ts.CallExpression): { top: ts.CallExpression; methods: string[] } {
  let top = node;
  const methods: string[] = [];
  for (;;) {
    const access = top.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== top) break;
    const call = access.parent;
    if (!ts.isCallExpression(call) || call.expression !== access) break;
    methods.push(access.name.text);
    top = call;
  }
  return { top, methods };
}

function shortCall(text: string): string {
  const oneLine = text.replace(/\s+/g, '');
  return oneLine.length > 50 ? `${oneLine.slice(0, 47)}...` : oneLine;
}

function receiverKindOf(bindings: FileBindings, callee: ts.Expression): ValueKind | null {
  return ts.isPropertyAccessExpression(callee) ? valueKind(bindings, callee.expression) : null;
}

/*
 * The Python form: `cursor.fetchall()` after an `execute` of an unbounded SELECT on the same cursor
 * in the same function (or chained: `conn.execute(sql).fetchall()`), `pd.read_sql(sql, con)` of an
 * unbounded SELECT without `chunksize`, SQLAlchemy `session.query(M).all()` (and Flask-SQLAlchemy
 * `M.query.all()`) with nothing but ordering, joins or loader options in between, and a Django
 * `Model.objects.all()` / `order_by(...)` queryset that is materialized: iterated by `for`, or passed
 * to `list()`, `len()`, `tuple()`, `sorted()`, `set()`. Iterating a queryset loads every row into its
 * result cache (Django 3.2, django/db/models/query.py: `__iter__` and `__len__` call `_fetch_all()`,
 * which is `list(self._iterable_class(self))`); `.iterator()` streams in chunks instead.
 */

/** The SELECT a statement returns, when nothing bounds it: no WHERE, LIMIT, aggregate, grouping or DISTINCT, reading a real table. */
function unboundedSelectTable(statement: SqlStatement): string | null {
  const model = statement.model;
  if (!['SELECT', 'WITH'].includes(model.leadingKeyword)) return null;
  const block = model.blocks.find((candidate) => candidate.kind === 'select' && candidate.context === 'statement');
  if (block === undefined || block.inSetOperation) return null;
  if ((['where', 'limit', 'top', 'fetch', 'groupBy', 'having', 'qualify', 'into'] as const).some((name) => findClause(block, name) !== undefined)) return null;
  const select = findClause(block, 'select');
  const from = findClause(block, 'from');
  if (select === undefined || from === undefined) return null;
  if (['DISTINCT', 'DISTINCTROW'].includes(model.tokens[select.start]?.upper ?? '')) return null;
  if (hasAggregate(model, block) || hasSplicedFragment(model, block) || readsOnlySystemCatalogs(model, block)) return null;
  const items = fromItems(model, block, from);
  // Joins filter as a WHERE would; only a single real table is judged.
  if (items.length !== 1) return null;
  const [item] = items;
  if (item === undefined || !isRealTable(model, item)) return null;
  return tableNameParts(model, item).join('.');
}

/** ORM chain methods that neither filter nor limit nor stream. */
const SQLALCHEMY_PASSIVE = new Set(['query', 'order_by', 'options', 'join', 'outerjoin', 'select_from', 'execution_options', 'populate_existing', 'enable_eagerloads', 'add_columns', 'with_entities', 'correlate', 'all']);
const DJANGO_PASSIVE = new Set(['all', 'order_by', 'select_related', 'prefetch_related', 'only', 'defer', 'using', 'reverse', 'annotate', 'values', 'values_list']);
const MATERIALIZERS = new Set(['list', 'len', 'tuple', 'sorted', 'set']);

/** `Model.objects...` with only passive methods: the model's name, else null. */
function unboundedQueryset(expression: PythonNode): string | null {
  const chain = expression.type === 'call' ? methodChain(expression) : { methods: [], root: expression };
  const model = djangoManagerModel(chain.root);
  if (model === null || chain.methods.length === 0) return null;
  if (!chain.methods.every((entry) => DJANGO_PASSIVE.has(entry.name))) return null;
  return model;
}

function shortText(node: PythonNode): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}

export default defineRule<MessageId>({
  meta: {
    id: 'unbounded-find',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'An ORM read with no filter and no limit (`findAll()`, `find()`, `findMany()`, `getMany()`, a knex select; `fetchall()`, `read_sql`, `query(M).all()`, a Django queryset) that loads the whole table.',
    why: 'The table grows and the read does not: a query that returned 50 rows in tests returns 2 million in production, all materialized in memory, with latency, GC pauses and an eventual out-of-memory crash growing with the data.',
    messages: {
      wholeTable: '`{{call}}` has no filter and no limit, so it loads the whole table into memory; page it with `{{limit}}` (and a cursor), or stream it.',
      unfilteredBuilder: '`{{call}}` has no `where` and no limit, so it loads the whole table into memory; page it with `{{limit}}` (and a cursor), or stream it.',
      pyFetchall: '`fetchall()` loads every row of `{{table}}` into memory (the query has no WHERE, LIMIT or aggregate); read it in batches with `fetchmany(1000)` or iterate the cursor (a server-side cursor in psycopg2), or bound the query.',
      pyReadSql: '`{{call}}` loads every row of `{{table}}` into one DataFrame (the query has no WHERE, LIMIT or aggregate); pass `chunksize=` to process it in pieces, or bound the query.',
      pyQueryAll: '`{{call}}` has no filter and no limit, so it loads the whole table into memory; filter it, page it with `.limit(...)` on a key, or stream it with `.yield_per(1000)`.',
      pyQueryset: '`{{call}}` loads every row of `{{model}}` into memory (evaluating a queryset fills its result cache); filter or slice it, or stream it with `.iterator()`{{extra}}.',
    },
    options: { pageSize: 100, flagFilteredReads: false },
    prefilter: DATA_ACCESS_PREFILTER,
    pythonPrefilter: ['sequelize', 'typeorm', 'prisma', 'mongoose', 'knex', 'fetchall', 'read_sql', '.all()', '.objects'],
    sources: ['No JS linter found; catalogue js-orm-find-without-limit', 'Sonar PL/SQL S2449 (analog)', 'Semgrep python len-all-count (adjacent)'],
  },
  create(context) {
    let bindings: FileBindings | null = null;
    let sourceFile: ts.SourceFile | null = null;
    const pageSize = typeof context.options['pageSize'] === 'number' && context.options['pageSize'] > 0 ? Math.floor(context.options['pageSize']) : 100;
    const flagFiltered = context.options['flagFilteredReads'] === true;
    const reportable = (filter: string): boolean => filter === 'none' || (flagFiltered && filter === 'other');

    /** The fix for an options-style read: add the limit to the literal, or an options argument. */
    const optionFix = (file: ts.SourceFile, read: Read, name: string): Fix | null => {
      const property = `${name}: ${pageSize}`;
      if (read.options !== undefined) {
        const literal = unwrapExpression(read.options);
        if (!ts.isObjectLiteralExpression(literal)) return null;
        const insertion = propertyInsertion(file, literal, property);
        return { title: `Add \`${property}\``, safety: 'unsafe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
      }
      if (read.optionsAfter !== null) {
        const end = read.optionsAfter.getEnd();
        return { title: `Add \`{ ${property} }\``, safety: 'unsafe', edits: [{ range: { start: end, end }, newText: `, { ${property} }` }] };
      }
      if (read.call.arguments.length !== 0) return null;
      const open = read.call.arguments.pos;
      return { title: `Add \`{ ${property} }\``, safety: 'unsafe', edits: [{ range: { start: open, end: open }, newText: `{ ${property} }` }] };
    };

    const chainFix = (method: string, at: number): Fix => ({ title: `Add \`.${method}(${pageSize})\``, safety: 'unsafe', edits: [{ range: { start: at, end: at }, newText: `.${method}(${pageSize})` }] });

    /** Mongoose: `Model.find(filter)` and the query chain built on it. */
    const checkMongoose = (node: ts.CallExpression, callee: ts.PropertyAccessExpression): void => {
      if (bindings === null || sourceFile === null || callee.name.text !== 'find') return;
      const file = sourceFile;
      const known = bindings;
      const range = { start: node.getStart(file), end: node.getEnd() };
      if (node.arguments.some((argument) => ts.isArrowFunction(argument) || ts.isFunctionExpression(argument))) return;
      const { top, methods } = chainAbove(node);
      if (methods.some((name) => !['sort', 'select', 'lean', 'populate', 'exec', 'skip', 'where', 'equals', 'in', 'collation', 'hint', 'read', 'session', 'setOptions', 'then', 'catch'].includes(name))) return;
      if (methods.some((name) => ['where', 'equals', 'in'].includes(name))) return;
      if (!isAwaitedOrThen(top) && !methods.includes('exec') && !methods.includes('then')) return;
      const filter = filterKind(known, node.arguments[0]);
      if (!reportable(filter)) return;
      context.report({ messageId: 'wholeTable', data: { call: shortCall(`${callee.getText(file)}(${node.arguments.length === 0 ? '' : '...'})`), limit: `.limit(${pageSize})` }, range, fixes: [chainFix('limit', node.getEnd())] });
    };

    const check = (node: ts.Node): void => {
      if (bindings === null || sourceFile === null || !ts.isCallExpression(node)) return;
      const file = sourceFile;
      const known = bindings;
      const callee = unwrapExpression(node.expression);
      if (!ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee)) return;
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.text;
      const range = { start: node.getStart(file), end: node.getEnd() };

      // Sequelize, TypeORM and Prisma: options objects.
      if (SEQUELIZE_READS.has(method) || TYPEORM_OPTION_READS.has(method) || TYPEORM_WHERE_READS.has(method) || method === 'findMany') {
        const kind = receiverKindOf(known, callee);
        if (kind === null) return;
        if (kind === 'mongooseModel' && ts.isPropertyAccessExpression(callee)) {
          checkMongoose(node, callee);
          return;
        }
        let read: Read | null = null;
        if (SEQUELIZE_READS.has(method) && kind === 'sequelizeModel') read = { limit: { kind: 'option', name: 'limit' }, options: node.arguments[0], whereFromOptions: true, call: node, optionsAfter: null };
        if (method === 'findMany' && kind === 'prismaDelegate') read = { limit: { kind: 'option', name: 'take' }, options: node.arguments[0], whereFromOptions: true, call: node, optionsAfter: null };
        const typeorm = kind === 'typeormRepository' || kind === 'typeormEntity' || kind === 'typeormManager';
        if (typeorm && (TYPEORM_OPTION_READS.has(method) || TYPEORM_WHERE_READS.has(method))) {
          // `manager.find(User, options)`: the entity comes first.
          const offset = kind === 'typeormManager' ? 1 : 0;
          if (kind === 'typeormManager' && node.arguments[0] === undefined) return;
          if (node.arguments.some((argument) => ts.isArrowFunction(argument) || ts.isFunctionExpression(argument))) return;
          const argument = node.arguments[offset];
          const after = kind === 'typeormManager' ? node.arguments[0] ?? null : null;
          read = { limit: { kind: 'option', name: 'take' }, options: argument, whereFromOptions: TYPEORM_OPTION_READS.has(method), call: node, optionsAfter: argument === undefined ? after : null };
        }
        if (read === null || read.limit.kind !== 'option') return;
        const limitName = read.limit.name;
        const filter = read.whereFromOptions ? optionsFilter(known, read.options, limitName) : filterKind(known, read.options);
        if (!reportable(filter)) return;
        // `findBy(where)` cannot take a limit; the fix would be a rewrite to `find({ where, take })`.
        const fix = read.whereFromOptions ? optionFix(file, read, limitName) : null;
        context.report({ messageId: 'wholeTable', data: { call: shortCall(`${callee.getText(file)}(${node.arguments.length === 0 ? '' : '...'})`), limit: `${limitName}: ${pageSize}` }, range, fixes: fix === null ? [] : [fix] });
        return;
      }

      // TypeORM query builders: `...createQueryBuilder('u')...getMany()`.
      if ((method === 'getMany' || method === 'getManyAndCount' || method === 'getRawMany') && ts.isPropertyAccessExpression(callee)) {
        // Walk down to `createQueryBuilder(...)`, checking every method on the way only shapes a row list.
        let current: ts.Expression = node;
        let builder: ts.CallExpression | null = null;
        for (;;) {
          const unwrapped = unwrapExpression(current);
          if (!ts.isCallExpression(unwrapped)) return;
          const access = unwrapExpression(unwrapped.expression);
          if (!ts.isPropertyAccessExpression(access) || !TYPEORM_LIST_METHODS.has(access.name.text)) return;
          if (access.name.text === 'createQueryBuilder') {
            builder = unwrapped;
            break;
          }
          current = access.expression;
        }
        const builderCallee = unwrapExpression(builder.expression);
        if (!ts.isPropertyAccessExpression(builderCallee)) return;
        const rootKind = valueKind(known, builderCallee.expression);
        if (rootKind === null || !rootKind.startsWith('typeorm')) return;
        context.report({ messageId: 'unfilteredBuilder', data: { call: `.${method}()`, limit: `.take(${pageSize})` }, range, fixes: [chainFix('take', callee.expression.getEnd())] });
        return;
      }

      // knex: an awaited chain that starts from the instance and only lists rows.
      if (!isAwaitedOrThen(node)) return;
      const { names, root } = chainMethods(node);
      const rootCall = unwrapExpression(root);
      let start: ts.Expression | null = null;
      if (ts.isIdentifier(rootCall) && names.length >= 1) {
        // `knex.select(...).from(...)`: the root is the instance itself.
        if (valueKind(known, rootCall) === 'knex') start = rootCall;
      }
      if (start === null) {
        // `knex('users')...`: the innermost call is a call of the instance.
        let inner: ts.Expression = node;
        for (;;) {
          const unwrapped = unwrapExpression(inner);
          if (!ts.isCallExpression(unwrapped)) break;
          const innerCallee = unwrapExpression(unwrapped.expression);
          if (ts.isIdentifier(innerCallee)) {
            if (valueKind(known, innerCallee) === 'knex' && unwrapped.arguments.length === 1) start = innerCallee;
            break;
          }
          if (!ts.isPropertyAccessExpression(innerCallee)) break;
          inner = innerCallee.expression;
        }
      }
      if (start === null) return;
      if (names.some((name) => !KNEX_LIST_METHODS.has(name))) return;
      // A `.then(...)` ends the chain; the limit goes before it.
      let end: ts.Expression = node;
      while (ts.isCallExpression(end) && ts.isPropertyAccessExpression(end.expression) && ['then', 'catch', 'finally'].includes(end.expression.name.text)) end = end.expression.expression;
      context.report({ messageId: 'wholeTable', data: { call: shortCall(end.getText(file)), limit: `.limit(${pageSize})` }, range, fixes: [chainFix('limit', end.getEnd())] });
    };

    let pythonSkip = true;
    let django = false;
    let fetchalls: PythonNode[] = [];
    let executes: PythonNode[] = [];

    const reportQueryset = (expression: PythonNode, how: string): void => {
      const model = unboundedQueryset(expression);
      if (model === null) return;
      context.report({ messageId: 'pyQueryset', data: { call: shortText(expression), model, extra: how === 'len' ? ' (or count rows with `.count()`)' : '' }, range: { start: expression.startIndex, end: expression.endIndex } });
    };

    const pythonVisitors = {
      pythonFile(file: { text: string }) {
        pythonSkip = false;
        django = usesDjangoModels(file.text);
        fetchalls = [];
        executes = [];
      },
      pythonNodes: {
        call(node: PythonNode) {
          if (pythonSkip) return;
          const parts = calleeParts(node);
          if (parts === null) return;
          const { method, receiver, callee } = parts;
          if (method === 'fetchall' && receiver !== null && pythonArguments(node).positional.length === 0) fetchalls.push(node);
          if (method === 'execute' && receiver !== null) executes.push(node);
          if (method === 'all' && receiver !== null && callee.type === 'attribute' && pythonArguments(node).positional.length === 0) {
            // session.query(M)...all() / M.query...all()
            const chain = methodChain(node);
            const query = chain.methods.find((entry) => entry.name === 'query');
            const flaskRoot = chain.root.type === 'attribute' && chain.root.childForFieldName('attribute')?.text === 'query' && /^[A-Z]\w*$/.test(chain.root.childForFieldName('object')?.text ?? '');
            if ((query !== undefined || flaskRoot) && chain.methods.every((entry) => SQLALCHEMY_PASSIVE.has(entry.name))) {
              const queryArguments = query === undefined ? [] : pythonArguments(query.call).positional;
              const receiverText = query === undefined ? '' : (query.call.childForFieldName('function')?.childForFieldName('object')?.text ?? '');
              if (flaskRoot || (/session/i.test(receiverText) && queryArguments.length > 0)) {
                context.report({ messageId: 'pyQueryAll', data: { call: shortText(node) }, range: { start: node.startIndex, end: node.endIndex } });
              }
            }
          }
          if (django && callee.type === 'identifier' && MATERIALIZERS.has(callee.text)) {
            const argument = pythonArguments(node).positional[0];
            if (argument !== undefined) reportQueryset(argument, callee.text);
          }
        },
        for_statement(node: PythonNode) {
          if (pythonSkip || !django) return;
          const right = node.childForFieldName('right');
          if (right !== null) reportQueryset(right, 'for');
        },
      },
      pythonEmbeddedSql(site: PythonSqlSite, source: SqlSource) {
        if (pythonSkip || source.statements.length !== 1) return;
        const [statement] = source.statements;
        if (statement === undefined) return;
        const table = unboundedSelectTable(statement);
        // "No WHERE" is known only of a statement the grammar reads: in `FROM ordersWHERE id = %s`
        // the filter is there, run into the table's name.
        if (table === null || !statement.parses) return;
        const call = site.node;
        const related = [{ range: { start: call.startIndex, end: call.endIndex }, message: 'The unbounded query.' }];
        if (site.calleeName === 'read_sql' || site.calleeName === 'read_sql_query') {
          if (pythonArguments(call).keywords.has('chunksize')) return;
          const callee = call.childForFieldName('function');
          context.report({ messageId: 'pyReadSql', data: { call: `${callee?.text ?? site.calleeName}(...)`, table }, range: { start: callee?.startIndex ?? call.startIndex, end: callee?.endIndex ?? call.endIndex } });
          return;
        }
        if (site.calleeName !== 'execute') return;
        // conn.execute(sql).fetchall()
        const parent = call.parent;
        if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'fetchall' && parent.parent?.type === 'call') {
          const fetch = parent.childForFieldName('attribute');
          if (fetch !== null) context.report({ messageId: 'pyFetchall', data: { table }, range: { start: fetch.startIndex, end: parent.parent.endIndex }, related });
          return;
        }
        const receiver = call.childForFieldName('function')?.childForFieldName('object')?.text;
        if (receiver === undefined) return;
        const scope = enclosingFunction(call);
        const sameScope = (node: PythonNode): boolean => sameNode(enclosingFunction(node), scope);
        const receiverOf = (node: PythonNode): string | undefined => node.childForFieldName('function')?.childForFieldName('object')?.text;
        const nextExecute = executes.find((other) => other.startIndex > call.endIndex && receiverOf(other) === receiver && sameScope(other));
        const fetch = fetchalls.find((other) => other.startIndex > call.endIndex && (nextExecute === undefined || other.startIndex < nextExecute.startIndex) && receiverOf(other) === receiver && sameScope(other));
        if (fetch === undefined) return;
        const name = fetch.childForFieldName('function')?.childForFieldName('attribute');
        context.report({ messageId: 'pyFetchall', data: { table }, range: { start: name?.startIndex ?? fetch.startIndex, end: fetch.endIndex }, related });
      },
    };

    return {
      ...pythonVisitors,
      file(file) {
        sourceFile = file;
        bindings = fileBindings(file, context.project);
      },
      nodes: { [ts.SyntaxKind.CallExpression]: check },
    };
  },
});
