#!/usr/bin/env bash
# Seconds per training epoch on Beauty with the Table C3 settings (batch 256, L 50, D 64, 2 layers, K 45, circular),
# 2 threads, 3 epochs per configuration (median reported), plus an engine profile of 10 steps of the first.
# Writes bench/results/epoch-time.{json,md}. Run it on an otherwise idle machine (about 10 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
OUT=${OUT:-bench/out/epoch-time}
EPOCHS=${EPOCHS:-3}
CONFIGS=${CONFIGS:-"convformer:auto convformer:conv1d convformer-f:auto"}
mkdir -p "$OUT" bench/results
runs=()
first=1
for c in $CONFIGS; do
  IFS=: read -r model impl <<< "$c"
  dir="$OUT/$model-$impl"
  profile=()
  [ $first = 1 ] && profile=(--param profile_steps=10)
  first=0
  bin/seqrec -q train --model "$model" --data "$SHARED/Beauty.txt" --out "$dir" --overwrite --no-eval \
    --kernel 45 --padding circular --epochs "$EPOCHS" --patience "$EPOCHS" --threads 2 --param conv_impl="$impl" "${profile[@]}"
  runs+=("$dir")
done
java -cp "$(bench/test-classpath.sh)" org.seqrec.bench.EpochTimeReport \
  bench/results/epoch-time "${runs[@]}"
