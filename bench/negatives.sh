#!/usr/bin/env bash
# The sampled protocol's negatives derived per user from (seed, user) against read from their exported file, at
# the Xbox set's size (bench/scale.sh with SCALES=1 writes the data; default SCALE 1: 674K users, 40K items):
# REPS interleaved rounds in one JVM. Writes bench/results/negatives.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-1}
REPS=${REPS:-3}
DATA=bench/out/scale-$SCALE/single/xbox.txt
[ -s "$DATA" ] || { echo "run SCALES=$SCALE bench/scale.sh first (it writes $DATA)" >&2; exit 2; }
CP=${CP:-$(bench/test-classpath.sh)}
java -Xmx6g -cp "$CP" org.seqrec.bench.NegativesBenchmark "$DATA" "$REPS" bench/results/negatives
