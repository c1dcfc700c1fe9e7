/**
 * The progress bar of `faultline audit`: one line on stderr, redrawn in place, only when stderr
 * is a terminal (a CI log or a pipe gets nothing, so logs stay clean and parsable). Redraws are
 * throttled, since a warm audit finishes thousands of files in a few milliseconds.
 */

const REDRAW_INTERVAL_MS = 80;
const BAR_WIDTH = 30;

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Erases the bar so the report starts on a clean line. */
  finish(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = now;
      const fraction = total === 0 ? 1 : done / total;
      const filled = Math.round(fraction * BAR_WIDTH);
      stream.write(`\r\u001b[2K[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} files`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}

/** No bar: for pipes, CI logs and --quiet. */
export const NO_PROGRESS: ProgressBar = { update() {}, finish() {} };
