#!/usr/bin/env bash
# How write amplification grows with data size, both engines side by side:
# metamix at x1, x4 and x16 of a small base (--num files loaded and --mix_ops
# operations scale together; every other flag stays at its default). Prints
# a Markdown table and, with gnuplot, draws WA against size.
#
#   scripts/wa-scaling.sh [--base_num=N] [--base_ops=N] [--engine=E1,E2]
#                         [--out=DIR] [-- extra metakv-bench flags]
#
# Writes DIR/x<k>.json (metakv-bench --json), DIR/wa-scaling.md and
# DIR/wa-scaling.png. Default DIR: wa-scaling-out. Exit 0, or the first
# failing run's status.
set -euo pipefail
cd "$(dirname "$0")/.."

base_num=25000
base_ops=80000
engine=metakv,rocksdb
out=wa-scaling-out
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base_num=*) base_num="${1#*=}" ;;
    --base_ops=*) base_ops="${1#*=}" ;;
    --engine=*) engine="${1#*=}" ;;
    --out=*) out="${1#*=}" ;;
    --) shift; extra=("$@"); break ;;
    *) echo "wa-scaling.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
case "$base_num$base_ops" in *[!0-9]*|"") echo "wa-scaling.sh: sizes must be numbers" >&2; exit 2 ;; esac

bench=build/bench/metakv-bench
[ -x "$bench" ] || { echo "wa-scaling.sh: $bench missing (run make build first)" >&2; exit 2; }
mkdir -p "$out"
for k in 1 4 16; do
  echo "== x$k: --num=$((base_num * k)) --mix_ops=$((base_ops * k))" >&2
  "$bench" --benchmarks=metamix --engine="$engine" --num=$((base_num * k)) \
    --mix_ops=$((base_ops * k)) --progress=0 --json="$out/x$k.json" "${extra[@]}" >"$out/x$k.txt"
done

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows, engines = [], []
for k in (1, 4, 16):
    doc = json.load(open(f"{out}/x{k}.json"))
    runs = {r["engine"]: r for r in doc["runs"]}
    for e in runs:
        if e not in engines:
            engines.append(e)
    rows.append((k, doc["config"]["num"], doc["config"]["mix_ops"], runs))
lines = ["| size | files | mix ops | user MiB | " +
         " | ".join(f"{e} WA | {e} device MiB | {e} ops/s" for e in engines) +
         (" | WA metakv/rocksdb |" if "metakv" in engines and "rocksdb" in engines else " |")]
lines.append("|" + "---|" * (4 + 3 * len(engines) + (1 if "metakv" in engines and "rocksdb" in engines else 0)))
dat = []
for k, num, ops, runs in rows:
    first = runs[engines[0]]
    cells = [f"x{k}", str(num), str(ops), f"{first['user_bytes'] / 2**20:.1f}"]
    for e in engines:
        r = runs[e]
        cells += [f"{r['write_amp']:.2f}", f"{r['device_bytes'] / 2**20:.1f}", f"{r['ops_per_sec']:.0f}"]
    if "metakv" in runs and "rocksdb" in runs:
        cells.append(f"{runs['metakv']['write_amp'] / runs['rocksdb']['write_amp']:.2f}")
    lines.append("| " + " | ".join(cells) + " |")
    dat.append(" ".join([f"{first['user_bytes'] / 2**20:.1f}"] +
                        [f"{runs[e]['write_amp']:.4f}" for e in engines]))
open(f"{out}/wa-scaling.md", "w").write("\n".join(lines) + "\n")
open(f"{out}/wa-scaling.dat", "w").write("\n".join(dat) + "\n")
open(f"{out}/engines.txt", "w").write(" ".join(engines) + "\n")
print("\n".join(lines))
PY

if command -v gnuplot >/dev/null; then
  read -r -a names <"$out/engines.txt"
  plots=""
  for i in "${!names[@]}"; do
    plots+="${plots:+, }'$out/wa-scaling.dat' using 1:$((i + 2)) with linespoints lw 2 title '${names[$i]}'"
  done
  gnuplot <<GP
set terminal pngcairo size 800,500 noenhanced
set output '$out/wa-scaling.png'
set title 'metamix: write amplification against data size (x1, x4, x16)'
set logscale x 2
set xlabel 'user bytes written (MiB)'
set ylabel 'write amplification'
set grid
set key top left
plot $plots
GP
  echo "plot: $out/wa-scaling.png" >&2
fi
