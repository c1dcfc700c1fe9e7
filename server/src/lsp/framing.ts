/**
 * The LSP stdio framing, checked before vscode-jsonrpc reads it. Each message is headers
 * (`Content-Length: N`, CRLF-terminated lines, a blank line) then N bytes. A corrupted header
 * (no Content-Length, a value that is not a number, a line without `:`, bytes that are no header
 * at all, a length that runs past the message) left vscode-jsonrpc's reader failing or waiting
 * for good: the server stayed alive and never answered again (#15). This filter passes on only
 * well-formed frames, byte for byte, and on anything else skips to the next `Content-Length:`
 * header, tells `onSkip` why, and goes on: the stream recovers with at most the corrupted
 * message lost (its request then gets no answer; every later one does).
 */

import { Transform } from 'node:stream';

export interface FramingOptions {
  /** How long a message may stay incomplete before a length that overruns it is suspected. */
  stallMs?: number;
  /** Headers longer than this are not headers (vscode-jsonrpc would buffer them forever). */
  maxHeaderBytes?: number;
  /** A Content-Length above this is corruption, not a message. */
  maxContentLength?: number;
}

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = 'content-length:';

/** Where the next `Content-Length:` header name starts at or after `from` (any case), or -1. */
function nextContentLength(buffer: Buffer, from: number): number {
  if (from >= buffer.length) return -1;
  const index = buffer.toString('latin1', from).toLowerCase().indexOf(CONTENT_LENGTH);
  return index === -1 ? -1 : from + index;
}

/** The body length a header block declares, or why it is not a valid header block. */
function declaredLength(header: string, maxContentLength: number): number | { invalid: string } {
  let length: number | null = null;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { invalid: `a header line without a name and ':' (${JSON.stringify(line.slice(0, 40))})` };
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(value)) return { invalid: `Content-Length is not a number (${JSON.stringify(value.slice(0, 20))})` };
    length = Number(value);
    if (length > maxContentLength) return { invalid: `Content-Length ${length} is larger than any message` };
  }
  return length === null ? { invalid: 'a header without Content-Length' } : length;
}

/**
 * A stream that takes the raw bytes from the client and gives vscode-jsonrpc only well-formed
 * frames. `onSkip` is called with what was wrong each time bytes are skipped.
 */
export function createFrameFilter(onSkip: (reason: string) => void, options: FramingOptions = {}): Transform {
  const stallMs = options.stallMs ?? 2_000;
  const maxHeaderBytes = options.maxHeaderBytes ?? 8_192;
  const maxContentLength = options.maxContentLength ?? 512 * 1024 * 1024;
  let pending: Buffer = Buffer.alloc(0);
  /**
   * Chunks that arrived after `pending`, joined to it only once the frame they belong to is
   * complete: joining every chunk as it came copied a large message once per chunk (a 60 MB
   * document, about a thousand 64 KB chunks, took minutes).
   */
  let arrived: Buffer[] = [];
  let arrivedBytes = 0;
  /** Set while a frame's header is read and its body is incomplete. */
  let frame: { headerEnd: number; length: number } | null = null;
  let stallTimer: NodeJS.Timeout | null = null;

  const gather = (): void => {
    if (arrived.length === 0) return;
    const [only] = arrived;
    pending = pending.length === 0 && arrived.length === 1 && only !== undefined ? only : Buffer.concat([pending, ...arrived]);
    arrived = [];
    arrivedBytes = 0;
  };

  const filter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arrived.push(chunk);
      arrivedBytes += chunk.length;
      // The body of the frame being read is still incomplete: nothing to do until it is.
      if (frame === null || pending.length + arrivedBytes >= frame.headerEnd + frame.length) drain(false);
      callback();
    },
    flush(callback) {
      if (stallTimer !== null) clearTimeout(stallTimer);
      callback();
    },
  });

  /** Skips the bytes before the next header name after the start (at least one byte), after a corruption. */
  const resync = (reason: string): void => {
    onSkip(reason);
    frame = null;
    const next = nextContentLength(pending, 1);
    // Nothing that could start a header: keep only a tail in which one might be beginning.
    pending = next === -1 ? pending.subarray(Math.max(1, pending.length - CONTENT_LENGTH.length)) : pending.subarray(next);
  };

  const drain = (stalled: boolean): void => {
    gather();
    for (;;) {
      if (frame === null) {
        if (pending.length === 0) return;
        const end = pending.indexOf(HEADER_END);
        if (end === -1) {
          // Bytes before a header show up when its end arrives: the first line is then no header.
          if (pending.length <= maxHeaderBytes) return;
          resync(`no end of headers in ${pending.length} bytes`);
          continue;
        }
        const length = declaredLength(pending.toString('latin1', 0, end), maxContentLength);
        if (typeof length !== 'number') {
          resync(length.invalid);
          continue;
        }
        frame = { headerEnd: end + HEADER_END.length, length };
      }
      const frameEnd = frame.headerEnd + frame.length;
      if (pending.length >= frameEnd) {
        filter.push(pending.subarray(0, frameEnd));
        pending = pending.subarray(frameEnd);
        frame = null;
        stalled = false;
        if (stallTimer !== null) {
          clearTimeout(stallTimer);
          stallTimer = null;
        }
        continue;
      }
      // Incomplete. A client writes a message at once, so a body still incomplete after a pause,
      // while a complete frame sits inside it, means the Content-Length overran the message.
      if (stalled) {
        const next = nextContentLength(pending, frame.headerEnd);
        if (next !== -1 && completeFrameAt(next)) {
          resync(`Content-Length ${frame.length} runs past the message`);
          continue;
        }
      }
      stallTimer ??= setTimeout(() => {
        stallTimer = null;
        drain(true);
      }, stallMs);
      stallTimer.unref();
      return;
    }
  };

  /** True when a valid frame, header and whole body, starts at `at`. */
  const completeFrameAt = (at: number): boolean => {
    const rest = pending.subarray(at);
    const end = rest.indexOf(HEADER_END);
    if (end === -1) return false;
    const length = declaredLength(rest.toString('latin1', 0, end), maxContentLength);
    return typeof length === 'number' && rest.length >= end + HEADER_END.length + length;
  };

  return filter;
}
