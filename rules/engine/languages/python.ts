/**
 * Python: the only module that imports web-tree-sitter. It parses a file with the tree-sitter
 * Python grammar (compiled to WebAssembly) and finds the SQL embedded in it: the first argument of
 * `cursor.execute`, `conn.execute`, `session.execute(text(...))`, `pd.read_sql`, `spark.sql`,
 * Airflow hooks, and the `sql=` argument of Airflow operators, following a string constant
 * assigned once in the file. f-strings, `%` formatting and `.format(...)` become substitutions
 * carrying the host expression, exactly like `${...}` in a JS template, and every character of the
 * virtual SQL text maps back to the host through the decoded string escapes.
 *
 * web-tree-sitter loads asynchronously while the engine is synchronous and does no I/O, so the
 * front ends read the two .wasm files once at startup and hand the bytes to `initializePython`.
 * The compiled grammar is the one piece of process-wide state in the engine (like the TypeScript
 * module itself): it holds no document and no setting. Until it is ready, Python documents get no
 * findings.
 */

import type { Language as LanguageClass, Node, Parser, Tree } from 'web-tree-sitter';

// Module loading, not I/O: the engine has no Node types, so the one function it needs is named here.
declare const require: (id: 'web-tree-sitter') => { Language: typeof LanguageClass; Parser: typeof Parser };
import type { EmbeddedSegment, EmbeddedText, LiteralQuote, PythonLiteralStyle } from '../embedded';
import type { TextRange } from '../types';
import type { SqlHost, Substitution } from './sql/source';

export type PythonNode = Node;

/** The WebAssembly of the tree-sitter runtime and of the Python grammar, as read by a front end. */
export interface PythonWasm {
  runtime: Uint8Array;
  grammar: Uint8Array;
}

let parser: Parser | null = null;
let initializing: Promise<void> | null = null;

/**
 * Compiles the runtime and the grammar. Idempotent; concurrent callers share one compilation.
 * Rejects when the bytes are not a grammar this runtime accepts (an ABI mismatch).
 */
export function initializePython(wasm: PythonWasm): Promise<void> {
  if (initializing !== null) return initializing;
  initializing = (async () => {
    // Loaded on first use: a process that never meets a Python file (most audits, every editor
    // session on a JS/TS or SQL project) never evaluates the runtime's JavaScript.
    const { Language, Parser } = require('web-tree-sitter');
    await Parser.init({ wasmBinary: wasm.runtime });
    const language = await Language.load(wasm.grammar);
    const created = new Parser();
    created.setLanguage(language);
    parser = created;
  })();
  // A failed load may be retried with other bytes.
  initializing.catch(() => {
    initializing = null;
  });
  return initializing;
}

export function isPythonInitialized(): boolean {
  return parser !== null;
}

/** A parsed Python file. The tree lives in WebAssembly memory: `dispose` frees it. */
export interface PythonFile {
  text: string;
  root: Node;
  dispose(): void;
}

/** Parses a file, or returns null when the grammar is not loaded yet. Never throws on bad code. */
export function parsePython(text: string): PythonFile | null {
  if (parser === null) return null;
  const tree: Tree | null = parser.parse(text);
  if (tree === null) return null;
  return { text, root: tree.rootNode, dispose: () => tree.delete() };
}

/** True when the text parses without syntax errors (null when the grammar is not loaded). */
export function pythonParsesCleanly(text: string): boolean | null {
  const file = parsePython(text);
  if (file === null) return null;
  try {
    return !file.root.hasError;
  } finally {
    file.dispose();
  }
}

/**
 * The single walk: calls `visit` for every node whose type has handlers. A tree cursor is used
 * because it materializes a node object only where someone listens, which keeps the walk cheap.
 */
