/**
 * A finding's stable fingerprint: what lets a baseline, or code scanning's alert tracking, say
 * "this is the same finding as before" after unrelated edits moved it. It hashes the rule id, the
 * finding's own source text and the text of the line(s) it sits on, each with whitespace runs
 * collapsed, and never the line number: adding code above a finding keeps its fingerprint,
 * re-indenting keeps it, and changing the flagged code itself makes it a new finding.
 */

import { createHash } from 'node:crypto';

/** Whitespace runs become one space, so re-indenting or re-wrapping does not count as a change. */
function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `lineStart` and `lineEnd` bound the lines the finding touches, as offsets into `text`. */
export function fingerprintOf(ruleId: string, text: string, range: { start: number; end: number }): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, range.start - 1)) + 1;
  const newlineAfter = text.indexOf('\n', range.end);
  const lineEnd = newlineAfter === -1 ? text.length : newlineAfter;
  const own = normalizeWhitespace(text.slice(range.start, range.end));
  const lines = normalizeWhitespace(text.slice(range.start === 0 ? 0 : lineStart, lineEnd));
  return createHash('sha1').update(`${ruleId}\n${own}\n${lines}`).digest('hex').slice(0, 20);
}

/**
 * A fingerprint unique in a whole report and still stable across commits: the finding's own
 * fingerprint, the file's path and which copy of identical code in that file it is (0, 1, ...),
 * so two copy-pasted findings in one file stay two. For reports whose consumer needs unique
 * fingerprints (GitLab Code Quality).
 */
export function reportWideFingerprint(path: string, fingerprint: string, copy: number): string {
  return createHash('sha1').update(`${path}\n${fingerprint}\n${copy}`).digest('hex');
}
