/**
 * Audits of text that is not the working tree's file: `--stdin-filename PATH` (an editor or a
 * formatter pipes a buffer in, linted as if it were at PATH: PATH's config, language and role)
 * and `--staged` (what git's index holds for each staged file, which is what the commit will
 * contain, however the working tree differs). Both hand the audit a map from the path the text
 * stands for to the text; everything else (configs, roles, the report) is the ordinary audit's.
 */

import { resolve, sep } from 'node:path';
import { languageOfPath } from '../../../rules/index';
import { decodeSource, whyNotRead, type SkippedFile } from '../workspace/files';
import type { AuditOptions } from './args';
import { realPath, stagedContent, stagedFiles } from './select-files';

export interface GivenTexts {
  /** Absolute path the text stands for → the text. */
  texts: Map<string, string>;
  skipped: SkippedFile[];
}

async function readStandardInput(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function isInside(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/** The texts `--stdin-filename` or `--staged` asks for; null when the audit reads the files. */
export async function givenTexts(options: AuditOptions, cwd: string): Promise<GivenTexts | { error: string } | null> {
  if (options.stdinFilename !== null) {
    const path = resolve(cwd, options.stdinFilename);
    const bytes = await readStandardInput();
    // The text is kept even when it is not linted: with --fix it is printed back unchanged.
    const decoded = decodeSource(bytes);
    const texts = new Map([[path, 'text' in decoded ? decoded.text : bytes.toString('utf8')]]);
    if (languageOfPath(path) === null) return { texts, skipped: [{ path, reason: whyNotRead(path), named: true }] };
    if ('skipped' in decoded) return { texts, skipped: [{ path, reason: decoded.skipped, named: true }] };
    return { texts, skipped: [] };
  }
  if (!options.staged) return null;
  const staged = stagedFiles(cwd);
  if ('error' in staged) return staged;
  // The staged files under the paths asked about (the current folder by default), as --changed-since narrows.
  const folders = options.paths.map((path) => realPath(resolve(cwd, path)));
  const texts = new Map<string, string>();
  const skipped: SkippedFile[] = [];
  for (const file of staged.files) {
    if (languageOfPath(file.absolutePath) === null || !folders.some((folder) => isInside(folder, file.absolutePath))) continue;
    const bytes = stagedContent(file);
    if ('error' in bytes) {
      skipped.push({ path: file.absolutePath, reason: bytes.error });
      continue;
    }
    if (bytes.length > options.maxFileSizeKb * 1024) {
      skipped.push({ path: file.absolutePath, reason: `larger than ${Math.round(options.maxFileSizeKb)} KB (${Math.round(bytes.length / 1024)} KB)` });
      continue;
    }
    const decoded = decodeSource(bytes);
    if ('skipped' in decoded) skipped.push({ path: file.absolutePath, reason: decoded.skipped });
    else texts.set(file.absolutePath, decoded.text);
  }
  return { texts, skipped };
}
