#!/usr/bin/env bash
# Heap that `seqrec data convert` needs for the Xbox-size synthetic log (bench/xbox-scale.sh makes it): for each
# heap limit in HEAPS, whether the conversion of the commit BEFORE (a git worktree, see bench/ab-epoch-time.sh)
# and of this checkout finishes or runs out of memory, with its seconds and peak RSS. Run on an otherwise idle
# machine. Writes bench/results/convert-heap.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${BEFORE:?commit to compare against}
HEAPS=${HEAPS:-"768m 1g 1536m"}
LOG=${LOG:-bench/out/xbox-1/log.csv}
[ -s "$LOG" ] || { echo "no $LOG: run SCALE=1 bench/xbox-scale.sh first" >&2; exit 2; }
OUT=bench/out/convert-heap
mkdir -p "$OUT" bench/results
WT=$(bench/before-worktree.sh "$BEFORE")
LINES="$OUT/runs.jsonl"
: > "$LINES"
for heap in $HEAPS; do
  for side in before after; do
    launcher=bin/seqrec
    [ $side = before ] && launcher="$WT/bin/seqrec"
    set +e
    SEQREC_JAVA_OPTS="-Xmx$heap" /usr/bin/time -v "$launcher" -q data convert --data "$LOG" --user-col user --item-col item \
      --time-col time --out "$OUT/$side.txt" > "$OUT/$side-$heap.log" 2> "$OUT/$side-$heap.err"
    rc=$?
    set -e
    python3 - "$OUT/$side-$heap.err" "$side" "$heap" "$rc" >> "$LINES" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*?: (.*)", t).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
print(json.dumps({"side": sys.argv[2], "heap": sys.argv[3], "ok": sys.argv[4] == "0", "oom": "OutOfMemoryError" in t,
                  "seconds": round(secs, 1), "peak_rss_mb": round(rss), "load1": open("/proc/loadavg").read().split()[0]}))
PY
    tail -1 "$LINES" >&2
  done
done
python3 - "$LINES" bench/results/convert-heap "$(git rev-parse --short "$BEFORE")" "$(git rev-parse --short HEAD)" "$LOG" <<'PY'
import json, os, platform, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
prefix, before, after, log = sys.argv[2:6]
n = sum(1 for _ in open(log)) - 1
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
json.dump({"machine": f"{cpu}, {os.cpu_count()} cores", "before": before, "after": after, "rows": n, "runs": rows}, open(prefix + ".json", "w"), indent=1)
with open(prefix + ".md", "w") as f:
    f.write(f"`seqrec data convert` of a {n:,}-row synthetic log (the Xbox set's size) under a heap limit, {before} (before) and {after} (after)"
            f" (`bench/convert-heap.sh`). Machine: {cpu}, {os.cpu_count()} cores.\n\n| -Xmx | side | result | seconds | peak RSS MB | load |\n|---|---|---|---:|---:|---|\n")
    for r in rows:
        res = "ok" if r["ok"] else ("OutOfMemoryError" if r["oom"] else "failed")
        f.write(f"| {r['heap']} | {r['side']} | {res} | {r['seconds']} | {r['peak_rss_mb']} | {r['load1']} |\n")
print(open(prefix + ".md").read())
PY
