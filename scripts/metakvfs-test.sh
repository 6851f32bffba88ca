#!/usr/bin/env bash
# metakvfs-test.sh: real programs against a metakvfs mount (docs/metakvfs.md).
#
#   scripts/metakvfs-test.sh [--build=DIR] [--src=DIR]
#
# --build: the CMake build directory configured with -DMETAKV_BUILD_FS=ON
# (default: build-fs next to this script's parent). --src: the tree copied
# in (default: /usr/include, 8000-odd files; --src=/usr/include/linux is
# a quicker run).
#
# Mounts a fresh store in a temporary directory and runs, each bounded by
# timeout: cp -a of the source tree and diff -r (contents, modes, times);
# tar c of the copy, tar x elsewhere and diff; find | wc -l and du -s; a
# rename storm replayed on a local directory as the model and compared;
# renameat2 RENAME_NOREPLACE and a directory moved into itself; hard links
# and their counts; symlinks; a file read after its unlink; git init, add,
# commit and fsck; rm -rf and an empty root; unmount, remount (as a
# daemon) and the data written before still there; the recycle bin
# (.trash: listing, reading, restore by mv), versions (.versions), rm -rf
# against metakvfs-ctl rmtree (timed), and a bounded stress-ng run of the
# file-system stressors. Skips without
# /dev/fuse or fusermount3 (exit 77, which ctest reports as
# skipped). Exits non-zero with a message on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build-fs"
SRC=/usr/include
for arg in "$@"; do
  case "$arg" in
    --build=*) BUILD="${arg#--build=}" ;;
    --src=*) SRC="${arg#--src=}" ;;
    *) echo "usage: $0 [--build=DIR] [--src=DIR]" >&2; exit 2 ;;
  esac
done

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
  echo "metakvfs-test: SKIPPED: needs /dev/fuse and fusermount3 (apt-get install fuse3)"
  exit 77
fi
# Absolute: the script changes directory.
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "metakvfs-test: FAIL: no build directory" >&2; exit 1; }
SRC=$(cd "$SRC" 2>/dev/null && pwd) || { echo "metakvfs-test: FAIL: no source directory" >&2; exit 1; }
BIN="$BUILD/tools/metakvfs/metakvfs"
if [ ! -x "$BIN" ]; then
  echo "metakvfs-test: FAIL: no $BIN; build it with" >&2
  echo "  cmake -S $ROOT -B $BUILD -DMETAKV_BUILD_FS=ON && cmake --build $BUILD --target metakvfs" >&2
  exit 1
fi
[ -d "$SRC" ] || { echo "metakvfs-test: FAIL: no source tree $SRC" >&2; exit 1; }

T=$(mktemp -d /tmp/metakvfs-test.XXXXXX)
MNT="$T/mnt"
DB="$T/db"
DATA="$T/data"
mkdir -p "$MNT" "$T/work"
PID=

mounted() { grep -q " $MNT fuse" /proc/mounts; }

# The metakvfs processes serving this test's store: found by its unique
# store path in their command lines, never by name.
daemon_pids() {
  local p
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -- "--db=$DB "; then
      echo "${p#/proc/}"
    fi
  done
}

