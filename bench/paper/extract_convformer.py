#!/usr/bin/env python3
"""Regenerate bench/paper/convformer.json from the ConvFormer paper's text.

Usage: python3 bench/paper/extract_convformer.py [PAPER [OUT]] [--check]

PAPER defaults to ../shared/papers/convformer.md and OUT to bench/paper/convformer.json, both
relative to the repository root. Every figure is parsed from the paper's tab-separated tables:

  Table 3   sampled (1-vs-99) test, 13 models x 4 datasets           -> "sampled"
  Table 4   full-sort test, 5 models x 4 datasets                    -> "full"
  Table 7   FastFormer and PoolingFormer, sampled                    -> "sampled" (its SASRec and
            ConvFormer rows are only checked against Table 3)
  Table B2  SAR, SAR-P, SAR-O, SAR-R, SAR-W by number of layers, with p-values
                                                                     -> "sar_study"; the rows with
            the layer count of Table C3 ("number of layers, N") also go to "sampled"
  Table 1   the SAR study's short version: only checked against Table B2
  Table F6  L-Mixer beside eight baselines, sampled                  -> "sampled" (lmixer; the
            baselines are only checked against Table 3)
  Table B1  the one-tower CTR model by interest extractor, MovieLens -> "ctr/ml-1m", keyed by the
            experiment configuration ("ctr extractor=sasrec"; FMLP-Rec+ and ConvFormer+ as printed)

Before writing, the new figures are compared with those in OUT: a value of OUT that is missing or
different in the new output stops the script (exit 1) and OUT is left as it is. With --check
nothing is written.
"""
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_PAPER = "../shared/papers/convformer.md"
DEFAULT_OUT = "bench/paper/convformer.json"

# paper dataset name -> data file stem
DATASETS = {
    "Beauty": "Beauty",
    "Sports": "Sports_and_Outdoors",
    "Toys": "Toys_and_Games",
    "Toy": "Toys_and_Games",  # Table B2 says "Toy dataset"
    "Yelp": "Yelp",
}
# paper model names that are not just the lowercase registry name
MODEL_RENAMES = {"poprec": "pop", "l-mixer": "lmixer", "fmlp": "fmlp-rec"}

warnings = []


def warn(msg):
    warnings.append(msg)
    print("WARNING: " + msg, file=sys.stderr)


def dataset_key(name):
    name = name.strip()
    m = re.fullmatch(r"(\w+) dataset", name)
    if m:
        name = m.group(1)
    if name not in DATASETS:
        raise SystemExit("unknown dataset name in paper: %r" % name)
    return DATASETS[name]


def model_key(name):
    k = name.strip().lower()
    return MODEL_RENAMES.get(k, k)


def metric_key(name):
    name = name.strip()
    m = re.fullmatch(r"(H|HIT|HR)@(\d+)", name, re.I)
    if m:
        return "HR@" + m.group(2)
    m = re.fullmatch(r"(N|NDCG)@(\d+)", name, re.I)
    if m:
        return "NDCG@" + m.group(2)
    if name.upper() == "MRR":
        return "MRR"
    raise SystemExit("unknown metric name in paper: %r" % name)


def strip_html(cell):
    return re.sub(r"</?\w+>", "", cell).strip()


def number(cell):
    """'<b>0.4119**</b>' -> (0.4119, None); '0.1778(0.3028)' -> (0.1778, 0.3028)."""
    text = strip_html(cell)
    m = re.fullmatch(r"(\d*\.\d+|\d+)\**\s*(?:\(\s*(\d*\.\d+|\d+)\s*\))?\**", text)
    if not m:
        raise SystemExit("not a figure: %r" % cell)
    return float(m.group(1)), (float(m.group(2)) if m.group(2) is not None else None)


