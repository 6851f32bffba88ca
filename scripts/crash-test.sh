#!/usr/bin/env bash
# Crash test for metakv: runs metakv-stress on one store, kills it with
# SIGKILL after a random delay (or, with --power-loss, cuts its power: see
# below), then runs metakv-stress --verify; N cycles.
# Stops at the first cycle whose verification fails (or whose stress run
# reports a violation) and prints it. Prints the seed first. At the end
# prints the cycles, the operations run (the expected state's counter:
# every operation acknowledged by a run on this store, so the operations
# that ran before the kills) and the violations, and fails if fewer
# operations than --min-ops ran: a run killed before it did anything
# tested nothing.
#
#   scripts/crash-test.sh --cycles=200            # the long run
#   scripts/crash-test.sh --cycles=8 --max-run-seconds=2
#   scripts/crash-test.sh --power-loss --cycles=200
#
# A SIGKILL loses nothing the kernel holds. --power-loss instead runs each
# metakv-stress with --power_cut_ms=DELAY: the store runs on a file system
# that records what was synced (tests/power_loss_fs.h) and at DELAY drops
# every unsynced byte (or, on every other cycle, keeps a random prefix of
# each unsynced tail: --power_tail=random) and every directory entry not
# synced, then the process ends (status 4). The kills during creation are
# power cuts too.
#
# Options (defaults in brackets):
#   --cycles=N            kill/verify cycles [10]
#   --seed=N              seeds the delays and each run's --seed [1]
#   --min-run-seconds=S   shortest time before the kill [0.2]
#   --max-run-seconds=S   longest time before the kill [3]
#   --threads=N           metakv-stress worker threads [4]
#   --keys=N              keys per tenant per domain [1000]
#   --tenant_shards=N     tenant shards of the hot domains, 1-64 [1]
#   --db=DIR              the store (its expected state is DIR.expected);
#                         default: a fresh temporary directory, removed on
#                         success unless --keep
#   --stress=PATH         the metakv-stress binary
#                         [build/tools/stress/metakv-stress]
#   --creation-kills=N    before the cycles, N times: a fresh store killed
#                         0-60 ms after start (while Open creates it), then
#                         verified [3]
#   --min-ops=N           fail unless the runs did at least N operations
#                         in all [1]
#   --power-loss          cut the power instead of killing the process
#   --keep                keep the store and its expected state
# Exit status: 0 no violation; 1 a violation, metakv-stress died of a
# signal it was not sent (a crash: counted as crashes=), or fewer
# operations than --min-ops; 2 usage; 3 an environment error (the tool
# could not run).
set -uo pipefail

cycles=10
seed=1
min_run=0.2
max_run=3
threads=4
keys=1000
shards=1
db=""
keep=0
creation_kills=3
min_ops=1
power=0
here="$(cd "$(dirname "$0")/.." && pwd)"
stress="$here/build/tools/stress/metakv-stress"

usage() { echo "crash-test: $1 (see the header of $0)" >&2; exit 2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_seconds() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

for arg in "$@"; do
  case "$arg" in
    --cycles=*) cycles="${arg#*=}"; is_uint "$cycles" && [ "$cycles" -ge 1 ] || usage "bad --cycles" ;;
    --seed=*) seed="${arg#*=}"; is_uint "$seed" || usage "bad --seed" ;;
    --min-run-seconds=*) min_run="${arg#*=}"; is_seconds "$min_run" || usage "bad --min-run-seconds" ;;
    --max-run-seconds=*) max_run="${arg#*=}"; is_seconds "$max_run" || usage "bad --max-run-seconds" ;;
    --threads=*) threads="${arg#*=}"; is_uint "$threads" || usage "bad --threads" ;;
    --keys=*) keys="${arg#*=}"; is_uint "$keys" || usage "bad --keys" ;;
    --tenant_shards=*) shards="${arg#*=}"; is_uint "$shards" || usage "bad --tenant_shards" ;;
    --db=*) db="${arg#*=}"; [ -n "$db" ] || usage "empty --db" ;;
    --stress=*) stress="${arg#*=}" ;;
    --creation-kills=*) creation_kills="${arg#*=}"; is_uint "$creation_kills" || usage "bad --creation-kills" ;;
    --min-ops=*) min_ops="${arg#*=}"; is_uint "$min_ops" || usage "bad --min-ops" ;;
    --power-loss) power=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown option '$arg'" ;;
  esac
done
[ -x "$stress" ] || usage "no metakv-stress binary at $stress (build first, or --stress=PATH)"

# Delays in milliseconds.
min_ms=$(awk -v s="$min_run" 'BEGIN { printf "%d", s * 1000 }')
max_ms=$(awk -v s="$max_run" 'BEGIN { printf "%d", s * 1000 }')
[ "$max_ms" -ge "$min_ms" ] || usage "--max-run-seconds is below --min-run-seconds"

scratch=""
if [ -z "$db" ]; then
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/metakv-crash-XXXXXX")"
  db="$scratch/db"
fi
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/metakv-crash-logs-XXXXXX")"
cleanup() {
  rm -rf "$log_dir"
  if [ -n "$scratch" ] && [ "$keep" -eq 0 ]; then rm -rf "$scratch"; fi
}

RANDOM=$seed
mode=kill
[ "$power" -eq 1 ] && mode=power-loss
echo "crash-test: mode=$mode seed=$seed cycles=$cycles threads=$threads keys=$keys tenant_shards=$shards run_seconds=$min_run-$max_run (rerun with --seed=$seed)"
start_s=$(date +%s.%N)
ops_total=0
unsynced_lost=0
violations=0
crashes=0
killed=0
finished=0

