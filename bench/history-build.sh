#!/usr/bin/env bash
# Building a run's SQLite history store (histories.db: every interaction a row), HistoryStore.write against one INSERT
# per row in JDBC batches, REPS interleaved rounds in one JVM on the Xbox-shaped data at SCALE (bench/scale.sh writes it;
# default 0.1: 67K users, 1.9M rows). Writes bench/results/history-build.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-0.1}
REPS=${REPS:-3}
DATA=bench/out/scale-$SCALE/single/xbox.txt
[ -s "$DATA" ] || { echo "run SCALES=$SCALE bench/scale.sh first (it writes $DATA)" >&2; exit 2; }
CP=${CP:-$(bench/test-classpath.sh)}
java -cp "$CP" org.seqrec.bench.HistoryStoreBuild "$DATA" "$REPS" bench/results/history-build
