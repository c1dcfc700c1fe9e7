// Draws images/icon.png, the 128x128 extension icon: rock strata split by a jagged fault line,
// the left block slipped upward against the right one. Plain Node (zlib for the PNG's deflate
// stream), no image libraries, so it can be re-run anywhere: `node images/draw-icon.mjs`.
// Each pixel is sampled 4x4 times for smooth edges.

import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SAMPLES = 4;
const BACKGROUND = [0x1f, 0x24, 0x30];
const FAULT = [0xff, 0x5a, 0x4e];
/** Strata from the top layer down: sand, clay, terracotta, deep rock. */
const STRATA = [[0xe8, 0xc0, 0x7d], [0xd9, 0x92, 0x5b], [0xb8, 0x5c, 0x45], [0x6b, 0x3a, 0x3a]];
const STRATA_TOP = 50;
const STRATA_HEIGHT = 16;
const SLIP = 14;
/** The fault: a jagged line from the top edge to the bottom edge, as (x, y) points. */
const FAULT_LINE = [[78, 8], [70, 34], [80, 52], [62, 74], [70, 92], [52, 120]];

function faultXAt(y) {
  for (let index = 0; index + 1 < FAULT_LINE.length; index++) {
    const [x0, y0] = FAULT_LINE[index];
    const [x1, y1] = FAULT_LINE[index + 1];
    if (y >= y0 && y <= y1) return x0 + ((x1 - x0) * (y - y0)) / (y1 - y0);
  }
  return y < FAULT_LINE[0][1] ? FAULT_LINE[0][0] : FAULT_LINE[FAULT_LINE.length - 1][0];
}

function distanceToFault(x, y) {
  let best = Infinity;
  for (let index = 0; index + 1 < FAULT_LINE.length; index++) {
    const [x0, y0] = FAULT_LINE[index];
    const [x1, y1] = FAULT_LINE[index + 1];
    const dx = x1 - x0;
    const dy = y1 - y0;
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - x0 - t * dx, y - y0 - t * dy));
  }
  return best;
}

function insideRoundedSquare(x, y) {
  const radius = 22;
  const cx = Math.max(radius, Math.min(SIZE - radius, x));
  const cy = Math.max(radius, Math.min(SIZE - radius, y));
  return Math.hypot(x - cx, y - cy) <= radius;
}

/** The colour at one sample point, or null outside the icon's rounded square (transparent). */
function sample(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  if (y > FAULT_LINE[0][1] - 2 && y < FAULT_LINE[FAULT_LINE.length - 1][1] + 2 && distanceToFault(x, y) < 3) return FAULT;
  // The left block has slipped up by SLIP pixels, so its layers start higher.
  const top = x < faultXAt(y) ? STRATA_TOP - SLIP : STRATA_TOP;
  const layer = Math.floor((y - top) / STRATA_HEIGHT);
  if (layer < 0) return BACKGROUND;
  return STRATA[Math.min(layer, STRATA.length - 1)];
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (none), then RGBA pixels
  for (let px = 0; px < SIZE; px++) {
    const total = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const colour = sample(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
        if (colour === null) continue;
        total[0] += colour[0];
        total[1] += colour[1];
        total[2] += colour[2];
        total[3] += 255;
      }
    }
    const covered = total[3] / 255;
    const offset = 1 + px * 4;
    for (let channel = 0; channel < 3; channel++) row[offset + channel] = covered === 0 ? 0 : Math.round(total[channel] / covered);
    row[offset + 3] = Math.round(total[3] / (SAMPLES * SAMPLES));
  }
  rows.push(row);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
