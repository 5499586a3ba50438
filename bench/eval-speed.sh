#!/usr/bin/env bash
# Full-ranking evaluation speed at the Xbox set's catalogue size (40K items; issue 20): users per
# second of seqrec's Evaluator and the share of CPU time spent in the kernel, for a ConvFormer with
# random weights (Table C3 shape: L 50, D 64, 2 blocks, K 45) over synthetic users (EvalBenchmark).
# PASSES timed passes (after a warm-up pass) in one JVM; the median is reported with the load average.
# Run on an otherwise idle machine. Writes bench/results/eval-speed.{json,md}; LABEL names the row
# (e.g. before/after a change), rows of earlier labels are kept. PROFILE=true adds an engine profile of one
# untimed pass per model: bench/results/eval-profile-MODEL.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${ITEMS:-40000}
USERS=${USERS:-20000}
BATCH=${BATCH:-256}
PASSES=${PASSES:-3}
THREADS=${THREADS:-2}
LABEL=${LABEL:-$(git rev-parse --short HEAD)}
MODELS=${MODELS:-convformer sasrec}
mkdir -p bench/out bench/results
CP=${CP:-$(bench/test-classpath.sh)}
LINES=bench/out/eval-speed-$LABEL.jsonl
: > "$LINES"
for model in $MODELS; do
  java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -Dprofile="${PROFILE:-false}" -cp "$CP" org.seqrec.bench.EvalBenchmark "$model" "$ITEMS" "$USERS" "$BATCH" "$PASSES" "$LINES" max_len=50
  # PROFILE=true: an engine profile of one extra (untimed) pass, kept beside the table
  if [ "${PROFILE:-false}" = true ]; then cp "bench/out/eval-profile-$model.md" "bench/results/eval-profile-$model.md"; fi
done
python3 - "$LABEL" "$LINES" bench/results/eval-speed <<'PY'
import json, statistics, sys, os, platform
label, lines, prefix = sys.argv[1:4]
rows = [json.loads(l) for l in open(lines) if l.strip()]
path = prefix + ".json"
old = json.load(open(path)) if os.path.exists(path) else {"runs": []}
runs = [r for r in old["runs"] if r["label"] != label]
for model in dict.fromkeys(r["model"] for r in rows):
    rs = [r for r in rows if r["model"] == model]
    runs.append({"label": label, "model": model, "items": rs[0]["items"], "users": rs[0]["users"], "batch": rs[0]["batch"],
                 "threads": rs[0]["threads"], "passes": len(rs),
                 "users_per_second": statistics.median(r["users_per_second"] for r in rs),
                 "sys_share": statistics.median(r["sys_share"] for r in rs),
                 "each_users_per_second": [round(r["users_per_second"]) for r in rs],
                 "load1": [r["load1"] for r in rs], "ndcg10": rs[0]["ndcg10"]})
json.dump({"runs": runs}, open(path, "w"), indent=1)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
with open(prefix + ".md", "w") as f:
    f.write(f"Full-ranking evaluation of the validation targets, synthetic users, random weights (`bench/eval-speed.sh`). "
            f"Machine: {cpu}, {os.cpu_count()} cores. Median of the timed passes; load = 1-minute load average at each pass.\n\n")
    f.write("| label | model | items | users | batch | threads | users/s (median) | each pass | system CPU share | load |\n")
    f.write("|---|---|---:|---:|---:|---:|---:|---|---:|---|\n")
    for r in runs:
        f.write(f"| {r['label']} | {r['model']} | {r['items']} | {r['users']} | {r['batch']} | {r['threads']} | "
                f"{r['users_per_second']:.0f} | {', '.join(map(str, r['each_users_per_second']))} | {100 * r['sys_share']:.0f}% | "
                f"{', '.join(r['load1'])} |\n")
print(open(prefix + ".md").read())
PY
