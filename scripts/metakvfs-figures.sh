#!/usr/bin/env bash
# metakvfs-figures.sh: real programs on metakvfs, measured, with metakv's
# write-amplification mechanisms on and off (docs/metakvfs.md, "Figures").
#
#   scripts/metakvfs-figures.sh [--build=DIR] [--src=DIR] [--out=FILE] [--write-buffer-bytes=N]
#
# For each mode (--mechanisms=on, then off) on a fresh store: cp -a of
# --src (default /usr/include) into the mount, tar x of the same tree, a
# git add + commit of a third copy, rm -rf of the tar x tree, then
# metakvfs-ctl rmtree of the cp -a tree (the same files). For each
# workload: its time, entries per second, the store's operations, the bytes
# callers gave the store (user) and the bytes it wrote to disk (WAL, flush,
# compaction, ingest), from the mount's .metakv-stats before and after.
# Memtables are --write-buffer-bytes (default 1 MiB), so that the tree's
# metadata goes through flushes and compactions. Writes a Markdown report
# naming the commit to --out (default docs/metakvfs-results.md) and prints
# it. Needs /dev/fuse, fusermount3, git and python3; exits 77 without FUSE.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
SRC=/usr/include
OUT="$ROOT/docs/metakvfs-results.md"
WBB=1048576
for arg in "$@"; do
  case "$arg" in
    --build=*) BUILD="${arg#--build=}" ;;
    --src=*) SRC="${arg#--src=}" ;;
    --out=*) OUT="${arg#--out=}" ;;
    --write-buffer-bytes=*) WBB="${arg#--write-buffer-bytes=}" ;;
    *) echo "usage: $0 [--build=DIR] [--src=DIR] [--out=FILE] [--write-buffer-bytes=N]" >&2; exit 2 ;;
  esac
done
if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
  echo "metakvfs-figures: SKIPPED: needs /dev/fuse and fusermount3" >&2
  exit 77
fi
for tool in git python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "metakvfs-figures: needs $tool" >&2; exit 1; }
done
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$SRC" && pwd)
BIN="$BUILD/tools/metakvfs/metakvfs"
CTL="$BUILD/tools/metakvfs/metakvfs-ctl"
[ -x "$BIN" ] && [ -x "$CTL" ] || { echo "metakvfs-figures: build metakvfs and metakvfs-ctl in $BUILD" >&2; exit 1; }

