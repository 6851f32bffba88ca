#!/usr/bin/env bash
# Measures the figures of docs/scale-out.md and writes them, with the commit
# they were measured at, to docs/scale-out-results.md:
#   1. writes/s of the same small writes into one embedded store, through
#      the FSM alone, and through a 3-node raft group on 127.0.0.1
#      (go/metakv/raftfsm benchmarks, 1 and 32 clients);
#   2. the HTTP service (metakv-raftd) under 8 writers, no kills
#      (scripts/raft-cycle.sh --cycles=0);
#   3. the time and bytes of tenant moves against the tenant's size, as
#      processes (scripts/raft-move.sh, two 3-node groups, writers running).
#
#   scripts/scale-out-figures.sh [--build=DIR] [--benchtime=3s]
#       [--records=1000,10000,100000] [--out=docs/scale-out-results.md]
#
# Takes a few minutes on 2 cores. Run nothing else meanwhile: the figures
# are throughput. Loopback only.
set -euo pipefail

build=build
benchtime=3s
records=1000,10000,100000
out=docs/scale-out-results.md
for arg in "$@"; do
  case "$arg" in
    --build=*) build="${arg#*=}" ;;
    --benchtime=*) benchtime="${arg#*=}" ;;
    --records=*) records="${arg#*=}" ;;
    --out=*) out="${arg#*=}" ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown option $arg" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$repo"
commit="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  commit="$commit (with uncommitted changes)"
fi
tmp="$(mktemp -d /tmp/scale-out-figures.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "scale-out-figures: benchmarks (benchtime $benchtime)" >&2
(
  # shellcheck source=go-env.sh
  source "$here/go-env.sh" "$build"
  flock /tmp/metakv-build.lock go test -run '^$' -bench . -benchtime "$benchtime" metakv/raftfsm
) >"$tmp/bench.txt"
echo "scale-out-figures: metakv-raftd under 8 writers" >&2
bash "$here/raft-cycle.sh" --cycles=0 --period=15 --build="$build" >"$tmp/cycle.txt"
echo "scale-out-figures: tenant moves ($records)" >&2
bash "$here/raft-move.sh" --records="$records" --build="$build" >"$tmp/move.txt"

{
  echo "# Scale-out figures (generated)"
  echo
  echo "Written by \`scripts/scale-out-figures.sh\` at commit $commit on $(date -u +%Y-%m-%d),"
  echo "on this machine ($(nproc) cores). Do not edit by hand; what they mean is in"
  echo "[scale-out.md](scale-out.md)."
  echo
  echo "## Writes/s: one embedded store against a 3-node group on 127.0.0.1"
  echo
  echo "Go benchmarks of \`go/metakv/raftfsm\` (\`go test -bench . -benchtime $benchtime\`): the"
  echo "same writes (a 16-byte key, a 100-byte value) into one embedded store, through"
  echo "\`FSM.Apply\` alone, and through a 3-node group (raft over TCP, raft-boltdb logs:"
  echo "\`log=bolt\`; raft's log in memory: \`log=mem\`)."
  echo
  echo "| benchmark | ns/op | writes/s |"
  echo "|---|---:|---:|"
  awk '/^Benchmark/ {
         name = $1; sub(/-[0-9]+$/, "", name); ns = ""; ws = "";
         for (i = 2; i <= NF; i++) { if ($(i) == "ns/op") ns = $(i-1); if ($(i) == "writes/s") ws = $(i-1) }
         printf "| %s | %s | %s |\n", name, ns, ws }' "$tmp/bench.txt"
  echo
  echo "## The HTTP service, 8 writers, no kills"
  echo
  echo '```'
  grep -E '^load:' "$tmp/cycle.txt" || true
  echo '```'
  echo
  echo "## Tenant moves between two 3-node groups, writers running"
  echo
  echo '```'
  sed -n '/^raft-move: OK/,$p' "$tmp/move.txt"
  echo '```'
} >"$out"
echo "scale-out-figures: wrote $out" >&2
