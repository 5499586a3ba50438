#!/usr/bin/env bash
# What the server's bounds cost (issue 16: "must not cost more than 10% p99 at concurrency 1"): the server
# of an older commit (OLD, default e26251e, main before the hardening) and this checkout's, serving the same
# run, measured in alternation (ROUNDS rounds of REQUESTS requests each after a warm-up, concurrency 1, one
# engine thread, micro-batching off), by this checkout's loadtest. Writes bench/results/serve-bounds-cost.{json,md}
# with every round and the medians. Stop other work first (background training skews every number).
#   RUN=runs/convformer-toys DATA=../shared/data/fmlp/Toys_and_Games.txt bench/serve-bounds-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:?RUN=a trained run directory}
DATA=${DATA:?DATA=the run\'s data file}
OLD=${OLD:-e26251e}
ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-2000}
WARMUP=${WARMUP:-1000}
PORT=${PORT:-18090}
OUT=bench/out/bounds-cost
mkdir -p "$OUT" bench/results
OLD_TREE="$OUT/old-$OLD"
if [ ! -f "$OLD_TREE/target/seqrec.jar" ]; then
  rm -rf "$OLD_TREE"; git worktree prune
  git worktree add --detach "$OLD_TREE" "$OLD" > /dev/null
  (cd "$OLD_TREE" && mvn -q -B -DskipTests package)
fi
bin/seqrec --version > /dev/null
NEW_CP="target/seqrec-run.jar:target/lib/*"
OLD_CP="$OLD_TREE/target/seqrec.jar:$OLD_TREE/target/lib/*"
LINES="$OUT/rounds.jsonl"; : > "$LINES"
server=""
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=""; }
trap stop_server EXIT
for round in $(seq 1 "$ROUNDS"); do
  for which in old new; do
    cp=$NEW_CP; [ $which = old ] && cp=$OLD_CP
    java -Dai.djl.offline=true -cp "$cp" org.seqrec.cli.Main serve --run "$RUN" --port "$PORT" --threads 1 --max-batch 1 \
      > "$OUT/$which.log" 2>&1 &
    server=$!
    for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
    bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --concurrency 1 --requests "$REQUESTS" \
      --warmup "$WARMUP" --label "$which-$round" --json "$LINES" > /dev/null
    stop_server
  done
done
python3 - "$LINES" "$OLD" "$RUN" <<'PY'
import json, os, statistics, sys
lines, old, run = sys.argv[1:]
rows = [json.loads(l) for l in open(lines) if l.strip()]
def med(which, key):
    return statistics.median(r[key] for r in rows if r["label"].startswith(which + "-"))
load = open("/proc/loadavg").read().split()[:3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
summary = {k: {"old": med("old", k), "new": med("new", k), "ratio": med("new", k) / med("old", k)}
           for k in ("p50_ms", "p90_ms", "p99_ms", "throughput_rps")}
json.dump({"run": run, "old": old, "machine": cpu, "cores": os.cpu_count(), "load_average_end": load, "medians": summary,
           "rounds": rows}, open("bench/results/serve-bounds-cost.json", "w"), indent=1)
md = [f"# What the server's bounds cost: `{old}` (before) against this checkout, `{run}`", "",
      f"Machine: {cpu}, {os.cpu_count()} cores; load average at the end {' '.join(load)}. Concurrency 1, micro-batching off,"
      f" one engine thread; the two servers alternate, {len(rows) // 2} rounds each; medians over rounds.", "",
      "| | before | after | after / before |", "|---|---:|---:|---:|"]
for k, v in summary.items():
    md.append(f"| {k} | {v['old']:.3f} | {v['new']:.3f} | {v['ratio']:.3f} |")
md += ["", "| round | p50 (ms) | p99 (ms) | req/s | errors |", "|---|---:|---:|---:|---:|"]
for r in rows:
    md.append(f"| {r['label']} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['throughput_rps']:.0f} | {r['errors']} |")
open("bench/results/serve-bounds-cost.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
