#!/usr/bin/env bash
# Scale of the data path, single JVM against Spark local mode, on synthetic logs the size of the ConvFormer
# paper's Xbox set times SCALES (default "0.01 0.1"; add 1 for the full 674K users / 19.3M actions / 40K items):
#  - preparation: `seqrec data convert` of the CSV, and `seqrec-spark prepare --master local[2]` of the same
#    rows in PARTS part files: wall seconds, peak RSS, and whether the outputs are byte-identical;
#  - the FMLP file rewritten as a .seqbin directory (seconds), and training's start-up before the first batch
#    reading each: the text file (with seconds per batch over MAX_BATCHES batches; ConvFormer, K 45, THREADS
#    threads) and the .seqbin directory (5 batches);
#  - scoring: users/s of `seqrec score` and of `seqrec-spark score --master local[2]` (top 10, the whole file);
#  - growth exponents: the slope of log(seconds) against log(actions) between the smallest and largest scale.
# Writes bench/results/scale.{json,md} (rows replaced per label and scale; SCALES= only rewrites the report). Run on an otherwise idle machine;
# the load average is recorded beside every row.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"0.01 0.1"}
PARTS=${PARTS:-8}
MAX_BATCHES=${MAX_BATCHES:-50}
THREADS=${THREADS:-2}
LABEL=${LABEL:-$(git rev-parse --short HEAD)}
CP=${CP:-$(bench/test-classpath.sh)}
bin/seqrec --version > /dev/null
bin/seqrec-spark --help > /dev/null
mkdir -p bench/results
source bench/measure.sh
for SCALE in $SCALES; do
  OUT=bench/out/scale-$SCALE
  mkdir -p "$OUT"
  USERS=$(python3 -c "print(round(674000 * $SCALE))")
  ACTIONS=$(python3 -c "print(round(19300000 * $SCALE))")
  if [ ! -s "$OUT/log.csv" ]; then
    java -cp "$CP" org.seqrec.bench.SyntheticLog "$OUT/log.csv.tmp" "$USERS" "$ACTIONS" 40000 11 && mv "$OUT/log.csv.tmp" "$OUT/log.csv"
  fi
  if [ ! -d "$OUT/parts" ]; then # the same rows as PARTS part files, each with the header (a table as Spark or Hive writes it)
    mkdir -p "$OUT/parts.tmp"
    tail -n +2 "$OUT/log.csv" > "$OUT/body.tmp"
    split -d -a 5 -n l/"$PARTS" --additional-suffix=.csv "$OUT/body.tmp" "$OUT/parts.tmp/part-" && rm "$OUT/body.tmp"
    for f in "$OUT"/parts.tmp/part-*.csv; do { head -1 "$OUT/log.csv"; cat "$f"; } > "$f.h" && mv "$f.h" "$f"; done
    mv "$OUT/parts.tmp" "$OUT/parts"
  fi
  COLS=(--user-col user --item-col item --time-col time)
  rm -rf "$OUT/single" "$OUT/spark" "$OUT/run" "$OUT/run-seqbin" "$OUT/scores.parquet"; mkdir -p "$OUT/single" "$OUT/spark"
  L_CONVERT=$(cut -d' ' -f1 /proc/loadavg)
  read -r CONVERT_S CONVERT_MB < <(measure "$OUT/convert.log" bin/seqrec -q data convert --data "$OUT/log.csv" "${COLS[@]}" \
    --out "$OUT/single/xbox.txt")
  L_SPARK=$(cut -d' ' -f1 /proc/loadavg)
  read -r SPARK_S SPARK_MB < <(measure "$OUT/spark-prepare.log" bin/seqrec-spark prepare --master 'local[2]' --data "$OUT/parts" \
    "${COLS[@]}" --out "$OUT/spark/xbox.txt")
  SAME=true
  for f in xbox.txt xbox.item_map.tsv xbox.user_map.tsv; do cmp -s "$OUT/single/$f" "$OUT/spark/$f" || SAME=false; done
  L_BIN=$(cut -d' ' -f1 /proc/loadavg)
  read -r BIN_S BIN_MB < <(measure "$OUT/seqbin.log" bin/seqrec -q data convert --data "$OUT/single/xbox.txt" --out "$OUT/single/xbox.seqbin")
  read -r BTRAIN_WALL BTRAIN_MB < <(measure "$OUT/train-seqbin.log" bin/seqrec -q train --model convformer --data "$OUT/single/xbox.seqbin" \
    --out "$OUT/run-seqbin" --overwrite --no-eval --param select=none --kernel 45 --padding circular --epochs 1 --threads "$THREADS" --param max_batches=5)
  L_TRAIN=$(cut -d' ' -f1 /proc/loadavg)
  read -r TRAIN_WALL TRAIN_MB < <(measure "$OUT/train.log" bin/seqrec -q train --model convformer --data "$OUT/single/xbox.txt" \
    --out "$OUT/run" --overwrite --no-eval --param select=none --kernel 45 --padding circular --epochs 1 --threads "$THREADS" --param max_batches="$MAX_BATCHES")
  L_SCORE=$(cut -d' ' -f1 /proc/loadavg)
  read -r SCORE_S SCORE_MB < <(measure "$OUT/score.log" bin/seqrec score --run "$OUT/run" --data "$OUT/single/xbox.txt" --k 10 \
    --threads "$THREADS" --out "$OUT/scores.csv")
  L_SSCORE=$(cut -d' ' -f1 /proc/loadavg)
  read -r SSCORE_S SSCORE_MB < <(SEQREC_SPARK_JAVA_OPTS="-Dai.djl.pytorch.num_threads=1" measure "$OUT/spark-score.log" \
    bin/seqrec-spark score --master 'local[2]' --run "$OUT/run" --data "$OUT/single/xbox.txt" --k 10 --out "$OUT/scores.parquet")
  python3 - "$OUT" "$LABEL" "$SCALE" "$PARTS" "$THREADS" "$SAME" \
    "$CONVERT_S $CONVERT_MB $L_CONVERT" "$SPARK_S $SPARK_MB $L_SPARK" "$TRAIN_WALL $TRAIN_MB $L_TRAIN" \
    "$SCORE_S $SCORE_MB $L_SCORE" "$SSCORE_S $SSCORE_MB $L_SSCORE" "$BIN_S $BTRAIN_WALL $L_BIN" <<'PY'
