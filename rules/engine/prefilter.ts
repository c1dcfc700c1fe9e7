/**
 * Prefilters: what a rule needs to see in a file's text before the file is worth parsing for it.
 * Most files of a large audit can trigger no rule at all, and a file that no rule needs is never
 * parsed, so the cheaper and sharper these checks are, the closer an audit gets to reading speed.
 *
 * A rule lists terms, any one of which lets it run:
 *
 *   - `'join'`: the text contains this (lower-case) substring anywhere, in any case: what SQL
 *     rules use, since a keyword can sit inside a longer name (`date_trunc`, `string_agg`);
 *   - `word('fetch')`: the word occurs on its own, not inside a longer name (`fetch` but not
 *     `prefetch` or `fetchAll`), in any case;
 *   - `importOf('pg', ...)`: the file imports or requires one of these modules (or a subpath of
 *     one: `pg/lib/client`, `mysql2/promise`; `node:fs` is also `fs`; a name ending in `/` or `:`
 *     stands for every module it begins: `@nestjs/`, `node:`): the rules that speak about a
 *     library learn what a name stands for from its import, so without one they are silent;
 *   - `matches(/re/)`: the original text matches a regular expression (for shapes no word
 *     captures, like a string that opens with an SQL keyword);
 *   - `followedBy(/a/, /b/)`: the text matches a, and b after a's first match (for order that
 *     matters: a `try {` with an `await` after it);
 *   - `allOf(a, b)`: every one of its terms holds; `anyOf(a, b)`: one of them does (to nest in allOf).
 *
 * Each check is a superset of what the rule reports: a term may let a file through that the rule
 * then finds clean, but a file the rule would report must never be kept out.
 */

import type { LanguageId } from './types';

export type PrefilterTerm = string | WordTerm | ImportTerm | PatternTerm | SequenceTerm | AllOfTerm | AnyOfTerm;

export interface WordTerm {
  readonly word: string;
}

export interface ImportTerm {
  readonly modules: readonly string[];
}

export interface PatternTerm {
  readonly pattern: RegExp;
}

export interface SequenceTerm {
  readonly first: RegExp;
  /** Global, so that the search can start where `first` matched. */
  readonly then: RegExp;
}

export interface AllOfTerm {
  readonly allOf: readonly PrefilterTerm[];
}

export interface AnyOfTerm {
  readonly anyOf: readonly PrefilterTerm[];
}

/** One term object per word, so rules that share a word share its cached answer. */
const WORD_TERMS = new Map<string, WordTerm>();

export function word(text: string): WordTerm {
  const lower = text.toLowerCase();
  let term = WORD_TERMS.get(lower);
  if (term === undefined) {
    term = { word: lower };
    WORD_TERMS.set(lower, term);
  }
  return term;
}

export function importOf(...modules: readonly string[]): ImportTerm {
  return { modules };
}

/** The pattern must not be global or sticky: a test must not depend on the previous one. */
export function matches(pattern: RegExp): PatternTerm {
  if (pattern.global || pattern.sticky) throw new Error(`prefilter pattern ${pattern} must be neither global nor sticky`);
  return { pattern };
}

/**
 * `first` matches, and `then` matches somewhere after the start of first's first match (a `try {`
 * with an `await` after it). Two linear searches, where one pattern with `[^]*` between the two
 * would go back over the text from every later match of `first` when `then` is absent.
 */
export function followedBy(first: RegExp, then: RegExp): SequenceTerm {
  if (first.global || first.sticky || then.global || then.sticky) throw new Error(`prefilter patterns ${first} and ${then} must be neither global nor sticky`);
  return { first, then: new RegExp(then.source, `${then.flags}g`) };
}

export function allOf(...terms: readonly PrefilterTerm[]): AllOfTerm {
  return { allOf: terms };
}

export function anyOf(...terms: readonly PrefilterTerm[]): AnyOfTerm {
  return { anyOf: terms };
}

/** `text` as a regular expression that matches it literally. */
export function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


// `import x from 'm'`, `export * from 'm'`, `import 'm'`, `import('m')`, `require('m')`,
// `import x = require('m')`: the module is the string right after `from`, `import` or `require(`.
const SCRIPT_IMPORT = /\b(?:from|import|require)\s*\(?\s*(['"])([^'"\n]{1,200})\1/g;
// `import a.b`, `import a, b`, `from a.b import c`, at the start of a line.
const PYTHON_IMPORT = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w., \t]+))/gm;

