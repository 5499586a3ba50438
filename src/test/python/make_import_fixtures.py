#!/usr/bin/env python3
"""Interop fixtures for `seqrec import`: small PyTorch checkpoints plus the scores that the
PyTorch modules themselves compute, so the Java importer can be checked to 1e-5.

What it writes (into src/test/resources/interop/, about 0.8 MB in all, README.md there describes each):

  convformer-authors-conv-circular.pt   ConvFormer authors' OurRecommender, CONV, padding_mode 0
  convformer-authors-conv-reflect.pt    ... padding_mode 1 (the main.py default)
  convformer-authors-conv-zero.pt       ... padding_mode 2 ('constant', i.e. zeros)
  convformer-authors-fconv.pt           ... FCONV (FFT convolution)
  convformer-authors-beauty-full-keys.txt   key/shape/dtype listing of the authors' Beauty checkpoint
  recbole-sasrec.pth, recbole-gru4rec.pth, recbole-bert4rec.pth, recbole-caser.pth,
  recbole-adamct.pth, recbole-recgrela.pth  RecBole-format checkpoints (dict with config, state_dict,
                                            optimizer, ...), models re-implemented below
  NAME-scores.json for every checkpoint: config, histories, exact model inputs, scores, torch version

Upstream code used:
  * ConvFormer authors' code, /work/shared/reference/convformer-authors/src (models.py, modules.py,
    datasets.py, trainers.py, utils.py): imported and run directly (not copied); tensorboard and scipy
    are stubbed because only their names are imported.  Override the folder with $CONVFORMER_SRC.
  * RecBole, github.com/RUCAIBox/RecBole at commit 7b02be5ec80a88310f2d04a27a82adfcbb5dc211
    (2025-02-24): recbole/model/sequential_recommender/{sasrec,gru4rec,bert4rec,caser}.py,
    recbole/model/layers.py, recbole/model/abstract_recommender.py, recbole/trainer/trainer.py
    (_save_checkpoint), recbole/config/configurator.py, recbole/utils/enum_type.py.
  * AdaMCT, github.com/juyongjiang/AdaMCT at 75db262f3f37df66a1d532c97cf109e560b020eb
    (recbole/model/sequential_recommender/adamct.py, RecBole 1.1.1 fork).
  * RecGRELA, github.com/TBI805/RecGRELA at 608a39b1da8fbd855f4099226e0f6d9fb890e83b (model/RecGRELA.py).
  RecBole cannot be installed here (no PyPI), so those models are re-implemented below with RecBole's
  module and parameter names (the state_dict keys are the ones RecBole produces) and RecBole's
  forward / full_sort_predict.  They were checked against the upstream files themselves (imported with
  small stubs for recbole.utils, timm, causal_conv1d): identical state_dict keys and shapes, scores
  equal bit for bit (src/test/python/verify_recbole_fixtures.py).

Weights are NOT the upstream initialisation: every parameter is drawn from N(0, 0.3^2) and every
LayerNorm weight from 1 + N(0, 0.3^2) (padding rows of embeddings included, as RecBole's own
initialisation also overwrites them), so that a wrong mapping cannot hide behind near-zero scores.
All models are in eval mode (dropout off).  Fixed seeds: the output is deterministic.

Rerun (from the repository root, with Debian's python3-torch):
    /usr/bin/python3 src/test/python/make_import_fixtures.py
(`python3` works too when it is the interpreter that has torch.)  Single thread, a few seconds.
"""

import argparse
import collections
import copy
import enum
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import types
import zipfile

sys.dont_write_bytecode = True  # nothing written next to the upstream sources

import torch
import torch.nn as nn
import torch.nn.functional as fn

torch.set_num_threads(1)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "src", "test", "resources", "interop")
CONVFORMER_SRC = os.environ.get("CONVFORMER_SRC", "/work/shared/reference/convformer-authors/src")
CONVFORMER_BEAUTY = os.environ.get(
    "CONVFORMER_BEAUTY", "/work/shared/checkpoints/convformer-authors/beauty-full/model.pt")

RECBOLE_COMMIT = "7b02be5ec80a88310f2d04a27a82adfcbb5dc211"
ADAMCT_COMMIT = "75db262f3f37df66a1d532c97cf109e560b020eb"
RECGRELA_COMMIT = "608a39b1da8fbd855f4099226e0f6d9fb890e83b"

SPREAD = 0.3


def torch_version():
    v = torch.__version__
    try:
        deb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3-torch"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        if deb:
            v += " (Debian python3-torch " + deb + ")"
    except Exception:
        pass
    return v


TORCH = torch_version()


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------

