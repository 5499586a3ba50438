#!/usr/bin/env bash
# RecGRELA's linear cost in L (issue 6): time and peak memory of one training step at
# L = 50 ... 800 for recgrela, linrec, lrurec and mamba4rec (log-depth scans) and sasrec (synthetic full-length histories, batch BATCH,
# D 64, the same cross-entropy loss for all), table + PNG/SVG plots; then the peak memory of a
# RecGRELA training step at L 200 by batch size, and the largest batch that fits this machine.
# Run on an otherwise idle machine (pause background trainings with kill -STOP / -CONT).
# Writes bench/results/scaling.{json,md}, scaling-time.{png,svg}, scaling-memory.{png,svg},
# bench/results/recgrela-batch.md.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${MODELS:-recgrela,linrec,lrurec,mamba4rec,sasrec}
LENGTHS=${LENGTHS:-50,100,200,400,800}
BATCH=${BATCH:-32}
THREADS=${THREADS:-2}
mkdir -p bench/out bench/results
CP=$(bench/test-classpath.sh)
bench() { java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$CP" org.seqrec.bench.ScalingBenchmark "$@"; }
LINES=bench/out/scaling.jsonl
: > "$LINES"
for model in ${MODELS//,/ }; do
  for len in ${LENGTHS//,/ }; do
    # a configuration that dies (e.g. killed when out of memory) is recorded as failed, and the longer ones of its model skipped
    if ! bench measure "$model" "$len" "$BATCH" 2 3 "$LINES"; then
      printf '{"model": "%s", "L": %d, "batch": %d, "failed": "the JVM died (exit status above; 137: killed, out of memory)"}\n' \
        "$model" "$len" "$BATCH" >> "$LINES"
      break
    fi
  done
done
bench report bench/results/scaling "$LINES"

# the largest batch of RecGRELA at L 200 (D 64, 4 blocks) that trains within this machine's memory:
# peak memory of one training step at growing batch sizes, each in its own JVM
CAP=bench/out/scaling-batch.jsonl
: > "$CAP"
for b in ${CAP_BATCHES:-128 256 512 1024}; do
  bench measure recgrela 200 "$b" 1 1 "$CAP"
done
python3 - "$CAP" <<'PY' | tee bench/results/recgrela-batch.md
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
(b0, m0), (b1, m1) = (rows[0]["batch"], rows[0]["peak_step_memory_mb"]), (rows[-1]["batch"], rows[-1]["peak_step_memory_mb"])
slope = (m1 - m0) / (b1 - b0)
total = int(open("/proc/meminfo").readline().split()[1]) / 1024
fits = int((0.8 * total - (m1 - slope * b1)) / slope)
print("RecGRELA, L 200, D 64, 4 blocks: peak memory of one training step above the model's (MB) by batch size\n")
print("| batch | s / step | peak MB |\n|---:|---:|---:|")
for r in rows:
    print(f"| {r['batch']} | {r['step_seconds']:.2f} | {r['peak_step_memory_mb']:.0f} |")
need = m1 + slope * (2048 - b1)
print(f"\nAbout {slope:.1f} MB per sequence of the batch; with 80% of this machine's {total / 1024:.0f} GiB the largest batch is"
      f" about {fits}; batch 2048 would need about {need:.0f} MB: it {'fits' if need <= 0.8 * total else 'does not fit'}.")
PY