export function walkPython(root: Node, handledTypes: ReadonlySet<string>, visit: (node: Node) => void): void {
  const cursor = root.walk();
  try {
    for (;;) {
      if (handledTypes.has(cursor.nodeType)) visit(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Visits `root` and its named descendants in document order, with a stack instead of recursion:
 * tree-sitter's tree of `"a" + "a" + ...` on one line is as deep as the line is long, and a
 * recursive walk of it exhausts the stack (#15). `visit` returns true to look into the node's
 * named children, false to skip them, or the nodes to walk instead of its named children.
 */
export function walkPythonNamed(root: Node, visit: (node: Node) => boolean | readonly Node[]): void {
  const stack: Node[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const next = visit(node);
    if (next === false) continue;
    const children = next === true ? node.namedChildren : next;
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index];
      if (child !== null && child !== undefined) stack.push(child);
    }
  }
}

/** Method names whose first argument (or `sql=`) is SQL text: DB-API, SQLAlchemy, pandas, Spark, Django, Airflow hooks. */
export const PYTHON_SQL_METHODS = ['execute', 'executemany', 'executescript', 'exec_driver_sql', 'read_sql', 'read_sql_query', 'sql', 'raw', 'run', 'get_records', 'get_first', 'get_pandas_df'];

/** Plain functions whose first argument is SQL (`from pandas import read_sql`). */
const PYTHON_SQL_FUNCTIONS = new Set(['read_sql', 'read_sql_query']);
const PYTHON_SQL_METHOD_SET = new Set(PYTHON_SQL_METHODS);
/** SQLAlchemy's `text(...)` wraps SQL without changing it. */
const TEXT_WRAPPERS = new Set(['text']);

export interface PythonSqlSite {
  kind: 'call';
  /** The call that runs the SQL. */
  node: Node;
  calleeName: string;
  /** The expression whose text is the SQL (possibly the value of a constant). */
  literal: Node;
  /** The name in the call when the SQL came from a constant assigned elsewhere in the file. */
  viaConstant: Node | null;
  embedded: EmbeddedText;
  substitutions: Substitution[];
  /** Host expression of each substitution, when it is one node (null for `%s` fed by a variable). */
  substitutionNodes: (Node | null)[];
  /** How each substitution was spliced in. */
  substitutionKinds: ('fstring' | 'percent' | 'format' | 'concat')[];
  /** The engine the call names, when it names one: `spark.sql(...)` runs Spark SQL. */
  host?: SqlHost;
}

/** A `.sql(...)` receiver named for Spark: `spark`, `self.spark`, `spark_session`, `ctx.spark_session`. */
const SPARK_RECEIVER = /(^|\.)\w*spark\w*$/i;
/** Where a Python file sets Spark's session zone: the key as a string, in `.config("spark.sql.session.timeZone", ...)` or `spark.conf.set(...)`. */
const SPARK_SESSION_ZONE = /["']spark\.sql\.session\.timeZone["']/;

/** True when the Python file sets Spark's session zone before `offset`. */
export function setsSparkSessionZoneBefore(hostText: string, offset: number): boolean {
  return SPARK_SESSION_ZONE.test(hostText.slice(0, offset));
}

/** The engine a call names: Spark for `<spark session>.sql(...)`, with whether the file set its zone before the call. */
function hostOf(call: Node, calleeName: string, hostText: string): SqlHost | undefined {
  if (calleeName !== 'sql') return undefined;
  const receiver = call.childForFieldName('function')?.childForFieldName('object');
  if (receiver === null || receiver === undefined || !SPARK_RECEIVER.test(receiver.text)) return undefined;
  return { engine: 'spark', setsSessionTimeZone: setsSparkSessionZoneBefore(hostText, call.startIndex) };
}

/** The called name: `cursor.execute` → 'execute', `read_sql` → 'read_sql'. */
export function pythonCalleeName(call: Node): string | null {
  const callee = call.childForFieldName('function');
  if (callee === null) return null;
  if (callee.type === 'identifier') return callee.text;
  if (callee.type === 'attribute') return callee.childForFieldName('attribute')?.text ?? null;
  return null;
}

/** Positional arguments and keyword arguments of a call. */
export function pythonArguments(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const list = call.childForFieldName('arguments');
  if (list === null || list.type !== 'argument_list') return { positional, keywords };
  for (const child of list.namedChildren) {
    if (child === null || child.type === 'comment') continue;
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name !== null && value !== null) keywords.set(name.text, value);
    } else if (child.type !== 'list_splat' && child.type !== 'dictionary_splat') {
      positional.push(child);
    }
  }
  return { positional, keywords };
}

/**
 * Collects, during the walk, what embedded SQL needs: call nodes that may run SQL and names
 * assigned in the file. `sites()` then builds the SQL sites in source order.
 */
export function createPythonSqlCollector(hostText: string): { handledTypes: string[]; visit(node: Node): void; sites(): PythonSqlSite[] } {
  const calls: Node[] = [];
  const assignments = new Map<string, Node | null>();
  return {
    handledTypes: ['call', 'assignment'],
    visit(node) {
      if (node.type === 'assignment') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left === null || left.type !== 'identifier') return;
        // A name assigned twice could hold either text when the query runs, so it is not followed.
        assignments.set(left.text, assignments.has(left.text) || right === null ? null : right);
        return;
      }
      const name = pythonCalleeName(node);
      if (name === null) return;
      const callee = node.childForFieldName('function');
      const isMethod = callee?.type === 'attribute';
      if ((isMethod && PYTHON_SQL_METHOD_SET.has(name)) || (!isMethod && PYTHON_SQL_FUNCTIONS.has(name)) || /(Operator|Sensor)$/.test(name)) calls.push(node);
    },
    sites() {
      const sites: PythonSqlSite[] = [];
      const constant = (name: string): Node | null => assignments.get(name) ?? null;
      for (const call of calls) {
        const site = siteOf(call, constant, hostText);
        if (site !== null) sites.push(site);
      }
      return sites;
    },
  };
}

