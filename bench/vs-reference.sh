#!/usr/bin/env bash
# seqrec against the ConvFormer authors' own PyTorch code, side by side on this machine (issue 20): seconds per
# training batch of ConvFormer on Beauty (Table C3 settings: batch 256, L 50, D 64, 2 blocks, K 45, circular
# padding), THREADS engine threads each, BATCHES batches after warm-up, REPS interleaved runs of each side.
# The authors' side is their unchanged PairwiseTrainer.iteration (bench/vs-reference/authors_steps.py: their
# tensorboard writer replaced by a no-op, 0 data-loader workers, batches built before timing, so compute only);
# seqrec's side is `seqrec train --param max_batches=BATCHES` (train seconds of the epoch, batch building
# included). PyTorch comes from Debian's python3-torch (installed here when missing, with python3-scipy that
# their utils import). Run on an otherwise idle machine. Writes bench/results/vs-reference.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${REF:-../shared/reference/convformer-authors}
DATA=${DATA:-../shared/data/fmlp/Beauty.txt}
BATCHES=${BATCHES:-60}
REPS=${REPS:-3}
THREADS=${THREADS:-2}
KERNEL=${KERNEL:-45}
PY=/usr/bin/python3
if ! $PY -c "import torch, scipy" 2>/dev/null; then
  echo "installing Debian's python3-torch and python3-scipy ..." >&2
  ${SUDO:-$(command -v sudo >/dev/null && [ "$(id -u)" != 0 ] && echo sudo)} apt-get install -y python3-torch python3-scipy >&2
fi
OUT=bench/out/vs-reference
mkdir -p "$OUT" bench/results
LINES="$OUT/runs.jsonl"
: > "$LINES"
for rep in $(seq 1 "$REPS"); do
  $PY bench/vs-reference/authors_steps.py "$REF" "$DATA" "$BATCHES" "$THREADS" "$KERNEL" 0 2>/dev/null | tail -1 \
    | $PY -c "import json,sys; r=json.loads(sys.stdin.read()); r['rep']=$rep; r['load1']=open('/proc/loadavg').read().split()[0]; print(json.dumps(r))" >> "$LINES"
  bin/seqrec -q train --model convformer --data "$DATA" --out "$OUT/seqrec" --overwrite --no-eval --kernel "$KERNEL" \
    --padding circular --epochs 1 --threads "$THREADS" --param max_batches="$BATCHES" > /dev/null
  $PY - "$OUT/seqrec/history.jsonl" "$rep" "$THREADS" >> "$LINES" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).readline())
print(json.dumps({"side": "seqrec", "batches": h["batches"], "seconds_per_batch": h["train_seconds"] / h["batches"],
                  "threads": int(sys.argv[3]), "rep": int(sys.argv[2]), "load1": open("/proc/loadavg").read().split()[0]}))
PY
  tail -2 "$LINES" >&2
done
$PY - "$LINES" bench/results/vs-reference "$KERNEL" <<'PY'
import json, os, platform, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
prefix, kernel = sys.argv[2], sys.argv[3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
side = {s: [r for r in rows if r["side"] == s] for s in ("authors", "seqrec")}
med = {s: statistics.median(r["seconds_per_batch"] for r in v) for s, v in side.items()}
ratios = [a["seconds_per_batch"] / b["seconds_per_batch"] for a, b in zip(side["authors"], side["seqrec"])]
epoch = side["authors"][0]["epoch_batches"]
out = {"machine": f"{cpu}, {os.cpu_count()} cores", "threads": rows[0]["threads"], "batches": rows[0]["batches"],
       "kernel": int(kernel), "torch": side["authors"][0]["torch"], "epoch_batches": epoch, "runs": rows,
       "median_seconds_per_batch": med, "ratio_per_rep": ratios, "median_ratio": statistics.median(ratios)}
json.dump(out, open(prefix + ".json", "w"), indent=1)
with open(prefix + ".md", "w") as f:
    f.write(f"ConvFormer training on Beauty (batch 256, L 50, D 64, 2 blocks, K {kernel}, circular), the ConvFormer authors' code"
            f" (PyTorch {out['torch']}, Debian) against seqrec, {out['threads']} threads each, {out['batches']} batches after warm-up,"
            f" {len(ratios)} interleaved runs (`bench/vs-reference.sh`). Machine: {out['machine']}.\n\n")
    f.write("| run | authors s/batch | seqrec s/batch | authors / seqrec | load (1 min) |\n|---:|---:|---:|---:|---|\n")
    for a, b, r in zip(side["authors"], side["seqrec"], ratios):
        f.write(f"| {a['rep']} | {a['seconds_per_batch']:.3f} | {b['seconds_per_batch']:.3f} | {r:.2f}x | {a['load1']}, {b['load1']} |\n")
    f.write(f"| median | {med['authors']:.3f} | {med['seqrec']:.3f} | {out['median_ratio']:.2f}x | |\n\n")
    f.write(f"An epoch is {epoch} batches: {med['authors'] * epoch:.0f} s for the authors' code, {med['seqrec'] * epoch:.0f} s for seqrec"
            " (compute only on the authors' side: their batches are built before timing; seqrec's figure includes building them).\n")
print(open(prefix + ".md").read())
PY
