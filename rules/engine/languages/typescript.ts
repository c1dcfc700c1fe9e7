/**
 * JavaScript and TypeScript: the only module that imports the TypeScript compiler API. It parses a
 * file (syntax only: no program, no type checker, nothing from the workspace is loaded), and finds
 * the SQL embedded in it: tagged templates (`sql`, `Prisma.sql`, `$queryRaw`) and the first
 * argument of query calls (`pool.query`, `knex.raw`, `sequelize.query`, pg-promise's `db.any` ...),
 * following a string constant declared in the same file to the call that runs it.
 */

import ts from 'typescript';
import { decodeLiteral, type EmbeddedSegment, type EmbeddedText, type LiteralQuote } from '../embedded';
import { AnalysisLimit, isStackOverflow } from '../guard';
import type { TextRange } from '../types';
import { allOf, escapeForPattern, matches, type PrefilterTerm } from '../prefilter';
import { SQL_LEADING_KEYWORDS, type Substitution } from './sql/source';
import { reparseEditedStatements } from './typescript-reparse';

export { ts };

/**
 * The previous parse of a document, kept by the caller between edits. With it, an edit re-parses
 * incrementally (TypeScript reuses the unchanged subtrees), which is what keeps diagnostics on
 * each keystroke in the low milliseconds on large files.
 */
export interface ScriptParseCache {
  sourceFile?: ts.SourceFile;
  /** How the last parse was made: from scratch, by re-parsing the edited statements, or by TypeScript's update. */
  lastParse?: 'full' | 'statements' | 'typescript';
}

/**
 * No rule reads JSDoc, and parsing it is a sixth of the parse in commented library code; an
 * incremental re-parse keeps the mode of the tree it updates.
 */
const PARSE_OPTIONS: ts.CreateSourceFileOptions = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };

/**
 * Brackets nested deeper than this are not given to the TypeScript parser, which recurses per
 * level: about 600 levels of `{a:` or 800 of `(` exhaust the main thread's stack (#15). Without a
 * fixed limit a file could parse in an audit's worker thread (larger stack) and not on the main
 * thread, so the same file's result would depend on how the audit ran. Written code stays far
 * below it; generated data nested this deep is not code anyone fixes by hand.
 */
export const SCRIPT_NESTING_LIMIT = 256;

/**
 * How much re-parsing of `async` expressions a text may cost, as a multiple of its length. After an
 * `async` in an expression TypeScript's parser reads the expression that follows ahead of time to
 * see whether it is an arrow function, then reads it again for real (and reads an `async (` arrow
 * twice when it turns out not to be one), so each `async` that encloses a bracket doubles the work
 * inside it: 20 nested `async function` expressions took minutes (seed 7, index 660). The scan in
 * `scriptShapeLimit` weighs every character by 2 per enclosing `async` and stops the parse when the
 * total passes this many times the text (plus a floor, so a small file is not refused for a few
 * levels). Real code nests a few async callbacks, not dozens: of 15,357 JS/TS files (the
 * real-code checkouts of bench/real-code, TypeScript's own lib, this repository) none reaches half
 * of it. At about 0.4 µs per weighted character the parse stays under 7 µs per character of text.
 */
export const ASYNC_REPARSE_FACTOR = 16;
const ASYNC_REPARSE_FLOOR = 4_096;

/**
 * Parses a JS/TS file (incrementally when `cache` holds the previous parse). Text nested deeper
 * than SCRIPT_NESTING_LIMIT, text whose nested `async` expressions would make the parser's work
 * grow past ASYNC_REPARSE_FACTOR times its length, or text deep enough in some other way to
 * exhaust the stack, throws AnalysisLimit: the file is then not analysed, and says why.
 */
export function parseScript(text: string, path: string, languageId: 'typescript' | 'javascript', cache?: ScriptParseCache): ts.SourceFile {
  const limit = scriptShapeLimit(text, SCRIPT_NESTING_LIMIT, ASYNC_REPARSE_FACTOR * (text.length + ASYNC_REPARSE_FLOOR));
  if (limit === 'depth') throw new AnalysisLimit(`too complex: brackets nested more than ${SCRIPT_NESTING_LIMIT} levels deep, more than the TypeScript parser reads safely`);
  if (limit === 'async') throw new AnalysisLimit('too complex: `async` expressions nested so deeply that the TypeScript parser would take time exponential in their depth');
  try {
    return parseWithinLimits(text, path, languageId, cache);
  } catch (error) {
    // Chains the bracket count does not see (thousands of `else if` or unary operators) still
    // recurse in the parser; running out of stack there is a limit of the parser, not a bug.
    if (isStackOverflow(error)) throw new AnalysisLimit('too complex: nested too deeply for the TypeScript parser');
    if (isParserAssertion(error)) {
      // An incremental parse could trip it through a wrong edit range (ours); a fresh parse that
      // trips it too means the text itself is what the parser cannot take.
      if (cache === undefined) throw new AnalysisLimit(UNPARSABLE_BY_TYPESCRIPT);
      cache.sourceFile = undefined;
      return parseScript(text, path, languageId);
    }
    throw error;
  }
}

/**
 * TypeScript's parser asserts (a `Debug Failure`) on a few invalid texts instead of reporting a
 * syntax error, e.g. a decorator before `await` (`@dec await x`), which half-typed code produces.
 */
const UNPARSABLE_BY_TYPESCRIPT = 'cannot be parsed: the TypeScript parser fails on this text (a decorator before `await` does that); it is analysed again once the syntax error is fixed';

function isParserAssertion(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Debug Failure');
}

/**
 * How many syntax errors TypeScript's parser reports for the text (0 for code that parses). The
 * count is the parser's own list, a field TypeScript does not publish but every SourceFile has
 * (typescript-reparse.ts relies on it too); fix-all compares it before and after a fix.
 */