function siteOf(call: Node, constant: (name: string) => Node | null, hostText: string): PythonSqlSite | null {
  const calleeName = pythonCalleeName(call);
  if (calleeName === null) return null;
  const { positional, keywords } = pythonArguments(call);
  let argument: Node | undefined;
  if (/(Operator|Sensor)$/.test(calleeName)) argument = keywords.get('sql');
  else argument = positional[0] ?? keywords.get('sql') ?? keywords.get('statement');
  if (argument === undefined) return null;
  argument = unwrapTextCall(argument);
  let literal = argument;
  let viaConstant: Node | null = null;
  if (argument.type === 'identifier') {
    const value = constant(argument.text);
    if (value === null) return null;
    literal = unwrapTextCall(value);
    viaConstant = argument;
  }
  const built = buildPythonEmbeddedText(literal, hostText, constant);
  if (built === null) return null;
  const host = hostOf(call, calleeName, hostText);
  return { kind: 'call', node: call, calleeName, literal, viaConstant, ...built, ...(host === undefined ? {} : { host }) };
}

/** `text("SELECT ...")`, `sa.text(...)`, `sqlalchemy.text(...)` → the string inside. */
function unwrapTextCall(node: Node): Node {
  if (node.type !== 'call') return node;
  const name = pythonCalleeName(node);
  if (name === null || !TEXT_WRAPPERS.has(name)) return node;
  return pythonArguments(node).positional[0] ?? node;
}

/** One decoded piece of literal text: its characters and the host offset of each (plus the end). */
interface Piece {
  text: string;
  offsets: number[];
  quote: LiteralQuote;
  style: PythonLiteralStyle;
}

type Part = { kind: 'literal'; piece: Piece } | { kind: 'hole'; host: TextRange; expressionText: string; node: Node | null; substitutionKind: PythonSqlSite['substitutionKinds'][number] };

interface BuiltText {
  embedded: EmbeddedText;
  substitutions: Substitution[];
  substitutionNodes: (Node | null)[];
  substitutionKinds: PythonSqlSite['substitutionKinds'];
}

