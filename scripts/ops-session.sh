#!/usr/bin/env bash
# Runs a real operator session and writes it into README.md between the
# ops-session markers: metakv-bench's metadata mix runs on metakv (the
# service), metakv-ctl looks at the live store beside it (as a secondary),
# then administers it once it has stopped; and an excerpt of the metrics
# the bench's store exported at the end of its run (--metrics_out). Names
# the commit it ran.
#
#   scripts/ops-session.sh [--build-dir=DIR] [--readme]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
readme=0
for arg in "$@"; do
  case "$arg" in
    --build-dir=*) build=${arg#*=} ;;
    --readme) readme=1 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "ops-session: unknown argument $arg" >&2; exit 2 ;;
  esac
done
bench=$build/bench/metakv-bench
ctl=$build/tools/metakv-ctl
for b in "$bench" "$ctl"; do
  [ -x "$b" ] || { echo "ops-session: $b not built (cmake --build $build)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'kill "$bench_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/db/metakv

# The service: 20 s of metamix on 100,000 files, started in the background.
"$bench" --engine=metakv --db="$work/db" --num=100000 --duration=20 \
  --metrics_out="$work/metrics.prom" >"$work/bench.log" 2>&1 &
bench_pid=$!
for _ in $(seq 1 120); do
  [ -f "$db/CURRENT" ] && grep -q "metamix" "$work/bench.log" 2>/dev/null && break
  sleep 0.5
done
sleep 5

session=$work/session.md
run() {  # shows the command as typed, then its output (stdout and stderr)
  echo "\$ metakv-ctl --db=DIR $*"
  "$ctl" --db="$db" "$@" 2>&1 | sed "s|$db|DIR|g" || true
}
{
  echo '```'
  echo "# beside the running service: read as a secondary instance (the default mode for reads)"
  run scan dentry --tenant=t0001 --limit=3 --value-bytes=16
  run recycle-bin inode --limit=2 --value-bytes=16
  run verify | grep -v '^[0-9]\{6\}\.sst' 
  run compact
  echo
  echo "# once the service has stopped"
} >"$session"
wait "$bench_pid" || { echo "ops-session: metakv-bench failed:" >&2; cat "$work/bench.log" >&2; exit 1; }
{
  run removals
  run purge
  run checkpoint "$work/backup" | sed "s|$work|/backups|g"
  run get inode t0001 nosuchkey
  echo '```'
} >>"$session"

commit=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
{
  echo "Recorded by \`scripts/ops-session.sh\` at commit \`$commit\`$dirty: \`metakv-bench"
  echo "--engine=metakv --num=100000 --duration=20\` is the service; \`metakv-ctl\` runs beside it"
  echo "(the verify's per-file rows are cut here)."
  echo
  cat "$session"
  echo
  echo "The metrics the same run's store exported at its end (\`--metrics_out\`; an excerpt):"
  echo
  echo '```'
  # Some families, of the inode domain and of Get.
  awk '
    BEGIN { n = split("user_written_bytes_total flush_written_bytes_total compaction_written_bytes_total " \
                      "write_amplification level_files oldest_purgeable_age_seconds purge_deadline_seconds " \
                      "pending_tree_removals operation_latency_seconds", f, " ")
            for (i = 1; i <= n; i++) want["metakv_" f[i]] = 1 }
    /^# (HELP|TYPE) / { if ($3 in want) print; next }
    { name = $1; sub(/[{ ].*/, "", name); sub(/_(bucket|sum|count)$/, "", name)
      if (!(name in want)) next
      if (name == "metakv_operation_latency_seconds") {
        if ($0 ~ /op="get"/ && ($0 !~ /le=/ || $0 ~ /le="(1e-05|0.0001|0.001|0.01|\+Inf)"/)) print
      } else if ($0 ~ /domain="inode"/ || $0 !~ /\{/) {
        if ($0 !~ /level="[3-6]"/) print
      }
    }' "$work/metrics.prom"
  echo '```'
} >"$work/block.md"
cat "$work/block.md"

if [ "$readme" = 1 ]; then
  grep -q '<!-- ops-session:begin -->' README.md || { echo "ops-session: no ops-session markers in README.md" >&2; exit 1; }
  awk -v block="$work/block.md" '
    /<!-- ops-session:begin -->/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
    /<!-- ops-session:end -->/ { skip = 0 }
    !skip { print }' README.md >"$work/README.md"
  cp "$work/README.md" README.md
  echo "ops-session: README.md updated" >&2
fi