def spread_init(model, seed, layer_norm_types):
    """N(0, 0.3^2) for every trainable parameter, 1 + N(0, 0.3^2) for LayerNorm weights."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, module in model.named_modules():
            for pname, p in module.named_parameters(recurse=False):
                if not p.requires_grad:  # e.g. FConvLayer.zeros: a constant kept as a Parameter
                    continue
                noise = torch.randn(p.shape, generator=g) * SPREAD
                if isinstance(module, layer_norm_types) and pname == "weight":
                    p.copy_(1.0 + noise)
                else:
                    p.copy_(noise)


def histories_for(seed, n_items, max_len, mid):
    """Lengths 1, 3, mid, exactly max_len, max_len + 3; dense ids 1..n_items-1, oldest first."""
    rnd = random.Random(seed)
    out = []
    for length in (1, 3, mid, max_len, max_len + 3):
        h = [rnd.randint(1, n_items - 1) for _ in range(length)]
        if length >= 3:
            h[-1] = h[-3]  # one repeated item, as real histories have
        out.append(h)
    return out


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def to_json(o, indent=0):
    """JSON with every list of scalars on one line (one history / one score row per line)."""
    pad, pad1 = " " * indent, " " * (indent + 1)
    if isinstance(o, dict):
        if not o:
            return "{}"
        items = [pad1 + json.dumps(str(k)) + ": " + to_json(v, indent + 1) for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(o, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in o):
            return json.dumps(list(o))
        return "[\n" + ",\n".join(pad1 + to_json(x, indent + 1) for x in o) + "\n" + pad + "]"
    return json.dumps(o)


def write_json(name, doc):
    path = os.path.join(OUT, name + "-scores.json")
    text = to_json(doc)
    assert json.loads(text) == json.loads(json.dumps(doc))
    with open(path, "w") as f:
        f.write(text + "\n")


def float64_check(model, run):
    """The same modules evaluated in float64 (a deep copy): how well-conditioned the float32 scores are."""
    m64 = copy.deepcopy(model).double()
    m64.eval()
    with torch.no_grad():
        return run(m64)


def rows(t):
    return [[float(x) for x in r] for r in t.detach().cpu().tolist()]


# --------------------------------------------------------------------------------------------
# (a) ConvFormer authors' code, imported as is
# --------------------------------------------------------------------------------------------

def import_convformer():
    # trainers.py imports torch.utils.tensorboard.SummaryWriter; utils.py imports scipy.sparse.
    # Neither is used by the code run here, so stub them when they are missing.
    try:
        import torch.utils.tensorboard  # noqa: F401
    except Exception:
        tb = types.ModuleType("torch.utils.tensorboard")
        tb.SummaryWriter = object
        sys.modules["torch.utils.tensorboard"] = tb
    try:
        import scipy.sparse  # noqa: F401
    except Exception:
        sp = types.ModuleType("scipy")
        sps = types.ModuleType("scipy.sparse")
        sps.csr_matrix = None
        sp.sparse = sps
        sys.modules["scipy"] = sp
        sys.modules["scipy.sparse"] = sps
    sys.path.insert(0, CONVFORMER_SRC)
    import models as cf_models
    import modules as cf_modules
    import datasets as cf_datasets
    import trainers as cf_trainers
    import utils as cf_utils
    return cf_models, cf_modules, cf_datasets, cf_trainers, cf_utils


def convformer_args(**overrides):
    """Every field main.py's argparse defines (its defaults), then the fixture's overrides.
    item_size is set by main.py as max_item + 1 (id 0 is padding)."""
    a = dict(
        data_dir="data", output_dir="output_tmp", data_name="Beauty", do_eval=False, full_sort=1,
        max_seq_length=50, model_name="CONV", hidden_size=64, num_hidden_layers=2,
        num_attention_heads=1, hidden_act="gelu", no_filter=False,
        attention_probs_dropout_prob=0.5, hidden_dropout_prob=0.5, lr=0.001, ablate=0,
        batch_size=256, drop_null=0, zero_pad=1, patience=10, seed=2, epochs=200,
        weight_decay=0.0, n_fft=50, local=3, pool_size=2, use_causalmask=0, switch_order=0,
        conv_name=1, initialize=1, padding_mode=1, conv_size=30, act=0, ffn_multiplier=4,
        trial="None",
    )
    a.update(overrides)
    return argparse.Namespace(**a)


PADDING_MODES = {0: "circular", 1: "reflect", 2: "constant"}  # modules.py ConvLayer.__init__


def make_convformer(name, seed, **overrides):
    cf_models, cf_modules, cf_datasets, cf_trainers, cf_utils = import_convformer()
    torch.manual_seed(seed)
    random.seed(seed)
    args = convformer_args(item_size=30, hidden_size=16, max_seq_length=10, conv_size=4,
                           **overrides)
    model = cf_models.OurRecommender(args)
    spread_init(model, seed, (cf_modules.LayerNorm, nn.LayerNorm))
    model.eval()

    # Save exactly as the trainer does (utils.EarlyStopping.save_checkpoint:
    # torch.save(model.state_dict(), checkpoint_path)).
    path = os.path.join(OUT, name + ".pt")
    cf_utils.EarlyStopping(path).save_checkpoint(None, model)

    # Inputs exactly as FMLPRecDataset (data_type='test') builds them: the sequence's last element is
    # the answer, the rest is left-padded with 0 to max_seq_length and cut to its last max_seq_length.
    histories = histories_for(seed, args.item_size, args.max_seq_length, 5)
    ds = cf_datasets.FMLPRecDataset(args, [h + [1] for h in histories], data_type="test")
    input_ids = torch.stack([ds[i][1] for i in range(len(histories))])

    # Full-sort prediction exactly as PairwiseTrainer.iteration(full_sort=True) does it:
    # model(input_ids)[:, -1, :] then Trainer.predict_full (dot with item_embeddings.weight).
    with torch.no_grad():
        out = model(input_ids)[:, -1, :]
        scores = cf_trainers.Trainer.predict_full(types.SimpleNamespace(model=model), out)

    scores64 = float64_check(model, lambda m: cf_trainers.Trainer.predict_full(
        types.SimpleNamespace(model=m), m(input_ids)[:, -1, :]))
    diff64 = (scores64 - scores.double()).abs().max(dim=1).values

    # reload check: the saved file gives the same scores
    m2 = cf_models.OurRecommender(args)
    m2.load_state_dict(torch.load(path))
    m2.eval()
    with torch.no_grad():
        again = m2(input_ids)[:, -1, :] @ m2.item_embeddings.weight.t()
    assert torch.equal(again, scores)

    config = {k: v for k, v in vars(args).items()
              if k not in ("data_dir", "output_dir", "trial")}
    config["padding_mode_name"] = PADDING_MODES[args.padding_mode] if args.model_name == "CONV" else None
    doc = collections.OrderedDict(
        source="ConvFormer authors' code, " + CONVFORMER_SRC + " (models.py OurRecommender, "
               "modules.py " + ("ConvLayer" if args.model_name == "CONV" else "FConvLayer") +
               "); saved by utils.EarlyStopping.save_checkpoint; scores by "
               "trainers.PairwiseTrainer full-sort path",
        source_sha256={f: file_sha256(os.path.join(CONVFORMER_SRC, f))
                       for f in ("models.py", "modules.py", "datasets.py", "trainers.py", "utils.py")},
        model="OurRecommender/" + args.model_name,
        config=config,
        padding="left: input_ids = [0]*(max_seq_length-len) + history, then the last max_seq_length "
                "ids (datasets.py FMLPRecDataset.__getitem__); the output at the last position "
                "(index max_seq_length-1) is scored",
        init="all parameters N(0, 0.3^2), LayerNorm weights 1 + N(0, 0.3^2); "
             "FConvLayer.zeros (requires_grad=False) left at zero",
        histories=histories,
        model_inputs=input_ids.tolist(),
        scores_computed_as="scores[b, i] = model(input_ids)[b, -1, :] . item_embeddings.weight[i]  "
                           "for i in 0..item_size-1 (index 0 = padding; the authors' evaluation "
                           "then sets already-seen items to 0, not done here)",
        scores_precision="float32",
        scores=rows(scores),
        float32_vs_float64_max_abs_diff=[float("%.3g" % d) for d in diff64.tolist()],
        torch=TORCH,
    )
    if args.model_name == "FCONV":
        # FConvLayer computes with rfft/irfft.  With zero_pad=1 the first block's positions whose
        # circular window t-K+1..t holds only padding should be exactly 0, but the FFT leaves
        # rounding noise (~1e-8) there, and the block's LayerNorm (eps 1e-12) blows it up to O(0.1)
        # values that the second block reads at real positions.  For histories shorter than
        # L - K + 1 the float32 scores therefore depend on the FFT library's rounding (here up to
        # ~1e-2 from float64).  "scores" holds the float64 evaluation of the same modules (noise
        # ~1e-16 -> negligible), which is what an exact-zero rule for such windows reproduces;
        # "scores_float32" keeps the float32 run.
        doc["scores_precision"] = "float64 (see README: float32 FFT noise)"
        doc["scores"] = rows(scores64)
        doc["scores_float32"] = rows(scores)
        doc.move_to_end("float32_vs_float64_max_abs_diff")
        doc.move_to_end("torch")
    write_json(name, doc)
    return path


def write_convformer_beauty_keys():
    path = os.path.join(OUT, "convformer-authors-beauty-full-keys.txt")
    if not os.path.exists(CONVFORMER_BEAUTY):
        print("skip: no", CONVFORMER_BEAUTY)
        return
    sd = torch.load(CONVFORMER_BEAUTY, map_location="cpu")
    with zipfile.ZipFile(CONVFORMER_BEAUTY) as z:
        names = z.namelist()
    lines = [
        "# " + CONVFORMER_BEAUTY + " (" + str(os.path.getsize(CONVFORMER_BEAUTY)) + " bytes, sha256 "
        + file_sha256(CONVFORMER_BEAUTY) + ")",
        "# top-level object: " + type(sd).__module__ + "." + type(sd).__name__
        + " (a bare state_dict, saved by utils.EarlyStopping.save_checkpoint)",
        "# zip entries: " + str(len(names)) + ", record prefix '" + names[0].split("/")[0] + "/', first: "
        + ", ".join(names[:3]),
        "# key<TAB>shape<TAB>dtype",
    ]
    for k, v in sd.items():
        lines.append(k + "\t" + "x".join(str(d) for d in v.shape) + "\t" + str(v.dtype).replace("torch.", ""))
    emb = sd["item_embeddings.weight"].shape
    pos = sd["position_embeddings.weight"].shape
    conv = sd["item_encoder.layer.0.filterlayer.conv.depthwise_conv.weight"].shape
    ffn = sd["item_encoder.layer.0.intermediate.dense_1.weight"].shape
    n_layers = len({k.split(".")[2] for k in sd if k.startswith("item_encoder.layer.")})
    lines += [
        "# inferred: model_name=CONV, conv_name=1 (depthwise Conv1d, groups=hidden), item_size=%d "
        "(ids 1..%d, 0 = padding), hidden_size=%d, max_seq_length=%d, conv_size=%d, "
        "num_hidden_layers=%d, ffn_multiplier=%d" % (emb[0], emb[0] - 1, emb[1], pos[0], conv[2],
                                                     n_layers, ffn[0] // ffn[1]),
        "# not inferable from the weights: padding_mode (main.py default 1 = reflect; the README's "
        "reproduction commands pass --padding_mode 0 = circular), hidden_act (default gelu), zero_pad "
        "(default 1)",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------
# (b) RecBole-format models.  Stand-in modules so that pickled globals carry RecBole's names.
# --------------------------------------------------------------------------------------------

def fake_module(name):
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        n = ".".join(parts[:i])
        if n not in sys.modules:
            m = types.ModuleType(n)
            m.__path__ = []
            sys.modules[n] = m
            if i > 1:
                setattr(sys.modules[".".join(parts[:i - 1])], parts[i - 1], m)
    return sys.modules[name]


def place(cls, module_name):
    """Make `cls` picklable as module_name.cls.__name__ (what RecBole's pickles reference)."""
    cls.__module__ = module_name
    cls.__qualname__ = cls.__name__
    setattr(fake_module(module_name), cls.__name__, cls)
    return cls


class ModelType(enum.Enum):  # recbole/utils/enum_type.py
    GENERAL = 1
    SEQUENTIAL = 2
    CONTEXT = 3
    KNOWLEDGE = 4
    TRADITIONAL = 5
    DECISIONTREE = 6


class InputType(enum.Enum):
    POINTWISE = 1
    PAIRWISE = 2
    LISTWISE = 3


class EvaluatorType(enum.Enum):
    RANKING = 1
    VALUE = 2


def _enum_reduce_py310(self, proto):
    return self.__class__, (self._value_,)


# Python >= 3.11 pickles an Enum member as getattr(EnumClass, 'NAME'); Python <= 3.10 (the usual
# RecBole environment) as EnumClass(value).  Keep ModelType in the new form and make InputType and
# EvaluatorType use the old one, so the fixtures carry both.
InputType.__reduce_ex__ = _enum_reduce_py310
EvaluatorType.__reduce_ex__ = _enum_reduce_py310


for _c in (ModelType, InputType, EvaluatorType):
    place(_c, "recbole.utils.enum_type")


class Config(object):
    """Stand-in for recbole.config.configurator.Config: same pickled class name and attribute names
    (its state is the instance __dict__; the real class adds only methods)."""


place(Config, "recbole.config.configurator")

PARAMETER_CATEGORIES = {  # recbole/utils/argument_list.py
    "General": ["gpu_id", "use_gpu", "seed", "reproducibility", "state", "data_path", "checkpoint_dir",
                "show_progress", "config_file", "save_dataset", "dataset_save_path",
                "save_dataloaders", "dataloaders_save_path", "log_wandb"],
    "Training": ["epochs", "train_batch_size", "learner", "learning_rate", "train_neg_sample_args",
                 "eval_step", "stopping_step", "clip_grad_norm", "weight_decay", "loss_decimal_place"],
    "Evaluation": ["eval_args", "repeatable", "metrics", "topk", "valid_metric", "valid_metric_bigger",
                   "eval_batch_size", "metric_decimal_place"],
    "Dataset": ["field_separator", "seq_separator", "USER_ID_FIELD", "ITEM_ID_FIELD", "RATING_FIELD",
                "TIME_FIELD", "seq_len", "LABEL_FIELD", "threshold", "NEG_PREFIX",
                "ITEM_LIST_LENGTH_FIELD", "LIST_SUFFIX", "MAX_ITEM_LIST_LENGTH", "POSITION_FIELD",
                "HEAD_ENTITY_ID_FIELD", "TAIL_ENTITY_ID_FIELD", "RELATION_ID_FIELD", "ENTITY_ID_FIELD",
                "load_col", "unload_col", "unused_col", "additional_feat_suffix", "rm_dup_inter",
                "val_interval", "filter_inter_by_user_or_item", "user_inter_num_interval",
                "item_inter_num_interval", "alias_of_user_id", "alias_of_item_id",
                "alias_of_entity_id", "alias_of_relation_id", "preload_weight", "normalize_field",
                "normalize_all", "benchmark_filename"],
}


def recbole_config(model_name, model_class, max_len, model_params, dataset="interop-fixture"):
    """A Config whose final_config_dict looks like a real one after Config.__init__ (overall.yaml,
    dataset defaults, the model's yaml, then _set_default_parameters and _init_device)."""
    overall = collections.OrderedDict([
        ("gpu_id", ""), ("use_gpu", False), ("seed", 2020), ("state", "INFO"),
        ("reproducibility", True), ("data_path", "dataset/" + dataset), ("checkpoint_dir", "saved"),
        ("show_progress", False), ("save_dataset", False), ("dataset_save_path", None),
        ("save_dataloaders", False), ("dataloaders_save_path", None), ("log_wandb", False),
        ("wandb_project", "recbole"), ("shuffle", True), ("worker", 0),
        ("epochs", 1), ("train_batch_size", 2048), ("learner", "adam"), ("learning_rate", 0.001),
        ("train_neg_sample_args", {"distribution": "none", "sample_num": "none", "alpha": "none",
                                   "dynamic": False, "candidate_num": 0}),
        ("eval_step", 1), ("stopping_step", 10), ("clip_grad_norm", None), ("weight_decay", 0.0),
        ("loss_decimal_place", 4), ("require_pow", False), ("enable_amp", False),
        ("enable_scaler", False), ("transform", None),
        ("eval_args", {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user",
                       "mode": {"valid": "full", "test": "full"}}),
        ("repeatable", True), ("metrics", ["Recall", "MRR", "NDCG", "Hit", "Precision"]),
        ("topk", [10]), ("valid_metric", "MRR@10"), ("valid_metric_bigger", True),
        ("eval_batch_size", 4096), ("metric_decimal_place", 4),
        ("field_separator", "\t"), ("seq_separator", " "), ("USER_ID_FIELD", "user_id"),
        ("ITEM_ID_FIELD", "item_id"), ("RATING_FIELD", "rating"), ("TIME_FIELD", "timestamp"),
        ("seq_len", None), ("LABEL_FIELD", "label"), ("threshold", None), ("NEG_PREFIX", "neg_"),
        ("numerical_features", []), ("load_col", {"inter": ["user_id", "item_id", "timestamp"]}),
        ("unload_col", None), ("unused_col", None), ("additional_feat_suffix", None),
        ("rm_dup_inter", None), ("val_interval", None), ("filter_inter_by_user_or_item", True),
        ("user_inter_num_interval", "[0,inf)"), ("item_inter_num_interval", "[0,inf)"),
        ("alias_of_user_id", None), ("alias_of_item_id", None), ("alias_of_entity_id", None),
        ("alias_of_relation_id", None), ("preload_weight", None), ("normalize_field", None),
        ("normalize_all", None), ("discretization", None),
        ("ITEM_LIST_LENGTH_FIELD", "item_length"), ("LIST_SUFFIX", "_list"),
        ("MAX_ITEM_LIST_LENGTH", max_len), ("POSITION_FIELD", "position_id"),
        ("HEAD_ENTITY_ID_FIELD", "head_id"), ("TAIL_ENTITY_ID_FIELD", "tail_id"),
        ("RELATION_ID_FIELD", "relation_id"), ("ENTITY_ID_FIELD", "entity_id"),
        ("benchmark_filename", None),
        ("kg_reverse_r", False), ("entity_kg_num_interval", "[0,inf)"),
        ("relation_kg_num_interval", "[0,inf)"),
        ("MODEL_TYPE", ModelType.SEQUENTIAL),
    ])
    final = collections.OrderedDict(overall)
    final.update(model_params)
    final["dataset"] = dataset
    final["model"] = model_name
    final["MODEL_INPUT_TYPE"] = InputType.POINTWISE  # loss_type CE
    final["eval_type"] = EvaluatorType.RANKING
    final["single_spec"] = True
    final["local_rank"] = 0
    final["device"] = torch.device("cpu")
    final["valid_neg_sample_args"] = {"distribution": "uniform", "sample_num": "none"}
    final["test_neg_sample_args"] = {"distribution": "uniform", "sample_num": "none"}

    import yaml  # Config keeps its yaml loader class (yaml.FullLoader) as an attribute
    c = Config()
    c.parameters = copy.deepcopy(PARAMETER_CATEGORIES)
    c.yaml_loader = yaml.FullLoader
    c.file_config_dict = dict(model_params, MAX_ITEM_LIST_LENGTH=max_len)
    c.variable_config_dict = {}
    c.cmd_config_dict = {}
    c.external_config_dict = dict(c.file_config_dict)
    c.model = model_name
    c.model_class = model_class
    c.dataset = dataset
    c.internal_config_dict = dict(overall)
    c.final_config_dict = dict(final)
    return c


def recbole_save(path, model, config, optimizer):
    """recbole/trainer/trainer.py Trainer._save_checkpoint."""
    state = {
        "config": config,
        "epoch": 0,
        "cur_step": 1,
        "best_valid_score": 0.1234,
        "state_dict": model.state_dict(),
        "other_parameter": dict(),  # AbstractRecommender.other_parameter(): no other_parameter_name
        "optimizer": optimizer.state_dict(),
    }
    torch.save(state, path, pickle_protocol=4)


# ---- recbole/model/abstract_recommender.py ---------------------------------------------------

class SequentialRecommender(nn.Module):
    type = ModelType.SEQUENTIAL

    def __init__(self, config, dataset):
        super().__init__()
        self.USER_ID = config["USER_ID_FIELD"]
        self.ITEM_ID = config["ITEM_ID_FIELD"]
        self.ITEM_SEQ = self.ITEM_ID + config["LIST_SUFFIX"]
        self.ITEM_SEQ_LEN = config["ITEM_LIST_LENGTH_FIELD"]
        self.max_seq_length = config["MAX_ITEM_LIST_LENGTH"]
        self.n_items = dataset["n_items"]
        self.device = config["device"]

    def gather_indexes(self, output, gather_index):
        gather_index = gather_index.view(-1, 1, 1).expand(-1, -1, output.shape[-1])
        output_tensor = output.gather(dim=1, index=gather_index)
        return output_tensor.squeeze(1)

    def get_attention_mask(self, item_seq, bidirectional=False):
        attention_mask = item_seq != 0
        extended_attention_mask = attention_mask.unsqueeze(1).unsqueeze(2)  # torch.bool
        if not bidirectional:
            extended_attention_mask = torch.tril(
                extended_attention_mask.expand((-1, -1, item_seq.size(-1), -1)))
        extended_attention_mask = torch.where(extended_attention_mask, 0.0, -10000.0)
        return extended_attention_mask


def _gelu(x):
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def _swish(x):
    return x * torch.sigmoid(x)


ACT2FN = {"gelu": _gelu, "relu": fn.relu, "swish": _swish, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


# ---- recbole/model/layers.py -----------------------------------------------------------------

class MultiHeadAttention(nn.Module):
    def __init__(self, n_heads, hidden_size, hidden_dropout_prob, attn_dropout_prob, layer_norm_eps,
                 residual=True):
        super().__init__()
        self.num_attention_heads = n_heads
        self.attention_head_size = int(hidden_size / n_heads)
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.sqrt_attention_head_size = math.sqrt(self.attention_head_size)
        self.query = nn.Linear(hidden_size, self.all_head_size)
        self.key = nn.Linear(hidden_size, self.all_head_size)
        self.value = nn.Linear(hidden_size, self.all_head_size)
        self.softmax = nn.Softmax(dim=-1)
        self.attn_dropout = nn.Dropout(attn_dropout_prob)
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.out_dropout = nn.Dropout(hidden_dropout_prob)
        self.residual = residual  # AdaMCT's copy drops out_dropout and the residual

    def transpose_for_scores(self, x):
        return x.view(*(x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)))

    def forward(self, input_tensor, attention_mask):
        q = self.transpose_for_scores(self.query(input_tensor)).permute(0, 2, 1, 3)
        k = self.transpose_for_scores(self.key(input_tensor)).permute(0, 2, 3, 1)
        v = self.transpose_for_scores(self.value(input_tensor)).permute(0, 2, 1, 3)
        scores = torch.matmul(q, k) / self.sqrt_attention_head_size + attention_mask
        probs = self.attn_dropout(self.softmax(scores))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(*(ctx.size()[:-2] + (self.all_head_size,)))
        hidden = self.dense(ctx)
        if not self.residual:
            return self.LayerNorm(hidden)
        hidden = self.out_dropout(hidden)
        return self.LayerNorm(hidden + input_tensor)


class FeedForward(nn.Module):
    def __init__(self, hidden_size, inner_size, hidden_dropout_prob, hidden_act, layer_norm_eps):
        super().__init__()
        self.dense_1 = nn.Linear(hidden_size, inner_size)
        self.intermediate_act_fn = ACT2FN[hidden_act]
        self.dense_2 = nn.Linear(inner_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(hidden_dropout_prob)

    def forward(self, input_tensor):
        h = self.intermediate_act_fn(self.dense_1(input_tensor))
        h = self.dropout(self.dense_2(h))
        return self.LayerNorm(h + input_tensor)


class TransformerLayer(nn.Module):
    def __init__(self, n_heads, hidden_size, intermediate_size, hidden_dropout_prob, attn_dropout_prob,
                 hidden_act, layer_norm_eps):
        super().__init__()
        self.multi_head_attention = MultiHeadAttention(
            n_heads, hidden_size, hidden_dropout_prob, attn_dropout_prob, layer_norm_eps)
        self.feed_forward = FeedForward(
            hidden_size, intermediate_size, hidden_dropout_prob, hidden_act, layer_norm_eps)

    def forward(self, hidden_states, attention_mask):
        return self.feed_forward(self.multi_head_attention(hidden_states, attention_mask))


class TransformerEncoder(nn.Module):
    def __init__(self, n_layers=2, n_heads=2, hidden_size=64, inner_size=256, hidden_dropout_prob=0.5,
                 attn_dropout_prob=0.5, hidden_act="gelu", layer_norm_eps=1e-12):
        super().__init__()
        layer = TransformerLayer(n_heads, hidden_size, inner_size, hidden_dropout_prob,
                                 attn_dropout_prob, hidden_act, layer_norm_eps)
        self.layer = nn.ModuleList([copy.deepcopy(layer) for _ in range(n_layers)])

    def forward(self, hidden_states, attention_mask, output_all_encoded_layers=True):
        all_layers = []
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
            if output_all_encoded_layers:
                all_layers.append(hidden_states)
        if not output_all_encoded_layers:
            all_layers.append(hidden_states)
        return all_layers


# ---- recbole/model/sequential_recommender/sasrec.py --------------------------------------------

class SASRec(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.item_embedding = nn.Embedding(self.n_items, self.hidden_size, padding_idx=0)
        self.position_embedding = nn.Embedding(self.max_seq_length, self.hidden_size)
        self.trm_encoder = TransformerEncoder(
            n_layers=config["n_layers"], n_heads=config["n_heads"], hidden_size=self.hidden_size,
            inner_size=config["inner_size"], hidden_dropout_prob=config["hidden_dropout_prob"],
            attn_dropout_prob=config["attn_dropout_prob"], hidden_act=config["hidden_act"],
            layer_norm_eps=config["layer_norm_eps"])
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])
        self.loss_fct = nn.CrossEntropyLoss()

    def forward(self, item_seq, item_seq_len):
        position_ids = torch.arange(item_seq.size(1), dtype=torch.long, device=item_seq.device)
        position_ids = position_ids.unsqueeze(0).expand_as(item_seq)
        input_emb = self.item_embedding(item_seq) + self.position_embedding(position_ids)
        input_emb = self.dropout(self.LayerNorm(input_emb))
        mask = self.get_attention_mask(item_seq)
        output = self.trm_encoder(input_emb, mask, output_all_encoded_layers=True)[-1]
        return self.gather_indexes(output, item_seq_len - 1)

    def full_sort_predict(self, interaction):
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


# ---- recbole/model/sequential_recommender/gru4rec.py -------------------------------------------

class GRU4Rec(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.embedding_size = config["embedding_size"]
        self.hidden_size = config["hidden_size"]
        self.num_layers = config["num_layers"]
        self.item_embedding = nn.Embedding(self.n_items, self.embedding_size, padding_idx=0)
        self.emb_dropout = nn.Dropout(config["dropout_prob"])
        self.gru_layers = nn.GRU(input_size=self.embedding_size, hidden_size=self.hidden_size,
                                 num_layers=self.num_layers, bias=False, batch_first=True)
        self.dense = nn.Linear(self.hidden_size, self.embedding_size)
        self.loss_fct = nn.CrossEntropyLoss()

    def forward(self, item_seq, item_seq_len):
        emb = self.emb_dropout(self.item_embedding(item_seq))
        gru_output, _ = self.gru_layers(emb)
        gru_output = self.dense(gru_output)
        return self.gather_indexes(gru_output, item_seq_len - 1)

    def full_sort_predict(self, interaction):
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


# ---- recbole/model/sequential_recommender/bert4rec.py ------------------------------------------

class BERT4Rec(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.mask_token = self.n_items
        self.item_embedding = nn.Embedding(self.n_items + 1, self.hidden_size, padding_idx=0)
        self.position_embedding = nn.Embedding(self.max_seq_length, self.hidden_size)
        self.trm_encoder = TransformerEncoder(
            n_layers=config["n_layers"], n_heads=config["n_heads"], hidden_size=self.hidden_size,
            inner_size=config["inner_size"], hidden_dropout_prob=config["hidden_dropout_prob"],
            attn_dropout_prob=config["attn_dropout_prob"], hidden_act=config["hidden_act"],
            layer_norm_eps=config["layer_norm_eps"])
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])
        self.output_ffn = nn.Linear(self.hidden_size, self.hidden_size)
        self.output_gelu = nn.GELU()
        self.output_ln = nn.LayerNorm(self.hidden_size, eps=config["layer_norm_eps"])
        self.output_bias = nn.Parameter(torch.zeros(self.n_items))

    def reconstruct_test_data(self, item_seq, item_seq_len):
        padding = torch.zeros(item_seq.size(0), dtype=torch.long, device=item_seq.device)
        item_seq = torch.cat((item_seq, padding.unsqueeze(-1)), dim=-1)  # [B max_len+1]
        for batch_id, last_position in enumerate(item_seq_len):
            item_seq[batch_id][last_position] = self.mask_token
        return item_seq[:, 1:]

    def forward(self, item_seq):
        position_ids = torch.arange(item_seq.size(1), dtype=torch.long, device=item_seq.device)
        position_ids = position_ids.unsqueeze(0).expand_as(item_seq)
        input_emb = self.item_embedding(item_seq) + self.position_embedding(position_ids)
        input_emb = self.dropout(self.LayerNorm(input_emb))
        mask = self.get_attention_mask(item_seq, bidirectional=True)
        trm = self.trm_encoder(input_emb, mask, output_all_encoded_layers=True)
        return self.output_ln(self.output_gelu(self.output_ffn(trm[-1])))

    def full_sort_predict(self, interaction):
        item_seq = interaction[self.ITEM_SEQ]
        item_seq_len = interaction[self.ITEM_SEQ_LEN]
        item_seq = self.reconstruct_test_data(item_seq, item_seq_len)
        seq_output = self.gather_indexes(self.forward(item_seq), item_seq_len - 1)
        test_items_emb = self.item_embedding.weight[: self.n_items]
        return torch.matmul(seq_output, test_items_emb.transpose(0, 1)) + self.output_bias


# ---- recbole/model/sequential_recommender/caser.py ---------------------------------------------

class Caser(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.embedding_size = config["embedding_size"]
        self.n_h = config["nh"]
        self.n_v = config["nv"]
        self.n_users = dataset["n_users"]
        self.user_embedding = nn.Embedding(self.n_users, self.embedding_size, padding_idx=0)
        self.item_embedding = nn.Embedding(self.n_items, self.embedding_size, padding_idx=0)
        self.conv_v = nn.Conv2d(in_channels=1, out_channels=self.n_v, kernel_size=(self.max_seq_length, 1))
        lengths = [i + 1 for i in range(self.max_seq_length)]
        self.conv_h = nn.ModuleList([
            nn.Conv2d(in_channels=1, out_channels=self.n_h, kernel_size=(i, self.embedding_size))
            for i in lengths])
        self.fc1_dim_v = self.n_v * self.embedding_size
        self.fc1_dim_h = self.n_h * len(lengths)
        self.fc1 = nn.Linear(self.fc1_dim_v + self.fc1_dim_h, self.embedding_size)
        self.fc2 = nn.Linear(self.embedding_size + self.embedding_size, self.embedding_size)
        self.dropout = nn.Dropout(config["dropout_prob"])
        self.ac_conv = nn.ReLU()
        self.ac_fc = nn.ReLU()

    def forward(self, user, item_seq):
        item_seq_emb = self.item_embedding(item_seq).unsqueeze(1)
        user_emb = self.user_embedding(user).squeeze(1)
        out_v = self.conv_v(item_seq_emb).view(-1, self.fc1_dim_v)
        out_hs = []
        for conv in self.conv_h:
            conv_out = self.ac_conv(conv(item_seq_emb).squeeze(3))
            out_hs.append(fn.max_pool1d(conv_out, conv_out.size(2)).squeeze(2))
        out_h = torch.cat(out_hs, 1)
        out = self.dropout(torch.cat([out_v, out_h], 1))
        z = self.ac_fc(self.fc1(out))
        return self.ac_fc(self.fc2(torch.cat([z, user_emb], 1)))

    def full_sort_predict(self, interaction):
        seq_output = self.forward(interaction[self.USER_ID], interaction[self.ITEM_SEQ])
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


# ---- AdaMCT: recbole/model/sequential_recommender/adamct.py (juyongjiang/AdaMCT) ----------------

class SqueezeExcitationAttention(nn.Module):
    def __init__(self, seq_len, reduction_ratio):
        super().__init__()
        self.dense_1 = nn.Linear(seq_len, seq_len // reduction_ratio)
        self.squeeze_act_fn = fn.relu
        self.dense_2 = nn.Linear(seq_len // reduction_ratio, seq_len)
        self.excitation_act_fn = torch.sigmoid

    def forward(self, input_tensor):
        avg = torch.mean(input_tensor, dim=-1, keepdim=True)  # [B, N, 1]
        h = self.squeeze_act_fn(self.dense_1(avg.permute(0, 2, 1)))
        att = self.excitation_act_fn(self.dense_2(h))  # [B, 1, N]
        return torch.mul(input_tensor, att.permute(0, 2, 1))


class LocalConv(nn.Module):
    def __init__(self, hidden_size, kernel_size, hidden_dropout_prob, hidden_act, layer_norm_eps):
        super().__init__()
        self.padding = (kernel_size - 1) // 2
        self.conv_1_3 = nn.Conv1d(hidden_size, hidden_size, kernel_size, stride=1, padding=self.padding)
        self.conv_act_fn = ACT2FN[hidden_act]
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def forward(self, input_tensor):
        h = self.conv_1_3(input_tensor.permute(0, 2, 1))
        h = self.LayerNorm(h.permute(0, 2, 1))
        return self.conv_act_fn(h)


class AdaptiveMixtureUnits(nn.Module):
    def __init__(self, hidden_size, layer_norm_eps, hidden_dropout_prob):
        super().__init__()
        self.linear = nn.Linear(hidden_size, 1)
        self.adaptive_act_fn = torch.sigmoid
        self.linear_out = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(hidden_dropout_prob)

    def forward(self, input_tensor, global_output, local_output):
        avg = torch.mean(input_tensor, dim=1)  # [B, D], padding positions included
        alpha = self.adaptive_act_fn(self.linear(avg)).unsqueeze(-1)  # [B, 1, 1]
        beta = 1 - alpha
        mixture = torch.mul(global_output, beta) + torch.mul(local_output, alpha)
        return self.LayerNorm(self.dropout(self.linear_out(mixture)) + input_tensor)


class AdaMCTLayer(nn.Module):
    def __init__(self, n_heads, hidden_size, kernel_size, seq_len, reduction_ratio, hidden_dropout_prob,
                 attn_dropout_prob, hidden_act, layer_norm_eps):
        super().__init__()
        self.linear_en = nn.Linear(hidden_size, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)
        self.dropout = nn.Dropout(hidden_dropout_prob)
        self.multi_head_attention = MultiHeadAttention(
            n_heads, hidden_size, hidden_dropout_prob, attn_dropout_prob, layer_norm_eps, residual=False)
        self.local_conv = LocalConv(hidden_size, kernel_size, hidden_dropout_prob, hidden_act, layer_norm_eps)
        self.global_seatt = SqueezeExcitationAttention(seq_len, reduction_ratio)
        self.local_seatt = SqueezeExcitationAttention(seq_len, reduction_ratio)
        self.adaptive_mixture_units = AdaptiveMixtureUnits(hidden_size, layer_norm_eps, hidden_dropout_prob)

    def forward(self, hidden_states, attention_mask):
        en = self.LayerNorm(self.dropout(self.linear_en(hidden_states)))
        g = self.global_seatt(self.multi_head_attention(en, attention_mask))
        loc = self.local_seatt(self.local_conv(en))
        return self.adaptive_mixture_units(hidden_states, g, loc)


class AdaMCTEncoder(nn.Module):
    def __init__(self, n_layers, n_heads, hidden_size, kernel_size, seq_len, reduction_ratio,
                 hidden_dropout_prob, attn_dropout_prob, hidden_act, layer_norm_eps):
        super().__init__()
        layer = AdaMCTLayer(n_heads, hidden_size, kernel_size, seq_len, reduction_ratio,
                            hidden_dropout_prob, attn_dropout_prob, hidden_act, layer_norm_eps)
        self.layer = nn.ModuleList([copy.deepcopy(layer) for _ in range(n_layers)])

    def forward(self, hidden_states, attention_mask, output_all_encoded_layers=True):
        out = []
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
            out.append(hidden_states)
        return out


class AdaMCT(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.item_embedding = nn.Embedding(self.n_items, self.hidden_size, padding_idx=0)
        self.position_embedding = nn.Embedding(self.max_seq_length, self.hidden_size)
        self.adamct_encoder = AdaMCTEncoder(
            n_layers=config["n_layers"], n_heads=config["n_heads"], hidden_size=self.hidden_size,
            kernel_size=config["kernel_size"], seq_len=config["MAX_ITEM_LIST_LENGTH"],
            reduction_ratio=config["reduction_ratio"], hidden_dropout_prob=config["hidden_dropout_prob"],
            attn_dropout_prob=config["attn_dropout_prob"], hidden_act=config["hidden_act"],
            layer_norm_eps=config["layer_norm_eps"])
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, item_seq, item_seq_len):
        position_ids = torch.arange(item_seq.size(1), dtype=torch.long, device=item_seq.device)
        position_ids = position_ids.unsqueeze(0).expand_as(item_seq)
        input_emb = self.item_embedding(item_seq) + self.position_embedding(position_ids)
        input_emb = self.dropout(self.LayerNorm(input_emb))
        mask = self.get_attention_mask(item_seq)
        output = self.adamct_encoder(input_emb, mask, output_all_encoded_layers=True)[-1]
        return self.gather_indexes(output, item_seq_len - 1)

    def full_sort_predict(self, interaction):
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


# ---- RecGRELA: model/RecGRELA.py (TBI805/RecGRELA) ----------------------------------------------

def causal_conv1d_fn(x, weight, bias=None, activation=None):
    """Reference semantics of causal_conv1d.causal_conv1d_fn (the CUDA kernel the authors ran):
    depthwise conv, left zero padding width-1, keep the first L outputs, optional SiLU."""
    width = weight.shape[-1]
    out = fn.conv1d(x, weight.unsqueeze(1), bias, padding=width - 1, groups=x.shape[1])[..., : x.shape[-1]]
    return fn.silu(out) if activation in ("silu", "swish") else out


class RoPE(nn.Module):
    def __init__(self, seq_len, d_model, base=10000):
        super().__init__()
        k_max = d_model // 2
        theta = 1 / (base ** (torch.arange(k_max) / k_max))
        angles = torch.outer(torch.arange(seq_len), theta)
        rotations = torch.cat([torch.cos(angles).unsqueeze(dim=-1), torch.sin(angles).unsqueeze(dim=-1)], dim=-1)
        self.register_buffer("rotations", rotations)

    def forward(self, x):
        if x.dtype != torch.float32:
            x = x.to(torch.float32)
        x = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2))
        return torch.view_as_real(torch.view_as_complex(self.rotations) * x).flatten(-2)


class RotaryEnhancedLinearAttention(nn.Module):
    def __init__(self, d_model, seq_len, num_heads):
        super().__init__()
        self.d_model = d_model
        self.seq_len = seq_len
        self.num_heads = num_heads
        self.qk = nn.Linear(d_model, d_model * 2, bias=True)
        self.elu = nn.ELU()
        self.conv1d = nn.Conv1d(d_model, d_model, kernel_size=4, padding=3, groups=d_model, bias=True)
        self.rope = RoPE(seq_len, d_model)

    def forward(self, x):
        B, L, D = x.shape
        h = self.num_heads
        hd = D // h
        qk = self.qk(x).reshape(B, L, 2, D).permute(2, 0, 1, 3)
        q, k, v = qk[0], qk[1], x
        q = self.elu(q) + 1.0
        k = self.elu(k) + 1.0
        q_rope = self.rope(q).reshape(B, L, h, hd).permute(0, 2, 1, 3)
        k_rope = self.rope(k).reshape(B, L, h, hd).permute(0, 2, 1, 3)
        q = q.reshape(B, L, h, hd).permute(0, 2, 1, 3)
        k = k.reshape(B, L, h, hd).permute(0, 2, 1, 3)
        v = v.reshape(B, L, h, hd).permute(0, 2, 1, 3)
        z = 1 / (q @ k.mean(dim=-2, keepdim=True).transpose(-2, -1) + 1e-6)
        kv = (k_rope.transpose(-2, -1) * (L ** -0.5)) @ (v * (L ** -0.5))
        x = q_rope @ kv * z
        x = x.transpose(1, 2).reshape(B, L, D)
        v = v.transpose(1, 2).reshape(B, L, D).permute(0, 2, 1)
        # the authors' environment has causal_conv1d installed (device = cuda in their log); the
        # pure-PyTorch fallback `self.conv1d(v)[..., :L]` keeps [B, D, L] and only runs when L == D
        v_output = causal_conv1d_fn(x=v, weight=self.conv1d.weight.squeeze(1), bias=self.conv1d.bias,
                                    activation="silu").permute(0, 2, 1)
        return x + v_output


class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features, drop):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class GRELA(nn.Module):
    def __init__(self, d_model, seq_len, num_heads, drop, drop_path, num_layers):
        super().__init__()
        self.num_layers = num_layers
        self.attn = RotaryEnhancedLinearAttention(d_model=d_model, seq_len=seq_len, num_heads=num_heads)
        self.in_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(drop)
        self.LayerNorm1 = nn.LayerNorm(d_model, eps=1e-12)
        self.LayerNorm2 = nn.LayerNorm(d_model, eps=1e-12)
        self.mlp = Mlp(in_features=d_model, hidden_features=int(d_model * 4), drop=drop)
        self.act_proj = nn.Linear(d_model, d_model)
        self.act = nn.SiLU()
        self.drop_path = nn.Identity()  # timm DropPath: identity in eval, no parameters

    def forward(self, x):
        if self.num_layers == 1:
            x = self.LayerNorm1(x)
            act_res = self.act(self.act_proj(x))
            x = self.attn(self.in_proj(x))
            x = self.drop_path(self.out_proj(x * act_res))
            return self.mlp(self.LayerNorm2(x))
        shortcut = x
        x = self.LayerNorm1(x)
        act_res = self.act(self.act_proj(x))
        x = self.attn(self.in_proj(x))
        x = shortcut + self.drop_path(self.out_proj(x * act_res))
        return x + self.mlp(self.LayerNorm2(x))


class RecGRELA(SequentialRecommender):
    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.num_layers = config["num_layers"]
        self.seq_len = config["MAX_ITEM_LIST_LENGTH"]
        self.item_embedding = nn.Embedding(self.n_items, self.hidden_size, padding_idx=0)
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=1e-12)
        self.dropout = nn.Dropout(config["dropout_prob"])
        self.GRELA_block = nn.ModuleList([
            GRELA(d_model=self.hidden_size, seq_len=self.seq_len, num_heads=config["num_heads"],
                  drop=config["dropout_prob"], drop_path=config["drop_path"], num_layers=self.num_layers)
            for _ in range(self.num_layers)])

    def forward(self, item_seq, item_seq_len):
        item_emb = self.LayerNorm(self.dropout(self.item_embedding(item_seq)))
        for i in range(self.num_layers):
            item_emb = self.GRELA_block[i](item_emb)
        return self.gather_indexes(item_emb, item_seq_len - 1)

    def full_sort_predict(self, interaction):
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return torch.matmul(seq_output, self.item_embedding.weight.transpose(0, 1))


