/**
 * sql-built-from-strings: a query call (`pool.query`, `knex.raw`, `$queryRawUnsafe` ...) whose SQL
 * is a template or `+` concatenation that splices a value into the text. Only substitutions that
 * sit where SQL expects a value are reported (after a comparison, in LIKE, LIMIT, IN or VALUES
 * lists, or inside a quoted string); names (`FROM ${table}`, `ORDER BY ${column}`), SQL fragments,
 * literals, constants and `.join(...)` lists (unbounded-in-list's business) stay silent. Tagged
 * templates (`sql\`...\``) are parameterized by their library and are not query calls here.
 *
 * The fix turns the values into bind parameters when the driver is known from the file's imports
 * and the call has no values yet: `$1..$n` for node-postgres and friends, `?` for mysql, sqlite and
 * knex, and adds the values array as the call's second argument.
 */

import { EMBEDDED_SQL_PREFILTER, importedModules, nodesOfKind, SQL_CALLEES, ts, type EmbeddedSqlSite } from '../../engine/languages/typescript';
import { pythonArguments, PYTHON_SQL_METHODS, type PythonNode, type PythonSqlSite } from '../../engine/languages/python';
import type { SqlSource, SqlStatement } from '../../engine/languages/sql/source';
import { matchingParen, type StatementModel } from '../../engine/languages/sql/structure';
import { defineRule } from '../../engine/rule';
import type { Fix, SqlDialect, TextEdit, TextRange } from '../../engine/types';
import { placeholderOf, quotedSubstitution } from '../../sql/helpers/substitutions';
import { assignedStringInScope, hasSplat, importsModule, isPythonLiteral, isScreamingCase as isPythonScreamingCase, moduleAssignments, pythonImports, sameNode, type PythonImports } from '../helpers/python-data-access';

type MessageId = 'splicedValue' | 'splicedValuePython';