/**
 * Builds the virtual SQL text of a string, an implicit or `+` concatenation, an f-string, or a
 * string formatted with `%` or `.format(...)`. Returns null for anything else: we only read SQL
 * we can see.
 */
export function buildPythonEmbeddedText(expression: Node, hostText: string, constant: (name: string) => Node | null = () => null): BuiltText | null {
  const parts = collectParts(expression, true, hostText);
  if (parts === null || !parts.some((part) => part.kind === 'literal')) return null;
  let text = '';
  const segments: EmbeddedSegment[] = [];
  const holes: EmbeddedText['holes'] = [];
  const substitutions: Substitution[] = [];
  const substitutionNodes: (Node | null)[] = [];
  const substitutionKinds: PythonSqlSite['substitutionKinds'] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      const { piece } = part;
      segments.push({ virtual: { start: text.length, end: text.length + piece.text.length }, hostOffsets: piece.offsets, quote: piece.quote, python: piece.style });
      text += piece.text;
      continue;
    }
    const holeText = `__fl_${substitutions.length}__`;
    const virtual: TextRange = { start: text.length, end: text.length + holeText.length };
    holes.push({ virtual, host: part.host });
    substitutions.push({ range: virtual, expressionText: part.expressionText, isArrayJoin: part.node !== null && isJoinCall(part.node, constant) });
    substitutionNodes.push(part.node);
    substitutionKinds.push(part.substitutionKind);
    text += holeText;
  }
  return { embedded: { text, segments, holes }, substitutions, substitutionNodes, substitutionKinds };
}

/** `','.join(ids)`, `", ".join(["%s"] * len(ids))`, or a name assigned one: a list built at run time. */
function isJoinCall(node: Node, constant: (name: string) => Node | null): boolean {
  const value = node.type === 'identifier' ? constant(node.text) : node;
  if (value === null || value.type !== 'call') return false;
  const callee = value.childForFieldName('function');
  return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'join';
}

function isStringLike(node: Node): boolean {
  let current = node;
  while (current.type === 'parenthesized_expression' && current.namedChildren.length === 1) {
    const inner = firstNamed(current);
    if (inner === current) return false;
    current = inner;
  }
  return current.type === 'string' || current.type === 'concatenated_string';
}

function firstNamed(node: Node): Node {
  const child = node.namedChildren.find((candidate) => candidate !== null && candidate.type !== 'comment');
  return child ?? node;
}

/** A `+` whose operands are still being read, in collectParts. */
interface Concatenation {
  node: Node;
  topLevel: boolean;
  right: Node;
  /** The left operand's parts once read (null: it is not text); undefined until then. */
  left?: Part[] | null;
}

/**
 * The parts of a string expression: literals, and holes for the values spliced in by `+`, `%`,
 * `.format` or f-string fields; null when the expression is not one at the top level. A `+`
 * whose operands are not both text is one hole. Read with an explicit stack of the `+` still
 * open, not recursion: `"a" + "a" + ...` on one line is a tree as deep as it is long (#15).
 */
function collectParts(root: Node, rootTopLevel: boolean, hostText: string): Part[] | null {
  const open: Concatenation[] = [];
  let node: Node | null = root;
  let topLevel = rootTopLevel;
  let result: Part[] | null = null;
  for (;;) {
    if (node !== null) {
      const inner = unwrapParenthesized(node);
      if (inner === null) {
        result = null;
      } else if (inner.type === 'binary_operator' && inner.childForFieldName('operator')?.type === '+' && !(inner.childForFieldName('left') === null || inner.childForFieldName('right') === null)) {
        open.push({ node: inner, topLevel, right: inner.childForFieldName('right') as Node });
        node = inner.childForFieldName('left');
        topLevel = false;
        continue;
      } else {
        result = leafParts(inner, topLevel, hostText);
      }
    }
    // `result` holds the parts of the operand just read; hand them to the innermost open `+`.
    const concatenation = open[open.length - 1];
    if (concatenation === undefined) return result;
    if (concatenation.left === undefined) {
      concatenation.left = result;
      node = concatenation.right;
      topLevel = false;
      continue;
    }
    open.pop();
    const left = concatenation.left;
    if (left !== null && result !== null) {
      for (const part of result) left.push(part);
      result = left;
    } else {
      result = concatenation.topLevel ? null : [holePart(concatenation.node)];
    }
    node = null;
  }
}

