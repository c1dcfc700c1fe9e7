/**
 * local-time-bucketing: day and month keys computed in the server's local time zone. Three shapes:
 *
 * - a key built from local getters: a template literal, a `+` concatenation or an array joined
 *   with `.join(...)` that uses `getFullYear()` and `getMonth()` of the same date (a month or day
 *   key such as `2024-03-09`);
 * - `toLocaleDateString()` without a `timeZone` option;
 * - `toISOString().slice(0, 10)` (or `substring`, `substr`, `split('T')[0]`): that is the UTC
 *   day, right when reports are bucketed in UTC, so it is only reported when the configured
 *   `reportingTimeZone` is another zone.
 *
 * Only server code is judged: in a browser the user's own zone is usually what a day means. A
 * file counts as server code when it imports a Node built-in or a server-side library (a web
 * framework, a database or queue client) and shows no sign of running in a browser (JSX, a UI
 * framework import, `window`/`document`, `'use client'`). The rule applies to production code
 * only (engine/roles.ts): tests build expected values the same way on purpose, and browser code
 * is left out by its role. `getUTC*` getters and libraries given a zone are clean.
 *
 * The only fix (unsafe: it changes the zone the day is computed in) passes the configured
 * `reportingTimeZone` to `toLocaleDateString`.
 */

import { fileNodes, ts, walkScript } from '../../engine/languages/typescript';
import { allOf, anyOf, importOf } from '../../engine/prefilter';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { fileBindings, objectLiteralOf, propertiesOf, propertyInsertion, unwrapExpression } from '../helpers/bindings';

type MessageId = 'localGetters' | 'localeDate' | 'utcDay';

const NODE_BUILTINS = new Set(['fs', 'fs/promises', 'path', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'crypto', 'child_process', 'cluster', 'os', 'stream', 'zlib', 'worker_threads', 'readline', 'v8', 'vm', 'perf_hooks', 'async_hooks']);
const SERVER_LIBRARIES = ['express', 'fastify', 'koa', 'hapi', '@hapi/hapi', '@nestjs/', 'pg', 'pg-pool', 'postgres', 'mysql', 'mysql2', 'knex', 'sequelize', 'typeorm', '@prisma/client', 'mongoose', 'mongodb', 'ioredis', 'redis', 'kafkajs', 'node-rdkafka', '@confluentinc/kafka-javascript', 'bullmq', 'bull', 'pg-boss', 'graphile-worker', 'node-cron', 'cron', 'agenda', 'aws-sdk', '@aws-sdk/', '@google-cloud/', 'firebase-admin', 'nodemailer', 'amqplib'];
const BROWSER_LIBRARIES = ['react', 'react-dom', 'vue', 'svelte', 'preact', 'solid-js', '@angular/', 'next/router', 'next/navigation', 'react-native', '@remix-run/react'];
const UTC_ZONES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'etc/universal', 'universal', 'zulu', 'etc/zulu']);
const DAY_SLICES = new Set(['slice', 'substring', 'substr']);

function matchesLibrary(module: string, libraries: readonly string[]): boolean {
  return libraries.some((library) => (library.endsWith('/') ? module.startsWith(library) : module === library || module.startsWith(`${library}/`)));
}


/** True when the file looks like code that runs on a server (see the file comment). */
function isServerCode(sourceFile: ts.SourceFile): boolean {
  const { modules } = fileBindings(sourceFile);
  let server = false;
  for (const module of modules) {
    if (matchesLibrary(module, BROWSER_LIBRARIES)) return false;
    if (module.startsWith('node:') || NODE_BUILTINS.has(module) || matchesLibrary(module, SERVER_LIBRARIES)) server = true;
  }
  if (!server) return false;
  const first = sourceFile.statements[0];
  if (first !== undefined && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === 'use client') return false;
  for (const node of fileNodes(sourceFile)) {
    if (ts.isIdentifier(node) && (node.text === 'window' || node.text === 'document') && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) return false;
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node)) return false;
  }
  return true;
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node);
}