/** Statements that accept bind parameters; utility commands (`SET`, DDL, `COPY`) cannot take them. */
const DATA_STATEMENTS = new Set(['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'VALUES']);
const COMPARISON_OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const ARITHMETIC_OPERATORS = new Set(['+', '-', '*', '/', '%', '||']);
const PATTERN_WORDS = new Set(['LIKE', 'ILIKE', 'REGEXP', 'RLIKE', 'BETWEEN']);
/** Words in a variable's name that say it holds SQL text rather than a value. */
const FRAGMENT_WORDS = new Set(['placeholder', 'placeholders', 'clause', 'clauses', 'condition', 'conditions', 'fragment', 'fragments', 'sql', 'columns', 'fields', 'where', 'filters', 'joins']);

/** Where a value sits, which decides whether a bind parameter can take its place as written. */
type ValuePosition = 'comparison' | 'limit' | 'list' | 'singleList' | 'arithmetic';

interface SplicedValue {
  substitution: number;
  /** Host range of the `${...}` (or of the concatenated expression). */
  hostRange: TextRange;
  position: ValuePosition;
  /** The quoted string around it, when `'${name}'` holds exactly this value; 'partial' for `'%${q}%'`. */
  quoted: 'exact' | 'partial' | null;
  /** The quote character around a quoted value. */
  quote: string;
}

type PlaceholderStyle = 'dollar' | 'question';

interface Driver {
  style: PlaceholderStyle;
  /** 'array': a values array as the call's second argument; 'chained': better-sqlite3's `prepare(sql).get(...values)`. */
  shape: 'array' | 'chained';
  /** mysql2's `execute` binds numbers as doubles, which `LIMIT ?` rejects on MySQL 8.0.22+. */
  limitUnsafe: boolean;
}

/** Modules whose query calls take a values array, by callee. */
function driverFor(modules: Set<string>, callee: string): Driver | null {
  const candidates: Driver[] = [];
  const has = (...names: string[]): boolean => names.some((name) => modules.has(name));
  if (callee === 'query' && has('pg', 'pg-pool', '@vercel/postgres', '@neondatabase/serverless')) candidates.push({ style: 'dollar', shape: 'array', limitUnsafe: false });
  if (callee === 'unsafe' && has('postgres')) candidates.push({ style: 'dollar', shape: 'array', limitUnsafe: false });
  if ((callee === 'query' || callee === 'execute') && has('mysql', 'mysql2', 'mysql2/promise')) candidates.push({ style: 'question', shape: 'array', limitUnsafe: callee === 'execute' });
  if (callee === 'prepare' && has('sqlite3')) candidates.push({ style: 'question', shape: 'array', limitUnsafe: false });
  if (callee === 'prepare' && has('better-sqlite3')) candidates.push({ style: 'question', shape: 'chained', limitUnsafe: false });
  if (callee === 'raw' && has('knex')) candidates.push({ style: 'question', shape: 'array', limitUnsafe: false });
  const [first, ...rest] = candidates;
  if (first === undefined || rest.some((other) => other.style !== first.style || other.shape !== first.shape)) return null;
  return first;
}

function placeholderForDialect(dialect: SqlDialect): string {
  if (dialect === 'postgresql' || dialect === 'redshift') return '$1';
  if (dialect === 'transactsql') return '@p1';
  return '?';
}

function isScreamingCase(name: string): boolean {
  return name.length > 1 && /^[A-Z][A-Z0-9_]*$/.test(name);
}

/** The lower-case words of a camelCase or snake_case name. */
function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter((word) => word !== '').map((word) => word.toLowerCase());
}

/** What the file declares that is constant: `const` names with literal initializers, and enums. */
interface FileConstants {
  literals: Set<string>;
  enums: Set<string>;
}

function collectFileConstants(sourceFile: ts.SourceFile): FileConstants {
  const declarations = new Map<string, boolean>();
  const enums = new Set<string>();
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.VariableDeclaration) as readonly ts.VariableDeclaration[]) {
    if (!ts.isIdentifier(node.name)) continue;
    const isConst = ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0;
    const initializer = node.initializer;
    const literal = isConst && initializer !== undefined && isLiteral(initializer);
    declarations.set(node.name.text, !declarations.has(node.name.text) && literal);
  }
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.EnumDeclaration) as readonly ts.EnumDeclaration[]) enums.add(node.name.text);
  const literals = new Set<string>();
  for (const [name, literal] of declarations) if (literal) literals.add(name);
  return { literals, enums };
}

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
}

function isLiteral(node: ts.Expression): boolean {
  // Every branch of nested conditionals, with a stack: a chain of `a ? 'x' : b ? 'y' : ...` is a
  // tree as deep as it is long (#15).
  const pending: ts.Expression[] = [node];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const expression = unwrap(next);
    // `useNodeTime ? '$1::timestamptz' : 'now()'`: a choice between fixed SQL texts, not a value
    // from outside (seen in graphile-worker).
    if (ts.isConditionalExpression(expression)) pending.push(expression.whenFalse, expression.whenTrue);
    else if (!isLiteralValue(expression)) return false;
  }
  return true;
}

