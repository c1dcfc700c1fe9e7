/**
 * Reports printed in pieces (#15): the pieces join to exactly what one string would have been,
 * and the editor's page lists a bounded number of findings while counting all of them.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentedJsonChunks, STREAMED_ARRAY } from '../server/src/cli/json-chunks';
import { htmlReport, htmlReportChunks, type HtmlFile } from '../server/src/report/html';

test('a streamed array prints exactly as JSON.stringify(value, null, 2), at any depth', () => {
  const items = [{ path: 'a.sql', findings: [{ message: 'line\nbreak "quoted"', fixes: [] }] }, { path: 'b.sql', findings: [] }, 3, 'text', null];
  const shapes: ((array: unknown) => unknown)[] = [
    (array) => ({ version: '1', files: array, summary: { files: 2 } }),
    (array) => ({ runs: [{ tool: { name: 'x' }, results: array, after: [1, 2] }] }),
    (array) => ({ only: array }),
  ];
  for (const shape of shapes) {
    for (const list of [items, [], [{}], [[]]]) {
      const expected = JSON.stringify(shape(list), null, 2);
      assert.equal([...indentedJsonChunks(shape(STREAMED_ARRAY), list)].join(''), expected);
    }
  }
  assert.throws(() => [...indentedJsonChunks({ files: [] }, [])], /no place/);
});

test('the HTML report in pieces is the same page, and a listing cap counts what it leaves out', () => {
  const files: HtmlFile[] = ['a.sql', 'b.sql', 'c.sql'].map((path, index) => ({
    path,
    absolutePath: `/work/${path}`,
    findings: Array.from({ length: index + 2 }, (_, line) => ({ ruleId: 'select-star', severity: 'info' as const, message: `\`*\` in ${path}`, line: line + 1, column: 1, docsUrl: 'https://example.com/select-star' })),
  }));
  const input = { files, filesChecked: 3, skipped: [{ path: 'd.sql', reason: 'binary' }] };
  const options = { title: 'Audit', version: '0.1.0', generatedAt: '2026-01-01T00:00:00.000Z' };
  const page = htmlReport(input, options);
  assert.equal([...htmlReportChunks(input, options)].join(''), page);
  assert.match(page, /c\.sql/);
  const capped = htmlReport(input, { ...options, maxListedFindings: 5 });
  assert.match(capped, /<h3 id="file-b\.sql">/);
  assert.doesNotMatch(capped, /<h3 id="file-c\.sql">/, 'whole files only, up to the cap');
  assert.match(capped, /4 more findings not listed here/);
  assert.match(capped, /<b>9<\/b>findings/, 'the totals count every finding');
  assert.match(capped, /<h2>Skipped files<\/h2>/);
  assert.equal(htmlReport(input, { ...options, maxListedFindings: 9 }), page, 'a cap the findings fit under changes nothing');
});
