/**
 * The runner: one document in, findings out. It picks the rules that apply (language, settings,
 * prefilter words), builds each SQL source once (the .sql file, or every query embedded in a
 * JS/TS file), walks every source once feeding all rules' visitors, maps embedded findings back
 * to the host file, caps fixes at each rule's declared safety, and applies suppressions.
 * A rule that throws is recorded as an internal error and the other rules' findings still arrive;
 * anything else that throws makes the file "not analysed", never an exception for the caller.
 * Python files are parsed once by tree-sitter and walked once; before the front end has loaded
 * the grammar (see languages/python.ts) they get no findings at all.
 */

import { mapEditToHost, mapRangeToHost, type EmbeddedText } from './embedded';
import { buildSqlSource, looksLikeSql, type SqlSource, type SqlStatement } from './languages/sql/source';
import { EMBEDDED_SQL_PREFILTER, fileNodes, findEmbeddedSql, parseScript, ts, type EmbeddedSqlSite, type ScriptParseCache } from './languages/typescript';
import { createPythonSqlCollector, isPythonInitialized, parsePython, walkPython, type PythonNode, type PythonSqlSite } from './languages/python';
import { docsUrlFor, ruleTargets, SUPPRESSIONS_DOCS_URL, type PythonVisitors, type Rule, type RuleContext, type RuleTarget, type ScriptVisitors, type SqlVisitors } from './rule';
import { PrefilterProgram, type PrefilterTerm } from './prefilter';
import { failedResult, soundResult } from './guard';
import { looksMinified } from './text';
import { uncalledFunctions } from './languages/uncalled-functions';
import { detectFileRole, runsWarehouseSql } from './roles';
import { NO_PROJECT_FACTS } from './project-facts';

/** Said under each finding demoted because its module looks unused (ProjectFacts.unimported). */
function retiredNote(reason: string): string {
  return `Shown as info: this job no longer runs (${reason}). Remove the code, or the flag if the job runs again.`;
}

/** Said under each finding demoted because its module is part of a command-line tool (ProjectFacts.commandLineTool). */
function commandLineToolNote(tool: string): string {
  return `Shown as info: this module is part of a command-line tool (${tool}: its package.json has a \`bin\` and a CLI framework), which a person runs and can stop. Where it runs unattended (in CI, from cron), the finding holds: give it a \`roles\` entry of "production" in .faultline.json.`;
}

/**
 * Findings in a function nothing in its module can call (languages/uncalled-functions.ts) stay
 * visible, at info: that code does not run. Looked for only when there is a warning or an error.
 */
function quietFindingsInUncalledFunctions(sourceFile: ts.SourceFile, findings: SuppressibleFinding[], unusedExports: readonly string[] | undefined): void {
  if (!findings.some((finding) => finding.severity === 'warning' || finding.severity === 'error')) return;
  const uncalled = uncalledFunctions(sourceFile, new Set(unusedExports));
  if (uncalled.length === 0) return;
  for (const [index, finding] of findings.entries()) {
    if (finding.severity !== 'warning' && finding.severity !== 'error') continue;
    const holder = uncalled.find((fn) => finding.range.start >= fn.start && finding.range.end <= fn.end);
    if (holder === undefined) continue;
    const note = holder.exported
      ? `Shown as info: \`${holder.name}\` is never called: it is exported, but no module of this project imports it (tests aside) and no code of this module names it but functions that are never called either. If code outside the project calls it, the finding holds.`
      : `Shown as info: \`${holder.name}\` is never called: it is not exported, and no code of this module names it but functions that are never called either. Remove it, or export or call it if something should.`;
    findings[index] = { ...finding, severity: 'info', note: finding.note === undefined ? note : `${finding.note}\n\n${note}` };
  }
}

