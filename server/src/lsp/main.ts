/**
 * The entry point of `faultline-lsp` (dist/server.js). The same bundle runs in two roles: the
 * language server (server.ts), and, on a worker thread the server starts, the analysis worker
 * that lints open documents where a runaway analysis can be stopped (analysis-worker.ts). The
 * server's module is loaded only in its role: it connects to the client as soon as it loads.
 */

import { isAnalysisWorker, serveAnalysisWorker } from './analysis-worker';

if (isAnalysisWorker()) {
  serveAnalysisWorker();
} else {
  require('./server');
}
