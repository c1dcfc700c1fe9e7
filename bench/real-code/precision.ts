/**
 * The real-code precision bench: audits a folder of checkouts of the repositories in
 * bench/real-code/manifest.json with the built CLI, one checkout at a time (so each checkout's
 * .faultline.json applies), and measures the findings against reviewers' labels.
 *
 *   npm run build && node out/bench/real-code/precision.js FOLDER [--rules id,...] [--json]
 *        [--labels FILE] [--misses FILE]      (default: labels.jsonl and misses.jsonl beside this file)
 *        [--sites FILE]                     (every current site with its verdict, one JSON line each)
 *   node out/bench/real-code/precision.js FOLDER --sample N --seed S --out sample.json
 *        [--rules id,...] [--severity-all]
 *
 * It prints the findings per rule and severity, each rule's labelled true and false positives
 * with its precision and sample size, the overall precision on warning/error findings, the recall
 * on the known misses (misses.jsonl), the labels no current finding matches, and how many findings
 * are not labelled yet. `--sample` writes a seeded uniform random sample of unlabelled
 * warning/error findings (all severities with `--severity-all`), each with ±12 lines of its code,
 * for an independent reviewer to label (README.md says how).
 *
 * A finding is identified by repository, commit, path, line and rule: two findings of one rule on
 * one line are one labelled "site". Only Node's standard library is used.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

type Severity = 'error' | 'warning' | 'info' | 'hint';
type Verdict = 'tp' | 'fp';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
const CONTEXT_LINES = 12;
const MAX_CONTEXT_LINE_LENGTH = 400;
const MISS_LINE_TOLERANCE = 2;

interface ManifestEntry {
  name: string;
  commit: string;
  kind: string;
  config: unknown;
  why: string;
}

/** One finding as the CLI's JSON reports it, with the checkout it came from. */
interface Finding {
  repo: string;
  commit: string;
  path: string;
  line: number;
  column: number;
  rule: string;
  severity: Severity;
  message: string;
  note: string;
}

/** The findings of one rule on one line of one file: the unit that is labelled. */
interface Site {
  key: string;
  first: Finding;
  severity: Severity;
  findings: number;
}

interface Label {
  repo: string;
  commit: string;
  path: string;
  line: number;
  rule: string;
  verdict: Verdict;
  reason: string;
}

type Miss = Omit<Label, 'verdict'>;

interface InternalError {
  ruleId: string;
  path: string;
  message: string;
}

interface CheckoutRun {
  repo: string;
  commit: string;
  kind: string;
  status: 'audited' | 'not checked out' | 'other commit' | 'crashed';
  detail: string;
  seconds: number;
  files: number;
  skipped: number;
  findings: number;
  internalErrors: InternalError[];
}

interface Options {
  folder: string;
  rules: string[] | undefined;
  sample: number | undefined;
  seed: string | undefined;
  out: string | undefined;
  severityAll: boolean;
  json: boolean;
  labels: string;
  misses: string;
  /** Where to write every current site with its label (or none): the list to read when choosing the next fix. */
  sitesOut: string | undefined;
}

const PROJECT = resolve(__dirname, '..', '..', '..');
const BENCH = join(PROJECT, 'bench', 'real-code');
const CLI = join(PROJECT, 'dist', 'cli.js');

