/**
 * Audit speed (issue #4): on the reference corpus (bench/corpus.sh), in ONE run so that the ratios
 * share the machine's load, measures as separate cold processes:
 *
 *   - the parse floor: reading and parsing every JS/TS file once with the TypeScript parser, one
 *     thread (bench/parse-floor.ts);
 *   - `faultline audit CORPUS --no-cache`: a cold audit, every rule on, default threads, and the
 *     same with a worker on every core (`--jobs N`);
 *   - a warm re-audit of the unchanged tree from a primed cache (kept outside the corpus);
 *   - optionally ESLint with @typescript-eslint/parser and a handful of selector rules, installed
 *     in a scratch folder outside the repo (`--eslint DIR`, DIR holding node_modules/eslint and
 *     node_modules/@typescript-eslint/parser).
 *
 * Each is reported as wall time, its ratio to the parse floor, and the process's peak resident
 * memory (all threads). Each measurement is repeated (`--runs N`, default 3) and the median kept,
 * interleaving the kinds so that a burst of load from elsewhere hits them alike.
 *
 *   npm run build && bash bench/corpus.sh
 *   mkdir -p /tmp/faultline-eslint && (cd /tmp/faultline-eslint && npm init -y >/dev/null &&
 *     npm install --ignore-scripts eslint@10 @typescript-eslint/parser@8)
 *   node out/bench/audit-speed.js /tmp/faultline-audit-corpus/tree --eslint /tmp/faultline-eslint
 *
 * `--cli PATH` benchmarks a copy of the bundle (`mkdir /tmp/x && cp -r dist package.json /tmp/x`,
 * then `--cli /tmp/x/dist/cli.js`), so that someone rebuilding dist/ on a shared machine during the
 * few minutes of the run cannot break it. Copy package.json too: without it the CLI cannot read
 * its version, and its compile cache is then never used (every run compiles the bundle again).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// Compiled to out/bench/audit-speed.js, so the repo root is two folders up.
const REPO_ROOT = join(__dirname, '..', '..');
const DEFAULT_CLI = join(REPO_ROOT, 'dist', 'cli.js');
const PARSE_FLOOR = join(__dirname, 'parse-floor.js');
const PEAK_RSS = join(REPO_ROOT, 'bench', 'peak-rss.cjs');

interface Measurement {
  seconds: number;
  peakMb: number;
  status: number | null;
}

interface Kind {
  name: string;
  target: string;
  args: string[];
  cwd: string;
  before?: () => void;
}

function measure(kind: Kind, scratch: string): Measurement {
  kind.before?.();
  const rssFile = join(scratch, 'peak-rss');
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--require', PEAK_RSS, ...kind.args], {
    cwd: kind.cwd,
    env: { ...process.env, FAULTLINE_PEAK_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.error) throw result.error;
  // Findings make the audit and ESLint exit 1; anything above that is a failure of the tool.
  if (result.status === null || result.status > 1) throw new Error(`${kind.name} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  let peakMb = Number.NaN;
  try {
    peakMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // The process did not write it: reported as n/a.
  }
  return { seconds, peakMb, status: result.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** ESLint's flat config: the TypeScript parser and a handful of AST-selector rules. */
function eslintConfig(eslintDir: string): string {
  const parser = JSON.stringify(join(eslintDir, 'node_modules', '@typescript-eslint', 'parser', 'dist', 'index.js'));
  return `const parser = require(${parser});
module.exports = [{
  files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.ts'],
  ignores: ['**/*.d.ts'],
  languageOptions: { parser, sourceType: 'module', ecmaVersion: 'latest' },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: {
    'no-restricted-syntax': ['warn',
      "CallExpression[callee.property.name='query'] > TemplateLiteral.arguments:first-child",
      "CallExpression[callee.property.name='raw'] > BinaryExpression",
      "TaggedTemplateExpression[tag.name='sql']",
      "NewExpression[callee.name='Pool']",
      "CallExpression[callee.name='setTimeout'][arguments.length<2]",
      "ForOfStatement AwaitExpression",
    ],
    'no-restricted-properties': ['warn', { object: 'Math', property: 'random' }],
    'no-restricted-globals': ['warn', 'event'],
  },
}];
`;
}