export function scriptSyntaxErrorCount(text: string, path: string, languageId: 'typescript' | 'javascript'): number {
  const sourceFile = parseScript(text, path, languageId) as ts.SourceFile & { parseDiagnostics?: readonly unknown[] };
  return sourceFile.parseDiagnostics?.length ?? 0;
}

/**
 * True when brackets (`(`, `[`, `{`, and a template's `${`) nest deeper than `limit` anywhere in
 * the text (see scriptShapeLimit).
 */
export function bracketDepthExceeds(text: string, limit: number): boolean {
  return scriptShapeLimit(text, limit, Infinity) === 'depth';
}

/** Characters that continue an identifier (any non-ASCII character counts: a letter is the common case). */
function isIdentifierCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code === 92 || code > 127;
}

/** Whether an identifier written with escapes (`\u0061sync`, `\u{61}sync`) spells `async`. */
function spellsAsync(identifier: string): boolean {
  const decoded = identifier.replace(/\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})/g, (escape, braced: string | undefined, plain: string | undefined) => {
    const code = parseInt(braced ?? plain ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : escape;
  });
  return decoded === 'async';
}

/**
 * One linear scan of a JS/TS text before it is parsed, for the two shapes the parser cannot read
 * in bounded work: brackets (`(`, `[`, `{`, and a template's `${`) nested deeper than
 * `depthLimit` ('depth'), and `async` expressions nested so that the parser's re-reading would
 * cost more than `asyncCostLimit` ('async'; see ASYNC_REPARSE_FACTOR). The cost counts each
 * character once per 2 ** (the number of brackets around it opened after an `async` at their own
 * level, in the same list item or statement). Strings and comments are skipped so that a `'('`
 * in a tokenizer does not count; a regular expression's brackets and words do count (telling one
 * from a division needs the parser), and a statement that ends without `;` ends the `async` only
 * after a `}` and a line break: both can only make a rare file count deeper than it is.
 */
export function scriptShapeLimit(text: string, depthLimit: number, asyncCostLimit: number): 'depth' | 'async' | null {
  const length = text.length;
  let depth = 0;
  /** For each template literal whose `${` is open, the depth outside that `${`. */
  const templates: number[] = [];
  /** For each open bracket level (index = depth), how many `async` brackets enclose it. */
  const asyncLevels: number[] = [0];
  /** For each level, whether an `async` has been seen there in the current list item or statement. */
  const asyncPending: boolean[] = [false];
  /** Whether the last thing at this level was a `}` that closed to it (with ASI, a line break then ends the statement). */
  let afterClosingBrace = false;
  let weight = 1;
  let cost = 0;
  let inTemplate = false;
  let index = 0;
  /** For each open level (index = depth), the bracket that opened it: `(`, `[` or `{` (a template's `${` too). */
  const openers: number[] = [0];
  /** How many levels each kind of bracket holds open now. */
  const openCount = new Map<number, number>([[40, 0], [91, 0], [123, 0]]);
  const open = (opener: number): boolean => {
    const levels = (asyncLevels[depth] ?? 0) + (asyncPending[depth] === true ? 1 : 0);
    depth++;
    openers[depth] = opener;
    openCount.set(opener, (openCount.get(opener) ?? 0) + 1);
    asyncLevels[depth] = levels;
    asyncPending[depth] = false;
    weight = 2 ** Math.min(levels, 60);
    return depth > depthLimit;
  };
  // As the parser recovers: a closing bracket ends the levels up to the nearest one its kind
  // opened (a `}` ends a call left open inside the block), and one that nothing open matches is
  // skipped (a stray `)` in a block does not end the block). Counting it as closing any level
  // once hid nesting the parser sees (fuzz seed 3016 index 4413: 8 KB took it 4 minutes).
  const close = (opener: number): void => {
    if ((openCount.get(opener) ?? 0) === 0) return;
    while (depth > 0) {
      const closed = openers[depth] ?? 0;
      openCount.set(closed, (openCount.get(closed) ?? 1) - 1);
      depth--;
      if (closed === opener) break;
    }
    weight = 2 ** Math.min(asyncLevels[depth] ?? 0, 60);
  };
  while (index < length) {
    const code = text.charCodeAt(index);
    cost += weight;
    if (cost > asyncCostLimit) return 'async';
    if (inTemplate) {
      if (code === 92 /* \ */) index++;
      else if (code === 96 /* ` */) inTemplate = false;
      else if (code === 36 /* $ */ && text.charCodeAt(index + 1) === 123 /* { */) {
        templates.push(depth);
        if (open(123)) return 'depth';
        inTemplate = false;
        index++;
      }
      index++;
      continue;
    }
    if (code === 10 /* \n */ && afterClosingBrace) asyncPending[depth] = false;
    if (code > 32) afterClosingBrace = false;
    if (isIdentifierCode(code)) {
      const start = index;
      while (index < length && isIdentifierCode(text.charCodeAt(index))) index += text.charCodeAt(index) === 92 ? 2 : 1;
      const word = text.slice(start, index);
      if (word === 'async' || (word.includes('\\') && spellsAsync(word))) asyncPending[depth] = true;
      cost += weight * (index - start - 1);
      continue;
    }
    switch (code) {
      case 40: // (
      case 91: // [
      case 123: // {
        if (open(code)) return 'depth';
        break;
      case 41: // )
        close(40);
        break;
      case 93: // ]
        close(91);
        break;
      case 125: // }
        close(123);
        afterClosingBrace = true;
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          templates.pop();
          inTemplate = true;
        }
        break;
      case 44: // ,
      case 59: // ;
        asyncPending[depth] = false;
        break;
      case 96: // `
        inTemplate = true;
        break;
      case 34: // "
      case 39: {
        // '
        index++;
        while (index < length) {
          const inner = text.charCodeAt(index);
          if (inner === code || inner === 10) break;
          index += inner === 92 ? 2 : 1;
        }
        break;
      }
      case 47: {
        // /
        const next = text.charCodeAt(index + 1);
        if (next === 47) {
          const end = text.indexOf('\n', index);
          index = end === -1 ? length : end;
          continue;
        }
        if (next === 42) {
          const end = text.indexOf('*/', index + 2);
          index = end === -1 ? length : end + 2;
          continue;
        }
        break;
      }
    }
    index++;
  }
  return null;
}

