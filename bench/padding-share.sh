#!/usr/bin/env bash
# The share of item positions (not padding) among the prefix regime's training samples, the figure
# behind the length-groups paragraph of docs/models-and-training.md. The prefix regime
# (src/main/java/org/seqrec/train/PrefixRegime.java) takes from each user with at least 3 items the
# last m = min(n - 2, L) items of the training part s[0..n-3] and makes m samples, the i-th (i = 0..m-1)
# with the input t[0..i-1] left-padded to L: i item positions out of L. The share is the sum of i over
# all samples divided by L times the number of samples. Counted here from the data file, without the
# library. Writes bench/results/padding-share.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
DATASETS=${DATASETS:-"Beauty Sports_and_Outdoors Toys_and_Games Yelp"}
LENS=${LENS:-"50 200"}
mkdir -p bench/results
python3 - "$DATASETS" "$LENS" <<'PY'
import json, sys
datasets, lens = sys.argv[1].split(), [int(x) for x in sys.argv[2].split()]
rows = []
for name in datasets:
    path = f"../shared/data/fmlp/{name}.txt"
    try:
        lengths = [len(line.split()) - 1 for line in open(path) if line.strip()]
    except FileNotFoundError:
        continue
    train = [n - 2 for n in lengths if n >= 3]
    for L in lens:
        samples = items = 0
        for t in train:
            m = min(t, L)
            samples += m
            items += m * (m - 1) // 2
        rows.append({"dataset": name, "L": L, "users": len(train), "samples": samples,
                     "item_positions": items, "positions": samples * L, "item_share": items / (samples * L)})
out = {"what": "share of item positions among the prefix regime's training samples (the rest is padding)",
       "data": "../shared/data/fmlp/*.txt", "rows": rows}
json.dump(out, open("bench/results/padding-share.json", "w"), indent=2)
md = ["Share of item positions among the prefix regime's training samples (each sample is L positions, left-padded;"
      " counted from the data files by `bench/padding-share.sh`, without the library).\n",
      "| dataset | L | users | samples | item positions | share |", "|---|---:|---:|---:|---:|---:|"]
for r in rows:
    md.append(f"| {r['dataset']} | {r['L']} | {r['users']} | {r['samples']} | {r['item_positions']} | {100 * r['item_share']:.1f}% |")
open("bench/results/padding-share.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
