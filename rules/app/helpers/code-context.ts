/**
 * Where a JS/TS file runs, as far as its path and imports say: test, example and benchmark code
 * (a hung request there fails a test run, not production), and browser UI code (a user who can
 * cancel or reload is the timeout). Rules about server-side production risk use it to stay
 * silent rather than guess; each rule's docs say when it applies.
 */

import { ts } from '../../engine/languages/typescript';
import type { FileBindings } from './bindings';

const NON_PRODUCTION_PATH = /(^|[\\/])(tests?|__tests__|__mocks__|spec|specs|e2e|examples?|benchmarks?|bench|fixtures|sandbox|demo)[\\/]|\.(test|spec|bench|e2e)\.[cm]?[jt]sx?$|\.d\.[cm]?ts$/i;

/** True for test, spec, example, benchmark and declaration files. */
export function isNonProductionPath(fileName: string): boolean {
  return NON_PRODUCTION_PATH.test(fileName);
}

const UI_MODULES = ['react', 'react-dom', 'preact', 'vue', 'svelte', 'solid-js', '@angular/core', 'lit', 'jquery', 'react-native'];

/** True for browser UI code: JSX files, `'use client'` modules, files importing a UI framework or using `window`. */
export function isBrowserCode(sourceFile: ts.SourceFile, bindings: FileBindings): boolean {
  if (/\.[jt]sx$/i.test(sourceFile.fileName)) return true;
  const first = sourceFile.statements[0];
  if (first !== undefined && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === 'use client') return true;
  for (const module of bindings.modules) {
    if (UI_MODULES.includes(module) || UI_MODULES.some((ui) => module.startsWith(`${ui}/`))) return true;
  }
  return /\bwindow\.|\blocalStorage\b|\bdocument\.(getElementById|querySelector|cookie)/.test(sourceFile.text);
}