function parseWithinLimits(text: string, path: string, languageId: 'typescript' | 'javascript', cache?: ScriptParseCache): ts.SourceFile {
  const lower = path.toLowerCase();
  const scriptKind = lower.endsWith('.tsx') ? ts.ScriptKind.TSX : lower.endsWith('.jsx') ? ts.ScriptKind.JSX : languageId === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const fileName = path || 'document.ts';
  const previous = cache?.sourceFile;
  let sourceFile: ts.SourceFile;
  if (previous !== undefined && previous.fileName === fileName && previous.text !== text) {
    const change = changeRange(previous.text, text);
    // The previous parse's index lists its nodes flat: moving the statements after the edit
    // through it is twice as fast as walking them.
    const index = NODE_INDEXES.get(previous);
    const moveTail = index instanceof EditorIndex ? index.moveFrom.bind(index) : undefined;
    const reparsed = reparseEditedStatements(previous, text, change, moveTail);
    sourceFile = reparsed ?? ts.updateSourceFile(previous, text, change);
    if (cache !== undefined) cache.lastParse = reparsed === undefined ? 'typescript' : 'statements';
  } else if (previous !== undefined && previous.fileName === fileName) {
    sourceFile = previous;
  } else if (cache !== undefined) {
    // Kept for incremental re-parsing, which expects TypeScript's own parent pointers.
    sourceFile = ts.createSourceFile(fileName, text, PARSE_OPTIONS, true, scriptKind);
    cache.lastParse = 'full';
  } else {
    // A one-off parse (an audit): fileNodes sets the parent pointers in the walk that lists the
    // nodes, instead of TypeScript walking the whole tree once more to set them.
    sourceFile = ts.createSourceFile(fileName, text, PARSE_OPTIONS, false, scriptKind);
    fileNodes(sourceFile);
  }
  if (cache !== undefined) {
    EDITOR_PARSES.add(sourceFile);
    if (previous !== undefined && previous !== sourceFile) {
      // The node index of this parse is made from the previous one's (see editorIndex); only
      // the latest link is kept, so a document's parses never hold on to each other in a chain.
      const previousIndex = NODE_INDEXES.get(previous) ?? PREVIOUS_INDEXES.get(previous);
      PREVIOUS_INDEXES.delete(previous);
      if (previousIndex !== undefined) PREVIOUS_INDEXES.set(sourceFile, previousIndex);
    }
    cache.sourceFile = sourceFile;
  }
  return sourceFile;
}

/** The single changed span between two texts (common prefix and suffix removed). */
function changeRange(before: string, after: string): ts.TextChangeRange {
  const limit = Math.min(before.length, after.length);
  // Compare in blocks first (string comparison is far faster than a loop over characters), then
  // character by character inside the first block that differs.
  const block = 256;
  let prefix = 0;
  while (prefix + block <= limit && before.slice(prefix, prefix + block) === after.slice(prefix, prefix + block)) prefix += block;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix + block <= limit - prefix && before.slice(before.length - suffix - block, before.length - suffix) === after.slice(after.length - suffix - block, after.length - suffix)) suffix += block;
  while (suffix < limit - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return ts.createTextChangeRange(ts.createTextSpan(prefix, before.length - prefix - suffix), after.length - prefix - suffix);
}

/** Tagged-template tags whose templates are SQL (the library parameterizes the substitutions). */
export const SQL_TAGS = ['sql', 'SQL', 'Prisma.sql', '$queryRaw', '$executeRaw'];

/** Method names whose first argument is SQL text. */
export const SQL_CALLEES = [
  'query', 'execute', 'raw', 'unsafe', 'prepare', 'exec', '$queryRawUnsafe', '$executeRawUnsafe', 'any', 'one', 'many',
  'none', 'oneOrNone', 'manyOrNone', 'result', 'multi', 'multiResult',
];

const SQL_CALLEE_SET = new Set(SQL_CALLEES);

export interface EmbeddedSqlSite {
  kind: 'tagged' | 'call';
  /** The tagged template or the call expression. */
  node: ts.TaggedTemplateExpression | ts.CallExpression;
  calleeName: string;
  /** The expression whose text is the SQL (possibly the initializer of a constant). */
  literal: ts.Expression;
  /** The identifier in the call when the SQL came from a constant declared elsewhere in the file. */
  viaConstant: ts.Identifier | null;
  embedded: EmbeddedText;
  substitutions: Substitution[];
  /** Host expressions of the substitutions, in order. */
  substitutionNodes: ts.Expression[];
}

function tagName(tag: ts.Expression): string | null {
  if (ts.isIdentifier(tag)) return tag.text;
  if (ts.isPropertyAccessExpression(tag)) {
    const name = tag.name.text;
    if (name === '$queryRaw' || name === '$executeRaw') return name;
    if (name === 'sql' && ts.isIdentifier(tag.expression)) return `${tag.expression.text}.sql`;
  }
  return null;
}

/** The called method's name (`pool.query` → 'query', `query(...)` → 'query'), or null. */
export function calleeName(call: ts.CallExpression): string | null {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return null;
}