function isLiteralValue(expression: ts.Expression): boolean {
  if (ts.isNumericLiteral(expression) || ts.isBigIntLiteral(expression) || ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return true;
  if (expression.kind === ts.SyntaxKind.TrueKeyword || expression.kind === ts.SyntaxKind.FalseKeyword || expression.kind === ts.SyntaxKind.NullKeyword) return true;
  return ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(expression.operand);
}

/**
 * True for host expressions that are not runtime values from outside: literals, constants,
 * enum members, escaping helpers (`pool.escape(name)`), and names that say they hold SQL.
 */
function isNotAValue(node: ts.Expression, constants: FileConstants): boolean {
  const expression = unwrap(node);
  if (isLiteral(expression)) return true;
  if (ts.isIdentifier(expression)) {
    const name = expression.text;
    if (name === 'undefined' || constants.literals.has(name) || isScreamingCase(name)) return true;
    return nameWords(name).some((word) => FRAGMENT_WORDS.has(word));
  }
  if (ts.isPropertyAccessExpression(expression)) {
    const name = expression.name.text;
    if (isScreamingCase(name)) return true;
    if (ts.isIdentifier(expression.expression) && constants.enums.has(expression.expression.text)) return true;
    return nameWords(name).some((word) => FRAGMENT_WORDS.has(word));
  }
  if (ts.isCallExpression(expression)) {
    const callee = expression.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    return /escape|^literal$|^quote/i.test(name);
  }
  return false;
}

/** The `(` that encloses token `index`, or -1. */
function enclosingParen(model: StatementModel, index: number): number {
  const depth = model.depths[index] ?? 0;
  for (let cursor = index - 1; cursor >= 0; cursor--) {
    if (model.tokens[cursor]?.text === '(' && model.depths[cursor] === depth - 1) return cursor;
  }
  return -1;
}

/** Whether the list that token `index` is an element of is an IN list or a VALUES row. */
function listPosition(model: StatementModel, index: number): ValuePosition | null {
  let open = enclosingParen(model, index);
  while (open > 0) {
    const before = model.tokens[open - 1];
    if (before === undefined) return null;
    if (before.kind === 'word' && before.upper === 'VALUES') return 'list';
    if (before.kind === 'word' && before.upper === 'IN') {
      const close = matchingParen(model, open);
      const innerDepth = (model.depths[open] ?? 0) + 1;
      let elements = 1;
      for (let cursor = open + 1; cursor < close; cursor++) if (model.tokens[cursor]?.text === ',' && model.depths[cursor] === innerDepth) elements++;
      return elements === 1 ? 'singleList' : 'list';
    }
    // Multi-row VALUES: `VALUES (...), (...)`: step back over the previous row.
    if (before.text === ',' && model.tokens[open - 2]?.text === ')') {
      const previousClose = open - 2;
      const depth = model.depths[previousClose] ?? 0;
      let previousOpen = previousClose - 1;
      while (previousOpen >= 0 && !(model.tokens[previousOpen]?.text === '(' && model.depths[previousOpen] === depth)) previousOpen--;
      open = previousOpen;
      continue;
    }
    return null;
  }
  return null;
}

/** How the token before `anchor` makes it a value, or null when it does not (a name, a fragment). */
function positionBefore(model: StatementModel, anchor: number): ValuePosition | null {
  const tokens = model.tokens;
  const previous = tokens[anchor - 1];
  if (previous === undefined) return null;
  if (previous.kind === 'operator' && COMPARISON_OPERATORS.has(previous.text)) return 'comparison';
  if (previous.kind === 'operator' && ARITHMETIC_OPERATORS.has(previous.text)) return 'arithmetic';
  if (previous.kind === 'word') {
    if (PATTERN_WORDS.has(previous.upper)) return 'comparison';
    if (previous.upper === 'LIMIT' || previous.upper === 'OFFSET') return 'limit';
    if (previous.upper === 'AND') {
      // The upper bound of `BETWEEN x AND ${y}`; any other AND starts a new condition (a fragment).
      for (let cursor = anchor - 2; cursor >= Math.max(0, anchor - 6); cursor--) {
        const word = tokens[cursor]?.upper ?? '';
        if (word === 'BETWEEN') return 'comparison';
        if (['AND', 'OR', 'WHERE', 'ON', 'HAVING', 'WHEN'].includes(word)) break;
      }
    }
    return null;
  }
  if (previous.text === '(' || previous.text === ',') return listPosition(model, anchor);
  return null;
}

function isNameLike(kind: string): boolean {
  return kind === 'word' || kind === 'number' || kind === 'quotedIdentifier';
}

/** The spliced value at placeholder `index`, or null when the substitution is not a value. */
function splicedValueAt(source: SqlSource, statement: SqlStatement, index: number): Omit<SplicedValue, 'substitution' | 'hostRange'> | null {
  const model = statement.model;
  if (!DATA_STATEMENTS.has(model.leadingKeyword)) return null;
  const tokens = model.tokens;
  const quoted = quotedSubstitution(model, index, source.dialect);
  if (quoted !== null && quoted.kind !== 'string') return null;
  const anchor = quoted?.openIndex ?? index;
  const placeholder = tokens[index];
  if (placeholder === undefined) return null;
  if (quoted === null) {
    // `user_${id}`, `${prefix}_events`, `${schema}.users`: a name built from pieces.
    const previous = tokens[index - 1];
    const next = tokens[index + 1];
    if (previous !== undefined && previous.end === placeholder.start && (isNameLike(previous.kind) || previous.text === '.')) return null;
    if (next !== undefined && next.start === placeholder.end && isNameLike(next.kind)) return null;
    if (next?.text === '.') return null;
  }
  // ORDER BY and GROUP BY hold names and directions, which cannot be parameters.
  const block = model.blocks[model.blockOfToken[anchor] ?? -1];
  const clause = block?.clauses.find((candidate) => candidate.keyword <= anchor && anchor < candidate.end);
  if (clause !== undefined && (clause.name === 'orderBy' || clause.name === 'groupBy')) return null;
  const position = positionBefore(model, anchor);
  if (quoted === null) return position === null ? null : { position, quoted: null, quote: '' };
  // Text inside a quoted string is a value wherever it stands; only typed positions can take a parameter.
  return { position: position ?? 'arithmetic', quoted: quoted.exact ? 'exact' : 'partial', quote: quoted.quote };
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 50 ? `${oneLine.slice(0, 47)}...` : oneLine;
}

/** True when a template literal ends with its own backtick and every `${` of it is closed. */
function isClosedTemplate(template: ts.TemplateExpression, hostText: string): boolean {
  const lastSpan = template.templateSpans[template.templateSpans.length - 1];
  if (lastSpan === undefined || !ts.isTemplateTail(lastSpan.literal) || lastSpan.literal.isUnterminated === true) return false;
  return template.templateSpans.every((span) => span.literal.getWidth() > 0) && hostText[template.getEnd() - 1] === '`';
}

/** The bind-parameter fix, or null when it cannot be written with confidence. */
function parameterizeFix(site: EmbeddedSqlSite, source: SqlSource, values: SplicedValue[], driver: Driver | null): Fix | null {
  if (driver === null || !ts.isCallExpression(site.node)) return null;
  const call = site.node;
  const firstArgument = call.arguments[0];
  if (call.arguments.length !== 1 || firstArgument === undefined || site.viaConstant !== null || site.literal !== firstArgument || !ts.isTemplateExpression(firstArgument)) return null;
  // node-postgres refuses parameters in a multi-statement query.
  if (source.statements.length !== 1) return null;
  if (source.statements.some((statement) => statement.model.tokens.some((token) => token.kind === 'placeholder' && token.substitution === undefined))) return null;
  // mysql and knex replace every `?` in the text, even inside strings and comments.
  if (driver.style === 'question' && site.embedded.text.includes('?')) return null;
  for (const value of values) {
    if (value.quoted === 'partial' || value.position === 'arithmetic' || value.position === 'singleList') return null;
    if (value.position === 'limit' && driver.limitUnsafe) return null;
  }
  const sourceFile = call.getSourceFile();
  const hostText = sourceFile.text;
  // A template still being typed (`${(` at the end of the file) has no closing backtick, and its
  // substitutions' ranges run past it: the edits would overlap, so no fix until it is closed (#15).
  if (!isClosedTemplate(firstArgument, hostText)) return null;
  if (values.some((value) => value.hostRange.start < firstArgument.getStart(sourceFile) || value.hostRange.end >= firstArgument.getEnd())) return null;
  const edits: TextEdit[] = [];
  const expressions: string[] = [];
  values.forEach((value, order) => {
    let range = value.hostRange;
    if (value.quoted === 'exact') range = { start: range.start - 1, end: range.end + 1 };
    edits.push({ range, newText: driver.style === 'dollar' ? `$${order + 1}` : '?' });
    const node = site.substitutionNodes[value.substitution];
    expressions.push(node === undefined ? '' : node.getText(sourceFile));
  });
  if (values.some((value) => value.quoted === 'exact' && (hostText[value.hostRange.start - 1] !== value.quote || hostText[value.hostRange.end] !== value.quote))) return null;
  if (expressions.some((expression) => expression === '')) return null;
  if (driver.shape === 'array') {
    edits.push({ range: { start: firstArgument.getEnd(), end: firstArgument.getEnd() }, newText: `, [${expressions.join(', ')}]` });
  } else {
    const access = call.parent;
    const chained = access.parent;
    if (!ts.isPropertyAccessExpression(access) || !['get', 'all', 'run', 'iterate'].includes(access.name.text)) return null;
    if (chained === undefined || !ts.isCallExpression(chained) || chained.expression !== access || chained.arguments.length !== 0) return null;
    edits.push({ range: { start: chained.arguments.pos, end: chained.arguments.pos }, newText: expressions.join(', ') });
  }
  const placeholders = driver.style === 'dollar' ? values.map((_, order) => `$${order + 1}`).join(', ') : '?';
  const title = values.length === 1 ? `Pass the value as a bind parameter (${placeholders})` : `Pass the ${values.length} values as bind parameters (${placeholders})`;
  return { title, safety: 'safe', edits };
}

/*
 * The Python form: the SQL of `cursor.execute`, `session.execute(text(...))`, `pd.read_sql`,
 * `spark.sql` ... built with an f-string, `%` or `.format(...)` (the engine maps each
 * interpolation back to the host). The same positions count as values as in JS/TS.
 */

/** Words in a Python name that say it holds SQL text (the JS list, plus Python's usual names for a query piece). */
const PYTHON_FRAGMENT_WORDS = new Set([...FRAGMENT_WORDS, 'query', 'subquery', 'stmt', 'expr', 'expression', 'cond', 'predicate', 'filter', 'filters', 'order', 'placeholder', 'qmarks', 'marks', 'params_sql', 'values_sql']);

/** Python host expressions that are not runtime values from outside: literals, constants, escaping helpers, names that say they hold SQL. */
function isNotAPythonValue(node: PythonNode | null, constants: Map<string, PythonNode>): boolean {
  // `"... %s and %s" % args`: what each field takes is not visible, so it is not judged.
  if (node === null) return true;
  if (isPythonLiteral(node)) return true;
  if (node.type === 'identifier') {
    const name = node.text;
    const value = constants.get(name);
    if (isPythonScreamingCase(name) || (value !== undefined && isPythonLiteral(value)) || assignedStringInScope(node, name)) return true;
    return nameWords(name).some((word) => PYTHON_FRAGMENT_WORDS.has(word));
  }
  if (node.type === 'attribute') {
    const name = node.childForFieldName('attribute')?.text ?? '';
    if (isPythonScreamingCase(name)) return true;
    return nameWords(name).some((word) => PYTHON_FRAGMENT_WORDS.has(word));
  }
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const name = callee?.type === 'attribute' ? (callee.childForFieldName('attribute')?.text ?? '') : (callee?.text ?? '');
    return /escape|^literal$|quote|^sql_|^mogrify$|^as_string$|^compile$/i.test(name);
  }
  return false;
}