/** The modules a file imports or requires, as written (and `fs` for `node:fs`), in order. */
export function importedModules(text: string, languageId: LanguageId): string[] {
  const modules: string[] = [];
  if (languageId === 'python') {
    for (const match of text.matchAll(PYTHON_IMPORT)) {
      const names = match[1] ?? match[2] ?? '';
      for (const name of names.split(',')) {
        const module = name.trim().split(/\s/)[0];
        if (module !== undefined && module !== '') modules.push(module);
      }
    }
    return modules;
  }
  for (const match of text.matchAll(SCRIPT_IMPORT)) {
    const module = match[2];
    if (module === undefined) continue;
    modules.push(module);
    if (module.startsWith('node:')) modules.push(module.slice(5));
  }
  return modules;
}

/** A module name's first segment: `pg` of `pg/lib/client`, `@scope/name` of `@scope/name/sub`, `a` of Python's `a.b`. */
function rootOf(name: string, languageId: LanguageId): string {
  if (languageId === 'python') {
    const dot = name.indexOf('.');
    return dot === -1 ? name : name.slice(0, dot);
  }
  const slash = name.indexOf('/', name.startsWith('@') ? name.indexOf('/') + 1 : 0);
  return slash === -1 ? name : name.slice(0, slash);
}

/**
 * An importOf term, worked out once: `pg` also stands for `pg/lib/client` (any import whose first
 * segment it is), `node:` or `@nestjs/` for every module they begin, `fs/promises` for its own
 * subpaths.
 */
class ImportMatcher {
  private readonly exact: ReadonlySet<string>;
  private readonly roots = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(modules: readonly string[], languageId: LanguageId) {
    this.exact = new Set(modules);
    for (const module of modules) {
      if (module.endsWith(':') || module.endsWith('/')) this.prefixes.push(module);
      else if (!module.startsWith('@') && rootOf(module, languageId) === module) this.roots.add(module);
      else this.prefixes.push(module + (languageId === 'python' ? '.' : '/'));
    }
  }

  matchesAny(imported: readonly string[], roots: readonly string[]): boolean {
    for (let index = 0; index < imported.length; index++) {
      const module = imported[index] as string;
      if (this.exact.has(module) || this.roots.has(roots[index] as string)) return true;
      for (const prefix of this.prefixes) if (module.startsWith(prefix)) return true;
    }
    return false;
  }
}

/**
 * A term as the program evaluates it. Substrings and words are literals: the program looks for
 * all of them in one pass over the text (see Census) instead of one pass each.
 */
type Step =
  | { readonly kind: 'substring' | 'word'; readonly census: number; readonly literal: number }
  | { readonly kind: 'imports'; readonly matcher: ImportMatcher }
  | { readonly kind: 'pattern'; readonly pattern: RegExp }
  | { readonly kind: 'sequence'; readonly term: SequenceTerm }
  | { readonly kind: 'allOf' | 'anyOf'; readonly steps: readonly number[] };

const UNKNOWN = 0;
const NO = 1;
const YES = 2;

/** A letter, digit, `_` or `$`: what a word must not have right before or after it. */
function isNameCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
}

/**
 * Every literal (substring or word) of a program, searched for in one pass: one case-insensitive
 * pattern that is the alternation of them all, longest first, retried from each match's second
 * character so that overlapping occurrences are seen too. A literal that matches at a position
 * hides the shorter ones that match there, which are its prefixes, so each literal knows where
 * the others occur inside it. A word's occurrence counts only where no name character touches it.
 */
class Census {
  private readonly pattern: RegExp;
  private readonly ids = new Map<string, number>();
  /** For each literal, every literal occurring inside it (itself included), with its offset. */
  private readonly inside: (readonly [literal: number, offset: number][])[] = [];
  /** Whether a word needs a boundary check at its start and at its end (a name character there). */
  private readonly boundaryAtStart: boolean[] = [];
  private readonly boundaryAtEnd: boolean[] = [];

