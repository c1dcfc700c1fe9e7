/**
 * What a person does in the VS Code workbench, as playwright-core steps against code-server's
 * DOM: quick open a file, run a command from the palette, read the Problems panel, find the lines
 * under squiggles, read the editor's text, hover, take screenshots. Every step waits for a
 * condition (a locator or a predicate over the DOM) with a timeout; none sleeps for a fixed time.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export const STEP_TIMEOUT_MS = 30_000;

/**
 * The few browser globals the page functions below use. The project compiles without the DOM
 * library, so Node code cannot use browser APIs by accident; functions run in the page reach
 * them through `globalThis` with this shape instead.
 */
interface PageNode {
  textContent: string | null;
  getBoundingClientRect(): { top: number };
}
interface PageGlobals {
  document: { body: PageNode; querySelector(selector: string): PageNode | null; querySelectorAll(selector: string): Iterable<PageNode> };
  MutationObserver: new (callback: () => void) => { observe(target: PageNode, options: Record<string, boolean>): void; disconnect(): void };
  faultlineNotifications?: string[];
}

/** One row of the Problems panel, parsed from its accessible label. */
export interface Problem {
  file: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  source: string;
  /** The rule id shown after the source, e.g. faultline(timezone-naive-date-bucket). */
  code: string;
}

export function createScreenshots(page: Page, directory: string): (name: string) => Promise<string> {
  mkdirSync(directory, { recursive: true });
  let step = 0;
  return async (name) => {
    step++;
    const path = join(directory, `${String(step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path });
    return path;
  };
}

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
  // The explorer lists the folder once the remote file system is connected.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
}

/** Ctrl+P, the file's name, Enter; resolves when the file is the active editor tab. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(fileName);
  // Click the matching entry: Enter could pick a recently opened file before the list filters.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  await row.click();
  // On a loaded machine the list can re-render under the click, which then opens nothing: the
  // picker is still open with the row selected, and Enter opens it.
  const opened = await activeTab(page, fileName).waitFor({ timeout: 5_000 }).then(() => true, () => false);
  if (!opened && (await input.isVisible())) await page.keyboard.press('Enter');
  await activeTab(page, fileName).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.locator('.part.editor .monaco-editor.focused').waitFor({ timeout: STEP_TIMEOUT_MS });
}

export function activeTab(page: Page, fileName: string): Locator {
  return page.locator('.part.editor .tab.active', { hasText: fileName });
}

/** F1, the command's label, Enter on the matching entry. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  await row.click();
}

/** Opens the Problems panel if it is not showing (Ctrl+Shift+M toggles it, so look first). */
export async function showProblems(page: Page): Promise<void> {
  if (await page.locator('.markers-panel').isVisible()) return;
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}

/** Hides the panel (Ctrl+J toggles it) so the editor shows more lines. */
export async function hidePanel(page: Page): Promise<void> {
  const panel = page.locator('.part.panel');
  if (!(await panel.isVisible())) return;
  await page.keyboard.press('Control+J');
  await panel.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}

/**
 * The Problems panel's rows, parsed. The tree renders only the rows in view, so callers that
 * need many rows maximize the panel first. File rows ("2 problems in file x.sql of folder sql")
 * name the file of the marker rows below them.
 */
export async function readProblems(page: Page): Promise<Problem[]> {
  const rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) =>
    elements
      .map((element) => ({
        label: element.getAttribute('aria-label') ?? '',
        text: element.textContent ?? '',
        top: element.getBoundingClientRect().top,
      }))
      .sort((a, b) => a.top - b.top),
  );
  const problems: Problem[] = [];
  let file = '';
  for (const row of rows) {
    const fileRow = /problems? in file (.+?)(?: of folder .*)?$/.exec(row.label);
    if (fileRow?.[1] !== undefined) {
      file = fileRow[1];
      continue;
    }
    const marker = /^(Error|Warning|Info|Information|Hint): ([\s\S]*) at line (\d+) and character (\d+)\.[\s\S]* generated by (\S+?)\.?$/.exec(row.label);
    if (marker === null) continue;
    const [, severity = '', message = '', line = '0', column = '0', source = ''] = marker;
    const code = new RegExp(`${source}\\(?([a-z0-9-]+)\\)?\\[Ln`).exec(row.text)?.[1] ?? '';
    problems.push({ file, severity, message, line: Number(line), column: Number(column), source, code });
  }
  return problems;
}

/**
 * Types into the Problems panel's filter box: `**\/name` shows one file's rows only, '' shows all.
 * The tree draws only the rows in view, so filtering is how a check sees all of one file's rows.
 */
export async function filterProblems(page: Page, filter: string): Promise<void> {
  const input = page.locator('.part.panel .viewpane-filter input');
  if ((await input.inputValue()) === filter) return;
  await input.fill(filter);
}

/**
 * Waits until the Problems panel's rows satisfy `predicate`; returns them. With `file`, the panel
 * is filtered to that file's rows first.
 */
export async function waitForProblems(page: Page, what: string, predicate: (problems: Problem[]) => boolean, options: { file?: string; timeoutMs?: number } = {}): Promise<Problem[]> {
  const timeoutMs = options.timeoutMs ?? STEP_TIMEOUT_MS;
  await showProblems(page);
  await filterProblems(page, options.file === undefined ? '' : `**/${options.file}`);
  const deadline = Date.now() + timeoutMs;
  let problems: Problem[] = [];
  for (;;) {
    problems = await readProblems(page);
    if (predicate(problems)) return problems;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the Problems panel shows:\n${problems.map(describeProblem).join('\n')}`);
    }
    // Re-read after the next DOM change (or at the latest after a second, for virtualized rows).
    await page.evaluate(() => new Promise<void>((resolveChange) => {
      const { document, MutationObserver } = globalThis as unknown as PageGlobals;
      const panel = document.querySelector('.markers-panel') ?? document.body;
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolveChange();
      });
      observer.observe(panel, { subtree: true, childList: true, attributes: true, characterData: true });
      setTimeout(() => {
        observer.disconnect();
        resolveChange();
      }, 1_000);
    }));
  }
}

