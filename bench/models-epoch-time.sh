#!/usr/bin/env bash
# Training time per epoch of every model on Beauty with the Table C3 settings and each model's defaults
# and regime, 2 engine threads. To keep it short each epoch is cut to MAX_BATCHES batches
# (`--param max_batches`) and the full epoch is extrapolated from the median seconds per batch; the
# validation pass is not counted. Run it on an otherwise idle machine (pause background trainings with
# `kill -STOP`, resume with `kill -CONT`). Writes bench/results/epoch-time-models.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
OUT=${OUT:-bench/out/epoch-time-models}
EPOCHS=${EPOCHS:-3}
MAX_BATCHES=${MAX_BATCHES:-40}
NAME=${NAME:-epoch-time-models}
MODELS=${MODELS:-"convformer convformer-f fmlp-rec sar sar-o sar-p sar-r sar-w sar-n sar-n-plus sasrec bert4rec gru4rec caser fastformer poolingformer"}
mkdir -p "$OUT" bench/results
runs=()
for model in $MODELS; do
  dir="$OUT/$model"
  bin/seqrec -q train --model "$model" --data "$SHARED/Beauty.txt" --out "$dir" --overwrite --no-eval \
    --epochs "$EPOCHS" --patience "$EPOCHS" --threads 2 --param max_batches="$MAX_BATCHES" > /dev/null
  runs+=("$dir")
done
java -cp "$(bench/test-classpath.sh)" org.seqrec.bench.EpochTimeReport \
  "bench/results/$NAME" "${runs[@]}"