  constructor(
    readonly literals: readonly string[],
    private readonly asWord: readonly boolean[],
  ) {
    literals.forEach((literal, id) => this.ids.set(literal, id));
    for (const outer of literals) {
      const found: [number, number][] = [];
      literals.forEach((inner, id) => {
        for (let at = outer.indexOf(inner); at !== -1; at = outer.indexOf(inner, at + 1)) found.push([id, at]);
      });
      this.inside.push(found);
    }
    for (const literal of literals) {
      this.boundaryAtStart.push(isNameCode(literal.charCodeAt(0)));
      this.boundaryAtEnd.push(isNameCode(literal.charCodeAt(literal.length - 1)));
    }
    const alternatives = [...literals].sort((a, b) => b.length - a.length).map(escapeForPattern);
    this.pattern = new RegExp(alternatives.length === 0 ? '(?!)' : alternatives.join('|'), 'gi');
  }

  /** found[id]: 1 when the literal occurs as a substring, 2 more when it occurs as a word. */
  take(text: string): Uint8Array {
    const { literals, asWord, inside, boundaryAtStart, boundaryAtEnd, pattern } = this;
    const found = new Uint8Array(literals.length);
    let missing = 0;
    for (let id = 0; id < literals.length; id++) missing += asWord[id] === true ? 2 : 1;
    pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while (missing > 0 && (match = pattern.exec(text)) !== null) {
      const at = match.index;
      const id = this.ids.get(match[0].toLowerCase());
      // Text that matches case-insensitively but does not lower-case to a literal. Without the
      // u flag only ASCII letters fold to ASCII letters, so this cannot happen with the literals
      // rules use; if it did, every literal counts as found: a prefilter may only err that way.
      if (id === undefined) return found.fill(3);
      for (const [literal, offset] of inside[id] as readonly [number, number][]) {
        const seen = found[literal] as number;
        if ((seen & 1) === 0) {
          found[literal] = seen | 1;
          missing--;
        }
        if (asWord[literal] !== true || ((found[literal] as number) & 2) !== 0) continue;
        const start = at + offset;
        const end = start + (literals[literal] as string).length;
        if (boundaryAtStart[literal] === true && start > 0 && isNameCode(text.charCodeAt(start - 1))) continue;
        if (boundaryAtEnd[literal] === true && end < text.length && isNameCode(text.charCodeAt(end))) continue;
        found[literal] = (found[literal] as number) | 2;
        missing--;
      }
      pattern.lastIndex = at + 1;
    }
    return found;
  }
}

/**
 * The prefilters of a rule list, compiled for documents of one language: every distinct term
 * once, literals gathered into censuses, import terms into matchers. Evaluating a document
 * answers each term at most once, in a typed array rather than a map, and reads the text for many
 * literals in one pass: an audit asks this of every file, and most files hold none of them.
 *
 * Two censuses: the literals every document is asked about (those a list can reach without
 * another term holding first), and the ones asked about only after another term of an allOf
 * held (`post` once a file uses an HTTP client): the second is taken only for the few documents
 * that get that far, so it does not slow the first down for all the others.
 */
export class PrefilterProgram {
  private readonly steps: Step[] = [];
  private readonly lists: (readonly number[])[] = [];
  private readonly censuses: Census[];
  private readonly stepOfTerm = new Map<PrefilterTerm, number>();
  /** Where a literal's step looks: its census (0 unconditional, 1 conditional) and its id there. */
  private readonly literals = [new Map<string, { id: number; asWord: boolean }>(), new Map<string, { id: number; asWord: boolean }>()];

  constructor(
    lists: readonly (readonly PrefilterTerm[])[],
    private readonly languageId: LanguageId,
  ) {
    const unconditional = new Set<string>();
    const collect = (term: PrefilterTerm, conditional: boolean): void => {
      if (typeof term === 'string' || 'word' in term) {
        if (!conditional) unconditional.add(typeof term === 'string' ? term.toLowerCase() : term.word);
      } else if ('anyOf' in term) {
        for (const inner of term.anyOf) collect(inner, conditional);
      } else if ('allOf' in term) {
        term.allOf.forEach((inner, index) => collect(inner, conditional || index > 0));
      }
    };
    for (const terms of lists) for (const term of terms) collect(term, false);
    for (const terms of lists) this.lists.push(terms.map((term) => this.compile(term, unconditional)));
    this.censuses = this.literals.map((byText) => {
      const texts = [...byText.keys()];
      return new Census(texts, texts.map((text) => byText.get(text)?.asWord === true));
    });
  }