const USAGE = `usage: node out/bench/real-code/precision.js FOLDER [--rules id,...] [--json] [--labels FILE] [--misses FILE] [--sites FILE]
       node out/bench/real-code/precision.js FOLDER --sample N --seed S --out FILE [--rules id,...] [--severity-all]`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function parseOptions(args: string[]): Options {
  const options: Options = { folder: '', rules: undefined, sample: undefined, seed: undefined, out: undefined, severityAll: false, json: false, labels: join(BENCH, 'labels.jsonl'), misses: join(BENCH, 'misses.jsonl'), sitesOut: undefined };
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? '';
    const value = (): string => args[++index] ?? fail(`${argument} needs a value\n${USAGE}`);
    if (argument === '--rules') options.rules = value().split(',').map((rule) => rule.trim()).filter((rule) => rule !== '');
    else if (argument === '--sample') options.sample = Number(value());
    else if (argument === '--seed') options.seed = value();
    else if (argument === '--out') options.out = value();
    else if (argument === '--severity-all') options.severityAll = true;
    else if (argument === '--json') options.json = true;
    else if (argument === '--labels') options.labels = resolve(value());
    else if (argument === '--misses') options.misses = resolve(value());
    else if (argument === '--sites') options.sitesOut = resolve(value());
    else if (argument.startsWith('-')) fail(`unknown option ${argument}\n${USAGE}`);
    else if (options.folder === '') options.folder = resolve(argument);
    else fail(`one folder only\n${USAGE}`);
  }
  if (options.folder === '') fail(USAGE);
  if (options.sample !== undefined) {
    if (!Number.isInteger(options.sample) || options.sample < 1) fail('--sample needs a positive whole number');
    if (options.seed === undefined || options.out === undefined) fail('--sample needs --seed and --out, so that the sample can be drawn again');
  }
  return options;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readManifest(): ManifestEntry[] {
  const parsed: unknown = JSON.parse(readFileSync(join(BENCH, 'manifest.json'), 'utf8'));
  if (!Array.isArray(parsed)) fail('manifest.json: expected an array of entries');
  return parsed.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry['name'] !== 'string' || typeof entry['commit'] !== 'string' || !/^[0-9a-f]{40}$/.test(entry['commit'])) {
      fail(`manifest.json: entry ${index} needs a name and a 40-hex commit`);
    }
    return { name: entry['name'], commit: entry['commit'], kind: String(entry['kind'] ?? ''), config: entry['config'], why: String(entry['why'] ?? '') };
  });
}

/** Reads a JSON-lines file of labels or misses; a malformed line stops the run with its number. */
function readJsonLines<T>(file: string, parse: (value: Record<string, unknown>) => T | string): T[] {
  if (!existsSync(file)) return [];
  const records: T[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, index) => {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      fail(`${file}:${index + 1}: not JSON`);
    }
    const record = isRecord(value) ? parse(value) : 'expected an object';
    if (typeof record === 'string') fail(`${file}:${index + 1}: ${record}`);
    records.push(record);
  });
  return records;
}

function parseMiss(value: Record<string, unknown>): Miss | string {
  const { repo, commit, path, line, rule, reason } = value;
  if (typeof repo !== 'string' || typeof commit !== 'string' || typeof path !== 'string' || typeof rule !== 'string') return 'repo, commit, path and rule must be strings';
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return 'line must be a positive whole number';
  if (typeof reason !== 'string' || reason.trim() === '') return 'reason must be a one-line string';
  return { repo, commit, path, line, rule, reason };
}

function parseLabel(value: Record<string, unknown>): Label | string {
  const miss = parseMiss(value);
  if (typeof miss === 'string') return miss;
  const verdict = value['verdict'];
  if (verdict !== 'tp' && verdict !== 'fp') return 'verdict must be "tp" or "fp"';
  return { ...miss, verdict };
}

function siteKey(site: { repo: string; commit: string; path: string; rule: string; line: number }): string {
  return [site.repo, site.commit, site.path, site.rule, String(site.line)].join('\u0000');
}

function slugOf(repo: string): string {
  return repo.replace('/', '+');
}

function severityOf(value: unknown): Severity {
  return SEVERITIES.find((severity) => severity === value) ?? 'hint';
}

