#!/usr/bin/env bash
# Wall time of `bin/seqrec quickstart` (ConvFormer 8 epochs and PopRec on the bundled Beauty subset),
# the figure behind the README's "about 2 minutes": the jar is built first (not timed), then the
# quickstart runs into a fresh directory. Records the machine, its cores and the load average before
# and after, since the time grows with whatever else runs. Writes bench/results/quickstart-time.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out bench/results
bin/seqrec --version >/dev/null # build the jar if needed, untimed
OUT=bench/out/quickstart-time
rm -rf "$OUT"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s.%N)
bin/seqrec quickstart --out "$OUT" > bench/out/quickstart-time.log 2>&1
END=$(date +%s.%N)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$START" "$END" "$LOAD_BEFORE" "$LOAD_AFTER" "$(git rev-parse --short HEAD)" <<'PY'
import json, os, platform, sys
start, end = float(sys.argv[1]), float(sys.argv[2])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
out = {"command": "bin/seqrec quickstart", "seconds": round(end - start, 1), "commit": sys.argv[5],
       "machine": f"{cpu}, {os.cpu_count()} cores", "load_before": sys.argv[3], "load_after": sys.argv[4]}
json.dump(out, open("bench/results/quickstart-time.json", "w"), indent=2)
md = (f"`bin/seqrec quickstart` (jar already built): {out['seconds']:.0f} s ({out['seconds'] / 60:.1f} min) at commit {out['commit']}"
      f" on {out['machine']}; load average (1, 5, 15 min) {out['load_before']} before, {out['load_after']} after"
      " (a load above the core count means other jobs shared the machine and the time is an upper bound).\n")
open("bench/results/quickstart-time.md", "w").write(md)
print(md)
PY