type PythonParamstyle = '%s' | '?';

/** The DB-API driver of a file, from its imports, when exactly one paramstyle is possible. */
function pythonDriverOf(imports: PythonImports, strict: boolean): { style: PythonParamstyle; mysql: boolean } | null {
  // In a file that also uses SQLAlchemy, pandas or Spark, an `execute` may be theirs, with other parameter shapes.
  if (strict && (importsModule(imports, 'sqlalchemy') || importsModule(imports, 'pandas') || importsModule(imports, 'pyspark'))) return null;
  const styles = new Set<PythonParamstyle>();
  let mysql = false;
  for (const module of ['psycopg2', 'psycopg', 'django.db']) if (importsModule(imports, module)) styles.add('%s');
  for (const module of ['pymysql', 'MySQLdb', 'mysql.connector']) {
    if (importsModule(imports, module)) {
      styles.add('%s');
      mysql = true;
    }
  }
  if (importsModule(imports, 'sqlite3')) styles.add('?');
  const [style, ...others] = [...styles];
  return style === undefined || others.length > 0 ? null : { style, mysql };
}

interface PythonSplicedValue extends SplicedValue {
  node: PythonNode | null;
}

/** The bind-parameter fix for a DB-API `execute(...)` whose SQL is built in the call, or null. */
function pythonParameterizeFix(site: PythonSqlSite, source: SqlSource, values: PythonSplicedValue[], driver: { style: PythonParamstyle; mysql: boolean } | null, hostText: string): Fix | null {
  if (driver === null || site.calleeName !== 'execute' || site.viaConstant !== null) return null;
  const { positional, keywords } = pythonArguments(site.node);
  if (positional.length !== 1 || keywords.size > 0 || hasSplat(site.node)) return null;
  const argument = positional[0];
  if (argument === undefined || !sameNode(argument, site.literal)) return null;
  if (source.statements.length !== 1) return null;
  if (source.statements.some((statement) => statement.model.tokens.some((token) => token.kind === 'placeholder' && token.substitution === undefined))) return null;
  const kinds = new Set(site.substitutionKinds);
  const [kind, ...otherKinds] = [...kinds];
  if (kind === undefined || otherKinds.length > 0 || kind === 'concat') return null;
  for (const value of values) {
    if (value.quoted === 'partial' || value.position === 'arithmetic' || value.position === 'singleList') return null;
    if (value.position === 'limit' && driver.mysql) return null;
    // `{status,}` renders a tuple (an expression list): as a parameter it would be the tuple, and
    // `(status,,)` does not parse (seed 1215, index 144005).
    if (value.node === null || value.node.type === 'expression_list') return null;
  }
  // `%` and `.format` templates can only lose every field: a field left in would need its own argument.
  if (kind !== 'fstring' && values.length !== site.substitutions.length) return null;
  const literalText = site.embedded.text;
  if (driver.style === '?' && literalText.includes('?')) return null;
  // With parameters, the `%s` drivers read every `%` in the text: an f-string or `.format` template must have none.
  if (driver.style === '%s' && kind !== 'percent' && literalText.includes('%')) return null;
  // `%%` in a `%` template stands for `%`, which a `?` driver would receive doubled.
  if (driver.style === '?' && kind === 'percent' && /%%/.test(site.literal.text)) return null;
  if (kind === 'format' && /\{\{|\}\}/.test(site.literal.text)) return null;
  const edits: TextEdit[] = [];
  for (const value of values) {
    let range = value.hostRange;
    if (value.quoted === 'exact') {
      if (hostText[range.start - 1] !== value.quote || hostText[range.end] !== value.quote || hostText[range.start - 2] === '\\') return null;
      range = { start: range.start - 1, end: range.end + 1 };
    }
    edits.push({ range, newText: driver.style });
  }
  const expressions = values.map((value) => value.node?.text ?? '');
  // `"... %s" % args` formats the elements of `args` when it holds a tuple: only a tuple written out, or a
  // single value whose name does not suggest a collection, can become the parameters.
  const right = kind === 'percent' ? percentRight(site.literal) : null;
  if (kind === 'percent' && right?.type !== 'tuple' && right?.type !== 'dictionary' && (values.length > 1 || /(?:args|params|values|row|tuple|s)$/i.test(right?.text ?? ''))) return null;
  const tuple = expressions.length === 1 ? `(${expressions[0] ?? ''},)` : `(${expressions.join(', ')})`;
  if (kind === 'fstring') {
    if (site.literal.type !== 'string') return null;
    const start = site.literal.children.find((child) => child !== null && child.type === 'string_start');
    const interpolations = site.literal.namedChildren.filter((child) => child !== null && child.type === 'interpolation').length;
    // Once no interpolation is left, the `f` prefix goes too (unless braces in the text still need it).
    if (start !== undefined && start !== null && interpolations === values.length && !/[{}]/.test(literalText)) {
      const index = start.text.search(/[fF]/);
      if (index !== -1) edits.push({ range: { start: start.startIndex + index, end: start.startIndex + index + 1 }, newText: '' });
    }
    edits.push({ range: { start: site.literal.endIndex, end: site.literal.endIndex }, newText: `, ${tuple}` });
  } else if (kind === 'percent') {
    const template = site.literal.childForFieldName('left');
    if (site.literal.type !== 'binary_operator' || template === null) return null;
    edits.push({ range: { start: template.endIndex, end: site.literal.endIndex }, newText: `, ${tuple}` });
  } else {
    const callee = site.literal.childForFieldName('function');
    const template = callee?.childForFieldName('object') ?? null;
    if (site.literal.type !== 'call' || template === null) return null;
    edits.push({ range: { start: template.endIndex, end: site.literal.endIndex }, newText: `, ${tuple}` });
  }
  const title = values.length === 1 ? `Pass the value as a query parameter (${driver.style})` : `Pass the ${values.length} values as query parameters (${driver.style})`;
  return { title, safety: 'safe', edits };
}

