/**
 * Command-line parsing for `faultline`: argv in, a typed command (or a usage error) out. No I/O
 * here, so every flag's handling is testable as plain data. Flags accept both `--flag value` and
 * `--flag=value`; `--` ends the flags so a path may start with a dash.
 */

import { closestId, SQL_DIALECTS, type Severity, type SqlDialect } from '../../../rules/index';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'html' | 'github' | 'gitlab';

export interface AuditOptions {
  paths: string[];
  format: OutputFormat;
  outputFile: string | null;
  /** Findings at or above this severity make the exit code 1. */
  threshold: Severity;
  onlyRules: string[] | null;
  maxFileSizeKb: number;
  quiet: boolean;
  verbose: boolean;
  /** Reuse and store results in the cache (`--no-cache` turns it off). */
  cache: boolean;
  /** The cache folder; `.faultline-cache` in the audited project's root when null (project-root.ts). */
  cacheLocation: string | null;
  /** When set, warnings fail the run only past this many. */
  maxWarnings: number | null;
  baseline: string | null;
  updateBaseline: boolean;
  shard: { index: number; count: number } | null;
  changedSince: string | null;
  /** Worker threads; null means one per core but one. 1 lints on the main thread. */
  jobs: number | null;
  /** `--fix`, `--unsafe-fixes`, `--diff`, `--stdin-filename`, `--staged` (see fix.ts). */
  fix: FixMode;
  /** Lint standard input as if it were this file; null reads the files. */
  stdinFilename: string | null;
  /** Check what git's index holds for the staged files, not the working tree. */
  staged: boolean;
}

/** What --fix and --diff ask for: nothing, write the fixes, or print them as a diff; `unsafe` adds unsafe fixes. */
export interface FixMode {
  apply: 'none' | 'write' | 'diff';
  unsafe: boolean;
}

export interface InitOptions {
  /** Replace an existing `.faultline.json`. */
  force: boolean;
  /** The dialect to write instead of the detected one. */
  dialect: SqlDialect | null;
  /** The reporting time zone to write instead of UTC. */
  timeZone: string | null;
}

export type Command =
  | { kind: 'audit'; options: AuditOptions }
  | { kind: 'rules'; format: 'text' | 'json' }
  | { kind: 'roles'; paths: string[]; format: 'text' | 'json' }
  | { kind: 'explain'; ruleId: string }
  | { kind: 'init'; options: InitOptions }
  | { kind: 'help'; topic: CommandName | null }
  | { kind: 'version' };

export type CommandName = 'audit' | 'rules' | 'roles' | 'explain' | 'init';

export type ParseOutcome = { ok: true; command: Command } | { ok: false; message: string; topic: CommandName | null };

const COMMAND_NAMES: readonly CommandName[] = ['audit', 'rules', 'roles', 'explain', 'init'];
const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'html', 'github', 'gitlab'];
const THRESHOLDS: readonly Severity[] = ['info', 'warning', 'error'];
/** Every option of `audit`, for "did you mean" when one is mistyped. */
const AUDIT_OPTIONS: readonly string[] = [
  '--format', '--output', '--severity', '--rules', '--max-file-size-kb', '--max-warnings', '--baseline', '--update-baseline',
  '--changed-since', '--shard', '--no-cache', '--cache-location', '--jobs', '--quiet', '--verbose', '--help',
  '--fix', '--unsafe-fixes', '--diff', '--stdin-filename', '--staged',
];

/** What other linters call their commands, for "did you mean" where spelling is not the problem. */
const COMMAND_SYNONYMS: ReadonlyMap<string, CommandName> = new Map([
  ['lint', 'audit'],
  ['check', 'audit'],
  ['scan', 'audit'],
  ['run', 'audit'],
  ['list', 'rules'],
  ['docs', 'explain'],
]);

function suggestCommand(value: string): string {
  const synonym = COMMAND_SYNONYMS.get(value);
  return synonym === undefined ? didYouMean(value, COMMAND_NAMES) : ` Did you mean '${synonym}'?`;
}

function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value);
}

function usageError(message: string, topic: CommandName | null): ParseOutcome {
  return { ok: false, message, topic };
}

