#!/usr/bin/env bash
# The evaluator's rank count on one 16 MB full-ranking batch at 40K items: the engine's boolean sum (int64) against a
# float32 sum, ROUNDS interleaved rounds in one JVM, 2 engine threads. Writes bench/results/rank-count.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-21}
CP=${CP:-$(bench/test-classpath.sh)}
java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.seqrec.bench.RankCountBenchmark "$ROUNDS" bench/results/rank-count