/** Local date getters called inside an expression (not in nested functions), by receiver text. */
function localGetters(expression: ts.Node, sourceFile: ts.SourceFile): Map<string, Set<string>> {
  const byReceiver = new Map<string, Set<string>>();
  walkScript(expression, (node) => {
    if (isFunctionLike(node)) return false;
    if (ts.isCallExpression(node) && node.arguments.length === 0 && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (name === 'getFullYear' || name === 'getMonth' || name === 'getDate') {
        const receiver = node.expression.expression.getText(sourceFile);
        const names = byReceiver.get(receiver) ?? new Set<string>();
        names.add(name);
        byReceiver.set(receiver, names);
      }
    }
    return true;
  });
  return byReceiver;
}

function isStringConcatenationRoot(node: ts.Node): node is ts.BinaryExpression {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.PlusToken) return false;
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.PlusToken) return false;
  if (ts.isParenthesizedExpression(parent) && ts.isBinaryExpression(parent.parent) && parent.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) return false;
  // A key is text: at least one operand of the chain is a string literal or template.
  // The chain's operands, with a stack: `a + b + ...` is a tree as deep as it is long (#15).
  const pending: ts.Expression[] = [node];
  for (let operand = pending.pop(); operand !== undefined; operand = pending.pop()) {
    const value = unwrapExpression(operand);
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) pending.push(value.right, value.left);
    else if (ts.isStringLiteral(value) || ts.isTemplateExpression(value) || ts.isNoSubstitutionTemplateLiteral(value)) return true;
  }
  return false;
}

/** `x.toISOString().slice(0, 10)` and friends: the receiver of `toISOString` when the expression takes its day. */
function isoDay(node: ts.Node): ts.CallExpression | null {
  // x.toISOString().split('T')[0]
  if (ts.isElementAccessExpression(node)) {
    const index = node.argumentExpression;
    const split = unwrapExpression(node.expression);
    if (!ts.isNumericLiteral(index) || index.text !== '0' || !ts.isCallExpression(split) || !ts.isPropertyAccessExpression(split.expression) || split.expression.name.text !== 'split') return null;
    const separator = split.arguments[0];
    if (separator === undefined || !ts.isStringLiteral(separator) || separator.text !== 'T') return null;
    return isoCall(split.expression.expression);
  }
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !DAY_SLICES.has(node.expression.name.text)) return null;
  const [start, end] = node.arguments;
  if (start === undefined || end === undefined || !ts.isNumericLiteral(start) || start.text !== '0' || !ts.isNumericLiteral(end) || end.text !== '10') return null;
  return isoCall(node.expression.expression);
}

function isoCall(expression: ts.Expression): ts.CallExpression | null {
  const call = unwrapExpression(expression);
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'toISOString' && call.arguments.length === 0 ? call : null;
}

/** The unsafe fix: give `toLocaleDateString` the reporting zone. Null when the options are not written inline. */
function timeZoneFix(sourceFile: ts.SourceFile, call: ts.CallExpression, zone: string): Fix | null {
  const [locales, options] = call.arguments;
  const title = `Format the day in ${zone}`;
  const zoneText = `timeZone: '${zone}'`;
  if (locales === undefined) return { title, safety: 'unsafe', edits: [{ range: { start: call.arguments.pos, end: call.arguments.pos }, newText: `undefined, { ${zoneText} }` }] };
  if (options === undefined) return { title, safety: 'unsafe', edits: [{ range: { start: locales.getEnd(), end: locales.getEnd() }, newText: `, { ${zoneText} }` }] };
  const literal = unwrapExpression(options);
  if (!ts.isObjectLiteralExpression(literal)) return null;
  const insertion = propertyInsertion(sourceFile, literal, zoneText);
  return { title, safety: 'unsafe', edits: [{ range: { start: insertion.offset, end: insertion.offset }, newText: insertion.text }] };
}