/** ` Did you mean 'x'?` for the candidate nearest to a mistyped value (by edit distance), or ''. */
function didYouMean(value: string, candidates: readonly string[]): string {
  const suggestion = closestId(value, candidates);
  return suggestion === null ? '' : ` Did you mean '${suggestion}'?`;
}

function unknownOption(argument: string, options: readonly string[], topic: CommandName | null): ParseOutcome {
  const flag = argument.split('=')[0] ?? argument;
  return usageError(`unknown option '${argument}'${topic === null ? '' : ` for '${topic}'`}.${didYouMean(flag, options)}`, topic);
}

/** Parses the arguments after `node cli.js`. `knownRuleIds` validates `--rules`. */
export function parseArguments(argv: readonly string[], knownRuleIds: readonly string[]): ParseOutcome {
  const [first, ...rest] = argv;
  if (first === undefined) return usageError('no command given.', null);
  if (first === '--help' || first === '-h') return { ok: true, command: { kind: 'help', topic: null } };
  if (first === '--version' || first === '-v') return { ok: true, command: { kind: 'version' } };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { ok: true, command: { kind: 'help', topic: null } };
    if (!isCommandName(topic)) return usageError(`unknown command '${topic}'.${suggestCommand(topic)}`, null);
    return { ok: true, command: { kind: 'help', topic } };
  }
  if (first.startsWith('-')) return unknownOption(first, ['--help', '--version'], null);
  if (!isCommandName(first)) return usageError(`unknown command '${first}'.${suggestCommand(first)}`, null);
  if (rest.includes('--help') || rest.includes('-h')) return { ok: true, command: { kind: 'help', topic: first } };

  switch (first) {
    case 'audit':
      return parseAudit(rest, knownRuleIds);
    case 'rules': {
      const parsed = parseListing(rest, 'rules');
      if (!parsed.ok) return parsed;
      if (parsed.paths.length > 0) return usageError(`'rules' takes no paths, got '${parsed.paths[0] ?? ''}'.`, 'rules');
      return { ok: true, command: { kind: 'rules', format: parsed.format } };
    }
    case 'roles': {
      const parsed = parseListing(rest, 'roles');
      if (!parsed.ok) return parsed;
      return { ok: true, command: { kind: 'roles', paths: parsed.paths, format: parsed.format } };
    }
    case 'explain': {
      if (rest.length !== 1 || rest[0] === undefined || rest[0].startsWith('-')) return usageError(`'explain' takes exactly one rule id.`, 'explain');
      return { ok: true, command: { kind: 'explain', ruleId: rest[0] } };
    }
    case 'init':
      return parseInit(rest);
  }
}

/** `[--format text|json] [paths...]`, the arguments of the commands that list things. */
function parseListing(argv: readonly string[], command: CommandName): { ok: true; paths: string[]; format: 'text' | 'json' } | { ok: false; message: string; topic: CommandName } {
  const paths: string[] = [];
  let format: 'text' | 'json' = 'text';
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    if (argument === '--format' || argument === '-f' || argument.startsWith('--format=')) {
      const value = argument.startsWith('--format=') ? argument.slice('--format='.length) : argv[++index];
      if (value !== 'text' && value !== 'json') return { ok: false, message: `'${command} --format' takes text or json, got '${value ?? ''}'.${didYouMean(value ?? '', ['text', 'json'])}`, topic: command };
      format = value;
    } else if (argument.startsWith('-')) {
      const flag = argument.split('=')[0] ?? argument;
      return { ok: false, message: `unknown option '${argument}' for '${command}'.${didYouMean(flag, ['--format', '--help'])}`, topic: command };
    } else {
      paths.push(argument);
    }
  }
  return { ok: true, paths, format };
}

