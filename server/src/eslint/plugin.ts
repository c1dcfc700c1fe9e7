/**
 * The ESLint plugin (`faultline/eslint-plugin`, built to dist/eslint-plugin.js): every Faultline
 * rule that can fire on a JavaScript or TypeScript file (the JS/TS rules, and the SQL rules on the
 * SQL embedded in it) as an ESLint rule `faultline/<rule-id>`, for teams that adopt checks only
 * through the ESLint they already run. A front end like the CLI and the language server: it hands
 * the file's text and real path to the same lint-file glue, so roles, `.faultline.json` and
 * suppressions apply exactly as in the CLI, and turns findings into ESLint reports.
 *
 * The engine runs once per file whatever the number of rules enabled: the first Faultline rule
 * ESLint runs on a file analyses it, keyed by ESLint's SourceCode object for that pass, and every
 * rule reports its own findings from that one result. Safe fixes are ESLint fixes (`--fix`);
 * unsafe ones are suggestions, which ESLint never applies on its own; display-only fixes are not
 * offered. **Boundary:** knows nothing of LSP, and of the CLI only where the package is installed
 * (its version); ESLint is only a type import, so the bundle does not carry it.
 */

import type { ESLint, Linter, Rule, SourceCode } from 'eslint';
import { RULES, SUPPRESSION_FINDINGS, SUPPRESSIONS_DOCS_URL, docsUrlFor, ruleTargets, type Finding, type Fix, type RuleMeta, type Severity } from '../../../rules/index';
import { createConfigResolver, type ConfigResolver } from '../workspace/config-resolver';
import { lintFile, todayIso } from '../workspace/lint-file';
import { createProjectFacts, type ProjectFactsSource } from '../workspace/project-facts';
import { readVersion } from '../cli/installation';

/** What the plugin needs to know about one rule id to describe it to ESLint. */
interface PluginRuleSpec {
  id: string;
  summary: string;
  docsUrl: string;
  defaultSeverity: Severity;
  fix: RuleMeta['fix'];
}

/** The catalogue's rules that can fire on JS/TS: script rules, and SQL rules through embedded SQL. */
function scriptRuleSpecs(): PluginRuleSpec[] {
  return RULES.map((rule) => rule.meta)
    .filter((meta) => ruleTargets(meta).some((target) => target === 'script' || target === 'sql'))
    .map((meta) => ({ id: meta.id, summary: meta.summary, docsUrl: docsUrlFor(meta), defaultSeverity: meta.defaultSeverity, fix: meta.fix }));
}

/** The findings about faultline-ignore comments, which the CLI reports too. */
function suppressionRuleSpecs(): PluginRuleSpec[] {
  return Object.values(SUPPRESSION_FINDINGS).map((finding) => ({ id: finding.id, summary: finding.summary, docsUrl: SUPPRESSIONS_DOCS_URL, defaultSeverity: finding.severity, fix: 'none' }));
}

const ESLINT_DOCS_URL = 'https://github.com/faultline/faultline/blob/main/docs/eslint.md';

