/**
 * The data-driven rule tester. Every rule folder has fixtures/:
 *   flag.<dialect?>.<ext>   code the rule must flag; each expected finding's first line carries
 *                           `expect: <rule-id>` in a comment (repeat it for two findings), or
 *                           `expect: <rule-id> (info)` for a finding the rule shows at info.
 *   clean.<dialect?>.<ext>  realistic code the rule must leave alone.
 *   fix.<dialect?>.<ext> + fix.<dialect?>.<ext>.fixed
 *                           the text after applying the first fix of every finding of the rule.
 * <dialect> is one of the SQL dialects (postgresql when absent); <ext> is sql, ts, js or py.
 * A fixture may set rule options with a first-line comment `fixture-options: { ... }`, the
 * reporting time zone (UTC otherwise) with `fixture-zone: <IANA name>`, and its file role with
 * `fixture-role: <role>`, on that line (as a project's `roles` config would; fixtures are production
 * code otherwise, and a BigQuery, Snowflake or Redshift .sql file warehouse code).
 * After a fix, the text must still parse and linting it again must offer no further fix.
 */

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './helpers/paths';
import { applyEdits, computeLineStarts, countParsingStatements, FILE_ROLES, languageOfPath, lineOfOffset, lintDocument, pythonParsesCleanly, RULES, SQL_DIALECTS, type Finding, type LintSettings, type Rule, type SqlDialect } from '../rules';
import { loadPythonParser } from '../server/src/workspace/python';

// Python fixtures need the grammar, which loads asynchronously, once, as the front ends load it.
before(async () => assert.equal(await loadPythonParser(), null));


function fixtureDialect(fileName: string): SqlDialect {
  const parts = fileName.split('.');
  const candidate = parts.length >= 3 ? parts[1] : undefined;
  return SQL_DIALECTS.find((dialect) => dialect === candidate) ?? 'postgresql';
}

function settingsFor(rule: Rule, fileName: string, text: string): LintSettings {
  const optionsMatch = /fixture-options:\s*(\{.*\})/.exec(text.split('\n')[0] ?? '');
  const options = optionsMatch?.[1] === undefined ? {} : (JSON.parse(optionsMatch[1]) as Record<string, string | number | boolean | string[]>);
  const roleMatch = /fixture-role:\s*([a-z]+)/.exec(text.split('\n')[0] ?? '');
  const role = FILE_ROLES.find((candidate) => candidate === roleMatch?.[1]);
  assert.ok(roleMatch === null || role !== undefined, `${fileName}: unknown fixture-role ${roleMatch?.[1] ?? ''}`);
  const zoneMatch = /fixture-zone:\s*([\w/+-]+)/.exec(text.split('\n')[0] ?? '');
  return {
    sqlDialect: fixtureDialect(fileName),
    reportingTimeZone: zoneMatch?.[1] ?? 'UTC',
    rules: { [rule.meta.id]: { level: rule.meta.defaultSeverity, options } },
    today: '2026-11-24',
    ...(role === undefined ? {} : { roles: [{ pattern: '*', role }] }),
  };
}

function lintFixture(rule: Rule, fileName: string, text: string): Finding[] {
  const languageId = languageOfPath(fileName.replace(/\.fixed$/, ''));
  assert.ok(languageId !== null, `${fileName}: unknown fixture language`);
  const result = lintDocument({ path: fileName, languageId, text }, settingsFor(rule, fileName, text), RULES);
  assert.deepEqual(result.internalErrors, [], `${fileName}: a rule threw`);
  return result.findings.filter((finding) => finding.ruleId === rule.meta.id);
}

function linesOf(text: string, findings: Finding[]): number[] {
  const starts = computeLineStarts(text);
  return findings.map((finding) => lineOfOffset(starts, finding.range.start) + 1).sort((a, b) => a - b);
}

/** The lines of the `expect:` markers for the rule; with `info`, only those marked `(info)`. */
function expectedLines(text: string, ruleId: string, info = false): number[] {
  const lines: number[] = [];
  text.split('\n').forEach((line, index) => {
    const pattern = new RegExp(`expect: ${ruleId}(?![\\w-])${info ? ' \\(info\\)' : ''}`, 'g');
    for (const _ of line.matchAll(pattern)) lines.push(index + 1);
  });
  return lines;
}