/** Through parentheses to the expression inside; null for `()` or a parenthesis holding only a comment. */
function unwrapParenthesized(node: Node): Node | null {
  let current = node;
  while (current.type === 'parenthesized_expression') {
    const inner = firstNamed(current);
    if (inner === current) return null;
    current = inner;
  }
  return current;
}

function holePart(node: Node): Part {
  return { kind: 'hole', host: { start: node.startIndex, end: node.endIndex }, expressionText: node.text, node, substitutionKind: 'concat' };
}

/** collectParts of anything but a parenthesis or a `+`. */
function leafParts(node: Node, topLevel: boolean, hostText: string): Part[] | null {
  if (node.type === 'string') return stringParts(node, { braces: false, percent: false }, hostText);
  if (node.type === 'concatenated_string') {
    const parts: Part[] = [];
    for (const child of node.namedChildren) {
      if (child === null || child.type !== 'string') continue;
      const childParts = stringParts(child, { braces: false, percent: false }, hostText);
      if (childParts === null) return null;
      parts.push(...childParts);
    }
    return parts;
  }
  if (node.type === 'binary_operator') {
    const operator = node.childForFieldName('operator')?.type;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left === null || right === null) return null;
    if (operator === '%' && isStringLike(left)) return percentParts(left, right, hostText);
  }
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'format' && object !== null && object !== undefined && isStringLike(object)) return formatParts(object, node, hostText);
  }
  if (topLevel) return null;
  return [holePart(node)];
}