/** Finds every embedded SQL site in a file, in source order. */
export function findEmbeddedSql(sourceFile: ts.SourceFile): EmbeddedSqlSite[] {
  const sites: EmbeddedSqlSite[] = [];
  // Constants are collected on first need: most files never pass a constant to a query call.
  let collected: Map<string, ts.Expression> | null = null;
  const constants = (): Map<string, ts.Expression> => (collected ??= collectConstants(sourceFile));
  const seen = new Set<ts.Node>();
  const consider = (node: ts.Node): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (ts.isTaggedTemplateExpression(node)) {
      const name = tagName(node.tag);
      if (name !== null && (SQL_TAGS.includes(name) || name.endsWith('.sql'))) {
        const built = buildEmbeddedText(sourceFile, node.template, constants);
        if (built !== null) sites.push({ kind: 'tagged', node, calleeName: name, literal: node.template, viaConstant: null, ...built });
      }
    } else if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const firstArgument = node.arguments[0];
      if (name !== null && SQL_CALLEE_SET.has(name) && firstArgument !== undefined) {
        let literal: ts.Expression = firstArgument;
        let viaConstant: ts.Identifier | null = null;
        if (ts.isIdentifier(firstArgument)) {
          const initializer = constants().get(firstArgument.text);
          if (initializer !== undefined) {
            literal = initializer;
            viaConstant = firstArgument;
          }
        } else if (ts.isObjectLiteralExpression(firstArgument)) {
          // node-postgres query config: { text: 'SELECT ...', values: [...] }
          const textProperty = firstArgument.properties.find((property): property is ts.PropertyAssignment => ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && (property.name.text === 'text' || property.name.text === 'sql'));
          if (textProperty !== undefined) literal = textProperty.initializer;
        }
        const built = buildEmbeddedText(sourceFile, literal, constants);
        if (built !== null) sites.push({ kind: 'call', node, calleeName: name, literal, viaConstant, ...built });
      }
    }
  };
  // Instead of walking every node (milliseconds on a large file, on every keystroke), find the
  // places where a query call or SQL tag is written and descend to just those nodes.
  for (const match of sourceFile.text.matchAll(CANDIDATE_PATTERN)) {
    let node: ts.Node | undefined = innermostNodeAt(sourceFile, match.index);
    while (node !== undefined && node.kind !== ts.SyntaxKind.SourceFile) {
      if (ts.isCallExpression(node) || ts.isTaggedTemplateExpression(node)) {
        const nameNode = ts.isCallExpression(node) ? calleeNameNode(node.expression) : calleeNameNode(node.tag);
        if (nameNode !== null && nameNode.getStart(sourceFile) === match.index) {
          consider(node);
          break;
        }
      }
      node = node.parent;
    }
  }
  return sites;
}


const NODE_INDEXES = new WeakMap<ts.SourceFile, NodeIndex>();

/**
 * Every node of a parsed file, the file first, in the order ts.forEachChild visits them (document
 * order), listed once per parse. The runner feeds the rules' node visitors from it, and helpers
 * that look at the whole file (imports, declarations, classes) loop over it instead of walking
 * the tree again: on an audit each extra recursive walk costs a good part of a parse. The walk
 * also sets every node's parent (the same pointers TypeScript's setParentNodes sets; JSDoc nodes,
 * which no rule reads, aside), so a one-off parse need not ask TypeScript for them.
 */
export function fileNodes(sourceFile: ts.SourceFile): readonly ts.Node[] {
  return indexOf(sourceFile).nodes;
}

export function nodesOfKind(sourceFile: ts.SourceFile, kind: ts.SyntaxKind): readonly ts.Node[] {
  return indexOf(sourceFile).ofKind(kind);
}

interface NodeIndex {
  readonly nodes: readonly ts.Node[];
  ofKind(kind: ts.SyntaxKind): readonly ts.Node[];
}

const NO_NODES: readonly ts.Node[] = [];

/**
 * Lists the subtree rooted at `root` (a child of `parent`) in pre-order into `nodes`, setting
 * every missing parent pointer on the way (an editor's parse has them already), and into
 * `byKind` when given.
 */
function listSubtree(root: ts.Node, parent: ts.Node, nodes: ts.Node[], byKind?: (ts.Node[] | undefined)[]): void {
  // An explicit stack, not recursion: a chain of 10,000 `+` or `.` is a tree 10,000 deep, which
  // the parser reads without recursing and a recursive walk could not (#15). Each node's
  // children are pushed in order, then that run of the stack is reversed so that they come off
  // in document order; a child's parent is set as it is pushed.
  if (root.parent !== parent) (root as { parent: ts.Node }).parent = parent;
  const stack: ts.Node[] = [root];
  let current = parent;
  const push = (child: ts.Node): void => {
    if (child.parent !== current) (child as { parent: ts.Node }).parent = current;
    stack.push(child);
  };
  while (stack.length > 0) {
    const node = stack.pop() as ts.Node;
    nodes.push(node);
    if (byKind !== undefined) {
      const ofKind = byKind[node.kind];
      if (ofKind === undefined) byKind[node.kind] = [node];
      else ofKind.push(node);
    }
    const from = stack.length;
    current = node;
    ts.forEachChild(node, push);
    reverseFrom(stack, from);
  }
}

/**
 * Visits `root` and its descendants in document order (pre-order), with a stack instead of
 * recursion: the walks rules make over a function or a loop body go as deep as the code does,
 * and a chain of 10,000 `+` or `.` is a tree 10,000 deep (#15). `visit` returns true to look into
 * the node's children, false to skip them, or the nodes to walk instead of its children.
 */
export function walkScript(root: ts.Node, visit: (node: ts.Node) => boolean | readonly ts.Node[]): void {
  const stack: ts.Node[] = [root];
  const push = (child: ts.Node): void => {
    stack.push(child);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const next = visit(node);
    if (next === false) continue;
    const from = stack.length;
    if (next === true) ts.forEachChild(node, push);
    else for (const child of next) stack.push(child);
    reverseFrom(stack, from);
  }
}

/** Reverses `list[from..]` in place. */
function reverseFrom<T>(list: T[], from: number): void {
  for (let low = from, high = list.length - 1; low < high; low++, high--) {
    const swap = list[low] as T;
    list[low] = list[high] as T;
    list[high] = swap;
  }
}

