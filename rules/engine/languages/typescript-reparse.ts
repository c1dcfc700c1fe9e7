/**
 * An editor's re-parse of a script after an edit, statement by statement: only the top-level
 * statements the edit touched are parsed again, and the statements after them are moved by the
 * edit's length. TypeScript's own incremental re-parse gets the same tree but walks the whole old
 * tree twice on every keystroke (once to set parent pointers it already has, once to move or mark
 * every node) and then re-reads the whole statement list: on a 3,000-line file that was most of
 * the time from an edit to its diagnostics.
 *
 * The re-parse is only used where its result is the tree a full parse would build; anywhere that
 * is in doubt it returns undefined and the caller asks TypeScript. The argument, in short: a
 * top-level statement starts in the parser's initial state, so parsing the text between two
 * statement boundaries the edit cannot have moved gives exactly the statements a full parse finds
 * there. A boundary before the edited text is safe when the statement before it has no syntax
 * error and is closed (its own `;`, or a class, interface or enum's own `}`: nothing after it can
 * continue it) or the next statement's first token lies before the edit (the previous statement
 * ended because of that token, which is unchanged); the text starts one statement before the
 * edit at least, since error recovery looks further ahead. A boundary after the edited text is
 * safe when the re-parsed text ends with a closed statement and no error, or when the re-parse of
 * the edited text followed by the next unchanged statement still finds that statement where it
 * was. Everything after a safe boundary is the old parse, moved. A syntax error marks the next
 * node the parser finishes, so none may be pending across a boundary; see ARCHITECTURE.md for the
 * rest of what is checked, and test/reparse.test.ts for the traps.
 */

import ts from 'typescript';

/** Above this share of the file, re-parsing the edited statements costs more than TypeScript's update. */
const MAX_REGION_SHARE = 1 / 8;
/** How many statements before the edit the region may start, looking for a safe boundary. */
const MAX_STEPS_BACK = 4;
/** TransformFlags.ContainsPossibleTopLevelAwait: such statements are parsed again once TypeScript knows the file is a module. */
const CONTAINS_POSSIBLE_TOP_LEVEL_AWAIT = 1 << 26;
/** NodeFlags cached by TypeScript about a node's subtree, which a new statement list invalidates. */
const AGGREGATED_CHILD_DATA = ts.NodeFlags.ThisNodeOrAnySubNodesHasError | (1 << 21) /* HasAggregatedChildData */;
/** NodeFlags the parser sets on the file from what it saw anywhere in it. */
const FILE_WIDE_FLAGS = (1 << 22) /* PossiblyContainsDynamicImport */ | (1 << 23) /* PossiblyContainsImportMeta */;

/**
 * Statements that nothing after their closing `}` can continue. Not a function: the parser reads
 * a block's `}` and then swallows a `=` after it (recovering from `{ a } = b`).
 */
const CLOSED_BY_BRACE = new Set([ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.EnumDeclaration]);
/**
 * Statements without a statement inside them, which nothing after their `;` can continue. (An
 * `if` without `else` ending in `;` can be: `if (a) b;` then `else c;`.)
 */
const CLOSED_BY_SEMICOLON = new Set([
  ts.SyntaxKind.ExpressionStatement, ts.SyntaxKind.VariableStatement, ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ImportEqualsDeclaration, ts.SyntaxKind.ExportDeclaration, ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.EmptyStatement, ts.SyntaxKind.DebuggerStatement,
  ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.ThrowStatement, ts.SyntaxKind.BreakStatement, ts.SyntaxKind.ContinueStatement,
]);

/** The SourceFile fields the parser fills from the comments at the top of the file. */
const PRAGMA_FIELDS = [
  'pragmas', 'referencedFiles', 'typeReferenceDirectives', 'libReferenceDirectives', 'amdDependencies',
  'hasNoDefaultLib', 'moduleName', 'checkJsDirective', 'renamedDependencies',
] as const;

interface CommentDirective {
  range: ts.TextRange;
  type: number;
}

/** The SourceFile fields this module reads or writes that TypeScript's public types leave out. */
interface SourceFileInternals {
  text: string;
  pos: number;
  end: number;
  flags: ts.NodeFlags;
  statements: ts.NodeArray<ts.Statement>;
  endOfFileToken: ts.SourceFile['endOfFileToken'];
  parseDiagnostics: ts.DiagnosticWithLocation[];
  commentDirectives?: CommentDirective[];
  identifiers?: Map<string, string>;
  lineMap?: readonly number[];
  transformFlags: number;
  externalModuleIndicator?: unknown;
}

