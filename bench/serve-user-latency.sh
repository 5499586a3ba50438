#!/usr/bin/env bash
# Recommendations by user id against the same history sent by the client (issue 17): one server, requests
# from `seqrec loadtest` at concurrency 1, rounds alternating {"history": [...]} and {"user": ID} (the
# server reads the history from the run's SQLite store), ROUNDS rounds; medians of each kind's p50/p99.
# The run must keep histories (trained by this version of seqrec). Writes bench/results/serve-user-latency.{json,md}.
#   RUN=runs/convformer-beauty DATA=../shared/data/fmlp/Beauty.txt bash bench/serve-user-latency.sh
# A quick run to measure with (the weights' quality does not matter for latency):
#   bin/seqrec train --model convformer --data ../shared/data/fmlp/Beauty.txt --out bench/out/user-latency-run \
#     --epochs 1 --param max_batches=5 --no-eval --threads 1
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:-bench/out/user-latency-run}
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
PORT=${PORT:-18081}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-2000}
WARMUP=${WARMUP:-2000}
OUT=bench/out/serve-user
mkdir -p "$OUT" bench/results
LINES="$OUT/lines.jsonl"
: > "$LINES"
bin/seqrec --version > /dev/null
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
bin/seqrec serve --run "$RUN" --port "$PORT" --threads "$THREADS" --max-batch 1 > "$OUT/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --requests "$WARMUP" --warmup 0 --label warmup > /dev/null
bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --requests "$WARMUP" --warmup 0 --by-user --label warmup > /dev/null
for r in $(seq 1 "$ROUNDS"); do
  bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --concurrency 1 --requests "$REQUESTS" --warmup 0 \
    --label history --json "$LINES" > /dev/null
  bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --concurrency 1 --requests "$REQUESTS" --warmup 0 \
    --by-user --label user --json "$LINES" > /dev/null
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$LINES" "$RUN" "$LOAD_BEFORE" "$LOAD_AFTER" "$THREADS" "$(git rev-parse --short HEAD)" <<'PY'
import json, statistics, subprocess, sys
lines, run, before, after, threads, commit = sys.argv[1:]
rows = [json.loads(l) for l in open(lines) if l.strip()]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
machine = f"{cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
kinds = {}
for label in ("history", "user"):
    rs = [r for r in rows if r["label"] == label]
    kinds[label] = {k: statistics.median(r[k] for r in rs) for k in ("p50_ms", "p90_ms", "p99_ms", "throughput_rps")}
    kinds[label]["errors"] = sum(r["errors"] for r in rs)
    kinds[label]["rounds"] = len(rs)
diff = kinds["user"]["p99_ms"] - kinds["history"]["p99_ms"]
out = {"run": run, "machine": machine, "server_threads": int(threads), "commit": commit, "load_before": before, "load_after": after,
       "medians": kinds, "p99_user_minus_history_ms": diff, "rounds": rows}
json.dump(out, open("bench/results/serve-user-latency.json", "w"), indent=1)
md = ["# Recommendations by user id against by history (bench/serve-user-latency.sh)", "",
      f"`{run}`, one server (engine threads {threads}, micro-batching off), concurrency 1, {len(rows) // 2} interleaved rounds of"
      f" {rows[0]['requests']} requests per kind; medians over rounds. Commit {commit}, {machine}; load average {before} before,"
      f" {after} after (other jobs on the machine inflate both kinds alike).", "",
      "| request | p50 (ms) | p90 (ms) | p99 (ms) | throughput (req/s) | errors |", "|---|---:|---:|---:|---:|---:|"]
for label, k in kinds.items():
    md.append(f"| {label} | {k['p50_ms']:.2f} | {k['p90_ms']:.2f} | {k['p99_ms']:.2f} | {k['throughput_rps']:.0f} | {k['errors']} |")
md += ["", f"p99 by user id minus p99 by history: {diff:+.2f} ms (target: at most +1 ms)."]
open("bench/results/serve-user-latency.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