/**
 * listSubtree for an editor's parse, which also lists the subtree's node lists (NodeArrays), each
 * where a recursive walk would meet it: before its first element. The stack holds both.
 */
function listEditedSubtree(root: ts.Node, parent: ts.Node, nodes: ts.Node[], arrays: ts.NodeArray<ts.Node>[]): void {
  if (root.parent !== parent) (root as { parent: ts.Node }).parent = parent;
  const stack: (ts.Node | ts.NodeArray<ts.Node>)[] = [root];
  let current = parent;
  const push = (child: ts.Node): void => {
    if (child.parent !== current) (child as { parent: ts.Node }).parent = current;
    stack.push(child);
  };
  const pushArray = (list: ts.NodeArray<ts.Node>): void => {
    for (let index = 0; index < list.length; index++) {
      const element = list[index] as ts.Node;
      if (element.parent !== current) (element as { parent: ts.Node }).parent = current;
    }
    stack.push(list);
  };
  while (stack.length > 0) {
    const entry = stack.pop() as ts.Node | ts.NodeArray<ts.Node>;
    const from = stack.length;
    if (isNodeArray(entry)) {
      arrays.push(entry);
      for (let index = entry.length - 1; index >= 0; index--) stack.push(entry[index] as ts.Node);
      continue;
    }
    nodes.push(entry);
    current = entry;
    ts.forEachChild(entry, push, pushArray);
    reverseFrom(stack, from);
  }
}

function isNodeArray(entry: ts.Node | ts.NodeArray<ts.Node>): entry is ts.NodeArray<ts.Node> {
  return Array.isArray(entry);
}

/** One kind's nodes in document order, with each one's index in the file's list of nodes. */
interface KindList {
  nodes: ts.Node[];
  at: number[];
}