const RULE_SPECS: readonly PluginRuleSpec[] = [...scriptRuleSpecs(), ...suppressionRuleSpecs()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** What one pass of the engine over one file gave, split by rule for the ESLint rules to report. */
interface FileAnalysis {
  findingsByRule: Map<string, Finding[]>;
  /**
   * Why the file got no analysis, a partial one or one without its config: not analysed (minified,
   * too deeply nested, an internal error), a rule that failed on it, a `.faultline.json` with
   * errors. The `not-analysed` rule reports them, so a file never looks clean for those reasons.
   */
  problems: string[];
}

/**
 * Keyed by ESLint's SourceCode object, which is new for each file and each fix pass and shared
 * by the rules of one pass; the filename is checked too, because a caller of ESLint's Linter may
 * hand the same SourceCode to several files.
 */
const analysisBySourceCode = new WeakMap<SourceCode, { filename: string; analysis: FileAnalysis }>();

/**
 * ESLint can live for hours inside an editor or a daemon, where a `.faultline.json` may be edited
 * or created between two lints, or another module of the project changed. The config resolver is
 * made afresh after a pause of a couple of seconds without linting; the project facts, which cost
 * a read of the project's scripts, after half a minute. One command-line run keeps both (the
 * project is read once); an editor sees a config edit at its next lint and another module's
 * change within half a minute.
 */
const RESOLVER_IDLE_RENEWAL_MS = 2_000;
const FACTS_IDLE_RENEWAL_MS = 30_000;
let session: { lastUsed: number; resolver: ConfigResolver; factsLastUsed: number; projectFacts: ProjectFactsSource } | null = null;

function currentSession(): { resolver: ConfigResolver; projectFacts: ProjectFactsSource } {
  const now = Date.now();
  if (session === null || now - session.lastUsed > RESOLVER_IDLE_RENEWAL_MS) {
    const resolver = createConfigResolver();
    const keepFacts = session !== null && now - session.factsLastUsed <= FACTS_IDLE_RENEWAL_MS;
    session = { lastUsed: now, resolver, factsLastUsed: now, projectFacts: keepFacts && session !== null ? session.projectFacts : createProjectFacts(resolver) };
  }
  session.lastUsed = now;
  session.factsLastUsed = now;
  return session;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? '';
}

function analyse(filename: string, text: string): FileAnalysis {
  const analysis: FileAnalysis = { findingsByRule: new Map(), problems: [] };
  // A file whose name Faultline does not read (`.vue`, `.d.ts`) comes back ignored.
  const { resolver, projectFacts } = currentSession();
  const outcome = lintFile(filename, text, resolver, { today: todayIso(), projectFacts });
  if (outcome.ignored) return analysis;
  const { resolved, result } = outcome;
  if (resolved.usingFallback && resolved.configPath !== null) {
    const problem = resolved.problems.find((candidate) => candidate.severity === 'error');
    analysis.problems.push(`${resolved.configPath} has errors, so Faultline checked this file without it${problem === undefined ? '' : `: ${problem.message}`}`);
  }
  if (result.notAnalysed !== undefined) {
    analysis.problems.push(`Faultline did not analyse this file: ${result.notAnalysed}`);
  } else {
    for (const error of result.internalErrors) {
      if (error.ruleId !== null) analysis.problems.push(`Faultline's rule \`${error.ruleId}\` failed on this file, so its findings are missing (please report it): ${firstLine(error.message)}`);
    }
  }
  for (const finding of result.findings) {
    const list = analysis.findingsByRule.get(finding.ruleId);
    if (list === undefined) analysis.findingsByRule.set(finding.ruleId, [finding]);
    else list.push(finding);
  }
  return analysis;
}

function analysisFor(context: Rule.RuleContext): FileAnalysis {
  const { sourceCode, filename } = context;
  const known = analysisBySourceCode.get(sourceCode);
  if (known !== undefined && known.filename === filename) return known.analysis;
  const analysis = analyse(filename, sourceCode.text);
  analysisBySourceCode.set(sourceCode, { filename, analysis });
  return analysis;
}

function fixerFor(fix: Fix): Rule.ReportFixer {
  return (fixer) => fix.edits.map((edit) => fixer.replaceTextRange([edit.range.start, edit.range.end], edit.newText));
}

/**
 * One finding as an ESLint report: the first safe fix is the autofix (what the editor's fix-all
 * applies too), and every other fix that may be applied is a suggestion, unsafe ones marked so.
 */
function reportFinding(context: Rule.RuleContext, finding: Finding): void {
  const { sourceCode } = context;
  const autofix = finding.fixes.find((fix) => fix.safety === 'safe');
  const suggestions = finding.fixes.filter((fix) => fix !== autofix && fix.safety !== 'display-only');
  context.report({
    loc: { start: sourceCode.getLocFromIndex(finding.range.start), end: sourceCode.getLocFromIndex(finding.range.end) },
    message: finding.message,
    fix: autofix === undefined ? null : fixerFor(autofix),
    suggest: suggestions.map((fix) => ({ desc: fix.safety === 'unsafe' ? `${fix.title} (review: may change behaviour)` : fix.title, fix: fixerFor(fix) })),
  });
}

function createRule(spec: PluginRuleSpec): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description: spec.summary, url: spec.docsUrl, recommended: isRecommended(spec) },
      ...(spec.fix === 'safe' ? { fixable: 'code' as const } : {}),
      ...(spec.fix === 'safe' || spec.fix === 'unsafe' ? { hasSuggestions: true } : {}),
      // Options live in .faultline.json, which the CLI and the editor read too.
      schema: [],
    },
    create(context) {
      return {
        Program() {
          for (const finding of analysisFor(context).findingsByRule.get(spec.id) ?? []) reportFinding(context, finding);
        },
      };
    },
  };
}

/** The rule that says when Faultline could not check a file as configured (see FileAnalysis.problems). */
const NOT_ANALYSED_RULE_ID = 'not-analysed';

function createNotAnalysedRule(): Rule.RuleModule {
  return {
    meta: {
      type: 'problem',
      docs: { description: 'a file Faultline could not check as configured: not analysed, a rule that failed on it, or a .faultline.json with errors', url: ESLINT_DOCS_URL, recommended: true },
      schema: [],
    },
    create(context) {
      return {
        Program() {
          for (const problem of analysisFor(context).problems) context.report({ loc: { line: 1, column: 0 }, message: problem });
        },
      };
    },
  };
}

/** `recommended` keeps the engine's defaults: rules that warn or fail by default, not the informational ones. */
function isRecommended(spec: PluginRuleSpec): boolean {
  return spec.defaultSeverity === 'error' || spec.defaultSeverity === 'warning';
}

function eslintLevel(severity: Severity): Linter.RuleSeverity {
  return severity === 'error' ? 'error' : 'warn';
}

const rules: Record<string, Rule.RuleModule> = { ...Object.fromEntries(RULE_SPECS.map((spec) => [spec.id, createRule(spec)])), [NOT_ANALYSED_RULE_ID]: createNotAnalysedRule() };

const plugin = {
  meta: { name: 'faultline', version: readVersion() },
  rules,
  configs: {} as Record<'recommended' | 'all', Linter.Config>,
} satisfies ESLint.Plugin;

// The configs name the plugin object itself, so a config that also lists it under `plugins`
// holds the same object, which ESLint requires of one plugin name.
plugin.configs.recommended = {
  name: 'faultline/recommended',
  plugins: { faultline: plugin },
  rules: { ...Object.fromEntries(RULE_SPECS.filter(isRecommended).map((spec) => [`faultline/${spec.id}`, eslintLevel(spec.defaultSeverity)])), [`faultline/${NOT_ANALYSED_RULE_ID}`]: 'warn' },
};
plugin.configs.all = {
  name: 'faultline/all',
  plugins: { faultline: plugin },
  rules: { ...Object.fromEntries(RULE_SPECS.map((spec) => [`faultline/${spec.id}`, eslintLevel(spec.defaultSeverity)])), [`faultline/${NOT_ANALYSED_RULE_ID}`]: 'warn' },
};

export = plugin;
