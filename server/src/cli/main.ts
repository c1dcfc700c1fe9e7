/**
 * The `faultline` command-line entry point, bundled to dist/cli.js. It parses the arguments, runs
 * one command and sets the exit code: 0 when nothing at or above the severity threshold was found,
 * 1 when something was or Faultline failed on a file (an internal error: a rule that threw, or a
 * file it could not analyse; the report still covers every other file), 2 when the run itself
 * could not be done (a usage error, a path that does not exist, an output file that cannot be
 * written, a failure outside any file). It never imports the language server.
 *
 * The exit code is set with process.exitCode rather than process.exit(), so that output piped to
 * another program is flushed completely before Node exits.
 *
 * The same script is also the audit's worker thread: started by the worker pool with a marker in
 * its workerData, it serves lint batches instead of running a command (see audit-pool.ts).
 */

import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, resolve } from 'node:path';
import { RULES } from '../../../rules/index';
import { htmlReportChunks } from '../report/html';
import { parseArguments, type AuditOptions } from './args';
import { AuditUsageError, displayPath, runAudit, type AuditRun } from './audit';
import { lowerHelperThreadPriority } from './helper-threads';
import { isAuditWorker, serveAuditWorker } from './audit-pool';
import { applyBaseline, readBaseline, writeBaseline } from './baseline';
import { formatGithub } from './format-github';
import { formatGitlab } from './format-gitlab';
import { applyFixes } from './fix';
import { formatJson } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';
import { helpText, usageHint } from './help';
import { readVersion, toolIdentity } from './installation';
import { createProgressBar, NO_PROGRESS } from './progress';
import { hasFindingAtOrAbove, isAtOrAbove, keepAtOrAbove, type AuditReport } from './report';
import { explainRule, formatRuleList, formatRuleListJson } from './rule-commands';
import { runInit } from './init-command';
import { formatFileRoles, listFileRoles } from './roles-command';

/** The rules of the catalogue, as opposed to the findings every run can make (suppressions, config). */
const CATALOGUE_RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.meta.id));

const EXIT_CLEAN = 0;
/**
 * Findings at or above the threshold, or an internal error on some file. A file Faultline failed
 * on was not checked, so the run cannot pass; but the report is complete for every other file,
 * unlike a run that could not be done (2). Ruff does the same (a panic on a file is a fatal
 * diagnostic, exit 1); ESLint stops the whole run with 2 and no report.
 */
const EXIT_FINDINGS = 1;
const EXIT_USAGE_OR_INTERNAL = 2;

function printError(message: string): void {
  process.stderr.write(`faultline: ${message}\n`);
}

function wantsColor(): boolean {
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  const noColor = process.env['NO_COLOR'];
  return process.stdout.isTTY === true && (noColor === undefined || noColor === '');
}

/**
 * Whether the findings fail the run. With `--max-warnings N`, warnings are a budget rather than a
 * failure: N of them pass, one more fails; everything else at or above the threshold still fails.
 */
function failsRun(report: AuditReport, options: AuditOptions): boolean {
  if (options.maxWarnings === null) return hasFindingAtOrAbove(report, options.threshold);
  let warnings = 0;
  for (const file of report.files) {
    for (const finding of file.findings) {
      if (finding.severity === 'warning') warnings++;
      else if (isAtOrAbove(finding.severity, options.threshold)) return true;
    }
  }
  return warnings > options.maxWarnings;
}

/** The report in the requested format, as pieces of text (a large report is never one string). */
function formatReport(report: AuditReport, options: AuditOptions, cwd: string, projectRoot: string): Iterable<string> {
  const version = readVersion();
  switch (options.format) {
    case 'github':
      return [formatGithub(report, projectRoot)];
    case 'gitlab':
      return [formatGitlab(report, projectRoot)];
    case 'json':
      return formatJson(report, version);
    case 'sarif':
      return formatSarif(report, version, cwd);
    case 'html':
      return htmlReportChunks(report, { version, generatedAt: new Date().toISOString(), title: `Faultline audit of ${options.paths.map((path) => (/^\.\.?[\\/]?$/.test(path) ? basename(resolve(cwd, path)) : path)).join(', ')}` });
    case 'text':
      return formatText(report, { color: options.outputFile === null && wantsColor(), verbose: options.verbose });
  }
}