/** Said under each finding demoted because its module is a program nothing starts (ProjectFacts.handRun). */
export const HAND_RUN_NOTE = 'Shown as info: this file runs as a program (`if __name__ == \'__main__\'`) and nothing in this project imports it or starts it (no Procfile, Dockerfile, shell script, Makefile or YAML names it), so it looks like a script a person runs by hand and can stop. If a scheduler or a service runs it, the finding holds: say so with a `roles` entry of "production" in .faultline.json (e.g. { "roles": { "utils/sync_users.py": "production" } }).';
export const UNIMPORTED_NOTE = 'Shown as info: no file of this project imports this module and nothing marks it as an entry point, so it looks unused. If something does load it, say so with a `roles` entry in .faultline.json (e.g. { "roles": { "src/lambdas/**": "production" } }).';
import { SUPPRESSION_FINDINGS, applySuppressions, parseSuppressions, type SuppressibleFinding, type SuppressionDirective } from './suppressions';
import type { FileRole, Finding, Fix, InternalError, LintResult, LintSettings, RuleOptions, Severity, SourceDocument } from './types';

const FIX_RANK: Record<string, number> = { none: 0, 'display-only': 1, unsafe: 2, safe: 3 };

interface ActiveRule {
  rule: Rule;
  severity: Severity;
  options: RuleOptions;
}

/** Whether a rule with these targets has anything to look at in a document of this language. */
function appliesTo(target: RuleTarget | readonly RuleTarget[], languageId: SourceDocument['languageId']): boolean {
  const targets = ruleTargets({ target });
  if (targets.includes('sql')) return true;
  if (languageId === 'python') return targets.includes('python');
  return languageId !== 'sql' && targets.includes('script');
}

/** The rules that may run on documents of one language under one settings object, and their prefilters compiled. */
interface Candidates {
  rules: readonly ActiveRule[];
  /** One term list per rule, in the same order. */
  prefilter: PrefilterProgram;
}

/**
 * The rules that can run on a language under a settings object, worked out once per rule list,
 * settings object and language rather than per file: an audit lints thousands of files with the
 * same few settings objects.
 */
const CANDIDATES = new WeakMap<readonly Rule[], WeakMap<LintSettings, Map<SourceDocument['languageId'], Candidates>>>();

function candidatesFor(rules: readonly Rule[], settings: LintSettings, languageId: SourceDocument['languageId']): Candidates {
  let bySettings = CANDIDATES.get(rules);
  if (bySettings === undefined) {
    bySettings = new WeakMap();
    CANDIDATES.set(rules, bySettings);
  }
  let byLanguage = bySettings.get(settings);
  if (byLanguage === undefined) {
    byLanguage = new Map();
    bySettings.set(settings, byLanguage);
  }
  const known = byLanguage.get(languageId);
  if (known !== undefined) return known;
  // A JS/TS file shows SQL rules nothing but its embedded queries: the check that it has any
  // stands for all their prefilters (their SQL words would be found in any large script).
  const isScript = languageId !== 'sql' && languageId !== 'python';
  const list: ActiveRule[] = [];
  const terms: (readonly PrefilterTerm[])[] = [];
  for (const rule of rules) {
    const { meta } = rule;
    if (!appliesTo(meta.target, languageId)) continue;
    if (settings.onlyRules !== undefined && !settings.onlyRules.includes(meta.id)) continue;
    const setting = settings.rules[meta.id];
    const level = setting?.level ?? meta.defaultSeverity;
    if (level === 'off') continue;
    terms.push(isScript && ruleTargets(meta).includes('sql') ? EMBEDDED_SQL_PREFILTER : languageId === 'python' ? (meta.pythonPrefilter ?? meta.prefilter) : meta.prefilter);
    list.push({ rule, severity: level, options: { ...meta.options, ...(setting?.options ?? {}) } });
  }
  const candidates = { rules: list, prefilter: new PrefilterProgram(terms, languageId) };
  byLanguage.set(languageId, candidates);
  return candidates;
}

/**
 * Whether a rule speaks about a file of this role: its SQL visitors are asked about the role of
 * the SQL the file runs, its other visitors about the file's own role.
 */
function appliesInRole(rule: Rule, fileRole: FileRole, sqlRole: FileRole): boolean {
  const { appliesTo } = rule.meta;
  return ruleTargets(rule.meta).includes('sql') ? appliesTo.includes(sqlRole) : appliesTo.includes(fileRole);
}