/** The right side of `"..." % args`, unwrapped from parentheses. */
function percentRight(node: PythonNode): PythonNode | null {
  if (node.type !== 'binary_operator') return null;
  let right = node.childForFieldName('right');
  while (right !== null && right.type === 'parenthesized_expression') right = right.namedChildren.find((child) => child !== null && child.type !== 'comment') ?? null;
  return right;
}

/** What to write instead, in the words of the library the call belongs to. */
function pythonRemedy(site: PythonSqlSite, imports: PythonImports): string {
  if (site.calleeName === 'sql') return 'write `:name` in its place and pass the value with `args={"name": ...}` (Spark 3.4+), or filter with the DataFrame API';
  const first = pythonArguments(site.node).positional[0];
  const inText = first !== undefined && first.type === 'call' && !sameNode(first, site.literal);
  if (inText) return 'write `:name` in its place and pass the value in a parameters dict: `execute(text(...), {"name": ...})`';
  if (site.calleeName.startsWith('read_sql')) return 'write the driver\'s placeholder in its place and pass the value with `params=`';
  const driver = pythonDriverOf(imports, false);
  if (driver !== null) return `write \`${driver.style}\` in its place and pass the value in the call's parameters tuple`;
  return 'write the driver\'s placeholder (`%s`, `?`) in its place and pass the value in the call\'s parameters';
}