export default defineRule<MessageId>({
  meta: {
    id: 'local-time-bucketing',
    family: 'app',
    target: 'script',
    defaultSeverity: 'info',
    fix: 'unsafe',
    requiresParse: false,
    appliesTo: ['production'],
    summary: 'A day or month key computed in the server\'s local time zone (local `Date` getters, `toLocaleDateString()` without `timeZone`).',
    why: 'The process\'s `TZ` decides where a local day starts: UTC in most containers, the developer\'s zone on a laptop, something else on a legacy host. Daily keys, report buckets and partitions then differ between environments and shift when the host changes, and every event near midnight lands in the wrong day for the business, which tests running in one zone never notice.',
    messages: {
      localGetters: 'Date key built from local-time getters (`{{receiver}}.getFullYear()`, `getMonth()`...): the server\'s time zone decides which day it is; compute it in an explicit zone: `getUTC*()` getters, or `new Intl.DateTimeFormat(\'en-CA\', { timeZone: \'{{zone}}\' }).format({{receiver}})`.',
      localeDate: '`toLocaleDateString()` without a `timeZone` formats the day in the server\'s time zone; pass one: `toLocaleDateString({{locales}}, { timeZone: \'{{zone}}\' })`.',
      utcDay: '`{{expression}}` is the UTC day, but reports are bucketed in {{zone}}: events between midnight in {{zone}} and midnight UTC land in the wrong day; use `new Intl.DateTimeFormat(\'en-CA\', { timeZone: \'{{zone}}\' }).format(date)`.',
    },
    options: {},
    // Only server code is judged, and a file is server code by its imports (isServerCode).
    prefilter: [allOf(importOf('node:', ...NODE_BUILTINS, ...SERVER_LIBRARIES), anyOf('getfullyear', 'tolocaledatestring', 'toisostring'))],
    sources: ['Sonar C# S6562 / S6563 / S6566 (DateTime kinds), for .NET', 'Ruff DTZ001-DTZ012 (flake8-datetimez), for Python'],
  },
  create(context) {
    let sourceFile: ts.SourceFile | null = null;
    let server = false;
    const reportedKeys: { start: number; end: number }[] = [];
    const zone = context.reportingTimeZone;
    const utcReporting = UTC_ZONES.has(zone.toLowerCase());

    const checkKey = (node: ts.Node): void => {
      if (!server || sourceFile === null) return;
      const file = sourceFile;
      if (ts.isBinaryExpression(node) && !isStringConcatenationRoot(node)) return;
      if (ts.isArrayLiteralExpression(node)) {
        const parent = node.parent;
        if (!ts.isPropertyAccessExpression(parent) || parent.name.text !== 'join') return;
      }
      const start = node.getStart(file);
      // A key nested in a key already reported (a template inside a concatenation) is the same finding.
      if (reportedKeys.some((range) => range.start <= start && node.getEnd() <= range.end)) return;
      for (const [receiver, names] of localGetters(node, file)) {
        if (!names.has('getFullYear') || !names.has('getMonth')) continue;
        reportedKeys.push({ start, end: node.getEnd() });
        context.report({ messageId: 'localGetters', data: { receiver, zone }, range: { start, end: node.getEnd() } });
        return;
      }
    };

    const checkCall = (node: ts.Node): void => {
      if (!server || sourceFile === null || !ts.isCallExpression(node)) return;
      const file = sourceFile;
      if (!utcReporting) {
        const iso = isoDay(node);
        if (iso !== null) context.report({ messageId: 'utcDay', data: { expression: node.getText(file).replace(/\s+/g, ' ').slice(0, 60), zone }, range: { start: node.getStart(file), end: node.getEnd() } });
      }
      if (!ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'toLocaleDateString') return;
      const [locales, options] = node.arguments;
      if (options !== undefined) {
        const literal = objectLiteralOf(fileBindings(file), options);
        if (literal === null) return;
        const { names, spread } = propertiesOf(literal);
        if (spread || names.has('timeZone')) return;
      }
      const fix = timeZoneFix(file, node, zone);
      context.report({ messageId: 'localeDate', data: { locales: locales === undefined ? 'undefined' : locales.getText(file), zone }, range: { start: node.expression.name.getStart(file), end: node.getEnd() }, fixes: fix === null ? [] : [fix] });
    };

    const checkElementAccess = (node: ts.Node): void => {
      if (!server || sourceFile === null || utcReporting || isoDay(node) === null) return;
      context.report({ messageId: 'utcDay', data: { expression: node.getText(sourceFile).replace(/\s+/g, ' ').slice(0, 60), zone }, range: { start: node.getStart(sourceFile), end: node.getEnd() } });
    };

    return {
      file(file) {
        sourceFile = file;
        server = isServerCode(file);
        reportedKeys.length = 0;
      },
      nodes: {
        [ts.SyntaxKind.TemplateExpression]: checkKey,
        [ts.SyntaxKind.BinaryExpression]: checkKey,
        [ts.SyntaxKind.ArrayLiteralExpression]: checkKey,
        [ts.SyntaxKind.CallExpression]: checkCall,
        [ts.SyntaxKind.ElementAccessExpression]: checkElementAccess,
      },
    };
  },
});
