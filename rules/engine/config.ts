/**
 * `.faultline.json`: parsing (JSONC), validation with precise problem ranges, and turning a config
 * into the settings one document is linted with. Config is data: nothing in it is ever executed.
 * Finding the file (nearest one up the tree) is the front ends' job, since that is I/O.
 *
 * Precedence, documented once in docs/configuration.md: the nearest `.faultline.json` wins; a
 * rule not named there runs at its default; CLI flags (`--rules`) narrow what runs; editor
 * settings only switch Faultline on or off and never override the file.
 */

import ignore from 'ignore';
import { parseTree, findNodeAtLocation, ParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { RuleMeta } from './rule';
import { FILE_ROLES, SQL_DIALECTS, type FileRole, type LintSettings, type RoleOverride, type RuleLevel, type RuleOptions, type RuleSetting, type SqlDialect, type TextRange } from './types';

export const CONFIG_FILE_NAME = '.faultline.json';

export interface FaultlineConfig {
  sqlDialect: SqlDialect;
  reportingTimeZone: string;
  ignore: string[];
  /** `"roles": { "ops/**": "script" }`: the project's word on what kind of code its files are. */
  roles: RoleOverride[];
  rules: Record<string, RuleSetting>;
}

export interface ConfigProblem {
  message: string;
  range: TextRange;
  severity: 'error' | 'warning';
}

export interface ConfigParseResult {
  /** The config, or null when it has errors (callers keep the last good one, or the defaults). */
  config: FaultlineConfig | null;
  problems: ConfigProblem[];
}

export const DEFAULT_CONFIG: FaultlineConfig = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', ignore: [], roles: [], rules: {} };

const LEVELS: readonly RuleLevel[] = ['off', 'hint', 'info', 'warning', 'error'];
const TOP_LEVEL_KEYS = ['$schema', 'sqlDialect', 'reportingTimeZone', 'ignore', 'roles', 'rules'];

function rangeOf(node: JsonNode | undefined): TextRange {
  return node === undefined ? { start: 0, end: 0 } : { start: node.offset, end: node.offset + node.length };
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What each JSON syntax error says, in words (the parser names them `CloseBraceExpected` ...). */
const JSON_ERRORS: Record<ParseErrorCode, string> = {
  [ParseErrorCode.InvalidSymbol]: 'this is not JSON here',
  [ParseErrorCode.InvalidNumberFormat]: 'this number is not written as JSON writes numbers',
  [ParseErrorCode.PropertyNameExpected]: 'a property name in double quotes is expected here',
  [ParseErrorCode.ValueExpected]: 'a value is expected here',
  [ParseErrorCode.ColonExpected]: 'a colon is expected here, after the property name',
  [ParseErrorCode.CommaExpected]: 'a comma is expected here, between two entries',
  [ParseErrorCode.CloseBraceExpected]: 'a closing `}` is expected here: an object is not closed',
  [ParseErrorCode.CloseBracketExpected]: 'a closing `]` is expected here: a list is not closed',
  [ParseErrorCode.EndOfFileExpected]: 'the file should end here: something follows the configuration object',
  [ParseErrorCode.InvalidCommentToken]: 'this comment is not closed',
  [ParseErrorCode.UnexpectedEndOfComment]: 'this comment is not closed',
  [ParseErrorCode.UnexpectedEndOfString]: 'this string is not closed',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'this number is cut short',
  [ParseErrorCode.InvalidUnicode]: 'this `\\u` escape is not four hexadecimal digits',
  [ParseErrorCode.InvalidEscapeCharacter]: 'this escape is not one JSON knows',
  [ParseErrorCode.InvalidCharacter]: 'this character cannot stand in a JSON string as it is',
};

export function parseConfig(text: string, rules: readonly RuleMeta[]): ConfigParseResult {
  const problems: ConfigProblem[] = [];
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const reported = new Set<string>();
  for (const error of errors) {
    // The parser reports an unclosed object once per level it unwinds, at the same place.
    const key = `${error.error}:${error.offset}`;
    if (reported.has(key)) continue;
    reported.add(key);
    problems.push({ message: `Invalid JSON: ${JSON_ERRORS[error.error] ?? 'the text cannot be read as JSON here'}.`, range: { start: error.offset, end: error.offset + Math.max(1, error.length) }, severity: 'error' });
  }
  if (root === undefined || errors.length > 0) return { config: null, problems };
  if (root.type !== 'object') {
    problems.push({ message: 'The configuration must be a JSON object.', range: rangeOf(root), severity: 'error' });
    return { config: null, problems };
  }
  const config: FaultlineConfig = { ...DEFAULT_CONFIG, ignore: [], roles: [], rules: {} };
  const rulesById = new Map(rules.map((meta) => [meta.id, meta]));

  for (const property of root.children ?? []) {
    const keyNode = property.children?.[0];
    const key = typeof keyNode?.value === 'string' ? keyNode.value : '';
    if (!TOP_LEVEL_KEYS.includes(key)) {
      problems.push({ message: `Unknown setting \`${key}\`; known settings: ${TOP_LEVEL_KEYS.slice(1).join(', ')}.${didYouMean(key, TOP_LEVEL_KEYS.slice(1))}`, range: rangeOf(keyNode), severity: 'warning' });
    }
  }

  const dialectNode = findNodeAtLocation(root, ['sqlDialect']);
  if (dialectNode !== undefined) {
    if (typeof dialectNode.value === 'string' && (SQL_DIALECTS as readonly string[]).includes(dialectNode.value)) config.sqlDialect = dialectNode.value as SqlDialect;
    else problems.push({ message: `\`sqlDialect\` must be one of ${SQL_DIALECTS.join(', ')}.${didYouMean(dialectNode.value, SQL_DIALECTS)}`, range: rangeOf(dialectNode), severity: 'error' });
  }
  const zoneNode = findNodeAtLocation(root, ['reportingTimeZone']);
  if (zoneNode !== undefined) {
    if (typeof zoneNode.value === 'string' && isValidTimeZone(zoneNode.value)) config.reportingTimeZone = zoneNode.value;
    else problems.push({ message: '`reportingTimeZone` must be an IANA time zone name such as "UTC" or "Europe/Berlin".', range: rangeOf(zoneNode), severity: 'error' });
  }
  const ignoreNode = findNodeAtLocation(root, ['ignore']);
  if (ignoreNode !== undefined) {
    if (ignoreNode.type === 'array' && (ignoreNode.children ?? []).every((child) => typeof child.value === 'string')) config.ignore = (ignoreNode.children ?? []).map((child) => String(child.value));
    else problems.push({ message: '`ignore` must be an array of glob strings (gitignore syntax, relative to this file).', range: rangeOf(ignoreNode), severity: 'error' });
  }
  const rolesNode = findNodeAtLocation(root, ['roles']);
  if (rolesNode !== undefined && rolesNode.type !== 'object') {
    problems.push({ message: `\`roles\` must be an object mapping globs to a file role (${FILE_ROLES.join(', ')}).`, range: rangeOf(rolesNode), severity: 'error' });
  }
  for (const property of rolesNode?.type === 'object' ? (rolesNode.children ?? []) : []) {
    const keyNode = property.children?.[0];
    const valueNode = property.children?.[1];
    const pattern = typeof keyNode?.value === 'string' ? keyNode.value.trim() : '';
    const role = FILE_ROLES.find((candidate) => candidate === valueNode?.value);
    if (pattern === '') {
      problems.push({ message: 'A `roles` glob must not be empty.', range: rangeOf(keyNode), severity: 'error' });
    } else if (role === undefined) {
      problems.push({ message: `\`roles\` values are file roles: ${FILE_ROLES.join(', ')}.${didYouMean(valueNode?.value, FILE_ROLES)}`, range: rangeOf(valueNode ?? keyNode), severity: 'error' });
    } else {
      config.roles.push({ pattern, role: role as FileRole });
    }
  }
  const rulesNode = findNodeAtLocation(root, ['rules']);
  if (rulesNode !== undefined && rulesNode.type !== 'object') {
    problems.push({ message: '`rules` must be an object mapping rule ids to a severity or [severity, options].', range: rangeOf(rulesNode), severity: 'error' });
  }
  for (const property of rulesNode?.type === 'object' ? (rulesNode.children ?? []) : []) {
    const keyNode = property.children?.[0];
    const valueNode = property.children?.[1];
    const id = typeof keyNode?.value === 'string' ? keyNode.value : '';
    const meta = rulesById.get(id);
    if (meta === undefined) {
      problems.push({ message: `Unknown rule \`${id}\`.${didYouMean(id, [...rulesById.keys()])}`, range: rangeOf(keyNode), severity: 'error' });
      continue;
    }
    const setting = readRuleSetting(meta, valueNode, problems);
    if (setting !== null) config.rules[id] = setting;
  }
  const hasErrors = problems.some((problem) => problem.severity === 'error');
  return { config: hasErrors ? null : config, problems };
}

function readRuleSetting(meta: RuleMeta, node: JsonNode | undefined, problems: ConfigProblem[]): RuleSetting | null {
  const levelMessage = `must be one of ${LEVELS.map((level) => `"${level}"`).join(', ')}, or [severity, { options }]`;
  if (node === undefined) return null;
  if (node.type === 'string') {
    if ((LEVELS as readonly string[]).includes(String(node.value))) return { level: node.value as RuleLevel, options: {} };
    problems.push({ message: `The setting for \`${meta.id}\` ${levelMessage}.${didYouMean(node.value, LEVELS)}`, range: rangeOf(node), severity: 'error' });
    return null;
  }
  if (node.type !== 'array') {
    problems.push({ message: `The setting for \`${meta.id}\` ${levelMessage}.`, range: rangeOf(node), severity: 'error' });
    return null;
  }
  const [levelNode, optionsNode, extra] = node.children ?? [];
  if (levelNode === undefined || !(LEVELS as readonly string[]).includes(String(levelNode.value)) || extra !== undefined) {
    problems.push({ message: `The setting for \`${meta.id}\` ${levelMessage}.`, range: rangeOf(levelNode ?? node), severity: 'error' });
    return null;
  }
  const options: RuleOptions = {};
  if (optionsNode !== undefined) {
    if (optionsNode.type !== 'object') {
      problems.push({ message: `Options for \`${meta.id}\` must be an object.`, range: rangeOf(optionsNode), severity: 'error' });
      return null;
    }
    for (const property of optionsNode.children ?? []) {
      const keyNode = property.children?.[0];
      const valueNode = property.children?.[1];
      const name = typeof keyNode?.value === 'string' ? keyNode.value : '';
      const defaultValue = meta.options[name];
      if (defaultValue === undefined) {
        const known = Object.keys(meta.options);
        problems.push({ message: `\`${meta.id}\` has no option \`${name}\`${known.length > 0 ? `; its options: ${known.join(', ')}` : ''}.`, range: rangeOf(keyNode), severity: 'error' });
        continue;
      }
      const value = optionValue(valueNode, defaultValue);
      if (value === null) {
        problems.push({ message: `Option \`${name}\` of \`${meta.id}\` must be ${Array.isArray(defaultValue) ? 'an array of strings' : `a ${typeof defaultValue}`}.`, range: rangeOf(valueNode), severity: 'error' });
        continue;
      }
      options[name] = value;
    }
  }
  return { level: levelNode.value as RuleLevel, options };
}

function optionValue(node: JsonNode | undefined, defaultValue: RuleOptions[string]): RuleOptions[string] | null {
  if (node === undefined) return null;
  if (Array.isArray(defaultValue)) {
    if (node.type !== 'array') return null;
    const values = (node.children ?? []).map((child) => child.value);
    return values.every((value): value is string => typeof value === 'string') ? values : null;
  }
  return typeof node.value === typeof defaultValue ? (node.value as RuleOptions[string]) : null;
}

/** ` Did you mean \`x\`?` for a mistyped string value, or ''. */
function didYouMean(value: unknown, candidates: readonly string[]): string {
  const suggestion = typeof value === 'string' ? closestId(value, candidates) : null;
  return suggestion === null ? '' : ` Did you mean \`${suggestion}\`?`;
}

/**
 * The candidate a mistyped id most likely meant (`select_star` → `select-star`), or null. Up to
 * a third of the id's characters may differ, and two in short ones: three edits turn most short
 * words into each other (`loud` into `off`), which is no longer a typo.
 */
export function closestId(id: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(id.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(id, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The settings one document is linted with. */
export function settingsFromConfig(config: FaultlineConfig, today: string, onlyRules?: string[]): LintSettings {
  return {
    sqlDialect: config.sqlDialect,
    reportingTimeZone: config.reportingTimeZone,
    rules: config.rules,
    today,
    ...(config.roles.length === 0 ? {} : { roles: config.roles }),
    ...(onlyRules === undefined ? {} : { onlyRules }),
  };
}

/** True when `relativePath` (from the config's folder, `/`-separated) matches the config's ignore globs. */
export function isIgnoredByConfig(config: FaultlineConfig, relativePath: string): boolean {
  if (config.ignore.length === 0 || relativePath === '' || relativePath.startsWith('..')) return false;
  return ignore().add(config.ignore).ignores(relativePath);
}
