#!/usr/bin/env bash
# Whether 16-bit activations would speed up a ConvFormer training step on this CPU (issue 20): the pieces of one
# block, forward and backward, float32 against TYPE (FLOAT16 by default), ROUNDS interleaved rounds in one JVM.
# Writes bench/results/half-probe-TYPE.{json,md}. TYPE=BFLOAT16 aborts the JVM with DJL 0.35.1's PyTorch engine
# ("terminate called without an active exception" at the first cast). THREADS engine threads (default 2); stop
# background training first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-21}
THREADS=${THREADS:-2}
TYPE=${TYPE:-FLOAT16}
CP=${CP:-$(bench/test-classpath.sh)}
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.seqrec.bench.HalfPrecisionProbe "$ROUNDS" "bench/results/half-probe-$(echo "$TYPE" | tr 'A-Z' 'a-z')" "$TYPE"