function activeRules(rules: readonly Rule[], document: SourceDocument, settings: LintSettings, fileRole: FileRole, sqlRole: FileRole): ActiveRule[] {
  const candidates = candidatesFor(rules, settings, document.languageId);
  // Rules that do not speak about this role are dropped before the prefilter reads the text.
  const inRole = candidates.rules.map((entry) => appliesInRole(entry.rule, fileRole, sqlRole));
  if (!inRole.includes(true)) return [];
  const admitted = candidates.prefilter.admitted(document.text, Object.values(document.project?.modelImports ?? {}));
  return candidates.rules.filter((_, index) => admitted[index] === true && inRole[index] === true);
}

/** The ids of a rule list, which suppressions are checked against: one set per list, not per file. */
const KNOWN_RULE_IDS = new WeakMap<readonly Rule[], ReadonlySet<string>>();

/** State a caller may keep per document between edits to make the next lint incremental. */
export interface LintCache {
  script?: ScriptParseCache;
}

/**
 * Lints one document, and returns whatever the text holds (issue #15): an exception out of the
 * engine becomes the file's outcome (not analysed, with the reason; an internal error unless a
 * parser's limit was reached), and no result holds a range outside the text or a fix whose edits
 * overlap (see guard.ts). One file's failure is that file's failure, in every front end.
 */
export function lintDocument(document: SourceDocument, settings: LintSettings, rules: readonly Rule[], cache?: LintCache): LintResult {
  try {
    return soundResult(lintDocumentUnguarded(document, settings, rules, cache), document.text.length);
  } catch (error) {
    // A parse that failed half-way may have left the editor's previous tree half-updated.
    if (cache !== undefined) delete cache.script;
    return failedResult(error);
  }
}

/**
 * The runner without its guard: exceptions escape and ranges are not clamped. Only the fuzzer
 * (bench/fuzz.ts) calls it, to see the faults the guard would otherwise hide; everything else
 * calls lintDocument.
 */