fail() {  # cycle, what, log file(s)
  echo "crash-test: cycle $1: $2" >&2
  shift 2
  for f in "$@"; do
    echo "---- $f" >&2
    grep -E "VIOLATION|ERROR|metakv-stress:" "$f" | head -60 >&2
  done
  keep=1
  echo "crash-test: the store and its expected state are kept: $db $db.expected" >&2
}

summary() {
  local wall
  wall=$(awk -v a="$start_s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "crash-test: mode=$mode seed=$seed creation_kills=$creation_done cycles=$1 killed=$killed finished_before_kill=$finished ops=$ops_total unsynced_lost=$unsynced_lost violations=$violations crashes=$crashes wall_seconds=$wall db=$db"
}

# Kills while the store is being created: each on a fresh store, which is
# then verified (and so reopened) and thrown away.
creation_done=0
for ((k = 1; k <= creation_kills; k++)); do
  cdb="$log_dir/create-$k/db"
  mkdir -p "$log_dir/create-$k"
  cut_ms=$((RANDOM % 61))
  if [ "$power" -eq 1 ]; then
    "$stress" --db="$cdb" --seed="$k" --threads="$threads" --keys="$keys" --tenant_shards="$shards" \
      --ops=0 --duration=600 --power_cut_ms=$((cut_ms + 1)) >"$log_dir/create.log" 2>&1
  else
    "$stress" --db="$cdb" --seed="$k" --threads="$threads" --keys="$keys" --tenant_shards="$shards" \
      --ops=0 --duration=600 >"$log_dir/create.log" 2>&1 &
    pid=$!
    sleep "$(awk -v ms="$cut_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  "$stress" --db="$cdb" --verify >"$log_dir/create-verify.log" 2>&1
  vrc=$?
  if [ "$vrc" -ne 0 ]; then
    [ "$vrc" -eq 1 ] && violations=$((violations + 1))
    kept="${TMPDIR:-/tmp}/metakv-crash-creation-$k-$$"
    cp -r "$log_dir/create-$k" "$kept"
    cp "$log_dir/create-verify.log" "$kept/verify.log"
    db="$kept/db"
    fail "creation $k" "verify after a kill during creation failed with status $vrc" \
      "$kept/verify.log"
    summary 0
    cleanup
    [ "$vrc" -eq 1 ] && exit 1
    exit 3
  fi
  rm -rf "$log_dir/create-$k"
  creation_done=$k
done
[ "$creation_kills" -gt 0 ] && echo "crash-test: $creation_kills kills during creation verified"

for ((cycle = 1; cycle <= cycles; cycle++)); do
  delay_ms=$(( min_ms + (RANDOM * 32768 + RANDOM) % (max_ms - min_ms + 1) ))
  run_log="$log_dir/run.log"
  run_args=(--db="$db" --seed=$((seed * 100003 + cycle)) --threads="$threads" --keys="$keys"
    --tenant_shards="$shards" --ops=0 --duration=600)
  if [ "$power" -eq 1 ]; then
    tail_mode=drop
    [ $((cycle % 2)) -eq 0 ] && tail_mode=random
    "$stress" "${run_args[@]}" --power_cut_ms="$delay_ms" --power_tail="$tail_mode" >"$run_log" 2>&1
    rc=$?
    if [ "$rc" -eq 4 ]; then
      killed=$((killed + 1))
      rc=137
    else
      finished=$((finished + 1))
    fi
  else
  "$stress" "${run_args[@]}" >"$run_log" 2>&1 &
  pid=$!
  sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    rc=137
    killed=$((killed + 1))
  else
    wait "$pid"
    rc=$?
    finished=$((finished + 1))
  fi
  fi
  if [ "$rc" -ne 137 ] && [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 1 ] && violations=$((violations + 1))
    [ "$rc" -gt 128 ] && crashes=$((crashes + 1))  # died of a signal we did not send
    fail "$cycle" "metakv-stress exited with status $rc before the kill" "$run_log"
    summary "$cycle"
    cleanup
    [ "$rc" -eq 1 ] || [ "$rc" -gt 128 ] && exit 1
    exit 3
  fi
  verify_log="$log_dir/verify.log"
  "$stress" --db="$db" --verify >"$verify_log" 2>&1
  vrc=$?
  ops_before=$ops_total
  ops_total=$(sed -n 's/.* ops_total=\([0-9]*\).*/\1/p' "$verify_log" | tail -1)
  ops_total=${ops_total:-0}
  lost=$(sed -n 's/.* unsynced_lost=\([0-9]*\).*/\1/p' "$verify_log" | tail -1)
  unsynced_lost=$((unsynced_lost + ${lost:-0}))
  if [ "$vrc" -ne 0 ]; then
    [ "$vrc" -eq 1 ] && violations=$((violations + $(grep -c '^VIOLATION' "$verify_log")))
    [ "$vrc" -gt 128 ] && crashes=$((crashes + 1))
    fail "$cycle" "verify after a kill at ${delay_ms} ms failed with status $vrc" "$verify_log" "$run_log"
    summary "$cycle"
    cleanup
    [ "$vrc" -eq 1 ] || [ "$vrc" -gt 128 ] && exit 1
    exit 3
  fi
  how="killed"
  [ "$power" -eq 1 ] && how="power cut ($tail_mode)"
  echo "crash-test: cycle $cycle/$cycles: $how after ${delay_ms} ms, $((ops_total - ops_before)) operations before the kill; $(grep '^metakv-stress: verify' "$verify_log")"
done
summary "$cycles"
if [ "$ops_total" -lt "$min_ops" ]; then
  echo "crash-test: only $ops_total operations ran, fewer than --min-ops=$min_ops: the runs did (next to) nothing before the kills" >&2
  keep=1
  echo "crash-test: the store and its expected state are kept: $db $db.expected" >&2
  cleanup
  exit 1
fi
cleanup
exit 0