/**
 * Whether the statement ends with its own `;` or `}`: one of the kinds above whose last character
 * is one and lies after all of its children. (With a syntax error the last `}` may be a member's
 * and the class's own missing, so that the class would run on into what follows.)
 */
function isClosed(statement: ts.Statement, text: string): boolean {
  const last = text.charCodeAt(statement.end - 1);
  const closedKind = last === 0x3b /* ; */ ? CLOSED_BY_SEMICOLON.has(statement.kind) : last === 0x7d /* } */ && CLOSED_BY_BRACE.has(statement.kind);
  if (!closedKind) return false;
  let childrenEnd = statement.pos;
  ts.forEachChild(statement, (child) => {
    childrenEnd = Math.max(childrenEnd, child.end);
  }, (children) => {
    childrenEnd = Math.max(childrenEnd, children.end);
  });
  return childrenEnd < statement.end;
}

let scanner: ts.Scanner | undefined;
let scanError = false;

/**
 * The first token at or after `pos`: where it ends, and whether the scanner found an error in it
 * (an unterminated string, say). The parser reads that token before it finishes the statement
 * before it, so such an error marks a node of that statement.
 */
function firstToken(text: string, pos: number, variant: ts.LanguageVariant): { end: number; error: boolean } {
  scanner ??= ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, undefined, () => {
    scanError = true;
  });
  scanner.setLanguageVariant(variant);
  scanner.setText(text);
  scanner.resetTokenState(pos);
  scanError = false;
  scanner.scan();
  const token = { end: scanner.getTokenEnd(), error: scanError };
  scanner.setText('');
  return token;
}

/** Adds `delta` to the positions of a subtree, its node lists included, and points it at `parent`. */
function moveSubtree(root: ts.Node, parent: ts.Node, delta: number): void {
  // A stack, not recursion: a statement can be a tree thousands of levels deep (#15). The order
  // of the visits does not matter here, only that each node and node list is moved once.
  (root as { parent: ts.Node }).parent = parent;
  const stack: ts.Node[] = [root];
  let current = root;
  const pushNode = (node: ts.Node): void => {
    (node as { parent: ts.Node }).parent = current;
    stack.push(node);
  };
  const pushArray = (nodes: ts.NodeArray<ts.Node>): void => {
    const mutable = nodes as { pos: number; end: number };
    mutable.pos += delta;
    mutable.end += delta;
    for (let index = 0; index < nodes.length; index++) pushNode(nodes[index] as ts.Node);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const mutable = node as { pos: number; end: number };
    mutable.pos += delta;
    mutable.end += delta;
    current = node;
    ts.forEachChild(node, pushNode, pushArray);
  }
}

/**
 * Adds `delta` to the positions of the old file's statements from `statement` on and of its
 * end-of-file token, node lists included. The caller may know the nodes in a flat list already.
 */
export type MoveTail = (statement: number, delta: number) => void;

/** MoveTail by walking the subtrees (their parent pointers are set again, to what they were). */
function walkAndMove(file: ts.SourceFile): MoveTail {
  return (from, delta) => {
    for (let index = from; index < file.statements.length; index++) moveSubtree(file.statements[index] as ts.Statement, file, delta);
    moveSubtree(file.endOfFileToken, file, delta);
  };
}

