#!/usr/bin/env bash
# RecGRELA under the full-sort protocol (issue 6; HR / NDCG / MRR at 5 and 10) beside ConvFormer and
# SASRec under the same protocol, on Beauty and Yelp. RecGRELA: its defaults (D 64, 4 blocks, 4 heads,
# dropout and DropPath 0.1, lr 1e-3, prefix-CE, batch 2048, early stopping on NDCG@10) with the
# paper's patience for datasets other than ML-1M (10), and MAX_LEN 200 as the paper (length groups
# make a step cost what the real lengths cost: bench/results/recgrela-crop.md).
# ConvFormer and SASRec: the sampled-protocol runs of bench/convformer-accuracy.sh and
# bench/models-beauty.sh are evaluated under full ranking when they exist (trained as their papers
# do, early-stopped on sampled MRR); otherwise they are trained with --protocol full. RecGRELA's loss
# (softmax over every item) is not theirs (BCE with one negative), so CE_MODELS (default: convformer)
# are also trained in RecGRELA's regime (--param regime=prefix-CE, their other settings their own,
# early stopping on NDCG@10 under full ranking): architectures compared under one loss.
#   DATASETS="Beauty" THREADS=1 nohup bench/recgrela-full.sh > bench/out/logs/recgrela.log 2>&1 &
# Resumable. Writes bench/results/NAME.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
DATASETS=${DATASETS:-"Beauty Yelp"}
SEEDS=${SEEDS:-42}
OUT=${OUT:-bench/out/recgrela}
THREADS=${THREADS:-2}
MAX_LEN=${MAX_LEN:-200}
NAME=${NAME:-recgrela-full}
# the sampled-protocol runs to evaluate under full ranking (run directories without their -DATA-seedS suffix)
REUSE_CONVFORMER=${REUSE_CONVFORMER:-bench/out/convformer/runs/convformer-sampled}
REUSE_SASREC=${REUSE_SASREC:-bench/out/baselines/runs/sasrec-sampled}
CE_MODELS=${CE_MODELS-convformer}
mkdir -p "$OUT/runs" bench/results

train() { # model data seed dir [extra flags]
  local model=$1 data=$2 seed=$3 dir=$4
  shift 4
  local resume=()
  [ -f "$dir/checkpoint/state.json" ] && resume=(--resume)
  echo "== $(basename "$dir"): training $(date -u +%FT%TZ)"
  bin/seqrec train --model "$model" --data "$SHARED/$data.txt" --out "$dir" "${resume[@]}" --overwrite --seed "$seed" \
    --protocol full --threads "$THREADS" "$@" || echo "== $(basename "$dir"): FAILED (exit $?)"
}

runs=()
for s in $SEEDS; do
  for data in $DATASETS; do
    dir="$OUT/runs/recgrela-full-L$MAX_LEN-$data-seed$s"
    [ -f "$dir/results-full.json" ] || train recgrela "$data" "$s" "$dir" --max-len "$MAX_LEN" --patience 10
    [ -f "$dir/results-full.json" ] && runs+=("$dir")
    for pair in "convformer:$REUSE_CONVFORMER" "sasrec:$REUSE_SASREC"; do
      model=${pair%%:*}
      reused="${pair#*:}-$data-seed$s"
      if [ -f "$reused/results-sampled.json" ]; then
        [ -f "$reused/results-full.json" ] || bin/seqrec -q evaluate --run "$reused" --protocol full --threads "$THREADS" > /dev/null
        runs+=("$reused")
      else
        dir="$OUT/runs/$model-full-$data-seed$s"
        [ -f "$dir/results-full.json" ] || train "$model" "$data" "$s" "$dir"
        [ -f "$dir/results-full.json" ] && runs+=("$dir")
      fi
    done
    for model in $CE_MODELS; do
      dir="$OUT/runs/$model-prefixCE-full-$data-seed$s"
      [ -f "$dir/results-full.json" ] || train "$model" "$data" "$s" "$dir" --param regime=prefix-CE --param select=NDCG@10
      [ -f "$dir/results-full.json" ] && runs+=("$dir")
    done
  done
done
[ ${#runs[@]} -gt 0 ] && bin/seqrec -q report --runs "$(IFS=,; echo "${runs[*]}")" --protocol full \
  --paper bench/paper/convformer.json --out "bench/results/$NAME" > /dev/null
echo "== report: bench/results/$NAME.md"
