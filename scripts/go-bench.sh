#!/usr/bin/env bash
# The cost of crossing from Go into C: one empty cgo call, and the Go
# package's Put, Get and 100-record batch against the same loops in C++
# on the same kind of store (go/metakv/bench_test.go and, tag
# metakv_cxxbench, cxxbench_test.go),
# run in alternation, ROUNDS rounds, so that both see the same machine.
# Prints each benchmark's median ns/op and the ratios; with --readme it
# also rewrites the block between the cgo-cost markers of README.md,
# naming the commit measured.
#
#   scripts/go-bench.sh [--build-dir=DIR] [--rounds=N] [--benchtime=T] [--readme]
#
# DIR: a CMake build with the library (default build). N: default 7. T: a
# go test -benchtime per run (default 1s). Run it on a quiet machine: it
# takes about ROUNDS x 6 x (T + 1 s).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
rounds=7
benchtime=1s
readme=0
for arg in "$@"; do
  case "$arg" in
    --build-dir=*) build="${arg#--build-dir=}" ;;
    --rounds=*) rounds="${arg#--rounds=}" ;;
    --benchtime=*) benchtime="${arg#--benchtime=}" ;;
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

pairs=("Put CxxPut" "Get CxxGet" "Batch100 CxxBatch100")
for ((r = 1; r <= rounds; r++)); do
  for pair in "${pairs[@]}"; do
    for name in $pair; do
      (cd "$work" && ./metakv.test -test.run '^$' -test.bench "^Benchmark${name}\$" \
        -test.benchtime "$benchtime") |
        awk -v n="$name" '$1 ~ /^Benchmark/ { print n, $3 }' >> "$work/runs.txt"
    done
  done
  (cd "$work" && ./metakv.test -test.run '^$' -test.bench '^BenchmarkCgoCall$' \
    -test.benchtime "$benchtime") | awk '$1 ~ /^Benchmark/ { print "CgoCall", $3 }' >> "$work/runs.txt"
  echo "go-bench: round $r of $rounds done" >&2
done

# Median ns/op per benchmark.
median() {
  awk -v n="$1" '$1 == n { print $2 }' "$work/runs.txt" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
commit=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
{
  echo "Measured by \`scripts/go-bench.sh --rounds=$rounds --benchtime=$benchtime\` at commit"
  echo "\`$commit\`$dirty, $(go version | awk '{print $3}'), $(nproc) cores: medians of $rounds"
  echo "alternating runs, one tenant, 16-byte keys, 100-byte values, a 64 MiB memtable."
  echo
  echo "| operation | Go ns/op | C++ ns/op | Go / C++ ops/s | goal |"
  echo "|---|---|---|---|---|"
  for pair in "${pairs[@]}"; do
    set -- $pair
    go_ns=$(median "$1")
    cxx_ns=$(median "$2")
    goal=">= 0.80"
    [ "$1" = Batch100 ] && goal=">= 0.83 (time <= 1.2x)"
    awk -v op="$1" -v g="$go_ns" -v c="$cxx_ns" -v goal="$goal" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.2fx | %s |\n", op, g, c, c / g, goal }'
  done
  echo
  awk -v n="$(median CgoCall)" 'BEGIN { printf "One empty cgo call (Go into C and back) costs %.1f ns here.\n", n }'
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
