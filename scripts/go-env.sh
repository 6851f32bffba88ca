# Sets up the environment to build and test the Go package of metakv
# (go/metakv) offline, in GOPATH mode, against a CMake build directory.
#
# Usage (from any directory):
#   source scripts/go-env.sh BUILD_DIR      # or: eval "$(scripts/go-env.sh BUILD_DIR)"
#   go test metakv
#
# BUILD_DIR holds libmetakv.a and common/libmetakv_common.a (the C API is
# in them). This makes BUILD_DIR/gopath/src/metakv a symlink to the repo's
# go/metakv, so the package's import path is "metakv", and exports:
#   GO111MODULE=off GOPATH=BUILD_DIR/gopath:/usr/share/gocode GOFLAGS=
#   GOCACHE=BUILD_DIR/gocache CGO_ENABLED=1
#   CGO_CFLAGS, CGO_CXXFLAGS (-I of the repo's include/ and, for the C++
#   comparison benchmarks, of the repo itself), CGO_LDFLAGS (-L BUILD_DIR
#   and BUILD_DIR/common).
# When run rather than sourced, it prints the export lines instead.

_metakv_go_env() {
  local build="$1"
  if [ -z "$build" ]; then
    echo "usage: source scripts/go-env.sh BUILD_DIR" >&2
    return 2
  fi
  local script_dir repo
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd -P)" || return 1
  repo="$(dirname "$script_dir")"
  mkdir -p "$build" || return 1
  build="$(cd "$build" && pwd -P)" || return 1
  mkdir -p "$build/gopath/src" "$build/gocache" || return 1
  # The symlink is (re)made on every call: the repo may have moved.
  ln -sfn "$repo/go/metakv" "$build/gopath/src/metakv" || return 1
  export GO111MODULE=off
  export GOPATH="$build/gopath:/usr/share/gocode"
  export GOFLAGS=
  export GOCACHE="$build/gocache"
  export CGO_ENABLED=1
  # cgo's defaults are "-g -O2": keep them, since setting a variable
  # replaces them.
  export CGO_CFLAGS="-g -O2 -I$repo/include"
  export CGO_CXXFLAGS="-g -O2 -std=c++17 -I$repo -I$repo/include"
  export CGO_LDFLAGS="-g -O2 -L$build -L$build/common"
}

if (return 0 2>/dev/null); then
  _metakv_go_env "$@"
else
  # Executed, not sourced: print the exports for eval.
  set -e
  _metakv_go_env "$@"
  for v in GO111MODULE GOPATH GOFLAGS GOCACHE CGO_ENABLED CGO_CFLAGS CGO_CXXFLAGS CGO_LDFLAGS; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
fi
