/**
 * Which language a document is, from its editor language id or its file name. A new language is
 * one more entry in each table.
 */

import type { LanguageId } from '../types';

const BY_LANGUAGE_ID: Record<string, LanguageId> = {
  sql: 'sql',
  typescript: 'typescript',
  typescriptreact: 'typescript',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
};

const BY_EXTENSION: Record<string, LanguageId> = {
  '.sql': 'sql',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.py': 'python',
};

export function languageOfLanguageId(languageId: string): LanguageId | null {
  return BY_LANGUAGE_ID[languageId] ?? null;
}

/** The language of a file path, or null for files Faultline does not read (.d.ts included). */
export function languageOfPath(path: string): LanguageId | null {
  const lower = path.toLowerCase();
  if (/\.d\.[mc]?ts$/.test(lower)) return null;
  const dot = lower.lastIndexOf('.');
  if (dot === -1) return null;
  return BY_EXTENSION[lower.slice(dot)] ?? null;
}