/** The first statement ending at or after `position`. */
function firstEndingAtOrAfter(statements: readonly ts.Statement[], position: number): number {
  let low = 0;
  let high = statements.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((statements[middle] as ts.Statement).end < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Parses the new text of the old statements [start, keptAfter) (to the end of the file if none is kept after them). */
function parseRegion(previous: ts.SourceFile, text: string, regionStart: number, keptAfter: number, delta: number): ts.SourceFile | undefined {
  const statements = previous.statements;
  const regionEnd = (keptAfter < statements.length ? (statements[keptAfter] as ts.Statement).pos : previous.text.length) + delta;
  const length = regionEnd - regionStart;
  if (length > 4096 && length > text.length * MAX_REGION_SHARE) return undefined;
  const internals = previous as unknown as { setExternalModuleIndicator?: (file: ts.SourceFile) => void; jsDocParsingMode?: ts.JSDocParsingMode; scriptKind: ts.ScriptKind };
  const options: ts.CreateSourceFileOptions = {
    languageVersion: previous.languageVersion,
    impliedNodeFormat: previous.impliedNodeFormat,
    setExternalModuleIndicator: internals.setExternalModuleIndicator,
    jsDocParsingMode: internals.jsDocParsingMode,
  };
  return ts.createSourceFile(previous.fileName, text.slice(regionStart, regionEnd), options, false, internals.scriptKind);
}

/**
 * The re-parsed text ends with a statement that nothing after it can continue. Only told when it
 * parsed without errors: its last `}` or `;` may be inside a block left open or an unterminated
 * template, which would run on in the whole file.
 */
function endsClosed(region: ts.SourceFile): boolean {
  const last = region.statements[region.statements.length - 1];
  return last !== undefined && last.end === region.text.length && isClosed(last, region.text) && (region as unknown as SourceFileInternals).parseDiagnostics.length === 0;
}

/**
 * Whether the new file is a module (has an import or export), or undefined when that cannot be
 * told without looking at the whole file. [regionStart, regionEnd) is the re-parsed text's old range.
 */
function isModuleAfterEdit(old: SourceFileInternals, region: ts.SourceFile, regionStart: number, regionEnd: number): boolean | undefined {
  const indicator = old.externalModuleIndicator;
  const regionIsModule = Boolean((region as unknown as SourceFileInternals).externalModuleIndicator);
  if (indicator === undefined || indicator === false) return regionIsModule ? undefined : false;
  if (regionIsModule) return true;
  if (typeof indicator !== 'object' || indicator === null) return undefined;
  const node = indicator as ts.Node;
  return node.end <= regionStart || node.pos >= regionEnd ? true : undefined;
}

function mergeCommentDirectives(before: CommentDirective[] | undefined, region: CommentDirective[] | undefined, regionStart: number, regionEnd: number, delta: number): CommentDirective[] | undefined {
  if (before === undefined && region === undefined) return undefined;
  const merged: CommentDirective[] = [];
  for (const directive of before ?? []) if (directive.range.end <= regionStart) merged.push(directive);
  for (const { range, type } of region ?? []) merged.push({ range: { pos: range.pos + regionStart, end: range.end + regionStart }, type });
  for (const { range, type } of before ?? []) if (range.pos >= regionEnd) merged.push({ range: { pos: range.pos + delta, end: range.end + delta }, type });
  return merged;
}

/**
 * The syntax errors before the re-parsed text, in it, and after it (moved); one per position (the
 * re-parse may have seen the next statement's again). Close to what a fresh parse reports, not
 * exactly: the parser drops an error at the position of the one before it, so an edit that removes
 * or adds an error can change which errors next to it are reported. Nothing here decides anything
 * by it; TypeScript's own incremental update is not exact about them either.
 */
function mergeDiagnostics(before: readonly ts.DiagnosticWithLocation[], region: readonly ts.DiagnosticWithLocation[], file: ts.SourceFile, regionStart: number, regionEnd: number | undefined, delta: number): ts.DiagnosticWithLocation[] {
  const merged: ts.DiagnosticWithLocation[] = [];
  const positions = new Set<number>();
  const add = (diagnostic: ts.DiagnosticWithLocation, start: number): void => {
    if (positions.has(start)) return;
    positions.add(start);
    merged.push({ ...diagnostic, file, start });
  };
  for (const diagnostic of before) if (diagnostic.start < regionStart) add(diagnostic, diagnostic.start);
  for (const diagnostic of region) add(diagnostic, diagnostic.start + regionStart);
  if (regionEnd !== undefined) for (const diagnostic of before) if (diagnostic.start >= regionEnd) add(diagnostic, diagnostic.start + delta);
  return merged;
}

/**
 * A module with `await` at its top level: TypeScript parses the statements from the first such
 * one on again, in an await context, once it knows the file is a module (and then clears the
 * flag that said so, leaving the context on the statements).
 */
function awaitsAtTopLevel(file: ts.SourceFile): boolean {
  if (((file as unknown as SourceFileInternals).transformFlags & CONTAINS_POSSIBLE_TOP_LEVEL_AWAIT) !== 0) return true;
  return file.statements.some((statement) => (statement.flags & ts.NodeFlags.AwaitContext) !== 0);
}

/**
 * Whether the parser reported a syntax error while reading this statement: each error marks the
 * next node it finishes, and the statement itself is finished last. (The file's list of errors is
 * not used: after a statement-level re-parse it is only close to TypeScript's, see mergeDiagnostics.)
 */
function hasSyntaxError(statement: ts.Statement): boolean {
  // A stack, not recursion, for statements thousands of levels deep (#15).
  const stack: ts.Node[] = [statement];
  const push = (child: ts.Node): void => {
    stack.push(child);
  };
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (hasError(node)) return true;
    ts.forEachChild(node, push);
  }
  return false;
}

function hasError(node: ts.Node): boolean {
  return (node.flags & ts.NodeFlags.ThisNodeHasError) !== 0;
}

/** The first node the parser finished in a subtree: its first leaf. */
function firstLeaf(root: ts.Node): ts.Node {
  let node = root;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (first) => first);
    if (child === undefined) return node;
    node = child;
  }
}

