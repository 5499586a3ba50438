#!/usr/bin/env python3
"""Regenerate bench/paper/adamct.json from the AdaMCT paper's text.

Usage: python3 bench/paper/extract_adamct.py [PAPER [OUT]] [--check]

PAPER defaults to ../shared/papers/adamct.md and OUT to bench/paper/adamct.json, both relative to
the repository root. Every figure is parsed from the paper's tab-separated tables:

  Table 2         uni100 test (1 vs 100 negatives), 10 models x 3 datasets, Recall@1/5/10 and
                  NDCG@5/10 (Recall@k = HR@k with one target)                   -> "uni100"
  Table 3         NDCG@10 of the adaptive and fixed mixtures                      -> "mixture"
  Table 4         NDCG@10 with sigmoid or softmax squeeze-excitation per branch   -> "se_gate"
  Tables 6, 9, 10 parameters, GPU memory, FLOPs, seconds per epoch, NDCG@10       -> "efficiency"

The script checks the figures the issue quotes (Table 2's AdaMCT Recall@10 / NDCG@10 on each
dataset) and that every Table 2 row has one value per model. With --check nothing is written, and
an existing OUT must equal the new output.
"""
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_PAPER = "../shared/papers/adamct.md"
DEFAULT_OUT = "bench/paper/adamct.json"

DATASETS = {"Toys": "Toys_and_Games", "Beauty": "Beauty", "Sports": "Sports_and_Outdoors"}
METRICS = {"Recall@1": "HR@1", "Recall@5": "HR@5", "Recall@10": "HR@10", "NDCG@5": "NDCG@5", "NDCG@10": "NDCG@10",
           "NDCD@5": "NDCG@5", "NDCD@10": "NDCG@10"}  # Table 2 spells Beauty's rows "NDCD"
# the quoted figures: (dataset, Recall@10, NDCG@10)
ANCHORS = [("Beauty", 0.5178, 0.3554), ("Toys_and_Games", 0.5088, 0.3511), ("Sports_and_Outdoors", 0.5412, 0.3444)]


def cells(line):
    return [re.sub(r"<[^>]+>", "", c).strip() for c in line.rstrip("\n").split("\t")]


def number(s):
    return float(s.replace("*", "").replace("†", "").strip())


def model_name(s):
    return re.sub(r"[*†\s]", "", s).lower()


def table_lines(lines, caption):
    """The lines after the caption that starts with `caption`, up to the first blank line after the table."""
    start = next(i for i, l in enumerate(lines) if l.startswith(caption))
    out = []
    for l in lines[start + 1:]:
        if not l.strip():
            if out:
                break
            continue
        out.append(l)
    return out


def table2(lines):
    rows = table_lines(lines, "Table 2:")
    models = [model_name(c) for c in cells(rows[1])[2:] if c and not c.startswith("Improv")]
    out = {}
    dataset = None
    for l in rows[2:]:
        c = cells(l)
        if c[0]:
            dataset = DATASETS[c[0]]
        metric = METRICS[c[1]]
        values = c[2:2 + len(models)]
        if len(values) != len(models):
            raise SystemExit(f"Table 2: {dataset} {c[1]} has {len(values)} values for {len(models)} models")
        for m, v in zip(models, values):
            out.setdefault(dataset, {}).setdefault(m, {})[metric] = number(v)
    return out


def ndcg_table(lines, caption, key_of):
    """Tables 3 and 4: setting rows with Toys, Beauty, Sports NDCG@10 columns."""
    rows = table_lines(lines, caption)
    header = cells(rows[0])
    columns = [DATASETS[h] for h in header if h in DATASETS]
    out = {}
    group = ""
    for l in rows[1:]:
        c = cells(l)
        if c[0]:
            group = c[0]
        values = c[-len(columns):]
        key = key_of(group, c[1], c[2])
        for d, v in zip(columns, values):
            out.setdefault(d, {})[key] = number(v)
    return out


def mixture_key(group, local, glob):
    if group == "Fixed":  # "×0.8" local, "×0.2" global
        return f"fixed local {number(local.replace('×', ''))} / global {number(glob.replace('×', ''))}"
    mark = lambda s: "adaptive" if s == "✓" else "-"
    return f"adaptive: local {mark(local)}, global {mark(glob)}"


def se_key(group, local, glob):
    gate = lambda s: "sigmoid" if s == "♣" else "softmax"
    return f"local {gate(local)}, global {gate(glob)}"


def efficiency(lines):
    out = {}
    for caption, dataset in (("Table 6:", "Beauty"), ("Table 9:", "Toys_and_Games"), ("Table 10:", "Sports_and_Outdoors")):
        rows = table_lines(lines, caption)
        models = [model_name(c) for c in cells(rows[0])[1:]]
        for l in rows[1:]:
            c = cells(l)
            name = c[0].lstrip("#").strip()
            for m, v in zip(models, c[1:]):
                out.setdefault(dataset, {}).setdefault(m, {})[name] = v
    return out


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    paper = os.path.join(REPO, args[0] if args else DEFAULT_PAPER)
    out_path = os.path.join(REPO, args[1] if len(args) > 1 else DEFAULT_OUT)
    with open(paper, encoding="utf-8") as f:
        lines = f.read().split("\n")
    result = {
        "source": "AdaMCT paper (../shared/papers/adamct.md), extracted by bench/paper/extract_adamct.py; test set. "
                  "uni100: Table 2 (1 vs 100 uniformly sampled negatives, Recall@k = HR@k, mean of 5 seeds); "
                  "mixture: Table 3 (NDCG@10); se_gate: Table 4 (NDCG@10); efficiency: Tables 6, 9, 10 (A100 GPU, as printed)",
        "uni100": table2(lines),
        "mixture": ndcg_table(lines, "Table 3:", mixture_key),
        "se_gate": ndcg_table(lines, "Table 4:", se_key),
        "efficiency": efficiency(lines),
    }
    for dataset, r10, n10 in ANCHORS:
        got = result["uni100"][dataset]["adamct"]
        if got["HR@10"] != r10 or got["NDCG@10"] != n10:
            raise SystemExit(f"{dataset}: AdaMCT Recall@10 / NDCG@10 {got['HR@10']} / {got['NDCG@10']}, expected {r10} / {n10}")
    for dataset, by_setting in result["mixture"].items():
        if by_setting["adaptive: local adaptive, global adaptive"] != result["uni100"][dataset]["adamct"]["NDCG@10"]:
            raise SystemExit(f"{dataset}: Table 3's full AdaMCT differs from Table 2")
    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    if check:
        if os.path.exists(out_path) and open(out_path, encoding="utf-8").read() != text:
            raise SystemExit(f"{out_path} differs from what the paper gives; rerun without --check")
        print("ok")
        return
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