/** The first position in the ascending `values` whose value is at least `target`. */
function lowerBound(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((values[middle] ?? 0) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Replaces `removeCount` items of `list` at `from` with `insert`, in place: an editor's index is
 * updated on every keystroke, and copying its lists of a large file's nodes made garbage enough
 * for a young-generation collection every few edits.
 */
function spliceInPlace<T>(list: T[], from: number, removeCount: number, insert: readonly T[]): void {
  const oldLength = list.length;
  const growth = insert.length - removeCount;
  if (growth > 0) {
    list.length = oldLength + growth;
    list.copyWithin(from + insert.length, from + removeCount, oldLength);
  } else if (growth < 0) {
    list.copyWithin(from + insert.length, from + removeCount, oldLength);
    list.length = oldLength + growth;
  }
  for (let index = 0; index < insert.length; index++) list[from + index] = insert[index] as T;
}

/**
 * The index of an editor's parse. Besides the nodes (and node lists) it knows where each
 * top-level statement's begin, so that the next parse's index is made from this one by replacing
 * what an edit changed, in place: the statements an edit left alone keep their entries. The
 * kinds the rules asked for are kept up to date the same way; any other kind is listed when first
 * asked for.
 */
class EditorIndex implements NodeIndex {
  readonly statements: readonly ts.Statement[];

  constructor(
    readonly sourceFile: ts.SourceFile,
    readonly nodes: ts.Node[],
    /** starts[i]: where statement i's nodes begin in `nodes`; starts[statements.length]: the end-of-file token's. */
    readonly starts: number[],
    /** The node lists (NodeArrays) of the statements, in document order, and where each statement's begin. */
    readonly arrays: ts.NodeArray<ts.Node>[],
    readonly arrayStarts: number[],
    readonly kinds = new Map<ts.SyntaxKind, KindList>(),
  ) {
    this.statements = sourceFile.statements;
  }

  /** Moves the statements from `statement` on, and the end-of-file token, by `delta` characters. */
  moveFrom(statement: number, delta: number): void {
    const { nodes, arrays } = this;
    for (let at = this.starts[statement] ?? nodes.length; at < nodes.length; at++) {
      const node = nodes[at] as { pos: number; end: number };
      node.pos += delta;
      node.end += delta;
    }
    for (let at = this.arrayStarts[statement] ?? arrays.length; at < arrays.length; at++) {
      const list = arrays[at] as { pos: number; end: number };
      list.pos += delta;
      list.end += delta;
    }
  }

  ofKind(kind: ts.SyntaxKind): readonly ts.Node[] {
    let list = this.kinds.get(kind);
    if (list === undefined) {
      list = { nodes: [], at: [] };
      collect(kind, this.nodes, 0, this.nodes.length, 0, list);
      this.kinds.set(kind, list);
    }
    return list.nodes;
  }
}

/** Appends the nodes of `kind` among nodes[from, to) to `into`, at their index plus `offset`. */
function collect(kind: ts.SyntaxKind, nodes: readonly ts.Node[], from: number, to: number, offset: number, into: KindList): void {
  for (let at = from; at < to; at++) {
    const node = nodes[at] as ts.Node;
    if (node.kind !== kind) continue;
    into.nodes.push(node);
    into.at.push(at + offset);
  }
}

/** The index of the previous parse of the document an editor's parse was made from (see parseScript). */
const PREVIOUS_INDEXES = new WeakMap<ts.SourceFile, NodeIndex>();
/** Parses kept by an editor between edits, whose index is an EditorIndex from the start. */
const EDITOR_PARSES = new WeakSet<ts.SourceFile>();

function indexOf(sourceFile: ts.SourceFile): NodeIndex {
  let index = NODE_INDEXES.get(sourceFile);
  if (index !== undefined) return index;
  const previous = PREVIOUS_INDEXES.get(sourceFile);
  PREVIOUS_INDEXES.delete(sourceFile);
  if (previous === undefined && !EDITOR_PARSES.has(sourceFile)) {
    const byKind: (ts.Node[] | undefined)[] = new Array<ts.Node[] | undefined>(ts.SyntaxKind.Count).fill(undefined);
    const nodes: ts.Node[] = [sourceFile];
    byKind[sourceFile.kind] = [sourceFile];
    ts.forEachChild(sourceFile, (child) => listSubtree(child, sourceFile, nodes, byKind));
    index = { nodes, ofKind: (kind) => byKind[kind] ?? NO_NODES };
  } else {
    index = editorIndex(sourceFile, previous ?? null);
  }
  NODE_INDEXES.set(sourceFile, index);
  return index;
}

/**
 * The index of an editor's re-parse, made from the previous parse's. Both TypeScript's
 * incremental re-parse and ours hand back the very statement objects an edit did not touch (only
 * moved), so the entries of the unchanged statements before and after the edit stay as they are
 * and only the edited statements are walked: listing a 3,000-line file's nodes on every
 * keystroke cost as much as the re-parse itself. The previous index is spent: its lists become
 * this one's.
 */
function editorIndex(sourceFile: ts.SourceFile, previous: NodeIndex | null): EditorIndex {
  const statements = sourceFile.statements;
  const old = previous instanceof EditorIndex ? previous : null;
  if (old === null) {
    const nodes: ts.Node[] = [sourceFile];
    const arrays: ts.NodeArray<ts.Node>[] = [];
    const starts: number[] = [];
    const arrayStarts: number[] = [];
    for (const statement of statements) {
      starts.push(nodes.length);
      arrayStarts.push(arrays.length);
      listEditedSubtree(statement, sourceFile, nodes, arrays);
    }
    starts.push(nodes.length);
    arrayStarts.push(arrays.length);
    listEditedSubtree(sourceFile.endOfFileToken, sourceFile, nodes, arrays);
    return new EditorIndex(sourceFile, nodes, starts, arrays, arrayStarts);
  }
  NODE_INDEXES.delete(old.sourceFile);
  const oldCount = old.statements.length;
  const limit = Math.min(statements.length, oldCount);
  let same = 0;
  while (same < limit && statements[same] === old.statements[same]) same++;
  let sameAtEnd = 0;
  while (sameAtEnd < limit - same && statements[statements.length - 1 - sameAtEnd] === old.statements[oldCount - 1 - sameAtEnd]) sameAtEnd++;

  // The edited statements' nodes and lists, and the end-of-file token's, listed afresh.
  const edited: ts.Node[] = [];
  const editedArrays: ts.NodeArray<ts.Node>[] = [];
  const editedStarts: number[] = [];
  const editedArrayStarts: number[] = [];
  const editedFrom = old.starts[same] ?? 0;
  const arraysFrom = old.arrayStarts[same] ?? 0;
  for (let statement = same; statement < statements.length - sameAtEnd; statement++) {
    editedStarts.push(editedFrom + edited.length);
    editedArrayStarts.push(arraysFrom + editedArrays.length);
    listEditedSubtree(statements[statement] as ts.Statement, sourceFile, edited, editedArrays);
  }
  const endOfFile: ts.Node[] = [];
  const endOfFileArrays: ts.NodeArray<ts.Node>[] = [];
  listEditedSubtree(sourceFile.endOfFileToken, sourceFile, endOfFile, endOfFileArrays);

  const { nodes, arrays, starts, arrayStarts, kinds } = old;
  const oldEndOfFile = old.starts[oldCount] ?? nodes.length;
  const oldArraysEnd = old.arrayStarts[oldCount] ?? arrays.length;
  const editedTo = old.starts[oldCount - sameAtEnd] ?? oldEndOfFile;
  const arraysTo = old.arrayStarts[oldCount - sameAtEnd] ?? oldArraysEnd;
  const shift = edited.length - (editedTo - editedFrom);
  const arrayShift = editedArrays.length - (arraysTo - arraysFrom);

  // The kinds asked for before: drop the old entries of the edited statements and of the
  // end-of-file token, add the new ones, move the index of those after.
  for (const [kind, list] of kinds) {
    if (kind === ts.SyntaxKind.SourceFile) continue;
    const endOfFileEntries = lowerBound(list.at, oldEndOfFile);
    list.nodes.length = endOfFileEntries;
    list.at.length = endOfFileEntries;
    const low = lowerBound(list.at, editedFrom);
    const high = lowerBound(list.at, editedTo);
    const added: KindList = { nodes: [], at: [] };
    collect(kind, edited, 0, edited.length, editedFrom, added);
    spliceInPlace(list.nodes, low, high - low, added.nodes);
    spliceInPlace(list.at, low, high - low, added.at);
    if (shift !== 0) for (let index = low + added.at.length; index < list.at.length; index++) list.at[index] = (list.at[index] as number) + shift;
    collect(kind, endOfFile, 0, endOfFile.length, oldEndOfFile + shift, list);
  }
  kinds.set(ts.SyntaxKind.SourceFile, { nodes: [sourceFile], at: [0] });

  spliceInPlace(nodes, oldEndOfFile, nodes.length - oldEndOfFile, endOfFile);
  spliceInPlace(nodes, editedFrom, editedTo - editedFrom, edited);
  nodes[0] = sourceFile;
  spliceInPlace(arrays, oldArraysEnd, arrays.length - oldArraysEnd, endOfFileArrays);
  spliceInPlace(arrays, arraysFrom, arraysTo - arraysFrom, editedArrays);
  const editedCount = statements.length - sameAtEnd - same;
  spliceInPlace(starts, same, oldCount - sameAtEnd - same, editedStarts);
  spliceInPlace(arrayStarts, same, oldCount - sameAtEnd - same, editedArrayStarts);
  for (let index = same + editedCount; index < starts.length; index++) {
    starts[index] = (starts[index] as number) + shift;
    arrayStarts[index] = (arrayStarts[index] as number) + arrayShift;
  }
  return new EditorIndex(sourceFile, nodes, starts, arrays, arrayStarts, kinds);
}

// A query call (`name(`, `name<T>(`) and an SQL tag (`sql\``), as they are written.
const CALL_SOURCE = `(?:${SQL_CALLEES.map(escapeForPattern).join('|')})\\s*(?:<[^()\\n]*?>\\s*)?\\(`;
const TAG_SOURCE = '(?:sql|SQL|\\$queryRaw|\\$executeRaw)\\s*`';
const NOT_AFTER_NAME = '(?<![\\w$])';
const CANDIDATE_PATTERN = new RegExp(`${NOT_AFTER_NAME}(?:${CALL_SOURCE}|${TAG_SOURCE})`, 'g');
/** Blank in a string's source text: whitespace, an escaped line break or tab, a line continuation. */
const BLANK = String.raw`(?:\s|\\[nrt]|\\\r?\n)`;
const NAME = String.raw`[\w"\`.{}$\[\]]+`;
/**
 * How a statement opens. Most keywords are enough on their own, followed by a blank or `(`; the
 * four commonest also when the literal ends there and is concatenated (`"SELECT" + columns`).
 * WITH and MERGE are also English words, so they need their statement's shape: `WITH name
 * [(columns)] AS`, `MERGE [INTO] target [alias] USING` ("with value", "merge keys" are not SQL).
 */
const STATEMENT_OPENING = [
  String.raw`(?:${[...SQL_LEADING_KEYWORDS].filter((keyword) => keyword !== 'WITH' && keyword !== 'MERGE').join('|')})(?=${BLANK}|[(;])`,
  String.raw`(?:SELECT|INSERT|UPDATE|DELETE)(?=[\`'"]\s*\+)`,
  String.raw`WITH${BLANK}+(?:RECURSIVE${BLANK}+)?${NAME}${BLANK}*(?:\([^)]*\)${BLANK}*)?AS\b`,
  String.raw`MERGE${BLANK}+(?:INTO${BLANK}+)?${NAME}(?:${BLANK}+(?:AS${BLANK}+)?\w+)?${BLANK}+USING\b`,
].join('|');

/**
 * An SQL line comment in a string's source text: it ends at a line break, real or written
 * (`\n`); other escapes are read as pairs, so `\\n` (an escaped backslash, then n) is not one.
 * Its body cannot contain its own end, so a run of comments is matched one way only.
 */
const LINE_COMMENT = String.raw`--(?:[^\n'"\`\\]|\\[^n])*(?:\n|\\n)`;

/**
 * A string literal whose text opens with an SQL statement, after blanks and line comments, or
 * with a block comment (PostgreSQL's nest, MySQL's do not: which text follows one is left to the
 * parse, the gate lets the file through): what
 * looksLikeSql demands of the text of a query call, and all such text is written in the file (a
 * literal, a template, a concatenation or a constant). The literal stands where code puts a value
 * (after `(`, `=`, `,`, `:`, `+`, `[`, `?`, `{`, `=>`, `;`, `||`, `&&` or `return`), which keeps
 * out the backquoted words of comments (`the \`values\` of`).
 */
const SQL_STRING_PATTERN = new RegExp(String.raw`(?:[(=,:+[?{>;|&]|\breturn)\s*[\`'"](?:${BLANK}|${LINE_COMMENT})*(?:${STATEMENT_OPENING}|/\*)`, 'i');

/**
 * What a JS/TS file needs to hold embedded SQL at all: an SQL tag, or a query call and a string
 * that opens like a statement. Cheap regular-expression tests, so the runner skips parsing files
 * where SQL rules have nothing to look at (most files of a large audit).
 */
export const EMBEDDED_SQL_PREFILTER: readonly PrefilterTerm[] = [
  matches(new RegExp(NOT_AFTER_NAME + TAG_SOURCE)),
  // The same as NOT_AFTER_NAME + CALL_SOURCE, searched from each `(` back: a parenthesis is
  // rarer than the letters the names begin with, which halves the time of this test.
  allOf(matches(new RegExp(`\\((?<=${NOT_AFTER_NAME}${CALL_SOURCE})`)), matches(SQL_STRING_PATTERN)),
];

/** The identifier that names a callee or tag (`pool.query` → `query`, `Prisma.sql` → `sql`). */
function calleeNameNode(expression: ts.Expression): ts.Node | null {
  if (ts.isPropertyAccessExpression(expression)) return expression.name;
  if (ts.isIdentifier(expression)) return expression;
  return null;
}

/** The deepest node whose span contains `position`, found by descending from the root. */
function innermostNodeAt(sourceFile: ts.SourceFile, position: number): ts.Node {
  let current: ts.Node = sourceFile;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(current, (child) => {
      if (child.pos <= position && position < child.end) {
        next = child;
        return true;
      }
      return undefined;
    });
    if (next === undefined) return current;
    current = next;
  }
}

/** `const name = <string-ish expression>` declarations in the file, when the name is declared once. */
function collectConstants(sourceFile: ts.SourceFile): Map<string, ts.Expression> {
  const found = new Map<string, ts.Expression | null>();
  for (const node of nodesOfKind(sourceFile, ts.SyntaxKind.VariableDeclaration) as readonly ts.VariableDeclaration[]) {
    if (ts.isIdentifier(node.name)) {
      const isConst = ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0;
      const name = node.name.text;
      const initializer = node.initializer;
      if (found.has(name) || !isConst || initializer === undefined) found.set(name, null);
      else found.set(name, initializer);
    }
  }
  const constants = new Map<string, ts.Expression>();
  for (const [name, initializer] of found) if (initializer !== null) constants.set(name, initializer);
  return constants;
}

/** The expression inside any number of parentheses, without recursing. */
function unwrapParentheses(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

interface BuiltText {
  embedded: EmbeddedText;
  substitutions: Substitution[];
  substitutionNodes: ts.Expression[];
}

/**
 * Builds the virtual SQL text of a string literal, template, or `+` concatenation. Returns null
 * for anything else (a function call, a variable from elsewhere): we only read SQL we can see.
 */
function buildEmbeddedText(sourceFile: ts.SourceFile, expression: ts.Expression, constants: () => Map<string, ts.Expression>): BuiltText | null {
  const parts: ({ kind: 'literal'; node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateLiteralLikeNode; quote: LiteralQuote } | { kind: 'hole'; node: ts.Expression })[] = [];
  const hostText = sourceFile.text;

  const isConcatenation = (node: ts.Expression): node is ts.BinaryExpression => ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;
  const isText = (node: ts.Expression): boolean => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
  const outermost = unwrapParentheses(expression);
  if (!isText(outermost) && !isConcatenation(outermost)) return null;
  // The `+` tree's leaves in order, through parentheses: literals and templates are text, any
  // other expression is a hole. A stack, not recursion: `'a' + 'a' + ...` is a left-deep tree as
  // deep as it is long (#15). The right operand is pushed first so that the left comes off first.
  const pending: ts.Expression[] = [outermost];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const node = unwrapParentheses(next);
    if (isConcatenation(node)) {
      pending.push(node.right, node.left);
    } else if (ts.isStringLiteral(node)) {
      parts.push({ kind: 'literal', node, quote: hostText[node.getStart(sourceFile)] === '"' ? '"' : "'" });
    } else if (ts.isNoSubstitutionTemplateLiteral(node)) {
      parts.push({ kind: 'literal', node, quote: '`' });
    } else if (ts.isTemplateExpression(node)) {
      parts.push({ kind: 'literal', node: node.head, quote: '`' });
      for (const span of node.templateSpans) {
        parts.push({ kind: 'hole', node: span.expression });
        parts.push({ kind: 'literal', node: span.literal, quote: '`' });
      }
    } else {
      parts.push({ kind: 'hole', node });
    }
  }
  if (!parts.some((part) => part.kind === 'literal')) return null;

  let text = '';
  const segments: EmbeddedSegment[] = [];
  const holes: EmbeddedText['holes'] = [];
  const substitutions: Substitution[] = [];
  const substitutionNodes: ts.Expression[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      const { bodyStart, bodyEnd } = literalBody(sourceFile, part.node);
      const decoded = decodeLiteral(hostText.slice(bodyStart, bodyEnd), bodyStart);
      segments.push({ virtual: { start: text.length, end: text.length + decoded.text.length }, hostOffsets: decoded.offsets, quote: part.quote });
      text += decoded.text;
      continue;
    }
    const holeText = `__fl_${substitutions.length}__`;
    const virtual: TextRange = { start: text.length, end: text.length + holeText.length };
    const hostRange = holeHostRange(sourceFile, part.node);
    holes.push({ virtual, host: hostRange });
    substitutions.push({ range: virtual, expressionText: part.node.getText(sourceFile), isArrayJoin: isArrayJoin(part.node, constants) });
    substitutionNodes.push(part.node);
    text += holeText;
  }
  return { embedded: { text, segments, holes }, substitutions, substitutionNodes };
}