cleanup() {
  local rc=$?
  cd /
  if mounted; then fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || true; fi
  for p in $PID $(daemon_pids); do kill "$p" 2>/dev/null || true; done
  if [ $rc -ne 0 ] && [ -f "$T/log" ]; then
    echo "--- metakvfs log (tail) ---" >&2
    tail -20 "$T/log" >&2 || true
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT

fail() { echo "metakvfs-test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
# Runs a command bounded by a timeout (seconds), failing the test with a
# message if it fails or times out.
bounded() {
  local secs=$1 what=$2
  shift 2
  local start=$SECONDS
  local rc=0
  timeout "$secs" "$@" || rc=$?
  [ $rc -eq 0 ] || fail "$what (exit $rc$([ $rc -eq 124 ] && echo ": timed out after ${secs}s"))"
  echo "   ok: $what ($((SECONDS - start))s)"
}

wait_mounted() {
  for _ in $(seq 1 100); do
    mounted && return 0
    if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then fail "metakvfs exited before mounting"; fi
    sleep 0.1
  done
  fail "not mounted after 10s"
}

# Unmounts and waits until the daemon has closed the store.
unmount() {
  fusermount3 -u "$MNT" || fail "fusermount3 -u"
  for _ in $(seq 1 100); do
    [ -z "$(daemon_pids)" ] && return 0
    sleep 0.1
  done
  fail "metakvfs still running 10s after the unmount"
}

# ---- First mount: in the foreground, logging to $T/log ----
step "mount (foreground) on $MNT"
"$BIN" "$MNT" --db="$DB" --data="$DATA" --foreground >"$T/log" 2>&1 &
PID=$!
wait_mounted

step "cp -a $SRC ($(find "$SRC" | wc -l) entries, $(du -sh "$SRC" | cut -f1))"
bounded 600 "cp -a" cp -a "$SRC" "$MNT/copy"
bounded 300 "diff -r (contents)" diff -r --no-dereference "$SRC" "$MNT/copy"
# type mode owner group mtime size(not of directories) symlink-target path
listing() {
  (cd "$1" && find . -printf '%y %m %U %G %T@ %s %P -> %l\n' \
    | awk '$1 == "d" { $6 = "-" } { print }' | LC_ALL=C sort)
}
listing "$SRC" > "$T/work/src.list"
listing "$MNT/copy" > "$T/work/copy.list"
diff "$T/work/src.list" "$T/work/copy.list" > "$T/work/list.diff" \
  || { head "$T/work/list.diff" >&2; fail "modes, owners, times or sizes differ after cp -a"; }
echo "   ok: modes, owners, mtimes, sizes and symlinks as the source"

step "tar"
bounded 300 "tar c of the copy | tar x elsewhere" \
  bash -c "tar -C '$MNT' -cf - copy | tar -C '$T/work' -xf -"
bounded 300 "diff -r of the extracted tree" diff -r --no-dereference "$SRC" "$T/work/copy"
bounded 300 "tar x into the mount" bash -c "tar -C '$T/work' -cf - copy | (mkdir '$MNT/untar' && tar -C '$MNT/untar' -xf -)"
bounded 300 "diff -r of the tree tar x wrote" diff -r --no-dereference "$SRC" "$MNT/untar/copy"

step "find, du"
n_src=$(cd "$SRC" && find . | wc -l)
n_copy=$(cd "$MNT/copy" && timeout 120 find . | wc -l)
[ "$n_src" = "$n_copy" ] || fail "find: $n_copy entries, source has $n_src"
echo "   ok: find | wc -l = $n_copy"
bytes_src=$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
bytes_copy=$(find "$MNT/copy" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
[ "$bytes_src" = "$bytes_copy" ] || fail "file bytes: $bytes_copy, source has $bytes_src"
du_copy=$(timeout 120 du -s "$MNT/copy" | cut -f1)
[ "$du_copy" -gt 0 ] || fail "du -s says $du_copy"
echo "   ok: du -s = $du_copy KiB, file bytes = $bytes_copy"

# ---- Rename storm, replayed on a local directory as the model ----
storm() {
  local d=$1
  mkdir "$d/storm" && cd "$d/storm"
  for i in $(seq 1 150); do echo "file $i" > "f$i"; done
  seq 1 5000 > big0  # a file past the inline threshold among them
  mkdir -p a/b/c x/y
  for i in $(seq 1 150); do mv "f$i" "g$i"; done                          # plain renames
  for i in $(seq 1 2 149); do mv "g$i" "g$((i + 1))"; done                # replace files
  for i in $(seq 1 40); do mv "g$((i * 2))" "a/b/c/h$i"; done             # across directories
  mv big0 a/b/big1 && cp a/b/big1 g150 && mv a/b/big1 g150                # replace by a blob
  for i in $(seq 1 20); do mv a/b x/y/b && mv x/y/b a/b; done             # move a tree back and forth
  mv a/b/c c2 && mkdir a/b/c && mv c2 a/b/c/c2                            # move a directory below its old parent
  mkdir empty && mv empty x/y                                             # into another directory
  mkdir -p r/d1 r/d2 && echo z > r/d1/z && mv -T r/d1 r/d2                # replace an empty directory
  for i in $(seq 1 30); do mv "a/b/c/c2/h$i" "a/b/c/h$i"; mv "a/b/c/h$i" "x/h$i"; done
  cd - >/dev/null
}
step "rename storm"
mkdir -p "$T/work/model"
storm "$T/work/model"
bounded 120 "storm on the mount" bash -c "$(declare -f storm); storm '$MNT'"
bounded 60 "storm result = local model" diff -r "$T/work/model/storm" "$MNT/storm"
listing "$T/work/model/storm" | awk '{$5=""; print}' | LC_ALL=C sort > "$T/work/m.list"
listing "$MNT/storm" | awk '{$5=""; print}' | LC_ALL=C sort > "$T/work/s.list"
diff "$T/work/m.list" "$T/work/s.list" || fail "storm: types, modes or sizes differ from the model"
# Directory link counts (2 + subdirectories) as on the local file system.
(cd "$T/work/model/storm" && find . -type d -printf '%n %P\n' | LC_ALL=C sort) > "$T/work/m.links"
(cd "$MNT/storm" && find . -type d -printf '%n %P\n' | LC_ALL=C sort) > "$T/work/s.links"
diff "$T/work/m.links" "$T/work/s.links" || fail "storm: directory link counts differ from the model"
echo "   ok: directory link counts as the model"

step "renameat2 and moves into itself"
cat > "$T/work/renames.py" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
def renameat2(a, b, flags):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) != 0:
        return ctypes.get_errno()
    return 0
os.chdir(sys.argv[1])
open("n1", "w").write("one"); open("n2", "w").write("two")
assert renameat2("n1", "n2", RENAME_NOREPLACE) == errno.EEXIST, "NOREPLACE over a file"
assert open("n2").read() == "two"
assert renameat2("n1", "n3", RENAME_NOREPLACE) == 0, "NOREPLACE to a free name"
assert renameat2("n2", "n3", RENAME_EXCHANGE) == 0, "EXCHANGE"
assert open("n3").read() == "two" and open("n2").read() == "one"
os.makedirs("p/q/r")
try:
    os.rename("p", "p/q/r/p"); sys.exit("moved a directory into itself")
except OSError as e:
    assert e.errno == errno.EINVAL, e
os.makedirs("full/x"); os.makedirs("emptydir")
try:
    os.rename("emptydir", "full"); sys.exit("replaced a non-empty directory")
except OSError as e:
    assert e.errno in (errno.ENOTEMPTY, errno.EEXIST), e
try:
    os.rmdir("full"); sys.exit("rmdir of a non-empty directory")
except OSError as e:
    assert e.errno == errno.ENOTEMPTY, e
try:
    os.rename("n2", "full"); sys.exit("renamed a file over a directory")
except OSError as e:
    assert e.errno == errno.EISDIR, e
try:
    os.rename("full", "n2"); sys.exit("renamed a directory over a file")
except OSError as e:
    assert e.errno == errno.ENOTDIR, e
PY
mkdir "$MNT/ren"
bounded 30 "RENAME_NOREPLACE, RENAME_EXCHANGE, EINVAL, ENOTEMPTY, EISDIR, ENOTDIR" \
  python3 "$T/work/renames.py" "$MNT/ren"

step "hard links"
mkdir -p "$MNT/links/sub"
cd "$MNT/links"
echo linked > l0
ln l0 l1 && ln l0 sub/l2 && ln l0 l3
[ "$(stat -c %h l0)" = 4 ] || fail "nlink after 3 links: $(stat -c %h l0)"
[ "$(stat -c %i l0)" = "$(stat -c %i sub/l2)" ] || fail "links have different inodes"
rm l1
[ "$(stat -c %h l0)" = 3 ] || fail "nlink after rm: $(stat -c %h l0)"
echo other > o && mv o l3
[ "$(stat -c %h l0)" = 2 ] || fail "nlink after a rename replaced a link: $(stat -c %h l0)"
# rename(2) onto another link of the same inode: nothing happens
python3 -c 'import os; os.rename("sub/l2", "l0")'
[ -e sub/l2 ] && [ "$(stat -c %h l0)" = 2 ] || fail "rename between two links of one inode"
echo more >> sub/l2
[ "$(cat l0)" = "$(printf 'linked\nmore')" ] || fail "a write through one link not seen through the other"
ln "$MNT/links" "$MNT/dirlink" 2>/dev/null && fail "hard link to a directory succeeded"
[ "$(stat -c %h "$MNT/links")" = 3 ] || fail "directory nlink: $(stat -c %h "$MNT/links")"
cd /
echo "   ok: link counts 4, 3, 2; shared inode; no directory links"

step "concurrent writers"
PAR_SRC="$SRC"
[ -d "$SRC/linux" ] && PAR_SRC="$SRC/linux"
par() {
  local pids=() i rc=0
  for i in 1 2 3 4; do cp -a "$PAR_SRC" "$MNT/par$i" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  [ $rc -eq 0 ] || return 1
  for i in 1 2 3 4; do diff -r --no-dereference "$PAR_SRC" "$MNT/par$i" || return 1; done
  pids=()
  for i in 1 2 3 4; do rm -rf "$MNT/par$i" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  [ $rc -eq 0 ] && [ -z "$(ls -d "$MNT"/par* 2>/dev/null)" ]
}
bounded 300 "4 cp -a of $PAR_SRC at once, diff -r, 4 rm -rf at once" \
  bash -c "MNT='$MNT' PAR_SRC='$PAR_SRC'; $(declare -f par); par"

step "symlinks"
mkdir -p "$MNT/sym/dir" && echo target > "$MNT/sym/dir/t"
cd "$MNT/sym"
ln -s dir/t rel && ln -s "$MNT/sym/dir" abs && ln -s nowhere dangling
long=$(printf 'x%.0s' $(seq 1 3000))
ln -s "$long" longlink
[ "$(cat rel)" = target ] || fail "read through a relative symlink"
[ "$(cat abs/t)" = target ] || fail "read through a symlink to a directory"
[ "$(readlink dangling)" = nowhere ] || fail "readlink of a dangling symlink"
[ "$(readlink longlink)" = "$long" ] || fail "readlink of a 3000-byte target"
[ ! -e dangling ] || fail "a dangling symlink resolves"
[ "$(stat -c %s rel)" = 5 ] || fail "symlink size $(stat -c %s rel)"
cd /
echo "   ok"

step "open, unlink, read"
head -c 100000 /dev/urandom > "$T/work/blob"
cp "$T/work/blob" "$MNT/gone"
echo small > "$MNT/gone-small"
exec 3<"$MNT/gone" 4<"$MNT/gone-small"
rm "$MNT/gone" "$MNT/gone-small"
[ ! -e "$MNT/gone" ] || fail "unlinked file still visible"
cmp - "$T/work/blob" <&3 || fail "an open file's contents after its unlink"
[ "$(cat <&4)" = small ] || fail "an open small file after its unlink"
exec 3<&- 4<&-
echo "   ok"

step "truncate and sparse writes"
f="$MNT/trunc"
echo abcdef > "$f" && truncate -s 3 "$f" && [ "$(cat "$f")" = abc ] || fail "truncate down"
truncate -s 10000 "$f" && [ "$(stat -c %s "$f")" = 10000 ] || fail "truncate up past the inline threshold"
[ "$(head -c 3 "$f")" = abc ] && [ "$(tail -c +4 "$f" | tr -d '\0' | wc -c)" = 0 ] || fail "contents after truncate up"
dd if=/dev/zero of="$f" bs=1 count=1 seek=1000000 conv=notrunc status=none
[ "$(stat -c %s "$f")" = 1000001 ] || fail "sparse write size"
echo "   ok"

step "git"
if command -v git >/dev/null 2>&1; then
  bounded 300 "git init, add, commit, fsck, status" bash -c "
    set -e
    mkdir '$MNT/repo' && cd '$MNT/repo'
    git init -q . && git config user.email t@example.com && git config user.name test
    git config gc.auto 0  # no gc detached into the background; the explicit one below
    cp -a '$SRC'/. .
    git add -A && git commit -q -m 'import'
    git mv \$(git ls-files | head -1) moved-file && git commit -q -m move
    git fsck --no-progress --strict 2>&1
    test -z \"\$(git status --porcelain)\"
    git gc -q
    git log --oneline | wc -l | grep -qx 2"
else
  echo "   (git not installed: skipped)"
fi

step "data that must survive a remount"
mkdir -p "$MNT/keep/deep/er"
cp "$T/work/blob" "$MNT/keep/blob"
echo "inline text" > "$MNT/keep/deep/er/small"
ln "$MNT/keep/blob" "$MNT/keep/blob-link"
ln -s deep/er/small "$MNT/keep/sym"
chmod 640 "$MNT/keep/deep/er/small"
touch -d '2001-02-03 04:05:06.789' "$MNT/keep/deep"
listing "$MNT/keep" > "$T/work/keep.list"

step "recycle bin (.trash) and restore"
mkdir -p "$MNT/bin/sub"
echo "small one" > "$MNT/bin/sub/a%b"
cp "$T/work/blob" "$MNT/bin/big"
rm "$MNT/bin/sub/a%b" "$MNT/bin/big"
rmdir "$MNT/bin/sub"
[ ! -e "$MNT/bin/big" ] || fail "bin/big still there after rm"
small=$(ls "$MNT/.trash" | grep -x 'bin%2Fsub%2Fa%25b@[0-9]*') || fail ".trash does not list bin/sub/a%b: $(ls "$MNT/.trash" | head)"
big=$(ls "$MNT/.trash" | grep -x 'bin%2Fbig@[0-9]*') || fail ".trash does not list bin/big"
cmp "$MNT/.trash/$big" "$T/work/blob" || fail "a file in .trash does not read as it was"
if touch "$MNT/.trash/new" 2>/dev/null; then fail "created a file in .trash"; fi
if rm "$MNT/.trash/$big" 2>/dev/null; then fail "removed a file from .trash"; fi
mv "$MNT/.trash/$big" "$MNT/bin/big-restored" || fail "mv out of .trash"
cmp "$MNT/bin/big-restored" "$T/work/blob" || fail "the restored large file differs"
mv "$MNT/.trash/$small" "$MNT/bin/small" || fail "mv out of .trash (small)"
[ "$(cat "$MNT/bin/small")" = "small one" ] || fail "the restored small file differs"
[ "$(stat -c %h "$MNT/bin/small")" = 1 ] || fail "link count of a restored file"
echo "more" >> "$MNT/bin/small" || fail "a restored file is not writable"
ls "$MNT/.trash" > "$T/work/trash.ls"  # grep -q on a pipe: SIGPIPE under pipefail
grep -q '^bin%2F' "$T/work/trash.ls" && fail ".trash still lists restored files"
[ -z "$(ls -A "$MNT" | grep '^\.')" ] || fail "the root lists hidden entries: $(ls -A "$MNT" | grep '^\.')"
echo "   ok: listed with their paths, read in place, restored by mv, read-only otherwise"

step "versions (.versions)"
echo one > "$MNT/bin/v.txt"
echo two > "$MNT/bin/v.txt"
echo three-3 > "$MNT/bin/v.txt"
versions=$(ls "$MNT/.versions/bin/v.txt" | wc -l)
[ "$versions" = 2 ] || fail ".versions/bin/v.txt lists $versions versions, not 2"
first=$(ls "$MNT/.versions/bin/v.txt" | head -1)
grep -qx "size 4" "$MNT/.versions/bin/v.txt/$first" || fail "the first version: $(cat "$MNT/.versions/bin/v.txt/$first")"
if echo x > "$MNT/.versions/bin/v.txt/$first" 2>/dev/null; then fail "wrote a version"; fi
echo "   ok: two versions of bin/v.txt, oldest first, read-only"

step "rm -rf against metakvfs-ctl rmtree"
CTL="$BUILD/tools/metakvfs/metakvfs-ctl"
[ -x "$CTL" ] || fail "no $CTL"
bounded 600 "cp -a twice" bash -c "cp -a '$SRC' '$MNT/rt1' && cp -a '$SRC' '$MNT/rt2'"
n=$(find "$MNT/rt2" | wc -l)
start=$(date +%s.%N)
rm -rf "$MNT/rt1" || fail "rm -rf rt1"
mid=$(date +%s.%N)
"$CTL" rmtree "$MNT/rt2" || fail "metakvfs-ctl rmtree rt2"
end=$(date +%s.%N)
[ ! -e "$MNT/rt1" ] && [ ! -e "$MNT/rt2" ] || fail "a removed tree is still there"
ls "$MNT/.trash" > "$T/work/trash.ls"
grep -q '^rt1%2F' "$T/work/trash.ls" || fail "rm -rf left nothing in .trash"
grep -q '^rt2%2F' "$T/work/trash.ls" && fail "rmtree put files in .trash"
if "$CTL" rmtree "$MNT/bin/small" 2>/dev/null; then fail "rmtree of a file"; fi
if "$CTL" rmtree /tmp 2>/dev/null; then fail "rmtree outside a metakvfs mount"; fi
printf '   ok: %s entries: rm -rf %.2fs, rmtree %.3fs\n' "$n" "$(echo "$mid - $start" | bc)" \
  "$(echo "$end - $mid" | bc)"

step "stress-ng (file-system stressors)"
if command -v stress-ng >/dev/null 2>&1; then
  mkdir "$MNT/stress"
  bounded 300 "stress-ng --dir --dentry --rename --link --symlink --open, 2 each, 15s" \
    stress-ng --temp-path "$MNT/stress" --dir 2 --dentry 2 --rename 2 --link 2 --symlink 2 \
    --open 2 --timeout 15s --quiet
  rm -rf "$MNT/stress"
else
  echo "   (stress-ng not installed: skipped)"
fi

step "rm -rf"
bounded 300 "rm -rf of everything but keep/" bash -c "cd '$MNT' && ls -A | grep -vx keep | xargs rm -rf --"
[ "$(ls -A "$MNT")" = keep ] || fail "root after rm -rf holds: $(ls -A "$MNT" | head)"
echo "   ok: the root holds keep/ alone"

step "unmount, remount as a daemon"
unmount
rc=0
wait "$PID" || rc=$?
PID=
[ $rc -eq 0 ] || fail "the foreground metakvfs exited with $rc after the unmount"
if grep -E "runtime error|Sanitizer" "$T/log" >&2; then fail "sanitizer reports in the metakvfs log"; fi
echo "   ok: the foreground daemon exited 0 with a clean log"
bounded 30 "remount (daemon)" "$BIN" "$MNT" --db="$DB" --data="$DATA"
wait_mounted
cmp "$MNT/keep/blob" "$T/work/blob" || fail "large file after the remount"
[ "$(cat "$MNT/keep/sym")" = "inline text" ] || fail "small file through a symlink after the remount"
[ "$(stat -c %h "$MNT/keep/blob")" = 2 ] || fail "link count after the remount"
listing "$MNT/keep" > "$T/work/keep2.list"
diff "$T/work/keep.list" "$T/work/keep2.list" || fail "metadata changed across the remount"
echo "   ok: contents, link counts, modes and times as before the unmount"
bounded 60 "rm -rf keep" rm -rf "$MNT/keep"
[ -z "$(ls -A "$MNT")" ] || fail "root not empty: $(ls -A "$MNT")"
# Every blob file left is a deleted file's, kept for a restore from .trash.
find "$MNT/.trash" -maxdepth 1 -type f -printf '%i\n' | sort -u > "$T/work/trash.inos"
find "$DATA" -type f -printf '%f\n' | while read -r b; do echo $((16#$b)); done | sort -u > "$T/work/blob.inos"
orphans=$(comm -13 "$T/work/trash.inos" "$T/work/blob.inos" | wc -l)
[ "$orphans" = 0 ] || fail "$orphans blob files belong to no file in .trash"
echo "   ok: empty root; the $(wc -l < "$T/work/blob.inos") blob files left are all in .trash"
unmount

step "bad arguments"
if "$BIN" "$MNT" --data="$DATA" 2>"$T/work/err"; then fail "ran without --db"; fi
grep -q -- "--db" "$T/work/err" || fail "no message about --db: $(cat "$T/work/err")"
if "$BIN" "$T/nonexistent" --db="$DB" --data="$DATA" 2>/dev/null; then fail "mounted on a missing directory"; fi
echo "   ok"

echo "metakvfs-test: PASS"
