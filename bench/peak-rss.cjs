// Preloaded into a benchmarked process (`node --require bench/peak-rss.cjs ...`): when the
// process exits, writes its peak resident memory in kilobytes (all threads: the whole process)
// to the file named by FAULTLINE_PEAK_RSS_FILE. Worker threads load it too and write nothing.
'use strict';
const { isMainThread } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const target = process.env.FAULTLINE_PEAK_RSS_FILE;
if (isMainThread && target) {
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
}
