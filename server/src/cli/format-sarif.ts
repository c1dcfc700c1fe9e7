/**
 * The SARIF 2.1.0 report (`--format sarif`), for GitHub code scanning and other SARIF viewers.
 * One run; the driver lists every rule in the catalogue with its summary, explanation and docs
 * URL, results point into files by URIs relative to %SRCROOT% (the current folder), and safe
 * fixes travel as SARIF fixes. Each result carries the finding's stable fingerprint in
 * partialFingerprints, and findings hidden by a faultline-ignore directive are included as
 * results with an in-source suppression whose justification is the directive's reason. Regions use 1-based lines and UTF-16 columns with an exclusive end
 * column, which is exactly what the report holds.
 */

import { pathToFileURL } from 'node:url';
import { RULES, docsUrlFor, type Severity } from '../../../rules/index';
import { indentedJsonChunks, STREAMED_ARRAY } from './json-chunks';
import type { AuditReport, FileReport, ReportedEdit, ReportedSuppression } from './report';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/faultline/faultline';
const SOURCE_ROOT = '%SRCROOT%';
/** Versioned, as SARIF recommends, so a change to how fingerprints are computed can be told apart. */
const FINGERPRINT_KEY = 'faultline/v1';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** `timezone-naive-date-bucket` → `TimezoneNaiveDateBucket`, SARIF's convention for rule names. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A file's location: relative to %SRCROOT% inside the current folder, an absolute URI outside. */
function artifactLocation(path: string, absolutePath: string): { uri: string; uriBaseId?: string } {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return { uri: pathToFileURL(absolutePath).href };
  return { uri: path.split('/').map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
}

function region(start: { line: number; column: number }, end: { line: number; column: number }) {
  return { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
}

function replacement(edit: ReportedEdit) {
  return {
    deletedRegion: region({ line: edit.startLine, column: edit.startColumn }, { line: edit.endLine, column: edit.endColumn }),
    insertedContent: { text: edit.newText },
  };
}

/**
 * What the run could not do, as SARIF tool notifications: each internal error (level error; a
 * rule that failed on a file, or a file Faultline failed on as a whole) and each file that was
 * not analysed (level note: binary, too large, minified, too deeply nested), so that a file
 * missing from the results is never mistaken for a clean one.
 */
function notifications(report: AuditReport) {
  const location = (path: string) => [{ physicalLocation: { artifactLocation: artifactLocation(path, path) } }];
  const failedFiles = new Set(report.internalErrors.filter((error) => error.ruleId === null).map((error) => error.path));
  const errors = report.internalErrors.map((error) => ({
    level: 'error' as const,
    message: { text: error.ruleId === null ? `Faultline could not analyse ${error.path}: ${error.message}` : `Rule ${error.ruleId} failed on ${error.path}: ${error.message}` },
    locations: location(error.path),
    ...(error.ruleId === null ? {} : { associatedRule: { id: error.ruleId } }),
  }));
  const notes = report.skipped
    .filter((entry) => !failedFiles.has(entry.path))
    .map((entry) => ({ level: 'note' as const, message: { text: `${entry.path} was not analysed: ${entry.reason}` }, locations: location(entry.path) }));
  return [...errors, ...notes];
}

/** The SARIF log, as pieces of text that together are the whole of it (results a file at a time). */
export function* formatSarif(report: AuditReport, version: string, cwd: string): Generator<string> {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.meta.id, index]));
  const rules = RULES.map(({ meta }) => ({
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.summary },
    fullDescription: { text: meta.why },
    helpUri: docsUrlFor(meta),
    defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
    properties: { family: meta.family, fix: meta.fix },
  }));

  const resultsOf = (file: FileReport) => {
    const location = artifactLocation(file.path, file.absolutePath);
    const shown = file.findings.map((finding) => ({ finding, suppression: null as ReportedSuppression | null }));
    const hidden = file.suppressed.map((suppression) => ({ finding: suppression.finding, suppression }));
    return [...shown, ...hidden].map(({ finding, suppression }) => {
      const index = ruleIndex.get(finding.ruleId);
      const safeFixes = finding.fixes.filter((fix) => fix.safety === 'safe');
      return {
        ruleId: finding.ruleId,
        // Config problems have no catalogue entry, so they carry only the id.
        ...(index === undefined ? {} : { ruleIndex: index }),
        level: LEVEL[finding.severity],
        message: { text: finding.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: region({ line: finding.line, column: finding.column }, { line: finding.endLine, column: finding.endColumn }),
            },
          },
        ],
        // Code scanning matches alerts across commits by this, so it must not depend on the line.
        partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
        ...(safeFixes.length === 0
          ? {}
          : { fixes: safeFixes.map((fix) => ({ description: { text: fix.title }, artifactChanges: [{ artifactLocation: location, replacements: fix.edits.map(replacement) }] })) }),
        ...(suppression === null ? {} : { suppressions: [{ kind: 'inSource', status: 'accepted', justification: suppression.reason }] }),
      };
    });
  };
  const results = (function* () {
    for (const file of report.files) yield* resultsOf(file);
  })();

  const sourceRoot = pathToFileURL(cwd).href;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Faultline', version, informationUri: INFORMATION_URI, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: sourceRoot.endsWith('/') ? sourceRoot : `${sourceRoot}/` } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: report.internalErrors.length === 0,
            toolExecutionNotifications: notifications(report),
          },
        ],
        results: STREAMED_ARRAY,
      },
    ],
  };
  yield* indentedJsonChunks(log, results);
  yield '\n';
}
