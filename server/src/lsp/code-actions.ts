/**
 * textDocument/codeAction: for each Faultline diagnostic in the request, the rule's fixes
 * (quickfix; the first safe one preferred), "Fix all <rule> problems in this file", suppressions
 * for the line and the file, "Disable <rule> in .faultline.json" (the committed config, never user
 * settings) and "Show documentation"; plus the source action `source.fixAll.faultline` (safe
 * fixes only). Every document edit names the version it was computed for, so the client refuses
 * it if the text changed in between.
 */

import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { applyEdits as applyJsonEdits, modify } from 'jsonc-parser';
import { CodeActionKind, type CodeAction, type CodeActionParams, type TextDocumentEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME, computeLineStarts, lineOfOffset, nonOverlappingFixes, type Finding, type Fix, type LanguageId, type TextEdit } from '../../../rules';
import type { Analysis } from './analysis';
import { languageOfDocument } from './analysis';
import { isFaultlineDiagnostic, toLspEdit } from './convert';
import { FIX_ALL_KIND, SHOW_DOCUMENTATION_COMMAND } from './protocol';


function documentEdit(document: TextDocument, edits: TextEdit[]): WorkspaceEdit {
  const change: TextDocumentEdit = { textDocument: { uri: document.uri, version: document.version }, edits: edits.map((edit) => toLspEdit(document, edit)) };
  return { documentChanges: [change] };
}

/** The edits of the fixes that can go in together (the engine's choice, shared with the CLI's --fix). */
function nonOverlappingEdits(fixes: Fix[]): TextEdit[] {
  return nonOverlappingFixes(fixes).flatMap((fix) => fix.edits);
}

/** The line-comment syntax suppressions are written in, per language. */
const COMMENT_PREFIX: Record<LanguageId, string> = { sql: '--', typescript: '//', javascript: '//', python: '#' };

function commentPrefix(document: TextDocument): string {
  const language = languageOfDocument(document);
  return language === null ? '//' : COMMENT_PREFIX[language];
}

function suppressLineAction(document: TextDocument, finding: Finding): CodeAction {
  const text = document.getText();
  const starts = computeLineStarts(text);
  const anchor = Math.min(finding.range.start, finding.suppressionAnchor ?? finding.range.start);
  const line = lineOfOffset(starts, anchor);
  const lineStart = starts[line] ?? 0;
  const indentation = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  const comment = `${indentation}${commentPrefix(document)} faultline-ignore-next-line ${finding.ruleId} -- TODO: say why this is safe here\n`;
  return {
    title: `Suppress ${finding.ruleId} for this line`,
    kind: CodeActionKind.QuickFix,
    edit: documentEdit(document, [{ range: { start: lineStart, end: lineStart }, newText: comment }]),
  };
}

function suppressFileAction(document: TextDocument, finding: Finding): CodeAction {
  const text = document.getText();
  // Keep a shebang first.
  const insertAt = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  const comment = `${commentPrefix(document)} faultline-ignore-file ${finding.ruleId} -- TODO: say why this is safe in this file\n`;
  return {
    title: `Suppress ${finding.ruleId} for this file`,
    kind: CodeActionKind.QuickFix,
    edit: documentEdit(document, [{ range: { start: insertAt, end: insertAt }, newText: comment }]),
  };
}

