/**
 * Dialect semantics (rules/engine/languages/sql/dialects.ts) and the fixes built on them, per
 * dialect. Issue 13, "Dialect defaults read as risk": every fix the date rules offer must parse
 * in its dialect's grammar and make the finding go away, a fix on a value of unknown type is
 * never safe, and BigQuery's DATETIME values get no zone argument (BigQuery rejects one).
 */

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, countParsingStatements, lintDocument, RULES, type Finding, type FixSafety, type LintSettings, type SqlDialect } from '../rules';
import { formatGrain, isUtcZone, setsSessionTimeZone, timeValueKind, unzonedBucketDiffers, zoneFixSafety, type TimeValueKind } from '../rules/engine/languages/sql/dialects';
import { buildSqlSource } from '../rules/engine/languages/sql/source';
import { findClause, fromItems } from '../rules/engine/languages/sql/structure';
import { tableNameParts, tableNameRange } from '../rules/sql/helpers/relations';
import { tokenText } from '../rules/sql/helpers/tokens';
import { loadPythonParser } from '../server/src/workspace/python';

/**
 * Settings for one rule. A .sql file in a warehouse dialect is a warehouse model by default
 * (engine/roles.ts), where application-query rules are silent; these tests are about what the
 * rules say per dialect, so the file is pinned to production code, as for BigQuery or Redshift
 * SQL that a service runs.
 */
function settings(dialect: SqlDialect, zone: string, ruleId: string): LintSettings {
  const rule = RULES.find((candidate) => candidate.meta.id === ruleId);
  assert.ok(rule !== undefined, `no rule ${ruleId}`);
  return { sqlDialect: dialect, reportingTimeZone: zone, rules: {}, roles: [{ pattern: '*', role: 'production' }], onlyRules: [ruleId], today: '2026-11-24' };
}

function lint(ruleId: string, dialect: SqlDialect, zone: string, text: string): Finding[] {
  const result = lintDocument({ path: 'query.sql', languageId: 'sql', text }, settings(dialect, zone, ruleId), RULES);
  assert.deepEqual(result.internalErrors, []);
  return result.findings.filter((finding) => finding.ruleId === ruleId);
}

function statementModel(text: string, dialect: SqlDialect = 'postgresql') {
  const statement = buildSqlSource(text, dialect).statements[0];
  assert.ok(statement !== undefined, `no statement in ${text}`);
  return statement.model;
}

describe('where each dialect buckets an unzoned day', () => {
  const cases: { dialect: SqlDialect; utc: boolean; berlin: boolean }[] = [
    { dialect: 'postgresql', utc: true, berlin: true },
    { dialect: 'mysql', utc: true, berlin: true },
    { dialect: 'mariadb', utc: true, berlin: true },
    { dialect: 'snowflake', utc: true, berlin: true },
    // UTC by default: a finding only when the reporting zone is another one.
    { dialect: 'bigquery', utc: false, berlin: true },
    { dialect: 'redshift', utc: false, berlin: true },
    // No session zone at all.
    { dialect: 'sqlite', utc: false, berlin: false },
    { dialect: 'transactsql', utc: false, berlin: false },
  ];
  for (const { dialect, utc, berlin } of cases) {
    test(dialect, () => {
      assert.equal(unzonedBucketDiffers(dialect, 'UTC'), utc);
      assert.equal(unzonedBucketDiffers(dialect, 'Etc/UTC'), utc);
      assert.equal(unzonedBucketDiffers(dialect, 'Europe/Berlin'), berlin);
    });
  }
  test('UTC spellings', () => {
    for (const zone of ['UTC', 'utc', 'Etc/UTC', 'GMT', 'Zulu', '+00:00']) assert.equal(isUtcZone(zone), true, zone);
    for (const zone of ['Europe/London', 'America/New_York', '+01:00', 'Europe/Berlin']) assert.equal(isUtcZone(zone), false, zone);
  });
});

