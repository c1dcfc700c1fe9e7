/**
 * The CLI's help texts: one overview and one page per command. Kept apart from the parsing so
 * the wording can change without touching the logic. A usage error prints one line pointing
 * here (usageHint), not the whole page: the error is what the user needs to see.
 */

import type { CommandName } from './args';

const OVERVIEW = `Usage: faultline <command> [options]

Flags production-risk code: unbounded SQL scans, timezone-naive date bucketing,
SQL built from strings, and more.

Commands:
  audit [paths...]     Check files and folders (default: the current folder)
  rules                List every rule with its default severity and fix level
                       (--format json for scripts)
  roles [paths...]     Show what kind of code each file is taken for (test, migration,
                       script, warehouse ...) and why: rules speak only about some roles
  explain <rule-id>    Show a rule's documentation
  init                 Write a .faultline.json for this folder: the SQL dialect detected
                       from the project's dependencies, the reporting time zone (UTC)

Options:
  -h, --help           Show help (also: faultline help <command>, faultline <command> --help)
  -v, --version        Show the version

Exit codes: 0 no findings at or above the threshold, 1 some were found (or
Faultline failed on a file: it is reported, the other files are checked),
2 usage error.`;

const AUDIT = `Usage: faultline audit [options] [paths...]

Checks SQL (.sql), JavaScript and TypeScript (.js .jsx .mjs .cjs .ts .tsx .mts .cts) and
Python (.py) files, and the SQL embedded in them, under the given files and folders;
the default path is the current folder. Folders are searched recursively,
honouring .gitignore files and always skipping .git and node_modules. Each file uses
the nearest .faultline.json above it; files its "ignore" globs cover are not checked.

Options:
  -f, --format <text|json|sarif|html|github|gitlab>
                                  Output format (default: text); html is a self-contained
                                  report with totals, a chart per rule and every finding;
                                  github prints GitHub Actions annotations (::error file=...),
                                  gitlab a GitLab Code Quality report (docs/ci.md)
  -o, --output <file>             Write the report to a file instead of stdout
      --severity <info|warning|error>
                                  Lowest severity that fails the run (default: warning,
                                  so info and hint findings never fail it)
      --rules <id,id,...>         Run only these rules
      --max-file-size-kb <n>      Skip files larger than this (default: 1024); files
                                  named explicitly are always checked
      --max-warnings <n>          Let up to n warnings pass; one more fails the run
      --baseline <file>           Report only findings not recorded in this baseline
      --update-baseline           Record the current findings in --baseline's file
      --changed-since <git-ref>   Check only files changed since the ref, and untracked ones
                                  (asked of the git repository the paths are in)
      --shard <i/n>               Check only the i-th of n deterministic parts of the files
      --no-cache                  Neither reuse nor store results in the cache
      --cache-location <folder>   Where the cache lives (default: .faultline-cache in the
                                  project's root: the git repository of the paths, or the
                                  folder of their .faultline.json, wherever you run from)
      --jobs <n>                  Worker threads (default: one per core but one; 1: none)
      --fix                       Apply the safe fixes to the files, then report what remains
      --unsafe-fixes              With --fix or --diff, also the fixes that may change behaviour
      --diff                      Print the fixes as a unified diff instead of writing them
                                  (exit 1 when there is one)
      --stdin-filename <path>     Check standard input as if it were this file (its config,
                                  language and role); with --fix, print the fixed text on
                                  stdout and the report on stderr
      --staged                    Check what git's index holds for the staged files under
                                  the paths, not the working tree (for pre-commit hooks)
  -q, --quiet                     Report only findings at or above --severity; no progress bar
      --verbose                   Also print why each finding bites in production,
                                  and the files that were skipped
  -h, --help                      Show this help

Results are cached by file content, settings and Faultline version, so an unchanged
file is not analysed again. A progress bar is drawn on stderr when it is a terminal.

Fixing: each file is fixed and linted again, pass after pass (at most 10); fixes that
overlap wait for the next pass. A file whose fixed text would parse worse than before, or
still has a finding that was fixed, is left as it was, and stderr says so. Files are
replaced in one step (temporary file, then rename), keeping their mode; a symbolic link
to a file outside the project is never written through. Named files of a kind Faultline
does not read (a .ipynb notebook, a .md) are listed as skipped, with the reason.

Exit codes: 0 nothing at or above --severity, 1 something was (a broken
.faultline.json counts as an error) or Faultline failed on a file (an internal
error: the file is listed as not analysed, every other file's findings are
reported), 2 usage error (or a failure before any file was checked).`;

const RULES_HELP = `Usage: faultline rules [--format text|json]

Lists every rule: id, default severity, the most trusted fix it offers, and what it flags.
--format json prints { "rules": [{ id, defaultSeverity, roles, description, docsPath,
docsUrl, fix, fixable }] } for scripts.`;

const ROLES_HELP = `Usage: faultline roles [--format text|json] [paths...]

Lists every file an audit of the paths would check, with the role Faultline takes it for
(production, test, migration, script, example, generated, browser, warehouse, notebook)
and what decided it (a folder, a file name, an import, the project's SQL dialect, or the
"roles" globs of .faultline.json). Each rule applies only to some roles: a migration gets
no write-without-where, a test no request-without-timeout. Correct a role with
{ "roles": { "ops/**": "script" } } in .faultline.json. See docs/roles.md.`;

const EXPLAIN = `Usage: faultline explain <rule-id>

Prints a rule's documentation: what it flags, why it bites in production, examples,
fix safety and known false positives.`;

const INIT_HELP = `Usage: faultline init [--force] [--dialect <dialect>] [--time-zone <zone>]

Writes .faultline.json in the current folder, with "$schema" (editors then complete and
check it), the SQL dialect detected from the project (package.json dependencies, Python
requirements or pyproject.toml, dbt_project.yml and profiles.yml) and the reporting time
zone (UTC unless --time-zone says otherwise). Prints what it detected and why, and the
roles it takes the files for (\`faultline roles\`), as a summary: nothing is written for them.

Options:
      --force              Replace an existing .faultline.json
      --dialect <dialect>  Write this dialect instead of the detected one (postgresql, mysql,
                           mariadb, bigquery, snowflake, sqlite, transactsql, redshift)
      --time-zone <zone>   The IANA zone your reports' days are in (default: UTC)
  -h, --help               Show this help`;

export function helpText(topic: CommandName | null): string {
  switch (topic) {
    case null:
      return OVERVIEW;
    case 'audit':
      return AUDIT;
    case 'rules':
      return RULES_HELP;
    case 'roles':
      return ROLES_HELP;
    case 'explain':
      return EXPLAIN;
    case 'init':
      return INIT_HELP;
  }
}

/** The one line under a usage error: where the full usage is. */
export function usageHint(topic: CommandName | null): string {
  return `Run 'faultline ${topic === null ? '' : `${topic} `}--help' for usage.`;
}