export function describeProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.severity} ${problem.source}(${problem.code}) ${problem.message.split('\n')[0] ?? ''}`;
}

/** The active editor; the Output panel and the Problems filter are editors too, so be precise. */
export function activeEditor(page: Page): Locator {
  return page.locator('.part.editor .editor-group-container.active .monaco-editor').first();
}

/**
 * The line numbers under squiggles of one kind (warning, error, info) in the active editor: each
 * squiggle's vertical position matched with the line number drawn beside it.
 */
export async function squiggleLines(page: Page, kind: 'warning' | 'error' | 'info'): Promise<number[]> {
  return activeEditor(page).evaluate((editor, squiggleClass) => {
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((element) => ({
      top: element.getBoundingClientRect().top,
      line: Number(element.textContent),
    }));
    const lines = [...editor.querySelectorAll(`.view-overlays .${squiggleClass}`)].map((element) => {
      const top = element.getBoundingClientRect().top;
      const match = numbers.find((number) => Math.abs(number.top - top) < 4);
      return match?.line ?? -1;
    });
    return [...new Set(lines)].sort((a, b) => a - b);
  }, `squiggly-${kind}`);
}

export async function waitForSquiggleLines(page: Page, kind: 'warning' | 'error' | 'info', predicate: (lines: number[]) => boolean, what: string): Promise<number[]> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const lines = await squiggleLines(page, kind);
    if (predicate(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${kind} squiggles are on lines ${lines.join(', ') || '(none)'}`);
    await activeEditor(page).locator('.view-overlays').evaluate((overlays) => new Promise<void>((resolveChange) => {
      const { MutationObserver } = globalThis as unknown as PageGlobals;
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolveChange();
      });
      observer.observe(overlays, { subtree: true, childList: true, attributes: true });
      setTimeout(() => {
        observer.disconnect();
        resolveChange();
      }, 1_000);
    }));
  }
}