describe('statements that set the session time zone', () => {
  const sets: [SqlDialect, string][] = [
    ['bigquery', "SET @@time_zone = 'Europe/Berlin'"],
    ['postgresql', "SET TIME ZONE 'UTC'"],
    ['postgresql', "SET LOCAL TIME ZONE 'UTC'"],
    ['postgresql', "SET timezone TO 'UTC'"],
    ['postgresql', "SET SESSION TimeZone = 'UTC'"],
    ['redshift', "SET timezone = 'America/New_York'"],
    ['mysql', "SET time_zone = '+00:00'"],
    ['mysql', "SET SESSION time_zone = 'UTC'"],
    ['mysql', "SET @@session.time_zone = '+00:00'"],
    ['postgresql', 'SET spark.sql.session.timeZone = UTC'],
    ['mariadb', "SET @@time_zone = 'UTC'"],
    ['snowflake', "ALTER SESSION SET TIMEZONE = 'UTC'"],
  ];
  for (const [dialect, text] of sets) test(`sets: ${text}`, () => assert.equal(setsSessionTimeZone(statementModel(text, dialect)), true));
  const others: [SqlDialect, string][] = [
    ['mysql', "SET GLOBAL time_zone = '+00:00'"],
    ['mysql', "SET @@global.time_zone = '+00:00'"],
    ['postgresql', "SET search_path = app"],
    ['postgresql', "SELECT current_setting('TimeZone')"],
    ['postgresql', "UPDATE users SET timezone = 'UTC' WHERE id = 1"],
    ['bigquery', "SET @@dataset_id = 'analytics'"],
  ];
  for (const [dialect, text] of others) test(`does not: ${text}`, () => assert.equal(setsSessionTimeZone(statementModel(text, dialect)), false));
});

describe('what an expression is known to hold', () => {
  const cases: [SqlDialect, string, TimeValueKind][] = [
    ['bigquery', 'TIMESTAMP_MICROS(event_ts)', 'instant'],
    ['bigquery', 'CAST(raw AS TIMESTAMP)', 'instant'],
    ['bigquery', 'SAFE.PARSE_TIMESTAMP(\'%F\', raw)', 'instant'],
    ['bigquery', "TIMESTAMP '2026-01-01 00:00:00+00'", 'instant'],
    ['bigquery', '_PARTITIONTIME', 'instant'],
    ['bigquery', 'DATETIME(ts)', 'civil'],
    ['bigquery', 'DATETIME_ADD(local_time, INTERVAL 1 HOUR)', 'civil'],
    ['bigquery', 'DATETIME_TRUNC(x, DAY)', 'unknown'],
    ['bigquery', 'CAST(raw AS DATETIME)', 'civil'],
    ['bigquery', 'event_timestamp', 'unknown'],
    ['bigquery', 'e.event_timestamp', 'unknown'],
    ['postgresql', 'created_at::timestamptz', 'instant'],
    ['postgresql', 'CAST(created_at AS timestamp with time zone)', 'instant'],
    ['postgresql', 'to_timestamp(created_epoch)', 'instant'],
    ['postgresql', '(now())', 'instant'],
    ['postgresql', 'created_at::timestamp', 'unknown'],
    ['postgresql', 'created_at', 'unknown'],
    ['snowflake', 'TO_TIMESTAMP_LTZ(epoch)', 'instant'],
    ['snowflake', 'created_at::TIMESTAMP_NTZ', 'unknown'],
    ['redshift', 'created_at', 'unknown'],
    ['mysql', 'NOW()', 'unknown'],
  ];
  for (const [dialect, expression, kind] of cases) {
    test(`${dialect}: ${expression}`, () => {
      const model = statementModel(`SELECT ${expression}`, dialect);
      assert.equal(timeValueKind(model, 1, model.tokens.length, dialect), kind);
    });
  }
});