def table(lines, label):
    """Header and rows (lists of cells) of the tab-separated table under the caption 'LABEL:'."""
    starts = [i for i, l in enumerate(lines) if l.startswith(label + ":")]
    if len(starts) != 1:
        raise SystemExit("expected one caption %r, found %d" % (label, len(starts)))
    i = starts[0] + 1
    while i < len(lines) and "\t" not in lines[i]:
        i += 1
    rows = []
    while i < len(lines) and "\t" in lines[i]:
        rows.append(lines[i].rstrip("\n").split("\t"))
        i += 1
    if not rows:
        raise SystemExit("no table under %r" % label)
    return rows[0], rows[1:], starts[0] + 1


def metric_rows_table(lines, label):
    """Tables 3 and 4: rows 'Dataset Metric', one column per model -> {ds: {model: {metric: v}}}."""
    header, rows, _ = table(lines, label)
    models = [model_key(h) for h in header[2:]]
    out = {}
    ds = None
    for r in rows:
        if r[0].strip():
            ds = dataset_key(r[0])
            out.setdefault(ds, {m: {} for m in models})
        metric = metric_key(r[1])
        if len(r) - 2 != len(models):
            raise SystemExit("%s: row %r has %d figures for %d models" % (label, r, len(r) - 2, len(models)))
        for m, cell in zip(models, r[2:]):
            out[ds][m][metric] = number(cell)[0]
    return out


def model_rows_table(lines, label):
    """Tables 7 and 1: rows 'Dataset Model', one column per metric -> {ds: {model: {metric: v}}}."""
    header, rows, _ = table(lines, label)
    metrics = [metric_key(h) for h in header[2:]]
    out = {}
    ds = None
    for r in rows:
        if r[0].strip():
            ds = dataset_key(r[0])
            out.setdefault(ds, {})
        out[ds][model_key(r[1])] = {k: number(c)[0] for k, c in zip(metrics, r[2:])}
    return out


def table_b2(lines):
    """Table B2: dataset section rows, then '# Layers' Model rows with 'value(p)' cells."""
    label = "Table B2"
    header, rows, _ = table(lines, label)
    if not header[0].strip().startswith("# Layers"):
        raise SystemExit("Table B2: unexpected header %r" % header)
    metrics = [metric_key(h) for h in header[2:]]
    out = {}
    ds = layers = None
    for r in rows:
        if not any(c.strip() for c in r[1:]):  # section row: '<b>Beauty dataset</b>'
            ds = dataset_key(strip_html(r[0]))
            out.setdefault(ds, {})
            layers = None
            continue
        if r[0].strip():
            layers = "layers=%d" % int(r[0].strip())
            out[ds].setdefault(layers, {})
        entry, pvals = {}, {}
        for k, c in zip(metrics, r[2:]):
            v, p = number(c)
            entry[k] = v
            if p is not None:
                pvals[k] = p
        if pvals:
            entry["p_values"] = pvals
        out[ds][layers][model_key(r[1])] = entry
    return out


def layers_c3(lines):
    """Table C3's 'number of layers, N' row -> {dataset: N}."""
    header, rows, _ = table(lines, "Table C3")
    for r in rows:
        if r[0].strip().startswith("number of layers"):
            return {dataset_key(h): int(c) for h, c in zip(header[2:], r[2:])}
    raise SystemExit("Table C3: no 'number of layers' row")


def table1_stars(lines, b2, c3):
    """Table 1's '*' (better than SAR, p < 0.01) against Table B2's p-values."""
    header, rows, _ = table(lines, "Table 1")
    metrics = [metric_key(h) for h in header[2:]]
    n, ds = 0, None
    for r in rows:
        if r[0].strip():
            ds = dataset_key(r[0])
        m = model_key(r[1])
        pvals = b2[ds]["layers=%d" % c3[ds]][m].get("p_values", {})
        for k, c in zip(metrics, r[2:]):
            if k in pvals:
                n += 1
                if ("*" in c) != (pvals[k] < 0.01):
                    warn("Table 1 '*' vs Table B2 p < 0.01: %s %s %s: Table 1 %r, Table B2 p = %s"
                         % (ds, m, k, strip_html(c), pvals[k]))
    return n


