#!/usr/bin/env bash
# Runs each libFuzzer target of a fuzz build for a while, on a copy of its
# seed corpus (fuzz/corpus/<target>/ is never changed), and reports the
# executions per target. Fails if any target crashes, leaks, hangs or
# breaks one of its checks; the output names the crash artifact to
# reproduce it with (`build-fuzz/fuzz/<target> <artifact>`).
#
#   scripts/run-fuzz.sh [--seconds=N] [--build-dir=DIR] [TARGET...]
#
# --seconds (or FUZZ_SECONDS): per target; default 5. --build-dir (or
# FUZZ_BUILD_DIR): the build made by `make fuzz`; default build-fuzz.
# TARGETs: names like key_codec_fuzzer; default all of them. Work files go
# to DIR/fuzz-run/<target>/ (corpus copy, log, artifacts); the targets'
# scratch databases to a fresh directory under FUZZ_TMPDIR (default
# /dev/shm, else TMPDIR or /tmp), removed after each target.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-5}"
build="${FUZZ_BUILD_DIR:-build-fuzz}"
targets=()
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds="${arg#--seconds=}" ;;
    --build-dir=*) build="${arg#--build-dir=}" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "run-fuzz: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "run-fuzz: --seconds needs a positive whole number, got '$seconds'" >&2
  exit 2
fi
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build"/fuzz/*_fuzzer; do
    [ -x "$bin" ] && targets+=("$(basename "$bin")")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "run-fuzz: no fuzz targets in $build/fuzz (run 'make fuzz' first)" >&2
  exit 2
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}"

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  seeds="fuzz/corpus/$t"
  work="$build/fuzz-run/$t"
  if [ ! -x "$bin" ]; then
    echo "run-fuzz: $bin is missing (run 'make fuzz' first)" >&2
    exit 2
  fi
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "$seeds" ] && cp -R "$seeds/." "$work/corpus/"
  echo "== $t: ${seconds} s on a copy of $seeds"
  # The target's scratch files (databases, SST files) go to a directory of
  # their own on tmpfs where possible, removed even after a crash.
  tmp_base="${FUZZ_TMPDIR:-}"
  if [ -z "$tmp_base" ]; then
    if [ -w /dev/shm ]; then tmp_base=/dev/shm; else tmp_base="${TMPDIR:-/tmp}"; fi
  fi
  scratch="$(mktemp -d "$tmp_base/metakv-fuzz-run.XXXXXX")"
  status=0
  # A hang of one input for 60 s, or 3 GB of memory, counts as a failure.
  FUZZ_TMPDIR="$scratch" "$bin" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=3072 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
    >"$work/log" 2>&1 || status=$?
  rm -rf "$scratch"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)"
  runs="${runs:-?}"
  corpus_files="$(find "$work/corpus" -type f | wc -l)"
  if [ "$status" -ne 0 ]; then
    artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -1)"
    echo "FAIL $t (exit $status): last lines of $work/log:"
    tail -n 40 "$work/log" | sed 's/^/    /'
    echo "    crash artifact: ${artifact:-none written}"
    echo "    reproduce: $bin ${artifact:-<input>}"
    failed+=("$t")
    summary+=("$(printf '%-28s %12s %10s  FAIL %s' "$t" "$runs" "$corpus_files" "${artifact:-}")")
  else
    summary+=("$(printf '%-28s %12s %10s  ok' "$t" "$runs" "$corpus_files")")
  fi
done

echo
printf '%-28s %12s %10s  %s\n' TARGET EXECUTIONS CORPUS RESULT
for line in "${summary[@]}"; do echo "$line"; done
echo "(${seconds} s per target; logs and artifacts in $build/fuzz-run/)"
if [ ${#failed[@]} -ne 0 ]; then
  echo "run-fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
