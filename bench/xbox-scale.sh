#!/usr/bin/env bash
# ConvFormer at the ConvFormer paper's industrial scale (its Xbox set: 674K users, 19.3M actions, 40K items) on
# this machine, from a synthetic log of that size (SyntheticLog; SCALE 1 = full size, 0.1, 0.01 ...):
#  1. `seqrec data convert` of the CSV log: seconds and peak RSS;
#  2. `seqrec train` (Table C3 settings, K 45, circular, THREADS threads) cut to MAX_BATCHES batches: seconds
#     per batch, the start-up before the first batch (data loading, negatives), and the epoch extrapolated to
#     all its batches (Σ_u min(train length, 50) samples / 256), with the start-up included; the epoch's
#     validation pass (full ranking over 40K items, the default protocol) is reported beside it.
# VALIDATE=0 skips the validation pass (5 min at full size). Run on an otherwise idle machine. Writes
# bench/results/xbox-scale.{json,md} (a row per SCALE and label).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-1}
MAX_BATCHES=${MAX_BATCHES:-200}
THREADS=${THREADS:-2}
LABEL=${LABEL:-$(git rev-parse --short HEAD)}
OUT=bench/out/xbox-$SCALE
mkdir -p "$OUT" bench/results
USERS=$(python3 -c "print(round(674000 * $SCALE))")
ACTIONS=$(python3 -c "print(round(19300000 * $SCALE))")
CP=${CP:-$(bench/test-classpath.sh)}
if [ ! -s "$OUT/log.csv" ]; then
  java -cp "$CP" org.seqrec.bench.SyntheticLog "$OUT/log.csv.tmp" "$USERS" "$ACTIONS" 40000 11 && mv "$OUT/log.csv.tmp" "$OUT/log.csv"
fi
source bench/measure.sh
select=()
[ "${VALIDATE:-1}" = 0 ] && select=(--param select=none) # VALIDATE=0: no validation pass (its column says so)
bin/seqrec --version > /dev/null
read -r CONVERT_S CONVERT_MB < <(measure "$OUT/convert.log" bin/seqrec -q data convert --data "$OUT/log.csv" --user-col user \
  --item-col item --time-col time --out "$OUT/xbox.txt")
read -r TRAIN_WALL TRAIN_MB < <(measure "$OUT/train.log" bin/seqrec -q train --model convformer --data "$OUT/xbox.txt" \
  --out "$OUT/run" --overwrite --no-eval --kernel 45 --padding circular --epochs 1 --threads "$THREADS" --param max_batches="$MAX_BATCHES" \
  "${select[@]}")
python3 - "$OUT" "$LABEL" "$SCALE" "$CONVERT_S" "$CONVERT_MB" "$TRAIN_WALL" "$TRAIN_MB" "$THREADS" bench/results/xbox-scale <<'PY'
import json, os, platform, sys
out, label, scale, conv_s, conv_mb, train_wall, train_mb, threads, prefix = sys.argv[1:10]
h = json.loads(open(os.path.join(out, "run", "history.jsonl")).readline())
lengths = [len(l.split()) - 1 for l in open(os.path.join(out, "xbox.txt"))]
samples = sum(max(0, min(n - 2, 50)) for n in lengths)
batches = -(-samples // 256)
per_batch = h["train_seconds"] / h["batches"]
startup = float(train_wall) - h["seconds"]  # JVM, data, negatives (the epoch's own validation excluded)
valid_s = h["seconds"] - h["train_seconds"] if h.get("valid") else None
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
row = {"label": label, "scale": float(scale), "users": len(lengths), "actions": sum(lengths), "batches_per_epoch": batches,
       "convert_seconds": float(conv_s), "convert_peak_mb": float(conv_mb), "timed_batches": h["batches"],
       "seconds_per_batch": per_batch, "train_startup_seconds": startup, "validation_seconds": valid_s, "train_peak_mb": float(train_mb),
       "epoch_hours": (startup + per_batch * batches) / 3600, "threads": int(threads), "load1": open("/proc/loadavg").read().split()[0]}
path = prefix + ".json"
rows = [r for r in (json.load(open(path))["rows"] if os.path.exists(path) else []) if (r["label"], r["scale"]) != (label, row["scale"])]
rows.append(row)
json.dump({"machine": f"{cpu}, {os.cpu_count()} cores", "rows": rows}, open(path, "w"), indent=1)
with open(prefix + ".md", "w") as f:
    f.write("ConvFormer at the Xbox set's scale (synthetic log, `bench/xbox-scale.sh`; K 45, circular, batch 256)."
            f" Machine: {cpu}, {os.cpu_count()} cores. The epoch is extrapolated from the timed batches, start-up included.\n\n")
    f.write("| label | scale | users | actions | convert s | convert peak MB | s / batch | start-up s | batches / epoch | epoch (h) | validation pass s (full ranking) | threads | load |\n")
    f.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    for r in rows:
        f.write(f"| {r['label']} | {r['scale']:g} | {r['users']} | {r['actions']} | {r['convert_seconds']:.0f} | {r['convert_peak_mb']:.0f} |"
                f" {r['seconds_per_batch']:.3f} | {r['train_startup_seconds']:.0f} | {r['batches_per_epoch']} | {r['epoch_hours']:.2f} |"
                f" {'not run' if r['validation_seconds'] is None else format(r['validation_seconds'], '.0f')} | {r['threads']} | {r['load1']} |\n")
print(open(prefix + ".md").read())
PY
