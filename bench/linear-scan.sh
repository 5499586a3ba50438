#!/usr/bin/env bash
# LRURec's recurrence in its two forms (issue 23): the matrix product with the powers of λ against the doubling scan,
# forward and backward at B 128, N 128, for each L in LENS, ROUNDS interleaved rounds in one JVM, THREADS engine threads
# (default 2); it places LinearScan.MATRIX_MAX_LEN. Stop background training first. Writes bench/results/linear-scan.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-9}
THREADS=${THREADS:-2}
LENS=${LENS:-"25 50 64 100 128 200"}
CP=${CP:-$(bench/test-classpath.sh)}
# shellcheck disable=SC2086
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.seqrec.bench.LinearScanProbe "$ROUNDS" bench/results/linear-scan $LENS
