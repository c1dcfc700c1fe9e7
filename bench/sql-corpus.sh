#!/usr/bin/env bash
# Fetches a corpus of real SQL for bench/sql-corpus.ts: PostgreSQL's own SQL files (Debian's
# postgresql package) and the .sql files that npm packages ship (migrations of job queues and
# migration tools), into DEST (default /tmp/faultline-sql-corpus).
set -euo pipefail
DEST=${1:-/tmp/faultline-sql-corpus}
if [ ! -d /usr/share/postgresql ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
mkdir -p "$DEST/npm"
cd "$DEST/npm"
[ -f package.json ] || echo '{"private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts graphile-worker@0.17.3 pg-boss@10.4.2 node-pg-migrate@9.0.0 >/dev/null
echo "corpus: /usr/share/postgresql $DEST/npm/node_modules"
