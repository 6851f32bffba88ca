#!/usr/bin/env bash
# The write-amplification guard of `make test`: a small metamix on metakv and
# on stock RocksDB side by side (same memory, same compression), the purge
# deadline on. Fails if metakv's device bytes (flush + compaction + ingest)
# exceed --max-ratio of stock RocksDB's, or if a purgeable record outlived
# the purge deadline in metakv's once-a-second samples. Bytes, not speed:
# the verdict does not depend on how fast or busy the machine is.
#
#   scripts/bytes-guard.sh --bench=PATH [--max-ratio=0.5] [--keep=DIR]
#
# The shape: 50,000 files, 300,000 mixed operations, 2,500 operations per
# simulated second (so retention, TTL and the 30 s deadline all pass within
# the run), 1 MiB memtables and files, a 4 MiB L1, 16 MiB of memory per
# engine: the LSM is three levels deep in about 25 s.
set -euo pipefail

bench=""
max_ratio="0.5"
keep=""
for arg in "$@"; do
  case "$arg" in
    --bench=*) bench="${arg#--bench=}" ;;
    --max-ratio=*) max_ratio="${arg#--max-ratio=}" ;;
    --keep=*) keep="${arg#--keep=}" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bytes-guard: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [ -z "$bench" ] || [ ! -x "$bench" ]; then
  echo "bytes-guard: --bench=PATH must name the metakv-bench binary" >&2
  exit 2
fi
if ! [[ "$max_ratio" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "bytes-guard: --max-ratio needs a number, got '$max_ratio'" >&2
  exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
deadline=30
"$bench" --progress=0 --engine=metakv,rocksdb --benchmarks=metamix \
  --num=50000 --mix_ops=300000 --ops_per_sim_second=2500 \
  --write_buffer_size=1048576 --target_file_size=1048576 \
  --max_bytes_for_level_base=4194304 --memory_budget=16777216 \
  --purge_deadline_seconds=$deadline --json="$out/r.json" >"$out/r.txt"
[ -n "$keep" ] && cp "$out/r.json" "$out/r.txt" "$keep/"

# One JSON object per run, one run per line.
bytes_of() {
  sed -n 's/.*"engine": "'"$1"'", "workload": "metamix".*"device_bytes": \([0-9]*\),.*/\1/p' \
    "$out/r.json" | head -1
}
metakv=$(bytes_of metakv)
stock=$(bytes_of rocksdb)
if [ -z "$metakv" ] || [ -z "$stock" ] || [ "$stock" -eq 0 ]; then
  echo "bytes-guard: could not read device_bytes of both engines from the bench's JSON" >&2
  cat "$out/r.txt" >&2
  exit 1
fi
ages=$(grep -o '"max_purgeable_age_seconds": {[^}]*}' "$out/r.json" | head -1 || true)
if [ -z "$ages" ]; then
  echo "bytes-guard: metakv's run reports no max_purgeable_age_seconds" >&2
  exit 1
fi
max_age=$(echo "$ages" | grep -o ': [0-9]*' | tr -d ': ' | sort -n | tail -1)

ratio=$(awk -v a="$metakv" -v b="$stock" 'BEGIN { printf "%.3f", a / b }')
over=$(awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { print (r > m) ? 1 : 0 }')
commit=$(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "bytes-guard ($commit): device bytes metakv $metakv, stock RocksDB $stock:" \
  "ratio $ratio (limit $max_ratio); largest age past purge time ${max_age} s" \
  "(deadline ${deadline} s; per domain ${ages#*: })"
status=0
if [ "$over" -ne 0 ]; then
  echo "bytes-guard: FAILED: metakv wrote $ratio of stock RocksDB's bytes, over $max_ratio" >&2
  status=1
fi
if [ "$max_age" -gt "$deadline" ]; then
  echo "bytes-guard: FAILED: a purgeable record stayed ${max_age} s past its purge time" \
    "(deadline ${deadline} s)" >&2
  status=1
fi
exit $status
