#!/usr/bin/env bash
# The share of this machine's fp32 matrix-multiply peak that a ConvFormer training step on Beauty reaches
# (Table C3 settings, K 45, circular; GemmShare: the step's products counted from the engine's trace, its
# median time, the best 2048^3 and FFN-shaped products in the same JVM). THREADS engine threads. Run on an
# otherwise idle machine. Writes bench/results/NAME.{json,md} and NAME-profile.md (the traced step's operators;
# NAME gemm-share unless set; DATA=bench/out/xbox-1/xbox.txt NAME=gemm-share-xbox for the Xbox-size data of
# bench/xbox-scale.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
STEPS=${STEPS:-30}
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
NAME=${NAME:-gemm-share}
mkdir -p bench/results
CP=${CP:-$(bench/test-classpath.sh)}
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.seqrec.bench.GemmShare convformer "$DATA" "bench/results/$NAME" "$STEPS" kernel=45 padding=circular
