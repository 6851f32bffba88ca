#!/usr/bin/env bash
# Vets and tests the Go package of metakv (go/metakv) against a CMake build
# directory that holds the library with its C API.
#
# Usage: scripts/go-test.sh BUILD_DIR [--bench-smoke]
#   default:       go vet, then the tests under the race detector with
#                  GODEBUG=cgocheck=2 (every pointer passed to C checked):
#                  the package, metakv/prom and metakv/raftfsm (a 3-node
#                  group in process, failover, snapshots, a tenant move)
#   --bench-smoke: the benchmarks (Go and, with the metakv_cxxbench tag,
#                  the C++ loops they are compared with), a few iterations
#                  each, to check that they run
# Run builds under `flock /tmp/metakv-build.lock` on a shared machine.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [--bench-smoke]" >&2
  exit 2
fi
build="$1"
mode="${2:-}"
if [ -n "$mode" ] && [ "$mode" != "--bench-smoke" ]; then
  echo "$0: unknown flag $mode" >&2
  exit 2
fi
for lib in "$build/libmetakv.a" "$build/common/libmetakv_common.a"; do
  if [ ! -f "$lib" ]; then
    echo "$0: $lib is missing: build the library first" >&2
    exit 1
  fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=go-env.sh
source "$here/go-env.sh" "$build"

echo "go: $(command -v go) ($(go version))"

if [ "$mode" = "--bench-smoke" ]; then
  go test -run '^$' -bench . -benchtime 100x -tags metakv_cxxbench metakv metakv/raftfsm
else
  # README.md shows the package's Example: its copy must be the file.
  repo="$(dirname "$here")"
  if ! diff <(awk '/<!-- go-example -->/ {armed=1; next}
                   armed && /^```go$/ {inside=1; next}
                   inside && /^```/ {exit}
                   inside {print}' "$repo/README.md") "$repo/go/metakv/example_test.go" >&2; then
    echo "$0: README.md's Go example differs from go/metakv/example_test.go (above)" >&2
    exit 1
  fi
  go vet metakv metakv/prom metakv/raftfsm metakv/cmd/metakv-raftd
  GODEBUG=cgocheck=2 go test -race -count=1 metakv metakv/prom metakv/raftfsm
fi