function main(): void {
  const argv = process.argv.slice(2);
  const corpus = argv[0];
  if (corpus === undefined || corpus.startsWith('--')) throw new Error('usage: node out/bench/audit-speed.js CORPUS [--eslint DIR] [--runs N] [--cli PATH]');
  const eslintIndex = argv.indexOf('--eslint');
  const eslintDir = eslintIndex === -1 ? null : (argv[eslintIndex + 1] ?? null);
  const runsIndex = argv.indexOf('--runs');
  const runs = runsIndex === -1 ? 3 : Number(argv[runsIndex + 1] ?? '3');
  // `--cli PATH`: a copy of the bundle, so that a rebuild of dist/ during the run cannot disturb it.
  const cliIndex = argv.indexOf('--cli');
  const cli = cliIndex === -1 ? DEFAULT_CLI : (argv[cliIndex + 1] ?? DEFAULT_CLI);

  const scratch = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  // The audit's default: one worker per core but one; one core means the main thread (audit.ts).
  const defaultJobs = Math.max(1, availableParallelism() - 1);
  const cacheLocation = join(scratch, 'cache');
  const auditArgs = [cli, 'audit', corpus, '--format', 'json', '--output', join(scratch, 'report.json')];
  const kinds: Kind[] = [
    { name: 'parse floor (TypeScript parser, 1 thread)', target: '1.00x', args: [PARSE_FLOOR, corpus], cwd: scratch },
    { name: `faultline audit --no-cache (default: ${defaultJobs} thread${defaultJobs === 1 ? '' : 's'})`, target: '<= 0.75x', args: [...auditArgs, '--no-cache'], cwd: scratch },
    // The worker pool on every core, for comparison with the default.
    { name: `faultline audit --no-cache --jobs ${availableParallelism()}`, target: '(compare)', args: [...auditArgs, '--no-cache', '--jobs', String(availableParallelism())], cwd: scratch },
    {
      name: 'faultline audit, warm cache',
      target: '<= 0.10x',
      args: [...auditArgs, '--cache-location', cacheLocation],
      cwd: scratch,
      // Prime the cache (untimed) so the timed run reuses every file.
      before: () => {
        spawnSync(process.execPath, [...auditArgs, '--cache-location', cacheLocation], { cwd: scratch });
      },
    },
  ];
  if (eslintDir !== null) {
    const config = join(scratch, 'eslint.config.cjs');
    writeFileSync(config, eslintConfig(eslintDir));
    kinds.push({
      name: 'ESLint + @typescript-eslint/parser, selector rules',
      target: '~10x (issue)',
      args: [join(eslintDir, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--config', config, '--no-warn-ignored', '--format', 'json', '--output-file', join(scratch, 'eslint.json'), '.'],
      cwd: corpus,
    });
  }

  // The CLI keeps V8's compile cache in the temp folder (launcher.ts), written by the first run
  // after a build or an install; one untimed run writes it, as any user's first run would.
  spawnSync(process.execPath, [...auditArgs, '--no-cache'], { cwd: scratch });
  console.log(`corpus ${corpus}; ${availableParallelism()} cores; load average before ${loadavg().map((value) => value.toFixed(2)).join(' ')}; median of ${runs} runs each`);
  const results = new Map<string, Measurement[]>(kinds.map((kind) => [kind.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const kind of kinds) results.get(kind.name)?.push(measure(kind, scratch));
  }
  const floor = median((results.get(kinds[0]?.name ?? '') ?? []).map((measurement) => measurement.seconds));
  for (const kind of kinds) {
    const measurements = results.get(kind.name) ?? [];
    const seconds = median(measurements.map((measurement) => measurement.seconds));
    const peak = Math.max(...measurements.map((measurement) => measurement.peakMb));
    console.log(`${kind.name.padEnd(52)} ${seconds.toFixed(2).padStart(7)} s  ${(seconds / floor).toFixed(2).padStart(6)}x  (target ${kind.target.padEnd(12)})  peak ${Number.isNaN(peak) ? 'n/a' : `${peak.toFixed(0)} MB`}`);
  }
  // Each run's ratio to the floor measured just before it: how much of the spread is the machine's.
  const floors = results.get(kinds[0]?.name ?? '') ?? [];
  for (const kind of kinds.slice(1)) {
    const ratios = (results.get(kind.name) ?? []).map((measurement, run) => (measurement.seconds / (floors[run]?.seconds ?? Number.NaN)).toFixed(2));
    console.log(`  run by run, ${kind.name}: ${ratios.join(' ')}`);
  }
  try {
    const report = JSON.parse(readFileSync(join(scratch, 'report.json'), 'utf8')) as { summary: { files: number; findings: number } };
    console.log(`audit: ${report.summary.files} files checked, ${report.summary.findings} findings`);
    if (eslintDir !== null) {
      const eslint = JSON.parse(readFileSync(join(scratch, 'eslint.json'), 'utf8')) as { messages: unknown[] }[];
      console.log(`eslint: ${eslint.length} files linted, ${eslint.reduce((total, file) => total + file.messages.length, 0)} messages`);
    }
  } catch (error) {
    console.log(`could not read the reports: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(`load average after ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  rmSync(scratch, { recursive: true, force: true });
}

main();
