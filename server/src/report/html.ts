/**
 * The audit report as one self-contained HTML page: totals by rule and severity, a bar chart of
 * findings per rule (inline SVG), the folders and files with the most findings, and every finding
 * with its location and a link to its rule's docs. No scripts, no external styles or fonts, so it
 * works as a CI artefact opened from disk and inside a VS Code webview under a strict content
 * security policy. Colours come from CSS custom properties with a `prefers-color-scheme: dark`
 * variant; a webview can override the properties with its theme's variables.
 *
 * The input is plain data (the CLI's AuditReport satisfies it), and links to locations are the
 * caller's choice: the CLI links file:// URLs, a webview would link commands.
 */

type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface HtmlFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  docsUrl: string;
}

export interface HtmlFile {
  path: string;
  absolutePath: string;
  findings: readonly HtmlFinding[];
}

export interface HtmlReportInput {
  files: readonly HtmlFile[];
  filesChecked: number;
  skipped: readonly { path: string; reason: string }[];
  /** Failures inside Faultline: a rule that threw on a file (its id), or the whole file (null). */
  internalErrors?: readonly { ruleId: string | null; path: string; message: string }[];
}

export interface HtmlReportOptions {
  title: string;
  version: string;
  /** ISO timestamp printed in the header; passed in so the output is reproducible in tests. */
  generatedAt: string;
  /** Where a finding's location links to; null prints it without a link. Default: a file:// URL. */
  locationHref?: (file: HtmlFile, finding: HtmlFinding) => string | null;
  /** How many folders and files the "most findings" tables list. */
  topCount?: number;
  /**
   * At most this many findings are listed one by one (whole files, in order; the totals, chart
   * and tables still count every finding), with a line saying how many were left out. Default:
   * all of them. A webview cannot show a page of a quarter of a million rows, and building one
   * costs the language server hundreds of megabytes (#15).
   */
  maxListedFindings?: number;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Backticked code in messages becomes <code>, everything else is escaped text. */
function messageHtml(message: string): string {
  return message
    .split('`')
    .map((part, index) => (index % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

function fileUrl(absolutePath: string, line: number): string {
  const slashed = absolutePath.split('\\').join('/');
  const encoded = slashed.split('/').map(encodeURIComponent).join('/');
  return `file://${encoded.startsWith('/') ? '' : '/'}${encoded}#L${line}`;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '.' : path.slice(0, slash);
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  // Most first, then by name, so the tables are stable from run to run.
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A horizontal bar chart, one bar per rule, scaled to the largest count. */
function barChart(rows: readonly [string, number][]): string {
  if (rows.length === 0) return '';
  const barHeight = 18;
  const gap = 6;
  const labelWidth = 260;
  const chartWidth = 420;
  const countWidth = 60;
  const max = Math.max(...rows.map(([, count]) => count));
  const height = rows.length * (barHeight + gap);
  const bars = rows.map(([ruleId, count], index) => {
    const y = index * (barHeight + gap);
    const width = Math.max(2, Math.round((count / max) * chartWidth));
    return [
      `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end" class="label">${escapeHtml(ruleId)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${width}" height="${barHeight}" rx="3" class="bar"><title>${escapeHtml(ruleId)}: ${count}</title></rect>`,
      `<text x="${labelWidth + width + 6}" y="${y + barHeight - 5}" class="count">${count}</text>`,
    ].join('');
  });
  const width = labelWidth + chartWidth + countWidth;
  return `<svg role="img" aria-label="Findings per rule" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${bars.join('')}</svg>`;
}

function table(headers: readonly string[], rows: readonly string[][]): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa;
  --accent: #0969da; --bar: #0969da; --error: #cf222e; --warning: #9a6700; --info: #0969da; --hint: #59636e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
    --accent: #4493f8; --bar: #4493f8; --error: #f85149; --warning: #d29922; --info: #4493f8; --hint: #9198a1; }
}
body { background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 24px; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 18px 0 6px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.meta { color: var(--muted); margin: 0 0 16px; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; }
.total { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.total b { display: block; font-size: 22px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td.number, th.number { text-align: right; }
a { color: var(--accent); } code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; background: var(--panel); padding: 0 3px; border-radius: 3px; }
svg .bar { fill: var(--bar); } svg text { fill: var(--fg); font-size: 12px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; } svg .count { fill: var(--muted); }
.severity { font-weight: 600; } .severity.error { color: var(--error); } .severity.warning { color: var(--warning); } .severity.info { color: var(--info); } .severity.hint { color: var(--hint); }
.location { white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
`;

export function htmlReport(input: HtmlReportInput, options: HtmlReportOptions): string {
  return [...htmlReportChunks(input, options)].join('');
}

/** The page as pieces of text that together are the whole of it: a file's findings at a time. */
export function* htmlReportChunks(input: HtmlReportInput, options: HtmlReportOptions): Generator<string> {
  const topCount = options.topCount ?? 10;
  const locationHref = options.locationHref ?? ((file, finding) => fileUrl(file.absolutePath, finding.line));
  const all = input.files.flatMap((file) => file.findings.map((finding) => ({ file, finding })));
  const bySeverity = new Map<Severity, number>(SEVERITIES.map((severity) => [severity, 0]));
  for (const { finding } of all) bySeverity.set(finding.severity, (bySeverity.get(finding.severity) ?? 0) + 1);
  const byRule = countBy(all, ({ finding }) => finding.ruleId);
  const docsByRule = new Map(all.map(({ finding }) => [finding.ruleId, finding.docsUrl]));
  const severitiesByRule = new Map<string, Map<Severity, number>>();
  for (const { finding } of all) {
    const counts = severitiesByRule.get(finding.ruleId) ?? new Map<Severity, number>();
    counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
    severitiesByRule.set(finding.ruleId, counts);
  }
  const ruleLink = (ruleId: string): string => {
    const url = docsByRule.get(ruleId);
    return url === undefined ? escapeHtml(ruleId) : `<a href="${escapeHtml(url)}">${escapeHtml(ruleId)}</a>`;
  };

  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(options.title)}</h1>`);
  parts.push(`<p class="meta">Faultline ${escapeHtml(options.version)} · ${escapeHtml(options.generatedAt)} · ${input.filesChecked} files checked${input.skipped.length > 0 ? ` · ${input.skipped.length} skipped` : ''}</p>`);
  const totals = [`<div class="total"><b>${all.length}</b>findings</div>`, ...SEVERITIES.map((severity) => `<div class="total"><b class="severity ${severity}">${bySeverity.get(severity) ?? 0}</b>${severity}</div>`)];
  parts.push(`<div class="totals">${totals.join('')}</div>`);

  if (all.length === 0) {
    parts.push('<p>No findings.</p>');
  } else {
    parts.push('<h2>Findings per rule</h2>', barChart(byRule));
    parts.push(
      table(
        ['Rule', ...SEVERITIES, 'Total'],
        byRule.map(([ruleId, count]) => [ruleLink(ruleId), ...SEVERITIES.map((severity) => String(severitiesByRule.get(ruleId)?.get(severity) ?? 0)), String(count)]),
      ),
    );
    parts.push(`<h2>Folders with the most findings</h2>`, table(['Folder', 'Findings'], countBy(all, ({ file }) => folderOf(file.path)).slice(0, topCount).map(([folder, count]) => [`<code>${escapeHtml(folder)}</code>`, String(count)])));
    parts.push(`<h2>Files with the most findings</h2>`, table(['File', 'Findings'], countBy(all, ({ file }) => file.path).slice(0, topCount).map(([path, count]) => [`<a href="#${escapeHtml(`file-${path}`)}"><code>${escapeHtml(path)}</code></a>`, String(count)])));
    parts.push('<h2>All findings</h2>');
  }
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${parts.join('\n')}`;
  parts.length = 0;
  let listed = 0;
  for (const file of input.files) {
    if (file.findings.length === 0) continue;
    if (listed + file.findings.length > (options.maxListedFindings ?? Number.POSITIVE_INFINITY)) {
      const left = all.length - listed;
      yield `\n<p class="meta">${left} more finding${left === 1 ? '' : 's'} not listed here: <code>faultline audit --format html</code> writes the full report.</p>`;
      break;
    }
    listed += file.findings.length;
    const rows = file.findings.map((finding) => {
      const location = `${finding.line}:${finding.column}`;
      const href = locationHref(file, finding);
      return [
        `<span class="location">${href === null ? location : `<a href="${escapeHtml(href)}">${location}</a>`}</span>`,
        `<span class="severity ${finding.severity}">${finding.severity}</span>`,
        ruleLink(finding.ruleId),
        messageHtml(finding.message),
      ];
    });
    yield `\n<h3 id="${escapeHtml(`file-${file.path}`)}">${escapeHtml(file.path)}</h3>\n${table(['Location', 'Severity', 'Rule', 'Message'], rows)}`;
  }
  const internalErrors = input.internalErrors ?? [];
  if (internalErrors.length > 0) {
    parts.push(
      '<h2>Internal errors</h2>',
      '<p>Faultline failed on these files: a bug in Faultline, not in the code; the other files were analysed. A file Faultline could not analyse at all is also listed under skipped files.</p>',
      table(['File', 'What failed', 'Error'], internalErrors.map((error) => [`<code>${escapeHtml(error.path)}</code>`, error.ruleId === null ? 'the whole file' : `rule ${ruleLink(error.ruleId)}`, escapeHtml(error.message.split('\n')[0] ?? '')])),
    );
  }
  if (input.skipped.length > 0) {
    parts.push('<h2>Skipped files</h2>', table(['File', 'Reason'], input.skipped.map((entry) => [`<code>${escapeHtml(entry.path)}</code>`, escapeHtml(entry.reason)])));
  }
  yield `${parts.map((part) => `\n${part}`).join('')}
</body>
</html>
`;
}
