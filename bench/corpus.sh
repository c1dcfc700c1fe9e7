#!/usr/bin/env bash
# Builds the reference corpus for bench/audit-speed.ts: the JavaScript, TypeScript and SQL that a
# dozen database, queue and HTTP packages ship, copied out of node_modules into a plain tree so
# that no default ignore (node_modules, .gitignore) applies. About 5,600 files, 31 MB.
#
#   bash bench/corpus.sh [DEST]      # default DEST: /tmp/faultline-audit-corpus
#
# The packages are installed with --ignore-scripts into DEST/npm (a scratch folder, never the
# repo). Files of 1 MB or more and .d.ts declarations are left out: the audit skips the former
# and the latter hold no code.
set -euo pipefail
DEST=${1:-/tmp/faultline-audit-corpus}
PACKAGES=(axios@1.21.1 bullmq@6.7.0 express@5.3.0 graphile-worker@0.17.3 kafkajs@2.2.4 knex@3.3.0
  mysql2@3.24.6 node-pg-migrate@9.0.0 pg@8.23.1 pg-boss@10.4.2 sequelize@6.37.8 typeorm@1.1.1)

mkdir -p "$DEST/npm"
cd "$DEST/npm"
[ -f package.json ] || echo '{"private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts --no-save "${PACKAGES[@]}" >/dev/null

rm -rf "$DEST/tree"
mkdir -p "$DEST/tree"
cd "$DEST/npm/node_modules"
find . -type f \( -name '*.js' -o -name '*.ts' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.sql' \) \
  ! -name '*.d.ts' ! -name '*.d.mts' ! -name '*.d.cts' -size -1024k -print0 |
  while IFS= read -r -d '' file; do
    # Nested node_modules folders (a package's own copy of a dependency) are renamed, since
    # every tool skips node_modules and the corpus must be read in full by all of them.
    target="$DEST/tree/${file//node_modules/_node_modules}"
    mkdir -p "$(dirname "$target")"
    cp "$file" "$target"
  done
echo "corpus: $DEST/tree ($(find "$DEST/tree" -type f | wc -l) files, $(du -sh "$DEST/tree" | cut -f1))"
