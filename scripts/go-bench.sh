#!/usr/bin/env bash
# The cost of crossing from Go into C: the Go package's Put, Get and
# 100-record batch against the same loops written in C++, on one store, in
# alternating blocks (TestPairedCost in go/metakv/cxxbench_test.go, build
# tag metakv_cxxbench), so that both meet the same machine load; and one
# empty cgo call (BenchmarkCgoCall). Prints the table; with --readme it
# also rewrites the block between the cgo-cost markers of README.md,
# naming the commit measured.
#
#   scripts/go-bench.sh [--build-dir=DIR] [--rounds=N] [--readme]
#
# DIR: a CMake build with the library (default build). N: rounds of blocks
# (default 21; a round is about 0.5 s). Best on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
rounds=21
readme=0
for arg in "$@"; do
  case "$arg" in
    --build-dir=*) build="${arg#--build-dir=}" ;;
    --rounds=*) rounds="${arg#--rounds=}" ;;
    --readme) readme=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "go-bench: unknown argument $arg" >&2; exit 2 ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "go-bench: --rounds must be a positive integer" >&2; exit 2 ;; esac

source scripts/go-env.sh "$build"
work=$(mktemp -d "${TMPDIR:-/tmp}/metakv-go-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
go test -c -tags metakv_cxxbench -o "$work/metakv.test" metakv

(cd "$work" && METAKV_PAIRED_ROUNDS="$rounds" ./metakv.test -test.run '^TestPairedCost$' -test.v) |
  awk '$1 == "paired"' > "$work/paired.txt"
[ "$(wc -l < "$work/paired.txt")" = 3 ] || { echo "go-bench: TestPairedCost printed no figures" >&2; exit 1; }
# One empty crossing: the median of three runs.
for _ in 1 2 3; do
  (cd "$work" && ./metakv.test -test.run '^$' -test.bench '^BenchmarkCgoCall$' -test.benchtime 1s) |
    awk '$1 ~ /^Benchmark/ { print $3 }'
done | sort -g | sed -n 2p > "$work/cgocall.txt"

commit=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
{
  echo "Measured by \`scripts/go-bench.sh --rounds=$rounds\` at commit \`$commit\`$dirty,"
  echo "$(go version | awk '{print $3}'), $(nproc) cores: one store (one tenant, 16-byte keys, 100-byte"
  echo "values, the memtable serving the reads), $rounds rounds of a Go block then the same"
  echo "block in C++ (10,000 Puts, 50,000 Gets, 100 batches of 100); medians, and the"
  echo "quartiles of the per-round ratio."
  echo
  echo "| operation | Go ns/op | C++ ns/op | Go / C++ ops/s (quartiles) | goal |"
  echo "|---|---|---|---|---|"
  awk '{ goal = ($2 == "Batch100") ? ">= 0.83 (time <= 1.2x)" : ">= 0.80"
         printf "| %s | %s | %s | %.2fx (%.2f-%.2f) | %s |\n", $2, $3, $4, $5, $6, $7, goal }' \
    "$work/paired.txt"
  echo
  echo "One empty cgo call (Go into C and back) costs $(cat "$work/cgocall.txt") ns here."
} > "$work/table.md"
cat "$work/table.md"

if [ "$readme" = 1 ]; then
  awk -v table="$work/table.md" '
    /<!-- cgo-cost:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- cgo-cost:end -->/ { skip = 0 }
    !skip { print }' README.md > "$work/README.md"
  grep -q '<!-- cgo-cost:begin -->' README.md || { echo "go-bench: no cgo-cost markers in README.md" >&2; exit 1; }
  cp "$work/README.md" README.md
  echo "go-bench: README.md updated" >&2
fi
