/**
 * The `faultline` command-line entry point, bundled to dist/cli.js. It parses the arguments, runs
 * one command and sets the exit code: 0 when nothing at or above the severity threshold was found,
 * 1 when something was, 2 for usage errors and internal errors (a rule that threw, a path that
 * does not exist, an output file that cannot be written). It never imports the language server.
 *
 * The exit code is set with process.exitCode rather than process.exit(), so that output piped to
 * another program is flushed completely before Node exits.
 */

import { existsSync, writeFileSync } from 'node:fs';
import { RULES } from '../../../rules/index';
import { parseArguments, type AuditOptions } from './args';
import { runAudit } from './audit';
import { formatJson } from './format-json';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';
import { helpText } from './help';
import { readVersion } from './installation';
import { hasFindingAtOrAbove, keepAtOrAbove } from './report';
import { explainRule, formatRuleList } from './rule-commands';

const EXIT_CLEAN = 0;
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

function audit(options: AuditOptions): number {
  const missing = options.paths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    for (const path of missing) printError(`no such file or folder: ${path}`);
    return EXIT_USAGE_OR_INTERNAL;
  }
  const cwd = process.cwd();
  const fullReport = runAudit(options, cwd);
  const report = options.quiet ? keepAtOrAbove(fullReport, options.threshold) : fullReport;
  const version = readVersion();
  const output =
    options.format === 'json'
      ? formatJson(report, version)
      : options.format === 'sarif'
        ? formatSarif(report, version, cwd)
        : formatText(report, { color: options.outputFile === null && wantsColor(), verbose: options.verbose });

  if (options.outputFile === null) {
    process.stdout.write(output);
  } else {
    try {
      writeFileSync(options.outputFile, output);
    } catch (error) {
      printError(`could not write ${options.outputFile}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE_OR_INTERNAL;
    }
  }

  for (const error of fullReport.internalErrors) {
    printError(`internal error: rule ${error.ruleId} failed on ${error.path}: ${error.message}`);
  }
  if (fullReport.internalErrors.length > 0) return EXIT_USAGE_OR_INTERNAL;
  return hasFindingAtOrAbove(fullReport, options.threshold) ? EXIT_FINDINGS : EXIT_CLEAN;
}

function run(argv: readonly string[]): number {
  const parsed = parseArguments(argv, RULES.map((rule) => rule.meta.id));
  if (!parsed.ok) {
    printError(parsed.message);
    process.stderr.write(`\n${helpText(parsed.topic)}\n`);
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
      process.stdout.write(formatRuleList());
      return EXIT_CLEAN;
    case 'explain': {
      const docs = explainRule(command.ruleId);
      if (docs === null) {
        printError(`unknown rule '${command.ruleId}'; \`faultline rules\` lists them.`);
        return EXIT_USAGE_OR_INTERNAL;
      }
      process.stdout.write(docs);
      return EXIT_CLEAN;
    }
    case 'audit':
      return audit(command.options);
  }
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (error) {
  // Anything that gets here is a bug in Faultline, not in the user's code or config.
  printError(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = EXIT_USAGE_OR_INTERNAL;
}