place(SASRec, "recbole.model.sequential_recommender.sasrec")
place(GRU4Rec, "recbole.model.sequential_recommender.gru4rec")
place(BERT4Rec, "recbole.model.sequential_recommender.bert4rec")
place(Caser, "recbole.model.sequential_recommender.caser")
place(AdaMCT, "recbole.model.sequential_recommender.adamct")
place(RecGRELA, "model.RecGRELA")  # run_RecGRELA.py: `from model.RecGRELA import RecGRELA`


def recbole_inputs(histories, max_len, users=None):
    """RecBole's SequentialDataset.data_augmentation: the most recent max_len items, stored
    oldest first from position 0 and right-padded with 0; item_length = number of real items."""
    seqs, lens = [], []
    for h in histories:
        h = h[-max_len:]
        seqs.append(h + [0] * (max_len - len(h)))
        lens.append(len(h))
    inter = {"item_id_list": torch.tensor(seqs, dtype=torch.long),
             "item_length": torch.tensor(lens, dtype=torch.long)}
    if users is not None:
        inter["user_id"] = torch.tensor(users, dtype=torch.long)
    return inter


RECBOLE_SOURCES = {
    "SASRec": "RUCAIBox/RecBole@" + RECBOLE_COMMIT + " recbole/model/sequential_recommender/sasrec.py "
              "+ recbole/model/layers.py TransformerEncoder",
    "GRU4Rec": "RUCAIBox/RecBole@" + RECBOLE_COMMIT + " recbole/model/sequential_recommender/gru4rec.py",
    "BERT4Rec": "RUCAIBox/RecBole@" + RECBOLE_COMMIT + " recbole/model/sequential_recommender/bert4rec.py "
                "+ recbole/model/layers.py TransformerEncoder",
    "Caser": "RUCAIBox/RecBole@" + RECBOLE_COMMIT + " recbole/model/sequential_recommender/caser.py",
    "AdaMCT": "juyongjiang/AdaMCT@" + ADAMCT_COMMIT + " recbole/model/sequential_recommender/adamct.py "
              "(RecBole 1.1.1 fork)",
    "RecGRELA": "TBI805/RecGRELA@" + RECGRELA_COMMIT + " model/RecGRELA.py (RecBole 1.2.0 model; "
                "causal_conv1d_fn path)",
}