import json, os, re, sys
out, label, scale, parts, threads, same = sys.argv[1:7]
conv, spark, train, score, sscore, binary = [s.split() for s in sys.argv[7:13]]
h = json.loads(open(os.path.join(out, "run", "history.jsonl")).readline())
hb = json.loads(open(os.path.join(out, "run-seqbin", "history.jsonl")).readline())
lengths = [len(l.split()) - 1 for l in open(os.path.join(out, "single", "xbox.txt"))]
def users_per_s(log):
    m = re.search(r"scored (\d+) users in ([\d.]+) s", open(log).read())
    return int(m.group(1)) / float(m.group(2))
row = {"label": label, "scale": float(scale), "users": len(lengths), "actions": sum(lengths), "parts": int(parts),
       "convert_seconds": float(conv[0]), "convert_peak_mb": float(conv[1]), "convert_load1": conv[2],
       "spark_prepare_seconds": float(spark[0]), "spark_prepare_peak_mb": float(spark[1]), "spark_prepare_load1": spark[2],
       "identical": same == "true",
       "seqbin_write_seconds": float(binary[0]), "train_startup_seqbin_seconds": float(binary[1]) - hb["seconds"], "seqbin_load1": binary[2],
       "train_startup_seconds": float(train[0]) - h["seconds"], "seconds_per_batch": h["train_seconds"] / h["batches"],
       "timed_batches": h["batches"], "threads": int(threads), "train_load1": train[2],
       "score_users_per_s": users_per_s(os.path.join(out, "score.log")), "score_wall_seconds": float(score[0]), "score_load1": score[2],
       "spark_score_users_per_s": users_per_s(os.path.join(out, "spark-score.log")), "spark_score_wall_seconds": float(sscore[0]),
       "spark_score_peak_mb": float(sscore[1]), "spark_score_load1": sscore[2]}
