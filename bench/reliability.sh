#!/usr/bin/env bash
# Reliability of run files (issue 16), the heavier cases that the default test run leaves out:
#   kill-loop    train killed with SIGKILL at random moments (KILLS times, checkpoint writes included), resumed
#                each time; the end result must equal an uninterrupted run's (results and weights, bit for bit)
#   full-disk    train into a small tmpfs that fills up: a clear error, exit 2, nothing half-written under a final
#                name; after space is freed, --resume finishes with the uninterrupted result (needs root for mount)
#   corruption   truncated / bit-flipped / emptied weights and a damaged checkpoint, against recommend, evaluate,
#                score, train --resume: every one must exit 2 with "seqrec: error:" and no stack trace
#   two-writers  two `train --resume` of one run started together: one trains, the other is refused at once
# Then bench/reliability-serve.sh (the server's abuse cases) when it exists. Writes
# bench/results/reliability.{json,md}: cases tried, failures, 5xx seen, data lost.
#   KILLS=20 bench/reliability.sh
set -uo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-20}
OUT=bench/out/reliability
LINES="$OUT/run-file-cases.jsonl" # reliability-serve.sh keeps its own cases.jsonl here
report() {
python3 - "$LINES" <<'EOF'
import json, os, platform, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
serve = "bench/results/reliability-serve.json"
serve_md = "bench/results/reliability-serve.md"
if os.path.exists(serve_md):  # its table: | case | tried | failures | 5xx seen | data lost |
    for line in open(serve_md):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and cells[0] not in ("case", "---") and not cells[0].startswith("-"):
            rows.append({"case": "serve: " + cells[0], "tried": cells[1], "failures": cells[2], "5xx": cells[3],
                         "data_lost": cells[4], "note": "bench/results/reliability-serve.md"})
load = open("/proc/loadavg").read().split()[:3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
out = {"machine": cpu, "cores": os.cpu_count(), "load_average": load, "cases": rows}
json.dump(out, open("bench/results/reliability.json", "w"), indent=2)
with open("bench/results/reliability.md", "w") as f:
    f.write("# Reliability (bench/reliability.sh)\n\n")
    f.write(f"Machine: {cpu}, {os.cpu_count()} cores; load average at the end {' '.join(load)}.\n\n")
    f.write("| case | tried | failures | 5xx | data lost | note |\n|---|---:|---:|---:|---:|---|\n")
    for r in rows:
        f.write(f"| {r['case']} | {r['tried']} | {r['failures']} | {r['5xx']} | {r['data_lost']} | {r['note']} |\n")
print(open("bench/results/reliability.md").read())
EOF
}
# REPORT_ONLY=1: rewrite the table from the last run's cases (and reliability-serve.md)
if [ "${REPORT_ONLY:-}" = 1 ]; then report; exit 0; fi
rm -rf "$OUT"; mkdir -p "$OUT" bench/results
: > "$LINES"
S=bin/seqrec
$S --version > /dev/null || exit 1 # build once first
head -400 ../shared/data/fmlp/Beauty.txt > "$OUT/small.txt"
DATA="$PWD/$OUT/small.txt"
TRAIN=(--model convformer --data "$DATA" --hidden 16 --max-len 20 --kernel 5 --epochs 30 --patience 30 --batch 64
  --threads 1 --protocol full -q)

case_line() { # name tried failures fivexx lost note
  printf '{"case":"%s","tried":%d,"failures":%d,"5xx":"%s","data_lost":%d,"note":"%s"}\n' "$1" "$2" "$3" "$4" "$5" "$6" >> "$LINES"
  echo "case $1: tried $2, failures $3, data lost $5 ($6)"
}
fingerprint() { # the result that must not change: test metrics and the weights' checksum
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]+"/results-full.json"))["test"], sort_keys=True))' "$1"
  sha256sum "$1/model/weights.bin" | cut -d' ' -f1
}

# --- reference: one uninterrupted run
$S train "${TRAIN[@]}" --out "$OUT/ref" > "$OUT/ref.log" 2>&1 || { echo "reference run failed"; exit 1; }
REF=$(fingerprint "$OUT/ref")

# --- kill loop: fresh runs, each killed at random moments and resumed until it finishes, until KILLS kills
kills=0; starts=0; failures=0; lost=0; runs=0
while [ $kills -lt "$KILLS" ] && [ $starts -lt $((KILLS * 4)) ]; do
  runs=$((runs + 1)); run="$OUT/killed-$runs"
  while [ ! -f "$run/manifest.json" ] && [ $starts -lt $((KILLS * 4)) ]; do
    if [ -f "$run/checkpoint/state.json" ]; then flags=(--resume); elif [ -d "$run" ]; then flags=(--overwrite); else flags=(); fi
    $S train "${TRAIN[@]}" --out "$run" "${flags[@]}" > "$OUT/kill-$starts.log" 2>&1 &
    pid=$!; starts=$((starts + 1))
    if [ $kills -lt "$KILLS" ]; then
      sleep "$(python3 -c 'import random; print(round(random.uniform(1.5, 7.0), 2))')"
      if kill -0 $pid 2>/dev/null; then
        kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; kills=$((kills + 1)); continue
      fi
    fi
    wait $pid; rc=$?
    [ $rc -ne 0 ] && { failures=$((failures + 1)); echo "kill-loop: a start exited $rc (see $OUT/kill-$((starts - 1)).log)"; }
  done
  [ "$(fingerprint "$run" 2>/dev/null)" == "$REF" ] || { lost=$((lost + 1)); echo "kill-loop: $run differs from the reference"; }
