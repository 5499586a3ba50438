#!/usr/bin/env python3
"""Cross-check of the RecBole-format fixtures made by make_import_fixtures.py against the upstream
model files themselves (RecBole cannot be pip-installed here, so its model files are imported
directly with tiny stubs for the parts of RecBole they import but do not use).

    /usr/bin/python3 src/test/python/verify_recbole_fixtures.py \
        --recbole  CHECKOUT_OF_RUCAIBox/RecBole      (commit 7b02be5e...) \
        --adamct   CHECKOUT_OF_juyongjiang/AdaMCT    (commit 75db262f...) \
        --recgrela CHECKOUT_OF_TBI805/RecGRELA       (commit 608a39b1...)

For every recbole-*.pth: builds the upstream model class from the checkpoint's own config, loads the
state_dict with strict=True (so the key set and every shape must be RecBole's), runs the upstream
full_sort_predict on the fixture's model_inputs and prints the largest difference from the scores in
NAME-scores.json.  RecGRELA runs with a reference causal_conv1d_fn (the CUDA kernel's documented
semantics) and an identity timm DropPath (eval mode).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import types

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "resources", "interop")

CAUSAL_CONV1D = '''
import torch.nn.functional as F
def causal_conv1d_fn(x, weight, bias=None, activation=None, **kw):
    dim, width = weight.shape
    out = F.conv1d(x, weight.unsqueeze(1), bias, padding=width - 1, groups=dim)[..., : x.shape[-1]]
    return out if activation is None else F.silu(out)
'''
DROPPATH = '''
import torch.nn as nn
class DropPath(nn.Module):
    def __init__(self, p=0.):
        super().__init__()
    def forward(self, x):
        assert not self.training
        return x
'''


def build_tree(a):
    d = tempfile.mkdtemp(prefix="upstream-")

    def cp(src_root, rel, dst_rel=None):
        dst = os.path.join(d, dst_rel or rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(os.path.join(src_root, rel), dst)

    for f in ("abstract_recommender", "layers", "loss"):
        cp(a.recbole, "recbole/model/%s.py" % f)
    for f in ("sasrec", "gru4rec", "bert4rec", "caser"):
        cp(a.recbole, "recbole/model/sequential_recommender/%s.py" % f)
    cp(a.recbole, "recbole/utils/enum_type.py")
    cp(a.adamct, "recbole/model/sequential_recommender/adamct.py")
    cp(a.recgrela, "model/RecGRELA.py")
    files = {
        "recbole/__init__.py": "", "recbole/model/__init__.py": "",
        "recbole/model/sequential_recommender/__init__.py": "", "model/__init__.py": "",
        "recbole/utils/__init__.py": "from recbole.utils.enum_type import *\n"
                                     "def set_color(log, color, highlight=True):\n    return log\n",
        "timm/__init__.py": "", "timm/models/__init__.py": "", "timm/models/layers.py": DROPPATH,
        "causal_conv1d/__init__.py": CAUSAL_CONV1D,
    }
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        with open(os.path.join(d, rel), "w") as f:
            f.write(text)
    return d


class _Config(object):
    """Receives the pickled state of recbole.config.configurator.Config."""


def register_config_receiver():
    # torch 1.13's torch.load ignores a pickle_module argument (it resets it to pickle), so make
    # recbole.config.configurator.Config importable instead
    for name in ("recbole.config", "recbole.config.configurator"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["recbole.config.configurator"].Config = _Config


class _Dataset(object):
    def __init__(self, n_items, n_users):
        self.n_items, self.user_num = n_items, n_users

    def num(self, field):
        return self.n_items


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--recbole", required=True)
    p.add_argument("--adamct", required=True)
    p.add_argument("--recgrela", required=True)
    a = p.parse_args()
    sys.path.insert(0, build_tree(a))
    import recbole  # noqa: F401  (the upstream package, before the receiver is registered)
    register_config_receiver()
    worst = 0.0
    for fname in sorted(os.listdir(INTEROP)):
        if not (fname.startswith("recbole-") and fname.endswith(".pth")):
            continue
        name = fname[:-4]
        ck = torch.load(os.path.join(INTEROP, fname), map_location="cpu")
        with open(os.path.join(INTEROP, name + "-scores.json")) as f:
            doc = json.load(f)
        cfg = ck["config"].final_config_dict
        model_class = ck["config"].model_class  # resolved from the pickle to the upstream class
        sd = ck["state_dict"]
        n_items = doc["config"]["n_items"]
        n_users = doc["config"].get("n_users")
        model = model_class(cfg, _Dataset(n_items, n_users))
        model.load_state_dict(sd, strict=True)
        model.eval()
        inter = {k: torch.tensor(v) for k, v in doc["model_inputs"].items()}
        with torch.no_grad():
            scores = model.full_sort_predict(inter)
        diff = (scores - torch.tensor(doc["scores"])).abs().max().item()
        worst = max(worst, diff)
        print("%-18s %-55s keys %3d  max |upstream - fixture| = %.3g"
              % (name, model_class.__module__ + "." + model_class.__name__, len(sd), diff))
    assert worst < 1e-5, worst
    print("OK, worst difference %.3g" % worst)


if __name__ == "__main__":
    main()