/** Audits one checkout with the built CLI; its findings are appended to `findings`. */
function auditCheckout(entry: ManifestEntry, folder: string, rules: string[] | undefined, findings: Finding[]): CheckoutRun {
  const checkout = join(folder, slugOf(entry.name));
  const run: CheckoutRun = { repo: entry.name, commit: entry.commit, kind: entry.kind, status: 'audited', detail: '', seconds: 0, files: 0, skipped: 0, findings: 0, internalErrors: [] };
  if (!existsSync(checkout)) return { ...run, status: 'not checked out', detail: `no ${checkout}: run bench/real-code/checkout.sh` };
  const marker = join(checkout, '.bench-commit');
  const exported = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'unknown';
  if (exported !== entry.commit) return { ...run, status: 'other commit', detail: `checked out at ${exported}, the manifest pins ${entry.commit}: run checkout.sh again` };

  const scratch = mkdtempSync(join(tmpdir(), 'faultline-real-code-'));
  const output = join(scratch, 'audit.json');
  const args = [CLI, 'audit', '.', '--format', 'json', '--no-cache', '--severity', 'info', '--output', output];
  if (rules !== undefined) args.push('--rules', rules.join(','));
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: checkout, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = (result.stderr ?? '').trim();
  try {
    if (result.status !== 0 && result.status !== 1) {
      const why = result.error?.message ?? (result.signal !== null ? `signal ${result.signal}` : `exit code ${String(result.status)}`);
      return { ...run, status: 'crashed', detail: `${why}${stderr === '' ? '' : `: ${stderr.split('\n').slice(-8).join(' | ')}`}` };
    }
    if (!existsSync(output)) return { ...run, status: 'crashed', detail: `no report written${stderr === '' ? '' : `: ${stderr}`}` };
    const report: unknown = JSON.parse(readFileSync(output, 'utf8'));
    if (!isRecord(report) || !Array.isArray(report['files'])) return { ...run, status: 'crashed', detail: 'the report has no files array' };
    run.detail = stderr;
    const summary = isRecord(report['summary']) ? report['summary'] : {};
    run.files = typeof summary['files'] === 'number' ? summary['files'] : 0;
    run.skipped = Array.isArray(report['skipped']) ? report['skipped'].length : 0;
    for (const error of Array.isArray(report['internalErrors']) ? report['internalErrors'] : []) {
      if (isRecord(error)) run.internalErrors.push({ ruleId: String(error['ruleId']), path: String(error['path']), message: String(error['message']) });
    }
    for (const file of report['files']) {
      if (!isRecord(file) || typeof file['path'] !== 'string' || !Array.isArray(file['findings'])) continue;
      const path = file['path'].replace(/\\/g, '/').replace(/^\.\//, '');
      for (const finding of file['findings']) {
        if (!isRecord(finding)) continue;
        findings.push({
          repo: entry.name,
          commit: entry.commit,
          path,
          line: Number(finding['line']),
          column: Number(finding['column']),
          rule: String(finding['ruleId']),
          severity: severityOf(finding['severity']),
          message: String(finding['message'] ?? ''),
          note: String(finding['note'] ?? ''),
        });
        run.findings++;
      }
    }
    return run;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function groupSites(findings: Finding[]): Site[] {
  const sites = new Map<string, Site>();
  for (const finding of findings) {
    const key = siteKey(finding);
    const site = sites.get(key);
    if (site === undefined) {
      sites.set(key, { key, first: finding, severity: finding.severity, findings: 1 });
      continue;
    }
    site.findings++;
    if (SEVERITIES.indexOf(finding.severity) < SEVERITIES.indexOf(site.severity)) site.severity = finding.severity;
    if (finding.column < site.first.column) site.first = finding;
  }
  return [...sites.values()];
}

function isWarningOrError(severity: Severity): boolean {
  return severity === 'warning' || severity === 'error';
}

/** The Wilson score interval at 95%: honest about how little a small sample says. */
function wilson(successes: number, total: number): [number, number] {
  if (total === 0) return [0, 1];
  const z = 1.96;
  const share = successes / total;
  const denominator = 1 + (z * z) / total;
  const centre = share + (z * z) / (2 * total);
  const spread = z * Math.sqrt((share * (1 - share)) / total + (z * z) / (4 * total * total));
  return [Math.max(0, (centre - spread) / denominator), Math.min(1, (centre + spread) / denominator)];
}

interface RuleRow {
  rule: string;
  bySeverity: Record<Severity, number>;
  total: number;
  sites: number;
  warningErrorSites: number;
  /**
   * Labelled sites the precision is over: those at warning or error when the rule has any (what
   * a user sees by default; a finding demoted to info, e.g. in a module nothing imports, is not
   * counted), else all of its labelled sites (a rule that reports at info).
   */
  tp: number;
  fp: number;
  /** Labelled sites at info or hint, for a rule that also has warning/error sites. */
  quietTp: number;
  quietFp: number;
  n: number;
  precision: number | null;
  interval: [number, number] | null;
  unlabelledWarningError: number;
  misses: number;
  recalled: number;
}

interface Summary {
  faultline: string;
  folder: string;
  checkouts: CheckoutRun[];
  rules: RuleRow[];
  overall: { tp: number; fp: number; n: number; precision: number | null; interval: [number, number] | null; weighted: number | null; weightedCoverage: number };
  recall: { misses: number; recalled: number; recall: number | null; notRecalled: Miss[]; otherCommits: number };
  unmatchedLabels: { tp: Label[]; fp: Label[]; otherCommits: number };
  unlabelled: { warningError: number; other: number };
  findings: number;
  sites: number;
}

function emptySeverityCounts(): Record<Severity, number> {
  return { error: 0, warning: 0, info: 0, hint: 0 };
}

function summarize(options: Options, manifest: ManifestEntry[], runs: CheckoutRun[], findings: Finding[], sites: Site[], labels: Label[], misses: Miss[], version: string): Summary {
  const audited = new Set(runs.filter((run) => run.status === 'audited').map((run) => `${run.repo}\u0000${run.commit}`));
  const inScope = (record: { repo: string; commit: string; rule: string }): boolean =>
    audited.has(`${record.repo}\u0000${record.commit}`) && (options.rules === undefined || options.rules.includes(record.rule));
  const pinned = new Set(manifest.map((entry) => `${entry.name}\u0000${entry.commit}`));
  const labelByKey = new Map(labels.map((label) => [siteKey(label), label]));
  const rows = new Map<string, RuleRow>();
  const rowOf = (rule: string): RuleRow => {
    const existing = rows.get(rule);
    if (existing !== undefined) return existing;
    const row: RuleRow = { rule, bySeverity: emptySeverityCounts(), total: 0, sites: 0, warningErrorSites: 0, tp: 0, fp: 0, quietTp: 0, quietFp: 0, n: 0, precision: null, interval: null, unlabelledWarningError: 0, misses: 0, recalled: 0 };
    rows.set(rule, row);
    return row;
  };
  for (const finding of findings) {
    const row = rowOf(finding.rule);
    row.bySeverity[finding.severity]++;
    row.total++;
  }
  const overall = { tp: 0, fp: 0 };
  const unlabelled = { warningError: 0, other: 0 };
  const matchedLabels = new Set<string>();
  for (const site of sites) {
    const row = rowOf(site.first.rule);
    const loud = isWarningOrError(site.severity);
    row.sites++;
    if (loud) row.warningErrorSites++;
    const label = labelByKey.get(site.key);
    if (label === undefined) {
      if (!loud) {
        unlabelled.other++;
        continue;
      }
      row.unlabelledWarningError++;
      unlabelled.warningError++;
      continue;
    }
    matchedLabels.add(site.key);
    if (loud) {
      row[label.verdict]++;
      overall[label.verdict]++;
    } else if (label.verdict === 'tp') row.quietTp++;
    else row.quietFp++;
  }
  const unmatched: Summary['unmatchedLabels'] = { tp: [], fp: [], otherCommits: 0 };
  for (const label of labels) {
    if (!pinned.has(`${label.repo}\u0000${label.commit}`)) unmatched.otherCommits++;
    else if (inScope(label) && !matchedLabels.has(siteKey(label))) unmatched[label.verdict].push(label);
  }
  const recall: Summary['recall'] = { misses: 0, recalled: 0, recall: null, notRecalled: [], otherCommits: 0 };
  for (const miss of misses) {
    if (!pinned.has(`${miss.repo}\u0000${miss.commit}`)) {
      recall.otherCommits++;
      continue;
    }
    if (!inScope(miss)) continue;
    const row = rowOf(miss.rule);
    row.misses++;
    recall.misses++;
    const found = findings.some((finding) => finding.repo === miss.repo && finding.commit === miss.commit && finding.path === miss.path && finding.rule === miss.rule && Math.abs(finding.line - miss.line) <= MISS_LINE_TOLERANCE);
    if (found) {
      row.recalled++;
      recall.recalled++;
    } else recall.notRecalled.push(miss);
  }
  recall.recall = recall.misses === 0 ? null : recall.recalled / recall.misses;
  for (const row of rows.values()) {
    if (row.warningErrorSites === 0) {
      row.tp += row.quietTp;
      row.fp += row.quietFp;
      row.quietTp = row.quietFp = 0;
    }
    row.n = row.tp + row.fp;
    row.precision = row.n === 0 ? null : row.tp / row.n;
    row.interval = row.n === 0 ? null : wilson(row.tp, row.n);
  }
  // Each labelled rule's precision weighted by its share of warning/error sites: an estimate for
  // all of them when the labels were sampled per rule; `weightedCoverage` is the share it covers.
  const loudSites = sites.filter((site) => isWarningOrError(site.severity)).length;
  let weightedSum = 0;
  let covered = 0;
  for (const row of rows.values()) {
    if (row.precision === null || row.warningErrorSites === 0) continue;
    weightedSum += row.precision * row.warningErrorSites;
    covered += row.warningErrorSites;
  }
  const n = overall.tp + overall.fp;
  return {
    faultline: version,
    folder: options.folder,
    checkouts: runs,
    rules: [...rows.values()].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)),
    overall: {
      ...overall,
      n,
      precision: n === 0 ? null : overall.tp / n,
      interval: n === 0 ? null : wilson(overall.tp, n),
      weighted: covered === 0 ? null : weightedSum / covered,
      weightedCoverage: loudSites === 0 ? 0 : covered / loudSites,
    },
    recall,
    unmatchedLabels: unmatched,
    unlabelled,
    findings: findings.length,
    sites: sites.length,
  };
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(100 * value).toFixed(0)}%`;
}

function interval(value: [number, number] | null): string {
  return value === null ? '' : `[${percent(value[0])}-${percent(value[1])}]`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  // Numbers are right-aligned, words left-aligned.
  const align = (cell: string, index: number): string => (/^[\d.%/-]+$/.test(cell) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0));
  return rows.map((row) => row.map(align).join('  ').trimEnd()).join('\n');
}

function printSummary(summary: Summary): void {
  const audited = summary.checkouts.filter((run) => run.status === 'audited');
  console.log(`Real-code precision bench: faultline ${summary.faultline}, ${audited.length} of ${summary.checkouts.length} checkouts audited in ${summary.folder}`);
  console.log(`${summary.findings} findings at ${summary.sites} sites (a site: repository, commit, path, line, rule; labels are per site)\n`);

  console.log('Checkouts');
  console.log(table([
    ['repository', 'kind', 'files', 'skipped', 'findings', 'seconds', 'status'],
    ...summary.checkouts.map((run) => [run.repo, run.kind, String(run.files), String(run.skipped), String(run.findings), run.seconds.toFixed(1), run.status === 'audited' && run.internalErrors.length === 0 ? 'ok' : run.status === 'audited' ? `${run.internalErrors.length} internal errors` : run.status]),
  ]));
  const slowest = [...audited].sort((a, b) => b.seconds - a.seconds || (a.repo < b.repo ? -1 : 1)).slice(0, 5);
  console.log(`slowest: ${slowest.map((run) => `${run.repo} ${run.seconds.toFixed(1)} s`).join(', ')}; total ${audited.reduce((sum, run) => sum + run.seconds, 0).toFixed(1)} s\n`);

  console.log('Findings per rule and severity, labelled precision (95% interval) and recall on known misses');
  console.log('(a rule with warning/error findings: precision over those; a rule that reports at info: over all its labelled findings)');
  console.log(table([
    ['rule', 'error', 'warning', 'info', 'hint', 'tp', 'fp', 'n', 'precision', 'interval', 'unlabelled w/e', 'recall'],
    ...summary.rules.map((row) => [
      row.rule, String(row.bySeverity.error), String(row.bySeverity.warning), String(row.bySeverity.info), String(row.bySeverity.hint),
      String(row.tp), String(row.fp), String(row.n), percent(row.precision), interval(row.interval), String(row.unlabelledWarningError),
      row.misses === 0 ? '-' : `${row.recalled}/${row.misses}`,
    ]),
  ]));
  const total = emptySeverityCounts();
  for (const row of summary.rules) for (const severity of SEVERITIES) total[severity] += row.bySeverity[severity];
  console.log(`total: ${total.error} error, ${total.warning} warning, ${total.info} info, ${total.hint} hint\n`);

  const overall = summary.overall;
  console.log(`Overall precision on warning/error findings: ${percent(overall.precision)} ${interval(overall.interval)} (${overall.tp} tp / ${overall.n} labelled)`);
  console.log(`  weighted by each rule's findings: ${percent(overall.weighted)} (rules with labels cover ${percent(overall.weightedCoverage)} of warning/error findings)`);
  const recall = summary.recall;
  console.log(`Recall on known misses: ${percent(recall.recall)} (${recall.recalled} of ${recall.misses}${recall.otherCommits > 0 ? `; ${recall.otherCommits} misses are for commits not in the manifest` : ''})`);
  for (const miss of recall.notRecalled.slice(0, 30)) console.log(`  missed: ${miss.repo} ${miss.path}:${miss.line} ${miss.rule}: ${miss.reason}`);
  if (recall.notRecalled.length > 30) console.log(`  ... and ${recall.notRecalled.length - 30} more (--json lists all)`);
  const unmatched = summary.unmatchedLabels;
  console.log(`Labels no current finding matches: ${unmatched.tp.length} tp (true positives lost), ${unmatched.fp.length} fp (gone)${unmatched.otherCommits > 0 ? `; ${unmatched.otherCommits} labels are for commits not in the manifest` : ''}`);
  for (const label of unmatched.tp.slice(0, 30)) console.log(`  lost: ${label.repo} ${label.path}:${label.line} ${label.rule}: ${label.reason}`);
  console.log(`Not yet labelled: ${summary.unlabelled.warningError} warning/error, ${summary.unlabelled.other} info/hint`);

  const absent = summary.checkouts.filter((run) => run.status === 'not checked out');
  if (absent.length > 0) console.log(`\nNot checked out (run bench/real-code/checkout.sh ${summary.folder}): ${absent.map((run) => run.repo).join(', ')}`);
  const problems = summary.checkouts.filter((run) => run.status !== 'not checked out' && (run.status !== 'audited' || run.internalErrors.length > 0 || run.detail !== ''));
  if (problems.length > 0) console.log('\nProblems');
  for (const run of problems) {
    if (run.detail !== '') console.log(`  ${run.repo}: ${run.status}: ${run.detail}`);
    for (const error of run.internalErrors) console.log(`  ${run.repo}: internal error in ${error.ruleId} on ${error.path}: ${error.message.split('\n')[0] ?? ''}`);
  }
}

