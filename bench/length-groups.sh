#!/usr/bin/env bash
# Length groups for the SAR family, FastFormer and PoolingFormer (issue 4): one training step (the prefix regime's BCE
# loss, backward, Adam) on Beauty's real prefix-regime batches of BATCH (default 256, Table C3) at
# L 50, with length_groups on (the default: rows grouped by length, each group cropped to its
# longest row, an empty history kept at full width) and off (every row at full width). Same rows,
# same weights; each configuration in its own JVM. Run on an otherwise idle machine (or with the
# other jobs paused). Writes bench/results/length-groups.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
BATCH=${BATCH:-256}
LEN=${LEN:-50}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-5}
STEPS=${STEPS:-30}
MODELS=${MODELS:-"sar sar-o sar-p sar-r sar-w sar-n fastformer poolingformer"}
mkdir -p bench/out bench/results
CP=$(bench/test-classpath.sh)
LINES=bench/out/length-groups.jsonl
: > "$LINES"
for model in $MODELS; do
  for groups in true false; do
    java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
      org.seqrec.bench.ScalingBenchmark measure-data "$model" "$LEN" "$BATCH" "$WARMUP" "$STEPS" "$LINES" "$DATA" length_groups=$groups \
      || echo "{\"model\": \"$model\", \"params\": \"{length_groups=$groups}\", \"failed\": true}" >> "$LINES"
  done
done
python3 - "$LINES" "$BATCH" "$THREADS" "$LEN" "$STEPS" <<'PY'
import json, os, sys, platform
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
out = {"benchmark": "SAR family, FastFormer and PoolingFormer training step (prefix regime) on Beauty batches, length groups on/off",
       "batch": int(sys.argv[2]), "threads": int(sys.argv[3]), "L": int(sys.argv[4]), "timed_steps": int(sys.argv[5]),
       "machine": f"{cpu}, {os.cpu_count()} cores", "rows": rows}
json.dump(out, open("bench/results/length-groups.json", "w"), indent=2)
by = {(r["model"], "true" in r["params"]): r for r in rows}
md = [f"Meta-former models (D 64, 2 blocks, Table C3 settings) training step in the prefix regime (BCE, one negative per sample) on Beauty's batches of"
      f" {sys.argv[2]} at L {sys.argv[4]} (the same rows for every configuration; median of {sys.argv[5]} timed steps),"
      f" {sys.argv[3]} engine thread(s). Length groups on: rows grouped by length, each group cropped to its longest row,"
      f" an empty history at full width; the states and gradients equal the full-width ones (SarFamilyTest); PoolingFormer crops whole pooling windows."
      f" Machine: {out['machine']}.\n",
      "| model | length groups off (s / step) | on (s / step) | speed-up | peak step MB off | on |", "|---|---:|---:|---:|---:|---:|"]
for m in dict.fromkeys(r["model"] for r in rows):
    on, off = by.get((m, True)), by.get((m, False))
    if not on or not off or "step_seconds" not in on or "step_seconds" not in off:
        md.append(f"| {m} | failed | | | | |")
        continue
    md.append(f"| {m} | {off['step_seconds']:.3f} | {on['step_seconds']:.3f} | {off['step_seconds'] / on['step_seconds']:.1f}x"
              f" | {off['peak_step_memory_mb']:.0f} | {on['peak_step_memory_mb']:.0f} |")
open("bench/results/length-groups.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
