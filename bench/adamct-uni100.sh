#!/usr/bin/env bash
# AdaMCT beside ConvFormer under AdaMCT's uni100 protocol (1 vs 100 uniformly drawn negatives, drawn
# with seed 42 and shared by every run on a dataset), AdaMCT paper Table 2. AdaMCT trains with the
# paper's tuned preset per dataset (`--preset beauty|toys|sports`: batch 2048, prefix-CE, early
# stopping on validation HR@10 as the authors' configs). ConvFormer: with CONVFORMER=reuse (default)
# the Table C3 run of bench/convformer-beauty.sh (trained with the prefix BCE regime, early-stopped on
# sampled MRR) is evaluated under uni100 when it exists; otherwise, or with CONVFORMER=train, a
# ConvFormer is trained with `--protocol uni100` (its own preset: K 45 on Beauty, 30 elsewhere).
#   DATASETS="Beauty" THREADS=1 nohup bench/adamct-uni100.sh > bench/out/logs/adamct.log 2>&1 &
# Resumable: finished runs are skipped, a killed one continues from its last epoch. Writes
# bench/results/NAME.{json,md}: every run beside the paper's figure, with its epoch time, peak RSS,
# weights and MACs per sequence.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
DATASETS=${DATASETS:-"Beauty Toys_and_Games Sports_and_Outdoors"}
SEEDS=${SEEDS:-42}
OUT=${OUT:-bench/out/adamct}
THREADS=${THREADS:-2}
CONVFORMER=${CONVFORMER:-reuse}
CONVFORMER_RUNS=${CONVFORMER_RUNS:-bench/out/convformer/runs}
NAME=${NAME:-adamct-uni100}
mkdir -p "$OUT/runs" bench/results

preset() {
  case $1 in
    Beauty) echo beauty ;;
    Toys_and_Games) echo toys ;;
    Sports_and_Outdoors) echo sports ;;
    *) echo "no AdaMCT preset for $1" >&2; exit 2 ;;
  esac
}

train() { # model data seed dir
  local resume=()
  [ -f "$4/checkpoint/state.json" ] && resume=(--resume)
  echo "== $(basename "$4"): training $(date -u +%FT%TZ)"
  bin/seqrec train --model "$1" --preset "$(preset "$2")" --data "$SHARED/$2.txt" --out "$4" "${resume[@]}" --overwrite \
    --seed "$3" --protocol uni100 --threads "$THREADS" || echo "== $(basename "$4"): FAILED (exit $?)"
}

runs=()
for s in $SEEDS; do
  for data in $DATASETS; do
    dir="$OUT/runs/adamct-uni100-$data-seed$s"
    [ -f "$dir/results-uni100.json" ] || train adamct "$data" "$s" "$dir"
    [ -f "$dir/results-uni100.json" ] && runs+=("$dir")
    reused="$CONVFORMER_RUNS/convformer-sampled-$data-seed$s"
    if [ "$CONVFORMER" = reuse ] && [ -f "$reused/results-sampled.json" ]; then
      [ -f "$reused/results-uni100.json" ] || bin/seqrec -q evaluate --run "$reused" --protocol uni100 --threads "$THREADS" > /dev/null
      runs+=("$reused")
    else
      dir="$OUT/runs/convformer-uni100-$data-seed$s"
      [ -f "$dir/results-uni100.json" ] || train convformer "$data" "$s" "$dir"
      [ -f "$dir/results-uni100.json" ] && runs+=("$dir")
    fi
  done
done
[ ${#runs[@]} -gt 0 ] && bin/seqrec -q report --runs "$(IFS=,; echo "${runs[*]}")" --protocol uni100 \
  --paper bench/paper/adamct.json --out "bench/results/$NAME" > /dev/null
echo "== report: bench/results/$NAME.md"
