#!/usr/bin/env bash
# Server abuse cases (issue 16) against a real `bin/seqrec serve` on loopback:
#   slow-clients   SLOW (500) slow connections (a body trickled a byte per 100 ms, a declared body never
#                  sent, headers never finished, nothing at all) while /health is timed every 200 ms
#                  on fresh connections; every slow connection must be closed by the server in time
#   amplification  one batch of 5,000 copies of {"history": ["1","2"], "k": 2563}, 500 with k 1000: 413 before scoring
#   reload-abuse   /v1/reload without a token, with a wrong one, cross-origin, foreign Host, text/plain,
#                  /etc/passwd, ../: 401/403/415 and nothing of the file; then a good reload: 200
#   soak           SOAK (20,000) requests (60 % good single, 10 % good batches, 30 % bad input) from 8
#                  clients after WARM (5,000) alike; the server's RSS (VmRSS of /proc/PID/status) after the
#                  warm-up and after the soak
#   loadtest-url   `seqrec loadtest` at notaurl, file:///etc/passwd (exit 2) and a closed port (exit 1),
#                  none of them writing a JSON line
# Writes bench/results/reliability-serve.{json,md} (only when every case ran). Needs a trained run:
#   RUN=bench/out/tiny bench/reliability-serve.sh     (trained here first if missing: convformer, 1 epoch)
# Not a timing benchmark: the load generator shares the machine with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${RUN:-bench/out/tiny}
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
PORT=${PORT:-18090}
THREADS=${THREADS:-1}        # engine threads of the server
SLOW=${SLOW:-500}
SOAK=${SOAK:-20000}
WARM=${WARM:-5000}
SLOW_SECONDS=${SLOW_SECONDS:-10}
IDLE_MS=${IDLE_MS:-8000}
BODY_MS=${BODY_MS:-3000}
OUT=bench/out/reliability
mkdir -p "$OUT" bench/results
LINES="$OUT/cases.jsonl"
: > "$LINES"

if [ ! -f "$RUN/config.json" ] || [ ! -d "$RUN/model" ]; then
  bin/seqrec train --model convformer --data "$DATA" --out "$RUN" --epochs 1 --threads 1 -q
fi
CP=$(bench/test-classpath.sh)
bench_main() { java -cp "$CP" org.seqrec.bench.ServeReliability "$@"; }

TOKEN_FILE="$OUT/admin-token"
( umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN_FILE" )
TOKEN=$(cat "$TOKEN_FILE")

server=""
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=""; }
trap stop_server EXIT
bin/seqrec serve --run "$RUN" --port "$PORT" --threads "$THREADS" --admin-token-file "$TOKEN_FILE" \
  --idle-timeout-ms "$IDLE_MS" --body-timeout-ms "$BODY_MS" > "$OUT/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/health" > /dev/null || { echo "server did not start; see $OUT/serve.log" >&2; exit 1; }
rss() { awk '/^VmRSS/ {print $2 * 1024}' "/proc/$server/status"; }

echo "slow clients ($SLOW) ..." >&2
bench_main slow "$PORT" "$SLOW" "$SLOW_SECONDS" $((IDLE_MS + BODY_MS + 5000)) >> "$LINES"
echo "batch amplification ..." >&2
bench_main amplify "$PORT" 5000 2563 >> "$LINES"   # over --max-batch-requests
bench_main amplify "$PORT" 500 1000 >> "$LINES"    # within it and --max-k, over --max-batch-items

