#!/usr/bin/env bash
# ConvFormer's Toeplitz mixer, forward and backward, in three memory layouts (issue 20): the 3-D permute seqrec used up
# to ad26b5f, a gather variant, and the 2-D transposes + one-piece split it uses since. ROUNDS interleaved rounds in one
# JVM, THREADS engine threads (default 2); stop background training first. Writes bench/results/mixer-layout.{json,md}
# and the engine's profile of the last rounds (bench/results/mixer-layout-profile.json is not kept: bench/out/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-21}
THREADS=${THREADS:-2}
CP=${CP:-$(bench/test-classpath.sh)}
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.seqrec.bench.MixerLayoutProbe "$ROUNDS" bench/results/mixer-layout
mkdir -p bench/out && mv bench/results/mixer-layout-profile.json bench/out/