function describeFindings(text: string, findings: Finding[]): string {
  const starts = computeLineStarts(text);
  return findings.map((finding) => `  line ${lineOfOffset(starts, finding.range.start) + 1}: ${finding.message}`).join('\n') || '  (none)';
}

/** True when the text parses as well as the original: SQL statements that parsed still do; scripts have no syntax errors. */
function assertStillParses(rule: Rule, fileName: string, before: string, after: string): void {
  if (fileName.endsWith('.sql')) {
    const count = (text: string) => countParsingStatements(text, settingsFor(rule, fileName, text).sqlDialect).parsing;
    assert.ok(count(after) >= count(before), `${fileName}: the fixed SQL parses less than the original`);
    return;
  }
  if (fileName.replace(/\.fixed$/, '').endsWith('.py')) {
    assert.equal(pythonParsesCleanly(after), true, `${fileName}: the fixed Python has syntax errors`);
    return;
  }
  const output = ts.transpileModule(after, { reportDiagnostics: true, fileName: fileName.replace(/\.fixed$/, '') });
  assert.deepEqual((output.diagnostics ?? []).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')), [], `${fileName}: the fixed code has syntax errors`);
}

for (const rule of RULES) {
  const { id, family } = rule.meta;
  const directory = join(REPO_ROOT, 'rules', family, id, 'fixtures');
  describe(`rule ${id}`, () => {
    const files = existsSync(directory) ? readdirSync(directory).filter((name) => !name.endsWith('.fixed')).sort() : [];
    test('has fixtures it must flag and code it must leave alone', () => {
      assert.ok(files.some((name) => name.startsWith('flag.')), `${id}: no flag.* fixture`);
      assert.ok(files.some((name) => name.startsWith('clean.')), `${id}: no clean.* fixture`);
      if (rule.meta.fix !== 'none') assert.ok(files.some((name) => name.startsWith('fix.')), `${id}: declares fixes but has no fix.* fixture`);
    });
    for (const fileName of files) {
      const text = readFileSync(join(directory, fileName), 'utf8');
      if (fileName.startsWith('flag.') || fileName.startsWith('clean.')) {
        test(fileName, () => {
          const findings = lintFixture(rule, fileName, text);
          const expected = fileName.startsWith('flag.') ? expectedLines(text, id) : [];
          if (fileName.startsWith('flag.')) assert.ok(expected.length > 0, `${fileName}: no \`expect: ${id}\` marker`);
          assert.deepEqual(linesOf(text, findings), expected, `${fileName}: findings differ from the expect markers; got:\n${describeFindings(text, findings)}`);
          const info = findings.filter((finding) => finding.severity === 'info' && rule.meta.defaultSeverity !== 'info');
          assert.deepEqual(linesOf(text, info), fileName.startsWith('flag.') ? expectedLines(text, id, true) : [], `${fileName}: info findings differ from the \`(info)\` markers`);
        });
      } else if (fileName.startsWith('fix.')) {
        test(`${fileName} (text after fix)`, () => {
          const fixedPath = join(directory, `${fileName}.fixed`);
          assert.ok(existsSync(fixedPath), `${fileName}: missing ${fileName}.fixed`);
          const findings = lintFixture(rule, fileName, text);
          const withFixes = findings.filter((finding) => finding.fixes.length > 0);
          assert.ok(withFixes.length > 0, `${fileName}: no finding offers a fix`);
          const edits = withFixes.flatMap((finding) => finding.fixes[0]?.edits ?? []);
          const fixed = applyEdits(text, edits);
          assert.equal(fixed, readFileSync(fixedPath, 'utf8'), `${fileName}: the text after the fix differs from ${fileName}.fixed`);
          assertStillParses(rule, fileName, text, fixed);
          const again = lintFixture(rule, `${fileName}.fixed`.replace(/\.fixed$/, ''), fixed).filter((finding) => finding.fixes.length > 0);
          assert.deepEqual(again.map((finding) => finding.message), [], `${fileName}: after the fix, the rule still offers fixes (not idempotent)`);
        });
      } else {
        test(`${fileName} is named flag.*, clean.* or fix.*`, () => assert.fail(`${fileName}: unknown fixture kind`));
      }
    }
  });
}