echo "reload abuse ..." >&2
u="http://127.0.0.1:$PORT/v1/reload"
good="{\"run\": \"$RUN\"}"
tried=0; failed=0; fives=0; leaked=0
check() { # expected-status curl-args...
  local want=$1; shift
  local body status
  body=$(curl -s -o - -w '\n%{http_code}' "$@" "$u") || true
  status=${body##*$'\n'}; body=${body%$'\n'*}
  tried=$((tried + 1))
  [ "$status" = "$want" ] || { failed=$((failed + 1)); echo "  reload: wanted $want, got $status: $body" >&2; }
  [ "${status:0:1}" = "5" ] && fives=$((fives + 1))
  if grep -q 'root:' <<<"$body"; then leaked=$((leaked + 1)); fi
}
J=(-H "Content-Type: application/json")
A=(-H "Authorization: Bearer $TOKEN")
check 401 "${J[@]}" -d "$good"
check 401 "${J[@]}" -H "Authorization: Bearer not-the-token-0000000000" -d "$good"
check 403 "${J[@]}" "${A[@]}" -H "Origin: http://evil.example" -d "$good"
check 403 "${J[@]}" "${A[@]}" -H "Host: evil.example:$PORT" -d "$good"
check 415 -H "Content-Type: text/plain" "${A[@]}" -d "$good"
check 403 "${J[@]}" "${A[@]}" -d '{"run": "/etc/passwd"}'
check 403 "${J[@]}" "${A[@]}" -d "{\"run\": \"$RUN/../../../../etc\"}"
check 200 "${J[@]}" "${A[@]}" -d "$good"
python3 -c "import json,sys; print(json.dumps({'case': 'reload-abuse', 'tried': $tried, 'failures': $failed, 'server_errors_5xx': $fives, 'file_content_leaked': $leaked}))" >> "$LINES"

echo "soak ($SOAK requests) ..." >&2
ITEMS=$(head -c 200000 "$RUN/item_map.tsv" | awk -F'\t' 'NR <= 400 {print $2}' | tr '\n' ' ')
[ -n "$ITEMS" ] || ITEMS="1 2 3"
rss_start=$(rss)
# shellcheck disable=SC2086
bench_main soak "$PORT" "$WARM" 8 $ITEMS > "$OUT/warm.json"
rss_before=$(rss)
# shellcheck disable=SC2086
bench_main soak "$PORT" "$SOAK" 8 $ITEMS > "$OUT/soak.json"
rss_after=$(rss)
python3 -c "import json,sys; o=json.load(open('$OUT/soak.json')); o['rss_start_bytes']=$rss_start; o['rss_before_bytes']=$rss_before; o['rss_after_bytes']=$rss_after; print(json.dumps(o))" >> "$LINES"
health_after=$(curl -s -m 5 "http://127.0.0.1:$PORT/health" || echo '{}')
stop_server

echo "loadtest at bad URLs ..." >&2
lt_tried=0; lt_failed=0
for spec in "notaurl:2" "file:///etc/passwd:2" "http://127.0.0.1:1:1"; do
  url=${spec%:*}; want=${spec##*:}
  rm -f "$OUT/loadtest.jsonl"
  set +e
  bin/seqrec -q loadtest --url "$url" --data "$DATA" --requests 20 --warmup 0 --json "$OUT/loadtest.jsonl" > "$OUT/loadtest.out" 2>&1
  code=$?
  set -e
  lt_tried=$((lt_tried + 1))
  if [ "$code" != "$want" ] || [ -f "$OUT/loadtest.jsonl" ] || grep -q 'req/s' "$OUT/loadtest.out"; then
    lt_failed=$((lt_failed + 1)); echo "  loadtest $url: exit $code (wanted $want)" >&2; cat "$OUT/loadtest.out" >&2
  fi
done
python3 -c "import json; print(json.dumps({'case': 'loadtest-bad-url', 'tried': $lt_tried, 'failures': $lt_failed}))" >> "$LINES"

python3 - "$LINES" "$RUN" "$THREADS" "$health_after" "bench/results/reliability-serve" <<'PY'
import json, os, subprocess, sys
lines, run, threads, health_after, out = sys.argv[1:]
cases = {c["case"]: c for c in (json.loads(l) for l in open(lines) if l.strip())}
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
machine = f"{cpu}, {os.cpu_count()} cores"
load = open("/proc/loadavg").read().split()[:3]
s, r, k, l = cases["slow-clients"], cases["reload-abuse"], cases["soak"], cases["loadtest-bad-url"]
amp = [cases["batch-amplification-5000"], cases["batch-amplification-500"]]
rows = [
    ("slow clients + /health under 1 s", f"{s['slow_clients']} slow, {s['health_checks']} health checks",
     s["health_failures"] + s["health_over_1s"] + s["slow_still_open_after_bound"] + s["connect_failures"],
     s["server_errors_5xx_other_than_503"], "n.a."),
    ("batch amplification (5,000 x k 2563, 500 x k 1000)", "2", sum(a["status"] != 413 for a in amp), sum(a["status"] >= 500 for a in amp), "n.a."),
    ("reload abuse", str(r["tried"]), r["failures"] + r["file_content_leaked"], r["server_errors_5xx"], "n.a."),
    ("soak (60 % good single, 10 % good batch, 30 % bad)", str(k["requests"]), k["transport_errors"] + k["unexpected_status"], k["server_errors_5xx"],
     str(k["transport_errors"] + sum(v for key, v in k["by_kind_and_status"].items()
                                      if key.split()[0] in ("single", "batch") and key.split()[1] != "200"))),
    ("loadtest at bad URLs", str(l["tried"]), l["failures"], 0, "n.a."),
]
result = {"run": run, "machine": machine, "load_average_at_end": load, "server_engine_threads": int(threads),
          "cases": list(cases.values()), "health_after": json.loads(health_after or "{}")}
json.dump(result, open(out + ".json", "w"), indent=1)
md = [f"# Serving reliability (issue 16): `{run}`", "",
      f"Machine: {machine}; load average at the end {' '.join(load)} (a training run shared the machine); server engine"
      f" threads {threads}; every client on the same machine (loopback). Made by `bench/reliability-serve.sh`.", "",
      "| case | tried | failures | 5xx seen | data lost |", "|---|---:|---:|---:|---|"]
md += [f"| {c} | {t} | {f} | {x} | {d} |" for c, t, f, x, d in rows]
md += ["",
       f"- Slow clients: /health p50 {s['health_p50_ms']} ms, max {s['health_max_ms']} ms; the slow connections ended as"
       f" {s['slow_client_outcomes']} (bound {s['close_bound_ms']} ms after opening; 503: refused while too many bodies"
       f" were being read); the last of each kind closed after {s['slowest_close_ms_by_kind']} ms.",
       *[f"- Amplification: {a['copies']:,} copies, {a['request_bytes']:,} bytes in, status {a['status']} in {a['ms']} ms,"
         f" {a['response_bytes']} bytes out: {a['error']}" for a in amp],
       f"- Soak: {k['requests']:,} requests in {k['seconds']:.1f} s; server RSS {k['rss_start_bytes'] / 2**20:.0f} MiB at the start,"
       f" {k['rss_before_bytes'] / 2**20:.0f} MiB after a warm-up of the same mix, {k['rss_after_bytes'] / 2**20:.0f} MiB after the soak;"
       f" by kind and status {k['by_kind_and_status']}.",
       "- Data lost: good requests of the soak not answered 200; the server keeps no data, so n.a. elsewhere."]
open(out + ".md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