/** A seeded generator (cyrb53-style hash of the seed, then mulberry32): same seed, same sample. */
function randomFrom(seed: string): () => number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < seed.length; index++) {
    const code = seed.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  let state = (Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function codeContext(folder: string, finding: Finding): string {
  const file = join(folder, slugOf(finding.repo), finding.path);
  if (!existsSync(file)) return '(file not found in the checkout)';
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const first = Math.max(1, finding.line - CONTEXT_LINES);
  const last = Math.min(lines.length, finding.line + CONTEXT_LINES);
  const width = String(last).length;
  const numbered: string[] = [];
  for (let number = first; number <= last; number++) {
    const text = lines[number - 1] ?? '';
    const shown = text.length > MAX_CONTEXT_LINE_LENGTH ? `${text.slice(0, MAX_CONTEXT_LINE_LENGTH)} ...` : text;
    numbered.push(`${number === finding.line ? '>' : ' '}${String(number).padStart(width)} | ${shown}`);
  }
  return numbered.join('\n');
}

/** One JSON line per current site: where, which rule, its severity, and the label's verdict and reason if any. */
function writeSites(file: string, sites: Site[], labels: Label[]): void {
  const labelByKey = new Map(labels.map((label) => [siteKey(label), label]));
  const lines = sites.map((site) => {
    const label = labelByKey.get(site.key);
    const { repo, commit, path, line, rule } = site.first;
    return JSON.stringify({ repo, commit, path, line, rule, severity: site.severity, verdict: label?.verdict ?? null, reason: label?.reason ?? null });
  });
  writeFileSync(file, lines.join('\n') + (lines.length > 0 ? '\n' : ''));
}

/** Draws a uniform random sample of unlabelled sites; the population is sorted first, so only the seed decides. */
function writeSample(options: Options, manifest: ManifestEntry[], sites: Site[], labels: Label[], version: string): void {
  const { sample = 0, seed = '', out = '' } = options;
  const labelled = new Set(labels.map(siteKey));
  const order = new Map(manifest.map((entry, index) => [entry.name, index]));
  const population = sites
    .filter((site) => !labelled.has(site.key) && (options.severityAll || isWarningOrError(site.severity)))
    .sort((a, b) => (order.get(a.first.repo) ?? 0) - (order.get(b.first.repo) ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const random = randomFrom(seed);
  const drawn = population.slice();
  const size = Math.min(sample, drawn.length);
  for (let index = 0; index < size; index++) {
    const other = index + Math.floor(random() * (drawn.length - index));
    const chosen = drawn[other];
    const current = drawn[index];
    if (chosen === undefined || current === undefined) break;
    drawn[index] = chosen;
    drawn[other] = current;
  }
  const findings = drawn.slice(0, size).map((site) => {
    const finding = site.first;
    return {
      repo: finding.repo,
      commit: finding.commit,
      path: finding.path,
      line: finding.line,
      column: finding.column,
      rule: finding.rule,
      severity: site.severity,
      message: finding.message,
      note: finding.note,
      context: codeContext(options.folder, finding),
      label: { repo: finding.repo, commit: finding.commit, path: finding.path, line: finding.line, rule: finding.rule, verdict: '', reason: '' },
    };
  });
  const document = {
    faultline: version,
    seed,
    requested: sample,
    size,
    population: population.length,
    rules: options.rules ?? 'all',
    severities: options.severityAll ? SEVERITIES : ['error', 'warning'],
    drawnFrom: 'findings not yet in labels.jsonl, one per (repository, commit, path, line, rule), sorted, then a seeded Fisher-Yates draw',
    findings,
  };
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  // On stderr under --json, so that stdout stays one JSON document.
  (options.json ? console.error : console.log)(`\nSample: ${size} of ${population.length} unlabelled ${options.severityAll ? '' : 'warning/error '}findings (seed ${seed}) written to ${out}`);
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(CLI)) fail(`${CLI} is missing: run npm run build first`);
  const manifest = readManifest();
  const labels = readJsonLines(options.labels, parseLabel);
  const misses = readJsonLines(options.misses, parseMiss);
  const seen = new Map<string, Verdict>();
  for (const label of labels) {
    const key = siteKey(label);
    if (seen.has(key)) fail(`labels.jsonl: ${label.repo} ${label.path}:${label.line} ${label.rule} is labelled twice`);
    seen.set(key, label.verdict);
  }
  const version = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).stdout.trim();
  const findings: Finding[] = [];
  const runs: CheckoutRun[] = [];
  for (const entry of manifest) {
    if (!options.json) process.stderr.write(`auditing ${entry.name}...\n`);
    runs.push(auditCheckout(entry, options.folder, options.rules, findings));
  }
  const sites = groupSites(findings);
  const summary = summarize(options, manifest, runs, findings, sites, labels, misses, version);
  if (options.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(summary);
  if (options.sample !== undefined) writeSample(options, manifest, sites, labels, version);
  if (options.sitesOut !== undefined) writeSites(options.sitesOut, sites, labels);
  const broken = runs.some((run) => run.status === 'crashed' || run.internalErrors.length > 0);
  process.exitCode = broken ? 1 : 0;
}

main();
