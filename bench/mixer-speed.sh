#!/usr/bin/env bash
# ConvFormer paper Figure 8 on this machine: token-mixer inference time against K for L in {500, 1000},
# batch 512 (JMH, single-shot, 3 warm-up + 5 measured runs per point), then a table and PNG/SVG plots:
# bench/results/mixer-speed.{json,md}, bench/results/mixer-speed-L{500,1000}.{png,svg}.
# Takes a few minutes on 2 cores; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
mkdir -p bench/results bench/out
CP=$(bench/test-classpath.sh)
java -Dai.djl.offline=true -cp "$CP" org.openjdk.jmh.Main MixerInferenceBenchmark "$@" \
  -jvmArgs "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$THREADS -Xmx8g" \
  -rf json -rff bench/out/mixer-speed-jmh.json
java -Dai.djl.offline=true -cp "$CP" org.seqrec.bench.MixerSpeedReport bench/out/mixer-speed-jmh.json bench/results/mixer-speed
