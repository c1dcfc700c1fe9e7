/**
 * faultline/auditReport: the last audit as the HTML page the client shows in a webview. The page
 * itself is the CLI's `--format html` report (server/src/report/html.ts), so the editor and CI
 * show the same thing; this module only makes it fit a webview:
 * - links to locations become `#open?uri=…&line=…&column=…` and links to rule docs
 *   `#docs?rule=…`: fragments, which go nowhere by themselves, and which a small script turns into
 *   messages to the extension (it opens the file, or the bundled docs);
 * - a Content-Security-Policy allows nothing but the page's own style and script, by nonce;
 * - the colours come from the VS Code theme's CSS variables, so the page reads well in light, dark
 *   and high-contrast themes (outside a webview the report keeps its prefers-color-scheme colours).
 */

import { URI } from 'vscode-uri';
import { htmlReport, type HtmlFile } from '../report/html';
import type { AuditRecord } from './audit';

/**
 * The findings the page lists one by one; the totals, chart and tables count all of them. A
 * webview is no place for a quarter of a million rows, and the page of a 60,000-file audit with
 * every finding listed made the server's memory peak near a gigabyte (#15). The CLI's
 * `--format html` lists everything.
 */
const LISTED_FINDINGS = 10_000;

/** A nonce is base64 or hex from the client; anything else could break out of the attribute. */
const NONCE = /^[A-Za-z0-9+/=_-]{16,128}$/;

/** The report's colour properties, mapped to the webview theme's variables. */
const THEME_STYLE = `
body.vscode-light, body.vscode-dark, body.vscode-high-contrast, body.vscode-high-contrast-light {
  --bg: var(--vscode-editor-background); --fg: var(--vscode-editor-foreground);
  --muted: var(--vscode-descriptionForeground); --border: var(--vscode-panel-border, var(--vscode-widget-border, rgba(128, 128, 128, 0.35)));
  --panel: var(--vscode-textCodeBlock-background, var(--vscode-editorWidget-background)); --accent: var(--vscode-textLink-foreground);
  --bar: var(--vscode-charts-blue, var(--vscode-textLink-foreground)); --error: var(--vscode-editorError-foreground, var(--vscode-errorForeground));
  --warning: var(--vscode-editorWarning-foreground); --info: var(--vscode-editorInfo-foreground); --hint: var(--vscode-descriptionForeground);
  font-family: var(--vscode-font-family); }
body.vscode-light, body.vscode-high-contrast-light { color-scheme: light; }
body.vscode-dark, body.vscode-high-contrast { color-scheme: dark; }
a:hover { color: var(--vscode-textLink-activeForeground, var(--accent)); }
svg[role="img"] { max-width: var(--faultline-chart-width, 740px); }
`;

/**
 * Turns fragment links into messages for the extension. `acquireVsCodeApi` exists only inside a
 * webview; elsewhere the links stay inert fragments.
 */
const SCRIPT = `
(function () {
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('a') : null;
    if (target === null || vscode === null) return;
    var href = target.getAttribute('href') || '';
    if (href.indexOf('#open?') === 0) {
      var open = new URLSearchParams(href.slice(6));
      event.preventDefault();
      vscode.postMessage({ kind: 'open', uri: open.get('uri'), line: Number(open.get('line')), column: Number(open.get('column')) });
    } else if (href.indexOf('#docs?') === 0) {
      event.preventDefault();
      vscode.postMessage({ kind: 'docs', ruleId: new URLSearchParams(href.slice(6)).get('rule') });
    }
  });
})();
`;

function locationHref(file: HtmlFile, finding: { line: number; column: number }): string {
  const query = new URLSearchParams({ uri: URI.file(file.absolutePath).toString(), line: String(finding.line), column: String(finding.column) });
  return `#open?${query.toString()}`;
}

/**
 * The webview page for an audit. Returns null for a nonce that is not one. The strict policy
 * blocks inline `style` attributes, so the chart's one (a max width) moves into the stylesheet.
 */
export function renderAuditReport(record: AuditRecord, nonce: string, version: string): string | null {
  if (!NONCE.test(nonce)) return null;
  // One docs link per rule, not per finding.
  const docsLinks = new Map<string, string>();
  const docsLinkOf = (ruleId: string): string => {
    let link = docsLinks.get(ruleId);
    if (link === undefined) {
      link = `#docs?${new URLSearchParams({ rule: ruleId }).toString()}`;
      docsLinks.set(ruleId, link);
    }
    return link;
  };
  const files: HtmlFile[] = record.files.map((file) => ({
    path: file.path,
    absolutePath: file.absolutePath,
    findings: file.findings.map((finding) => ({ ...finding, docsUrl: docsLinkOf(finding.ruleId) })),
  }));
  const folders = record.folders.map((folder) => folder.split(/[\\/]/).pop() ?? folder).join(', ');
  const title = `Faultline audit${folders === '' ? '' : ` of ${folders}`}${record.cancelled ? ' (cancelled)' : ''}`;
  const page = htmlReport({ files, filesChecked: record.filesChecked, skipped: record.skipped }, { title, version, generatedAt: record.finishedAt, locationHref, maxListedFindings: LISTED_FINDINGS });

  let chartWidth: string | null = null;
  const withoutInlineStyles = page.replace(/(<svg\b[^>]*?) style="max-width:(\d+)px"/g, (_match, start: string, width: string) => {
    chartWidth = width;
    return start;
  });
  const policy = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const head = `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
  const theme = `<style nonce="${nonce}">${THEME_STYLE}${chartWidth === null ? '' : `:root { --faultline-chart-width: ${String(chartWidth)}px; }`}</style>`;
  return withoutInlineStyles
    .replace('<head>', `<head>\n${head}`)
    .replace(/<style>/g, `<style nonce="${nonce}">`)
    .replace('</head>', `${theme}\n</head>`)
    .replace('</body>', `<script nonce="${nonce}">${SCRIPT}</script>\n</body>`);
}
