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

/**
 * Substrings and words are searched with case-insensitive patterns, compiled once per term for
 * the whole process: that scans the text as it is instead of lower-casing a copy of every file.
 */
const PATTERNS = new Map<string, RegExp>();

function patternFor(kind: 's' | 'w', text: string): RegExp {
  const key = `${kind}:${text}`;
  let pattern = PATTERNS.get(key);
  if (pattern === undefined) {
    const escaped = escapeForPattern(text);
    const nameAt = (index: number): boolean => /[\w$]/.test(text.charAt(index));
    // A word is not part of a longer name: no letter, digit, `_` or `$` right before or after it.
    const source = kind === 's' ? escaped : `${nameAt(0) ? '(?<![\\w$])' : ''}${escaped}${nameAt(text.length - 1) ? '(?![\\w$])' : ''}`;
    pattern = new RegExp(source, 'i');
    PATTERNS.set(key, pattern);
  }
  return pattern;
}

// `import x from 'm'`, `export * from 'm'`, `import 'm'`, `import('m')`, `require('m')`,
// `import x = require('m')`: the module is the string right after `from`, `import` or `require(`.
const SCRIPT_IMPORT = /\b(?:from|import|require)\s*\(?\s*(['"])([^'"\n]{1,200})\1/g;
// `import a.b`, `import a, b`, `from a.b import c`, at the start of a line.
const PYTHON_IMPORT = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w., \t]+))/gm;

function importedModules(text: string, languageId: LanguageId): Set<string> {
  const modules = new Set<string>();
  if (languageId === 'python') {
    for (const match of text.matchAll(PYTHON_IMPORT)) {
      const names = match[1] ?? match[2] ?? '';
      for (const name of names.split(',')) {
        const module = name.trim().split(/\s/)[0];
        if (module !== undefined && module !== '') modules.add(module);
      }
    }
    return modules;
  }
  for (const match of text.matchAll(SCRIPT_IMPORT)) {
    const module = match[2];
    if (module === undefined) continue;
    modules.add(module);
    if (module.startsWith('node:')) modules.add(module.slice(5));
  }
  return modules;
}

/**
 * One document's text, asked about prefilter terms. Every answer is computed once per document:
 * rules share many terms, and a term that is absent costs a scan of the whole text.
 */
export class PrefilterText {
  private modules: Set<string> | undefined;
  /** The first segment of each imported module's name (see rootOf). */
  private roots: Set<string> | undefined;
  /** Answers by term: strings by value, the other terms by identity (rules share their objects). */
  private readonly answers = new Map<PrefilterTerm, boolean>();

  constructor(
    private readonly text: string,
    private readonly languageId: LanguageId,
  ) {}

  /** True when any one of the terms holds; a rule with no terms always runs. */
  admits(terms: readonly PrefilterTerm[]): boolean {
    if (terms.length === 0) return true;
    for (const term of terms) if (this.holds(term)) return true;
    return false;
  }

  private holds(term: PrefilterTerm): boolean {
    let answer = this.answers.get(term);
    if (answer !== undefined) return answer;
    if (typeof term === 'string') answer = patternFor('s', term).test(this.text);
    else if ('word' in term) answer = patternFor('w', term.word).test(this.text);
    else if ('modules' in term) answer = term.modules.some((module) => this.imports(module));
    else if ('pattern' in term) answer = term.pattern.test(this.text);
    else if ('first' in term) answer = this.inSequence(term);
    else if ('anyOf' in term) answer = this.admits(term.anyOf);
    else answer = term.allOf.every((inner) => this.holds(inner));
    this.answers.set(term, answer);
    return answer;
  }

  private inSequence(term: SequenceTerm): boolean {
    const found = term.first.exec(this.text);
    if (found === null) return false;
    term.then.lastIndex = found.index;
    return term.then.test(this.text);
  }

  private imports(module: string): boolean {
    if (this.modules === undefined) {
      this.modules = importedModules(this.text, this.languageId);
      this.roots = new Set([...this.modules].map((name) => rootOf(name, this.languageId)));
    }
    if (this.modules.has(module)) return true;
    // `pg` also stands for `pg/lib/client`: one lookup among the imports' first segments.
    if (!module.startsWith('@') && !module.endsWith(':') && !module.endsWith('/') && rootOf(module, this.languageId) === module) return this.roots?.has(module) === true;
    // `node:` or `@nestjs/` name a family of modules, `fs/promises` its own subpaths: rarer, so a loop.
    const prefix = module.endsWith(':') || module.endsWith('/') ? module : module + (this.languageId === 'python' ? '.' : '/');
    for (const imported of this.modules) if (imported.startsWith(prefix)) return true;
    return false;
  }
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