/** The body of a literal, between its delimiters (`'...'`, `` `...${ ``, `}...${`, `}...` ``). */
function literalBody(sourceFile: ts.SourceFile, node: ts.Node): { bodyStart: number; bodyEnd: number } {
  const start = node.getStart(sourceFile);
  const end = node.getEnd();
  const text = sourceFile.text;
  const bodyStart = start + 1;
  let bodyEnd = end - 1;
  if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node)) bodyEnd = end - 2;
  if (text[end - 1] !== '`' && text[end - 1] !== "'" && text[end - 1] !== '"' && !(ts.isTemplateHead(node) || ts.isTemplateMiddle(node))) bodyEnd = end;
  return { bodyStart, bodyEnd: Math.max(bodyStart, bodyEnd) };
}

/** Host range of a hole: for template spans, the whole `${ expr }`; otherwise the expression. */
function holeHostRange(sourceFile: ts.SourceFile, node: ts.Expression): TextRange {
  const parent = node.parent;
  if (ts.isTemplateSpan(parent)) {
    const previousLiteralEnd = parent.parent.templateSpans.indexOf(parent) === 0 ? parent.parent.head.getEnd() : (parent.parent.templateSpans[parent.parent.templateSpans.indexOf(parent) - 1]?.literal.getEnd() ?? node.getStart(sourceFile));
    // The `}` that closes the hole is where the next literal starts, unless the file ends inside
    // the hole (`${PAGE_` as the last bytes): then there is none (#15, found by the fuzzer).
    const literalStart = parent.literal.getStart(sourceFile);
    return { start: previousLiteralEnd - 2, end: sourceFile.text[literalStart] === '}' ? literalStart + 1 : literalStart };
  }
  return { start: node.getStart(sourceFile), end: node.getEnd() };
}

/** `ids.join(',')`, `ids.map(() => '?').join(', ')`, or a constant holding one. */
function isArrayJoin(node: ts.Expression, constants: () => Map<string, ts.Expression>): boolean {
  let expression = node;
  if (ts.isIdentifier(expression)) {
    const initializer = constants().get(expression.text);
    if (initializer === undefined) return false;
    expression = initializer;
  }
  return ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression) && expression.expression.name.text === 'join';
}

/** Name of the module a file imports or requires under `localName`, if any. */
export function importedModules(sourceFile: ts.SourceFile): Set<string> {
  const modules = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) modules.add(statement.moduleSpecifier.text);
  }
  // Looking at every node for require() calls costs milliseconds on big files; most have none.
  if (!sourceFile.text.includes('require(')) return modules;
  for (const node of fileNodes(sourceFile)) {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      const argument = node.arguments[0];
      if (argument !== undefined && ts.isStringLiteral(argument)) modules.add(argument.text);
    }
  }
  return modules;
}
