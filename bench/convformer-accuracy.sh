#!/usr/bin/env bash
# ConvFormer accuracy with the paper's Table C3 settings (L 50, D 64, 2 layers, dropout 0.5, lr 1e-3,
# batch 256, <= 200 epochs, patience 10; K 45 on Beauty, 30 elsewhere; circular padding), trained and
# evaluated with the user-facing commands. Sampled protocol (negatives drawn with seed 42, the same file
# as `data sample --seed 42`) on the four datasets, and Beauty again under full ranking.
# Resumable: a finished run is skipped, a killed one continues from its last epoch.
# Long on a CPU: run it in the background, e.g.
#   nohup bench/convformer-accuracy.sh > bench/out/convformer-accuracy.log 2>&1 &
# Writes bench/results/convformer-{sampled,full}.{json,md} (with the paper's figures) after every run, and
# bench/results/convformer-full-sampled-selected.{json,md}: the sampled Beauty model evaluated under full ranking.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
OUT=${OUT:-bench/out/convformer}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
DATASETS=${DATASETS:-"Beauty:45:sampled Beauty:45:full Toys_and_Games:30:sampled Sports_and_Outdoors:30:sampled Yelp:30:sampled"}
mkdir -p "$OUT/runs" bench/results

report() {
  local protocol=$1 runs=()
  for r in "$OUT"/runs/*; do
    [ -f "$r/results-$protocol.json" ] && runs+=("$r")
  done
  [ ${#runs[@]} -gt 0 ] || return 0
  bin/seqrec -q report --runs "$(IFS=,; echo "${runs[*]}")" --protocol "$protocol" \
    --paper bench/paper/convformer.json --out "bench/results/convformer-$protocol"
}

for spec in $DATASETS; do
  IFS=: read -r data kernel protocol <<< "$spec"
  name="convformer-$protocol-$data-seed$SEED"
  dir="$OUT/runs/$name"
  if [ -f "$dir/results-$protocol.json" ]; then
    echo "== $name: done, skipped"
  else
    resume=()
    [ -f "$dir/config.json" ] && resume=(--resume)
    echo "== $name: training $(date -u +%FT%TZ)"
    bin/seqrec train --model convformer --data "$SHARED/$data.txt" --out "$dir" "${resume[@]}" \
      --kernel "$kernel" --padding circular --seed "$SEED" --protocol "$protocol" --threads "$THREADS"
  fi
  report "$protocol"
  if [ "$protocol" = sampled ] && [ "$data" = Beauty ]; then
    # the sampled-selected model under full ranking too (early stopping used sampled MRR, not NDCG@10)
    [ -f "$dir/results-full.json" ] || bin/seqrec -q evaluate --run "$dir" --protocol full --threads "$THREADS" > /dev/null
    bin/seqrec -q report --runs "$dir" --protocol full --paper bench/paper/convformer.json \
      --out bench/results/convformer-full-sampled-selected > /dev/null
  fi
done