done
case_line kill-loop "$kills" "$failures" "n.a." "$lost" "$kills SIGKILLs over $starts starts in $runs runs; runs whose final result differs from the uninterrupted run: $lost"

# --- full disk
mnt="$OUT/disk"; mkdir -p "$mnt"
if mount -t tmpfs -o size=1500k tmpfs "$mnt" 2>/dev/null; then
  tried=1; failures=0; lost=0
  $S train "${TRAIN[@]}" --out "$mnt/run" > "$OUT/disk.log" 2>&1; rc=$?
  grep -q "seqrec: error:" "$OUT/disk.log" && [ $rc -eq 2 ] || { failures=$((failures + 1)); echo "full-disk: exit $rc without a clear error"; }
  grep -q "Exception\|	at " "$OUT/disk.log" && grep -v "seqrec: error" "$OUT/disk.log" | grep -q "	at " && failures=$((failures + 1))
  # nothing under a final name may be partial: every JSON parses, the manifest (if any) verifies
  for f in $(find "$mnt/run" -name '*.json' 2>/dev/null); do python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || lost=$((lost + 1)); done
  mount -o remount,size=64m "$mnt"
  flags=(); [ -f "$mnt/run/checkpoint/state.json" ] && flags=(--resume)
  [ -d "$mnt/run" ] && [ ${#flags[@]} -eq 0 ] && flags=(--overwrite)
  $S train "${TRAIN[@]}" --out "$mnt/run" "${flags[@]}" > "$OUT/disk-resume.log" 2>&1 || failures=$((failures + 1))
  [ "$(fingerprint "$mnt/run" 2>/dev/null)" == "$REF" ] || lost=$((lost + 1))
  umount "$mnt"
  case_line full-disk $tried $failures "n.a." $lost "1.5 MB tmpfs: train exit $rc; after remounting at 64 MB the run finished equal to the reference: $([ $lost -eq 0 ] && echo yes || echo NO)"
else
  case_line full-disk 0 0 "n.a." 0 "skipped: cannot mount a tmpfs here (needs root)"
fi

# --- corruption matrix
tried=0; failures=0
refuse() { # label, command...
  local label=$1; shift
  tried=$((tried + 1))
  "$@" > "$OUT/corrupt.log" 2>&1; local rc=$?
  if [ $rc -ne 2 ] || ! grep -q "seqrec: error:" "$OUT/corrupt.log" || grep -q "	at " "$OUT/corrupt.log"; then
    failures=$((failures + 1)); echo "corruption: $label exit $rc"; tail -3 "$OUT/corrupt.log"
  fi
}
for damage in truncate flip empty; do
  c="$OUT/c-$damage"; rm -rf "$c"; cp -r "$OUT/ref" "$c"; rm -f "$c/.lock"
  w="$c/model/weights.bin"
  case $damage in
    truncate) truncate -s $(( $(stat -c %s "$w") / 2 )) "$w" ;;
    flip) printf '\x55' | dd of="$w" bs=1 seek=700 conv=notrunc 2>/dev/null ;;
    empty) : > "$w" ;;
  esac
  refuse "$damage recommend" $S recommend --run "$c" --history 1,2 --k 3
  refuse "$damage evaluate" $S evaluate --run "$c" --protocol full --threads 1
  refuse "$damage score" $S score --run "$c" --data "$DATA" --out "$OUT/scores.csv" --threads 1
  rm -f "$c/manifest.json" # the weights' own checksum alone
  refuse "$damage recommend (no manifest)" $S recommend --run "$c" --history 1,2 --k 3
  c2="$OUT/k-$damage"; rm -rf "$c2"; cp -r "$OUT/ref" "$c2"; rm -f "$c2/.lock"
  ck=$(ls -d "$c2"/checkpoint/epoch-* | head -1)/adam.bin
  case $damage in
    truncate) truncate -s 100 "$ck" ;;
    flip) printf '\x55' | dd of="$ck" bs=1 seek=700 conv=notrunc 2>/dev/null ;;
    empty) : > "$ck" ;;
  esac
  refuse "$damage checkpoint resume" $S train "${TRAIN[@]}" --out "$c2" --resume
done
case_line corruption $tried $failures "n.a." 0 "each must exit 2 with seqrec: error: and no stack trace"

# --- two writers
w2="$OUT/two"; rm -rf "$w2"; cp -r "$OUT/ref" "$w2"; rm -f "$w2/.lock"
rm -rf "$w2/checkpoint"; $S train "${TRAIN[@]}" --out "$w2" --overwrite > /dev/null 2>&1 &
p1=$!; sleep 4
$S train "${TRAIN[@]}" --out "$w2" --resume > "$OUT/two.log" 2>&1; rc2=$?
wait $p1; rc1=$?
failures=0
[ $rc1 -eq 0 ] || failures=$((failures + 1))
{ [ $rc2 -eq 2 ] && grep -q "in use" "$OUT/two.log"; } || failures=$((failures + 1))
lost=0; [ "$(fingerprint "$w2")" == "$REF" ] || lost=1
case_line two-writers 1 $failures "n.a." $lost "first exit $rc1, second exit $rc2 ($(grep -o 'in use by another seqrec process' "$OUT/two.log" | head -1))"

# --- the server's cases
if [ -x bench/reliability-serve.sh ]; then
  bench/reliability-serve.sh || echo "reliability-serve.sh failed"
fi

report
