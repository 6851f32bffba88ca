# shellcheck shell=bash
# Shared setup of the scripts that run the example replication service
# (metakv-raftd, go/metakv/cmd/metakv-raftd) as processes on 127.0.0.1:
# raft-cycle.sh and raft-move.sh. Sourced, not run:
#   # shellcheck source=raft-lib.sh
#   source "$here/raft-lib.sh"
# Defines only functions (and raft_lib_dir); they set these globals:
#   bin      the metakv-raftd binary (raft_build)
#   work     the work directory (raft_work_dir)
#   pids     the node processes: the caller adds each node's pid; killed
#            on exit
#   loadpid  the load process, or empty; killed on exit
#   ports    free ports on 127.0.0.1 (raft_free_ports)
#
# raft_build BUILD_DIR
#   cd to the repo, set up Go (scripts/go-env.sh BUILD_DIR) and build
#   BUILD_DIR/metakv-raftd under flock /tmp/metakv-build.lock; sets bin.
# raft_work_dir NAME [NOTE]
#   make the work directory /tmp/NAME.XXXXXX (sets work), empty pids and
#   loadpid, and trap EXIT to raft_cleanup.
# raft_cleanup (the EXIT trap)
#   kill loadpid and every pid in pids, wait for them; then remove the work
#   directory if the script succeeded and keep (the caller's --keep) is 0,
#   else print "work directory kept: $work" (and NOTE, if given).
# raft_free_ports N
#   set ports to N free TCP ports on 127.0.0.1.
# raft_status ADDR
#   print the node's /v1/status JSON (nothing if it does not answer).
# raft_leader_id ADDRS
#   print the id of the first node of ADDRS (HTTP addresses, comma
#   separated) that says it is the leader; nothing if none does.
# raft_wait_leader ADDRS [WHERE]
#   wait up to 30 s for a leader among ADDRS and print its id; else fail
#   with "no leader after 30 s" (or "no leader in WHERE after 30 s").

raft_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

raft_build() {
  cd "$(dirname "$raft_lib_dir")" || return
  # shellcheck source=go-env.sh
  source "$raft_lib_dir/go-env.sh" "$1"
  bin="$(cd "$1" && pwd)/metakv-raftd"
  echo "building $bin"
  flock /tmp/metakv-build.lock go build -o "$bin" metakv/cmd/metakv-raftd
}

raft_work_dir() {
  work="$(mktemp -d "/tmp/$1.XXXXXX")"
  raft_kept_note="${2:-}"
  pids=()
  loadpid=""
  trap raft_cleanup EXIT
}

raft_cleanup() {
  local status=$?
  [ -n "$loadpid" ] && kill "$loadpid" 2>/dev/null || true
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  # shellcheck disable=SC2154 # keep: the caller's --keep
  if [ "$status" -eq 0 ] && [ "$keep" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "work directory kept: $work${raft_kept_note:+ $raft_kept_note}"
  fi
}

raft_free_ports() {
  # shellcheck disable=SC2034 # ports: for the caller
  read -r -a ports <<<"$(python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()' "$1")"
}

raft_status() { curl -sf --max-time 2 "http://$1/v1/status" 2>/dev/null || true; }

raft_leader_id() {
  local a s
  for a in ${1//,/ }; do
    s="$(raft_status "$a")"
    if [[ "$s" == *'"state":"Leader"'* ]]; then
      echo "$s" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
      return
    fi
  done
}

raft_wait_leader() {
  local t=0 l
  while :; do
    l="$(raft_leader_id "$1")"
    if [ -n "$l" ]; then echo "$l"; return; fi
    t=$((t + 1))
    if [ "$t" -gt 150 ]; then echo "no leader${2:+ in $2} after 30 s" >&2; return 1; fi
    sleep 0.2
  done
}