export default defineRule<MessageId>({
  meta: {
    id: 'sql-built-from-strings',
    family: 'app',
    target: ['script', 'python'],
    defaultSeverity: 'info',
    fix: 'safe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A query call whose SQL splices a value in by template interpolation or `+` concatenation (f-strings, `%` and `.format` in Python).',
    why: 'A value spliced into SQL text is an injection hole the first time it holds a quote, and every distinct value is a new statement to parse and plan, so the plan and prepared-statement caches never warm up under production traffic.',
    messages: {
      splicedValue: 'SQL built from `{{expression}}`: a value spliced into the text (SQL injection, and a new query plan per value); pass it as a parameter: `{{placeholder}}` with a values array.',
      splicedValuePython: 'SQL built from `{{expression}}`: a value spliced into the text (SQL injection, and a new query plan per value); {{remedy}}.',
    },
    options: {},
    // Python's SQL callees as they are written in a call, so that short names (`sql`, `run`) do not wake the rule in every JS file.
    // It looks only at the embedded queries the runner finds, so it needs what they need.
    prefilter: EMBEDDED_SQL_PREFILTER,
    pythonPrefilter: [...new Set([...SQL_CALLEES.map((callee) => callee.toLowerCase()), ...PYTHON_SQL_METHODS.map((method) => `.${method}(`), 'read_sql', 'sql='])],
    sources: ['SonarJS S2077 (sql-queries) and S3649 (SQL injection)', 'Semgrep node-postgres / mysql / knex `*-sqli` rules', 'eslint-plugin-sql no-unsafe-query', 'Ruff S608 / Bandit B608 (hardcoded-sql-expression), for Python'],
  },
  create(context) {
    // Computed on first need: both walk the whole file, and most files never splice a value.
    let file: ts.SourceFile | null = null;
    let fileConstants: FileConstants | null = null;
    let fileModules: Set<string> | null = null;
    const lazyConstants = (): FileConstants => (fileConstants ??= file === null ? { literals: new Set(), enums: new Set() } : collectFileConstants(file));
    const lazyModules = (): Set<string> => (fileModules ??= file === null ? new Set() : importedModules(file));
    let pythonText = '';
    let pythonRoot: PythonNode | null = null;
    let pythonConstants: Map<string, PythonNode> | null = null;
    let pythonImportMap: PythonImports | null = null;
    return {
      pythonFile(pythonFile) {
        pythonText = pythonFile.text;
        pythonRoot = pythonFile.root;
        pythonConstants = null;
        pythonImportMap = null;
      },
      pythonEmbeddedSql(site, source) {
        if (site.substitutions.length === 0) return;
        const root = pythonRoot;
        if (root === null) return;
        const constants = (pythonConstants ??= moduleAssignments(root));
        const values: PythonSplicedValue[] = [];
        site.substitutions.forEach((substitution, substitutionIndex) => {
          const node = site.substitutionNodes[substitutionIndex] ?? null;
          const hole = site.embedded.holes[substitutionIndex];
          if (hole === undefined || substitution.isArrayJoin || isNotAPythonValue(node, constants)) return;
          const located = placeholderOf(source, substitutionIndex);
          if (located === null) return;
          const spliced = splicedValueAt(source, located.statement, located.index);
          if (spliced !== null) values.push({ substitution: substitutionIndex, hostRange: hole.host, node, ...spliced });
        });
        const [first, ...others] = values;
        if (first === undefined) return;
        const imports = (pythonImportMap ??= pythonImports(root));
        const driver = pythonDriverOf(imports, true);
        const fix = pythonParameterizeFix(site, source, values, driver, pythonText);
        const expressionText = shorten(site.substitutions[first.substitution]?.expressionText ?? '');
        context.report({
          messageId: 'splicedValuePython',
          data: {
            expression: site.substitutionKinds[first.substitution] === 'fstring' ? `{${expressionText}}` : expressionText,
            remedy: pythonRemedy(site, imports),
          },
          range: first.hostRange,
          fixes: fix === null ? [] : [fix],
          related: others.map((other) => ({ range: other.hostRange, message: `Also spliced into the SQL text: \`${shorten(site.substitutions[other.substitution]?.expressionText ?? '')}\`.` })),
        });
      },
      file(sourceFile) {
        file = sourceFile;
        fileConstants = null;
        fileModules = null;
      },
      embeddedSql(site, source) {
        if (site.kind !== 'call' || site.substitutions.length === 0) return;
        const constants = lazyConstants();
        const modules = lazyModules();
        const values: SplicedValue[] = [];
        site.substitutions.forEach((substitution, substitutionIndex) => {
          const node = site.substitutionNodes[substitutionIndex];
          const hole = site.embedded.holes[substitutionIndex];
          if (node === undefined || hole === undefined || substitution.isArrayJoin || isNotAValue(node, constants)) return;
          const located = placeholderOf(source, substitutionIndex);
          if (located === null) return;
          const spliced = splicedValueAt(source, located.statement, located.index);
          if (spliced !== null) values.push({ substitution: substitutionIndex, hostRange: hole.host, ...spliced });
        });
        const [first, ...others] = values;
        if (first === undefined) return;
        const driver = driverFor(modules, site.calleeName);
        const fix = parameterizeFix(site, source, values, driver);
        const firstNode = site.substitutionNodes[first.substitution];
        const inTemplate = firstNode !== undefined && ts.isTemplateSpan(firstNode.parent);
        const expressionText = shorten(site.substitutions[first.substitution]?.expressionText ?? '');
        context.report({
          messageId: 'splicedValue',
          data: {
            expression: inTemplate ? `\${${expressionText}}` : expressionText,
            placeholder: driver === null ? placeholderForDialect(context.dialect) : driver.style === 'dollar' ? '$1' : '?',
          },
          range: first.hostRange,
          fixes: fix === null ? [] : [fix],
          related: others.map((other) => ({ range: other.hostRange, message: `Also spliced into the SQL text: \`${shorten(site.substitutions[other.substitution]?.expressionText ?? '')}\`.` })),
        });
      },
    };
  },
});