T=$(mktemp -d /tmp/metakvfs-figures.XXXXXX)
MNT="$T/mnt"
PID=
mounted() { grep -q " $MNT fuse" /proc/mounts; }
cleanup() {
  local rc=$?
  cd /
  if mounted; then fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" || true; fi
  [ -n "$PID" ] && wait "$PID" 2>/dev/null || true
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT
fail() { echo "metakvfs-figures: FAIL: $*" >&2; exit 1; }

tar -C "$(dirname "$SRC")" -cf "$T/src.tar" "$(basename "$SRC")"
ENTRIES=$(find "$SRC" | wc -l)
SRC_MB=$(du -sm "$SRC" | cut -f1)

# The store's counters as one line: user wal flush compaction ingest ops.
counters() {
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
ops = sum(d.get(k, 0) for d in s["domains"] for k in ("puts", "deletes", "undeletes", "hard_deletes", "ingested_records"))
print(s["user_bytes_written"], s.get("wal_bytes_written", 0), s["flush_bytes_written"],
      s["compaction_bytes_written"], s["ingest_bytes_written"], ops)' "$MNT/.metakv-stats"
}

# measure MODE NAME ENTRIES COMMAND...: one row of the report.
measure() {
  local mode=$1 name=$2 entries=$3
  shift 3
  local before after start end
  before=$(counters)
  start=$(date +%s.%N)
  "$@" || fail "$name ($mode)"
  end=$(date +%s.%N)
  after=$(counters)
  python3 -c '
import sys
mode, name, entries, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
b = [int(x) for x in sys.argv[6].split()]
a = [int(x) for x in sys.argv[7].split()]
d = [y - x for x, y in zip(b, a)]
user, wal, flush, comp, ingest, ops = d
dev = wal + flush + comp + ingest
secs = end - start
wa = f"{dev / user:.2f}" if user >= 100000 else "-"  # no ratio of next to nothing
print(f"| {mode} | {name} | {secs:.2f} | {entries / secs:,.0f} | {ops:,} | {ops / secs:,.0f} | {user / 1e6:.1f} | {wal / 1e6:.1f} | {(flush + comp + ingest) / 1e6:.1f} | {wa} |")
' "$mode" "$name" "$entries" "$start" "$end" "$before" "$after" >> "$T/rows"
}

: > "$T/rows"
: > "$T/totals"
for mode in on off; do
  rm -rf "$T/db" "$T/data" "$MNT"
  mkdir -p "$MNT"
  "$BIN" "$MNT" --db="$T/db" --data="$T/data" --foreground --mechanisms=$mode \
    --write-buffer-bytes="$WBB" 2>"$T/log.$mode" &
  PID=$!
  for _ in $(seq 1 100); do mounted && break; sleep 0.1; done
  mounted || fail "not mounted ($mode)"
  measure $mode "cp -a" "$ENTRIES" cp -a "$SRC" "$MNT/copy"
  mkdir "$MNT/untar"
  measure $mode "tar x" "$ENTRIES" tar -C "$MNT/untar" -xf "$T/src.tar"
  mkdir "$MNT/repo"
  (cd "$MNT/repo" && git init -q . && git config user.email f@example.com && git config user.name f \
    && git config gc.auto 0 && cp -a "$SRC"/. .) || fail "git setup ($mode)"
  measure $mode "git add + commit" "$ENTRIES" bash -c "cd '$MNT/repo' && git add -A && git commit -q -m import"
  measure $mode "rm -rf" "$ENTRIES" rm -rf "$MNT/untar"
  measure $mode "metakvfs-ctl rmtree" "$ENTRIES" "$CTL" rmtree "$MNT/copy"
  sleep 5  # background flushes and compactions of what the workloads wrote
  echo "$mode $(counters)" >> "$T/totals"
  fusermount3 -u "$MNT"
  wait "$PID" || fail "metakvfs exited non-zero ($mode)"
  PID=
done

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
{
  echo "# metakvfs figures"
  echo
  echo "Written by \`scripts/metakvfs-figures.sh\` at commit $COMMIT$DIRTY on $(date -u +%Y-%m-%d),"
  echo "$(nproc) cores. The tree: \`$SRC\`, $ENTRIES entries, $SRC_MB MB. Memtables of"
  echo "$WBB bytes per domain. \"on\": metakv's write-amplification mechanisms (purge in"
  echo "compaction, tenant partitioning, adaptive memtables and level-0 triggers);"
  echo "\"off\": the same daemon and store with them turned off (\`--mechanisms=off\`)."
  echo "One run each; a machine with 2 shared cores is noisy, so read the times as"
  echo "a guide and the bytes as the figure."
  echo
  echo "Columns: seconds; tree entries per second; store operations (puts, logical,"
  echo "hard and un-deletes, ingested records) and per second; MB that callers gave the"
  echo "store (keys and values); MB the store wrote to its WAL and to SST files"
  echo "(flush, compaction, ingest) during the workload; WA = (WAL + SST) / user"
  echo "(\"-\" below 0.1 MB of user bytes)."
  echo
  echo "| mode | workload | s | entries/s | store ops | ops/s | user MB | WAL MB | SST MB | WA |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  cat "$T/rows"
  echo
  echo "The daemon's account of each \`rmtree\` (one \`Store::RemoveTree\` call):"
  echo
  for mode in on off; do echo "- $mode: $(grep -o 'rmtree: .*' "$T/log.$mode" | tail -1)"; done
  echo
  echo "Totals over the whole run, 5 s after the last workload (compactions continue"
  echo "in the background, so the SST bytes of the last rows show up here):"
  echo
  echo "| mode | user MB | WAL MB | SST MB | WA |"
  echo "|---|---|---|---|---|"
  while read -r mode user wal flush comp ingest ops; do
    python3 -c '
import sys
m, u, w, f, c, i = sys.argv[1], *map(int, sys.argv[2:])
print(f"| {m} | {u / 1e6:.1f} | {w / 1e6:.1f} | {(f + c + i) / 1e6:.1f} | {(w + f + c + i) / u:.2f} |")' \
      "$mode" "$user" "$wal" "$flush" "$comp" "$ingest"
  done < "$T/totals"
} > "$OUT"
cat "$OUT"