/** The squiggle of one kind drawn on a given line of the active editor. */
export async function squiggleOnLine(page: Page, kind: 'warning' | 'error' | 'info', line: number): Promise<Locator> {
  const index = await activeEditor(page).evaluate((editor, args) => {
    const number = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((element) => Number(element.textContent) === args.line);
    if (number === undefined) return -1;
    const top = number.getBoundingClientRect().top;
    return [...editor.querySelectorAll(`.view-overlays .${args.squiggleClass}`)].findIndex((element) => Math.abs(element.getBoundingClientRect().top - top) < 4);
  }, { line, squiggleClass: `squiggly-${kind}` });
  if (index < 0) throw new Error(`no ${kind} squiggle on line ${line}`);
  return activeEditor(page).locator(`.view-overlays .squiggly-${kind}`).nth(index);
}

/**
 * Moves the mouse to the middle of an element (a squiggle is drawn under the text, which takes
 * the pointer events, so Playwright's own hover and click would refuse it), optionally clicking.
 */
export async function pointAt(page: Page, target: Locator, options: { click?: boolean } = {}): Promise<void> {
  const box = await target.boundingBox();
  if (box === null) throw new Error('the element to point at is not visible');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  if (options.click === true) await page.mouse.click(x, y);
  else await page.mouse.move(x, y);
}

/**
 * Picks an entry of the open quick-fix menu with the keyboard, as a person does: arrow down until
 * the entry is focused, then Enter. (The menu's overlay takes the pointer events.)
 */
export async function pickCodeAction(page: Page, title: string): Promise<void> {
  const rows = page.locator('.action-widget .monaco-list-row');
  await rows.filter({ hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  const count = await rows.count();
  for (let step = 0; step <= count; step++) {
    const focused = (await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label')) ?? '';
    if (focused.startsWith(title)) {
      await page.keyboard.press('Enter');
      await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`could not focus the code action "${title}" in the menu`);
}

/** The active editor's text as drawn (Monaco draws spaces as non-breaking spaces). */
export async function editorText(page: Page): Promise<string> {
  return activeEditor(page).evaluate((editor) =>
    [...editor.querySelectorAll('.view-lines .view-line')]
      .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text)
      .join('\n'),
  );
}

export async function waitForEditorText(page: Page, what: string, predicate: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const text = await editorText(page);
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the editor shows:\n${text}`);
    await activeEditor(page).locator('.view-lines').evaluate((lines) => new Promise<void>((resolveChange) => {
      const { MutationObserver } = globalThis as unknown as PageGlobals;
      const observer = new MutationObserver(() => {
        observer.disconnect();
        resolveChange();
      });
      observer.observe(lines, { subtree: true, childList: true, characterData: true });
      setTimeout(() => {
        observer.disconnect();
        resolveChange();
      }, 1_000);
    }));
  }
}

/** Starts recording every notification toast's text, so a short-lived progress toast is not missed. */
export async function recordNotifications(page: Page): Promise<void> {
  await page.evaluate(() => {
    const globals = globalThis as unknown as PageGlobals;
    const { document, MutationObserver } = globals;
    const seen: string[] = [];
    globals.faultlineNotifications = seen;
    const record = (): void => {
      for (const toast of document.querySelectorAll('.notification-toast, .notifications-center .notification-list-item')) {
        const text = (toast.textContent ?? '').trim();
        if (text !== '' && !seen.includes(text)) seen.push(text);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    record();
  });
}

export async function recordedNotifications(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((globalThis as unknown as PageGlobals).faultlineNotifications ?? [])]);
}

/**
 * The page inside a webview panel. VS Code hosts each webview in an iframe (`iframe.webview`)
 * whose own inner iframe (`#active-frame`) holds the extension's HTML.
 */
export function webviewContent(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Gives the keyboard back to the workbench: a webview keeps the keys it has focus for (F1 does
 * not reach the command palette), so click the side bar's title, which has no action of its own.
 */
export async function focusWorkbench(page: Page): Promise<void> {
  await page.locator('.part.sidebar .composite.title').click();
}

/** Picks a color theme through "Preferences: Color Theme", as a person does, and waits for it. */
export async function pickColorTheme(page: Page, label: string, kind: 'light' | 'dark'): Promise<void> {
  await focusWorkbench(page);
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(label);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  await row.click();
  // The workbench's root element carries the theme's kind: `vs` for light, `vs-dark` for dark.
  await page.locator(kind === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark').waitFor({ timeout: STEP_TIMEOUT_MS });
}
