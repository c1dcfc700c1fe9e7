/**
 * Server memory: the built language server's resident memory after opening 200 documents (the
 * 3,000-line generated TypeScript file's shape, shorter, plus SQL files), read from /proc right
 * after the last one is linted and again once the server has been idle for a while.
 *
 *   npm run build && node out/bench/server-memory.js
 */

import { readFileSync } from 'node:fs';
import { startServer } from '../test/helpers/lsp-client';
import { makeFile } from './generated-file';

const SETTLE_MS = 20_000;

function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}

async function main(): Promise<void> {
  const client = await startServer({ pull: true });
  const pid = client.process.pid;
  if (pid === undefined) throw new Error('no server process');
  const start = residentMegabytes(pid);
  const typescript = makeFile(300);
  const sql = "SELECT DATE(login_time) AS date, COUNT(DISTINCT user_id) AS dau FROM user_events WHERE event_type = 'login' GROUP BY 1;\n".repeat(40);
  for (let index = 0; index < 200; index++) {
    const isSql = index % 4 === 0;
    const uri = `file:///bench/file-${index}.${isSql ? 'sql' : 'ts'}`;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: isSql ? 'sql' : 'typescript', version: 1, text: isSql ? sql : typescript.replace('helper', `helper${index}_`) } });
    await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  }
  const after = residentMegabytes(pid);
  // The server collects once it has been idle for 3 s (idle-collector.ts), and V8 gives pages back
  // to the system over the following seconds: memory is read again once that has settled.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const settled = residentMegabytes(pid);
  console.log(`server resident memory: ${start.toFixed(0)} MB at start, ${after.toFixed(0)} MB right after opening and linting 200 documents, ${settled.toFixed(0)} MB ${SETTLE_MS / 1000} s later (target: below 150 MB)`);
  await client.stop();
}

void main();
