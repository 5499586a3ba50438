#!/usr/bin/env bash
# How dropout masks are drawn (Nn.DropoutMasks: uniform, the engine's generator; engine, the engine's dropout
# operator; host, drawn on the host, the default): seconds of MAX_BATCHES SAR training steps on Beauty (prefix
# regime, Table C3 settings, 1 engine thread), REPEATS times each, interleaved; the loss after those
# steps shows the runs train alike. Run on an otherwise idle machine. Writes bench/results/dropout-masks.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
MODEL=${MODEL:-sar}
MAX_BATCHES=${MAX_BATCHES:-150}
REPEATS=${REPEATS:-3}
OUT=${OUT:-bench/out/dropout-masks}
mkdir -p "$OUT" bench/results
LINES="$OUT/runs.jsonl"
: > "$LINES"
for rep in $(seq 1 "$REPEATS"); do
  for masks in engine uniform host; do
    dir="$OUT/$masks-$rep"
    SEQREC_JAVA_OPTS="-Dseqrec.dropout=$masks" bin/seqrec -q train --model "$MODEL" --data "$DATA" --out "$dir" --overwrite \
      --no-eval --epochs 1 --threads 1 --param max_batches="$MAX_BATCHES" > /dev/null
    python3 -c "import json,sys; h=json.loads(open(sys.argv[1]).readline()); print(json.dumps({'masks': sys.argv[2], 'repeat': int(sys.argv[3]), 'train_seconds': h['train_seconds'], 'loss': h['loss']}))" \
      "$dir/history.jsonl" "$masks" "$rep" >> "$LINES"
  done
done
python3 - "$LINES" "$MODEL" "$MAX_BATCHES" <<'PY'
import json, os, platform, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
machine = f"{cpu}, {os.cpu_count()} cores"
by = {}
for r in rows:
    by.setdefault(r["masks"], []).append(r)
summary = {m: {"median_train_seconds": statistics.median(x["train_seconds"] for x in rs), "loss": rs[0]["loss"],
               "runs": len(rs)} for m, rs in by.items()}
ref = summary["engine"]["median_train_seconds"]
json.dump({"benchmark": f"{sys.argv[2]}: {sys.argv[3]} training steps on Beauty, 1 engine thread, by dropout masks",
           "machine": machine, "runs": rows, "summary": summary}, open("bench/results/dropout-masks.json", "w"), indent=2)
md = [f"{sys.argv[2]} on Beauty: seconds of {sys.argv[3]} training steps (prefix regime, Table C3 settings, 1 engine thread),"
      f" median of {summary['engine']['runs']} interleaved runs per way of drawing dropout masks (`-Dseqrec.dropout=...`),"
      f" and the mean training loss over those steps. Machine: {machine}.\n",
      "| masks | median s | vs engine | loss |", "|---|---:|---:|---:|"]
for m, s in summary.items():
    md.append(f"| {m}{' (default)' if m == 'host' else ''} | {s['median_train_seconds']:.2f} | {ref / s['median_train_seconds']:.2f}x | {s['loss']:.4f} |")
open("bench/results/dropout-masks.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