describe('what a format string groups by', () => {
  const cases: [string, string, ReturnType<typeof formatGrain>][] = [
    ['FORMAT_TIMESTAMP', '%Y-%m-%d', 'day'],
    ['FORMAT_TIMESTAMP', '%F', 'day'],
    ['FORMAT_TIMESTAMP', '%Y-%m-%d %H:00', 'timeOfDay'],
    ['FORMAT_TIMESTAMP', '%F %T', 'timeOfDay'],
    ['FORMAT_TIMESTAMP', '%Y-%m-%dT%H:%M:%SZ', 'timeOfDay'],
    ['FORMAT_TIMESTAMP', '%Y-%m', 'coarser'],
    ['DATE_FORMAT', '%Y-%m-%d', 'day'],
    ['DATE_FORMAT', '%Y-%m-%d %H:%i', 'timeOfDay'],
    // MySQL's %M is the month's name, not minutes.
    ['DATE_FORMAT', '%M %Y', 'coarser'],
    ['TO_CHAR', 'YYYY-MM-DD', 'day'],
    ['TO_CHAR', 'YYYY-MM-DD HH24:MI', 'timeOfDay'],
    ['TO_CHAR', 'YYYY-MM', 'coarser'],
  ];
  for (const [name, format, grain] of cases) test(`${name} '${format}'`, () => assert.equal(formatGrain(name, format), grain));
  // Spark's date_format and from_unixtime take Java patterns: m is minutes, M months.
  const spark: [string, string, ReturnType<typeof formatGrain>][] = [
    ['DATE_FORMAT', 'yyyy-MM-dd', 'day'],
    ['FROM_UNIXTIME', 'yyyyMMdd', 'day'],
    ['DATE_FORMAT', 'yyyy-MM-dd HH:00', 'timeOfDay'],
    ['DATE_FORMAT', "yyyy-MM-dd'T'HH:mm:ss", 'timeOfDay'],
    ['DATE_FORMAT', 'yyyy-MM', 'coarser'],
  ];
  for (const [name, format, grain] of spark) test(`Spark ${name} '${format}'`, () => assert.equal(formatGrain(name, format, { engine: 'spark', setsSessionTimeZone: false }), grain));
});

/**
 * One fix case: the query, the reporting zone, and what the rule must do with it: no finding,
 * a finding without a fix, or a fix of the given safety whose text is given.
 */
interface FixCase {
  dialect: SqlDialect;
  zone: string;
  sql: string;
  expected: 'no finding' | 'no fix' | { safety: FixSafety; fixed: string };
}

/** Applies each finding's first fix, and checks the result against the case. */
function checkFixCase(ruleId: string, { dialect, zone, sql, expected }: FixCase): void {
  const findings = lint(ruleId, dialect, zone, sql);
  if (expected === 'no finding') {
    assert.deepEqual(findings.map((finding) => finding.message), []);
    return;
  }
  assert.ok(findings.length > 0, `expected a finding in ${dialect}: ${sql}`);
  const fixes = findings.flatMap((finding) => finding.fixes.slice(0, 1));
  if (expected === 'no fix') {
    assert.deepEqual(fixes, [], `no fix may be offered in ${dialect}: ${sql}`);
    return;
  }
  const before = countParsingStatements(sql, dialect);
  assert.equal(before.parsing, before.statements, `the original must parse in ${dialect}: ${sql}`);
  assert.deepEqual(fixes.map((fix) => fix.safety), findings.map(() => expected.safety));
  const fixed = applyEdits(sql, fixes.flatMap((fix) => fix.edits));
  assert.equal(fixed, expected.fixed);
  const after = countParsingStatements(fixed, dialect);
  assert.equal(after.parsing, after.statements, `the fixed text must parse in ${dialect}: ${fixed}`);
  assert.deepEqual(lint(ruleId, dialect, zone, fixed).map((finding) => finding.message), [], `the fixed text must not be reported again: ${fixed}`);
}

