#!/usr/bin/env bash
# Kill/restart test of the example replication service (metakv-raftd,
# go/metakv/cmd/metakv-raftd): builds it, starts a 3-node group on
# 127.0.0.1, runs writers against it (metakv-raftd load: each put retried
# until acknowledged, every acknowledged key recorded), and N times
# SIGKILLs the current leader and restarts it. Then every node must hold
# every acknowledged write (metakv-raftd check, once every store applied
# what the leader's had after a barrier), and no more unacknowledged
# records than writers (each writer's last put may have applied
# unacknowledged). Prints each node's entries applied and skipped (a
# restarted node skips the replayed entries its store already holds) and
# the snapshots installed, and the writers' writes/s (through HTTP and
# raft; with --cycles=0 a plain throughput run).
#
#   scripts/raft-cycle.sh                  # 3 cycles, ~35 s (+ the build)
#   scripts/raft-cycle.sh --cycles=20 --period=2
#
# Options (defaults in brackets):
#   --cycles=N        leader kills [3]
#   --period=S        seconds of writes before each kill, and after the
#                     last restart [4]
#   --down=S          seconds a killed leader stays down [1]
#   --clients=N       concurrent writers [8]
#   --batch=N         puts per request [1]
#   --snapshot-threshold=N  raft SnapshotThreshold and TrailingLogs of the
#                     nodes, small to snapshot often (checked every 2 s), so
#                     that a restarted node may catch up by a snapshot
#                     [1024]
#   --build=DIR       the CMake build directory with libmetakv.a [build]
#   --keep            keep the work directory (else removed on success)
# Loopback only. Builds under flock /tmp/metakv-build.lock.
set -euo pipefail

cycles=3
period=4
down=1
clients=8
batch=1
snap=1024
build=build
keep=0
for arg in "$@"; do
  case "$arg" in
    --cycles=*) cycles="${arg#*=}" ;;
    --period=*) period="${arg#*=}" ;;
    --down=*) down="${arg#*=}" ;;
    --clients=*) clients="${arg#*=}" ;;
    --batch=*) batch="${arg#*=}" ;;
    --snapshot-threshold=*) snap="${arg#*=}" ;;
    --build=*) build="${arg#*=}" ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown option $arg" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=raft-lib.sh
source "$here/raft-lib.sh"
raft_build "$build"
raft_work_dir raft-cycle "(node logs n*.log)"

# Six free ports on 127.0.0.1.
raft_free_ports 6
raft=("" "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}")
http=("" "127.0.0.1:${ports[3]}" "127.0.0.1:${ports[4]}" "127.0.0.1:${ports[5]}")
peers="n1=${raft[1]}=${http[1]},n2=${raft[2]}=${http[2]},n3=${raft[3]}=${http[3]}"
addrs="${http[1]},${http[2]},${http[3]}"

start_node() {
  local i=$1
  "$bin" serve -id "n$i" -group g1 -dir "$work/n$i" -raft "${raft[$i]}" -http "${http[$i]}" \
    -peers "$peers" -bootstrap -snapshot-threshold "$snap" -trailing-logs "$snap" -snapshot-interval 2s >>"$work/n$i.log" 2>&1 &
  pids[i]=$!
}

for i in 1 2 3; do start_node "$i"; done
leader="$(raft_wait_leader "$addrs")"
echo "group up: leader $leader; nodes at $addrs; work directory $work"

"$bin" load -addrs "$addrs" -tenant cyc -clients "$clients" -batch "$batch" -duration 24h \
  -out "$work/acked.txt" >"$work/load.out" 2>"$work/load.err" &
loadpid=$!
t0=$(date +%s.%N)
for c in $(seq 1 "$cycles"); do
  sleep "$period"
  leader="$(raft_wait_leader "$addrs")"
  i="${leader#n}"
  kill -9 "${pids[$i]}"
  wait "${pids[$i]}" 2>/dev/null || true
  acked=$(wc -l <"$work/acked.txt")
  echo "cycle $c: SIGKILLed leader $leader ($acked writes acknowledged so far)"
  sleep "$down"
  start_node "$i"
  newleader="$(raft_wait_leader "$addrs")"
  echo "cycle $c: restarted $leader; leader now $newleader"
done
sleep "$period"
kill -TERM "$loadpid"
wait "$loadpid" || { cat "$work/load.err" >&2; echo "load failed" >&2; exit 1; }
loadpid=""
t1=$(date +%s.%N)
cat "$work/load.out"
if [ -s "$work/load.err" ]; then
  echo "load's errors (retried):"
  sort "$work/load.err" | uniq -c | sort -rn | head -5
fi
"$bin" check -addrs "$addrs" -tenant cyc -acked "$work/acked.txt" -max-extra "$((clients * batch))"
for i in 1 2 3; do
  raft_status "${http[$i]}" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("%s: %-9s applied %d (term %d), last snapshot %d; since its start: %d entries applied, %d skipped (replayed, already in its store), %d snapshots installed" % (
    s["id"], s["state"], s["applied"]["Index"], s["applied"]["Term"], s["last_snapshot_index"], s["applies"], s["skips"], s["restores"]))'
done
echo "snapshots installed, all runs of all nodes: $(cat "$work"/n*.log | grep -c "installed a snapshot" || true);" \
  "stores restored from a snapshot at start: $(cat "$work"/n*.log | grep -c "restored from a snapshot: true" || true)"
printf 'raft-cycle: %d cycles in %.1f s: OK\n' "$cycles" "$(echo "$t1 - $t0" | bc -l)"