def b2_pvalue_columns(b2):
    """Warn where two metrics of Table B2 have the same p-value in every row (a copied column?)."""
    rows = [v["p_values"] for by_layers in b2.values() for models in by_layers.values()
            for v in models.values() if "p_values" in v]
    keys = list(rows[0])
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if all(r.get(a) == r.get(b) for r in rows):
                warn("Table B2: p-values of %s and %s are equal in all %d rows (kept as printed)" % (a, b, len(rows)))


def compare(name, a, b, label_a, label_b):
    """Warn for every figure of a that b lacks or has otherwise."""
    n = 0
    for ds, models in a.items():
        for m, metrics in models.items():
            for k, v in metrics.items():
                if k == "p_values":
                    continue
                w = b.get(ds, {}).get(m, {}).get(k)
                n += 1
                if w != v:
                    warn("%s: %s %s %s: %s %s, %s %s" % (name, ds, m, k, label_a, v, label_b, w))
    return n


def leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from leaves(v, path + (k,))
    else:
        yield path, d


# Table B1 interest extractor -> the experiment configuration of seqrec's ctr model (experiments/ctr-b1-ml1m.yaml)
B1_CONFIGS = {"gru4rec": "ctr extractor=gru4rec", "sasrec": "ctr extractor=sasrec", "fmlp-rec": "ctr extractor=fmlp-rec",
              "convformer": "ctr extractor=convformer"}