/**
 * The tree of `text` made from `previous` (the tree of the text before the edit `change`), or
 * undefined, having changed nothing, when this edit is TypeScript's to re-parse. When it returns
 * a tree, `previous` is spent, as with ts.updateSourceFile: its statements after the edit are
 * moved into the new tree.
 */
export function reparseEditedStatements(previous: ts.SourceFile, text: string, change: ts.TextChangeRange, moveTail: MoveTail = walkAndMove(previous)): ts.SourceFile | undefined {
  const old = previous as unknown as SourceFileInternals;
  const statements = previous.statements;
  const count = statements.length;
  const oldText = previous.text;
  const editStart = change.span.start;
  const editEnd = editStart + change.span.length;
  const delta = change.newLength - change.span.length;
  if (count === 0 || awaitsAtTopLevel(previous)) return undefined;

  // The statements the edit touches: from the first one ending at or after its start (one it
  // merely follows, if closed, is left alone) to the last one starting at or before its end.
  let first = firstEndingAtOrAfter(statements, editStart);
  const abutting = statements[first];
  if (abutting !== undefined && abutting.end === editStart && isClosed(abutting, oldText)) first++;
  let last = first;
  while (last < count && (statements[last] as ts.Statement).pos <= editEnd) last++;

  // Step back to a safe boundary before the edit, one statement further at least: the parser
  // decides where a statement ends from the token after it, and in error recovery from a few
  // more (`export enum` starts a declaration, `export e` does not). Tokens the parser skipped
  // after an error lie between statements, in no statement: a boundary must have none.
  const startOf = (index: number): number => (index < count ? (statements[index] as ts.Statement).pos : previous.endOfFileToken.pos);
  const variant = previous.languageVariant;
  let start = Math.max(0, Math.min(first, count) - 1);
  let afterClosed = false;
  for (let steps = 0; start > 0; steps++) {
    const before = statements[start - 1] as ts.Statement;
    if (startOf(start) === before.end && !hasSyntaxError(before)) {
      afterClosed = isClosed(before, oldText);
      if (afterClosed) break;
      if (firstToken(oldText, startOf(start), variant).end < editStart) break;
    }
    if (steps === MAX_STEPS_BACK) return undefined;
    start--;
  }
  // A syntax error marks the next node the parser finishes. One pending at the end of the
  // statement before the text marked the first node after it, which the edit left alone.
  if (start > 0 && !afterClosed && hasError(firstLeaf(statements[start] as ts.Statement))) return undefined;
  const regionStart = start === 0 ? 0 : startOf(start);
  if (start > 0 && (firstToken(oldText, regionStart, variant).error || firstToken(text, regionStart, variant).error)) return undefined;
  // A `#!` line is trivia only at the very start of a file.
  if (regionStart > 0 && text.startsWith('#!', regionStart)) return undefined;

  // Parse the edited statements; if the text after them could continue them, once more with the
  // next statement: the boundary holds if the re-parse still starts that statement in its place,
  // and from there on the parse is the old one.
  // When the last edited statement was not closed before the edit it seldom is after it: the
  // text is parsed with the next statement straight away.
  const keptAfter = last;
  const boundary = statements[keptAfter];
  const lastEdited = statements[last - 1];
  const closedBefore = lastEdited !== undefined && isClosed(lastEdited, oldText);
  let region = parseRegion(previous, text, regionStart, boundary === undefined || closedBefore ? keptAfter : keptAfter + 1, delta);
  if (region === undefined) return undefined;
  let fresh: ts.Statement[] = [...region.statements];
  if (boundary !== undefined) {
    if (closedBefore && endsClosed(region)) {
      // None may be pending (it would mark the end-of-file token) for the statement kept after
      // the text, and none may have been.
      if (hasError(region.endOfFileToken) || hasError(firstLeaf(boundary)) || firstToken(oldText, boundary.pos, variant).error) return undefined;
    } else {
      if (closedBefore) region = parseRegion(previous, text, regionStart, keptAfter + 1, delta);
      if (region === undefined) return undefined;
      const reparsed = region.statements[region.statements.length - 1];
      if (reparsed === undefined || reparsed.pos !== boundary.pos + delta - regionStart || reparsed.end !== boundary.end + delta - regionStart || reparsed.kind !== boundary.kind) return undefined;
      if (hasError(firstLeaf(reparsed)) !== hasError(firstLeaf(boundary))) return undefined;
      // The re-parse ends with that statement: if its first token is its last, what follows it
      // in the file (`1x`: a letter right after a number is an error) was not there to scan.
      if (firstToken(oldText, boundary.pos, variant).error) return undefined;
      fresh = region.statements.slice(0, -1);
    }
  }
  const file = region as unknown as SourceFileInternals;
  if (awaitsAtTopLevel(region)) return undefined;
  const oldRegionEnd = keptAfter < count ? (statements[keptAfter] as ts.Statement).pos : oldText.length;
  const isModule = isModuleAfterEdit(old, region, regionStart, oldRegionEnd);
  if (isModule === undefined) return undefined;
  // What makes the file a module: the re-parse's import or export unless it was in the statement
  // it read past, else the old one if kept; no caller reads which node it is, only that there is one.
  let indicator: unknown;
  if (isModule) {
    const own = file.externalModuleIndicator;
    const readPast = fresh.length < region.statements.length ? region.statements[fresh.length] : undefined;
    const oldIndicator = old.externalModuleIndicator;
    if (typeof own === 'object' && own !== null && (readPast === undefined || (own as ts.Node).pos < readPast.pos)) indicator = own;
    // The statement read past is the old one, kept.
    else if (own !== undefined && own === readPast) indicator = statements[keptAfter];
    else if (typeof oldIndicator === 'object' && oldIndicator !== null && ((oldIndicator as ts.Node).end <= regionStart || (oldIndicator as ts.Node).pos >= oldRegionEnd)) indicator = oldIndicator;
    else return undefined;
  }

  // From here on nothing fails: the new tree is the re-parsed file, given the whole text.
  for (const statement of fresh) moveSubtree(statement, region, regionStart);
  let endOfFileToken = region.endOfFileToken;
  if (keptAfter < count) {
    endOfFileToken = previous.endOfFileToken;
    if (delta !== 0) moveTail(keptAfter, delta);
  } else {
    moveSubtree(endOfFileToken, region, regionStart);
  }
  (endOfFileToken as { parent: ts.Node }).parent = region;
  const all: ts.Statement[] = [];
  for (let index = 0; index < start; index++) all.push(statements[index] as ts.Statement);
  for (const statement of fresh) all.push(statement);
  for (let index = keptAfter; index < count; index++) all.push(statements[index] as ts.Statement);
  for (let index = 0; index < all.length; index++) ((all[index] as ts.Statement) as { parent: ts.Node }).parent = region;
  const list = ts.factory.createNodeArray(all);
  (list as { pos: number }).pos = 0;
  (list as { end: number }).end = endOfFileToken.pos;

  file.commentDirectives = mergeCommentDirectives(old.commentDirectives, file.commentDirectives, regionStart, oldRegionEnd, delta);
  file.parseDiagnostics = mergeDiagnostics(old.parseDiagnostics, file.parseDiagnostics, region, regionStart, keptAfter < count ? oldRegionEnd : undefined, delta);
  if (start > 0) for (const field of PRAGMA_FIELDS) (file as unknown as Record<string, unknown>)[field] = (old as unknown as Record<string, unknown>)[field];
  if (old.identifiers !== undefined) {
    for (const [key, value] of file.identifiers ?? []) old.identifiers.set(key, value);
    file.identifiers = old.identifiers;
  }
  file.externalModuleIndicator = indicator;
  file.text = text;
  file.pos = 0;
  file.end = text.length;
  file.statements = list;
  file.endOfFileToken = endOfFileToken;
  file.lineMap = undefined;
  file.flags = (file.flags & ~AGGREGATED_CHILD_DATA) | (old.flags & FILE_WIDE_FLAGS);
  file.transformFlags = (list as unknown as { transformFlags: number }).transformFlags;
  return region;
}