  private literal(text: string, asWord: boolean, unconditional: ReadonlySet<string>): { census: number; literal: number } {
    // The census lower-cases what matched to know which literal it was, and looks for literals
    // inside each other: both need literals of at least one printable ASCII character.
    if (!/^[\x20-\x7e]+$/.test(text)) throw new Error(`prefilter literal ${JSON.stringify(text)} must be printable ASCII, and not empty`);
    const lower = text.toLowerCase();
    const census = unconditional.has(lower) ? 0 : 1;
    const byText = this.literals[census] as Map<string, { id: number; asWord: boolean }>;
    let entry = byText.get(lower);
    if (entry === undefined) {
      entry = { id: byText.size, asWord: false };
      byText.set(lower, entry);
    }
    if (asWord) entry.asWord = true;
    return { census, literal: entry.id };
  }

  private compile(term: PrefilterTerm, unconditional: ReadonlySet<string>): number {
    const known = this.stepOfTerm.get(term);
    if (known !== undefined) return known;
    let step: Step;
    if (typeof term === 'string') step = { kind: 'substring', ...this.literal(term, false, unconditional) };
    else if ('word' in term) step = { kind: 'word', ...this.literal(term.word, true, unconditional) };
    else if ('modules' in term) step = { kind: 'imports', matcher: new ImportMatcher(term.modules, this.languageId) };
    else if ('pattern' in term) step = { kind: 'pattern', pattern: term.pattern };
    else if ('first' in term) step = { kind: 'sequence', term };
    else if ('anyOf' in term) step = { kind: 'anyOf', steps: term.anyOf.map((inner) => this.compile(inner, unconditional)) };
    else step = { kind: 'allOf', steps: term.allOf.map((inner) => this.compile(inner, unconditional)) };
    const id = this.steps.length;
    this.steps.push(step);
    this.stepOfTerm.set(term, id);
    return id;
  }

  /** For each compiled list, in order, whether the text admits it (a list with no terms always does). */
  /**
   * `throughProject`: modules the file reaches through modules of its own project (the ORM whose
   * models a barrel re-exports), which count as imports of the file.
   */
  admitted(text: string, throughProject: readonly string[] = []): boolean[] {
    const evaluation = new Evaluation(this.steps, this.censuses, text, this.languageId, throughProject);
    return this.lists.map((list) => list.length === 0 || evaluation.anyHolds(list));
  }
}

/** One document's answers to a program's terms, each computed at most once. */
class Evaluation {
  private readonly answers: Uint8Array;
  /** What each census found, once taken. */
  private readonly found: (Uint8Array | undefined)[] = [undefined, undefined];
  private modules: string[] | undefined;
  private roots: string[] | undefined;

  constructor(
    private readonly steps: readonly Step[],
    private readonly censuses: readonly Census[],
    private readonly text: string,
    private readonly languageId: LanguageId,
    private readonly throughProject: readonly string[],
  ) {
    this.answers = new Uint8Array(steps.length);
  }

  anyHolds(steps: readonly number[]): boolean {
    for (const step of steps) if (this.holds(step)) return true;
    return false;
  }

  private holds(id: number): boolean {
    const known = this.answers[id];
    if (known !== UNKNOWN) return known === YES;
    const answer = this.evaluate(this.steps[id] as Step);
    this.answers[id] = answer ? YES : NO;
    return answer;
  }

  private evaluate(step: Step): boolean {
    switch (step.kind) {
      case 'substring':
      case 'word': {
        let found = this.found[step.census];
        if (found === undefined) {
          found = (this.censuses[step.census] as Census).take(this.text);
          this.found[step.census] = found;
        }
        return ((found[step.literal] as number) & (step.kind === 'word' ? 2 : 1)) !== 0;
      }
      case 'imports':
        if (this.modules === undefined) {
          this.modules = [...importedModules(this.text, this.languageId), ...this.throughProject];
          this.roots = this.modules.map((name) => rootOf(name, this.languageId));
        }
        return step.matcher.matchesAny(this.modules, this.roots as string[]);
      case 'pattern':
        return step.pattern.test(this.text);
      case 'sequence': {
        const found = step.term.first.exec(this.text);
        if (found === null) return false;
        step.term.then.lastIndex = found.index;
        return step.term.then.test(this.text);
      }
      case 'anyOf':
        return this.anyHolds(step.steps);
      case 'allOf':
        for (const inner of step.steps) if (!this.holds(inner)) return false;
        return true;
    }
  }
}

/** Whether `text` admits `terms` (any one holds; none means always): one list on its own. */
export function textAdmits(text: string, languageId: LanguageId, terms: readonly PrefilterTerm[]): boolean {
  return new PrefilterProgram([terms], languageId).admitted(text)[0] === true;
}