export function lintDocumentUnguarded(document: SourceDocument, settings: LintSettings, rules: readonly Rule[], cache?: LintCache): LintResult {
  const findings: SuppressibleFinding[] = [];
  const internalErrors: InternalError[] = [];
  const stats = { sqlStatements: 0 };
  // Without the grammar nothing can be said about a Python file, not even that a suppression in
  // it is unused: it gets no findings until the front end has loaded the parser.
  if (document.languageId === 'python' && !isPythonInitialized()) return { findings: [], internalErrors, stats };
  // A minified bundle is generated: a finding in it cannot be fixed where it is reported, and
  // parsing it would cost the most of any file. It is said to be skipped rather than clean.
  if (document.languageId !== 'sql' && document.languageId !== 'python' && looksMinified(document.text)) {
    return { findings: [], internalErrors, stats, notAnalysed: 'minified (very long lines): generated code is not analysed' };
  }
  const project = document.project ?? NO_PROJECT_FACTS;
  const role = detectFileRole(document.path, document.languageId, document.text, settings, project);
  const sqlRole: FileRole = runsWarehouseSql(role, document.languageId, document.text) ? 'warehouse' : role.role;
  const active = activeRules(rules, document, settings, role.role, sqlRole);
  const ranRules = new Set(active.map((entry) => entry.rule.meta.id));

  /** Where findings of the current source go, and how their offsets map to the document. */
  let currentTarget: { embedded: EmbeddedText | null; anchors: number[]; substitutions: { expressionText: string }[] } = { embedded: null, anchors: [], substitutions: [] };
  // Messages show a substitution as the host language writes one: `${expr}` in JS, `{expr}` in Python.
  const substitutionOpen = document.languageId === 'python' ? '{' : '${';
  let statementAnchor = 0;
  /**
   * The script node being visited, whose start is the anchor: computed only when a rule reports
   * (finding a node's start skips its leading trivia, and most visited nodes report nothing).
   */
  let anchorNode: ts.Node | null = null;
  let anchorFile: ts.SourceFile | null = null;
  /** The SQL statement the rules are visiting, while they visit one. */
  let currentStatement: SqlStatement | null = null;
  const rulesById = new Map(active.map((entry) => [entry.rule.meta.id, entry.rule]));

  const instantiate = (entry: ActiveRule): SqlVisitors & ScriptVisitors & PythonVisitors => {
    const { meta } = entry.rule;
    const context: RuleContext<string> = {
      options: entry.options,
      fileRole: ruleTargets(meta).includes('sql') ? sqlRole : role.role,
      dialect: settings.sqlDialect,
      reportingTimeZone: settings.reportingTimeZone,
      project,
      report(descriptor) {
        // A rule that needs well-formed SQL runs on every statement, and what it reports stands
        // only if the grammar accepts the statement: the grammar is asked about findings, not
        // about every statement (see ParsedOnDemand).
        if (meta.requiresParse && currentStatement !== null && !currentStatement.parses) return;
        const template = meta.messages[descriptor.messageId] ?? descriptor.messageId;
        let message = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => descriptor.data?.[name] ?? '');
        // Embedded SQL shows its substitutions as the host wrote them, never as internal markers.
        const substitutions = currentTarget.substitutions;
        if (substitutions.length > 0) message = message.replace(/__fl_(\d+)__/g, (marker, index: string) => {
          const expression = substitutions[Number(index)]?.expressionText;
          return expression === undefined ? marker : `${substitutionOpen}${expression}}`;
        });
        const fixes = (descriptor.fixes ?? []).filter((fix) => (FIX_RANK[fix.safety] ?? 0) <= (FIX_RANK[meta.fix] ?? 0));
        const target = currentTarget;
        const mappedFixes: Fix[] = [];
        for (const fix of fixes) {
          if (target.embedded === null) {
            mappedFixes.push(fix);
            continue;
          }
          const embedded = target.embedded;
          const edits = fix.edits.map((edit) => mapEditToHost(embedded, edit));
          if (edits.every((edit) => edit !== null)) mappedFixes.push({ ...fix, edits: edits.filter((edit) => edit !== null) });
        }
        const embedded = target.embedded;
        if (anchorNode !== null) {
          statementAnchor = anchorNode.getStart(anchorFile ?? undefined);
          anchorNode = null;
        }
        const anchors = [...target.anchors, embedded === null ? statementAnchor : mapRangeToHost(embedded, { start: statementAnchor, end: statementAnchor }).start];
        // Code nothing imports or runs cannot fail in production, and a rule may know its finding is
        // bounded elsewhere: such findings stay visible, quietly.
        const quietNote = project.retired !== undefined ? retiredNote(project.retired) : project.unimported === true ? UNIMPORTED_NOTE : project.handRun === true ? HAND_RUN_NOTE : project.commandLineTool !== undefined && role.source !== 'config' ? commandLineToolNote(project.commandLineTool) : descriptor.quiet;
        const unimported = quietNote !== undefined && (entry.severity === 'warning' || entry.severity === 'error');
        findings.push({
          ruleId: meta.id,
          severity: unimported ? 'info' : entry.severity,
          message,
          note: unimported ? `${meta.why}\n\n${quietNote}` : meta.why,
          range: embedded === null ? descriptor.range : mapRangeToHost(embedded, descriptor.range),
          fixes: mappedFixes,
          related: (descriptor.related ?? []).map((related) => (embedded === null ? related : { ...related, range: mapRangeToHost(embedded, related.range) })),
          docsUrl: docsUrlFor(meta),
          anchors,
          suppressionAnchor: Math.min(...anchors),
        });
      },
    };
    return entry.rule.create(context);
  };

  const guard = (ruleId: string, action: () => void): void => {
    try {
      action();
    } catch (error) {
      // Half-typed or procedural SQL is not a rule's to read when it needs well-formed SQL.
      const rule = rulesById.get(ruleId);
      if (rule?.meta.requiresParse === true && currentStatement !== null && !currentStatement.parses) return;
      if (!internalErrors.some((existing) => existing.ruleId === ruleId)) {
        internalErrors.push({ ruleId, message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
      }
    }
  };

  const sqlRules = active.filter((entry) => ruleTargets(entry.rule.meta).includes('sql')).map((entry) => ({ entry, visitors: instantiate(entry) }));

  const runSqlRules = (source: SqlSource): void => {
    for (const statement of source.statements) {
      stats.sqlStatements++;
      statementAnchor = statement.range.start;
      currentStatement = statement;
      for (const { entry, visitors } of sqlRules) {
        const statementVisitor = visitors.statement;
        if (statementVisitor !== undefined) guard(entry.rule.meta.id, () => statementVisitor(statement, source));
        const blockVisitor = visitors.block;
        if (blockVisitor === undefined) continue;
        for (const block of statement.model.blocks) guard(entry.rule.meta.id, () => blockVisitor(block, statement, source));
      }
    }
    currentStatement = null;
  };

  let commentHost = document.text;
  if (document.languageId === 'sql') {
    if (sqlRules.length > 0) runSqlRules(buildSqlSource(document.text, settings.sqlDialect));
  } else if (document.languageId === 'python') {
    const pythonRules = active.filter((entry) => ruleTargets(entry.rule.meta).includes('python')).map((entry) => ({ entry, visitors: instantiate(entry) }));
    const file = sqlRules.length > 0 || pythonRules.length > 0 ? parsePython(document.text) : null;
    if (file !== null) {
      try {
        // One walk feeds the rules' node visitors and collects the calls that may run SQL.
        const wantsSites = sqlRules.length > 0 || pythonRules.some(({ visitors }) => visitors.pythonEmbeddedSql !== undefined);
        const collector = wantsSites ? createPythonSqlCollector(document.text) : null;
        const handlers = new Map<string, { ruleId: string; handler: (node: PythonNode) => void }[]>();
        for (const { entry, visitors } of pythonRules) {
          const fileVisitor = visitors.pythonFile;
          if (fileVisitor !== undefined) guard(entry.rule.meta.id, () => fileVisitor(file));
          for (const [type, handler] of Object.entries(visitors.pythonNodes ?? {})) {
            if (handler === undefined) continue;
            const list = handlers.get(type) ?? [];
            list.push({ ruleId: entry.rule.meta.id, handler });
            handlers.set(type, list);
          }
        }
        const handledTypes = new Set([...handlers.keys(), ...(collector?.handledTypes ?? [])]);
        if (handledTypes.size > 0) {
          walkPython(file.root, handledTypes, (node) => {
            if (collector !== null && collector.handledTypes.includes(node.type)) collector.visit(node);
            const list = handlers.get(node.type);
            if (list === undefined) return;
            statementAnchor = node.startIndex;
            for (const { ruleId, handler } of list) guard(ruleId, () => handler(node));
          });
        }
        const sites: { site: PythonSqlSite; source: SqlSource }[] = [];
        for (const site of collector?.sites() ?? []) {
          const source = buildSqlSource(site.embedded.text, settings.sqlDialect, site.substitutions, true, site.host);
          if (!looksLikeSql(source)) continue;
          sites.push({ site, source });
          currentTarget = { embedded: site.embedded, anchors: [site.node.startIndex], substitutions: site.substitutions };
          runSqlRules(source);
        }
        currentTarget = { embedded: null, anchors: [], substitutions: [] };
        for (const { entry, visitors } of pythonRules) {
          const embeddedVisitor = visitors.pythonEmbeddedSql;
          if (embeddedVisitor === undefined) continue;
          for (const { site, source } of sites) {
            statementAnchor = site.node.startIndex;
            guard(entry.rule.meta.id, () => embeddedVisitor(site, source));
          }
        }
      } finally {
        file.dispose();
      }
    }
  } else {
    const scriptRules = active.filter((entry) => ruleTargets(entry.rule.meta).includes('script')).map((entry) => ({ entry, visitors: instantiate(entry) }));
    // With no rule active (no script rule's terms in the text, and no query call or SQL tag for
    // the SQL rules) the file is never parsed: that is most files of a large audit.
    if (sqlRules.length > 0 || scriptRules.length > 0) {
      if (cache !== undefined) cache.script ??= {};
      const sourceFile = parseScript(document.text, document.path, document.languageId, cache?.script);
      const sites: { site: EmbeddedSqlSite; source: SqlSource }[] = [];
      for (const site of findEmbeddedSql(sourceFile)) {
        const source = buildSqlSource(site.embedded.text, settings.sqlDialect, site.substitutions, true);
        if (site.kind === 'call' && !looksLikeSql(source)) continue;
        sites.push({ site, source });
        currentTarget = { embedded: site.embedded, anchors: [site.node.getStart(sourceFile)], substitutions: site.substitutions };
        runSqlRules(source);
      }
      currentTarget = { embedded: null, anchors: [], substitutions: [] };
      statementAnchor = 0;
      anchorFile = sourceFile;
      runScriptRules(sourceFile, scriptRules, sites, guard, (node) => {
        anchorNode = node;
      });
      quietFindingsInUncalledFunctions(sourceFile, findings, document.project?.unusedExports);
    }
    commentHost = document.text;
  }

  const directives = parseSuppressions(commentHost);
  let knownRuleIds = KNOWN_RULE_IDS.get(rules);
  if (knownRuleIds === undefined) {
    knownRuleIds = new Set(rules.map((rule) => rule.meta.id));
    KNOWN_RULE_IDS.set(rules, knownRuleIds);
  }
  const outcome = applySuppressions(document.text, findings, directives, {
    today: settings.today,
    knownRuleIds,
    ranRules,
    ...(settings.onlyRules === undefined ? {} : { selectedRules: new Set(settings.onlyRules) }),
    factory: {
      invalid: (directive, message) => directiveFinding(directive, SUPPRESSION_FINDINGS.invalid.id, SUPPRESSION_FINDINGS.invalid.severity, message),
      unused: (directive, ruleId) => ({ ...directiveFinding(directive, SUPPRESSION_FINDINGS.unused.id, SUPPRESSION_FINDINGS.unused.severity, `Unused suppression: no \`${ruleId}\` finding here any more; remove it.`), tags: ['unnecessary'] }),
    },
  });
  const all = [...outcome.findings, ...outcome.directiveFindings].sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  return { findings: dedupe(all), internalErrors, stats, role, ...(outcome.suppressed.length > 0 ? { suppressed: outcome.suppressed } : {}) };
}

function runScriptRules(
  sourceFile: ts.SourceFile,
  scriptRules: { entry: ActiveRule; visitors: SqlVisitors & ScriptVisitors }[],
  sites: { site: EmbeddedSqlSite; source: SqlSource }[],
  guard: (ruleId: string, action: () => void) => void,
  setAnchor: (node: ts.Node) => void,
): void {
  if (scriptRules.length === 0) return;
  for (const { entry, visitors } of scriptRules) {
    const fileVisitor = visitors.file;
    if (fileVisitor !== undefined) guard(entry.rule.meta.id, () => fileVisitor(sourceFile));
    const embeddedVisitor = visitors.embeddedSql;
    if (embeddedVisitor === undefined) continue;
    for (const { site, source } of sites) {
      setAnchor(site.node);
      guard(entry.rule.meta.id, () => embeddedVisitor(site, source));
    }
  }
  // One pass over the file's nodes feeds every rule's node visitors, found by the node's kind.
  const handlers: ({ ruleId: string; handler: (node: ts.Node) => void }[] | undefined)[] = [];
  let handled = false;
  for (const { entry, visitors } of scriptRules) {
    for (const [kind, handler] of Object.entries(visitors.nodes ?? {})) {
      if (handler === undefined) continue;
      const key = Number(kind);
      (handlers[key] ??= []).push({ ruleId: entry.rule.meta.id, handler });
      handled = true;
    }
  }
  if (!handled) return;
  // An index loop: for-of allocates an iterator result per node until the loop is optimized,
  // and this loop runs over every node of every parsed file (tens of MB of garbage per audit).
  const nodes = fileNodes(sourceFile);
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as ts.Node;
    const list = handlers[node.kind];
    if (list === undefined) continue;
    setAnchor(node);
    for (const entry of list) {
      // As guard does, without a closure per call: this loop runs for most nodes of the file.
      try {
        entry.handler(node);
      } catch (error) {
        guard(entry.ruleId, () => {
          throw error;
        });
      }
    }
  }
}

function directiveFinding(directive: SuppressionDirective, ruleId: string, severity: Severity, message: string): Finding {
  return {
    ruleId,
    severity,
    message,
    note: 'Suppressions need a rule id and a reason so the next reader knows why the risk is accepted.',
    range: directive.range,
    fixes: [],
    related: [],
    docsUrl: SUPPRESSIONS_DOCS_URL,
  };
}

/** The same rule at the same range once (a constant used by two query calls is reported once). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.ruleId}:${finding.range.start}:${finding.range.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