path = "bench/results/scale.json"
rows = [r for r in (json.load(open(path))["rows"] if os.path.exists(path) else []) if (r["label"], r["scale"]) != (label, row["scale"])]
rows.append(row)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
json.dump({"machine": f"{cpu}, {os.cpu_count()} cores", "rows": rows}, open(path, "w"), indent=1)
PY
done
python3 - <<'PY'
import json, math
d = json.load(open("bench/results/scale.json"))
rows = sorted(d["rows"], key=lambda r: (r["label"], r["scale"]))
with open("bench/results/scale.md", "w") as f:
    f.write("Data path at growing scale (`bench/scale.sh`; synthetic logs of the Xbox set's shape, 40K items). "
            f"Machine: {d['machine']}. Single JVM: `seqrec data convert` / `score`; Spark: `bin/seqrec-spark` with "
            "`--master local[2]` over the log split in part files. Training reads the FMLP text file (s / batch) and, for its start-up, also the .seqbin directory. Load = 1-minute load "
            "average when the step started (a one-thread training lane beside it doubles the times of a 2-core machine). Rows labelled d519b47 ran Spark with adaptive execution on (its default then).\n\n")
    f.write("| label | scale | users | actions | convert s | MB | Spark prepare s | MB | identical | FMLP to .seqbin s | train start-up s (text) | (.seqbin) | s / batch | score users/s | Spark score users/s | loads (convert, Spark, .seqbin, train, score, Spark score) |\n")
    f.write("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n")
    for r in rows:
        f.write(f"| {r['label']} | {r['scale']:g} | {r['users']} | {r['actions']} | {r['convert_seconds']:.1f} | {r['convert_peak_mb']:.0f} |"
                f" {r['spark_prepare_seconds']:.1f} | {r['spark_prepare_peak_mb']:.0f} | {'yes' if r['identical'] else 'NO'} |"
                f" {r.get('seqbin_write_seconds', float('nan')):.1f} | {r['train_startup_seconds']:.1f} | {r.get('train_startup_seqbin_seconds', float('nan')):.1f} |"
                f" {r['seconds_per_batch']:.3f} | {r['score_users_per_s']:.0f} | {r['spark_score_users_per_s']:.0f} |"
                f" {r['convert_load1']}, {r['spark_prepare_load1']}, {r.get('seqbin_load1', '-')}, {r['train_load1']}, {r['score_load1']}, {r['spark_score_load1']} |\n")
    f.write("\nGrowth exponents (slope of log seconds against log actions between the smallest and the largest scale of a label):\n\n")
    f.write("| label | scales | convert | Spark prepare | train start-up | score (wall) | Spark score (wall) |\n|---|---|---:|---:|---:|---:|---:|\n")
    for label in sorted({r["label"] for r in rows}):
        rs = [r for r in rows if r["label"] == label]
        if len(rs) < 2:
            continue
        a, b = rs[0], rs[-1]
        e = lambda k: math.log(b[k] / a[k]) / math.log(b["actions"] / a["actions"])
        f.write(f"| {label} | {a['scale']:g} - {b['scale']:g} | {e('convert_seconds'):.2f} | {e('spark_prepare_seconds'):.2f} |"
                f" {e('train_startup_seconds'):.2f} | {e('score_wall_seconds'):.2f} | {e('spark_score_wall_seconds'):.2f} |\n")
    # the newest row of each scale: exponents between consecutive scales (labels may differ: each row names its own)
    newest = {}
    for r in d["rows"]:  # the json keeps rows in the order they were measured
        newest[r["scale"]] = r
    pts = [newest[s] for s in sorted(newest)]
    if len(pts) >= 2:
        f.write("\nGrowth exponents between consecutive scales, newest row of each (its label in brackets):\n\n")
        f.write("| scales | convert | Spark prepare | train start-up | score (wall) | Spark score (wall) |\n|---|---:|---:|---:|---:|---:|\n")
        for a, b in zip(pts, pts[1:]):
            e = lambda k: math.log(b[k] / a[k]) / math.log(b["actions"] / a["actions"])
            f.write(f"| {a['scale']:g} [{a['label']}] - {b['scale']:g} [{b['label']}] | {e('convert_seconds'):.2f} | {e('spark_prepare_seconds'):.2f} |"
                    f" {e('train_startup_seconds'):.2f} | {e('score_wall_seconds'):.2f} | {e('spark_score_wall_seconds'):.2f} |\n")
print(open("bench/results/scale.md").read())
PY