def make_recbole(name, model_cls, seed, max_len, params, n_items=30, n_users=None, mid=5):
    torch.manual_seed(seed)
    model_name = model_cls.__name__
    config = recbole_config(model_name, model_cls, max_len, params)
    dataset = {"n_items": n_items, "n_users": n_users}
    model = model_cls(config.final_config_dict, dataset)
    spread_init(model, seed, (nn.LayerNorm,))

    histories = histories_for(seed, n_items, max_len, mid)
    users = None
    if n_users is not None:
        users = [1 + (i * 3) % (n_users - 1) for i in range(len(histories))]
    inter = recbole_inputs(histories, max_len, users)

    # One Adam step (lr from the config) so that the checkpoint's optimizer entry has real state,
    # as a checkpoint saved during training has.  Scores are computed after it.
    optimizer = torch.optim.Adam(model.parameters(), lr=config.final_config_dict["learning_rate"],
                                 weight_decay=config.final_config_dict["weight_decay"])
    model.eval()
    targets = torch.tensor([1 + (sum(h) % (n_items - 1)) for h in histories])
    loss = fn.cross_entropy(model.full_sort_predict(inter), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    with torch.no_grad():
        scores = model.full_sort_predict(inter)
    scores64 = float64_check(model, lambda m: m.full_sort_predict(inter))
    diff64 = (scores64 - scores.double()).abs().max(dim=1).values

    path = os.path.join(OUT, name + ".pth")
    recbole_save(path, model, config, optimizer)

    # reload check
    ck = torch.load(path, map_location="cpu")
    m2 = model_cls(ck["config"].final_config_dict, dataset)
    m2.load_state_dict(ck["state_dict"])
    m2.eval()
    with torch.no_grad():
        assert torch.equal(m2.full_sort_predict(inter), scores)

    cfg = {k: v for k, v in params.items()}
    cfg["MAX_ITEM_LIST_LENGTH"] = max_len
    cfg["n_items"] = n_items
    if n_users is not None:
        cfg["n_users"] = n_users
    doc = collections.OrderedDict(
        source=RECBOLE_SOURCES[model_name] + "; re-implemented in " + os.path.relpath(__file__, ROOT)
               + " with RecBole's module/parameter names; saved like recbole/trainer/trainer.py "
               "Trainer._save_checkpoint (torch.save(dict, path, pickle_protocol=4))",
        model=model_name,
        config=cfg,
        padding="right: item_id_list = the last MAX_ITEM_LIST_LENGTH items, oldest first from index 0, "
                "then zeros; item_length = number of real items; the output at index item_length-1 "
                "is scored (SequentialRecommender.gather_indexes)"
                + ("; BERT4Rec first rewrites the input with reconstruct_test_data (see README)"
                   if model_name == "BERT4Rec" else "")
                + ("; Caser ignores item_length and convolves the whole padded window"
                   if model_name == "Caser" else ""),
        init="all parameters N(0, 0.3^2), LayerNorm weights 1 + N(0, 0.3^2) (padding rows too), then "
             "one Adam step; scores are from the saved weights",
        histories=histories,
        model_inputs={k: v.tolist() for k, v in inter.items()},
        scores_computed_as="full_sort_predict(interaction) in eval mode, items 0..n_items-1 "
                           "(index 0 = padding; RecBole's evaluation then sets scores[:, 0] = -inf "
                           "and the user's history items to -inf, not done here)",
        scores_precision="float32",
        scores=rows(scores),
        float32_vs_float64_max_abs_diff=[float("%.3g" % d) for d in diff64.tolist()],
        torch=TORCH,
    )
    if users is not None:
        doc["users"] = users
        doc.move_to_end("model_inputs")
        doc.move_to_end("scores_computed_as")
        doc.move_to_end("scores_precision")
        doc.move_to_end("scores")
        doc.move_to_end("float32_vs_float64_max_abs_diff")
        doc.move_to_end("torch")
    write_json(name, doc)
    return path


TRANSFORMER_DEFAULTS = dict(hidden_dropout_prob=0.5, attn_dropout_prob=0.5, hidden_act="gelu",
                            layer_norm_eps=1e-12, initializer_range=0.02, loss_type="CE")


def main():
    os.makedirs(OUT, exist_ok=True)
    made = []
    made.append(make_convformer("convformer-authors-conv-circular", 101, model_name="CONV", padding_mode=0))
    made.append(make_convformer("convformer-authors-conv-reflect", 102, model_name="CONV", padding_mode=1))
    made.append(make_convformer("convformer-authors-conv-zero", 103, model_name="CONV", padding_mode=2))
    made.append(make_convformer("convformer-authors-fconv", 104, model_name="FCONV"))
    write_convformer_beauty_keys()

    made.append(make_recbole("recbole-sasrec", SASRec, 201, 8, dict(
        n_layers=2, n_heads=2, hidden_size=16, inner_size=32, **TRANSFORMER_DEFAULTS)))
    made.append(make_recbole("recbole-gru4rec", GRU4Rec, 202, 8, dict(
        embedding_size=8, hidden_size=12, num_layers=2, dropout_prob=0.3, loss_type="CE")))
    bert = dict(TRANSFORMER_DEFAULTS, hidden_dropout_prob=0.2, attn_dropout_prob=0.2)
    made.append(make_recbole("recbole-bert4rec", BERT4Rec, 203, 8, dict(
        n_layers=2, n_heads=2, hidden_size=16, inner_size=32, mask_ratio=0.2, ft_ratio=0.5,
        transform="mask_itemseq", MASK_ITEM_SEQ="Mask_item_id_list", POS_ITEMS="Pos_item_id",
        NEG_ITEMS="Neg_item_id", MASK_INDEX="MASK_INDEX", **bert)))
    made.append(make_recbole("recbole-caser", Caser, 204, 8, dict(
        embedding_size=8, dropout_prob=0.4, reg_weight=1e-4, nv=2, nh=3, loss_type="CE"), n_users=12))
    made.append(make_recbole("recbole-adamct", AdaMCT, 205, 8, dict(
        n_layers=2, n_heads=2, hidden_size=16, reduction_ratio=2, kernel_size=3,
        hidden_dropout_prob=0.5, attn_dropout_prob=0.5, hidden_act="swish", layer_norm_eps=1e-12,
        initializer_range=0.02, loss_type="CE")))
    made.append(make_recbole("recbole-recgrela", RecGRELA, 206, 8, dict(
        hidden_size=16, num_heads=2, num_layers=2, dropout_prob=0.1, drop_path=0.1, loss_type="CE")))

    total = 0
    for root, _, files in os.walk(OUT):
        for f in sorted(files):
            total += os.path.getsize(os.path.join(root, f))
    for p in made:
        print("%-50s %7d bytes" % (os.path.relpath(p, ROOT), os.path.getsize(p)))
    print("interop folder total: %d bytes; torch %s" % (total, TORCH))


if __name__ == "__main__":
    main()
