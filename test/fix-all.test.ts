/**
 * The engine's fix-all loop (`fixDocument`, behind `faultline audit --fix`, #14): fixes that
 * overlap go in over several passes, the result is a fixed point, and a pass whose text would
 * parse worse or keep its finding leaves the document as it was. The broken fixes come from
 * made-up rules, since the catalogue's own fixes are all tested to be sound.
 */

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixDocument, nonOverlappingFixes, RULES, type Fix, type LintSettings, type Rule, type TextRange } from '../rules';
import { scriptSyntaxErrorCount } from '../rules/engine/languages/typescript';

const SETTINGS: LintSettings = { sqlDialect: 'postgresql', reportingTimeZone: 'UTC', rules: {}, today: '2026-11-24' };
const EQUALS_NULL = RULES.find((rule) => rule.meta.id === 'equals-null');

/** A rule that reports `= NULL` and offers `fix(range)` for it. */
function madeUpRule(id: string, fix: (range: TextRange, text: string) => Fix): Rule {
  assert.ok(EQUALS_NULL !== undefined);
  return {
    meta: { ...EQUALS_NULL.meta, id, prefilter: [] },
    create: (context) => ({
      statement(statement, source) {
        const at = source.text.indexOf('= NULL', statement.range.start);
        if (at === -1 || at >= statement.range.end) return;
        const range = { start: at, end: at + '= NULL'.length };
        context.report({ messageId: 'equalsNull', data: { comparison: '= NULL', suggestion: 'IS NULL' }, range, fixes: [fix(range, source.text)] });
      },
    }),
  } as Rule;
}

describe('fixDocument', () => {
  test('applies every safe fix, re-linting between passes, and reaches a fixed point', () => {
    const text = 'SELECT id FROM users WHERE deleted_at = NULL;\nSELECT id FROM orders WHERE shipped_at <> NULL;\n';
    const fixed = fixDocument({ path: 'q.sql', languageId: 'sql', text }, SETTINGS, RULES, { includeUnsafe: false });
    assert.equal(fixed.text, 'SELECT id FROM users WHERE deleted_at IS NULL;\nSELECT id FROM orders WHERE shipped_at IS NOT NULL;\n');
    assert.equal(fixed.applied, 2);
    assert.equal(fixed.rejected, null);
    assert.equal(fixed.converged, true);
    const again = fixDocument({ path: 'q.sql', languageId: 'sql', text: fixed.text }, SETTINGS, RULES, { includeUnsafe: false });
    assert.equal(again.applied, 0);
    assert.equal(again.text, fixed.text);
  });

  test('a fix that would break the syntax leaves the document as it was, and says which rule', () => {
    const breaks = madeUpRule('breaks-syntax', (range) => ({ title: 'break it', safety: 'safe', edits: [{ range, newText: '= = (' }] }));
    const text = 'SELECT id FROM users WHERE deleted_at = NULL;\n';
    const fixed = fixDocument({ path: 'q.sql', languageId: 'sql', text }, SETTINGS, [breaks], { includeUnsafe: false });
    assert.equal(fixed.text, text);
    assert.equal(fixed.applied, 0);
    assert.match(fixed.rejected ?? '', /breaks-syntax would not parse/);
  });

  test('a fix that leaves its finding in place leaves the document as it was', () => {
    const noop = madeUpRule('does-not-fix', (range) => ({ title: 'comment', safety: 'safe', edits: [{ range: { start: range.start, end: range.start }, newText: '/* checked */ ' }] }));
    const text = 'SELECT id FROM users WHERE deleted_at = NULL;\n';
    const fixed = fixDocument({ path: 'q.sql', languageId: 'sql', text }, SETTINGS, [noop], { includeUnsafe: false });
    assert.equal(fixed.text, text);
    assert.match(fixed.rejected ?? '', /does-not-fix would leave its finding in place/);
  });

  test('unsafe fixes only when asked; TypeScript syntax errors are counted', () => {
    const unsafe = madeUpRule('unsafe-fix', (range) => ({ title: 'is null', safety: 'unsafe', edits: [{ range, newText: 'IS NULL' }] }));
    const text = 'SELECT id FROM users WHERE deleted_at = NULL;\n';
    assert.equal(fixDocument({ path: 'q.sql', languageId: 'sql', text }, SETTINGS, [unsafe], { includeUnsafe: false }).applied, 0);
    assert.equal(fixDocument({ path: 'q.sql', languageId: 'sql', text }, SETTINGS, [unsafe], { includeUnsafe: true }).text, 'SELECT id FROM users WHERE deleted_at IS NULL;\n');
    // How a script's syntax is judged before and after a fix.
    assert.equal(scriptSyntaxErrorCount('const a = f(1);\n', 'a.ts', 'typescript'), 0);
    assert.ok(scriptSyntaxErrorCount('const a = f(1;\n', 'a.ts', 'typescript') > 0);
  });

  test('nonOverlappingFixes keeps the first of two overlapping fixes, in the order given', () => {
    const first: Fix = { title: 'a', safety: 'safe', edits: [{ range: { start: 0, end: 5 }, newText: 'x' }] };
    const overlapping: Fix = { title: 'b', safety: 'safe', edits: [{ range: { start: 4, end: 8 }, newText: 'y' }] };
    const apart: Fix = { title: 'c', safety: 'safe', edits: [{ range: { start: 8, end: 9 }, newText: 'z' }] };
    assert.deepEqual(nonOverlappingFixes([first, overlapping, apart]), [first, apart]);
  });
});