describe('timezone-naive-date-bucket fixes, per dialect', () => {
  const group = 'AS day, COUNT(*) FROM t GROUP BY 1';
  const cases: FixCase[] = [
    // BigQuery: UTC by default, so with a UTC reporting zone nothing is wrong.
    { dialect: 'bigquery', zone: 'UTC', sql: `SELECT DATE(created_at) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'UTC', sql: `SELECT TIMESTAMP_TRUNC(created_at, DAY) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'UTC', sql: `SELECT EXTRACT(DATE FROM created_at) ${group}`, expected: 'no finding' },
    // Another reporting zone: reported; the zone argument only where the value is a TIMESTAMP.
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATE(created_at) ${group}`, expected: 'no fix' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT TIMESTAMP_TRUNC(created_at, DAY) ${group}`, expected: 'no fix' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATE(TIMESTAMP_MICROS(event_ts)) ${group}`, expected: { safety: 'safe', fixed: `SELECT DATE(TIMESTAMP_MICROS(event_ts), 'Europe/Berlin') ${group}` } },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT TIMESTAMP_TRUNC(TIMESTAMP_MILLIS(ms), DAY) ${group}`, expected: { safety: 'safe', fixed: `SELECT TIMESTAMP_TRUNC(TIMESTAMP_MILLIS(ms), DAY, 'Europe/Berlin') ${group}` } },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT FORMAT_TIMESTAMP('%F', TIMESTAMP_SECONDS(s)) ${group}`, expected: { safety: 'safe', fixed: `SELECT FORMAT_TIMESTAMP('%F', TIMESTAMP_SECONDS(s), 'Europe/Berlin') ${group}` } },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT EXTRACT(DATE FROM TIMESTAMP_MICROS(event_ts)) ${group}`, expected: { safety: 'safe', fixed: `SELECT DATE(TIMESTAMP_MICROS(event_ts), 'Europe/Berlin') ${group}` } },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT CAST(CAST(raw AS TIMESTAMP) AS DATE) ${group}`, expected: { safety: 'safe', fixed: `SELECT DATE(CAST(raw AS TIMESTAMP), 'Europe/Berlin') ${group}` } },
    // BigQuery's DATETIME case: no zone is missing, and DATE(<DATETIME>, zone) would not type-check.
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATETIME_TRUNC(local_time, DAY) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATE(DATETIME_ADD(local_time, INTERVAL 1 HOUR)) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATE(CAST(raw AS DATETIME)) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT DATE(DATETIME(created_at, 'Europe/Berlin')) ${group}`, expected: 'no finding' },
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SELECT FORMAT_TIMESTAMP('%F %H:00', created_at) ${group}`, expected: 'no finding' },
    // A script that sets @@time_zone first has chosen its zone.
    { dialect: 'bigquery', zone: 'Europe/Berlin', sql: `SET @@time_zone = 'Europe/Berlin';\nSELECT DATE(created_at) ${group}`, expected: 'no finding' },
    // Redshift: UTC by default too; CONVERT_TIMEZONE (its grammar here rejects AT TIME ZONE), never safe.
    { dialect: 'redshift', zone: 'UTC', sql: `SELECT DATE(created_at) ${group}`, expected: 'no finding' },
    { dialect: 'redshift', zone: 'America/New_York', sql: `SELECT DATE(created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT DATE(CONVERT_TIMEZONE('America/New_York', created_at)) ${group}` } },
    { dialect: 'redshift', zone: 'America/New_York', sql: `SELECT created_at::date ${group}`, expected: { safety: 'unsafe', fixed: `SELECT CONVERT_TIMEZONE('America/New_York', created_at)::date ${group}` } },
    { dialect: 'redshift', zone: 'America/New_York', sql: `SELECT date_trunc('week', created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT date_trunc('week', CONVERT_TIMEZONE('America/New_York', created_at)) ${group}` } },
    { dialect: 'redshift', zone: 'America/New_York', sql: `SELECT to_char(created_at, 'YYYY-MM-DD') ${group}`, expected: { safety: 'unsafe', fixed: `SELECT to_char(CONVERT_TIMEZONE('America/New_York', created_at), 'YYYY-MM-DD') ${group}` } },
    { dialect: 'redshift', zone: 'America/New_York', sql: `SET timezone = 'America/New_York';\nSELECT DATE(created_at) ${group}`, expected: 'no finding' },
    // Snowflake: the session's TIMEZONE; safe only for a known TIMESTAMP_LTZ / TIMESTAMP_TZ.
    // A bare Snowflake column is TIMESTAMP_NTZ by default: bucketed as stored (#13).
    { dialect: 'snowflake', zone: 'UTC', sql: `SELECT DATE_TRUNC('day', created_at) ${group}`, expected: 'no finding' },
    { dialect: 'snowflake', zone: 'UTC', sql: `SELECT TO_DATE(created_at) ${group}`, expected: 'no finding' },
    { dialect: 'snowflake', zone: 'UTC', sql: `SELECT DATE_TRUNC('day', TO_TIMESTAMP_LTZ(created_epoch)) ${group}`, expected: { safety: 'safe', fixed: `SELECT DATE_TRUNC('day', CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_LTZ(created_epoch))) ${group}` } },
    { dialect: 'snowflake', zone: 'UTC', sql: `SELECT TO_DATE(TO_TIMESTAMP_LTZ(event_epoch)) ${group}`, expected: { safety: 'safe', fixed: `SELECT CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_LTZ(event_epoch))::date ${group}` } },
    { dialect: 'snowflake', zone: 'UTC', sql: `SELECT TO_CHAR(created_at, 'YYYY-MM-DD') ${group}`, expected: 'no finding' },
    { dialect: 'snowflake', zone: 'UTC', sql: `ALTER SESSION SET TIMEZONE = 'UTC';\nSELECT DATE_TRUNC('day', created_at) ${group}`, expected: 'no finding' },
    // PostgreSQL: the session's TimeZone; safe only for a known timestamptz.
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT DATE(created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT (created_at AT TIME ZONE 'UTC')::date ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT date_trunc('day', created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT date_trunc('day', created_at, 'UTC') ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT date_trunc('day', to_timestamp(created_epoch)) ${group}`, expected: { safety: 'safe', fixed: `SELECT date_trunc('day', to_timestamp(created_epoch), 'UTC') ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT created_at::timestamptz::date ${group}`, expected: { safety: 'safe', fixed: `SELECT timezone('UTC', created_at::timestamptz)::date ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT to_char(o.created_at, 'YYYY-MM-DD') ${group}`.replace('FROM t', 'FROM orders o'), expected: { safety: 'unsafe', fixed: `SELECT to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') ${group}`.replace('FROM t', 'FROM orders o') } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT to_char(to_timestamp(created_epoch), 'YYYY-MM-DD') ${group}`, expected: { safety: 'safe', fixed: `SELECT to_char(timezone('UTC', to_timestamp(created_epoch)), 'YYYY-MM-DD') ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT CAST("Created At" AS DATE) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT timezone('UTC', "Created At")::date ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT to_char(created_at, 'YYYY-MM-DD') ${group}`, expected: { safety: 'unsafe', fixed: `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') ${group}` } },
    { dialect: 'postgresql', zone: 'UTC', sql: `SELECT to_char(created_at, 'YYYY-MM-DD HH24:00') ${group}`, expected: 'no finding' },
    { dialect: 'postgresql', zone: 'UTC', sql: `SET TIME ZONE 'UTC';\nSELECT DATE(created_at) ${group}`, expected: 'no finding' },
    // MySQL, MariaDB: CONVERT_TZ shifts a DATETIME column, so never safe.
    { dialect: 'mysql', zone: 'UTC', sql: `SELECT DATE(created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT DATE(CONVERT_TZ(created_at, @@session.time_zone, '+00:00')) ${group}` } },
    { dialect: 'mysql', zone: 'UTC', sql: `SELECT DATE_FORMAT(created_at, '%Y-%m-%d') ${group}`, expected: { safety: 'unsafe', fixed: `SELECT DATE_FORMAT(CONVERT_TZ(created_at, @@session.time_zone, '+00:00'), '%Y-%m-%d') ${group}` } },
    { dialect: 'mariadb', zone: 'Europe/Berlin', sql: `SELECT DATE(created_at) ${group}`, expected: { safety: 'unsafe', fixed: `SELECT DATE(CONVERT_TZ(created_at, @@session.time_zone, 'Europe/Berlin')) ${group}` } },
    { dialect: 'mysql', zone: 'UTC', sql: `SET time_zone = '+00:00';\nSELECT DATE(created_at) ${group}`, expected: 'no finding' },
    // No session zone.
    { dialect: 'sqlite', zone: 'Europe/Berlin', sql: `SELECT date(created_at) ${group}`, expected: 'no finding' },
    { dialect: 'transactsql', zone: 'Europe/Berlin', sql: `SELECT CAST(created_at AS DATE) ${group}`, expected: 'no finding' },
  ];
  for (const fixCase of cases) test(`${fixCase.dialect} (${fixCase.zone}): ${fixCase.sql.replace(/\s+/g, ' ')}`, () => checkFixCase('timezone-naive-date-bucket', fixCase));

  test('a fix that cannot be shown to parse is not safe, even on a known instant', () => {
    // node-sql-parser's PostgreSQL grammar does not know FETCH ... WITH TIES, so neither text can be checked.
    const sql = "SELECT date_trunc('day', to_timestamp(created_epoch)) AS day, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC FETCH FIRST 3 ROWS WITH TIES";
    const findings = lint('timezone-naive-date-bucket', 'postgresql', 'UTC', sql);
    assert.deepEqual(findings.map((finding) => finding.fixes.map((fix) => fix.safety)), [['unsafe']]);
  });

  test('every fix the rule offers is safe only where the dialect says it type-checks', () => {
    assert.equal(zoneFixSafety('bigquery', 'unknown'), null);
    assert.equal(zoneFixSafety('bigquery', 'civil'), null);
    for (const dialect of ['postgresql', 'snowflake', 'redshift', 'mysql', 'mariadb'] as const) assert.notEqual(zoneFixSafety(dialect, 'unknown'), 'safe', dialect);
  });

  test('messages say what the dialect does', () => {
    const [bigquery] = lint('timezone-naive-date-bucket', 'bigquery', 'Europe/Berlin', `SELECT DATE(created_at) ${group}`);
    assert.match(bigquery?.message ?? '', /BigQuery buckets in UTC, not Europe\/Berlin/);
    assert.doesNotMatch(bigquery?.message ?? '', /session/);
    const [postgres] = lint('timezone-naive-date-bucket', 'postgresql', 'UTC', `SELECT DATE(created_at) ${group}`);
    assert.match(postgres?.message ?? '', /session's `TimeZone`/);
    const [snowflake] = lint('timezone-naive-date-bucket', 'snowflake', 'UTC', `SELECT TO_DATE(TO_TIMESTAMP_LTZ(created_epoch)) ${group}`);
    assert.match(snowflake?.message ?? '', /TIMESTAMP_LTZ/);
  });
});

