#!/usr/bin/env bash
# The embedded store for per-user histories (serving by user id): SQLite, H2 and DuckDB through the same
# JDBC statements (src/test/java/org/seqrec/bench/HistoryStoreBenchmark.java) on a benchmark dataset:
# build the store (one row per event), look up random users' histories, append single events each in its
# own durable transaction, reopen. Writes bench/results/history-store.{json,md}; medians over REPEATS.
#   DATA=../shared/data/fmlp/Beauty.txt LOOKUPS=20000 APPENDS=2000 REPEATS=3 bash bench/history-store.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
LOOKUPS=${LOOKUPS:-20000}
APPENDS=${APPENDS:-2000}
REPEATS=${REPEATS:-3}
mkdir -p bench/results bench/out
if [ -z "${REPORT_ONLY:-}" ]; then # REPORT_ONLY=1: rewrite the results from bench/out/history-store.json
  CP=$(bash bench/test-classpath.sh)
  cut -d' ' -f1-3 /proc/loadavg > bench/out/history-store.load
  java -Xmx4g -cp "$CP" org.seqrec.bench.HistoryStoreBenchmark "$DATA" bench/out/history-store "$LOOKUPS" "$APPENDS" "$REPEATS"
  cut -d' ' -f1-3 /proc/loadavg >> bench/out/history-store.load
fi
LOAD_BEFORE=$(sed -n 1p bench/out/history-store.load)
LOAD_AFTER=$(sed -n 2p bench/out/history-store.load)
python3 - "$LOAD_BEFORE" "$LOAD_AFTER" "$(git rev-parse --short HEAD)" <<'PY'
import json, statistics, sys, platform, os
r = json.load(open('bench/out/history-store.json'))
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
stores = []
for name in dict.fromkeys(x['store'] for x in r['runs']):
    runs = [x for x in r['runs'] if x['store'] == name]
    med = {k: statistics.median(x[k] for x in runs) for k in ('build_s', 'file_mb', 'lookup_p50_us', 'lookup_p99_us', 'append_p50_us', 'append_p99_us', 'reopen_ms')}
    med['store'] = name
    stores.append(med)
out = {'data': r['data'], 'users': r['users'], 'events': r['events'], 'lookups': r['lookups'], 'appends': r['appends'],
       'repeats': r['repeats'], 'machine': f"{cpu}, {os.cpu_count()} cores", 'load_before': sys.argv[1], 'load_after': sys.argv[2],
       'commit': sys.argv[3], 'medians': stores, 'runs': r['runs']}
json.dump(out, open('bench/results/history-store.json', 'w'), indent=2)
md = [f"# Per-user history store: candidates (bench/history-store.sh)", "",
      f"{r['data']}: {r['users']:,} users, {r['events']:,} events, one row per event; {r['lookups']:,} lookups of random users'"
      f" histories, {r['appends']:,} appends of one event each in its own durable transaction; medians of {r['repeats']} runs in one JVM"
      f" (interleaved). Commit {sys.argv[3]}, {out['machine']}; load average {sys.argv[1]} before, {sys.argv[2]} after.", "",
      "| store | build s | file MB | lookup p50 µs | lookup p99 µs | append p50 µs | append p99 µs | reopen ms |",
      "|---|---:|---:|---:|---:|---:|---:|---:|"]
for s in stores:
    md.append(f"| {s['store']} | {s['build_s']:.2f} | {s['file_mb']:.1f} | {s['lookup_p50_us']:.0f} | {s['lookup_p99_us']:.0f} | {s['append_p50_us']:.0f} | {s['append_p99_us']:.0f} | {s['reopen_ms']:.0f} |")
best = lambda key: min(stores, key=lambda s: s[key])
md += ["", f"Lowest lookup p99: {best('lookup_p99_us')['store']}; lowest lookup p50: {best('lookup_p50_us')['store']};"
           f" fastest build: {best('build_s')['store']}; smallest file: {best('file_mb')['store']}; lowest append p99:"
           f" {best('append_p99_us')['store']}. A user-id request reads one history (a lookup) and scores it as a history request does,"
           " so the lookup is what it adds to a history request's latency.", "", "Every run:", "", open('bench/out/history-store-runs.md').read()]
open('bench/results/history-store.md', 'w').write('\n'.join(md) + '\n')
print('\n'.join(md[:12]))
PY