function disableInConfigAction(analysis: Analysis, document: TextDocument, finding: Finding, workspaceRoot: string | null): CodeAction | null {
  const path = URI.parse(document.uri).fsPath;
  const resolved = analysis.resolveConfig(path);
  const configPath = resolved.configPath ?? (workspaceRoot === null ? null : join(workspaceRoot, CONFIG_FILE_NAME));
  if (configPath === null) return null;
  const uri = URI.file(configPath).toString();
  const title = `Disable ${finding.ruleId} in ${CONFIG_FILE_NAME}`;
  if (resolved.configPath === null) {
    const content = `${JSON.stringify({ rules: { [finding.ruleId]: 'off' } }, null, 2)}\n`;
    return {
      title,
      kind: CodeActionKind.QuickFix,
      edit: { documentChanges: [{ kind: 'create', uri, options: { ignoreIfExists: true } }, { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: content }] }] },
    };
  }
  let current: string;
  try {
    current = readFileSync(configPath, 'utf8');
  } catch {
    return null;
  }
  const edits = modify(current, ['rules', finding.ruleId], 'off', { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  if (edits.length === 0) return null;
  const updated = applyJsonEdits(current, edits);
  const lines = current.split('\n');
  const lastLine = Math.max(0, lines.length - 1);
  return {
    title,
    kind: CodeActionKind.QuickFix,
    edit: { documentChanges: [{ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: lastLine, character: lines[lastLine]?.length ?? 0 } }, newText: updated }] }] },
  };
}

export async function codeActionsFor(analysis: Analysis, document: TextDocument, params: CodeActionParams, workspaceRoot: string | null): Promise<CodeAction[]> {
  const result = await analysis.analyze(document);
  if (result === null) return [];
  const only = params.context.only;
  const wantsFixAll = only === undefined || only.some((kind) => FIX_ALL_KIND.startsWith(kind));
  const wantsQuickFix = only === undefined || only.some((kind) => CodeActionKind.QuickFix.startsWith(kind));
  const actions: CodeAction[] = [];

  if (wantsQuickFix) {
    const seenRules = new Set<string>();
    for (const diagnostic of params.context.diagnostics) {
      if (!isFaultlineDiagnostic(diagnostic)) continue;
      const finding = result.findings.find((candidate) => candidate.ruleId === diagnostic.data.ruleId && candidate.range.start === diagnostic.data.start && candidate.range.end === diagnostic.data.end);
      if (finding === undefined) continue;
      finding.fixes.forEach((fix, index) => {
        if (fix.safety === 'display-only') return;
        actions.push({
          title: fix.safety === 'unsafe' ? `${fix.title} (review: may change behaviour)` : fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: index === 0 && fix.safety === 'safe',
          edit: documentEdit(document, fix.edits),
        });
      });
      if (seenRules.has(finding.ruleId)) continue;
      seenRules.add(finding.ruleId);
      const sameRule = result.findings.filter((candidate) => candidate.ruleId === finding.ruleId && candidate.fixes[0]?.safety === 'safe');
      if (sameRule.length > 1) {
        actions.push({ title: `Fix all ${finding.ruleId} problems in this file`, kind: CodeActionKind.QuickFix, edit: documentEdit(document, nonOverlappingEdits(sameRule.flatMap((candidate) => candidate.fixes.slice(0, 1)))) });
      }
      if (finding.ruleId === 'invalid-suppression' || finding.ruleId === 'unused-suppression') continue;
      actions.push(suppressLineAction(document, finding), suppressFileAction(document, finding));
      const disable = disableInConfigAction(analysis, document, finding, workspaceRoot);
      if (disable !== null) actions.push(disable);
      actions.push({ title: `Show documentation for ${finding.ruleId}`, kind: CodeActionKind.QuickFix, command: { title: `Show documentation for ${finding.ruleId}`, command: SHOW_DOCUMENTATION_COMMAND, arguments: [finding.ruleId] } });
    }
  }
  if (wantsFixAll && (only !== undefined || params.context.triggerKind !== 1)) {
    const safeFixes = result.findings.flatMap((finding) => finding.fixes.filter((fix) => fix.safety === 'safe').slice(0, 1));
    if (safeFixes.length > 0) actions.push({ title: 'Fix all safe Faultline problems', kind: FIX_ALL_KIND, edit: documentEdit(document, nonOverlappingEdits(safeFixes)) });
  }
  return actions;
}

export function workspaceRootOf(folders: string[], path: string): string | null {
  const matching = folders.filter((folder) => path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`));
  return matching.sort((a, b) => b.length - a.length)[0] ?? (folders[0] ?? dirname(path));
}
