#!/usr/bin/env bash
# RecGRELA's length groups (issue 6): one training step (prefix-CE over every item, backward, Adam)
# on Beauty's real prefix-CE batches of BATCH (default 2048, the paper's) at L 50 and 200, with
# length_groups on (the default: rows grouped by length, each group cropped to its longest row) and
# off (every row at full width L). Same rows, same weights; each configuration in its own JVM.
# Run on an otherwise idle machine. Writes bench/results/recgrela-crop.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
BATCH=${BATCH:-2048}
THREADS=${THREADS:-2}
LENGTHS=${LENGTHS:-"50 200"}
STEPS=${STEPS:-5}
mkdir -p bench/out bench/results
CP=$(bench/test-classpath.sh)
LINES=bench/out/recgrela-crop.jsonl
: > "$LINES"
for len in $LENGTHS; do
  for groups in true false; do
    # full width takes about 13 MB per row at L 200 (bench/results/recgrela-batch.md): skip what cannot fit in 80% of RAM
    need=$(( 13 * BATCH * len / 200 ))
    total=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 ))
    if [ "$groups" = false ] && [ "$need" -gt $(( total * 8 / 10 )) ]; then
      echo "{\"L\": $len, \"params\": \"{length_groups=false}\", \"skipped\": \"needs about $need MB, more than 80% of $total MB\"}" >> "$LINES"
      continue
    fi
    java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
      org.seqrec.bench.ScalingBenchmark measure-data recgrela "$len" "$BATCH" 1 "$STEPS" "$LINES" "$DATA" length_groups=$groups \
      || echo "{\"L\": $len, \"params\": \"{length_groups=$groups}\", \"failed\": true}" >> "$LINES"
  done
done
# the fixed cost of one more group (group_overhead, in row-positions): the default 256 against others, at L 200
OVERHEAD_LINES=bench/out/recgrela-overhead.jsonl
: > "$OVERHEAD_LINES"
for o in ${OVERHEADS:-0 64 256 1024 4096}; do
  java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
    org.seqrec.bench.ScalingBenchmark measure-data recgrela 200 "$BATCH" 1 "$STEPS" "$OVERHEAD_LINES" "$DATA" group_overhead=$o
done
python3 - "$LINES" "$BATCH" "$THREADS" "$OVERHEAD_LINES" <<'PY'
import json, sys, platform
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
out = {"benchmark": "RecGRELA training step on Beauty prefix-CE batches, length groups on/off", "batch": int(sys.argv[2]),
       "threads": int(sys.argv[3]), "machine": f"{cpu}, {__import__('os').cpu_count()} cores", "rows": rows}
json.dump(out, open("bench/results/recgrela-crop.json", "w"), indent=2)
md = [f"RecGRELA (D 64, 4 blocks, 4 heads) training step on {rows[0].get('data', 'Beauty')}'s prefix-CE batches of {sys.argv[2]}"
      f" (the same rows for every configuration; median of the timed steps), {sys.argv[3]} engine threads."
      f" Machine: {out['machine']}.\n",
      "| L | length groups | s / step | peak step MB | speed-up |", "|---:|---|---:|---:|---:|"]
by = {}
for r in rows:
    by[(r["L"], "true" in r["params"])] = r
for (L, g), r in sorted(by.items(), key=lambda kv: (kv[0][0], not kv[0][1])):
    if r.get("skipped"):
        md.append(f"| {L} | {'on' if g else 'off'} | not run: {r['skipped']} | | |")
        continue
    if r.get("failed"):
        md.append(f"| {L} | {'on' if g else 'off'} | failed (out of memory?) | | |")
        continue
    off = by.get((L, False))
    sp = f"{off['step_seconds'] / r['step_seconds']:.1f}x" if g and off and "step_seconds" in off else ""
    md.append(f"| {L} | {'on' if g else 'off'} | {r['step_seconds']:.2f} | {r['peak_step_memory_mb']:.0f} | {sp} |")
over = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
out["group_overhead"] = over
json.dump(out, open("bench/results/recgrela-crop.json", "w"), indent=2)
md += ["", "The fixed cost of one more group, `group_overhead` (row-positions), at L 200 (default 256):", "",
       "| group_overhead | s / step | peak step MB |", "|---:|---:|---:|"]
md += [f"| {r['params'].split('=')[1].rstrip('}')} | {r['step_seconds']:.2f} | {r['peak_step_memory_mb']:.0f} |" for r in over]
open("bench/results/recgrela-crop.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
