#!/usr/bin/env bash
# Loading sequences from the FMLP text file against the binary .seqbin directory (issue 22's "parsed once"):
# the same synthetic Xbox-shaped data at SCALE (bench/scale.sh makes it; default 0.1: 67K users, 1.9M
# interactions), REPS interleaved loads of each in one JVM. Writes bench/results/seqbin-read.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-0.1}
REPS=${REPS:-7}
OUT=bench/out/scale-$SCALE/single
[ -s "$OUT/xbox.txt" ] || { echo "run SCALES=$SCALE bench/scale.sh first (it writes $OUT/xbox.txt)" >&2; exit 2; }
CP=${CP:-$(bench/test-classpath.sh)}
[ -d "$OUT/xbox.seqbin" ] || bin/seqrec -q data convert --data "$OUT/xbox.txt" --out "$OUT/xbox.seqbin"
java -Xmx4g -cp "$CP" org.seqrec.bench.SeqBinReadBenchmark "$OUT/xbox.txt" "$OUT/xbox.seqbin" "$REPS" bench/results/seqbin-read
