#!/usr/bin/env bash
# Trains and evaluates several models x seeds on one dataset with the Table C3 settings (each model's
# defaults; L 50, D 64, 2 layers, dropout 0.5, lr 1e-3, batch 256, <= 200 epochs, patience 10), with
# the user-facing commands, sampled protocol (negatives drawn with seed 42, as `data sample --seed 42`).
# Used for the SAR study (paper Table 1 / B2) and the baseline columns of Tables 3 and 7:
#   MODELS="sar sar-o sar-p sar-r sar-w" SEEDS="42 1 2" NAME=sar-study BASELINE=sar bench/models-beauty.sh
#   (on two cores, two copies with THREADS=1, the second with SEEDS="2 1 42", share the study)
#   MODELS="sasrec fmlp-rec gru4rec caser bert4rec fastformer poolingformer" NAME=baselines bench/models-beauty.sh
# Resumable: finished runs are skipped, a killed one continues from its last epoch. REPORT_ONLY=1 only
# rewrites the tables from the runs that finished (while others are still training). Long on a CPU: run
# it in the background (nohup ... &). After every run it rewrites bench/results/NAME.{json,md}: each
# run beside the paper's figures, and per model the mean and standard deviation over the seeds that
# finished.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data/fmlp}
DATA=${DATA:-Beauty}
PROTOCOL=${PROTOCOL:-sampled}
MODELS=${MODELS:-"sar sar-o sar-p sar-r sar-w"}
SEEDS=${SEEDS:-42}
NAME=${NAME:-models-$DATA}
OUT=${OUT:-bench/out/models}
THREADS=${THREADS:-2}
BASELINE=${BASELINE:-}   # e.g. sar: each model's mean difference from it and a paired t-test over seeds
# where bench/paper/convformer.json keeps the figures shown beside ours: Table 3 by default; the SAR
# study's Table B2 (2 blocks, as these runs) when BASELINE is sar
PAPER_SECTION=${PAPER_SECTION:-$([ "$BASELINE" = sar ] && echo 'sar_study/{dataset}/layers=2' || echo '{protocol}/{dataset}')}
mkdir -p "$OUT/runs" bench/results

report() {
  local m s runs=() # local m and s: the training loop below uses the same names
  for m in $MODELS; do
    for s in $SEEDS; do
      local r="$OUT/runs/$m-$PROTOCOL-$DATA-seed$s"
      [ -f "$r/results-$PROTOCOL.json" ] && runs+=("$r")
    done
  done
  [ ${#runs[@]} -gt 0 ] || return 0
  local base=()
  [ -n "$BASELINE" ] && base=(--baseline "$BASELINE")
  bin/seqrec -q report --runs "$(IFS=,; echo "${runs[*]}")" --protocol "$PROTOCOL" "${base[@]}" \
    --paper bench/paper/convformer.json --paper-section "$PAPER_SECTION" --out "bench/results/$NAME" > /dev/null
}

if [ -n "${REPORT_ONLY:-}" ]; then # rewrite the tables from the runs that finished, train nothing
  report
  exit 0
fi

# Several copies may run at once (one engine thread each, e.g. one per core, seeds in different orders):
# a run is trained under an exclusive lock on $OUT/runs/NAME.lock, and a copy that finds it taken moves on.
for s in $SEEDS; do
  for m in $MODELS; do
    name="$m-$PROTOCOL-$DATA-seed$s"
    dir="$OUT/runs/$name"
    exec 9> "$OUT/runs/$name.lock"
    if ! flock -n 9; then
      echo "== $name: being trained by another process, skipped"
      exec 9>&-
      continue
    fi
    if [ -f "$dir/results-$PROTOCOL.json" ]; then
      echo "== $name: done, skipped"
      exec 9>&-
      continue
    fi
    resume=()
    [ -f "$dir/checkpoint/state.json" ] && resume=(--resume)
    echo "== $name: training $(date -u +%FT%TZ)"
    bin/seqrec train --model "$m" --data "$SHARED/$DATA.txt" --out "$dir" "${resume[@]}" --overwrite \
      --seed "$s" --protocol "$PROTOCOL" --threads "$THREADS" || echo "== $name: FAILED (exit $?)"
    exec 9>&- # the lock is released once the training process has exited too
    report
  done
done
report