describe('non-sargable-predicate date fixes, per dialect', () => {
  const cases: FixCase[] = [
    { dialect: 'postgresql', zone: 'UTC', sql: "SELECT id FROM orders WHERE created_at::date = '2026-03-01'", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '2026-03-01' AND created_at < '2026-03-02'" } },
    { dialect: 'postgresql', zone: 'UTC', sql: "SELECT id FROM orders WHERE DATE(created_at) = DATE '2026-02-28'", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= DATE '2026-02-28' AND created_at < DATE '2026-03-01'" } },
    { dialect: 'redshift', zone: 'UTC', sql: "SELECT id FROM orders WHERE DATE(created_at) = '2026-03-01'", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '2026-03-01' AND created_at < '2026-03-02'" } },
    { dialect: 'mysql', zone: 'UTC', sql: "SELECT id FROM orders WHERE YEAR(created_at) = 2025", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '2025-01-01' AND created_at < '2026-01-01'" } },
    { dialect: 'mariadb', zone: 'UTC', sql: "SELECT id FROM orders WHERE DATE(created_at) BETWEEN '2026-01-01' AND '2026-01-31'", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '2026-01-01' AND created_at < '2026-02-01'" } },
    { dialect: 'sqlite', zone: 'UTC', sql: "SELECT id FROM orders WHERE date(created_at) = '2026-03-01'", expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '2026-03-01' AND created_at < '2026-03-02'" } },
    { dialect: 'transactsql', zone: 'UTC', sql: 'SELECT id FROM orders WHERE YEAR(created_at) = 2025', expected: { safety: 'safe', fixed: "SELECT id FROM orders WHERE created_at >= '20250101' AND created_at < '20260101'" } },
    // No index to defeat: BigQuery and Snowflake prune partitions through DATE(ts).
    { dialect: 'bigquery', zone: 'UTC', sql: "SELECT id FROM orders WHERE DATE(created_at) = '2026-03-01'", expected: 'no finding' },
    { dialect: 'snowflake', zone: 'UTC', sql: "SELECT id FROM orders WHERE DATE(created_at) = '2026-03-01'", expected: 'no finding' },
  ];
  for (const fixCase of cases) test(`${fixCase.dialect}: ${fixCase.sql}`, () => checkFixCase('non-sargable-predicate', fixCase));
});

describe('full-history-scan bounds of the column\'s own type', () => {
  const cases: FixCase[] = [
    { dialect: 'bigquery', zone: 'UTC', sql: "SELECT FORMAT_TIMESTAMP('%F', event_timestamp) AS day, COUNT(*) FROM app_events GROUP BY day", expected: { safety: 'unsafe', fixed: "SELECT FORMAT_TIMESTAMP('%F', event_timestamp) AS day, COUNT(*) FROM app_events WHERE event_timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) GROUP BY day" } },
    { dialect: 'bigquery', zone: 'UTC', sql: "SELECT FORMAT_DATE('%Y-%m', order_date) AS month, SUM(amount) FROM order_history GROUP BY month", expected: { safety: 'unsafe', fixed: "SELECT FORMAT_DATE('%Y-%m', order_date) AS month, SUM(amount) FROM order_history WHERE order_date >= DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY) GROUP BY month" } },
    { dialect: 'bigquery', zone: 'UTC', sql: "SELECT FORMAT_DATETIME('%F', local_time) AS day, COUNT(*) FROM pickup_events GROUP BY day", expected: { safety: 'unsafe', fixed: "SELECT FORMAT_DATETIME('%F', local_time) AS day, COUNT(*) FROM pickup_events WHERE local_time >= DATETIME_SUB(CURRENT_DATETIME(), INTERVAL 30 DAY) GROUP BY day" } },
    // TIMESTAMP_TRUNC and DATE() accept more than one type: a TIMESTAMP bound could fail to type-check.
    { dialect: 'bigquery', zone: 'UTC', sql: 'SELECT TIMESTAMP_TRUNC(created_at, DAY) AS day, COUNT(*) FROM app_events GROUP BY day', expected: 'no fix' },
    { dialect: 'bigquery', zone: 'UTC', sql: 'SELECT DATE(created_at) AS day, COUNT(*) FROM app_events GROUP BY day', expected: 'no fix' },
    // The bucket converts the column: a bound on the column itself would compare an integer with a timestamp.
    { dialect: 'postgresql', zone: 'UTC', sql: "SELECT date_trunc('day', to_timestamp(created_epoch)) AS day, count(*) FROM app_events GROUP BY 1", expected: 'no fix' },
    { dialect: 'postgresql', zone: 'UTC', sql: "SELECT date_trunc('day', created_at) AS day, count(*) FROM app_events GROUP BY 1", expected: { safety: 'unsafe', fixed: "SELECT date_trunc('day', created_at) AS day, count(*) FROM app_events WHERE created_at >= now() - interval '30 days' GROUP BY 1" } },
  ];
  for (const fixCase of cases) test(`${fixCase.dialect}: ${fixCase.sql}`, () => checkFixCase('full-history-scan', fixCase));
});

describe('unquoted BigQuery project ids with dashes (issue 13)', () => {
  const read = (text: string) => {
    const model = statementModel(text, 'bigquery');
    const block = model.blocks[0];
    assert.ok(block !== undefined);
    const from = findClause(block, 'from');
    assert.ok(from !== undefined);
    return fromItems(model, block, from).map((item) => ({ table: item.tableName, alias: item.alias, parts: tableNameParts(model, item), name: tokenText(text, model, tableNameRange(model, item).start, tableNameRange(model, item).end) }));
  };
  test('my-project.dataset.table is one table, not a table called `my`', () => {
    assert.deepEqual(read('SELECT user_id FROM my-project.analytics.events e WHERE e.user_id = 1'), [
      { table: 'events', alias: 'e', parts: ['my-project', 'analytics', 'events'], name: 'my-project.analytics.events' },
    ]);
  });
  test('dashes and digits, joins, and a backquoted name beside it', () => {
    assert.deepEqual(read('SELECT 1 FROM acme-data-prod-123.web.page_views AS v JOIN `acme-data-prod-123.web.users` u ON u.id = v.user_id'), [
      { table: 'page_views', alias: 'v', parts: ['acme-data-prod-123', 'web', 'page_views'], name: 'acme-data-prod-123.web.page_views' },
      { table: 'acme-data-prod-123.web.users', alias: 'u', parts: ['acme-data-prod-123', 'web', 'users'], name: '`acme-data-prod-123.web.users`' },
    ]);
  });
  test('a dashed table name on its own', () => {
    assert.deepEqual(read('SELECT 1 FROM daily-rollup WHERE day = CURRENT_DATE()'), [{ table: 'daily-rollup', alias: null, parts: ['daily-rollup'], name: 'daily-rollup' }]);
  });
  test('a spaced minus is not part of a name', () => {
    // Not valid SQL in any dialect; what matters is that nothing after the `-` is taken as the name.
    assert.deepEqual(read('SELECT 1 FROM orders - 1').map((item) => item.table), ['orders']);
  });
  test('rules see the whole name', () => {
    const findings = lint('unbounded-select', 'bigquery', 'UTC', 'SELECT user_id, email FROM my-project.crm.users');
    assert.equal(findings.length, 1);
    assert.doesNotMatch(findings[0]?.message ?? '', /`my`/);
  });
});

describe('SQL run by spark.sql follows the Spark session zone', () => {
  before(async () => assert.equal(await loadPythonParser(), null));
  const lintPython = (text: string) => {
    const result = lintDocument({ path: 'jobs/rollup.py', languageId: 'python', text }, settings('postgresql', 'UTC', 'timezone-naive-date-bucket'), RULES);
    assert.deepEqual(result.internalErrors, []);
    return result.findings.filter((finding) => finding.ruleId === 'timezone-naive-date-bucket');
  };
  test('a Spark day key is reported with Spark\'s behaviour and no fix (Spark has no three-argument date_trunc)', () => {
    const findings = lintPython('def daily(spark):\n    return spark.sql("SELECT date_trunc(\'day\', created_at) AS day, count(*) FROM raw.orders GROUP BY 1")\n');
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? '', /spark\.sql\.session\.timeZone/);
    assert.deepEqual(findings[0]?.fixes, []);
  });
  test('to_date, date_format and from_unixtime day keys', () => {
    const text = [
      'def keys(spark):',
      '    spark.sql("SELECT to_date(from_unixtime(event_ts)) AS day, count(*) FROM raw.events GROUP BY 1")',
      '    spark.sql("SELECT date_format(created_at, \'yyyy-MM-dd\') AS day, count(*) FROM raw.events GROUP BY 1")',
      '    spark.sql("SELECT from_unixtime(event_ts, \'yyyy-MM-dd\') AS day, count(*) FROM raw.events GROUP BY 1")',
      '    spark.sql("SELECT date_format(created_at, \'yyyy-MM-dd HH:mm\') AS minute, count(*) FROM raw.events GROUP BY 1")',
    ].join('\n');
    assert.deepEqual(lintPython(text).map((finding) => finding.message.split('`')[1]), ['to_date(from_unixtime(event_ts))', "date_format(created_at, 'yyyy-MM-dd')", "from_unixtime(event_ts, 'yyyy-MM-dd')"]);
  });
  test('a session zone set in the file before the call, or in the SQL, counts', () => {
    const configured = 'spark = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()\nspark.sql("SELECT to_date(created_at) AS day, count(*) FROM raw.orders GROUP BY 1")\n';
    assert.deepEqual(lintPython(configured), []);
    const setInSql = 'spark.sql("SET TIME ZONE \'UTC\'")\nspark.sql("SELECT to_date(created_at) AS day, count(*) FROM raw.orders GROUP BY 1")\n';
    assert.deepEqual(lintPython(setInSql), []);
    const after = 'spark.sql("SELECT to_date(created_at) AS day, count(*) FROM raw.orders GROUP BY 1")\nspark.conf.set("spark.sql.session.timeZone", "UTC")\n';
    assert.equal(lintPython(after).length, 1);
  });
  test('other .sql() receivers keep the configured dialect', () => {
    const findings = lintPython('def daily(con):\n    return con.sql("SELECT date_trunc(\'day\', created_at) AS day, count(*) FROM orders GROUP BY 1")\n');
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? '', /PostgreSQL/);
  });
});
