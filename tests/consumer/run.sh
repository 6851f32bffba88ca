#!/usr/bin/env bash
# Installs metakv from BUILD_DIR into a temporary prefix, builds a consumer
# project whose main.cc is the embedding example in README.md, and runs it.
# Usage: run.sh SOURCE_DIR BUILD_DIR    (CMAKE and CXX from the environment)
set -euo pipefail
src=$1
build=$2
cmake_bin=${CMAKE:-cmake}
work=$(mktemp -d "${TMPDIR:-/tmp}/metakv-consumer-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$cmake_bin" --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/metakv/store.h"
test -f "$work/prefix/lib/cmake/metakv/metakvConfig.cmake"

mkdir -p "$work/consumer"
cp "$src/tests/consumer/CMakeLists.txt" "$work/consumer/"
# The first ```cpp block after the marker in README.md.
awk '/<!-- embed-example -->/ {armed=1; next}
     armed && /^```cpp/ {inside=1; next}
     inside && /^```/ {exit}
     inside {print}' "$src/README.md" > "$work/consumer/main.cc"
if [ ! -s "$work/consumer/main.cc" ]; then
  echo "install_consumer: no embedding example found in README.md" >&2
  exit 1
fi

"$cmake_bin" -S "$work/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"} >/dev/null
"$cmake_bin" --build "$work/build" -j 2 >/dev/null
"$work/build/consumer" "$work/db"
echo "install_consumer: OK"

# The C example of docs/c-api.md, compiled as C against the installed copy
# with pkg-config (the relocatable metakv.pc).
awk '/<!-- c-example -->/ {armed=1; next}
     armed && /^```c$/ {inside=1; next}
     inside && /^```/ {exit}
     inside {print}' "$src/docs/c-api.md" > "$work/c_example.c"
if [ ! -s "$work/c_example.c" ]; then
  echo "install_consumer: no C example found in docs/c-api.md" >&2
  exit 1
fi
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
${CC:-cc} -std=c11 -Wall -Werror "$work/c_example.c" $(pkg-config --cflags --libs metakv) \
  -o "$work/c_example"
"$work/c_example" "$work/cdb" | grep -qx '/docs/a.txt -> inode 42'
echo "install_consumer: C example OK"