/** The pieces of one string literal; an f-string's `{...}` fields become holes. */
function stringParts(node: Node, formatting: { braces: boolean; percent: boolean }, hostText: string): Part[] | null {
  const children = node.children.filter((child): child is Node => child !== null);
  const start = children.find((child) => child.type === 'string_start');
  if (start === undefined) return null;
  const prefix = start.text.replace(/['"]+$/, '').toLowerCase();
  const delimiter = start.text.slice(prefix.length);
  const quote: LiteralQuote = delimiter.startsWith("'") ? "'" : '"';
  const triple = delimiter.length === 3;
  const raw = prefix.includes('r');
  const fString = prefix.includes('f');
  const end = children.find((child) => child.type === 'string_end');
  const bodyStart = start.endIndex;
  const bodyEnd = end === undefined ? node.endIndex : end.startIndex;
  const style: PythonLiteralStyle = { raw, triple, braces: fString || formatting.braces, percent: formatting.percent };
  const parts: Part[] = [];
  let cursor = bodyStart;
  const pushLiteral = (from: number, to: number): void => {
    const decoded = decodePythonLiteral(hostText.slice(from, to), from, { raw, bytes: prefix.includes('b'), fString });
    parts.push({ kind: 'literal', piece: { ...decoded, quote, style } });
  };
  if (fString) {
    for (const child of children) {
      if (child.type !== 'interpolation') continue;
      pushLiteral(cursor, child.startIndex);
      const expression = child.childForFieldName('expression') ?? child.namedChildren.find((candidate) => candidate !== null && candidate.type !== 'comment') ?? null;
      parts.push({ kind: 'hole', host: { start: child.startIndex, end: child.endIndex }, expressionText: expression?.text ?? child.text.slice(1, -1), node: expression, substitutionKind: 'fstring' });
      cursor = child.endIndex;
    }
  }
  pushLiteral(cursor, bodyEnd);
  return parts;
}

/**
 * `"... %s ... %(name)s" % args`: each conversion becomes a hole mapped to the argument it takes
 * (a tuple element, a dict value, or the right side itself). `%%` is a literal percent sign.
 */
function percentParts(template: Node, argumentsNode: Node, hostText: string): Part[] | null {
  const literalParts = templateParts(template, { braces: false, percent: true }, hostText);
  if (literalParts === null) return null;
  const unwrapped = argumentsNode.type === 'parenthesized_expression' ? firstNamed(argumentsNode) : argumentsNode;
  const elements = unwrapped.type === 'tuple' ? unwrapped.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment') : null;
  const dictionary = unwrapped.type === 'dictionary' ? dictionaryValues(unwrapped) : null;
  let position = 0;
  const argumentFor = (name: string | null): { text: string; node: Node | null } => {
    if (name !== null) {
      const value = dictionary?.get(name);
      return value === undefined ? { text: `${argumentsNode.text}[${JSON.stringify(name)}]`, node: null } : { text: value.text, node: value };
    }
    const index = position++;
    if (elements !== null) {
      const element = elements[index];
      return element === undefined ? { text: `${argumentsNode.text}[${index}]`, node: null } : { text: element.text, node: element };
    }
    return { text: unwrapped.text, node: unwrapped };
  };
  return splitFields(literalParts, /%(?:%|(?:\(([^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?[diouxXeEfFgGcrsab])/g, (match) => {
    if (match[0] === '%%') return { literal: '%' };
    const { text, node } = argumentFor(match[1] ?? null);
    return { expressionText: text, node, kind: 'percent' };
  });
}

/** `"... {} ... {name}".format(a, name=b)`: each replacement field becomes a hole. */
function formatParts(template: Node, call: Node, hostText: string): Part[] | null {
  const literalParts = templateParts(template, { braces: true, percent: false }, hostText);
  if (literalParts === null) return null;
  const { positional, keywords } = pythonArguments(call);
  let automatic = 0;
  return splitFields(literalParts, /\{\{|\}\}|\{([^{}]*)\}/g, (match) => {
    if (match[0] === '{{') return { literal: '{' };
    if (match[0] === '}}') return { literal: '}' };
    const field = (match[1] ?? '').split(/[!:]/)[0] ?? '';
    const head = /^[A-Za-z_]\w*|^\d+/.exec(field)?.[0] ?? '';
    const accessor = field.slice(head.length);
    let argument: Node | undefined;
    if (head === '') argument = positional[automatic++];
    else if (/^\d+$/.test(head)) argument = positional[Number(head)];
    else argument = keywords.get(head);
    if (argument === undefined) return { expressionText: field === '' ? '…' : field, node: null, kind: 'format' };
    return { expressionText: argument.text + accessor, node: accessor === '' ? argument : null, kind: 'format' };
  });
}

function templateParts(template: Node, formatting: { braces: boolean; percent: boolean }, hostText: string): Part[] | null {
  const node = template.type === 'parenthesized_expression' ? firstNamed(template) : template;
  if (node.type === 'string') return stringParts(node, formatting, hostText);
  const parts: Part[] = [];
  for (const child of node.namedChildren) {
    if (child === null || child.type !== 'string') continue;
    const childParts = stringParts(child, formatting, hostText);
    if (childParts === null) return null;
    parts.push(...childParts);
  }
  return parts;
}

function dictionaryValues(node: Node): Map<string, Node> {
  const values = new Map<string, Node>();
  for (const pair of node.namedChildren) {
    if (pair === null || pair.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    if (key === null || value === null || key.type !== 'string') continue;
    values.set(key.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, ''), value);
  }
  return values;
}

type FieldReplacement = { literal: string } | { expressionText: string; node: Node | null; kind: 'percent' | 'format' };

/**
 * Splits decoded literal pieces at format fields (matched on the decoded text, so escapes are
 * already resolved); a field becomes a hole whose host range is the field as written.
 */
function splitFields(parts: Part[], pattern: RegExp, replace: (match: RegExpMatchArray) => FieldReplacement): Part[] {
  const result: Part[] = [];
  for (const part of parts) {
    if (part.kind === 'hole') {
      result.push(part);
      continue;
    }
    const { piece } = part;
    let text = '';
    let offsets: number[] = [];
    const flush = (endOffset: number): void => {
      result.push({ kind: 'literal', piece: { ...piece, text, offsets: [...offsets, endOffset] } });
      text = '';
      offsets = [];
    };
    let last = 0;
    for (const match of piece.text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      text += piece.text.slice(last, start);
      offsets.push(...piece.offsets.slice(last, start));
      const replacement = replace(match);
      const hostStart = piece.offsets[start] ?? 0;
      const hostEnd = piece.offsets[end] ?? hostStart;
      if ('literal' in replacement) {
        // `%%` and `{{` stand for one character; it maps to the first of the two.
        text += replacement.literal;
        offsets.push(hostStart);
      } else {
        flush(hostStart);
        result.push({ kind: 'hole', host: { start: hostStart, end: hostEnd }, expressionText: replacement.expressionText, node: replacement.node, substitutionKind: replacement.kind });
      }
      last = end;
    }
    text += piece.text.slice(last);
    offsets.push(...piece.offsets.slice(last, piece.text.length));
    flush(piece.offsets[piece.text.length] ?? 0);
  }
  return result;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Decodes the raw source of a Python string body into the characters it denotes, recording the
 * host offset of each UTF-16 unit (plus one entry for the end). Raw strings keep backslashes;
 * unknown escapes keep their backslash, as Python does; f-strings turn `{{` and `}}` into one brace.
 */
export function decodePythonLiteral(raw: string, hostStart: number, kind: { raw: boolean; bytes: boolean; fString: boolean }): { text: string; offsets: number[] } {
  let text = '';
  const offsets: number[] = [];
  const emit = (decoded: string, at: number): void => {
    for (let unit = 0; unit < decoded.length; unit++) {
      text += decoded[unit];
      offsets.push(hostStart + at);
    }
  };
  let index = 0;
  while (index < raw.length) {
    const ch = raw[index] ?? '';
    if (kind.fString && (ch === '{' || ch === '}') && raw[index + 1] === ch) {
      emit(ch, index);
      index += 2;
      continue;
    }
    if (ch !== '\\' || index + 1 >= raw.length) {
      emit(ch, index);
      index++;
      continue;
    }
    const next = raw[index + 1] ?? '';
    if (kind.raw) {
      // A raw string keeps the backslash and the character after it (which may be the quote).
      emit(ch + next, index);
      offsets[offsets.length - 1] = hostStart + index + 1;
      index += 2;
      continue;
    }
    if (next === '\n') {
      index += 2;
      continue;
    }
    if (next === '\r') {
      index += raw[index + 2] === '\n' ? 3 : 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      emit(simple, index);
      index += 2;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(raw.slice(index + 1, index + 4));
    if (octal !== null) {
      emit(String.fromCharCode(parseInt(octal[0], 8)), index);
      index += 1 + octal[0].length;
      continue;
    }
    const hexLength = next === 'x' ? 2 : !kind.bytes && next === 'u' ? 4 : !kind.bytes && next === 'U' ? 8 : 0;
    const hex = raw.slice(index + 2, index + 2 + hexLength);
    if (hexLength > 0 && hex.length === hexLength && /^[0-9a-fA-F]+$/.test(hex)) {
      const code = parseInt(hex, 16);
      emit(code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd', index);
      index += 2 + hexLength;
      continue;
    }
    if (!kind.bytes && next === 'N' && raw[index + 2] === '{') {
      const close = raw.indexOf('}', index);
      if (close !== -1) {
        // The character's name is not resolved (that needs the Unicode name table); one
        // placeholder character keeps every later offset right.
        emit('\ufffd', index);
        index = close + 1;
        continue;
      }
    }
    // An unknown escape is two characters in Python: the backslash stays.
    emit('\\', index);
    index++;
  }
  offsets.push(hostStart + raw.length);
  return { text, offsets };
}
