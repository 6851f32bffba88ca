#!/usr/bin/env bash
# metakvfs-crash-test.sh: SIGKILL the metakvfs daemon in the middle of a
# workload, again and again, and check the file system after each kill.
#
#   scripts/metakvfs-crash-test.sh [--build=DIR] [--cycles=N] [--src=DIR] [--seed=N]
#
# --build: the CMake build directory (default: build). --cycles: kills
# (default 5; the closing figures of issue 20 come from --cycles=50).
# --src: the tree the workload copies (default /usr/include/linux).
#
# One store across all cycles. Each cycle mounts it, starts a workload
# (cp -a of --src, renames, hard links, unlinks, rm -rf and metakvfs-ctl
# rmtree of earlier copies, appends, and files written then fsynced with
# their checksums logged once fsync returned), kills the daemon with
# SIGKILL after a random 0.3 to 2.5 s, lazily unmounts the dead mount and
# runs metakvfs-fsck, which must find no error (entries to missing inodes,
# wrong link counts, orphans, unreachable directories, missing blobs).
# Then it remounts and checks every fsynced file reads back as logged.
# Skips (exit 77) without /dev/fuse or fusermount3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
CYCLES=5
SRC=/usr/include/linux
SEED=$$
for arg in "$@"; do
  case "$arg" in
    --build=*) BUILD="${arg#--build=}" ;;
    --cycles=*) CYCLES="${arg#--cycles=}" ;;
    --src=*) SRC="${arg#--src=}" ;;
    --seed=*) SEED="${arg#--seed=}" ;;
    *) echo "usage: $0 [--build=DIR] [--cycles=N] [--src=DIR] [--seed=N]" >&2; exit 2 ;;
  esac
done
[[ "$CYCLES" =~ ^[1-9][0-9]*$ ]] || { echo "metakvfs-crash-test: --cycles must be a positive integer" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "metakvfs-crash-test: --seed must be a number" >&2; exit 2; }

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
  echo "metakvfs-crash-test: SKIPPED: needs /dev/fuse and fusermount3 (apt-get install fuse3)"
  exit 77
fi
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "metakvfs-crash-test: FAIL: no build directory" >&2; exit 1; }
BIN="$BUILD/tools/metakvfs/metakvfs"
FSCK="$BUILD/tools/metakvfs/metakvfs-fsck"
CTL="$BUILD/tools/metakvfs/metakvfs-ctl"
for b in "$BIN" "$FSCK" "$CTL"; do
  [ -x "$b" ] || { echo "metakvfs-crash-test: FAIL: no $b (build the metakvfs targets)" >&2; exit 1; }
done
[ -d "$SRC" ] || { echo "metakvfs-crash-test: FAIL: no source tree $SRC" >&2; exit 1; }

T=$(mktemp -d /tmp/metakvfs-crash.XXXXXX)
MNT="$T/mnt"
DB="$T/db"
DATA="$T/data"
ACKED="$T/acked"  # "path sha256" of every file whose fsync returned
mkdir -p "$MNT"
: > "$ACKED"
PID=
WL=
RANDOM=$SEED

mounted() { grep -q " $MNT fuse" /proc/mounts; }

