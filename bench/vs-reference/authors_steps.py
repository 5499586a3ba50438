"""Seconds per training batch of the ConvFormer authors' own code (../shared/reference/convformer-authors),
their unchanged PairwiseTrainer.iteration over BATCHES batches of their Beauty training data, on the CPU.

Only two things are replaced, as bench/vs-reference.sh documents: the tensorboard SummaryWriter (a no-op, so
that tensorboard need not be installed) and the data loader's 4 worker processes (0: batches are built in the
timed process, and then materialised before timing, so the figure is compute only). Their argument parser is
read from their main.py without running it.

Usage: python3 authors_steps.py REFERENCE_DIR DATA_TXT BATCHES THREADS KERNEL PADDING_MODE  -> one JSON line
"""
import itertools
import json
import os
import sys
import tempfile
import time
import types

import torch

ref, data_txt, batches, threads, kernel, padding_mode = sys.argv[1:7]
batches, threads = int(batches), int(threads)
torch.set_num_threads(threads)

tensorboard = types.ModuleType("torch.utils.tensorboard")


class SummaryWriter:  # no-op stand-in
    def __init__(self, *args, **kwargs):
        pass

    def add_scalar(self, *args, **kwargs):
        pass


tensorboard.SummaryWriter = SummaryWriter
sys.modules["torch.utils.tensorboard"] = tensorboard
sys.path.insert(0, os.path.join(ref, "src"))

import utils  # noqa: E402  (their module)
from models import OurRecommender  # noqa: E402
from trainers import PairwiseTrainer  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

utils.DataLoader = lambda *a, **k: DataLoader(*a, **dict(k, num_workers=0))

work = tempfile.mkdtemp(prefix="vs-reference-")
name = os.path.basename(data_txt)[: -len(".txt")]
os.symlink(os.path.abspath(data_txt), os.path.join(work, name + ".txt"))
with open(data_txt) as f, open(os.path.join(work, name + "_sample.txt"), "w") as out:
    for line in f:  # the sampled protocol's negatives file: read by their loader, unused by training
        out.write(line.split(" ", 1)[0] + " " + " ".join(["1"] * 99) + "\n")

main_src = open(os.path.join(ref, "src", "main.py")).read()
scope = {}
exec(main_src[: main_src.index("args = parser.parse_args()")], scope)  # their imports and argument parser only
args = scope["parser"].parse_args(["--model_name", "CONV", "--data_name", name, "--padding_mode", padding_mode,
                                   "--conv_size", kernel, "--full_sort", "0", "--batch_size", "256",
                                   "--data_dir", work, "--output_dir", os.path.join(work, "out")])
utils.set_seed(args.seed)
seq_dic, max_item = utils.get_seq_dic(args)
args.item_size = max_item + 1
train_loader, _, _ = utils.get_dataloder(args, seq_dic)
model = OurRecommender(args=args)
trainer = PairwiseTrainer(model, train_loader, None, None, args)
warmup = 3
data = list(itertools.islice(iter(train_loader), warmup + batches))
trainer.iteration(0, data[:warmup])
start = time.perf_counter()
trainer.iteration(1, data[warmup:])
seconds = time.perf_counter() - start
print(json.dumps({"side": "authors", "batches": batches, "seconds_per_batch": seconds / batches, "threads": threads,
                  "torch": torch.__version__, "epoch_batches": len(train_loader)}))
