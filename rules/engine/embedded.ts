/**
 * Embedded code: a virtual text assembled from pieces of a host file (the literal parts of a
 * template or a string concatenation) with an offset map back to the host. Findings and fix edits
 * computed on the virtual text are mapped through it, and inserted text is escaped for the host
 * literal it lands in, so a fix never breaks the quoting of the host file.
 */

import type { TextEdit, TextRange } from './types';

export type LiteralQuote = "'" | '"' | '`';

/** One literal piece of the host: its cooked characters and where each came from. */
export interface EmbeddedSegment {
  /** Range of the segment's characters in the virtual text. */
  virtual: TextRange;
  /** Host offset of each virtual character in the segment, plus one entry for the segment's end. */
  hostOffsets: number[];
  quote: LiteralQuote;
  /** For a piece of a Python string: what inserted text must be escaped for beyond its quote. */
  python?: PythonLiteralStyle;
}

/**
 * A Python literal's escaping needs: a raw string cannot escape at all, a triple-quoted one holds
 * newlines as they are, braces are doubled in f-strings and `.format` templates, and `%` is doubled
 * in a string formatted with the `%` operator.
 */
export interface PythonLiteralStyle {
  raw: boolean;
  triple: boolean;
  braces: boolean;
  percent: boolean;
}

export interface EmbeddedText {
  text: string;
  segments: EmbeddedSegment[];
  /** Host ranges of the non-literal parts (substitutions), in virtual order. */
  holes: { virtual: TextRange; host: TextRange }[];
}

/** Maps a virtual offset to the host; offsets inside a hole map to the hole's edges. */
export function mapOffsetToHost(embedded: EmbeddedText, offset: number, bias: 'start' | 'end'): number {
  // A range that starts (or ends) exactly on a hole covers the host expression, not the quote
  // of the literal next to it.
  for (const hole of embedded.holes) {
    if (bias === 'start' && offset === hole.virtual.start && hole.virtual.end > hole.virtual.start) return hole.host.start;
    if (bias === 'end' && offset === hole.virtual.end && hole.virtual.end > hole.virtual.start) return hole.host.end;
    if (offset > hole.virtual.start && offset < hole.virtual.end) return bias === 'start' ? hole.host.start : hole.host.end;
  }
  for (const segment of embedded.segments) {
    if (offset >= segment.virtual.start && offset <= segment.virtual.end) {
      const mapped = segment.hostOffsets[offset - segment.virtual.start];
      if (mapped !== undefined) return mapped;
    }
  }
  for (const hole of embedded.holes) {
    if (offset >= hole.virtual.start && offset <= hole.virtual.end) {
      return bias === 'start' || offset === hole.virtual.start ? hole.host.start : hole.host.end;
    }
  }
  const last = embedded.segments[embedded.segments.length - 1];
  return last?.hostOffsets[last.hostOffsets.length - 1] ?? 0;
}

export function mapRangeToHost(embedded: EmbeddedText, range: TextRange): TextRange {
  // Prefer the hole's outer edges when a range starts or ends exactly on one.
  const start = mapOffsetToHost(embedded, range.start, 'start');
  const end = mapOffsetToHost(embedded, range.end, 'end');
  return { start, end: Math.max(start, end) };
}

/**
 * Maps a fix edit to the host, or returns null when that cannot be done faithfully: an edit that
 * spans a hole or two literals, or whose new text would have to contain host code.
 */
export function mapEditToHost(embedded: EmbeddedText, edit: TextEdit): TextEdit | null {
  const segment = embedded.segments.find((candidate) => edit.range.start >= candidate.virtual.start && edit.range.end <= candidate.virtual.end);
  if (segment === undefined) return null;
  const start = segment.hostOffsets[edit.range.start - segment.virtual.start];
  const end = segment.hostOffsets[edit.range.end - segment.virtual.start];
  if (start === undefined || end === undefined) return null;
  for (const hole of embedded.holes) {
    if (hole.virtual.end > hole.virtual.start && edit.newText.includes(embedded.text.slice(hole.virtual.start, hole.virtual.end))) return null;
  }
  const newText = segment.python === undefined ? escapeForLiteral(edit.newText, segment.quote) : escapeForPythonLiteral(edit.newText, segment.quote, segment.python);
  if (newText === null) return null;
  return { range: { start, end }, newText };
}

/**
 * Escapes text for a Python string piece, or returns null when it cannot be written there as is
 * (a raw string cannot hold its own quote, a backslash or a line break without changing meaning).
 */
export function escapeForPythonLiteral(text: string, quote: LiteralQuote, style: PythonLiteralStyle): string | null {
  let escaped = text;
  if (style.raw) {
    if (escaped.includes('\\') || escaped.includes(quote) || (!style.triple && /[\r\n]/.test(escaped))) return null;
  } else {
    escaped = escaped.replace(/\\/g, '\\\\');
    if (!style.triple) escaped = escaped.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    escaped = escaped.split(quote).join(`\\${quote}`);
  }
  if (style.braces) escaped = escaped.replace(/\{/g, '{{').replace(/\}/g, '}}');
  if (style.percent) escaped = escaped.replace(/%/g, '%%');
  return escaped;
}

export function escapeForLiteral(text: string, quote: LiteralQuote): string {
  let escaped = text.replace(/\\/g, '\\\\');
  if (quote === '`') return escaped.replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  escaped = escaped.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return quote === "'" ? escaped.replace(/'/g, "\\'") : escaped.replace(/"/g, '\\"');
}

/**
 * Decodes the raw source of a JS string or template literal body (between its quotes) into the
 * characters it denotes, recording the host offset of each. Unknown escapes keep their character.
 */
export function decodeLiteral(raw: string, hostStart: number): { text: string; offsets: number[] } {
  let text = '';
  const offsets: number[] = [];
  let index = 0;
  while (index < raw.length) {
    const ch = raw[index] ?? '';
    if (ch !== '\\') {
      text += ch;
      offsets.push(hostStart + index);
      index++;
      continue;
    }
    const next = raw[index + 1] ?? '';
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };
    let decoded: string;
    let length: number;
    if (next === '\n') {
      decoded = '';
      length = 2;
    } else if (next === '\r') {
      decoded = '';
      length = raw[index + 2] === '\n' ? 3 : 2;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(raw.slice(index + 2, index + 4))) {
      decoded = String.fromCharCode(parseInt(raw.slice(index + 2, index + 4), 16));
      length = 4;
    } else if (next === 'u' && raw[index + 2] === '{') {
      const close = raw.indexOf('}', index);
      const code = parseInt(raw.slice(index + 3, close), 16);
      decoded = Number.isFinite(code) && close !== -1 ? String.fromCodePoint(code) : 'u';
      length = close === -1 ? 2 : close - index + 1;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(index + 2, index + 6))) {
      decoded = String.fromCharCode(parseInt(raw.slice(index + 2, index + 6), 16));
      length = 6;
    } else {
      decoded = simple[next] ?? next;
      length = 2;
    }
    // Per UTF-16 unit, like the rest of the engine's offsets.
    for (let unit = 0; unit < decoded.length; unit++) {
      text += decoded[unit];
      offsets.push(hostStart + index);
    }
    index += length;
  }
  offsets.push(hostStart + raw.length);
  return { text, offsets };
}
