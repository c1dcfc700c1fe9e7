/**
 * Inputs that once killed or froze the process (issue #15). Each must come back with an answer;
 * none of these is timed: before the fix, each ran the process out of memory or for minutes, so
 * finishing at all is what the test shows. The language server's watchdog is tested with the
 * server's other robustness cases (robustness.test.ts).
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lintDocument, RULES, SQL_DIALECTS, type LintSettings } from '../rules';

function settingsFor(dialect: LintSettings['sqlDialect']): LintSettings {
  return { sqlDialect: dialect, reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };
}

describe('SQL the grammar cannot answer in bounded time is "does not parse", never a crash (#15)', () => {
  const shapes: { name: string; text: string }[] = [
    { name: '40 unclosed ( after ORDER BY (the 71-byte file)', text: `SELECT * FROM users ORDER BY f${'('.repeat(40)}\n` },
    { name: '800 unclosed (', text: `SELECT ${'('.repeat(800)} FROM t` },
    { name: 'nested unclosed CAST(', text: `SELECT ${'CAST('.repeat(20)}x FROM t` },
    { name: '16 balanced parentheses around a syntax error', text: `SELECT DATE(created_at), ${'('.repeat(16)}x +${')'.repeat(16)} FROM events GROUP BY 1` },
    { name: '16 balanced parentheses around a syntax error in a WHERE', text: `DELETE FROM t WHERE ${'('.repeat(16)}a = ${')'.repeat(16)}` },
  ];
  for (const dialect of SQL_DIALECTS) {
    for (const { name, text } of shapes) {
      test(`${dialect}: ${name}`, () => {
        const result = lintDocument({ path: 'queries/q.sql', languageId: 'sql', text }, settingsFor(dialect), RULES);
        assert.deepEqual(result.internalErrors, []);
      });
    }
  }

  test('well-formed statements still parse: the budget leaves their findings alone', () => {
    const text = "SELECT DATE(login_time) AS date, COUNT(DISTINCT user_id) AS dau FROM user_events WHERE event_type = 'login' GROUP BY DATE(login_time)";
    const result = lintDocument({ path: 'queries/q.sql', languageId: 'sql', text }, settingsFor('postgresql'), RULES);
    assert.ok(result.findings.some((finding) => finding.ruleId === 'full-history-scan'));
  });
});
