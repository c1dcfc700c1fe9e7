#!/usr/bin/env bash
# Exports every repository of bench/real-code/manifest.json, at its pinned commit, into a folder
# of checkouts for bench/real-code/precision.ts. The repositories' code never enters this project:
# the folder must lie outside it.
#
#   bash bench/real-code/checkout.sh DEST        # e.g. /work/real-code
#
# Each repository is read from a bare git mirror, MIRRORS/<owner>+<name>/ (the git directory is
# that folder itself or any folder below it with a HEAD file; MIRRORS defaults to /work/.mirror,
# where a session's `fetch` tool puts them). A person with network access makes the mirror with
#   git clone --bare https://github.com/<owner>/<name>.git "$MIRRORS/<owner>+<name>/repo"
# The commit is exported with `git archive | tar -x` into DEST/<owner>+<name>/, then:
#   - files `git archive` leaves out because of an `export-ignore` attribute (often .gitignore,
#     which the audit honours) are written from the commit, so the export is the commit's tree;
#   - files the mirror lacks (snapshots leave out files of 4 MiB and more) are skipped and
#     counted: the audit skips files over 1 MB anyway;
#   - the entry's `config` becomes DEST/<owner>+<name>/.faultline.json, unless the repository has
#     its own. It is written even when it is `{}`: with no .git folder in an export, the config's
#     folder is what makes the checkout a project root, so rules see `src/...`, not `/work/...`;
#   - DEST/<owner>+<name>/.bench-commit records the exported commit. A re-run skips a checkout
#     whose .bench-commit matches the manifest and re-exports one that does not.
# Mirrors that are missing, or that lack the pinned commit, are listed at the end, and the exit
# status is 1 when there are any.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(cd "$here/../.." && pwd)
manifest=$here/manifest.json
mirrors=${MIRRORS:-/work/.mirror}

if [ $# -ne 1 ]; then
  echo "usage: bash bench/real-code/checkout.sh DEST   (MIRRORS=$mirrors)" >&2
  exit 2
fi
dest=$(realpath -m "$1")
case "$dest/" in
  "$project"/*)
    echo "refusing to export into $dest: it is inside the project, and the repositories' code must stay out of it" >&2
    exit 2
    ;;
esac
mkdir -p "$dest"

# Finds the bare git directory of one mirror: the folder itself or a folder below it.
find_git_dir() {
  local base=$1 candidate
  for candidate in "$base" "$base"/* "$base"/*/*; do
    [ -f "$candidate/HEAD" ] || continue
    if git --git-dir="$candidate" rev-parse --git-dir >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Exports one commit into a fresh folder (see the header for what is added and left out).
export_commit() {
  local git_dir=$1 commit=$2 target=$3 config=$4
  local part=$target.part listing absent=0 restored=0
  rm -rf "$part"
  mkdir -p "$part"
  listing=$(mktemp)
  # Every blob of the commit, NUL-separated: "<mode> <oid>\t<path>".
  git --git-dir="$git_dir" ls-tree -r -z --full-tree "$commit" |
    while IFS= read -r -d '' entry; do
      local meta=${entry%%$'\t'*} path=${entry#*$'\t'}
      local mode=${meta%% *} rest=${meta#* }
      local kind=${rest%% *} oid=${rest#* }
      [ "$kind" = blob ] || continue # submodules (commits) have no content here
      printf '%s %s\t%s\0' "$mode" "$oid" "$path"
    done >"$listing.blobs"
  local -A absent_oids=()
  local oid kind
  while read -r oid kind; do
    if [ "$kind" = missing ]; then absent_oids[$oid]=1; fi
  done < <(tr '\0' '\n' <"$listing.blobs" | cut -f1 | cut -d' ' -f2 |
    git --git-dir="$git_dir" cat-file --batch-check='%(objectname) %(objecttype)')

  local excludes=()
  while IFS= read -r -d '' entry; do
    oid=${entry#* }
    oid=${oid%%$'\t'*}
    if [ -n "${absent_oids[$oid]:-}" ]; then
      excludes+=(":(exclude,literal)${entry#*$'\t'}")
      absent=$((absent + 1))
    fi
  done <"$listing.blobs"

  # git 2.39 still names each absent blob on stderr while excluding it, and exits 0: its messages
  # are shown only when the export fails.
  if ! git --git-dir="$git_dir" archive --format=tar "$commit" -- . "${excludes[@]}" 2>"$listing.err" |
    tar -x -C "$part"; then
    cat "$listing.err" >&2
    echo "exporting $commit from $git_dir failed" >&2
    exit 1
  fi

  # export-ignore: write what the archive left out, so the export is the commit's tree.
  while IFS= read -r -d '' entry; do
    local mode=${entry%% *} path=${entry#*$'\t'}
    oid=${entry#* }
    oid=${oid%%$'\t'*}
    [ -e "$part/$path" ] || [ -L "$part/$path" ] && continue
    [ -n "${absent_oids[$oid]:-}" ] && continue
    mkdir -p "$(dirname "$part/$path")"
    if [ "$mode" = 120000 ]; then
      ln -s "$(git --git-dir="$git_dir" cat-file blob "$oid")" "$part/$path"
    else
      git --git-dir="$git_dir" cat-file blob "$oid" >"$part/$path"
      [ "$mode" = 100755 ] && chmod +x "$part/$path"
    fi
    restored=$((restored + 1))
  done <"$listing.blobs"
  rm -f "$listing" "$listing.blobs" "$listing.err"

  local note=""
  if [ -e "$part/.faultline.json" ]; then
    note=", kept the repository's own .faultline.json"
  else
    printf '%s\n' "$config" >"$part/.faultline.json"
  fi
  echo "$commit" >"$part/.bench-commit"
  rm -rf "$target"
  mv "$part" "$target"
  echo "  exported: $(find "$target" -type f | wc -l) files, $absent absent from the mirror, $restored export-ignored restored$note"
}

# One line per entry: name, commit, config (compact JSON). Node is what the project runs on.
entries=$(node -e '
  const entries = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const entry of entries) console.log([entry.name, entry.commit, JSON.stringify(entry.config ?? {})].join("\t"));
' "$manifest")

missing=()
exported=0
skipped=0
while IFS=$'\t' read -r name commit config; do
  slug=${name/\//+}
  target=$dest/$slug
  if [ -f "$target/.bench-commit" ] && [ "$(cat "$target/.bench-commit")" = "$commit" ]; then
    skipped=$((skipped + 1))
    continue
  fi
  if ! git_dir=$(find_git_dir "$mirrors/$slug"); then
    missing+=("$name: no mirror under $mirrors/$slug")
    continue
  fi
  if ! git --git-dir="$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    missing+=("$name: the mirror $git_dir has no commit $commit")
    continue
  fi
  echo "$name @ ${commit:0:12} -> $target"
  export_commit "$git_dir" "$commit" "$target" "$config"
  exported=$((exported + 1))
done <<<"$entries"

echo "checkouts in $dest: $exported exported, $skipped already at their commit, ${#missing[@]} missing"
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing mirrors (fetch them, then run this again):"
  printf '  %s\n' "${missing[@]}"
  echo "  in a session: call the fetch tool with github:<owner>/<name>;"
  echo "  with network: git clone --bare https://github.com/<owner>/<name>.git \"$mirrors/<owner>+<name>/repo\""
  exit 1
fi
