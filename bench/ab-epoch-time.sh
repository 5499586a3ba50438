#!/usr/bin/env bash
# Before/after training speed of a change, measured in one run: seconds per training batch on Beauty (Table C3
# settings, each model's defaults; `seqrec train --param max_batches=MAX_BATCHES --epochs 1`) of the commit
# BEFORE (built in a git worktree under bench/out/) and of this checkout, alternating before/after REPS times
# per model, so that both sides see the same machine state; the ratio (per epoch: a change may change the batches an
# epoch has) is taken per pair, the median reported
# with the load. THREADS engine threads. Run on an otherwise idle machine. Writes bench/results/NAME.{json,md} (NAME
# ab-epoch-time unless set); REPORT_ONLY=1 rewrites them from the last run's bench/out/NAME/runs.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${REPORT_ONLY:-0}" = 1 ]; then BEFORE=${BEFORE:-}; else BEFORE=${BEFORE:?commit to compare against, e.g. BEFORE=9b918e2}; fi
MODELS=${MODELS:-"convformer convformer-f fmlp-rec sar"}
REPS=${REPS:-3}
MAX_BATCHES=${MAX_BATCHES:-60}
THREADS=${THREADS:-2}
DATA=${DATA:-$(cd ../shared/data/fmlp && pwd)/Beauty.txt}
NAME=${NAME:-ab-epoch-time}
OUT=bench/out/$NAME
mkdir -p "$OUT" bench/results
WT=
[ "${REPORT_ONLY:-0}" = 1 ] || WT=$(bench/before-worktree.sh "$BEFORE")
LINES="$OUT/runs.jsonl"
[ "${REPORT_ONLY:-0}" = 1 ] || : > "$LINES"
for model in $MODELS; do
  [ "${REPORT_ONLY:-0}" = 1 ] && break
  args=()
  [[ $model == convformer* ]] && args=(--kernel 45 --padding circular)
  for rep in $(seq 1 "$REPS"); do
    for side in before after; do
      launcher=bin/seqrec
      [ $side = before ] && launcher="$WT/bin/seqrec"
      "$launcher" -q train --model "$model" --data "$DATA" --out "$OUT/$side-$model" --overwrite --no-eval "${args[@]}" \
        --epochs 1 --threads "$THREADS" --param max_batches="$MAX_BATCHES" > /dev/null 2>&1
      commit=$(git rev-parse --short HEAD)
      [ $side = before ] && commit=$(git rev-parse --short "$BEFORE")
      python3 - "$OUT/$side-$model/history.jsonl" "$model" "$side" "$rep" "$commit" >> "$LINES" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).readline())
print(json.dumps({"model": sys.argv[2], "side": sys.argv[3], "rep": int(sys.argv[4]), "commit": sys.argv[5],
                  "seconds_per_batch": h["train_seconds"] / h["batches"],
                  "epoch_batches": h.get("epoch_batches"),
                  "loss": h["loss"], "load1": open("/proc/loadavg").read().split()[0], "max_batches": h.get("batches")}))
PY
      tail -1 "$LINES" >&2
    done
  done
done
python3 - "$LINES" "bench/results/$NAME" "$( [ -n "$BEFORE" ] && git rev-parse --short "$BEFORE")" "$(git rev-parse --short HEAD)" "$THREADS" "$MAX_BATCHES" <<'PY'
import json, os, platform, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
prefix, before, after, threads, maxb = sys.argv[2:7]
# what the rows record wins over today's settings (a report rewritten later names what was measured)
maxb = next((str(r["max_batches"]) for r in rows if r.get("max_batches")), maxb)
# the commits the rows record (a report rewritten later names what was measured, not today's HEAD)
before = next((r["commit"] for r in rows if r["side"] == "before" and "commit" in r), before or "unrecorded")
after = next((r["commit"] for r in rows if r["side"] == "after" and "commit" in r), after)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
models = list(dict.fromkeys(r["model"] for r in rows))
table = []
for m in models:
    b = [r for r in rows if r["model"] == m and r["side"] == "before"]
    a = [r for r in rows if r["model"] == m and r["side"] == "after"]
    # per epoch: a change of regime changes the batches an epoch has as well as a batch's cost (equal to the per-batch
    # ratio when both sides have the same batches); a pair where either side recorded no batch count compares per batch
    def ratio(x, y):
        if x.get("epoch_batches") and y.get("epoch_batches"):
            return x["seconds_per_batch"] * x["epoch_batches"] / (y["seconds_per_batch"] * y["epoch_batches"])
        return x["seconds_per_batch"] / y["seconds_per_batch"]
    ratios = [ratio(x, y) for x, y in zip(b, a)]
    table.append({"model": m, "before": statistics.median(r["seconds_per_batch"] for r in b),
                  "after": statistics.median(r["seconds_per_batch"] for r in a), "ratios": ratios,
                  "median_ratio": statistics.median(ratios), "loads": [r["load1"] for r in b + a],
                  "before_epoch_batches": b[0].get("epoch_batches"), "epoch_batches": a[0].get("epoch_batches")})
json.dump({"machine": f"{cpu}, {os.cpu_count()} cores", "before": before, "after": after, "threads": int(threads),
           "max_batches": int(maxb), "rows": table, "runs": rows}, open(prefix + ".json", "w"), indent=1)
epoch = lambda sec, n: f" {n * sec:.0f} ({n}) |" if n else " not recorded |"
with open(prefix + ".md", "w") as f:
    f.write(f"Seconds per training batch and per epoch on Beauty, {before} (before) against {after} (after), {threads} threads, {maxb} batches per run,"
            f" before/after alternated {len(table[0]['ratios'])} times per model (`bench/ab-epoch-time.sh`); the ratio is per epoch"
            f" (seconds per batch times the side's batches per epoch). Machine: {cpu}, {os.cpu_count()} cores.\n\n")
    f.write("| model | before s/batch | after s/batch | before / after per epoch (each pair) | median | s/epoch before (batches) | s/epoch after (batches) | loads |\n|---|---:|---:|---|---:|---:|---:|---|\n")
    for t in table:
        f.write(f"| {t['model']} | {t['before']:.3f} | {t['after']:.3f} | {', '.join(f'{r:.2f}' for r in t['ratios'])} | {t['median_ratio']:.2f}x |"
                + epoch(t['before'], t['before_epoch_batches']) + epoch(t['after'], t['epoch_batches']) + f" {', '.join(t['loads'])} |\n")
print(open(prefix + ".md").read())
PY
