/**
 * pool-without-limits: a database or cache client created with the defaults that let requests
 * wait forever or grow without bound: node-postgres `Pool`/`Client` without
 * `connectionTimeoutMillis` (and a `Pool` without an explicit `max`), a mysql2 `createPool` whose
 * waiting queue is unbounded (`queueLimit` 0, the default, while `waitForConnections` is on),
 * knex with neither `pool` nor `acquireConnectionTimeout`, a `MongoClient` without `maxPoolSize`
 * and a checkout timeout, and ioredis without `commandTimeout` while its offline queue is on.
 *
 * Options are read only when the file shows them: an object literal written in the call or held
 * by a constant in the same file. Options from another module, a parameter or a `...spread` may
 * set anything, so the rule stays silent. Connection-string-only forms (`new Client(url)`,
 * `new MongoClient(uri)`, `new Redis(url)`) have the defaults and are reported, without a fix.
 *
 * The fix inserts only the missing options into the literal: sizes as the library's own default
 * made explicit, timeouts as conservative finite values.
 *
 * Python (no fix): redis-py clients and pools (`Redis(...)`, `StrictRedis(...)`, `from_url(...)`,
 * `ConnectionPool(...)`, also `redis.asyncio`) without `socket_timeout`, in the call or in a
 * literal URL's query: redis-py 4.3.4 defaults it to None, so a stalled server blocks the caller
 * forever (`socket_connect_timeout` falls back to it). Clients given a `connection_pool=` are
 * judged where that pool is made. SQLAlchemy `create_engine` / `create_async_engine` with an
 * explicit `pool_timeout=None` (QueuePool then waits forever) or `max_overflow=-1` (no cap on
 * connections), and, for a literal `postgresql` URL using libpq (psycopg2, psycopg) or pg8000,
 * no connect timeout in the URL or `connect_args`: libpq waits indefinitely by default. The
 * SQLAlchemy defaults themselves (pool_size 5, max_overflow 10, pool_timeout 30 s) are bounded.
 */

import { ts } from '../../engine/languages/typescript';
import { defineRule } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyValue, unwrapExpression, type FileBindings } from '../helpers/bindings';
import type { PythonNode } from '../../engine/languages/python';
import { pythonArguments } from '../../engine/languages/python';
import { calleeOrigin, configDictOf, hasSplat, isPythonTestFile, lastSegment, literalOf, pythonAssignments, pythonImports, type PythonAssignments, type PythonImports } from '../helpers/python-libraries';
import { CLIENT_PREFILTER, clientCreationOf, declaredNameOf, insertProperties, referencesIn, stringTextOf, type ClientCreation } from '../helpers/connections';

type MessageId = 'pg' | 'mysql' | 'knex' | 'mongo' | 'redis' | 'redisPy' | 'sqlalchemyUnbounded' | 'sqlalchemyConnectTimeout';

const REDIS_PY_FACTORIES = new Set(['Redis', 'StrictRedis', 'ConnectionPool', 'BlockingConnectionPool', 'from_url']);
/** libpq-based and pure-Python PostgreSQL drivers whose connect waits without limit by default (asyncpg defaults to 60 s). */
const UNBOUNDED_CONNECT_URL = /^postgres(?:ql)?(?:\+(?:psycopg2|psycopg|psycopg2cffi|pg8000))?:\/\//;

