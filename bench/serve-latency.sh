#!/usr/bin/env bash
# Serving latency and bulk scoring (issue 8): `seqrec serve` on a trained run, loaded on loopback by
# `seqrec loadtest` (a fixed number of requests from C concurrent clients, each waiting for its
# answer; histories = the data file's users, cycled) at C = 1, 8, 32, with micro-batching off
# (--max-batch 1) and on (--max-batch 64, greedy: --max-wait-us 0, and with a 1 ms wait); then
# `seqrec score` for every user of the data file. Writes bench/results/NAME.{json,md}.
#   RUN=experiments/out/table3-convformer/runs/convformer-Beauty-sampled-seed42 bench/serve-latency.sh
# The load generator shares the machine with the server: on 2 cores the two compete for the CPU.
# Stop other work first (background training skews every number here).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:-experiments/out/table3-convformer/runs/convformer-Beauty-sampled-seed42}
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
NAME=${NAME:-serve-latency}
PORT=${PORT:-18080}
THREADS=${THREADS:-1}            # engine threads of the server
CONCURRENCY=${CONCURRENCY:-"1 8 32"}
REQUESTS=${REQUESTS:-2000}
WARMUP=${WARMUP:-2000}          # unmeasured requests first: connections open, the JIT done
OUT=bench/out/serve
mkdir -p "$OUT" bench/results
LINES="$OUT/$NAME.jsonl"
: > "$LINES"
GC_LINES="$OUT/$NAME-gc.jsonl"
: > "$GC_LINES"
# the server's GC collections and seconds so far, all collectors (its /metrics: jvm_gc_collection_seconds)
gc_totals() {
  { curl -sf "http://127.0.0.1:$PORT/metrics" || true; } | awk '/^jvm_gc_collection_seconds_count/ {n += $NF} /^jvm_gc_collection_seconds_sum/ {t += $NF}
    END {printf "%d %.6f\n", n, t}'
}

bin/seqrec --version > /dev/null # build once before timing anything
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg) # 1, 5, 15 min load averages when the timing starts
server=""
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=""; }
trap stop_server EXIT

for mode in "no-batching:--max-batch 1" "batching:--max-batch 64 --max-wait-us 0" "batching-1ms:--max-batch 64 --max-wait-us 1000"; do
  label=${mode%%:*}
  flags=${mode#*:}
  # shellcheck disable=SC2086
  bin/seqrec serve --run "$RUN" --port "$PORT" --threads "$THREADS" $flags > "$OUT/$label.log" 2>&1 &
  server=$!
  up=0
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && up=1 && break; sleep 0.5; done
  [ $up = 1 ] || { echo "server ($label) not up after 60 s: $OUT/$label.log" >&2; exit 1; }
  for c in $CONCURRENCY; do
    gc_before=$(gc_totals)
    bin/seqrec -q loadtest --url "http://127.0.0.1:$PORT" --data "$DATA" --concurrency "$c" --requests "$REQUESTS" \
      --warmup "$WARMUP" --label "$label" --json "$LINES"
    # the server's garbage collections during the loadtest call (its warm-up requests included)
    echo "{\"label\": \"$label\", \"concurrency\": $c, \"before\": [${gc_before// /, }], \"after\": [$(gc_totals | sed 's/ /, /')]}" >> "$GC_LINES"
  done
  curl -s "http://127.0.0.1:$PORT/metrics" | grep '^seqrec_forward_batch_size_\(sum\|count\)' | sed "s/^/$label /" >> "$OUT/$label.batches"
  stop_server
done

score_log="$OUT/score.log"
bin/seqrec -q score --run "$RUN" --data "$DATA" --k 10 --out "$OUT/recs.csv" --threads "$THREADS" | tee "$score_log"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$LINES" "$score_log" "$RUN" "bench/results/$NAME" "$THREADS" "$LOAD_BEFORE" "$LOAD_AFTER" "$GC_LINES" <<'PY'
import json, platform, re, subprocess, sys
lines, score_log, run, out, threads, load_before, load_after, gc_lines = sys.argv[1:]
rows = [json.loads(l) for l in open(lines) if l.strip()]
gcs = {(g["label"], g["concurrency"]): g for g in (json.loads(l) for l in open(gc_lines) if l.strip())}
for r in rows:
    g = gcs.get((r["label"], r["concurrency"]))
    if g:
        r["server_gc_collections"] = g["after"][0] - g["before"][0]
        r["server_gc_seconds"] = g["after"][1] - g["before"][1]
m = re.search(r"scored (\d+) users in ([\d.]+) s \((\d+) users/s\)", open(score_log).read())
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
machine = f"{cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
result = {"run": run, "machine": machine, "server_threads": int(threads), "load_before": load_before, "load_after": load_after,
          "loadtest": rows,
          "bulk_scoring": {"users": int(m.group(1)), "seconds": float(m.group(2)), "users_per_second": int(m.group(3))} if m else None}
json.dump(result, open(out + ".json", "w"), indent=1)
md = [f"# Serving latency: `{run}`", "",
      f"Machine: {machine}; server engine threads {threads}; load generator on the same machine (loopback); "
      f"load average (1, 5, 15 min) {load_before} at the start, {load_after} at the end.", "",
      "| mode | concurrency | requests | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | errors | server GCs (warm-up included) | GC ms, mean per GC |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    md.append(f"| {r['label']} | {r['concurrency']} | {r['requests']} | {r['throughput_rps']:.0f} | {r['p50_ms']:.2f} | "
              f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.2f} | {r['errors']} | {r.get('server_gc_collections', '-')} | "
              + (f"{1000 * r['server_gc_seconds']:.0f}, {1000 * r['server_gc_seconds'] / r['server_gc_collections']:.1f} |" if r.get('server_gc_collections') else "- |"))
if result["bulk_scoring"]:
    b = result["bulk_scoring"]
    md += ["", f"Bulk scoring (`seqrec score`, k 10, batches of 256): {b['users']} users in {b['seconds']:.1f} s, "
               f"{b['users_per_second']} users/s."]
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
