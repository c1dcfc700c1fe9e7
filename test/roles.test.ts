/**
 * File roles (rules/engine/roles.ts): every detector on both sides, a file it must recognise and
 * a realistic one it must not, plus the `roles` config and what the runner does with roles.
 */

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths';
import { detectFileRole, lintDocument, parseConfig, RULES, settingsFromConfig, type FileRole, type LanguageId, type LintSettings, type SqlDialect } from '../rules';

import { loadPythonParser } from '../server/src/workspace/python';

// Python files need the grammar, which loads asynchronously, once, as the front ends load it.
before(async () => assert.equal(await loadPythonParser(), null));

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-12-07' };

function roleOf(path: string, text = '', languageId: LanguageId = languageFor(path), dialect: SqlDialect = 'postgresql'): FileRole {
  return detectFileRole(path, languageId, text, { ...SETTINGS, sqlDialect: dialect }).role;
}

function languageFor(path: string): LanguageId {
  if (path.endsWith('.py')) return 'python';
  if (path.endsWith('.sql')) return 'sql';
  return /\.[cm]?jsx?$/.test(path) ? 'javascript' : 'typescript';
}

describe('file roles: each detector on both sides', () => {
  const cases: { name: string; path: string; text?: string; dialect?: SqlDialect; role: FileRole }[] = [
    // test
    { name: 'a tests/ folder', path: 'tests/test_orders.py', role: 'test' },
    { name: 'a .test.ts file', path: 'src/orders.test.ts', role: 'test' },
    { name: 'a __tests__ folder', path: 'src/__tests__/orders.ts', role: 'test' },
    { name: 'an __e2e__ folder', path: 'web/src/__e2e__/orders.ts', role: 'test' },
    { name: 'a .servertest.ts / .clienttest.tsx file (Jest projects split by environment)', path: 'web/src/orders.servertest.ts', role: 'test' },
    { name: 'not: a file named manifest.ts or a .latest.ts suffix', path: 'src/releases.latest.ts', role: 'production' },
    { name: 'conftest.py', path: 'app/conftest.py', role: 'test' },
    { name: 'a tests.ts module', path: 'src/sources/serp/tests.ts', role: 'test' },
    { name: 'a test.ts module at the root', path: 'test.ts', role: 'test' },
    { name: 'not: a command-line tool\'s `test` command (commands/test.ts, cli/test.ts)', path: 'packages/cli/src/commands/test.ts', role: 'production' },
    { name: 'not: a `test` command under cmd/', path: 'tools/cmd/test.js', role: 'production' },
    { name: 'an api_tests/ folder', path: 'api_tests/orders.py', role: 'test' },
    { name: 'a test-helpers package (end-to-end helpers outside the spec files)', path: 'packages/test-helpers/src/mailbox.ts', role: 'test' },
    { name: 'not: a helpers/ folder', path: 'packages/api/src/helpers/mailbox.ts', role: 'production' },
    { name: 'not: a folder whose name merely contains test', path: 'src/contest/entries.ts', role: 'production' },
    { name: 'a Python module importing pytest', path: 'app/checks.py', text: 'import pytest\n\ndef check_orders():\n    pass\n', role: 'test' },
    { name: 'a TS module importing vitest', path: 'src/orders-check.ts', text: "import { describe, it } from 'vitest';\n", role: 'test' },
    { name: "a linter rule's test input (semgrep `ruleid:` annotations)", path: 'rules/security/no-requests.py', text: 'import requests\n\n# ruleid: no-requests-lib\nrequests.get("https://example.test")\n', role: 'test' },
    { name: 'not: a comment that mentions a rule id in prose', path: 'app/lint_notes.py', text: '# The ruleid field names the check.\nimport requests\n', role: 'production' },
    { name: 'not: a module with one module-level def test_ function (#13)', path: 'app/connectivity.py', text: 'import requests\n\ndef test_connection(url):\n    return requests.get(url, timeout=5).ok\n', role: 'production' },
    { name: 'not: a file named latest.ts or contest.py', path: 'src/latest.ts', role: 'production' },
    { name: 'not: attest.py', path: 'app/attest.py', role: 'production' },
    { name: 'not: a Flask app importing its own factory and responses modules', path: 'app/wsgi.py', text: 'from factory import create_app\nfrom responses import error_response\n', role: 'production' },
    // migration
    { name: 'a migrations/ folder', path: 'db/migrations/20240101_add_orders.sql', role: 'migration' },
    { name: 'Alembic versions', path: 'alembic/versions/3f2a_add_index.py', role: 'migration' },
    { name: 'a Flyway file name', path: 'sql/V2__add_orders.sql', role: 'migration' },
    { name: 'a golang-migrate file name', path: 'schema/000012_orders.up.sql', role: 'migration' },
    { name: 'Alembic content outside a migrations folder', path: 'revisions/add_index.py', text: 'from alembic import op\nimport sqlalchemy as sa\n', role: 'migration' },
    { name: 'a Django migration by content', path: 'shop/schema/0002_auto.py', text: 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    pass\n', role: 'migration' },
    { name: 'a knex migration by content', path: 'db/changes/20240101_orders.js', text: 'exports.up = function (knex) { return knex.schema.createTable("orders", () => {}); };\n', role: 'migration' },
    { name: 'a Sequelize migration by content', path: 'db/changes/orders.js', text: "module.exports = { async up(queryInterface, Sequelize) { await queryInterface.addColumn('orders', 'x', {}); } };\n", role: 'migration' },
    { name: 'a TypeORM migration by content', path: 'src/db/1700000000-Orders.ts', text: "import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class Orders1700000000 implements MigrationInterface {}\n", role: 'migration' },
    { name: 'not: a service that mentions migration in a name', path: 'src/services/data-migration-status.ts', text: "import { Pool } from 'pg';\n", role: 'production' },
    // script
    { name: 'a scripts/ folder', path: 'scripts/backfill_orders.py', role: 'script' },
    { name: 'a Django management command', path: 'shop/management/commands/clear_stats.py', role: 'script' },
    { name: 'a bin/ folder', path: 'bin/reindex.js', role: 'script' },
    { name: 'manage.py', path: 'manage.py', role: 'script' },
    { name: 'a dev/ folder', path: 'dev/code-generation/gen_locales.py', role: 'script' },
    { name: 'a sql_generators/ folder (SQL written at build time)', path: 'sql_generators/usage/common.py', role: 'script' },
    { name: 'a .github/ folder', path: '.github/scripts/release.js', role: 'script' },
    { name: 'a tool folder whose name starts with a dot', path: '.semgrep/checks/requests.py', role: 'script' },
    { name: 'not: a file whose own name starts with a dot', path: 'src/.prettier-plugin.ts', role: 'production' },
    { name: 'not: a module named like a generator', path: 'src/report_generator.py', role: 'production' },
    { name: 'not: a devices/ folder', path: 'app/devices/sync.py', role: 'production' },
    { name: 'an extra/ folder', path: 'extra/download-assets.mjs', role: 'script' },
    { name: 'a docker/ folder', path: 'docker/healthcheck.py', role: 'script' },
    { name: 'not: Celery tasks.py', path: 'shop/tasks.py', role: 'production' },
    { name: 'not: a description-scripts module', path: 'src/transcripts.ts', role: 'production' },
    // example and docs
    { name: 'an examples/ folder', path: 'examples/basic/server.ts', role: 'example' },
    { name: 'a docs/ folder', path: 'docs/snippets/query.sql', role: 'example' },
    { name: 'not: a folder named example-service... (only whole segments count)', path: 'services/example-service/src/app.ts', role: 'production' },
    // generated and vendored
    { name: 'a dist/ folder', path: 'dist/server.js', role: 'generated' },
    { name: 'a vendor/ folder', path: 'vendor/lib/client.py', role: 'generated' },
    { name: 'a .d.ts file', path: 'src/types.d.ts', role: 'generated' },
    { name: 'protobuf output', path: 'app/orders_pb2.py', role: 'generated' },
    { name: 'a generated header', path: 'src/api/client.ts', text: '// Code generated by openapi-generator. DO NOT EDIT.\nexport const x = 1;\n', role: 'generated' },
    { name: 'not: a comment about generated reports', path: 'src/reports.ts', text: "// Reports are generated nightly.\nimport { Pool } from 'pg';\n", role: 'production' },
    // browser
    { name: 'a .tsx file', path: 'src/components/Orders.tsx', role: 'browser' },
    { name: "a 'use client' module", path: 'app/orders/actions.ts', text: "'use client';\nexport async function load() { return fetch('/api/orders'); }\n", role: 'browser' },
    { name: 'a module importing react', path: 'src/hooks/useOrders.ts', text: "import { useEffect } from 'react';\n", role: 'browser' },
    { name: 'a hook module importing only React Query (no React import)', path: 'src/lib/useSegmentsQuery.ts', text: "import { useQuery } from '@tanstack/react-query';\nexport const useSegments = () => useQuery({ queryKey: ['s'], queryFn: () => fetch('/api/segments') });\n", role: 'browser' },
    { name: 'a module importing a browser-only UI library (notistack, MUI)', path: 'src/lib/apiRequestHandler.ts', text: "import { enqueueSnackbar } from 'notistack';\n", role: 'browser' },
    { name: "a browser extension's background script (chrome.alarms)", path: 'apps/extension/src/background.ts', text: "chrome.alarms.create('refresh', { periodInMinutes: 1440 });\n", role: 'browser' },
    { name: 'not: a server module that names chrome (a headless browser driver)', path: 'src/render/pdf.ts', text: "import puppeteer from 'puppeteer';\nconst chrome = await puppeteer.launch();\n", role: 'production' },
    { name: 'a module using window', path: 'src/lib/analytics.js', text: 'export function track(e) { window.dataLayer.push(e); }\n', role: 'browser' },
    { name: 'a frontend/ folder (an SWR hook with no React import)', path: 'frontend/src/hooks/api/useOrders.ts', text: "import useSWR from 'swr';\n", role: 'browser' },
    { name: 'a public/js folder', path: 'public/js/utils.js', role: 'browser' },
    { name: "a js/ folder (a server-rendered app's scripts for its pages)", path: 'app/plugins/books/js/preview.js', role: 'browser' },
    { name: 'not: a server module in a js/ folder', path: 'lib/js/worker.js', text: "const express = require('express');\n", role: 'production' },
    { name: 'a theme assets folder', path: 'app/themes/admin/assets/js/patch.js', role: 'browser' },
    { name: 'not: an api/ folder under frontend/ (a Next.js API route)', path: 'frontend/pages/api/orders.ts', role: 'production' },
    { name: 'not: a server module rendering a page that names window', path: 'server/model/page.js', text: 'const { R } = require("redbean-node");\nconst script = `<script>window.preloadData = ${data};</script>`;\n', role: 'production' },
    { name: 'not: a server module', path: 'src/routes/orders.ts', text: "import express from 'express';\nimport { Pool } from 'pg';\n", role: 'production' },
    // warehouse
    { name: 'a dbt model (jinja ref)', path: 'models/marts/daily_users.sql', text: "select * from {{ ref('stg_events') }}\n", role: 'warehouse' },
    { name: 'SQL in a BigQuery project', path: 'queries/dau.sql', text: 'SELECT DATE(ts) FROM `p.d.t`\n', dialect: 'bigquery', role: 'warehouse' },
    { name: 'SQL under dags/', path: 'dags/sql/load_orders.sql', text: 'INSERT INTO orders_daily SELECT 1\n', role: 'warehouse' },
    { name: 'not: a PostgreSQL report query', path: 'reports/dau.sql', text: 'SELECT DATE(login_time) FROM user_events\n', role: 'production' },
    { name: 'not: a migration in a BigQuery project (path wins)', path: 'migrations/001_init.sql', dialect: 'bigquery', role: 'migration' },
    // notebook
    { name: 'a Databricks notebook export', path: 'jobs/daily.py', text: '# Databricks notebook source\nimport pyspark\n', role: 'notebook' },
    { name: 'not: a PySpark job', path: 'jobs/daily.py', text: 'from pyspark.sql import SparkSession\n', role: 'production' },
    // order between detectors
    { name: 'a test under src/ beats the production default', path: 'src/orders.spec.ts', role: 'test' },
    { name: 'a test of migrations is a test', path: 'tests/migrations/test_0002.py', role: 'test' },
  ];
  for (const { name, path, text, dialect, role } of cases) {
    test(`${name}: ${path} is ${role}`, () => assert.equal(roleOf(path, text ?? '', languageFor(path), dialect ?? 'postgresql'), role));
  }

  test('every role says why', () => {
    const fact = detectFileRole('db/migrations/001.sql', 'sql', '', SETTINGS);
    assert.deepEqual(fact, { role: 'migration', source: 'path', reason: 'folder "migrations/"' });
    assert.deepEqual(detectFileRole('src/app.ts', 'typescript', '', SETTINGS), { role: 'production', source: 'default', reason: 'no other role matched' });
  });
});

describe('the roles config', () => {
  test('globs map paths to roles, first match wins, and reasons name the glob', () => {
    const { config, problems } = parseConfig('{ "roles": { "ops/**": "script", "src/reports/**": "production", "**": "test" } }', RULES.map((rule) => rule.meta));
    assert.deepEqual(problems, []);
    assert.ok(config !== null);
    const settings = settingsFromConfig(config, '2026-12-07');
    assert.deepEqual(detectFileRole('ops/clear_stats.py', 'python', '', settings), { role: 'script', source: 'config', reason: 'config roles: "ops/**"' });
    // The project's word beats the detectors: a file under tests/ the project calls production.
    assert.equal(detectFileRole('src/reports/tests/dau.sql', 'sql', '', settings).role, 'production');
  });

  test('unknown roles and empty globs are errors on their own range, with a suggestion', () => {
    const text = '{ "roles": { "ops/**": "scripts", "": "test" } }';
    const { config, problems } = parseConfig(text, RULES.map((rule) => rule.meta));
    assert.equal(config, null);
    assert.equal(problems.length, 2);
    assert.match(problems[0]?.message ?? '', /Did you mean `script`\?/);
    assert.equal(text.slice(problems[0]?.range.start, problems[0]?.range.end), '"scripts"');
  });

  test('a roles value that is not an object is an error', () => {
    const { problems } = parseConfig('{ "roles": ["ops/**"] }', RULES.map((rule) => rule.meta));
    assert.match(problems[0]?.message ?? '', /`roles` must be an object/);
  });
});

describe('the runner runs a rule only in the roles it applies to', () => {
  const lint = (path: string, languageId: LanguageId, text: string, settings: LintSettings = SETTINGS) =>
    [...new Set(lintDocument({ path, languageId, text }, settings, RULES).findings.map((finding) => finding.ruleId))].sort();

  test('write-without-where: production code yes, a data migration no (#13)', () => {
    const text = 'UPDATE users SET plan = \'free\';\n';
    assert.deepEqual(lint('src/sql/reset.sql', 'sql', text), ['write-without-where']);
    assert.deepEqual(lint('db/migrations/002_reset_plans.sql', 'sql', text), []);
  });

  test('request-without-timeout: a service yes, its test and a browser component no', () => {
    const text = "import axios from 'axios';\nexport async function load() { return axios.get('https://api.example.com/orders'); }\n";
    assert.deepEqual(lint('src/orders.ts', 'typescript', text), ['request-without-timeout']);
    assert.deepEqual(lint('src/orders.test.ts', 'typescript', text), []);
    assert.deepEqual(lint('src/hooks/orders.ts', 'typescript', `import { useState } from 'react';\n${text}`), []);
  });

  test('SQL run by pipeline code is warehouse SQL: application-query rules stay silent there', () => {
    const application = 'import psycopg2\n\ndef load(cur):\n    cur.execute("SELECT id, name FROM customers")\n    return cur.fetchall()\n';
    assert.ok(lint('app/customers.py', 'python', application).includes('unbounded-select'));
    const pipeline = `from airflow.decorators import task\n${application}`;
    assert.ok(!lint('dags/customers.py', 'python', pipeline).includes('unbounded-select'));
  });

  test("the project's roles config covers the SQL in a file too", () => {
    const pipeline = 'from airflow.decorators import task\nimport psycopg2\n\ndef load(cur):\n    cur.execute("SELECT id, name FROM customers")\n    return cur.fetchall()\n';
    const settings: LintSettings = { ...SETTINGS, roles: [{ pattern: 'dags/**', role: 'production' }] };
    assert.ok(lint('dags/customers.py', 'python', pipeline, settings).includes('unbounded-select'));
  });

  test('a suppression of a rule that does not apply to the role is not reported unused', () => {
    const text = '-- faultline-ignore-next-line write-without-where -- resets every plan on purpose\nUPDATE users SET plan = \'free\';\n';
    assert.deepEqual(lint('db/migrations/002_reset_plans.sql', 'sql', text), []);
  });
});

test("docs/roles.md lists every rule's roles as the rule declares them", () => {
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'roles.md'), 'utf8');
  const documented = new Map([...docs.matchAll(/^\| \[([a-z0-9-]+)\]\([^)]*\) \| ([a-z, ]+) \|$/gm)].map((match) => [match[1], match[2]]));
  for (const rule of RULES) assert.equal(documented.get(rule.meta.id), rule.meta.appliesTo.join(', '), rule.meta.id);
  assert.equal(documented.size, RULES.length);
});

describe('role detection reads in linear time (#15)', () => {
  test("a webpack bundle's hundreds of /******/ comments (once a backtracking 'use client' pattern froze the audit)", () => {
    const bundle = `${'/******/ \t// a webpack bootstrap line\n'.repeat(400)}/******/ (function(modules) { return modules; })([]);\n`;
    assert.equal(roleOf('src/bundle/main.dev.js', bundle), 'production');
  });
  test('16,000 blank lines, and lines of spaces, before anything', () => {
    assert.equal(roleOf('app/jobs.py', `${'\n'.repeat(16_000)}import pytest\n`), 'test');
    assert.equal(roleOf('app/jobs.py', `${' '.repeat(16_000)}\n`), 'production');
  });
  test("'use client' after comments is a browser module; inside a comment it is not", () => {
    assert.equal(roleOf('app/orders/actions.ts', "// Orders page\n/* data */\n'use client';\nexport const x = 1;\n"), 'browser');
    assert.equal(roleOf('app/orders/actions.ts', "// 'use client' is not needed here\nexport const x = 1;\n"), 'production');
  });
});