/** The text of a literal URL argument (a plain string or an f-string's literal start), or null. */
function urlText(node: PythonNode | undefined): string | null {
  if (node === undefined || node.type !== 'string') return null;
  const match = /^[rRfFuU]*(['"]{1,3})([\s\S]*)\1$/.exec(node.text);
  return match === null ? null : (match[2] ?? '');
}

/** Modules whose queues hold ioredis connections for blocking commands, where a command timeout is wrong. */
const BLOCKING_REDIS_USERS = ['bullmq', 'bull', 'bee-queue'];
/** Commands that wait on purpose (blocking reads, subscriptions), which a `commandTimeout` would cut off. */
const BLOCKING_REDIS_COMMANDS = new Set(['blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'xread', 'xreadgroup', 'subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

/** Whether the client stored from `created` is used in the file for blocking commands or subscriptions. */
function usedForBlockingCommands(bindings: FileBindings, created: ClientCreation): boolean {
  const variable = declaredNameOf(created.node);
  if (variable === null) return false;
  return referencesIn(bindings.sourceFile, variable.text).some((reference) => {
    const access = reference.parent;
    return ts.isPropertyAccessExpression(access) && access.expression === reference && BLOCKING_REDIS_COMMANDS.has(access.name.text.toLowerCase());
  });
}

/** What the file says about a client's options. */
type Options =
  | { kind: 'literal'; literal: ts.ObjectLiteralExpression; names: Map<string, ts.ObjectLiteralElementLike> }
  | { kind: 'defaults' } // nothing, or only a connection string: every option has its default
  | { kind: 'unknown' }; // from elsewhere or spread: anything may be set

/** A value that is certainly a connection string or host, not an options object. */
function isConnectionString(bindings: FileBindings, expression: ts.Expression): boolean {
  // `process.env.REDIS_URL ?? 'redis://localhost:6379'`: any operand of a `??` / `||` chain,
  // read with a stack, as a chain is a tree as deep as it is long (#15).
  const pending: ts.Expression[] = [expression];
  // Constants may refer to each other in a cycle (`a = b ?? x`, `b = a ?? y`): each is read once.
  const seen = new Set<ts.Expression>();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const made = bindings.origin(next);
    if (seen.has(made)) continue;
    seen.add(made);
    if (ts.isBinaryExpression(made) && (made.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || made.operatorToken.kind === ts.SyntaxKind.BarBarToken)) pending.push(made.right, made.left);
    else if (namesAConnection(made)) return true;
  }
  return false;
}

function namesAConnection(made: ts.Expression): boolean {
  if (ts.isStringLiteral(made) || ts.isNoSubstitutionTemplateLiteral(made) || ts.isTemplateExpression(made) || ts.isNumericLiteral(made)) return true;
  // `process.env.DATABASE_URL`, `config.redisUrl`, `uri`: names that say they hold a URL.
  const name = ts.isIdentifier(made) ? made.text : ts.isPropertyAccessExpression(made) ? made.name.text : ts.isElementAccessExpression(made) && ts.isStringLiteral(made.argumentExpression) ? made.argumentExpression.text : '';
  if (ts.isPropertyAccessExpression(made) && ts.isPropertyAccessExpression(made.expression) && made.expression.name.text === 'env') return true;
  return /(url|uri|dsn|connectionstring|host|port)$/i.test(name);
}

function literalOptions(bindings: FileBindings, expression: ts.Expression): Options {
  const literal = objectLiteralOf(bindings, expression);
  if (literal === null) return { kind: 'unknown' };
  const { names, spread } = propertiesOf(literal);
  return spread ? { kind: 'unknown' } : { kind: 'literal', literal, names };
}

/** Options for clients whose only argument is either an options object or a connection string. */
function singleArgumentOptions(bindings: FileBindings, argument: ts.Expression | undefined): Options {
  if (argument === undefined) return { kind: 'defaults' };
  if (isConnectionString(bindings, argument)) return { kind: 'defaults' };
  return literalOptions(bindings, argument);
}

function valueOf(names: Map<string, ts.ObjectLiteralElementLike>, name: string): ts.Expression | null {
  const value = propertyValue(names.get(name));
  return value === null ? null : unwrapExpression(value);
}

function isLiteralZero(value: ts.Expression | null): boolean {
  return value !== null && ts.isNumericLiteral(value) && Number(value.text) === 0;
}

function isFalse(value: ts.Expression | null): boolean {
  return value !== null && value.kind === ts.SyntaxKind.FalseKeyword;
}

/** A problem found on a client, and the options (as code) that fix it. */
interface Problem {
  messageId: MessageId;
  problem: string;
  remedy: string;
  /** Properties to insert into the literal; empty when the fix cannot be written. */
  insert: string[];
  /** Replacements of explicit zero values, with the property as it reads after the fix. */
  replace: { edit: TextEdit; text: string }[];
}

function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function pgProblem(bindings: FileBindings, created: ClientCreation, isPool: boolean): Problem | null {
  const options = singleArgumentOptions(bindings, created.arguments[0]);
  if (options.kind === 'unknown') return null;
  // pg-pool only: a Pool given a string would spread its characters, so a string is not a Pool config.
  if (isPool && created.arguments[0] !== undefined && options.kind === 'defaults') return null;
  const names = options.kind === 'literal' ? options.names : new Map<string, ts.ObjectLiteralElementLike>();
  const problems: string[] = [];
  const insert: string[] = [];
  const replace: Problem['replace'] = [];
  const timeout = valueOf(names, 'connectionTimeoutMillis');
  if (timeout === null || isLiteralZero(timeout)) {
    problems.push(isPool ? 'no `connectionTimeoutMillis` (0 by default: a request waits for a free connection forever)' : 'no `connectionTimeoutMillis` (0 by default: `connect()` waits forever)');
    if (timeout === null) insert.push('connectionTimeoutMillis: 5_000');
    else replace.push({ edit: { range: { start: timeout.getStart(bindings.sourceFile), end: timeout.getEnd() }, newText: '5_000' }, text: 'connectionTimeoutMillis: 5_000' });
  }
  if (isPool && valueOf(names, 'max') === null && valueOf(names, 'poolSize') === null) {
    problems.unshift('no explicit `max` (10 connections per process, times every replica)');
    insert.unshift('max: 10');
  }
  if (problems.length === 0) return null;
  const remedies = [...(insert.includes('max: 10') ? ['`max` to your share of the database\'s connections'] : []), ...(problems.some((problem) => problem.includes('connectionTimeoutMillis')) ? ['`connectionTimeoutMillis: 5_000`'] : [])];
  const remedy = `set ${joinWords(remedies)}`;
  return { messageId: 'pg', problem: `has ${joinWords(problems)}`, remedy, insert: options.kind === 'literal' ? insert : [], replace: options.kind === 'literal' ? replace : [] };
}

function mysqlProblem(bindings: FileBindings, created: ClientCreation): Problem | null {
  const options = singleArgumentOptions(bindings, created.arguments[0]);
  if (options.kind === 'unknown') return null;
  const names = options.kind === 'literal' ? options.names : new Map<string, ts.ObjectLiteralElementLike>();
  if (isFalse(valueOf(names, 'waitForConnections'))) return null;
  const limit = valueOf(names, 'queueLimit');
  if (limit !== null && !isLiteralZero(limit)) return null;
  const problem = limit === null ? 'has no `queueLimit` (0 by default: an unbounded queue of requests waiting for a connection, with no acquire timeout)' : 'sets `queueLimit: 0` (an unbounded queue of requests waiting for a connection, with no acquire timeout)';
  const literal = options.kind === 'literal';
  return {
    messageId: 'mysql',
    problem,
    remedy: 'set `queueLimit: 100` (or `waitForConnections: false`) so overload fails fast',
    insert: literal && limit === null ? ['queueLimit: 100'] : [],
    replace: literal && limit !== null ? [{ edit: { range: { start: limit.getStart(bindings.sourceFile), end: limit.getEnd() }, newText: '100' }, text: 'queueLimit: 100' }] : [],
  };
}

const SQLITE_CLIENTS = new Set(['sqlite3', 'sqlite', 'better-sqlite3']);

function knexProblem(bindings: FileBindings, created: ClientCreation): Problem | null {
  const argument = created.arguments[0];
  if (argument === undefined) return null;
  const options = literalOptions(bindings, argument);
  if (options.kind !== 'literal') return null;
  const { names } = options;
  // Without a connection, knex is only a query builder; SQLite has one connection and no server.
  if (!names.has('connection')) return null;
  const client = stringTextOf(valueOf(names, 'client') ?? undefined);
  if (client === null || SQLITE_CLIENTS.has(client)) return null;
  if (names.has('pool') || names.has('acquireConnectionTimeout')) return null;
  return {
    messageId: 'knex',
    problem: 'has neither `pool` nor `acquireConnectionTimeout` (defaults: 2 to 10 connections per process, and a query waits up to 60 s for one)',
    remedy: 'size `pool` explicitly and set `acquireConnectionTimeout: 10_000`',
    insert: ['pool: { min: 0, max: 10 }', 'acquireConnectionTimeout: 10_000'],
    replace: [],
  };
}

/** Query parameters of a literal connection string, lower-cased. */
function uriParameters(bindings: FileBindings, expression: ts.Expression | undefined): Set<string> {
  if (expression === undefined) return new Set();
  const text = stringTextOf(bindings.origin(expression));
  if (text === null) return new Set();
  const query = text.split('?')[1] ?? '';
  return new Set(query.split('&').map((pair) => (pair.split('=')[0] ?? '').toLowerCase()));
}

function mongoProblem(bindings: FileBindings, created: ClientCreation): Problem | null {
  const optionsArgument = created.arguments[1];
  const options = optionsArgument === undefined ? ({ kind: 'defaults' } as const) : literalOptions(bindings, optionsArgument);
  if (options.kind === 'unknown') return null;
  const names = options.kind === 'literal' ? options.names : new Map<string, ts.ObjectLiteralElementLike>();
  const inUri = uriParameters(bindings, created.arguments[0]);
  const problems: string[] = [];
  const insert: string[] = [];
  if (!names.has('maxPoolSize') && !names.has('poolSize') && !inUri.has('maxpoolsize')) {
    problems.push('no `maxPoolSize` (100 connections per process by default, times every replica)');
    insert.push('maxPoolSize: 100');
  }
  const waitTimeout = valueOf(names, 'waitQueueTimeoutMS');
  const hasCheckoutTimeout = (waitTimeout !== null && !isLiteralZero(waitTimeout)) || names.has('timeoutMS') || inUri.has('waitqueuetimeoutms') || inUri.has('timeoutms');
  if (!hasCheckoutTimeout) {
    problems.push('no `waitQueueTimeoutMS` (0 by default: an operation waits for a pooled connection forever)');
    if (waitTimeout === null) insert.push('waitQueueTimeoutMS: 10_000');
  }
  if (problems.length === 0) return null;
  return {
    messageId: 'mongo',
    problem: `has ${joinWords(problems)}`,
    remedy: `set ${joinWords([...(problems.some((problem) => problem.includes('maxPoolSize')) ? ['`maxPoolSize` to your share of the server\'s connections'] : []), ...(hasCheckoutTimeout ? [] : ['`waitQueueTimeoutMS: 10_000`'])])}`,
    insert: options.kind === 'literal' && insert.length === problems.length ? insert : [],
    replace: [],
  };
}

function redisProblem(bindings: FileBindings, created: ClientCreation): Problem | null {
  if (BLOCKING_REDIS_USERS.some((module) => bindings.modules.has(module))) return null;
  if (usedForBlockingCommands(bindings, created)) return null;
  // new Redis(), new Redis(url), new Redis(port, host), new Redis(options), new Redis(url, options)
  let options: Options = { kind: 'defaults' };
  for (const argument of created.arguments) {
    if (isConnectionString(bindings, argument)) continue;
    const candidate = literalOptions(bindings, argument);
    if (candidate.kind === 'unknown' || options.kind === 'literal') return null;
    options = candidate;
  }
  const names = options.kind === 'literal' ? options.names : new Map<string, ts.ObjectLiteralElementLike>();
  if (isFalse(valueOf(names, 'enableOfflineQueue'))) return null;
  // `maxRetriesPerRequest: null` marks a connection for blocking commands (BullMQ's requirement).
  const retries = valueOf(names, 'maxRetriesPerRequest');
  if (retries !== null && retries.kind === ts.SyntaxKind.NullKeyword) return null;
  const timeout = valueOf(names, 'commandTimeout');
  if (timeout !== null && !isLiteralZero(timeout)) return null;
  return {
    messageId: 'redis',
    problem: 'has no `commandTimeout` while the offline queue is on (the default: commands wait in memory while Redis is unreachable, and a stalled server never answers)',
    remedy: 'set `commandTimeout: 5_000` (and `enableOfflineQueue: false` for a cache)',
    insert: options.kind === 'literal' && timeout === null ? ['commandTimeout: 5_000'] : [],
    replace: [],
  };
}

function problemOf(bindings: FileBindings, created: ClientCreation): Problem | null {
  switch (created.kind) {
    case 'pgPool':
      return pgProblem(bindings, created, true);
    case 'pgClient':
      return pgProblem(bindings, created, false);
    case 'mysqlPool':
      return mysqlProblem(bindings, created);
    case 'knex':
      return knexProblem(bindings, created);
    case 'mongoClient':
      return mongoProblem(bindings, created);
    case 'ioredis':
      return ts.isNewExpression(created.node) ? redisProblem(bindings, created) : null;
    default:
      return null;
  }
}

/** The literal the fix edits: the options argument as written, or a constant object in the file. */
function optionsLiteral(bindings: FileBindings, created: ClientCreation): ts.ObjectLiteralExpression | null {
  for (const argument of created.arguments) {
    const literal = objectLiteralOf(bindings, argument);
    if (literal !== null) return literal;
  }
  return null;
}

export default defineRule<MessageId>({
  meta: {
    id: 'pool-without-limits',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A database or Redis client created without a pool size, an acquire timeout or a bounded wait queue.',
    why: 'With the defaults, a saturated pool or an unreachable server makes requests queue in memory and wait forever instead of failing fast, so one slow query or a database failover turns into every request hanging, and implicit pool sizes multiplied by replicas exceed the server\'s connection limit.',
    messages: {
      pg: '`{{label}}` {{problem}}; {{remedy}}.',
      mysql: '`{{label}}` {{problem}}; {{remedy}}.',
      knex: '`{{label}}` {{problem}}; {{remedy}}.',
      mongo: '`{{label}}` {{problem}}; {{remedy}}.',
      redis: '`{{label}}` {{problem}}; {{remedy}}.',
      redisPy: '`{{call}}` has no `socket_timeout`, so a Redis server that stalls or a network that drops packets blocks the caller forever (redis-py\'s default is no timeout); pass `socket_timeout=5, socket_connect_timeout=5` (and `max_connections` for a pool).',
      sqlalchemyUnbounded: '`{{keyword}}` removes the pool\'s bound: {{meaning}}; keep a finite `pool_timeout` (the default is 30 s) and `max_overflow` (the default is 10).',
      sqlalchemyConnectTimeout: '`create_engine` for PostgreSQL without a connect timeout: {{driver}} waits indefinitely for an unreachable server, holding the request; add `connect_args={"{{key}}": 10}` (or `?{{key}}=10` in the URL) and `pool_pre_ping=True`.',
    },
    options: {},
    prefilter: CLIENT_PREFILTER,
    pythonPrefilter: ['pg', 'mysql2', 'knex', 'mongodb', 'ioredis', 'redis', 'create_engine', 'create_async_engine'],
    sources: ['None in linters; node-postgres, mysql2, knex, MongoDB and ioredis documentation of these options'],
  },
  create(context) {
    let imports: PythonImports | null = null;
    let assignments: PythonAssignments | null = null;
    const checkRedisPy = (call: PythonNode, origin: string): void => {
      if (!origin.startsWith('redis.') || !REDIS_PY_FACTORIES.has(lastSegment(origin))) return;
      // `Redis.from_url` / `ConnectionPool.from_url`: the class's module decides.
      if (hasSplat(call)) return;
      const { positional, keywords } = pythonArguments(call);
      if (keywords.has('socket_timeout') || keywords.has('connection_pool') || keywords.has('unix_socket_path')) return;
      if (lastSegment(origin) === 'from_url') {
        const url = urlText(positional[0] ?? keywords.get('url'));
        if (url === null || /[?&]socket_timeout=/.test(url)) return;
      } else if (positional.length > 0) {
        // `Redis('localhost', 6379, 0, None, 5)`: a positional socket_timeout is possible; leave it.
        if (positional.length >= 5) return;
      }
      context.report({ messageId: 'redisPy', data: { call: `${call.childForFieldName('function')?.text ?? 'Redis'}(...)` }, range: { start: call.startIndex, end: call.childForFieldName('arguments')?.startIndex ?? call.endIndex } });
    };
    const checkSqlAlchemy = (call: PythonNode, origin: string): void => {
      if (!origin.startsWith('sqlalchemy') || !['create_engine', 'create_async_engine'].includes(lastSegment(origin))) return;
      const { positional, keywords } = pythonArguments(call);
      const poolTimeout = keywords.get('pool_timeout');
      const maxOverflow = keywords.get('max_overflow');
      if (poolTimeout !== undefined && poolTimeout.type === 'none' && poolTimeout.parent !== null) {
        context.report({ messageId: 'sqlalchemyUnbounded', data: { keyword: 'pool_timeout=None', meaning: 'a request waits forever for a connection when the pool is exhausted' }, range: { start: poolTimeout.parent.startIndex, end: poolTimeout.parent.endIndex } });
        return;
      }
      if (maxOverflow !== undefined && literalOf(maxOverflow) === -1 && maxOverflow.parent !== null) {
        context.report({ messageId: 'sqlalchemyUnbounded', data: { keyword: 'max_overflow=-1', meaning: 'every concurrent request opens another connection until the database refuses them all' }, range: { start: maxOverflow.parent.startIndex, end: maxOverflow.parent.endIndex } });
        return;
      }
      if (hasSplat(call) || lastSegment(origin) !== 'create_engine') return;
      const url = urlText(positional[0] ?? keywords.get('url'));
      if (url === null || !UNBOUNDED_CONNECT_URL.test(url)) return;
      const pg8000 = url.includes('+pg8000');
      const key = pg8000 ? 'timeout' : 'connect_timeout';
      if (new RegExp(`[?&]${key}=`).test(url)) return;
      const connectArgs = keywords.get('connect_args');
      if (connectArgs !== undefined) {
        const dict = assignments === null ? null : configDictOf(connectArgs, assignments);
        if (dict === null || dict.open || dict.entries.has(key) || dict.entries.has('options')) return;
      }
      if (keywords.has('creator') || keywords.has('async_creator')) return;
      context.report({ messageId: 'sqlalchemyConnectTimeout', data: { driver: pg8000 ? 'pg8000' : 'libpq', key }, range: { start: call.startIndex, end: call.childForFieldName('arguments')?.startIndex ?? call.endIndex } });
    };
    let bindings: FileBindings | null = null;
    const check = (node: ts.Node): void => {
      if (bindings === null) return;
      const created = clientCreationOf(bindings, node);
      if (created === null) return;
      const problem = problemOf(bindings, created);
      if (problem === null) return;
      const fixes: Fix[] = [];
      const literal = optionsLiteral(bindings, created);
      const edits: TextEdit[] = problem.replace.map((replacement) => replacement.edit);
      if (literal !== null && problem.insert.length > 0) {
        const insertion = insertProperties(bindings.sourceFile, literal, problem.insert);
        if (insertion !== null) edits.push(insertion);
      }
      if (edits.length > 0) {
        const added = [...problem.insert, ...problem.replace.map((replacement) => replacement.text)];
        fixes.push({ title: `Set ${added.map((text) => `\`${text}\``).join(', ')}`, safety: 'safe', edits });
      }
      context.report({
        messageId: problem.messageId,
        data: { label: created.label, problem: problem.problem, remedy: problem.remedy },
        range: created.reportRange,
        fixes,
      });
    };
    return {
      pythonFile(file) {
        const test = isPythonTestFile(file.text);
        imports = test ? null : pythonImports(file.root);
        assignments = test ? null : pythonAssignments(file.root);
      },
      pythonNodes: {
        call: (node) => {
          if (imports === null) return;
          const origin = calleeOrigin(node, imports);
          if (origin === null) return;
          checkRedisPy(node, origin);
          checkSqlAlchemy(node, origin);
        },
      },
      file(sourceFile) {
        bindings = fileBindings(sourceFile, context.project);
      },
      nodes: {
        [ts.SyntaxKind.NewExpression]: check,
        [ts.SyntaxKind.CallExpression]: check,
      },
    };
  },
});