def table_b1(lines):
    """Table B1: rows 'Interest Extractor', one column per metric -> {configuration: {metric: v}}."""
    header, rows, _ = table(lines, "Table B1")
    metrics = [metric_key(h) for h in header[1:]]
    out = {}
    for r in rows:
        name = model_key(r[0])
        if len(r) - 1 != len(metrics):
            raise SystemExit("Table B1: row %r has %d figures for %d metrics" % (r, len(r) - 1, len(metrics)))
        out[B1_CONFIGS.get(name, name)] = {k: number(c)[0] for k, c in zip(metrics, r[1:])}
    return out


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) > 2 or any(a.startswith("-") for a in args):
        raise SystemExit(__doc__)
    paper_arg = args[0] if len(args) > 0 else DEFAULT_PAPER
    out_arg = args[1] if len(args) > 1 else DEFAULT_OUT
    paper = os.path.join(REPO, paper_arg)
    out_path = os.path.join(REPO, out_arg)
    with open(paper, encoding="utf-8") as f:
        lines = f.read().split("\n")

    t3 = metric_rows_table(lines, "Table 3")
    t4 = metric_rows_table(lines, "Table 4")
    t7 = model_rows_table(lines, "Table 7")
    f6 = metric_rows_table(lines, "Table F6")
    t1 = model_rows_table(lines, "Table 1")
    b2 = table_b2(lines)
    c3 = layers_c3(lines)
    b1 = table_b1(lines)

    sampled = {ds: dict(models) for ds, models in t3.items()}
    # Table 7: models Table 3 has are checked; the others are added
    t7_known = {ds: {m: v for m, v in models.items() if m in t3.get(ds, {})} for ds, models in t7.items()}
    n7 = compare("Table 7 vs Table 3 (Table 3 kept)", t7_known, t3, "Table 7", "Table 3")
    for ds, models in t7.items():
        for m, v in models.items():
            if m not in sampled[ds]:
                sampled[ds][m] = v
    # Table F6: its baselines are Table 3's (checked); L-Mixer is added
    f6_known = {ds: {m: v for m, v in models.items() if m in t3.get(ds, {})} for ds, models in f6.items()}
    n6 = compare("Table F6 vs Table 3 (Table 3 kept)", f6_known, t3, "Table F6", "Table 3")
    for ds, models in f6.items():
        for m, v in models.items():
            if m not in sampled[ds]:
                sampled[ds][m] = v
    # Table 1 has no layer count; it is the Table C3 setting (Section 5.1 settings, footnote 1)
    t1_vs_b2 = {ds: b2[ds]["layers=%d" % c3[ds]] for ds in t1}
    n1 = compare("Table 1 vs Table B2 at Table C3's layers (B2 kept)", t1, t1_vs_b2, "Table 1", "Table B2")
    n1s = table1_stars(lines, b2, c3)
    b2_pvalue_columns(b2)
    # the Table C3 setting of the SAR study, without p-values, goes to 'sampled' too
    for ds, by_layers in b2.items():
        for m, v in by_layers["layers=%d" % c3[ds]].items():
            if m in sampled[ds]:
                raise SystemExit("Table B2 model %s already in sampled/%s" % (m, ds))
            sampled[ds][m] = {k: x for k, x in v.items() if k != "p_values"}

    result = {
        "source": "ConvFormer paper (%s), extracted by bench/paper/extract_convformer.py from its tables; "
                  "test set. sampled: Table 3 (1-vs-99), plus fastformer and poolingformer from Table 7, "
                  "plus lmixer from Table F6, "
                  "plus the SAR variants of Table B2 at Table C3's number of layers; full: Table 4 "
                  "(full-sort); sar_study: Table B2 with paired t-test p-values vs SAR "
                  "(Table 1 is its short version, used only as a check); ctr: Table B1 (one-tower CTR model by "
                  "interest extractor on MovieLens, keyed by the experiment configuration of experiments/ctr-b1-ml1m.yaml)"
                  % paper_arg,
        "sampled": sampled,
        "full": t4,
        "sar_study": b2,
        "ctr": {"ml-1m": b1},
    }

    for sec in ("sampled", "full", "sar_study", "ctr"):
        ls = [p for p, _ in leaves(result[sec])]
        print("%-9s %s: %d figures (%d of them p-values)" % (
            sec, ", ".join("%s %d models" % (ds, len(v)) if sec not in ("sar_study", "ctr")
                           else "%s %s" % (ds, "/".join(v)) for ds, v in result[sec].items()),
            len(ls), sum(1 for p in ls if "p_values" in p)))
    print("checked %d Table 7 and %d Table F6 figures against Table 3, %d Table 1 figures and %d of its '*' against Table B2"
          % (n7, n6, n1, n1s))

    # compare with the existing output
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            old = json.load(f)
        new_leaves = dict(leaves(result))
        old_leaves = dict(leaves(old))
        lost = [p for p in old_leaves if p not in new_leaves]
        changed = [p for p in old_leaves if p in new_leaves and p != ("source",) and old_leaves[p] != new_leaves[p]]
        added = [p for p in new_leaves if p not in old_leaves]
        same = len(old_leaves) - len(lost) - len(changed) - (("source",) in old_leaves and old_leaves[("source",)] != result["source"])
        print("vs %s: %d unchanged, %d changed, %d missing, %d added" % (out_arg, same, len(changed), len(lost), len(added)))
        if old.get("source") != result["source"]:
            print("  source text changed")
        by_sec = {}
        for p in added:
            key = (p[0],) if p[0] in ("sar_study", "source", "ctr") else (p[0], p[2])
            by_sec[key] = by_sec.get(key, 0) + 1
        for key, n in by_sec.items():
            print("  added %s: %d" % ("/".join(key) if len(key) == 1 else "%s model %s" % key, n))
        for p in changed:
            print("  CHANGED %s: %r -> %r" % ("/".join(p), old_leaves[p], new_leaves[p]))
        for p in lost:
            print("  MISSING %s (was %r)" % ("/".join(p), old_leaves[p]))
        if changed or lost:
            print("existing figures would change: %s left as it is" % out_arg, file=sys.stderr)
            return 1
    text = json.dumps(result, indent=1)
    if check:
        print("--check: nothing written")
    else:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % out_arg)
    if warnings:
        print("%d warning(s) about the paper's tables, see above" % len(warnings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