function parseInit(argv: readonly string[]): ParseOutcome {
  const options: InitOptions = { force: false, dialect: null, timeZone: null };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    const value = (): string => (equals === -1 ? (argv[++index] ?? '') : argument.slice(equals + 1));
    if (flag === '--force' && equals === -1) {
      options.force = true;
    } else if (flag === '--dialect') {
      const dialect = value();
      if (!(SQL_DIALECTS as readonly string[]).includes(dialect)) return usageError(`--dialect must be one of ${SQL_DIALECTS.join(', ')}, got '${dialect}'.${didYouMean(dialect, SQL_DIALECTS)}`, 'init');
      options.dialect = dialect as SqlDialect;
    } else if (flag === '--time-zone') {
      const zone = value();
      if (!isTimeZone(zone)) return usageError(`--time-zone needs an IANA time zone such as UTC or Europe/Berlin, got '${zone}'.`, 'init');
      options.timeZone = zone;
    } else if (argument.startsWith('-')) {
      return unknownOption(argument, ['--force', '--dialect', '--time-zone', '--help'], 'init');
    } else {
      return usageError(`'init' takes no paths: it writes .faultline.json in the current folder (got '${argument}').`, 'init');
    }
  }
  return { ok: true, command: { kind: 'init', options } };
}

function isTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseAudit(argv: readonly string[], knownRuleIds: readonly string[]): ParseOutcome {
  const options: AuditOptions = {
    paths: [],
    format: 'text',
    outputFile: null,
    threshold: 'warning',
    onlyRules: null,
    maxFileSizeKb: 1024,
    quiet: false,
    verbose: false,
    cache: true,
    cacheLocation: null,
    maxWarnings: null,
    baseline: null,
    updateBaseline: false,
    shard: null,
    changedSince: null,
    jobs: null,
    fix: { apply: 'none', unsafe: false },
    stdinFilename: null,
    staged: false,
  };
  let index = 0;
  let flagsEnded = false;

  /** The value of a flag: after `=`, or the next argument. */
  const takeValue = (inline: string | undefined): string | null => {
    if (inline !== undefined) return inline;
    const next = argv[index + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-')) return null;
    index++;
    return next;
  };

  for (; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    if (flagsEnded || !argument.startsWith('-') || argument === '-') {
      options.paths.push(argument);
      continue;
    }
    if (argument === '--') {
      flagsEnded = true;
      continue;
    }
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    const inline = equals === -1 ? undefined : argument.slice(equals + 1);
    if (['--quiet', '-q', '--verbose', '--no-cache', '--update-baseline'].includes(flag) && inline !== undefined) return usageError(`${flag} takes no value.`, 'audit');
    if (['--fix', '--unsafe-fixes', '--diff', '--staged'].includes(flag) && inline !== undefined) return usageError(`${flag} takes no value.`, 'audit');
    switch (flag) {
      case '--quiet':
      case '-q':
        options.quiet = true;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--format':
      case '-f': {
        const value = takeValue(inline);
        if (value === null || !(FORMATS as readonly string[]).includes(value)) return usageError(`--format must be one of ${FORMATS.join(', ')}.${didYouMean(value ?? '', FORMATS)}`, 'audit');
        options.format = value as OutputFormat;
        break;
      }
      case '--output':
      case '-o': {
        const value = takeValue(inline);
        if (value === null || value === '') return usageError('--output needs a file path.', 'audit');
        options.outputFile = value;
        break;
      }
      case '--severity': {
        const value = takeValue(inline);
        if (value === null || !(THRESHOLDS as readonly string[]).includes(value)) return usageError(`--severity must be one of ${THRESHOLDS.join(', ')}.${didYouMean(value ?? '', THRESHOLDS)}`, 'audit');
        options.threshold = value as Severity;
        break;
      }
      case '--rules': {
        const value = takeValue(inline);
        const ids = (value ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
        if (ids.length === 0) return usageError('--rules needs a comma-separated list of rule ids.', 'audit');
        const unknown = ids.filter((id) => !knownRuleIds.includes(id));
        if (unknown.length > 0) return usageError(`unknown rule id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `'${id}'`).join(', ')} in --rules (see \`faultline rules\`).${unknown.length === 1 ? didYouMean(unknown[0] ?? '', knownRuleIds) : unknown.map((id) => didYouMean(id, knownRuleIds).replace('?', ` for '${id}'?`)).join('')}`, 'audit');
        options.onlyRules = [...new Set([...(options.onlyRules ?? []), ...ids])];
        break;
      }
      case '--max-file-size-kb': {
        const value = takeValue(inline);
        const kilobytes = value === null ? Number.NaN : Number(value);
        if (!Number.isFinite(kilobytes) || kilobytes <= 0) return usageError('--max-file-size-kb must be a positive number.', 'audit');
        options.maxFileSizeKb = kilobytes;
        break;
      }
      case '--no-cache':
        options.cache = false;
        break;
      case '--cache-location': {
        const value = takeValue(inline);
        if (value === null || value === '') return usageError('--cache-location needs a folder path.', 'audit');
        options.cacheLocation = value;
        break;
      }
      case '--max-warnings': {
        const value = takeValue(inline);
        const count = value === null || !/^\d+$/.test(value) ? Number.NaN : Number(value);
        if (!Number.isSafeInteger(count)) return usageError('--max-warnings must be a whole number, 0 or more.', 'audit');
        options.maxWarnings = count;
        break;
      }
      case '--baseline': {
        const value = takeValue(inline);
        if (value === null || value === '') return usageError('--baseline needs a file path.', 'audit');
        options.baseline = value;
        break;
      }
      case '--update-baseline':
        options.updateBaseline = true;
        break;
      case '--shard': {
        const value = takeValue(inline);
        const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
        const index = Number(match?.[1]);
        const count = Number(match?.[2]);
        if (match === null || count < 1 || index < 1 || index > count) return usageError('--shard must be i/n with 1 <= i <= n, e.g. --shard 2/4.', 'audit');
        options.shard = { index, count };
        break;
      }
      case '--changed-since': {
        const value = takeValue(inline);
        if (value === null || value === '') return usageError('--changed-since needs a git ref, e.g. --changed-since origin/main.', 'audit');
        options.changedSince = value;
        break;
      }
      case '--fix':
        if (options.fix.apply === 'none') options.fix.apply = 'write';
        break;
      case '--diff':
        options.fix.apply = 'diff';
        break;
      case '--unsafe-fixes':
        options.fix.unsafe = true;
        break;
      case '--stdin-filename': {
        const value = takeValue(inline);
        if (value === null || value === '') return usageError('--stdin-filename needs the path the text stands for.', 'audit');
        options.stdinFilename = value;
        break;
      }
      case '--staged':
        options.staged = true;
        break;
      case '--jobs': {
        const value = takeValue(inline);
        const count = value === null || !/^\d+$/.test(value) ? Number.NaN : Number(value);
        if (!Number.isSafeInteger(count) || count < 1) return usageError('--jobs must be a whole number, 1 or more.', 'audit');
        options.jobs = count;
        break;
      }
      default:
        return unknownOption(argument, AUDIT_OPTIONS, 'audit');
    }
  }
  if (options.quiet && options.verbose) return usageError('--quiet and --verbose cannot be used together.', 'audit');
  if (options.updateBaseline && options.baseline === null) return usageError('--update-baseline needs --baseline FILE to say where to write it.', 'audit');
  const fixProblem = fixOptionsProblem(options);
  if (fixProblem !== null) return usageError(fixProblem, 'audit');
  if (options.paths.length === 0) options.paths.push('.');
  return { ok: true, command: { kind: 'audit', options } };
}

/** Combinations of --fix, --diff, --stdin-filename and --staged that cannot mean anything. */
function fixOptionsProblem(options: AuditOptions): string | null {
  if (options.fix.unsafe && options.fix.apply === 'none') return '--unsafe-fixes goes with --fix or --diff.';
  if (options.staged && options.fix.apply === 'write') return "--fix writes the working tree's files and --staged checks git's index: run --fix without --staged.";
  if (options.fix.apply === 'diff' && options.updateBaseline) return '--diff writes nothing, so it cannot --update-baseline.';
  if (options.stdinFilename !== null && options.paths.length > 0) return `--stdin-filename reads standard input, so it takes no paths (got '${options.paths[0] ?? ''}').`;
  if (options.stdinFilename !== null && (options.staged || options.changedSince !== null || options.shard !== null)) return '--stdin-filename checks one text: it does not go with --staged, --changed-since or --shard.';
  if (options.staged && options.changedSince !== null) return '--staged and --changed-since each choose the files: use one.';
  return null;
}