/** Pieces are written in batches of about this many characters: few writes, little held. */
const OUTPUT_BATCH_CHARACTERS = 1 << 20;

function* batched(pieces: Iterable<string>): Generator<string> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= OUTPUT_BATCH_CHARACTERS) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

async function writeToStream(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  for (const batch of batched(pieces)) {
    // A reader slower than the report (a pager, a pipe) makes the stream buffer: wait for it to drain.
    if (!stream.write(batch)) await once(stream, 'drain');
  }
}

/** Written in place, not to a temp file renamed over it, so that `--output /dev/stdout` works. */
function writeToFile(path: string, pieces: Iterable<string>): void {
  const descriptor = openSync(path, 'w');
  try {
    for (const batch of batched(pieces)) {
      const bytes = Buffer.from(batch);
      for (let written = 0; written < bytes.length; ) written += writeSync(descriptor, bytes, written);
    }
  } finally {
    closeSync(descriptor);
  }
}

async function audit(options: AuditOptions): Promise<number> {
  const missing = options.paths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    for (const path of missing) printError(`no such file or folder: ${path}`);
    return EXIT_USAGE_OR_INTERNAL;
  }
  const baseline = options.baseline === null ? null : readBaseline(options.baseline, { mayBeMissing: options.updateBaseline });
  if (baseline !== null && 'error' in baseline) {
    printError(baseline.error);
    return EXIT_USAGE_OR_INTERNAL;
  }
  const cwd = process.cwd();
  const progress = process.stderr.isTTY === true && !options.quiet ? createProgressBar(process.stderr) : NO_PROGRESS;
  lowerHelperThreadPriority();
  let run: AuditRun;
  try {
    run = await runAudit(options, { cwd, workerScript: require.main?.filename ?? __filename, toolIdentity: toolIdentity(), onProgress: (done, total) => progress.update(done, total) });
  } catch (error) {
    progress.finish();
    if (error instanceof AuditUsageError) {
      printError(error.message);
      return EXIT_USAGE_OR_INTERNAL;
    }
    throw error;
  }
  progress.finish();
  if (run.pythonProblem !== null) printError(run.pythonProblem);
  if (options.verbose) {
    // Which configuration applied where: a forgotten .faultline.json above the project is the
    // likeliest reason a rule seems not to work.
    for (const config of run.configs) {
      process.stderr.write(`faultline: ${config.path === null ? 'no .faultline.json: the defaults' : `config ${displayPath(config.path, cwd)}`} for ${config.files} file${config.files === 1 ? '' : 's'}\n`);
    }
  }
  if (options.verbose && run.cache !== null) {
    // On stderr, so that the report on stdout stays exactly what the format promises.
    process.stderr.write(`faultline: cache: ${run.cache.hits} files reused, ${run.cache.misses} linted\n`);
    if (run.cache.saveError !== null) printError(`the cache could not be written: ${run.cache.saveError}`);
  }

  let reportStream: NodeJS.WritableStream = process.stdout;
  if (options.fix.apply !== 'none') {
    const fixed = applyFixes(run, options);
    if (fixed.kind === 'exit') return fixed.code;
    run = fixed.run;
    if (fixed.reportToStderr) reportStream = process.stderr;
  }

  let fullReport = run.report;
  if (options.baseline !== null && baseline !== null && 'entries' in baseline) {
    if (options.updateBaseline) {
      // With --rules, the other rules did not run: their entries stand. Suppression and config
      // findings are not rules of the catalogue and come from every run.
      const onlyRules = options.onlyRules;
      const ranRule = (ruleId: string): boolean => onlyRules === null || onlyRules.includes(ruleId) || !CATALOGUE_RULE_IDS.has(ruleId);
      const count = writeBaseline(options.baseline, fullReport, run.auditedFiles, baseline.entries, ranRule);
      if (!options.quiet) process.stderr.write(`faultline: recorded ${count} finding${count === 1 ? '' : 's'} in ${options.baseline}\n`);
      const rewritten = readBaseline(options.baseline, { mayBeMissing: false });
      fullReport = applyBaseline(fullReport, options.baseline, 'entries' in rewritten ? rewritten.entries : []).report;
    } else {
      const applied = applyBaseline(fullReport, options.baseline, baseline.entries);
      fullReport = applied.report;
      // Say what the baseline hid, so "no problems" is not mistaken for a clean tree.
      if (!options.quiet && applied.hidden > 0) process.stderr.write(`faultline: ${applied.hidden} known finding${applied.hidden === 1 ? '' : 's'} hidden by the baseline ${options.baseline}\n`);
    }
  }
  const report = options.quiet ? keepAtOrAbove(fullReport, options.threshold) : fullReport;
  const output = formatReport(report, options, cwd, run.projectRoot);

  if (options.outputFile === null) {
    await writeToStream(reportStream, output);
  } else {
    try {
      // CI jobs write reports into folders that do not exist yet (`--output reports/x.sarif`).
      mkdirSync(dirname(resolve(options.outputFile)), { recursive: true });
      writeToFile(options.outputFile, output);
    } catch (error) {
      printError(`could not write ${options.outputFile}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE_OR_INTERNAL;
    }
  }

  // With the stack, for a bug report; the report itself lists them too (#15).
  for (const error of fullReport.internalErrors) {
    printError(error.ruleId === null ? `internal error: could not analyse ${error.path}: ${error.message}` : `internal error: rule ${error.ruleId} failed on ${error.path}: ${error.message}`);
  }
  if (fullReport.internalErrors.length > 0) return EXIT_FINDINGS;
  const fails = failsRun(fullReport, options);
  // When the warning budget is what fails the run, say so: the summary alone reads like a pass.
  if (fails && options.maxWarnings !== null) {
    const findings = fullReport.files.flatMap((file) => file.findings);
    const warnings = findings.filter((finding) => finding.severity === 'warning').length;
    const othersFail = findings.some((finding) => finding.severity !== 'warning' && isAtOrAbove(finding.severity, options.threshold));
    if (!othersFail) printError(`${warnings} warnings, more than --max-warnings ${options.maxWarnings} allows.`);
  }
  return fails ? EXIT_FINDINGS : EXIT_CLEAN;
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv, RULES.map((rule) => rule.meta.id));
  if (!parsed.ok) {
    printError(parsed.message);
    process.stderr.write(`${usageHint(parsed.topic)}\n`);
    return EXIT_USAGE_OR_INTERNAL;
  }
  const { command } = parsed;
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${helpText(command.topic)}\n`);
      return EXIT_CLEAN;
    case 'version':
      process.stdout.write(`${readVersion()}\n`);
      return EXIT_CLEAN;
    case 'rules':
      process.stdout.write(command.format === 'json' ? formatRuleListJson() : formatRuleList());
      return EXIT_CLEAN;
    case 'init':
      return runInit(command.options, process.cwd(), (text) => process.stdout.write(text), printError) ? EXIT_CLEAN : EXIT_USAGE_OR_INTERNAL;
    case 'roles':
      process.stdout.write(formatFileRoles(listFileRoles({ paths: command.paths, format: command.format }, process.cwd()), command.format));
      return EXIT_CLEAN;
    case 'explain': {
      const explained = explainRule(command.ruleId);
      if ('error' in explained) {
        printError(explained.error);
        return EXIT_USAGE_OR_INTERNAL;
      }
      process.stdout.write(explained.docs);
      return EXIT_CLEAN;
    }
    case 'audit':
      return audit(command.options);
  }
}

if (isAuditWorker()) {
  // This thread was started by the audit's worker pool: lint the batches it is sent.
  serveAuditWorker();
} else {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Anything that gets here is a bug in Faultline, not in the user's code or config.
      printError(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = EXIT_USAGE_OR_INTERNAL;
    },
  );
}
