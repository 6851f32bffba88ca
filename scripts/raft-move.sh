#!/usr/bin/env bash
# Tenant move between two groups of the example replication service
# (metakv-raftd), as processes on 127.0.0.1: builds it, starts groups g1
# and g2 (3 nodes each), and for each size N given: fills tenant mv-N in
# g1 with N records, starts writers on it (they follow the "moved" answer
# to g2 and wait out "moving_in"), moves it (metakv-raftd move-tenant:
# expect at g2, fence at g1, export at g1's leader after a barrier,
# import at g2, remove at g1), stops the writers, then checks that every
# node of g2 holds every acknowledged record (and at most one unacknowledged
# per writer: its last put, whose answer was cut off) and that no node of
# g1 holds any record of the tenant. Prints the move's time and bytes
# against the tenant's size.
#
#   scripts/raft-move.sh                       # sizes 1000,10000,100000
#   scripts/raft-move.sh --records=5000 --nodes=1
#
# Options (defaults in brackets):
#   --records=N[,N...]  tenant sizes to move [1000,10000,100000]
#   --nodes=N           nodes per group, 1 or 3 [3]
#   --clients=N         writers during each move [4]
#   --build=DIR         the CMake build directory [build]
#   --keep              keep the work directory
# Loopback only. Builds under flock /tmp/metakv-build.lock.
set -euo pipefail

sizes=1000,10000,100000
nodes=3
clients=4
build=build
keep=0
for arg in "$@"; do
  case "$arg" in
    --records=*) sizes="${arg#*=}" ;;
    --nodes=*) nodes="${arg#*=}" ;;
    --clients=*) clients="${arg#*=}" ;;
    --build=*) build="${arg#*=}" ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown option $arg" >&2; exit 2 ;;
  esac
done
if [ "$nodes" != 1 ] && [ "$nodes" != 3 ]; then
  echo "$0: --nodes is 1 or 3" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=raft-lib.sh
source "$here/raft-lib.sh"
raft_build "$build"
raft_work_dir raft-move
raft_free_ports $((4 * nodes))

# start_group NAME FIRST-PORT-INDEX: starts the group's nodes; sets
# <NAME>_addrs to their HTTP addresses.
start_group() {
  local g=$1 p=$2 i peers="" addrs=""
  for i in $(seq 1 "$nodes"); do
    peers+="${peers:+,}$g-n$i=127.0.0.1:${ports[$p]}=127.0.0.1:${ports[$((p + nodes))]}"
    addrs+="${addrs:+,}127.0.0.1:${ports[$((p + nodes))]}"
    p=$((p + 1))
  done
  p=$2
  for i in $(seq 1 "$nodes"); do
    "$bin" serve -id "$g-n$i" -group "$g" -dir "$work/$g-n$i" -raft "127.0.0.1:${ports[$p]}" \
      -http "127.0.0.1:${ports[$((p + nodes))]}" -peers "$peers" -bootstrap >>"$work/$g-n$i.log" 2>&1 &
    pids+=($!)
    p=$((p + 1))
  done
  printf -v "${g}_addrs" '%s' "$addrs"
}

start_group g1 0
start_group g2 $((2 * nodes))
raft_wait_leader "$g1_addrs" "$g1_addrs" >/dev/null
raft_wait_leader "$g2_addrs" "$g2_addrs" >/dev/null
echo "groups up: g1 at $g1_addrs, g2 at $g2_addrs ($nodes nodes each)"

declare -a summary=()
for n in ${sizes//,/ }; do
  tenant="mv-$n"
  acked="$work/$tenant.acked"
  # Fill: 100 puts a request; 100-byte values.
  "$bin" load -addrs "$g1_addrs" -tenant "$tenant" -clients 4 -batch 100 -n "$n" -duration 1h \
    -prefix /fill -value-size 100 -out "$acked" >"$work/$tenant.fill.out"
  filled=$(wc -l <"$acked")
  # Writers during the move.
  "$bin" load -addrs "$g1_addrs" -tenant "$tenant" -clients "$clients" -duration 1h -prefix /live \
    -value-size 100 -out "$acked" >"$work/$tenant.load.out" 2>"$work/$tenant.load.err" &
  loadpid=$!
  sleep 1
  "$bin" move-tenant -tenant "$tenant" -from "$g1_addrs" -to "$g2_addrs" | tee "$work/$tenant.move.out"
  sleep 1
  kill -TERM "$loadpid"
  wait "$loadpid" || { cat "$work/$tenant.load.err" >&2; echo "load failed" >&2; exit 1; }
  loadpid=""
  cat "$work/$tenant.load.out"
  "$bin" check -addrs "$g2_addrs" -tenant "$tenant" -acked "$acked" -max-extra "$clients"
  "$bin" check -addrs "$g1_addrs" -tenant "$tenant" -absent
  summary+=("tenant of $filled records (+$(( $(wc -l <"$acked") - filled )) written during the move): $(sed 's/^moved tenant [^:]*: //' "$work/$tenant.move.out")")
done
echo
echo "raft-move: OK ($nodes nodes per group)"
for s in "${summary[@]}"; do echo "  $s"; done