cleanup() {
  local rc=$?
  cd /
  [ -n "$WL" ] && kill -9 -- -"$WL" 2>/dev/null || true
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  if mounted; then fusermount3 -uz "$MNT" 2>/dev/null || true; fi
  if [ $rc -ne 0 ] && [ -f "$T/log" ]; then
    echo "--- metakvfs log (tail) ---" >&2
    tail -20 "$T/log" >&2 || true
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT

fail() { echo "metakvfs-crash-test: FAIL: $*" >&2; exit 1; }

mount_fs() {
  "$BIN" "$MNT" --db="$DB" --data="$DATA" --foreground >>"$T/log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    mounted && return 0
    kill -0 "$PID" 2>/dev/null || fail "metakvfs exited before mounting (cycle $1)"
    sleep 0.1
  done
  fail "not mounted after 10s (cycle $1)"
}

# The workload of cycle $1, until killed. Errors are expected once the
# daemon is gone; nothing here decides the verdict except the acked log.
workload() {
  local c=$1 i=0
  set +e
  mkdir -p "$MNT/acked" "$MNT/c$c"
  while :; do
    i=$((i + 1))
    case $((RANDOM % 8)) in
      0|1) cp -a "$SRC" "$MNT/c$c/copy$i" 2>/dev/null ;;
      2) # a file written, fsynced, logged: it must survive every later kill
        local f="$MNT/acked/f-$c-$i"
        head -c $((RANDOM % 9000 + 1)) /dev/urandom > "$f.tmp" 2>/dev/null \
          && dd if="$f.tmp" of="$f" conv=fsync status=none 2>/dev/null \
          && rm -f "$f.tmp" \
          && echo "acked/f-$c-$i $(sha256sum < "$f" | cut -d' ' -f1)" >> "$ACKED" ;;
      3) # renames and moves of directories, hard links, appends
        for d in "$MNT"/c$c/copy*; do
          [ -d "$d" ] || continue
          mv "$d" "$d.moved$i" 2>/dev/null
          ln "$d.moved$i/Kbuild" "$MNT/c$c/link$i" 2>/dev/null
          echo "append $i" >> "$d.moved$i/Kbuild" 2>/dev/null
          break
        done ;;
      4) rm -rf "$MNT/c$((c - 1))" 2>/dev/null ;;
      5) [ -d "$MNT/c$((c - 2))" ] && "$CTL" rmtree "$MNT/c$((c - 2))" >/dev/null 2>&1 ;;
      6) find "$MNT/c$c" -name '*.h' 2>/dev/null | head -50 | xargs -r rm -f 2>/dev/null ;;
      7) # a file open while it is unlinked
        exec 7>"$MNT/c$c/open$i" && echo data >&7 && rm -f "$MNT/c$c/open$i"; exec 7>&- ;;
    esac
  done
}

notes=0
start=$SECONDS
for c in $(seq 1 "$CYCLES"); do
  mount_fs "$c"
  setsid bash -c "$(declare -f workload); MNT='$MNT' SRC='$SRC' ACKED='$ACKED' CTL='$CTL' RANDOM=$((SEED + c)); workload $c" &
  WL=$!
  sleep "$(echo "0.3 + $((RANDOM % 23)) / 10" | bc -l)"
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  kill -9 -- -"$WL" 2>/dev/null || true
  wait "$WL" 2>/dev/null || true
  WL=
  fusermount3 -uz "$MNT" 2>/dev/null || true
  for _ in $(seq 1 50); do mounted || break; sleep 0.1; done
  mounted && fail "the dead mount is still there (cycle $c)"
  out=$("$FSCK" --db="$DB" --data="$DATA") || { echo "$out" >&2; fail "metakvfs-fsck after kill $c"; }
  notes=$((notes + $(echo "$out" | grep -c '^note:' || true)))
  # Remount: every fsynced file as logged.
  mount_fs "$c"
  while read -r path sum; do
    [ "$(sha256sum < "$MNT/$path" 2>/dev/null | cut -d' ' -f1)" = "$sum" ] \
      || fail "fsynced $path lost or changed after kill $c"
  done < "$ACKED"
  fusermount3 -u "$MNT" || fail "unmount after the check (cycle $c)"
  wait "$PID" || fail "metakvfs exited non-zero after the check (cycle $c)"
  PID=
  echo "   kill $c: fsck clean ($(echo "$out" | tail -1 | cut -d: -f1)), $(wc -l < "$ACKED") fsynced files intact"
done
# The last state, mounted once more: fsck after a clean unmount has no notes.
out=$("$FSCK" --db="$DB" --data="$DATA") || { echo "$out" >&2; fail "metakvfs-fsck after the last unmount"; }
echo "$out" | grep -q '^note:' && { echo "$out" >&2; fail "notes left after a clean mount and unmount"; }
echo "metakvfs-crash-test: PASS: $CYCLES kills, fsck clean after each ($notes notes: orphans, stray blobs or tree removals for the next mount), $(wc -l < "$ACKED") fsynced files intact, $((SECONDS - start))s"
